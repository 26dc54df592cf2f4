#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""End-to-end: jumbo frames (9000 bytes of MTU, 9014-byte frames) through
every kind of action, net_pcap in -> --flows -> net_pcap out, byte for
byte (pcapcase.py).

The daemon runs with --mtu 9000: net_pcap has no MTU operation, so the
port is kept because its largest frame fits (before, the port was
skipped), and its frames span several 2 KB mbufs. Every case therefore
runs the actions on mbuf chains: outputs to several ports (shared chains),
header rewrites with checksum updates (the L4 checksum covers the whole
chain), SCTP's CRC32c over every segment, push/pop VLAN, trunc cutting in
the middle of a chain, check_pkt_len on the packet's length (not the
first segment's). Small frames ride along to show the single-segment
path is unchanged.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapcase import Case, main  # noqa: E402
from test_pcap_actions import (IP_A, IP_B, IP6_A, IP6_B, M_SCTP4, M_TCP6, M_UDP4,  # noqa: E402
                               M_ETH, eth, payload)

from scapy.all import IP, TCP, UDP, Dot1Q, IPv6, Raw  # noqa: E402
from scapy.layers.sctp import SCTP, SCTPChunkData  # noqa: E402

MTU = 9000
FRAME = MTU + 14


def udp_j(tag, i=0, frame=FRAME, **ipkw):
    """A UDP/IPv4 frame of exactly 'frame' bytes."""
    ipkw.setdefault("src", IP_A)
    ipkw.setdefault("dst", IP_B)
    sport = ipkw.pop("sport", 1000)
    return eth() / IP(**ipkw) / UDP(sport=sport, dport=2000) / payload(tag, i, frame - 42)


def tcp6_j(tag, i=0, sport=1000, dport=80):
    return eth() / IPv6(src=IP6_A, dst=IP6_B) / TCP(sport=sport, dport=dport, flags="A",
                                                    seq=i) / payload(tag, i, FRAME - 74)


def sctp_j(tag, i=0, sport=5000, dport=6000):
    data = bytes(payload(tag, i, FRAME - 14 - 20 - 12 - 16))
    return eth() / IP(src=IP_A, dst=IP_B) / SCTP(sport=sport, dport=dport, tag=0x1234) / \
        SCTPChunkData(data=data)


def jumbo_and_small(fn, tag, **kw):
    """Two jumbo frames and a small one."""
    return [fn(tag, 0, **kw), fn(tag, 1, **kw), fn(tag, 2, frame=100, **kw)]


