#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""End-to-end: flow key extraction corner cases, net_pcap in and out.

Each case routes packets by flows that match on the tricky field (VLAN
tags, ARP fields, IPv6 extension headers, fragments, ICMP types, ND
options, TCP flags, truncated headers, 802.3/LLC framing): every packet
must come out, unchanged, on the port its flow names, or be counted lost
when it must miss. The flows of one case all match the field with the same
mask and different values, so no packet matches two flows.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapcase import Case, main  # noqa: E402

from scapy.all import (ARP, ICMP, IP, LLC, SNAP, TCP, UDP, Dot1AD, Dot1Q, Dot3,  # noqa: E402
                       Ether, ICMPv6DestUnreach, ICMPv6EchoReply, ICMPv6EchoRequest,
                       ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6NDOptDstLLAddr, ICMPv6NDOptSrcLLAddr,
                       IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, IPv6ExtHdrHopByHop,
                       IPv6ExtHdrRouting, Raw)
from scapy.layers.ipsec import AH  # noqa: E402

SRC, DST = "00:00:00:00:00:01", "00:00:00:00:00:02"
M = "recirc_id(0),in_port({in}),eth()"

MISS, RUNT = "miss", "runt"


def eth(**kw):
    return Ether(src=SRC, dst=DST, **kw)


