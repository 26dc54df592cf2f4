# SPDX-License-Identifier: BSD-3-Clause
"""The daemon as systemd runs it (Type=notify, output to the journal),
without systemd: NOTIFY_SOCKET is a datagram socket of this test and
JOURNAL_STREAM is set. READY=1 comes once the daemon forwards (its socket
answers), STOPPING=1 when it stops, none at a failed start; every output
line carries its syslog level ("<N>"), and a fatal start error says what
to change."""
import os
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dpsw  # noqa: E402
from netns import require_root, run_cases  # noqa: E402

VDEVS = ["net_null0,no-rx=1", "net_null1,no-rx=1"]


class Notify:
    """A NOTIFY_SOCKET of our own (abstract when 'abstract')."""

    def __init__(self, abstract=False):
        self.tmp = tempfile.mkdtemp(prefix="dpsw-notify-")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        if abstract:
            name = "dpsw-notify-%d" % os.getpid()
            self.sock.bind("\0" + name)
            self.addr = "@" + name
        else:
            self.addr = os.path.join(self.tmp, "notify")
            self.sock.bind(self.addr)

    def recv(self, timeout=30):
        self.sock.settimeout(timeout)
        try:
            return self.sock.recv(4096).decode()
        except socket.timeout:
            return None

    def env(self):
        return {"NOTIFY_SOCKET": self.addr, "JOURNAL_STREAM": "8:1234"}

    def close(self):
        self.sock.close()
        dpsw.shutil.rmtree(self.tmp, ignore_errors=True)


def with_env(env, fn):
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return fn()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def ready_then_stopping(abstract):
    n = Notify(abstract)
    try:
        def run():
            with dpsw.Daemon(VDEVS) as d:
                msg = n.recv()
                assert msg == "READY=1\nSTATUS=forwarding", msg
                # Ready means forwarding with the control socket open.
                d.ctl("show")
            return d
        d = with_env(n.env(), run)
        assert d.proc.returncode == 0, d.output
        msg = n.recv()
        assert msg == "STOPPING=1\nSTATUS=stopping", msg
        lines = d.output.splitlines()
        assert lines and all(line[:1] == "<" and line[2:3] == ">" for line in lines), lines
        assert "<6>dpdk-switch: forwarding; control socket " + d.sock in lines, lines
        assert "<6>dpdk-switch: stopping" in lines, lines
    finally:
        n.close()


def notify_path():
    ready_then_stopping(abstract=False)


def notify_abstract():
    ready_then_stopping(abstract=True)


def fatal_start():
    """A bad --ctl-group: status 2 (a start-up check, before EAL, as every
    bad option), no READY, the error and the fix at err level."""
    n = Notify()
    try:
        d = dpsw.Daemon(VDEVS, ["--ctl-group", "dpsw-no-such-group"])
        env = dict(os.environ, **n.env())
        p = subprocess.run(d.args, env=env, capture_output=True, text=True, timeout=120)
        dpsw.shutil.rmtree(os.path.join("/var/run/dpdk", d.prefix), ignore_errors=True)
        dpsw.remove_hugepage_files(d.prefix)
        assert p.returncode == 2, p
        err = p.stderr.splitlines()
        assert "<3>dpdk-switch: control socket: no group 'dpsw-no-such-group'" in err, err
        assert any(line.startswith("<3>") and "addgroup --system" in line for line in err), err
        assert n.recv(timeout=1) is None, "READY sent by a daemon that did not start"
        # EAL's own lines carry their level too (notice is 5, info 6, ...).
        assert all(line[:1] == "<" and line[2:3] == ">" for line in p.stdout.splitlines() + err)
    finally:
        n.close()


def no_journal():
    """Without JOURNAL_STREAM nothing is prefixed (a terminal, the tests)."""
    d = dpsw.Daemon(VDEVS, ["--ctl-mode", "9"])
    p = subprocess.run(d.args, capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and p.stderr.startswith("dpdk-switch: --ctl-mode"), p


if __name__ == "__main__":
    require_root()
    run_cases([("READY=1 when forwarding, STOPPING=1 at stop", notify_path),
               ("the same through an abstract socket", notify_abstract),
               ("a failed start: no READY, error and fix at err level", fatal_start),
               ("no journal, no prefixes", no_journal)])
