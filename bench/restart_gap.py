#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The forwarding gap of a daemon restart with a big flow table.

As a service manager restarts the daemon: SIGTERM (the daemon writes its
flows to --save-flows and exits), then the same command line again, whose
--flows is that file. Two hosts in network namespaces this script makes,
on net_tap ports; host A sends a UDP stream at a fixed rate to host B
through one of the flows; B timestamps what it receives. Reported: the
packets lost, the longest time B received nothing (the gap), and where
the time went (the stop with its save; EAL and the flow load to
"forwarding"; moving the new tap interfaces into the namespaces).

The taps go with the daemon that made them (DPDK's tap PMD deletes its
interface on close), so after the start the new interfaces are moved back
into the namespaces and configured, as fast as they appear: a user of
tap ports pays that too. Neighbour entries are static, so no ARP after it.

Usage (root, from the tree; build/release or build/debug):
    bench/restart_gap.py [--flows N] [--rate PPS] [--runs N] [--huge 0|1]
Everything it creates (namespaces, taps, daemons, files) is removed at the
end, by name and PID, whatever happens.
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

TREE = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(TREE, "tests", "e2e"))
import dpsw  # noqa: E402
from netns import sh  # noqa: E402

TAG = "rg%d" % os.getpid()
PORT = 9000

# The receiver: (seq, arrival time) of every datagram, written at the end.
RECEIVER = r"""
import socket, struct, sys, time, json
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
s.bind((sys.argv[1], int(sys.argv[2])))
s.settimeout(0.5)
end = time.monotonic() + float(sys.argv[3])
got = []
print("ready", flush=True)
while time.monotonic() < end:
    try:
        b = s.recv(64)
    except socket.timeout:
        continue
    got.append((struct.unpack("!I", b[:4])[0], time.monotonic()))
json.dump(got, open(sys.argv[4], "w"))
"""

# The sender: one datagram every 1/rate s, paced on the clock (a late
# wake-up sends what is due at once); a send that fails (no interface
# between the stop and the re-plumbing) is counted, not retried.
SENDER = r"""
import socket, struct, sys, time, json
dst, port, rate, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
t0, seq, failed = time.monotonic(), 0, 0
while True:
    now = time.monotonic()
    if now - t0 >= secs:
        break
    while seq < (now - t0) * rate:
        try:
            s.sendto(struct.pack("!I", seq) + bytes(60), (dst, port))
        except OSError:
            failed += 1
        seq += 1
    time.sleep(0.0002)
json.dump({"sent": seq, "failed": failed, "t0": t0}, open(sys.argv[5], "w"))
"""


class Host:
    def __init__(self, i):
        self.ns = "%sh%d" % (TAG, i)
        self.iface = "%st%d" % (TAG, i)
        self.mac = "02:00:5e:00:01:%02x" % (i + 1)
        self.ip = "10.78.0.%d" % (i + 1)

    def run(self, *cmd, **kw):
        return sh("ip", "netns", "exec", self.ns, *cmd, **kw)


def flow_file(path, n, a, b):
    """n flows: the stream's two, the rest exact UDP flows of the same
    mask that no packet hits, plus 100 of a second mask; all with UFIDs."""
    mask = ("in_port(%d),eth(),eth_type(0x0800),ipv4(src=%s,dst=%s,proto=17,frag=no),"
            "udp(dst=%d) %d")
    lines = [mask % (1, a.ip, b.ip, PORT, 2), mask % (2, b.ip, a.ip, PORT, 1)]
    for i in range(100):
        lines.append("in_port(1),eth(),eth_type(0x0800),ipv4(dst=10.%d.0.0/255.255.0.0,"
                     "frag=no) 2" % (100 + i))
    i = 0
    while len(lines) < n:
        lines.append(mask % (1, "10.%d.%d.%d" % (200 + (i >> 16), (i >> 8) & 255, i & 255),
                             "10.250.0.1", 1000 + i % 50000, 2))
        i += 1
    with open(path, "w") as f:
        for k, x in enumerate(lines):
            f.write("ufid:%08x-0000-4000-8000-%012x %s\n" % (0x7e570000, k, x))


