#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the test VM's initramfs (busybox).  Loads the virtio/9p modules,
# mounts the host's root read-only over virtio-9p with tmpfs over /tmp, /run
# and /var, mounts the checkout (shared separately, as it may live under
# /tmp) at the same path, and switches to the host's root to run
# selftests/qemu/guest-init.sh from the checkout.
bb=/bin/busybox

fail() {
	echo "esptun-vm: initramfs: $*" > /dev/console
	$bb sleep 1
	$bb reboot -f
}

$bb mount -t proc proc /proc
$bb mount -t sysfs sys /sys
$bb mount -t devtmpfs dev /dev

for m in $($bb cat /modules.list); do
	$bb insmod "/modules/$m" || fail "insmod $m failed"
done

top=
for arg in $($bb cat /proc/cmdline); do
	case "$arg" in
	esptunvm.top=*) top=${arg#esptunvm.top=} ;;
	esac
done
[ -n "$top" ] || fail "no esptunvm.top= on the kernel command line"

# Host root: read-only, cached (it does not change under us).
$bb mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=loose,ro \
	hostroot /newroot || fail "cannot mount the host root over 9p"
for d in tmp run var; do
	$bb mount -t tmpfs -o mode=1777 "$d" "/newroot/$d" ||
		fail "cannot mount tmpfs on /$d"
done
$bb mkdir -p "/newroot$top" 2>/dev/null
# The checkout: writable (logs and results go there), not cached.
$bb mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 \
	checkout "/newroot$top" || fail "cannot mount the checkout at $top"

$bb mount --move /dev /newroot/dev
$bb mount --move /proc /newroot/proc
$bb mount --move /sys /newroot/sys

# switch_root (not chroot): the kernel's usermode helpers, such as the
# modprobe it runs to autoload modules, then see the host root too.
exec $bb switch_root /newroot /bin/sh "$top/selftests/qemu/guest-init.sh"
