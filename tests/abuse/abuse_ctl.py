# SPDX-License-Identifier: BSD-3-Clause
"""The control socket under abuse, as root: garbage and mutated datagrams
from 30 clients at once with the flow table checked against a model of the
valid requests; stalled dumps; connection churn; empty datagrams. The
daemon must keep serving, leak no files, and the table must hold exactly
what the valid requests made."""
import errno
import os
import random
import re
import socket
import struct
import threading
import time

import abuse_lib as L
from abuse_lib import N, check, figure

L.need_root()
SEED = int(os.environ.get("DPSW_ABUSE_SEED", "16"))
N_CLIENTS = 30
FLOWS_PER_CLIENT = 80
NEW, DEL, SET, GET = N.OVS_FLOW_CMD_NEW, N.OVS_FLOW_CMD_DEL, N.OVS_FLOW_CMD_SET, \
    N.OVS_FLOW_CMD_GET


def flow_msg(fam, cmd, in_port, dst, port=None, seq=7, flags=N.NLM_F_REQUEST | N.NLM_F_ACK):
    a = N.nest(N.OVS_FLOW_ATTR_KEY, N.key_attrs(in_port, dst))
    a += N.nest(N.OVS_FLOW_ATTR_MASK, N.mask_attrs())
    if port is not None:
        a += N.nest(N.OVS_FLOW_ATTR_ACTIONS, N.out(port))
    return N.msg(fam, cmd, a, flags=flags, seq=seq)


def mutate(rng, m):
    """One change to a datagram: a bit, a byte, a length field, a cut."""
    m = bytearray(m)
    kind = rng.randrange(5)
    if kind == 0:
        i = rng.randrange(len(m))
        m[i] ^= 1 << rng.randrange(8)
    elif kind == 1:
        m[rng.randrange(len(m))] = rng.randrange(256)
    elif kind == 2:
        struct.pack_into("=I", m, 0, rng.choice([0, 1, 15, 16, 19, len(m) + 4, 0xffffffff]))
    elif kind == 3:
        return bytes(m[:rng.randrange(len(m))])
    else:   # an attribute length somewhere past the headers
        i = rng.randrange(24, len(m) - 2) & ~3
        struct.pack_into("=H", m, i, rng.choice([0, 1, 3, 4, 0xffff, rng.randrange(65536)]))
    return bytes(m)


def garbage(rng):
    kind = rng.randrange(4)
    if kind == 0:
        return b""
    if kind == 1:
        return rng.randbytes(rng.randrange(1, 64))
    if kind == 2:
        return rng.randbytes(rng.randrange(64, 4000))
    # valid-looking headers, random bodies
    body = rng.randbytes(rng.randrange(0, 200))
    return struct.pack("=IHHII", 16 + len(body), rng.choice([0x10, 0x20, 0x21, 0x22, 0x23,
                                                            0x24, 2, 3]),
                       rng.randrange(65536), 7, 0) + body


class Client(threading.Thread):
    """Valid flow requests on in_port 1, dst 10.c.i (each must succeed),
    between mutated copies of requests on in_port 2, dst 192.168.x (a single
    change cannot turn one into the other key space) and garbage."""

    def __init__(self, path, fam, c):
        super().__init__(daemon=True)
        self.rng = random.Random(SEED * 1000 + c)
        self.path, self.fam, self.c = path, fam, c
        self.model = {}
        self.sent = dict(valid=0, mutated=0, garbage=0)
        self.error = None

    def seq(self, i):
        # Differs from the mutated requests' seq (7) in two bytes or more.
        return 0x5A000000 | (self.c << 12) | (i + 16)

    def valid(self, conn, m, seq):
        conn.send(m)
        self.sent["valid"] += 1
        while True:
            for r in conn.recv():
                if r.seq == seq and r.type == N.NLMSG_ERROR:
                    if r.error != 0:
                        raise AssertionError("valid request failed: %r" % r)
                    return

    def noise(self, conn):
        for _ in range(self.rng.randrange(3, 8)):
            if self.rng.random() < 0.8:
                cmd = self.rng.choice([NEW, NEW, SET, GET])
                t = flow_msg(self.fam, cmd, 2, 0xc0a80000 | self.rng.randrange(65536),
                             port=self.rng.choice([1, 2, None]))
                conn.send(mutate(self.rng, t))
                self.sent["mutated"] += 1
            else:
                conn.send(garbage(self.rng))
                self.sent["garbage"] += 1

    def run(self):
        try:
            conn = N.Conn(self.path, timeout=60)
            n = 0
            for i in range(FLOWS_PER_CLIENT):
                dst = 0x0a000000 | (self.c << 8) | i
                port = 1 + i % 2
                self.noise(conn)
                self.valid(conn, flow_msg(self.fam, NEW, 1, dst, port, seq=self.seq(n)),
                           self.seq(n))
                n += 1
                self.model[dst] = port
                if i % 5 == 0:
                    self.noise(conn)
                    self.valid(conn, flow_msg(self.fam, DEL, 1, dst, seq=self.seq(n)),
                               self.seq(n))
                    n += 1
                    del self.model[dst]
                elif i % 7 == 0:
                    self.valid(conn, flow_msg(self.fam, SET, 1, dst, 3 - port,
                                              seq=self.seq(n)), self.seq(n))
                    n += 1
                    self.model[dst] = 3 - port
            conn.close()
        except Exception as e:  # noqa: BLE001 - reported by the case
            self.error = e


