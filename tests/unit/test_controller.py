# SPDX-License-Identifier: BSD-3-Clause
"""Unit tests of examples/controller.py: no daemon, no privileges.

The test plays the daemon on the other end of a SOCK_SEQPACKET socket pair:
it answers the controller's start-up requests, feeds it MISS upcalls that
dpdk-switch really sent (tests/data/controller_upcalls.txt), and decodes
the requests the controller writes back with its own code (struct), not the
controller's.

    /usr/bin/python3 tests/unit/test_controller.py            # the tests
    /usr/bin/python3 tests/unit/test_controller.py --capture  # root: new data
"""
import contextlib
import errno
import io
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest

TREE = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(TREE, "examples"))
import controller as C  # noqa: E402

DATA = os.path.join(TREE, "tests", "data", "controller_upcalls.txt")
MAC_A, MAC_B = bytes.fromhex("02005e000001"), bytes.fromhex("02005e000002")
DP_IFINDEX = 7          # what our fake daemon answers; the controller must echo it
PORTS = {0: "dpdk-switch", 1: "net_tap0", 2: "net_tap1", 3: "net_tap2"}


def load_data():
    families, upcalls = {}, {}
    if not os.path.exists(DATA) and sys.argv[1:] == ["--capture"]:
        return families, upcalls
    with open(DATA) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            name, value = line.split(None, 1)
            if name == "families":
                families = {k: int(v) for k, v in (kv.split("=") for kv in value.split())}
            else:
                upcalls[name] = bytes.fromhex(value.strip())
    return families, upcalls


FAMILIES, UPCALLS = load_data()


# ---- decoding, independent of the controller's code ----------------------
def parse_msgs(data):
    out, ofs = [], 0
    while ofs < len(data):
        ln, typ, flags, seq, pid = struct.unpack_from("=IHHII", data, ofs)
        out.append(dict(type=typ, flags=flags, seq=seq, pid=pid, body=data[ofs + 16:ofs + ln]))
        ofs += (ln + 3) & ~3
    return out


def parse_attrs(buf):
    out, ofs = [], 0
    while ofs + 4 <= len(buf):
        ln, typ = struct.unpack_from("=HH", buf, ofs)
        out.append((typ & 0x7fff, buf[ofs + 4:ofs + ln]))
        ofs += (ln + 3) & ~3
    return out


def ovs_request(msg):
    """(cmd, dp_ifindex, [(type, payload)]) of an OVS family request."""
    cmd, _version, _ = struct.unpack_from("=BBH", msg["body"])
    (ifindex,) = struct.unpack_from("=i", msg["body"], 4)
    return cmd, ifindex, parse_attrs(msg["body"][8:])


def upcall_attrs(name):
    msg = parse_msgs(UPCALLS[name])[0]
    return dict(parse_attrs(msg["body"][8:]))


def set_in_port(datagram, port):
    """A copy of an upcall datagram with another OVS_KEY_ATTR_IN_PORT."""
    data = bytearray(datagram)
    ofs = 16 + 8
    while ofs < len(data):
        ln, typ = struct.unpack_from("=HH", data, ofs)
        if typ & 0x7fff == 2:  # OVS_PACKET_ATTR_KEY
            k = ofs + 4
            while k < ofs + ln:
                kl, kt = struct.unpack_from("=HH", data, k)
                if kt == 3:  # OVS_KEY_ATTR_IN_PORT
                    struct.pack_into("=I", data, k + 4, port)
                    return bytes(data)
                k += (kl + 3) & ~3
        ofs += (ln + 3) & ~3
    raise AssertionError("no in_port in the upcall")


def nl_reply(req, typ, body, flags=0):
    return struct.pack("=IHHII", 16 + len(body), typ, flags, req["seq"], req["pid"]) + body


