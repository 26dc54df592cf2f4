# SPDX-License-Identifier: BSD-3-Clause
"""Table-driven pcap tests: packets in through net_pcap, flows from --flows,
packets out through net_pcap, compared byte for byte with expectations.

A Case names its ports ("in", "a", ...), gives the packets each port
receives, the flows (with "{name}" where a port number goes) and, for each
port, the exact packets it must send. Cases that do not share ports run
together in one daemon (a batch): every port is a net_pcap vdev with its
own tx pcap, so one case's traffic cannot reach another's ports, and flows
of one case match its own in_port. Ports nobody feeds get no rx pcap at
all (pure outputs); Case.empty_rx gives a port an empty rx pcap instead.

After each batch: the daemon exited 0 by itself (--exit-idle), every
port's rx/tx counters agree with the pcaps, the datapath's lost and runt
counters equal the sum the cases announce, and no mbuf is left in use.
Every packet a port sent has its checksums verified (scapy recomputes
them on a copy with the checksum fields deleted) where the packet allows
(not for fragments or frames cut short).

Expected packets are built with scapy from the OVS/kernel semantics of
each action, never by running the datapath code.
"""
import os
import re
import struct
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dpsw  # noqa: E402

from scapy.all import (IP, TCP, UDP, ICMP, Ether, IPv6, IPv6ExtHdrFragment,  # noqa: E402
                       Raw, conf)
from scapy.layers.sctp import SCTP  # noqa: E402
from scapy.layers.inet6 import _ICMPv6  # noqa: E402
import scapy.contrib.mpls  # noqa: E402,F401  (binds MPLS to 0x8847)

conf.verb = 0

MAX_PORTS = 30          # RTE_MAX_ETHPORTS is 32 in Debian's DPDK
EXIT_IDLE_MS = 400
HUGE_MB = 64            # EAL memory with hugepages (2 MB pages)
DAEMON_TIMEOUT_S = 90


class Case:
    """One scenario. 'expect' maps a port name to the exact packets it must
    send (a list of scapy packets or bytes), or to a function taking the
    list of bytes it sent and returning an error string or None. Ports not
    in 'expect' must send nothing. 'lost' and 'runts' are what this case adds
    to the datapath's counters."""

    def __init__(self, name, ports, inputs, flows, expect=None, lost=0, runts=0,
                 empty_rx=(), note=None, ovs=True, ovs_lost=None, ovs_differs=None,
                 xfail=None):
        self.name = name
        self.ports = list(ports)
        self.inputs = {p: [bytes(x) for x in pkts] for p, pkts in inputs.items()}
        self.flows = list(flows)
        self.expect = {}
        for p, v in (expect or {}).items():
            self.expect[p] = v if callable(v) else [bytes(x) for x in v]
        self.lost = lost
        self.runts = runts
        self.empty_rx = set(empty_rx)
        self.note = note
        self.ovs = ovs  # False: OVS 3.1 cannot run it (see the note)
        self.ovs_lost = ovs_lost  # OVS's lost counter where it differs on purpose
        # Why OVS userspace sends something else here (the kernel's way is
        # what we follow; docs/PROTOCOL.md lists these).
        self.ovs_differs = ovs_differs
        # A known daemon bug: the case runs (in a batch of its own), its
        # failure is reported as XFAIL and does not fail the test.
        self.xfail = xfail
        for p in list(self.inputs) + list(self.expect) + list(self.empty_rx):
            if p not in self.ports:
                raise ValueError("%s: unknown port %r" % (name, p))
        for m, a in self.flows:
            if " " in m or " " in a:
                raise ValueError("%s: blank inside a flow: %s %s" % (name, m, a))

    def flow_lines(self, numbers):
        return ["%s %s" % (m.format(**numbers), a.format(**numbers)) for m, a in self.flows]


