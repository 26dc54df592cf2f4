# SPDX-License-Identifier: BSD-3-Clause
"""dpdk-dumpcap on a running dpdk-switch: the daemon enables rte_pdump, so
DPDK's capture tool, a secondary process of the daemon, records what a
port receives and sends. Needs hugepages (a --no-huge primary shares no
memory): skipped without them."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import dpsw  # noqa: E402
from netns import Topology, require_root, run_cases  # noqa: E402


def capture():
    with Topology(2, flows="in_port(1) 2\nin_port(2) 1\n", ipv6=False, huge=True) as t:
        a, b = t.hosts
        pcap = os.path.join(t.tmp, "a.pcapng")
        dump = subprocess.Popen(["dpdk-dumpcap", "--file-prefix", t.daemon.prefix, "-i",
                                 "net_tap0", "-f", "icmp", "-c", "6", "-a", "duration:60",
                                 "-w", pcap], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True)
        t.procs.append(dump)
        # No reliable "ready" line (its stdout is a pipe, buffered): ping
        # until it has its 6 packets, a request and a reply per ping.
        for _ in range(60):
            assert a.ping(b.ip4, count=1), a.last_ping
            if dump.poll() is not None:
                break
        out = dump.communicate(timeout=60)[0]
        assert dump.returncode == 0 and "Packets captured" in out, out
        r = subprocess.run(["tshark", "-r", pcap, "-T", "fields", "-e", "eth.src", "-e",
                            "ip.src", "-e", "ip.dst", "-e", "icmp.type"],
                           capture_output=True, text=True, timeout=60)
        rows = [line.split("\t") for line in r.stdout.splitlines()]
    # Port 1 received the requests from a and sent the replies from b.
    assert rows.count([a.mac, a.ip4, b.ip4, "8"]) == 3, rows
    assert rows.count([b.mac, b.ip4, a.ip4, "0"]) == 3, rows


if __name__ == "__main__":
    require_root()
    if dpsw.hugepages_free() < 160 or not os.path.ismount("/dev/hugepages"):
        print("SKIP: dpdk-dumpcap needs the daemon on hugepages (tools/hugepages.sh); "
              "%d free 2 MB pages" % dpsw.hugepages_free())
        sys.exit(77)
    run_cases([("dpdk-dumpcap captures a port's traffic", capture)])
