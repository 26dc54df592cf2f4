#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Guest-to-guest TCP throughput through vhost-user ports, TSO kept
against segmented in the switch, no VM.

Guest 1 (dpdk-testpmd, csum engine) replays 60 KB TCP frames from a pcap
for ever (net_pcap infinite_rx, one 62 KB mbuf each) and hands each to virtio as one GSO
segment (tso set 1448, csum set tcp hw) into vhost port A (tso=1). One
flow sends A to vhost port B, whose guest (testpmd rxonly) negotiated
GSO: with B's offloads on, each frame crosses as one packet; with
offload=0 on B the switch cuts it into 42 segments (librte_gso) and
computes their checksums. The figure is TCP payload bytes per second
delivered to B (vhost port B's tx bytes less headers), and the switch's
own cost: PMD busy cycles per 60 KB segment received (vhost copies in and
out included) and the rate one PMD core could carry at that cost; medians
of the runs, both cases alternated in the same session. On a small
machine the guests, not the switch, limit the first figure.

  DPDK_SWITCH=build/release/src/dpdk-switch \\
  DPDK_SWITCH_CTL=build/release/src/client/dpdk-switch-ctl \\
      bench/vhost_tso.py [--runs 3] [--seconds 5]

Needs root, dpdk-testpmd and free hugepages. Placement: the daemon's PMD
on lcore 1, both guests' forwarding cores on lcore 0.
"""
import argparse
import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
import dpsw  # noqa: E402
from e2e import tmpdir, write_pcap  # noqa: E402
from test_vhost_tso import MSS, PAYLOAD, Testpmd, tcp_frame, wait_for  # noqa: E402

HDR = 14 + 20 + 20


def bytes_to_b(d):
    for p in json.loads(d.ctl("show", "--json").stdout)["ports"]:
        if p["name"] == "net_vhost1":
            return p["stats"]["tx_bytes"], p["stats"]["tx_packets"]
    raise RuntimeError("no port net_vhost1")


def pmd_totals(d):
    """(busy cycles, all cycles, packets received) over the PMDs."""
    doc = json.loads(d.ctl("pmd-stats-show", "--json").stdout)
    busy = total = rx = 0
    for p in doc["pmds"]:
        st = p["stats"]
        busy += st["busy_cycles"]
        total += st["busy_cycles"] + st["idle_cycles"]
        rx += st["rx_packets"]
    return busy, total, rx


def run(offload, seconds):
    tmp = tmpdir()
    sock_a, sock_b = os.path.join(tmp, "a.sock"), os.path.join(tmp, "b.sock")
    big = os.path.join(tmp, "big.pcap")
    write_pcap(big, [tcp_frame(i) for i in range(8)])
    opts = ["--mbufs", "32767"] + ([] if offload else ["--port-opts", "net_vhost1:offload=0"])
    d = dpsw.Daemon(["net_vhost0,iface=%s,tso=1" % sock_a, "net_vhost1,iface=%s" % sock_b],
                    opts, huge=False, tmpdir=tmp)
    g2 = Testpmd(tmp, "b", ["net_virtio_user1,path=%s,queues=1" % sock_b], "rxonly",
                 ["--port-topology=loop"],
                 ["port stop all"] +
                 ["port config 0 rx_offload %s on" % o
                  for o in ("tcp_lro", "tcp_cksum", "udp_cksum", "scatter")] +
                 ["port start all", "start"])
    g1 = Testpmd(tmp, "a", ["net_pcap2,rx_pcap=%s,infinite_rx=1" % big,
                            "net_virtio_user2,path=%s,queues=1" % sock_a],
                 "csum", ["--no-flush-rx", "--mbuf-size=62000", "--total-num-mbufs=2048"],
                 ["port stop all", "port config 1 tx_offload multi_segs on",
                  "csum set tcp hw 1", "tso set %d 1" % MSS, "port start all", "start"])
    # infinite_rx wants each frame in one mbuf.
    g1.args[g1.args.index("-m") + 1] = "512"
    for g in (g1, g2):
        at = g.args.index("--")
        g.args[at:at] = ["--main-lcore", "1"]
    try:
        d.start()
        d.ctl("add-flow", "in_port(1),eth()", "2")  # net_vhost0 -> net_vhost1
        wait_for(lambda: os.path.exists(sock_b), "the daemon's sockets")
        g2.start()
        wait_for(g2.forwarding_any, "guest 2", g2.text)
        g1.start()
        wait_for(lambda: bytes_to_b(d)[0] > 0, "traffic to guest 2",
                 lambda: g1.text() + d.read_log()[-2000:])
        time.sleep(1)
        d.ctl("pmd-stats-clear")
        b0, p0 = bytes_to_b(d)
        t0 = time.monotonic()
        time.sleep(seconds)
        b1, p1 = bytes_to_b(d)
        dt = time.monotonic() - t0
        busy, total, rx = pmd_totals(d)
        payload = (b1 - b0) - HDR * (p1 - p0)
        # The switch's own cost of one 60 KB segment (vhost copies in and
        # out included), and the rate one PMD core could carry at that cost.
        per_seg = busy / rx if rx else 0
        ceiling = total / dt / per_seg * PAYLOAD * 8 / 1e9 if per_seg else 0
        return payload * 8 / dt / 1e9, (p1 - p0) / dt, per_seg, ceiling
    finally:
        g1.stop()
        g2.stop()
        d.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=5)
    a = ap.parse_args()
    if os.geteuid() != 0 or not dpsw.use_hugepages():
        print("needs root and free hugepages")
        return 77
    res = {True: [], False: []}
    for i in range(a.runs):
        for offload in (True, False):
            r = run(offload, a.seconds)
            res[offload].append(r)
            print("run %d %-10s %6.2f Gbit/s TCP payload, %9.0f packets/s to guest 2, "
                  "%8.0f switch cycles per 60 KB segment (one core: %.1f Gbit/s)" %
                  ((i + 1, "tso_kept" if offload else "segmented") + r), flush=True)
    for k, what in ((0, "Gbit/s delivered"), (2, "cycles per segment"),
                    (3, "Gbit/s one PMD core could carry")):
        kept = statistics.median(x[k] for x in res[True])
        seg = statistics.median(x[k] for x in res[False])
        print("median %s: tso kept %.2f, segmented %.2f, kept/segmented %.2f" %
              (what, kept, seg, kept / seg if seg else 0))
    print("(%d runs, %d KB segments, MSS %d)" % (a.runs, PAYLOAD // 1000, MSS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