def table(path):
    """{dst: output port} of the flows on in_port 1 with a 10/8 destination."""
    c = N.Conn(path, timeout=30)
    fam = c.family("ovs_flow")
    out = {}
    for r in c.dump(N.msg(fam, GET, flags=N.NLM_F_REQUEST | N.NLM_F_DUMP)):
        a = r.attrs()
        key = N.parse_attrs(a[N.OVS_FLOW_ATTR_KEY])
        in_port = key.get(N.OVS_KEY_ATTR_IN_PORT)
        ipv4 = key.get(N.OVS_KEY_ATTR_IPV4)
        if in_port != struct.pack("=I", 1) or ipv4 is None or ipv4[4] != 10:
            continue
        dst = struct.unpack("!I", ipv4[4:8])[0]
        acts = N.parse_attrs(a.get(N.OVS_FLOW_ATTR_ACTIONS, b""))
        out[dst] = struct.unpack("=I", acts[N.OVS_ACTION_ATTR_OUTPUT])[0] \
            if N.OVS_ACTION_ATTR_OUTPUT in acts else None
    c.close()
    return out


def n_fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def test_garbage_from_many_clients():
    d = L.Daemon().start()
    fam = N.Conn(d.sock).family("ovs_flow")
    rss0 = L.rss_kb(d.proc.pid)
    clients = [Client(d.sock, fam, c) for c in range(N_CLIENTS)]
    t0 = time.monotonic()
    for c in clients:
        c.start()
    for c in clients:
        c.join(120)
        check(not c.is_alive(), "client %d finished" % c.c)
        check(c.error is None, "client %d" % c.c, c.error)
    took = time.monotonic() - t0
    model = {}
    for c in clients:
        model.update(c.model)
    got = table(d.sock)
    check(got == model, "the table holds exactly what the valid requests made",
          "missing %s" % sorted(set(model) - set(got))[:5],
          "extra %s" % sorted(set(got) - set(model))[:5],
          "different %s" % [k for k in model if k in got and got[k] != model[k]][:5])
    sent = {k: sum(c.sent[k] for c in clients) for k in ("valid", "mutated", "garbage")}
    figure("garbage from %d clients" % N_CLIENTS,
           "%s datagrams in %.1f s, %d flows checked, RSS %d -> %d kB" %
           (sent, took, len(model), rss0, L.rss_kb(d.proc.pid)))
    check(sent["mutated"] > 3000 and sent["garbage"] > 500, "enough abuse", sent)
    L.show_text(d)
    check(d.stop() == 0, "clean stop", d.output)
    check(L.dpsw.stats_value(d.output, "mbufs in use") == 0, "no mbuf leak", d.output)


