# SPDX-License-Identifier: BSD-3-Clause
"""Raw messages written as a client of the kernel datapath would write them,
each answered as net/openvswitch/datapath.c answers it:

- flows without a UFID are named by the key they were sent with: GET, DEL
  and SET with KEY and no MASK find wildcarded flows (ovs_flow_cmd_get/
  del/set -> ovs_flow_tbl_lookup_exact), replies carry that key
  (ovs_nla_put_identifier), and a flow with a UFID is found by UFID only
  (ovs_identifier_is_key);
- datapath attributes as ovs_dp_change() and ovs_dp_cmd_fill_info(): user
  features (unsupported bits EOPNOTSUPP on NEW and SET, before the name),
  the masks cache size, per-CPU upcall pids, and vport pid arrays spread
  by flow hash (ovs_vport_find_upcall_portid);
- top-level attributes as the genl layer parses them under
  GENL_DONT_VALIDATE_STRICT (last duplicate counts, unknown types above the
  family's max ignored), key attributes strictly (flow_netlink.c);
- the datapath's name (--dp-name), EEXIST on NEW, ENODEV for another name
  (lookup_datapath).
"""
import os
import select
import socket
import struct
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import dpsw  # noqa: E402
from nlraw import *  # noqa: E402,F403

EINVAL, ENOENT, EEXIST, ENODEV, EOPNOTSUPP, EBUSY = 22, 2, 17, 19, 95, 16
OVS_DP_CMD_NEW = 1
OVS_DP_ATTR_USER_FEATURES, OVS_DP_ATTR_MASKS_CACHE_SIZE, OVS_DP_ATTR_PER_CPU_PIDS = 5, 7, 8
OVS_DP_F_UNALIGNED, OVS_DP_F_VPORT_PIDS = 1, 2
OVS_DP_F_TC_RECIRC_SHARING, OVS_DP_F_DISPATCH_UPCALL_PER_CPU = 4, 8
OVS_DP_VER_FEATURES = 2
OVS_VPORT_CMD_NEW, OVS_VPORT_CMD_GET = 1, 3
OVS_VPORT_ATTR_PORT_NO, OVS_VPORT_ATTR_TYPE, OVS_VPORT_ATTR_NAME = 1, 2, 3
OVS_VPORT_ATTR_OPTIONS, OVS_VPORT_ATTR_UPCALL_PID = 4, 5
OVS_VPORT_TYPE_NETDEV = 1
DPSW_VPORT_OPTION_DEVARGS = 1
OVS_PACKET_CMD_MISS, OVS_PACKET_CMD_ACTION = 1, 2
OVS_ACTION_ATTR_USERSPACE, OVS_USERSPACE_ATTR_PID = 2, 1
OVS_FLOW_ATTR_PROBE = 14
OVS_KEY_ATTR_UDP = 10


def ip(s):
    return struct.unpack("!I", socket.inet_aton(s))[0]


def key(dst, src="10.0.0.1", in_port=1):
    """A UDP/IPv4 key; the mask of mask_attrs() wildcards the source."""
    ipv4 = struct.pack("!II", ip(src), dst) + bytes([17, 0, 64, 0])
    return (u32(OVS_KEY_ATTR_IN_PORT, in_port) + attr(OVS_KEY_ATTR_ETHERNET, bytes(12)) +
            be16(OVS_KEY_ATTR_ETHERTYPE, 0x0800) + attr(OVS_KEY_ATTR_IPV4, ipv4) +
            attr(OVS_KEY_ATTR_UDP, struct.pack("!HH", 1000, 53)))


def fmsg(c, cmd, k=None, mask=None, actions=None, ufid=None, extra=b"",
         flags=NLM_F_REQUEST | NLM_F_ACK):
    a = b""
    if ufid is not None:
        a += attr(OVS_FLOW_ATTR_UFID, ufid)
    if k is not None:
        a += nest(OVS_FLOW_ATTR_KEY, k)
    if mask is not None:
        a += nest(OVS_FLOW_ATTR_MASK, mask)
    if actions is not None:
        a += nest(OVS_FLOW_ATTR_ACTIONS, actions)
    return msg(c.family("ovs_flow"), cmd, a + extra, flags=flags)


