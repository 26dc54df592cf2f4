# SPDX-License-Identifier: BSD-3-Clause
"""The control socket driven with raw messages: the kernel's flow semantics,
malformed input of every kind, permission with a real unprivileged user,
resumable dumps, and clients that misbehave. After each bad request the
daemon answers with an error and a reason, and the flow table is unchanged.
"""
import os
import random
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import dpsw  # noqa: E402
from nlraw import *  # noqa: E402,F403

EINVAL, ENOENT, EEXIST, EPERM, ENODEV, EOPNOTSUPP, EBUSY = 22, 2, 17, 1, 19, 95, 16


def test_kernel_flow_semantics(c):
    assert n_flows(c) == 0
    # NEW with CREATE adds; again gives EEXIST; without CREATE replaces actions.
    (r,) = c.request(flow(c, OVS_FLOW_CMD_NEW, 1, out(2), NLM_F_REQUEST | NLM_F_ACK |
                          NLM_F_CREATE))
    assert r.error == 0, r
    expect_error(c.request(flow(c, OVS_FLOW_CMD_NEW, 1, out(2),
                                NLM_F_REQUEST | NLM_F_CREATE)), EEXIST)
    expect_error(c.request(flow(c, OVS_FLOW_CMD_NEW, 1, out(2),
                                NLM_F_REQUEST | NLM_F_EXCL)), EEXIST)
    replies = c.request(flow(c, OVS_FLOW_CMD_NEW, 1, out(1), NLM_F_REQUEST | NLM_F_ECHO))
    assert replies[0].type == c.family("ovs_flow"), replies
    assert replies[0].attrs()[OVS_FLOW_ATTR_ACTIONS] == out(1)
    # NEW needs KEY and ACTIONS.
    expect_error(c.request(flow(c, OVS_FLOW_CMD_NEW, None, out(1))), EINVAL, "key")
    expect_error(c.request(flow(c, OVS_FLOW_CMD_NEW, 7, None)), EINVAL, "actions")
    # GET by key+mask; SET a missing flow; DEL a missing flow.
    replies = c.request(flow(c, OVS_FLOW_CMD_GET, 1))
    assert replies[0].attrs()[OVS_FLOW_ATTR_ACTIONS] == out(1)
    expect_error(c.request(flow(c, OVS_FLOW_CMD_SET, 99, out(1))), ENOENT)
    expect_error(c.request(flow(c, OVS_FLOW_CMD_DEL, 99)), ENOENT)
    expect_error(c.request(flow(c, OVS_FLOW_CMD_GET, 99)), ENOENT)
    # GET with KEY and no MASK finds the wildcarded flow by the key it was
    # sent with, as the kernel's ovs_flow_cmd_get() -> ovs_flow_tbl_lookup_exact()
    # (tests/e2e/test_ctl_kernel.py has the rest of these semantics).
    replies = c.request(flow(c, OVS_FLOW_CMD_GET, 1, mask=False))
    assert replies[0].attrs()[OVS_FLOW_ATTR_ACTIONS] == out(1), replies
    # UFID: add, get by UFID with everything omitted, set by UFID, delete.
    (r,) = c.request(flow(c, OVS_FLOW_CMD_NEW, 2, out(2), NLM_F_REQUEST | NLM_F_ACK |
                          NLM_F_CREATE, ufid=ufid(2)))
    assert r.error == 0, r
    omit = u32(OVS_FLOW_ATTR_UFID_FLAGS, OVS_UFID_F_OMIT_KEY | OVS_UFID_F_OMIT_MASK |
               OVS_UFID_F_OMIT_ACTIONS)
    (r,) = c.request(flow(c, OVS_FLOW_CMD_GET, None, ufid=ufid(2), extra=omit,
                          flags=NLM_F_REQUEST))
    a = r.attrs()
    assert a[OVS_FLOW_ATTR_UFID] == ufid(2) and OVS_FLOW_ATTR_KEY not in a, a.keys()
    assert OVS_FLOW_ATTR_ACTIONS not in a and OVS_FLOW_ATTR_MASK not in a
    (r,) = c.request(flow(c, OVS_FLOW_CMD_GET, None, ufid=ufid(2), flags=NLM_F_REQUEST))
    assert OVS_FLOW_ATTR_KEY in r.attrs() and OVS_FLOW_ATTR_MASK in r.attrs()
    # The same UFID with another key: ENOENT.
    expect_error(c.request(flow(c, OVS_FLOW_CMD_NEW, 3, out(2), ufid=ufid(2))), ENOENT)
    (r,) = c.request(flow(c, OVS_FLOW_CMD_SET, 2, out(1), ufid=ufid(2),
                          extra=attr(OVS_FLOW_ATTR_CLEAR)))
    assert r.error == 0, r
    (r,) = c.request(flow(c, OVS_FLOW_CMD_DEL, None, ufid=ufid(2)))
    assert r.error == 0, r
    assert n_flows(c) == 1
    # DEL with neither key nor UFID flushes.
    (r,) = c.request(flow(c, OVS_FLOW_CMD_DEL, None))
    assert r.error == 0 and n_flows(c) == 0


