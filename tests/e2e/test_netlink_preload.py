# SPDX-License-Identifier: BSD-3-Clause
"""libdpdk-switch-netlink.so, call by call: a Python process under
LD_PRELOAD opens NETLINK_GENERIC sockets (Python's socket module calls
libc's socket(), bind(), sendmsg()...) against a running daemon and checks
each socket call behaves as on a kernel netlink socket: port ids from
getsockname(), answers there when send() returns (MSG_DONTWAIT), one reply
message per datagram, MSG_PEEK|MSG_TRUNC, dumps read without blocking,
poll/epoll readiness, dup and close, options, and upcalls reaching the
socket whose port id a request named. rtnetlink stays the kernel's.

The checks run in a child process (this file, DPSW_PRELOAD_CHILD=1) so
that the library is loaded from the start, as for any program.
"""
import errno
import os
import select
import socket
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nlraw import (CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME, CTRL_CMD_GETFAMILY,  # noqa: E402
                   GENL_ID_CTRL, NLM_F_ACK, NLM_F_DUMP, NLM_F_ECHO, NLM_F_REQUEST, NLMSG_DONE,
                   NLMSG_ERROR, OVS_DP_ATTR_NAME, OVS_DP_CMD_GET, OVS_DP_CMD_SET,
                   OVS_KEY_ATTR_IN_PORT, OVS_PACKET_ATTR_ACTIONS, OVS_PACKET_ATTR_KEY,
                   OVS_PACKET_ATTR_PACKET, OVS_PACKET_CMD_EXECUTE, Conn, Reply, attr, msg,
                   nest, split, u32)

NETLINK_GENERIC, NETLINK_ROUTE = 16, 0
SOL_NETLINK = 270
NETLINK_ADD_MEMBERSHIP, NETLINK_DROP_MEMBERSHIP = 1, 2
NETLINK_NO_ENOBUFS = 5
NETLINK_LIST_MEMBERSHIPS, NETLINK_CAP_ACK, NETLINK_EXT_ACK = 9, 10, 11
OVS_VPORT_CMD_SET, OVS_VPORT_ATTR_PORT_NO, OVS_VPORT_ATTR_UPCALL_PID = 4, 1, 5
OVS_ACTION_ATTR_USERSPACE, OVS_USERSPACE_ATTR_PID = 2, 1
OVS_PACKET_CMD_ACTION = 2
TIMEOUT_MS = 20000
N_FLOWS = 3000


# ---------------------------------------------------------------- the child

def check(cond, what, *details):
    if not cond:
        raise AssertionError(what + "".join("\n  " + repr(d) for d in details))


def gsock():
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    s.connect((0, 0))
    return s


def getfamily(name, seq=1, flags=NLM_F_REQUEST):
    return msg(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, attr(CTRL_ATTR_FAMILY_NAME, name),
               flags=flags, seq=seq, ovs=False)


def now(s, size=65536, flags=0):
    """One datagram, without waiting: as the kernel, the answer is there."""
    return s.recv(size, socket.MSG_DONTWAIT | flags)


def family_id(s, name):
    s.send(getfamily(name))
    (r,) = split(now(s))
    check(r.error is None, "GETFAMILY %s" % name, r)
    return struct.unpack("=H", r.attrs(ovs=False)[CTRL_ATTR_FAMILY_ID][:2])[0]


def drained(s):
    try:
        data = now(s)
    except BlockingIOError:
        return True
    raise AssertionError("unexpected datagram %r" % split(data))


