# SPDX-License-Identifier: BSD-3-Clause
"""Raw generic-netlink messages for end-to-end tests of the control socket.

Just enough of the protocol to write requests byte by byte (including
malformed ones) and read replies: numbers from linux/openvswitch.h and
linux/genetlink.h, written out here because Python has no binding for them.
"""
import socket
import struct

NLM_F_REQUEST, NLM_F_MULTI, NLM_F_ACK, NLM_F_ECHO = 1, 2, 4, 8
NLM_F_DUMP = 0x300
NLM_F_EXCL, NLM_F_CREATE = 0x200, 0x400
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLMSG_HDR = struct.Struct("=IHHII")
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 0x10, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2
NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS = 1, 2
NLA_F_NESTED = 0x8000

# ovs_datapath / ovs_flow / ovs_packet
OVS_DP_CMD_GET, OVS_DP_CMD_SET = 3, 4
OVS_DP_ATTR_NAME, OVS_DP_ATTR_UPCALL_PID, OVS_DP_ATTR_STATS = 1, 2, 3
OVS_FLOW_CMD_NEW, OVS_FLOW_CMD_DEL, OVS_FLOW_CMD_GET, OVS_FLOW_CMD_SET = 1, 2, 3, 4
OVS_FLOW_ATTR_KEY, OVS_FLOW_ATTR_ACTIONS, OVS_FLOW_ATTR_STATS = 1, 2, 3
OVS_FLOW_ATTR_MASK, OVS_FLOW_ATTR_CLEAR, OVS_FLOW_ATTR_UFID = 7, 6, 9
OVS_FLOW_ATTR_UFID_FLAGS = 10
OVS_UFID_F_OMIT_KEY, OVS_UFID_F_OMIT_MASK, OVS_UFID_F_OMIT_ACTIONS = 1, 2, 4
OVS_PACKET_CMD_EXECUTE = 3
OVS_PACKET_ATTR_PACKET, OVS_PACKET_ATTR_KEY, OVS_PACKET_ATTR_ACTIONS = 1, 2, 3
OVS_KEY_ATTR_ENCAP, OVS_KEY_ATTR_IN_PORT, OVS_KEY_ATTR_ETHERNET = 1, 3, 4
OVS_KEY_ATTR_VLAN, OVS_KEY_ATTR_ETHERTYPE, OVS_KEY_ATTR_IPV4 = 5, 6, 7
OVS_ACTION_ATTR_OUTPUT = 1

DP_NAME = "dpdk-switch"
DP_IFINDEX = 1


def attr(atype, payload=b""):
    """One attribute, padded to 4 bytes."""
    if isinstance(payload, str):
        payload = payload.encode() + b"\0"
    data = struct.pack("=HH", 4 + len(payload), atype) + payload
    return data + b"\0" * (-len(data) % 4)


def nest(atype, *attrs):
    return attr(atype | NLA_F_NESTED, b"".join(attrs))


def u32(atype, v):
    return attr(atype, struct.pack("=I", v))


def be16(atype, v):
    return attr(atype, struct.pack("!H", v))


def msg(family, cmd, attrs=b"", flags=NLM_F_REQUEST, seq=1, pid=0, ovs=True,
        dp_ifindex=DP_IFINDEX, version=1):
    body = struct.pack("=BBH", cmd, version, 0)
    if ovs:
        body += struct.pack("=i", dp_ifindex)
    body += attrs
    return NLMSG_HDR.pack(16 + len(body), family, flags, seq, pid) + body


def parse_attrs(data):
    """{type: payload} of a flat attribute stream (last one wins)."""
    out, ofs = {}, 0
    while ofs + 4 <= len(data):
        alen, atype = struct.unpack_from("=HH", data, ofs)
        if alen < 4:
            break
        out[atype & 0x3fff] = data[ofs + 4:ofs + alen]
        ofs += (alen + 3) & ~3
    return out


class Reply:
    def __init__(self, data):
        self.len, self.type, self.flags, self.seq, self.pid = NLMSG_HDR.unpack_from(data)
        self.data = data[:self.len]
        self.error = None
        self.reason = ""
        self.offset = None
        if self.type == NLMSG_ERROR:
            self.error = struct.unpack_from("=i", data, 16)[0]
            tlvs = parse_attrs(data[16 + 4 + 16:self.len])
            if NLMSGERR_ATTR_MSG in tlvs:
                self.reason = tlvs[NLMSGERR_ATTR_MSG].rstrip(b"\0").decode()
            if NLMSGERR_ATTR_OFFS in tlvs:
                self.offset = struct.unpack("=I", tlvs[NLMSGERR_ATTR_OFFS])[0]

    def attrs(self, ovs=True):
        return parse_attrs(self.data[16 + 4 + (4 if ovs else 0):])

    def __repr__(self):
        return "Reply(type=%d seq=%d error=%s reason=%r)" % (self.type, self.seq, self.error,
                                                           self.reason)


