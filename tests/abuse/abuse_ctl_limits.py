# SPDX-License-Identifier: BSD-3-Clause
"""Local denial of service on the control socket (mode 0666), as the
unprivileged user 'nobody': every change refused; 1100 connections neither
lock root out nor make the control thread spin (also when the daemon runs
out of files); clients that send GETs and never read hold bounded memory.
Figures (requests, RSS, CPU) are printed for docs/TESTING.md."""
import re
import subprocess
import time

import abuse_lib as L
from abuse_lib import check, figure

L.need_root()
CLIENT = L.nobody_script("abuse_ctl_client.py")


def nobody(*args):
    """Start the client as nobody; returns (process, its result line)."""
    p = L.as_nobody(["/usr/bin/python3", CLIENT] + list(args), stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    L._cleanups.append(lambda: L.stop_proc(p))
    line = p.stdout.readline()
    check(line.startswith("result: "), "client as nobody", line, p.stderr.read()
          if p.poll() is not None else "")
    return p, dict(kv.split("=") for kv in line.split()[1:])


def release(p):
    p.stdin.close()
    p.wait(30)


def limited(nofile, options=(), hard=None):
    """A daemon whose open files are limited (prlimit execs it: same PID)."""
    d = L.Daemon(options=options)
    d.args = ["prlimit", "--nofile=%d:%d" % (nofile, hard or nofile), "--"] + d.args
    return d.start()


def nofile_limits(pid):
    with open("/proc/%d/limits" % pid) as f:
        for line in f:
            if line.startswith("Max open files"):
                return tuple(int(x) for x in line.split()[3:5])
    return None


def test_raises_nofile():
    """The soft file limit is raised to fit the caps (1000 connections and
    a margin), within the hard limit, with a warning when that is short.
    (EAL may raise it further, to the hard limit.)"""
    d = limited(1024, hard=4096)
    soft, hard = nofile_limits(d.proc.pid)
    check(2024 <= soft <= hard == 4096, "soft limit raised", (soft, hard))
    check("warning" not in d.read_log(), "no warning", d.read_log())
    check(d.stop() == 0, "clean stop", d.output)
    d = limited(1024, hard=1500)
    check(nofile_limits(d.proc.pid) == (1500, 1500), "raised to the hard limit")
    check("warning: open files limited to 1500" in d.read_log(), "warned", d.read_log())
    check(d.stop() == 0, "clean stop", d.output)


def timed_show(d):
    t0 = time.monotonic()
    r = d.ctl("show", check=False)
    return r, time.monotonic() - t0


def test_unprivileged_writes():
    d = L.Daemon().start()
    d.ctl("add-flow", "in_port(1),eth(),eth_type(0x0806)", "2")
    before = d.ctl("dump-flows").stdout
    p, res = nobody("writes", d.sock)
    release(p)
    check(len(res) == 13 and all(v == "-1" for v in res.values()),
          "every change refused with EPERM", res)
    check(d.ctl("dump-flows").stdout == before, "table unchanged")
    check("flow limit: 10000" in L.show_text(d), "config unchanged", L.show_text(d))
    check(d.stop() == 0, "clean stop", d.output)


def test_connection_flood_with_1024_files():
    """1100 connections from nobody, the daemon at the 1024 files the issue
    saw: nobody gets its per-uid share, root's show still answers, and the
    control thread does not spin."""
    d = limited(1024)
    cpu0 = L.thread_cpu_s(d.proc.pid)
    p, res = nobody("conns", "1100", d.sock)
    figure("connections from nobody", res)
    check(int(res["kept"]) == 32, "nobody keeps 32 connections (the per-uid cap)", res)
    r, took = timed_show(d)
    check(r.returncode == 0 and took < 10, "root's show answers (%.1fs)" % took, r)
    c0 = L.thread_cpu_s(d.proc.pid)
    time.sleep(3)
    spent = L.thread_cpu_s(d.proc.pid) - c0
    figure("control thread CPU over 3 s holding 1100 attempts", "%.2f s" % spent)
    figure("control thread CPU while 1100 connections were tried",
           "%.2f s" % (c0 - cpu0))
    check(spent < 1.0, "control thread idle, not spinning: %.2f s of 3 s" % spent)
    release(p)
    check(d.stop() == 0, "clean stop", d.output)
    refused = int(re.search(r"(\d+) refused", d.output).group(1))
    check(refused >= int(res["refused"]), "refusals counted", d.output)


def test_out_of_files_no_spin():
    """Caps above what the file limit allows: accept meets EMFILE. The
    control thread sheds the waiting connections, does not spin, and
    serves root again once files free up."""
    d = limited(300, ["--ctl-max-conns", "1000", "--ctl-max-conns-per-uid", "1000"])
    p, res = nobody("conns", "400", d.sock)
    figure("connections from nobody at 300 files", res)
    check(int(res["refused"]) > 0, "some refused: out of files", res)
    c0 = L.thread_cpu_s(d.proc.pid)
    time.sleep(3)
    spent = L.thread_cpu_s(d.proc.pid) - c0
    figure("control thread CPU over 3 s out of files", "%.2f s" % spent)
    check(spent < 1.0, "no spin at EMFILE: %.2f s of 3 s" % spent)
    release(p)
    r = L.wait_for(lambda: (lambda r: r if r.returncode == 0 else None)(
        d.ctl("show", check=False)), 30, "root's show after the clients left")
    check(r.returncode == 0, "root served again")
    check(d.stop() == 0, "clean stop", d.output)
    errors = int(re.search(r"(\d+) accept errors", d.output).group(1))
    check(errors > 0, "accept errors counted", d.output)


def test_gets_never_read_bounded_memory():
    """200 connections from nobody that send datagrams of GETs and never
    read: the daemon's memory grows by a bounded amount."""
    d = L.Daemon().start()
    rss0 = L.rss_kb(d.proc.pid)
    p, res = nobody("gets", "200", d.sock)
    time.sleep(2)   # let the daemon serve what it will
    rss1 = L.rss_kb(d.proc.pid)
    figure("GET flood from nobody", res)
    figure("daemon RSS before/after", "%d kB / %d kB (+%d kB)" % (rss0, rss1, rss1 - rss0))
    check(rss1 - rss0 < 48 * 1024, "RSS grew %d kB, bound 48 MB" % (rss1 - rss0))
    r, took = timed_show(d)
    check(r.returncode == 0, "root served during the flood (%.1fs)" % took, r)
    release(p)
    check(d.stop() == 0, "clean stop", d.output)


L.run([(test_unprivileged_writes, 60), (test_raises_nofile, 60), (test_connection_flood_with_1024_files, 120),
       (test_out_of_files_no_spin, 120), (test_gets_never_read_bounded_memory, 120)])