def raw(tag, i=0, n=16):
    b = ("%s-%d." % (tag, i)).encode()
    return Raw((b * (n // len(b) + 1))[:n])


def udp4(tag, i=0, dport=2000, **ipkw):
    ipkw.setdefault("src", "10.0.0.1")
    ipkw.setdefault("dst", "10.0.0.2")
    return IP(**ipkw) / UDP(sport=1000, dport=dport) / raw(tag, i)


def routing(name, flows, items, **kw):
    """A case whose packets all enter on 'in'; 'items' is a list of
    (where, packet): a port name, MISS (no flow: lost) or RUNT."""
    ports = ["in"]
    for where, _ in items:
        if where not in (MISS, RUNT) and where not in ports:
            ports.append(where)
    for _, a in flows:
        for p in ("a", "b", "c", "d", "e", "f", "g"):
            if "{%s}" % p in a and p not in ports:
                ports.append(p)
    expect = {}
    for where, p in items:
        if where not in (MISS, RUNT):
            expect.setdefault(where, []).append(p)
    return Case(name, ports, {"in": [p for _, p in items]}, flows, expect,
                lost=sum(1 for w, _ in items if w == MISS),
                runts=sum(1 for w, _ in items if w == RUNT), **kw)


def cases():
    c = []

    # ---- VLAN ----
    enc = ",encap(eth_type(0x0800),ipv4(frag=no))"
    c.append(routing("vlan_vid", [
        (M + ",eth_type(0x8100),vlan(vid=10)" + enc, "{a}"),
        (M + ",eth_type(0x8100),vlan(vid=20)" + enc, "{b}")], [
        ("a", eth() / Dot1Q(vlan=10) / udp4("v", 0)),
        ("b", eth() / Dot1Q(vlan=20, prio=7) / udp4("v", 1)),
        ("a", eth() / Dot1Q(vlan=10, prio=3) / udp4("v", 2)),
        (MISS, eth() / Dot1Q(vlan=30) / udp4("v", 3)),
        ("b", eth() / Dot1Q(vlan=20, id=1) / udp4("v", 4))]))
    c.append(routing("vlan_pcp", [
        (M + ",eth_type(0x8100),vlan(pcp=5)" + enc, "{a}"),
        (M + ",eth_type(0x8100),vlan(pcp=2)" + enc, "{b}")], [
        ("a", eth() / Dot1Q(vlan=1, prio=5) / udp4("p", 0)),
        ("b", eth() / Dot1Q(vlan=2, prio=2) / udp4("p", 1)),
        ("a", eth() / Dot1Q(vlan=0, prio=5) / udp4("p", 2))]))
    c.append(routing("vlan_tpid_8021q_vs_8021ad", [
        (M + ",eth_type(0x8100),vlan(vid=10)" + enc, "{a}"),
        (M + ",eth_type(0x88a8),vlan(vid=10)" + enc, "{b}")], [
        ("a", eth() / Dot1Q(vlan=10) / udp4("t", 0)),
        ("b", eth() / Dot1AD(vlan=10) / udp4("t", 1))]))
    qenc = ",encap(eth_type(0x8100),vlan(vid=%d),encap(eth_type(0x0800),ipv4(frag=no)))"
    c.append(routing("qinq", [
        (M + ",eth_type(0x88a8),vlan(vid=100)" + qenc % 10, "{a}"),
        (M + ",eth_type(0x88a8),vlan(vid=100)" + qenc % 11, "{b}"),
        (M + ",eth_type(0x8100),vlan(vid=100)" + qenc % 10, "{c}")], [
        ("a", eth() / Dot1AD(vlan=100) / Dot1Q(vlan=10) / udp4("q", 0)),
        ("b", eth() / Dot1AD(vlan=100) / Dot1Q(vlan=11) / udp4("q", 1)),
        ("c", eth() / Dot1Q(vlan=100) / Dot1Q(vlan=10) / udp4("q", 2)),
        (MISS, eth() / Dot1AD(vlan=101) / Dot1Q(vlan=10) / udp4("q", 3))]))
    # A tag with no room for the ethertype after it is not a tag.
    cut = bytes(eth(type=0x8100)) + b"\x00\x0a"
    c.append(routing("vlan_tag_cut_short", [
        (M + ",eth_type(0x8100),vlan(vid=0,pcp=0,cfi=0),encap()", "{a}"),
        (M + ",eth_type(0x8100),vlan(vid=10)" + enc, "{b}")], [
        ("a", cut), ("a", cut + b"\x08"),
        ("b", eth() / Dot1Q(vlan=10) / udp4("cut", 0))], ovs=False,
        note="the kernel's parse_vlan_tag(): the TPID becomes the eth_type (OVS 3.1's "
             "dpctl cannot express this flow)"))
    c.append(routing("untagged_flow_ignores_tagged_packet", [
        (M + ",eth_type(0x0800),ipv4(frag=no)", "{a}")], [
        ("a", eth() / udp4("u", 0)),
        (MISS, eth() / Dot1Q(vlan=10) / udp4("u", 1))],
        note="no vlan() in a flow means untagged: the kernel always matches the TCI"))

    # ---- ARP ----
    def arp(op=1, psrc="10.0.0.1", pdst="10.0.0.2", hwsrc="00:00:00:00:00:01",
            hwdst="00:00:00:00:00:00", **kw):
        return eth(type=kw.pop("type", 0x0806)) / ARP(op=op, psrc=psrc, pdst=pdst, hwsrc=hwsrc,
                                                       hwdst=hwdst, **kw)
    c.append(routing("arp_op", [
        (M + ",eth_type(0x0806),arp(op=1)", "{a}"),
        (M + ",eth_type(0x0806),arp(op=2)", "{b}"),
        (M + ",eth_type(0x8035),arp(op=3)", "{c}")], [
        ("a", arp(1)), ("b", arp(2)), ("c", arp(3, type=0x8035)), ("a", arp(1, psrc="1.1.1.1"))]))
    af = "arp(sip=%s,tip=%s,sha=%s,tha=%s)"
    c.append(routing("arp_addresses", [
        (M + ",eth_type(0x0806)," + af % ("10.0.0.1", "10.0.0.2", "00:00:00:00:00:01",
                                          "00:00:00:00:00:00"), "{a}"),
        (M + ",eth_type(0x0806)," + af % ("10.0.0.1", "10.0.0.3", "00:00:00:00:00:01",
                                          "00:00:00:00:00:00"), "{b}"),
        (M + ",eth_type(0x0806)," + af % ("10.0.0.1", "10.0.0.2", "00:00:00:00:00:01",
                                          "0a:00:00:00:00:09"), "{c}"),
        (M + ",eth_type(0x0806)," + af % ("10.0.0.9", "10.0.0.2", "00:00:00:00:00:07",
                                          "00:00:00:00:00:00"), "{d}")], [
        ("a", arp(1)), ("b", arp(1, pdst="10.0.0.3")), ("c", arp(2, hwdst="0a:00:00:00:00:09")),
        ("d", arp(1, psrc="10.0.0.9", hwsrc="00:00:00:00:00:07")),
        (MISS, arp(1, psrc="10.0.0.8"))]))
    good = arp(1)
    zero = M + ",eth_type(0x0806),arp(op=0,sip=0.0.0.0,tip=0.0.0.0)"
    c.append(routing("arp_unparsable_has_zero_fields", [
        (zero, "{a}"),
        (M + ",eth_type(0x0806),arp(op=1,sip=10.0.0.1,tip=10.0.0.2)", "{b}"),
        (M + ",eth_type(0x0806),arp(op=0,sip=10.0.0.1,tip=10.0.0.2)", "{c}")], [
        ("b", good),
        ("a", arp(1, hwtype=6)),                    # not Ethernet
        ("a", arp(1, ptype=0x86dd)),                # not IPv4
        ("a", arp(1, hwlen=8)),                     # odd address length
        ("a", bytes(good)[:14 + 27]),               # one byte short
        ("c", arp(0x0101))],                        # opcode past 8 bits
        note="a header the key cannot hold leaves every ARP field zero; an opcode over "
             "255 reads as 0, the addresses stay"))

    # ---- IPv6 extension headers and fragments ----
    def v6(*layers, src="2001:db8::1", dst="2001:db8::2", **kw):
        p = eth() / IPv6(src=src, dst=dst, **kw)
        for layer in layers:
            p = p / layer
        return p
    u = lambda d, i: UDP(sport=1000, dport=d) / raw("x6", i)  # noqa: E731
    f6 = M + ",eth_type(0x86dd),ipv6(proto=17,frag=%s),udp(dst=%d)"
    trunc_hbh = bytes(v6(IPv6ExtHdrHopByHop(nh=17, len=2), u(1, 9)))[:14 + 40 + 16]
    c.append(routing("ipv6_extension_headers", [
        (f6 % ("no", 1), "{a}"), (f6 % ("no", 2), "{b}"), (f6 % ("no", 3), "{c}"),
        (f6 % ("first", 4), "{d}"),
        (M + ",eth_type(0x86dd),ipv6(proto=44,frag=later)", "{e}")], [
        ("a", v6(IPv6ExtHdrHopByHop(), u(1, 0))),
        ("b", v6(IPv6ExtHdrHopByHop(), IPv6ExtHdrRouting(addresses=["2001:db8::9"], segleft=0),
                 IPv6ExtHdrDestOpt(), u(2, 1))),
        ("c", v6(AH(nh=17, payloadlen=4, spi=1, seq=1, icv=b"\x00" * 12), u(3, 2))),
        ("d", v6(IPv6ExtHdrFragment(nh=17, offset=0, m=1, id=5), u(4, 3))),
        ("e", v6(IPv6ExtHdrFragment(nh=17, offset=100, m=1, id=7), raw("later", 5, 24))),
        ("e", v6(IPv6ExtHdrFragment(nh=17, offset=200, m=0, id=7), raw("later", 6, 24))),
        (MISS, v6(IPv6ExtHdrHopByHop(), u(9, 7)))],
        note="the kernel's ipv6_find_hdr(): a later fragment has proto 44"))
    c.append(routing("ipv6_atomic_fragment_and_broken_chain", [
        (f6 % ("first", 4), "{d}"),
        (M + ",eth_type(0x86dd),ipv6(proto=59,frag=no)", "{f}")], [
        ("d", v6(IPv6ExtHdrHopByHop(), IPv6ExtHdrFragment(nh=17, offset=0, m=0, id=6),
                 u(4, 4))),                                      # atomic fragment
        ("f", trunc_hbh)],                                       # chain past the end
        note="as the kernel: any fragment header makes frag=first, a chain that runs past "
             "the end gives proto 59 (none)",
        ovs_differs="OVS userspace: an atomic fragment is frag=no, and a broken chain "
                    "leaves proto 0"))
    f4 = M + ",eth_type(0x0800),ipv4(proto=17,frag=%s),udp(dst=%d)"
    c.append(routing("ipv4_fragments", [
        (f4 % ("first", 1), "{a}"),
        (M + ",eth_type(0x0800),ipv4(proto=17,frag=later)", "{b}"),
        (f4 % ("no", 1), "{c}")], [
        ("a", eth() / IP(src="10.0.0.1", dst="10.0.0.2", flags="MF", id=9) / UDP(dport=1) /
         raw("f1", 0, 24)),
        ("b", eth() / IP(src="10.0.0.1", dst="10.0.0.2", proto=17, frag=4, flags="MF", id=9) /
         raw("f2", 1, 24)),
        ("b", eth() / IP(src="10.0.0.1", dst="10.0.0.2", proto=17, frag=7, id=9) /
         raw("f3", 2, 24)),
        ("c", eth() / IP(src="10.0.0.1", dst="10.0.0.2", flags="DF") / UDP(dport=1) /
         raw("f4", 3))]))

    # ---- ICMP, ICMPv6, ND ----
    ic = M + ",eth_type(0x0800),ipv4(proto=1,frag=no),icmp(type=%d,code=%d)"
    ip = IP(src="10.0.0.1", dst="10.0.0.2")
    c.append(routing("icmp_type_code", [
        (ic % (8, 0), "{a}"), (ic % (3, 1), "{b}"), (ic % (3, 3), "{c}"),
        (ic % (0, 0), "{d}")], [
        ("a", eth() / ip / ICMP(type=8, code=0) / raw("i", 0)),
        ("b", eth() / ip / ICMP(type=3, code=1) / raw("i", 1)),
        ("c", eth() / ip / ICMP(type=3, code=3) / raw("i", 2)),
        ("d", bytes(eth() / IP(src="10.0.0.1", dst="10.0.0.2", len=27) /
                    ICMP(type=8, code=0))[:14 + 27])],  # header cut short
        note="an ICMP header shorter than 8 bytes leaves type and code zero"))
    ic6 = M + ",eth_type(0x86dd),ipv6(proto=58,frag=no),icmpv6(type=%d,code=%d)"
    c.append(routing("icmpv6_type_code", [
        (ic6 % (128, 0), "{a}"), (ic6 % (129, 0), "{b}"), (ic6 % (1, 4), "{c}")], [
        ("a", v6(ICMPv6EchoRequest(id=1, data=b"abc"))),
        ("b", v6(ICMPv6EchoReply(id=1, data=b"abc"))),
        ("c", v6(ICMPv6DestUnreach(code=4), raw("du", 0, 40)))]))
    nd = (M + ",eth_type(0x86dd),ipv6(proto=58,frag=no),icmpv6(type=%d,code=0),"
          "nd(target=%s,sll=%s,tll=%s)")
    Z = "00:00:00:00:00:00"
    S1, S2, T1 = "00:00:00:00:aa:01", "00:00:00:00:aa:02", "00:00:00:00:bb:01"
    ns = lambda t, *o: v6(ICMPv6ND_NS(tgt=t), *o, dst="ff02::1:ff00:1", hlim=255)  # noqa
    na = lambda t, *o: v6(ICMPv6ND_NA(tgt=t), *o, dst="ff02::1", hlim=255)  # noqa
    c.append(routing("nd_target_sll_tll", [
        (nd % (135, "2001:db8::a", S1, Z), "{a}"),
        (nd % (136, "2001:db8::b", Z, T1), "{b}"),
        (nd % (135, "2001:db8::c", Z, Z), "{c}"),
        (nd % (135, "::", Z, Z), "{d}"),
        (nd % (135, "2001:db8::e", S2, Z), "{e}")], [
        ("a", ns("2001:db8::a", ICMPv6NDOptSrcLLAddr(lladdr=S1))),
        ("b", na("2001:db8::b", ICMPv6NDOptDstLLAddr(lladdr=T1))),
        ("c", ns("2001:db8::c")),
        ("d", ns("2001:db8::d", ICMPv6NDOptSrcLLAddr(lladdr=S1),
                 ICMPv6NDOptSrcLLAddr(lladdr=S2))),            # two SLLs: invalid
        ("e", ns("2001:db8::e", ICMPv6NDOptSrcLLAddr(lladdr=S2),
                 Raw(b"\x01\x00" + b"\x00" * 6))),             # option length 0 stops
        ("a", ns("2001:db8::a", Raw(b"\x0e\x01" + b"\x00" * 6),  # unknown option skipped
                 ICMPv6NDOptSrcLLAddr(lladdr=S1)))],
        note="a second SLL (or TLL) zeroes target, SLL and TLL, as the kernel"))

    # ---- TCP flags ----
    tf = M + ",eth_type(0x0800),ipv4(proto=6,frag=no),tcp(),tcp_flags(%s)"
    tcp = lambda f, i: eth() / IP(src="10.0.0.1", dst="10.0.0.2") / TCP(  # noqa: E731
        sport=1000 + i, dport=80, flags=f)
    c.append(routing("tcp_flags_exact", [
        (tf % "0x002/0xfff", "{a}"), (tf % "0x012/0xfff", "{b}"), (tf % "0x010/0xfff", "{c}"),
        (tf % "0x011/0xfff", "{d}"), (tf % "0x110/0xfff", "{e}")], [
        ("a", tcp("S", 0)), ("b", tcp("SA", 1)), ("c", tcp("A", 2)), ("d", tcp("FA", 3)),
        ("e", tcp("NA", 4)), (MISS, tcp("R", 5)), ("c", tcp("A", 6))]))
    c.append(routing("tcp_flags_plus_minus", [(tf % "+syn-ack", "{a}")], [
        ("a", tcp("S", 0)), (MISS, tcp("SA", 1)), ("a", tcp("SE", 2)), (MISS, tcp("A", 3))]))

    # ---- truncated and malformed headers ----
    full_tcp = eth() / IP(src="10.0.0.1", dst="10.0.0.2") / TCP(sport=1000, dport=80)
    cut_tcp = bytes(eth() / IP(src="10.0.0.1", dst="10.0.0.2", proto=6, len=30)) + \
        bytes(TCP(sport=1000, dport=80))[:10]
    bad_doff = bytes(eth() / IP(src="10.0.0.1", dst="10.0.0.2") /
                     TCP(sport=1000, dport=80, dataofs=4))
    c.append(routing("truncated_tcp_header_matches_l3_flow", [
        (M + ",eth_type(0x0800),ipv4(proto=6,frag=no),tcp()", "{a}")], [
        ("a", cut_tcp), ("a", full_tcp)],
        note="proto and frag exact, no L4 field: matches a TCP header cut short"))
    tp = M + ",eth_type(0x0800),ipv4(proto=%d,frag=no),%s(src=%d,dst=%d)"
    cut_udp = bytes(eth() / IP(src="10.0.0.1", dst="10.0.0.2", proto=17, len=24)) + \
        bytes(UDP(sport=1000, dport=53))[:4]
    c.append(routing("truncated_l4_has_zero_ports", [
        (tp % (6, "tcp", 0, 0), "{a}"), (tp % (6, "tcp", 1000, 80), "{b}"),
        (tp % (17, "udp", 0, 0), "{c}"), (tp % (17, "udp", 1000, 53), "{d}")], [
        ("a", cut_tcp), ("b", full_tcp), ("a", bad_doff),
        ("c", cut_udp), ("d", eth() / IP(src="10.0.0.1", dst="10.0.0.2") /
                         UDP(sport=1000, dport=53))],
        note="a TCP header that is cut short or has a data offset under 5 gives ports 0"))
    z4 = M + ",eth_type(0x0800),ipv4(src=%s,dst=%s,proto=%d,tos=0,ttl=%d,frag=no)"
    whole = eth() / IP(src="10.0.0.1", dst="10.0.0.2", proto=253) / raw("ip", 0)
    c.append(routing("truncated_ipv4_header_has_zero_fields", [
        (z4 % ("0.0.0.0", "0.0.0.0", 0, 0), "{a}"),
        (z4 % ("10.0.0.1", "10.0.0.2", 253, 64), "{b}")], [
        ("b", whole),
        ("a", bytes(whole)[:14 + 19]),                          # 19 of 20 bytes
        ("a", bytes(eth(type=0x0800))),                         # Ethernet header only
        ("a", bytes(whole)[:14] + b"\x44" + bytes(whole)[15:]),  # IHL 4
        ("a", bytes(whole)[:14] + b"\x4f" + bytes(whole)[15:])],  # IHL 15, past the end
        note="an IPv4 header that does not fit leaves every IP field zero"))
    w6 = eth() / IPv6(src="2001:db8::1", dst="2001:db8::2", nh=253) / raw("ip6", 0)
    c.append(routing("truncated_ipv6_header_has_zero_fields", [
        (M + ",eth_type(0x86dd),ipv6(src=::,dst=::,proto=0,tclass=0,hlimit=0,frag=no)",
         "{a}"),
        (M + ",eth_type(0x86dd),ipv6(src=2001:db8::1,dst=2001:db8::2,proto=253,tclass=0,"
         "hlimit=64,frag=no)", "{b}")], [
        ("b", w6), ("a", bytes(w6)[:14 + 39])]))
    c.append(routing("runts_dropped_and_counted", [(M + ",eth_type(0x1234)", "{a}")], [
        (RUNT, b"\x00" * 10), (RUNT, bytes(eth())[:13]), ("a", bytes(eth(type=0x1234))),
        (RUNT, b"\x01"), ("a", bytes(eth(type=0x1234)) + b"\x00" * 50)],
        ovs=False, note="frames under 14 bytes are dropped before lookup, as the kernel does "
                        "(netdev-dummy cannot inject them)"))

    # ---- 802.3 / LLC ----
    stp = Dot3(src=SRC, dst="01:80:c2:00:00:00") / LLC(dsap=0x42, ssap=0x42, ctrl=3) / \
        raw("stp", 0, 38)
    snap_ip = Dot3(src=SRC, dst=DST) / LLC(dsap=0xaa, ssap=0xaa, ctrl=3) / \
        SNAP(OUI=0, code=0x0800) / udp4("snap", 1, dport=7)
    snap_oui = Dot3(src=SRC, dst=DST) / LLC(dsap=0xaa, ssap=0xaa, ctrl=3) / \
        SNAP(OUI=0x00000c, code=0x0800) / udp4("snap", 2, dport=7)
    snap_len = Dot3(src=SRC, dst=DST) / LLC(dsap=0xaa, ssap=0xaa, ctrl=3) / \
        SNAP(OUI=0, code=0x0100) / raw("snap", 3, 30)
    snap_ctrl = Dot3(src=SRC, dst=DST) / LLC(dsap=0xaa, ssap=0xaa, ctrl=0x13) / \
        SNAP(OUI=0, code=0x0800) / udp4("snap", 4, dport=7)
    snap_flow = M + ",eth_type(0x0800),ipv4(proto=17,frag=no),udp(dst=7)"
    c.append(routing("llc_8022_frames", [
        (M + ",eth_type(0/0xffff)", "{a}"), (snap_flow, "{b}")], [
        ("a", stp), ("b", snap_ip), ("a", snap_oui), ("a", snap_len)],
        ovs=False, note="802.2 frames have no eth_type (OVS writes eth_type(0/0xffff), which "
                        "its dpctl cannot add)"))
    c.append(routing("snap_control_byte_not_checked", [(snap_flow, "{b}")], [
        ("b", snap_ctrl)], note="as the kernel's parse_ethertype()",
        ovs_differs="OVS userspace wants LLC control 3 before SNAP"))
    c.append(routing("snap_carries_ethertype", [(snap_flow, "{b}")], [
        ("b", snap_ip), (MISS, snap_oui), (MISS, snap_len), ("b", snap_ip)],
        note="a SNAP header with OUI 0 carries a real eth_type, and what follows is parsed"))
    # IPv4 total length past the end of the frame: the kernel does not look.
    long_ip = bytes(eth() / IP(src="10.0.0.1", dst="10.0.0.2", len=200) /
                    UDP(sport=1, dport=7) / raw("long", 0))
    c.append(routing("ipv4_total_length_past_frame", [(snap_flow, "{b}")], [
        ("b", long_ip)],
        note="the kernel parses the headers that are there, whatever the total length says",
        ovs_differs="OVS userspace drops every IP field when the total length is past the "
                    "frame"))

    # ---- MPLS, IPv4 options, IPv6 fields ----
    def mpls(label, bos, et=0x8847, ttl=64):
        return bytes(eth(type=et)) + struct.pack(">I", label << 12 | bos << 8 | ttl) + \
            bytes(udp4("m", label))
    mp = M + ",eth_type(0x%x),mpls(label=%d,tc=0,ttl=64,bos=%d)"
    c.append(routing("mpls_label", [
        (mp % (0x8847, 100, 1), "{a}"), (mp % (0x8847, 200, 1), "{b}"),
        (mp % (0x8848, 100, 1), "{c}")], [
        ("a", mpls(100, 1)), ("b", mpls(200, 1)), ("c", mpls(100, 1, 0x8848)),
        (MISS, mpls(100, 1, ttl=3))]))
    c.append(routing("mpls_top_of_two_labels", [(mp % (0x8847, 100, 0), "{d}")], [
        ("d", mpls(100, 0)[:18] + mpls(300, 1)[14:])], ovs=False,
        note="the key holds the top label stack entry only (docs/PROTOCOL.md); OVS "
             "wants every entry in the flow"))
    c.append(routing("ipv4_options_then_udp", [
        (M + ",eth_type(0x0800),ipv4(proto=17,frag=no),udp(dst=9)", "{a}")], [
        ("a", eth() / udp4("o", 0, dport=9, options=b"\x94\x04\x00\x00")),
        ("a", eth() / udp4("o", 1, dport=9, options=b"\x01" * 40)),
        (MISS, eth() / udp4("o", 2, dport=10, options=b"\x01" * 8))]))
    v6f = M + ",eth_type(0x86dd),ipv6(label=%s,tclass=%s,hlimit=%d,frag=no)"
    c.append(routing("ipv6_label_tclass_hlimit", [
        (v6f % ("0x12345", "0x28", 7), "{a}"), (v6f % ("0", "0", 64), "{b}")], [
        ("a", v6(UDP(dport=1), fl=0x12345, tc=0x28, hlim=7)),
        ("b", v6(UDP(dport=1))),
        (MISS, v6(UDP(dport=1), fl=0x12344, tc=0x28, hlim=7))]))
    return c


if __name__ == "__main__":
    sys.exit(main(cases()))
