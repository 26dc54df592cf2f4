#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The benchmark programs' numeric options (bench/opts.c): a value that is
not a whole number, has junk after it, or lies outside the option's range
must stop the program before it runs, with exit status 2 and a message on
stderr that names the option and the value; good values must still run.

Usage: test_bench_opts.py PATH_TO_BENCH_FLOWTBL PATH_TO_CPU_PROBE
"""

import os
import subprocess
import sys
import unittest

FLOWTBL = sys.argv.pop(1) if len(sys.argv) > 2 else "build/debug/bench/bench_flowtbl"
PROBE = sys.argv.pop(1) if len(sys.argv) > 1 else "build/debug/bench/cpu_probe"


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


class GoodValues(unittest.TestCase):
    def test_help(self):
        for prog in (FLOWTBL, PROBE):
            p = run(prog, "--help")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("usage: " + os.path.basename(prog), p.stdout)

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


if __name__ == "__main__":
    unittest.main()
