#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""PVP without a VM: a switch forwards a pcap to a vhost-user port, a
"guest" sends every packet back on the same port, and the switch forwards
it out of a null port:

  net_pcap0 (infinite replay) -> switch -> vhost-user -> guest (dpdk-testpmd,
  net_virtio_user, io forwarding) -> vhost-user -> switch -> net_null0

Flows: in_port(pcap) -> vhost, in_port(vhost) -> null. Measured one after
the other, on the same cores, with the same guest:
  dpdk-switch  net_vhost0,client=1 (the guest is the vhost-user server)
  ovs          Open vSwitch 3.1 with DPDK, a dpdkvhostuserclient port and two
               OpenFlow rules on in_port
  testpmd      dpdk-testpmd as the switch, io forwarding over the three
               ports chained (pcap -> vhost -> null): the ceiling
Pinning: the switch's main lcore on CPU 0, its one PMD on CPU 1; the
guest's main lcore on CPU 1 (asleep), its forwarding lcore on CPU 0.

Rate: the null port's tx counter, read through DPDK telemetry, over a
window after a warm-up; Gbit/s counts the frame (FCS, preamble and gap not
included). Frame sizes: 64, 1500 and 9000 bytes; for 9000, MTU 9000 on
every port, the switches' mbufs hold a whole frame (Open vSwitch sizes them
from the MTU; dpdk-switch --mbuf-size 9216, testpmd --mbuf-size) and the
guest chains 2 KB mbufs (scatter rx, multi-segment tx).

Usage: bench/pvp.py [--sizes 64,1500,9000] [--runs N] [--warmup S]
                    [--window S] [--systems testpmd,ovs,dpdk-switch]
                    [--out DIR] [--nice N]
Run as root from anywhere; needs 2 MB hugepages (virtio-user shares its
memory through them), dpdk-testpmd, and for "ovs" Debian's
openvswitch-switch-dpdk (tools/deps.sh --bench). Results: DIR/pvp-STAMP.jsonl
(one JSON object per measurement) and DIR/pvp-STAMP.md (medians, ratios
of per-run figures). Exit status 0 when every measurement forwarded.
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
TREE = os.path.dirname(BENCH)
sys.path.insert(0, BENCH)
from telemetry import Telemetry  # noqa: E402  (path set just above)

OVS_VSWITCHD = "/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk"
OVS_SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema"
SYSTEMS = ("testpmd", "ovs", "dpdk-switch")
PROFILE = "a_1flow"          # one 5-tuple, 1024 packets in the pcap
PCAP_PACKETS = 1024
JUMBO_MTU = 9000
# With MTU 9000 the switches' mbufs hold a whole frame, as Open vSwitch
# sizes its mbufs from the MTU (net_pcap's infinite_rx cannot chain them).
JUMBO_MBUF_DATA = 9216
GUEST_MB = 256


class Failed(Exception):
    pass


def log(msg):
    print("pvp: " + msg, file=sys.stderr, flush=True)