def reply_ipv4_src(r):
    """The IPv4 source in a flow reply's KEY."""
    k = parse_attrs(r.attrs()[OVS_FLOW_ATTR_KEY])
    return socket.inet_ntoa(k[OVS_KEY_ATTR_IPV4][:4])


def flush(c):
    expect_ok(c.request(fmsg(c, OVS_FLOW_CMD_DEL)))


# ---- items 1 and 2: flows named by their identifier ----

def test_lookup_by_key(c):
    """GET, SET and DEL with KEY and no MASK find a wildcarded flow by the
    key it was sent with; a key that only matches it does not."""
    mask = mask_attrs()  # exact in_port, eth_type, ipv4 dst; src wildcarded
    expect_ok(c.request(fmsg(c, OVS_FLOW_CMD_NEW, key(5, "10.9.9.9"), mask, out(2),
                             flags=NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE)))
    # GET with the key alone, as ovs-vswitchd and ovs-dpctl send it.
    (r,) = c.request(fmsg(c, OVS_FLOW_CMD_GET, key(5, "10.9.9.9"), flags=NLM_F_REQUEST))
    assert r.type == c.family("ovs_flow"), r
    assert r.attrs()[OVS_FLOW_ATTR_ACTIONS] == out(2)
    # A MASK beside the KEY of a GET is ignored, as the kernel ignores it.
    (r,) = c.request(fmsg(c, OVS_FLOW_CMD_GET, key(5, "10.9.9.9"), mask_attrs(),
                          flags=NLM_F_REQUEST))
    assert r.type == c.family("ovs_flow"), r
    # The same masked key sent with other wildcarded bits names no flow:
    # the kernel compares the flow's unmasked key (ovs_flow_cmp_unmasked_key).
    expect_error(c.request(fmsg(c, OVS_FLOW_CMD_GET, key(5, "10.1.1.1"))), ENOENT)
    expect_error(c.request(fmsg(c, OVS_FLOW_CMD_DEL, key(5, "10.1.1.1"))), ENOENT)
    expect_error(c.request(fmsg(c, OVS_FLOW_CMD_SET, key(5, "10.1.1.1"), None, out(1))),
                 ENOENT)
    # SET by key (the mask only checks the actions), then DEL by key.
    expect_ok(c.request(fmsg(c, OVS_FLOW_CMD_SET, key(5, "10.9.9.9"), None, out(1))))
    (r,) = c.request(fmsg(c, OVS_FLOW_CMD_GET, key(5, "10.9.9.9"), flags=NLM_F_REQUEST))
    assert r.attrs()[OVS_FLOW_ATTR_ACTIONS] == out(1)
    replies = c.request(fmsg(c, OVS_FLOW_CMD_DEL, key(5, "10.9.9.9"),
                             flags=NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO))
    assert replies[0].type == c.family("ovs_flow"), replies
    assert n_flows(c) == 0


