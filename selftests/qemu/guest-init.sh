#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# First process in the test VM after switch_root into the host's root.
# Reads the job the host wrote (esptunvm.job= on the kernel command line),
# prepares the guest (pseudo filesystems, loopback, module autoloading from
# the freshly built esptun.ko), runs the selftests or the demo, and powers
# off.  Anything it cannot do is reported on the console, then it still
# powers off: the host notices the missing result.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp TMPDIR=/tmp LANG=C.UTF-8 TERM=dumb

say() { echo "esptun-vm: $*"; }

poweroff_now() {
	sync
	# allnoconfig kernels have no ACPI: reboot, which -no-reboot turns
	# into QEMU exiting.
	/bin/busybox reboot -f
	echo b > /proc/sysrq-trigger
}

job=
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	esptunvm.job=*) job=${arg#esptunvm.job=} ;;
	esac
done
if [ -z "$job" ] || [ ! -r "$job" ]; then
	say "no readable job file (esptunvm.job=$job)"
	poweroff_now
fi
set -a	# the tests see the job's variables (ESPTUN_FLAVOUR...)
# shellcheck disable=SC1090
. "$job"
set +a

mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=1777 shm /dev/shm
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
hostname esptun-vm
ip link set lo up

# Module autoloading from the checkout: alias every name the module declares
# (MODULE_ALIAS_RTNL_LINK, MODULE_ALIAS_GENL_FAMILY...) to an install command
# that inserts the fresh build.  The aliases come from the .ko itself, so a
# module missing one fails the tests that rely on autoloading.
setup_modules() {
	kver=$(uname -r)
	if [ ! -d "/lib/modules/$kver" ]; then
		# Debug kernel: everything else is built in.  Give modprobe a
		# module directory that knows the built-in modules.
		mount -t tmpfs modules /lib/modules || return 1
		mkdir -p "/lib/modules/$kver"
		cp "$ESPTUN_OUT"/modules.order "$ESPTUN_OUT"/modules.builtin* \
			"/lib/modules/$kver/"
		depmod "$kver" || return 1
	fi
	mkdir -p /run/modprobe.d
	deps=$(modinfo -F depends "$ESPTUN_KO" | tr ',' ' ')
	{
		for a in $(modinfo -F alias "$ESPTUN_KO"); do
			echo "alias $a esptun"
		done
		if [ -n "$deps" ]; then
			echo "install esptun /sbin/modprobe -a $deps && /sbin/insmod $ESPTUN_KO"
		else
			echo "install esptun /sbin/insmod $ESPTUN_KO"
		fi
	} > /run/modprobe.d/esptun-selftests.conf
}

if ! setup_modules; then
	say "cannot prepare module loading"
	poweroff_now
fi

say "kernel $(uname -r) ($ESPTUN_FLAVOUR), mode $ESPTUN_MODE"
case "$ESPTUN_MODE" in
check)
	/bin/bash "$ESPTUN_TOP/selftests/run_tests.sh" "$ESPTUN_OUT" \
		$ESPTUN_TESTS
	;;
demo)
	/bin/bash "$ESPTUN_TOP/selftests/demo.sh"
	echo $? > "$ESPTUN_OUT/demo.rc"
	;;
*)
	say "unknown mode $ESPTUN_MODE"
	;;
esac
poweroff_now
