#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The daemon's DPDK telemetry endpoints, read with dpdk-telemetry.py (the
dpdk-dev package's client) on the daemon's --file-prefix, after known
traffic: 7 packets that hit a flow and 3 that miss (no listener: lost),
through port 1 (a pcap) to port 2 (net_null). The expected numbers come
from the packets written, and agree with `dpdk-switch-ctl show -s`.
Parameters on an endpoint that takes none, and unknown endpoints, get a
null answer and the daemon answers the next query.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import check, need_root_and_daemon, ok, run, tmpdir  # noqa: E402

need_root_and_daemon()
TELEMETRY = shutil.which("dpdk-telemetry.py")
if TELEMETRY is None:
    print("skip: dpdk-telemetry.py (package dpdk-dev) is not installed")
    sys.exit(e2e.SKIP)

HIT = [e2e.udp_packet(dport=53, payload=b"hit-%d" % i) for i in range(7)]
MISS = [e2e.udp_packet(src="10.0.0.9", dport=54, payload=b"miss%d" % i) for i in range(3)]
FLOWS = [
    "ufid:11111111-2222-3333-4444-555555555555 in_port(1),eth(),eth_type(0x0800),"
    "ipv4(src=10.0.0.1,proto=17,frag=no),udp(dst=53) 2",
    "in_port(1),eth(),eth_type(0x0806),arp() 2",
]
ENDPOINTS = ["stats", "pmd_stats", "ports", "flows", "revalidator"]


def query(prefix, *cmds):
    """Each command's reply (a dict: {cmd: value}), in order."""
    p = subprocess.run([TELEMETRY, "-f", prefix], input="".join(c + "\n" for c in cmds),
                       capture_output=True, text=True, timeout=60)
    check(p.returncode == 0, "dpdk-telemetry.py failed", p.stdout, p.stderr)
    replies = [json.loads(line) for line in p.stdout.splitlines() if line.startswith("{")]
    check(len(replies) == len(cmds), "one reply per command", cmds, p.stdout, p.stderr)
    names = [c.split(",")[0] for c in cmds]  # the reply is keyed without parameters
    for name, r in zip(names, replies):
        check(list(r) == [name], "the reply answers %s" % name, r)
    return [r[n] for n, r in zip(names, replies)]


def start():
    tmp = tmpdir()
    rx, flows = os.path.join(tmp, "in.pcap"), os.path.join(tmp, "flows.txt")
    e2e.write_pcap(rx, HIT + MISS)
    with open(flows, "w") as f:
        f.write("".join(x + "\n" for x in FLOWS))
    return e2e.Daemon(["net_pcap0,rx_pcap=" + rx, "net_null0,no-rx=1"], ["--flows", flows])


def wait_traffic(d):
    """Until the PMD counted every packet and a snapshot taken after it
    shows the ports' counters too."""
    deadline = time.monotonic() + 30
    while True:
        stats, ports = query(d.prefix, "/dpdk_switch/stats", "/dpdk_switch/ports")
        if stats and ports and stats["rx_packets"] == 10 and \
                ports["port1"]["rx_packets"] == 10 and ports["port2"]["tx_packets"] == 7:
            return
        check(time.monotonic() < deadline, "traffic counted within 30 s", stats, ports)
        time.sleep(0.2)


def show_numbers(d):
    out = ok(d.sock, "show", "-s").out
    m = re.search(r"lookups: hit:(\d+) missed:(\d+) lost:(\d+)\n  flows: (\d+)\n"
                  r"  masks: hit:(\d+) total:(\d+)", out)
    check(m is not None, "show prints the lookups", out)
    return [int(x) for x in m.groups()], out


