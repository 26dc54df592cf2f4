#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The end-to-end forwarding benchmark: one command, as root, on a machine with
# two cores (main lcore 0, one PMD on lcore 1) and 2 MB hugepages.
#
# Usage: bench/run.sh [--profiles LIST] [--runs N] [--warmup S] [--window S]
#                     [--systems LIST] [--ovs-configs LIST] [--out DIR]
#   --profiles    comma list of profile names or letters (a..f; default all),
#                 see bench/gen_traffic.py list
#   --runs        runs per profile and system (default 3)
#   --systems     testpmd,ovs,dpdk-switch (default: all; OVS only when
#                 installed, dpdk-switch only when built)
#   --ovs-configs default,smc,noemc (default all three)
#   --out         results directory (default bench/results)
#   --nice N      niceness of the switches under test (default -10): on a
#                 machine shared with other jobs the forwarding thread then
#                 keeps most of CPU 1 without starving anyone (0 to disable)
#
# For every run and profile, in this order: dpdk-testpmd io forwarding (the
# ceiling), Open vSwitch 3.1 + DPDK with the same megaflows (the peer), and
# dpdk-switch; before and after each, build/release/bench/cpu_probe times a
# fixed job on CPU 1 (probe_before_best_us, ...: one of report.py's
# slow-spell flags). Traffic is the profile's pcap replayed forever by
# net_pcap0 (infinite_rx=1); it leaves through net_null0 (no-rx=1: the
# null port sends nothing back). Results: RESULTS.jsonl (one JSON object per
# measurement), RESULTS.txt (the table) and RESULTS.md (markdown tables for
# docs/PERFORMANCE.md), RESULTS = OUT/YYYYmmdd-HHMMSS.
# PVP through a vhost-user guest (64, 1500, 9000 B) is its own command:
# bench/pvp.py (--help).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

profiles=all runs=3 warmup=3 window=5 systems="testpmd,ovs,dpdk-switch"
ovs_configs="default,smc,noemc" outdir=bench/results nice=-10
while [ $# -gt 0 ]; do
	case $1 in
	--profiles) profiles=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--warmup) warmup=$2; shift 2 ;;
	--window) window=$2; shift 2 ;;
	--systems) systems=$2; shift 2 ;;
	--ovs-configs) ovs_configs=$2; shift 2 ;;
	--out) outdir=$2; shift 2 ;;
	--nice) nice=$2; shift 2 ;;
	-h|--help) sed -n '3,29p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown option $1 (see --help)" ;;
	esac
done

DATA=bench/data
DS_BIN=${DPDK_SWITCH:-build/release/src/dpdk-switch}
DS_CTL=${DPDK_SWITCH_CTL:-build/release/src/client/dpdk-switch-ctl}
OVS_VSWITCHD=/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk
PROBE=${DPSW_CPU_PROBE:-build/release/bench/cpu_probe}

[ "$(id -u)" = 0 ] || die "run as root (hugepages, network namespace for OVS)"
# What it runs (dpdk-testpmd from dpdk-dev, Open vSwitch, ...): installed
# when missing, as tools/test.sh does.
tools/deps.sh --bench || die "tools/deps.sh --bench failed: Debian packages missing"
command -v dpdk-testpmd >/dev/null || die "dpdk-testpmd missing after tools/deps.sh --bench"
[ "$(tools/hugepages.sh 512)" = huge ] || die "no usable 2 MB hugepages (tools/hugepages.sh)"
[ -x "$PROBE" ] || log "$PROBE not built (ninja -C build/release): no slow-spell flags"

all_profiles=$(bench/gen_traffic.py list | awk 'NR > 1 { print $1 }')
[ "$profiles" = all ] && profiles=$(echo "$all_profiles" | tr '\n' , | sed 's/,$//')
has_system() { [[ ",$systems," == *",$1,"* ]]; }

