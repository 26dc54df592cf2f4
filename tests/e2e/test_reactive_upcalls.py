# SPDX-License-Identifier: BSD-3-Clause
"""The datapath side of the reactive path.

- --upcall-rate: a miss storm on port 1 (net_null, endless identical
  frames, no flows) cannot starve port 2 (a tap): every miss of port 2
  reaches the listener, port 1's upcalls stay within its rate, and what
  port 1 dropped over the rate shows in `show`, per port.
- Upcall batching (DPSW_CMD_CONN_SET, DPSW_ATTR_CONN_UPCALL_BATCH): a
  listener that opts in gets many upcalls a datagram; one that does not
  gets one a datagram, as from the kernel; a bad value is refused with a
  reason and the daemon keeps running.
"""
import os
import select
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import dpsw  # noqa: E402

TREE = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(TREE, "examples"))
import controller  # noqa: E402

# include/dpsw_proto.h
DPSW_FAMILY = "dpdk_switch"
DPSW_VERSION = 1
DPSW_CMD_CONN_SET = 6
DPSW_ATTR_CONN_UPCALL_BATCH = 22
BATCH_BYTES = 64 * 1024

RATE = 1000                  # per port per second; a burst of RATE / 10
PORT2_FRAMES = 50            # within the burst: all must arrive
TAP = "net_tapr%d" % (os.getpid() % 10000)
MARK_MAC = bytes.fromhex("02000018aa00")


def listener(d, batch=None):
    dp = controller.Datapath(d.sock).open()
    if batch is not None:
        fam = dp.family(DPSW_FAMILY)
        dp.transact(fam, DPSW_CMD_CONN_SET, DPSW_VERSION,
                    controller.attr_u32(DPSW_ATTR_CONN_UPCALL_BATCH, batch),
                    what="upcall batching")
    dp.set_upcall_pid()
    return dp


def read_datagrams(dp, seconds, until=None):
    """[(n_messages, bytes)] of what came in 'seconds' (or until until())."""
    out = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not (until and until()):
        if not select.select([dp.sock], [], [], 0.1)[0]:
            continue
        try:
            data = dp.sock.recv(1 << 20)
        except BlockingIOError:
            continue
        msgs = dp.parse_datagram(data)
        out.append((msgs, len(data)))
    return out


def frame(i):
    """A UDP frame from MARK_MAC, one flow each (source port i)."""
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, 0, 0, 64, 17, 0,
                     bytes([10, 18, 0, 1]), bytes([10, 18, 0, 2]))
    udp = struct.pack("!HHHH", 1000 + i, 9, 8, 0)
    return bytes.fromhex("020000180002") + MARK_MAC + b"\x08\x00" + ip + udp


def miss_ports(msgs, pkt_family):
    """in_port and source MAC of every MISS upcall in 'msgs'."""
    out = []
    for mtype, _, _, payload in msgs:
        if mtype != pkt_family or payload[0] != controller.OVS_PACKET_CMD_MISS:
            continue
        up = controller.Upcall(controller.attrs_parse(
            payload[controller.GENLHDR.size + controller.OVSHDR.size:]))
        out.append((up.in_port, up.eth_src))
    return out


def storm_does_not_starve():
    with dpsw.Daemon(["net_null0", "%s,iface=%s" % (TAP, TAP)],
                     ["--upcall-rate", str(RATE)]) as d:
        subprocess.run(["ip", "link", "set", TAP, "up"], check=True)
        show = d.ctl("show").stdout
        assert "upcall rate: %d/s per port" % RATE in show, show
        dp = listener(d)
        fam = dp.families[controller.OVS_PACKET_FAMILY]
        # Port 1 storms from the start; let its bucket run dry first.
        read_datagrams(dp, 1.0)
        tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        tx.bind((TAP, 0))
        for i in range(PORT2_FRAMES):
            tx.send(frame(i))
        tx.close()
        seen = {1: 0, 2: 0}
        marked = 0
        start = time.monotonic()

        def done():
            return marked >= PORT2_FRAMES
        deadline = start + 30
        while not done() and time.monotonic() < deadline:
            for msgs, _ in read_datagrams(dp, 0.5, done):
                for port, src in miss_ports(msgs, fam):
                    seen[port] = seen.get(port, 0) + 1
                    marked += port == 2 and src == MARK_MAC
        elapsed = time.monotonic() - start
        assert marked == PORT2_FRAMES, "port 2: %d of %d misses arrived (port 1: %d)" % (
            marked, PORT2_FRAMES, seen[1])
        # One PMD: port 1 gets RATE a second plus one burst (RATE / 10).
        limit = RATE * (elapsed + 1.0) + RATE / 10 + 50
        assert 0 < seen[1] <= limit, "port 1: %d upcalls in %.1f s, limit %d/s" % (
            seen[1], elapsed, RATE)
        show = d.ctl("show").stdout
        over = show.split("port 1:")[1].split("port 2:")[0]
        assert "upcalls over rate:" in over, show
        assert int(over.split("upcalls over rate:")[1].split()[0]) > 0, show
        assert "upcalls over rate" not in show.split("port 2:")[1], show
        j = d.ctl("--json", "show").stdout
        assert '"upcall_rate": %d' % RATE in j, j
        dp.close()
        assert d.stop() == 0
    print("ok a storm on port 1 (%d upcalls in %.1f s at %d/s) left port 2's %d misses "
          "intact" % (seen[1], elapsed, RATE, PORT2_FRAMES))


def batching():
    with dpsw.Daemon(["net_null0"], []) as d:
        # A bad setting: refused with a reason, the daemon keeps serving.
        bad = controller.Datapath(d.sock).open()
        try:
            bad.transact(bad.family(DPSW_FAMILY), DPSW_CMD_CONN_SET, DPSW_VERSION,
                         controller.attr_u32(DPSW_ATTR_CONN_UPCALL_BATCH, 2))
            raise AssertionError("UPCALL_BATCH 2 accepted")
        except controller.NetlinkError as e:
            assert "upcall batch 2 is not 0" in str(e), str(e)
        bad.close()

        batched = listener(d, batch=1)
        got = read_datagrams(batched, 2.0)
        batched.close()
        n_up = sum(len(m) for m, _ in got)
        assert got and n_up > 2 * len(got), "%d upcalls in %d datagrams" % (n_up, len(got))
        assert max(size for _, size in got) <= BATCH_BYTES, max(size for _, size in got)

        plain = listener(d, batch=0)
        one = read_datagrams(plain, 1.0)
        plain.close()
        assert one and all(len(m) == 1 for m, _ in one), \
            "unbatched: %s messages a datagram" % sorted({len(m) for m, _ in one})
        d.ctl("show")
        assert d.stop() == 0
    print("ok batched listener: %d upcalls in %d datagrams; default one a datagram" %
          (n_up, len(got)))


def main():
    storm_does_not_starve()
    batching()


if __name__ == "__main__":
    main()
