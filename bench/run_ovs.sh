#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The peer: the benchmark pcap through Open vSwitch with DPDK (Debian's
# openvswitch-switch-dpdk, ovs-vswitchd-dpdk), its datapath programmed
# directly with the generated megaflows (ovs-appctl dpctl/add-flows), one
# PMD on lcore 1, main thread on lcore 0.
#
# Usage: bench/run_ovs.sh --pcap FILE --flows FILE [--configs LIST]
#          [--warmup S] [--window S] [--dip-flows FILE] [--label TEXT]
#   --flows: the generator's flow file (in_port 1, output 2); rewritten here
#            for the port numbers OVS assigns.
#   --configs: comma list of default, smc (other_config:smc-enable=true),
#            noemc (other_config:emc-insert-inv-prob=0); default all three,
#            measured one after the other on the same running switch.
#   --dip-flows: after the configs, bulk-install this flow file (moved to
#            in_port = the null port, so no packet matches it) while traffic
#            runs, and report the forwarding rate during the install.
# Prints JSON lines: "install" (flows/s), "memory" (RSS, bytes per flow),
# one "forward" per config (Mpps, cycles/packet, cache hit counts), "dip".
#
# Everything runs in a sandbox under /tmp (own database, sockets, logs), in
# its own network namespace (the netdev datapath creates tap devices named
# ovs-netdev and br0, which would collide with any other OVS on the host).
# The system's OVS service and database are never touched. On any exit the
# daemons we started are stopped by PID and the sandbox removed.
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

pcap="" flows="" configs="default,smc,noemc" warmup=3 window=5 dip_flows="" label=""
while [ $# -gt 0 ]; do
	case $1 in
	--pcap) pcap=$2; shift 2 ;;
	--flows) flows=$2; shift 2 ;;
	--configs) configs=$2; shift 2 ;;
	--warmup) warmup=$2; shift 2 ;;
	--window) window=$2; shift 2 ;;
	--dip-flows) dip_flows=$2; shift 2 ;;
	--label) label=$2; shift 2 ;;
	*) die "run_ovs: unknown option $1" ;;
	esac
done
if [ ! -r "$pcap" ] || [ ! -r "$flows" ]; then
	die "run_ovs: --pcap and --flows are required and must be readable"
fi
VSWITCHD=/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk
[ -x "$VSWITCHD" ] || die "run_ovs: $VSWITCHD not installed (apt-get install openvswitch-switch-dpdk)"

