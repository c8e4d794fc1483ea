#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once) and print the path of the esptun debug kernel: Debian's
# linux-source-6.1 configured as allnoconfig + selftests/config +
# selftests/qemu/debug.config (KASAN, lockdep, kmemleak, UBSAN...).
#
# The result is cached outside the checkout, keyed by the hash of the
# source package version, the fragments and RECIPE, so a CI run on a
# machine that already built it starts in seconds.  Output directory layout:
#   $ESPTUN_CACHE/kernel-<key>/arch/x86/boot/bzImage   the kernel
#   $ESPTUN_CACHE/kernel-<key>/                        O= tree for modules
# Everything but the final path goes to stderr.
set -euo pipefail

# Bump when the way the kernel is built changes in a way the hash misses.
RECIPE=1

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=${ESPTUN_CACHE:-/var/cache/esptun}
tarball=/usr/src/linux-source-6.1.tar.xz

die() { echo "debug-kernel: $*" >&2; exit 1; }
[ -r "$tarball" ] || die "$tarball missing: run 'make deps' (package linux-source-6.1)"

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null) ||
	die "cannot read the version of linux-source-6.1"
key=$( { echo "recipe=$RECIPE src=$srcver"; cat "$top/selftests/config" \
	"$here/debug.config"; } | sha256sum | cut -c1-16)
out=$cache/kernel-$key
src=$cache/src-$srcver

if [ -e "$out/.done" ]; then
	echo "$out"
	exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [ -e "$out/.done" ]; then	# built by whoever held the lock
	echo "$out"
	exit 0
fi

if [ ! -e "$src/.done" ]; then
	echo "debug-kernel: unpacking $tarball (linux-source $srcver)" >&2
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -C "$src.tmp" --strip-components=1 -xf "$tarball"
	touch "$src.tmp/.done"
	mv "$src.tmp" "$src"
fi

echo "debug-kernel: building $out (about 12 min on 2 cores)" >&2
rm -rf "$out"
mkdir -p "$out"
cat "$top/selftests/config" "$here/debug.config" > "$out/fragment.config"
make -s -C "$src" O="$out" ARCH=x86_64 \
	KCONFIG_ALLCONFIG="$out/fragment.config" allnoconfig >&2

# allnoconfig silently drops options whose dependencies are not met: insist
# that every option we asked for made it, so the kernel is what we claim.
missing=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*)
		grep -qxF "$line" "$out/.config" || {
			echo "debug-kernel: $line did not survive allnoconfig" >&2
			missing=1
		} ;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }; opt=${opt%% *}
		if grep -q "^$opt=" "$out/.config"; then
			echo "debug-kernel: $opt should be unset" >&2
			missing=1
		fi ;;
	esac
done < "$out/fragment.config"
[ $missing = 0 ] || die "config fragment not satisfiable; see above"

make -s -C "$src" O="$out" ARCH=x86_64 -j"$(nproc)" all >&2
touch "$out/.done"
echo "$out"