def nl_ack(req, err=0, reason=None):
    body = struct.pack("=i", -err)
    body += struct.pack("=IHHII", 16 + len(req["body"]), req["type"], req["flags"],
                        req["seq"], req["pid"])
    flags = 0
    if reason is not None:
        body += req["body"]
        text = reason.encode() + b"\0"
        attr = struct.pack("=HH", 4 + len(text), 1) + text
        body += attr + b"\0" * (((len(attr) + 3) & ~3) - len(attr))
        flags = C.NLM_F_ACK_TLVS
    return struct.pack("=IHHII", 16 + len(body), C.NLMSG_ERROR, flags, req["seq"],
                       req["pid"]) + body


def attr(typ, payload):
    raw = struct.pack("=HH", 4 + len(payload), typ) + payload
    return raw + b"\0" * (((len(raw) + 3) & ~3) - len(raw))


class FakeDaemon:
    """The daemon's side of the control socket: answers start-up requests
    (families, datapath, ports) and records everything else."""

    def __init__(self, sock):
        self.sock = sock
        self.requests = []   # every message received, in order

    def serve_one(self):
        data = self.sock.recv(1 << 18)
        for req in parse_msgs(data):
            self.requests.append(req)
            self.answer(req)

    def answer(self, req):
        if req["type"] == 0x10:  # GENL_ID_CTRL
            name = dict(parse_attrs(req["body"][4:]))[2].rstrip(b"\0").decode()
            if name not in FAMILIES:
                self.sock.send(nl_ack(req, errno.ENOENT, "no family " + name))
                return
            body = struct.pack("=BBH", 1, 2, 0) + attr(1, struct.pack("=H", FAMILIES[name]))
            self.sock.send(nl_reply(req, 0x10, body) + nl_ack(req))
            return
        cmd, _, attrs = ovs_request(req)
        if req["type"] == FAMILIES["ovs_datapath"] and cmd in (3, 4):  # GET, SET
            body = struct.pack("=BBHi", cmd, 2, 0, DP_IFINDEX)
            body += attr(1, b"dpdk-switch\0")
            body += attr(3, struct.pack("=4Q", 10, 20, 3, 5))
            self.sock.send(nl_reply(req, req["type"], body) + nl_ack(req))
        elif req["type"] == FAMILIES["ovs_vport"] and req["flags"] & 0x300 == 0x300:
            out = b""
            for no, name in PORTS.items():
                body = struct.pack("=BBHi", 3, 1, 0, DP_IFINDEX)
                body += attr(1, struct.pack("=I", no)) + attr(3, name.encode() + b"\0")
                out += nl_reply(req, req["type"], body, flags=2)  # NLM_F_MULTI
            out += nl_reply(req, 3, struct.pack("=i", 0), flags=2)  # NLMSG_DONE
            self.sock.send(out)

    def take(self, family=None):
        """Requests recorded since the last take (of one family)."""
        out = [r for r in self.requests if family is None or r["type"] == FAMILIES[family]]
        self.requests = []
        return out


