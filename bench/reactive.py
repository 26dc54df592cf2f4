#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The reactive-path benchmark (docs/PERFORMANCE.md, "Reactive path").

A miss storm against examples/controller.c, the batched C controller:

- port 1 (net_pcap, profile a_1flow replayed forever) forwards through a
  flow installed at start (--flows) to port 2 (net_null): the "installed"
  traffic whose rate during the storm is reported against its rate before;
- port 3 (net_null) is where the storm's flows send;
- at t0 the storm port is hot-plugged: net_pcap replaying forever a pcap
  of N distinct 5-tuples (bench/gen_traffic.py's c_100k, or f_1m_4masks'
  packets for N = 1M) with no flows for them. Every new 5-tuple is a
  miss; the controller (-m 4:3) installs an exact-match flow per miss and
  sends the packet on. The offered rate of new 5-tuples is the replay's
  rate: the whole pcap (N new flows) goes past in N / replay-rate seconds,
  then again, until every 5-tuple has its flow.

It samples `show --json` every 100 ms and prints one JSON line:
  new_flows_per_s   flows installed / seconds until the flow count reached N
                    (to the sampling's resolution, ~0.1 s: use a profile
                    whose storm lasts seconds)
  misses_lost       n_lost's growth from t0 (misses nobody took: queue
                    full, listener behind, over --upcall-rate)
  settle_s          time from t0 until the miss count stopped growing
                    (no growth over the last --quiet seconds)
  installed_ratio   port 2's forwarding rate during the storm (t0 until
                    all flows are in and misses stopped) over its rate in
                    the --window before t0 (null: storm under 0.2 s)

Usage: bench/reactive.py [--build build/release] [--profile c_100k]
                         [--window 3] [--quiet 1] [--timeout 120] [--no-huge]
                         [--upcall-rate N]
Run as root on an otherwise quiet machine: a benchmark on a shared one
measures the neighbours. Open vSwitch is not run by this script (yet).
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TREE = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TREE, "tests", "e2e"))
import dpsw  # noqa: E402


