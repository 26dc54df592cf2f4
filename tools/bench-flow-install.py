#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Flow install rate of `dpdk-switch-ctl add-flows` (docs/PERFORMANCE.md).

Starts a release-build daemon, installs N flows from a file RUNS times
(flushing between runs) and prints each run's rate and the median. With
--traffic, a net_pcap port replays a packet forever into a flow that
forwards it to a net_null port, and the forwarding rate (packets sent on
port 2, read just before and after) during each install is compared with
the rate over an equally long time without install.

The flow limit is pinned for the run: the daemon runs with --flow-limit
max(200000, 2N) and without --max-idle, so the limit is that fixed cap and
the daemon never deletes a flow by itself (the kernel datapath's default).
--max-idle MS measures the daemon managing its table as a cache instead:
then the limit follows the revalidator (DESIGN.md's formula), and on a
loaded machine a round over 1M flows that takes more than 1.3 s lowers it,
idle flows expire early and the run's del-flows finds some gone; the run
then stops with that explanation rather than a bare "no such flow".

Pinning: EAL puts the control thread on lcore 0 and the PMD on lcore 1;
the client runs on CPU 0 (taskset; --client-cpus changes it), so that on
a 2-CPU machine it competes with the control thread, not with the PMD.
With one CPU the client parses in its sending thread (--threads 0).

Usage: tools/bench-flow-install.py [--build build/release] [--flows 100000]
       [--runs 5] [--traffic] [--batch-size B] [--window W] [--client-cpus 0] [--no-huge]
       [--reserve] [--fresh] [--max-idle MS]
"""
import argparse
import json
import os
import re
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time

TREE = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(TREE, "tests", "e2e"))
import dpsw  # noqa: E402


def flow(i, port):
    return ("in_port(%d),eth(),eth_type(0x0800),ipv4(src=10.%d.%d.%d,proto=17,frag=no),"
            "udp(dst=53)" % (port, i >> 16, (i >> 8) & 255, i & 255))


def write_pcap(path):
    udp = struct.pack("!HHHH", 1234, 53, 8 + 18, 0) + bytes(18)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                     bytes([10, 1, 0, 1]), bytes([10, 2, 0, 1]))
    pkt = bytes.fromhex("000000000002000000000001") + b"\x08\x00" + ip + udp
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        f.write(struct.pack("<IIII", 0, 0, len(pkt), len(pkt)) + pkt)


class Bench:
    def __init__(self, args):
        self.a = args
        self.ctl_bin = os.path.join(args.build, "src/client/dpdk-switch-ctl")
        self.dir = tempfile.mkdtemp(prefix="dpsw-bench-")
        self.daemon = None

    def ctl(self, *args, check=True):
        pin = ["taskset", "-c", self.a.client_cpus] if self.a.client_cpus else []
        r = subprocess.run(pin + [self.ctl_bin, "--ctl", self.daemon.sock] + list(args),
                           capture_output=True, text=True)
        if check and r.returncode != 0:
            raise RuntimeError("%s: %s" % (" ".join(args), r.stderr))
        return r

    def start(self):
        if self.a.traffic:
            pcap = os.path.join(self.dir, "in.pcap")
            write_pcap(pcap)
            vdevs = ["net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap, "net_null0,no-rx=1"]
        else:
            vdevs = ["net_null0,no-rx=1", "net_null1,no-rx=1"]
        if not self.a.no_huge and dpsw.hugepages_free() < 160:
            print("fewer than 160 free hugepages: running with --no-huge", flush=True)
            self.a.no_huge = True
        options = ["--flow-limit", str(max(200000, 2 * self.a.flows))]
        if self.a.max_idle:
            options += ["--max-idle", str(self.a.max_idle)]
        if self.a.reserve:
            options += ["--reserve-flows", str(self.a.flows)]
        self.daemon = dpsw.Daemon(vdevs, options, tmpdir=self.dir,
                                  mem=["--no-huge", "-m", "1024"] if self.a.no_huge
                                  else ["-m", "256"],
                                  switch=os.path.join(self.a.build, "src/dpdk-switch"))
        self.daemon.start(timeout=60)

    def stop_daemon(self):
        if self.daemon:
            self.daemon.stop(30)
        self.daemon = None

    def stop(self):
        self.stop_daemon()
        shutil.rmtree(self.dir, ignore_errors=True)

    def show(self):
        return json.loads(self.ctl("show", "--json").stdout)

    def tx(self):
        return [p for p in self.show()["ports"] if p["port_no"] == 2][0]["stats"]["tx_packets"]

    def pmd_cpu_s(self):
        """CPU time the PMD thread has had (schedstat), in seconds: on a
        shared machine the PMD does not get its CPU to itself."""
        task = "/proc/%d/task" % self.daemon.proc.pid
        for tid in os.listdir(task):
            with open("%s/%s/comm" % (task, tid)) as f:
                if f.read().startswith("rte-worker"):
                    with open("%s/%s/schedstat" % (task, tid)) as g:
                        return int(g.read().split()[0]) / 1e9
        raise RuntimeError("no PMD thread")

    def forwarded(self, seconds=None, cmd=None):
        """Packets sent on port 2 over 'seconds' of sleep, or over the run of
        'cmd': per second of wall-clock time and per second of the PMD's CPU
        time; and cmd's result. The counter is read just before and just
        after, while the control thread is idle, so the reads are not
        delayed by the install they bracket."""
        t0, c0, n0 = time.monotonic(), self.pmd_cpu_s(), self.tx()
        result = self.ctl(*cmd) if cmd else time.sleep(seconds)
        t1, c1, n1 = time.monotonic(), self.pmd_cpu_s(), self.tx()
        return (n1 - n0) / (t1 - t0), (n1 - n0) / (c1 - c0), t1 - t0, result

    def one_run(self, path):
        cmd = ["add-flows", "-s", "--batch-size", str(self.a.batch_size), "--window",
               str(self.a.window), path]
        dip = None
        if self.a.traffic:
            during, during_cpu, secs, r = self.forwarded(cmd=cmd)
            time.sleep(0.5)
            base, base_cpu, _, _ = self.forwarded(seconds=secs)
            dip = (base, during, 100.0 * (1 - during / base), base_cpu, during_cpu,
                   100.0 * (1 - during_cpu / base_cpu))
            wall = None
        else:
            t0 = time.monotonic()
            r = self.ctl(*cmd)
            wall = self.a.flows / (time.monotonic() - t0)
        m = re.search(r"(\d+) flows added, 0 failed, 0 bad lines in ([\d.]+) s", r.stderr)
        if not m or int(m.group(1)) != self.a.flows:
            raise RuntimeError("install failed: " + r.stderr[-500:])
        rate = self.a.flows / float(m.group(2))
        # By file, not a flush: the traffic's flow stays.
        r = self.ctl("del-flows", "-s", path, check=False)
        m = re.search(r"(\d+) flows deleted, 0 failed, 0 bad lines in ([\d.]+) s", r.stderr)
        if not m:
            gone = " (the revalidator expired flows: --max-idle's dynamic limit fell below " \
                   "the table)" if self.a.max_idle and "no such flow" in r.stderr else ""
            raise RuntimeError("del-flows failed%s: %s" % (gone, r.stderr[-500:]))
        return rate, wall, dip, self.a.flows / float(m.group(2))

    def run(self):
        path = os.path.join(self.dir, "flows.txt")
        port = 2 if self.a.traffic else 1  # not the traffic's port: no overlap
        with open(path, "w") as f:
            for i in range(self.a.flows):
                f.write("%s 1\n" % flow(i, port))
        rates, walls, dips, cpu_dips, dels = [], [], [], [], []
        for i in range(self.a.runs):
            if i == 0 or self.a.fresh:
                self.stop_daemon()
                self.start()
                if self.a.traffic:
                    self.ctl("add-flow", "in_port(1),eth(),eth_type(0x0800),ipv4(frag=no)", "2")
            rate, wall, dip, delrate = self.one_run(path)
            rates.append(rate)
            dels.append(delrate)
            line = "run %d: add %.0f flows/s" % (i + 1, rate)
            if wall:
                walls.append(wall)
                line += " (%.0f flows/s wall-clock, with start-up)" % wall
            line += "; del %.0f flows/s" % delrate
            if dip:
                dips.append(dip[2])
                cpu_dips.append(dip[5])
                line += ("; forwarding %.2f Mpps idle, %.2f Mpps during: dip %.1f%%; per PMD "
                         "CPU-second %.2f / %.2f Mpps: dip %.1f%%" % (
                             dip[0] / 1e6, dip[1] / 1e6, dip[2], dip[3] / 1e6, dip[4] / 1e6,
                             dip[5]))
            print(line, flush=True)
        print("median: add %.0f flows/s%s; del %.0f flows/s%s" % (
            statistics.median(rates),
            " (%.0f wall-clock)" % statistics.median(walls) if walls else "",
            statistics.median(dels),
            "; forwarding dip %.1f%% (wall), %.1f%% (per PMD CPU-second)" % (
                statistics.median(dips), statistics.median(cpu_dips)) if dips else ""))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\nUsage:")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default=os.path.join(TREE, "build/release"))
    p.add_argument("--flows", type=int, default=100000)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--traffic", action="store_true")
    p.add_argument("--batch-size", type=int, default=131072)
    p.add_argument("--window", type=int, default=8)
    p.add_argument("--no-huge", action="store_true", help="EAL without hugepages")
    p.add_argument("--reserve", action="store_true",
                   help="daemon with --reserve-flows FLOWS (memory touched at start-up)")
    p.add_argument("--fresh", action="store_true",
                   help="a new daemon for every run: each install goes into a new, empty "
                   "table (default: one daemon, flows deleted by file between runs)")
    p.add_argument("--max-idle", type=int, default=0, metavar="MS",
                   help="daemon with --max-idle MS: a cache whose flow limit follows the "
                   "revalidator and may expire flows mid-run under load (default: no "
                   "--max-idle, the limit pinned at --flow-limit max(200000, 2 x FLOWS))")
    p.add_argument("--client-cpus", default="0",
                   help="taskset CPU list for the client ('' = not pinned)")
    b = Bench(p.parse_args())
    try:
        b.run()
    finally:
        b.stop()


if __name__ == "__main__":
    sys.exit(main())
