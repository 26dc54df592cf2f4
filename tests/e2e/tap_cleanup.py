# SPDX-License-Identifier: BSD-3-Clause
"""Tests of the tests' own hygiene: whatever ends a topology (an exception,
SIGTERM from meson's timeout, the daemon dying), its namespaces, tap
interfaces and processes are gone afterwards."""
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from netns import Topology, leftovers, run_cases  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purpose, but only its parent can reap it.
    with open("/proc/%d/stat" % pid) as f:
        return f.read().split(")")[-1].split()[0] != "Z"


def on_exception():
    pids = []
    try:
        with Topology(2) as t:
            pids = [t.daemon.proc.pid, t.hosts[0].popen("sleep", "600").pid]
            raise RuntimeError("a failing test")
    except RuntimeError:
        pass
    assert not leftovers(), leftovers()
    assert not any(alive(p) for p in pids), pids


def on_sigterm():
    child = r"""
import sys, time
sys.path.insert(0, %r)
from netns import Topology
with Topology(2, tag=sys.argv[1]) as t:
    sleeper = t.hosts[1].popen("sleep", "600")
    print(t.daemon.proc.pid, sleeper.pid, flush=True)
    time.sleep(600)
""" % HERE
    tag = "%dc" % os.getpid()
    p = subprocess.Popen(["/usr/bin/python3", "-c", child, tag], stdout=subprocess.PIPE,
                         text=True)
    pids = []
    try:
        pids = [int(x) for x in p.stdout.readline().split()]
        assert len(pids) == 2 and len(leftovers(tag)) == 2, leftovers(tag)  # namespaces
        p.send_signal(signal.SIGTERM)
        assert p.wait(60) == 128 + signal.SIGTERM, p.returncode
    finally:
        if p.poll() is None:  # this test failed: clean up for the child
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
                for pid in pids:
                    if alive(pid):
                        os.kill(pid, signal.SIGKILL)
                for name in leftovers(tag):
                    subprocess.run(["ip", "netns", "del", name])
    assert not leftovers(tag), leftovers(tag)
    assert not any(alive(x) for x in pids), pids


def daemon_killed():
    with Topology(2) as t:
        os.kill(t.daemon.proc.pid, signal.SIGKILL)
        t.daemon.proc.wait()
        time.sleep(0.2)
    assert not leftovers(), leftovers()


if __name__ == "__main__":
    run_cases([("an exception inside a topology", on_exception),
               ("SIGTERM to a test process", on_sigterm),
               ("the daemon killed mid-test", daemon_killed)])
