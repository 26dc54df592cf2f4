# SPDX-License-Identifier: BSD-3-Clause
"""show (-s, --json), PMD statistics, revalidator settings and ports added
and removed at run time, with traffic from a net_null port."""
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e import Daemon, check, fails, need_root_and_daemon, ok, run  # noqa: E402

need_root_and_daemon()
# Port 1 receives (net_null makes packets as fast as it is polled), port 2 is quiet.
D = Daemon(["net_null0", "net_null1,no-rx=1"], ["--max-idle", "3600000"])
S = D.sock


def json_of(*args):
    out = ok(S, *args, "--json").out
    tool = subprocess.run(["/usr/bin/python3", "-m", "json.tool"], input=out,
                          capture_output=True, text=True)
    check(tool.returncode == 0, "json.tool rejects the output", tool.stderr, out[:1000])
    return json.loads(out)


def port(doc, name):
    found = [p for p in doc["ports"] if p["name"] == name]
    check(len(found) == 1, "port %s in show --json" % name, doc["ports"])
    return found[0]


def test_show_text():
    out = ok(S, "show").out
    lines = out.splitlines()
    check(lines[0] == "dpdk-switch@dpdk-switch:", "first line", out)
    check(re.match(r"  lookups: hit:\d+ missed:\d+ lost:\d+$", lines[1]), "lookups", out)
    check(re.match(r"  flows: 0$", lines[2]), "flows", out)
    check(re.match(r"  masks: hit:\d+ total:0 hit/pkt:\d+\.\d\d$", lines[3]), "masks", out)
    check(re.match(r"  flow limit: \d+ \(ceiling 200000\), max idle: 3600000 ms$", lines[4]),
          "flow limit", out)
    check(re.match(r"  revalidator: rounds:\d+ duration:\d+ms deleted:0 flushed:0 refused:0$",
                   lines[5]), "revalidator", out)
    check(lines[-3:] == ["  port 0: dpdk-switch (internal)", "  port 1: net_null0",
                         "  port 2: net_null1"], "ports", out)


def test_traffic_counters():
    ok(S, "add-flow", "in_port(1),eth()", "2")
    time.sleep(1)
    out = ok(S, "show", "-s").out
    m = re.search(r"port 1: net_null0\n    RX packets:(\d+) errors:0 dropped:0 overruns:\? "
                  r"frame:\?\n    TX packets:0 ", out)
    check(m and int(m.group(1)) > 0, "show -s: port 1 receives", out)
    m = re.search(r"port 2: net_null1\n    RX packets:0 .*\n    TX packets:(\d+) ", out)
    check(m and int(m.group(1)) > 0, "show -s: port 2 sends", out)
    check("    collisions:?\n    RX bytes:" in out, "show -s layout", out)
    doc = json_of("show")
    check(doc["lookups"]["hit"] > 0 and doc["flows"] == 1, "json lookups", doc)
    check(port(doc, "net_null1")["stats"]["tx_packets"] > 0, "json tx", doc)
    check(port(doc, "dpdk-switch")["type"] == "internal", "json local port", doc)
    flows = json_of("dump-flows")["flows"]
    check(len(flows) == 1 and flows[0]["packets"] > 0 and flows[0]["used_ms_ago"] is not None,
          "flow stats", flows)
    line = ok(S, "dump-flows").out
    check(re.match(r"in_port\(1\),eth\(\), packets:[1-9]\d*, bytes:\d+, used:\d+\.\d{3}s, "
                   r"actions:2\n$", line), "dump-flows with stats", line)


def test_mod_flow_clear():
    before = json_of("dump-flows")["flows"][0]["packets"]
    ok(S, "mod-flow", "--clear", "in_port(1),eth()", "2")
    after = json_of("dump-flows")["flows"][0]["packets"]
    check(after < before, "--clear zeroes the stats", before, after)