class Harness(unittest.TestCase):
    """A controller (Datapath + LearningSwitch) wired to a FakeDaemon."""

    def setUp(self):
        self.ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.daemon = FakeDaemon(self.ours)
        self.dp = C.Datapath(sock=theirs, pid=4242)
        self.stop = threading.Event()
        self.reading = threading.Event()
        self.reading.set()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()
        self.dp.open()
        self.dp.set_upcall_pid()
        self.sw = C.LearningSwitch(self.dp)
        self.sync()
        self.startup = self.daemon.take()

    def serve(self):
        self.ours.settimeout(0.05)
        while not self.stop.is_set():
            if not self.reading.is_set():   # a daemon that stopped reading
                time.sleep(0.01)
                continue
            try:
                self.daemon.serve_one()
            except socket.timeout:
                pass
            except OSError:
                return

    def sync(self):
        """Wait until the fake daemon has read everything the controller sent:
        a GET we wait for is answered after everything before it."""
        self.dp.stats()
        last = self.daemon.requests.pop()
        assert last["type"] == FAMILIES["ovs_datapath"] and ovs_request(last)[0] == 3

    def tearDown(self):
        self.stop.set()
        self.thread.join()
        self.dp.close()
        self.ours.close()

    def feed(self, name_or_bytes):
        data = UPCALLS.get(name_or_bytes, name_or_bytes)
        self.ours.send(data)
        self.sw.run_once()
        self.sync()
        return self.daemon.take()

    def assert_flow(self, req, upcall, outputs):
        cmd, ifindex, attrs = ovs_request(req)
        self.assertEqual(req["type"], FAMILIES["ovs_flow"])
        self.assertEqual(cmd, 1)                           # OVS_FLOW_CMD_NEW
        self.assertEqual(ifindex, DP_IFINDEX)
        self.assertEqual(req["pid"], 4242)
        self.assertFalse(req["flags"] & 0x600, "NLM_F_CREATE/EXCL would fail on a race")
        a = dict(attrs)
        self.assertEqual(sorted(a), [1, 2, 7])             # KEY, ACTIONS, MASK
        self.assertEqual(a[1], upcall_attrs(upcall)[2])   # the upcall's key, as is
        self.assertEqual(parse_attrs(a[7]), [(3, b"\xff" * 4), (4, b"\xff" * 12)])
        self.assertEqual(parse_attrs(a[2]), [(1, struct.pack("=I", p)) for p in outputs])

    def assert_execute(self, req, upcall, outputs):
        cmd, ifindex, attrs = ovs_request(req)
        self.assertEqual(req["type"], FAMILIES["ovs_packet"])
        self.assertEqual(cmd, 3)                           # OVS_PACKET_CMD_EXECUTE
        self.assertEqual(ifindex, DP_IFINDEX)
        a = dict(attrs)
        up = upcall_attrs(upcall)
        self.assertEqual(a[1], up[1])                      # the packet
        self.assertEqual(a[2], up[2])                      # its key
        self.assertEqual(parse_attrs(a[3]), [(1, struct.pack("=I", p)) for p in outputs])


class StartUp(Harness):
    def test_handshake(self):
        reqs = self.startup
        names = [dict(parse_attrs(r["body"][4:]))[2] for r in reqs if r["type"] == 0x10]
        self.assertEqual(names, [b"ovs_datapath\0", b"ovs_vport\0", b"ovs_flow\0",
                                 b"ovs_packet\0"])
        ovs = [r for r in reqs if r["type"] != 0x10]
        get, dpset, dump = ovs
        self.assertEqual(ovs_request(get)[0], 3)
        self.assertEqual(dict(ovs_request(get)[2])[1], b"dpdk-switch\0")
        cmd, ifindex, attrs = ovs_request(dpset)
        self.assertEqual((cmd, ifindex), (4, DP_IFINDEX))
        self.assertEqual(attrs, [(2, struct.pack("=I", 4242))])  # UPCALL_PID = our pid
        self.assertEqual(dpset["pid"], 4242)
        self.assertEqual(dump["type"], FAMILIES["ovs_vport"])
        self.assertEqual(dump["flags"] & 0x300, 0x300)
        self.assertEqual(self.sw.ports, {1: "net_tap0", 2: "net_tap1", 3: "net_tap2"})

    def test_stats(self):
        self.assertEqual(self.dp.stats(), dict(n_hit=10, n_missed=20, n_lost=3, n_flows=5))