def c_port_ids():
    a, b = gsock(), gsock()
    unbound = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    check(unbound.getsockname() == (0, 0), "as netlink_getname(): port 0 until bound",
          unbound.getsockname())
    unbound.send(getfamily("ovs_flow"))
    check(unbound.getsockname()[0] != 0, "a send binds, as the kernel's autobind")
    pa, pb = a.getsockname()[0], b.getsockname()[0]
    check(0x80000000 <= pa <= 0xfffff000 and 0x80000000 <= pb <= 0xfffff000 and pa != pb,
          "two connections, two port ids in the autobind range", hex(pa), hex(pb))
    check(a.getsockopt(socket.SOL_SOCKET, socket.SO_DOMAIN) == socket.AF_NETLINK and
          a.getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL) == NETLINK_GENERIC and
          a.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE) == socket.SOCK_RAW,
          "SO_DOMAIN/SO_PROTOCOL/SO_TYPE say netlink")
    check(a.getpeername() == (0, 0), "the peer is the kernel's port 0", a.getpeername())
    # bind() to a chosen port id, as netlink_bind(): taken is EADDRINUSE,
    # and a bound socket keeps its id (EINVAL).
    c = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    c.bind((0x7654321, 0))
    check(c.getsockname() == (0x7654321, 0), "bound to the chosen id", c.getsockname())
    d = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    for target, want in ((0x7654321, errno.EADDRINUSE), (pa, errno.EADDRINUSE)):
        try:
            d.bind((target, 0))
            raise AssertionError("bind to a taken port id %#x succeeded" % target)
        except OSError as e:
            check(e.errno == want, "bind to a taken id", e)
    try:
        c.bind((0x7654322, 0))
        raise AssertionError("rebinding a bound socket succeeded")
    except OSError as e:
        check(e.errno == errno.EINVAL, "rebind is EINVAL", e)
    try:
        a.connect((1234, 0))
        raise AssertionError("connect to a user port succeeded")
    except OSError as e:
        check(e.errno == errno.ECONNREFUSED, "only port 0 answers", e)
    for s in (a, b, c, d, unbound):
        s.close()


def c_answer_without_waiting():
    s = gsock()
    check(family_id(s, "ovs_datapath") > 0, "ovs_datapath resolved")
    # Two requests in one datagram, each acked: four datagrams of one
    # message each (the kernel's sk_buffs), then nothing.
    s.send(getfamily("ovs_vport", 7, NLM_F_REQUEST | NLM_F_ACK) +
           getfamily("ovs_flow", 8, NLM_F_REQUEST | NLM_F_ACK))
    got = []
    for _ in range(4):
        rs = split(now(s))
        check(len(rs) == 1, "one message per datagram", rs)
        got.append((rs[0].type == NLMSG_ERROR, rs[0].seq))
    check(got == [(False, 7), (True, 7), (False, 8), (True, 8)], "replies and acks in order",
          got)
    check(drained(s), "nothing more")
    # A request the kernel answers with nothing (datapath SET, no ACK or
    # ECHO): EAGAIN at once means "no reply", as OVS reads it.
    dp = family_id(s, "ovs_datapath")
    s.send(msg(dp, OVS_DP_CMD_SET, attr(OVS_DP_ATTR_NAME, "dpdk-switch")))
    check(drained(s), "a silent request leaves nothing to read")
    # MSG_PEEK|MSG_TRUNC gives the whole length, then the datagram is read.
    s.send(getfamily("ovs_packet", 9))
    n = s.recv_into(bytearray(16), 16, socket.MSG_PEEK | socket.MSG_TRUNC |
                    socket.MSG_DONTWAIT)
    data = now(s)
    check(n == len(data) > 16, "MSG_PEEK|MSG_TRUNC returns the full length", n, len(data))
    check(split(data)[0].seq == 9, "then the peeked datagram", split(data))
    # recvmsg: the source is the kernel (port 0).
    s.send(getfamily("ovs_flow", 10))
    data, anc, flags, src = s.recvmsg(65536, 0, socket.MSG_DONTWAIT)
    check(src == (0, 0) and split(data)[0].seq == 10, "recvmsg from port 0", src)
    s.close()


def c_dump():
    s = gsock()
    s.send(msg(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, flags=NLM_F_REQUEST | NLM_F_DUMP, seq=3,
               ovs=False))
    names = []
    while True:
        rs = split(now(s))     # a dump never makes the reader wait (EAGAIN is its end in OVS)
        if rs[-1].type == NLMSG_DONE:
            names += [r.attrs(ovs=False)[CTRL_ATTR_FAMILY_NAME] for r in rs[:-1]]
            break
        names += [r.attrs(ovs=False)[CTRL_ATTR_FAMILY_NAME] for r in rs]
    check(b"ovs_flow\0" in names and b"dpdk_switch\0" in names, "the controller's dump", names)
    check(drained(s), "nothing after NLMSG_DONE")
    s.close()