class Interleave:
    """A port's expectation when it gets packets from several points of an
    action list: each stream in order, the streams merged in any order.
    A datapath that runs each action over a batch (OVS userspace, this
    one) sends stream after stream; one that runs the list packet by
    packet (the kernel) alternates them. Both are right."""

    def __init__(self, *streams):
        self.streams = [[bytes(x) for x in s] for s in streams]

    def __call__(self, got):
        want = sum(len(s) for s in self.streams)
        if len(got) != want:
            return "sent %d packet(s), expected %d (%s)" % (
                len(got), want, " + ".join(str(len(s)) for s in self.streams))
        # Depth-first over (position in each stream); memo of dead ends.
        dead = set()

        def fits(i, pos):
            if i == len(got):
                return True
            if pos in dead:
                return False
            for k, s in enumerate(self.streams):
                if pos[k] < len(s) and s[pos[k]] == got[i]:
                    nxt = pos[:k] + (pos[k] + 1,) + pos[k + 1:]
                    if fits(i + 1, nxt):
                        return True
            dead.add(pos)
            return False
        if not fits(0, (0,) * len(self.streams)):
            return "not an interleaving of the expected streams:\n" + "\n".join(
                "      got %d: %s" % (i, describe(g)) for i, g in enumerate(got))
        return None


# ---- pcap files ----

PCAP_MAGICS = {0xa1b2c3d4: ("<", 1000), 0xa1b23c4d: ("<", 1),
               0xd4c3b2a1: (">", 1000), 0x4d3cb2a1: (">", 1)}


def write_pcap(path, packets):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, p in enumerate(packets):
            f.write(struct.pack("<IIII", 1, i, len(p), len(p)))
            f.write(p)