# Full name, flows and packets of a profile (name or letter).
profile_info() { bench/gen_traffic.py list | awk -v p="$1" 'NR > 1 && ($1 == p || substr($1, 1, length(p) + 1) == p "_") { print $1, $2, $4 }'; }

# Generate a profile's pcap and flows once (again when the generator changes)
# and check them with the independent reference matcher before any use.
prepare() {
	local name=$1 stamp=$DATA/$1.verified
	if [ -f "$stamp" ] && [ "$stamp" -nt bench/gen_traffic.py ] &&
	   [ "$stamp" -nt bench/verify_traffic.py ]; then
		return 0
	fi
	log "generating and verifying $name"
	bench/gen_traffic.py gen "$name" --out-dir "$DATA" >/dev/null
	bench/verify_traffic.py "$DATA/$name.flows" "$DATA/$name.pcap" --even > "$stamp.tmp" ||
		die "$name: generated traffic does not match its flows"
	mv "$stamp.tmp" "$stamp"
}

export BENCH_NICE=$nice
mkdir -p "$DATA" "$outdir"
stamp=$(date +%Y%m%d-%H%M%S)
results=$outdir/$stamp.jsonl

# record PROFILE RUN: tag each JSON line of stdin and append it to the results.
record() { sed "s/^{/{\"profile\": \"$1\", \"run\": $2, /" | tee -a "$results"; }

# probe WHEN: the slow-spell probe's reading as KEY=VALUE words
# (probe_WHEN_us, _cpu_us, _best_us, _mem_cpu_us, _mem_best_us), at the switches'
# niceness; nothing when the probe is not built.
probe() {
	[ -x "$PROBE" ] || return 0
	"$PROBE" --cpu 1 ${nice:+--nice "$nice"} | sed "s/\([a-z_]*\)=/probe_$1_\1=/g"
}

# measure PROFILE RUN CMD...: CMD's JSON lines, each with the probe readings
# taken right before and right after CMD, recorded. CMD's status is returned.
measure() {
	local name=$1 run=$2 p0 p1 out extra rc=0
	shift 2
	p0=$(probe before) || p0=""
	out=$("$@") || rc=$?
	p1=$(probe after) || p1=""
	# shellcheck disable=SC2086 # word splitting of KEY=VALUE pairs wanted
	extra=$(json $p0 $p1)
	[ -z "$out" ] || printf '%s\n' "$out" |
		if [ "$extra" = "{}" ]; then cat; else sed "s/}\$/, ${extra:1}/"; fi |
		record "$name" "$run"
	return "$rc"
}