def test_identifier(c):
    """Replies carry a key-identified flow's key as sent; a flow with a
    UFID is found by its UFID only."""
    expect_ok(c.request(fmsg(c, OVS_FLOW_CMD_NEW, key(6, "10.7.7.7"), mask_attrs(), out(2))))
    (r,) = c.request(fmsg(c, OVS_FLOW_CMD_GET, key(6, "10.7.7.7"), flags=NLM_F_REQUEST))
    # The source is wildcarded, yet the reply's key says 10.7.7.7.
    assert reply_ipv4_src(r) == "10.7.7.7", reply_ipv4_src(r)
    assert OVS_FLOW_ATTR_MASK in r.attrs()
    (d,) = c.dump(fmsg(c, OVS_FLOW_CMD_GET, flags=NLM_F_REQUEST | NLM_F_DUMP))
    assert reply_ipv4_src(d) == "10.7.7.7"
    # The identifier is always sent; OMIT_MASK still omits the mask
    # (should_fill_key / should_fill_mask).
    omit = u32(OVS_FLOW_ATTR_UFID_FLAGS, OVS_UFID_F_OMIT_KEY | OVS_UFID_F_OMIT_MASK)
    (r,) = c.request(fmsg(c, OVS_FLOW_CMD_GET, key(6, "10.7.7.7"), extra=omit,
                          flags=NLM_F_REQUEST))
    assert OVS_FLOW_ATTR_KEY in r.attrs() and OVS_FLOW_ATTR_MASK not in r.attrs()
    # NEW without CREATE and the same key replaces the actions.
    expect_ok(c.request(fmsg(c, OVS_FLOW_CMD_NEW, key(6, "10.7.7.7"), mask_attrs(), out(1))))
    (r,) = c.request(fmsg(c, OVS_FLOW_CMD_GET, key(6, "10.7.7.7"), flags=NLM_F_REQUEST))
    assert r.attrs()[OVS_FLOW_ATTR_ACTIONS] == out(1)
    # NEW whose key hits the flow but is not its identifier: ENOENT.
    expect_error(c.request(fmsg(c, OVS_FLOW_CMD_NEW, key(6, "10.8.8.8"), mask_attrs(),
                                out(2))), ENOENT)
    assert n_flows(c) == 1
    # A header sent in the key but wildcarded (eth_type not matched): the
    # identifier carries it, the mask has no attribute for it (shaped by
    # the masked key, as ovs_nla_put_mask), and the pair goes back as is.
    wild = u32(OVS_KEY_ATTR_IN_PORT, 0xffffffff) + attr(OVS_KEY_ATTR_ETHERNET, bytes(12))
    expect_ok(c.request(fmsg(c, OVS_FLOW_CMD_NEW, key(9, in_port=2), wild, out(1))))
    (r,) = c.request(fmsg(c, OVS_FLOW_CMD_GET, key(9, in_port=2), flags=NLM_F_REQUEST))
    a = r.attrs()
    assert OVS_KEY_ATTR_IPV4 in parse_attrs(a[OVS_FLOW_ATTR_KEY])
    assert set(parse_attrs(a[OVS_FLOW_ATTR_MASK])) & {OVS_KEY_ATTR_ETHERTYPE,
                                                      OVS_KEY_ATTR_IPV4} == set()
    expect_ok(c.request(msg(c.family("ovs_flow"), OVS_FLOW_CMD_SET,
                            attr(OVS_FLOW_ATTR_KEY | NLA_F_NESTED, a[OVS_FLOW_ATTR_KEY]) +
                            attr(OVS_FLOW_ATTR_MASK | NLA_F_NESTED, a[OVS_FLOW_ATTR_MASK]) +
                            nest(OVS_FLOW_ATTR_ACTIONS, out(2)),
                            flags=NLM_F_REQUEST | NLM_F_ACK)))
    expect_ok(c.request(fmsg(c, OVS_FLOW_CMD_DEL, key(9, in_port=2))))
    # A flow with a UFID: its key does not name it.
    u = ufid(77)
    expect_ok(c.request(fmsg(c, OVS_FLOW_CMD_NEW, key(7, "10.6.6.6"), mask_attrs(), out(2),
                             ufid=u)))
    expect_error(c.request(fmsg(c, OVS_FLOW_CMD_GET, key(7, "10.6.6.6"))), ENOENT)
    expect_error(c.request(fmsg(c, OVS_FLOW_CMD_DEL, key(7, "10.6.6.6"))), ENOENT)
    expect_error(c.request(fmsg(c, OVS_FLOW_CMD_SET, key(7, "10.6.6.6"), None, out(1))),
                 ENOENT)
    (r,) = c.request(fmsg(c, OVS_FLOW_CMD_GET, ufid=u, flags=NLM_F_REQUEST))
    a = r.attrs()
    assert a[OVS_FLOW_ATTR_UFID] == u
    # Its KEY is the masked key (ovs_nla_put_masked_key): source 0.
    assert reply_ipv4_src(r) == "0.0.0.0", reply_ipv4_src(r)
    expect_ok(c.request(fmsg(c, OVS_FLOW_CMD_DEL, ufid=u)))
    flush(c)


# ---- item 4: top-level attributes as the genl layer parses them ----

