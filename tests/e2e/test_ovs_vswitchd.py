# SPDX-License-Identifier: BSD-3-Clause
"""Debian's ovs-vswitchd, unchanged, on the daemon through
libdpdk-switch-netlink.so: a bridge of datapath_type=system on a daemon
named ovs-system with two net_tap ports. It opens the datapath, probes its
features, finds the ports, gets MISS upcalls on its handler socket,
installs the datapath flow an OpenFlow rule makes and executes the first
packet; the next packet is a datapath hit; its revalidators delete the
flow once idle. Where it stops today (the
bridge's internal port) is asserted with the exact log line, as written in
docs/PROTOCOL.md ("ovs-vswitchd").

ovsdb-server (fresh database) and ovs-vswitchd run as this script's
children with every file and socket in a temporary directory, and are
stopped by PID whatever happens.
"""
import os
import signal
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dpsw  # noqa: E402
from e2e import (Daemon, Failure, check, need_root_and_daemon, ok, run, tmpdir,  # noqa: E402
                 udp_packet)

need_root_and_daemon()
LIB = os.environ.get("DPSW_NETLINK_PRELOAD") or os.path.join(
    dpsw.TREE, "build", "debug", "src", "preload", "libdpdk-switch-netlink.so")
for prog in ("ovs-vswitchd", "ovsdb-server", "ovsdb-tool", "ovs-vsctl", "ovs-ofctl",
             "ovs-appctl"):
    if not os.access("/usr/sbin/" + prog, os.X_OK) and \
       not os.access("/usr/bin/" + prog, os.X_OK):
        print("FAIL: %s missing: install openvswitch-switch (tools/deps.sh)" % prog)
        sys.exit(1)
check(os.path.exists(LIB), "the preload library is built", LIB)

T = tmpdir()
# The ports: OVS opens each port's kernel device by name, and finds the
# datapath's port of the same name, so each tap's kernel interface has
# the ethdev's name. Unique per run.
TAG = os.getpid() % 100000
A, B = "net_tap%d" % (TAG * 10 + 1), "net_tap%d" % (TAG * 10 + 2)
MAC_A = "02:00:00:13:00:01"
# OVS's revalidators delete datapath flows idle this long (default 10 s;
# long enough here that the flow of the hit test stays until its check).
OVS_MAX_IDLE_MS = 5000
_children = []


def stop_children():
    for p in reversed(_children):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def ovs_env():
    return dict(os.environ, OVS_RUNDIR=T, OVS_LOGDIR=T, OVS_DBDIR=T)


def sh(*cmd):
    r = subprocess.run(list(cmd), capture_output=True, text=True, env=ovs_env(), timeout=120)
    check(r.returncode == 0, " ".join(cmd), r.stdout, r.stderr)
    return r.stdout


def vsctl(*args):
    return sh("ovs-vsctl", "--db=unix:" + os.path.join(T, "db.sock"), "--timeout=60", *args)


def log():
    try:
        with open(os.path.join(T, "vswitchd.log")) as f:
            return f.read()
    except OSError:
        return ""


def wait_for(what, cond, timeout=90):
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise Failure("timed out waiting for %s\n%s" % (what, log()[-4000:]))
        time.sleep(0.2)


