# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# Shared helpers for the forwarding benchmark scripts (bash; sourced).

log() { echo "bench: $*" >&2; }
die() { echo "bench: error: $*" >&2; exit 1; }

now() { date +%s.%N; }

# Seconds elapsed since $1 (a now() value), as a decimal.
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.6f", b - a }'; }

# "1-minute load average" and how many processes are runnable, to judge noise
# on a machine shared with other work.
load_now() { cut -d' ' -f1 /proc/loadavg; }

# Free 2 MB hugepages.
huge_free() { awk '/HugePages_Free/ { print $2 }' /proc/meminfo; }

# need_hugepages PAGES: wait up to 5 minutes for that many free 2 MB pages
# (other jobs on the machine, tests for instance, hold some for a while),
# else fail.
need_hugepages() {
	local want=$1 i
	for i in $(seq 300); do
		[ "$(huge_free)" -ge "$want" ] && return 0
		[ "$i" = 1 ] && log "waiting for $want free hugepages ($(huge_free) free)"
		sleep 1
	done
	die "need $want free 2 MB hugepages, $(huge_free) free (tools/hugepages.sh reserves them)"
}

# wait_for SECONDS COMMAND...: poll every 0.1 s until COMMAND succeeds.
wait_for() {
	local limit=$1 end
	shift
	end=$(awk -v t="$(now)" -v l="$limit" 'BEGIN { printf "%.3f", t + l }')
	until "$@" 2>/dev/null; do
		awk -v t="$(now)" -v e="$end" 'BEGIN { exit !(t > e) }' && return 1
		sleep 0.1
	done
}

# stop_pid PID [NAME]: SIGTERM, wait up to 10 s, then SIGKILL. Only the PID
# we started, never by name.
stop_pid() {
	local pid=$1 name=${2:-process} i
	[ -n "$pid" ] || return 0
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	log "$name ($pid) ignored SIGTERM for 10 s; killing it"
	kill -KILL "$pid" 2>/dev/null
	for i in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	log "$name ($pid) still there after SIGKILL"
}

# Resident memory of a process from /proc/PID/status, in kB: rss_kb PID FIELD
# (FIELD: VmRSS, RssAnon, RssFile, RssShmem).
rss_kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }

# Rate in millions per second: mrate COUNT SECONDS
mrate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.3f", (s > 0 ? n / s / 1e6 : 0) }'; }