def wait_for(cond, what, timeout=60, details=lambda: ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if cond():
                return
        except (OSError, LookupError, ValueError):
            pass
        time.sleep(0.1)
    raise Failed("timed out waiting for %s\n%s" % (what, details()))


def unique_prefix(tag):
    return "dsb-pvp-%s-%d-%d" % (tag, os.getpid(), int(time.monotonic() * 1000) % 100000)


def clean_eal(prefix):
    shutil.rmtree("/var/run/dpdk/" + prefix, ignore_errors=True)
    for d in ("/dev/hugepages",):
        try:
            names = os.listdir(d)
        except OSError:
            continue
        for n in names:
            if n.startswith(prefix + "map_") or n.startswith(prefix + "-"):
                try:
                    os.unlink(os.path.join(d, n))
                except OSError:
                    pass


class Proc:
    """A program we started in its own session (its own autogroup, so a
    nice value counts against other sessions' jobs); stopped by PID."""

    def __init__(self, name, args, logpath, env=None, stdin=subprocess.DEVNULL):
        self.name, self.log = name, logpath
        self.logf = open(logpath, "w")
        self.proc = subprocess.Popen(args, stdout=self.logf, stderr=subprocess.STDOUT,
                                     stdin=stdin, env=env, start_new_session=True)
        self.pid = self.proc.pid

    def alive(self):
        return self.proc.poll() is None

    def text(self, tail=3000):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()[-tail:]
        except OSError:
            return ""

    def stop(self):
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                log("%s (%d) ignored SIGTERM; killing it" % (self.name, self.pid))
                self.proc.kill()
                self.proc.wait()
        self.logf.close()
        return self.proc.returncode


def prioritize(pid, nice):
    """The niceness 'nice' for every thread of pid and for its autogroup
    (with autogroup scheduling, CPU time is shared between sessions first)."""
    if not nice:
        return
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            os.setpriority(os.PRIO_PROCESS, int(tid), nice)
        except OSError:
            pass
    try:
        with open("/proc/%d/autogroup" % pid, "w") as f:
            f.write(str(nice))
    except OSError:
        pass


def busiest_thread(pid, cpu):
    """The thread of pid pinned to exactly 'cpu' that has run the most:
    a switch's PMD, the guest's forwarding lcore."""
    best, most = None, -1
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/status" % (pid, tid)) as f:
                allowed = [ln.split()[1] for ln in f if ln.startswith("Cpus_allowed_list")]
            with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                ran = int(f.read().split()[0])
        except (OSError, IndexError, ValueError):
            continue
        if allowed == [str(cpu)] and ran > most:
            best, most = tid, ran
    return best


def thread_ns(pid, tid):
    try:
        with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
            return int(f.read().split()[0])
    except (OSError, TypeError, ValueError):
        return 0


def rss_kb(pid, field="VmRSS"):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def load_now():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def ethdev_stats(prefix, name):
    tel = Telemetry(prefix)
    try:
        return tel.query("/ethdev/stats,%d" % tel.port_of(name))
    finally:
        tel.sock.close()


# ---------------------------------------------------------------------------
# The guest: dpdk-testpmd with net_virtio_user as the vhost-user server,
# sending back what it receives (io forwarding, port topology loop).

class Guest:
    def __init__(self, box, sock, jumbo):
        self.prefix = unique_prefix("guest")
        dev = "net_virtio_user0,path=%s,queues=1,server=1" % sock
        args = ["dpdk-testpmd", "-l", "0-1", "--main-lcore", "1", "--no-pci",
                "--file-prefix", self.prefix, "-m", str(GUEST_MB), "--single-file-segments",
                "--vdev", dev, "--", "--forward-mode=io", "--port-topology=loop",
                "--auto-start", "--nb-cores=1", "--total-num-mbufs=16384",
                # The main lcore sleeps in the stats loop (a second a
                # check); without a period it would exit on stdin's EOF.
                "--stats-period", "3600"]
        if jumbo:
            args += ["--max-pkt-len=%d" % (JUMBO_MTU + 18), "--enable-scatter",
                     "--tx-offloads=0x8000"]
        self.sock = sock
        self.p = Proc("guest", args, os.path.join(box, "guest.log"))

    def wait_listening(self):
        wait_for(lambda: os.path.exists(self.sock), "the guest's vhost-user socket",
                 details=self.p.text)

    def stats(self):
        return ethdev_stats(self.prefix, "net_virtio_user0")

    def stop(self):
        self.p.stop()
        clean_eal(self.prefix)


# ---------------------------------------------------------------------------
# The switches. Each: start(pcap, sock, jumbo), pid, prefix (EAL, for
# telemetry), begin() at the window's start, end() -> dict of extra fields.

class DpdkSwitch:
    name = "dpdk-switch"

    def __init__(self, box, binary, ctl):
        self.box, self.bin, self.ctl_bin = box, binary, ctl
        self.prefix = unique_prefix("ds")
        self.p = None

    def ctl(self, *args):
        r = subprocess.run([self.ctl_bin, "--ctl", self.sock] + list(args),
                           capture_output=True, text=True, timeout=60)
        if r.returncode:
            raise Failed("dpdk-switch-ctl %s: %s" % (" ".join(args), r.stderr.strip()))
        return r.stdout

    def start(self, pcap, sock, frame_len, jumbo):
        self.sock = os.path.join(self.box, "ctl.sock")
        mbufs = PCAP_PACKETS + 32768
        args = [self.bin, "-l", "0-1", "--no-pci", "--file-prefix", self.prefix,
                "--huge-unlink", "--socket-mem", "512",
                "--vdev", "net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap,
                "--vdev", "net_null0,no-rx=1",
                "--vdev", "net_vhost0,iface=%s,client=1" % sock,
                "--", "--ctl", self.sock, "--pmd-cores", "1", "--mbufs", str(mbufs)]
        if jumbo:
            args += ["--mtu", str(JUMBO_MTU), "--mbuf-size", str(JUMBO_MBUF_DATA)]
        self.p = Proc(self.name, args, os.path.join(self.box, "dpdk-switch.log"))
        wait_for(lambda: os.path.exists(self.sock) or not self.p.alive(),
                 "dpdk-switch's control socket", details=self.p.text)
        if not self.p.alive():
            raise Failed("dpdk-switch exited:\n" + self.p.text())
        ports = {p["name"]: p["port_no"] for p in json.loads(self.ctl("show", "--json"))["ports"]}
        missing = {"net_pcap0", "net_vhost0", "net_null0"} - set(ports)
        if missing:
            raise Failed("dpdk-switch has no port %s:\n%s" % (", ".join(sorted(missing)),
                                                              self.p.text()))
        pc, vh, nl = ports["net_pcap0"], ports["net_vhost0"], ports["net_null0"]
        # The megaflows Open vSwitch makes of its two in_port rules.
        self.ctl("add-flow", "in_port(%d),eth(),eth_type(0x0800),ipv4(frag=no)" % pc, str(vh))
        self.ctl("add-flow", "in_port(%d),eth(),eth_type(0x0800),ipv4(frag=no)" % vh, str(nl))
        self.pid = self.p.pid

    def text(self):
        return self.p.text() if self.p else ""

    def pmd_stats(self):
        text = self.ctl("pmd-stats-show")
        return pmd_field(text, "processing cycles"), pmd_field(text, "packets received")

    def begin(self):
        self.s0 = self.pmd_stats()

    def end(self):
        s1 = self.pmd_stats()
        out = {}
        if None not in self.s0 + s1 and s1[1] > self.s0[1]:
            out["cycles_per_pkt"] = round((s1[0] - self.s0[0]) / (s1[1] - self.s0[1]), 1)
        return out

    def stop(self):
        if self.p:
            self.p.stop()
        clean_eal(self.prefix)


def pmd_field(text, label):
    """The first number after 'LABEL:' in pmd-stats-show text."""
    for line in text.splitlines():
        i = line.find(label + ":")
        if i >= 0:
            try:
                return float(line[i + len(label) + 1:].split()[0])
            except (IndexError, ValueError):
                return None
    return None


class Ovs:
    """ovs-vswitchd-dpdk with its own database, sockets and logs under the
    box, in its own network namespace (the netdev datapath makes tap
    devices named after the bridge)."""
    name = "ovs"

    def __init__(self, box, tx_retries=None):
        self.tx_retries = tx_retries
        self.box = os.path.join(box, "ovs")
        os.mkdir(self.box)
        self.prefix = unique_prefix("ovs")
        self.env = dict(os.environ, OVS_RUNDIR=self.box, OVS_DBDIR=self.box,
                        OVS_LOGDIR=self.box, OVS_SYSCONFDIR=self.box)
        self.db = "unix:%s/db.sock" % self.box
        self.db_pid = self.pid = None

    def run(self, *args):
        r = subprocess.run(list(args), capture_output=True, text=True, env=self.env, timeout=120)
        if r.returncode:
            raise Failed("%s: %s" % (" ".join(args[:3]), (r.stderr or r.stdout).strip()))
        return r.stdout

    def vsctl(self, *args):
        return self.run("ovs-vsctl", "--db=" + self.db, "--timeout=60", *args)

    def appctl(self, *args):
        return self.run("ovs-appctl", "-t", self.box + "/ovs-vswitchd.ctl", "--timeout=60", *args)

    def ofctl(self, *args):
        return self.run("ovs-ofctl", *args)

    def start(self, pcap, sock, frame_len, jumbo):
        b = self.box
        self.run("ovsdb-tool", "create", b + "/conf.db", OVS_SCHEMA)
        self.run("ovsdb-server", b + "/conf.db", "--remote=punix:%s/db.sock" % b,
                 "--pidfile=%s/ovsdb-server.pid" % b, "--unixctl=%s/ovsdb-server.ctl" % b,
                 "--log-file=%s/ovsdb-server.log" % b, "--detach", "--no-chdir",
                 "-vconsole:off")
        self.db_pid = int(open(b + "/ovsdb-server.pid").read())
        self.vsctl("--no-wait", "init")
        self.vsctl("--no-wait", "set", "Open_vSwitch", ".",
                   "other_config:dpdk-init=true", "other_config:dpdk-lcore-mask=0x1",
                   "other_config:pmd-cpu-mask=0x2",
                   "other_config:dpdk-socket-mem=%d" % (1024 if jumbo else 512),
                   "other_config:dpdk-extra=--no-pci --file-prefix=%s" % self.prefix)
        self.run("unshare", "--net", OVS_VSWITCHD, self.db,
                 "--pidfile=%s/ovs-vswitchd.pid" % b, "--unixctl=%s/ovs-vswitchd.ctl" % b,
                 "--log-file=%s/ovs-vswitchd.log" % b, "--detach", "--no-chdir",
                 "-vconsole:off")
        self.pid = int(open(b + "/ovs-vswitchd.pid").read())
        wait_for(lambda: "DPDK Enabled - initialized" in open(b + "/ovs-vswitchd.log").read(),
                 "OVS to initialise DPDK", details=self.text)
        self.vsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev")
        # OpenFlow port numbers fixed, so the rules can name the traffic
        # port before it exists.
        ports = (("pnull", 3, "type=dpdk", "options:dpdk-devargs=net_null0,no-rx=1"),
                 ("pvhost", 2, "type=dpdkvhostuserclient", "options:vhost-server-path=" + sock),
                 ("ppcap", 1, "type=dpdk",
                  "options:dpdk-devargs=net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap))
        mtu = ["mtu_request=%d" % JUMBO_MTU] if jumbo else []

        def add(name, ofport, kind, opt):
            extra = list(mtu)
            if name == "pvhost" and self.tx_retries is not None:
                extra.append("options:tx-retries-max=%d" % self.tx_retries)
            self.vsctl("add-port", "br0", name, "--", "set", "Interface", name, kind, opt,
                       "ofport_request=%d" % ofport, *extra)
        add(*ports[0])
        add(*ports[1])
        # The rules before the traffic port, so the first packets find them.
        self.ofctl("del-flows", "br0")
        self.ofctl("add-flow", "br0", "in_port=2,actions=output:3")
        self.ofctl("add-flow", "br0", "in_port=1,actions=output:2")
        add(*ports[2])
        for name, *_ in ports:
            err = self.vsctl("get", "Interface", name, "error").strip()
            if err not in ("[]", ""):
                raise Failed("OVS port %s: %s" % (name, err))

    def text(self):
        try:
            with open(self.box + "/ovs-vswitchd.log", errors="replace") as f:
                return f.read()[-3000:]
        except OSError:
            return ""

    def megaflows(self):
        return self.appctl("dpctl/dump-flows").strip()

    def begin(self):
        self.appctl("dpif-netdev/pmd-stats-clear")

    def end(self):
        text = self.appctl("dpif-netdev/pmd-stats-show")
        pmd = text.split("main thread")[0]
        out = {}
        cpp = pmd_field(pmd, "avg processing cycles per packet")
        if cpp is None:
            for line in pmd.splitlines():
                if "avg processing cycles per packet" in line:
                    cpp = float(line.split(":")[1].split()[0])
        if cpp is not None:
            out["cycles_per_pkt"] = cpp
        return out

    def stop(self):
        for pid in (self.pid, self.db_pid):
            if pid is None:
                continue
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and os.path.exists("/proc/%d" % pid):
                time.sleep(0.1)
            if os.path.exists("/proc/%d" % pid):
                os.kill(pid, signal.SIGKILL)
        clean_eal(self.prefix)


class TestpmdSwitch:
    """dpdk-testpmd in the switch's place: ports 0 pcap, 1 vhost, 2 null in
    vdev order, chained (0 -> 1 -> 2 -> 0; the null port receives
    nothing), one forwarding lcore on CPU 1."""
    name = "testpmd"

    def __init__(self, box):
        self.box = box
        self.prefix = unique_prefix("tp")
        self.p = None

    def start(self, pcap, sock, frame_len, jumbo):
        mbufs = PCAP_PACKETS + 32768
        args = ["dpdk-testpmd", "-l", "0-1", "--no-pci", "--file-prefix", self.prefix,
                "--huge-unlink", "--socket-mem", "512",
                "--vdev", "net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap,
                "--vdev", "net_vhost0,iface=%s,client=1" % sock,
                "--vdev", "net_null0,no-rx=1", "--",
                "--forward-mode=io", "--port-topology=chained", "--auto-start",
                "--nb-cores=1", "--total-num-mbufs=%d" % mbufs, "--stats-period", "3600"]
        if jumbo:
            args += ["--max-pkt-len=%d" % (JUMBO_MTU + 18),
                     "--mbuf-size=%d" % (JUMBO_MBUF_DATA + 128)]
        self.p = Proc(self.name, args, os.path.join(self.box, "testpmd.log"))
        self.pid = self.p.pid

    def text(self):
        return self.p.text() if self.p else ""

    def begin(self):
        pass

    def end(self):
        return {}

    def stop(self):
        if self.p:
            self.p.stop()
        clean_eal(self.prefix)


# ---------------------------------------------------------------------------

def measure(system, pcap, frame_len, args):
    """One run of one system at one frame size: a dict of results."""
    jumbo = frame_len > 1514
    box = tempfile.mkdtemp(prefix="dsbench-pvp.")
    sock = os.path.join(box, "vhost.sock")
    guest = Guest(box, sock, jumbo)
    sw = system(box)
    try:
        guest.wait_listening()
        sw.start(pcap, sock, frame_len, jumbo)

        def null_tx():
            return ethdev_stats(sw.prefix, "net_null0")["opackets"]

        def pcap_rx():
            return ethdev_stats(sw.prefix, "net_pcap0")["ipackets"]
        wait_for(lambda: null_tx() > 0, "packets through the guest to the null port",
                 details=lambda: guest.p.text() + "\n" + sw.text())
        prioritize(sw.pid, args.nice)
        prioritize(guest.p.pid, args.nice)
        time.sleep(args.warmup)
        pmd = busiest_thread(sw.pid, 1)
        fwd = busiest_thread(guest.p.pid, 0)
        load0 = load_now()
        sw.begin()
        g0, p0 = guest.stats(), pcap_rx()
        c0, t0 = null_tx(), time.monotonic()
        ns0, gns0 = thread_ns(sw.pid, pmd), thread_ns(guest.p.pid, fwd)
        time.sleep(args.window)
        c1, t1 = null_tx(), time.monotonic()
        ns1, gns1 = thread_ns(sw.pid, pmd), thread_ns(guest.p.pid, fwd)
        g1, p1 = guest.stats(), pcap_rx()
        secs = t1 - t0
        extra = sw.end()
        mpps = (c1 - c0) / secs / 1e6
        res = {"system": sw.name, "frame_len": frame_len, "mpps": round(mpps, 4),
               "gbps": round(mpps * frame_len * 8 / 1e3, 3), "window_s": round(secs, 3),
               "guest_rx_mpps": round((g1["ipackets"] - g0["ipackets"]) / secs / 1e6, 4),
               "guest_tx_mpps": round((g1["opackets"] - g0["opackets"]) / secs / 1e6, 4),
               # Packets read from the pcap for each one that made the loop:
               # the rest were dropped at the full vhost ring, after
               # net_pcap copied them, and cost the PMD as much.
               "pcap_in_per_out": round((p1 - p0) / max(c1 - c0, 1), 2),
               "pmd_cpu_share": round((ns1 - ns0) / 1e9 / secs, 3),
               "guest_cpu_share": round((gns1 - gns0) / 1e9 / secs, 3),
               # Resident memory outside the hugepages.
               "rss_mb": round(rss_kb(sw.pid) / 1024, 1),
               "anon_mb": round(rss_kb(sw.pid, "RssAnon") / 1024, 1),
               "load_start": load0, "load_end": load_now()}
        res.update(extra)
        if isinstance(sw, Ovs) and args.show_megaflows:
            log("OVS megaflows:\n" + sw.megaflows())
        if isinstance(sw, DpdkSwitch) and args.show_megaflows:
            log("dpdk-switch flows:\n" + sw.ctl("dump-flows"))
        return res
    finally:
        sw.stop()
        guest.stop()
        if args.keep_logs:
            log("logs kept in " + box)
        else:
            shutil.rmtree(box, ignore_errors=True)


def prepare(data, frame_len):
    """The one-flow pcap at frame_len bytes, generated and checked once."""
    name = PROFILE if frame_len == 64 else "%s_%dB" % (PROFILE, frame_len)
    pcap, flows = os.path.join(data, name + ".pcap"), os.path.join(data, name + ".flows")
    stamp = os.path.join(data, name + ".verified")
    sources = [os.path.join(BENCH, s) for s in ("gen_traffic.py", "verify_traffic.py")]
    if os.path.exists(stamp) and all(os.path.getmtime(stamp) > os.path.getmtime(s)
                                     for s in sources):
        return pcap
    os.makedirs(data, exist_ok=True)
    subprocess.run([sys.executable, sources[0], "gen", PROFILE, "--out-dir", data,
                    "--frame-len", str(frame_len)], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, sources[1], flows, pcap, "--frame-len", str(frame_len),
                    "--packets", str(PCAP_PACKETS)], check=True, stdout=subprocess.DEVNULL)
    open(stamp, "w").close()
    return pcap


def median_range(values, fmt):
    if not values:
        return ""
    m = statistics.median(values)
    if len(values) == 1:
        return fmt % m
    return (fmt + " [" + fmt + "-" + fmt + "]") % (m, min(values), max(values))


def report(results):
    """Markdown: per frame size, each system's median rate, and medians of
    the per-run ratios dpdk-switch / OVS and X / testpmd."""
    lines = ["| frame | testpmd (ceiling) | OVS 3.1 | dpdk-switch | dpdk-switch / OVS "
             "| dpdk-switch / testpmd | OVS / testpmd | cycles/pkt ours, OVS "
             "| pcap in/out ours, OVS | RSS MB ours, OVS | runs |",
             "|---|---:|---:|---:|---|---|---|---:|---:|---:|---:|"]
    for frame_len in sorted({r["frame_len"] for r in results}):
        rows = [r for r in results if r["frame_len"] == frame_len]
        unit, key, fmt = ("Mpps", "mpps", "%.2f") if frame_len < 1000 else \
            ("Gbit/s", "gbps", "%.1f")
        by_run = {}
        for r in rows:
            by_run.setdefault(r["run"], {})[r["system"]] = r
        cells = []
        for s in ("testpmd", "ovs", "dpdk-switch"):
            vals = [r[key] for r in rows if r["system"] == s]
            cells.append(median_range(vals, fmt) + (" " + unit if vals else ""))

        def ratio(a, b):
            return [run[a][key] / run[b][key] for run in by_run.values()
                    if a in run and b in run and run[b][key] > 0]
        def medians(field, fmt):
            out = []
            for s in ("dpdk-switch", "ovs"):
                vals = [r[field] for r in rows if r["system"] == s and field in r]
                out.append(fmt % statistics.median(vals) if vals else "-")
            return ", ".join(out)
        lines.append("| %d B | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d |" % (
            frame_len, *cells, median_range(ratio("dpdk-switch", "ovs"), "%.2f"),
            median_range(ratio("dpdk-switch", "testpmd"), "%.2f"),
            median_range(ratio("ovs", "testpmd"), "%.2f"), medians("cycles_per_pkt", "%.0f"),
            medians("pcap_in_per_out", "%.1f"), medians("rss_mb", "%.0f"), len(by_run)))
    return "\n".join(lines) + "\n"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split("\n\n", 1)[1])
    p.add_argument("--sizes", default="64,1500,9000",
                   help="frame lengths in bytes, comma-separated (default 64,1500,9000)")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--warmup", type=float, default=3)
    p.add_argument("--window", type=float, default=5)
    p.add_argument("--systems", default=",".join(SYSTEMS))
    p.add_argument("--out", default=os.path.join(BENCH, "results"))
    p.add_argument("--data", default=os.path.join(BENCH, "data"))
    p.add_argument("--nice", type=int, default=-10,
                   help="niceness of the switch and the guest (default -10, 0: off)")
    p.add_argument("--ovs-tx-retries", type=int, metavar="N",
                   help="OVS's vhost port option tx-retries-max (default: OVS's, 8)")
    p.add_argument("--keep-logs", action="store_true")
    p.add_argument("--show-megaflows", action="store_true",
                   help="print the flows each switch ended up with (stderr)")
    args = p.parse_args(argv)

    if os.geteuid() != 0:
        raise SystemExit("pvp: run as root (hugepages, a network namespace for OVS)")
    try:
        sizes = [int(s) for s in args.sizes.split(",")]
    except ValueError:
        raise SystemExit("pvp: --sizes takes numbers, e.g. 64,1500,9000") from None
    systems = args.systems.split(",")
    bad = [s for s in systems if s not in SYSTEMS]
    if bad:
        raise SystemExit("pvp: unknown system %s (known: %s)" % (bad[0], ", ".join(SYSTEMS)))
    if shutil.which("dpdk-testpmd") is None:
        raise SystemExit("pvp: dpdk-testpmd not found (tools/deps.sh --bench)")
    ds_bin = os.environ.get("DPDK_SWITCH") or os.path.join(TREE, "build/release/src/dpdk-switch")
    ds_ctl = os.environ.get("DPDK_SWITCH_CTL") or \
        os.path.join(TREE, "build/release/src/client/dpdk-switch-ctl")
    makers = {"testpmd": TestpmdSwitch,
              "ovs": lambda box: Ovs(box, args.ovs_tx_retries),
              "dpdk-switch": lambda box: DpdkSwitch(box, ds_bin, ds_ctl)}
    if "ovs" in systems and not os.access(OVS_VSWITCHD, os.X_OK):
        raise SystemExit("pvp: %s not installed (tools/deps.sh --bench)" % OVS_VSWITCHD)
    if "dpdk-switch" in systems and not (os.access(ds_bin, os.X_OK) and
                                         os.access(ds_ctl, os.X_OK)):
        raise SystemExit("pvp: %s or %s not built (meson setup build/release "
                         "--buildtype=release -Dnative=true && ninja -C build/release)"
                         % (ds_bin, ds_ctl))

    pcaps = {n: prepare(args.data, n) for n in sizes}
    os.makedirs(args.out, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    jsonl = os.path.join(args.out, "pvp-%s.jsonl" % stamp)
    results, failures = [], 0
    with open(jsonl, "w") as out:
        meta = {"metric": "meta", "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "cores": os.cpu_count(), "kernel": os.uname().release,
                "args": vars(args)}
        out.write(json.dumps(meta) + "\n")
        for run in range(1, args.runs + 1):
            for n in sizes:
                for s in systems:
                    log("run %d/%d, %d B, %s (load %.2f)" % (run, args.runs, n, s, load_now()))
                    try:
                        r = measure(makers[s], pcaps[n], n, args)
                    except (Failed, OSError, subprocess.SubprocessError) as e:
                        log("%s at %d B failed: %s" % (s, n, e))
                        failures += 1
                        continue
                    r["run"] = run
                    print(json.dumps(r), flush=True)
                    out.write(json.dumps(r) + "\n")
                    out.flush()
                    results.append(r)
    table = report(results)
    with open(os.path.join(args.out, "pvp-%s.md" % stamp), "w") as f:
        f.write(table)
    print(table, end="")
    log("results: %s" % jsonl)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
