#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Malformed frames at every truncation point through every action kind.

Each base frame (IPv4 with options, TCP, UDP, ICMP, SCTP, fragments,
IPv6 with extension headers, ND, ARP, VLAN, QinQ, MPLS, 802.3, and
headers that lie about their lengths) is cut at every length from 0 to
its end. Every rx port (net_pcap) replays all of them once, and each rx
port's flows run one kind of action (set of every header, push/pop,
dec_ttl, trunc, clone, sample, check_pkt_len, hash+recirc, userspace) to
a net_pcap tx port. Afterwards: the daemon answers, every frame was
received and counted (runts, hits, misses), the tx file holds only frames
no longer than what came in plus the pushed headers, and no mbuf leaked.
"""
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from abuse_lib import ctl, dpsw, exit_clean, port, run, show, wait_for  # noqa: E402
from e2e import read_pcap, write_pcap  # noqa: E402

from scapy.all import (ARP, ICMP, IP, LLC, SNAP, TCP, UDP, Dot1AD, Dot1Q, Dot3,  # noqa: E402
                       Ether, ICMPv6ND_NS, ICMPv6NDOptSrcLLAddr, IPOption_RR, IPv6,
                       IPv6ExtHdrFragment, IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, Raw)
from scapy.contrib.mpls import MPLS  # noqa: E402
from scapy.layers.sctp import SCTP, SCTPChunkData  # noqa: E402

E = Ether(src="00:00:00:00:00:01", dst="00:00:00:00:00:02")
A4, B4, A6, B6 = "10.0.0.1", "10.0.0.2", "2001:db8::1", "2001:db8::2"
PAY = Raw(b"x" * 12)


def base_frames():
    frames = [
        E / IP(src=A4, dst=B4, options=[IPOption_RR(routers=["1.2.3.4"])]) / UDP(sport=1, dport=2) / PAY,
        E / IP(src=A4, dst=B4) / TCP(sport=3, dport=4, flags="S", options=[("MSS", 1460)]) / PAY,
        E / IP(src=A4, dst=B4) / ICMP(type=8) / PAY,
        E / IP(src=A4, dst=B4) / SCTP(sport=5, dport=6) / SCTPChunkData(data=b"y" * 8),
        E / IP(src=A4, dst=B4, flags="MF", frag=0) / UDP(sport=1, dport=2) / PAY,
        E / IP(src=A4, dst=B4, frag=3) / Raw(b"z" * 24),
        E / IPv6(src=A6, dst=B6) / IPv6ExtHdrHopByHop() / IPv6ExtHdrRouting() / TCP(sport=7, dport=8) / PAY,
        E / IPv6(src=A6, dst=B6) / IPv6ExtHdrFragment(m=1) / UDP(sport=1, dport=2) / PAY,
        E / IPv6(src=A6, dst=B6) / ICMPv6ND_NS(tgt=B6) / ICMPv6NDOptSrcLLAddr(lladdr="00:00:00:00:00:01"),
        E / ARP(op=1, psrc=A4, pdst=B4, hwsrc="00:00:00:00:00:01"),
        E / Dot1Q(vlan=5) / IP(src=A4, dst=B4) / UDP(sport=1, dport=2) / PAY,
        E / Dot1AD(vlan=6) / Dot1Q(vlan=7) / IPv6(src=A6, dst=B6) / UDP(sport=1, dport=2) / PAY,
        E / MPLS(label=100, s=1, ttl=9) / IP(src=A4, dst=B4) / UDP(sport=1, dport=2) / PAY,
        Dot3(src="00:00:00:00:00:01", dst="00:00:00:00:00:02") / LLC() / SNAP() / PAY,
    ]
    frames = [bytes(f) for f in frames]
    # Headers that lie: IHL past the frame, IHL under 5, total length short,
    # TCP data offset past the frame, an IPv6 extension header too long.
    lies = [
        E / IP(src=A4, dst=B4, ihl=15) / UDP() / PAY,
        E / IP(src=A4, dst=B4, ihl=2) / UDP() / PAY,
        E / IP(src=A4, dst=B4, len=20) / TCP(dataofs=15) / PAY,
        E / IPv6(src=A6, dst=B6, plen=4) / IPv6ExtHdrHopByHop(len=200) / UDP() / PAY,
    ]
    return frames + [bytes(f) for f in lies]


def all_cuts(frames):
    return [f[:n] for f in frames for n in range(len(f) + 1)]


# Per rx port: (match, actions). {o}: the tx port. Matches are broad, so
# that cut frames still reach the action (their unread fields are zero).
M = "recirc_id(0),in_port({i}),eth()"
FLOWS = [
    (M, "{o}"),
    (M, "set(eth(src=02:00:00:00:00:0a,dst=02:00:00:00:00:0b)),{o}"),
    (M + ",eth_type(0x0800)", "set(ipv4(dst=10.9.9.9,ttl=3)),{o}"),
    (M + ",eth_type(0x0800),ipv4(proto=17)", "set(udp(src=7,dst=9)),{o}"),
    (M + ",eth_type(0x0800),ipv4(proto=6)", "set(tcp(src=4444,dst=8080)),{o}"),
    (M + ",eth_type(0x0800),ipv4(proto=1)", "set(icmp(type=0,code=0)),{o}"),
    (M + ",eth_type(0x0800),ipv4(proto=132)", "set(sctp(src=1,dst=2)),{o}"),
    (M + ",eth_type(0x86dd)", "set(ipv6(dst=2001:db8::9,hlimit=3)),{o}"),
    (M + ",eth_type(0x86dd),ipv6(proto=17)", "set(udp(src=53,dst=5353)),{o}"),
    (M + ",eth_type(0x86dd),ipv6(proto=58)", "set(icmpv6(type=1,code=4)),{o}"),
    (M, "push_vlan(vid=10,pcp=3),{o},pop_vlan,pop_vlan,{o}"),
    (M + ",eth_type(0x0800)", "push_mpls(label=100,tc=3,ttl=64,bos=1,eth_type=0x8847),{o}"),
    (M + ",eth_type(0x8847)", "pop_mpls(eth_type=0x800),{o}"),
    (M + ",eth_type(0x0800)", "dec_ttl(le_1({o})),{o}"),
    (M + ",eth_type(0x86dd)", "dec_ttl(le_1({o})),{o}"),
    (M, "trunc(20),{o},trunc(60),{o},{o}"),
    (M, "clone(push_vlan(vid=3,pcp=0),{o}),sample(sample=50%,actions({o})),{o}"),
    (M, "check_pkt_len(size=60,gt({o}),le(trunc(30),{o}))"),
    (M, "hash(l4(0)),recirc(5)"),
    (M, "userspace(pid=1),{o}"),
]
# Pushed headers: a VLAN tag or an MPLS label stack entry, 4 bytes.
PUSHED = 4


def frames_case():
    tmp = tempfile.mkdtemp(prefix="dpsw-abuse-frames-")
    rx, tx, flows = (os.path.join(tmp, n) for n in ("in.pcap", "out.pcap", "flows.txt"))
    cuts = all_cuts(base_frames())
    write_pcap(rx, cuts)
    n_rx = len(FLOWS)
    out = n_rx + 1
    with open(flows, "w") as f:
        for i, (match, actions) in enumerate(FLOWS, 1):
            f.write("%s %s\n" % (match.format(i=i), actions.format(o=out)))
            if actions.startswith("hash"):  # where the recirculated go
                f.write("recirc_id(5),in_port(%d),eth() %d\n" % (i, out))
    vdevs = ["net_pcap%d,rx_pcap=%s" % (i, rx) for i in range(n_rx)]
    vdevs.append("net_pcap%d,tx_pcap=%s" % (n_rx, tx))
    try:
        with dpsw.Daemon(vdevs, ["--flows", flows, "--max-idle", "3600000",
                                         "--mbufs", "16383"], tmpdir=tmp) as d:
            total = n_rx * len(cuts)
            wait_for(lambda: sum(p["stats"]["rx_packets"] for p in show(d)["ports"]) >= total,
                     60, "every frame received")
            info = show(d)
            for i in range(1, n_rx + 1):
                assert port(d, i, info)["stats"]["rx_packets"] == len(cuts), port(d, i, info)
            st = ctl(d, "pmd-stats-show").stdout
            runts = sum(int(line.split(":")[1]) for line in st.splitlines()
                        if line.strip().startswith("runts:"))
            want = n_rx * sum(1 for c in cuts if len(c) < 14)
            assert runts == want, "runts %d, want %d" % (runts, want)
            look = info["lookups"]
            assert look["hit"] + look["missed"] >= total - runts, look
            # Still answering, still forwarding a sane frame.
            ctl(d, "execute", "--in-port", "1", bytes(E / IP() / UDP()).hex(), str(out))
            exit_clean(d)
        longest = max(len(c) for c in cuts)
        sent = read_pcap(tx)
        assert len(sent) > len(cuts), "only %d frames sent" % len(sent)
        assert max(len(p) for p in sent) <= longest + PUSHED, max(len(p) for p in sent)
        print("  %d frames (%d cuts of %d frames) x %d action lists: %d sent, %d runts, "
              "lookups %s" % (total, len(cuts), len(base_frames()), n_rx, len(sent), runts,
                              look), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


run([("frames_every_cut_every_action", frames_case, 150)])
