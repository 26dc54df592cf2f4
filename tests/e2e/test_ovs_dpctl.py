# SPDX-License-Identifier: BSD-3-Clause
"""Debian's ovs-dpctl (openvswitch-switch), unchanged, drives the daemon
through libdpdk-switch-netlink.so: show, show -s, dump-flows (-m),
add-flow, mod-flow (--clear, --may-create), get-flow, del-flow (by flow
and by ufid), del-flows, add-if and del-if. Each is checked against what
dpdk-switch-ctl shows for the same daemon; flow dumps of both tools are
compared byte for byte. What ovs-dpctl cannot do against a userspace
datapath (docs/PROTOCOL.md, "Open vSwitch's tools") is asserted with the
exact error it prints.
"""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dpsw  # noqa: E402
from e2e import (Daemon, Failure, check, need_root_and_daemon, ok, run, tmpdir,  # noqa: E402
                 udp_packet, write_pcap)

need_root_and_daemon()
OVS_DPCTL = "/usr/bin/ovs-dpctl"
LIB = os.environ.get("DPSW_NETLINK_PRELOAD") or os.path.join(
    dpsw.TREE, "build", "debug", "src", "preload", "libdpdk-switch-netlink.so")
if not os.access(OVS_DPCTL, os.X_OK):
    print("FAIL: %s missing: install openvswitch-switch (tools/deps.sh)" % OVS_DPCTL)
    sys.exit(1)
check(os.path.exists(LIB), "the preload library is built", LIB)

N_PKTS = 7
N_LARGE = 5000
CACHES = ["  caches:", "    masks-cache: size:256"]
UFID = "ufid:5a1e0000-1111-2222-3333-444455556666"
# The flow the pcap's packets hit (port 1 -> port 2), and others of every
# kind: wildcarded, exact (no wildcard bit anywhere), IPv6, with ufid.
HIT = "in_port(1),eth(),eth_type(0x0800),ipv4(dst=10.0.0.2,frag=no)"
FLOWS = [
    ("in_port(2),eth(),eth_type(0x0800),ipv4(dst=10.1.0.0/255.255.0.0,frag=no)",
     "set(ipv4(ttl=3)),1"),
    ("in_port(1),eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),eth_type(0x86dd),"
     "ipv6(src=2001:db8::1,dst=2001:db8::2,label=0,proto=17,tclass=0,hlimit=64,frag=no),"
     "udp(src=1,dst=2)", "push_vlan(vid=5,pcp=0),2"),
    (UFID + ",in_port(2),eth(),eth_type(0x0806),arp(sip=10.0.0.9)", "1"),
    # An exact ARP opcode: the key keeps 8 bits, so both tools print op=1/0xff.
    ("in_port(3),eth(),eth_type(0x0806),arp(op=1)", "2"),
]
# Exact in every bit (the mask is all ones where the key has a field):
# del-flow by key finds it with or without the kernel's exact lookup.
EXACT = ("in_port(2),eth(src=00:00:00:00:00:03,dst=00:00:00:00:00:04),eth_type(0x0800),"
         "ipv4(src=10.2.0.1,dst=10.2.0.2,proto=17,tos=0,ttl=64,frag=no),udp(src=7,dst=8)")


def dpctl(*args, env_extra=None):
    env = dict(os.environ, LD_PRELOAD=LIB, DPDK_SWITCH_CTL=D.sock)
    env.update(env_extra or {})
    p = subprocess.run([OVS_DPCTL] + list(args), capture_output=True, text=True, env=env,
                       timeout=120)
    return p


def dpctl_ok(*args):
    p = dpctl(*args)
    check(p.returncode == 0, "ovs-dpctl %s" % " ".join(args), p.stdout, p.stderr)
    return p.stdout


def dpctl_fails(msg, *args):
    """ovs-dpctl exits 1 and its last error line is 'msg'."""
    p = dpctl(*args)
    check(p.returncode != 0, "ovs-dpctl %s should fail" % " ".join(args), p.stdout)
    lines = [line for line in p.stderr.splitlines() if line.startswith("ovs-dpctl: ")]
    check(lines and lines[-1] == "ovs-dpctl: " + msg, "the error of ovs-dpctl %s" %
          " ".join(args), "want: ovs-dpctl: " + msg, p.stderr)
    return p


def ours(*args):
    return ok(D.sock, *args).out


def same_time(text):
    """'used:' is relative to now, which differs between two runs."""
    return re.sub(r"used:\d+\.\d+s", "used:T", text)


def dumps_equal(more=False):
    """ovs-dpctl dump-flows and ours, byte for byte (sorted: both print in
    the daemon's order, but a line's key decides it here)."""
    theirs = dpctl_ok("dump-flows", *(["-m", "--no-names"] if more else []))
    mine = ours("dump-flows", *(["-m"] if more else []))
    if more:
        theirs, mine = canonical(theirs), canonical(mine)
    a, b = sorted(same_time(theirs).splitlines()), sorted(same_time(mine).splitlines())
    check(a == b, "ovs-dpctl dump-flows%s = dpdk-switch-ctl's" % (" -m" if more else ""),
          "ovs-dpctl:", *a, "dpdk-switch-ctl:", *b)
    return a


