#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""--save-flows FILE and a restart with --flows FILE.

A daemon programmed through its socket with flows of six masks (UFIDs on
most, none on some; several kinds of actions) writes them at SIGTERM and
at SIGINT; a daemon started on that file dumps the same table, byte for
byte (`dump-flows -m`: UFIDs, masks, actions), and a daemon started on it
with a pcap port forwards the first packets it reads: the flows were in
before any port received. A path that cannot be written is refused at
start, before EAL; one that goes away while the daemon runs makes the
stop fail with exit status 1 and a message, the old file untouched.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dpsw  # noqa: E402
import e2e  # noqa: E402
from e2e import check, need_root_and_daemon, ok, run, tmpdir  # noqa: E402

need_root_and_daemon()

NULL_PORTS = ["net_null0,no-rx=1", "net_null1,no-rx=1"]
PER_MASK = 50


def ufid(i):
    return "ufid:%08x-0000-4000-8000-%012x" % (0x5afe0000 + i, i * 7919)


def flow_lines():
    """Six masks, 50 flows each; the last mask's flows have no UFID."""
    lines = []
    for i in range(PER_MASK):
        a, b = i // 256, i % 256
        lines += [
            "%s in_port(1),eth(),eth_type(0x0800),ipv4(src=10.0.%d.%d,proto=6,frag=no),"
            "tcp(dst=80) 2" % (ufid(i), a, b),
            "%s in_port(2),eth(),eth_type(0x0800),ipv4(dst=10.1.%d.0/255.255.255.0,"
            "proto=17,frag=no),udp() 1" % (ufid(1000 + i), b),
            "%s in_port(1),eth(),eth_type(0x86dd),ipv6(src=2001:db8::%x,frag=no) "
            "push_vlan(vid=%d,pcp=3),2" % (ufid(2000 + i), i + 1, i + 1),
            "%s in_port(2),eth(src=02:00:00:00:%02x:%02x,dst=02:00:00:00:00:01),"
            "eth_type(0x0806),arp() 1" % (ufid(3000 + i), a, b),
            "%s in_port(1),eth(),eth_type(0x0800),ipv4(src=172.16.%d.%d,proto=17,frag=no),"
            "udp(src=%d) set(ipv4(ttl=9)),userspace(pid=7),2" % (ufid(4000 + i), a, b, 1000 + i),
            "in_port(2),eth(),eth_type(0x0800),ipv4(src=192.168.%d.%d,frag=no) drop" % (a, b),
        ]
    return lines


def daemon(vdevs, opts):
    return e2e.Daemon(vdevs, opts)


def stop(d, sig):
    """Stop with 'sig', wait; returns (status, log)."""
    d.proc.send_signal(sig)
    try:
        d.proc.wait(60)
    except subprocess.TimeoutExpired:
        pass
    rc = d.stop()
    return rc, d.output


def dumps(d):
    return ok(d.sock, "dump-flows", "-m").out, ok(d.sock, "dump-flows").out


def test_round_trip():
    tmp = tmpdir()
    saved = os.path.join(tmp, "flows.saved")
    lines = flow_lines()
    d = daemon(NULL_PORTS, ["--save-flows", saved])
    ok(d.sock, "add-flows", "-", stdin="".join(x + "\n" for x in lines))
    before = dumps(d)
    check(len(before[0].splitlines()) == len(lines), "every flow installed", before[0][:2000])
    check(before[0].count("ufid:") == 5 * PER_MASK, "UFIDs in the dump", before[0][:2000])
    check("masks: hit:0 total:6" in ok(d.sock, "show").out, "six masks")
    rc, log = stop(d, signal.SIGTERM)
    check(rc == 0, "clean stop after saving", log)
    check("%d flow(s) saved to %s" % (len(lines), saved) in log, "the save is reported", log)
    with open(saved) as f:
        text = f.read()
    check(sum(1 for x in text.splitlines() if x.startswith("ufid:")) == 5 * PER_MASK,
          "UFIDs in the file", text[:2000])
    check(not [x for x in os.listdir(tmp) if x.startswith(".flows.saved.")],
          "no temporary file left", os.listdir(tmp))

    # The same table from the file, and saved again (SIGINT) the same.
    d = daemon(NULL_PORTS, ["--flows", saved, "--save-flows", saved])
    after = dumps(d)
    check(after[0] == before[0], "dump-flows -m identical after the restart",
          first_diff(before[0], after[0]))
    check(after[1] == before[1], "dump-flows identical after the restart",
          first_diff(before[1], after[1]))
    rc, log = stop(d, signal.SIGINT)
    check(rc == 0, "clean stop on SIGINT", log)
    with open(saved) as f:
        check(f.read() == text, "the second save writes the same file")

    # A port that receives from the start: the first packets hit.
    rx = os.path.join(tmp, "in.pcap")
    pkts = [e2e.udp_packet(src="172.16.0.%d" % i, sport=1000 + i, dport=9) for i in range(5)]
    e2e.write_pcap(rx, pkts)
    d = daemon(["net_pcap0,rx_pcap=" + rx, "net_null1,no-rx=1"], ["--flows", saved])
    deadline = time.monotonic() + 30
    while True:
        show = ok(d.sock, "show").out
        m = re.search(r"lookups: hit:(\d+) missed:(\d+)", show)
        if int(m.group(1)) + int(m.group(2)) >= 5 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    check(m.group(1) == "5" and m.group(2) == "0", "every packet hit a restored flow", show)


