# SPDX-License-Identifier: BSD-3-Clause
"""The reactive case: the switch starts with no flows, and examples/
controller.py (a learning switch listening for MISS upcalls) installs them.
After the first packets of each conversation, traffic runs entirely in the
datapath: the miss count stops growing while traffic goes on."""
import os
import select
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import dpsw  # noqa: E402
from netns import TAG, Topology, run_cases, tcp_transfer  # noqa: E402

TREE = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CONTROLLER = os.path.join(TREE, "examples", "controller.py")
sys.path.insert(0, os.path.dirname(CONTROLLER))
import controller  # noqa: E402

MB = 1 << 20
# Flows learned from the warm-up must outlive the test's pauses.
OPTIONS = ["--max-idle", "60000"]


def mac_bytes(mac):
    return bytes.fromhex(mac.replace(":", ""))


def start_controller(t):
    p = subprocess.Popen(["/usr/bin/python3", CONTROLLER, "--ctl", t.daemon.sock, "-v"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    t.procs.append(p)
    line = p.stdout.readline()
    assert line.startswith("controller: listening"), line + p.stdout.read()
    return p


def stop_controller(p):
    p.terminate()
    out = p.stdout.read()
    assert p.wait(10) == 0, out
    return out


def upcall_content():
    """A MISS upcall carries the packet as it arrived, and its key."""
    with Topology(2, ipv6=False, options=OPTIONS) as t:
        a, b = t.hosts
        # Static neighbours: the first packet is the ICMP echo itself.
        a.run("ip", "neigh", "replace", b.ip4, "lladdr", b.mac, "dev", a.iface, "nud",
              "permanent")
        dp = controller.Datapath(t.daemon.sock).open()
        dp.set_upcall_pid()
        a.ping(b.ip4, count=1, wait=1)
        ups = []
        deadline = time.monotonic() + 5
        while not any(u.eth_type == 0x0800 for u in ups) and time.monotonic() < deadline:
            if dp.backlog or select.select([dp.sock], [], [], 0.2)[0]:
                ups += dp.upcalls()
        icmp = [u for u in ups if u.eth_type == 0x0800]
        assert icmp, "no IPv4 upcall among %d" % len(ups)
        u = icmp[0]
        pkt = u.packet
        assert len(pkt) == 14 + 84, "packet of %d bytes" % len(pkt)
        assert pkt[0:6] == mac_bytes(b.mac) and pkt[6:12] == mac_bytes(a.mac), pkt.hex()
        assert struct.unpack("!H", pkt[12:14])[0] == 0x0800
        assert pkt[14 + 9] == 1 and pkt[14 + 20] == 8, "not an ICMP echo request"
        assert pkt[14 + 12:14 + 20] == bytes(map(int, (a.ip4 + "." + b.ip4).split("."))), \
            pkt.hex()
        assert u.in_port == a.port_no and u.eth_src == pkt[6:12] and u.eth_dst == pkt[0:6]
        dp.close()


def learning_then_datapath_only():
    with Topology(2, ipv6=False, options=OPTIONS) as t:
        a, b = t.hosts
        ctl = start_controller(t)
        dp = controller.Datapath(t.daemon.sock, pid=1).open()  # a second, read-only view
        assert dp.stats()["n_flows"] == 0
        # Warm-up: the first packets miss and the controller learns.
        assert a.ping(b.ip4), a.last_ping
        assert b.ping(a.ip4), b.last_ping
        time.sleep(0.5)
        s1 = dp.stats()
        assert s1["n_missed"] > 0 and s1["n_flows"] >= 3, s1
        # Then ping and a TCP transfer: every packet hits a flow.
        assert a.ping(b.ip4, count=200, interval=0.005), a.last_ping
        got, same, _ = tcp_transfer(b, a, a.ip4, 10 * MB)
        assert got == 10 * MB and same, "TCP: %d bytes, digests equal: %s" % (got, same)
        s2 = dp.stats()
        assert s2["n_missed"] == s1["n_missed"], \
            "misses grew from %d to %d" % (s1["n_missed"], s2["n_missed"])
        assert s2["n_hit"] - s1["n_hit"] >= 400 + 10 * MB // 1448, (s1, s2)
        out = stop_controller(ctl)
        assert "learned %s on port %d" % (a.mac, a.port_no) in out, out
        assert "learned %s on port %d" % (b.mac, b.port_no) in out, out
        assert "request errors 0" in out, out
        dp.close()


def three_hosts_ipv6():
    """Flooding to every other port, and IPv6 neighbour discovery."""
    with Topology(3, options=OPTIONS) as t:
        hosts = t.hosts
        ctl = start_controller(t)
        for x, y in ((hosts[0], hosts[1]), (hosts[1], hosts[2]), (hosts[2], hosts[0])):
            assert x.ping(y.ip6), x.last_ping
            assert x.neigh(y.ip6) == y.mac
            assert x.ping(y.ip4), x.last_ping
        out = stop_controller(ctl)
        for h in hosts:
            assert "learned %s on port %d" % (h.mac, h.port_no) in out, out


def controller_without_daemon():
    """A clear message and status 1 when nothing listens on the socket."""
    r = subprocess.run(["/usr/bin/python3", CONTROLLER, "--ctl", "/nonexistent/%s.sock" % TAG],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 1 and "No such file or directory" in r.stderr, r


def controller_not_admin():
    """Registering for upcalls is an admin's request: EPERM, said clearly."""
    with dpsw.Daemon(["net_null0"]) as d:
        os.chmod(d.tmp, 0o755)  # let nobody reach the socket (mode 0666)
        ctl = os.path.join(dpsw.public_copy(CONTROLLER), "controller.py")  # and the script
        r = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                            "/usr/bin/python3", ctl, "--ctl", d.sock],
                           capture_output=True, text=True, timeout=30)
    assert r.returncode == 1, r
    assert "Operation not permitted" in r.stderr and "needs root" in r.stderr, r.stderr


if __name__ == "__main__":
    run_cases([("a MISS upcall carries the packet and its key", upcall_content),
               ("learning controller, then no more misses while traffic runs",
                learning_then_datapath_only),
               ("learning controller, three hosts, IPv6 ND and IPv4", three_hosts_ipv6),
               ("controller without a daemon", controller_without_daemon),
               ("controller without admin rights", controller_not_admin)])