def c_slow_answers():
    """Answers that take the daemon a while: a flow dump of several
    datagrams (each part leaves when the last was read) and a flush (a
    grace period first). Read with MSG_DONTWAIT, as OVS does."""
    s = gsock()
    flow = family_id(s, "ovs_flow")
    s.send(msg(flow, 3, flags=NLM_F_REQUEST | NLM_F_DUMP, seq=40))  # OVS_FLOW_CMD_GET
    n, parts = 0, 0
    while True:
        data = now(s, 256 * 1024)
        # As netlink_dump(): parts no larger than 32 KiB, the buffers
        # kernel clients receive into (OVS: 4 KiB + a 64 KiB tail).
        check(len(data) <= 32768, "a dump part of %d bytes" % len(data))
        rs = split(data)
        parts += 1
        n += sum(1 for r in rs if r.type == flow)
        if rs[-1].type == NLMSG_DONE:
            break
        check(rs[-1].type == flow, "dump parts", rs[-1])
    check(n == N_FLOWS and parts > 2, "every flow, in several datagrams", n, parts)
    s.send(msg(flow, 2, flags=NLM_F_REQUEST | NLM_F_ACK, seq=41))  # OVS_FLOW_CMD_DEL: flush
    (r,) = split(now(s))
    check(r.error == 0 and r.seq == 41, "the flush's ack, after its grace period", r)
    s.close()


def c_readiness_dup_close():
    s = gsock()
    p = select.poll()
    p.register(s.fileno(), select.POLLIN)
    check(p.poll(0) == [], "nothing to read yet")
    s.send(getfamily("ovs_flow"))
    check(p.poll(TIMEOUT_MS) == [(s.fileno(), select.POLLIN)], "poll: the answer is readable")
    ep = select.epoll()
    ep.register(s.fileno(), select.EPOLLIN)
    check(ep.poll(TIMEOUT_MS / 1000) == [(s.fileno(), select.EPOLLIN)], "epoll too")
    now(s)
    ep.close()
    # A dup is the same socket: same port id, either fd reads.
    fd2 = os.dup(s.fileno())
    d = socket.socket(fileno=fd2)
    check(d.getsockname() == s.getsockname(), "dup has the same port id")
    port = s.getsockname()[0]
    s.close()
    d.send(getfamily("ovs_vport", 4))
    check(split(now(d))[0].seq == 4, "the dup works after the first fd is closed")
    d.close()
    # A closed fd's number, reused by a plain socket, is not netlink.
    u = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    check(u.getsockopt(socket.SOL_SOCKET, socket.SO_DOMAIN) == socket.AF_UNIX,
          "a reused fd number is the new socket's")
    u.close()
    check(port != 0, "had a port id")


def c_options():
    s = gsock()
    s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
    s.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
    s.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, 3)
    s.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, 5)
    s.setsockopt(SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, 3)
    check(s.getsockopt(SOL_NETLINK, NETLINK_EXT_ACK) == 1, "ext-ack kept")
    groups = struct.unpack("=Q", s.getsockopt(SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, 8))[0]
    check(groups == 1 << 4, "membership of group 5 only", hex(groups))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    check(s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF) >= 1 << 20,
          "SO_RCVBUF reaches the real socket")
    try:
        s.setsockopt(SOL_NETLINK, 99, 1)
        raise AssertionError("unknown SOL_NETLINK option accepted")
    except OSError as e:
        check(e.errno == errno.ENOPROTOOPT, "unknown option", e)
    s.close()


def c_rtnetlink_is_the_kernels():
    r = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
    r.bind((0, 0))
    req = struct.pack("=IHHII", 32, 18, NLM_F_REQUEST | NLM_F_DUMP, 1, 0) + bytes(16)
    r.send(req)  # RTM_GETLINK dump
    seen = b""
    while b"lo\0" not in seen:
        seen += r.recv(65536)
    r.close()


