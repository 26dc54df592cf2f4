#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""End-to-end: --flows files, good and bad.

A bad line anywhere in the file (syntax, a field whose prerequisite is not
matched, an action this datapath does not have, an action that does not
fit the flow) makes the daemon exit 2 with "FILE:LINE[:COL]: reason" before
any port receives: the output pcap stays empty although the lines before
the bad one would forward the input. A good file with comments, blank
lines, CRLF line ends and a ufid is loaded whole and forwards.
Run with --no-huge, then with hugepages when they are free.
"""
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dpsw  # noqa: E402
import pcapcase  # noqa: E402

from scapy.all import IP, UDP, Ether, Raw  # noqa: E402

GOOD = "recirc_id(0),in_port(1),eth(),eth_type(0x0800),ipv4(proto=17,frag=no),udp() 2"
GOOD2 = "recirc_id(0),in_port(1),eth(),eth_type(0x86dd),ipv6(frag=no) 2"
GOOD4 = "recirc_id(0),in_port(1),eth(),eth_type(0x0806),arp() 2"
M = "recirc_id(0),in_port(1),eth()"
# Errors found after parsing (the netlink codec's kernel rules, the action
# validator) point into netlink bytes, not into the line: no column.

# (name, third line of the file, the reason the message must give, where the
#  column must point (a substring of the line; None: no column expected),
#  xfail reason for the column, xfail reason for the whole entry)
BAD = [
    ("unknown_key_attribute", M + ",eth_type(0x0800),bogus(1) 2",
     "unknown key attribute 'bogus'", "bogus", None, None),
    ("unbalanced_parenthesis", M + ",eth_type(0x0800),ipv4(frag=no 2", r"missing '\)'", " 2",
     None, None),
    ("missing_actions", M + ",eth_type(0x0806)", "missing actions", None, None, None),
    ("bad_output_port", M + ",eth_type(0x0806) 4294967296", "out of range", "4294967296",
     None, None),
    ("unsupported_action_ct", M + ",eth_type(0x0800),ipv4(frag=no) ct(),2",
     "ct is not supported", None, None, None),
    ("unsupported_action_meter", M + ",eth_type(0x0800),ipv4(frag=no) meter(1),2",
     "meter is not supported", None, None, None),
    ("set_ipv4_on_ipv6_flow", M + ",eth_type(0x86dd),ipv6(frag=no) set(ipv4(ttl=5)),2",
     "not IPv4", None, None, None),
    ("trunc_below_ethernet_header", M + ",eth_type(0x0800),ipv4(frag=no) trunc(5),2",
     "below the 14-byte Ethernet header", None, None, None),
    ("duplicate_flow", GOOD, "exists", None, None, None),
    ("ipv4_without_eth_type", "recirc_id(0),in_port(1),eth(),ipv4(src=10.0.0.1) 2",
     "eth_type|prerequisite|ipv4", None, None, None),
    ("tcp_without_exact_proto", M + ",eth_type(0x0800),ipv4(frag=no),tcp(dst=80) 2",
     "proto|prerequisite|tcp", None, None, None),
]


def packets():
    e = Ether(src="00:00:00:00:00:01", dst="00:00:00:00:00:02")
    return [bytes(e / IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=1, dport=2) /
                  Raw(b"flowfile-%d" % i)) for i in range(3)]


def run(tmp, huge, lines, raw_text=None):
    """The daemon on port 1 (rx pcap of packets()) and port 2 (tx only)
    with a flow file; returns (status, output, what port 2 sent)."""
    flows = os.path.join(tmp, "flows.txt")
    with open(flows, "w", newline="") as f:
        f.write(raw_text if raw_text is not None else "".join(x + "\n" for x in lines))
    rx, tx = os.path.join(tmp, "in.pcap"), os.path.join(tmp, "out.pcap")
    pcapcase.write_pcap(rx, packets())
    if os.path.exists(tx):
        os.unlink(tx)
    d = dpsw.Daemon(["net_pcap0,rx_pcap=%s,tx_pcap=%s" % (rx, os.path.join(tmp, "back.pcap")),
                     "net_pcap1,tx_pcap=" + tx],
                    ["--flows", flows, "--exit-idle", str(pcapcase.EXIT_IDLE_MS),
                     "--mbufs", "4095"], huge=huge, tmpdir=tmp)
    if huge:
        i = d.args.index("-m")
        d.args[i + 1:i + 2] = [str(pcapcase.HUGE_MB), "--huge-unlink"]
    try:
        d.start(wait_ready=False)
        rc = d.wait(pcapcase.DAEMON_TIMEOUT_S)
    finally:
        d.stop()
    return rc, d.output, pcapcase.read_pcap(tx), flows


def check_bad(tmp, huge, line, reason, col_at):
    """(hard errors, column errors) for a file whose third line is bad."""
    rc, out, sent, flows = run(tmp, huge, [GOOD2, GOOD, line, GOOD4])
    errs, col_errs = [], []
    if rc != 2:
        errs.append("exit status %s, expected 2" % rc)
    m = re.search(re.escape(flows) + r":(\d+):(?:(\d+):)? (.*)", out)
    if not m:
        errs.append("no '%s:LINE: reason' message in:\n%s" % (flows, out))
    else:
        if m.group(1) != "3":
            errs.append("message names line %s, not 3: %s" % (m.group(1), m.group(0)))
        if not re.search(reason, m.group(3)):
            errs.append("reason '%s' does not say '%s'" % (m.group(3), reason))
        col = int(m.group(2)) if m.group(2) else None
        want = line.index(col_at) + 1 if col_at else None
        if col_at and col != want:
            col_errs.append("column %s, expected %d (at '%s')" % (col, want, col_at))
    if sent:
        errs.append("%d packet(s) forwarded although the file is bad" % len(sent))
    if "forwarding;" in out:
        errs.append("the daemon started forwarding")
    return errs, col_errs


def check_good(tmp, huge):
    """Comments, blank lines, CRLF, a ufid: the file loads and forwards."""
    text = ("# a comment\r\n\r\n   \r\n"
            "ufid:11111111-2222-4333-8444-555555555555 " + GOOD + "\r\n"
            "  # another comment\n" + GOOD2 + "\n")
    rc, out, sent, _ = run(tmp, huge, None, raw_text=text)
    errs = []
    if rc != 0:
        errs.append("exit status %s, expected 0:\n%s" % (rc, out))
    if "2 flow(s) from" not in out:
        errs.append("expected '2 flow(s) from' in:\n" + out)
    if sent != packets():
        errs.append("port 2 sent %d packet(s), expected the 3 inputs" % len(sent))
    if dpsw.stats_value(out, "mbufs in use") != 0:
        errs.append("mbufs in use: %s" % dpsw.stats_value(out, "mbufs in use"))
    return errs


def report(label, name, errs, xfail=None):
    if xfail:
        if errs:
            print("[%s] XFAIL %s: %s" % (label, name, xfail))
        else:
            print("[%s] XPASS %s (known bug fixed? %s)" % (label, name, xfail))
        for e in errs:
            print("    " + e.splitlines()[0])
        return 0
    print("[%s] %s %s" % (label, "FAIL" if errs else "ok  ", name))
    for e in errs:
        print("    " + e)
    return 1 if errs else 0


def run_all(huge, label):
    failed = 0
    with tempfile.TemporaryDirectory(prefix="dpsw-flowfile-") as tmp:
        failed += report(label, "good_file_comments_crlf_ufid", check_good(tmp, huge))
        for name, line, reason, col_at, col_xfail, xfail in BAD:
            errs, col_errs = check_bad(tmp, huge, line, reason, col_at)
            if xfail:
                failed += report(label, name, errs + col_errs, xfail)
                continue
            failed += report(label, name, errs + ([] if col_xfail else col_errs))
            if col_xfail:
                failed += report(label, name + "_column", col_errs, col_xfail)
    with tempfile.TemporaryDirectory(prefix="dpsw-flowfile-") as tmp:
        d = dpsw.Daemon(["net_null0"], ["--flows", os.path.join(tmp, "nope.txt")], huge=False,
                        tmpdir=tmp)
        try:
            d.start(wait_ready=False)
            rc = d.wait(pcapcase.DAEMON_TIMEOUT_S)
        finally:
            d.stop()
        errs = [] if rc == 2 and "nope.txt" in d.output else [
            "missing file: status %s, output:\n%s" % (rc, d.output)]
        failed += report(label, "missing_file", errs)
    return failed


def main():
    failed = run_all(False, "no-huge")
    ok, why = pcapcase.hugepages_usable()
    if ok:
        failed += run_all(True, "huge")
    else:
        print("[huge] SKIPPED: hugepage half not run: %s" % why)
    print("%d failure(s)" % failed)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
