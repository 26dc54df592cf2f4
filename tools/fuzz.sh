#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Build the libFuzzer targets (clang, ASan+UBSan) and run every one for
# SECONDS each. Corpora grow in build/fuzz/corpus/<name>; seeds committed in
# tests/fuzz/seeds/<name>/ and a dictionary tests/fuzz/fuzz_<name>.dict are
# used when present. Crash inputs land in build/fuzz/crashes/.
# Exits non-zero if any target crashed (or none was found).
# Usage: tools/fuzz.sh [SECONDS]   (default 60)
set -eu
cd "$(dirname "$0")/.."

secs=${1:-60}
case $secs in
'' | *[!0-9]*) echo "usage: tools/fuzz.sh [SECONDS]" >&2; exit 2 ;;
esac

dir=build/fuzz
[ -f "$dir/build.ninja" ] || CC=clang meson setup "$dir" -Dfuzz=true -Dtests=false
ninja -C "$dir"
mkdir -p "$dir/crashes" "$dir/logs"

# UBSan only reports by default; make it a crash libFuzzer can see.
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1

ran=0
failed=""
for exe in "$dir"/tests/fuzz/fuzz_*; do
	[ -f "$exe" ] && [ -x "$exe" ] || continue
	name=${exe##*/fuzz_}
	corpus=$dir/corpus/$name
	log=$dir/logs/$name.log
	mkdir -p "$corpus"
	seeds=""
	[ -d "tests/fuzz/seeds/$name" ] && seeds="tests/fuzz/seeds/$name"
	dict=""
	[ -f "tests/fuzz/fuzz_$name.dict" ] && dict="-dict=tests/fuzz/fuzz_$name.dict"

	echo "fuzz: $name for ${secs}s (log: $log)"
	ran=$((ran + 1))
	# shellcheck disable=SC2086 # $dict and $seeds are empty or one word
	if "$exe" -max_total_time="$secs" -print_final_stats=1 \
		-artifact_prefix="$dir/crashes/$name-" $dict "$corpus" $seeds >"$log" 2>&1; then
		grep -E "^stat::number_of_executed_units|^stat::new_units_added" "$log" |
			sed "s/^/fuzz: $name: /" || true
	else
		echo "fuzz: $name FAILED; last lines of $log:" >&2
		tail -n 30 "$log" >&2
		failed="$failed $name"
	fi
done

if [ "$ran" = 0 ]; then
	echo "fuzz: no fuzz_* executables in $dir/tests/fuzz" >&2
	exit 1
fi
if [ -n "$failed" ]; then
	echo "fuzz: crashed:$failed" >&2
	exit 1
fi
echo "fuzz: $ran target(s) ran ${secs}s each without a crash"