def test_pmd_stats():
    out = ok(S, "pmd-stats-show").out
    check(re.match(r"pmd thread numa_id \d+ core_id 1:\n  packets received: [1-9]", out),
          "pmd-stats-show header", out)
    for field in ("emc hits", "megaflow hits", "miss with success upcall",
                  "miss with failed upcall", "avg. datapath passes per packet",
                  "processing cycles", "avg cycles per packet"):
        check("\n  %s: " % field in out, "pmd-stats-show has " + field, out)
    doc = json_of("pmd-stats-show")
    pmd = doc["pmds"][0]
    check(pmd["core_id"] == 1 and pmd["stats"]["rx_packets"] > 0, "json pmd", doc)
    check(pmd["stats"]["hit"] > 0 and 0 < pmd["busy_pct"] <= 100, "json pmd hits", doc)
    check({q["port"] for q in pmd["rxqs"]} == {"net_null0", "net_null1"}, "json rxqs", doc)
    ok(S, "pmd-stats-clear")
    again = json_of("pmd-stats-show")["pmds"][0]["stats"]["rx_packets"]
    check(again < pmd["stats"]["rx_packets"], "pmd-stats-clear restarts the counts",
          pmd["stats"]["rx_packets"], again)


def test_pmd_rxq_show():
    out = ok(S, "pmd-rxq-show").out
    check(out.startswith("pmd thread numa_id 0 core_id 1:\n  isolated : false\n"), "header", out)
    for name in ("net_null0", "net_null1"):
        check(re.search(r"  port: %-16s  queue-id:  0 \(enabled\)   pmd usage: " % name, out),
              "rxq of " + name, out)


def test_revalidator_settings():
    ok(S, "set-flow-limit", "50000")
    ok(S, "set-max-idle", "300")
    out = ok(S, "show").out
    check(re.search(r"flow limit: \d+ \(ceiling 50000\), max idle: 300 ms", out), "text", out)
    doc = json_of("show")
    check(doc["flow_limit"]["ceiling"] == 50000 and doc["max_idle_ms"] == 300, "json", doc)
    check(doc["flow_limit"]["dynamic"] <= 50000, "dynamic under the ceiling", doc)
    # A flow without traffic expires; the revalidator counts it.
    ok(S, "add-flow", "in_port(2),eth()", "1")
    deadline = time.time() + 10
    while time.time() < deadline and "in_port(2)" in ok(S, "dump-flows").out:
        time.sleep(0.2)
    check("in_port(2)" not in ok(S, "dump-flows").out, "idle flow expired")
    doc = json_of("show")
    check(doc["revalidator"]["deleted"] >= 1 and doc["revalidator"]["rounds"] > 0, "deleted",
          doc)
    check("in_port(1),eth()" in ok(S, "dump-flows").out, "the busy flow stays")
    r = fails(S, 1, "set-flow-limit", "10")
    check("Invalid argument" in r.err and "1000" in r.err, "limit out of range", r)
    fails(S, 2, "set-max-idle", "soon")
    ok(S, "set-max-idle", "3600000")
    ok(S, "del-flows")


def test_add_del_if():
    ok(S, "add-if", "net_null7,no-rx=1")
    out = ok(S, "show").out
    m = re.search(r"  port (\d+): net_null7\n", out)
    check(m, "hot-plugged port shown", out)
    check("net_null7" in ok(S, "pmd-rxq-show").out, "polled by the PMD")
    r = fails(S, 1, "add-if", "net_null7,no-rx=1")
    check("File exists" in r.err, "add twice", r)
    ok(S, "del-if", "net_null7")
    check("net_null7" not in ok(S, "show").out, "removed by name")
    ok(S, "add-if", "dpdk-switch", "net_null8,no-rx=1")
    m = re.search(r"  port (\d+): net_null8\n", ok(S, "show").out)
    check(m, "added with the DP argument")
    ok(S, "del-if", m.group(1))
    check("net_null8" not in ok(S, "show").out, "removed by number")
    r = fails(S, 1, "del-if", "nosuchport")
    check("No such device" in r.err, "unknown port", r)
    r = fails(S, 1, "del-if", "0")
    check("Invalid argument" in r.err, "local port", r)


run([test_show_text, test_traffic_counters, test_mod_flow_clear, test_pmd_stats,
     test_pmd_rxq_show, test_revalidator_settings, test_add_del_if])
