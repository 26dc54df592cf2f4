#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""bench/pvp.py in a tiny configuration, so the PVP benchmark cannot rot:
dpdk-switch only, one run of a second at 64 and 9000 bytes (the jumbo path:
MTU 9000, --mbuf-size, a guest chaining mbufs). Each measurement must have
forwarded through the guest to the null port, and the report must hold a
row per frame size.

Needs root, dpdk-testpmd and free 2 MB hugepages (the guest shares its
memory through them); skipped (77) otherwise.
"""
import json
import os
import pathlib
import subprocess
import sys
import tempfile

TREE = pathlib.Path(__file__).resolve().parents[2]
PVP = TREE / "bench" / "pvp.py"
sys.path.insert(0, str(TREE / "tests" / "e2e"))
import dpsw  # noqa: E402
# dpdk-switch --socket-mem 512 and the guest's -m 256, in 2 MB pages.
PAGES = 400


def main():
    why = dpsw.guest_skip_reason(PAGES)
    if why:
        print("SKIP: " + why)
        return 77
    with tempfile.TemporaryDirectory(prefix="dpsw-pvp-test-") as tmp:
        r = subprocess.run([sys.executable, str(PVP), "--systems", "dpdk-switch",
                            "--sizes", "64,9000", "--runs", "1", "--warmup", "0.5",
                            "--window", "1", "--nice", "0", "--out", tmp,
                            "--data", os.path.join(tmp, "data")],
                           capture_output=True, text=True, timeout=240)
        if r.returncode != 0:
            print("FAIL: pvp.py exited %d\n%s\n%s" % (r.returncode, r.stdout, r.stderr[-4000:]))
            return 1
        rows = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
        sizes = sorted(row["frame_len"] for row in rows)
        if sizes != [64, 9000]:
            print("FAIL: expected one measurement at 64 and 9000 B, got %s\n%s" % (sizes, r.stdout))
            return 1
        for row in rows:
            # The guest sent packets back, and the switch forwarded them out.
            if not (row["system"] == "dpdk-switch" and row["mpps"] > 0
                    and row["guest_rx_mpps"] > 0 and row["guest_tx_mpps"] > 0
                    and row["cycles_per_pkt"] > 0):
                print("FAIL: nothing forwarded through the guest: %s" % row)
                return 1
        md = [p for p in os.listdir(tmp) if p.endswith(".md")]
        table = pathlib.Path(tmp, md[0]).read_text() if len(md) == 1 else ""
        if "| 64 B |" not in table or "| 9000 B |" not in table or "Gbit/s" not in table:
            print("FAIL: report without a row per frame size:\n" + table)
            return 1
        print(table, end="")
    print("ok   pvp: %s" % ", ".join("%d B %.3f Mpps" % (row["frame_len"], row["mpps"])
                                    for row in rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
