#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The ceiling: the benchmark pcap through dpdk-testpmd in io forwarding mode
# (no parsing, no classification), on the same vdevs and cores as the
# switches: net_pcap0 (infinite replay) -> lcore 1 -> net_null0.
#
# Usage: bench/run_testpmd.sh --pcap FILE [--packets N] [--warmup S]
#          [--window S] [--label TEXT]
# Prints one JSON line: {"system": "testpmd", "mpps": ..., "cycles_per_pkt": ...}
#
# testpmd runs interactively with its stdin on a fifo, so we decide when the
# window starts and ends. Mpps is the "Tx-pps" testpmd prints for the null
# port on the second "show port stats" (it is computed from the packet
# counters and clock_gettime() between the two calls, so our own command
# latency does not enter it). Cycles per packet come from
# --record-core-cycles: "show fwd stats all" after "clear fwd stats all"
# at the start of the window.
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

pcap="" packets=0 warmup=3 window=5 label=""
while [ $# -gt 0 ]; do
	case $1 in
	--pcap) pcap=$2; shift 2 ;;
	--packets) packets=$2; shift 2 ;;
	--warmup) warmup=$2; shift 2 ;;
	--window) window=$2; shift 2 ;;
	--label) label=$2; shift 2 ;;
	*) die "run_testpmd: unknown option $1" ;;
	esac
done
[ -r "$pcap" ] || die "run_testpmd: --pcap FILE is required and must be readable"
command -v dpdk-testpmd >/dev/null || die "dpdk-testpmd not found (Debian package dpdk)"

box=$(mktemp -d /tmp/dsbench-testpmd.XXXXXX)
pid=""
cleanup() {
	exec 3>&- 2>/dev/null || true
	stop_pid "$pid" dpdk-testpmd
	# --huge-unlink leaves no hugepage files behind; a killed EAL would.
	rm -rf "$box" "/var/run/dpdk/dsb-tp-$$" /dev/hugepages/dsb-tp-$$map_*
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# net_pcap with infinite_rx holds every packet of the file in an mbuf of the
# rx pool for the whole run: size the pool for those plus the rings. Without
# --packets, bound the count by the file size (records of 16 + >= 60 bytes).
[ "$packets" -gt 0 ] || packets=$((($(stat -c %s "$pcap") - 24) / 76 + 1))
mbufs=$((packets + 32768))
# About 2.5 kB per mbuf with testpmd's default 2176-byte data room, plus
# 64 MB for everything else, in 2 MB pages.
mem=$(((mbufs * 5 / 2 / 1024 + 64 + 1) / 2 * 2))
need_hugepages $((mem / 2))
mkfifo "$box/cmd"
setsid stdbuf -oL -eL dpdk-testpmd -l 0-1 --no-pci --file-prefix "dsb-tp-$$" --huge-unlink --socket-mem "$mem" \
	--vdev "net_pcap0,rx_pcap=$pcap,infinite_rx=1" --vdev net_null0,no-rx=1 -- \
	-i --forward-mode=io --record-core-cycles --total-num-mbufs="$mbufs" \
	< "$box/cmd" > "$box/out" 2>&1 &
pid=$!
exec 3> "$box/cmd"
wait_for 60 grep -q 'testpmd>' "$box/out" ||
	{ tail -20 "$box/out" >&2; die "testpmd did not start"; }
prioritize "$pid"

# send COMMAND PATTERN COUNT: send a command, wait until its output holds
# COUNT lines matching PATTERN, print that output.
send() {
	local start
	start=$(stat -c %s "$box/out")
	echo "$1" >&3
	wait_for 20 sh -c "tail -c +$((start + 1)) '$box/out' | grep -c -- '$2' | grep -qx '[$3-9]'" ||
		{ tail -20 "$box/out" >&2; die "testpmd: no answer to '$1'"; }
	tail -c +$((start + 1)) "$box/out"
}

send "start" "io packet forwarding" 1 >/dev/null
sleep "$warmup"
load0=$(load_now)
tid=$(pmd_tid "$pid")
echo "clear fwd stats all" >&3
send "show port stats all" "Tx-pps" 2 >/dev/null
ns0=$(thread_ns "$pid" "$tid"); t0=$(now)
sleep "$window"
stats=$(send "show port stats all" "Tx-pps" 2)
ns1=$(thread_ns "$pid" "$tid"); secs=$(since "$t0")
fwd=$(send "show fwd stats all" "CPU cycles/packet" 1)
load1=$(load_now)
echo "quit" >&3
wait_for 20 sh -c "! kill -0 $pid" || true

# Port 1 (net_null0) is where forwarded packets leave.
tx_pps=$(awk '/NIC statistics for port 1/ { p = 1 } p && /Tx-pps:/ { print $2; exit }' <<<"$stats")
cpp=$(grep -o 'CPU cycles/packet=[0-9.]*' <<<"$fwd" | tail -1 | cut -d= -f2)
rx_missed=$(awk '/NIC statistics for port 0/ { p = 1 } p && /RX-missed:/ { print $4; exit }' <<<"$stats")
[ -n "$tx_pps" ] || { echo "$stats" >&2; die "testpmd: no Tx-pps for port 1"; }
json system=testpmd config=io label="$label" \
	mpps="$(awk -v p="$tx_pps" 'BEGIN { printf "%.3f", p / 1e6 }')" \
	cycles_per_pkt="${cpp:-0}" window_s="$secs" rx_missed="${rx_missed:-0}" \
	pmd_cpu_share="$(cpu_share "$ns0" "$ns1" "$secs")" \
	load_start="$load0" load_end="$load1"