def read_pcap(path):
    """The frames of a pcap file; [] when the file is absent or empty."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return []
    if len(data) == 0:
        return []
    if len(data) < 24:
        raise AssertionError("%s: truncated pcap header" % path)
    magic = struct.unpack("<I", data[:4])[0]
    if magic not in PCAP_MAGICS:
        raise AssertionError("%s: not a pcap file (magic %#x)" % (path, magic))
    endian = PCAP_MAGICS[magic][0]
    out, off = [], 24
    while off < len(data):
        if off + 16 > len(data):
            raise AssertionError("%s: truncated record header" % path)
        _, _, caplen, wirelen = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        if caplen != wirelen:
            raise AssertionError("%s: frame captured short (%d of %d)" % (path, caplen, wirelen))
        out.append(data[off:off + caplen])
        off += caplen
    return out


# ---- checksums ----

def _l4_whole(pkt):
    """True when the L4 checksum can be checked: not a fragment, and the
    IP payload the header announces is all there."""
    if IP in pkt:
        ip = pkt[IP]
        if ip.flags.MF or ip.frag:
            return False
        return len(bytes(ip)) >= ip.len and ip.len >= ip.ihl * 4
    if IPv6 in pkt:
        ip6 = pkt[IPv6]
        if IPv6ExtHdrFragment in pkt:
            return False
        return len(bytes(ip6)) >= 40 + ip6.plen
    return False


_CSUM_MEMO = {}


def checksum_errors(raw):
    """Checksums of the frame that do not verify, as a list of strings."""
    if raw not in _CSUM_MEMO:
        _CSUM_MEMO[raw] = _checksum_errors(raw)
    return _CSUM_MEMO[raw]


def _checksum_errors(raw):
    try:
        pkt = Ether(raw)
    except Exception:  # a frame scapy cannot parse has nothing to check
        return []
    fields = []
    if IP in pkt and pkt[IP].ihl >= 5 and len(bytes(pkt[IP])) >= pkt[IP].ihl * 4:
        fields.append((IP, "chksum"))
    if _l4_whole(pkt):
        for layer in (TCP, UDP, ICMP, SCTP):
            if layer in pkt:
                # IPv4 UDP checksum 0 means "none".
                if layer is UDP and IP in pkt and pkt[UDP].chksum == 0:
                    continue
                fields.append((layer, "chksum"))
        for layer in pkt.layers():
            if issubclass(layer, _ICMPv6) and "cksum" in [f.name for f in layer.fields_desc]:
                fields.append((layer, "cksum"))
    errs = []
    for layer, fname in fields:
        copy = Ether(raw)
        got = getattr(copy[layer], fname)
        delattr(copy[layer], fname)
        want = getattr(Ether(bytes(copy))[layer], fname)
        if got != want:
            errs.append("%s %s is %#x, should be %#x" % (layer.__name__, fname, got, want))
    return errs


# ---- running a batch ----

class Result:
    def __init__(self):
        self.errors = {}     # case name -> [str]
        self.batch_errors = []
        self.skipped = []
        self.skipped_cases = set()
        self.seconds = 0.0


def describe(raw):
    try:
        return Ether(raw).summary() + " len=%d" % len(raw)
    except Exception:
        return "len=%d %s" % (len(raw), raw[:32].hex())


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


def compare_port(port, got, want):
    """Errors for one port: 'want' is a list of bytes or a check function."""
    if callable(want):
        msg = want(got)
        return ["port %s: %s" % (port, msg)] if msg else []
    errs = []
    if len(got) != len(want):
        errs.append("port %s: sent %d packet(s), expected %d" % (port, len(got), len(want)))
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            at = first_difference(g, w)
            errs.append("port %s packet %d differs at byte %d:\n      got  %s\n           %s\n"
                        "      want %s\n           %s" % (port, i, at, describe(g), g.hex(),
                                                        describe(w), w.hex()))
    for i in range(len(want), len(got)):
        errs.append("port %s extra packet %d: %s" % (port, i, describe(got[i])))
    return errs


def parse_stats(output):
    """Final statistics: datapath counters, per-port rx/tx, per-PMD sums."""
    st = {"ports": {}}
    m = re.search(r"lookups: hit:(\d+) missed:(\d+) lost:(\d+)", output)
    if m:
        st["hit"], st["missed"], st["lost"] = map(int, m.groups())
    # The last one the daemon prints: after the ports are closed, when
    # every mbuf must be back in the pool.
    m = re.findall(r"mbufs in use: (\d+)", output)
    if m:
        st["mbufs_in_use"] = int(m[-1])
    for m in re.finditer(r"port (\d+): (\S+) .*\n\s+RX packets:(\d+) bytes:\d+ errors:\d+ "
                         r"dropped:\d+\n\s+TX packets:(\d+) bytes:\d+ errors:\d+ dropped:(\d+)",
                         output):
        st["ports"][int(m.group(1))] = {"name": m.group(2), "rx": int(m.group(3)),
                                        "tx": int(m.group(4)), "tx_dropped": int(m.group(5))}
    rx = recirc = hits = misses = 0
    for m in re.finditer(r"pmd \d+ \(lcore \d+\): rx packets:(\d+) hits:(\d+) cache hits:\d+ "
                         r"misses:(\d+) lost:\d+ recirc:(\d+)", output):
        rx += int(m.group(1))
        hits += int(m.group(2))
        misses += int(m.group(3))
        recirc += int(m.group(4))
    # Runts are dropped before lookup; every other packet (and every
    # recirculation) is looked up once.
    st["runts"] = rx + recirc - hits - misses
    m = re.search(r"(\d+) flow\(s\) from", output)
    st["flows"] = int(m.group(1)) if m else None
    return st


def plan_batches(cases):
    """Group cases so that a batch has at most MAX_PORTS ports. A case
    marked xfail gets a batch of its own, so that its failure (counters
    included) cannot be blamed on the others."""
    batches, cur, n = [[c] for c in cases if c.xfail], [], 0
    for c in cases:
        if c.xfail:
            continue
        if len(c.ports) > MAX_PORTS:
            raise ValueError("%s: too many ports" % c.name)
        if n + len(c.ports) > MAX_PORTS:
            batches.append(cur)
            cur, n = [], 0
        cur.append(c)
        n += len(c.ports)
    if cur:
        batches.append(cur)
    return batches


def run_batch(cases, huge, tmp, result, extra_options=()):
    """One daemon for 'cases'; fills result.errors."""
    vdevs, numbers, pcaps = [], [], []
    for ci, c in enumerate(cases):
        nums = {}
        for p in c.ports:
            idx = len(vdevs)
            base = os.path.join(tmp, "c%d_%s" % (ci, p))
            args = "net_pcap%d" % idx
            if p in c.inputs or p in c.empty_rx:
                write_pcap(base + ".in.pcap", c.inputs.get(p, []))
                args += ",rx_pcap=" + base + ".in.pcap"
            args += ",tx_pcap=" + base + ".out.pcap"
            vdevs.append(args)
            nums[p] = idx + 1  # datapath port = ethdev port id + 1
            pcaps.append((c, p, base + ".out.pcap", idx + 1))
        numbers.append(nums)
    flows_path = os.path.join(tmp, "flows.txt")
    n_flows = 0
    with open(flows_path, "w") as f:
        for c, nums in zip(cases, numbers):
            f.write("# %s\n" % c.name)
            for line in c.flow_lines(nums):
                f.write(line + "\n")
                n_flows += 1
    options = ["--flows", flows_path, "--exit-idle", str(EXIT_IDLE_MS), "--mbufs", "8191",
               "--rxd", "256", "--txd", "256"] + list(extra_options)
    d = dpsw.Daemon(vdevs, options, huge=huge, tmpdir=tmp)
    if huge:
        # 8191 mbufs need far less than dpsw's 256 MB; reserving less lets
        # the hugepage half run beside other tests that hold hugepages.
        # --huge-unlink: no hugepage file outlives the daemon, even killed.
        i = d.args.index("-m")
        d.args[i + 1:i + 2] = [str(HUGE_MB), "--huge-unlink"]
    t0 = time.monotonic()
    try:
        d.start(wait_ready=False)
        rc = d.wait(DAEMON_TIMEOUT_S)
    finally:
        d.stop()
    result.seconds += time.monotonic() - t0
    out = d.output
    names = ", ".join(c.name for c in cases)
    if huge and rc != 0 and "hugepage" in out and "EAL" in out:
        # Other processes on the machine took the free hugepages between
        # our check and EAL's: not a failure of the datapath.
        result.skipped.append("[%s] hugepages ran out: %s" % (
            names, " ".join(x for x in out.splitlines() if "hugepage" in x)))
        result.skipped_cases.update(c.name for c in cases)
        return
    if rc != 0:
        result.batch_errors.append("daemon for [%s] exited %s:\n%s" % (names, rc, out))
        return
    st = parse_stats(out)
    berr = []
    if st.get("mbufs_in_use") != 0:
        berr.append("mbufs in use after the run: %s (leak)" % st.get("mbufs_in_use"))
    if st["flows"] != n_flows:
        berr.append("%s flows installed, expected %d" % (st["flows"], n_flows))
    want_lost = sum(c.lost for c in cases)
    if st.get("lost") != want_lost:
        berr.append("lost %s, expected %d" % (st.get("lost"), want_lost))
    want_runts = sum(c.runts for c in cases)
    if st["runts"] != want_runts:
        berr.append("runts %s (rx + recirc - hits - misses), expected %d" %
                    (st["runts"], want_runts))
    for c, p, path, num in pcaps:
        errs = result.errors.setdefault(c.name, [])
        ps = st["ports"].get(num)
        got = read_pcap(path)
        if ps is None:
            errs.append("port %s (%d) missing from the statistics" % (p, num))
            continue
        if ps["name"] != "net_pcap%d" % (num - 1):
            errs.append("port %d is %s, expected net_pcap%d" % (num, ps["name"], num - 1))
        if ps["rx"] != len(c.inputs.get(p, [])):
            errs.append("port %s received %d, its pcap has %d" % (p, ps["rx"],
                                                                 len(c.inputs.get(p, []))))
        if ps["tx"] != len(got) or ps["tx_dropped"]:
            errs.append("port %s: tx counter %d (dropped %d), pcap has %d" %
                        (p, ps["tx"], ps["tx_dropped"], len(got)))
        errs += compare_port(p, got, c.expect.get(p, []))
        for i, g in enumerate(got):
            for e in checksum_errors(g):
                errs.append("port %s packet %d: %s" % (p, i, e))
    if berr:
        result.batch_errors.append("batch [%s]: %s\n%s" % (names, "; ".join(berr), out))


def run_table(cases, huge, label, options=()):
    """Run every case (in batches), the daemon with 'options' added; print
    one line per case; return the number of failures."""
    result = Result()
    with tempfile.TemporaryDirectory(prefix="dpsw-pcap-") as root:
        for bi, batch in enumerate(plan_batches(cases)):
            tmp = os.path.join(root, "b%d" % bi)
            os.mkdir(tmp)
            run_batch(batch, huge, tmp, result, options)
    failed = 0
    xfail_names = {c.name for c in cases if c.xfail}
    for c in cases:
        errs = result.errors.get(c.name)
        if c.xfail and c.name not in result.skipped_cases:
            berrs = [e for e in result.batch_errors if "[%s]" % c.name in e]
            if errs or berrs or errs is None:
                print("[%s] XFAIL %s: %s" % (label, c.name, c.xfail))
                for e in (errs or []) + [e.split("\n")[0] for e in berrs]:
                    print("    " + e)
            else:
                print("[%s] XPASS %s (known bug fixed? %s)" % (label, c.name, c.xfail))
            continue
        if errs is None:
            if c.name in result.skipped_cases:
                print("[%s] SKIPPED %s: hugepages ran out" % (label, c.name))
                continue
            print("[%s] FAIL %s (its batch did not run)" % (label, c.name))
            failed += 1
        elif errs:
            print("[%s] FAIL %s" % (label, c.name))
            for e in errs:
                print("    " + e)
            failed += 1
        else:
            print("[%s] ok   %s" % (label, c.name))
    for e in result.batch_errors:
        if any("[%s]" % n in e for n in xfail_names):
            continue
        print("[%s] FAIL %s" % (label, e))
        failed += 1
    for x in result.skipped:
        print("[%s] SKIPPED batch %s" % (label, x))
    print("[%s] %d case(s), %d failure(s), %.1f s in the daemon" % (label, len(cases), failed,
                                                                   result.seconds))
    return failed


def hugepages_usable():
    """(usable, why not)."""
    if os.geteuid() != 0:
        return False, "not root"
    if not os.path.ismount("/dev/hugepages"):
        return False, "/dev/hugepages is not mounted (tools/hugepages.sh mounts it)"
    free = dpsw.hugepages_free()
    if free < HUGE_MB:
        return False, "%d free hugepages, %d needed (tools/hugepages.sh reserves them)" % (
            free, HUGE_MB)
    return True, ""


def main(cases, extra=None, options=()):
    """Run the table with --no-huge, then with hugepages when possible; the
    daemon gets 'options' too. 'extra' is a function(huge, label) ->
    failures for checks outside the table. Exit status for meson: 0 ok,
    1 failed."""
    for c in cases:
        if sum(1 for d in cases if d.name == c.name) > 1:
            raise ValueError("duplicate case name " + c.name)
    t0 = time.monotonic()
    failed = run_table(cases, False, "no-huge", options)
    if extra:
        failed += extra(False, "no-huge")
    ok, why = hugepages_usable()
    if ok:
        failed += run_table(cases, True, "huge", options)
        if extra:
            failed += extra(True, "huge")
    else:
        print("[huge] SKIPPED: hugepage half not run: %s" % why)
    print("total %.1f s, %d failure(s)" % (time.monotonic() - t0, failed))
    return 1 if failed else 0