box=$(mktemp -d /tmp/dsbench-ovs.XXXXXX)
export OVS_RUNDIR=$box OVS_DBDIR=$box OVS_LOGDIR=$box OVS_SYSCONFDIR=$box
DB=unix:$box/db.sock
db_pid="" sw_pid=""
cleanup() {
	stop_pid "$sw_pid" ovs-vswitchd-dpdk
	stop_pid "$db_pid" ovsdb-server
	if [ -n "${KEEP_LOGS:-}" ]; then
		cp "$box"/*.log "$KEEP_LOGS"/ 2>/dev/null || true
	fi
	# EAL keeps a runtime directory per file prefix even with --in-memory.
	rm -rf "$box" "/var/run/dpdk/dsb-ovs-$$"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

vsctl() { ovs-vsctl --db="$DB" --timeout=60 "$@"; }
appctl() { ovs-appctl -t "$box/ovs-vswitchd.ctl" --timeout=600 "$@"; }

# 1. Database and daemons.
ovsdb-tool create "$box/conf.db" /usr/share/openvswitch/vswitch.ovsschema
ovsdb-server "$box/conf.db" --remote="punix:$box/db.sock" \
	--pidfile="$box/ovsdb-server.pid" --unixctl="$box/ovsdb-server.ctl" \
	--log-file="$box/ovsdb-server.log" --detach --no-chdir -vconsole:off 2> "$box/start.err" ||
	{ cat "$box/start.err" >&2; die "run_ovs: ovsdb-server did not start"; }
db_pid=$(cat "$box/ovsdb-server.pid")
vsctl --no-wait init
vsctl --no-wait set Open_vSwitch . \
	other_config:dpdk-init=true other_config:dpdk-lcore-mask=0x1 \
	other_config:pmd-cpu-mask=0x2 other_config:dpdk-socket-mem=512 \
	"other_config:dpdk-extra=--no-pci --file-prefix=dsb-ovs-$$"
need_hugepages 256
unshare --net "$VSWITCHD" "$DB" --pidfile="$box/ovs-vswitchd.pid" \
	--unixctl="$box/ovs-vswitchd.ctl" --log-file="$box/ovs-vswitchd.log" \
	--detach --no-chdir -vconsole:off 2> "$box/start.err" ||
	{ cat "$box/start.err" >&2; die "run_ovs: ovs-vswitchd-dpdk did not start"; }
sw_pid=$(cat "$box/ovs-vswitchd.pid")
prioritize "$sw_pid"
wait_for 60 grep -q 'DPDK Enabled - initialized' "$box/ovs-vswitchd.log" ||
	die "ovs-vswitchd-dpdk: DPDK did not initialise (see $box/ovs-vswitchd.log)"

# 2. Bridge and the output port (net_null0, rx disabled so it sends nothing).
vsctl add-br br0 -- set bridge br0 datapath_type=netdev
vsctl add-port br0 pnull -- set Interface pnull type=dpdk \
	options:dpdk-devargs=net_null0,no-rx=1
show=$(appctl dpctl/show netdev@ovs-netdev)
null_port=$(awk '$1 == "port" && $3 == "pnull" { sub(":", "", $2); print $2 }' <<<"$show")
# The traffic port will get the lowest free datapath port number.
in_port=$(awk '$1 == "port" { sub(":", "", $2); used[$2] = 1 }
	END { for (i = 1; used[i]; i++); print i }' <<<"$show")
[ -n "$null_port" ] || { echo "$show" >&2; die "run_ovs: pnull has no datapath port"; }

# 3. Flows in before the traffic port exists (an upcall megaflow from the
# first packets would shadow them), revalidators paused first so they do not
# delete flows that no OpenFlow rule explains. Pause exactly once: a second
# pause waits for a resume that never comes.
appctl revalidator/pause
sed "s/^in_port(1),/in_port($in_port),/; s/ 2\$/ $null_port/" "$flows" > "$box/flows"
n_flows=$(wc -l < "$box/flows")
rss0=$(rss_kb "$sw_pid" VmRSS); anon0=$(rss_kb "$sw_pid" RssAnon)
t0=$(now)
appctl dpctl/add-flows netdev@ovs-netdev "$box/flows" > "$box/add.out" 2>&1 ||
	{ tail -5 "$box/add.out" >&2; die "run_ovs: dpctl/add-flows failed"; }
secs=$(since "$t0")
installed=$(appctl dpctl/show netdev@ovs-netdev | awk '/flows:/ { print $2; exit }')
rss1=$(rss_kb "$sw_pid" VmRSS); anon1=$(rss_kb "$sw_pid" RssAnon)
json system=ovs metric=install label="$label" flows="$n_flows" \
	dp_flows="$installed" seconds="$secs" \
	flows_per_s="$(awk -v n="$n_flows" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')"
json system=ovs metric=memory label="$label" flows="$n_flows" \
	rss_kb_before="$rss0" rss_kb_after="$rss1" anon_kb_before="$anon0" \
	anon_kb_after="$anon1" \
	bytes_per_flow="$(awk -v a="$anon0" -v b="$anon1" -v n="$n_flows" 'BEGIN { printf "%.0f", (b - a) * 1024 / n }')"

# 4. The traffic port: packets start flowing as soon as it is added.
vsctl add-port br0 ppcap -- set Interface ppcap type=dpdk \
	"options:dpdk-devargs=net_pcap0,rx_pcap=$pcap,infinite_rx=1"
got=$(appctl dpctl/show netdev@ovs-netdev | awk '$1 == "port" && $3 == "ppcap" { sub(":", "", $2); print $2 }')
[ "$got" = "$in_port" ] || die "run_ovs: traffic port got datapath port $got, flows say $in_port"

tx_count() { appctl dpctl/show -s netdev@ovs-netdev | port_counter "$null_port" TX; }

set_config() {
	case $1 in
	default) vsctl set Open_vSwitch . other_config:smc-enable=false other_config:emc-insert-inv-prob=100 ;;
	smc) vsctl set Open_vSwitch . other_config:smc-enable=true other_config:emc-insert-inv-prob=100 ;;
	noemc) vsctl set Open_vSwitch . other_config:smc-enable=false other_config:emc-insert-inv-prob=0 ;;
	*) die "run_ovs: unknown config '$1' (default, smc, noemc)" ;;
	esac
}

# pmd_stat TEXT LABEL: a counter of the PMD thread section.
pmd_stat() { awk -v l="$2:" 'index($0, l) { print $NF; exit }' <<<"$1"; }

# 5. Forwarding, per configuration: warm up, then a fixed window between two
# reads of the null port's tx counter; the PMD's own counters (cleared at the
# window's start) give cycles per packet and where packets were classified.
pmd=$(pmd_tid "$sw_pid")
for cfg in ${configs//,/ }; do
	set_config "$cfg"
	sleep "$warmup"
	load0=$(load_now)
	appctl dpif-netdev/pmd-stats-clear >/dev/null
	c0=$(tx_count); t0=$(now); ns0=$(thread_ns "$sw_pid" "$pmd")
	sleep "$window"
	c1=$(tx_count); secs=$(since "$t0"); ns1=$(thread_ns "$sw_pid" "$pmd")
	stats=$(appctl dpif-netdev/pmd-stats-show)
	st=$(sed -n '/^pmd thread/,/^main thread/p' <<<"$stats")
	mpps=$(mrate $((c1 - c0)) "$secs")
	json system=ovs config="$cfg" metric=forward label="$label" mpps="$mpps" \
		cycles_per_pkt="$(pmd_cycles_per_packet <<<"$st")" window_s="$secs" \
		pmd_cpu_share="$(cpu_share "$ns0" "$ns1" "$secs")" \
		packets="$(pmd_stat "$st" "packets received")" \
		emc_hits="$(pmd_stat "$st" "emc hits")" smc_hits="$(pmd_stat "$st" "smc hits")" \
		megaflow_hits="$(pmd_stat "$st" "megaflow hits")" \
		subtable_lookups_per_hit="$(pmd_stat "$st" "avg. subtable lookups per megaflow hit")" \
		misses="$(( $(pmd_stat "$st" "miss with success upcall") + $(pmd_stat "$st" "miss with failed upcall") ))" \
		load_start="$load0" load_end="$(load_now)"
done

# 6. Forwarding during a bulk install (default config): sample the tx counter
# while dpctl/add-flows puts in flows that no packet matches.
if [ -n "$dip_flows" ]; then
	set_config default
	sleep "$warmup"
	sed "s/^in_port([0-9]*),/in_port($null_port),/; s/ [0-9]*\$/ $null_port/" \
		"$dip_flows" > "$box/dip.flows"
	# shellcheck disable=SC2046 # word splitting of KEY=VALUE pairs wanted
	json system=ovs metric=dip label="$label" $(measure_dip "dsb-ovs-$$" net_null0 \
		"$sw_pid" "$pmd" "$box/dip.flows" -- appctl dpctl/add-flows netdev@ovs-netdev "$box/dip.flows")
fi