def bad_requests(c):
    """(name, datagram, errno, reason part) for malformed requests."""
    fam = c.family("ovs_flow")
    good_key = key_attrs(1, 5)
    cases = [
        ("short datagram", b"\x01\x02\x03", EINVAL, ""),
        ("nlmsg_len past the end", struct.pack("=IHHII", 400, fam, 1, 9, 0) + bytes(8),
         EINVAL, "past"),
        ("unknown family", msg(0x7777, 1), ENOENT, "family"),
        ("unknown command", msg(fam, 77), EOPNOTSUPP, "command"),
        ("no ovs_header", struct.pack("=IHHII", 20, fam, 1, 9, 0) + bytes(4), EINVAL,
         "ovs_header"),
        ("not our datapath", msg(fam, OVS_FLOW_CMD_GET, dp_ifindex=42), ENODEV, "42"),
        ("attribute overrun", msg(fam, OVS_FLOW_CMD_NEW, struct.pack("=HH", 200, 1) + bytes(8)),
         EINVAL, ""),
        ("attribute shorter than its header",
         msg(fam, OVS_FLOW_CMD_NEW, struct.pack("=HH", 2, 1)), EINVAL, ""),
        # Top-level attributes are parsed as the kernel's genl layer does
        # (a duplicate: the last counts; an unknown type: skipped), key
        # attributes strictly, as flow_netlink.c.
        ("duplicate key attribute", msg(fam, OVS_FLOW_CMD_NEW, nest(
            OVS_FLOW_ATTR_KEY, good_key + u32(OVS_KEY_ATTR_IN_PORT, 1)) +
            nest(OVS_FLOW_ATTR_ACTIONS, out(2))), EINVAL, "twice"),
        ("unknown flow attribute alone", msg(fam, OVS_FLOW_CMD_NEW, attr(99, b"abcd")), EINVAL,
         "key attribute not present"),
        ("in_port of 2 bytes", msg(fam, OVS_FLOW_CMD_NEW, nest(
            OVS_FLOW_ATTR_KEY, attr(OVS_KEY_ATTR_IN_PORT, b"\x01\x00")) +
            nest(OVS_FLOW_ATTR_ACTIONS, out(2))), EINVAL, "in_port"),
        ("ipv4 without eth_type in the mask", msg(fam, OVS_FLOW_CMD_NEW,
            nest(OVS_FLOW_ATTR_KEY, good_key) + nest(OVS_FLOW_ATTR_MASK, attr(
                OVS_KEY_ATTR_IPV4, struct.pack("!II", 0, 0xffffffff) + bytes(4))) +
            nest(OVS_FLOW_ATTR_ACTIONS, out(2))), EINVAL, ""),
        ("unknown action", msg(fam, OVS_FLOW_CMD_NEW, nest(OVS_FLOW_ATTR_KEY, good_key) +
                               nest(OVS_FLOW_ATTR_ACTIONS, attr(99, b"xxxx"))), EINVAL, ""),
        ("output of 2 bytes", msg(fam, OVS_FLOW_CMD_NEW, nest(OVS_FLOW_ATTR_KEY, good_key) +
                                  nest(OVS_FLOW_ATTR_ACTIONS, attr(OVS_ACTION_ATTR_OUTPUT,
                                                                   b"\x02\x00"))),
         EINVAL, ""),
        ("ct action", msg(fam, OVS_FLOW_CMD_NEW, nest(OVS_FLOW_ATTR_KEY, good_key) +
                          nest(OVS_FLOW_ATTR_ACTIONS, nest(12))), EOPNOTSUPP, ""),
    ]
    # A nested stream that is not one: the flow policy's reason, which comes
    # before anything about later attributes or about the key's contents.
    broken = struct.pack("=HH", 200, 1) + bytes(4)
    bad_port = attr(OVS_KEY_ATTR_IN_PORT, b"\x01\x00")
    cases += [
        ("malformed key stream", msg(fam, OVS_FLOW_CMD_NEW, nest(OVS_FLOW_ATTR_KEY, broken) +
                                     nest(OVS_FLOW_ATTR_ACTIONS, out(2))),
         EINVAL, "flow attribute key: nested attribute at +0 is malformed"),
        ("malformed key stream, then an unknown attribute", msg(
            fam, OVS_FLOW_CMD_NEW, nest(OVS_FLOW_ATTR_KEY, good_key + broken) +
            attr(99, b"abcd") + nest(OVS_FLOW_ATTR_ACTIONS, out(2))),
         EINVAL, "flow attribute key: nested attribute at +%d is malformed" % len(good_key)),
        ("malformed mask stream", msg(fam, OVS_FLOW_CMD_NEW, nest(OVS_FLOW_ATTR_KEY, good_key) +
                                      nest(OVS_FLOW_ATTR_MASK, broken) +
                                      nest(OVS_FLOW_ATTR_ACTIONS, out(2))),
         EINVAL, "flow attribute mask: nested attribute at +0 is malformed"),
        ("bad key, malformed actions stream", msg(
            fam, OVS_FLOW_CMD_NEW, nest(OVS_FLOW_ATTR_KEY, bad_port) +
            nest(OVS_FLOW_ATTR_ACTIONS, out(2) + broken)),
         EINVAL, "flow attribute actions: nested attribute at +8 is malformed"),
        ("no key, malformed actions stream", msg(
            fam, OVS_FLOW_CMD_NEW, nest(OVS_FLOW_ATTR_ACTIONS, broken)),
         EINVAL, "flow attribute actions: nested attribute at +0 is malformed"),
        ("no actions, malformed mask stream", msg(
            fam, OVS_FLOW_CMD_NEW, nest(OVS_FLOW_ATTR_KEY, good_key) +
            nest(OVS_FLOW_ATTR_MASK, broken)),
         EINVAL, "flow attribute mask: nested attribute at +0 is malformed"),
        ("no actions", msg(fam, OVS_FLOW_CMD_NEW, nest(OVS_FLOW_ATTR_KEY, good_key)),
         EINVAL, "flow actions attribute not present"),
    ]
    # ENCAP nested deeper than any key can be.
    deep = be16(OVS_KEY_ATTR_ETHERTYPE, 0x0800)
    for _ in range(40):
        deep = be16(OVS_KEY_ATTR_ETHERTYPE, 0x8100) + be16(OVS_KEY_ATTR_VLAN, 0x1001) + \
            nest(OVS_KEY_ATTR_ENCAP, deep)
    cases.append(("nesting too deep", msg(fam, OVS_FLOW_CMD_NEW, nest(
        OVS_FLOW_ATTR_KEY, u32(OVS_KEY_ATTR_IN_PORT, 1) + attr(OVS_KEY_ATTR_ETHERNET, bytes(12)) +
        deep) + nest(OVS_FLOW_ATTR_ACTIONS, out(2))), EINVAL, ""))
    return cases


