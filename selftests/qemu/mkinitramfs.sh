#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh OUT [KVER]
#
# Builds the test VM's initramfs: static busybox, init (initramfs-init.sh)
# and, for a modular kernel KVER, the virtio and 9p modules it needs to mount
# the host's root, in load order (virtio_ring before virtio).  Without KVER
# (the debug kernel has them built in) no modules are included.
set -euo pipefail

out=$1
kver=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
busybox=/bin/busybox

die() { echo "mkinitramfs: $*" >&2; exit 1; }
[ -x "$busybox" ] || die "$busybox missing: run 'make deps' (package busybox-static)"
# The initramfs has no libc: a dynamic busybox (package busybox) cannot work.
readelf -l "$busybox" | grep -q INTERP &&
	die "$busybox is dynamically linked: install busybox-static instead of busybox"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/modules" "$tmp/proc" "$tmp/sys" "$tmp/dev" \
	"$tmp/newroot"
cp "$busybox" "$tmp/bin/busybox"
ln -s busybox "$tmp/bin/sh"
cp "$here/initramfs-init.sh" "$tmp/init"
chmod 755 "$tmp/init"

: > "$tmp/modules.list"
if [ -n "$kver" ]; then
	[ -d "/lib/modules/$kver" ] || die "/lib/modules/$kver missing: run 'make deps'"
	for m in virtio_pci 9pnet_virtio 9p virtio_rng; do
		modprobe --show-depends -S "$kver" "$m" |
			awk '$1 == "insmod" { print $2 }'
	done | awk '!seen[$0]++' | while read -r ko; do
		cp "$ko" "$tmp/modules/"
		basename "$ko" >> "$tmp/modules.list"
	done
	grep -qx virtio_ring.ko "$tmp/modules.list" ||
		die "virtio_ring not found among the modules of $kver"
fi

(cd "$tmp" && find . | cpio -o -H newc --quiet) | gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
