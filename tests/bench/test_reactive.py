#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""bench/reactive.py in a tiny configuration, so the reactive benchmark
cannot rot: dpdk-switch only, a storm of 3000 new 5-tuples at 30 000 a
second from bench/storm_gen. Every 5-tuple must get its flow, the
generator must have sent within 10 % of the rate asked, and the figures of
the report must be there (the samples come over one kept connection,
and the generator reports its own CPU).

Needs root (EAL); skipped (77) otherwise. Runs the build the tests run
(the directory of $DPSW_CONTROLLER), without hugepages.
"""
import json
import os
import pathlib
import subprocess
import sys

TREE = pathlib.Path(__file__).resolve().parents[2]
REACTIVE = TREE / "bench" / "reactive.py"
FLOWS, RATE = 3000, 30000
# The sent rate's bounds, as shares of RATE: room for a few skipped
# milliseconds on a loaded machine, none for a generator 30 % short.
RATE_MIN, RATE_MAX = 0.9, 1.05


def main():
    if os.geteuid() != 0:
        print("SKIP: needs root (EAL)")
        return 77
    build = os.path.dirname(os.environ.get("DPSW_CONTROLLER") or
                            str(TREE / "build" / "debug" / "dpsw-controller"))
    r = subprocess.run([sys.executable, str(REACTIVE), "--build", build, "--systems",
                        "dpdk-switch", "--flows", str(FLOWS), "--rate", str(RATE),
                        "--window", "0.5", "--quiet", "0.5", "--timeout", "60", "--no-huge"],
                       capture_output=True, text=True, timeout=240)
    if r.returncode != 0:
        print("FAIL: reactive.py exited %d\n%s\n%s" % (r.returncode, r.stdout,
                                                       r.stderr[-4000:]))
        return 1
    rows = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
    if len(rows) != 1:
        print("FAIL: expected one result line:\n" + r.stdout)
        return 1
    row = rows[0]
    checks = (
        (row["complete"] and row["installed"] == FLOWS, "every 5-tuple got its flow"),
        # The generator paces from elapsed time and stops its clock when
        # the switch leaves: it must be close to the rate asked.
        (RATE_MIN * RATE <= row["sent_per_s"] <= RATE_MAX * RATE, "the generator kept its rate"),
        (row["new_flows_per_s"] > 0 and row["settle_s"] > 0, "rate and settle time"),
        (row["ctl_us_per_flow"] is not None and row["ctl_us_per_flow"] > 0,
         "control thread CPU a flow"),
        (row["installed_mpps_before"] > 0, "the installed flow forwarded"),
        (row["storm_gen_cpu_pct"] is not None and 0 <= row["storm_gen_cpu_pct"] < 100,
         "the generator's CPU"),
        (row["sampler_cpu_pct"] is not None and row["sampler_cpu_pct"] >= 0, "the sampler's CPU"),
    )
    for ok, what in checks:
        if not ok:
            print("FAIL: %s: %s\n%s" % (what, row, r.stderr[-2000:]))
            return 1
    print("ok   reactive: %d flows, %d storm packets/s sent, %d new flows/s, installed flow kept %s"
          % (FLOWS, row["sent_per_s"], row["new_flows_per_s"], row["installed_ratio"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