def test_genl_parsing(c):
    fam = c.family("ovs_flow")
    k, m = key(8), mask_attrs()
    # KEY twice: the last counts (nla_parse without NL_VALIDATE_STRICT).
    expect_ok(c.request(msg(fam, OVS_FLOW_CMD_NEW, nest(OVS_FLOW_ATTR_KEY, key(99)) +
                            nest(OVS_FLOW_ATTR_KEY, k) + nest(OVS_FLOW_ATTR_MASK, m) +
                            nest(OVS_FLOW_ATTR_ACTIONS, out(2)),
                            flags=NLM_F_REQUEST | NLM_F_ACK)))
    expect_error(c.request(fmsg(c, OVS_FLOW_CMD_GET, key(99))), ENOENT)
    (r,) = c.request(fmsg(c, OVS_FLOW_CMD_GET, k, flags=NLM_F_REQUEST))
    assert r.type == fam, r
    # A type above OVS_FLOW_ATTR_MAX is skipped; a u32 given 8 bytes is taken.
    replies = c.request(msg(fam, OVS_FLOW_CMD_GET, attr(200, b"junk") +
                            nest(OVS_FLOW_ATTR_KEY, k) +
                            attr(OVS_FLOW_ATTR_UFID_FLAGS, struct.pack("=II", 0, 7)),
                            flags=NLM_F_REQUEST))
    assert replies[0].type == fam, replies
    # A u32 of 2 bytes is still an error, and so is a flag with a payload.
    expect_error(c.request(msg(fam, OVS_FLOW_CMD_GET, nest(OVS_FLOW_ATTR_KEY, k) +
                               attr(OVS_FLOW_ATTR_UFID_FLAGS, b"\x01\x00"))), EINVAL,
                 "ufid_flags")
    expect_error(c.request(msg(fam, OVS_FLOW_CMD_SET, nest(OVS_FLOW_ATTR_KEY, k) +
                               attr(OVS_FLOW_ATTR_CLEAR, b"xxxx"))), EINVAL, "clear")
    # Inside the key, strict as flow_netlink.c: duplicates and unknown types.
    expect_error(c.request(msg(fam, OVS_FLOW_CMD_GET, nest(
        OVS_FLOW_ATTR_KEY, k + u32(OVS_KEY_ATTR_IN_PORT, 1)))), EINVAL, "twice")
    expect_error(c.request(msg(fam, OVS_FLOW_CMD_GET, nest(
        OVS_FLOW_ATTR_KEY, k + attr(120, b"abcd")))), EINVAL, "unknown")
    # A dump takes only UFID_FLAGS (ovs_flow_cmd_dump): a key is not decoded.
    parts = c.dump(msg(fam, OVS_FLOW_CMD_GET, nest(OVS_FLOW_ATTR_KEY, attr(
        OVS_KEY_ATTR_IN_PORT, b"\x01\x00")), flags=NLM_F_REQUEST | NLM_F_DUMP))
    assert len(parts) == 1, parts
    # UPCALL_PID given twice on the datapath and on a vport: the last counts.
    dpf = c.family("ovs_datapath")
    expect_ok(c.request(msg(dpf, OVS_DP_CMD_SET, u32(OVS_DP_ATTR_UPCALL_PID, 7) +
                            u32(OVS_DP_ATTR_UPCALL_PID, 0), flags=NLM_F_REQUEST | NLM_F_ACK)))
    vpf = c.family("ovs_vport")
    expect_ok(c.request(msg(vpf, 4, u32(OVS_VPORT_ATTR_PORT_NO, 1) +
                            u32(OVS_VPORT_ATTR_UPCALL_PID, 9) +
                            u32(OVS_VPORT_ATTR_UPCALL_PID, 0),
                            flags=NLM_F_REQUEST | NLM_F_ACK)))
    (r,) = c.request(msg(vpf, OVS_VPORT_CMD_GET, u32(OVS_VPORT_ATTR_PORT_NO, 1)))
    assert r.attrs()[OVS_VPORT_ATTR_UPCALL_PID] == struct.pack("=I", 0), r.attrs()
    flush(c)


# ---- item 3 and 5: the datapath ----

def dp_get(c, name=None):
    a = attr(OVS_DP_ATTR_NAME, name) if name else b""
    (r,) = c.request(msg(c.family("ovs_datapath"), OVS_DP_CMD_GET, a))
    return r


def dp_set(c, attrs, ack=True):
    return c.request(msg(c.family("ovs_datapath"), OVS_DP_CMD_SET, attrs,
                         flags=NLM_F_REQUEST | (NLM_F_ACK if ack else 0)))


