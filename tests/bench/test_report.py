#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Tests of bench/report.py's slow-spell flags on small synthetic results.

Three runs of one profile, testpmd, OVS (three configurations) and
dpdk-switch, each measurement with the probe readings bench/run.sh records
around it. In run 2 our rate fell from 20-21 to 12 Mpps (a packet took 75%
longer) and our probe read 50% slower than the fastest: that measurement,
and the ratios built on it, must carry the flag, the unflagged medians must
leave run 2 out, and the plain medians must keep it. Each criterion flags
on its own (the rate without a probe, the probe at an even rate); the
memory job's reading is shown, not flagged. Two files are one series of
runs, each file's runs and probes against that file's fastest.
"""

import json
import pathlib
import subprocess
import sys
import tempfile
import unittest

REPORT = pathlib.Path(__file__).resolve().parents[2] / "bench" / "report.py"

# run -> (testpmd, OVS default, OVS SMC on, OVS EMC off, ours) Mpps
MPPS = {1: (40.0, 10.0, 9.0, 8.0, 20.0),
        2: (40.0, 9.0, 10.0, 8.0, 12.0),
        3: (40.0, 10.0, 9.5, 8.0, 21.0)}
# (system, run) -> (probe before, probe after): the chain job's fastest
# block times the blocks, us; the fastest is 1000. The job's CPU time is
# 30 us more, its wall time 50 us more, but for WALL's.
PROBES = {("testpmd", 1): (1000, 1010), ("ovs", 1): (1020, 1005),
          ("dpdk-switch", 1): (1010, 1030),
          ("testpmd", 2): (1040, 1020), ("ovs", 2): (1030, 1060),
          ("dpdk-switch", 2): (1050, 1500),
          ("testpmd", 3): (1010, 1000), ("ovs", 3): (1070, 1040),
          ("dpdk-switch", 3): (1020, 1010)}
# Other work of the machine shared CPU 1 with this probe (a wall time 2.5
# times its CPU time): that is not a slow spell, so it is not flagged.
WALL = {("testpmd", 3): (1080, 2500)}


def records(with_probe, probe_scale=1.0, old_fields=False, mem=None, mpps=None):
    """Synthetic results. old_fields: the probe's wall time only, as the
    first results with a probe have it; mem: (system, run) -> (before,
    after) of the memory job's reading where it ran, 2000 us elsewhere."""
    out = [{"metric": "meta", "cpu": "test CPU", "cores": 2, "commit": "abc1234"}]

    def rec(system, run, **fields):
        r = {"profile": "a_1flow", "run": run, "system": system, "metric": "forward",
             "cycles_per_pkt": 50, "pmd_cpu_share": 0.99, "window_s": 5.0}
        r.update(fields)
        if not with_probe:
            return r
        before, after = (v * probe_scale for v in PROBES[(system, run)])
        if old_fields:
            r.update(probe_before_us=before, probe_after_us=after)
        else:
            wall = tuple(v * probe_scale for v in WALL.get((system, run), (before + 50, after + 50)))
            r.update(probe_before_us=wall[0], probe_before_cpu_us=before + 30,
                     probe_before_best_us=before, probe_after_us=wall[1],
                     probe_after_cpu_us=after + 30, probe_after_best_us=after)
        if mem is not None:
            m = mem.get((system, run), (2000, 2010))
            r.update(probe_before_mem_best_us=m[0], probe_before_mem_cpu_us=m[0] + 100,
                     probe_after_mem_best_us=m[1], probe_after_mem_cpu_us=m[1] + 100)
        return r

    for run, (tp, ovs_def, ovs_smc, ovs_noemc, ours) in (mpps or MPPS).items():
        out.append(rec("testpmd", run, config="io", mpps=tp))
        for cfg, mpps in (("default", ovs_def), ("smc", ovs_smc), ("noemc", ovs_noemc)):
            out.append(rec("ovs", run, config=cfg, mpps=mpps))
        out.append(rec("dpdk-switch", run, mpps=ours))
    return out


