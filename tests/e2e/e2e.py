# SPDX-License-Identifier: BSD-3-Clause
"""Helpers for the end-to-end tests of dpdk-switch-ctl against a real daemon.

The daemon is tests/e2e/dpsw.py's (its own --file-prefix and socket path,
stopped by PID). Here: starting it at once and stopping it at exit even
when a check fails or the script is interrupted, removing every temporary
file (and EAL's runtime directory), running the client with its exit
status and output, and small pcap helpers.

Binaries: DPDK_SWITCH and DPDK_SWITCH_CTL (set by tests/meson.build), else
the build/debug tree. Scripts exit 0 (pass), 1 (fail) or 77 (skipped: not
root, or a program is not built).
"""
import atexit
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dpsw  # noqa: E402

SKIP = 77


def _program(get):
    try:
        return get()
    except RuntimeError:
        return ""


DAEMON = _program(dpsw.switch_bin)
CTL = _program(dpsw.ctl_bin)

_daemons = []
_tmpdirs = []


class Failure(Exception):
    pass


def check(cond, what, *details):
    if not cond:
        raise Failure(what + "".join("\n  " + str(d) for d in details))


def need_root_and_daemon():
    if not CTL:
        print("skip: dpdk-switch-ctl is not built")
        sys.exit(SKIP)
    if not DAEMON:
        print("skip: dpdk-switch is not built")
        sys.exit(SKIP)
    if os.geteuid() != 0:
        print("skip: the daemon needs root (EAL)")
        sys.exit(SKIP)


def tmpdir():
    """A private directory, removed at exit; traversable by other users
    (the permission test connects as 'nobody')."""
    d = tempfile.mkdtemp(prefix="dpsw-ctl-e2e-")
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
    argv = [dpsw.public_ctl_bin() if user else CTL] + (["--ctl", sock] if sock else []) + list(args)
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


class Daemon(dpsw.Daemon):
    """dpdk-switch on 'vdevs' (--vdev arguments), 'opts' after --; started
    now, stopped at exit whatever happens."""

    def __init__(self, vdevs, opts=(), lcores="0-1"):
        super().__init__(vdevs, opts, lcores=lcores, tmpdir=tmpdir())
        _daemons.append(self)
        try:
            self.start()
        except RuntimeError as e:
            raise Failure(str(e))

    def log_text(self):
        return self.read_log()[-4000:]

    def stop(self, timeout=20):
        rc = super().stop(timeout)
        shutil.rmtree("/var/run/dpdk/" + self.prefix, ignore_errors=True)
        return rc


def _cleanup():
    for d in _daemons:
        try:
            if d.proc is not None:
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
                print("daemon log (%s):\n%s" % (d.sock, d.log_text()))
            sys.exit(1)
        print("ok   %s" % name)
    sys.exit(0)



def run_guest_scenarios(*scenarios):
    """Run the scenarios (callables) of a test with a DPDK guest: the exit
    status, 77 when this machine cannot run a guest, 1 at the first failure."""
    why = dpsw.guest_skip_reason()
    if why:
        print("SKIP: " + why)
        return 77
    try:
        for run_one in scenarios:
            run_one()
    except Failure as e:
        print("FAIL %s" % e)
        return 1
    return 0

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