def plumb(hosts, timeout=60):
    """Move each host's tap into its namespace and configure it. Call once
    the daemon has set its ports up (their queues open the interface by
    name: one moved away before would be made anew). Returns when all are
    up."""
    deadline = time.monotonic() + timeout
    pending = list(hosts)
    while pending:
        for h in list(pending):
            if os.path.exists("/sys/class/net/" + h.iface):
                sh("ip", "link", "set", h.iface, "netns", h.ns)
                h.run("ip", "link", "set", h.iface, "address", h.mac)
                h.run("ip", "addr", "add", h.ip + "/24", "dev", h.iface)
                h.run("ip", "link", "set", h.iface, "up")
                pending.remove(h)
        if time.monotonic() > deadline:
            raise RuntimeError("tap interfaces did not appear: %s" % [h.iface for h in pending])
        time.sleep(0.001)
    for h in hosts:
        for o in hosts:
            if o is not h:
                h.run("ip", "neigh", "replace", o.ip, "lladdr", o.mac, "dev", h.iface,
                      "nud", "permanent")


def wait_line(log, text, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(log) as f:
            if text in f.read():
                return time.monotonic()
        time.sleep(0.002)
    raise RuntimeError("no %r in %s:\n%s" % (text, log, open(log).read()[-3000:]))


class Run:
    def __init__(self, args, tmp):
        self.args, self.tmp = args, tmp
        self.hosts = [Host(0), Host(1)]
        self.flows = os.path.join(tmp, "flows.txt")
        self.prefix = TAG
        self.procs = []
        self.daemon = None
        huge = dpsw.use_hugepages() if args.huge is None else args.huge == 1
        # The unit's command line: the same at both starts.
        self.cmd = [dpsw.switch_bin(), "-l", "0-1", "--no-pci", "--file-prefix", self.prefix,
                    "--log-level", "lib.eal:warning"] + dpsw.eal_memory_args(huge)
        for i, h in enumerate(self.hosts):
            self.cmd += ["--vdev", "net_tap%d,iface=%s" % (i, h.iface)]
        self.cmd += ["--", "--ctl", os.path.join(tmp, "ctl.sock"), "--flows", self.flows,
                     "--save-flows", self.flows, "--max-idle", "3600000",
                     "--flow-limit", str(max(args.flows * 2, 200000))]

    def start_daemon(self, n):
        log = os.path.join(self.tmp, "daemon%d.log" % n)
        self.daemon = subprocess.Popen(self.cmd, stdout=open(log, "w"), stderr=subprocess.STDOUT)
        return log

    def setup(self):
        for h in self.hosts:
            sh("ip", "netns", "add", h.ns)
            h.run("sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1",
                  "net.ipv6.conf.default.disable_ipv6=1")
            h.run("ip", "link", "set", "lo", "up")
        flow_file(self.flows, self.args.flows, *self.hosts)
        log = self.start_daemon(1)
        wait_line(log, " port(s), ", 120)
        if self.daemon.poll() is not None:
            raise RuntimeError("the daemon exited:\n" + open(log).read()[-3000:])
        plumb(self.hosts)
        wait_line(log, "forwarding;", 120)

    def measure(self):
        a, b = self.hosts
        secs = self.args.seconds
        rx_out, tx_out = os.path.join(self.tmp, "rx.json"), os.path.join(self.tmp, "tx.json")
        rx = subprocess.Popen(["ip", "netns", "exec", b.ns, "/usr/bin/python3", "-c", RECEIVER,
                               b.ip, str(PORT), str(secs + 3), rx_out], stdout=subprocess.PIPE,
                              text=True)
        self.procs.append(rx)
        if rx.stdout.readline().strip() != "ready":
            raise RuntimeError("receiver did not start")
        tx = subprocess.Popen(["ip", "netns", "exec", a.ns, "/usr/bin/python3", "-c", SENDER,
                               b.ip, str(PORT), str(self.args.rate), str(secs), tx_out])
        self.procs.append(tx)
        time.sleep(secs / 3)
        t_term = time.monotonic()
        self.daemon.send_signal(signal.SIGTERM)
        self.daemon.wait(120)
        t_exit = time.monotonic()
        old_log = open(os.path.join(self.tmp, "daemon1.log")).read()
        saved = re.search(r"(\d+) flow\(s\) saved to \S+ in (\d+) ms", old_log)
        log = self.start_daemon(2)
        wait_line(log, " port(s), ", 120)   # before the flows load
        plumb(self.hosts)
        t_plumbed = time.monotonic()
        t_fwd = wait_line(log, "forwarding;", 120)
        tx.wait(secs + 60)
        rx.wait(secs + 60)
        got = json.load(open(rx_out))
        sent = json.load(open(tx_out))
        new_log = open(log).read()
        loaded = re.search(r"(\d+) flow\(s\) from \S+ in (\d+) ms", new_log)
        return self.report(got, sent, t_term, t_exit, t_plumbed, t_fwd,
                           [int(x) for x in saved.groups()] if saved else None,
                           [int(x) for x in loaded.groups()] if loaded else None)

    def report(self, got, sent, t_term, t_exit, t_plumbed, t_fwd, saved, loaded):
        times = [t for _, t in sorted(got)]
        seqs = {s for s, _ in got}
        # The gap: the longest silence at B around the restart.
        gap, before, after = 0.0, None, None
        for x, y in zip(times, times[1:]):
            if y - x > gap and x < t_fwd + 5 and y > t_term:
                gap, before, after = y - x, x, y
        return {
            "flows_saved": saved and saved[0], "save_ms": saved and saved[1],
            "flows_loaded": loaded and loaded[0], "load_ms": loaded and loaded[1],
            "rate_pps": self.args.rate, "sent": sent["sent"], "send_errors": sent["failed"],
            "received": len(seqs), "lost": sent["sent"] - len(seqs),
            "gap_ms": round(gap * 1000, 1),
            "stop_ms": round((t_exit - t_term) * 1000, 1),
            "last_packet_after_sigterm_ms": round((before - t_term) * 1000, 1) if before else None,
            "start_to_forwarding_ms": round((t_fwd - t_exit) * 1000, 1),
            "start_to_taps_plumbed_ms": round((t_plumbed - t_exit) * 1000, 1),
            "first_packet_after_start_ms": round((after - t_exit) * 1000, 1) if after else None,
        }

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        if self.daemon is not None and self.daemon.poll() is None:
            self.daemon.send_signal(signal.SIGTERM)
            try:
                self.daemon.wait(60)
            except subprocess.TimeoutExpired:
                self.daemon.kill()
                self.daemon.wait()
        shutil.rmtree("/var/run/dpdk/" + self.prefix, ignore_errors=True)
        dpsw.remove_hugepage_files(self.prefix)
        for h in self.hosts:
            sh("ip", "link", "del", h.iface, check=False)
            sh("ip", "netns", "del", h.ns, check=False)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--flows", type=int, default=100000)
    ap.add_argument("--rate", type=int, default=1000, help="packets a second (default 1000)")
    ap.add_argument("--seconds", type=float, default=30.0, help="stream length (default 30)")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--huge", type=int, choices=(0, 1), default=None,
                    help="hugepages (default: when free)")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("restart_gap: needs root (namespaces, taps, EAL)")
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda s, f: sys.exit(128 + s))
    for n in range(args.runs):
        tmp = tempfile.mkdtemp(prefix="dpsw-restart-")
        r = Run(args, tmp)
        try:
            r.setup()
            res = r.measure()
        finally:
            r.close()
            shutil.rmtree(tmp, ignore_errors=True)
        print(json.dumps(res), flush=True)


if __name__ == "__main__":
    main()
