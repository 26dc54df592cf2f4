# SPDX-License-Identifier: BSD-3-Clause
"""examples/controller.c end to end: traffic with many new 5-tuples (a
pcap of distinct UDP flows, replayed without end by net_pcap), no flows
at start; the controller reads the MISS upcalls in batches and answers
with many flow NEWs a datagram, and with -x the packets' EXECUTEs too
(without -x none). Every 5-tuple gets its flow, the miss count stops
growing, later packets hit and leave through port 2. Bad arguments are
refused with a usage message."""
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import dpsw  # noqa: E402
from e2e import udp_packet, write_pcap  # noqa: E402

N_FLOWS = 2000
TREE = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CONTROLLER = os.environ.get("DPSW_CONTROLLER") or \
    os.path.join(TREE, "build", "debug", "dpsw-controller")


def packets():
    return [udp_packet(src="10.0.%d.%d" % (i // 250, i % 250 + 1), dst="10.1.0.1",
                       sport=1024 + i, dport=5000 + i % 7) for i in range(N_FLOWS)]


def dp_stats(d):
    out = d.ctl("show", "-s").stdout
    m = re.search(r"lookups: hit:(\d+) missed:(\d+) lost:(\d+)\s+flows: (\d+)", out)
    assert m, out
    tx = int(out.split("port 2:")[1].split("TX packets:")[1].split()[0])
    return dict(hit=int(m.group(1)), missed=int(m.group(2)), flows=int(m.group(4)), tx=tx)


def wait_for(what, cond, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.2)
    raise AssertionError("timed out waiting for " + what)


def bad_arguments():
    for args in (["-m", "1"], ["-m", "1:x"], ["-m", "999:1"], ["--bogus"], []):
        r = subprocess.run([CONTROLLER] + args, capture_output=True, text=True, timeout=30)
        assert r.returncode == 2, (args, r)
        assert "usage:" in r.stderr or "give at least one -m" in r.stderr, (args, r.stderr)
    print("ok bad arguments refused with usage")


def reactive(tmp, execute):
    pcap = os.path.join(tmp, "new_flows.pcap")
    write_pcap(pcap, packets())
    with dpsw.Daemon(["net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap, "net_null1,no-rx=1"],
                     ["--max-idle", "3600000"]) as d:
        ctl = subprocess.Popen([CONTROLLER, "--ctl", d.sock, "-m", "1:2"] +
                               (["-x"] if execute else []),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            line = ctl.stdout.readline()
            assert line.startswith("controller: listening"), line + ctl.stdout.read()
            t0 = time.monotonic()
            wait_for("%d flows" % N_FLOWS, lambda: dp_stats(d)["flows"] >= N_FLOWS, 120)
            took = time.monotonic() - t0
            # Misses stop growing: every later packet hits.
            time.sleep(0.5)
            a = dp_stats(d)
            time.sleep(1.0)
            b = dp_stats(d)
            assert b["missed"] == a["missed"], (a, b)
            assert b["hit"] > a["hit"] and b["tx"] > a["tx"], (a, b)
            assert b["flows"] == N_FLOWS, b
        finally:
            ctl.terminate()
            out = ctl.stdout.read()
            rc = ctl.wait(30)
        assert rc == 0, out
        m = re.search(r"misses (\d+), flows (\d+), executes (\d+), unmapped (\d+), "
                      r"dropped (\d+), errors (\d+), overruns (\d+), datagrams (\d+)", out)
        assert m, out
        misses, flows, executes, _, _, errors, overruns, dgrams = (int(x) for x in m.groups())
        assert flows >= N_FLOWS and errors == 0 and overruns == 0, out
        # Several misses a datagram: the daemon batches them.
        assert misses > 2 * dgrams, out
        assert executes == (flows if execute else 0), out
        assert d.stop() == 0
    print("ok %d new 5-tuples installed in %.1f s by the C controller%s (%d misses in %d "
          "datagrams, %d EXECUTEs); misses stopped, later packets hit"
          % (N_FLOWS, took, " -x" if execute else "", misses, dgrams, executes))


def main():
    bad_arguments()
    with tempfile.TemporaryDirectory(prefix="dpsw-ctlc-") as tmp:
        reactive(tmp, execute=True)
        reactive(tmp, execute=False)


if __name__ == "__main__":
    main()
