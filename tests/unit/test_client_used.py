# SPDX-License-Identifier: BSD-3-Clause
"""The "used:" age that dpdk-switch-ctl prints for a flow (dump-flows,
--json's used_ms_ago, get-flow) is never negative, whatever the reply's
delay: the client measures the age against its clock read after the reply,
as ovs-dpctl does (lib/dpif.c: dpif_flow_stats_format() reads time_msec()
as it formats). No daemon, no privileges.

The test plays the daemon on the control socket: it answers the client's
start-up requests (families, datapath), then answers a flow request only
after DELAY_S, with OVS_FLOW_ATTR_USED set to CLOCK_MONOTONIC ms at the
moment it sends (a flow that carries traffic), as the daemon and the
kernel's ovs_flow_used_time() report it. A client that read its clock
before sending the request prints about -DELAY_S.

    DPDK_SWITCH_CTL=build/debug/src/client/dpdk-switch-ctl \\
        /usr/bin/python3 tests/unit/test_client_used.py
"""
import json
import os
import re
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
import nlraw as N  # noqa: E402

FAMILIES = {"ovs_datapath": 0x20, "ovs_vport": 0x21, "ovs_flow": 0x22, "ovs_packet": 0x23}
OVS_FLOW_ATTR_USED = 5
DELAY_S = 0.2
OLD_MS = 1500           # the second flow's last use, before the reply
BUSY_DST, OLD_DST = 0x0a000001, 0x0a000002


def ctl_bin():
    path = os.environ.get("DPDK_SWITCH_CTL")
    if not path:
        here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
        path = os.path.join(here, "build", "debug", "src", "client", "dpdk-switch-ctl")
    return path


def mono_ms():
    return int(time.clock_gettime(time.CLOCK_MONOTONIC) * 1000)


def reply(req, typ, body, flags=0):
    return N.NLMSG_HDR.pack(16 + len(body), typ, flags, req.seq, req.pid) + body


def ack(req):
    body = struct.pack("=i", 0) + req.data[:16]
    return N.NLMSG_HDR.pack(16 + len(body), N.NLMSG_ERROR, 0, req.seq, req.pid) + body


def done(req):
    return reply(req, N.NLMSG_DONE, struct.pack("=i", 0), flags=N.NLM_F_MULTI)


def flow_body(dst, used_ms):
    acts = N.nest(N.OVS_FLOW_ATTR_ACTIONS, N.u32(N.OVS_ACTION_ATTR_OUTPUT, 2))
    return (struct.pack("=BBHi", N.OVS_FLOW_CMD_GET, 1, 0, N.DP_IFINDEX) +
            N.nest(N.OVS_FLOW_ATTR_KEY, N.key_attrs(1, dst)) +
            N.attr(N.OVS_FLOW_ATTR_STATS, struct.pack("=QQ", 7, 700)) +
            N.attr(OVS_FLOW_ATTR_USED, struct.pack("=Q", used_ms)) + acts)


class FakeDaemon(threading.Thread):
    """Answers one client connection after another until closed."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.listener.bind(path)
        self.listener.listen(4)
        self.listener.settimeout(0.1)

    def run(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except socket.timeout:
                continue
            conn.settimeout(30)
            with conn:
                self.serve(conn)

    def serve(self, conn):
        while True:
            data = conn.recv(1 << 16)
            if not data:
                return
            for req in N.split(data):
                out = self.answer(req)
                if out:
                    conn.send(out)

    def answer(self, req):
        dump = req.flags & N.NLM_F_DUMP == N.NLM_F_DUMP
        if req.type == N.GENL_ID_CTRL:
            name = req.attrs(ovs=False)[N.CTRL_ATTR_FAMILY_NAME].rstrip(b"\0").decode()
            if name not in FAMILIES:   # the client asks for dpsw's too: one error
                body = struct.pack("=i", -2) + req.data[:16]
                return N.NLMSG_HDR.pack(16 + len(body), N.NLMSG_ERROR, 0, req.seq,
                                        req.pid) + body
            return reply(req, N.GENL_ID_CTRL, struct.pack("=BBH", 1, 2, 0) +
                         N.attr(N.CTRL_ATTR_FAMILY_ID, struct.pack("=H", FAMILIES[name])))
        if req.type == FAMILIES["ovs_datapath"]:
            body = struct.pack("=BBHi", N.OVS_DP_CMD_GET, 1, 0, N.DP_IFINDEX)
            body += N.attr(N.OVS_DP_ATTR_NAME, N.DP_NAME)
            if dump:
                return reply(req, req.type, body, N.NLM_F_MULTI) + done(req)
            return reply(req, req.type, body) + ack(req)
        if req.type == FAMILIES["ovs_flow"]:
            time.sleep(DELAY_S)   # the reply is late: the flow was used meanwhile
            now = mono_ms()
            if dump:
                return (reply(req, req.type, flow_body(BUSY_DST, now), N.NLM_F_MULTI) +
                        reply(req, req.type, flow_body(OLD_DST, now - OLD_MS), N.NLM_F_MULTI) +
                        done(req))
            return reply(req, req.type, flow_body(BUSY_DST, now)) + ack(req)
        return ack(req)


class UsedAge(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="dpsw-used-")
        self.sock = os.path.join(self.tmp.name, "ctl.sock")
        self.daemon = FakeDaemon(self.sock)
        self.daemon.start()

    def tearDown(self):
        self.daemon.stop.set()
        self.daemon.join(10)
        self.daemon.listener.close()
        self.tmp.cleanup()

    def ctl(self, *args):
        r = subprocess.run([ctl_bin(), "--ctl", self.sock] + list(args), capture_output=True,
                           text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def ages(self, out):
        """The "used:" ages of a dump's lines, in seconds; each must be a
        non-negative number (a negative one does not match)."""
        ages = []
        for line in out.splitlines():
            m = re.search(r", used:(\d+\.\d{3})s, ", line)
            self.assertTrue(m, "no non-negative used age in %r" % line)
            ages.append(float(m.group(1)))
        return ages

    def test_dump_flows(self):
        busy, old = self.ages(self.ctl("dump-flows"))
        self.assertGreaterEqual(busy, 0.0)
        # The age is the client's now minus used: at least OLD_MS, and not
        # more than the time this test has run.
        self.assertGreaterEqual(old, OLD_MS / 1000)
        self.assertLess(old, OLD_MS / 1000 + 30)

    def test_dump_flows_json(self):
        flows = json.loads(self.ctl("dump-flows", "--json"))["flows"]
        self.assertEqual(len(flows), 2, flows)
        self.assertGreaterEqual(flows[0]["used_ms_ago"], 0)
        self.assertGreaterEqual(flows[1]["used_ms_ago"], OLD_MS)

    def test_get_flow(self):
        out = self.ctl("get-flow", "in_port(1),eth()")
        self.assertEqual(len(self.ages(out)), 1, out)


if __name__ == "__main__":
    unittest.main()
