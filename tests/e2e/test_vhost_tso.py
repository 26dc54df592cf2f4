#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Checksum and TSO offloads between vhost-user guests, without a VM.

The sending guest is dpdk-testpmd on net_virtio_user (the daemon's vhost
port A has tso=1, so the guest may send GSO): its csum engine reads big
TCP frames from a pcap and hands each to virtio as one segment with
`tso set MSS` and `csum set tcp hw`, i.e. a virtio-net header with
GSO_TCPV4, gso_size MSS and NEEDS_CSUM (the TCP field holds only the
pseudo-header sum). One flow sends what A receives to

  (a) vhost port B, whose guest (testpmd, io forwarding into a pcap)
      negotiated GUEST_TSO4/6 and GUEST_CSUM: each frame arrives whole,
      one packet, its TCP field the pseudo-header sum for the guest to
      finish, every other byte as sent;
  (b) a pcap port: librte_gso cut it into MSS-sized segments whose IPv4
      and TCP checksums are right and whose payloads, end to end, are the
      frame's.

Scenarios: as is; with a set-field action rewriting the IPv4 source and
the TCP port first (the partial checksum follows the address, not the
port); and with offload=0 on B (segmented for B too). Every run ends
with no mbuf in use. Needs root, dpdk-testpmd and free hugepages for the
guests (virtio-user shares its memory through hugepage files).
"""
import json
import os
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dpsw  # noqa: E402
from e2e import (Failure, check, csum, ipv4, mac, read_pcap,  # noqa: E402
                 run_guest_scenarios, tmpdir, write_pcap)

MSS = 1448
PAYLOAD = 60000      # bytes of TCP payload per frame: 42 segments
N_FRAMES = 4
TIMEOUT = 60
GUEST_MB = 256


def tcp_frame(i, src="10.0.0.1", dst="10.0.0.2", sport=40000, dport=5201):
    payload = bytes((i * 7 + k) & 0xff for k in range(PAYLOAD))
    tcp = struct.pack("!HHIIBBHHH", sport, dport, 1000 + i * PAYLOAD, 1, 5 << 4, 0x18,
                      65535, 0, 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 100 + i, 0x4000, 64, 6, 0,
                     ipv4(src), ipv4(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    tcp = tcp[:16] + struct.pack("!H", csum(phdr(ip, len(tcp)) + tcp)) + tcp[18:]
    return mac("00:00:00:00:00:02") + mac("00:00:00:00:00:01") + b"\x08\x00" + ip + tcp


def phdr(ip, l4_len):
    return ip[12:20] + struct.pack("!BBH", 0, 6, l4_len)


def fold(s):
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s


def parts(frame):
    """(ip header, tcp header, payload) of an IPv4/TCP frame without options."""
    ip = frame[14:34]
    total = struct.unpack("!H", ip[2:4])[0]
    tcp = frame[34:14 + total]
    return ip, tcp[:20], tcp[20:]


def tcp_ok(frame):
    ip, th, payload = parts(frame)
    return csum(ip) == 0 and csum(phdr(ip, len(th) + len(payload)) + th + payload) == 0


def partial_ok(frame):
    """The TCP field holds the folded pseudo-header sum, as virtio's
    NEEDS_CSUM wants: the switch sends it with the L4 length (unit
    test_offload checks that); the DPDK 22.11 virtio-user receiver here
    shows it without the length, the form DPDK's TSO uses."""
    ip = frame[14:34]
    l4_len = struct.unpack("!H", ip[2:4])[0] - 20
    with_len = fold(sum(struct.unpack("!6H", phdr(ip, l4_len))))
    without = fold(sum(struct.unpack("!6H", phdr(ip, 0))))
    return struct.unpack("!H", frame[50:52])[0] in (with_len, without)


def rewritten(frame, src=None, sport=None):
    """'frame' as set(ipv4(src)), set(tcp(src)) leave it, checksums right."""
    ip, th, payload = parts(frame)
    if src:
        ip = ip[:12] + ipv4(src) + ip[16:]
        ip = ip[:10] + b"\0\0" + ip[12:]
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    if sport:
        th = struct.pack("!H", sport) + th[2:]
    th = th[:16] + b"\0\0" + th[18:]
    th = th[:16] + struct.pack("!H", csum(phdr(ip, len(th) + len(payload)) + th + payload)) + \
        th[18:]
    return frame[:14] + ip + th + payload


