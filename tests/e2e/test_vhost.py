#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""vhost-user ports with a guest that is DPDK's virtio-user in a second
process (dpdk-testpmd, io forwarding, one queue pair), no VM:

  pcap in -> switch -> vhost-user -> guest -> vhost-user -> switch -> pcap out

byte for byte, 60-byte frames (64 on the wire) and 9014-byte ones
(--mtu 9000: chains of mbufs on both sides), with the daemon as vhost-user
server (the guest connects) and as client (client=1: the guest is the
server and the daemon keeps reconnecting, as Open vSwitch's
dpdkvhostuserclient), the vhost port probed at start (--vdev) and
hot-plugged (add-if). In the middle the guest is killed: the daemon logs
the link going down, what the switch sends to it meanwhile is counted as
dropped (tx_dropped), the daemon keeps answering, and once the guest is
back (link up again) traffic flows. At exit no mbuf is left in use.

Needs hugepages for the guest (tools/hugepages.sh; virtio-user shares its
memory with the switch through hugepage files); skipped without them.
"""
import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dpsw  # noqa: E402
from e2e import (Failure, check, read_pcap, run_guest_scenarios,  # noqa: E402
                 tmpdir, udp_packet, write_pcap)

GUEST_MB = 128
TIMEOUT = 60


class Guest(dpsw.Testpmd):
    """dpdk-testpmd with net_virtio_user on 'sock', forwarding what it
    receives back out of the same port."""

    def __init__(self, tmp, sock, server, jumbo=False, kind="vhost", queues=1):
        super().__init__(tmp, "dpswguest%d_%d" % (os.getpid(),
                                                   int(time.monotonic() * 1000) % 100000))
        if kind == "vhost":
            # Several queue pairs need virtio's control queue (cq=1):
            # through it the driver tells how many pairs it enables.
            dev = "net_virtio_user0,path=%s,queues=%d%s%s" % (
                sock, queues, ",cq=1" if queues > 1 else "", ",server=1" if server else "")
        else:
            dev = "net_memif0,role=%s,socket=%s,socket-abstract=no" % (
                "server" if server else "client", sock)
        self.kind = kind
        self.args = ["dpdk-testpmd", "-l", "0-1", "--no-pci", "--file-prefix", self.prefix,
                     "-m", str(GUEST_MB), "--single-file-segments", "--vdev", dev, "--",
                     "--forward-mode=io", "--port-topology=loop", "--auto-start",
                     "--total-num-mbufs=2048", "--nb-cores=1", "--stats-period", "30"]
        if queues > 1:
            # Each queue pair a stream: what comes in on rx queue i goes
            # back out on tx queue i.
            self.args += ["--rxq=%d" % queues, "--txq=%d" % queues]
        if jumbo:
            # Frames of 9018 bytes (a VLAN tag's room) in chains of mbufs.
            self.args += ["--max-pkt-len=9018", "--enable-scatter", "--tx-offloads=0x8000"]

    def forwarding(self):
        return self.says("io packet forwarding - ports=1")

    def text(self, tail=3000):
        return super().text(tail)


def wait_for(cond, what, timeout=TIMEOUT, details=lambda: ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.2)
    raise Failure("timed out waiting for %s\n%s" % (what, details()))


def port_stats(d, name):
    doc = json.loads(d.ctl("show", "--json").stdout)
    for p in doc["ports"]:
        if p["name"] == name:
            return p["stats"]
    raise Failure("no port %s in %s" % (name, doc["ports"]))


def frames(tag, n=10, size=60):
    return [udp_packet(sport=1000 + tag, dport=i, payload=bytes([tag, i]) * ((size - 42) // 2))
            for i in range(n)]


class Rig:
    """The daemon with a tx pcap (port 1) and a vhost-user port, and the
    rx pcaps that feed it one batch each."""

    def __init__(self, tmp, label, daemon_client, hotplug, jumbo=False, kind="vhost"):
        self.tmp, self.label, self.kind = tmp, label, kind
        self.sock = os.path.join(tmp, label + ".sock")
        self.out = os.path.join(tmp, label + ".out.pcap")
        if kind == "vhost":
            self.vhost = "net_vhost%d,iface=%s%s" % (len(label), self.sock,
                                                    ",client=1" if daemon_client else "")
        else:
            self.vhost = "net_memif%d,role=%s,socket=%s,socket-abstract=no" % (
                len(label), "client" if daemon_client else "server", self.sock)
        self.vname = self.vhost.split(",")[0]
        # A memif client proposes its rings; the peer has one queue pair and
        # refuses more, so the daemon's port gets one tx queue (shared by
        # the PMD and the control thread under a lock).
        self.opts = ["txq=1"] if kind == "memif" and daemon_client else []
        vdevs = ["net_pcap0,tx_pcap=" + self.out] + ([] if hotplug else [self.vhost])
        opts = ["--mbufs", "8191"] + (["--mtu", "9000"] if jumbo else [])
        if self.opts and not hotplug:
            opts += ["--port-opts", "%s:%s" % (self.vname, ",".join(self.opts))]
        self.d = dpsw.Daemon(vdevs, opts, huge=False, tmpdir=tmp)
        self.jumbo = jumbo
        self.hotplug = hotplug
        self.guest = Guest(tmp, self.sock, server=daemon_client, jumbo=jumbo, kind=kind)
        self.daemon_client = daemon_client
        self.n_rx = 0
        self.sent = []

    def start(self):
        if self.daemon_client:
            self.guest.start()  # the server: its socket first
            wait_for(lambda: os.path.exists(self.sock), "the guest's socket",
                     details=self.guest.text)
        self.d.start()
        if self.hotplug:
            self.d.ctl("add-if", self.vhost, *self.opts)
        self.vport = self.port_no(self.vname)
        if not self.daemon_client:
            wait_for(lambda: os.path.exists(self.sock), "the daemon's socket")
            self.guest.start()
        self.d.ctl("add-flow", "in_port(%d),eth()" % self.vport, "1")
        wait_for(self.guest.forwarding, "the guest to forward", details=self.guest.text)

    def port_no(self, name):
        doc = json.loads(self.d.ctl("show", "--json").stdout)
        for p in doc["ports"]:
            if p["name"] == name:
                return p["port_no"]
        raise Failure("no port %s" % name)

    def feed(self, pkts):
        """A new rx pcap port replays 'pkts' into the vhost port."""
        name = "net_pcap%d" % (10 + self.n_rx)
        path = os.path.join(self.tmp, "%s.%s.pcap" % (self.label, name))
        write_pcap(path, pkts)
        self.n_rx += 1
        # The flow first, so the pcap's replay finds it.
        port = self.vport + self.n_rx if self.hotplug else 2 + self.n_rx
        self.d.ctl("add-flow", "in_port(%d),eth()" % port, str(self.vport))
        self.d.ctl("add-if", "%s,rx_pcap=%s" % (name, path))
        check(self.port_no(name) == port, "the rx pcap is port %d" % port)

    def round_trip(self, pkts):
        before = port_stats(self.d, "net_pcap0")["tx_packets"]
        self.feed(pkts)
        wait_for(lambda: port_stats(self.d, "net_pcap0")["tx_packets"] >= before + len(pkts),
                 "%d frames back from the guest" % len(pkts),
                 details=lambda: self.d.read_log()[-2000:] + self.guest.text())
        self.sent += pkts

    def finish(self):
        self.guest.stop()
        rc = self.d.stop()
        check(rc == 0, "the daemon exits 0", self.d.output[-2000:])
        check(dpsw.stats_value(self.d.output, "mbufs in use") == 0, "no mbuf leak",
              self.d.output[-2000:])
        got = read_pcap(self.out)
        check(got == self.sent, "byte for byte through the guest, in order",
              [len(x) for x in got], [len(x) for x in self.sent])


def scenario(label, daemon_client, hotplug, size=60, kind="vhost", restart=True):
    tmp = tmpdir()
    r = Rig(tmp, label, daemon_client, hotplug, jumbo=size > 1514, kind=kind)
    try:
        r.start()
        r.round_trip(frames(1, size=size))
        if not restart:
            r.finish()
            print("ok   %s" % label)
            return
        # The guest goes away: sends to it are dropped and counted.
        up = "port %d: link up" % r.vport
        down = "port %d: link down" % r.vport
        # net_vhost raises link events (net_memif in DPDK 22.11 does not).
        events = kind == "vhost"
        check(not events or r.d.read_log().count(up) == 1,
              "the link event of the guest's arrival", r.d.read_log()[-2000:])
        r.guest.stop(signal.SIGKILL)
        wait_for(lambda: not events or down in r.d.read_log(),
                 "the link event of the guest's departure",
                 details=lambda: r.d.read_log()[-2000:])
        dropped = port_stats(r.d, r.vname)["tx_dropped"]
        r.feed(frames(2, size=size))
        wait_for(lambda: port_stats(r.d, r.vname)["tx_dropped"] >= dropped + 10,
                 "10 drops to the absent guest", details=lambda: str(port_stats(r.d, r.vname)))
        check(r.d.ctl("show").returncode == 0, "the daemon answers")
        # It comes back (a new process): traffic resumes. A killed server
        # leaves its socket file, which the new one could not bind.
        if daemon_client:
            os.unlink(r.sock)
        r.guest = Guest(tmp, r.sock, server=daemon_client, jumbo=r.jumbo, kind=kind).start()
        wait_for(r.guest.forwarding, "the guest to forward again", details=r.guest.text)
        if kind == "memif" and daemon_client:
            # DPDK's memif client does not reconnect by itself: the
            # daemon restarts the port until the server is back.
            wait_for(lambda: "port %d: reconnected" % r.vport in r.d.read_log(),
                     "the memif client to reconnect", details=lambda: r.d.read_log()[-2000:])
        wait_for(lambda: not events or r.d.read_log().count(up) == 2,
                 "the link event of its return",
                 details=lambda: r.d.read_log()[-2000:])
        r.round_trip(frames(3, size=size))
        r.finish()
        print("ok   %s" % label)
    finally:
        r.guest.stop()
        r.d.stop()


def main(scenarios=(("server_vdev", False, False, 60), ("client_addif", True, True, 60),
                   ("server_vdev_9014_bytes", False, False, 9014)), kind="vhost"):
    return run_guest_scenarios(*(
        lambda s=s: scenario(s[0], s[1], s[2], s[3], kind, *s[4:]) for s in scenarios))

if __name__ == "__main__":
    sys.exit(main())