def execute_userspace(s, pid):
    """EXECUTE of one frame with userspace(pid=PID), acked."""
    pkt = bytes.fromhex("ffffffffffff020000000001" "88b5") + bytes(46)
    attrs = (attr(OVS_PACKET_ATTR_PACKET, pkt) +
             nest(OVS_PACKET_ATTR_KEY, u32(OVS_KEY_ATTR_IN_PORT, 0)) +
             nest(OVS_PACKET_ATTR_ACTIONS,
                  nest(OVS_ACTION_ATTR_USERSPACE, u32(OVS_USERSPACE_ATTR_PID, pid))))
    s.send(msg(family_id(s, "ovs_packet"), OVS_PACKET_CMD_EXECUTE, attrs,
               flags=NLM_F_REQUEST | NLM_F_ACK, seq=21))
    (r,) = split(now(s))
    check(r.error == 0, "EXECUTE acked", r)


def c_upcalls_reach_the_port_id():
    a, b = gsock(), gsock()
    pb = b.getsockname()[0]
    # A names B's port id: the upcall goes to B, as the kernel sends to
    # the socket that has the id, not to whoever named it.
    execute_userspace(a, pb)
    p = select.poll()
    p.register(b.fileno(), select.POLLIN)
    check(p.poll(TIMEOUT_MS), "B is readable")
    (u,) = split(now(b))
    check(u.type == family_id(a, "ovs_packet") and u.data[16] == OVS_PACKET_CMD_ACTION,
          "B got the ACTION upcall", u)
    check(drained(a), "A got nothing but its ack")
    # Naming B's port id as a vport's upcall pid from A is no claim: no EBUSY.
    vport = family_id(a, "ovs_vport")
    a.send(msg(vport, OVS_VPORT_CMD_SET, u32(OVS_VPORT_ATTR_PORT_NO, 1) +
               u32(OVS_VPORT_ATTR_UPCALL_PID, pb), flags=NLM_F_REQUEST | NLM_F_ACK, seq=30))
    (r,) = split(now(a))
    check(r.error == 0, "vport SET with another socket's port id", r)
    execute_userspace(a, pb)
    check(p.poll(TIMEOUT_MS) and split(now(b))[0].data[16] == OVS_PACKET_CMD_ACTION,
          "still B's")
    a.send(msg(vport, OVS_VPORT_CMD_SET, u32(OVS_VPORT_ATTR_PORT_NO, 1) +
               u32(OVS_VPORT_ATTR_UPCALL_PID, 0), flags=NLM_F_REQUEST | NLM_F_ACK, seq=31))
    check(split(now(a))[0].error == 0, "vport upcall pid back to nobody")
    a.close()
    b.close()


def c_vport_by_name_any_datapath():
    """As the kernel's lookup_vport() (net/openvswitch/datapath.c): a vport
    named in a request with dp_ifindex 0 is found in any datapath (OVS's
    netdev-linux reads port statistics so); by number, or in a dump, 0
    names no datapath (get_dp())."""
    s = gsock()
    vport = family_id(s, "ovs_vport")
    name = attr(3, "net_null0")  # OVS_VPORT_ATTR_NAME
    s.send(msg(vport, 3, name, dp_ifindex=0, seq=50))  # OVS_VPORT_CMD_GET
    (r,) = split(now(s))
    check(r.error is None and r.data[20:24] == struct.pack("=i", 1) and
          r.attrs()[OVS_VPORT_ATTR_PORT_NO] == struct.pack("=I", 1),
          "by name with dp_ifindex 0: port 1, in datapath 1", r)
    for attrs, ifindex, what in ((name, 7, "by name in another datapath"),
                                 (u32(OVS_VPORT_ATTR_PORT_NO, 1), 0, "by number, ifindex 0")):
        s.send(msg(vport, 3, attrs, dp_ifindex=ifindex, seq=51))
        (r,) = split(now(s))
        check(r.error == -errno.ENODEV, what + ": ENODEV", r)
    s.send(msg(vport, 3, flags=NLM_F_REQUEST | NLM_F_DUMP, dp_ifindex=0, seq=52))
    (r,) = split(now(s))
    check(r.error == -errno.ENODEV, "a dump with ifindex 0: ENODEV", r)
    s.close()


