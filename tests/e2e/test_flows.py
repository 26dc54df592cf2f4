# SPDX-License-Identifier: BSD-3-Clause
"""dpdk-switch-ctl flow commands against a running daemon: add/get/mod/del/
dump round trips in canonical form (checked against what Open vSwitch 3.1
prints for the same flows, the ARP opcode mask as for a kernel datapath),
and the error cases with their exit status."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e import Daemon, check, ctl, fails, need_root_and_daemon, ok, run  # noqa: E402

need_root_and_daemon()
# Quiet ports: no traffic, so stats stay zero and dumps are exact.
D = Daemon(["net_null0,no-rx=1", "net_null1,no-rx=1"], ["--max-idle", "3600000"])
S = D.sock

UDP = ("in_port(1),eth(src=00:01:02:03:04:05,dst=ff:ff:ff:ff:ff:ff),eth_type(0x0800),"
       "ipv4(src=10.0.0.0/255.0.0.0,dst=192.168.1.1,proto=17,frag=no),udp(dst=53)")
UFID = "ufid:11111111-2222-3333-4444-555555555555"
CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data",
                      "ovs_text_corpus.tsv")


def dump():
    return ok(S, "dump-flows").out.splitlines()


def kernel_arp_op(ovs):
    """The corpus comes from OVS's own datapath, which widens an exact
    8-bit ARP opcode mask to 0xffff; a kernel datapath (ovs_nla_put_key())
    and ours put 0x00ff, which ovs-dpctl and we print as op=N/0xff."""
    return re.sub(r"(arp\([^)]*\bop=\d+)(?=[,)])", r"\1/0xff", ovs)


def test_add_dump_canonical():
    # Blanks between attributes are accepted; the dump is canonical.
    loose = UDP.replace("),", "), ")
    ok(S, "add-flow", loose, "2")
    check(dump() == [UDP + ", packets:0, bytes:0, used:never, actions:2"], "dump", dump())
    ok(S, "del-flows")
    check(dump() == [], "flush left flows", dump())


def test_corpus_round_trip():
    """Every flow of the OVS 3.1 corpus: add-flow, dump-flows must print what
    ovs-appctl dpctl/dump-flows printed for it (or the daemon refuses it with
    EOPNOTSUPP: conntrack and friends are documented as unsupported)."""
    n_ok = n_unsupported = 0
    with open(CORPUS) as f:
        rows = [line.rstrip("\n").split("\t") for line in f if line.startswith("flow\t")]
    for _, flow, actions, want, _ in rows:
        r = ctl(S, "add-flow", flow, actions)
        if r.rc == 1 and "Operation not supported" in r.err:
            n_unsupported += 1
            continue
        check(r.rc == 0, "add-flow of a corpus flow", r)
        got = dump()
        ok(S, "del-flows")
        want = kernel_arp_op(want)
        check(got == [want], "dump of a corpus flow differs from OVS's", flow, got, want)
        n_ok += 1
    check(n_ok >= 100, "too few corpus flows accepted: %d" % n_ok)
    print("  corpus: %d flows round-tripped, %d unsupported" % (n_ok, n_unsupported))


def test_get_mod_del():
    ok(S, "add-flow", UFID + "," + UDP, "2")
    line = UDP + ", packets:0, bytes:0, used:never, actions:2"
    # A flow with a UFID is named by its UFID only, as in the kernel
    # (ovs_identifier_is_key): its key alone does not find it.
    r = fails(S, 1, "get-flow", UDP)
    check("No such file or directory" in r.err, "get-flow by key of a UFID flow", r)
    check(line in ok(S, "get-flow", UFID).out, "get-flow by UFID")
    r = ok(S, "get-flow", "-m", UFID)
    check(r.out.startswith(UFID[:5] + UFID[5:] + ", skb_priority(0/0),"), "get-flow -m", r)
    check(", dp:ovs, actions:2" in r.out, "get-flow -m", r)
    ok(S, "mod-flow", UFID + "," + UDP, "set(ipv4(ttl=3)),1")
    check(dump() == [UDP + ", packets:0, bytes:0, used:never, actions:set(ipv4(ttl=3)),1"],
          "mod-flow", dump())
    r = ok(S, "mod-flow", "-s", "--clear", UFID + "," + UDP, "1")
    check(r.out == "packets:0, bytes:0, used:never\n", "mod-flow -s", r)
    ok(S, "del-flow", UFID)
    check(dump() == [], "del-flow by ufid", dump())
    ok(S, "mod-flow", "--may-create", UDP, "2")
    check(dump() == [line], "mod-flow --may-create", dump())
    r = ok(S, "del-flow", "-s", UDP)
    check(r.out == "packets:0, bytes:0, used:never\n", "del-flow -s", r)
    check(dump() == [], "del-flow by key", dump())


def test_bad_flow_string():
    r = fails(S, 2, "add-flow", "in_port(1),eth(),bogus(3)", "1")
    check("bogus" in r.err and "parsing flow key" in r.err, "names the token", r)
    r = fails(S, 2, "add-flow", UDP, "1,frobnicate")
    check("frobnicate" in r.err and "parsing actions" in r.err, "names the token", r)
    r = fails(S, 2, "add-flow", "in_port(1),eth(),ipv4(src=1.1.1.1)", "1")
    check("prerequisites" in r.err, "field without its eth_type", r)
    r = fails(S, 2, "get-flow", "ufid:1234")
    check("1234" in r.err and "ufid" in r.err, "bad ufid", r)
    fails(S, 2, "del-flow", "ufid:zzzzzzzz-2222-3333-4444-555555555555")
    check(dump() == [], "nothing added by bad commands", dump())


def test_daemon_errors():
    ok(S, "add-flow", UDP, "2")
    r = fails(S, 1, "add-flow", UDP, "1")
    check("File exists" in r.err and "flow already exists" in r.err, "EEXIST", r)
    check(dump() == [UDP + ", packets:0, bytes:0, used:never, actions:2"], "dup add", dump())
    ok(S, "del-flows")
    r = fails(S, 1, "del-flow", UDP)
    check("No such file or directory" in r.err and "no such flow" in r.err, "ENOENT", r)
    r = fails(S, 1, "mod-flow", UDP, "1")
    check("No such file or directory" in r.err, "mod of a missing flow", r)
    r = fails(S, 1, "get-flow", UFID)
    check("No such file or directory" in r.err, "get of a missing flow", r)
    # The daemon's own checks: an action that does not fit the flow.
    r = fails(S, 1, "add-flow", "in_port(1),eth(),eth_type(0x0806)", "set(ipv4(ttl=1)),1")
    check("Invalid argument" in r.err, "set(ipv4) on an ARP flow", r)
    check(dump() == [], "nothing added", dump())


def test_wrong_dp():
    for args in (["--dp", "nosuch", "dump-flows"], ["dump-flows", "system@nosuch"],
                 ["add-flow", "nosuch", UDP, "1"], ["show", "other"]):
        r = fails(S, 1, *args)
        check("No such device" in r.err and "nosuch" in r.err or "other" in r.err,
              "wrong dp", r)
    ok(S, "dump-flows", "dpdk-switch@dpdk-switch")
    ok(S, "dump-flows", "dpdk-switch")
    check(dump() == [], "nothing added", dump())


def test_json_dump():
    import json
    ok(S, "add-flow", UFID + "," + UDP, "2")
    doc = json.loads(ok(S, "dump-flows", "--json").out)
    check(doc == {"flows": [{"ufid": UFID[5:], "flow": UDP, "packets": 0, "bytes": 0,
                             "used_ms_ago": None, "tcp_flags": "none", "actions": "2"}]},
          "dump-flows --json", doc)
    ok(S, "del-flows")
    check(json.loads(ok(S, "dump-flows", "--json").out) == {"flows": []}, "empty json")


run([test_add_dump_canonical, test_corpus_round_trip, test_get_mod_del, test_bad_flow_string,
     test_daemon_errors, test_wrong_dp, test_json_dump])
