# SPDX-License-Identifier: BSD-3-Clause
"""L2 forwarding of real kernel traffic between hosts in network namespaces,
with static flows (no learning): ARP, IPv4 ping, IPv6 neighbour discovery
and ping, between two and three hosts."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import dpsw  # noqa: E402
from netns import Topology, run_cases  # noqa: E402


def mac_flows(hosts):
    """Per input port: unicast by destination MAC to its host's port;
    broadcast (ARP) and IPv6 multicast (33:33:..., neighbour discovery)
    flooded to every other port. The three kinds never overlap."""
    lines = []
    for h in hosts:
        others = [o for o in hosts if o is not h]
        flood = ",".join(str(o.port_no) for o in others)
        for o in others:
            lines.append("in_port(%d),eth(dst=%s) %d" % (h.port_no, o.mac, o.port_no))
        lines.append("in_port(%d),eth(dst=ff:ff:ff:ff:ff:ff) %s" % (h.port_no, flood))
        lines.append("in_port(%d),eth(dst=33:33:00:00:00:00/ff:ff:00:00:00:00) %s"
                     % (h.port_no, flood))
    return "\n".join(lines) + "\n"


def check_pair(a, b):
    assert a.ping(b.ip4), "IPv4 %s -> %s: %s" % (a.ip4, b.ip4, a.last_ping)
    assert a.neigh(b.ip4) == b.mac, "ARP: %s resolved %s" % (b.ip4, a.neigh(b.ip4))
    assert b.neigh(a.ip4) == a.mac, "ARP: %s resolved %s" % (a.ip4, b.neigh(a.ip4))
    assert a.ping(b.ip6), "IPv6 %s -> %s: %s" % (a.ip6, b.ip6, a.last_ping)
    assert a.neigh(b.ip6) == b.mac, "ND: %s resolved %s" % (b.ip6, a.neigh(b.ip6))
    assert b.ping(a.ip6), "IPv6 %s -> %s: %s" % (b.ip6, a.ip6, b.last_ping)
    assert b.ping(a.ip4), "IPv4 %s -> %s: %s" % (b.ip4, a.ip4, b.last_ping)


def two_hosts_by_port():
    """The simplest table: whatever comes in on one port goes out the other."""
    with Topology(2, flows="in_port(1) 2\nin_port(2) 1\n") as t:
        a, b = t.hosts
        check_pair(a, b)
        out = t.stop_switch()
    # Every packet, kernel background traffic included, hit a flow.
    assert dpsw.stats_value(out, "missed") == 0, out
    assert dpsw.stats_value(out, "hit") >= 24, out


def three_hosts_by_mac():
    with Topology(3, flows=mac_flows) as t:
        a, b, c = t.hosts
        for x, y in ((a, b), (b, c), (c, a)):
            check_pair(x, y)
        # Unicast goes only where the destination MAC is: c does not see
        # a's pings to b (it sees at most a little background multicast).
        before = c.link_stats()["rx"]["packets"]
        assert a.ping(b.ip4, count=40, interval=0.01)
        seen = c.link_stats()["rx"]["packets"] - before
        assert seen < 10, "c received %d packets during 40 a->b pings" % seen
        out = t.stop_switch()
    assert dpsw.stats_value(out, "hit") >= 3 * 14 + 80, out


if __name__ == "__main__":
    run_cases([("two hosts, flows by in_port: ARP, IPv4, IPv6 ND and ping", two_hosts_by_port),
               ("three hosts, flows by MAC: flooding, unicast isolation", three_hosts_by_mac)])