def test_datapath(c, name):
    dpf = c.family("ovs_datapath")
    r = dp_get(c, name)
    a = r.attrs()
    assert a[OVS_DP_ATTR_NAME] == name.encode() + b"\0", a
    assert struct.unpack("=I", a[OVS_DP_ATTR_MASKS_CACHE_SIZE])[0] == 256, a
    # GET by another name: ENODEV (lookup_datapath).
    expect_error([dp_get(c, "dpdk-switch-x")], ENODEV, "no datapath named")
    # NEW with our name: EEXIST, so that ovs-vswitchd opens the datapath.
    new = attr(OVS_DP_ATTR_NAME, name) + u32(OVS_DP_ATTR_UPCALL_PID, 0)
    expect_error(c.request(msg(dpf, OVS_DP_CMD_NEW, new, version=OVS_DP_VER_FEATURES)),
                 EEXIST, "exists")
    # Another name: a second datapath cannot be made here.
    expect_error(c.request(msg(dpf, OVS_DP_CMD_NEW, attr(OVS_DP_ATTR_NAME, "other") +
                               u32(OVS_DP_ATTR_UPCALL_PID, 0))), EOPNOTSUPP, "one datapath")
    # Unsupported feature bits: EOPNOTSUPP on SET, and on NEW before the name.
    for bit in (OVS_DP_F_TC_RECIRC_SHARING, 1 << 4, 1 << 31):
        expect_error(dp_set(c, u32(OVS_DP_ATTR_USER_FEATURES, bit)), EOPNOTSUPP, "features")
        expect_error(c.request(msg(dpf, OVS_DP_CMD_NEW, new +
                                   u32(OVS_DP_ATTR_USER_FEATURES, bit))), EOPNOTSUPP)
    # The rest of ovs_dp_change() is checked before the name too.
    expect_error(c.request(msg(dpf, OVS_DP_CMD_NEW, new + u32(OVS_DP_ATTR_MASKS_CACHE_SIZE, 3))),
                 EINVAL, "masks cache")
    expect_error(c.request(msg(dpf, OVS_DP_CMD_NEW, new + u32(
        OVS_DP_ATTR_USER_FEATURES, OVS_DP_F_DISPATCH_UPCALL_PER_CPU) +
        attr(OVS_DP_ATTR_PER_CPU_PIDS, b"\x01\x02"))), EINVAL, "per_cpu_pids")
    feats = OVS_DP_F_UNALIGNED | OVS_DP_F_VPORT_PIDS
    expect_ok(dp_set(c, u32(OVS_DP_ATTR_USER_FEATURES, feats)))
    assert dp_get(c).attrs()[OVS_DP_ATTR_USER_FEATURES] == struct.pack("=I", feats)
    # Masks cache size: 0 or a power of 2 up to 4096 (ovs_flow_tbl_masks_cache_resize).
    for bad in (100, 8192, 3):
        expect_error(dp_set(c, u32(OVS_DP_ATTR_USER_FEATURES, feats) +
                            u32(OVS_DP_ATTR_MASKS_CACHE_SIZE, bad)), EINVAL, "masks cache")
    assert dp_get(c).attrs()[OVS_DP_ATTR_USER_FEATURES] == struct.pack("=I", feats)
    expect_ok(dp_set(c, u32(OVS_DP_ATTR_USER_FEATURES, feats) +
                     u32(OVS_DP_ATTR_MASKS_CACHE_SIZE, 512)))
    assert dp_get(c).attrs()[OVS_DP_ATTR_MASKS_CACHE_SIZE] == struct.pack("=I", 512)
    # SET without USER_FEATURES clears them, as ovs_dp_change().
    expect_ok(dp_set(c, b""))
    assert dp_get(c).attrs()[OVS_DP_ATTR_USER_FEATURES] == struct.pack("=I", 0)
    # An old client's NEW (genl version 1) drops the announced features.
    expect_ok(dp_set(c, u32(OVS_DP_ATTR_USER_FEATURES, feats)))
    expect_error(c.request(msg(dpf, OVS_DP_CMD_NEW, new, version=1)), EEXIST)
    assert dp_get(c).attrs()[OVS_DP_ATTR_USER_FEATURES] == struct.pack("=I", 0)


# ---- item 3: who gets the misses ----

def udp_frame(src_ip, dst_ip="192.168.0.1"):
    from scapy.all import IP, UDP, Ether  # Debian's python3-scapy
    return bytes(Ether(src="00:00:00:00:00:01", dst="00:00:00:00:00:02") /
                 IP(src=src_ip, dst=dst_ip) / UDP(sport=1000, dport=53) / (b"x" * 18))


def write_pcap(path, frames):
    from scapy.all import Ether, wrpcap
    wrpcap(path, [Ether(f) for f in frames])


