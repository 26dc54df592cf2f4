# SPDX-License-Identifier: BSD-3-Clause
"""tools/demo.sh, the README's first command: it runs, moves the traffic,
prints the statistics, and leaves nothing behind; as non-root it says what
it needs; stopped half-way it still cleans up. Uses the binaries meson
built (DPDK_SWITCH, DPDK_SWITCH_CTL) instead of building build/release."""
import os
import re
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from netns import require_root, run_cases  # noqa: E402
import dpsw  # noqa: E402

DEMO = os.path.join(dpsw.TREE, "tools", "demo.sh")
ENV = dict(os.environ, DPDK_SWITCH=dpsw.switch_bin())


def leftovers(pid):
    ns = [n for n in subprocess.run(["ip", "netns", "list"], capture_output=True,
                                    text=True).stdout.split() if n.startswith("dpsw-demo%d-" % pid)]
    links = [n for n in os.listdir("/sys/class/net") if n.startswith("dswd%d" % pid)]
    runtime = os.path.exists("/var/run/dpdk/dpsw-demo%d" % pid)
    return ns + links + (["/var/run/dpdk/dpsw-demo%d" % pid] if runtime else [])


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def full_run():
    p = subprocess.run([DEMO], env=ENV, capture_output=True, text=True, timeout=300)
    out = p.stdout + p.stderr
    assert p.returncode == 0, out
    assert out.count(", 3 received, 0% packet loss") == 4, out
    sums = re.findall(r"sha256 (?:sent|received) +([0-9a-f]{64})", out)
    assert len(sums) == 2 and sums[0] == sums[1], out
    assert "%d bytes in" % (50 << 20) in out, out
    # The daemon's final statistics: both ports carried the transfer.
    assert dpsw.stats_value(out, "hit") > (50 << 20) // 1500, out
    for port in (1, 2):
        m = re.search(r"port %d: net_tap\d \(net_tap\).*\n +RX packets:(\d+)" % port, out)
        assert m and int(m.group(1)) > 1000, out
    # Nothing refused on the way: IPv6 starts once both links are up, so
    # no host's first ICMPv6 meets the other's tap while its link is down.
    tx = re.findall(r"port \d: net_tap\d \(net_tap\).*\n.*\n +TX packets:\d+ bytes:\d+ "
                    r"errors:(\d+) dropped:(\d+)", out)
    assert len(tx) == 2 and all(e == "0" and d == "0" for e, d in tx), (tx, out)
    assert "dropped (tx)" not in out, out
    assert "demo: done" in out
    m = re.search(r"daemon PID (\d+)", out)
    assert m and not alive(int(m.group(1))), out
    pid = int(re.search(r"dpsw-demo(\d+)-a", out).group(1))
    assert not leftovers(pid), leftovers(pid)
    print(out[out.index("== TCP"):out.index("== Stopping")].rstrip(), flush=True)


def not_root():
    demo = os.path.join(dpsw.public_copy(DEMO), "demo.sh")  # nobody may not reach the tree
    p = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                        demo], env=ENV, capture_output=True, text=True, timeout=60)
    assert p.returncode == 1 and "needs root" in p.stderr, p
    assert "sudo" in p.stderr and p.stdout == "", p


def interrupted():
    p = subprocess.Popen([DEMO], env=dict(ENV, DEMO_MB="200"), stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    daemon = None
    try:
        for line in p.stdout:
            m = re.match(r"daemon PID (\d+)", line)
            if m:
                daemon = int(m.group(1))
            if line.startswith("== TCP"):
                break
        assert daemon, "the demo did not start the daemon"
        p.send_signal(signal.SIGTERM)
        rest = p.communicate(timeout=60)[0]
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 143, (p.returncode, rest)
    assert "removed" in rest, rest
    assert not alive(daemon)
    assert not leftovers(p.pid), leftovers(p.pid)


if __name__ == "__main__":
    require_root()
    run_cases([("tools/demo.sh: ping, 50 MB over TCP, statistics", full_run),
               ("tools/demo.sh as non-root", not_root),
               ("tools/demo.sh stopped half-way", interrupted)])