def first_diff(a, b):
    for i, (x, y) in enumerate(zip(a.splitlines(), b.splitlines())):
        if x != y:
            return "line %d:\n  before: %s\n  after:  %s" % (i + 1, x, y)
    return "lengths %d and %d" % (len(a), len(b))


def start_fails(path):
    """Run the daemon with --save-flows PATH; it must exit 2 before EAL."""
    args = dpsw.Daemon(NULL_PORTS, ["--save-flows", path], tmpdir=tmpdir()).args
    p = subprocess.run(args, capture_output=True, text=True, timeout=60)
    out = p.stdout + p.stderr
    check(p.returncode == 2, "exit status 2 for --save-flows %s" % path, out)
    check("EAL:" not in out, "refused before EAL starts", out)
    return out


def test_bad_paths():
    tmp = tmpdir()
    out = start_fails(os.path.join(tmp, "no", "such", "dir", "f"))
    check(re.search(r"--save-flows: .*cannot create a file in .*no/such/dir: No such file", out),
          "names the directory and the reason", out)
    out = start_fails(tmp)
    check("is a directory" in out, "a directory is refused", out)
    out = start_fails("/proc/dpsw-flows")
    check("cannot create a file in /proc" in out, "an unwritable place is refused", out)
    check(os.listdir(tmp) == [], "the checks leave nothing behind", os.listdir(tmp))


def test_save_fails_at_stop():
    tmp = tmpdir()
    where = os.path.join(tmp, "gone")
    os.mkdir(where)
    path = os.path.join(where, "flows")
    d = daemon(NULL_PORTS, ["--save-flows", path])
    ok(d.sock, "add-flow", "in_port(1),eth(),eth_type(0x0806),arp()", "2")
    shutil.rmtree(where)
    rc, log = stop(d, signal.SIGTERM)
    check(rc == 1, "exit status 1 when the flows cannot be saved", log)
    check(re.search(r"--save-flows: .*gone/flows: cannot create a file", log),
          "the failure is explained", log)
    check("mbufs in use: 0" in log, "the daemon still shut down cleanly", log)


def test_first_start():
    """--flows F --save-flows F with no F yet: an empty start, F written
    at the stop; --flows F alone still refuses a missing F."""
    tmp = tmpdir()
    path = os.path.join(tmp, "state", "flows")
    os.mkdir(os.path.dirname(path))
    d = daemon(NULL_PORTS, ["--flows", path, "--save-flows", path])
    check("no %s yet: starting with no flows" % path in d.read_log(), "says so", d.read_log())
    ok(d.sock, "add-flow", "ufid:12345678-1234-1234-1234-123456789abc,in_port(1),eth(),"
       "eth_type(0x0806),arp()", "2")
    rc, log = stop(d, signal.SIGTERM)
    check(rc == 0 and "1 flow(s) saved to %s" % path in log, "saved at the stop", log)
    d = daemon(NULL_PORTS, ["--flows", path, "--save-flows", path])
    check("1 flow(s) from %s" % path in d.read_log(), "loaded at the next start", d.read_log())
    check("ufid:12345678-1234-1234-1234-123456789abc" in ok(d.sock, "dump-flows", "-m").out,
          "with its UFID")
    d.stop()
    os.unlink(path)
    d = dpsw.Daemon(NULL_PORTS, ["--flows", path], tmpdir=tmpdir())
    try:
        p = subprocess.run(d.args, capture_output=True, text=True, timeout=120)
    finally:  # what EAL leaves behind
        shutil.rmtree("/var/run/dpdk/" + d.prefix, ignore_errors=True)
        dpsw.remove_hugepage_files(d.prefix)
    check(p.returncode == 2 and "%s: No such file or directory" % path in p.stderr,
          "--flows alone: a missing file is an error", p.returncode, p.stderr[-2000:])


def test_load_beyond_start_limit():
    """Under --max-idle, a table bigger than the dynamic limit's start
    (10000) loads whole, up to the ceiling; beyond the ceiling the load
    fails at its line, naming the option that raises it."""
    tmp = tmpdir()
    path = os.path.join(tmp, "big.flows")
    n = 10500
    with open(path, "w") as f:
        for i in range(n):
            f.write("in_port(1),eth(),eth_type(0x0800),ipv4(src=10.%d.%d.%d,frag=no) 2\n"
                    % (i >> 16, (i >> 8) & 255, i & 255))
    d = daemon(NULL_PORTS, ["--flows", path, "--max-idle", "600000"])
    show = ok(d.sock, "show").out
    check("flows: %d\n" % n in show, "every flow loaded", show)
    m = re.search(r"flow limit: (\d+) \(ceiling 200000\)", show)
    check(m and int(m.group(1)) >= n, "the dynamic limit starts at the table", show)
    d.stop()
    d = dpsw.Daemon(NULL_PORTS, ["--flows", path, "--flow-limit", "10000", "--max-idle", "600000"],
                    tmpdir=tmpdir())
    try:
        p = subprocess.run(d.args, capture_output=True, text=True, timeout=120)
    finally:  # what EAL leaves behind
        shutil.rmtree("/var/run/dpdk/" + d.prefix, ignore_errors=True)
        dpsw.remove_hugepage_files(d.prefix)
    check(p.returncode == 2 and "big.flows:10001: flow limit" in p.stderr and
          "--flow-limit" in p.stderr,
          "the ceiling still holds, with the line", p.returncode, p.stderr[-2000:])


if __name__ == "__main__":
    run([test_round_trip, test_bad_paths, test_save_fails_at_stop, test_first_start,
         test_load_beyond_start_limit])
