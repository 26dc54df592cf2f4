# SPDX-License-Identifier: BSD-3-Clause
"""PMD housekeeping (behaviour, not timing):

- pmd-rxq-show prints each rx queue's share of its PMD's cycles, summing
  to about 100 on a PMD with traffic; pmd-rxq-rebalance moves rx queues by
  those cycles: two busy queues that round robin put on one PMD end up on
  two, and both keep forwarding;
- --pmd-sleep-max: an idle PMD sleeps (its loop turns a few hundred times
  a second instead of millions), add-if still answers promptly, and
  traffic arriving after the idle spell is forwarded.
"""
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import dpsw  # noqa: E402

TAP = "net_taph%d" % (os.getpid() % 10000)


def pmds(d):
    out = json.loads(d.ctl("--json", "pmd-stats-show").stdout)
    return {p["core_id"]: p for p in out["pmds"]}


def placement(d):
    return {core: sorted(q["port"] for q in p["rxqs"]) for core, p in pmds(d).items()}


def usage(d):
    """{core_id: {port: percent or None}} from pmd-rxq-show's text."""
    out, core = {}, None
    for line in d.ctl("pmd-rxq-show").stdout.splitlines():
        m = re.match(r"pmd thread numa_id \d+ core_id (\d+):", line)
        if m:
            core = int(m.group(1))
            out[core] = {}
            continue
        m = re.match(r"  port: (\S+)\s+queue-id:\s+\d+ \(enabled\)\s+pmd usage: (.*)$", line)
        if m:
            v = m.group(2).strip()
            out[core][m.group(1)] = None if v == "NOT AVAIL" else float(v.rstrip(" %"))
    return out


def rxq_shares_and_rebalance(tmp):
    flows = os.path.join(tmp, "flows.txt")
    with open(flows, "w") as f:
        f.write("in_port(1) 2\nin_port(3) 4\n")
    # --rxq 1: round robin puts ports 1 and 3 (the busy ones) on one PMD.
    with dpsw.Daemon(["net_null0", "net_null1,no-rx=1", "net_null2", "net_null3,no-rx=1"],
                     ["--rxq", "1", "--flows", flows, "--max-idle", "3600000"],
                     lcores="0@0,1@1,2@1") as d:
        before = placement(d)
        assert before == {1: ["net_null0", "net_null2"], 2: ["net_null1", "net_null3"]}, before
        time.sleep(1.0)
        u = usage(d)
        busy = u[1]
        assert None not in busy.values() and 97 <= sum(busy.values()) <= 103, u
        assert all(v > 5 for v in busy.values()), u
        assert all(v in (None, 0.0) for v in u[2].values()), u

        d.ctl("pmd-rxq-rebalance")
        after = placement(d)
        spread = [sorted(set(ports) & {"net_null0", "net_null2"}) for ports in after.values()]
        assert sorted(spread) == [["net_null0"], ["net_null2"]], after
        assert sorted(p for ports in after.values() for p in ports) == \
            ["net_null0", "net_null1", "net_null2", "net_null3"], after
        rx = {c: p["stats"]["rx_packets"] for c, p in pmds(d).items()}
        time.sleep(0.5)
        rx2 = {c: p["stats"]["rx_packets"] for c, p in pmds(d).items()}
        assert all(rx2[c] > rx[c] for c in rx), (rx, rx2)
        assert d.stop() == 0
    assert dpsw.stats_value(d.output, "mbufs in use") == 0, d.output
    print("ok rxq shares %s, rebalanced to %s" % (busy, after))


def tx_packets(d, port_no):
    shown = d.ctl("show", "-s").stdout.split("port %d:" % port_no)[1]
    return int(shown.split("TX packets:")[1].split()[0])


def idle_sleep(tmp):
    flows = os.path.join(tmp, "flows.txt")
    with open(flows, "w") as f:
        f.write("in_port(1) 2\n")
    with dpsw.Daemon(["%s,iface=%s" % (TAP, TAP), "net_null1,no-rx=1"],
                     ["--pmd-sleep-max", "10000", "--flows", flows,
                      "--max-idle", "3600000"]) as d:
        assert "pmd sleep max: 10000 us" in d.ctl("show").stdout
        time.sleep(0.5)
        d.ctl("pmd-stats-clear")
        t0 = time.monotonic()
        time.sleep(1.0)
        (p,) = pmds(d).values()
        per_s = p["stats"]["iterations"] / (time.monotonic() - t0)
        # Polling without a sleep turns millions of times a second.
        assert per_s < 5000, "idle PMD: %.0f iterations/s" % per_s
        assert p["busy_pct"] < 50, p

        t0 = time.monotonic()
        d.ctl("add-if", "net_null2,no-rx=1")
        add_s = time.monotonic() - t0
        assert add_s < 10, "add-if took %.1f s with a sleeping PMD" % add_s
        assert "net_null2" in d.ctl("pmd-rxq-show").stdout

        subprocess.run(["ip", "link", "set", TAP, "up"], check=True)
        before = tx_packets(d, 2)
        frame = bytes.fromhex("0200001800020200001800010800") + bytes(46)
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        s.bind((TAP, 0))
        for _ in range(20):
            s.send(frame)
        s.close()
        deadline = time.monotonic() + 20
        while tx_packets(d, 2) < before + 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert tx_packets(d, 2) >= before + 20, (before, tx_packets(d, 2))
        assert d.stop() == 0
    print("ok idle PMD at %.0f iterations/s, add-if in %.3f s, traffic forwarded" %
          (per_s, add_s))


def main():
    with tempfile.TemporaryDirectory(prefix="dpsw-hk-") as tmp:
        rxq_shares_and_rebalance(tmp)
        idle_sleep(tmp)


if __name__ == "__main__":
    main()