DPSW_CMD_CONN_GET, DPSW_CMD_CONN_SET = 5, 6
DPSW_ATTR_PMD_ID, DPSW_ATTR_CONN_PORT_ID, DPSW_ATTR_CONN_FRAMING = 1, 20, 21
DPSW_ATTR_CONN_UPCALL_BATCH = 22


def c_conn_commands():
    """The daemon's DPSW_CMD_CONN_GET/SET (docs/PROTOCOL.md), which the
    library is built on, and their bad input: a clear error each, the
    connection's settings unchanged."""
    s, other = gsock(), gsock()
    dpsw = family_id(s, "dpdk_switch")

    def conn(cmd, attrs=b"", seq=60):
        s.send(msg(dpsw, cmd, attrs, flags=NLM_F_REQUEST | NLM_F_ECHO, seq=seq, dp_ifindex=0))
        (r,) = split(now(s))
        return r

    r = conn(DPSW_CMD_CONN_GET)
    check(r.error is None and
          r.attrs()[DPSW_ATTR_CONN_PORT_ID] == struct.pack("=I", s.getsockname()[0]) and
          r.attrs()[DPSW_ATTR_CONN_FRAMING] == struct.pack("=I", 1) and
          r.attrs()[DPSW_ATTR_CONN_UPCALL_BATCH] == struct.pack("=I", 0),
          "CONN_GET: getsockname's port id, kernel framing", r)
    for attrs, err, reason in (
            (u32(DPSW_ATTR_CONN_FRAMING, 7), errno.EINVAL, "unknown framing 7"),
            (u32(DPSW_ATTR_PMD_ID, 1), errno.EINVAL,
             "CONN_SET takes CONN_PORT_ID, CONN_FRAMING and CONN_UPCALL_BATCH (u32) only"),
            (attr(DPSW_ATTR_CONN_FRAMING, b"\x01"), errno.EINVAL,
             "CONN_SET takes CONN_PORT_ID, CONN_FRAMING and CONN_UPCALL_BATCH (u32) only"),
            (u32(DPSW_ATTR_CONN_UPCALL_BATCH, 2), errno.EINVAL,
             "upcall batch 2 is not 0 (one a datagram) or 1 (many)"),
            (u32(DPSW_ATTR_CONN_PORT_ID, 0), errno.EINVAL, "port id 0 is nobody's"),
            (u32(DPSW_ATTR_CONN_PORT_ID, other.getsockname()[0]), errno.EADDRINUSE,
             "port id %u is another connection's" % other.getsockname()[0])):
        r = conn(DPSW_CMD_CONN_SET, attrs)
        check(r.error == -err and r.reason == reason, "CONN_SET refused: " + reason, r)
    r = conn(DPSW_CMD_CONN_GET)
    check(r.attrs()[DPSW_ATTR_CONN_PORT_ID] == struct.pack("=I", s.getsockname()[0]),
          "port id unchanged", r)
    s.close()
    other.close()


def c_bad_input():
    s = gsock()
    s.send(b"\x05\x00\x00\x00")  # shorter than a netlink header
    (r,) = split(now(s))
    check(r.type == NLMSG_ERROR and r.error == -errno.EINVAL, "framing error answered", r)
    check(family_id(s, "ovs_flow") > 0, "the connection and daemon live on")
    s.close()