def same_but_tcp_csum(a, b):
    """Equal but for the TCP checksum field and the MAC addresses (which
    the csum engine of guest 1 rewrites)."""
    return len(a) == len(b) and a[12:50] == b[12:50] and a[52:] == b[52:]


def pcap_lengths(path):
    """(captured, on the wire) of each record."""
    with open(path, "rb") as f:
        data = f.read()
    out, ofs = [], 24
    while ofs + 16 <= len(data):
        _, _, incl, orig = struct.unpack("<IIII", data[ofs:ofs + 16])
        out.append((incl, orig))
        ofs += 16 + incl
    return out


class Testpmd(dpsw.Testpmd):
    def __init__(self, tmp, name, vdevs, fwd, extra=(), commands=()):
        super().__init__(tmp, "dpswtso%s%d" % (name, os.getpid()))
        args = ["dpdk-testpmd", "-l", "0-1", "--no-pci", "--file-prefix", self.prefix,
                "-m", str(GUEST_MB), "--single-file-segments"]
        for v in vdevs:
            args += ["--vdev", v]
        args += ["--", "--forward-mode=" + fwd, "--port-topology=paired", "--nb-cores=1",
                 "--total-num-mbufs=8192", "--stats-period", "30"] + list(extra)
        if commands:
            cmdfile = os.path.join(tmp, self.prefix + ".cmds")
            with open(cmdfile, "w") as f:
                f.write("\n".join(commands) + "\n")
            args += ["--cmdline-file=" + cmdfile, "--disable-device-start"]
        else:
            args.append("--auto-start")
        self.args = args

    def forwarding(self):
        return self.says("packet forwarding - ports=2")

    def forwarding_any(self):
        return self.says("packet forwarding - ports=")


def wait_for(cond, what, details=lambda: ""):
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.2)
    raise Failure("timed out waiting for %s\n%s" % (what, details()))


def ports(d):
    return {p["name"]: p for p in json.loads(d.ctl("show", "--json").stdout)["ports"]}