def test_bad_input(c):
    (r,) = c.request(flow(c, OVS_FLOW_CMD_NEW, 1, out(2), NLM_F_REQUEST | NLM_F_ACK |
                          NLM_F_CREATE))
    assert r.error == 0, r
    for name, data, errno, reason in bad_requests(c):
        replies = c.request(data)
        try:
            r = expect_error(replies, errno, reason)
        except AssertionError as e:
            raise AssertionError("%s: %s" % (name, e))
        assert r.reason, "%s: no reason given" % name
        assert n_flows(c) == 1, name
    # Still the same flow, and the connection still works.
    replies = c.request(flow(c, OVS_FLOW_CMD_GET, 1))
    assert replies[0].attrs()[OVS_FLOW_ATTR_ACTIONS] == out(2)
    # Several messages in one datagram, a bad one in the middle: each answered.
    data = flow(c, OVS_FLOW_CMD_NEW, 10, out(2), seq=1) + msg(c.family("ovs_flow"), 77, seq=2) + \
        flow(c, OVS_FLOW_CMD_NEW, 11, out(2), seq=3)
    replies = c.request(data)
    assert [(r.seq, r.error) for r in replies] == [(1, 0), (2, -EOPNOTSUPP), (3, 0)], replies
    assert n_flows(c) == 3
    c.request(flow(c, OVS_FLOW_CMD_DEL, None))


