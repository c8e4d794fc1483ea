#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vm.sh --kernel debian|debug --mode check|demo [--out DIR] [TEST...]
#
# Boots a QEMU/TCG guest (-cpu max, 2 vCPUs) on Debian's installed kernel or
# on the debug kernel, with the host's root shared read-only over virtio-9p
# and the checkout shared read-write at the same path, and runs the
# selftests (or the demo) inside.  The console goes to stdout and to
# OUT/console.log; results to OUT/results.tap.  Exit status 0 only if the
# guest finished and every test passed.
#
# Environment: ESPTUN_VM_MEM (MiB, default 2048), ESPTUN_VM_TIMEOUT (seconds
# for the whole guest run, default 1800, 2700 for the debug kernel),
# ESPTUN_CACHE (debug kernel cache).
# ESPTUN_QUICK, ESPTUN_INTEROP_* and ESPTUN_IKE_* are passed on to the tests
# in the guest.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
flavour=debian mode=check out=
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) flavour=$2; shift 2 ;;
	--mode) mode=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--) shift; break ;;
	-*) echo "vm.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
tests=("$@")
out=${out:-$top/build/$mode/$flavour}

die() { echo "vm.sh: $*" >&2; exit 1; }
case "$top" in *[[:space:]]*) die "the checkout path must not contain spaces: $top" ;; esac
command -v qemu-system-x86_64 > /dev/null || die "qemu-system-x86_64 missing: run 'make deps'"

# Debian's kernel ABI, from the metapackages: never hard-coded.
debian_kver() {
	dpkg-query -W -f='${Depends}' "$1" 2>/dev/null |
		sed -n "s/^$2-\([^ ,]*\).*/\1/p"
}

# initramfs [KVER]: path of the initramfs for a modular kernel KVER (or, with
# no KVER, for one with virtio/9p built in), rebuilt when its sources change.
initramfs() {
	local f=$top/build/vm/initramfs-${1:-builtin}.cpio.gz
	if [ ! -e "$f" ] || [ "$here/mkinitramfs.sh" -nt "$f" ] ||
	   [ "$here/initramfs-init.sh" -nt "$f" ]; then
		"$here/mkinitramfs.sh" "$f" "$@" >&2 || die "cannot build $f"
	fi
	echo "$f"
}

mkdir -p "$top/build/vm"
rm -rf "$out"
mkdir -p "$out"

case "$flavour" in
debian)
	kver=$(debian_kver linux-image-amd64 linux-image)
	[ -n "$kver" ] || die "linux-image-amd64 is not installed: run 'make deps'"
	hver=$(debian_kver linux-headers-amd64 linux-headers)
	[ "$kver" = "$hver" ] ||
		die "linux-image-amd64 ($kver) and linux-headers-amd64 ($hver) differ: run 'make deps' to upgrade both"
	kernel=/boot/vmlinuz-$kver
	[ -r "$kernel" ] || die "$kernel missing: run 'make deps'"
	ko=$top/kmod/esptun.ko
	initrd=$(initramfs "$kver")
	;;
debug)
	kdir=$("$here/debug-kernel.sh")
	kernel=$kdir/arch/x86/boot/bzImage
	ko=$top/build/debug/kmod/esptun.ko
	cp "$kdir"/modules.order "$kdir"/modules.builtin \
		"$kdir"/modules.builtin.modinfo "$out/"
	initrd=$(initramfs)
	;;
*)
	die "unknown kernel '$flavour' (debian or debug)"
	;;
esac
[ -r "$ko" ] || die "$ko missing: run 'make' first"

cat > "$out/job.env" <<JOB
ESPTUN_TOP='$top'
ESPTUN_OUT='$out'
ESPTUN_KO='$ko'
ESPTUN_MODE='$mode'
ESPTUN_FLAVOUR='$flavour'
ESPTUN_TESTS='${tests[*]}'
JOB
# Knobs of the tests themselves, from the caller's environment.
for v in ESPTUN_QUICK ${!ESPTUN_INTEROP_@} ${!ESPTUN_IKE_@}; do
	if [ -n "${!v:-}" ]; then
		printf "%s='%s'\n" "$v" "${!v}" >> "$out/job.env"
	fi
done

# A backstop only: a lockup or hung task panics the guest at once.  The
# debug kernel's full run takes about 25 min under TCG.
timeout=1800
[ "$flavour" = debug ] && timeout=2700
timeout=${ESPTUN_VM_TIMEOUT:-$timeout}
echo "vm.sh: booting $kernel ($flavour) for $mode; console: $out/console.log"
set +e
timeout -k 10 "$timeout" qemu-system-x86_64 \
	-nodefaults -no-user-config -nographic -no-reboot \
	-machine pc,accel=tcg -cpu max -smp 2 -m "${ESPTUN_VM_MEM:-2048}" \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 quiet loglevel=3 panic=-1 softlockup_panic=1 watchdog_thresh=30 hung_task_panic=1 log_buf_len=16M esptunvm.top=$top esptunvm.job=$out/job.env" \
	-fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
	-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
	-fsdev local,id=checkout,path="$top",security_model=none,multidevs=remap \
	-device virtio-9p-pci,fsdev=checkout,mount_tag=checkout \
	-device virtio-rng-pci \
	-serial stdio < /dev/null 2>&1 | tee "$out/console.log"
qrc=${PIPESTATUS[0]}
set -e

if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	echo "vm.sh: the guest did not finish within ${timeout}s; console: $out/console.log" >&2
	exit 1
fi
if [ "$mode" = demo ]; then
	[ -r "$out/demo.rc" ] || die "the demo did not finish; console: $out/console.log"
	exit "$(cat "$out/demo.rc")"
fi
if [ ! -e "$out/done" ]; then
	echo "vm.sh: the guest stopped before the tests finished (qemu exit $qrc); console: $out/console.log" >&2
	exit 1
fi
if grep -q '^not ok' "$out/results.tap"; then
	echo "vm.sh: FAILED on the $flavour kernel:" >&2
	grep '^not ok' "$out/results.tap" | sed 's/^/    /' >&2
	echo "vm.sh: logs: $out/tests/, kernel log: $out/dmesg.log, console: $out/console.log" >&2
	exit 1
fi
exit 0