def c_overrun():
    """Replies a program does not read in time are dropped and the next
    receive fails once with ENOBUFS, as netlink_overrun() does; the program
    reads on and the socket serves again (no wait for lost answers)."""
    s = gsock()
    dp = family_id(s, "ovs_datapath")
    get = msg(dp, OVS_DP_CMD_GET, attr(OVS_DP_ATTR_NAME, "dpdk-switch"), seq=9)
    for _ in range(6000):
        s.send(get)
    replies, enobufs = 0, 0
    s.settimeout(2)
    while True:
        try:
            data = s.recv(65536)
        except socket.timeout:
            break
        except OSError as e:
            check(e.errno == errno.ENOBUFS, "ENOBUFS, nothing else", e)
            enobufs += 1
            continue
        replies += len(split(data))
    check(enobufs >= 1 and 0 < replies < 6000, "replies dropped, ENOBUFS told",
          replies, enobufs)
    s.settimeout(None)
    s.send(getfamily("ovs_flow", seq=77))
    r = split(now(s))[0]
    check(r.seq == 77 and r.error is None, "answered at once after the overrun", r)
    s.close()
    # NETLINK_NO_ENOBUFS: the drop is silent, as in the kernel.
    s = gsock()
    s.setsockopt(SOL_NETLINK, NETLINK_NO_ENOBUFS, 1)
    for _ in range(6000):
        s.send(get)
    s.settimeout(2)
    try:
        while s.recv(65536):
            pass
    except socket.timeout:
        pass
    s.close()


def child():
    for t in (c_port_ids, c_answer_without_waiting, c_dump, c_slow_answers,
              c_readiness_dup_close, c_options,
              c_rtnetlink_is_the_kernels, c_upcalls_reach_the_port_id,
              c_vport_by_name_any_datapath, c_conn_commands, c_bad_input, c_overrun):
        t()
        print("ok   %s" % t.__name__, flush=True)


# --------------------------------------------------------------- the parent

def parent():
    from e2e import Daemon, check as pcheck, need_root_and_daemon, ok  # noqa: E402
    import dpsw  # noqa: E402

    need_root_and_daemon()
    lib = os.environ.get("DPSW_NETLINK_PRELOAD") or os.path.join(
        dpsw.TREE, "build", "debug", "src", "preload", "libdpdk-switch-netlink.so")
    pcheck(os.path.exists(lib), "the preload library is built", lib)
    d = Daemon(["net_null0,no-rx=1", "net_null1,no-rx=1"])
    lines = "".join("in_port(1),eth(),eth_type(0x0800),ipv4(dst=10.%d.%d.1,frag=no) 2\n"
                    % (i // 250, i % 250) for i in range(N_FLOWS))
    ok(d.sock, "add-flows", "-", stdin=lines)
    env = dict(os.environ, LD_PRELOAD=lib, DPDK_SWITCH_CTL=d.sock, DPSW_PRELOAD_CHILD="1")
    p = subprocess.run([sys.executable, __file__], env=env, capture_output=True, text=True,
                       timeout=300)
    print(p.stdout, end="")
    pcheck(p.returncode == 0, "the checks under LD_PRELOAD", p.stderr[-3000:])
    ok(d.sock, "show")  # the daemon lives on

    # No daemon: socket() fails with the connect error, said once, naming the path.
    code = ("import socket\n"
            "for i in range(2):\n"
            "    try:\n"
            "        socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)\n"
            "    except OSError as e:\n"
            "        print(e.errno)\n")
    missing = os.path.join(os.path.dirname(d.sock), "nothing.sock")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env=dict(os.environ, LD_PRELOAD=lib, DPDK_SWITCH_CTL=missing),
                       timeout=60)
    pcheck(p.stdout.split() == [str(errno.ENOENT)] * 2, "ENOENT from socket()", p.stdout)
    pcheck(p.stderr == "libdpdk-switch-netlink: connect %s: No such file or directory\n"
           % missing, "one line naming the socket", p.stderr)
    # Unset: the default path.
    default = "/run/dpdk-switch/ctl.sock"
    if not os.path.exists(default):
        env = {k: v for k, v in os.environ.items() if k != "DPDK_SWITCH_CTL"}
        p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env=dict(env, LD_PRELOAD=lib), timeout=60)
        pcheck(p.stderr == "libdpdk-switch-netlink: connect %s: No such file or directory\n"
               % default, "the default path", p.stderr)
    print("ok   parent: no daemon, default path")
    d.stop()


if __name__ == "__main__":
    if os.environ.get("DPSW_PRELOAD_CHILD") == "1":
        child()
    else:
        parent()