# ---------------------------------------------------------------------------
# run_dpdk_switch PCAP FLOWS PACKETS FLOW_COUNT [DIP_FLOWS]
#
# dpdk-switch, through its planned interface (adjust here when the daemon
# and client land):
#   dpdk-switch -l 0-1 --no-pci --vdev net_pcap0,... --vdev net_null0,... \
#       -- --ctl SOCK --pmd-cores 1 --flow-limit N
#   dpdk-switch-ctl --ctl SOCK add-flows FILE      (timed: install rate)
#   dpdk-switch-ctl --ctl SOCK show -s             (ovs-dpctl format: port
#                                                   2's "TX packets:N")
#   dpdk-switch-ctl --ctl SOCK pmd-stats-show      (OVS pmd-stats-show format:
#                                                   "processing cycles: N",
#                                                   "packets received: N")
# Ports: ethdev id + 1, so net_pcap0 is 1 and net_null0 is 2, which is what
# the generated flow files say. Unlike OVS, the traffic port exists from the
# start: packets miss (and are counted as lost upcalls, nobody listens) until
# the flows are in; the warm-up starts after that.
# TODO(dpdk-switch): the daemon must size its mbuf pool for the pcap (it
# holds PACKETS mbufs for the whole run); revalidator round time once the
# client exposes it.
# ---------------------------------------------------------------------------
run_dpdk_switch() {
	local pcap=$1 flows=$2 packets=$3 n_flows=$4 dip=${5:-}
	local box pid="" sock limit t0 secs c0 c1 ns0 ns1 tid s0 s1 rss0 rss1 anon0 anon1 prefix
	box=$(mktemp -d /tmp/dsbench-ds.XXXXXX)
	prefix=dsb-ds-${box##*.}
	sock=$box/ctl.sock
	limit=$((n_flows * 2 > 200000 ? n_flows * 2 : 200000))
	(
		trap 'stop_pid "$pid" dpdk-switch; rm -rf "$box" "/var/run/dpdk/$prefix" /dev/hugepages/${prefix}map_*' EXIT
		trap 'exit 130' INT TERM
		need_hugepages 256
		setsid "$DS_BIN" -l 0-1 --no-pci --file-prefix "$prefix" --huge-unlink --socket-mem 512 \
			--vdev "net_pcap0,rx_pcap=$pcap,infinite_rx=1" --vdev net_null0,no-rx=1 \
			-- --ctl "$sock" --pmd-cores 1 --flow-limit "$limit" \
			--mbufs $((packets + 32768)) > "$box/out" 2>&1 &
		pid=$!
		ctl() { "$DS_CTL" --ctl "$sock" "$@"; }
		wait_for 60 test -S "$sock" || { tail -20 "$box/out" >&2; die "dpdk-switch did not start"; }
		prioritize "$pid"
		rss0=$(rss_kb "$pid" VmRSS); anon0=$(rss_kb "$pid" RssAnon)
		t0=$(now)
		ctl add-flows "$flows" > "$box/add.out" 2>&1 ||
			{ tail -5 "$box/add.out" >&2; die "dpdk-switch-ctl add-flows failed"; }
		secs=$(since "$t0")
		rss1=$(rss_kb "$pid" VmRSS); anon1=$(rss_kb "$pid" RssAnon)
		json system=dpdk-switch metric=install flows="$n_flows" seconds="$secs" \
			flows_per_s="$(awk -v n="$n_flows" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')"
		json system=dpdk-switch metric=memory flows="$n_flows" \
			rss_kb_before="$rss0" rss_kb_after="$rss1" anon_kb_before="$anon0" \
			anon_kb_after="$anon1" \
			bytes_per_flow="$(awk -v a="$anon0" -v b="$anon1" -v n="$n_flows" 'BEGIN { printf "%.0f", (b - a) * 1024 / n }')"
		tx() { ctl show -s | port_counter 2 TX; }
		# The first number after "LABEL:" in pmd-stats-show text.
		pmd_field() { awk -v l="$1:" 'i = index($0, l) { split(substr($0, i + length(l)), a, " "); print a[1]; exit }'; }
		sleep "$warmup"
		tid=$(pmd_tid "$pid")
		load0=$(load_now)
		s0=$(ctl pmd-stats-show); c0=$(tx); t0=$(now); ns0=$(thread_ns "$pid" "$tid")
		sleep "$window"
		c1=$(tx); secs=$(since "$t0"); ns1=$(thread_ns "$pid" "$tid"); s1=$(ctl pmd-stats-show)
		cyc0=$(pmd_field "processing cycles" <<<"$s0"); cyc1=$(pmd_field "processing cycles" <<<"$s1")
		pk0=$(pmd_field "packets received" <<<"$s0"); pk1=$(pmd_field "packets received" <<<"$s1")
		if [ -n "$cyc0" ] && [ -n "$pk1" ] && [ "$pk1" != "$pk0" ]; then
			cpp=$(awk -v a="$cyc0" -v b="$cyc1" -v p="$pk0" -v q="$pk1" 'BEGIN { printf "%.2f", (b - a) / (q - p) }')
		else
			cpp=$(pmd_cycles_per_packet <<<"$s1")
		fi
		json system=dpdk-switch metric=forward mpps="$(mrate $((c1 - c0)) "$secs")" \
			cycles_per_pkt="${cpp:-0}" window_s="$secs" \
			pmd_cpu_share="$(cpu_share "$ns0" "$ns1" "$secs")" \
			load_start="$load0" load_end="$(load_now)"
		if [ -n "$dip" ]; then
			sed "s/^in_port([0-9]*),/in_port(2),/" "$dip" > "$box/dip.flows"
			# shellcheck disable=SC2046 # word splitting of KEY=VALUE pairs wanted
			json system=dpdk-switch metric=dip $(measure_dip "$prefix" net_null0 \
				"$pid" "$tid" "$box/dip.flows" -- ctl add-flows "$box/dip.flows")
		fi
		ctl show -s > "$box/show.txt" 2>&1 || true
	)
}

# ---------------------------------------------------------------------------

want_ovs=0 want_ds=0
if has_system ovs; then
	if [ -x "$OVS_VSWITCHD" ]; then want_ovs=1
	else log "OVS: $OVS_VSWITCHD not installed (tools/deps.sh --bench): skipping OVS"; fi
fi
if has_system dpdk-switch; then
	if [ -x "$DS_BIN" ] && [ -x "$DS_CTL" ]; then want_ds=1
	else log "dpdk-switch: $DS_BIN or $DS_CTL not built (meson setup build/release --buildtype=release -Dnative=true && ninja -C build/release): skipping dpdk-switch"; fi
fi

# Resolve profile names and prepare their data (and profile c's flows, the
# bulk install used for the forwarding dip, run with profile b).
names=""
for p in ${profiles//,/ }; do
	info=$(profile_info "$p")
	[ -n "$info" ] || die "unknown profile '$p' (bench/gen_traffic.py list)"
	names="$names ${info%% *}"
done
dip_name=$(profile_info c | cut -d' ' -f1)
for n in $names; do prepare "$n"; done
[[ " $names " == *" b_1k "* ]] && prepare "$dip_name"

json metric=meta date="$(date -Is)" \
	cpu="$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)" cores="$(nproc)" \
	kernel="$(uname -r)" dpdk="DPDK $(dpkg-query -W -f='${Version}' dpdk 2>/dev/null)" \
	ovs="$( [ $want_ovs = 1 ] && "$OVS_VSWITCHD" --version | head -1)" \
	commit="$(git rev-parse --short HEAD 2>/dev/null)" \
	args="profiles=$profiles runs=$runs warmup=$warmup window=$window systems=$systems nice=$nice" \
	> "$results"
log "results: $results"

for run in $(seq "$runs"); do
	for name in $names; do
		read -r _ n_flows packets <<<"$(profile_info "$name")"
		pcap=$PWD/$DATA/$name.pcap flows=$PWD/$DATA/$name.flows dip=""
		[ "$name" = b_1k ] && dip=$PWD/$DATA/$dip_name.flows
		log "run $run/$runs, $name: $(uptime | sed 's/.*load/load/')"
		if has_system testpmd; then
			measure "$name" "$run" timeout 300 bench/run_testpmd.sh --pcap "$pcap" \
				--packets "$packets" --warmup "$warmup" --window "$window" ||
				log "testpmd failed on $name (run $run)"
		fi
		if [ $want_ovs = 1 ]; then
			measure "$name" "$run" timeout 900 bench/run_ovs.sh --pcap "$pcap" \
				--flows "$flows" --configs "$ovs_configs" --warmup "$warmup" \
				--window "$window" ${dip:+--dip-flows "$dip"} ||
				log "OVS failed on $name (run $run)"
		fi
		if [ $want_ds = 1 ]; then
			measure "$name" "$run" run_dpdk_switch "$pcap" "$flows" "$packets" \
				"$n_flows" "$dip" || log "dpdk-switch failed on $name (run $run)"
		fi
	done
done

bench/report.py "$results" --markdown "$outdir/$stamp.md" | tee "$outdir/$stamp.txt"
log "results: $results, $outdir/$stamp.txt, $outdir/$stamp.md"
