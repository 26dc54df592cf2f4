#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Install the Debian packages dpdk-switch builds, tests and runs with.
# Idempotent: installs only what is missing. Usage: tools/deps.sh [--bench]
set -eu

PKGS="build-essential pkg-config meson ninja-build clang
libdpdk-dev dpdk dpdk-dev libnuma-dev libmnl-dev libcmocka-dev libpcap-dev
python3 python3-scapy tshark tcpdump iproute2 iputils-ping netcat-openbsd iperf3 procps
openvswitch-switch"
# Open vSwitch with DPDK is only the benchmark's peer.
[ "${1:-}" = "--bench" ] && PKGS="$PKGS openvswitch-switch-dpdk"

missing=""
for p in $PKGS; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing Debian packages:$missing" >&2
	echo "deps: run as root (or: sudo apt-get install$missing)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# openvswitch-switch (ovs-dpctl, ovs-vswitchd for the tests that run them
# as their own processes) starts ovsdb-server and ovs-vswitchd from its
# postinst (invoke-rc.d, or systemd through deb-systemd-invoke). Both honour
# policy-rc.d: one that refuses every start is in place for this install
# only, unless the machine has its own.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\n# tools/deps.sh: no service starts during its install\nexit 101\n' > "$policy"
	chmod 755 "$policy"
	trap 'rm -f "$policy"' EXIT
	trap 'exit 1' INT TERM
fi
# tshark asks whether non-root users may capture; answer once, quietly.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
# Another apt-get (unattended upgrades, a parallel build) may hold the dpkg
# lock for a while: wait for it rather than fail.
apt_get() { apt-get -o DPkg::Lock::Timeout=600 "$@"; }
apt_get install -y --no-install-recommends $missing ||
	{ apt_get update && apt_get install -y --no-install-recommends $missing; }