def listener(path, pid):
    """A connection that claims 'pid' by naming it as the datapath's."""
    c = Conn(path)
    for fam in ("ovs_packet", "ovs_vport", "ovs_datapath"):
        c.family(fam)  # resolved before upcalls arrive on the connection
    expect_ok(dp_set(c, u32(OVS_DP_ATTR_UPCALL_PID, pid)))
    return c


def misses(c, want, timeout=20.0, cmd=OVS_PACKET_CMD_MISS):
    """(pid, IPv4 source) of the upcalls (MISS, or 'cmd') read until 'want'
    came or time ran out."""
    got = []
    deadline = time.monotonic() + timeout
    while len(got) < want and time.monotonic() < deadline:
        r, _, _ = select.select([c.sock], [], [], 0.2)
        if not r:
            continue
        for rep in c.recv():
            if rep.type == c.family("ovs_packet") and \
                    struct.unpack_from("=B", rep.data, 16)[0] == cmd:
                pkt = rep.attrs()[OVS_PACKET_ATTR_PACKET]
                got.append((rep.pid, socket.inet_ntoa(pkt[26:30])))
    return got


def add_pcap_port(c, name, pcap, pids):
    opts = nest(OVS_VPORT_ATTR_OPTIONS, attr(DPSW_VPORT_OPTION_DEVARGS,
                                             "%s,rx_pcap=%s" % (name, pcap)))
    return c.request(msg(c.family("ovs_vport"), OVS_VPORT_CMD_NEW,
                         attr(OVS_VPORT_ATTR_NAME, name) +
                         u32(OVS_VPORT_ATTR_TYPE, OVS_VPORT_TYPE_NETDEV) +
                         attr(OVS_VPORT_ATTR_UPCALL_PID, struct.pack("=%dI" % len(pids), *pids)) +
                         opts, flags=NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO))


def test_vport_pids(c, path, tmp):
    """A vport's UPCALL_PID array spreads its misses over the pids by flow
    hash: every flow to one listener, both listeners used."""
    l1, l2 = listener(path, 101), listener(path, 102)
    expect_ok(dp_set(c, u32(OVS_DP_ATTR_USER_FEATURES, OVS_DP_F_VPORT_PIDS)))
    sources = ["10.1.0.%d" % i for i in range(1, 41)]
    pcap = os.path.join(tmp, "spread.pcap")
    write_pcap(pcap, [udp_frame(s) for s in sources] * 2)
    replies = add_pcap_port(l1, "net_pcap7", pcap, [101, 102])
    assert replies[0].type == c.family("ovs_vport"), replies
    port_no = struct.unpack("=I", replies[0].attrs()[OVS_VPORT_ATTR_PORT_NO])[0]
    got1, got2 = misses(l1, 80, 10), []
    got2 = misses(l2, 80 - len(got1), 20)
    got1 += misses(l1, 80 - len(got1) - len(got2), 2)
    assert len(got1) + len(got2) == 80, (len(got1), len(got2))
    assert got1 and got2, (got1, got2)
    assert all(p == 101 for p, _ in got1) and all(p == 102 for p, _ in got2)
    s1, s2 = {s for _, s in got1}, {s for _, s in got2}
    assert not s1 & s2, s1 & s2  # a flow always goes to the same pid
    # Under OVS_DP_F_VPORT_PIDS the vport reports its whole array.
    (r,) = c.request(msg(c.family("ovs_vport"), OVS_VPORT_CMD_GET, u32(OVS_VPORT_ATTR_PORT_NO,
                                                                      port_no)))
    assert r.attrs()[OVS_VPORT_ATTR_UPCALL_PID] == struct.pack("=II", 101, 102)
    expect_ok(dp_set(c, u32(OVS_DP_ATTR_USER_FEATURES, 0)))
    (r,) = c.request(msg(c.family("ovs_vport"), OVS_VPORT_CMD_GET, u32(OVS_VPORT_ATTR_PORT_NO,
                                                                      port_no)))
    assert r.attrs()[OVS_VPORT_ATTR_UPCALL_PID] == struct.pack("=I", 101)
    return l1, l2


