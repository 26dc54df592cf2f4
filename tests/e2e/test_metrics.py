#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""dpdk-switch-ctl metrics: the Prometheus text exposition format.

After known traffic (7 packets that hit a flow, 3 that miss, through a
pcap port to a null port) the output is parsed by the format's rules
(metric and label names, HELP and TYPE once per family before its
samples, counters named *_total, no sample twice, escaped label values)
and its values are compared with `show -s` and `pmd-stats-show --json`
of the same daemon and with the packets sent. --output replaces a file
atomically (mode 0644, no temporary file left); bad --output paths and
an unreachable daemon give an error (the latter still writes
dpdk_switch_up 0).
"""
import json
import os
import re
import stat
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import check, ctl, fails, need_root_and_daemon, ok, run, tmpdir  # noqa: E402

need_root_and_daemon()

HIT = [e2e.udp_packet(dport=53, payload=b"hit-%d" % i) for i in range(7)]
MISS = [e2e.udp_packet(src="10.0.0.9", dport=54, payload=b"miss%d" % i) for i in range(3)]
FLOWS = [
    "in_port(1),eth(),eth_type(0x0800),ipv4(src=10.0.0.1,proto=17,frag=no),udp(dst=53) 2",
    "in_port(1),eth(),eth_type(0x0806),arp() 2",
]

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*$")
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"')
SAMPLE = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$")


def parse(text):
    """{(name, (labels...)): value}, checking the format as it goes."""
    families, samples, current = {}, {}, None
    check(text.endswith("\n"), "the output ends with a newline", text[-200:])
    for n, line in enumerate(text.splitlines(), 1):
        where = "line %d: %r" % (n, line)
        if line.startswith("# HELP "):
            name = line.split(" ", 3)[2]
            check(NAME.match(name) and name.startswith("dpdk_switch_"), "a metric name", where)
            check(name not in families, "one HELP per family", where)
            families[name] = None
            current = name
        elif line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            check(name == current and families[name] is None, "TYPE after its HELP", where)
            check(kind in ("counter", "gauge"), "a known type", where)
            check((kind == "counter") == name.endswith("_total"),
                  "counters, and only they, end in _total", where)
            families[name] = kind
        else:
            m = SAMPLE.match(line)
            check(m is not None, "a sample line", where)
            name, labels, value = m.groups()
            check(name == current and families[name], "a sample of the declared family", where)
            pairs = ()
            if labels:
                inner = labels[1:-1]
                pairs = tuple(LABEL.findall(inner))
                check(",".join('%s="%s"' % p for p in pairs) == inner, "well-formed labels",
                      where)
                check(len({k for k, _ in pairs}) == len(pairs), "no label twice", where)
            key = (name, tuple(sorted(pairs)))
            check(key not in samples, "no sample twice", where)
            samples[key] = float(value)
    check(all(families.values()), "every family has a TYPE", families)
    return samples


def start():
    tmp = tmpdir()
    rx, flows = os.path.join(tmp, "in.pcap"), os.path.join(tmp, "flows.txt")
    e2e.write_pcap(rx, HIT + MISS)
    with open(flows, "w") as f:
        f.write("".join(x + "\n" for x in FLOWS))
    d = e2e.Daemon(["net_pcap0,rx_pcap=" + rx, "net_null0,no-rx=1"], ["--flows", flows])
    deadline = time.monotonic() + 30
    while "lookups: hit:7 missed:3" not in ok(d.sock, "show").out:
        check(time.monotonic() < deadline, "traffic counted", ok(d.sock, "show").out)
        time.sleep(0.1)
    return d


def port_key(name, port_no, port):
    return ("dpdk_switch_" + name, (("port", port), ("port_no", str(port_no))))


def test_values():
    d = start()
    s = parse(ok(d.sock, "metrics").out)
    show = json.loads(ok(d.sock, "show", "-s", "--json").out)
    pmds = json.loads(ok(d.sock, "pmd-stats-show", "--json").out)["pmds"]

    def one(name):
        return s[("dpdk_switch_" + name, ())]
    check(one("up") == 1, "up", s)
    want = {"lookup_hits_total": 7, "lookup_misses_total": 3, "lookup_lost_total": 3,
            "flows": 2, "masks": 2, "pmds": 1, "mbufs_in_use": 0}
    for k, v in want.items():
        check(one(k) == v, "%s = %d" % (k, v), s)
    check([one("lookup_hits_total"), one("lookup_misses_total"), one("lookup_lost_total"),
           one("flows"), one("mask_hits_total"), one("masks")] ==
          [show["lookups"]["hit"], show["lookups"]["missed"], show["lookups"]["lost"],
           show["flows"], show["masks"]["hit"], show["masks"]["total"]], "agrees with show", show)
    check(one("flow_limit") == show["flow_limit"]["dynamic"] and
          one("flow_limit_ceiling") == show["flow_limit"]["ceiling"] and
          one("max_idle_seconds") * 1000 == show["max_idle_ms"], "limits as show", show)

    for p in show["ports"]:
        for stat_name, v in p["stats"].items():
            got = s[port_key("port_%s_total" % stat_name, p["port_no"], p["name"])]
            check(got == v, "port %s %s as show" % (p["name"], stat_name), got, v)
    check(s[port_key("port_rx_bytes_total", 1, "net_pcap0")] == sum(map(len, HIT + MISS)),
          "every byte received on port 1", s)
    check(s[port_key("port_tx_packets_total", 2, "net_null0")] == 7, "the hits sent", s)

    check(len(pmds) == 1, "one PMD", pmds)
    labels = (("core_id", str(pmds[0]["core_id"])), ("numa_id", str(pmds[0]["numa_id"])),
              ("pmd", str(pmds[0]["id"])))
    names = {"rx_packets": "rx_packets", "hit": "hits", "missed": "misses", "lost": "lost",
             "cache_hit": "cache_hits", "mask_hit": "mask_hits", "upcalls": "upcalls",
             "dropped": "action_drops", "recirc": "recirculations", "runts": "runts"}
    for k, name in names.items():
        got = s[("dpdk_switch_pmd_%s_total" % name, labels)]
        check(got == pmds[0]["stats"][k], "pmd %s as pmd-stats-show" % k, got, pmds[0])
    check(s[("dpdk_switch_pmd_rx_packets_total", labels)] == 10, "the PMD received 10", s)


def test_output_file():
    d = start()
    tmp = tmpdir()
    out = os.path.join(tmp, "dpdk_switch.prom")
    with open(out, "w") as f:
        f.write("old\n")
    r = ok(d.sock, "metrics", "--output", out)
    check(r.out == "", "nothing on stdout with --output", r)
    with open(out) as f:
        s = parse(f.read())
    check(s[("dpdk_switch_lookup_hits_total", ())] == 7, "the file holds the metrics", s)
    check(stat.S_IMODE(os.stat(out).st_mode) == 0o644, "readable by a collector")
    check(os.listdir(tmp) == ["dpdk_switch.prom"], "no temporary file left", os.listdir(tmp))

    r = fails(d.sock, 1, "metrics", "--output", os.path.join(tmp, "no", "dir", "m.prom"))
    check("cannot create" in r.err and "No such file" in r.err, "names the problem", r)
    fails(d.sock, 2, "metrics", "--output", "")
    r = fails(d.sock, 2, "show", "--output", out)
    check("only for metrics" in r.err, "--output belongs to metrics", r)
    fails(d.sock, 2, "metrics", "a", "b")

    # No daemon: exit 1, and the file says so.
    r = ctl(os.path.join(tmp, "nosuch.sock"), "metrics", "--output", out)
    check(r.rc == 1, "exit 1 without a daemon", r)
    with open(out) as f:
        s = parse(f.read())
    check(s == {("dpdk_switch_up", ()): 0}, "dpdk_switch_up 0 alone", s)
    ok(d.sock, "show")


if __name__ == "__main__":
    run([test_values, test_output_file])
