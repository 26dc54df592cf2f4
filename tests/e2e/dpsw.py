# SPDX-License-Identifier: BSD-3-Clause
"""Helpers for end-to-end tests: start dpdk-switch on vdevs, stop it by PID.

Every daemon a test starts is stopped by PID when the test ends, even on
failure (use `with Daemon(...) as d:`), and gets its own EAL file prefix
and control socket so tests never collide.

Binaries come from the environment (meson sets them for `meson test`):
DPDK_SWITCH and DPDK_SWITCH_CTL; else build/debug/src/... from the tree.
Memory: hugepages when /dev/hugepages has free pages (DPSW_TEST_HUGE=1
forces them, =0 forces --no-huge), else --no-huge -m 512.
"""
import atexit
import glob
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

TREE = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def binary(env, rel):
    path = os.environ.get(env) or os.path.join(TREE, "build", "debug", rel)
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"{path} not built (set {env} or build build/debug)")
    return path


def switch_bin():
    return binary("DPDK_SWITCH", "src/dpdk-switch")


def ctl_bin():
    return binary("DPDK_SWITCH_CTL", "src/client/dpdk-switch-ctl")


def public_copy(*paths):
    """Copies of 'paths' (files) in a fresh directory that every user can
    enter and read; removed at exit. Returns the directory. What a test runs
    as an unprivileged user ('nobody') must come from there: the checkout
    may sit in a directory others cannot enter (root's home is 0700 on
    Debian, and so is what mktemp -d makes)."""
    d = tempfile.mkdtemp(prefix="dpsw-public-", dir="/tmp")
    atexit.register(shutil.rmtree, d, True)
    os.chmod(d, 0o755)
    for p in paths:
        dst = os.path.join(d, os.path.basename(p))
        shutil.copyfile(p, dst)
        os.chmod(dst, 0o755)
    return d


_public_ctl = []


def public_ctl_bin():
    """The client, copied where an unprivileged user can run it."""
    if not _public_ctl:
        _public_ctl.append(os.path.join(public_copy(ctl_bin()), "dpdk-switch-ctl"))
    return _public_ctl[0]


