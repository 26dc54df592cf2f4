#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The test command: install what is missing, build, run every test suite
# (unit, e2e, abuse, bench-gen: meson runs them all),
# then the unit tests again under ASan+UBSan. Safe to rerun.
# Usage: tools/test.sh   (as root for the end-to-end suites)
set -eu
cd "$(dirname "$0")/.."

tools/deps.sh
# Every program the scripts run comes from a package deps.sh installs (a
# fresh machine has nothing else).
tools/check-programs.py
if [ "$(id -u)" = 0 ]; then
	mode=$(tools/hugepages.sh)
	echo "test: hugepages: $mode"
fi

build() { # build DIR [meson options...]
	dir=$1; shift
	[ -f "$dir/build.ninja" ] || meson setup "$dir" "$@"
	ninja -C "$dir"
}

build build/debug --buildtype=debug
meson test -C build/debug --print-errorlogs --num-processes 2

# The Debian package: build, lintian, install, run the unit's command
# line, purge (skips, status 77, when it cannot run: not root...).
rc=0
tools/test-package.py || rc=$?
[ "$rc" = 0 ] || [ "$rc" = 77 ] || exit "$rc"

# Release (-O3, what the benchmarks run) must build warning-free too.
build build/release-tests --buildtype=release

build build/asan --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	meson test -C build/asan --suite unit --print-errorlogs --num-processes 2
echo "test: all suites passed"
