# SPDX-License-Identifier: BSD-3-Clause
"""Shared by every abuse script (tests/abuse/abuse_*.py): daemons from
tests/e2e/dpsw.py, namespaces and taps from netns.py, raw messages from
nlraw.py, cases bounded in time, figures printed for docs/TESTING.md, and
clients run as the unprivileged user 'nobody'.

Every case runs under a time bound (SIGALRM): a daemon that stops
answering fails the case instead of hanging the suite. What a case starts
is stopped by PID at the end, whatever fails.

Scripts 'nobody' runs are copied (with nlraw.py) to a fresh 0755 directory
first: the checkout may sit in a 0700 directory nobody cannot enter.
"""
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
E2E = os.path.join(HERE, "..", "e2e")
sys.path.insert(0, E2E)
import dpsw    # noqa: E402
import netns   # noqa: E402
import nlraw   # noqa: E402

N = nlraw

SKIP = 77
_cleanups = []

# A frame the kernel or a raw socket sends as fast as it can, until killed.
# It reopens the socket when the interface goes away and comes back (del-if,
# add-if of a tap). argv: interface, frame as hex.
FLOODER = r"""
import socket, sys, time
iface, frame = sys.argv[1], bytes.fromhex(sys.argv[2])
while True:
    try:
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        s.bind((iface, 0))
        while True:
            s.send(frame)
    except OSError:
        time.sleep(0.01)
"""


class Failure(AssertionError):
    pass


def check(cond, what, *details):
    if not cond:
        raise Failure(what + "".join("\n  " + str(d) for d in details))


def need_root():
    if os.geteuid() != 0:
        print("skip: needs root")
        sys.exit(SKIP)
    dpsw.switch_bin()


def figure(name, value):
    """A measurement the docs quote (docs/TESTING.md, abuse section)."""
    print("figure: %s: %s" % (name, value), flush=True)


def tmpdir():
    """A directory removed at exit, traversable by 'nobody'."""
    d = tempfile.mkdtemp(prefix="dpsw-abuse-")
    os.chmod(d, 0o755)
    _cleanups.append(lambda: shutil.rmtree(d, ignore_errors=True))
    return d


class Daemon(dpsw.Daemon):
    """dpsw.Daemon whose socket 'nobody' can reach; stopped at exit."""

    def __init__(self, vdevs=("net_null0,no-rx=1", "net_null1,no-rx=1"), options=(),
                 **kw):
        super().__init__(list(vdevs), ["--max-idle", "3600000"] + list(options),
                         tmpdir=kw.pop("tmpdir", None) or tmpdir(), **kw)
        _cleanups.append(self.stop)


def nobody_script(name):
    """Path of a copy of tests/abuse/NAME (and nlraw.py) that 'nobody' can
    read and run."""
    try:
        pwd.getpwnam("nobody")
    except KeyError:
        print("skip: no user 'nobody'")
        sys.exit(SKIP)
    d = tmpdir()
    for src in (os.path.join(HERE, name), os.path.join(E2E, "nlraw.py")):
        dst = os.path.join(d, os.path.basename(src))
        shutil.copyfile(src, dst)
        os.chmod(dst, 0o644)
    return os.path.join(d, name)


def as_nobody(args, **kw):
    """Popen of 'args' as nobody:nogroup with no supplementary groups."""
    cmd = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] + list(args)
    return subprocess.Popen(cmd, **kw)


def stop_proc(p, timeout=10):
    """SIGTERM, then SIGKILL, a process we started (by PID)."""
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def spawn(args, **kw):
    """Popen of 'args', stopped by PID at the end."""
    p = subprocess.Popen(args, **kw)
    _cleanups.append(lambda: stop_proc(p))
    return p


# ---- Asking the daemon ---------------------------------------------------

