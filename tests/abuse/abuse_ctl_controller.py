# SPDX-License-Identifier: BSD-3-Clause
"""examples/controller.py under a storm of misses (issue 16, item 2): 1000
hosts' broadcasts replayed without end. Upcalls used to share the
controller's output queue, whose backlog stopped the daemon reading the
controller's requests while the controller sat blocked in send(): both
hung for good and SIGTERM was ignored. Now the controller installs every
flow (misses stop), lost upcalls are counted, and SIGTERM ends it."""
import os
import re
import struct
import subprocess
import time

import abuse_lib as L
from abuse_lib import check, figure

L.need_root()
HOSTS = 2000
CONTROLLER = os.path.join(L.HERE, "..", "..", "examples", "controller.py")


def write_pcap(path, n):
    """n broadcast UDP frames from n source MACs (pcap, Ethernet)."""
    with open(path, "wb") as f:
        f.write(struct.pack("=IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i in range(n):
            ip = struct.pack("!BBHHHBBHII", 0x45, 0, 1386, 0, 0, 64, 17, 0,
                             0x0a000000 | i, 0x0affffff)
            frame = b"\xff" * 6 + bytes([2, 0, 0, 0, i >> 8, i & 255]) + b"\x08\x00" + ip + \
                struct.pack("!HHHH", 1000, 2000, 1366, 0)
            frame += bytes(1400 - len(frame))
            f.write(struct.pack("=IIII", 0, i, len(frame), len(frame)) + frame)


def n_flows(d):
    return int(re.search(r"flows: (\d+)", L.show_text(d)).group(1))


def test_miss_storm():
    tmp = L.tmpdir()
    pcap = os.path.join(tmp, "storm.pcap")
    write_pcap(pcap, HOSTS)
    d = L.Daemon(["net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap, "net_null1,no-rx=1"],
                 tmpdir=tmp).start()
    ctl = L.spawn(["/usr/bin/python3", CONTROLLER, "--ctl", d.sock], stdout=subprocess.PIPE,
                  stderr=subprocess.STDOUT, text=True)
    line = ctl.stdout.readline()
    check(line.startswith("controller: listening"), "controller started", line)
    t0 = time.monotonic()
    L.wait_for(lambda: n_flows(d) >= HOSTS, 90,
               lambda: "the controller installs a flow per host (flows now %d)" % n_flows(d),
               step=0.5)
    took = time.monotonic() - t0
    lost = L.lost(d)
    figure("miss storm, %d hosts" % HOSTS, "every flow in %.1f s, upcalls lost %d" % (took, lost))
    check(lost > 0, "lost upcalls counted", L.show_text(d))
    t1 = time.monotonic()
    ctl.terminate()
    try:
        out = ctl.communicate(timeout=10)[0]
    except subprocess.TimeoutExpired:
        raise L.Failure("the controller ignored SIGTERM")
    figure("controller exit after SIGTERM", "%.2f s: %s" % (time.monotonic() - t1,
                                                          out.strip().splitlines()[-1]))
    check(ctl.returncode == 0, "controller exit status 0", out)
    check("misses" in out and "dropped" in out, "controller summary", out)
    check(d.stop() == 0, "clean stop", d.output)
    figure("daemon control counters", [x for x in d.output.splitlines() if "control:" in x])


L.run([(test_miss_storm, 150)])
