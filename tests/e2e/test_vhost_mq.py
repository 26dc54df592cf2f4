#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A vhost-user port with two queue pairs over two PMDs (two lcores on
CPU 1), and guests (dpdk-testpmd, net_virtio_user, io forwarding: what
arrives on its queue i leaves on its queue i) that enable both pairs or
only one:

  pcap in (2 rx queues, one a PMD) -> switch -> vhost (2 tx queues)
     -> guest -> vhost (2 rx queues, one a PMD) -> switch -> pcap out

1. A guest with queues=2: the port's rx queues are on different PMDs,
   each PMD sends on its own tx queue, and the per-queue counters of the
   port (DPDK telemetry, /ethdev/stats) show both tx and both rx queues
   used; every frame comes back byte for byte, each stream in order.
2. It goes away (killed): sends to it are counted as dropped, the daemon
   answers.
3. A guest with queues=1 on the same 2-queue port: it enables one pair,
   and the switch steers both PMDs' sends to it (tx queue 1 sends
   nothing), so every frame still comes back and none is dropped.
At exit no mbuf is in use. Needs hugepages for the guests (test_vhost.py).
"""
import json
import os
import shutil
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dpsw  # noqa: E402
from e2e import Failure, check, read_pcap, tmpdir, udp_packet, write_pcap  # noqa: E402
from test_vhost import Guest, port_stats, wait_for  # noqa: E402

TELEMETRY = shutil.which("dpdk-telemetry.py")
VHOST = "net_vhost0"


def streams(tag, n=20):
    """Two streams of frames, one per rx pcap file (queue)."""
    return [[udp_packet(sport=3000 + 10 * tag + s, dport=i, payload=bytes([tag, s, i]) * 8)
             for i in range(n)] for s in range(2)]


def queue_stats(d, port_no):
    """The port's per-queue counters from DPDK's own telemetry endpoint."""
    p = subprocess.run([TELEMETRY, "-f", d.prefix], input="/ethdev/stats,%d\n" % (port_no - 1),
                       capture_output=True, text=True, timeout=60)
    check(p.returncode == 0, "dpdk-telemetry.py", p.stdout, p.stderr)
    for line in p.stdout.splitlines():
        if line.startswith("{"):
            return json.loads(line)["/ethdev/stats"]
    raise Failure("no reply from telemetry: " + p.stdout)


def rxq_pmds(d, name):
    """{queue: PMD core} of the port's rx queues."""
    out = json.loads(d.ctl("--json", "pmd-stats-show").stdout)
    return {q["queue_id"]: p["core_id"] for p in out["pmds"] for q in p["rxqs"]
            if q["port"] == name}


class Rig:
    def __init__(self):
        self.tmp = tmpdir()
        self.sock = os.path.join(self.tmp, "mq.sock")
        self.out = os.path.join(self.tmp, "out.pcap")
        self.d = dpsw.Daemon(["net_pcap0,tx_pcap=" + self.out,
                              "%s,iface=%s,queues=2" % (VHOST, self.sock)],
                             ["--mbufs", "8191", "--port-opts", VHOST + ":rxq=2,txq=2"],
                             lcores="0@0,1@1,2@1", huge=False, tmpdir=self.tmp)
        self.guest = None
        self.n_feed = 0
        self.sent = []

    def start(self):
        self.d.start()
        check("2 PMD thread(s)" in self.d.read_log(), "two PMDs", self.d.read_log())
        self.vport = self.port_no(VHOST)
        self.d.ctl("add-flow", "in_port(%d),eth()" % self.vport, "1")

    def port_no(self, name):
        for p in json.loads(self.d.ctl("show", "--json").stdout)["ports"]:
            if p["name"] == name:
                return p["port_no"]
        raise Failure("no port " + name)

    def guest_up(self, queues):
        self.guest = Guest(self.tmp, self.sock, server=False, queues=queues).start()
        wait_for(self.guest.forwarding, "the guest to forward", details=self.guest.text)
        # The guest enables its queues after it says it forwards.
        want = "port %d: tx queues in use: %s" % (self.vport, "0x3" if queues == 2 else "0x1")
        wait_for(lambda: want in self.d.read_log().split("link up")[-1],
                 "'%s' in the log" % want, details=lambda: self.d.read_log()[-2000:])

    def feed(self, two_streams):
        """A new pcap port with one rx queue per stream replays them into
        the vhost port; its queues are on both PMDs."""
        name = "net_pcap%d" % (10 + self.n_feed)
        paths = []
        for s, pkts in enumerate(two_streams):
            paths.append(os.path.join(self.tmp, "%s.%d.pcap" % (name, s)))
            write_pcap(paths[-1], pkts)
        self.n_feed += 1
        port = self.vport + self.n_feed
        self.d.ctl("add-flow", "in_port(%d),eth()" % port, str(self.vport))
        self.d.ctl("add-if", "%s,%s" % (name, ",".join("rx_pcap=" + p for p in paths)),
                   "rxq=2")
        check(self.port_no(name) == port, "the rx pcap is port %d" % port)
        placed = rxq_pmds(self.d, name)
        check(len(set(placed.values())) == 2, "the feeding port's queues on both PMDs", placed)

    def round_trip(self, two_streams):
        n = sum(len(s) for s in two_streams)
        before = port_stats(self.d, "net_pcap0")["tx_packets"]
        self.feed(two_streams)
        wait_for(lambda: port_stats(self.d, "net_pcap0")["tx_packets"] >= before + n,
                 "%d frames back from the guest" % n,
                 details=lambda: str(port_stats(self.d, VHOST)) + self.guest.text())
        self.sent.append(two_streams)

    def check_output(self):
        """Every frame back byte for byte; each stream in its own order
        (the two streams interleave as the two PMDs sent them)."""
        got = read_pcap(self.out)
        sent = [f for batch in self.sent for s in batch for f in s]
        check(sorted(got) == sorted(sent), "every frame back byte for byte",
              len(got), len(sent))
        for batch in self.sent:
            for s in batch:
                mine = set(s)
                check([f for f in got if f in mine] == s, "a stream keeps its order")


