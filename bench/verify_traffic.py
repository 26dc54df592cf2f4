#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Reference check of a benchmark pcap against its flow file.

Independent of gen_traffic.py on purpose: it parses the flow text (the
ovs-dpctl subset the generator writes) and decodes the frames itself, then
checks that
  - every frame is a 64-byte (--frame-len) Ethernet/IPv4/UDP frame with
    valid IPv4 and UDP checksums;
  - every flow is well formed: exact in_port, a single output port, and the
    prerequisites exact (eth_type 0x0800 before ipv4 fields, ipv4 proto 17
    before udp ports), no duplicate (key, mask);
  - every packet, arriving on the flows' in_port, matches exactly one flow.
Matching groups flows by mask and probes one hash table per mask, so a
packet costs one lookup per mask rather than one per flow.

Usage: verify_traffic.py FLOWS PCAP [--flows N] [--masks N] [--packets N]
                         [--all-hit] [--even] [--frame-len N]
Prints a JSON summary; exits 1 with the first problems found otherwise.
"""

import argparse
import json
import re
import struct
import sys

TOKEN = re.compile(r"([a-z_0-9]+)\(([^()]*)\)")
U32 = 0xFFFFFFFF


class Bad(Exception):
    pass


def parse_ip(s):
    parts = s.split(".")
    if len(parts) != 4 or not all(p.isdigit() and int(p) < 256 for p in parts):
        raise Bad(f"bad IPv4 address '{s}'")
    return int.from_bytes(bytes(int(p) for p in parts), "big")


def parse_mac(s):
    parts = s.split(":")
    if len(parts) != 6:
        raise Bad(f"bad MAC address '{s}'")
    try:
        return int.from_bytes(bytes(int(p, 16) for p in parts), "big")
    except ValueError as e:
        raise Bad(f"bad MAC address '{s}'") from e


def parse_int(s):
    try:
        return int(s, 0)
    except ValueError as e:
        raise Bad(f"bad number '{s}'") from e


def masked(value, parse, full):
    """'V' or 'V/M' -> (value, mask); the value must lie inside the mask."""
    v, _, m = value.partition("/")
    val = parse(v)
    mask = parse(m) if m else full
    if val & ~mask & full:
        raise Bad(f"value '{value}' has bits outside its mask")
    return val, mask


# Attribute -> {field: (key name, parser, full mask)}
FIELDS = {
    "eth": {"src": ("eth_src", parse_mac, (1 << 48) - 1),
            "dst": ("eth_dst", parse_mac, (1 << 48) - 1)},
    "ipv4": {"src": ("ip_src", parse_ip, U32),
             "dst": ("ip_dst", parse_ip, U32),
             "proto": ("ip_proto", parse_int, 0xFF),
             "tos": ("ip_tos", parse_int, 0xFF),
             "ttl": ("ip_ttl", parse_int, 0xFF)},
    "udp": {"src": ("tp_src", parse_int, 0xFFFF),
            "dst": ("tp_dst", parse_int, 0xFFFF)},
}


def parse_flow(line):
    """'FLOW ACTIONS' -> ({key name: (value, mask)}, output port)."""
    flow, sep, actions = line.rpartition(" ")
    if not sep or not actions.isdigit():
        raise Bad("expected 'FLOW ACTIONS' with a single output port")
    key = {}
    pos = 0
    for m in TOKEN.finditer(flow):
        if m.start() != pos:
            raise Bad(f"unexpected text at column {pos}")
        pos = m.end()
        if pos < len(flow):
            if flow[pos] != ",":
                raise Bad(f"expected ',' at column {pos}")
            pos += 1
        name, body = m.group(1), m.group(2)
        if name == "in_port":
            key["in_port"] = (parse_int(body), U32)
        elif name == "eth_type":
            key["eth_type"] = masked(body, parse_int, 0xFFFF)
        elif name in FIELDS:
            for item in filter(None, body.split(",")):
                field, eq, value = item.partition("=")
                if name == "ipv4" and field == "frag":
                    if value != "no":
                        raise Bad(f"frag={value} not supported here")
                    key["ip_frag"] = (0, 0xFF)
                elif field in FIELDS[name] and eq:
                    kname, parse, full = FIELDS[name][field]
                    key[kname] = masked(value, parse, full)
                else:
                    raise Bad(f"unknown field '{name}({item})'")
        else:
            raise Bad(f"unknown attribute '{name}'")
    if pos != len(flow) or flow.endswith(","):
        raise Bad(f"unexpected text at column {pos}")
    check_prerequisites(key)
    return key, int(actions)


def check_prerequisites(key):
    if "in_port" not in key:
        raise Bad("in_port must be exact")
    l3 = {"ip_src", "ip_dst", "ip_proto", "ip_tos", "ip_ttl", "ip_frag"}
    if l3 & key.keys() and key.get("eth_type") != (0x0800, 0xFFFF):
        raise Bad("ipv4 fields need eth_type(0x0800) exact")
    if {"tp_src", "tp_dst"} & key.keys() and key.get("ip_proto") != (17, 0xFF):
        raise Bad("udp fields need ipv4 proto=17 exact")
    for name, (_, mask) in key.items():
        if mask == 0:
            raise Bad(f"{name} has an all-zero mask")


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def parse_frame(frame, frame_len=64):
    """Ethernet/IPv4/UDP frame of frame_len bytes -> {key name: value}."""
    if len(frame) != frame_len:
        raise Bad(f"frame is {len(frame)} bytes, not {frame_len}")
    if frame[12:14] != b"\x08\x00":
        raise Bad("not IPv4")
    ip = frame[14:34]
    if ip[0] != 0x45:
        raise Bad("IPv4 version/IHL is not 4/5")
    if csum(ip) != 0xFFFF:
        raise Bad("bad IPv4 header checksum")
    total = struct.unpack("!H", ip[2:4])[0]
    if total != len(frame) - 14:
        raise Bad("IPv4 total length does not fill the frame")
    if struct.unpack("!H", ip[6:8])[0] & 0x3FFF:
        raise Bad("fragment")
    if ip[9] != 17:
        raise Bad("not UDP")
    udp = frame[34:14 + total]
    if struct.unpack("!H", udp[4:6])[0] != len(udp):
        raise Bad("UDP length does not match IPv4 length")
    pseudo = ip[12:20] + struct.pack("!BBH", 0, 17, len(udp))
    if struct.unpack("!H", udp[6:8])[0] == 0 or csum(pseudo + udp) != 0xFFFF:
        raise Bad("bad UDP checksum")
    return {
        "eth_dst": int.from_bytes(frame[0:6], "big"),
        "eth_src": int.from_bytes(frame[6:12], "big"),
        "eth_type": 0x0800,
        "ip_src": int.from_bytes(ip[12:16], "big"),
        "ip_dst": int.from_bytes(ip[16:20], "big"),
        "ip_proto": 17, "ip_tos": ip[1], "ip_ttl": ip[8], "ip_frag": 0,
        "tp_src": struct.unpack("!H", udp[0:2])[0],
        "tp_dst": struct.unpack("!H", udp[2:4])[0],
    }


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise Bad("pcap shorter than its global header")
    magic = struct.unpack("<I", data[:4])[0]
    if magic != 0xA1B2C3D4:
        raise Bad("not a little-endian microsecond pcap")
    if struct.unpack("<I", data[20:24])[0] != 1:
        raise Bad("pcap link type is not Ethernet")
    off = 24
    while off < len(data):
        if off + 16 > len(data):
            raise Bad("truncated pcap record header")
        incl, orig = struct.unpack("<II", data[off + 8:off + 16])
        if incl != orig or off + 16 + incl > len(data):
            raise Bad("truncated pcap record")
        yield data[off + 16:off + 16 + incl]
        off += 16 + incl


class Table:
    """Flows grouped by mask: one dict of masked keys per mask."""

    def __init__(self):
        self.masks = {}     # mask signature -> {masked key tuple: flow no}
        self.in_ports = set()

    def add(self, key, lineno):
        self.in_ports.add(key["in_port"][0])
        sig = tuple(sorted((n, m) for n, (_, m) in key.items()))
        mkey = tuple(key[n][0] & m for n, m in sig)
        sub = self.masks.setdefault(sig, {})
        if mkey in sub:
            raise Bad(f"same key and mask as line {sub[mkey] + 1}")
        sub[mkey] = lineno

    def lookup(self, fields):
        hits = []
        for sig, sub in self.masks.items():
            hit = sub.get(tuple(fields[n] & m for n, m in sig))
            if hit is not None:
                hits.append(hit)
        return hits


def verify(flows_path, pcap_path, frame_len=64):
    problems = []
    table = Table()
    n_flows = 0
    with open(flows_path, encoding="ascii") as f:
        for lineno, line in enumerate(f):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            try:
                key, _ = parse_flow(line)
                table.add(key, lineno)
                n_flows += 1
            except Bad as e:
                problems.append(f"{flows_path}:{lineno + 1}: {e}")
    if len(table.in_ports) > 1:
        problems.append(f"flows use several in_ports: {sorted(table.in_ports)}")
    in_port = next(iter(table.in_ports), 0)
    hit = set()
    n_packets = 0
    try:
        for i, frame in enumerate(read_pcap(pcap_path)):
            n_packets += 1
            try:
                fields = parse_frame(frame, frame_len)
            except Bad as e:
                problems.append(f"packet {i}: {e}")
                continue
            fields["in_port"] = in_port
            matches = table.lookup(fields)
            if len(matches) != 1:
                lines = ", ".join(str(m + 1) for m in matches)
                problems.append(f"packet {i} matches {len(matches)} flows"
                                + (f" (lines {lines})" if lines else ""))
            hit.update(matches)
    except Bad as e:
        problems.append(f"{pcap_path}: {e}")
    per_mask = [len(sub) for sub in table.masks.values()]
    return problems, {
        "flows": n_flows, "masks": len(table.masks),
        "flows_per_mask_min": min(per_mask, default=0),
        "flows_per_mask_max": max(per_mask, default=0),
        "packets": n_packets, "flows_hit": len(hit),
    }


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("flows")
    p.add_argument("pcap")
    p.add_argument("--flows", type=int, dest="n_flows")
    p.add_argument("--masks", type=int)
    p.add_argument("--packets", type=int)
    p.add_argument("--all-hit", action="store_true",
                   help="every flow must be hit by some packet")
    p.add_argument("--even", action="store_true",
                   help="flows per mask may differ by at most one")
    p.add_argument("--frame-len", type=int, default=64,
                   help="length every frame must have (default 64)")
    args = p.parse_args(argv)
    try:
        problems, s = verify(args.flows, args.pcap, args.frame_len)
    except OSError as e:
        print(f"verify_traffic: {e}", file=sys.stderr)
        return 1
    for name, want in (("flows", args.n_flows), ("masks", args.masks),
                       ("packets", args.packets)):
        if want is not None and s[name] != want:
            problems.append(f"{s[name]} {name}, expected {want}")
    if args.all_hit and s["flows_hit"] != s["flows"]:
        problems.append(f"only {s['flows_hit']} of {s['flows']} flows hit")
    if args.even and s["flows_per_mask_max"] - s["flows_per_mask_min"] > 1:
        problems.append("flows are not spread evenly across masks")
    print(json.dumps(s))
    for msg in problems[:20]:
        print("verify_traffic: " + msg, file=sys.stderr)
    if len(problems) > 20:
        print(f"verify_traffic: ... and {len(problems) - 20} more",
              file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