def install(path, n, in_port=1):
    """n flows in datagrams of 500 NEWs (no acks: errors would come back)."""
    c = N.Conn(path, timeout=60)
    fam = c.family("ovs_flow")
    for base in range(0, n, 500):
        dgram = b"".join(flow_msg(fam, NEW, in_port, 0x0a100000 + i, 2, seq=i,
                                  flags=N.NLM_F_REQUEST)
                         for i in range(base, min(n, base + 500)))
        c.send(dgram)
    (r,) = c.request(N.msg(c.family("ovs_datapath"), N.OVS_DP_CMD_GET,
                           N.attr(N.OVS_DP_ATTR_NAME, N.DP_NAME), seq=99999))
    check(r.error is None, "flows installed", r)
    c.close()
    return fam


def test_stalled_dumps():
    """20 clients start a flow dump of 3000 flows and stop reading. Root is
    still served and flows still change; later, half read their dump to the
    end (every flow present throughout comes exactly once), half vanish."""
    d = L.Daemon().start()
    fam = install(d.sock, 3000)
    rss0 = L.rss_kb(d.proc.pid)
    stalled = []
    for _ in range(20):
        c = N.Conn(d.sock, timeout=30)
        c.send(N.msg(fam, GET, flags=N.NLM_F_REQUEST | N.NLM_F_DUMP))
        stalled.append(c)
    time.sleep(1)
    t0 = time.monotonic()
    d.ctl("add-flow", "in_port(2),eth(),eth_type(0x0806)", "1")
    d.ctl("del-flow", "in_port(2),eth(),eth_type(0x0806)")
    out = L.show_text(d)
    took = time.monotonic() - t0
    check("flows: 3000" in out, "root served during the stalled dumps", out)
    rss1 = L.rss_kb(d.proc.pid)
    figure("20 stalled dumps of 3000 flows", "root's changes and show in %.2f s, RSS %d -> %d kB"
           % (took, rss0, rss1))
    check(rss1 - rss0 < 32 * 1024, "stalled dumps hold bounded memory")
    for c in stalled[:10]:
        seen = []
        while True:
            rs = c.recv()
            if any(r.type == N.NLMSG_DONE for r in rs):
                seen += [r for r in rs if r.type != N.NLMSG_DONE]
                break
            seen += rs
        dsts = [struct.unpack("!I", N.parse_attrs(r.attrs()[N.OVS_FLOW_ATTR_KEY])
                              [N.OVS_KEY_ATTR_IPV4][4:8])[0] for r in seen]
        check(sorted(dsts) == [0x0a100000 + i for i in range(3000)],
              "a resumed dump has every flow once", len(dsts))
        c.close()
    for c in stalled[10:]:
        c.close()
    check("flows: 3000" in L.show_text(d), "table intact")
    check(d.stop() == 0, "clean stop", d.output)


def test_connection_churn():
    """2000 connections that close at bad moments: before a reply, mid-dump,
    after garbage. No file or memory is left behind."""
    d = L.Daemon().start()
    fam = install(d.sock, 2000)
    rng = random.Random(SEED)
    fds0, rss0 = n_fds(d.proc.pid), L.rss_kb(d.proc.pid)
    t0 = time.monotonic()
    for i in range(2000):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        s.settimeout(30)
        s.connect(d.sock)
        kind = i % 4
        if kind == 1:
            s.send(N.msg(fam, GET, flags=N.NLM_F_REQUEST | N.NLM_F_DUMP))
        elif kind == 2:
            s.send(N.msg(fam, GET, flags=N.NLM_F_REQUEST | N.NLM_F_DUMP))
            s.recv(1 << 18)     # one part, then gone mid-dump
        elif kind == 3:
            s.send(garbage(rng))
        s.close()
    took = time.monotonic() - t0
    L.show_text(d)
    fds1 = L.wait_for(lambda: n_fds(d.proc.pid) <= fds0 and n_fds(d.proc.pid), 10,
                      "files back to %d (now %d)" % (fds0, n_fds(d.proc.pid)))
    rss1 = L.rss_kb(d.proc.pid)
    figure("2000 connections churned", "in %.1f s, files %d -> %d, RSS %d -> %d kB"
           % (took, fds0, fds1, rss0, rss1))
    check(rss1 - rss0 < 16 * 1024, "memory back", rss0, rss1)
    check(d.stop() == 0, "clean stop", d.output)


