# SPDX-License-Identifier: BSD-3-Clause
"""Helpers of the datapath abuse cases (abuse_ports.py, abuse_upcalls.py,
abuse_frames.py): the daemon and namespaces come from tests/e2e (dpsw.py,
netns.py, nlraw.py), which stop what they start by PID.

Every case runs under a time bound (SIGALRM): a daemon that stops
answering fails the case instead of hanging the suite.
"""
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
import dpsw  # noqa: E402,F401
import netns  # noqa: E402

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


def ctl(d, *args, timeout=30, check=True):
    """dpdk-switch-ctl against daemon 'd'; a reply slower than 'timeout'
    seconds fails: the control thread is stuck."""
    cmd = [dpsw.ctl_bin(), "--ctl", d.sock] + [str(a) for a in args]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise AssertionError("no reply to '%s' in %ds: the control thread hangs"
                             % (" ".join(map(str, args)), timeout))
    if check and r.returncode != 0:
        raise AssertionError("%s -> %d: %s" % (" ".join(map(str, args)), r.returncode,
                                               r.stderr.strip()))
    return r


def show(d):
    return json.loads(ctl(d, "show", "--json").stdout)


def port(d, port_no, info=None):
    """The port's entry of 'show --json', or None."""
    for p in (info or show(d))["ports"]:
        if p["port_no"] == port_no:
            return p
    return None


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def wait_for(cond, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.1)
    raise AssertionError("timed out (%ds) waiting for %s" % (timeout, what))


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
    assert rc == 0, "daemon exit status %s\n%s" % (rc, d.output[-2000:])
    n = dpsw.stats_value(d.output, "mbufs in use")
    assert n == 0, "mbufs in use at exit: %s\n%s" % (n, d.output[-2000:])


def bounded(fn, seconds):
    """fn, failing with TimeoutError past 'seconds'."""
    def run():
        def on_alarm(_sig, _frame):
            raise TimeoutError("case over its %ds bound" % seconds)
        old = signal.signal(signal.SIGALRM, on_alarm)
        signal.alarm(seconds)
        try:
            fn()
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)
    return run


def run_cases(cases):
    """cases: (name, fn, bound in seconds). Reports each; checks that no
    namespace or tap of this process is left; exits 0, 1 or 77 (not root)."""
    netns.run_cases([(name, bounded(fn, secs)) for name, fn, secs in cases])
