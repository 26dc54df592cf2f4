#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Summarise forwarding-benchmark results (JSON lines from bench/run.sh).

Usage: report.py RESULTS.jsonl [--markdown OUT.md]

Every number is the median over the runs, with [min-max] beside it. The
OVS column is, per run, the fastest of the OVS configurations measured in
that run (default, SMC on, EMC off); ratios are computed per run (ours and
OVS from the same run) and then summarised the same way.
"""

import argparse
import collections
import json
import statistics
import sys

CONFIG_NAMES = {"default": "default", "smc": "SMC on", "noemc": "EMC off"}


def load(path):
    meta, rows = {}, []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                sys.exit(f"report: {path}:{n}: {e}")
            if rec.get("metric") == "meta":
                meta = rec
            else:
                rows.append(rec)
    return meta, rows


def num(v):
    return v if isinstance(v, (int, float)) else None


def summary(values, fmt="{:.2f}"):
    """'median [min-max]' of the numbers in values, or '-'."""
    vals = [v for v in values if v is not None]
    if not vals:
        return "-"
    med = fmt.format(statistics.median(vals))
    if len(vals) == 1:
        return med
    return f"{med} [{fmt.format(min(vals))}-{fmt.format(max(vals))}]"


class Results:
    def __init__(self, rows):
        # (system, metric, profile, config) -> {run: record}
        self.by = collections.defaultdict(dict)
        self.profiles = []
        for r in rows:
            key = (r.get("system"), r.get("metric", "forward"),
                   r.get("profile"), r.get("config", ""))
            self.by[key][r.get("run", 0)] = r
            if r.get("profile") not in self.profiles:
                self.profiles.append(r.get("profile"))

    def runs(self, system, metric, profile, config=""):
        return self.by.get((system, metric, profile, config), {})

    def field(self, system, metric, profile, name, config=""):
        return {run: num(r.get(name)) for run, r in
                self.runs(system, metric, profile, config).items()}

    def ovs_best(self, profile):
        """run -> (mpps, config, cycles/packet) of OVS's fastest config."""
        best = {}
        for cfg in CONFIG_NAMES:
            for run, r in self.runs("ovs", "forward", profile, cfg).items():
                m = num(r.get("mpps"))
                if m is not None and (run not in best or m > best[run][0]):
                    best[run] = (m, cfg, num(r.get("cycles_per_pkt")))
        return best


def ratio(a, b):
    return {run: a[run] / b[run] for run in a
            if a.get(run) and b.get(run)}


def min_share(res, profile):
    """Lowest share of CPU 1 any forwarding thread got in this profile's
    windows: well below 1 means other work ran on the PMD's core."""
    shares = [num(r.get("pmd_cpu_share"))
              for (_, metric, p, _), by_run in res.by.items()
              if metric == "forward" and p == profile
              for r in by_run.values()]
    shares = [s for s in shares if s is not None]
    return f"{min(shares):.2f}" if shares else "-"


def forwarding_table(res):
    head = ["profile", "testpmd Mpps", "OVS default", "OVS SMC on",
            "OVS EMC off", "OVS best Mpps (config)", "OVS cycles/pkt",
            "ours Mpps", "ours cycles/pkt", "ours / OVS", "ours / testpmd",
            "OVS / testpmd", "CPU share min"]
    rows = []
    for p in res.profiles:
        tp = res.field("testpmd", "forward", p, "mpps", "io")
        best = res.ovs_best(p)
        best_mpps = {run: b[0] for run, b in best.items()}
        wins = collections.Counter(b[1] for b in best.values())
        win = ", ".join(f"{CONFIG_NAMES[c]} {n}/{len(best)}"
                        for c, n in wins.most_common())
        ours = res.field("dpdk-switch", "forward", p, "mpps")
        if not any(v is not None for v in list(tp.values()) + list(best_mpps.values()) + list(ours.values())):
            continue
        rows.append([
            p,
            summary(tp.values(), "{:.1f}"),
            *(summary(res.field("ovs", "forward", p, "mpps", c).values())
              for c in CONFIG_NAMES),
            summary(best_mpps.values()) + (f" ({win})" if win else ""),
            summary((b[2] for b in best.values()), "{:.0f}"),
            summary(ours.values()),
            summary(res.field("dpdk-switch", "forward", p, "cycles_per_pkt").values(), "{:.0f}"),
            summary(ratio(ours, best_mpps).values()),
            summary(ratio(ours, tp).values()),
            summary(ratio(best_mpps, tp).values()),
            min_share(res, p),
        ])
    return head, rows


