#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A reactive controller for dpdk-switch: a learning switch in the Python
standard library.

The daemon starts with no flows. This program connects to its control
socket, asks for the packets that miss the flow table (MISS upcalls), and
for each one:

  1. learns "source MAC -> input port";
  2. picks the output: the port where the destination MAC was seen, or
     every other port (flood) for broadcast, multicast and unknown MACs;
  3. installs a megaflow (OVS_FLOW_CMD_NEW) matching in_port, source and
     destination MAC, so the next packets of that conversation stay in the
     datapath and never come back here (unknown destinations get no flow:
     they come back until the destination has spoken);
  4. sends the packet itself on (OVS_PACKET_CMD_EXECUTE), so the first
     packet of a conversation is not lost.

The protocol is the Open vSwitch kernel datapath's generic netlink, as
<linux/openvswitch.h> defines it, carried over an AF_UNIX SOCK_SEQPACKET
socket instead of a netlink socket (docs/PROTOCOL.md). Each datagram holds
netlink messages: nlmsghdr + genlmsghdr + struct ovs_header + attributes.

It assumes it owns the flow table: when a MAC address moves to another
port, it deletes every flow (the simple, always-correct answer). A
reactive controller like this one wants the daemon to manage its flows as
a cache: start it with --max-idle MS (e.g. 10000), and flows idle that long
expire; the next miss installs them again. Without --max-idle, as in the
kernel datapath, flows stay until deleted (right for a static table).