def test_empty_datagrams():
    """A 0-length datagram holds no message: no reply, and the connection
    stays open (docs/PROTOCOL.md); a request after it is answered."""
    d = L.Daemon().start()
    c = N.Conn(d.sock)
    for i in range(100):
        c.send(b"")
        if i % 10 == 0:
            check(c.family("ovs_flow") > 0, "served after %d empty datagrams" % (i + 1))
            c.families.clear()
    c.sock.settimeout(0.5)
    try:
        extra = c.sock.recv(65536)
    except socket.timeout:
        extra = None
    check(extra is None, "no reply to an empty datagram", extra)
    c.sock.settimeout(10)
    check(N.n_flows(c) == 0, "the connection still serves")
    c.close()
    check(d.stop() == 0, "clean stop", d.output)


def test_blocking_sender_never_stuck():
    """A client that sends in blocking mode and reads nothing until it has
    sent everything (2000 datagrams of datapath GETs, about 40 times the
    daemon's reply budget) is never stuck in send(): the daemon goes on
    reading, drops the replies past the budget and says so once with an
    ENOBUFS notice (seq 0), as the kernel's netlink_overrun() makes the
    next recvmsg fail; the connection then serves as before."""
    d = L.Daemon().start()
    c = N.Conn(d.sock, timeout=20)   # send() blocks at most this long
    fam = c.family("ovs_datapath")
    one = N.msg(fam, N.OVS_DP_CMD_GET, N.attr(N.OVS_DP_ATTR_NAME, N.DP_NAME), seq=5)
    dgram = one * 20
    t0 = time.monotonic()
    for _ in range(2000):
        c.send(dgram)
    took = time.monotonic() - t0
    figure("blocking sender", "%d GETs sent in %.1f s, nothing read" % (2000 * 20, took))
    replies, notices = 0, []
    c.sock.settimeout(2)
    try:
        while True:
            for r in c.recv():
                if r.seq == 0 and r.type == N.NLMSG_ERROR:
                    notices.append(r.error)
                else:
                    replies += 1
    except socket.timeout:
        pass
    figure("replies read / dropped", "%d / %d, notices %r" % (replies, 40000 - replies,
                                                              notices))
    check(notices and set(notices) == {-errno.ENOBUFS}, "ENOBUFS notice", notices)
    check(0 < replies < 40000, "replies past the budget dropped", replies)
    c.sock.settimeout(10)
    c.families.clear()
    check(c.family("ovs_flow") > 0, "the connection serves after the overrun")
    c.close()
    check(d.stop() == 0, "clean stop", d.output)
    dropped = int(re.search(r"(\d+) replies dropped", d.output).group(1))
    check(dropped > 0, "drops counted", d.output)


def test_refused_connection_told_why():
    """A connection over a cap reads an ECONNREFUSED notice with the reason
    before the daemon closes it, and dpdk-switch-ctl prints that reason."""
    d = L.Daemon(options=["--ctl-max-conns", "16"]).start()   # the least it takes
    held = [N.Conn(d.sock) for _ in range(16)]
    for c in held:
        check(c.family("ovs_flow") > 0, "within the cap")
    c = N.Conn(d.sock)
    try:
        c.send(N.msg(N.GENL_ID_CTRL, N.CTRL_CMD_GETFAMILY,
                     N.attr(N.CTRL_ATTR_FAMILY_NAME, "ovs_flow"), ovs=False))
    except BrokenPipeError:
        pass   # refused before the request left: the notice is there all the same
    (r,) = c.recv()
    check(r.type == N.NLMSG_ERROR and r.seq == 0 and r.error == -errno.ECONNREFUSED,
          "ECONNREFUSED notice", r)
    check("--ctl-max-conns" in (r.reason or ""), "the notice names the cap", r)
    check(c.sock.recv(100) == b"", "then closed")
    c.close()
    res = d.ctl("show", check=False)
    check(res.returncode != 0 and "--ctl-max-conns" in res.stderr,
          "the client prints the reason", res.stderr)
    for c in held:
        c.close()
    check(d.stop() == 0, "clean stop", d.output)


L.run([(test_empty_datagrams, 60), (test_garbage_from_many_clients, 150),
       (test_stalled_dumps, 120), (test_connection_churn, 120),
       (test_blocking_sender_never_stuck, 90), (test_refused_connection_told_why, 60)])
