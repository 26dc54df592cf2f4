# SPDX-License-Identifier: BSD-3-Clause
"""Large packets through the packet family (raw messages).

- A 9000-byte frame received on a port reaches the listener as a MISS
  upcall, and the controller sends it back with EXECUTE (an mbuf chain);
  the output port writes it unchanged.
- Misses of 60 to 1500 bytes arrive whole, on both sides of
  UPCALL_INLINE_MAX (bytes copied into the upcall's slot, or its mbuf).
- An upcall (ACTION after EXECUTE and push_vlan, or MISS of a frame a
  port received) whose PACKET attribute would not fit the 16-bit nla_len
  (a packet over 65531 bytes) is not sent and is counted lost, as the
  kernel's queue_userspace_packet() (net/openvswitch/datapath.c) fails it
  with EFBIG; 65531 bytes, the most that fits, arrive whole.
"""
import os
import shutil
import struct
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dpsw  # noqa: E402
from e2e import read_pcap, udp_packet, write_pcap  # noqa: E402
from nlraw import *  # noqa: E402,F403

OVS_PACKET_CMD_MISS, OVS_PACKET_CMD_ACTION = 1, 2
OVS_ACTION_ATTR_USERSPACE, OVS_ACTION_ATTR_PUSH_VLAN = 2, 4
OVS_USERSPACE_ATTR_PID = 1
LISTENER_PID = 777


def frame(size):
    """A UDP frame of exactly 'size' bytes."""
    return udp_packet(payload=bytes(i % 251 for i in range(size - 42)))


def lost(c):
    (r,) = c.request(msg(c.family("ovs_datapath"), OVS_DP_CMD_GET,
                         attr(OVS_DP_ATTR_NAME, DP_NAME)))
    return struct.unpack("=QQQQ", r.attrs()[OVS_DP_ATTR_STATS][:32])[2]


def execute(c, pkt, actions):
    """EXECUTE 'pkt' from port 1; the error of the ack."""
    a = (attr(OVS_PACKET_ATTR_PACKET, pkt) +
         nest(OVS_PACKET_ATTR_KEY, u32(OVS_KEY_ATTR_IN_PORT, 1)) +
         nest(OVS_PACKET_ATTR_ACTIONS, actions))
    (r,) = c.request(msg(c.family("ovs_packet"), OVS_PACKET_CMD_EXECUTE, a,
                         flags=NLM_F_REQUEST | NLM_F_ACK))
    return r


def next_upcall(c):
    """(cmd, packet) of the next upcall."""
    while True:
        for r in c.recv():
            if r.type == c.family("ovs_packet"):
                cmd = r.data[16]
                return cmd, r.attrs()[OVS_PACKET_ATTR_PACKET]


def userspace():
    return nest(OVS_ACTION_ATTR_USERSPACE, u32(OVS_USERSPACE_ATTR_PID, LISTENER_PID))


def push_vlan():
    return attr(OVS_ACTION_ATTR_PUSH_VLAN, struct.pack("!HH", 0x8100, 0x1000 | 5))


def main():
    tmp = tempfile.mkdtemp(prefix="dpsw-large-")
    rx, tx = os.path.join(tmp, "in.pcap"), os.path.join(tmp, "out.pcap")
    big = os.path.join(tmp, "big.pcap")
    jumbo = frame(9000)
    write_pcap(rx, [jumbo])
    try:
        with dpsw.Daemon(["net_pcap0,tx_pcap=%s" % tx], tmpdir=tmp) as d:
            c = Conn(d.sock, timeout=30)
            (r,) = c.request(msg(c.family("ovs_datapath"), OVS_DP_CMD_SET,
                                 attr(OVS_DP_ATTR_NAME, DP_NAME) +
                                 u32(OVS_DP_ATTR_UPCALL_PID, LISTENER_PID),
                                 flags=NLM_F_REQUEST | NLM_F_ACK))
            assert r.error == 0, r
            # Port 2 replays the pcap once, now that someone listens.
            d.ctl("add-if", "net_pcap1,rx_pcap=%s" % rx)
            cmd, pkt = next_upcall(c)
            assert cmd == OVS_PACKET_CMD_MISS and pkt == jumbo, (cmd, len(pkt))
            r = execute(c, pkt, out(1))
            assert r.error == 0, "EXECUTE of a 9000-byte miss: %r" % r
            print("ok   a 9000-byte miss executed back")

            before = lost(c)
            for size, vlan in ((65528, True), (65531, True)):
                r = execute(c, frame(size), push_vlan() + userspace())
                assert r.error == 0, (size, r)
            # 65531 bytes fit; the marker shows nothing came before it.
            r = execute(c, frame(65531), userspace())
            assert r.error == 0, r
            cmd, pkt = next_upcall(c)
            assert cmd == OVS_PACKET_CMD_ACTION and pkt == frame(65531), (cmd, len(pkt))
            assert lost(c) == before + 2, (before, lost(c))
            print("ok   65532- and 65535-byte upcalls counted lost, 65531 bytes sent whole")
            # The same for a miss: a 65532-byte frame received on port 3.
            write_pcap(big, [frame(65532), frame(100)])
            before = lost(c)
            d.ctl("add-if", "net_pcap2,rx_pcap=%s" % big)
            cmd, pkt = next_upcall(c)
            assert cmd == OVS_PACKET_CMD_MISS and pkt == frame(100), (cmd, len(pkt))
            assert lost(c) == before + 1, (before, lost(c))
            print("ok   a 65532-byte miss counted lost")
            # Misses up to UPCALL_INLINE_MAX (128) bytes travel in their
            # upcall slot, longer ones with their mbuf: both whole.
            small = os.path.join(tmp, "small.pcap")
            sizes = (60, 127, 128, 129, 1500)
            write_pcap(small, [frame(n) for n in sizes])
            d.ctl("add-if", "net_pcap3,rx_pcap=%s" % small)
            for n in sizes:
                cmd, pkt = next_upcall(c)
                assert cmd == OVS_PACKET_CMD_MISS and pkt == frame(n), (n, cmd, len(pkt))
            print("ok   misses of 60-1500 bytes, in the slot or the mbuf, arrive whole")
            c.close()
            d.stop()
            assert dpsw.stats_value(d.output, "mbufs in use") == 0, d.output[-2000:]
        pkts = read_pcap(tx)
        assert pkts == [jumbo], [len(p) for p in pkts]
        print("ok   the port sent the 9000-byte frame unchanged")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    if os.geteuid() != 0:
        print("skip: the daemon needs root (EAL)")
        sys.exit(77)
    main()