def test_per_cpu(c, path, tmp, l1, l2):
    """Per-CPU dispatch: misses of PMD i go to pid i mod n (one PMD here:
    PMD 0), whatever the port's pids; the control thread is CPU n_pmds."""
    feats = OVS_DP_F_DISPATCH_UPCALL_PER_CPU | OVS_DP_F_UNALIGNED
    expect_ok(dp_set(c, u32(OVS_DP_ATTR_USER_FEATURES, feats) +
                     attr(OVS_DP_ATTR_PER_CPU_PIDS, struct.pack("=II", 102, 101))))
    a = dp_get(c).attrs()
    assert a[OVS_DP_ATTR_PER_CPU_PIDS] == struct.pack("=II", 102, 101), a
    # An empty or ragged array is refused and changes nothing.
    for bad in (b"", b"\x01\x02\x03\x04\x05"):
        expect_error(dp_set(c, u32(OVS_DP_ATTR_USER_FEATURES, feats) +
                            attr(OVS_DP_ATTR_PER_CPU_PIDS, bad)), EINVAL, "per_cpu_pids")
    assert dp_get(c).attrs()[OVS_DP_ATTR_PER_CPU_PIDS] == struct.pack("=II", 102, 101)
    pcap = os.path.join(tmp, "percpu.pcap")
    sources = ["10.2.0.%d" % i for i in range(1, 21)]
    write_pcap(pcap, [udp_frame(s) for s in sources])
    # The new port names pid 101 only: per-CPU dispatch overrides it.
    assert add_pcap_port(l1, "net_pcap8", pcap, [101])[0].error is None
    got = misses(l2, 20)
    assert len(got) == 20 and all(p == 102 for p, _ in got), got
    assert not misses(l1, 1, 1.0)
    # A miss of the control thread (EXECUTE, then recirc) is CPU 1: pid 101.
    pkt = udp_frame("10.3.0.1")
    execute = msg(c.family("ovs_packet"), OVS_PACKET_CMD_EXECUTE,
                  attr(OVS_PACKET_ATTR_PACKET, pkt) +
                  nest(OVS_PACKET_ATTR_KEY, u32(OVS_KEY_ATTR_IN_PORT, 1)) +
                  nest(OVS_PACKET_ATTR_ACTIONS, u32(7, 5)),  # recirc(5)
                  flags=NLM_F_REQUEST | NLM_F_ACK)
    expect_ok(c.request(execute))
    assert misses(l1, 1, 10) == [(101, "10.3.0.1")]
    # A userspace action's upcall too, whatever pid the action names
    # (output_userspace() under per-CPU dispatch).
    userspace = nest(OVS_ACTION_ATTR_USERSPACE, u32(OVS_USERSPACE_ATTR_PID, 999))
    execute = msg(c.family("ovs_packet"), OVS_PACKET_CMD_EXECUTE,
                  attr(OVS_PACKET_ATTR_PACKET, udp_frame("10.3.0.2")) +
                  nest(OVS_PACKET_ATTR_KEY, u32(OVS_KEY_ATTR_IN_PORT, 1)) +
                  nest(OVS_PACKET_ATTR_ACTIONS, userspace), flags=NLM_F_REQUEST | NLM_F_ACK)
    expect_ok(c.request(execute))
    assert misses(l1, 1, 10, OVS_PACKET_CMD_ACTION) == [(101, "10.3.0.2")]
    expect_ok(dp_set(c, b""))  # back to per-port dispatch
    l1.close()
    l2.close()


