#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The reactive-path benchmark (docs/PERFORMANCE.md, "Reactive path").

A paced miss storm against a reactive control plane, dpdk-switch with
examples/controller.c (the batched C controller) and Open vSwitch 3.1
with DPDK, one after the other in the same run, with the same traffic and
cores (main lcore 0, one PMD on lcore 1):

- an "installed" port (net_pcap, profile a_1flow replayed forever)
  forwards one 5-tuple to a net_null port through a flow in place before
  t0: its rate during the storm is reported against its rate before;
- the storm port, a net_memif client whose server is bench/storm_gen
  (on CPU 0), is added before the --window; at t0 the generator starts
  sending --rate packets a second of --flows distinct 5-tuples,
  replayed: N = --rate new 5-tuples a second
  are offered until the first pass is over, the same N for both systems
  whatever their speed. Each new 5-tuple is a miss and gets a flow of
  its own, output to a second net_null port:
  - dpdk-switch (with --reserve-flows --flows, unless --no-reserve):
    the controller (-m 4:3) reads the MISS upcalls in
    batches and installs an exact-match flow per miss (the upcall's key,
    no mask); with --execute it also sends the packet on (EXECUTE);
  - Open vSwitch: the OpenFlow table is "in_port=installed,
    actions=output:null2" and "in_port=storm, actions=output:null3", with
    megaflows disabled (ovs-appctl upcall/disable-megaflows), so every
    upcall installs an exact-match datapath flow, as the controller does.
    In OVS's userspace datapath the PMD thread that missed runs the
    upcall (OpenFlow translation, flow install, the packet's execution)
    itself; there are no handler threads in that path.
  A 5-tuple whose miss is lost comes again in the next pass.

It samples the datapath's counters every 100 ms over one connection to
each switch kept open for the run, so that sampling costs CPU 0 a request
and its answer, not a process started ten times a second: dpdk-switch's
control socket (datapath GET for the lookups and flow count, vport GET of
the installed flow's output port, dpdk_switch CONFIG_GET for the
revalidator), and OVS's unixctl socket (`dpctl/show -s` as JSON-RPC, the
request ovs-appctl sends). It prints one JSON line a system and run:
  sent_per_s        storm packets a second the switch's port took from the
                    generator over the run (--rate is what was offered; a
                    PMD too busy to poll the port leaves the rest, skipped)
  new_flows_per_s   flows installed / seconds until the flow count reached
                    --flows, interpolated between the samples around it
                    (or, with complete false, until --timeout)
  first_flows_per_s the same for the first 10 000 flows (OVS's dynamic flow
                    limit starts there and then grows by 1000 a revalidator
                    round, about 2000 flows a second)
  misses_lost       the datapath's "lost" count's growth from t0 (misses
                    that got no upcall: queue full, listener behind, over
                    --upcall-rate, or OVS's failed upcalls)
  settle_s          time from t0 until the miss count stopped growing
                    (no growth over the last --quiet seconds)
  installed_ratio   the installed flow's forwarding rate during the storm
                    (t0 until all flows are in and misses stopped) over its
                    rate in the --window before t0 (null: storm under 0.2 s)
  installed_ratio_pmd_cpu  the same per second of the PMD thread's own CPU
                    time (/proc): what is left when the PMD's CPU is shared
                    with other processes, as on a busy machine
  installed_ratio_after_pmd_cpu  the same against the --window after the
                    storm settled (the storm's packets still coming, all
                    hits): what the misses themselves cost
  ctl_us_per_flow   dpdk-switch only: CPU time of the daemon's control
                    thread during the storm, per flow installed
  controller_us_per_flow  the same for the controller (the rate on a core
                    of their own: 1e6 / the sum of the two)
  reval_max_ms      dpdk-switch only: the longest revalidator round seen
  storm_gen_cpu_pct CPU 0 taken by bench/storm_gen while it sent, % of a core
  sampler_cpu_pct   CPU 0 taken by this script (the sampler) over the run
and, on stderr, the daemon's closing counts of where misses were lost (a
PMD's queue full, or the listener behind). With REACTIVE_SAMPLES=FILE set,
the last run's 100 ms samples go to FILE (JSON lines, t from t0): when
misses were lost, and how fast flows went in.
then, with both systems, a "ratio" line per run (dpdk-switch / OVS, from
the same run) and a "median" line over the runs.

Usage: bench/reactive.py [--build build/release] [--rate 500000]
                         [--flows 1000000] [--systems dpdk-switch,ovs]
                         [--runs 1] [--window 3] [--quiet 1] [--timeout 30]
                         [--no-huge] [--upcall-rate N] [--execute]
                         [--no-reserve] [--storm-gen PATH]
Run as root on an otherwise quiet machine: a benchmark on a shared one
measures the neighbours. OVS needs Debian's openvswitch-switch-dpdk
(tools/deps.sh --bench) and 2 MB hugepages.
"""
import argparse
import glob
import json
import os
import re
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TREE = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TREE, "tests", "e2e"))
import dpsw  # noqa: E402
import nlraw  # noqa: E402
OVS_VSWITCHD = "/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk"
# OVS's datapath flow limit starts at 10000 and grows by 1000 a
# revalidator round (ofproto-dpif-upcall.c): the rate up to that many
# flows is its upcall path's, past it the limit's growth.
FIRST_FLOWS = 10000


class Traffic:
    """The installed flow's pcap, generated once for every system and run,
    and the storm's size."""

    def __init__(self, a):
        self.dir = tempfile.mkdtemp(prefix="dpsw-reactive-data-")
        self.installed = self.gen("a_1flow")  # and its flow: in_port(1) ... -> 2
        self.installed_flows = os.path.join(self.dir, "a_1flow.flows")
        self.n = a.flows

    def gen(self, profile):
        subprocess.run([os.path.join(HERE, "gen_traffic.py"), "gen", profile, "--out-dir",
                        self.dir], check=True, stdout=subprocess.DEVNULL)
        return os.path.join(self.dir, profile + ".pcap")

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class Storm:
    """bench/storm_gen: the memif server that paces the storm."""

    def __init__(self, a, tmp, prefix):
        self.sock = os.path.join(tmp, "storm.sock")
        self.prefix = prefix
        self.proc = subprocess.Popen(
            [a.storm_gen or os.path.join(a.build, "bench", "storm_gen"), "-l", "0", "--no-huge", "-m", "256",
             "--no-pci", "--no-telemetry", "--file-prefix", prefix,
             "--log-level", "lib.eal:warning",
             "--vdev", "net_memif0,role=server,socket=%s,socket-abstract=no" % self.sock,
             "--", "--rate", str(a.rate), "--flows", str(a.flows)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for _ in range(300):
            if os.path.exists(self.sock) or self.proc.poll() is not None:
                break
            time.sleep(0.1)
        if not os.path.exists(self.sock):
            raise RuntimeError("storm_gen: " + self.stop())

    def client(self, name):
        """The switch's port: a client, which makes the rings: 2^13 slots
        (a few ms of storm while its PMD is off its CPU) of 128-byte
        buffers (the frames are 60 bytes), 1 MiB that stays in cache."""
        return "%s,role=client,socket=%s,socket-abstract=no,rsize=13,bsize=128" % (
            name, self.sock)

    def wait_for(self, what):
        line = self.proc.stdout.readline()
        while line and not line.startswith("storm_gen:"):
            line = self.proc.stdout.readline()
        if not line.startswith("storm_gen: " + what):
            raise RuntimeError("storm_gen: " + line + self.stop())

    def go(self):
        """Start the storm; returns once it is sending."""
        self.proc.send_signal(signal.SIGUSR1)
        self.wait_for("sending")

    def stop(self):
        """Its last line (what it sent); the switch must be gone first:
        DPDK 22.11's memif client can crash its process when the server
        leaves under traffic."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        out = self.proc.communicate(timeout=30)[0]
        shutil.rmtree("/var/run/dpdk/" + self.prefix, ignore_errors=True)
        return out

    def sent_rate(self, out):
        m = re.search(r"sent (\d+) in ([\d.]+) s, (\d+)/s, skipped (\d+)", out)
        return int(m.group(3)) if m else None

    def cpu_pct(self, out):
        m = re.search(r"sent \d+ in ([\d.]+) s,.*, cpu ([\d.]+) s", out)
        return round(100 * float(m.group(2)) / float(m.group(1)), 1) \
            if m and float(m.group(1)) > 0 else None



class System:
    """One switch under the storm. Subclasses: start(), sample() (t, flows,
    missed, lost, tx2: the installed flow's output port's tx packets, and
    cpu: control-plane CPU seconds where known), add_storm(), stop()."""

    def __init__(self, a, traffic):
        self.a = a
        self.tr = traffic
        self.dir = tempfile.mkdtemp(prefix="dpsw-reactive-")
        self.storm = Storm(a, self.dir, "dpswstorm%d" % os.getpid())

    def finish(self):
        """Stop the switch, then the generator; returns the rate its port
        took and the generator's CPU, % of a core."""
        try:
            self.stop()
        finally:
            out = self.storm.stop()
            print(out.strip(), file=sys.stderr)
            self.remove_dir()
        return self.storm.sent_rate(out), self.storm.cpu_pct(out)

    def run(self):
        n = self.tr.n
        # The storm's port is there and polled, idle, before t0: what the
        # installed flow loses is the storm's doing, not the port's.
        self.add_storm()
        self.storm.wait_for("connected")
        time.sleep(1)
        before = self.sample()
        time.sleep(self.a.window)
        base = self.sample()
        base_rate = (base["tx2"] - before["tx2"]) / (base["t"] - before["t"])
        base_per_cpu = (base["tx2"] - before["tx2"]) / max(base["pmd_cpu"] - before["pmd_cpu"],
                                                          0.01)
        n0 = base["flows"]
        self.storm.go()
        t0 = time.monotonic()
        cpu0 = sum(os.times()[:4])
        samples = [self.sample()]
        full_t = first_t = None
        first = min(n, FIRST_FLOWS)
        while time.monotonic() - t0 < self.a.timeout:
            time.sleep(0.1)
            s = self.sample()
            samples.append(s)
            if first_t is None and s["flows"] - n0 >= first:
                first_t = s["t"]
            if full_t is None and s["flows"] - n0 >= n:
                full_t = s["t"]
                # When the count reached n, between this sample and the
                # last (a sample every ~0.1 s is 5% of a 2 s storm).
                p = samples[-2]
                full_at = p["t"] + (s["t"] - p["t"]) * (n0 + n - p["flows"]) / max(
                    s["flows"] - p["flows"], 1)
            quiet = [x for x in samples if x["t"] >= s["t"] - self.a.quiet]
            if full_t and quiet[0]["t"] <= s["t"] - self.a.quiet + 0.15 and \
                    quiet[0]["missed"] == s["missed"]:
                break
        sampler_cpu = sum(os.times()[:4]) - cpu0
        if os.environ.get("REACTIVE_SAMPLES"):
            with open(os.environ["REACTIVE_SAMPLES"], "w") as f:
                for x in samples:
                    f.write(json.dumps(dict(x, t=round(x["t"] - t0, 3))) + "\n")
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
        pmd_cpu = end["pmd_cpu"] - samples[0]["pmd_cpu"]
        storm_per_cpu = (end["tx2"] - samples[0]["tx2"]) / pmd_cpu \
            if span >= 0.2 and pmd_cpu > 0 else None
        installed = samples[-1]["flows"] - n0
        # After: the storm goes on, every packet a hit; its packets' own
        # forwarding costs the PMD this much, misses or not.
        after0 = self.sample() if full_t else None
        if after0:
            time.sleep(self.a.window)
            after1 = self.sample()
            after_per_cpu = (after1["tx2"] - after0["tx2"]) / max(
                after1["pmd_cpu"] - after0["pmd_cpu"], 0.01)
        flows_end = next((x for x in samples if x["t"] >= full_t), samples[-1]) \
            if full_t else samples[-1]
        n_end = flows_end["flows"] - n0

        def us_per_flow(k):
            if k not in flows_end or n_end <= 0:
                return None
            return round((flows_end[k] - samples[0][k]) * 1e6 / n_end, 2)
        return dict(system=self.name, rate=self.a.rate, new_flows=n, installed=installed,
                    new_flows_per_s=round(n / (full_at - t0)) if full_t
                    else round(installed / (samples[-1]["t"] - t0)),
                    first_flows_per_s=round(first / (first_t - t0)) if first_t else None,
                    misses_lost=samples[-1]["lost"] - samples[0]["lost"],
                    settle_s=round(last_change["t"] - t0, 3),
                    installed_mpps_before=round(base_rate / 1e6, 3),
                    installed_ratio=round(storm_rate / base_rate, 3)
                    if base_rate and storm_rate is not None else None,
                    installed_ratio_pmd_cpu=round(storm_per_cpu / base_per_cpu, 3)
                    if storm_per_cpu is not None else None,
                    installed_ratio_after_pmd_cpu=round(storm_per_cpu / after_per_cpu, 3)
                    if storm_per_cpu is not None and after0 else None,
                    ctl_us_per_flow=us_per_flow("cpu_daemon"),
                    controller_us_per_flow=us_per_flow("cpu_controller"),
                    reval_max_ms=max((x.get("reval_ms", 0) for x in samples), default=None)
                    if "reval_ms" in samples[0] else None,
                    sampler_cpu_pct=round(100 * sampler_cpu / max(samples[-1]["t"] - t0, 0.01),
                                          1),
                    complete=full_t is not None)

    def remove_dir(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def cpu_seconds(pid, tid=None):
    """CPU time of thread 'tid' of 'pid' (default: the thread whose id is
    the process's own, a DPDK process's main lcore: the daemon's control
    thread). schedstat counts it in nanoseconds; stat's 10 ms ticks round
    a short storm's control-thread time to zero."""
    task = "/proc/%d/task/%d/" % (pid, tid or pid)
    try:
        with open(task + "schedstat") as f:
            return int(f.read().split()[0]) / 1e9
    except FileNotFoundError:
        with open(task + "stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def thread_named(pid, prefix):
    """The id of the first thread of 'pid' whose name starts with 'prefix'."""
    for tid in sorted(os.listdir("/proc/%d/task" % pid), key=int):
        with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
            if f.read().startswith(prefix):
                return int(tid)
    raise RuntimeError("no thread %s* in process %d" % (prefix, pid))


def eal_memory(a, mb):
    huge = not a.no_huge and dpsw.hugepages_free() >= mb // 2
    return huge, (["-m", str(mb)] if huge else ["--no-huge", "-m", str(mb)])


class DpswSampler:
    """dpdk-switch's counters over one control connection: the lookups and
    flow count (datapath GET), the installed flow's output port's tx
    packets (vport GET of port 2) and the last revalidator round (the
    dpdk_switch family's CONFIG_GET)."""
    OVS_VPORT_CMD_GET, OVS_VPORT_ATTR_PORT_NO, OVS_VPORT_ATTR_STATS = 3, 1, 6
    DPSW_CMD_CONFIG_GET, DPSW_ATTR_REVAL_DURATION = 3, 12

    def __init__(self, path):
        self.conn = nlraw.Conn(path, timeout=30)
        c = self.conn
        self.requests = (
            nlraw.msg(c.family("ovs_datapath"), nlraw.OVS_DP_CMD_GET,
                      nlraw.attr(nlraw.OVS_DP_ATTR_NAME, nlraw.DP_NAME)),
            nlraw.msg(c.family("ovs_vport"), self.OVS_VPORT_CMD_GET,
                      nlraw.u32(self.OVS_VPORT_ATTR_PORT_NO, 2)),
            nlraw.msg(c.family("dpdk_switch"), self.DPSW_CMD_CONFIG_GET))

    def ask(self, request):
        (r,) = self.conn.request(request)
        if r.error is not None:
            raise RuntimeError("sampler: %r" % r)
        return r.attrs()

    def counts(self):
        dp, vport, config = (self.ask(r) for r in self.requests)
        # struct ovs_dp_stats: n_hit, n_missed, n_lost, n_flows;
        # struct ovs_vport_stats: rx_packets, tx_packets, ...
        _, missed, lost, flows = struct.unpack("=QQQQ", dp[nlraw.OVS_DP_ATTR_STATS][:32])
        tx2 = struct.unpack("=QQ", vport[self.OVS_VPORT_ATTR_STATS][:16])[1]
        reval = struct.unpack("=Q", config[self.DPSW_ATTR_REVAL_DURATION][:8])[0]
        return dict(flows=flows, missed=missed, lost=lost, tx2=tx2, reval_ms=reval)

    def close(self):
        self.conn.close()


class Unixctl:
    """A JSON-RPC connection to an OVS daemon's unixctl socket, kept open:
    what ovs-appctl sends, without a process a request."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(60)
        self.sock.connect(path)
        self.id = 0
        self.buf = ""
        self.decoder = json.JSONDecoder()

    def call(self, method, *params):
        self.id += 1
        self.sock.sendall(json.dumps(dict(method=method, params=list(params),
                                          id=self.id)).encode())
        while True:
            text = self.buf.lstrip()
            try:
                reply, end = self.decoder.raw_decode(text)
            except ValueError:
                data = self.sock.recv(1 << 16)
                if not data:
                    raise RuntimeError("unixctl: connection closed")
                self.buf += data.decode()
                continue
            self.buf = text[end:]
            if reply.get("id") != self.id:
                continue
            if reply.get("error") is not None:
                raise RuntimeError("%s: %s" % (method, reply["error"]))
            return reply["result"]

    def close(self):
        self.sock.close()


class DpdkSwitch(System):
    name = "dpdk-switch"

    def __init__(self, a, traffic):
        super().__init__(a, traffic)
        self.ctl_bin = os.path.join(a.build, "src/client/dpdk-switch-ctl")
        self.daemon = self.controller = None

    def ctl(self, *args):
        r = subprocess.run([self.ctl_bin, "--ctl", self.daemon.sock] + list(args),
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("%s: %s" % (" ".join(args), r.stderr))
        return r.stdout

    def start(self):
        huge, mem = eal_memory(self.a, 1024)
        vdevs = ("net_pcap0,rx_pcap=%s,infinite_rx=1" % self.tr.installed,
                 "net_null1,no-rx=1", "net_null2,no-rx=1")
        options = ["--flows", self.tr.installed_flows, "--flow-limit", str(2 * self.tr.n),
                   "--max-idle", "3600000",
                   # Upcalls holding mbufs: 16384 a queue (1/8 of the pool
                   # over the PMD's and the control thread's queues) where
                   # hugepages give the memory, 8192 without; the PMD's
                   # queue has twice that many slots for inline misses.
                   "--mbufs", "262144" if huge else "131072"]
        if not self.a.no_reserve:
            # Memory for the storm's flows touched at start-up (as a user
            # who expects them would): no page faults while they go in.
            options += ["--reserve-flows", str(self.tr.n)]
        if self.a.upcall_rate:
            options += ["--upcall-rate", str(self.a.upcall_rate)]
        self.daemon = dpsw.Daemon(vdevs, options, tmpdir=self.dir, mem=mem,
                                  switch=os.path.join(self.a.build, "src/dpdk-switch"))
        self.daemon.start(timeout=60)
        self.controller = subprocess.Popen(
            [os.path.join(self.a.build, "dpsw-controller"), "--ctl", self.daemon.sock,
             "-m", "4:3"] + (["-x"] if self.a.execute else []),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        line = self.controller.stdout.readline()
        if not line.startswith("controller: listening"):
            raise RuntimeError("controller: " + line + self.controller.stdout.read())
        self.pmd_tid = thread_named(self.daemon.proc.pid, "rte-worker")
        self.sampler = DpswSampler(self.daemon.sock)

    def sample(self):
        c = self.sampler.counts()
        return dict(c, t=time.monotonic(), cpu_daemon=cpu_seconds(self.daemon.proc.pid),
                    cpu_controller=cpu_seconds(self.controller.pid),
                    pmd_cpu=cpu_seconds(self.daemon.proc.pid, self.pmd_tid))

    def add_storm(self):
        self.ctl("add-if", self.storm.client("net_memif3"))

    def stop(self):
        if getattr(self, "sampler", None):
            self.sampler.close()
        if self.controller and self.controller.poll() is None:
            self.controller.send_signal(signal.SIGTERM)
            print(self.controller.communicate(timeout=30)[0].strip(), file=sys.stderr)
        if self.daemon:
            self.daemon.stop()
            # Where misses were lost: the PMDs' queues or the listener's budget.
            for line in (self.daemon.output or "").splitlines():
                if "lost" in line or "control:" in line:
                    print(line.strip(), file=sys.stderr)


class Ovs(System):
    """ovs-vswitchd-dpdk in a sandbox of its own (database, sockets, logs
    under a temporary directory, its own network namespace for the netdev
    datapath's tap devices), as bench/run_ovs.sh runs it. OpenFlow port
    numbers are fixed (ofport_request) so that the rules go in before the
    storm port exists: 1 installed (net_pcap), 2 its output, 3 the storm's
    output, 4 the storm (net_pcap, added at t0)."""
    name = "ovs"

    def __init__(self, a, traffic):
        super().__init__(a, traffic)
        self.prefix = "dpswreactovs%d" % os.getpid()
        self.env = dict(os.environ, OVS_RUNDIR=self.dir, OVS_DBDIR=self.dir,
                        OVS_LOGDIR=self.dir, OVS_SYSCONFDIR=self.dir)
        self.db = "unix:%s/db.sock" % self.dir
        self.pids = []

    def cmd(self, *argv, timeout=120):
        r = subprocess.run(list(argv), capture_output=True, text=True, env=self.env,
                           timeout=timeout)
        if r.returncode != 0:
            raise RuntimeError("%s: %s" % (" ".join(argv), r.stderr.strip()))
        return r.stdout

    def vsctl(self, *args):
        return self.cmd("ovs-vsctl", "--db=" + self.db, "--timeout=60", *args)

    def appctl(self, *args):
        return self.cmd("ovs-appctl", "-t", os.path.join(self.dir, "ovs-vswitchd.ctl"),
                        "--timeout=60", *args)

    def pidfile(self, name):
        with open(os.path.join(self.dir, name + ".pid")) as f:
            self.pids.append(int(f.read()))

    def start(self):
        if not os.access(OVS_VSWITCHD, os.X_OK):
            raise RuntimeError(OVS_VSWITCHD + " not installed (tools/deps.sh --bench)")
        d = self.dir
        self.cmd("ovsdb-tool", "create", d + "/conf.db",
                 "/usr/share/openvswitch/vswitch.ovsschema")
        self.cmd("ovsdb-server", d + "/conf.db", "--remote=punix:%s/db.sock" % d,
                 "--pidfile=%s/ovsdb-server.pid" % d, "--unixctl=%s/ovsdb-server.ctl" % d,
                 "--log-file=%s/ovsdb-server.log" % d, "--detach", "--no-chdir",
                 "-vconsole:off")
        self.pidfile("ovsdb-server")
        self.vsctl("--no-wait", "init")
        # Memory: the storm's pcap is held in mbufs of OVS's shared pool
        # (net_pcap infinite_rx), which OVS sizes itself from what EAL has.
        huge, mem = eal_memory(self.a, 1024)
        extra = "--no-pci --file-prefix=%s" % self.prefix
        memcfg = ["other_config:dpdk-socket-mem=%s" % mem[1]] if huge else []
        if not huge:
            extra += " --no-huge -m %s" % mem[-1]
        self.vsctl("--no-wait", "set", "Open_vSwitch", ".", "other_config:dpdk-init=true",
                   "other_config:dpdk-lcore-mask=0x1", "other_config:pmd-cpu-mask=0x2",
                   "other_config:dpdk-extra=" + extra, "other_config:max-idle=3600000",
                   "other_config:flow-limit=2000000", *memcfg)
        self.cmd("unshare", "--net", OVS_VSWITCHD, self.db,
                 "--pidfile=%s/ovs-vswitchd.pid" % d, "--unixctl=%s/ovs-vswitchd.ctl" % d,
                 "--log-file=%s/ovs-vswitchd.log" % d, "--detach", "--no-chdir",
                 "-vconsole:off")
        self.pidfile("ovs-vswitchd")
        self.unixctl = Unixctl(os.path.join(d, "ovs-vswitchd.ctl"))
        self.pmd_tid = None
        self.vsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev")
        self.vsctl("add-port", "br0", "pnull2", "--", "set", "Interface", "pnull2",
                   "type=dpdk", "options:dpdk-devargs=net_null1,no-rx=1", "ofport_request=2")
        self.vsctl("add-port", "br0", "pnull3", "--", "set", "Interface", "pnull3",
                   "type=dpdk", "options:dpdk-devargs=net_null2,no-rx=1", "ofport_request=3")
        br = "unix:%s/br0.mgmt" % d
        self.cmd("ovs-ofctl", "del-flows", br)
        self.cmd("ovs-ofctl", "add-flow", br, "in_port=1,actions=output:2")
        self.cmd("ovs-ofctl", "add-flow", br, "in_port=4,actions=output:3")
        # Every upcall installs an exact-match flow, as the controller does.
        self.appctl("upcall/disable-megaflows")
        self.vsctl("add-port", "br0", "pinst", "--", "set", "Interface", "pinst",
                   "type=dpdk", "ofport_request=1",
                   "options:dpdk-devargs=net_pcap0,rx_pcap=%s,infinite_rx=1" % self.tr.installed)
        self.ports = self.port_numbers()
        self.pmd_tid = thread_named(self.pids[-1], "pmd")
        # The installed flow: in once its first packet's upcall is done.
        for _ in range(100):
            if self.sample()["flows"] >= 1:
                break
            time.sleep(0.1)
        else:
            raise RuntimeError("OVS installed no flow for the installed port")

    def port_numbers(self):
        out = self.appctl("dpctl/show", "netdev@ovs-netdev")
        return {m.group(2): int(m.group(1))
                for m in re.finditer(r"^\s*port (\d+): (\S+)", out, re.M)}

    def sample(self):
        out = self.unixctl.call("dpctl/show", "-s", "netdev@ovs-netdev")
        t = time.monotonic()
        lk = re.search(r"lookups: hit:(\d+) missed:(\d+) lost:(\d+)", out)
        flows = int(re.search(r"flows: (\d+)", out).group(1))
        tx2 = 0
        m = re.search(r"port %d: pnull2.*?TX packets:(\d+)" % self.ports["pnull2"], out, re.S)
        if m:
            tx2 = int(m.group(1))
        return dict(t=t, flows=flows, missed=int(lk.group(2)), lost=int(lk.group(3)), tx2=tx2,
                    pmd_cpu=cpu_seconds(self.pids[-1], self.pmd_tid))

    def add_storm(self):
        self.vsctl("add-port", "br0", "pstorm", "--", "set", "Interface", "pstorm",
                   "type=dpdk", "ofport_request=4",
                   "options:dpdk-devargs=" + self.storm.client("net_memif3"))

    def stop(self):
        if getattr(self, "unixctl", None):
            self.unixctl.close()
        for pid in reversed(self.pids):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
            for _ in range(100):
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.1)
            else:
                os.kill(pid, signal.SIGKILL)
        if self.a.keep_logs:
            for log in glob.glob(self.dir + "/*.log"):
                shutil.copy(log, self.a.keep_logs)
        shutil.rmtree("/var/run/dpdk/" + self.prefix, ignore_errors=True)
        for path in glob.glob("/dev/hugepages/%smap_*" % self.prefix):
            os.unlink(path)


SYSTEMS = {"dpdk-switch": DpdkSwitch, "ovs": Ovs}
RATIO_KEYS = ("new_flows_per_s", "first_flows_per_s", "installed_ratio",
              "installed_ratio_pmd_cpu", "installed_ratio_after_pmd_cpu")


def ratios(ours, ovs):
    out = dict(metric="ratio", system="dpdk-switch/ovs")
    for k in RATIO_KEYS:
        out[k] = round(ours[k] / ovs[k], 3) if ours.get(k) and ovs.get(k) else None
    return out


def medians(results):
    out = dict(metric="median", runs=len(results))
    for system in SYSTEMS:
        rows = [r[system] for r in results if system in r]
        for k in ("sent_per_s", "new_flows_per_s", "first_flows_per_s", "misses_lost",
                  "settle_s", "installed_ratio", "installed_ratio_pmd_cpu",
                  "installed_ratio_after_pmd_cpu", "ctl_us_per_flow", "controller_us_per_flow",
                  "storm_gen_cpu_pct", "sampler_cpu_pct"):
            vals = [r[k] for r in rows if r.get(k) is not None]
            if vals:
                out["%s.%s" % (system, k)] = statistics.median(vals)
    rows = [ratios(r["dpdk-switch"], r["ovs"]) for r in results if len(r) == 2]
    for k in RATIO_KEYS:
        vals = [r[k] for r in rows if r.get(k) is not None]
        if vals:
            out["ratio." + k] = statistics.median(vals)
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build", default=os.path.join(TREE, "build", "release"))
    p.add_argument("--rate", type=int, default=500000,
                   help="new 5-tuples a second offered (storm packets a second)")
    p.add_argument("--flows", type=int, default=1000000, help="distinct 5-tuples in the storm")
    p.add_argument("--systems", default="dpdk-switch,ovs")
    p.add_argument("--runs", type=int, default=1, help="runs, systems alternating")
    p.add_argument("--window", type=float, default=3.0, help="baseline seconds before t0")
    p.add_argument("--quiet", type=float, default=1.0,
                   help="no miss growth this long: settled")
    p.add_argument("--timeout", type=float, default=30.0)
    p.add_argument("--execute", action="store_true",
                   help="the controller EXECUTEs each miss's packet too (-x)")
    p.add_argument("--upcall-rate", type=int, default=0, help="dpdk-switch --upcall-rate")
    p.add_argument("--storm-gen", help="bench/storm_gen binary (default: --build's)")
    p.add_argument("--no-reserve", action="store_true",
                   help="dpdk-switch without --reserve-flows --flows")
    p.add_argument("--no-huge", action="store_true")
    p.add_argument("--keep-logs", metavar="DIR", help="copy OVS's logs there")
    a = p.parse_args()
    systems = a.systems.split(",")
    if any(s not in SYSTEMS for s in systems):
        sys.exit("bench/reactive.py: --systems: %s" % ", ".join(SYSTEMS))
    if os.geteuid() != 0:
        sys.exit("bench/reactive.py: run as root (hugepages)")
    # Everything but the PMDs on CPU 0 (the main lcore's): the controller,
    # the generator, the samplers. Left to the scheduler, they would run on
    # the PMD's CPU whenever CPU 0 is busy, and take its time.
    os.sched_setaffinity(0, {0})
    traffic = Traffic(a)
    results = []
    try:
        for run in range(a.runs):
            res = {}
            for name in systems:
                sysobj = SYSTEMS[name](a, traffic)
                try:
                    sysobj.start()
                    res[name] = sysobj.run()
                finally:
                    sent, gen_cpu = sysobj.finish()
                res[name]["sent_per_s"] = sent
                res[name]["storm_gen_cpu_pct"] = gen_cpu
                print(json.dumps(dict(res[name], run=run)), flush=True)
            if len(res) == 2:
                print(json.dumps(dict(ratios(res["dpdk-switch"], res["ovs"]), run=run)),
                      flush=True)
            results.append(res)
        if a.runs > 1:
            print(json.dumps(medians(results)), flush=True)
    finally:
        traffic.remove()


if __name__ == "__main__":
    main()
