# SPDX-License-Identifier: BSD-3-Clause
"""Shared by the control-side abuse cases (abuse_ctl*.py, abuse_startup.py,
abuse_signals.py): daemons from tests/e2e/dpsw.py, raw messages from
tests/e2e/nlraw.py, cases bounded in time, figures printed for
docs/TESTING.md, and clients run as the unprivileged user 'nobody'.

Scripts 'nobody' runs are copied (with nlraw.py) to a fresh 0755 directory
first: the checkout may sit in a 0700 directory nobody cannot enter.
"""
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
E2E = os.path.join(HERE, "..", "e2e")
sys.path.insert(0, E2E)
import dpsw    # noqa: E402
import nlraw   # noqa: E402

N = nlraw

SKIP = 77
_cleanups = []


class Failure(Exception):
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
    p = subprocess.Popen(args, **kw)
    _cleanups.append(lambda: stop_proc(p))
    return p


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


def wait_for(cond, timeout, what, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(step)
    raise Failure("timed out after %ds: %s" % (timeout, what() if callable(what) else what))


def show(d, user=None):
    return d.ctl("show", user=user).stdout


def lost(d):
    return int(show(d).split("lost:")[1].split()[0])


def run(cases, budget_s=60):
    """Run each case in order, each within its own time budget (seconds,
    default 'budget_s'): SIGALRM fails a case that overruns. Cleans up
    everything registered, by PID, whatever happens."""
    def alarm(*_):
        raise Failure("case over its time budget")
    signal.signal(signal.SIGALRM, alarm)
    status = 0
    try:
        for case in cases:
            fn, budget = case if isinstance(case, tuple) else (case, budget_s)
            t0 = time.monotonic()
            signal.alarm(budget)
            try:
                fn()
            finally:
                signal.alarm(0)
            print("ok %s (%.1fs)" % (fn.__name__, time.monotonic() - t0), flush=True)
    except Exception as e:  # noqa: BLE001 - any error fails the case
        import traceback
        traceback.print_exc()
        print("FAIL %s: %s" % (fn.__name__, e), flush=True)
        status = 1
    finally:
        signal.alarm(0)
        while _cleanups:
            try:
                _cleanups.pop()()
            except Exception as e:  # noqa: BLE001 - keep cleaning
                print("cleanup: %s" % e)
    sys.exit(status)
