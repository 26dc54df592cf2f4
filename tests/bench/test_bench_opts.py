#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The benchmark programs' numeric options and arguments (bench/opts.c): a
value that is not a whole number, has junk after it, or lies outside its
range, and an argument nobody takes, must stop the program before it runs,
with exit status 2 and a message on stderr that names the option or
argument and the value; good values must still run.

Usage: test_bench_opts.py PROGRAM... (bench_flowtbl, cpu_probe, bench_text,
bench_flowtbl_rtehash, bench_extract, bench_revalidator, bench_actions;
by default those of build/debug/bench)
"""

import os
import subprocess
import sys
import unittest

NAMES = ("bench_flowtbl", "cpu_probe", "bench_text", "bench_flowtbl_rtehash", "bench_extract",
         "bench_revalidator", "bench_actions")
PROGS = {os.path.basename(a): a for a in sys.argv[1:] if not a.startswith("-")} or {
    n: os.path.join("build/debug/bench", n) for n in NAMES}
sys.argv[1:] = [a for a in sys.argv[1:] if a.startswith("-")]  # unittest's own
FLOWTBL = PROGS["bench_flowtbl"]
PROBE = PROGS["cpu_probe"]


def run(prog, *args):
    return subprocess.run([prog, *args], capture_output=True, text=True, check=False,
                          timeout=60)


def probe_cpu():
    allowed = os.sched_getaffinity(0)
    return str(1 if 1 in allowed else max(allowed))


class BadValues(unittest.TestCase):
    def check_rejected(self, prog, cases):
        for args, words in cases:
            with self.subTest(prog=os.path.basename(prog), args=args):
                p = run(prog, *args)
                self.assertEqual(p.returncode, 2, p.stderr)
                for word in words:
                    self.assertIn(word, p.stderr)
                self.assertIn("usage:", p.stderr)
                self.assertEqual(p.stdout, "", "it ran")

    def test_bench_flowtbl(self):
        self.check_rejected(FLOWTBL, (
            (["--ms", "abc"], ["--ms", "'abc'"]),
            (["--ms", "5x"], ["--ms", "'5x'"]),
            (["--ms", ""], ["--ms"]),
            (["--ms", "0"], ["--ms", "[1, "]),
            (["--runs", "16"], ["--runs", "[1, 15]"]),
            (["--runs", "99999999999999999999999"], ["--runs"]),
            (["--pct", "100"], ["--pct", "[0, 99]"]),
            (["--cache", "-1"], ["--cache"]),
            (["--cache", "3"], ["--cache", "power of two"]),
            (["--only", "7"], ["--only", "[1, 6]"]),
            (["--mode", "4"], ["--mode"]),
            (["--inv-prob", "0"], ["--inv-prob"]),
            (["--bursts", "1e6"], ["--bursts", "'1e6'"]),
            (["--runs", "3", "--ms", "2.5"], ["--ms", "'2.5'"]),
            (["--nope"], ["nope"]),
            (["extra"], ["unexpected argument 'extra'"]),
        ))

    def test_cpu_probe(self):
        self.check_rejected(PROBE, (
            (["--blocks", "abc"], ["--blocks", "'abc'"]),
            (["--steps", "10x"], ["--steps", "'10x'"]),
            (["--steps", "99999999999999999999"], ["--steps"]),
            (["--runs", "0"], ["--runs"]),
            (["--cpu", "-2"], ["--cpu"]),
            (["--nice", "40"], ["--nice", "[-20, 19]"]),
            (["--mem-kib", "1"], ["--mem-kib"]),
            (["--blocks"], ["blocks"]),
            (["extra"], ["unexpected argument 'extra'"]),
        ))

    def test_bench_text(self):
        self.check_rejected(PROGS["bench_text"], (
            (["--flows", "many"], ["--flows", "'many'"]),
            (["--flows", "0x10"], ["--flows", "'0x10'"]),
            (["--flows", "0"], ["--flows", "[1, 16777216]"]),
            (["--runs", "7r"], ["--runs", "'7r'"]),
            (["--runs", "16"], ["--runs", "[1, 15]"]),
            (["--shape", "5"], ["--shape", "[0, 4]"]),
            (["--shape", "-1"], ["--shape"]),
            (["--flows", "99999999999999999999"], ["--flows", "'99999999999999999999'"]),
            (["--runs"], ["runs"]),
            (["--runs", "3", "7"], ["unexpected argument '7'"]),
        ))

    def test_bench_flowtbl_rtehash(self):
        self.check_rejected(PROGS["bench_flowtbl_rtehash"], (
            (["--runs", "five"], ["--runs", "'five'"]),
            (["--ms", "200ms"], ["--ms", "'200ms'"]),
            (["--runs", "0"], ["--runs", "[1, 15]"]),
            (["--ms", "-5"], ["--ms", "'-5'"]),
            (["--flows", "1000001"], ["--flows", "[1, 1000000]"]),
            (["--ms", "99999999999999999999"], ["--ms"]),
            (["--size", "1"], ["size"]),
            (["5"], ["unexpected argument '5'"]),
        ))

    def test_bench_extract(self):
        self.check_rejected(PROGS["bench_extract"], (
            (["lots"], ["ITERATIONS", "'lots'"]),
            (["2e5"], ["ITERATIONS", "'2e5'"]),
            (["0"], ["ITERATIONS", "[1, "]),
            (["99999999999999999999"], ["ITERATIONS"]),
            (["100", "9x"], ["RUNS", "'9x'"]),
            (["100", "65"], ["RUNS", "[1, 64]"]),
            (["100", "9", "1"], ["unexpected argument '1'"]),
        ))

    def test_bench_revalidator(self):
        self.check_rejected(PROGS["bench_revalidator"], (
            (["1M"], ["FLOWS", "'1M'"]),
            (["-1"], ["FLOWS", "'-1'"]),
            (["16777217"], ["FLOWS", "[1, 16777216]"]),
            (["99999999999999999999"], ["FLOWS"]),
            (["100", "17"], ["MASKS", "[1, 16]"]),
            (["100", ""], ["MASKS", "''"]),
            (["100", "4", "129"], ["PMDS", "[1, 128]"]),
            (["100", "4", "1", "0"], ["RUNS", "[1, 64]"]),
            (["100", "4", "1", "5", "x"], ["unexpected argument 'x'"]),
        ))

    def test_bench_actions(self):
        self.check_rejected(PROGS["bench_actions"], (
            (["many"], ["ROUNDS", "'many'"]),
            (["10k"], ["ROUNDS", "'10k'"]),
            (["0"], ["ROUNDS", "[1, "]),
            (["99999999999999999999"], ["ROUNDS"]),
            (["10", "10"], ["unexpected argument '10'"]),
        ))


def eal_runtime_dir(prefix):
    """Where EAL keeps a process's runtime files (eal_get_baseline_dir)."""
    base = "/var/run" if os.geteuid() == 0 else os.environ.get("XDG_RUNTIME_DIR", "/tmp")
    return os.path.join(base, "dpdk", prefix)


