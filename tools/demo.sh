#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The switch's main job, end to end, on this machine:
#   two hosts (network namespaces) on two net_tap ports of dpdk-switch, a
#   fixed flow table (examples/demo-flows.txt), ping both ways over IPv4 and
#   IPv6, a 50 MB TCP transfer with its SHA-256 compared, then the port, PMD
#   and flow statistics, and everything stopped and removed.
# Installs missing Debian packages, builds build/release if needed, reserves
# hugepages when it can (else runs with --no-huge). Needs root. Safe to rerun:
# every name carries this run's PID, and an exit trap removes what it made.
# Usage: tools/demo.sh
#   DPDK_SWITCH=PATH [DPDK_SWITCH_CTL=PATH] tools/demo.sh   (no build)
#   DEMO_MB=N: size of the TCP transfer (default 50)
set -eu
cd "$(dirname "$0")/.."
TREE=$(pwd)

say() { printf '%s\n' "$*"; }
step() { printf '\n== %s\n' "$*"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

if [ "$(id -u)" != 0 ]; then
	cat >&2 <<-EOF
	demo: needs root. It creates network namespaces and tap interfaces
	(CAP_NET_ADMIN), reserves hugepages, and installs missing Debian packages.
	Run it as: sudo $0
	EOF
	exit 1
fi

# ---- names of this run, and the trap that removes them -------------------
tag=$$
tmp=$(mktemp -d /tmp/dpsw-demo.XXXXXX)
ns_a=dpsw-demo$tag-a ns_b=dpsw-demo$tag-b ns_sw=dpsw-demo$tag-sw
if_a=dswd${tag}a if_b=dswd${tag}b
prefix=dpsw-demo$tag
sock=$tmp/ctl.sock
daemon_pid= server_pid=

cleanup() {
	status=$?
	set +e
	trap - EXIT INT TERM HUP
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
	for ns in $ns_a $ns_b; do  # anything still running inside
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
	done
	if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
		kill "$daemon_pid"
		i=0
		while kill -0 "$daemon_pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
		kill -9 "$daemon_pid" 2>/dev/null
	fi
	for ns in $ns_a $ns_b $ns_sw; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$tmp" "/var/run/dpdk/$prefix"
	# EAL's hugepage files (kept for a restart with the same prefix).
	for m in $(awk '$3 == "hugetlbfs" { print $2 }' /proc/mounts); do
		rm -f "$m/$prefix"map_*
	done
	if [ $status = 0 ]; then
		printf '\ndemo: done; namespaces, interfaces and processes removed.\n'
	else
		say "demo: failed ($status); namespaces, interfaces and processes removed." >&2
	fi
	exit $status
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ---- packages, build, memory --------------------------------------------
step "Debian packages (tools/deps.sh)"
tools/deps.sh
say "ok"

if [ -n "${DPDK_SWITCH:-}" ]; then
	switch=$DPDK_SWITCH
	ctl=${DPDK_SWITCH_CTL:-}
else
	step "Release build (build/release)"
	# Warnings stay warnings here: a newer compiler's false positive at -O3
	# must not stop a user's first run (tools/test.sh keeps -Werror).
	{ [ -f build/release/build.ninja ] ||
		meson setup build/release --buildtype=release -Dtests=false &&
		ninja -C build/release; } >"$tmp/build.log" 2>&1 ||
		{ cat "$tmp/build.log" >&2; die "the build failed"; }
	switch=$TREE/build/release/src/dpdk-switch
	ctl=$TREE/build/release/src/client/dpdk-switch-ctl
	say "$switch"
fi
[ -x "$switch" ] || die "$switch: not built"
[ -n "$ctl" ] && [ ! -x "$ctl" ] && ctl=

step "Memory (tools/hugepages.sh)"
if [ "$(tools/hugepages.sh)" = huge ]; then
	mem="" # EAL takes hugepages as it needs them (about 64 MB here)
	say "hugepages: $(awk '/HugePages_Free/ {print $2}' /proc/meminfo) free 2 MB pages"
else
	mem="--no-huge -m 512"
	say "no hugepages: --no-huge (slower, and dpdk-dumpcap cannot attach)"
fi

# Two lcores: the main one (control socket) and one PMD thread. On a
# one-CPU machine both share it.
cpus=$(awk '/Cpus_allowed_list/ {print $2}' /proc/self/status | tr ',' '\n' |
	awk -F- '{ for (c = $1; c <= ($2 == "" ? $1 : $2); c++) print c }' | head -n 2 | tr '\n' ' ')
set -- $cpus
lcores="0@$1,1@${2:-$1}"

# ---- hosts and switch -----------------------------------------------------
step "Two hosts: namespaces $ns_a and $ns_b"
for ns in $ns_a $ns_b; do
	ip netns add $ns
	# No duplicate address detection: IPv6 addresses are usable at once.
	ip netns exec $ns sysctl -q -w net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	ip -n $ns link set lo up
done
# The switch runs in a namespace of its own, without IPv6: its taps come up
# there before they move into the hosts, and in a namespace with IPv6 the
# kernel sends neighbour discovery and listener reports on them meanwhile,
# which the switch forwards to a host whose link is not up yet (a drop in
# the statistics). Its control socket is a file, reachable from anywhere.
ip netns add $ns_sw
ip netns exec $ns_sw sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

# No --max-idle: the demo's table is static, its flows stay until deleted
# (as in the kernel datapath); --max-idle MS is for reactive controllers.
step "dpdk-switch on two net_tap ports, flows from examples/demo-flows.txt"
set -- "$switch" --lcores "$lcores" --no-pci --file-prefix "$prefix" $mem \
	--vdev "net_tap0,iface=$if_a" --vdev "net_tap1,iface=$if_b" \
	-- --ctl "$sock" --flows examples/demo-flows.txt
say "$*"
ip netns exec $ns_sw "$@" >"$tmp/daemon.log" 2>&1 &
daemon_pid=$!  # ip netns exec execs the switch: this is its PID
i=0
until grep -q "forwarding;" "$tmp/daemon.log"; do
	kill -0 $daemon_pid 2>/dev/null || { cat "$tmp/daemon.log" >&2; die "dpdk-switch exited"; }
	[ $i -lt 300 ] || { cat "$tmp/daemon.log" >&2; die "dpdk-switch did not start in 30 s"; }
	sleep 0.1
	i=$((i + 1))
done
grep "^dpdk-switch:" "$tmp/daemon.log"
say "daemon PID $daemon_pid"

# The tap interfaces exist once the ports started; each goes into its host.
# IPv6 starts only once both links are up: a host sends ICMPv6 (multicast
# listener reports) as IPv6 starts on its link, and the other host's tap
# refuses it while that link is still down, a drop in the statistics.
setup_host() { # ns iface mac ip4 ip6 port
	ip -n $ns_sw link set "$2" netns "$1"
	ip -n "$1" link set "$2" address "$3"
	ip netns exec "$1" sysctl -q -w "net.ipv6.conf.$2.disable_ipv6=1"
	ip -n "$1" addr add "$4/24" dev "$2"
	ip -n "$1" link set "$2" up
	say "host $1: $2 $3 $4 $5 (port $6)"
}
start_ipv6() { # ns iface ip6
	ip netns exec "$1" sysctl -q -w "net.ipv6.conf.$2.disable_ipv6=0"
	ip -n "$1" addr add "$3/64" dev "$2" nodad
}
setup_host $ns_a $if_a 02:00:5e:00:00:0a 10.99.0.1 fd99::1 1
setup_host $ns_b $if_b 02:00:5e:00:00:0b 10.99.0.2 fd99::2 2
start_ipv6 $ns_a $if_a fd99::1
start_ipv6 $ns_b $if_b fd99::2

# ---- traffic --------------------------------------------------------------
ping_check() { # ns dst
	out=$(ip netns exec "$1" ping -c 3 -i 0.2 -W 2 "$2") || { say "$out"; die "ping $2 failed"; }
	say "  $1 -> $2: $(say "$out" | grep 'packets transmitted')"
}
step "Ping both ways (ARP and IPv6 neighbour discovery on the way)"
ping_check $ns_a 10.99.0.2
ping_check $ns_b 10.99.0.1
ping_check $ns_a fd99::2
ping_check $ns_b fd99::1

mb=${DEMO_MB:-50}
step "TCP: $mb MB from $ns_a to $ns_b (nc), SHA-256 compared"
head -c "${mb}M" /dev/urandom >"$tmp/send.bin"
ip netns exec $ns_b nc -l 10.99.0.2 5201 >"$tmp/recv.bin" &
server_pid=$!
i=0
until ip netns exec $ns_b ss -ltn | grep -q ':5201 '; do
	[ $i -lt 100 ] || die "nc did not listen"
	sleep 0.05
	i=$((i + 1))
done
t0=$(date +%s.%N)
ip netns exec $ns_a nc -N 10.99.0.2 5201 <"$tmp/send.bin"
wait $server_pid
server_pid=
t1=$(date +%s.%N)
sent=$(sha256sum <"$tmp/send.bin" | cut -d' ' -f1)
got=$(sha256sum <"$tmp/recv.bin" | cut -d' ' -f1)
bytes=$(stat -c %s "$tmp/recv.bin")
awk -v b="$bytes" -v t0="$t0" -v t1="$t1" 'BEGIN {
	printf "  %d bytes in %.2f s: %.0f Mbit/s\n", b, t1 - t0, b * 8 / (t1 - t0) / 1e6 }'
say "  sha256 sent     $sent"
say "  sha256 received $got"
[ "$sent" = "$got" ] || die "the bytes differ"

# ---- statistics -----------------------------------------------------------
if [ -n "$ctl" ]; then
	step "dpdk-switch-ctl show -s"
	say "(from the daemon over its control socket: per port, the ethdev counters"
	say " of the device; for the datapath, flow table hits and misses summed over"
	say " the PMD threads)"
	"$ctl" --ctl "$sock" show -s
	step "dpdk-switch-ctl dump-flows"
	say "(per flow: packets and bytes that hit it, summed over the PMD threads;"
	say " 'used' is the time since its last hit)"
	"$ctl" --ctl "$sock" dump-flows
	step "dpdk-switch-ctl pmd-stats-show"
	say "(per PMD thread, counted as it polls: packets received, where each"
	say " lookup ended (exact-match cache, megaflow, miss), and TSC cycles busy"
	say " or idle)"
	"$ctl" --ctl "$sock" pmd-stats-show
fi

step "Stopping dpdk-switch (SIGTERM to PID $daemon_pid)"
kill $daemon_pid
wait $daemon_pid || die "dpdk-switch exited with status $?"
daemon_pid=
say "Its final statistics, printed by dpdk-switch as it stops:"
say "(lookups: packets that hit a flow, missed every flow, or were lost;"
say " flows and masks: the flow table; ports: each device's ethdev counters;"
say " pmd: each PMD thread's own counters and cycles. A tap moved into another"
say " namespace reads 'link down': DPDK asks for its state by name, in the"
say " daemon's namespace, where it no longer is)"
sed -n '/^dpdk-switch: stopping/,$p' "$tmp/daemon.log" | sed 1d