def test_dump(c, path):
    n = 3000
    batch = b"".join(flow(c, OVS_FLOW_CMD_NEW, 0x0b000000 + i, out(2), NLM_F_REQUEST,
                          seq=i) for i in range(n))
    # Send in datagrams of ~100 messages; no acks asked, errors would come back.
    size = len(flow(c, OVS_FLOW_CMD_NEW, 1, out(2), NLM_F_REQUEST))
    for ofs in range(0, len(batch), size * 100):
        c.send(batch[ofs:ofs + size * 100])
    assert n_flows(c) == n
    parts = c.dump(msg(c.family("ovs_flow"), OVS_FLOW_CMD_GET, flags=NLM_F_REQUEST | NLM_F_DUMP))
    assert len(parts) == n, len(parts)
    dsts = set()
    for p in parts:
        assert p.flags & NLM_F_MULTI
        dsts.add(p.attrs()[OVS_FLOW_ATTR_KEY])
    assert len(dsts) == n
    # A client that disconnects mid-dump hurts no one.
    c2 = Conn(path)
    c2.send(msg(c.family("ovs_flow"), OVS_FLOW_CMD_GET, flags=NLM_F_REQUEST | NLM_F_DUMP))
    c2.recv()
    c2.close()
    assert n_flows(c) == n
    c.request(flow(c, OVS_FLOW_CMD_DEL, None))
    assert n_flows(c) == 0


def test_garbage_flood(c, path):
    rnd = random.Random(1)
    bad = Conn(path)
    for i in range(500):
        data = bytes(rnd.getrandbits(8) for _ in range(rnd.randint(1, 200)))
        bad.send(data)
    # Whatever it got back, the daemon still serves another client.
    assert n_flows(c) == 0
    (r,) = c.request(flow(c, OVS_FLOW_CMD_NEW, 1, out(2), NLM_F_REQUEST | NLM_F_ACK))
    assert r.error == 0
    bad.close()
    c.request(flow(c, OVS_FLOW_CMD_DEL, None))


UNPRIVILEGED = r"""
import sys
sys.path.insert(0, %r)
from nlraw import *
c = Conn(%r)
fam = c.family("ovs_flow")
(r,) = c.request(msg(fam, OVS_FLOW_CMD_DEL, flags=NLM_F_REQUEST | NLM_F_ACK))
assert r.error == -1, r                # EPERM: flush refused
assert "admin" in r.reason, r.reason
(r,) = c.request(msg(c.family("ovs_datapath"), OVS_DP_CMD_GET, attr(OVS_DP_ATTR_NAME, "dpdk-switch")))
assert r.error is None, r              # reading is open
print("ok")
"""


def test_permission(c, path):
    if os.geteuid() != 0:
        print("SKIP permission: needs root to run a client as nobody")
        return
    (r,) = c.request(flow(c, OVS_FLOW_CMD_NEW, 1, out(2), NLM_F_REQUEST | NLM_F_ACK))
    assert r.error == 0
    os.chmod(os.path.dirname(path), 0o755)
    # nobody imports nlraw from a copy: the tree may be out of its reach.
    nlraw_dir = dpsw.public_copy(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                              "nlraw.py"))
    code = UNPRIVILEGED % (nlraw_dir, path)
    res = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                          "/usr/bin/python3", "-c", code], capture_output=True, text=True,
                         timeout=60)
    assert res.returncode == 0 and "ok" in res.stdout, res.stdout + res.stderr
    assert n_flows(c) == 1  # the refused flush changed nothing
    c.request(flow(c, OVS_FLOW_CMD_DEL, None))


def main():
    with dpsw.Daemon(["net_null0,no-rx=1", "net_null1,no-rx=1"]) as d:
        c = Conn(d.sock)
        tests = [("kernel flow semantics", lambda: test_kernel_flow_semantics(c)),
                 ("bad input", lambda: test_bad_input(c)),
                 ("dump", lambda: test_dump(c, d.sock)),
                 ("garbage flood", lambda: test_garbage_flood(c, d.sock)),
                 ("permission", lambda: test_permission(c, d.sock))]
        for name, fn in tests:
            t = time.monotonic()
            fn()
            print("ok %s (%.1fs)" % (name, time.monotonic() - t))
        c.close()
        assert d.proc.poll() is None, "daemon died"
    assert d.proc.returncode == 0, d.output


if __name__ == "__main__":
    main()