def md_tables(text):
    """The markdown tables of report.py's --markdown file, each a list of
    rows (lists of cells), header first."""
    tables, cur = [], []
    for line in text.splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not all(set(c) <= {"-"} for c in cells):
                cur.append(cells)
        elif cur:
            tables.append(cur)
            cur = []
    if cur:
        tables.append(cur)
    return tables


class ReportFlags(unittest.TestCase):
    def report(self, with_probe, *args, files=None):
        files = files or [records(with_probe)]
        with tempfile.TemporaryDirectory() as d:
            paths = []
            for i, recs in enumerate(files):
                paths.append(pathlib.Path(d) / f"r{i}.jsonl")
                paths[-1].write_text("".join(json.dumps(r) + "\n" for r in recs))
            md = pathlib.Path(d) / "r.md"
            p = subprocess.run([sys.executable, str(REPORT), *map(str, paths),
                                "--markdown", str(md), *args],
                               capture_output=True, text=True, check=False)
            self.assertEqual(p.returncode, 0, p.stderr)
            return p.stdout, md_tables(md.read_text()), md.read_text()

    def per_run(self, tables):
        head, *rows = tables[1]
        self.assertEqual(head[:2], ["profile", "run"])
        return head, {int(r[1]): dict(zip(head, r)) for r in rows}

    def test_slow_probe_flags_that_measurement(self):
        out, tables, _ = self.report(True)
        head, runs = self.per_run(tables)
        self.assertEqual(sorted(runs), [1, 2, 3], "every run has its row")
        self.assertEqual(runs[2]["ours Mpps"], "12.00 *")
        self.assertEqual(runs[2]["ours / OVS"], "1.20 *")
        self.assertEqual(runs[2]["ours / testpmd"], "0.30 *")
        self.assertEqual(runs[2]["testpmd Mpps"], "40.00", "testpmd's probe was fast")
        self.assertEqual(runs[2]["OVS best Mpps (config)"], "10.00 (SMC on)")
        for run in (1, 3):
            self.assertNotIn("*", " ".join(runs[run].values()), f"run {run} is unflagged")
        probe_col = head[-1]
        self.assertEqual(runs[2][probe_col], "+4%, +6%, +50%")
        self.assertEqual(runs[1][probe_col], "+1%, +2%, +3%")
        self.assertIn("1 of 9 measurements", out)
        self.assertIn("chain 1020 [1000-1500] over 18 readings", out)

    def test_unflagged_medians_leave_flagged_runs_out(self):
        _, tables, _ = self.report(True)
        head, row = tables[0][0], dict(zip(tables[0][0], tables[0][1]))
        self.assertIn("ours / OVS, unflagged runs", head)
        # Plain: runs 1-3 (2.0, 1.2, 2.1); unflagged: runs 1 and 3.
        self.assertEqual(row["ours / OVS"], "2.00 [1.20-2.10]")
        self.assertEqual(row["ours / OVS, unflagged runs"], "2.05 [2.00-2.10] (2/3)")
        self.assertEqual(row["ours / testpmd"], "0.50 [0.30-0.53]")
        self.assertEqual(row["ours / testpmd, unflagged runs"], "0.51 [0.50-0.53] (2/3)")

    def test_threshold_is_an_option(self):
        out, tables, _ = self.report(True, "--slow-pct", "80")
        _, runs = self.per_run(tables)
        self.assertNotIn("*", " ".join(" ".join(r.values()) for r in runs.values()))
        self.assertIn("0 of 9 measurements", out)
        row = dict(zip(tables[0][0], tables[0][1]))
        self.assertEqual(row["ours / OVS, unflagged runs"], "2.00 [1.20-2.10] (3/3)")
        _, tables, _ = self.report(True, "--slow-pct", "3")
        _, runs = self.per_run(tables)
        self.assertTrue(runs[2]["testpmd Mpps"].endswith("*"), "+4% > 3%")
        self.assertFalse(runs[3]["testpmd Mpps"].endswith("*"), "+1% <= 3%")

    def test_two_files_each_against_its_fastest(self):
        # The second invocation ran on a machine 30% slower throughout: its
        # own fastest probe is its reference, so only its run 2 is flagged.
        out, tables, _ = self.report(True, files=[records(True), records(True, 1.3)])
        _, runs = self.per_run(tables)
        self.assertEqual(sorted(runs), [1, 2, 3, 4, 5, 6], "runs numbered on")
        flagged = [run for run, r in runs.items() if r["ours Mpps"].endswith("*")]
        self.assertEqual(flagged, [2, 5])
        self.assertIn("2 of 18 measurements", out)
        row = dict(zip(tables[0][0], tables[0][1]))
        self.assertEqual(row["ours / OVS, unflagged runs"], "2.05 [2.00-2.10] (4/6)")

    def test_memory_job_is_shown_not_flagged(self):
        # Our run 3: the chain job as fast as ever, the memory job 40% slower.
        slow_mem = {("dpdk-switch", 3): (2050, 2800)}
        out, tables, _ = self.report(True, files=[records(True, mem=slow_mem)])
        head, runs = self.per_run(tables)
        self.assertEqual([run for run, r in runs.items() if r["ours Mpps"].endswith("*")], [2])
        self.assertEqual(runs[3][head[-1]], "+1%, +7%, +2%")
        self.assertIn("memory 2010 [2000-2800] over 18", out)
        self.assertIn("1 of 9 measurements", out)

    def test_probe_flags_at_an_even_rate(self):
        even = {run: (40.0, 10.0, 9.0, 8.0, 20.0) for run in (1, 2, 3)}
        out, tables, _ = self.report(True, files=[records(True, mpps=even)])
        head, runs = self.per_run(tables)
        self.assertEqual(runs[2]["ours Mpps"], "20.00 *")
        self.assertEqual(runs[2]["time/pkt over fastest run: testpmd, OVS, ours"], "+0%, +0%, +0%")
        self.assertEqual(runs[2][head[-1]], "+4%, +6%, +50%")
        self.assertIn("1 of 9 measurements", out)

    def test_wall_time_in_older_results(self):
        out, tables, _ = self.report(True, files=[records(True, old_fields=True)])
        _, runs = self.per_run(tables)
        self.assertEqual([run for run, r in runs.items() if r["ours Mpps"].endswith("*")], [2])
        self.assertIn("1 of 9 measurements", out)

    def test_rate_flags_without_probe(self):
        out, tables, _ = self.report(False)
        head, runs = self.per_run(tables)
        self.assertEqual(runs[2]["ours Mpps"], "12.00 *")
        self.assertEqual(runs[2]["ours / OVS"], "1.20 *")
        self.assertEqual(runs[2]["time/pkt over fastest run: testpmd, OVS, ours"],
                         "+0%, +11%, +75%")
        for run in (1, 3):
            self.assertNotIn("*", " ".join(runs[run].values()), f"run {run} is unflagged")
        self.assertEqual(len(head), 9, "no probe column")
        row = dict(zip(tables[0][0], tables[0][1]))
        self.assertEqual(row["ours / OVS, unflagged runs"], "2.05 [2.00-2.10] (2/3)")
        self.assertIn("probe: no readings", out)
        # One run: nothing to compare with, so no flag.
        out, tables, _ = self.report(False, files=[[r for r in records(False)
                                                    if r.get("run") in (None, 2)]])
        _, runs = self.per_run(tables)
        self.assertEqual(runs[2]["ours Mpps"], "12.00")

    def test_bad_threshold(self):
        with tempfile.TemporaryDirectory() as d:
            res = pathlib.Path(d) / "r.jsonl"
            res.write_text("".join(json.dumps(r) + "\n" for r in records(True)))
            p = subprocess.run([sys.executable, str(REPORT), str(res), "--slow-pct", "-5"],
                               capture_output=True, text=True, check=False)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("--slow-pct", p.stderr)


if __name__ == "__main__":
    unittest.main()