def test_endpoints():
    d = start()
    wait_traffic(d)
    stats, pmds, ports, flows, reval = query(d.prefix, *["/dpdk_switch/" + e for e in ENDPOINTS])
    (hit, missed, lost, n_flows, mask_hit, n_masks), show = show_numbers(d)

    want = {"hits": 7, "misses": 3, "lost": 3, "flows": 2, "masks": 2, "rx_packets": 10,
            "pmds": 1, "ports": 3, "mbufs_in_use": 0}
    for k, v in want.items():
        check(stats[k] == v, "stats %s = %d" % (k, v), stats)
    check([stats["hits"], stats["misses"], stats["lost"], stats["flows"], stats["mask_hits"],
           stats["masks"]] == [hit, missed, lost, n_flows, mask_hit, n_masks],
          "stats agree with show", stats, show)
    check(0 <= stats["snapshot_age_ms"] < 5000, "a fresh snapshot", stats)

    check(list(pmds) == ["pmd0"], "one PMD", pmds)
    p0 = pmds["pmd0"]
    for k in ("rx_packets", "hits", "misses", "lost", "mask_hits", "cache_hits"):
        check(p0[k] == stats[k], "pmd0 %s = the total" % k, p0, stats)
    check(p0["lcore"] == 1 and p0["iterations"] > 0, "pmd0 on lcore 1, running", p0)

    check(sorted(ports) == ["port0", "port1", "port2", "snapshot_age_ms"], "three ports", ports)
    p1, p2 = ports["port1"], ports["port2"]
    check(p1["name"] == "net_pcap0" and p1["driver"] == "net_pcap", "port 1 is the pcap", p1)
    check(p2["name"] == "net_null0" and p2["driver"] == "net_null", "port 2 is null", p2)
    check(p1["rx_packets"] == 10 and p1["rx_bytes"] == sum(map(len, HIT + MISS)),
          "port 1 received every packet, every byte", p1)
    check(p2["tx_packets"] == 7 and p2["tx_dropped"] == 0, "port 2 sent the hits", p2)
    check(ports["port0"]["driver"] == "internal", "port 0 is the local port", ports["port0"])
    check(re.search(r"port 1: net_pcap0\n    RX packets:10 ", show) is not None,
          "show -s agrees on port 1", show)

    check(flows["flows"] == 2 and flows["masks"] == 2 and flows["masks_shown"] == 2,
          "flow and mask counts", flows)
    masks = [flows["mask0"], flows["mask1"]]
    udp = [m for m in masks if "udp(dst=53)" in m["match"]]
    arp = [m for m in masks if "eth_type(0x0806)" in m["match"]]
    check(len(udp) == 1 and len(arp) == 1, "each mask shown by its match", masks)
    check(udp[0]["flows"] == 1 and arp[0]["flows"] == 1, "one flow a mask", masks)
    # The classifier's hits per mask; the exact-match cache's are not in them.
    check(udp[0]["hits"] == 7 - stats["cache_hits"] and arp[0]["hits"] == 0,
          "the UDP mask took the hits", masks, stats)

    check(reval["state"] == "normal" and reval["flows"] == 2, "revalidator state", reval)
    # Defaults: no expiry, a fixed limit (flows live until deleted).
    check(reval["flow_limit_ceiling"] == 200000 and reval["flow_limit"] == 200000 and
          reval["max_idle_ms"] == 0, "the default limits", reval)
    check(re.search(r"flow limit: %d \(ceiling 200000\)" % reval["flow_limit"], show),
          "the flow limit agrees with show", reval, show)


def test_bad_queries():
    d = start()
    got = query(d.prefix, "/dpdk_switch/stats,1", "/dpdk_switch/flows,x,y",
                "/dpdk_switch/nosuch", "/dpdk_switch/revalidator")
    check(got[0] is None and got[1] is None, "parameters are refused (null)", got)
    check(got[2] is None, "an unknown endpoint is null", got)
    check(got[3]["state"] == "normal", "the daemon still answers", got)
    check(d.proc.poll() is None, "the daemon still runs", d.log_text())
    ok(d.sock, "show")


if __name__ == "__main__":
    run([test_endpoints, test_bad_queries])
