#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Summarise forwarding-benchmark results (JSON lines from bench/run.sh).

Usage: report.py RESULTS.jsonl... [--markdown OUT.md] [--slow-pct X]

Every number is the median over the runs, with [min-max] beside it. The
OVS column is, per run, the fastest of the OVS configurations measured in
that run (default, SMC on, EMC off); ratios are computed per run (ours and
OVS from the same run) and then summarised the same way. A second table
gives every run's figures. Several files (several bench/run.sh invocations)
are read as one series of runs, numbered on from file to file.

Slow spells (flag "*"): a measurement where a packet took more than X%
(--slow-pct) longer than in the same system's fastest run of the profile in
the same file (same binary, same traffic: the difference is the machine's),
or where the probe around it read that much slower than its fastest reading
in the file. The probe: bench/run.sh times fixed jobs on CPU 1
(bench/cpu_probe.c) right before and right after each system's measurement;
the L1 chain job's fastest block flags, the memory job's is only shown. The
medians over unflagged pairs of runs come beside the plain ones.
"""

import argparse
import collections
import json
import statistics
import sys

CONFIG_NAMES = {"default": "default", "smc": "SMC on", "noemc": "EMC off"}
# Above the run-to-run spread of one system's rate within a spell and of the
# chain job's reading, below what a spell costs (the figures are in the
# commit that chose it).
SLOW_PCT_DEFAULT = 25.0


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


PROBE_KINDS = ("chain", "memory")
# The jobs whose readings flag. The memory job's reading swings with other
# work's memory traffic more than a spell moves it: shown, not a flag.
FLAG_KINDS = ("chain",)


def probe_readings(rec):
    """The probe readings (us) around a measurement, {kind: (before,
    after)} (fewer where the probe did not run). A reading is a fixed job's
    fastest block times the blocks: neither other work of this machine on
    CPU 1 nor a burst of memory traffic stretches it, a lasting slowdown of
    the CPU or of the memory does. Older results: the job's CPU time or
    wall time."""
    out = {}
    for kind, fields in (("chain", ("best_us", "cpu_us", "us")),
                         ("memory", ("mem_best_us", "mem_cpu_us"))):
        vals = []
        for when in ("before", "after"):
            v = next((num(rec.get(f"probe_{when}_{f}")) for f in fields
                      if num(rec.get(f"probe_{when}_{f}")) is not None), None)
            if v is not None and v > 0:
                vals.append(v)
        if vals:
            out[kind] = tuple(vals)
    return out


def probe_share(rows):
    """The probe's share of CPU 1 (CPU time / wall time) in each reading:
    below 1, other work of this machine ran there while it did."""
    return [num(r.get(f"probe_{w}_cpu_us")) / num(r.get(f"probe_{w}_us"))
            for r in rows for w in ("before", "after")
            if num(r.get(f"probe_{w}_cpu_us")) and num(r.get(f"probe_{w}_us"))]


class Results:
    def __init__(self, rows, slow_pct=SLOW_PCT_DEFAULT):
        # (system, metric, profile, config) -> {run: record}
        self.by = collections.defaultdict(dict)
        self.profiles = []
        # (system, profile, run) -> probe readings {kind: (before, after)}:
        # one system's invocation (all of OVS's configurations) shares them.
        self.probe = {}
        self.probe_file = {}         # (system, profile, run) -> file index
        for r in rows:
            key = (r.get("system"), r.get("metric", "forward"),
                   r.get("profile"), r.get("config", ""))
            self.by[key][r.get("run", 0)] = r
            if r.get("profile") not in self.profiles:
                self.profiles.append(r.get("profile"))
            readings = probe_readings(r)
            if readings:
                key = (r.get("system"), r.get("profile"), r.get("run", 0))
                self.probe[key] = readings
                self.probe_file[key] = r.get("_file", 0)
        self.slow_pct = slow_pct
        self.probe_readings = {kind: [v for r in self.probe.values() for v in r.get(kind, ())]
                               for kind in PROBE_KINDS}
        self.probe_shares = probe_share(rows)
        # The reference: each file's (invocation's) fastest reading of each job.
        self.probe_fastest = collections.defaultdict(lambda: float("inf"))
        for key, readings in self.probe.items():
            for kind, vals in readings.items():
                ref = (self.probe_file[key], kind)
                self.probe_fastest[ref] = min(*vals, self.probe_fastest[ref])

    def has_probe(self):
        return bool(self.probe)

    def slowness(self, system, profile, run):
        """How much slower (0.25: 25%) the probe around this measurement
        was than its file's fastest probe (the flagging job that slowed
        most); None without a probe."""
        key = (system, profile, run)
        slow = [max(vals) / self.probe_fastest[(self.probe_file[key], kind)] - 1
                for kind, vals in self.probe.get(key, {}).items() if kind in FLAG_KINDS]
        return max(slow, default=None)

    def rate_slowness(self, system, profile, run):
        """How much longer a packet took (0.25: 25%) for this system in this
        run than in its fastest run of the profile in the same file (per
        OVS configuration, the worst): the same binary on the same traffic,
        so the difference is the machine's. The rate, not the forwarders'
        cycle counters: testpmd's differ between runs at the same rate. None
        with one run."""
        slow = []
        for (sys_, metric, p, _), by_run in self.by.items():
            if (sys_, metric, p) != (system, "forward", profile) or run not in by_run:
                continue
            mpps = num(by_run[run].get("mpps"))
            same_file = [num(r.get("mpps")) for r in by_run.values()
                         if r.get("_file", 0) == by_run[run].get("_file", 0)]
            same_file = [m for m in same_file if m]
            if mpps and len(same_file) > 1:
                slow.append(max(same_file) / mpps - 1)
        return max(slow, default=None)

    def flagged(self, system, profile, run):
        return any(v is not None and v * 100 > self.slow_pct
                   for v in (self.slowness(system, profile, run),
                             self.rate_slowness(system, profile, run)))

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


def unflagged(res, profile, values, *systems):
    """values (run -> ratio) without the runs where any of the systems'
    measurements is flagged, as 'median [min-max] (n/N)'."""
    kept = [v for run, v in values.items()
            if not any(res.flagged(s, profile, run) for s in systems)]
    if not values:
        return "-"
    return f"{summary(kept)} ({len(kept)}/{len(values)})"


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
    head.insert(10, "ours / OVS, unflagged runs")
    head.insert(12, "ours / testpmd, unflagged runs")
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
        row = [
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
        ]
        row.insert(10, unflagged(res, p, ratio(ours, best_mpps), "dpdk-switch", "ovs"))
        row.insert(12, unflagged(res, p, ratio(ours, tp), "dpdk-switch", "testpmd"))
        rows.append(row)
    return head, rows


def fmt(v, f="{:.2f}"):
    return "-" if v is None else f.format(v)


def marked(res, profile, run, text, *systems):
    """text, with ' *' when any of these systems' measurements in that run
    is flagged."""
    if text != "-" and any(res.flagged(s, profile, run) for s in systems):
        return text + " *"
    return text


def pcts(values):
    return ", ".join("-" if v is None else f"{v * 100:+.0f}%" for v in values)


def per_run_table(res):
    """Every run's forwarding figures; '*' marks a flagged measurement (and
    a ratio with a flagged side), the probe column says how slow each
    system's probe was against the file's fastest."""
    head = ["profile", "run", "testpmd Mpps", "OVS best Mpps (config)", "ours Mpps",
            "ours cycles/pkt", "ours / OVS", "ours / testpmd"]
    head.append("time/pkt over fastest run: testpmd, OVS, ours")
    if res.has_probe():
        head.append("probe over fastest: testpmd, OVS, ours")
    rows = []
    for p in res.profiles:
        tp = res.field("testpmd", "forward", p, "mpps", "io")
        best = res.ovs_best(p)
        ours = res.field("dpdk-switch", "forward", p, "mpps")
        cpp = res.field("dpdk-switch", "forward", p, "cycles_per_pkt")
        for run in sorted(set(tp) | set(best) | set(ours)):
            ovs = best[run][0] if run in best else None
            ovs_cfg = f" ({CONFIG_NAMES[best[run][1]]})" if run in best else ""
            row = [p, str(run),
                   marked(res, p, run, fmt(tp.get(run)), "testpmd"),
                   marked(res, p, run, fmt(ovs) + ovs_cfg, "ovs"),
                   marked(res, p, run, fmt(ours.get(run)), "dpdk-switch"),
                   fmt(cpp.get(run), "{:.0f}"),
                   marked(res, p, run, fmt(ours[run] / ovs if ours.get(run) and ovs else None),
                          "dpdk-switch", "ovs"),
                   marked(res, p, run, fmt(ours[run] / tp[run] if ours.get(run) and tp.get(run)
                                           else None), "dpdk-switch", "testpmd")]
            systems = ("testpmd", "ovs", "dpdk-switch")
            row.append(pcts(res.rate_slowness(s, p, run) for s in systems))
            if res.has_probe():
                row.append(pcts(res.slowness(s, p, run) for s in systems))
            rows.append(row)
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


def conditions(res, metas):
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
    for meta in metas:
        out.append(f"machine: {meta.get('cpu', '?')}, {meta.get('cores', '?')} cores; "
                   f"{meta.get('dpdk', '')}; {meta.get('ovs', '')}; "
                   f"commit {meta.get('commit', '?')}; {meta.get('date', '')}")
    out.append(f"runs: {len(runs)}; window {summary(windows, '{:.1f}')} s; "
               f"1-min load average {summary(loads)}; "
               f"share of CPU 1 the forwarding thread got {summary(shares, '{:.3f}')}")
    measured = {(sys_, p, run) for (sys_, metric, p, _), by_run in res.by.items()
                if metric == "forward" for run in by_run}
    n_flagged = sum(res.flagged(*k) for k in measured)
    out.append(f"* = slow spell: time a packet more than {res.slow_pct:g}% over the same "
               f"system's fastest run of the profile in the file, or the probe's chain job "
               f"that much over its fastest reading in the file (--slow-pct): "
               f"{n_flagged} of {len(measured)} measurements")
    if res.has_probe():
        jobs = "; ".join(f"{kind} {summary(vals, '{:.0f}')} over {len(vals)}"
                         for kind, vals in res.probe_readings.items() if vals)
        out.append(f"probe (fixed jobs on CPU 1, fastest block, us): {jobs} readings; "
                   f"its share of CPU 1 {summary(res.probe_shares)}")
    else:
        out.append("probe: no readings in these results")
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
    p.add_argument("results", nargs="+", help="RESULTS.jsonl files of bench/run.sh")
    p.add_argument("--markdown", help="also write the tables as markdown here")
    p.add_argument("--slow-pct", type=float, default=SLOW_PCT_DEFAULT, metavar="X",
                   help="flag a measurement whose probe is more than X%% slower than "
                        "the fastest probe in the file (default %(default)g)")
    args = p.parse_args(argv)
    if args.slow_pct < 0:
        p.error("--slow-pct must not be negative")
    metas, rows = [], []
    for i, path in enumerate(args.results):
        meta, file_rows = load(path)
        if meta:
            metas.append(meta)
        # Runs numbered on from the files before; the file is the probe's
        # reference (its fastest reading).
        offset = max((r.get("run", 0) for r in rows), default=0)
        for r in file_rows:
            r["run"] = r.get("run", 0) + offset
            r["_file"] = i
        rows += file_rows
    res = Results(rows, args.slow_pct)
    fwd = forwarding_table(res)
    runs = per_run_table(res)
    ctl = control_table(res)
    cond = conditions(res, metas)
    print("Forwarding, Mpps (median [min-max] over runs)")
    print(text_table(*fwd))
    print()
    print("Forwarding, every run (* = slow-spell flag)")
    print(text_table(*runs))
    print()
    print("Control plane and memory")
    print(text_table(*ctl))
    print()
    print("\n".join(cond))
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write(md_table(*fwd) + "\n\n" + md_table(*runs) + "\n\n"
                    + md_table(*ctl) + "\n\n")
            f.write("\n".join(cond) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
