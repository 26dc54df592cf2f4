#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""End-to-end: every action type, net_pcap in -> --flows -> net_pcap out.

Each case feeds packets built with scapy, installs flows from a flow file,
lets the daemon stop on drain (--exit-idle) and compares what each port
sent with packets built independently with scapy from the OVS/kernel
semantics of the action, byte for byte and in order (pcapcase.py). Run
with --no-huge, then with hugepages when they are free.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapcase import Case, Interleave, main  # noqa: E402

from scapy.all import (ARP, ICMP, IP, TCP, UDP, Dot1AD, Dot1Q, Ether,  # noqa: E402
                       ICMPv6DestUnreach, ICMPv6EchoRequest, IPv6, IPv6ExtHdrRouting, Raw,
                       fragment)
from scapy.layers.sctp import SCTP, SCTPChunkData  # noqa: E402

SRC, DST = "00:00:00:00:00:01", "00:00:00:00:00:02"
IP_A, IP_B = "10.0.0.1", "10.0.0.2"
IP6_A, IP6_B = "2001:db8::1", "2001:db8::2"

# Flow prefixes: the brace fields are filled with port numbers.
M_ETH = "recirc_id(0),in_port({in}),eth()"
M_IP4 = M_ETH + ",eth_type(0x0800),ipv4(frag=no)"
M_UDP4 = M_ETH + ",eth_type(0x0800),ipv4(proto=17,frag=no),udp()"
M_TCP4 = M_ETH + ",eth_type(0x0800),ipv4(proto=6,frag=no),tcp()"
M_ICMP4 = M_ETH + ",eth_type(0x0800),ipv4(proto=1,frag=no),icmp()"
M_SCTP4 = M_ETH + ",eth_type(0x0800),ipv4(proto=132,frag=no),sctp()"
M_UDP6 = M_ETH + ",eth_type(0x86dd),ipv6(proto=17,frag=no),udp()"
M_TCP6 = M_ETH + ",eth_type(0x86dd),ipv6(proto=6,frag=no),tcp()"
M_ICMP6 = M_ETH + ",eth_type(0x86dd),ipv6(proto=58,frag=no),icmpv6()"
M_IP6 = M_ETH + ",eth_type(0x86dd),ipv6(frag=no)"


def eth(**kw):
    return Ether(src=kw.pop("src", SRC), dst=kw.pop("dst", DST), **kw)


