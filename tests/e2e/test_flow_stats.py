# SPDX-License-Identifier: BSD-3-Clause
"""A flow's statistics after real traffic: packets, bytes and the OR of the
TCP flags its packets carried, whether a burst holds one flow only (the
PMD's one-flow path) or several flows interleaved (the grouping path).
Expected numbers come from the packets scapy built, not from the datapath.
"""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dpsw  # noqa: E402
import pcapcase  # noqa: E402
from e2e import check, need_root_and_daemon, ok, run, tmpdir  # noqa: E402

from scapy.all import IP, TCP, Ether, Raw  # noqa: E402

need_root_and_daemon()

ETH = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
# The letters ovs-dpctl prints for TCP flags, in its order (OVS's
# packet_format_tcp_flags()).
FLAG_LETTERS = [(0x02, "S"), (0x01, "F"), (0x08, "P"), (0x04, "R"), (0x20, "U"),
                (0x10, "."), (0x40, "E"), (0x80, "C")]


def tcp_packets(src, flags_list):
    return [ETH / IP(src=src, dst="10.9.9.9") / TCP(sport=1000, dport=80, flags=f) /
            Raw(b"x" * (7 * i)) for i, f in enumerate(flags_list)]


def flow_line(src):
    return "in_port(1),eth(),eth_type(0x0800),ipv4(src=%s,proto=6,frag=no),tcp()" % src


def want_stats(pkts):
    flags = 0
    for p in pkts:
        flags |= int(p[TCP].flags)
    letters = "".join(c for bit, c in FLAG_LETTERS if flags & bit)
    return len(pkts), sum(len(bytes(p)) for p in pkts), letters


def stats_of(dump, src):
    """(packets, bytes, flags letters or None) of the flow matching src."""
    for line in dump.splitlines():
        if "src=%s," % src not in line:
            continue
        m = re.search(r"packets:(\d+), bytes:(\d+), used:[^,]+(?:, flags:([^,]+))?, actions:",
                      line)
        check(m is not None, "a dump line with stats", line)
        return int(m.group(1)), int(m.group(2)), m.group(3)
    raise AssertionError("no flow for %s in:\n%s" % (src, dump))


def forward(pkts, srcs):
    """The packets through port 1 (one pcap read, so one or two bursts) to
    port 2, the flows from --flows; returns dump-flows after the traffic."""
    tmp = tmpdir()
    rx = os.path.join(tmp, "in.pcap")
    flows = os.path.join(tmp, "flows.txt")
    pcapcase.write_pcap(rx, [bytes(p) for p in pkts])
    with open(flows, "w") as f:
        for s in srcs:
            f.write(flow_line(s) + " 2\n")
    d = dpsw.Daemon(["net_pcap0,rx_pcap=" + rx, "net_null0,no-rx=1"],
                    ["--flows", flows], tmpdir=tmp)
    with d:
        deadline = time.monotonic() + 10
        while True:
            dump = ok(d.sock, "dump-flows").out
            total = sum(int(n) for n in re.findall(r"packets:(\d+)", dump))
            if total >= len(pkts) or time.monotonic() > deadline:
                return dump


def test_one_flow_burst():
    """Every packet of the burst hits one flow: stats still count each."""
    pkts = tcp_packets("10.0.0.1", ["S", "A", "PA", "FA", "A"])
    dump = forward(pkts, ["10.0.0.1"])
    got = stats_of(dump, "10.0.0.1")
    check(got == want_stats(pkts), "one-flow burst stats %s, expected %s" %
          (got, want_stats(pkts)), dump)


def test_interleaved_flows():
    """Two flows interleaved in a burst: each gets its own packets' stats."""
    a = tcp_packets("10.0.0.1", ["S", "A", "FA"])
    b = tcp_packets("10.0.0.3", ["R", "PA", "U"])
    pkts = [a[0], b[0], a[1], b[1], a[2], b[2]]
    dump = forward(pkts, ["10.0.0.1", "10.0.0.3"])
    for src, mine in (("10.0.0.1", a), ("10.0.0.3", b)):
        got = stats_of(dump, src)
        check(got == want_stats(mine), "flow %s stats %s, expected %s" %
              (src, got, want_stats(mine)), dump)


def test_repeat_runs():
    """Runs of repeated frames (the PMD marks a frame equal to the one
    before and checks only each run's first for the one-flow path): runs
    of two flows in one burst get their own stats; runs of different
    frames that one flow matches count as that flow's."""
    a = tcp_packets("10.0.0.1", ["A"])[0]
    b = tcp_packets("10.0.0.3", ["PA"])[0]
    pkts = [a, a, a, b, b, a, a]
    dump = forward(pkts, ["10.0.0.1", "10.0.0.3"])
    for src, mine in (("10.0.0.1", [a] * 5), ("10.0.0.3", [b] * 2)):
        got = stats_of(dump, src)
        check(got == want_stats(mine), "runs: flow %s stats %s, expected %s" %
              (src, got, want_stats(mine)), dump)
    one = tcp_packets("10.0.0.1", ["S", "A"])
    pkts = [one[0], one[0], one[1], one[1], one[1], one[0]]
    dump = forward(pkts, ["10.0.0.1"])
    got = stats_of(dump, "10.0.0.1")
    check(got == want_stats(pkts), "runs of one flow: stats %s, expected %s" %
          (got, want_stats(pkts)), dump)


if __name__ == "__main__":
    run([test_one_flow_burst, test_interleaved_flows, test_repeat_runs])
