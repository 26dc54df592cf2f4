# SPDX-License-Identifier: BSD-3-Clause
"""Hosts in network namespaces, each behind a net_tap port of one dpdk-switch.

    with Topology(2, flows="in_port(1) 2\\nin_port(2) 1\\n") as t:
        assert t.hosts[0].ping(t.hosts[1].ip4)

Order of set-up: namespaces first (IPv6 DAD off, so neighbour discovery
is deterministic), then the daemon with one `--vdev net_tapN,iface=...` per
host, then each tap interface is moved into its host's namespace, given a
fixed MAC and addresses, and brought up. The DPDK tap PMD keeps its queue
file descriptors across the move, so the port works in the namespace; only
what it does by interface name (link state, MTU) no longer reaches it.

Host i is datapath port i + 1 (ethdev port ids follow --vdev order).

Names carry this process's pid, so two runs never clash. Everything is
removed when the `with` block ends, whatever happens inside: processes
started in the namespaces (by PID), the daemon (by PID), the interfaces and
the namespaces; SIGTERM, SIGINT and SIGHUP are turned into SystemExit so
that this also happens when meson's timeout or a user stops the test.
"""
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import dpsw  # noqa: E402

TAG = str(os.getpid())


def sh(*cmd, check=True, timeout=60, **kw):
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout,
                       **kw)
    if check and r.returncode != 0:
        raise AssertionError("%s -> %d\n%s%s" % (" ".join(map(str, cmd)), r.returncode,
                                                 r.stdout, r.stderr))
    return r


def require_root():
    if os.geteuid() != 0:
        print("SKIP: needs root (network namespaces, tap interfaces)")
        sys.exit(77)  # meson's "skipped"


def _exit_on_signal(sig, _frame):
    raise SystemExit(128 + sig)


def leftovers(tag=TAG):
    """Namespaces and links of this process still present (should be none)."""
    ns = [line.split()[0] for line in sh("ip", "netns", "list").stdout.splitlines()
          if line.startswith("dpsw%sh" % tag)]
    links = [name for name in os.listdir("/sys/class/net") if name.startswith("dsw%st" % tag)]
    return ns + links


class Host:
    def __init__(self, topo, i):
        self.topo = topo
        self.index = i
        self.port_no = i + 1
        self.ns = "dpsw%sh%d" % (topo.tag, i)
        self.iface = "dsw%st%d" % (topo.tag, i)
        self.mac = "02:00:5e:00:00:%02x" % (i + 1)
        self.ip4 = "10.77.0.%d" % (i + 1)
        self.ip6 = "fd77::%d" % (i + 1)

    def run(self, *cmd, check=True, timeout=60, **kw):
        return sh("ip", "netns", "exec", self.ns, *cmd, check=check, timeout=timeout, **kw)

    def popen(self, *cmd, **kw):
        """A process in this namespace, killed by PID at teardown."""
        p = subprocess.Popen(["ip", "netns", "exec", self.ns] + [str(c) for c in cmd], **kw)
        self.topo.procs.append(p)
        return p

    def ping(self, dst, count=3, interval=0.2, size=None, dont_fragment=False, wait=2):
        cmd = ["ping", "-6" if ":" in dst else "-4", "-n", "-q", "-c", count, "-i", interval,
               "-W", wait]
        if size is not None:
            cmd += ["-s", size]
        if dont_fragment:
            cmd += ["-M", "do"]
        r = self.run(*cmd, dst, check=False, timeout=count * interval + wait + 30)
        self.last_ping = r.stdout + r.stderr
        return r.returncode == 0

    def neigh(self, addr):
        """The link-layer address this host resolved for 'addr', or None."""
        out = self.run("ip", "-j", "neigh", "show", addr, "dev", self.iface).stdout
        for n in json.loads(out or "[]"):
            if n.get("lladdr") and "FAILED" not in n.get("state", []):
                return n["lladdr"]
        return None

    def link_stats(self, dev=None):
        """{'rx': {...}, 'tx': {...}} of an interface in this namespace."""
        out = self.run("ip", "-j", "-s", "link", "show", "dev", dev or self.iface).stdout
        return json.loads(out)[0]["stats64"]