def canonical(text):
    """-m lines as a sorted field list: OVS prints metadata fields in its
    own order, and ours adds ct_*(0/0) for fields the key does not carry."""
    out = []
    for line in text.splitlines():
        head, _, rest = line.partition(", packets:")
        fields = re.findall(r"(?:ufid:[0-9a-f-]+|[a-z_0-9]+\((?:[^()]|\([^()]*\))*\))", head)
        fields = [f for f in fields if not re.match(r"ct_(state|zone|mark|label)\(0/0\)$", f)]
        out.append(",".join(sorted(fields)) + ", packets:" + rest)
    return "\n".join(out) + "\n"


def flow_lines():
    return same_time(ours("dump-flows")).splitlines()


# ---------------------------------------------------------------- the tests

def test_show():
    theirs = dpctl_ok("show").splitlines()
    mine = ours("show").splitlines()
    check(theirs[0] == "system@dpdk-switch:", "OVS names the datapath system@NAME", theirs)
    check(theirs[1:4] == mine[1:4], "lookups, flows and masks as ours", theirs, mine)
    # OVS_DP_ATTR_MASKS_CACHE_SIZE, the kernel's default.
    check(theirs[4:6] == CACHES, "the masks cache", theirs)
    ports = [line for line in mine if line.startswith("  port ")]
    check(len(ports) == 3 and theirs[6:] == ports, "the ports as ours", theirs, mine)
    check("hit:%d " % N_PKTS in theirs[1], "the pcap's packets were hits", theirs[1])


def test_show_statistics():
    # Datapath counters are the daemon's. Port counters: OVS opens the
    # kernel network device of the port's name first, which a DPDK port
    # lacks ("open failed"); the local port (type internal) needs none and
    # its counters come from the daemon (vport GET by name, dp_ifindex 0).
    out = dpctl_ok("show", "-s")
    mine = ours("show", "-s").splitlines()
    local = mine[mine.index("  port 0: dpdk-switch (internal)") + 1:][:4]
    want = "\n".join(["system@dpdk-switch:"] + mine[1:4] + CACHES + [
        "  port 0: dpdk-switch (internal)"] + [x.replace("?", "0") for x in local] + [
        "  port 1: net_pcap0",
        ", open failed (No such device)  port 2: net_null1",
        ", open failed (No such device)"])
    check(out == want, "show -s", "want:\n" + want, "got:\n" + out)


def test_add_flow_and_dumps():
    for f, a in FLOWS:
        dpctl_ok("add-flow", f, a)
    ok(D.sock, "add-flow", EXACT, "2")   # one of ours among them
    lines = dumps_equal()
    check(len(lines) == len(FLOWS) + 2, "every flow", lines)
    check(any("packets:%d, bytes:%d" % (N_PKTS, N_PKTS * 60) in x for x in lines),
          "the hit flow's statistics", lines)
    dumps_equal(more=True)
    # Errors, the flow table unchanged after each.
    dpctl_fails("updating flow table (File exists)", "add-flow", FLOWS[0][0], "2")
    dpctl_fails("updating flow table (Operation not supported)", "add-flow",
                "in_port(1),eth(),eth_type(0x0800),ipv4(dst=10.9.0.0/255.255.0.0,frag=no)",
                "ct(commit),2")
    # As the kernel's match_validate(): a TCP key needs tcp_flags.
    dpctl_fails("updating flow table (Invalid argument)", "add-flow",
                "in_port(1),eth(),eth_type(0x0800),ipv4(proto=6,frag=no),tcp(dst=80)", "2")
    check(flow_lines() == same_time(ours("dump-flows")).splitlines() and
          len(flow_lines()) == len(FLOWS) + 2, "no flow added by the errors")


def test_get_flow():
    theirs = dpctl_ok("get-flow", UFID)
    mine = ours("get-flow", UFID)
    check(theirs == mine and "arp(sip=10.0.0.9)" in theirs, "get-flow by ufid", theirs, mine)
    dpctl_fails("getting flow (No such file or directory)", "get-flow",
                "ufid:00000000-0000-0000-0000-000000000001")


def test_mod_flow():
    hit = [x for x in flow_lines() if x.startswith(HIT)]
    check(len(hit) == 1 and "packets:%d," % N_PKTS in hit[0], "stats before", hit)
    dpctl_ok("mod-flow", HIT, "1")
    hit = [x for x in flow_lines() if x.startswith(HIT)]
    check(hit[0].endswith("actions:1") and "packets:%d," % N_PKTS in hit[0],
          "new actions, stats kept", hit)
    dpctl_ok("mod-flow", "--clear", HIT, "2")
    hit = [x for x in flow_lines() if x.startswith(HIT)]
    check(hit == [HIT + ", packets:0, bytes:0, used:never, actions:2"], "--clear", hit)
    absent = "in_port(2),eth(),eth_type(0x0800),ipv4(dst=10.3.0.0/255.255.0.0,frag=no)"
    dpctl_fails("updating flow table (No such file or directory)", "mod-flow", absent, "1")
    dpctl_ok("mod-flow", "--may-create", absent, "1")
    check(absent + ", packets:0, bytes:0, used:never, actions:1" in flow_lines(),
          "--may-create added it", flow_lines())
    dumps_equal()