def ctl(d, *args, timeout=30, check=True):
    """dpdk-switch-ctl against daemon 'd'; a reply slower than 'timeout'
    seconds fails: the control thread is stuck."""
    cmd = [dpsw.ctl_bin(), "--ctl", d.sock] + [str(a) for a in args]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Failure("no reply to '%s' in %ds: the control thread hangs"
                      % (" ".join(map(str, args)), timeout))
    if check and r.returncode != 0:
        raise Failure("%s -> %d: %s" % (" ".join(map(str, args)), r.returncode,
                                        r.stderr.strip()))
    return r


def show(d):
    """'show --json', parsed."""
    return json.loads(ctl(d, "show", "--json").stdout)


def show_text(d, user=None):
    """'show' as a person reads it (as 'user' when given)."""
    return d.ctl("show", user=user).stdout


def lost(d):
    """Upcalls counted lost (nobody took them)."""
    return show(d)["lookups"]["lost"]


def port(d, port_no, info=None):
    """The port's entry of 'show --json', or None."""
    for p in (info or show(d))["ports"]:
        if p["port_no"] == port_no:
            return p
    return None


def rate(d, port_no, key, secs=1.0):
    """Packets a second of a port counter ('rx_packets', 'tx_packets')."""
    a = port(d, port_no)["stats"][key]
    t0 = time.monotonic()
    time.sleep(secs)
    b = port(d, port_no)["stats"][key]
    return (b - a) / (time.monotonic() - t0)


def exit_clean(d):
    """Stop the daemon by PID; it must exit 0 with every mbuf back."""
    rc = d.stop()
    check(rc == 0, "daemon exit status %s" % rc, d.output[-2000:])
    n = dpsw.stats_value(d.output, "mbufs in use")
    check(n == 0, "mbufs in use at exit: %s" % n, d.output[-2000:])


# ---- Watching a process ----------------------------------------------------

def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def thread_cpu_s(pid, tid=None):
    """User + system CPU seconds of one thread (the main thread by default)."""
    with open("/proc/%d/task/%d/stat" % (pid, tid or pid)) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_for(cond, timeout, what, step=0.1):
    """cond()'s first true value, polled every 'step' seconds; fails after
    'timeout' seconds, saying 'what' (or what() returns) it waited for."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(step)
    raise Failure("timed out after %ds: %s" % (timeout, what() if callable(what) else what))


# ---- Running the cases -----------------------------------------------------

def bounded(fn, seconds):
    """fn, failing with Failure past 'seconds'."""
    def run_bounded():
        def on_alarm(_sig, _frame):
            raise Failure("case over its %ds bound" % seconds)
        old = signal.signal(signal.SIGALRM, on_alarm)
        signal.alarm(seconds)
        try:
            fn()
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)
    return run_bounded


def _cleanup():
    while _cleanups:
        try:
            _cleanups.pop()()
        except Exception as e:  # noqa: BLE001 - keep cleaning
            print("cleanup: %s" % e)


def run(cases, budget_s=60):
    """Run each case within its time bound: a case is fn (bound 'budget_s'
    seconds), (fn, seconds) or (name, fn, seconds). Reports each and goes on
    after a failure; then stops everything registered by PID, checks that
    no namespace or tap of this process is left, and exits 0, 1 or 77
    (not root)."""
    netns.require_root()
    failed = []
    try:
        for case in cases:
            if not isinstance(case, tuple):
                case = (case, budget_s)
            name, fn, secs = case if len(case) == 3 else (case[0].__name__,) + case
            t0 = time.monotonic()
            try:
                bounded(fn, secs)()
                print("ok - %s (%.1fs)" % (name, time.monotonic() - t0), flush=True)
            except Exception as e:  # noqa: BLE001 - report and go on
                traceback.print_exc()
                failed.append(name)
                print("FAIL - %s (%.1fs): %s" % (name, time.monotonic() - t0, e), flush=True)
    finally:
        _cleanup()
    left = netns.leftovers()
    if left:
        failed.append("cleanup")
        print("FAIL - cleanup: left behind %s" % left, flush=True)
    sys.exit(1 if failed else 0)
