#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""What --pmd-sleep-max costs and saves (docs/PERFORMANCE.md, "PMD sleep").

Two hosts in network namespaces on tap ports of one daemon (one PMD on
lcore 1; flows in_port(1) -> 2 and back). For each --pmd-sleep-max value
(0: the PMD polls without sleeping), in turn, on a fresh daemon:

  idle_cpu      the daemon's CPU time over --idle seconds with no traffic,
                in cores (1.0: a whole core)
  rtt_ms        median and 90th percentile of --count pings sent
                --interval seconds apart, so that the PMD is idle (asleep,
                at its longest sleep) when each request arrives; the reply
                follows within microseconds, while the PMD is awake
  added_us      the median RTT over that of sleep 0, in us: what the first
                packet after an idle spell waits for the PMD to wake

One JSON line a value. Run as root (namespaces, taps), from the tree.

Usage: bench/pmd_sleep.py [--values 0,100,1000,10000] [--count 50]
                          [--interval 0.1] [--idle 3] [--runs 1]
"""
import argparse
import json
import os
import re
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "e2e"))
import netns  # noqa: E402

FLOWS = "in_port(1) 2\nin_port(2) 1\n"


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(a, sleep_us):
    opts = ["--pmd-cores", "1", "--pmd-sleep-max", str(sleep_us)]
    with netns.Topology(2, flows=FLOWS, options=opts, ipv6=False) as topo:
        h0, h1 = topo.hosts
        # ARP and the taps' first packets out of the way.
        h0.ping(h1.ip4, count=3, interval=0.2)
        pid = topo.daemon.proc.pid
        time.sleep(1.0)
        c0, t0 = cpu_seconds(pid), time.monotonic()
        time.sleep(a.idle)
        idle_cpu = (cpu_seconds(pid) - c0) / (time.monotonic() - t0)
        r = h0.run("ping", "-4", "-n", "-c", str(a.count), "-i", str(a.interval), "-W", "2",
                   h1.ip4, check=False, timeout=a.count * a.interval + 30)
        rtts = sorted(float(x) for x in re.findall(r"time=([\d.]+) ms", r.stdout))
    if len(rtts) < a.count // 2:
        raise RuntimeError("sleep %d: %d of %d pings answered" % (sleep_us, len(rtts), a.count))
    return dict(pmd_sleep_max_us=sleep_us, idle_cpu=round(idle_cpu, 3),
                rtt_ms_median=round(statistics.median(rtts), 3),
                rtt_ms_p90=rtts[int(len(rtts) * 0.9) - 1], answered=len(rtts))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--values", default="0,100,1000,10000")
    p.add_argument("--count", type=int, default=50)
    p.add_argument("--interval", type=float, default=0.1)
    p.add_argument("--idle", type=float, default=3.0)
    p.add_argument("--runs", type=int, default=1, help="values alternating")
    a = p.parse_args()
    netns.require_root()
    values = [int(v) for v in a.values.split(",")]
    for run in range(a.runs):
        base = None
        for v in values:
            res = measure(a, v)
            if v == 0:
                base = res["rtt_ms_median"]
            if base is not None:
                res["added_us"] = round((res["rtt_ms_median"] - base) * 1000)
            print(json.dumps(dict(res, run=run)), flush=True)


if __name__ == "__main__":
    main()
