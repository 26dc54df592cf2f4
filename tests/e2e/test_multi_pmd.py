# SPDX-License-Identifier: BSD-3-Clause
"""Two PMD threads (two lcores sharing CPU 1, so it runs on 2 CPUs): rx
queues spread over both PMDs, both forward, a port hot-plugged at run time
gets a queue on each PMD and one removed leaves the others forwarding; no
mbuf leaks at the end."""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import dpsw  # noqa: E402


def rxqs(d):
    """{pmd core_id: [(port name, queue id)]} from pmd-stats-show --json."""
    out = json.loads(d.ctl("--json", "pmd-stats-show").stdout)
    return {p["core_id"]: sorted((q["port"], q["queue_id"]) for q in p["rxqs"])
            for p in out["pmds"]}, {p["core_id"]: p["stats"]["rx_packets"] for p in out["pmds"]}


def tx_packets(d, port_no):
    shown = d.ctl("show", "-s").stdout.split("port %d:" % port_no)[1]
    return int(shown.split("TX packets:")[1].split()[0])


def main():
    flows = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data",
                         "multi_pmd_flows.txt")
    with dpsw.Daemon(["net_null0", "net_null1,no-rx=1"],
                     ["--rxq", "2", "--flows", flows, "--max-idle", "3600000"],
                     lcores="0@0,1@1,2@1") as d:
        assert "2 PMD thread(s)" in d.read_log(), d.read_log()
        placement, _ = rxqs(d)
        assert placement == {1: [("net_null0", 0), ("net_null1", 0)],
                             2: [("net_null0", 1), ("net_null1", 1)]}, placement
        time.sleep(0.5)
        _, rx = rxqs(d)
        assert rx[1] > 0 and rx[2] > 0, rx
        before = tx_packets(d, 2)

        # Hot-plug: the new port gets one queue on each PMD.
        d.ctl("add-if", "net_null2,no-rx=1")
        placement, _ = rxqs(d)
        assert ("net_null2", 0) in placement[1] and ("net_null2", 1) in placement[2], placement
        d.ctl("del-if", "net_null2")
        placement, _ = rxqs(d)
        assert all(p != "net_null2" for qs in placement.values() for p, _ in qs), placement

        time.sleep(0.3)
        assert tx_packets(d, 2) > before
        assert d.stop() == 0
    assert dpsw.stats_value(d.output, "mbufs in use") == 0, d.output
    print("ok multi-PMD placement, forwarding, hot-plug")


if __name__ == "__main__":
    main()
