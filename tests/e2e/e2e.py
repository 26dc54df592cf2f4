# SPDX-License-Identifier: BSD-3-Clause
"""Helpers for the end-to-end tests of dpdk-switch-ctl against a real daemon.

Each test script starts its own daemon on vdevs (unique --file-prefix and
socket path), drives it with the client and checks output, exit codes and
the flow table. The daemon is stopped by PID, even when a check fails or
the script is interrupted, and every temporary file is removed.

Environment (set by tests/meson.build): DPSW_DAEMON, DPSW_CTL (paths of the
two programs). Scripts exit 0 (pass), 1 (fail) or 77 (skipped: not root,
or no daemon built yet).
"""
import atexit
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

SKIP = 77
DAEMON = os.environ.get("DPSW_DAEMON", "")
CTL = os.environ.get("DPSW_CTL", "")

_daemons = []
_tmpdirs = []


class Failure(Exception):
    pass


def check(cond, what, *details):
    if not cond:
        raise Failure(what + "".join("\n  " + str(d) for d in details))


def need_root_and_daemon():
    if not CTL or not os.access(CTL, os.X_OK):
        print("skip: DPSW_CTL is not set to the client")
        sys.exit(SKIP)
    if not DAEMON or not os.access(DAEMON, os.X_OK):
        print("skip: no daemon (DPSW_DAEMON) built")
        sys.exit(SKIP)
    if os.geteuid() != 0:
        print("skip: the daemon needs root (DPDK)")
        sys.exit(SKIP)


def tmpdir():
    """A private directory, removed at exit; traversable by other users
    (the permission test connects as 'nobody')."""
    d = tempfile.mkdtemp(prefix="dpsw-e2e-")
    os.chmod(d, 0o755)
    _tmpdirs.append(d)
    return d


class Result:
    def __init__(self, args, proc):
        self.args = args
        self.rc = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    def __str__(self):
        return "$ %s\n  rc=%d\n  stdout: %r\n  stderr: %r" % (
            " ".join(self.args), self.rc, self.out[:2000], self.err[:2000])


def ctl(sock, *args, stdin=None, user=None, timeout=120):
    """Run the client; returns a Result (never raises on a non-zero rc)."""
    argv = [CTL] + (["--ctl", sock] if sock else []) + list(args)
    if user:
        argv = ["setpriv", "--reuid=" + user, "--regid=nogroup", "--clear-groups"] + argv
    p = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=timeout)
    return Result(argv, p)


def ok(sock, *args, **kw):
    r = ctl(sock, *args, **kw)
    check(r.rc == 0, "command failed", r)
    return r


def fails(sock, rc, *args, **kw):
    r = ctl(sock, *args, **kw)
    check(r.rc == rc, "expected exit status %d" % rc, r)
    return r


class Daemon:
    """dpdk-switch on vdevs; 'vdevs' are --vdev arguments, 'opts' go after --."""

    def __init__(self, vdevs, opts=(), lcores="0-1"):
        self.dir = tmpdir()
        self.sock = os.path.join(self.dir, "ctl.sock")
        self.log = os.path.join(self.dir, "daemon.log")
        self.prefix = "ctltest%d_%d" % (os.getpid(), len(_daemons))
        argv = [DAEMON, "-l", lcores, "--no-pci", "--no-huge", "-m", "512",
                "--file-prefix", self.prefix]
        for v in vdevs:
            argv += ["--vdev", v]
        argv += ["--", "--ctl", self.sock] + list(opts)
        self.argv = argv
        self.logf = open(self.log, "w")
        self.proc = subprocess.Popen(argv, stdout=self.logf, stderr=subprocess.STDOUT)
        _daemons.append(self)
        self._wait_ready()

    def _wait_ready(self, timeout=30):
        end = time.time() + timeout
        while time.time() < end:
            if self.proc.poll() is not None:
                raise Failure("daemon exited with %d at start:\n%s" % (
                    self.proc.returncode, self.log_text()))
            if os.path.exists(self.sock) and ctl(self.sock, "show").rc == 0:
                return
            time.sleep(0.1)
        raise Failure("daemon not ready after %ds:\n%s" % (timeout, self.log_text()))

    def log_text(self):
        try:
            with open(self.log) as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def stop(self):
        """SIGTERM by PID, then SIGKILL; returns the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.logf.close()
        shutil.rmtree("/var/run/dpdk/" + self.prefix, ignore_errors=True)
        return self.proc.returncode


def _cleanup():
    for d in _daemons:
        try:
            d.stop()
        except Exception:  # keep cleaning up the others
            pass
    for d in _tmpdirs:
        shutil.rmtree(d, ignore_errors=True)


atexit.register(_cleanup)


def _on_signal(sig, frame):
    sys.exit(128 + sig)  # runs the atexit cleanup


signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGINT, _on_signal)


def run(tests):
    """Run each test function in order; print and exit 1 at the first failure."""
    for t in tests:
        name = t.__name__
        try:
            t()
        except Failure as e:
            print("FAIL %s: %s" % (name, e))
            for d in _daemons:
                if d.proc.poll() is not None and d.proc.returncode not in (0, None):
                    print("daemon log:\n" + d.log_text())
            sys.exit(1)
        print("ok   %s" % name)
    sys.exit(0)


# ---- packets and pcap files (no scapy: a few fixed headers suffice) ----

def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def ipv4(s):
    return bytes(int(x) for x in s.split("."))


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def udp_packet(src_mac="00:00:00:00:00:01", dst_mac="00:00:00:00:00:02",
               src="10.0.0.1", dst="10.0.0.2", sport=1234, dport=53, payload=b"hello",
               ttl=64):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, ttl, 17, 0,
                     ipv4(src), ipv4(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return mac(dst_mac) + mac(src_mac) + b"\x08\x00" + ip + udp


def write_pcap(path, packets):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, p in enumerate(packets):
            f.write(struct.pack("<IIII", 1000 + i, 0, len(p), len(p)) + p)


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    check(len(data) >= 24, "pcap %s too short (%d bytes)" % (path, len(data)))
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    packets, ofs = [], 24
    while ofs + 16 <= len(data):
        _, _, incl, _ = struct.unpack(endian + "IIII", data[ofs:ofs + 16])
        packets.append(data[ofs + 16:ofs + 16 + incl])
        ofs += 16 + incl
    return packets