class Topology:
    """n hosts on one switch. 'flows': a flow table text (--flows), a function
    of the hosts that returns one, or None."""

    def __init__(self, n_hosts, flows=None, options=(), ipv6=True, tag=None, huge=None):
        self.tag = tag or TAG
        self.tmp = tempfile.mkdtemp(prefix="dpsw-netns-")
        self.hosts = [Host(self, i) for i in range(n_hosts)]
        self.procs = []
        self.daemon = None
        self.ipv6 = ipv6
        self.huge = huge  # dpsw.Daemon's: None = hugepages when there are enough
        opts = list(options)
        if callable(flows):
            flows = flows(self.hosts)
        if flows is not None:
            path = os.path.join(self.tmp, "flows.txt")
            with open(path, "w") as f:
                f.write(flows)
            opts += ["--flows", path]
            if "--max-idle" not in opts:
                # A fixed table: no flow may expire however slow the machine.
                opts += ["--max-idle", "3600000"]
        self.vdevs = ["net_tap%d,iface=%s" % (h.index, h.iface) for h in self.hosts]
        self.options = opts

    # -- set-up --
    def __enter__(self):
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, _exit_on_signal)
        try:
            self.setup()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def setup(self):
        for h in self.hosts:
            sh("ip", "netns", "del", h.ns, check=False)  # a stale one of a dead pid
            sh("ip", "netns", "add", h.ns)
            h.run("sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0",
                  "net.ipv6.conf.default.accept_dad=0",
                  "net.ipv6.conf.default.disable_ipv6=%d" % (not self.ipv6),
                  "net.ipv6.conf.all.disable_ipv6=%d" % (not self.ipv6))
            h.run("ip", "link", "set", "lo", "up")
        self.daemon = dpsw.Daemon(self.vdevs, self.options, tmpdir=self.tmp,
                                  huge=self.huge).start()
        for h in self.hosts:
            sh("ip", "link", "set", h.iface, "netns", h.ns)
            h.run("ip", "link", "set", h.iface, "address", h.mac)
            h.run("ip", "addr", "add", h.ip4 + "/24", "dev", h.iface)
            if self.ipv6:
                h.run("ip", "addr", "add", h.ip6 + "/64", "dev", h.iface, "nodad")
            h.run("ip", "link", "set", h.iface, "up")

    # -- teardown: every step runs, whatever failed before --
    def close(self):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        self.procs = []
        for h in self.hosts:  # what a test started inside without popen()
            for pid in sh("ip", "netns", "pids", h.ns, check=False).stdout.split():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
        if self.daemon is not None:
            self.daemon.stop()
            # EAL leaves its runtime directory (file prefix) behind.
            shutil.rmtree("/var/run/dpdk/" + self.daemon.prefix, ignore_errors=True)
        for h in self.hosts:
            # The tap goes with the daemon; a link left in either place goes now.
            sh("ip", "link", "del", h.iface, check=False)
            sh("ip", "netns", "del", h.ns, check=False)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def stop_switch(self):
        """Stop the daemon (by PID); returns its output, final statistics included."""
        self.daemon.stop()
        return self.daemon.output


# ---- traffic ---------------------------------------------------------------
_SERVER = r"""
import hashlib, socket, sys
s = socket.socket(socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(1)
print('listening', flush=True)
c, _ = s.accept()
h, n = hashlib.sha256(), 0
while True:
    b = c.recv(1 << 16)
    if not b:
        break
    h.update(b)
    n += len(b)
print(n, h.hexdigest(), flush=True)
"""

_CLIENT = r"""
import hashlib, random, socket, sys, time
size, rng = int(sys.argv[3]), random.Random(int(sys.argv[4]))
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=60)
h, left, t0 = hashlib.sha256(), size, time.monotonic()
while left:
    b = rng.randbytes(min(left, 1 << 16))
    s.sendall(b)
    h.update(b)
    left -= len(b)
s.shutdown(socket.SHUT_WR)
s.recv(1)
print(size, h.hexdigest(), '%.3f' % (time.monotonic() - t0), flush=True)
"""


def tcp_transfer(client, server, dst, size, port=5201, timeout=300):
    """Send 'size' pseudo-random bytes client -> server:dst over TCP; returns
    (bytes received, same digest both ends, seconds)."""
    srv = server.popen("/usr/bin/python3", "-c", _SERVER, dst, port, stdout=subprocess.PIPE,
                       text=True)
    if srv.stdout.readline().strip() != "listening":
        raise AssertionError("TCP server did not start")
    seed = int(time.time())
    cli = client.run("/usr/bin/python3", "-c", _CLIENT, dst, port, size, seed, timeout=timeout)
    sent, sent_digest, secs = cli.stdout.split()
    got, got_digest = srv.stdout.readline().split()
    srv.wait(30)
    return int(got), sent_digest == got_digest and int(sent) == int(got), float(secs)


def digest(data):
    return hashlib.sha256(data).hexdigest()


# ---- a tiny test runner ----------------------------------------------------
def run_cases(cases):
    """Run each case (name, fn); report, check nothing of ours is left; exit."""
    require_root()
    failed = []
    for name, fn in cases:
        t0 = time.monotonic()
        try:
            fn()
            print("ok - %s (%.1fs)" % (name, time.monotonic() - t0), flush=True)
        except Exception as e:  # report and go on: the next case starts clean
            failed.append(name)
            print("FAIL - %s (%.1fs): %s" % (name, time.monotonic() - t0, e), flush=True)
    left = leftovers()
    if left:
        failed.append("cleanup")
        print("FAIL - cleanup: left behind %s" % left, flush=True)
    sys.exit(1 if failed else 0)