def test_per_cpu_two_pmds(tmp):
    """Two PMDs (lcores 1 and 2 sharing CPU 1): a port with two rx queues,
    queue i on PMD i; under per-CPU dispatch PMD 0's misses go to pids[0]
    and PMD 1's to pids[1]."""
    import json
    with dpsw.Daemon(["net_null0,no-rx=1"], [], lcores="0@0,1@1,2@1", tmpdir=tmp) as d:
        assert "2 PMD thread(s)" in d.read_log(), d.read_log()
        c = Conn(d.sock)
        l1, l2 = listener(d.sock, 201), listener(d.sock, 202)
        expect_ok(dp_set(c, u32(OVS_DP_ATTR_USER_FEATURES, OVS_DP_F_DISPATCH_UPCALL_PER_CPU) +
                         attr(OVS_DP_ATTR_PER_CPU_PIDS, struct.pack("=II", 201, 202))))
        a, b = os.path.join(tmp, "q0.pcap"), os.path.join(tmp, "q1.pcap")
        write_pcap(a, [udp_frame("10.5.0.%d" % i) for i in range(1, 11)])
        write_pcap(b, [udp_frame("10.6.0.%d" % i) for i in range(1, 11)])
        opts = nest(OVS_VPORT_ATTR_OPTIONS, attr(DPSW_VPORT_OPTION_DEVARGS,
                                                 "net_pcap9,rx_pcap=%s,rx_pcap=%s" % (a, b)))
        expect_ok(c.request(msg(c.family("ovs_vport"), OVS_VPORT_CMD_NEW,
                                attr(OVS_VPORT_ATTR_NAME, "net_pcap9") +
                                u32(OVS_VPORT_ATTR_TYPE, OVS_VPORT_TYPE_NETDEV) +
                                u32(OVS_VPORT_ATTR_UPCALL_PID, 0) + opts,
                                flags=NLM_F_REQUEST | NLM_F_ACK)))
        pmds = json.loads(d.ctl("--json", "pmd-stats-show").stdout)["pmds"]
        placement = [sorted(q["queue_id"] for q in p["rxqs"] if q["port"] == "net_pcap9")
                     for p in pmds]
        assert placement == [[0], [1]], placement
        got1, got2 = misses(l1, 10), misses(l2, 10)
        assert sorted(s for _, s in got1) == sorted("10.5.0.%d" % i for i in range(1, 11)), got1
        assert sorted(s for _, s in got2) == sorted("10.6.0.%d" % i for i in range(1, 11)), got2
        assert all(p == 201 for p, _ in got1) and all(p == 202 for p, _ in got2)
        for x in (c, l1, l2):
            x.close()
        assert d.stop() == 0


def main():
    with tempfile.TemporaryDirectory(prefix="dpsw-kernel-") as tmp:
        with dpsw.Daemon(["net_null0,no-rx=1", "net_null1,no-rx=1"], tmpdir=tmp) as d:
            c = Conn(d.sock)
            tests = [("lookup by key", lambda: test_lookup_by_key(c)),
                     ("identifier", lambda: test_identifier(c)),
                     ("genl parsing", lambda: test_genl_parsing(c)),
                     ("datapath", lambda: test_datapath(c, "dpdk-switch"))]
            for name, fn in tests:
                t = time.monotonic()
                fn()
                print("ok %s (%.1fs)" % (name, time.monotonic() - t))
            t = time.monotonic()
            l1, l2 = test_vport_pids(c, d.sock, tmp)
            print("ok vport pids (%.1fs)" % (time.monotonic() - t))
            t = time.monotonic()
            test_per_cpu(c, d.sock, tmp, l1, l2)
            print("ok per-cpu pids (%.1fs)" % (time.monotonic() - t))
            c.close()
            assert d.proc.poll() is None, "daemon died"
        assert d.proc.returncode == 0, d.output
    with tempfile.TemporaryDirectory(prefix="dpsw-kernel-") as tmp:
        t = time.monotonic()
        test_per_cpu_two_pmds(tmp)
        print("ok per-cpu pids, two PMDs (%.1fs)" % (time.monotonic() - t))
    # --dp-name: ovs-vswitchd's "ovs-system".
    with tempfile.TemporaryDirectory(prefix="dpsw-kernel-") as tmp:
        with dpsw.Daemon(["net_null0,no-rx=1"], ["--dp-name", "ovs-system"], tmpdir=tmp) as d:
            c = Conn(d.sock)
            test_datapath(c, "ovs-system")
            expect_error([dp_get(c, "dpdk-switch")], ENODEV)
            # The local port carries the datapath's name, as the kernel's.
            (r,) = c.request(msg(c.family("ovs_vport"), OVS_VPORT_CMD_GET,
                                 attr(OVS_VPORT_ATTR_NAME, "ovs-system")))
            assert r.attrs()[OVS_VPORT_ATTR_PORT_NO] == struct.pack("=I", 0), r
            c.close()
            print("ok --dp-name")
        assert d.proc.returncode == 0, d.output
        # A name the kernel would not take for a netdev: refused at start.
        d = dpsw.Daemon(["net_null0,no-rx=1"], ["--dp-name", "a/b"], tmpdir=tmp)
        d.start(wait_ready=False)
        assert d.wait(60) == 2 and "--dp-name" in d.output, d.output
        print("ok bad --dp-name")


if __name__ == "__main__":
    main()