def control_table(res):
    head = ["measure", "profile", "OVS 3.1 + DPDK", "dpdk-switch"]
    rows = []

    def add(label, metric, name, fmt, scale=1.0, min_flows=0):
        for p in res.profiles:
            flows = [num(r.get("flows")) for s in ("ovs", "dpdk-switch")
                     for r in res.runs(s, metric, p).values()]
            if max((f for f in flows if f is not None), default=0) < min_flows:
                continue
            vals = {s: [v * scale if v is not None else None for v in
                        res.field(s, metric, p, name).values()]
                    for s in ("ovs", "dpdk-switch")}
            if any(v is not None for vs in vals.values() for v in vs):
                rows.append([label, p, summary(vals["ovs"], fmt),
                             summary(vals["dpdk-switch"], fmt)])

    # Installing or storing a handful of flows says nothing per flow.
    add("install rate, flows/s (add-flows)", "install", "flows_per_s", "{:.0f}", min_flows=10000)
    add("RSS with the flows in, MB", "memory", "rss_kb_after", "{:.0f}", 1 / 1024, min_flows=10000)
    add("bytes per flow (anonymous RSS growth / flows)", "memory", "bytes_per_flow", "{:.0f}", min_flows=10000)
    add("bulk install of 100k flows under traffic, flows/s", "dip", "flows_per_s", "{:.0f}")
    add("  forwarding before, Mpps", "dip", "mpps_before", "{:.2f}")
    add("  forwarding during, Mpps", "dip", "mpps_during", "{:.2f}")
    add("  worst 200 ms during, Mpps", "dip", "mpps_min_200ms", "{:.2f}")
    add("revalidator round per 100k flows, ms", "revalidator", "ms_per_100k", "{:.1f}")
    return head, rows


def conditions(res, meta):
    loads, shares, windows = [], [], []
    runs = set()
    for (system, metric, _, _), by_run in res.by.items():
        for run, r in by_run.items():
            runs.add(run)
            for k in ("load_start", "load_end"):
                if num(r.get(k)) is not None:
                    loads.append(r[k])
            if metric == "forward":
                if num(r.get("pmd_cpu_share")) is not None:
                    shares.append(r["pmd_cpu_share"])
                if num(r.get("window_s")) is not None:
                    windows.append(r["window_s"])
    out = []
    if meta:
        out.append(f"machine: {meta.get('cpu', '?')}, {meta.get('cores', '?')} cores; "
                   f"{meta.get('dpdk', '')}; {meta.get('ovs', '')}; "
                   f"commit {meta.get('commit', '?')}; {meta.get('date', '')}")
    out.append(f"runs: {len(runs)}; window {summary(windows, '{:.1f}')} s; "
               f"1-min load average {summary(loads)}; "
               f"share of CPU 1 the forwarding thread got {summary(shares, '{:.3f}')}")
    return out


def text_table(head, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    lines = ["  ".join(str(x).ljust(w) for x, w in zip(r, widths)).rstrip()
             for r in [head] + rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def md_table(head, rows):
    lines = ["| " + " | ".join(head) + " |",
             "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(str(x) for x in r) + " |" for r in rows]
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("results")
    p.add_argument("--markdown", help="also write the tables as markdown here")
    args = p.parse_args(argv)
    meta, rows = load(args.results)
    res = Results(rows)
    fwd = forwarding_table(res)
    ctl = control_table(res)
    cond = conditions(res, meta)
    print("Forwarding, Mpps (median [min-max] over runs)")
    print(text_table(*fwd))
    print()
    print("Control plane and memory")
    print(text_table(*ctl))
    print()
    print("\n".join(cond))
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write(md_table(*fwd) + "\n\n" + md_table(*ctl) + "\n\n")
            f.write("\n".join(cond) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
