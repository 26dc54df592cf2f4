#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Deterministic traffic and flow-table generator for the forwarding benchmark.

For a profile it writes PROFILE.pcap (64-byte UDP/IPv4 Ethernet frames with
valid checksums; --frame-len N makes them N bytes and the files
PROFILE_NB.pcap and PROFILE_NB.flows) and PROFILE.flows (one datapath flow per line, in ovs-dpctl
syntax: "FLOW ACTIONS"), such that every packet matches exactly one flow.

Python with only the standard library, not C: it runs once per benchmark,
before anything is timed (1M flows take a few seconds), needs no build, and
the same interpreter runs the independent checker (verify_traffic.py).

Usage:
  gen_traffic.py list
  gen_traffic.py gen PROFILE [--out-dir DIR] [--in-port N] [--out-port N]
                             [--frame-len N]
  (PROFILE is a name from "list" or its letter a-f.)

How flows are built: a profile has F flows over M masks. Mask k's flows all
have ipv4 dst inside 10+k.0.0.0/8, and every mask matches at least those 8
bits exactly, so two masks can never both match one packet; inside a mask the
flows have distinct masked keys. Masks differ in which fields they match and
with what prefix length (see shape()). Flow g belongs to mask g % M, as its
(g // M)-th flow, so flows spread evenly across masks. Packet i carries flow
(i * stride) % F: with as many packets as flows (stride 1) every flow gets one
packet and consecutive packets walk the masks round-robin; with fewer packets
than flows (1M flows) the stride spreads the packets across the whole flow
range (stride coprime to F, so no flow is hit twice).
"""

import argparse
import math
import os
import struct
import sys

# name: (flows, masks, packets). Packets: one per flow up to 100k; 64k for
# the 1M-flow profile, because net_pcap's infinite_rx keeps every packet in
# an mbuf of the port's pool for the whole run, and OVS-DPDK's shared pool
# (dpdk-socket-mem=512) holds about 128k mbufs.
PROFILES = {
    "a_1flow": (1, 1, 1024),
    "b_1k": (1000, 1, 1000),
    "c_100k": (100000, 1, 100000),
    "d_10k_8masks": (10000, 8, 10000),
    "e_10k_32masks": (10000, 32, 10000),
    "f_1m_4masks": (1000000, 4, 65536),
}

FRAME_LEN = 64                 # default frame length, FCS not included
HEADERS_LEN = 14 + 20 + 8      # Ethernet, IPv4, UDP
MIN_FRAME_LEN = 60             # Ethernet's minimum without FCS
MAX_FRAME_LEN = 9014           # a 9000-byte MTU plus the Ethernet header
ETH_SRC = bytes.fromhex("020000000001")
ETH_DST = bytes.fromhex("020000000002")

DST_PLENS = (32, 24, 16, 12)   # ipv4 dst prefix lengths, region octet included
SRC_BASE = 0xAC100000          # 172.16.0.0/12: source prefixes live here
SRC_PLEN = 24
PORT_BASE = 1024               # UDP ports are PORT_BASE + v, v < 2^15
PORT_BITS = 15
ETH_BASE = 0x020000000000      # locally administered unicast MACs
ETH_BITS = 24


def resolve_profile(name):
    if name in PROFILES:
        return name
    for full in PROFILES:
        if full.split("_", 1)[0] == name:
            return full
    raise SystemExit(f"gen_traffic: unknown profile '{name}' "
                     f"(known: {', '.join(PROFILES)})")


def shape(k):
    """Mask number k (0..31): which fields it matches exactly and how long
    its ipv4 dst prefix is. k = 8a + b; dst prefix from b % 4, and the other
    fields from the 3 bits of b ^ a, so k = 0..31 are 32 distinct shapes and
    any first 4 or 8 of them differ in every dimension."""
    if not 0 <= k < 32:
        raise ValueError(f"mask index {k} out of range 0..31")
    a, b = divmod(k, 8)
    combo = b ^ a
    return {
        "dst_plen": DST_PLENS[b % 4],
        "udp_src": bool(combo & 1),
        "src": bool(combo & 2),
        "eth_dst": bool(combo & 4),
    }


def field_radices(sh):
    """The varying parts of a mask's key, least significant first:
    (name, number of distinct values)."""
    fields = []
    if sh["dst_plen"] == 32:    # host addresses from .0.0.1 up
        fields.append(("dst", (1 << 24) - 1))
    elif sh["dst_plen"] > 8:
        fields.append(("dst", 1 << (sh["dst_plen"] - 8)))
    fields.append(("udp_dst", 1 << PORT_BITS))
    if sh["src"]:
        fields.append(("src", 1 << (SRC_PLEN - 12)))
    if sh["udp_src"]:
        fields.append(("udp_src", 1 << PORT_BITS))
    if sh["eth_dst"]:
        fields.append(("eth_dst", 1 << ETH_BITS))
    return fields


def capacity(sh):
    return math.prod(r for _, r in field_radices(sh))


def flow_values(k, sh, j):
    """Masked field values of the j-th flow of mask k (mixed radix of j)."""
    vals = {}
    for name, radix in field_radices(sh):
        vals[name], j = j % radix, j // radix
    if j:
        raise ValueError("flow index beyond the mask's capacity")
    host_bits = 32 - sh["dst_plen"]
    dst = vals.get("dst", 0) + (1 if host_bits == 0 else 0)
    v = {
        "dst": ((10 + k) << 24) | (dst << host_bits),
        "udp_dst": PORT_BASE + vals["udp_dst"],
    }
    if sh["src"]:
        v["src"] = SRC_BASE | (vals["src"] << (32 - SRC_PLEN))
    if sh["udp_src"]:
        v["udp_src"] = PORT_BASE + vals["udp_src"]
    if sh["eth_dst"]:
        v["eth_dst"] = ETH_BASE | vals["eth_dst"]
    return v


def ip_str(a):
    return ".".join(str((a >> s) & 255) for s in (24, 16, 8, 0))


def mac_str(m):
    return ":".join(f"{(m >> s) & 255:02x}" for s in range(40, -8, -8))


def prefix_str(addr, plen):
    if plen == 32:
        return ip_str(addr)
    return ip_str(addr) + "/" + ip_str((0xFFFFFFFF << (32 - plen)) & 0xFFFFFFFF)


def flow_text(sh, v, in_port, out_port):
    parts = [f"in_port({in_port})"]
    if sh["eth_dst"]:
        parts.append(f"eth(dst={mac_str(v['eth_dst'])})")
    parts.append("eth_type(0x0800)")
    ip = []
    if sh["src"]:
        ip.append("src=" + prefix_str(v["src"], SRC_PLEN))
    ip.append("dst=" + prefix_str(v["dst"], sh["dst_plen"]))
    ip += ["proto=17", "frag=no"]
    parts.append("ipv4(" + ",".join(ip) + ")")
    udp = []
    if sh["udp_src"]:
        udp.append(f"src={v['udp_src']}")
    udp.append(f"dst={v['udp_dst']}")
    parts.append("udp(" + ",".join(udp) + ")")
    return ",".join(parts) + f" {out_port}"


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def payload(length):
    """A UDP payload of 'length' bytes: a repeated text, so a frame read in
    a dump is easy to recognise."""
    text = b"dpdk-switch bench "
    return (text * (length // len(text) + 1))[:length]


def packet(sh, v, g, frame_len=FRAME_LEN):
    """A frame of frame_len bytes that matches flow g (values v); the fields
    the mask ignores are set from g too, so each flow is one microflow."""
    host_bits = 32 - sh["dst_plen"]
    host = (g * 2654435761 + 1) & ((1 << host_bits) - 1) if host_bits else 0
    dst = v["dst"] | host
    src = v["src"] | (g & 0xFF) if sh["src"] else 0xC0A80000 | (g & 0xFFFF)
    sport = v["udp_src"] if sh["udp_src"] else PORT_BASE + (g * 7919) % (1 << PORT_BITS)
    dport = v["udp_dst"]
    eth_dst = v["eth_dst"].to_bytes(6, "big") if sh["eth_dst"] else ETH_DST
    ip_len = frame_len - 14
    ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, ip_len, g & 0xFFFF,
                               0, 64, 17, 0, src.to_bytes(4, "big"),
                               dst.to_bytes(4, "big")))
    struct.pack_into("!H", ip, 10, csum(bytes(ip)))
    udp_len = ip_len - 20
    udp = bytearray(struct.pack("!HHHH", sport, dport, udp_len, 0)
                    + payload(frame_len - HEADERS_LEN))
    pseudo = ip[12:20] + struct.pack("!BBH", 0, 17, udp_len)
    c = csum(bytes(pseudo + udp))
    struct.pack_into("!H", udp, 6, c if c else 0xFFFF)
    frame = eth_dst + ETH_SRC + b"\x08\x00" + bytes(ip) + bytes(udp)
    assert len(frame) == frame_len
    return frame


def stride_for(flows, packets):
    """1 when every flow gets a packet; otherwise the smallest step >= F/P
    that is coprime with F (so P < F packets hit P distinct flows spread
    over the whole range)."""
    if packets >= flows:
        return 1
    s = max(1, flows // packets)
    while math.gcd(s, flows) != 1:
        s += 1
    return s


class Profile:
    def __init__(self, name, frame_len=FRAME_LEN):
        if not MIN_FRAME_LEN <= frame_len <= MAX_FRAME_LEN:
            raise ValueError(f"frame length {frame_len} out of range "
                             f"{MIN_FRAME_LEN}..{MAX_FRAME_LEN}")
        self.name = resolve_profile(name)
        self.frame_len = frame_len
        # The files' base name: the profile's, plus the length when not 64.
        self.base = self.name if frame_len == FRAME_LEN else f"{self.name}_{frame_len}B"
        self.flows, self.masks, self.packets = PROFILES[self.name]
        self.shapes = [shape(k) for k in range(self.masks)]
        per_mask = -(-self.flows // self.masks)
        for k, sh in enumerate(self.shapes):
            if capacity(sh) < per_mask:
                raise ValueError(f"mask {k} holds {capacity(sh)} flows, "
                                 f"profile needs {per_mask}")

    def flow(self, g):
        k, j = g % self.masks, g // self.masks
        return self.shapes[k], flow_values(k, self.shapes[k], j)

    def write_flows(self, path, in_port, out_port):
        with open(path, "w", encoding="ascii") as f:
            for g in range(self.flows):
                sh, v = self.flow(g)
                f.write(flow_text(sh, v, in_port, out_port) + "\n")

    def write_pcap(self, path):
        stride = stride_for(self.flows, self.packets)
        with open(path, "wb") as f:
            # Classic pcap, microsecond stamps, Ethernet link type.
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
            for i in range(self.packets):
                g = (i * stride) % self.flows
                sh, v = self.flow(g)
                f.write(struct.pack("<IIII", i // 1000000, i % 1000000,
                                    self.frame_len, self.frame_len))
                f.write(packet(sh, v, g, self.frame_len))


def cmd_list(_args):
    print("profile flows masks packets")
    for name, (flows, masks, packets) in PROFILES.items():
        print(f"{name} {flows} {masks} {packets}")


def cmd_gen(args):
    try:
        prof = Profile(args.profile, args.frame_len)
    except ValueError as e:
        raise SystemExit(f"gen_traffic: {e}") from e
    os.makedirs(args.out_dir, exist_ok=True)
    base = os.path.join(args.out_dir, prof.base)
    # Write under temporary names and rename, so an interrupted run never
    # leaves a half-written file that a later run would reuse.
    prof.write_flows(base + ".flows.tmp", args.in_port, args.out_port)
    prof.write_pcap(base + ".pcap.tmp")
    os.replace(base + ".flows.tmp", base + ".flows")
    os.replace(base + ".pcap.tmp", base + ".pcap")
    print(f"{base}.pcap {base}.flows flows={prof.flows} masks={prof.masks} "
          f"packets={prof.packets} frame_len={prof.frame_len}")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("list", help="print the profiles")
    g = sub.add_parser("gen", help="write PROFILE.pcap and PROFILE.flows")
    g.add_argument("profile")
    g.add_argument("--out-dir", default=".")
    g.add_argument("--in-port", type=int, default=1,
                   help="datapath port the pcap enters on (default 1)")
    g.add_argument("--out-port", type=int, default=2,
                   help="datapath port the flows output to (default 2)")
    g.add_argument("--frame-len", type=int, default=FRAME_LEN,
                   help=f"frame length in bytes, FCS not included (default "
                   f"{FRAME_LEN}, at most {MAX_FRAME_LEN}); files PROFILE_NB.*")
    args = p.parse_args(argv)
    {"list": cmd_list, "gen": cmd_gen}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
