# SPDX-License-Identifier: BSD-3-Clause
"""monitor prints MISS upcalls (a net_pcap port replaying a pcap, no flows)
and ACTION upcalls (a userspace action) with the key and the packet
decoded; execute sends a packet through actions to a net_pcap tx port."""
import os
import select
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e import (CTL, Daemon, check, fails, need_root_and_daemon, ok, read_pcap,  # noqa: E402
                 run, tmpdir, udp_packet, write_pcap)

need_root_and_daemon()
DIR = tmpdir()
IN, OUT = os.path.join(DIR, "in.pcap"), os.path.join(DIR, "out.pcap")
PKT = udp_packet(src_mac="00:00:00:00:00:01", dst_mac="00:00:00:00:00:02", src="10.0.0.1",
                 dst="10.0.0.2", sport=1234, dport=53, payload=b"hello")
write_pcap(IN, [PKT])
# Port 1 replays IN forever (misses, no flows); port 2 writes OUT.
D = Daemon(["net_pcap0,rx_pcap=%s,infinite_rx=1" % IN, "net_pcap1,tx_pcap=%s" % OUT])
S = D.sock

KEY = ("in_port(1),eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),eth_type(0x0800),"
       "ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=no),udp(src=1234,dst=53)")
SUMMARY = ("  packet: len 47: 00:00:00:00:00:01 > 00:00:00:00:00:02, IPv4 10.0.0.1 > 10.0.0.2, "
           "tos 0x00, ttl 64, length 33, UDP 1234 > 53, length 13")


def start_monitor(*args):
    p = subprocess.Popen([CTL, "--ctl", S, "monitor"] + list(args), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    line = p.stderr.readline().decode()  # printed once the upcall pid is ours
    check("monitoring upcalls" in line, "monitor did not start", line)
    return p


def upcalls(text):
    """The upcalls of monitor's output, as lists of lines."""
    blocks = []
    for line in text.splitlines():
        if line.startswith(("MISS: ", "ACTION: ")):
            blocks.append([line])
        elif blocks:
            blocks[-1].append(line)
    return blocks


def test_monitor_miss():
    p = start_monitor("--count", "2")
    out, err = p.communicate(timeout=30)
    check(p.returncode == 0, "monitor --count 2", p.returncode, err)
    ups = upcalls(out.decode())
    check(len(ups) == 2, "two upcalls", out)
    first = ups[0]
    check(first[0].startswith("MISS: ") and first[0].endswith(KEY), "the key", first[0])
    check(first[1] == SUMMARY, "the packet decoded", first[1], SUMMARY)
    hexed = "".join(line.split("|")[0][12:] for line in first[2:])
    check(bytes.fromhex(hexed.replace("-", " ")) == PKT, "hex dump", first[2:])


def test_monitor_action_and_sigterm():
    p = start_monitor()
    ok(S, "add-flow", "in_port(1),eth(),eth_type(0x0800),ipv4(frag=no)",
       "userspace(pid=%d,userdata(01020304))" % p.pid)
    deadline, seen = time.time() + 20, b""
    fd = p.stdout.fileno()
    while time.time() < deadline and b"\nACTION: " not in seen:
        if select.select([fd], [], [], 0.2)[0]:
            seen += os.read(fd, 65536)
    p.send_signal(signal.SIGTERM)
    while True:  # up to the end: what was printed before the signal
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        seen += chunk
    p.wait(timeout=10)
    seen = seen.decode()
    check(p.returncode == 0, "monitor exits 0 on SIGTERM", p.returncode)
    actions = [u for u in upcalls(seen) if u[0].startswith("ACTION: ")]
    check(actions, "an ACTION upcall", seen[-2000:])
    # Userdata is padded to 8 bytes, as OVS's parser does (lib/odp-util.c).
    check(actions[0][0].endswith(KEY) and actions[0][1] == "  userdata: 01 02 03 04 00 00 00 00",
          "ACTION upcall's key and userdata", actions[0])
    check(actions[0][2] == SUMMARY, "ACTION packet", actions[0])
    ok(S, "del-flows")


def test_execute_to_pcap():
    ok(S, "execute", PKT.hex(), "2")
    ok(S, "execute", "--in-port", "1", PKT.hex(), "set(ipv4(ttl=5)),2")
    ok(S, "execute", "--key", "in_port(1),skb_mark(7)", PKT.hex(), "2,2")
    r = fails(S, 2, "execute", "00zz", "2")
    check("bad hex" in r.err, "bad hex", r)
    r = fails(S, 1, "execute", "000102", "2")
    check("Invalid argument" in r.err, "packet shorter than Ethernet", r)
    r = fails(S, 2, "execute", PKT.hex(), "2,nonsense")
    check("nonsense" in r.err, "bad actions", r)


def test_pcap_contents():
    check(D.stop() == 0, "daemon stops cleanly")
    pkts = read_pcap(OUT)
    check(len(pkts) == 4, "four packets sent", [p.hex() for p in pkts])
    check(pkts[0] == PKT and pkts[2] == PKT and pkts[3] == PKT, "sent as given")
    ttl5 = bytearray(PKT)
    ttl5[22] = 5
    # Checksum updated incrementally: recompute over the IPv4 header.
    ttl5[24:26] = b"\0\0"
    s = sum(int.from_bytes(ttl5[i:i + 2], "big") for i in range(14, 34, 2))
    s = (s & 0xffff) + (s >> 16)
    ttl5[24:26] = (~s & 0xffff).to_bytes(2, "big")
    check(pkts[1] == bytes(ttl5), "set(ipv4(ttl=5))", pkts[1].hex(), bytes(ttl5).hex())


run([test_monitor_miss, test_monitor_action_and_sigterm, test_execute_to_pcap,
     test_pcap_contents])
