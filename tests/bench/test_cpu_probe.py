#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Tests of the slow-spell probe (bench/cpu_probe.c): it must see a slowdown,
and tell which kind.

A process spinning on the probe's CPU takes about half of it: the probe's
wall time for its fixed job ("us") must grow, while its CPU time ("cpu_us",
the reading bench/report.py flags on) and the job at the CPU's own speed
("best_us", the fastest block) must not. A slow spell of the host stretches
cpu_us too (this guest's kernel cannot see the host take the vCPU away or
run it slower); no process in the guest can make one, so the test checks
the other half of that promise: the readings grow with the work, step for
step.

Usage: test_cpu_probe.py PATH_TO_CPU_PROBE
"""

import os
import re
import subprocess
import sys
import time
import unittest

PROBE = sys.argv.pop(1) if len(sys.argv) > 1 else "build/debug/bench/cpu_probe"
LINE = re.compile(r"^us=(\d+) cpu_us=(\d+) best_us=(\d+) mem_cpu_us=(\d+) mem_best_us=(\d+)$")
# Readings a phase; the least of them is the phase's figure: other jobs on a
# shared machine can only make a reading slower.
READINGS = 3


def probe_cpu():
    """CPU 1 as in the benchmark where this process may use it, else the
    highest CPU it may use."""
    allowed = os.sched_getaffinity(0)
    return 1 if 1 in allowed else max(allowed)


def run_probe(*args):
    return subprocess.run([PROBE, *map(str, args)], capture_output=True, text=True,
                          check=False, timeout=60)


def readings(cpu, steps=65536):
    """(us, cpu_us, best_us) of READINGS jobs (no memory job)."""
    p = run_probe("--cpu", cpu, "--blocks", 128, "--steps", steps, "--mem-steps", 0,
                  "--runs", READINGS)
    if p.returncode != 0:
        raise AssertionError(f"cpu_probe failed: {p.stderr}")
    out = []
    for line in p.stdout.splitlines():
        m = LINE.match(line)
        if not m:
            raise AssertionError(f"cpu_probe printed {line!r}")
        out.append((int(m[1]), int(m[2]), int(m[3])))
        if m[4] != "0":
            raise AssertionError(f"memory job ran with --mem-steps 0: {line!r}")
    return out


class Spinner:
    """A busy loop pinned to one CPU, stopped by its PID on exit."""

    def __init__(self, cpu):
        self.cpu = cpu
        self.proc = None

    def __enter__(self):
        self.proc = subprocess.Popen([sys.executable, "-c",
                                      f"import os\nos.sched_setaffinity(0, {{{self.cpu}}})\n"
                                      "while True:\n    pass\n"])
        time.sleep(0.3)  # pinned and running before the probe starts
        if self.proc.poll() is not None:
            raise AssertionError("the spinner exited")
        return self

    def __exit__(self, *exc):
        self.proc.kill()
        self.proc.wait()


class CpuProbe(unittest.TestCase):
    def test_output_and_runs(self):
        p = run_probe("--cpu", probe_cpu(), "--blocks", 4, "--steps", 1000, "--runs", 2)
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.splitlines()
        self.assertEqual(len(lines), 2)
        for line in lines:
            m = LINE.match(line)
            self.assertIsNotNone(m, line)
            us, cpu_us, best_us = int(m[1]), int(m[2]), int(m[3])
            self.assertLessEqual(best_us, us + 1, "best job no slower than the job")
            # The two clocks are read a few instructions apart: a little slack.
            self.assertLessEqual(cpu_us, us * 1.02 + 5, "CPU time within the wall time")

    def test_memory_job_follows_the_work(self):
        """The memory job's reading grows with its loads, and with its table
        once that no longer fits a cache: it measures memory, not a loop."""
        def mem(kib, steps):
            p = run_probe("--cpu", probe_cpu(), "--blocks", 1, "--steps", 1,
                          "--mem-kib", kib, "--mem-steps", steps, "--runs", READINGS)
            self.assertEqual(p.returncode, 0, p.stderr)
            return min(int(LINE.match(line)[4]) for line in p.stdout.splitlines())

        small, big = mem(64, 200000), mem(65536, 200000)
        self.assertGreater(big, 3 * small, (small, big))
        one, two = mem(65536, 100000), mem(65536, 200000)
        self.assertGreater(two / one, 1.6, (one, two))
        self.assertLess(two / one, 2.4, (one, two))

    def test_bad_options(self):
        # 2: a usage error (bench/opts.c); 1: a good option the probe could not follow.
        for args, word, status in ((["--blocks", "0"], "--blocks", 2),
                                   (["--steps", "x"], "--steps", 2),
                                   (["--cpu", "1000"], "CPU 1000", 1), (["extra"], "extra", 2),
                                   (["--nice", "40"], "--nice", 2),
                                   (["--mem-kib", "1"], "--mem-kib", 2)):
            p = run_probe(*args)
            self.assertEqual(p.returncode, status, args)
            self.assertIn(word, p.stderr, args)
            self.assertEqual(p.stdout, "", args)

    def test_spinner_on_its_cpu_is_seen(self):
        cpu = probe_cpu()
        alone = readings(cpu)
        with Spinner(cpu):
            shared = readings(cpu)
        alone += readings(cpu)
        least = [min(r[i] for r in alone) for i in range(3)]
        us_shared, cpu_shared, best_shared = (min(r[i] for r in shared) for i in range(3))
        detail = f"alone {alone}, with a spinner {shared}"
        # Half the CPU: about twice the wall time; 1.3x leaves room for noise.
        self.assertGreater(us_shared, 1.3 * least[0], detail)
        # The job's own time: a few cache refills after each switch at most.
        self.assertLess(cpu_shared, 1.25 * least[1], detail)
        self.assertLess(best_shared, 1.2 * least[2], detail)

    def test_reading_follows_the_work(self):
        """The reading report.py flags on (the fastest block) grows with the
        steps a block as a slower CPU would make it grow."""
        cpu = probe_cpu()
        one = min(r[2] for r in readings(cpu, 32768))
        two = min(r[2] for r in readings(cpu, 65536))
        # 1.5x the steps a block is what a 1.5x slow spell looks like.
        three = min(r[2] for r in readings(cpu, 49152))
        self.assertGreater(two / one, 1.7, (one, two))
        self.assertLess(two / one, 2.3, (one, two))
        self.assertGreater(three / one, 1.3, (one, three))
        self.assertLess(three / one, 1.7, (one, three))


if __name__ == "__main__":
    unittest.main()