class Bench:
    def __init__(self, a):
        self.a = a
        self.dir = tempfile.mkdtemp(prefix="dpsw-reactive-")
        self.ctl_bin = os.path.join(a.build, "src/client/dpdk-switch-ctl")
        self.daemon = self.controller = None

    def ctl(self, *args):
        r = subprocess.run([self.ctl_bin, "--ctl", self.daemon.sock] + list(args),
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("%s: %s" % (" ".join(args), r.stderr))
        return r.stdout

    def gen(self, profile):
        subprocess.run([os.path.join(HERE, "gen_traffic.py"), "gen", profile, "--out-dir",
                        self.dir], check=True, stdout=subprocess.DEVNULL)
        return os.path.join(self.dir, profile + ".pcap")

    def start(self):
        installed = self.gen("a_1flow")  # and its flow: in_port(1) ... -> 2
        flows = os.path.join(self.dir, "a_1flow.flows")
        self.storm = self.gen(self.a.profile)
        # Distinct 5-tuples in the pcap: one a packet (flows, masks, packets).
        row = subprocess.run([os.path.join(HERE, "gen_traffic.py"), "list"], check=True,
                             capture_output=True, text=True).stdout.split(
            "\n" + self.a.profile + " ")[1].split()
        self.n = min(int(row[0]), int(row[2]))
        mb = 512 + self.n * 3 // 1024  # ~2.5 KB a held mbuf
        huge = not self.a.no_huge and dpsw.hugepages_free() >= mb // 2
        vdevs = ("net_pcap0,rx_pcap=%s,infinite_rx=1" % installed, "net_null1,no-rx=1",
                 "net_null2,no-rx=1")
        # net_pcap's infinite_rx holds the whole pcap in mbufs.
        options = ["--flows", flows, "--flow-limit", "2000000", "--max-idle", "3600000",
                   "--mbufs", str(self.n + 65536)]
        if self.a.upcall_rate:
            options += ["--upcall-rate", str(self.a.upcall_rate)]
        self.daemon = dpsw.Daemon(vdevs, options, tmpdir=self.dir,
                                  mem=(["-m"] if huge else ["--no-huge", "-m"]) + [str(mb)],
                                  switch=os.path.join(self.a.build, "src/dpdk-switch"))
        self.daemon.start(timeout=60)
        self.controller = subprocess.Popen(
            [os.path.join(self.a.build, "dpsw-controller"), "--ctl", self.daemon.sock,
             "-m", "4:3"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        line = self.controller.stdout.readline()
        if not line.startswith("controller: listening"):
            raise RuntimeError("controller: " + line + self.controller.stdout.read())

    def sample(self):
        s = json.loads(self.ctl("--json", "show"))
        tx = {p["port_no"]: p["stats"]["tx_packets"] for p in s["ports"] if "stats" in p}
        return dict(t=time.monotonic(), flows=s["flows"], missed=s["lookups"]["missed"],
                    lost=s["lookups"]["lost"], tx2=tx.get(2, 0))

    def run(self):
        n = self.n
        before = self.sample()
        time.sleep(self.a.window)
        base = self.sample()
        base_rate = (base["tx2"] - before["tx2"]) / (base["t"] - before["t"])
        n0 = base["flows"]
        self.ctl("add-if", "net_pcap3,rx_pcap=%s,infinite_rx=1" % self.storm)
        t0 = time.monotonic()
        samples = [self.sample()]
        full_t = None
        while time.monotonic() - t0 < self.a.timeout:
            time.sleep(0.1)
            s = self.sample()
            samples.append(s)
            if full_t is None and s["flows"] - n0 >= n:
                full_t = s["t"]
            quiet = [x for x in samples if x["t"] >= s["t"] - self.a.quiet]
            if full_t and quiet[0]["t"] <= s["t"] - self.a.quiet + 0.15 and \
                    quiet[0]["missed"] == s["missed"]:
                break
        last_change = samples[0]
        for prev, cur in zip(samples, samples[1:]):
            if cur["missed"] != prev["missed"]:
                last_change = cur
        # The storm lasts until the flows are all in and misses stopped;
        # shorter than two samples, its forwarding cannot be told.
        end_t = max(last_change["t"], full_t or 0)
        end = next(x for x in samples if x["t"] >= end_t)
        span = end["t"] - samples[0]["t"]
        storm_rate = (end["tx2"] - samples[0]["tx2"]) / span if span >= 0.2 else None
        return dict(profile=self.a.profile, new_flows=n,
                    installed=samples[-1]["flows"] - n0,
                    new_flows_per_s=round(n / (full_t - t0)) if full_t else None,
                    misses_lost=samples[-1]["lost"] - samples[0]["lost"],
                    settle_s=round(last_change["t"] - t0, 3),
                    installed_ratio=round(storm_rate / base_rate, 3)
                    if base_rate and storm_rate is not None else None,
                    complete=full_t is not None)

    def stop(self):
        if self.controller and self.controller.poll() is None:
            self.controller.send_signal(signal.SIGTERM)
            print(self.controller.communicate(timeout=30)[0].strip(), file=sys.stderr)
        if self.daemon:
            self.daemon.stop(60)
        shutil.rmtree(self.dir, ignore_errors=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build", default=os.path.join(TREE, "build", "release"))
    p.add_argument("--profile", default="c_100k", help="storm pcap (gen_traffic.py list)")
    p.add_argument("--window", type=float, default=3.0, help="baseline seconds before t0")
    p.add_argument("--quiet", type=float, default=1.0,
                   help="no miss growth this long: settled")
    p.add_argument("--timeout", type=float, default=120.0)
    p.add_argument("--upcall-rate", type=int, default=0)
    p.add_argument("--no-huge", action="store_true")
    a = p.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench/reactive.py: run as root (hugepages)")
    b = Bench(a)
    try:
        b.start()
        print(json.dumps(b.run()), flush=True)
    finally:
        b.stop()


if __name__ == "__main__":
    main()