def test_del_flow():
    dpctl_ok("del-flow", UFID)
    check(not any("arp(sip=10.0.0.9)" in x for x in flow_lines()), "deleted by ufid",
          flow_lines())
    dpctl_fails("deleting flow (No such file or directory)", "del-flow", UFID)
    # By key without mask (what ovs-dpctl sends): an exact flow.
    dpctl_ok("del-flow", EXACT)
    check(not any(x.startswith(EXACT) for x in flow_lines()), "deleted by flow",
          flow_lines())
    dumps_equal()


def test_del_flow_wildcarded():
    # As the kernel's ovs_flow_tbl_lookup_exact(): a key without a mask
    # finds the wildcarded flow it was installed with.
    f = FLOWS[0][0]
    dpctl_ok("del-flow", f)
    check(not any(x.startswith(f) for x in flow_lines()), "deleted by key", flow_lines())


def test_large_dump():
    # Many dump parts (each at most 32 KiB, as the kernel's): OVS reads
    # them all, and prints what dpdk-switch-ctl prints.
    lines = "".join("in_port(2),eth(),eth_type(0x0800),ipv4(dst=10.%d.%d.7,frag=no) 1\n"
                    % (100 + i // 250, i % 250) for i in range(N_LARGE))
    ok(D.sock, "add-flows", "-", stdin=lines)
    check(len(dumps_equal()) >= N_LARGE, "every flow in ovs-dpctl's dump")


def test_del_flows():
    check(len(flow_lines()) > 0, "flows to delete")
    dpctl_ok("del-flows")
    check(flow_lines() == [] and dpctl_ok("dump-flows") == "", "no flow left")
    check("  flows: 0" in ours("show").splitlines(), "show says 0 flows")


def test_add_del_if():
    # ovs-dpctl opens the kernel network device of the name before it asks
    # the datapath, so a port needs one: a tap of that name stands in.
    name = "net_null%d" % (os.getpid() % 100000)
    dpctl_fails("%s: failed to open network device (No such device)" % name,
                "add-if", "dpdk-switch", name)
    subprocess.run(["ip", "tuntap", "add", "dev", name, "mode", "tap"], check=True)
    try:
        dpctl_ok("add-if", "dpdk-switch", name + ",type=system")
        mine = ours("show")
        check("  port 3: %s" % name in mine.splitlines(), "the daemon has the port", mine)
        check("  port 3: %s" % name in dpctl_ok("show").splitlines(), "ovs-dpctl shows it")
        dpctl_fails("adding %s to dpdk-switch failed (File exists)" % name,
                    "add-if", "dpdk-switch", name)
        dpctl_ok("del-if", "dpdk-switch", name)
        check(name not in ours("show"), "port removed", ours("show"))
        dpctl_fails("no port named %s" % name, "del-if", "dpdk-switch", name)
    finally:
        subprocess.run(["ip", "link", "del", name], capture_output=True)
    # Only netdev vports exist here; the local port stays.
    dpctl_fails("adding v0 to dpdk-switch failed (Operation not supported)",
                "add-if", "dpdk-switch", "v0,type=internal")
    dpctl_fails("deleting port dpdk-switch from dpdk-switch failed (Invalid argument)",
                "del-if", "dpdk-switch", "dpdk-switch")
    check(ours("show").count("  port ") == 3, "ports unchanged", ours("show"))


def test_no_daemon():
    p = dpctl("show", env_extra={"DPDK_SWITCH_CTL": D.sock + ".none"})
    check(p.returncode != 0 and "libdpdk-switch-netlink: connect %s.none: No such file or "
          "directory" % D.sock in p.stderr, "a clear error without a daemon", p.stderr)
    ours("show")  # the daemon lives on after every error above


# ------------------------------------------------------------------ setup

def start():
    tmp = tmpdir()
    pcap = os.path.join(tmp, "in.pcap")
    write_pcap(pcap, [udp_packet(payload=bytes(18)) for _ in range(N_PKTS)])  # 60 bytes
    flows = os.path.join(tmp, "flows")
    with open(flows, "w") as f:
        f.write(HIT + " 2\n")
    d = Daemon(["net_pcap0,rx_pcap=%s,tx_pcap=%s" % (pcap, os.path.join(tmp, "out.pcap")),
                "net_null1,no-rx=1"], ["--flows", flows, "--max-idle", "3600000"])
    deadline = time.monotonic() + 60
    while "hit:%d " % N_PKTS not in ok(d.sock, "show").out:
        if time.monotonic() > deadline:
            raise Failure("the pcap's packets never all hit:\n" + ok(d.sock, "show").out)
        time.sleep(0.1)
    return d


D = start()
run([test_show, test_show_statistics, test_add_flow_and_dumps, test_get_flow, test_mod_flow,
     test_del_flow, test_del_flow_wildcarded, test_large_dump, test_del_flows, test_add_del_if,
     test_no_daemon])