class GoodValues(unittest.TestCase):
    def test_help(self):
        for name, prog in PROGS.items():
            with self.subTest(prog=name):
                p = run(prog, "--help")
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertIn("usage: " + name, p.stdout)

    def test_bench_flowtbl_runs(self):
        p = run(FLOWTBL, "--only", "1", "--runs", "1", "--ms", "1", "--mode", "1",
                "--cache", "1024", "--pct", "0", "--inv-prob", "4")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("1 runs x 1 ms (median), cache 1024 entries", p.stdout)
        self.assertIn("| 1 flow / 1 mask |", p.stdout)

    def test_cpu_probe_runs(self):
        p = run(PROBE, "--cpu", probe_cpu(), "--blocks", "2", "--steps", "10", "--runs", "2",
                "--mem-steps", "0")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(p.stdout.splitlines()), 2, p.stdout)

    def test_bench_text_runs(self):
        p = run(PROGS["bench_text"], "--flows", "10", "--runs", "1", "--shape", "2")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("tcp 5-tuple, 10 flows", p.stdout)
        self.assertEqual(len(p.stdout.splitlines()), 4, p.stdout)

    def test_bench_flowtbl_rtehash_runs(self):
        p = run(PROGS["bench_flowtbl_rtehash"], "--runs", "1", "--ms", "1", "--flows", "100")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("median of 1 runs x 1 ms", p.stdout)
        self.assertRegex(p.stdout, r"\n\| 100 \| [0-9.]+ \| [0-9.]+ \|\n$")
        self.assertFalse(os.path.exists(eal_runtime_dir("bench_flowtbl_rtehash")))

    def test_bench_extract_runs(self):
        p = run(PROGS["bench_extract"], "2", "1")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("2 bursts per run", p.stdout)
        self.assertEqual(p.stdout.count("(median of 1,"), 4, p.stdout)

    def test_bench_revalidator_runs(self):
        p = run(PROGS["bench_revalidator"], "100", "2", "3", "1")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("flows 100 (of 100), masks 2, pmd slots 3", p.stdout)
        self.assertIn("over 1 runs", p.stdout)
        self.assertIn("100 deleted", p.stdout)

    def test_bench_actions_runs(self):
        p = run(PROGS["bench_actions"], "2")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.count(" ns/pkt"), 7, p.stdout)
        self.assertFalse(os.path.exists(eal_runtime_dir("bench_actions")))


if __name__ == "__main__":
    unittest.main()
