#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The README's commands on a fresh Debian 12: debootstrap a minimal bookworm
# (minbase: not even python3) into DIR, bind-mount /proc, /sys and /dev,
# copy this tree (without builds) to /root/dpdk-switch inside, and run
# COMMAND there as root (default: tools/demo.sh, then tools/test.sh). What
# the tree needs beyond minbase must come from tools/deps.sh, as on a new
# machine. Needs root and the Debian archive. The chroot stays for a rerun
# (debootstrap is skipped when DIR has one); remove it with
#   tools/fresh-debian.sh --remove DIR
# which unmounts everything under DIR first.
# Usage: tools/fresh-debian.sh DIR [COMMAND...]
set -eu
cd "$(dirname "$0")/.."
tree=$(pwd)

die() { echo "fresh-debian: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot, mounts)"
[ $# -ge 1 ] || die "usage: tools/fresh-debian.sh [--remove] DIR [COMMAND...]"

unmount_all() { # every mount at or under $1, deepest first
	awk -v d="$1" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/mounts |
		sort -r | while read -r m; do umount -l "$m"; done
}

if [ "$1" = --remove ]; then
	dir=$(realpath "$2")
	unmount_all "$dir"
	if awk -v d="$dir" 'index($2, d "/") == 1 { found = 1 } END { exit !found }' /proc/mounts; then
		die "still mounted under $dir; not removing"
	fi
	rm -rf --one-file-system "$dir"
	exit 0
fi

dir=$(realpath -m "$1")
shift
[ $# -gt 0 ] || set -- sh -c "tools/demo.sh && tools/test.sh"

if [ ! -x "$dir/usr/bin/apt-get" ]; then
	command -v debootstrap >/dev/null || die "debootstrap missing (tools/deps.sh installs it)"
	echo "fresh-debian: debootstrap bookworm (minbase) into $dir"
	debootstrap --variant=minbase bookworm "$dir" http://deb.debian.org/debian
	cat > "$dir/etc/apt/sources.list" <<-EOF
	deb http://deb.debian.org/debian bookworm main
	deb http://deb.debian.org/debian bookworm-updates main
	deb http://deb.debian.org/debian-security bookworm-security main
	EOF
	chroot "$dir" apt-get update -q
fi
cp /etc/resolv.conf "$dir/etc/resolv.conf"

cleanup() {
	unmount_all "$dir"
}
trap cleanup EXIT INT TERM HUP
# The root a mount of its own: ip netns makes "/" a slave mount, which
# fails on a plain directory.
mount --bind "$dir" "$dir" && mount --make-private "$dir"
mount -t proc proc "$dir/proc"
mount --rbind /sys "$dir/sys" && mount --make-rslave "$dir/sys"
mount --rbind /dev "$dir/dev" && mount --make-rslave "$dir/dev"
mkdir -p "$dir/run" && mount -t tmpfs tmpfs "$dir/run"

# The tree as a fresh clone would have it: no builds, no results.
rm -rf "$dir/root/dpdk-switch"
mkdir -p "$dir/root/dpdk-switch"
tar -C "$tree" --exclude=./build --exclude=./.git --exclude=./bench/data \
	--exclude=./bench/results --exclude='__pycache__' -cf - . |
	tar -C "$dir/root/dpdk-switch" -xf -
chmod 0700 "$dir/root"

echo "fresh-debian: running in $dir/root/dpdk-switch: $*"
chroot "$dir" /usr/bin/env -i HOME=/root TERM=dumb PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	LANG=C.UTF-8 sh -c 'cd /root/dpdk-switch && exec "$@"' sh "$@"
