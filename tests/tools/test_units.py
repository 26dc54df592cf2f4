#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The systemd units meson configured pass `systemd-analyze verify` (which
needs no systemd running), with ExecStart pointing at the daemon just
built; and a unit with a mistake does not."""
import os
import re
import subprocess
import sys
import tempfile

BUILD_DIST = sys.argv[1]   # build/.../dist, where meson configured the units
DAEMON = os.environ["DPDK_SWITCH"]
UNITS = ["dpdk-switch.service", "dpdk-switch-hugepages.service"]


def verify(d):
    return subprocess.run(["systemd-analyze", "verify", "--man=no"] +
                          [os.path.join(d, u) for u in UNITS],
                          capture_output=True, text=True, timeout=120)


def main():
    with tempfile.TemporaryDirectory() as d:
        for u in UNITS:
            with open(os.path.join(BUILD_DIST, u)) as f:
                text = f.read()
            # The installed path (not there yet) becomes the built daemon.
            text = re.sub(r"^ExecStart=\S+/dpdk-switch ", "ExecStart=%s " % DAEMON, text,
                          flags=re.M)
            with open(os.path.join(d, u), "w") as f:
                f.write(text)
        r = verify(d)
        assert r.returncode == 0 and r.stderr.strip() == "", r
        # The check can fail: an unknown key, and a program that is not there.
        path = os.path.join(d, UNITS[0])
        with open(path) as f:
            good = f.read()
        with open(path, "w") as f:
            f.write(good.replace("Type=notify", "Typ=notify"))
        r = verify(d)
        assert "Unknown key 'Typ'" in r.stderr, r  # rc 0: the empty-stderr check catches it
        with open(path, "w") as f:
            f.write(good.replace("ExecStart=" + DAEMON, "ExecStart=/nonexistent/dpdk-switch"))
        r = verify(d)
        assert r.returncode != 0 and "/nonexistent/dpdk-switch" in r.stderr, r
    print("ok")


if __name__ == "__main__":
    main()