Usage: examples/controller.py [--ctl PATH] [-v]
Needs to be an admin of the socket (root, or the daemon's --ctl-group):
installing flows and executing packets are privileged, as in the kernel.
The module is also a small client library: Datapath (connect, resolve the
families, stats(), ports(), flow_new(), execute(), upcalls()).

Reading and writing never wait on each other: the socket is non-blocking,
requests go through an output queue flushed whenever poll() says the socket
has room, and every wait also reads, so replies are read as they come;
those the daemon had to drop because we were slow are announced by an
ENOBUFS notice (counted as overruns). When the output queue is long (the daemon reads our requests slower
than misses arrive), misses are dropped and counted instead of answered:
they come back as misses later.
"""
import argparse
import collections
import errno
import os
import select
import signal
import socket
import struct
import sys
import time

# ---- protocol numbers, named as in the Linux headers ----------------------
# <linux/netlink.h>
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_REQUEST, NLM_F_ACK = 0x1, 0x4
NLM_F_DUMP = 0x300
NLM_F_CAPPED, NLM_F_ACK_TLVS = 0x100, 0x200
NLMSGERR_ATTR_MSG = 1
NLA_F_NESTED = 0x8000
# <linux/genetlink.h>
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2
# <linux/openvswitch.h>
OVS_DATAPATH_FAMILY, OVS_VPORT_FAMILY = "ovs_datapath", "ovs_vport"
OVS_FLOW_FAMILY, OVS_PACKET_FAMILY = "ovs_flow", "ovs_packet"
OVS_DATAPATH_VERSION, OVS_VPORT_VERSION = 2, 1
OVS_FLOW_VERSION, OVS_PACKET_VERSION = 1, 1
OVS_DP_CMD_GET, OVS_DP_CMD_SET = 3, 4
OVS_DP_ATTR_NAME, OVS_DP_ATTR_UPCALL_PID, OVS_DP_ATTR_STATS = 1, 2, 3
OVS_VPORT_CMD_GET = 3
OVS_VPORT_ATTR_PORT_NO, OVS_VPORT_ATTR_NAME = 1, 3
OVS_FLOW_CMD_NEW, OVS_FLOW_CMD_DEL = 1, 2
OVS_FLOW_ATTR_KEY, OVS_FLOW_ATTR_ACTIONS, OVS_FLOW_ATTR_MASK = 1, 2, 7
OVS_PACKET_CMD_MISS, OVS_PACKET_CMD_EXECUTE = 1, 3
OVS_PACKET_ATTR_PACKET, OVS_PACKET_ATTR_KEY, OVS_PACKET_ATTR_ACTIONS = 1, 2, 3
OVS_KEY_ATTR_IN_PORT, OVS_KEY_ATTR_ETHERNET, OVS_KEY_ATTR_ETHERTYPE = 3, 4, 6
OVS_ACTION_ATTR_OUTPUT = 1

DEFAULT_CTL = "/run/dpdk-switch/ctl.sock"
DP_NAME = "dpdk-switch"
PORT_LOCAL = 0            # the datapath's local port: never flooded to
MAX_DGRAM = 256 * 1024    # the daemon's largest datagram (include/ctl.h)
OUT_BUSY = 1024 * 1024    # queued request bytes past which misses are dropped
WAIT_SLICE = 0.5          # longest single wait, so a stop request is seen

NLMSGHDR = struct.Struct("=IHHII")   # len, type, flags, seq, pid
GENLHDR = struct.Struct("=BBH")      # cmd, version, reserved
OVSHDR = struct.Struct("=i")         # dp_ifindex
NLATTR = struct.Struct("=HH")        # len, type


# ---- attributes ------------------------------------------------------------
def align4(n):
    return (n + 3) & ~3


def attr(atype, payload=b""):
    """One netlink attribute, padded to 4 bytes."""
    raw = NLATTR.pack(NLATTR.size + len(payload), atype) + payload
    return raw + b"\0" * (align4(len(raw)) - len(raw))


def attr_u32(atype, value):
    return attr(atype, struct.pack("=I", value))


def attr_str(atype, s):
    return attr(atype, s.encode() + b"\0")


def attrs_parse(buf):
    """{type: payload} of an attribute stream (nested flag cleared)."""
    out = {}
    ofs = 0
    while ofs + NLATTR.size <= len(buf):
        alen, atype = NLATTR.unpack_from(buf, ofs)
        if alen < NLATTR.size or ofs + alen > len(buf):
            raise ValueError("attribute at offset %d: bad length %d" % (ofs, alen))
        out[atype & ~NLA_F_NESTED] = bytes(buf[ofs + NLATTR.size:ofs + alen])
        ofs += align4(alen)
    return out


def mac_str(mac):
    return ":".join("%02x" % b for b in mac)


class Interrupted(Exception):
    """A stop was requested (SIGTERM, SIGINT) while waiting on the daemon."""


class NetlinkError(Exception):
    def __init__(self, err, reason, what):
        self.errno = err
        super().__init__("%s: %s%s" % (what, os.strerror(err), (": " + reason) if reason else ""))


class Upcall:
    """A MISS upcall: the packet and the flow key the datapath extracted."""

    def __init__(self, attrs):
        self.packet = attrs[OVS_PACKET_ATTR_PACKET]
        self.key = attrs[OVS_PACKET_ATTR_KEY]      # raw, sent back as is
        key = attrs_parse(self.key)
        self.in_port = struct.unpack("=I", key[OVS_KEY_ATTR_IN_PORT])[0]
        eth = key[OVS_KEY_ATTR_ETHERNET]           # struct ovs_key_ethernet
        self.eth_src, self.eth_dst = eth[0:6], eth[6:12]
        et = key.get(OVS_KEY_ATTR_ETHERTYPE)
        self.eth_type = struct.unpack("!H", et)[0] if et else None


# ---- the connection --------------------------------------------------------
class Datapath:
    """One connection to dpdk-switch's control socket.

    Requests carry our pid in nlmsg_pid; the daemon sends upcalls for the
    pid we register (set_upcall_pid) to this connection. Replies to our
    requests and upcalls share the socket, so while we wait for a reply,
    upcalls are kept in 'self.backlog' for the caller.

    The socket is non-blocking: send() queues, and every wait (poll)
    writes what the socket takes and reads what came, so the controller
    never blocks writing while the daemon waits for it to read.
    'stop_requested' (a callable) ends any wait with Interrupted.
    """

    def __init__(self, path=DEFAULT_CTL, sock=None, pid=None):
        if sock is None:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            sock.connect(path)
        sock.setblocking(False)
        self.sock = sock
        self.poller = select.poll()
        self.outq = collections.deque()  # datagrams not yet taken by the socket
        self.out_bytes = 0
        self.stop_requested = lambda: False
        self.pid = os.getpid() if pid is None else pid
        self.seq = 0
        self.backlog = []            # (type, flags, seq, payload) of upcalls
        self.families = {}
        self.dp_ifindex = 0
        self.errors = 0              # failed requests nobody waited for, bad input
        self.overruns = 0            # ENOBUFS notices: replies the daemon dropped

    def close(self):
        self.sock.close()

    # -- framing --
    def send(self, family, cmd, version, attrs=b"", flags=0, ovs=True):
        """Send one request; returns its sequence number."""
        self.seq += 1
        body = GENLHDR.pack(cmd, version, 0)
        if ovs:
            body += OVSHDR.pack(self.dp_ifindex)
        body += attrs
        msg = NLMSGHDR.pack(NLMSGHDR.size + len(body), family, NLM_F_REQUEST | flags,
                            self.seq, self.pid) + body
        self.outq.append(msg)
        self.out_bytes += len(msg)
        self.flush()
        return self.seq

    def flush(self):
        """Write queued requests until the socket is full (never waits)."""
        while self.outq:
            try:
                self.sock.send(self.outq[0])
            except BlockingIOError:
                return
            self.out_bytes -= len(self.outq.popleft())

    def busy(self):
        """True while our requests wait for the daemon to take them."""
        return self.out_bytes > OUT_BUSY

    def wait(self, timeout):
        """Wait up to 'timeout' seconds (None: for ever) until a datagram can
        be read, writing queued requests meanwhile. True when readable."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if self.stop_requested():
                raise Interrupted()
            left = WAIT_SLICE if deadline is None else \
                min(WAIT_SLICE, deadline - time.monotonic())
            if left < 0:
                return False
            events = select.POLLIN | (select.POLLOUT if self.outq else 0)
            self.poller.register(self.sock, events)
            ready = self.poller.poll(left * 1000)
            if not ready:
                continue
            revents = ready[0][1]
            if revents & select.POLLOUT:
                self.flush()
            if revents & (select.POLLIN | select.POLLHUP | select.POLLERR):
                return True

    def recv(self, timeout=None):
        """Messages of the next datagram as (type, flags, seq, payload);
        [] when nothing came within 'timeout' seconds."""
        while True:
            try:
                data = self.sock.recv(MAX_DGRAM)
                break
            except BlockingIOError:
                if not self.wait(timeout):
                    return []
        if not data:
            raise EOFError("the daemon closed the control socket")
        return self.parse_datagram(data)

    def parse_datagram(self, data):
        msgs, ofs = [], 0
        while ofs + NLMSGHDR.size <= len(data):
            mlen, mtype, mflags, mseq, _ = NLMSGHDR.unpack_from(data, ofs)
            if mlen < NLMSGHDR.size or ofs + mlen > len(data):
                self.errors += 1
                print("controller: datagram of %d bytes: message at offset %d has a bad "
                      "length (%d); rest skipped" % (len(data), ofs, mlen), file=sys.stderr,
                      flush=True)
                break
            msgs.append((mtype, mflags, mseq, data[ofs + NLMSGHDR.size:ofs + mlen]))
            ofs += align4(mlen)
        return msgs

    @staticmethod
    def parse_error(payload, flags):
        """(errno, reason) of an NLMSG_ERROR (errno 0: an ack). Its payload:
        the errno, the request's header (and, unless NLM_F_CAPPED, the rest
        of the request), then with NLM_F_ACK_TLVS the reason as an attribute."""
        if len(payload) < 4 + NLMSGHDR.size:
            return errno.EPROTO, "truncated error message"
        err = -struct.unpack_from("=i", payload)[0]
        reason = ""
        if flags & NLM_F_ACK_TLVS:
            req_len = struct.unpack_from("=I", payload, 4)[0]
            tlv_ofs = 4 + (NLMSGHDR.size if flags & NLM_F_CAPPED else align4(req_len))
            try:
                msg = attrs_parse(payload[tlv_ofs:]).get(NLMSGERR_ATTR_MSG)
            except ValueError:
                msg = None
            reason = msg.rstrip(b"\0").decode(errors="replace") if msg else ""
        return err, reason

    def transact(self, family, cmd, version, attrs=b"", flags=0, ovs=True, what="request"):
        """Send a request and wait for its replies: a list of payloads after the
        genl header (and ovs_header). Raises NetlinkError on an error reply."""
        seq = self.send(family, cmd, version, attrs, flags | NLM_F_ACK, ovs)
        replies = []
        while True:
            for mtype, mflags, mseq, payload in self.recv():
                if mseq == 0 and mtype == NLMSG_ERROR:
                    err, reason = self.parse_error(payload, mflags)
                    # Our reply may be among those dropped, or we are refused.
                    raise NetlinkError(err, reason or os.strerror(err), what)
                if mseq != seq:
                    self.note_unsolicited(mtype, mflags, mseq, payload)
                    continue
                if mtype == NLMSG_ERROR:
                    err, reason = self.parse_error(payload, mflags)
                    if err:
                        raise NetlinkError(err, reason, what)
                    return replies
                if mtype == NLMSG_DONE:
                    return replies
                hdr = GENLHDR.size + (OVSHDR.size if ovs else 0)
                if ovs:
                    self.dp_ifindex = OVSHDR.unpack_from(payload, GENLHDR.size)[0]
                replies.append(payload[hdr:])  # a dump ends in DONE, the rest in an ack

    def note_unsolicited(self, mtype, mflags, mseq, payload):
        """An upcall, or the error of a request we did not wait for."""
        if mtype == NLMSG_ERROR:
            err, reason = self.parse_error(payload, mflags)
            if mseq == 0 and err == errno.ENOBUFS:
                # The daemon's notice: it dropped replies we did not read
                # in time (as a netlink socket's overrun). Requests whose
                # replies were lost are not retried: a miss comes again.
                self.overruns += 1
                return
            if err:
                self.errors += 1
                print("controller: request %d failed: %s%s" % (mseq, os.strerror(err),
                      (": " + reason) if reason else ""), file=sys.stderr, flush=True)
            return
        self.backlog.append((mtype, mflags, mseq, payload))

    # -- requests --
    def family(self, name):
        if name not in self.families:
            replies = self.transact(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1,
                                    attr_str(CTRL_ATTR_FAMILY_NAME, name), ovs=False,
                                    what="family " + name)
            a = attrs_parse(replies[0])
            self.families[name] = struct.unpack("=H", a[CTRL_ATTR_FAMILY_ID])[0]
        return self.families[name]

    def open(self):
        """Resolve the families and learn the datapath's ifindex."""
        for name in (OVS_DATAPATH_FAMILY, OVS_VPORT_FAMILY, OVS_FLOW_FAMILY, OVS_PACKET_FAMILY):
            self.family(name)
        self.transact(self.families[OVS_DATAPATH_FAMILY], OVS_DP_CMD_GET, OVS_DATAPATH_VERSION,
                      attr_str(OVS_DP_ATTR_NAME, DP_NAME), what="datapath " + DP_NAME)
        return self

    def set_upcall_pid(self):
        """Ask for every port's misses (the kernel's OVS_DP_ATTR_UPCALL_PID)."""
        self.transact(self.families[OVS_DATAPATH_FAMILY], OVS_DP_CMD_SET, OVS_DATAPATH_VERSION,
                      attr_u32(OVS_DP_ATTR_UPCALL_PID, self.pid), what="register for upcalls")

    def stats(self):
        """struct ovs_dp_stats as a dict: n_hit, n_missed, n_lost, n_flows."""
        r = self.transact(self.families[OVS_DATAPATH_FAMILY], OVS_DP_CMD_GET,
                          OVS_DATAPATH_VERSION, what="datapath stats")
        vals = struct.unpack("=4Q", attrs_parse(r[0])[OVS_DP_ATTR_STATS][:32])
        return dict(zip(("n_hit", "n_missed", "n_lost", "n_flows"), vals))

    def ports(self):
        """{port_no: name} of every port, the local port included."""
        out = {}
        for payload in self.transact(self.families[OVS_VPORT_FAMILY], OVS_VPORT_CMD_GET,
                                     OVS_VPORT_VERSION, flags=NLM_F_DUMP, what="port dump"):
            a = attrs_parse(payload)
            out[struct.unpack("=I", a[OVS_VPORT_ATTR_PORT_NO])[0]] = \
                a[OVS_VPORT_ATTR_NAME].rstrip(b"\0").decode()
        return out

    def flow_new(self, key, mask, actions):
        """Install (or replace the actions of) a flow; no wait: an error comes
        back later as an NLMSG_ERROR (note_unsolicited prints it)."""
        self.send(self.families[OVS_FLOW_FAMILY], OVS_FLOW_CMD_NEW, OVS_FLOW_VERSION,
                  attr(OVS_FLOW_ATTR_KEY, key) + attr(OVS_FLOW_ATTR_MASK, mask) +
                  attr(OVS_FLOW_ATTR_ACTIONS, actions))

    def flow_flush(self):
        self.send(self.families[OVS_FLOW_FAMILY], OVS_FLOW_CMD_DEL, OVS_FLOW_VERSION)

    def execute(self, packet, key, actions):
        """Run 'actions' on 'packet' in the datapath (no wait, as flow_new)."""
        self.send(self.families[OVS_PACKET_FAMILY], OVS_PACKET_CMD_EXECUTE, OVS_PACKET_VERSION,
                  attr(OVS_PACKET_ATTR_PACKET, packet) + attr(OVS_PACKET_ATTR_KEY, key) +
                  attr(OVS_PACKET_ATTR_ACTIONS, actions))

    def upcalls(self):
        """The MISS upcalls of the next datagram (and of the backlog)."""
        msgs, self.backlog = self.backlog, []
        if not msgs:
            for m in self.recv():
                self.note_unsolicited(*m)
            msgs, self.backlog = self.backlog, []
        out = []
        for mtype, _, mseq, payload in msgs:
            if mtype != self.families[OVS_PACKET_FAMILY] or \
                    not payload or payload[0] != OVS_PACKET_CMD_MISS:
                continue
            try:
                out.append(Upcall(attrs_parse(payload[GENLHDR.size + OVSHDR.size:])))
            except (ValueError, KeyError, struct.error) as e:
                self.errors += 1
                print("controller: upcall %d skipped: malformed (%s: %s)" %
                      (mseq, type(e).__name__, e), file=sys.stderr, flush=True)
        return out


# ---- the learning switch ---------------------------------------------------
def actions_output(ports):
    return b"".join(attr_u32(OVS_ACTION_ATTR_OUTPUT, p) for p in ports)


def mask_l2():
    """Match in_port, Ethernet source and destination; wildcard the rest.
    The key stays the packet's whole key: the datapath masks it."""
    return (attr_u32(OVS_KEY_ATTR_IN_PORT, 0xffffffff) +
            attr(OVS_KEY_ATTR_ETHERNET, b"\xff" * 12))


class LearningSwitch:
    def __init__(self, dp, verbose=False):
        self.dp = dp
        self.verbose = verbose
        self.macs = {}                       # MAC -> port
        self.ports = {}
        self.counts = dict(misses=0, flows=0, floods=0, learned=0, moved=0, dropped=0)
        self.refresh_ports()

    def log(self, fmt, *args):
        if self.verbose:
            print("controller: " + fmt % args, flush=True)

    def refresh_ports(self):
        self.ports = {p: n for p, n in self.dp.ports().items() if p != PORT_LOCAL}

    def flood_ports(self, in_port):
        return sorted(p for p in self.ports if p != in_port)

    def learn(self, mac, port):
        old = self.macs.get(mac)
        if old == port or mac[0] & 1:       # known, or a group address
            return
        self.macs[mac] = port
        if old is None:
            self.counts["learned"] += 1
            self.log("learned %s on port %d", mac_str(mac), port)
            return
        # A host moved: flows that send to its old port are wrong now.
        # Flushing all is the simple, always-correct answer.
        self.counts["moved"] += 1
        self.log("%s moved from port %d to %d: flushing flows", mac_str(mac), old, port)
        self.dp.flow_flush()

    def handle(self, up):
        self.counts["misses"] += 1
        if up.in_port not in self.ports:
            self.refresh_ports()                # a port added at run time
        self.learn(up.eth_src, up.in_port)
        dst_port = self.macs.get(up.eth_dst)
        if up.eth_dst[0] & 1 or dst_port is None:
            out = self.flood_ports(up.in_port)  # broadcast, multicast, unknown
            self.counts["floods"] += 1
            install = bool(up.eth_dst[0] & 1)   # unknown unicast: ask again later
        else:
            out = [] if dst_port == up.in_port else [dst_port]  # hairpin: drop
            install = True
        actions = actions_output(out)
        if install:
            self.dp.flow_new(up.key, mask_l2(), actions)
            self.counts["flows"] += 1
            self.log("flow in_port(%d),eth(src=%s,dst=%s) -> %s", up.in_port,
                     mac_str(up.eth_src), mac_str(up.eth_dst),
                     ",".join(map(str, out)) or "drop")
        if out:
            self.dp.execute(up.packet, up.key, actions)

    def run_once(self):
        for up in self.dp.upcalls():
            if self.dp.busy():
                # The daemon has not taken our last answers yet: answering
                # more would only queue without bound. The packet is lost,
                # as one the datapath drops; its flow's next miss returns.
                self.counts["dropped"] += 1
                continue
            self.handle(up)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Learning-switch controller for dpdk-switch.")
    ap.add_argument("--ctl", default=DEFAULT_CTL, help="control socket (default %(default)s)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every decision")
    args = ap.parse_args(argv)

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    dp = None
    try:
        dp = Datapath(args.ctl)
        dp.stop_requested = lambda: bool(stop)
        dp.open()
        dp.set_upcall_pid()
        sw = LearningSwitch(dp, args.verbose)
    except Interrupted:
        dp.close()
        return 0
    except (OSError, NetlinkError) as e:
        print("controller: %s: %s" % (args.ctl, e), file=sys.stderr)
        if isinstance(e, NetlinkError) and e.errno == errno.EPERM:
            print("controller: installing flows needs root or the daemon's --ctl-group",
                  file=sys.stderr)
        return 1
    print("controller: listening for misses on %s, ports %s" %
          (args.ctl, ", ".join("%d (%s)" % kv for kv in sorted(sw.ports.items()))), flush=True)
    status = 0
    try:
        while not stop:  # a signal ends the loop within half a second
            if dp.backlog or dp.wait(WAIT_SLICE):
                sw.run_once()
    except Interrupted:
        pass
    except (EOFError, OSError, NetlinkError) as e:  # the daemon went away, mostly
        print("controller: %s" % e, file=sys.stderr)
        status = 1
    print("controller: %s, request errors %d, overruns %d" %
          (", ".join("%s %d" % kv for kv in sw.counts.items()), dp.errors, dp.overruns),
          flush=True)
    dp.close()
    return status


if __name__ == "__main__":
    sys.exit(main())