class Learning(Harness):
    def test_broadcast_floods_and_installs(self):
        reqs = self.feed("arp_request")                   # port 1, A -> ff:ff:...
        self.assertEqual(len(reqs), 2)
        self.assert_flow(reqs[0], "arp_request", [2, 3])  # every port but 1 and local
        self.assert_execute(reqs[1], "arp_request", [2, 3])
        self.assertEqual(self.sw.macs, {MAC_A: 1})

    def test_known_unicast(self):
        self.feed("arp_request")
        reqs = self.feed("arp_reply")                     # port 2, B -> A (A known)
        self.assert_flow(reqs[0], "arp_reply", [1])
        self.assert_execute(reqs[1], "arp_reply", [1])
        self.assertEqual(self.sw.macs, {MAC_A: 1, MAC_B: 2})
        reqs = self.feed("icmp_request")                  # port 1, A -> B
        self.assert_flow(reqs[0], "icmp_request", [2])
        self.assert_execute(reqs[1], "icmp_request", [2])

    def test_unknown_unicast_floods_without_flow(self):
        reqs = self.feed("icmp_request")                  # B not learned yet
        self.assertEqual(len(reqs), 1)
        self.assert_execute(reqs[0], "icmp_request", [2, 3])

    def test_ipv6_multicast(self):
        reqs = self.feed("nd_solicit")                    # to 33:33:ff:..
        self.assert_flow(reqs[0], "nd_solicit", [2, 3])
        reqs = self.feed("nd_advert")                     # B -> A, unicast
        self.assert_flow(reqs[0], "nd_advert", [1])

    def test_hairpin_is_a_drop_flow(self):
        self.feed("arp_request")
        reqs = self.feed(set_in_port(UPCALLS["icmp_reply"], 1))  # B -> A, but from port 1
        self.assertEqual(len(reqs), 1)                    # a flow, and no execute
        cmd, _, attrs = ovs_request(reqs[0])
        self.assertEqual(dict(attrs)[2], b"")             # no actions: drop

    def test_move_flushes(self):
        self.feed("arp_request")                          # A on port 1
        reqs = self.feed(set_in_port(UPCALLS["arp_request"], 3))  # A now on port 3
        cmd, _, attrs = ovs_request(reqs[0])
        self.assertEqual((reqs[0]["type"], cmd, attrs), (FAMILIES["ovs_flow"], 2, []))
        self.assertEqual(self.sw.macs[MAC_A], 3)
        self.assertEqual(self.sw.counts["moved"], 1)

    def test_new_port_refreshes(self):
        del self.sw.ports[3]
        reqs = self.feed(set_in_port(UPCALLS["arp_request"], 3))
        self.assertEqual(reqs[0]["type"], FAMILIES["ovs_vport"])  # a new dump
        self.assertIn(3, self.sw.ports)


class BadInput(Harness):
    def test_error_reply_is_counted(self):
        self.feed("arp_request")
        req = {"seq": 99, "pid": 4242, "type": FAMILIES["ovs_flow"], "flags": 1,
               "body": b"\1\1\0\0" + struct.pack("=i", DP_IFINDEX)}
        self.ours.send(nl_ack(req, errno.EPERM, "this command needs an admin peer"))
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            self.sw.run_once()
        self.assertEqual(self.dp.errors, 1)
        self.assertEqual(err.getvalue(), "controller: request 99 failed: Operation not "
                         "permitted: this command needs an admin peer\n")

    def test_malformed_upcalls_are_skipped(self):
        good = UPCALLS["arp_request"]
        bad_attr = bytearray(good)
        struct.pack_into("=H", bad_attr, 24, 0xfff0)       # first attribute too long
        no_key = struct.pack("=I", 24) + good[4:24]        # no attributes at all
        bad_frame = struct.pack("=IHHII", 9999, FAMILIES["ovs_packet"], 0, 0, 0) + good[16:]
        for data in (bytes(bad_attr), no_key, bad_frame):
            reqs = self.feed(data)
            self.assertEqual(reqs, [])
        self.assertEqual(self.dp.errors, 3)
        self.assertEqual(len(self.feed("arp_request")), 2)  # and it goes on

    def test_transact_error(self):
        with self.assertRaises(C.NetlinkError) as cm:
            self.dp.family("no_such_family")
        self.assertEqual(cm.exception.errno, errno.ENOENT)