def start():
    db = os.path.join(T, "conf.db")
    sh("ovsdb-tool", "create", db, "/usr/share/openvswitch/vswitch.ovsschema")
    _children.append(subprocess.Popen(
        ["ovsdb-server", db, "--remote=punix:" + os.path.join(T, "db.sock"),
         "--unixctl=" + os.path.join(T, "ovsdb.ctl"), "--log-file=" + os.path.join(T, "ovsdb.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ovs_env()))
    wait_for("ovsdb-server", lambda: os.path.exists(os.path.join(T, "db.sock")))
    # Everything in the database before ovs-vswitchd starts: it removes
    # datapath ports that the database does not list.
    vsctl("--no-wait", "init", "--", "add-br", "br0", "--", "set", "bridge", "br0",
          "datapath_type=system", "--", "add-port", "br0", A, "--", "add-port", "br0", B,
          "--", "set", "Open_vSwitch", ".", "other_config:max-idle=%d" % OVS_MAX_IDLE_MS)
    d = Daemon(["%s,iface=%s" % (A, A), "%s,iface=%s" % (B, B)], ["--dp-name", "ovs-system"])
    for name in (A, B):
        subprocess.run(["ip", "link", "set", name, "up"], check=True)
    env = dict(ovs_env(), LD_PRELOAD=LIB, DPDK_SWITCH_CTL=d.sock)
    _children.append(subprocess.Popen(
        ["ovs-vswitchd", "unix:" + os.path.join(T, "db.sock"),
         "--unixctl=" + os.path.join(T, "vswitchd.ctl"),
         "--log-file=" + os.path.join(T, "vswitchd.log"), "-vconsole:off", "-vfile:info"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env))
    return d


def tap_socket(name):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))  # ETH_P_ALL
    s.bind((name, 0))
    s.settimeout(1)
    return s


def send_and_catch(sport):
    """One UDP frame into A's kernel side; the TTL it leaves B with."""
    rx = tap_socket(B)
    tx = tap_socket(A)
    frame = udp_packet(src_mac=MAC_A, dst_mac="02:00:00:13:00:02", src="10.13.0.1",
                       dst="10.13.0.2", sport=sport, ttl=64)
    tx.send(frame)
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            try:
                got = rx.recv(2048)
            except socket.timeout:
                continue
            if got[6:12] == frame[6:12] and got[12:14] == b"\x08\x00" and \
               struct.unpack("!H", got[34:36])[0] == sport:
                return got[22]
    finally:
        rx.close()
        tx.close()
    raise Failure("no frame from port %d left %s\n%s" % (sport, B, log()[-3000:]))


# ---------------------------------------------------------------- the tests

def test_datapath_and_features():
    wait_for("feature probing", lambda: "Datapath supports unique flow ids" in log())
    text = log()
    for line in ("Datapath supports recirculation", "VLAN header stack length probed as 2",
                 "MPLS label stack length probed as 1", "Datapath supports clone action"):
        check(line in text, "probed: " + line, text[-3000:])
    out = sh("ovs-appctl", "-t", os.path.join(T, "vswitchd.ctl"), "dpif/show")
    check(out.startswith("system@ovs-system:"), "the system datapath is ours", out)


def test_ports():
    wait_for("both ports", lambda: ("added interface %s" % A) in log() and
             ("added interface %s" % B) in log())
    out = sh("ovs-appctl", "-t", os.path.join(T, "vswitchd.ctl"), "dpif/show")
    for name in (A, B):
        check(" %s " % name in out, "port %s in dpif/show" % name, out)
    # Where it stops: no internal vports, so no bridge port br0.
    check("could not add network device br0 to ofproto (Operation not supported)" in log(),
          "the internal port is refused (docs/PROTOCOL.md)", log()[-3000:])


def test_upcall_flow_install_and_hit():
    sh("ovs-ofctl", "add-flow", "br0",
       "priority=100,in_port=%s,udp,actions=mod_nw_ttl:9,output:%s" % (A, B))
    # The first frame misses: upcall to OVS's handler, flow install, EXECUTE.
    check(send_and_catch(4001) == 9, "OpenFlow's TTL rewrite on the first packet")
    flows = ok(D.sock, "dump-flows").out
    mine = [x for x in flows.splitlines() if "set(ipv4(ttl=9))" in x]
    check(len(mine) == 1, "ovs-vswitchd installed the datapath flow", flows)
    # The next frame is the datapath's own hit.
    check(send_and_catch(4002) == 9, "the second packet too")
    flows = ok(D.sock, "dump-flows").out
    hit = [x for x in flows.splitlines() if "set(ipv4(ttl=9))" in x]
    check(hit and "packets:1," in hit[0], "a datapath hit", flows)


def test_revalidator_deletes_idle_flows():
    # OVS's revalidator threads dump the datapath's flows (by UFID) and
    # delete those idle past max-idle.
    wait_for("the idle flow deleted by ovs-vswitchd",
             lambda: "set(ipv4(ttl=9))" not in ok(D.sock, "dump-flows").out)


try:
    D = start()
    run([test_datapath_and_features, test_ports, test_upcall_flow_install_and_hit,
         test_revalidator_deletes_idle_flows])
finally:
    stop_children()