def split(datagram):
    replies, ofs = [], 0
    while ofs + 16 <= len(datagram):
        r = Reply(datagram[ofs:])
        if r.len < 16:
            break
        replies.append(r)
        ofs += (r.len + 3) & ~3
    return replies


class Conn:
    """A client connection to the control socket."""

    def __init__(self, path, timeout=10):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.families = {}

    def close(self):
        self.sock.close()

    def send(self, data):
        self.sock.send(data)

    def recv(self):
        return split(self.sock.recv(256 * 1024))

    def request(self, data):
        """Send one datagram, return the replies of one datagram."""
        self.send(data)
        return self.recv()

    def family(self, name):
        if name not in self.families:
            (r,) = self.request(msg(GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                                    attr(CTRL_ATTR_FAMILY_NAME, name), ovs=False))
            assert r.error is None, r
            fid = struct.unpack("=H", r.attrs(ovs=False)[CTRL_ATTR_FAMILY_ID][:2])[0]
            self.families[name] = fid
        return self.families[name]

    def dump(self, data):
        """Send a dump request; return every part until NLMSG_DONE."""
        self.send(data)
        parts = []
        while True:
            for r in self.recv():
                if r.type == NLMSG_DONE:
                    return parts
                if r.type == NLMSG_ERROR:
                    raise AssertionError("dump failed: %r" % r)
                parts.append(r)


# ---- UDP/IPv4 megaflows on in_port and IPv4 destination, for tests ----

OVS_KEY_ATTR_UDP = 10


def key_attrs(in_port, dst, eth_type=0x0800):
    # As the kernel wants: a key with ip proto 17 carries the udp attribute.
    ipv4 = struct.pack("!II", 0x0a000001, dst) + bytes([17, 0, 64, 0])
    return (u32(OVS_KEY_ATTR_IN_PORT, in_port) + attr(OVS_KEY_ATTR_ETHERNET, bytes(12)) +
            be16(OVS_KEY_ATTR_ETHERTYPE, eth_type) + attr(OVS_KEY_ATTR_IPV4, ipv4) +
            attr(OVS_KEY_ATTR_UDP, struct.pack("!HH", 1000, 53)))


def mask_attrs():
    ipv4 = struct.pack("!II", 0, 0xffffffff) + bytes(4)
    return (u32(OVS_KEY_ATTR_IN_PORT, 0xffffffff) + attr(OVS_KEY_ATTR_ETHERNET, bytes(12)) +
            be16(OVS_KEY_ATTR_ETHERTYPE, 0xffff) + attr(OVS_KEY_ATTR_IPV4, ipv4))


def flow(c, cmd, dst, actions=None, flags=NLM_F_REQUEST | NLM_F_ACK, ufid=None, extra=b"",
         seq=1, mask=True):
    a = b""
    if ufid is not None:
        a += attr(OVS_FLOW_ATTR_UFID, ufid)
    if dst is not None:
        a += nest(OVS_FLOW_ATTR_KEY, key_attrs(1, dst))
        if mask:
            a += nest(OVS_FLOW_ATTR_MASK, mask_attrs())
    if actions is not None:
        a += nest(OVS_FLOW_ATTR_ACTIONS, actions)
    return msg(c.family("ovs_flow"), cmd, a + extra, flags=flags, seq=seq)


def out(port):
    return u32(OVS_ACTION_ATTR_OUTPUT, port)


def ufid(n):
    return struct.pack("=IIII", n, 0xabcdef, 0x1234, 0x5678)


def n_flows(c):
    (r,) = c.request(msg(c.family("ovs_datapath"), OVS_DP_CMD_GET,
                         attr(OVS_DP_ATTR_NAME, "dpdk-switch")))
    assert r.error is None, r
    # struct ovs_dp_stats: n_hit, n_missed, n_lost, n_flows
    return struct.unpack("=QQQQ", r.attrs()[OVS_DP_ATTR_STATS][:32])[3]


def expect_error(replies, errno, reason_part=""):
    """The first reply is the error 'errno' with 'reason_part' in its reason."""
    assert len(replies) >= 1, replies
    r = replies[0]
    assert r.type == NLMSG_ERROR and r.error == -errno, (r, errno)
    assert reason_part.lower() in r.reason.lower(), (r.reason, reason_part)
    return r


def expect_ok(replies):
    """The first reply is an ack."""
    assert replies and replies[0].type == NLMSG_ERROR and replies[0].error == 0, replies
    return replies[0]