class Backpressure(Harness):
    """A daemon that stops reading our requests while misses keep coming:
    the controller must never block in send() (it would never read again),
    must drop misses once its queue is long, and must catch up when the
    daemon reads again."""

    def test_never_blocks_and_drops_when_busy(self):
        self.reading.clear()
        time.sleep(0.1)
        done = threading.Event()

        def storm():
            for _ in range(6000):
                self.ours.send(UPCALLS["arp_request"])
                self.sw.run_once()
            done.set()
        t = threading.Thread(target=storm, daemon=True)
        t.start()
        t.join(60)
        self.assertTrue(done.is_set(), "the controller blocked with the daemon not reading")
        self.assertGreater(self.dp.out_bytes, C.OUT_BUSY)
        self.assertGreater(self.sw.counts["dropped"], 0)
        handled = self.sw.counts["misses"]
        self.assertEqual(handled + self.sw.counts["dropped"], 6000)
        self.reading.set()
        deadline = time.monotonic() + 30
        while self.dp.outq and time.monotonic() < deadline:
            self.dp.wait(0.1)
        self.assertFalse(self.dp.outq, "the queue drains once the daemon reads")
        self.sync()
        reqs = self.daemon.take()
        self.assertEqual(len(reqs), 2 * handled)   # a flow and an execute each, in order
        self.assert_flow(reqs[0], "arp_request", [2, 3])
        self.assert_execute(reqs[-1], "arp_request", [2, 3])

    def test_stop_request_ends_a_wait(self):
        self.reading.clear()
        time.sleep(0.1)   # the fake daemon's last read is over
        self.dp.stop_requested = lambda: True
        with self.assertRaises(C.Interrupted):
            self.dp.stats()


