#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Reserve 2 MB hugepages and mount hugetlbfs when we can; say so when not.
# Prints "huge" when hugepages are usable, "nohuge" otherwise. Idempotent.
# Usage: tools/hugepages.sh [PAGES]   (default 512 = 1 GiB)
pages=${1:-512}
nr=/proc/sys/vm/nr_hugepages
if [ "$(id -u)" = 0 ] && [ -w "$nr" ]; then
	[ "$(cat $nr)" -lt "$pages" ] && echo "$pages" > "$nr" 2>/dev/null
	mkdir -p /dev/hugepages
	grep -qs ' /dev/hugepages hugetlbfs' /proc/mounts ||
		mount -t hugetlbfs nodev /dev/hugepages 2>/dev/null
fi
free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
if grep -qs ' /dev/hugepages hugetlbfs' /proc/mounts && [ "${free:-0}" -ge 64 ]; then
	echo huge
else
	echo nohuge
fi