def scenario():
    r = Rig()
    try:
        r.start()
        placed = rxq_pmds(r.d, VHOST)
        check(sorted(placed) == [0, 1] and len(set(placed.values())) == 2,
              "the vhost port's two rx queues on different PMDs", placed)

        # 1. Both queue pairs.
        r.guest_up(2)
        base = queue_stats(r.d, r.vport)
        r.round_trip(streams(1))
        q = queue_stats(r.d, r.vport)
        for i in (0, 1):
            check(q["q_opackets"][i] > base["q_opackets"][i], "tx queue %d used" % i, q)
            check(q["q_ipackets"][i] > base["q_ipackets"][i], "rx queue %d used" % i, q)
        check(port_stats(r.d, VHOST)["tx_dropped"] == 0, "nothing dropped",
              port_stats(r.d, VHOST))

        # 2. The guest goes away: sends to it are dropped, not stuck.
        r.guest.stop(signal.SIGKILL)
        wait_for(lambda: "port %d: link down" % r.vport in r.d.read_log(), "the link down event")
        gone = streams(2)
        r.feed(gone)
        wait_for(lambda: port_stats(r.d, VHOST)["tx_dropped"] >= 40, "40 drops to no guest",
                 details=lambda: str(port_stats(r.d, VHOST)))
        check(r.d.ctl("show").returncode == 0, "the daemon answers")

        # 3. One queue pair enabled on the two-queue port.
        r.guest_up(1)
        dropped = port_stats(r.d, VHOST)["tx_dropped"]
        base = queue_stats(r.d, r.vport)
        r.round_trip(streams(3))
        q = queue_stats(r.d, r.vport)
        check(q["q_opackets"][1] == base["q_opackets"][1], "nothing sent on tx queue 1", q)
        check(port_stats(r.d, VHOST)["tx_dropped"] == dropped, "nothing dropped",
              port_stats(r.d, VHOST))

        r.guest.stop()
        rc = r.d.stop()
        check(rc == 0, "the daemon exits 0", r.d.output[-2000:])
        check(dpsw.stats_value(r.d.output, "mbufs in use") == 0, "no mbuf leak",
              r.d.output[-2000:])
        r.check_output()
    finally:
        if r.guest:
            r.guest.stop()
        r.d.stop()


def main():
    if os.geteuid() != 0:
        print("SKIP: needs root")
        return 77
    for prog in ("dpdk-testpmd", "dpdk-telemetry.py"):
        if shutil.which(prog) is None:
            print("SKIP: no %s (tools/deps.sh installs dpdk and dpdk-dev)" % prog)
            return 77
    if not dpsw.use_hugepages():
        print("SKIP: no free hugepages for the guest (tools/hugepages.sh)")
        return 77
    try:
        scenario()
    except Failure as e:
        print("FAIL %s" % e)
        return 1
    print("ok   vhost two queue pairs over two PMDs; one pair enabled of two")
    return 0


if __name__ == "__main__":
    sys.exit(main())