# json KEY=VALUE...: one JSON object on one line. Values that look like
# numbers are written bare, everything else as a string.
json() {
	local sep="" kv k v out="{"
	for kv in "$@"; do
		k=${kv%%=*}
		v=${kv#*=}
		if [[ $v =~ ^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$ ]]; then
			out+="$sep\"$k\": $v"
		else
			v=${v//\\/\\\\}
			v=${v//\"/\\\"}
			out+="$sep\"$k\": \"$v\""
		fi
		sep=", "
	done
	echo "$out}"
}

# Port counters in ovs-dpctl "show -s" text (OVS's dpctl/show -s, and the
# format dpdk-switch-ctl show -s mimics): port_counter PORT_NO RX|TX < TEXT
port_counter() {
	awk -v p="$1" -v dir="$2" '
		$1 == "port" { cur = $2; sub(":", "", cur) }
		cur == p && $1 == dir && $2 ~ /^packets:/ {
			sub("packets:", "", $2); print $2; exit
		}'
}

# "avg processing cycles per packet" from pmd-stats-show text (first PMD
# thread section; the "main thread" section comes after it in OVS).
pmd_cycles_per_packet() {
	awk '/avg processing cycles per packet:/ { print $6; exit }'
}

# The forwarding thread of PID: the busiest thread pinned to exactly CPU 1
# (testpmd's rte-worker-1, OVS's pmd-c01, dpdk-switch's PMD lcore).
pmd_tid() {
	local t best="" max=-1 rt
	for t in /proc/"$1"/task/*; do
		[ "$(awk '/^Cpus_allowed_list/ { print $2 }' "$t/status" 2>/dev/null)" = 1 ] || continue
		rt=$(cut -d' ' -f1 "$t/schedstat" 2>/dev/null) || continue
		if [ "$rt" -gt "$max" ]; then max=$rt; best=${t##*/}; fi
	done
	echo "$best"
}

# CPU time a thread has run, in ns: thread_ns PID TID
thread_ns() { cut -d' ' -f1 "/proc/$1/task/$2/schedstat" 2>/dev/null || echo 0; }

# Share of one CPU the forwarding thread really got over a window: below
# about 0.95 something else ran on its core and the rate is understated.
# cpu_share NS0 NS1 SECONDS
cpu_share() { awk -v a="$1" -v b="$2" -v s="$3" 'BEGIN { printf "%.3f", (s > 0 ? (b - a) / 1e9 / s : 0) }'; }

# prioritize PID: give a switch under test the niceness in $BENCH_NICE (set
# by run.sh), both as the process's nice value and as its autogroup's: with
# autogroup scheduling (kernel.sched_autogroup_enabled=1) CPU time is shared
# between sessions first, so a plain nice value would not count against
# other sessions' jobs. Start the switch in its own session (setsid, or a
# daemon's --detach) so the autogroup holds only it.
prioritize() {
	[ -n "${BENCH_NICE:-}" ] && [ "$BENCH_NICE" != 0 ] || return 0
	renice -n "$BENCH_NICE" -p "$1" >/dev/null 2>&1 || true
	local t
	for t in /proc/"$1"/task/*; do renice -n "$BENCH_NICE" -p "${t##*/}" >/dev/null 2>&1 || true; done
	if [ -w "/proc/$1/autogroup" ]; then
		echo "$BENCH_NICE" > "/proc/$1/autogroup" 2>/dev/null || true
	fi
}

# measure_dip PREFIX DEVICE PID TID FLOWS -- CMD...: forwarding before and
# during a bulk install. The output port's tx count is read through DPDK
# telemetry (bench/telemetry.py: EAL file prefix PREFIX, ethdev DEVICE) every
# 200 ms on one connection, which answers even while the switch's control
# thread is busy with the install. PID/TID is the forwarding thread, FLOWS
# the file CMD installs. 2 s of readings before CMD, then CMD. Prints the
# "dip" JSON fields (without system/metric) as KEY=VALUE words.
measure_dip() {
	local prefix=$1 dev=$2 pid=$3 tid=$4 n tel stop samples spid ns0 ns1 ts te rc=0 secs
	n=$(wc -l < "$5")
	shift 6
	tel="$(dirname "${BASH_SOURCE[0]}")/telemetry.py"
	samples=$(mktemp); stop=$samples.stop
	"$tel" "$prefix" "$dev" --every 0.2 --until "$stop" > "$samples" &
	spid=$!
	wait_for 60 test -s "$samples" || { kill "$spid" 2>/dev/null; rm -f "$samples"; return 1; }
	sleep 2
	ns0=$(thread_ns "$pid" "$tid"); ts=$(now)
	"$@" > "$samples.out" 2>&1 || rc=$?
	te=$(now); ns1=$(thread_ns "$pid" "$tid")
	secs=$(awk -v a="$ts" -v b="$te" 'BEGIN { printf "%.6f", b - a }')
	touch "$stop"
	wait "$spid" || true
	[ "$rc" = 0 ] || log "bulk install failed: $(tail -1 "$samples.out")"
	# Before: the readings before CMD started. During: from the last reading
	# before the start to the first one after the end; worst: the slowest
	# 200 ms interval that overlaps the install.
	echo "flows=$n seconds=$secs install_rc=$rc" \
		"flows_per_s=$(awk -v n="$n" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')" \
		"$(awk -v ts="$ts" -v te="$te" '
			NR == 1 { t0 = $1; c0 = $2 }
			$1 <= ts { tb = $1; cb = $2 }
			$1 >= te && !ta { ta = $1; ca = $2 }
			NR > 1 && $1 > ts && pt < te {
				r = ($2 - pc) / ($1 - pt) / 1e6
				if (min == "" || r < min) min = r
			}
			{ pt = $1; pc = $2 }
			END {
				printf "mpps_before=%.3f mpps_during=%.3f mpps_min_200ms=%.3f samples=%d",
					(tb > t0 ? (cb - c0) / (tb - t0) / 1e6 : 0),
					(ta > tb ? (ca - cb) / (ta - tb) / 1e6 : 0), min, NR
			}' "$samples")" \
		"pmd_cpu_share=$(cpu_share "$ns0" "$ns1" "$secs")"
	rm -f "$samples" "$samples.out" "$stop"
}