class Program(unittest.TestCase):
    """The real program against a fake daemon on a socket path."""

    def test_runs_and_exits_when_the_daemon_goes(self):
        tmp = tempfile.mkdtemp()
        path = os.path.join(tmp, "ctl.sock")
        lsock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        lsock.bind(path)
        lsock.listen(1)
        p = subprocess.Popen([sys.executable, os.path.join(TREE, "examples", "controller.py"),
                              "--ctl", path, "-v"], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
        conn, _ = lsock.accept()
        conn.settimeout(10)
        d = FakeDaemon(conn)
        while not any(r["type"] == FAMILIES["ovs_vport"] for r in d.requests):
            d.serve_one()
        self.assertEqual(p.stdout.readline().strip(),
                         "controller: listening for misses on %s, ports 1 (net_tap0), "
                         "2 (net_tap1), 3 (net_tap2)" % path)
        pid = dict(ovs_request(d.requests[5])[2])[2]
        self.assertEqual(struct.unpack("=I", pid)[0], p.pid)
        d.take()
        conn.send(UPCALLS["arp_request"])
        while len(d.requests) < 2:
            d.serve_one()
        self.assertEqual([r["type"] for r in d.requests],
                         [FAMILIES["ovs_flow"], FAMILIES["ovs_packet"]])
        conn.close()
        out = p.communicate(timeout=10)[0]
        self.assertEqual(p.returncode, 1)
        self.assertIn("the daemon closed the control socket", out)
        self.assertIn("misses 1, flows 1, floods 1, learned 1", out)
        lsock.close()
        os.unlink(path)
        os.rmdir(tmp)

    def test_no_daemon(self):
        r = subprocess.run([sys.executable, os.path.join(TREE, "examples", "controller.py"),
                            "--ctl", "/nonexistent/ctl.sock"], capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(r.returncode, 1)
        self.assertIn("/nonexistent/ctl.sock", r.stderr)


class Constants(unittest.TestCase):
    """The controller's protocol numbers are the system headers' ones."""

    def test_match_headers(self):
        names = [n for n in dir(C) if n.isupper() and n.split("_")[0] in
                 ("NLMSG", "NLM", "NLMSGERR", "NLA", "GENL", "CTRL", "OVS") and
                 isinstance(getattr(C, n), int)]
        src = "#include <stdio.h>\n#include <linux/genetlink.h>\n" \
              "#include <linux/openvswitch.h>\nint main(void) {\n"
        src += "".join('printf("%%s %%ld\\n", "%s", (long)(%s));\n' % (n, n) for n in names)
        src += "return 0; }\n"
        with tempfile.TemporaryDirectory() as tmp:
            exe = os.path.join(tmp, "consts")
            r = subprocess.run(["cc", "-x", "c", "-", "-o", exe], input=src, text=True,
                               capture_output=True)
            if r.returncode != 0:
                self.fail("cannot compile against the headers:\n" + r.stderr)
            out = subprocess.run([exe], capture_output=True, text=True).stdout
        got = dict(line.split() for line in out.splitlines())
        self.assertGreater(len(names), 35)
        for n in names:
            self.assertEqual(int(got[n]), getattr(C, n), n)


# ---- capture: regenerate tests/data/controller_upcalls.txt (root) --------
def capture():
    """Upcalls of real traffic between two hosts, forwarded by hand."""
    import select
    import time
    sys.path.insert(0, os.path.join(TREE, "tests", "e2e"))
    from netns import Topology
    want = {
        "arp_request": lambda u: u.eth_type == 0x0806 and u.eth_dst == b"\xff" * 6,
        "arp_reply": lambda u: u.eth_type == 0x0806 and u.eth_dst == MAC_A,
        "icmp_request": lambda u: u.eth_type == 0x0800 and u.eth_dst == MAC_B,
        "icmp_reply": lambda u: u.eth_type == 0x0800 and u.eth_dst == MAC_A,
        "nd_solicit": lambda u: u.eth_type == 0x86dd and u.eth_dst[:3] == b"\x33\x33\xff"
        and u.eth_src == MAC_A,
        "nd_advert": lambda u: u.eth_type == 0x86dd and u.eth_dst == MAC_A and
        u.packet[14 + 40] == 136,
    }
    got = {}
    with Topology(2) as t:
        a, b = t.hosts
        assert (a.mac, b.mac) == ("02:00:5e:00:00:01", "02:00:5e:00:00:02")
        dp = C.Datapath(t.daemon.sock).open()
        dp.set_upcall_pid()
        pinger = a.popen("sh", "-c", "ping -c 4 %s; ping -c 4 %s" % (b.ip4, b.ip6))
        deadline = time.monotonic() + 15
        while len(got) < len(want) and time.monotonic() < deadline:
            if not select.select([dp.sock], [], [], 0.2)[0]:
                continue
            datagram = dp.sock.recv(C.MAX_DGRAM)  # the raw bytes, then as the controller
            for m in dp.parse_datagram(datagram):
                dp.note_unsolicited(*m)
            for u in dp.upcalls():
                dp.execute(u.packet, u.key, C.actions_output([3 - u.in_port]))
                for name, match in want.items():
                    if name not in got and match(u):
                        got[name] = datagram
        pinger.wait(30)
    if len(got) < len(want):
        sys.exit("captured only %s" % sorted(got))
    with open(DATA, "w") as f:
        f.write("# MISS upcalls as dpdk-switch sent them, one datagram a line (hex), from\n"
                "# tests/unit/test_controller.py --capture: host A (port 1, 02:00:5e:00:00:01)\n"
                "# pings host B (port 2, 02:00:5e:00:00:02) over IPv4, then IPv6, through\n"
                "# net_tap ports; the capture forwards each upcall to the other port.\n")
        f.write("families %s\n" % " ".join("%s=%d" % kv for kv in sorted(dp.families.items())))
        for name in want:
            f.write("%s %s\n" % (name, got[name].hex()))
    print("wrote", DATA)


if __name__ == "__main__":
    if sys.argv[1:] == ["--capture"]:
        capture()
    else:
        unittest.main()