def payload(tag, i=0, size=18):
    b = ("%s-%d." % (tag, i)).encode()
    return Raw((b * (size // len(b) + 1))[:size])


def udp4(tag, i=0, sport=1000, dport=2000, size=18, ip=None, **ipkw):
    ipkw.setdefault("src", IP_A)
    ipkw.setdefault("dst", IP_B)
    return eth() / IP(**ipkw) / UDP(sport=sport, dport=dport) / payload(tag, i, size)


def tcp4(tag, i=0, sport=1000, dport=80, flags="A", **ipkw):
    ipkw.setdefault("src", IP_A)
    ipkw.setdefault("dst", IP_B)
    return eth() / IP(**ipkw) / TCP(sport=sport, dport=dport, flags=flags, seq=1000 + i) / \
        payload(tag, i)


def icmp4(tag, i=0, type=8, code=0, **ipkw):
    ipkw.setdefault("src", IP_A)
    ipkw.setdefault("dst", IP_B)
    return eth() / IP(**ipkw) / ICMP(type=type, code=code, id=7, seq=i) / payload(tag, i)


def sctp4(tag, i=0, sport=5000, dport=6000, **ipkw):
    ipkw.setdefault("src", IP_A)
    ipkw.setdefault("dst", IP_B)
    return eth() / IP(**ipkw) / SCTP(sport=sport, dport=dport, tag=0x1234) / \
        SCTPChunkData(data=bytes(payload(tag, i)))


def udp6(tag, i=0, sport=1000, dport=2000, **ipkw):
    ipkw.setdefault("src", IP6_A)
    ipkw.setdefault("dst", IP6_B)
    return eth() / IPv6(**ipkw) / UDP(sport=sport, dport=dport) / payload(tag, i)


def tcp6(tag, i=0, sport=1000, dport=80, **ipkw):
    ipkw.setdefault("src", IP6_A)
    ipkw.setdefault("dst", IP6_B)
    return eth() / IPv6(**ipkw) / TCP(sport=sport, dport=dport, flags="A", seq=i) / \
        payload(tag, i)


def icmp6(tag, i=0, **ipkw):
    ipkw.setdefault("src", IP6_A)
    ipkw.setdefault("dst", IP6_B)
    return eth() / IPv6(**ipkw) / ICMPv6EchoRequest(id=7, seq=i, data=bytes(payload(tag, i)))


def many(fn, tag, n=3, **kw):
    return [fn(tag, i, **kw) for i in range(n)]


def mpls_lse(label, tc, bos, ttl):
    return struct.pack(">I", label << 12 | tc << 9 | bos << 8 | ttl)


def l2(dst=DST, src=SRC, ethertype=0x0800):
    """An Ethernet header as bytes."""
    return bytes(Ether(dst=dst, src=src, type=ethertype))


def ip_part(pkt):
    return bytes(pkt[IP])


def cases():
    c = []

    # ---- output ----
    p = many(udp4, "two")
    c.append(Case("output_two_ports", ["in", "a", "b"], {"in": p},
                  [(M_UDP4, "{a},{b}")], {"a": p, "b": p}))
    p = many(udp4, "back")
    c.append(Case("output_in_port_and_other", ["in", "a"], {"in": p},
                  [(M_UDP4, "{in},{a}")], {"in": p, "a": p}))
    p = many(udp4, "empty_rx")
    c.append(Case("output_to_port_with_empty_rx_pcap", ["in", "a"], {"in": p},
                  [(M_UDP4, "{a}")], {"a": p}, empty_rx=["a"]))
    # Bursts of several flows, in runs and interleaved: the PMD sends a
    # burst whose flows all output to one port as it came, and groups it
    # by flow otherwise (another port, another action).
    m_sport = M_ETH + ",eth_type(0x0800),ipv4(proto=17,frag=no),udp(src=%d)"
    fa, fb = many(udp4, "runa", sport=1000), many(udp4, "runb", sport=1001)
    order = [("a", 0), ("a", 0), ("b", 0), ("a", 1), ("b", 1), ("b", 1), ("a", 2), ("b", 2)]
    p = [(fa if f == "a" else fb)[i] for f, i in order]
    want_a = [fa[i] for f, i in order if f == "a"]
    want_b = [fb[i] for f, i in order if f == "b"]
    c.append(Case("flows_in_runs_to_one_port", ["in", "a"], {"in": p},
                  [(m_sport % 1000, "{a}"), (m_sport % 1001, "{a}")],
                  {"a": Interleave(want_a, want_b)}))
    c.append(Case("flows_in_runs_to_two_ports", ["in", "a", "b"], {"in": p},
                  [(m_sport % 1000, "{a}"), (m_sport % 1001, "{b}")],
                  {"a": want_a, "b": want_b}))
    c.append(Case("flows_in_runs_output_and_set", ["in", "a"], {"in": p},
                  [(m_sport % 1000, "{a}"), (m_sport % 1001, "set(ipv4(ttl=9)),{a}")],
                  {"a": Interleave(want_a, [udp4("runb", i, sport=1001, ttl=9)
                                            for f, i in order if f == "b"])}))
    p = many(udp4, "noport")
    c.append(Case("output_to_missing_port_then_real", ["in", "a"], {"in": p},
                  [(M_UDP4, "29999,{a}")], {"a": p},
                  note="an output to a port that does not exist drops that copy only"))
    c.append(Case("drop", ["in", "a"], {"in": many(udp4, "drop")}, [(M_UDP4, "drop")], {}))
    c.append(Case("miss_no_listener", ["in", "a"], {"in": many(udp4, "miss", 4)}, [], {},
                  lost=4, note="no flow, nobody listens: counted lost, not forwarded"))
    # A flow for another in_port must not take this port's packets.
    c.append(Case("miss_other_in_port", ["in", "x", "a"], {"in": many(udp4, "miss2", 2)},
                  [(M_UDP4.replace("{in}", "{x}"), "{a}")], {}, lost=2))

    # ---- VLAN ----
    p = many(udp4, "pv")
    c.append(Case("push_vlan_8021q", ["in", "a"], {"in": p},
                  [(M_UDP4, "push_vlan(vid=10,pcp=3),{a}")],
                  {"a": [eth() / Dot1Q(vlan=10, prio=3) / x[IP] for x in p]}))
    p = many(udp4, "pvad")
    c.append(Case("push_vlan_8021ad", ["in", "a"], {"in": p},
                  [(M_UDP4, "push_vlan(tpid=0x88a8,vid=20,pcp=5),{a}")],
                  {"a": [eth() / Dot1AD(vlan=20, prio=5) / x[IP] for x in p]}))
    p = [eth() / Dot1Q(vlan=10, prio=2) / x[IP] for x in many(udp4, "pop")]
    c.append(Case("pop_vlan", ["in", "a"], {"in": p},
                  [(M_ETH + ",eth_type(0x8100),vlan(vid=10),encap(eth_type(0x0800),"
                    "ipv4(frag=no))", "pop_vlan,{a}")],
                  {"a": [eth() / x[IP] for x in p]}))
    p = many(udp4, "qinq")
    c.append(Case("qinq_push_push_pop_pop", ["in", "a", "b", "c"], {"in": p},
                  [(M_UDP4, "push_vlan(vid=10,pcp=1),push_vlan(tpid=0x88a8,vid=20,pcp=2),{a},"
                    "pop_vlan,{b},pop_vlan,{c}")],
                  {"a": [eth() / Dot1AD(vlan=20, prio=2) / Dot1Q(vlan=10, prio=1) / x[IP]
                         for x in p],
                   "b": [eth() / Dot1Q(vlan=10, prio=1) / x[IP] for x in p],
                   "c": p}))
    p = [eth() / Dot1AD(vlan=300) / Dot1Q(vlan=7) / x[IP] for x in many(udp4, "qpop")]
    c.append(Case("pop_outer_tag_of_qinq", ["in", "a"], {"in": p},
                  [(M_ETH + ",eth_type(0x88a8),vlan(vid=300),encap(eth_type(0x8100),vlan(vid=7),"
                    "encap(eth_type(0x0800),ipv4(frag=no)))", "pop_vlan,{a}")],
                  {"a": [eth() / Dot1Q(vlan=7) / x[IP] for x in p]}))

    # ---- Ethernet ----
    p = many(udp4, "seteth")
    c.append(Case("set_eth", ["in", "a"], {"in": p},
                  [(M_UDP4, "set(eth(src=02:00:00:00:00:0a,dst=02:00:00:00:00:0b)),{a}")],
                  {"a": [eth(src="02:00:00:00:00:0a", dst="02:00:00:00:00:0b") / x[IP]
                         for x in p]}))
    p = many(udp4, "setethm")
    c.append(Case("set_masked_eth_dst", ["in", "a"], {"in": p},
                  [(M_UDP4, "set(eth(dst=0a:0b:0c:00:00:00/ff:ff:ff:00:00:00)),{a}")],
                  {"a": [eth(dst="0a:0b:0c:00:00:02") / x[IP] for x in p]}))
    p = many(udp4, "setethm2")
    c.append(Case("set_masked_value_bits_outside_mask", ["in", "a"], {"in": p},
                  [(M_UDP4, "set(eth(dst=0a:0b:0c:77:77:77/ff:ff:ff:00:00:00)),{a}")],
                  {"a": [eth(dst="0a:0b:0c:00:00:02") / x[IP] for x in p]}, ovs=False,
                  note="the flow file's value bits outside the mask are ignored; OVS 3.1's "
                       "parser keeps them and its executor ORs them in (docs/PROTOCOL.md)"))

    # ---- IPv4 ----
    new = dict(src="192.168.1.1", dst="192.168.1.2", tos=0x10, ttl=9)
    act = "set(ipv4(src=192.168.1.1,dst=192.168.1.2,tos=0x10,ttl=9)),{a}"
    c.append(Case("set_ipv4_udp", ["in", "a"], {"in": many(udp4, "s4u")}, [(M_UDP4, act)],
                  {"a": many(udp4, "s4u", **new)}))
    c.append(Case("set_ipv4_tcp", ["in", "a"], {"in": many(tcp4, "s4t")}, [(M_TCP4, act)],
                  {"a": many(tcp4, "s4t", **new)}))
    c.append(Case("set_ipv4_icmp", ["in", "a"], {"in": many(icmp4, "s4i")}, [(M_ICMP4, act)],
                  {"a": many(icmp4, "s4i", **new)}))
    p = many(udp4, "s4z")
    for x in p:
        x[UDP].chksum = 0
    want = many(udp4, "s4z", **new)
    for x in want:
        x[UDP].chksum = 0
    c.append(Case("set_ipv4_udp_zero_checksum_stays_zero", ["in", "a"], {"in": p},
                  [(M_UDP4, act)], {"a": want}))
    c.append(Case("set_ipv4_full", ["in", "a"], {"in": many(udp4, "s4f")},
                  [(M_UDP4, "set(ipv4(src=1.2.3.4,dst=5.6.7.8,proto=17,tos=0x20,ttl=200,"
                    "frag=no)),{a}")],
                  {"a": many(udp4, "s4f", src="1.2.3.4", dst="5.6.7.8", tos=0x20, ttl=200)}))
    c.append(Case("set_ipv4_tos_keeps_ecn", ["in", "a"], {"in": many(udp4, "tos", tos=0x03)},
                  [(M_UDP4, "set(ipv4(tos=0xb8/0xfc)),{a}")],
                  {"a": many(udp4, "tos", tos=0xbb)}))
    c.append(Case("set_ipv4_with_options", ["in", "a"],
                  {"in": many(udp4, "opt", options=b"\x94\x04\x00\x00")},
                  [(M_UDP4, "set(ipv4(dst=10.9.9.9,ttl=3)),{a}")],
                  {"a": many(udp4, "opt", options=b"\x94\x04\x00\x00", dst="10.9.9.9", ttl=3)}))

    # ---- IPv6 ----
    new6 = dict(src="2001:db8:1::a", dst="2001:db8:2::b", fl=0x12345, tc=0x28, hlim=17)
    act6 = ("set(ipv6(src=2001:db8:1::a,dst=2001:db8:2::b,label=0x12345,tclass=0x28,"
            "hlimit=17)),{a}")
    c.append(Case("set_ipv6_udp", ["in", "a"], {"in": many(udp6, "s6u")}, [(M_UDP6, act6)],
                  {"a": many(udp6, "s6u", **new6)}))
    c.append(Case("set_ipv6_tcp", ["in", "a"], {"in": many(tcp6, "s6t")}, [(M_TCP6, act6)],
                  {"a": many(tcp6, "s6t", **new6)}))
    c.append(Case("set_ipv6_icmpv6", ["in", "a"], {"in": many(icmp6, "s6i")},
                  [(M_ICMP6, act6)], {"a": many(icmp6, "s6i", **new6)}))
    c.append(Case("set_masked_ipv6_src_label", ["in", "a"],
                  {"in": many(udp6, "s6m", fl=0xfffff)},
                  [(M_UDP6, "set(ipv6(src=2001:db8:ffff::/ffff:ffff:ffff::,"
                    "label=0x00005/0x0000f)),{a}")],
                  {"a": many(udp6, "s6m", fl=0xffff5, src="2001:db8:ffff::1")}))

    # ---- transport ----
    c.append(Case("set_tcp_ports", ["in", "a"], {"in": many(tcp4, "stcp")},
                  [(M_TCP4, "set(tcp(src=4444,dst=8080)),{a}")],
                  {"a": many(tcp4, "stcp", sport=4444, dport=8080)}))
    c.append(Case("set_udp_dst_masked", ["in", "a"], {"in": many(udp4, "sudp", dport=0x1234)},
                  [(M_UDP4, "set(udp(dst=0x00ab/0x00ff)),{a}")],
                  {"a": many(udp4, "sudp", dport=0x12ab)}))
    p = many(udp4, "sudpz")
    for x in p:
        x[UDP].chksum = 0
    want = many(udp4, "sudpz", sport=7, dport=9)
    for x in want:
        x[UDP].chksum = 0
    c.append(Case("set_udp_ports_zero_checksum_stays_zero", ["in", "a"], {"in": p},
                  [(M_UDP4, "set(udp(src=7,dst=9)),{a}")], {"a": want}))
    c.append(Case("set_udp6_ports", ["in", "a"], {"in": many(udp6, "sudp6")},
                  [(M_UDP6, "set(udp(src=53,dst=5353)),{a}")],
                  {"a": many(udp6, "sudp6", sport=53, dport=5353)}))
    c.append(Case("set_sctp_ports_crc32c", ["in", "a"], {"in": many(sctp4, "ssctp")},
                  [(M_SCTP4, "set(sctp(src=1,dst=2)),{a}")],
                  {"a": many(sctp4, "ssctp", sport=1, dport=2)}))
    c.append(Case("set_icmp_type_code", ["in", "a"], {"in": many(icmp4, "sicmp")},
                  [(M_ICMP4, "set(icmp(type=0,code=0)),{a}")],
                  {"a": many(icmp4, "sicmp", type=0, code=0)},
                  note="set(icmp) is an extension of this datapath (docs/PROTOCOL.md)"))
    p = [eth() / IPv6(src=IP6_A, dst=IP6_B) / ICMPv6DestUnreach(code=1) /
         payload("sicmp6", i, 24) for i in range(3)]
    want = []
    for x in p:
        y = x.copy()
        y[ICMPv6DestUnreach].code = 4
        del y[ICMPv6DestUnreach].cksum
        want.append(Ether(bytes(y)))
    c.append(Case("set_icmpv6_code", ["in", "a"], {"in": p},
                  [(M_ICMP6, "set(icmpv6(type=1,code=4)),{a}")], {"a": want}))

    # ---- TTL ----
    c.append(Case("dec_ttl_ipv4", ["in", "a", "b"],
                  {"in": [udp4("dt", 0, ttl=64), udp4("dt", 1, ttl=2), udp4("dt", 2, ttl=1),
                          udp4("dt", 3, ttl=0)]},
                  [(M_UDP4, "dec_ttl(le_1({b})),{a}")],
                  {"a": [udp4("dt", 0, ttl=63), udp4("dt", 1, ttl=1)],
                   "b": [udp4("dt", 2, ttl=1), udp4("dt", 3, ttl=0)]},
                  note="a TTL of 0 or 1 takes the le_1 list, unchanged; OVS 3.1 cannot "
                       "parse dec_ttl", ovs=False))
    c.append(Case("dec_ttl_ipv6", ["in", "a", "b"],
                  {"in": [udp6("dt6", 0, hlim=255), udp6("dt6", 1, hlim=1)]},
                  [(M_UDP6, "dec_ttl(le_1({b})),{a}")],
                  {"a": [udp6("dt6", 0, hlim=254)], "b": [udp6("dt6", 1, hlim=1)]}, ovs=False))

    # ---- metadata and recirculation ----
    c.append(Case("priority_mark_recirc", ["in", "a", "b"],
                  {"in": [udp4("pm", 0, src="10.0.0.1"), udp4("pm", 1, src="10.0.0.3"),
                          udp4("pm", 2, src="10.0.0.1"), udp4("pm", 3, src="10.0.0.3")]},
                  [(M_ETH + ",eth_type(0x0800),ipv4(src=10.0.0.1,frag=no)",
                    "set(skb_priority(5)),set(skb_mark(7)),recirc(1)"),
                   (M_ETH + ",eth_type(0x0800),ipv4(src=10.0.0.3,frag=no)",
                    "set(skb_priority(6)),set(skb_mark(7)),recirc(1)"),
                   ("skb_priority(5),skb_mark(7),recirc_id(1),in_port({in}),eth(),"
                    "eth_type(0x0800),ipv4(frag=no)", "{a}"),
                   ("skb_priority(6),skb_mark(7),recirc_id(1),in_port({in}),eth(),"
                    "eth_type(0x0800),ipv4(frag=no)", "{b}")],
                  {"a": [udp4("pm", 0, src="10.0.0.1"), udp4("pm", 2, src="10.0.0.1")],
                   "b": [udp4("pm", 1, src="10.0.0.3"), udp4("pm", 3, src="10.0.0.3")]}))
    c.append(Case("recirc_sees_rewritten_header", ["in", "a", "b"],
                  {"in": [udp4("rr", 0, dport=1), udp4("rr", 1, dport=2)]},
                  [(M_ETH + ",eth_type(0x0800),ipv4(proto=17,frag=no),udp(dst=1)",
                    "set(ipv4(ttl=5)),recirc(3)"),
                   (M_ETH + ",eth_type(0x0800),ipv4(proto=17,frag=no),udp(dst=2)",
                    "set(ipv4(ttl=6)),recirc(3)"),
                   ("recirc_id(3),in_port({in}),eth(),eth_type(0x0800),ipv4(ttl=5,frag=no)",
                    "{a}"),
                   ("recirc_id(3),in_port({in}),eth(),eth_type(0x0800),ipv4(ttl=6,frag=no)",
                    "{b}")],
                  {"a": [udp4("rr", 0, dport=1, ttl=5)], "b": [udp4("rr", 1, dport=2, ttl=6)]}))
    hp = [udp4("hash", i, sport=1000 + i % 16) for i in range(64)]
    c.append(Case("recirc_with_hash", ["in", "a", "b"], {"in": hp},
                  [(M_UDP4, "hash(l4(0)),recirc(2)"),
                   ("recirc_id(2),dp_hash(0/0x1),in_port({in}),eth(),eth_type(0x0800),"
                    "ipv4(frag=no)", "{a}"),
                   ("recirc_id(2),dp_hash(0x1/0x1),in_port({in}),eth(),eth_type(0x0800),"
                    "ipv4(frag=no)", "{b}")],
                  {"a": hash_split_check(hp, "a"), "b": hash_split_check(hp, "b")}, ovs=False,
                  note="dp_hash values are ours: only consistency per 5-tuple is checked; "
                       "OVS 3.1 cannot parse hash()"))

    # ---- trunc, clone, sample, check_pkt_len ----
    p = many(udp4, "trunc", size=80)
    c.append(Case("trunc_then_output", ["in", "a", "b"], {"in": p},
                  [(M_UDP4, "trunc(60),{a},{b}")],
                  {"a": [bytes(x)[:60] for x in p], "b": p},
                  note="trunc applies to the next output only"))
    p = many(udp4, "trunc2", size=10)
    c.append(Case("trunc_longer_than_packet", ["in", "a"], {"in": p},
                  [(M_UDP4, "trunc(1000),{a}")], {"a": p}))
    p = many(udp4, "clone")
    c.append(Case("clone", ["in", "a", "b"], {"in": p},
                  [(M_UDP4, "clone(set(ipv4(ttl=5)),{a}),{b}")],
                  {"a": many(udp4, "clone", ttl=5), "b": p}))
    p = many(udp4, "s0")
    c.append(Case("sample_0", ["in", "a", "b"], {"in": p},
                  [(M_UDP4, "sample(sample=0%,actions({a})),{b}")], {"b": p}))
    p = many(udp4, "s100")
    c.append(Case("sample_100", ["in", "a", "b"], {"in": p},
                  [(M_UDP4, "sample(sample=100%,actions(set(ipv4(ttl=3)),{a})),{b}")],
                  {"a": many(udp4, "s100", ttl=3), "b": p}))
    one = udp4("s50", 0)
    c.append(Case("sample_50_statistical", ["in", "a", "b"], {"in": [one] * 2000},
                  [(M_UDP4, "sample(sample=50%,actions({a})),{b}")],
                  {"a": sample_check(bytes(one), 2000, 0.4, 0.6), "b": [one] * 2000},
                  note="2000 packets at 50%: between 800 and 1200 sampled (9 sigma)"))
    # Frame lengths 99, 100, 101, 150: size = length - 42.
    p = [udp4("cpl", i, size=n - 42) for i, n in enumerate((99, 100, 101, 150))]
    c.append(Case("check_pkt_len_both_branches", ["in", "a", "b", "c"], {"in": p},
                  [(M_UDP4, "check_pkt_len(size=100,gt({a}),le(set(ipv4(ttl=1)),{b})),{c}")],
                  {"a": p[2:], "b": [udp4("cpl", i, size=n - 42, ttl=1)
                                     for i, n in enumerate((99, 100))], "c": p},
                  note="equal to size takes le; the original goes on after it"))

    # ---- MPLS ----
    p = many(udp4, "pm")
    c.append(Case("push_mpls", ["in", "a"], {"in": p},
                  [(M_UDP4, "push_mpls(label=100,tc=3,ttl=64,bos=1,eth_type=0x8847),{a}")],
                  {"a": [l2(ethertype=0x8847) + mpls_lse(100, 3, 1, 64) + ip_part(x) for x in p]},
                  ovs=False, note="OVS 3.1 cannot parse push_mpls/pop_mpls"))
    p = many(udp4, "popm")
    c.append(Case("pop_mpls", ["in", "a"],
                  {"in": [l2(ethertype=0x8847) + mpls_lse(200, 0, 1, 9) + ip_part(x) for x in p]},
                  [(M_ETH + ",eth_type(0x8847),mpls(label=200,tc=0,ttl=9,bos=1)",
                    "pop_mpls(eth_type=0x800),{a}")], {"a": p}, ovs=False))
    p = many(udp4, "mplsrt")
    c.append(Case("push_then_pop_mpls", ["in", "a", "b"], {"in": p},
                  [(M_UDP4, "push_mpls(label=5,tc=0,ttl=1,bos=1,eth_type=0x8848),{a},"
                    "pop_mpls(eth_type=0x800),{b}")],
                  {"a": [l2(ethertype=0x8848) + mpls_lse(5, 0, 1, 1) + ip_part(x) for x in p],
                   "b": p}, ovs=False))

    # ---- userspace ----
    c.append(Case("userspace_no_listener", ["in", "a"], {"in": many(udp4, "us", 5)},
                  [(M_UDP4, "userspace(pid=1)")], {}, lost=5, ovs_lost=0,
                  note="no listener: each upcall counted lost (as the kernel; OVS userspace "
                       "does not count them), the packet not forwarded"))
    p = many(udp4, "us2")
    c.append(Case("userspace_no_listener_then_output", ["in", "a"], {"in": p},
                  [(M_UDP4, "userspace(pid=1),{a}")], {"a": p}, lost=3, ovs_lost=0))

    # ---- headers the packet lacks ----
    p = many(udp4, "popnv")
    c.append(Case("pop_vlan_on_untagged_is_a_no_op", ["in", "a"], {"in": p},
                  [(M_UDP4, "pop_vlan,{a}")], {"a": p},
                  note="the kernel's skb_vlan_pop() leaves an untagged packet alone"))
    arps = [eth(type=0x0806) / ARP(op=1, psrc=IP_A, pdst=IP_B, hwsrc=SRC) for _ in range(2)]
    c.append(Case("dec_ttl_on_non_ip_passes", ["in", "a", "b"], {"in": arps},
                  [(M_ETH + ",eth_type(0x0806),arp()", "dec_ttl(le_1({b})),{a}")],
                  {"a": arps}, ovs=False, note="dec_ttl leaves a packet without TTL alone"))
    whole = udp4("cut4", 0)
    cut = bytes(whole)[:14 + 19]
    c.append(Case("set_ipv4_on_cut_header_drops", ["in", "a"], {"in": [cut, whole, cut]},
                  [(M_ETH + ",eth_type(0x0800),ipv4()", "set(ipv4(ttl=9)),{a}")],
                  {"a": [udp4("cut4", 0, ttl=9)]},
                  note="as the kernel: a set on a header the packet does not have drops it",
                  ovs_differs="OVS userspace writes the field into what there is of the "
                              "header and sends the packet on"))
    full_tcp = tcp4("cuttcp", 0)
    cut_tcp = bytes(eth() / IP(src=IP_A, dst=IP_B, proto=6, len=30)) + \
        bytes(full_tcp[TCP])[:10]
    c.append(Case("set_tcp_on_cut_header_drops", ["in", "a"], {"in": [cut_tcp, full_tcp]},
                  [(M_TCP4, "set(tcp(dst=8080)),{a}")],
                  {"a": [tcp4("cuttcp", 0, dport=8080)]},
                  ovs_differs="OVS userspace sends a packet whose header a set cannot "
                              "rewrite on unchanged"))

    # ---- checksums of fragments and routing headers ----
    def frags(src):
        d = IP(src=src, dst=IP_B, id=77) / UDP(sport=1, dport=2) / payload("frag", 0, 64)
        return [eth() / f for f in fragment(d, fragsize=32)]
    c.append(Case("set_ipv4_src_on_fragments", ["in", "a"], {"in": frags(IP_A)},
                  [(M_ETH + ",eth_type(0x0800),ipv4(src=10.0.0.1)", "set(ipv4(src=10.9.8.7)),{a}")],
                  {"a": frags("10.9.8.7")},
                  note="the first fragment's UDP checksum follows the address (it covers the "
                       "whole datagram); later fragments have no L4 header to fix",
                  ovs_differs="OVS 3.1 userspace 'fixes' a UDP checksum in a later "
                              "fragment's payload, corrupting it (the kernel does not)"))

    def rh6(dst, segleft):
        return eth() / IPv6(src=IP6_A, dst=dst) / IPv6ExtHdrRouting(
            addresses=["2001:db8::77"], segleft=segleft) / UDP(sport=1, dport=2) / \
            payload("rh", segleft)
    c.append(Case("set_ipv6_dst_with_routing_header", ["in", "a"],
                  {"in": [rh6(IP6_B, 1), rh6(IP6_B, 0)]},
                  [(M_ETH + ",eth_type(0x86dd),ipv6(proto=17,frag=no),udp()",
                    "set(ipv6(dst=2001:db8::99)),{a}")],
                  {"a": [rh6("2001:db8::99", 1), rh6("2001:db8::99", 0)]},
                  note="with segments left, the UDP checksum covers the routing header's "
                       "final address, so a new dst leaves it alone; scapy computes it so"))

    # ---- recirculation of copies ----
    p = many(udp4, "clrc")
    c.append(Case("clone_with_recirc", ["in", "a", "b"], {"in": p},
                  [(M_UDP4, "clone(set(ipv4(ttl=7)),recirc(5)),{b}"),
                   ("recirc_id(5),in_port({in}),eth(),eth_type(0x0800),ipv4(ttl=7,frag=no)",
                    "{a}")],
                  {"a": many(udp4, "clrc", ttl=7), "b": p}))

    # ---- sequences ----
    p = many(udp4, "seq")
    c.append(Case("set_output_set_output", ["in", "a", "b", "c"], {"in": p},
                  [(M_UDP4, "set(eth(dst=02:00:00:00:00:aa)),{a},set(eth(dst=02:00:00:00:00:bb)),"
                    "{b},set(ipv4(ttl=9)),{c}")],
                  {"a": [eth(dst="02:00:00:00:00:aa") / x[IP] for x in p],
                   "b": [eth(dst="02:00:00:00:00:bb") / x[IP] for x in p],
                   "c": [eth(dst="02:00:00:00:00:bb") / IP(bytes(udp4("seq", i, ttl=9)[IP]))
                         for i in range(3)]},
                  note="each output sees the packet as it was at that point"))
    p = many(udp4, "same")
    c.append(Case("same_port_before_and_after_set", ["in", "a"], {"in": p},
                  [(M_UDP4, "{a},set(ipv4(ttl=9)),{a}")],
                  {"a": Interleave(p, many(udp4, "same", ttl=9))}))
    p = many(udp4, "nest")
    c.append(Case("clone_in_sample_in_check_pkt_len", ["in", "a", "b"], {"in": p},
                  [(M_UDP4, "check_pkt_len(size=1000,gt(drop),le(sample(sample=100%,actions("
                    "clone(push_vlan(vid=5,pcp=0),{a}),{b})))),set(ipv4(ttl=1)),{b}")],
                  {"a": [eth() / Dot1Q(vlan=5) / x[IP] for x in p],
                   "b": Interleave(p, many(udp4, "nest", ttl=1))},
                  note="nested lists work on copies of the packet as it was"))
    return c


def hash_split_check(packets, port):
    """Check for one side of the dp_hash split: everything that arrived
    is an input, and packets of one 5-tuple all went the same way. The
    two sides together are checked in check_hash_union."""
    inputs = [bytes(x) for x in packets]
    sport_of = {bytes(x): x[UDP].sport for x in packets}
    state = HASH_STATE.setdefault(id(packets), {})

    def check(got):
        for g in got:
            if g not in sport_of:
                return "a packet that was not sent: %s" % g.hex()
        state[port] = got
        if len(state) < 2:
            return None
        a, b = state.pop("a"), state.pop("b")
        if sorted(a + b) != sorted(inputs):
            return "a and b together sent %d packets, not the %d inputs" % (len(a + b),
                                                                          len(inputs))
        sa = {sport_of[x] for x in a}
        sb = {sport_of[x] for x in b}
        if sa & sb:
            return "5-tuples split between a and b: %s" % sorted(sa & sb)
        if not sa or not sb:
            return "16 different 5-tuples all hashed to one side (a:%d b:%d)" % (len(a), len(b))
        return None
    return check


HASH_STATE = {}


def sample_check(packet, n, lo, hi):
    def check(got):
        if any(g != packet for g in got):
            return "sampled a packet that was not the input"
        if not lo * n <= len(got) <= hi * n:
            return "sampled %d of %d, outside [%d, %d]" % (len(got), n, lo * n, hi * n)
        print("    sample_50_statistical: %d of %d sampled" % (len(got), n))
        return None
    return check


if __name__ == "__main__":
    sys.exit(main(cases()))
