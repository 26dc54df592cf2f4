#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Install the Debian packages dpdk-switch builds, tests and runs with.
# Idempotent: installs only what is missing.
# Usage: tools/deps.sh [--bench] [--list]
#   --bench  also what bench/ needs (Open vSwitch with DPDK, the peer)
#   --list   print the package names and exit (tools/check-programs.py
#            checks every program the scripts run against this list)
# Every external program that tools/, tests/, bench/, examples/ and debian/
# run must come from one of these packages (or one they depend on, or an
# Essential one): tools/test.sh checks it with tools/check-programs.py.
set -eu

# build-essential..libpcap-dev: building; dpdk: dpdk-hugepages.py and
# dpdk-devbind.py; dpdk-dev: dpdk-dumpcap (tap_capture) and dpdk-testpmd
# (bench); python3..procps: the tests' hosts, traffic and captures;
# openvswitch-switch: ovs-dpctl and ovs-vswitchd driving the daemon through
# the preload library (tests/e2e/test_ovs_*); debhelper..lintian: the Debian package (tools/test-package.py); mandoc:
# the man pages' lint (tests/tools/test_man.py); systemd: systemd-analyze
# verify; debootstrap: tools/fresh-debian.sh (a fresh Debian 12 to try on).
PKGS="build-essential pkg-config meson ninja-build clang
libdpdk-dev dpdk dpdk-dev libnuma-dev libmnl-dev libcmocka-dev libpcap-dev
python3 python3-scapy tshark tcpdump iproute2 iputils-ping netcat-openbsd iperf3 procps
openvswitch-switch debhelper lintian mandoc systemd debootstrap"
bench=false list=false
for a in "$@"; do
	case $a in
	--bench) bench=true ;;
	--list) list=true ;;
	*) echo "usage: tools/deps.sh [--bench] [--list]" >&2; exit 2 ;;
	esac
done
# Open vSwitch with DPDK is only the benchmark's peer; git names the
# commit in its results.
$bench && PKGS="$PKGS openvswitch-switch-dpdk git"
if $list; then
	echo $PKGS
	exit 0
fi

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