def cases():
    c = []
    for p in (udp_j("len"), tcp6_j("len"), sctp_j("len"), udp6_opts("len", 1992)):
        assert len(bytes(p)) == FRAME, len(bytes(p))

    p = jumbo_and_small(udp_j, "out2")
    c.append(Case("jumbo_output_to_three_ports", ["in", "a", "b", "c"], {"in": p},
                  [(M_UDP4, "{a},{b},{c}")], {"a": p, "b": p, "c": p},
                  note="two outputs share the chain, the last takes it"))
    p = jumbo_and_small(udp_j, "s4")
    act = "set(ipv4(src=192.168.1.1,dst=192.168.1.2,tos=0x10,ttl=9)),{a}"
    c.append(Case("jumbo_set_ipv4_udp_checksum", ["in", "a", "b"], {"in": p},
                  [(M_UDP4, "{b}," + act)],
                  {"a": jumbo_and_small(udp_j, "s4", src="192.168.1.1", dst="192.168.1.2",
                                        tos=0x10, ttl=9),
                   "b": p},
                  note="the port that got the shared chain first keeps the original"))
    p = [tcp6_j("t6", i) for i in range(2)]
    c.append(Case("jumbo_set_tcp6_ports", ["in", "a"], {"in": p},
                  [(M_TCP6, "set(tcp(src=4444,dst=8080)),{a}")],
                  {"a": [tcp6_j("t6", i, sport=4444, dport=8080) for i in range(2)]}))
    p = [sctp_j("sc", i) for i in range(2)]
    c.append(Case("jumbo_set_sctp_crc32c_over_segments", ["in", "a"], {"in": p},
                  [(M_SCTP4, "set(sctp(src=1,dst=2)),{a}")],
                  {"a": [sctp_j("sc", i, sport=1, dport=2) for i in range(2)]}))
    p = jumbo_and_small(udp_j, "pv")
    c.append(Case("jumbo_push_vlan", ["in", "a"], {"in": p},
                  [(M_UDP4, "push_vlan(vid=10,pcp=3),{a}")],
                  {"a": [eth() / Dot1Q(vlan=10, prio=3) / x[IP] for x in p]}))
    p = [eth() / Dot1Q(vlan=10, prio=2) / x[IP] for x in jumbo_and_small(udp_j, "pop")]
    c.append(Case("jumbo_pop_vlan", ["in", "a"], {"in": p},
                  [(M_ETH + ",eth_type(0x8100),vlan(vid=10),encap(eth_type(0x0800),"
                    "ipv4(frag=no))", "pop_vlan,{a}")],
                  {"a": [eth() / x[IP] for x in p]}))
    p = jumbo_and_small(udp_j, "tr")
    c.append(Case("jumbo_trunc_inside_the_chain", ["in", "a", "b", "c"], {"in": p},
                  [(M_UDP4, "trunc(3000),{a},trunc(60),{b},{c}")],
                  {"a": [bytes(x)[:3000] for x in p], "b": [bytes(x)[:60] for x in p],
                   "c": p},
                  note="3000 bytes end in the second mbuf of a 9014-byte chain"))
    p = [udp_j("cpl", i, frame=n) for i, n in enumerate((9013, 9014, 9015, 100))]
    c.append(Case("jumbo_check_pkt_len_on_packet_length", ["in", "a", "b"], {"in": p},
                  [(M_UDP4, "check_pkt_len(size=9014,gt({a}),le({b}))")],
                  {"a": p[2:3], "b": [p[0], p[1], p[3]]},
                  note="the length of the chain, not of its first mbuf"))
    # Key extraction reads the first segment only (docs/ARCHITECTURE.md):
    # net_pcap fills a chain's first mbuf with 2048 bytes. A UDP header at
    # byte 2046 crosses into the second mbuf: the key has no ports, as for
    # a packet that ends there. At byte 1990 it is read.
    p = [udp6_opts("cross", 1992, i) for i in range(2)]
    c.append(Case("jumbo_l4_header_across_segments_not_read", ["in", "a"], {"in": p},
                  [(M_UDP6_OPTS + ",udp(src=0,dst=0)", "{a}")], {"a": p},
                  note="the kernel's pskb_may_pull() would read the ports: "
                       "docs/PROTOCOL.md lists the difference"))
    p = [udp6_opts("inside", 1936, i) for i in range(2)]
    c.append(Case("jumbo_l4_header_in_first_segment_read", ["in", "a"], {"in": p},
                  [(M_UDP6_OPTS + ",udp(src=1000,dst=2000)", "{a}")], {"a": p}))
    return c


# Flows of udp6_opts(): the destination options header is walked to UDP.
M_UDP6_OPTS = M_ETH + ",eth_type(0x86dd),ipv6(proto=17,frag=no)"


def udp6_opts(tag, opts_len, i=0):
    """A 9014-byte UDP/IPv6 frame with a destination options header of
    'opts_len' bytes (a multiple of 8) before UDP, which starts at byte
    54 + opts_len."""
    body = b""
    left = opts_len - 2
    while left:
        n = min(left, 257) if left - min(left, 257) != 1 else 256
        body += bytes([1, n - 2]) + bytes(n - 2)  # PadN
        left -= n
    dest = bytes([17, opts_len // 8 - 1]) + body
    l4 = UDP(sport=1000, dport=2000) / payload(tag, i, FRAME - 54 - opts_len - 8)
    ip6 = IPv6(src=IP6_A, dst=IP6_B, nh=60, plen=len(dest) + len(l4))
    # The UDP checksum over the IPv6 pseudo-header, the options excluded.
    l4 = UDP(bytes(IPv6(src=IP6_A, dst=IP6_B) / l4)[40:])
    return eth(type=0x86dd) / Raw(bytes(ip6) + dest + bytes(l4))


if __name__ == "__main__":
    sys.exit(main(cases(), options=["--mtu", str(MTU)]))
