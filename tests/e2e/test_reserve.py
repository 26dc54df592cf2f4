# SPDX-License-Identifier: BSD-3-Clause
"""--reserve-flows: the daemon takes and touches the flow table's memory at
start-up (resident before any flow is added, not again when flows come),
flows then install and forward as usual, and a bad value is refused before
EAL starts."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dpsw  # noqa: E402
from e2e import Daemon, check, need_root_and_daemon, ok, run, tmpdir  # noqa: E402

need_root_and_daemon()
N_RESERVE = 200000
N_ADD = 50000
BYTES_A_FLOW = 192   # FLOWTBL_RESERVE_FLOW_BYTES


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def flows_file(n):
    path = os.path.join(tmpdir(), "flows.txt")
    with open(path, "w") as f:
        for i in range(n):
            f.write("in_port(2),eth(),eth_type(0x0800),ipv4(src=10.%d.%d.%d,proto=17,frag=no),"
                    "udp(dst=53) 1\n" % (i >> 16, (i >> 8) & 255, i & 255))
    return path


def started(opts):
    d = Daemon(["net_null0", "net_null1,no-rx=1"], ["--flow-limit", "300000"] + opts)
    time.sleep(0.5)
    return d, rss_kb(d.proc.pid)


def test_memory_taken_at_start():
    plain, rss_plain = started([])
    plain.stop()
    d, rss0 = started(["--reserve-flows", str(N_RESERVE)])
    grown_kb = rss0 - rss_plain
    check(grown_kb * 1024 >= N_RESERVE * BYTES_A_FLOW * 0.9,
          "reserved memory resident at start-up: %d kB more than without" % grown_kb)
    ok(d.sock, "add-flows", flows_file(N_ADD))
    ok(d.sock, "add-flow", "in_port(1),eth()", "2")
    count = ok(d.sock, "dump-flows").out.count("\n")
    check(count == N_ADD + 1, "flows installed: %d" % count)
    # The flows came from the reservation: resident memory grew by far
    # less than their flow slab would have needed (192 bytes a flow).
    grown_kb = rss_kb(d.proc.pid) - rss0
    check(grown_kb * 1024 < N_ADD * 192, "memory taken by %d flows: %d kB" % (N_ADD, grown_kb))
    time.sleep(0.5)
    out = ok(d.sock, "show", "-s").out
    check("port 2: net_null1" in out and "TX packets:0 " not in out.split("port 2:")[1],
          "traffic forwarded", out)
    check(d.stop() == 0, "clean exit")


def test_bad_value():
    for bad, why in (("-1", "'-1'"), ("x", "'x'"), ("100000001", "0..100000000")):
        r = subprocess.run([dpsw.switch_bin(), "--no-pci", "--", "--reserve-flows", bad],
                           capture_output=True, text=True, timeout=30)
        check(r.returncode != 0 and "--reserve-flows" in r.stderr and why in r.stderr,
              "--reserve-flows %s refused" % bad, r.returncode, r.stderr)


if __name__ == "__main__":
    run([test_memory_taken_at_start, test_bad_value])
