# SPDX-License-Identifier: BSD-3-Clause
"""Start-up under bad conditions (issue 16, items 5 and 9): every check
that needs no EAL runs before EAL, so a start that cannot work exits 2
with a clear message before any device is touched, and leaves no EAL
run-time directory (/var/run/dpdk/PREFIX) or hugepage file behind."""
import glob
import os
import re
import subprocess
import time

import abuse_lib as L
from abuse_lib import check, figure

L.need_root()


def rundir(d):
    return os.path.join("/var/run/dpdk", d.prefix)


def hugepage_files(prefix):
    """PREFIXmap_* on every hugetlbfs mount (EAL's hugepage files)."""
    with open("/proc/mounts") as f:
        mounts = [line.split()[1] for line in f if line.split()[2] == "hugetlbfs"]
    return [p for m in mounts for p in glob.glob(os.path.join(m, glob.escape(prefix) + "map_*"))]


def failed_start(vdevs=("net_null0,no-rx=1",), options=(), tmpdir=None, timeout=30):
    """Start a daemon that must fail; returns (exit status, output, seconds).
    Checks it left no EAL run-time directory and no hugepage file."""
    d = L.Daemon(vdevs, options, tmpdir=tmpdir)
    t0 = time.monotonic()
    d.start(wait_ready=False)
    try:
        d.proc.wait(timeout)
    except subprocess.TimeoutExpired:
        d.stop()
        raise L.Failure("still running after %ds: %s" % (timeout, d.read_log()))
    took = time.monotonic() - t0
    out = d.read_log()
    check(not os.path.exists(rundir(d)), "%s left behind" % rundir(d), out)
    left = hugepage_files(d.prefix)
    check(not left, "%d hugepage files left behind" % len(left), left[:3])
    d.stop()
    return d.proc.returncode, out, took


def expect_usage_error(what, pattern, **kw):
    rc, out, took = failed_start(**kw)
    figure(what, "exit %d in %.2f s: %s" % (rc, took, out.strip().splitlines()[0]))
    check(rc == 2, what + ": exit status 2", rc, out)
    check(re.search(pattern, out), what + ": message says why (%s)" % pattern, out)
    check("port(s)" not in out, what + ": failed before the ports", out)


def test_ctl_too_long():
    path = "/tmp/" + "x" * 120 + "/ctl.sock"
    expect_usage_error("--ctl too long", r"socket path holds at most 107",
                       options=["--ctl", path])


def test_unknown_group():
    expect_usage_error("--ctl-group unknown", r"no group 'no-such-group-dpsw'",
                       options=["--ctl-group", "no-such-group-dpsw"])


def test_flows_directory():
    expect_usage_error("--flows a directory", r"--flows .*: is a directory",
                       options=["--flows", L.tmpdir()])


def test_flows_fifo():
    fifo = os.path.join(L.tmpdir(), "flows.fifo")
    os.mkfifo(fifo)
    expect_usage_error("--flows a FIFO", r"--flows .*: not a regular file",
                       options=["--flows", fifo])


def test_reserve_over_limit():
    expect_usage_error("--reserve-flows over --flow-limit",
                       r"--reserve-flows 5000 is more than the flow limit 1000: lower "
                       r"--reserve-flows or raise --flow-limit",
                       options=["--reserve-flows", "5000", "--flow-limit", "1000"])


def test_same_command_twice():
    a = L.Daemon().start()
    b_args = list(a.args)
    b = subprocess.run(b_args, capture_output=True, text=True, timeout=60)
    out = b.stdout + b.stderr
    figure("same command line twice", "exit %d: %s" % (b.returncode, out.strip()))
    check(b.returncode == 2, "exit status 2", out)
    check("a daemon already answers on " + a.sock in out, "says why", out)
    check("Success" not in out, "not 'EAL initialisation failed: Success'", out)
    check("flows: 0" in L.show_text(a), "the first still serves")
    # Same file prefix, another socket: EAL's lock would fail with 'Success'.
    b_args[b_args.index("--ctl") + 1] = os.path.join(a.tmp, "other.sock")
    b = subprocess.run(b_args, capture_output=True, text=True, timeout=60)
    out = b.stdout + b.stderr
    figure("same --file-prefix twice", "exit %d: %s" % (b.returncode, out.strip()))
    check(b.returncode == 2, "exit status 2", out)
    check("file prefix '%s' is in use by process %d" % (a.prefix, a.proc.pid) in out,
          "names the prefix and the process", out)
    check(not os.path.exists(os.path.join(a.tmp, "other.sock")), "no socket left")
    check(os.path.exists(rundir(a)), "the live daemon's EAL directory kept")
    check(a.stop() == 0, "first stops cleanly", a.output)


def tap_state(iface):
    with open("/sys/class/net/%s/address" % iface) as f:
        mac = f.read().strip()
    with open("/sys/class/net/%s/flags" % iface) as f:
        flags = f.read().strip()
    return mac, flags


def test_second_daemon_on_live_path_touches_no_device():
    """Item 5: a second daemon on a live --ctl path, another --file-prefix,
    the same tap: it must fail before EAL probes (and resets) the tap."""
    iface = "dpswab%d" % (os.getpid() % 100000)
    vdev = "net_tap0,iface=%s" % iface
    a = L.Daemon([vdev]).start()
    L.wait_for(lambda: os.path.exists("/sys/class/net/" + iface), 10, "tap " + iface)
    before = tap_state(iface)
    time.sleep(0.01)  # another prefix (dpsw.Daemon numbers them by the ms)
    rc, out, took = failed_start([vdev], tmpdir=a.tmp)
    figure("second daemon on a live --ctl", "exit %d in %.2f s: %s" % (
        rc, took, out.strip().splitlines()[0]))
    check(rc == 2 and "a daemon already answers on" in out, "refused before EAL", rc, out)
    check(tap_state(iface) == before, "the live daemon's tap unchanged", before,
          tap_state(iface))
    check("port 1: %s" % iface in L.show_text(a) or "port 1:" in L.show_text(a), "first still serves")
    check(a.stop() == 0, "first stops cleanly", a.output)


def test_eal_failure_cleans_up():
    """EAL refuses its arguments: exit 2, and its run-time directory (made
    before the failure) is removed."""
    rc, out, took = failed_start(vdevs=("net_nosuchdriver0",))
    figure("EAL failure", "exit %d: %s" % (rc, [x for x in out.splitlines()
                                              if "dpdk-switch" in x]))
    check(rc == 2, "exit status 2", out)
    check("EAL initialisation failed" in out and "Success" not in out, "says so", out)


def test_failure_after_eal_cleans_up():
    bad = os.path.join(L.tmpdir(), "bad.flows")
    with open(bad, "w") as f:
        f.write("in_port(1),eth() nonsense\n")
    rc, out, took = failed_start(options=["--flows", bad])
    check(rc == 2 and "bad.flows" in out, "flows file refused", rc, out)


L.run([test_ctl_too_long, test_unknown_group, test_flows_directory, test_flows_fifo,
       test_reserve_over_limit, test_same_command_twice,
       test_second_daemon_on_live_path_touches_no_device, test_eal_failure_cleans_up,
       test_failure_after_eal_cleans_up], budget_s=60)