def scenario(label, actions_before="", b_opts="", sport=None, src=None):
    tmp = tmpdir()
    sock_a, sock_b = os.path.join(tmp, "a.sock"), os.path.join(tmp, "b.sock")
    out = os.path.join(tmp, "out.pcap")
    g2_out = os.path.join(tmp, "g2.pcap")
    big = os.path.join(tmp, "big.pcap")
    frames = [tcp_frame(i) for i in range(N_FRAMES)]
    write_pcap(big, frames)
    opts = ["--mbufs", "16383"]
    if b_opts:
        opts += ["--port-opts", "net_vhost1:" + b_opts]
    d = dpsw.Daemon(["net_pcap0,tx_pcap=" + out, "net_vhost0,iface=%s,tso=1" % sock_a,
                     "net_vhost1,iface=%s" % sock_b], opts, huge=False, tmpdir=tmp)
    # Guest 2: what B sends it goes to its pcap, as it arrived.
    g2 = Testpmd(tmp, "b", ["net_virtio_user1,path=%s,queues=1" % sock_b,
                            "net_pcap1,tx_pcap=" + g2_out],
                 "io", ["--mbuf-size=20000"],
                 ["port stop all"] +
                 ["port config 0 rx_offload %s on" % o
                  for o in ("tcp_lro", "tcp_cksum", "udp_cksum", "scatter")] +
                 ["port start all", "start"])
    # Guest 1: frames from its pcap (port 0) out through virtio (port 1)
    # as one GSO segment each.
    g1 = Testpmd(tmp, "a", ["net_pcap2,rx_pcap=" + big,
                            "net_virtio_user2,path=%s,queues=1" % sock_a],
                 "csum", ["--no-flush-rx"],
                 ["port stop all", "port config 1 tx_offload multi_segs on",
                  "csum set tcp hw 1", "tso set %d 1" % MSS,
                  "port start all", "start"])
    try:
        d.start()
        p = ports(d)
        pa, pb, pout = (p[n]["port_no"] for n in ("net_vhost0", "net_vhost1", "net_pcap0"))
        d.ctl("add-flow", "in_port(%d),eth(),eth_type(0x0800),ipv4(proto=6),tcp()" % pa,
              "%s%d,%d" % (actions_before, pb, pout))
        wait_for(lambda: os.path.exists(sock_b), "the daemon's sockets")
        g2.start()
        wait_for(g2.forwarding, "guest 2 to forward", g2.text)
        if not b_opts:
            wait_for(lambda: ports(d)["net_vhost1"]["config"]["tso"], "guest 2's features")
        else:
            time.sleep(1)
        show = d.ctl("show", "-s").stdout
        conf_b = ports(d)["net_vhost1"]["config"]
        g1.start()
        wait_for(lambda: ports(d)["net_vhost0"]["stats"]["rx_packets"] >= N_FRAMES,
                 "%d frames from guest 1" % N_FRAMES,
                 lambda: g1.text() + d.read_log()[-2000:])
        wait_for(lambda: ports(d)["net_pcap0"]["stats"]["tx_packets"] >= N_FRAMES,
                 "the segments out of the pcap port")
        time.sleep(1)
        if os.environ.get("DPSW_TSO_DEBUG"):
            print(json.dumps(ports(d), indent=1))
        g1.stop()
        g2.stop()
        rc = d.stop()
        check(rc == 0, "the daemon exits 0", d.output[-2000:])
        check(dpsw.stats_value(d.output, "mbufs in use") == 0, "no mbuf leak", d.output[-2000:])
        want = [rewritten(f, src, sport) for f in frames]
        check_segments(read_pcap(out), want, "pcap port")
        got_b = read_pcap(g2_out)
        if b_opts == "offload=0":
            check("offloads:none" in show and not (conf_b["rx_csum"] or conf_b["tso"]),
                  "show: B without offloads", show)
            check_segments(got_b, want, "vhost port B without offloads")
        else:
            check("offloads:rx-csum,tx-csum,tso" in show and conf_b["tso"] and
                  conf_b["tx_csum"] and conf_b["rx_csum"], "show: B keeps TSO", show)
            check(len(got_b) == N_FRAMES, "one packet per frame to guest 2",
                  [len(x) for x in got_b], pcap_lengths(g2_out))
            # Guest 2's pcap port keeps the first 16128 bytes of a packet
            # (DPDK 22.11's net_pcap); the length on the wire is the frame's.
            check([orig for _, orig in pcap_lengths(g2_out)] == [len(w) for w in want],
                  "guest 2 got each frame whole", pcap_lengths(g2_out))
            for g, w in zip(got_b, want):
                check(same_but_tcp_csum(g, w[:len(g)]), "guest 2 got the frame as sent",
                      g[:60].hex(), w[:60].hex())
                check(partial_ok(g), "guest 2's TCP field holds the pseudo-header sum",
                      g[:60].hex())
        print("ok   %s" % label)
    finally:
        g1.stop()
        if os.environ.get("DPSW_TSO_DEBUG"):
            print(open(g1.log).read()[-6000:])
            print(open(g2.log).read()[-6000:])
        g2.stop()
        d.stop()


def check_segments(got, frames, where):
    n_per = -(-PAYLOAD // MSS)
    check(len(got) == n_per * len(frames), "%s: %d segments of %d frames" %
          (where, n_per * len(frames), len(frames)), len(got), [len(x) for x in got[:5]])
    for i, f in enumerate(frames):
        segs = got[i * n_per:(i + 1) * n_per]
        ip, th, payload = parts(f)
        joined = b"".join(parts(s)[2] for s in segs)
        check(joined == payload, "%s: frame %d's payload, end to end" % (where, i))
        for k, s in enumerate(segs):
            check(len(parts(s)[2]) <= MSS, "%s: segment within the MSS" % where)
            check(tcp_ok(s), "%s: frame %d segment %d: IPv4 and TCP checksums" % (where, i, k))
            sip, sth, _ = parts(s)
            check(sip[12:20] == ip[12:20] and sth[:4] == th[:4],
                  "%s: addresses and ports as the frame's" % where)


def main():
    return run_guest_scenarios(
        lambda: scenario("tso_kept_and_segmented"),
        lambda: scenario("set_field_on_partial_checksum",
                         "set(ipv4(src=10.9.9.9)),set(tcp(src=4444)),",
                         sport=4444, src="10.9.9.9"),
        lambda: scenario("offload_off_on_b", b_opts="offload=0"))

if __name__ == "__main__":
    sys.exit(main())