def hugepages_free():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("HugePages_Free:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def use_hugepages():
    forced = os.environ.get("DPSW_TEST_HUGE")
    if forced is not None:
        return forced == "1"
    return os.geteuid() == 0 and hugepages_free() >= 256 and \
        os.path.ismount("/dev/hugepages")


def guest_skip_reason(pages=None):
    """Why a test with a testpmd guest cannot run here (None: it can):
    root, dpdk-testpmd, and hugepages (at least 'pages' free 2 MB pages
    when given, else what use_hugepages() asks)."""
    if os.geteuid() != 0:
        return "needs root"
    if shutil.which("dpdk-testpmd") is None:
        return "no dpdk-testpmd (tools/deps.sh installs dpdk)"
    if pages is None and not use_hugepages():
        return "no free hugepages for the guest (tools/hugepages.sh)"
    if pages is not None and (not os.path.ismount("/dev/hugepages") or
                              hugepages_free() < pages):
        return "needs %d free 2 MB hugepages in /dev/hugepages, %d free " \
            "(tools/hugepages.sh)" % (pages, hugepages_free())
    return None


def eal_memory_args(huge=None):
    if huge is None:
        huge = use_hugepages()
    return ["-m", "256"] if huge else ["--no-huge", "-m", "512"]


def remove_hugepage_files(prefix):
    """Delete PREFIXmap_* from every hugetlbfs mount (what EAL leaves)."""
    try:
        with open("/proc/mounts") as f:
            mounts = [line.split()[1] for line in f if line.split()[2] == "hugetlbfs"]
    except OSError:
        return
    for m in mounts:
        for path in glob.glob(os.path.join(m, glob.escape(prefix) + "map_*")):
            try:
                os.unlink(path)
            except OSError:
                pass


class Testpmd:
    """dpdk-testpmd as a test's peer (a vhost-user or memif guest, a
    traffic source): output to a log in 'tmp', stopped by PID, its EAL
    files removed. Subclasses set self.args (with --file-prefix
    self.prefix) before start()."""

    def __init__(self, tmp, prefix):
        self.prefix = prefix
        self.log = os.path.join(tmp, prefix + ".log")
        self.args = None
        self.proc = None

    def start(self):
        self.logf = open(self.log, "w")
        self.proc = subprocess.Popen(self.args, stdout=self.logf, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        return self

    def says(self, line):
        with open(self.log) as f:
            return line in f.read()

    def text(self, tail=4000):
        with open(self.log) as f:
            return f.read()[-tail:]

    def stop(self, sig=signal.SIGTERM):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        self.logf.close()
        shutil.rmtree(os.path.join("/var/run/dpdk", self.prefix), ignore_errors=True)
        remove_hugepage_files(self.prefix)


class Daemon:
    """dpdk-switch on the given vdevs. Use as a context manager.

    'mem' replaces the EAL memory arguments eal_memory_args(huge) chooses,
    'switch' the daemon binary (the benchmarks run a release build)."""

    def __init__(self, vdevs, options=(), lcores="0-1", huge=None, tmpdir=None, mem=None,
                 switch=None):
        if tmpdir is None:
            # Its own directory goes when the test ends (after the daemon
            # stopped: a test may restart it, and reads the log).
            tmpdir = tempfile.mkdtemp(prefix="dpsw-e2e-")
            atexit.register(shutil.rmtree, tmpdir, True)
        self.tmp = tmpdir
        self.sock = os.path.join(self.tmp, "ctl.sock")
        self.prefix = "dpsw%d_%d" % (os.getpid(), int(time.monotonic() * 1000) % 100000)
        # "0-1" is an lcore list (-l); "0@0,1@1,2@1" maps lcores to CPUs
        # (--lcores), e.g. two PMDs sharing CPU 1 on a 2-CPU machine.
        cores = ["--lcores", lcores] if "@" in lcores else ["-l", lcores]
        self.args = [switch or switch_bin()] + cores + [
            "--no-pci", "--file-prefix", self.prefix, "--log-level", "lib.eal:warning"] + \
            (mem if mem is not None else eal_memory_args(huge))
        for v in vdevs:
            self.args += ["--vdev", v]
        self.args += ["--", "--ctl", self.sock] + list(options)
        self.log = os.path.join(self.tmp, "daemon.log")
        self.proc = None
        self.output = ""

    def start(self, wait_ready=True, timeout=30):
        self.logf = open(self.log, "w")
        self.proc = subprocess.Popen(self.args, stdout=self.logf, stderr=subprocess.STDOUT)
        if not wait_ready:
            return self
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("dpdk-switch exited %d:\n%s" % (self.proc.returncode,
                                                                 self.read_log()))
            if "forwarding;" in self.read_log():
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("dpdk-switch did not start:\n" + self.read_log())

    def read_log(self):
        try:
            with open(self.log) as f:
                return f.read()
        except OSError:
            return ""

    def wait(self, timeout=60):
        """Wait for a daemon that ends by itself (--exit-idle, --duration)."""
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise RuntimeError("dpdk-switch did not exit in %ds:\n%s" % (timeout,
                                                                      self.read_log()))
        self.output = self.read_log()
        return self.proc.returncode

    def stop(self, timeout=20):
        """SIGTERM, then SIGKILL; returns the exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.logf.close()
        self.output = self.read_log()
        # EAL leaves its runtime directory (sockets, config) behind, and its
        # hugepage files (kept for a restart with the same prefix; the next
        # EAL to start would delete them, but until then they hold the pages).
        shutil.rmtree(os.path.join("/var/run/dpdk", self.prefix), ignore_errors=True)
        remove_hugepage_files(self.prefix)
        return self.proc.returncode

    def ctl(self, *args, check=True, user=None, input=None):
        """Run dpdk-switch-ctl against this daemon; returns CompletedProcess."""
        cmd = [public_ctl_bin() if user else ctl_bin(), "--ctl", self.sock] + list(args)
        if user:
            cmd = ["setpriv", "--reuid=" + user, "--regid=nogroup", "--clear-groups"] + cmd
        r = subprocess.run(cmd, capture_output=True, text=True, input=input, timeout=120)
        if check and r.returncode != 0:
            raise AssertionError("%s -> %d\nstdout:%s\nstderr:%s" % (" ".join(args),
                                                                    r.returncode, r.stdout,
                                                                    r.stderr))
        return r

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


def stats_value(output, name):
    """A number from the daemon's final statistics, e.g. 'mbufs in use'."""
    m = re.search(re.escape(name) + r":?\s*(\d+)", output)
    return int(m.group(1)) if m else None
