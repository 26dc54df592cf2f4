# SPDX-License-Identifier: BSD-3-Clause
"""Port delete and re-add under traffic, for every port type the tests use.

tap_flood_readd: a net_tap port in a namespace that the kernel floods,
another port (net_null) loading the PMD, and ports deleted and re-added
over and over; every add-if/del-if must be answered in time and SIGTERM
must still stop the daemon at once. (The PMD configuration hand-over used
to wait in a nanosleep that the tap's queue signal kept stretching: about
one run in four hung.) DPSW_ABUSE_ROUNDS sets the rounds (default 20);
the 200-round run of docs/TESTING.md:

    DPSW_ABUSE_ROUNDS=200 DPSW_ABUSE_BOUND=900 /usr/bin/python3 tests/abuse/abuse_ports.py

readd_every_type: net_null, net_pcap, net_ring and net_tap ports, probed
at start-up, each deleted and re-added under traffic; each forwards again
afterwards and no mbuf leaks.
"""
import ctypes
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from abuse_lib import (FLOODER, ctl, dpsw, exit_clean, netns, port, rate, run,  # noqa: E402
                     show, wait_for)
from e2e import csum, ipv4, mac, udp_packet, write_pcap  # noqa: E402

ROUNDS = int(os.environ.get("DPSW_ABUSE_ROUNDS", "20"))
BOUND = int(os.environ.get("DPSW_ABUSE_BOUND", "150"))
FLOODERS = int(os.environ.get("DPSW_ABUSE_FLOODERS", "2"))
TIMER_SLACK_NS = int(os.environ.get("DPSW_ABUSE_TIMER_SLACK_NS", "2000000"))
PR_SET_TIMERSLACK, DEFAULT_SLACK_NS = 29, 50000
PEER_IP, PEER_MAC = "10.77.0.99", "02:00:5e:00:00:99"


def icmp_echo(dst_mac, dst_ip):
    """An ICMP echo request from PEER to the host."""
    icmp = bytearray(struct.pack("!BBHHH", 8, 0, 0, 1, 1) + bytes(32))
    icmp[2:4] = struct.pack("!H", csum(bytes(icmp)))
    ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 1, 0, 64, 1, 0,
                               ipv4(PEER_IP), ipv4(dst_ip)))
    ip[10:12] = struct.pack("!H", csum(bytes(ip)))
    return mac(dst_mac) + mac(PEER_MAC) + b"\x08\x00" + bytes(ip) + bytes(icmp)


FRAME = udp_packet(dst_mac="ff:ff:ff:ff:ff:ff", src_mac="02:00:5e:00:00:01")


