# SPDX-License-Identifier: BSD-3-Clause
"""SIGTERM and SIGKILL at bad moments: mid-install (a client streaming
flows), mid-dump (clients that stopped reading), during start-up. SIGTERM
stops the daemon cleanly (exit 0, no mbuf in use, socket removed);
after any of them, the next daemon on the same socket path and the same
EAL file prefix starts cleanly and serves an empty table."""
import os
import signal
import threading
import time

import abuse_lib as L
from abuse_lib import N, check, figure


class Installer(threading.Thread):
    """Streams datagrams of 200 flow NEWs (acked) until the daemon goes."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.conn = N.Conn(path, timeout=30)
        self.fam = self.conn.family("ovs_flow")
        self.installed = 0
        self.ended = None

    def run(self):
        try:
            for base in range(0, 10 ** 6, 200):
                self.conn.request(b"".join(
                    N.flow(self.conn, N.OVS_FLOW_CMD_NEW, 0x0a000000 + base + i, N.out(2),
                           flags=N.NLM_F_REQUEST, seq=base + i) for i in range(199)) +
                    N.flow(self.conn, N.OVS_FLOW_CMD_NEW, 0x0a000000 + base + 199, N.out(2),
                           seq=base + 199))
                self.installed += 200
        except (OSError, ValueError, IndexError, AssertionError) as e:
            self.ended = e


def next_daemon(old):
    """A daemon on the same socket path and EAL file prefix as 'old'."""
    d = L.Daemon(tmpdir=old.tmp, options=["--flow-limit", "2000000"])
    d.prefix = old.prefix
    d.args[d.args.index("--file-prefix") + 1] = old.prefix
    d.start()
    check("flows: 0" in L.show_text(d), "the next daemon starts with an empty table")
    check(d.stop() == 0, "the next daemon stops cleanly", d.output)
    return d


def mid_install(sig):
    d = L.Daemon(options=["--flow-limit", "2000000"]).start()
    inst = Installer(d.sock)
    inst.start()
    L.wait_for(lambda: inst.installed >= 2000, 60, "installing")
    t0 = time.monotonic()
    d.proc.send_signal(sig)
    d.proc.wait(30)
    took = time.monotonic() - t0
    inst.join(30)
    check(not inst.is_alive(), "the client saw the daemon go")
    figure("%s mid-install" % signal.Signals(sig).name,
           "after %d flows, exit %d in %.2f s" % (inst.installed, d.proc.returncode, took))
    return d


def test_sigterm_mid_install():
    d = mid_install(signal.SIGTERM)
    out = d.read_log()
    check(d.proc.returncode == 0, "SIGTERM: exit 0", out)
    check(L.dpsw.stats_value(out, "mbufs in use") == 0, "no mbuf in use", out)
    check(not os.path.exists(d.sock), "socket removed")
    next_daemon(d)


def test_sigkill_mid_install():
    d = mid_install(signal.SIGKILL)
    check(os.path.exists(d.sock), "a stale socket is left (the next daemon replaces it)")
    next_daemon(d)


def mid_dump(sig):
    d = L.Daemon(options=["--flow-limit", "2000000"]).start()
    c = N.Conn(d.sock, timeout=30)
    fam = c.family("ovs_flow")
    for base in range(0, 3000, 500):
        c.send(b"".join(N.flow(c, N.OVS_FLOW_CMD_NEW, 0x0a000000 + base + i, N.out(2),
                               flags=N.NLM_F_REQUEST) for i in range(500)))
    check(N.n_flows(c) == 3000, "flows installed")
    stalled = []
    for _ in range(10):
        s = N.Conn(d.sock, timeout=30)
        s.send(N.msg(fam, N.OVS_FLOW_CMD_GET, flags=N.NLM_F_REQUEST | N.NLM_F_DUMP))
        s.recv()   # the first part, then no more reading
        stalled.append(s)
    t0 = time.monotonic()
    d.proc.send_signal(sig)
    d.proc.wait(30)
    figure("%s mid-dump" % signal.Signals(sig).name, "10 stalled dumps, exit %d in %.2f s"
           % (d.proc.returncode, time.monotonic() - t0))
    for s in stalled:
        s.close()
    c.close()
    return d


def test_sigterm_mid_dump():
    d = mid_dump(signal.SIGTERM)
    out = d.read_log()
    check(d.proc.returncode == 0, "SIGTERM: exit 0", out)
    check(L.dpsw.stats_value(out, "mbufs in use") == 0, "no mbuf in use", out)
    next_daemon(d)


def test_sigkill_mid_dump():
    next_daemon(mid_dump(signal.SIGKILL))


def test_sigterm_during_start():
    """SIGTERM before the daemon is up (during EAL's start): it goes, and
    what it left (a bound socket) does not stop the next one."""
    for delay in (0.05, 0.3, 1.0):
        d = L.Daemon()
        d.start(wait_ready=False)
        time.sleep(delay)
        d.proc.send_signal(signal.SIGTERM)
        d.proc.wait(30)
        figure("SIGTERM %.2f s into start-up" % delay, "exit %d" % d.proc.returncode)
        # Before main() the default action kills it; after, a clean stop.
        check(d.proc.returncode in (0, -signal.SIGTERM), "exit 0 or killed", d.read_log())
        if d.proc.returncode == 0:
            check(not os.path.exists(d.sock), "a clean stop removes the socket")
        next_daemon(d)


L.need_root()
L.run([(test_sigterm_mid_install, 90), (test_sigkill_mid_install, 90),
       (test_sigterm_mid_dump, 90), (test_sigkill_mid_dump, 90),
       (test_sigterm_during_start, 90)])
