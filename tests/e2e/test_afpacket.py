#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""An af_packet port on a veth pair whose other end is in a network
namespace, as a container attaches without DPDK:

  pcap in -> switch -> net_af_packet (host end) -> veth -> namespace
  namespace -> veth -> net_af_packet -> switch -> pcap out

byte for byte both ways (tcpdump captures in the namespace; a raw socket
there sends). IPv6 is off on both ends so the kernel adds no frames of its
own. The namespace, the veth pair and the daemon go, whatever happens.
test_afxdp.py runs the same with net_af_xdp (main(DRIVER)).
"""
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e import (Daemon, Failure, check, need_root_and_daemon, read_pcap, run,  # noqa: E402
                 tmpdir, udp_packet, write_pcap)

need_root_and_daemon()
TAG = str(os.getpid())
NS, HOST, CTR = "dpswafp" + TAG, "afh" + TAG, "afc" + TAG
TMP = tmpdir()
OUT = os.path.join(TMP, "out.pcap")


def sh(*cmd, check_rc=True):
    r = subprocess.run(list(cmd), capture_output=True, text=True, timeout=60)
    if check_rc and r.returncode != 0:
        raise Failure("%s: %s" % (" ".join(cmd), r.stderr))
    return r


def setup():
    sh("ip", "netns", "add", NS)
    sh("ip", "link", "add", HOST, "type", "veth", "peer", "name", CTR)
    sh("sysctl", "-qw", "net.ipv6.conf.%s.disable_ipv6=1" % HOST)
    sh("ip", "link", "set", CTR, "netns", NS)
    sh("ip", "netns", "exec", NS, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1")
    sh("ip", "netns", "exec", NS, "sysctl", "-qw", "net.ipv6.conf.%s.disable_ipv6=1" % CTR)
    sh("ip", "-n", NS, "link", "set", CTR, "up")
    sh("ip", "link", "set", HOST, "up")


def cleanup():
    sh("ip", "link", "del", HOST, check_rc=False)
    sh("ip", "netns", "del", NS, check_rc=False)


def frames(tag, n=10):
    return [udp_packet(sport=2000 + tag, dport=i, payload=bytes([tag, i]) * 9) for i in range(n)]


def tx_packets(d, name):
    doc = json.loads(d.ctl("show", "--json").stdout)
    for p in doc["ports"]:
        if p["name"] == name:
            return p["stats"]["tx_packets"]
    raise Failure("no port " + name)


def wait_for(cond, what, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.2)
    raise Failure("timed out waiting for " + what)


D = None


VDEV = "net_af_packet0"


def start_daemon():
    """The daemon with the pcap port (1) and VDEV on the host end (2)."""
    d = Daemon(["net_pcap0,tx_pcap=" + OUT, "%s,iface=%s" % (VDEV, HOST)])
    if "port 2 skipped" in d.read_log():
        reason = d.read_log().split("port 2 skipped: ")[1].splitlines()[0]
        d.stop()
        print("SKIP: %s cannot open %s here: %s" % (VDEV, HOST, reason))
        cleanup()
        sys.exit(77)
    return d


def test_both_ways():
    global D
    setup()
    D = start_daemon()
    D.ctl("add-flow", "in_port(2),eth()", "1")
    D.ctl("add-flow", "in_port(3),eth()", "2")
    # Into the namespace: tcpdump there, then a pcap port replays.
    cap = os.path.join(TMP, "ns.pcap")
    dump = subprocess.Popen(["ip", "netns", "exec", NS, "tcpdump", "-n", "-U", "-i", CTR, "-w",
                             cap], stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: "listening on" in (dump.stderr.readline() or ""), "tcpdump")
        into = frames(1)
        src = os.path.join(TMP, "in.pcap")
        write_pcap(src, into)
        D.ctl("add-if", "net_pcap1,rx_pcap=" + src)
        wait_for(lambda: tx_packets(D, VDEV) >= len(into), "sends to the veth")
        wait_for(lambda: os.path.exists(cap) and len(read_pcap(cap)) >= len(into),
                 "the namespace to see them")
    finally:
        dump.send_signal(signal.SIGINT)
        dump.wait(20)
    got = read_pcap(cap)
    check(got == into, "into the namespace byte for byte", [len(x) for x in got])
    # Out of the namespace: a raw socket sends, the pcap port writes.
    out = frames(2)
    code = ("import socket,sys\n"
            "s=socket.socket(socket.AF_PACKET,socket.SOCK_RAW)\n"
            "s.bind((sys.argv[1],0))\n"
            "[s.send(bytes.fromhex(h)) for h in sys.argv[2:]]\n")
    sh("ip", "netns", "exec", NS, "/usr/bin/python3", "-c", code, CTR, *[f.hex() for f in out])
    wait_for(lambda: tx_packets(D, "net_pcap0") >= len(out), "the pcap port to write them")
    # Removed at run time (for AF_XDP its pool goes once its mbufs are
    # back) and, for af_packet, added again. DPDK 22.11's net_af_xdp
    # leaves its XDP socket open when it closes (with Debian's libxdp
    # 1.3), so the interface's queue stays bound and a new AF_XDP port on
    # it fails with EBUSY until the daemon restarts (docs/QUICKSTART.md).
    D.ctl("del-if", VDEV)
    check(VDEV not in D.ctl("show").stdout, "the port is gone", D.ctl("show").stdout)
    if VDEV.startswith("net_af_packet"):
        D.ctl("add-if", "%s,iface=%s" % (VDEV, HOST))
        check(VDEV in D.ctl("show").stdout, "the port is back", D.ctl("show").stdout)
    rc = D.stop()
    check(rc == 0 and "mbufs in use: 0" in D.output, "clean stop, no mbuf left",
          D.output[-1500:])
    got = read_pcap(OUT)
    check(got == out, "out of the namespace byte for byte", [len(x) for x in got])


def main(vdev="net_af_packet0"):
    global VDEV
    VDEV = vdev
    try:
        run([test_both_ways])
    finally:
        if D is not None:
            D.stop()
        cleanup()


if __name__ == "__main__":
    main()