def set_timer_slack(ns):
    """This process's timer slack, which the daemon inherits (through
    fork and exec). A sleep that a signal interrupts restarts with its
    slack added to what remains, so while signals come faster than the
    slack the sleep never ends: 50 us by default, which a fast flood beats;
    widened here so that the few thousand signals a second this shared
    machine can produce show it as well."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_TIMERSLACK, ns, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_TIMERSLACK)")


def tap_flood_readd():
    tmp = tempfile.mkdtemp(prefix="dpsw-abuse-")
    pcap = os.path.join(tmp, "echo.pcap")
    set_timer_slack(TIMER_SLACK_NS)
    try:
        with netns.Topology(1, options=["--max-idle", "3600000"]) as t:
            set_timer_slack(DEFAULT_SLACK_NS)  # the daemon has its own now
            flood_and_readd(t, pcap)
    finally:
        set_timer_slack(DEFAULT_SLACK_NS)
        shutil.rmtree(tmp, ignore_errors=True)


def flood_and_readd(t, pcap):
    h, d = t.hosts[0], t.daemon
    # The kernel floods the tap: port 2 replays ICMP echo requests to the
    # host as fast as the PMD can send them into the tap, and the host's
    # kernel answers each one (to a static neighbour, so no ARP).
    write_pcap(pcap, [icmp_echo(h.mac, h.ip4)])
    h.run("ip", "neigh", "replace", PEER_IP, "lladdr", PEER_MAC, "dev", h.iface,
          "nud", "permanent")
    ctl(d, "add-if", "net_pcap1,rx_pcap=%s,infinite_rx=1" % pcap)
    ctl(d, "add-flow", "in_port(2)", "1")
    # Port 3: rx at full speed too, and deleted and re-added below.
    ctl(d, "add-if", "net_null2")
    # And raw sockets in the namespace add their frames.
    for _ in range(FLOODERS):
        h.popen("/usr/bin/python3", "-c", FLOODER, h.iface, FRAME.hex())
    wait_for(lambda: port(d, 1)["stats"]["rx_packets"] > 1000, 30,
             "the host's replies to reach the tap port")
    t0, slowest = time.monotonic(), 0.0
    for i in range(ROUNDS):
        for args in (("del-if", "net_null2"), ("add-if", "net_null2"),
                     ("add-if", "net_null9,no-rx=1"), ("del-if", "net_null9")):
            s = time.monotonic()
            ctl(d, *args, timeout=20)
            slowest = max(slowest, time.monotonic() - s)
    took = time.monotonic() - t0
    info = show(d)
    assert port(d, 3, info) and port(d, 3, info)["name"] == "net_null2", info["ports"]
    rx = port(d, 1, info)["stats"]["rx_packets"]
    wait_for(lambda: port(d, 1)["stats"]["rx_packets"] > rx, 20, "the tap port to receive")
    print("  %d rounds (4 requests each) in %.1fs, slowest request %.2fs, tap rx %d"
          % (ROUNDS, took, slowest, rx), flush=True)
    # SIGTERM while the flood goes on: the daemon stops at once.
    s = time.monotonic()
    d.proc.terminate()
    d.proc.wait(15)
    stop_s = time.monotonic() - s
    out = t.stop_switch()
    assert d.proc.returncode == 0, out[-2000:]
    assert stop_s < 10, "SIGTERM took %.1fs" % stop_s
    assert dpsw.stats_value(out, "mbufs in use") == 0, out[-2000:]


def readd_every_type():
    tmp = tempfile.mkdtemp(prefix="dpsw-abuse-")
    pcap = os.path.join(tmp, "in.pcap")
    write_pcap(pcap, [FRAME])
    tap = "dsw%sr0" % netns.TAG
    devargs = {1: "net_null0", 2: "net_pcap1,rx_pcap=%s,infinite_rx=1" % pcap,
               3: "net_ring2", 4: "net_tap3,iface=%s" % tap}
    vdevs = [devargs[p] for p in sorted(devargs)] + ["net_null4,no-rx=1"]
    flooder = None
    try:
        with dpsw.Daemon(vdevs, ["--max-idle", "3600000"], tmpdir=tmp) as d:
            # Port 1 also feeds the ring (port 3), whose rx is its tx;
            # everything ends on port 5.
            ctl(d, "add-flow", "in_port(1)", "3,5")
            for p in (2, 3, 4):
                ctl(d, "add-flow", "in_port(%d)" % p, "5")
            subprocess.run(["ip", "link", "set", tap, "up"], check=True)
            flooder = subprocess.Popen(["/usr/bin/python3", "-c", FLOODER, tap, FRAME.hex()])
            readd_all(d, tap, devargs)
            exit_clean(d)
    finally:
        if flooder:
            flooder.kill()
            flooder.wait()
        subprocess.run(["ip", "link", "del", tap], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


def readd_all(d, tap, devargs):
    names = {p: a.split(",")[0] for p, a in devargs.items()}
    for p in devargs:
        wait_for(lambda: port(d, p)["stats"]["rx_packets"] > 100, 30, "traffic on %s" % names[p])
    for _ in range(3):
        for p in devargs:
            ctl(d, "del-if", names[p])
            assert port(d, p) is None, "port %d still there" % p
            ctl(d, "add-if", devargs[p])
            assert port(d, p)["name"] == names[p], show(d)["ports"]
            if names[p].startswith("net_tap"):  # a new interface: up again
                subprocess.run(["ip", "link", "set", tap, "up"], check=True)
    for p in devargs:
        wait_for(lambda: port(d, p)["stats"]["rx_packets"] > 100, 30,
                 "%s to receive after re-add" % names[p])
    assert rate(d, 5, "tx_packets") > 0, "nothing forwarded to port 5"


run([("tap_flood_readd", tap_flood_readd, BOUND),
           ("readd_every_type", readd_every_type, 120)])
