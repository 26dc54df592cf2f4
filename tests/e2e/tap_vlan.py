# SPDX-License-Identifier: BSD-3-Clause
"""A VLAN trunk between two groups of access ports of one switch.

    a (port 1, VLAN 100) --+                          +-- c (port 5, VLAN 100)
                           +- port 3 == trunk == port 4 -+
    b (port 2, VLAN 200) --+   (a Linux bridge, tagged)  +-- d (port 6, VLAN 200)

The switch pushes the access port's tag on ingress and pops it on egress to
an access port. The trunk is a bridge joining ports 3 and 4 in a namespace
of their own: tagged frames cross it as they are (it needs no 802.1Q
support in the kernel, which hosts with VLAN interfaces would), and
tcpdump there shows the tags on the wire. All four hosts share one subnet,
so only the VLANs keep a/c apart from b/d."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import dpsw  # noqa: E402
from netns import Topology, run_cases  # noqa: E402

# Untagged frames on a trunk port and tags of other VLANs match no flow.
FLOWS = """\
in_port(1) push_vlan(vid=100,pcp=0),3
in_port(2) push_vlan(vid=200,pcp=0),3
in_port(3),eth(),eth_type(0x8100),vlan(vid=100),encap() pop_vlan,1
in_port(3),eth(),eth_type(0x8100),vlan(vid=200),encap() pop_vlan,2
in_port(5) push_vlan(vid=100,pcp=0),4
in_port(6) push_vlan(vid=200,pcp=0),4
in_port(4),eth(),eth_type(0x8100),vlan(vid=100),encap() pop_vlan,5
in_port(4),eth(),eth_type(0x8100),vlan(vid=200),encap() pop_vlan,6
"""


def make_trunk(t):
    """Ports 3 and 4 into one namespace, joined by a bridge."""
    w3, w4 = t.hosts[2], t.hosts[3]
    for w in (w3, w4):
        w.run("ip", "addr", "flush", "dev", w.iface)
    w4.run("ip", "link", "set", w4.iface, "netns", w3.ns)
    br = "br" + t.tag
    w3.run("ip", "link", "add", br, "type", "bridge")
    for dev in (w3.iface, w4.iface):
        w3.run("ip", "link", "set", dev, "master", br)
        w3.run("ip", "link", "set", dev, "up")
    w3.run("ip", "link", "set", br, "up")
    return w3


def capture(wire, count, expr):
    """tcpdump on the trunk, started and ready; returns the Popen."""
    p = wire.popen("tcpdump", "-l", "-nn", "-e", "-i", wire.iface, "-c", count, expr,
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in p.stderr:  # "verbose output suppressed...", then this
        if "listening on" in line:
            break
    else:
        raise AssertionError("tcpdump did not start")
    return p


def trunk():
    with Topology(6, flows=FLOWS, ipv6=False) as t:
        a, b, _, _, c, d = t.hosts
        wire = make_trunk(t)

        cap = capture(wire, 4, "vlan 100 and icmp")
        assert a.ping(c.ip4, count=2), a.last_ping
        out, _ = cap.communicate(timeout=10)
        assert out.count("vlan 100") == 4 and "ethertype 802.1Q" in out, out
        assert a.neigh(c.ip4) == c.mac and c.neigh(a.ip4) == a.mac
        assert b.ping(d.ip4), b.last_ping
        assert d.ping(b.ip4), d.last_ping
        # Full-size frames: 1500-byte IP packets, 1518 bytes with the tag.
        assert a.ping(c.ip4, size=1472, dont_fragment=True), a.last_ping
        assert d.ping(b.ip4, size=1472, dont_fragment=True), d.last_ping
        # Other VLAN: no reply, and not even ARP gets through.
        for x, y in ((a, d), (a, b), (c, b)):
            assert not x.ping(y.ip4, count=2, wait=1), x.last_ping
            assert x.neigh(y.ip4) is None
        out = t.stop_switch()
    assert dpsw.stats_value(out, "hit") >= 40, out


if __name__ == "__main__":
    run_cases([("VLAN trunk: push on ingress, pop on egress, VLANs isolated", trunk)])
