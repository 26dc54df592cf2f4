#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The Debian package, end to end: build it from this tree
(dpkg-buildpackage -b), check it with lintian (no errors), install it,
start what dpdk-switch.service starts (its ExecStart, with the installed
configuration, as systemd would: environment file, runtime directory,
NOTIFY_SOCKET), talk to it with the installed dpdk-switch-ctl, stop it by
PID, purge the package and check that nothing is left: no file dpkg -L
listed, no /etc/dpdk-switch, no /run/dpdk-switch.

There is no systemd as PID 1 here, so the unit's command line is run by
this script; `systemd-analyze verify` checks the installed units.

Needs root (it installs a package). Skips (exit 77) with the reason when it
cannot run: not root, not Debian, the package already installed by someone
else. Usage: tools/test-package.py [--keep DIR]
"""
import argparse
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

TREE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PKG = "dpdk-switch"
UNIT = "/lib/systemd/system/dpdk-switch.service"
CONF = "/etc/dpdk-switch/dpdk-switch.conf"
RUNDIR = "/run/dpdk-switch"
APT = ["apt-get", "-o", "DPkg::Lock::Timeout=600", "-y", "-q"]
SKIP = 77
# Debian's multiarch triplet, where the preload library goes.
MULTIARCH = subprocess.run(["dpkg-architecture", "-qDEB_HOST_MULTIARCH"], capture_output=True,
                           text=True, check=True).stdout.strip()


def log(msg):
    print("test-package: " + msg, flush=True)


def run(argv, check=True, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    r = subprocess.run(argv, **kw)
    if check and r.returncode != 0:
        raise SystemExit("test-package: FAIL: %s -> %d\n%s%s" % (
            " ".join(argv), r.returncode, r.stdout or "", r.stderr or ""))
    return r


def installed():
    r = run(["dpkg-query", "-W", "-f", "${db:Status-Abbrev}", PKG], check=False)
    return r.stdout.startswith("ii") or r.stdout.startswith("rc")


def skip_unless_possible():
    why = None
    if os.geteuid() != 0:
        why = "needs root (it installs and purges a package)"
    elif not shutil.which("dpkg-buildpackage"):
        why = "dpkg-buildpackage missing (tools/deps.sh installs it)"
    elif installed():
        why = "package %s is already installed; purge it first (apt-get purge %s)" % (PKG, PKG)
    if why:
        log("SKIP: " + why)
        sys.exit(SKIP)


def build(work):
    """Copy the tree (without builds, results, git) and build it."""
    src = os.path.join(work, "dpdk-switch")
    skip = {os.path.join(TREE, p) for p in ("build", ".git", "bench/data", "bench/results",
                                             "debian/.debhelper", "debian/tmp", "debian/dpdk-switch",
                                             "obj-x86_64-linux-gnu")}

    def ignore(d, names):
        return [n for n in names if os.path.join(d, n) in skip or n == "__pycache__"]
    shutil.copytree(TREE, src, ignore=ignore, symlinks=True)
    t = time.monotonic()
    r = run(["dpkg-buildpackage", "-b", "-us", "-uc"], cwd=src, check=False)
    if r.returncode != 0:
        raise SystemExit("test-package: FAIL: dpkg-buildpackage\n" + r.stdout[-6000:] + r.stderr)
    debs = [f for f in os.listdir(work) if re.match(r"dpdk-switch_.*\.deb$", f)]
    changes = [f for f in os.listdir(work) if f.endswith(".changes")]
    assert len(debs) == 1 and len(changes) == 1, os.listdir(work)
    log("built %s in %.0f s" % (debs[0], time.monotonic() - t))
    return os.path.join(work, debs[0]), os.path.join(work, changes[0])


def lintian(changes):
    # lintian leaves a temporary file (mldbm-elf-*) in TMPDIR: keep it in
    # the work directory, which goes at the end.
    env = dict(os.environ, TMPDIR=os.path.dirname(os.path.abspath(changes)))
    r = run(["lintian", "--fail-on", "error", "--tag-display-limit", "0", changes], check=False,
            env=env)
    tags = [line for line in r.stdout.splitlines() if re.match(r"^[EWIPX]: ", line)]
    for line in tags:
        log("lintian: " + line)
    errors = [t for t in tags if t.startswith("E: ")]
    assert r.returncode == 0 and not errors, "lintian errors:\n" + "\n".join(errors) + r.stderr
    log("lintian: no errors (%d warnings)" % sum(t.startswith("W: ") for t in tags))


def unit_command():
    """The ExecStart of the installed unit and its environment file."""
    with open(UNIT) as f:
        unit = f.read()
    exec_start = re.search(r"^ExecStart=(.*)$", unit, re.M).group(1)
    env_file = re.search(r"^EnvironmentFile=-?(.*)$", unit, re.M).group(1)
    assert re.search(r"^Type=notify$", unit, re.M), unit
    assert re.search(r"^RuntimeDirectory=dpdk-switch$", unit, re.M), unit
    return exec_start, env_file


def environment(env_file):
    """The variables of a systemd environment file (NAME="value" lines)."""
    env = {}
    with open(env_file) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, _, value = line.partition("=")
            env[name] = " ".join(shlex.split(value))
    return env


def expand(exec_start, env):
    """systemd's expansion of an unbraced $NAME: split at whitespace; an
    empty one vanishes."""
    argv = []
    for word in exec_start.split():
        if word.startswith("$"):
            argv += env.get(word[1:], "").split()
        else:
            argv.append(word)
    return argv


def usable_hugepages():
    r = run([os.path.join(TREE, "tools", "hugepages.sh")], check=False)
    return r.stdout.strip() == "huge"


def start_service(tmp):
    exec_start, env_file = unit_command()
    assert env_file == CONF, env_file
    env = environment(env_file)
    argv = expand(exec_start, env)
    assert argv[0] == "/usr/sbin/dpdk-switch" and "--" in argv, argv
    if not usable_hugepages():
        # The configuration wants hugepages; this machine has none free.
        argv[argv.index("--"):argv.index("--")] = ["--no-huge", "-m", "512"]
        log("no free hugepages: adding --no-huge -m 512 to EAL_ARGS")
    os.makedirs(RUNDIR, mode=0o755, exist_ok=False)  # RuntimeDirectory=
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(os.path.join(tmp, "notify"))
    notify.settimeout(60)
    out = open(os.path.join(tmp, "daemon.log"), "w")
    senv = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "NOTIFY_SOCKET": os.path.join(tmp, "notify"),
            "JOURNAL_STREAM": "0:0", "LANG": "C.UTF-8"}
    log("starting: " + " ".join(argv))
    proc = subprocess.Popen(argv, env=senv, stdout=out, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        msg = notify.recv(4096).decode()
    except socket.timeout:
        msg = None
    notify.close()
    return proc, out, msg, env


def eal_prefix(env):
    m = re.search(r"--file-prefix[ =](\S+)", env.get("EAL_ARGS", ""))
    return m.group(1) if m else "rte"


def remove_eal_files(prefix):
    """What EAL leaves (its runtime directory, hugepage files); the unit's
    process is gone, so nobody uses them."""
    shutil.rmtree(os.path.join("/var/run/dpdk", prefix), ignore_errors=True)
    with open("/proc/mounts") as f:
        mounts = [line.split()[1] for line in f if line.split()[2] == "hugetlbfs"]
    for m in mounts:
        for name in os.listdir(m):
            if name.startswith(prefix + "map_"):
                os.unlink(os.path.join(m, name))


def exercise(tmp):
    proc, out, msg, env = start_service(tmp)
    try:
        log_path = os.path.join(tmp, "daemon.log")
        assert msg == "READY=1\nSTATUS=forwarding", (msg, open(log_path).read())
        ctl = "/usr/bin/dpdk-switch-ctl"
        show = run([ctl, "show"]).stdout
        assert show.startswith("dpdk-switch@dpdk-switch:"), show
        assert "port 1: net_tap0" in show and "port 2: net_tap1" in show, show
        run([ctl, "add-flow", "in_port(1)", "2"])
        run([ctl, "add-flow", "in_port(2)", "1"])
        flows = run([ctl, "dump-flows"]).stdout
        assert flows.count("actions:") == 2, flows
        # The socket is the group's (--ctl-group dpdk-switch), in the
        # runtime directory.
        st = os.stat(os.path.join(RUNDIR, "ctl.sock"))
        gid = int(run(["getent", "group", "dpdk-switch"]).stdout.split(":")[2])
        assert st.st_gid == gid, (st, gid)
        # --ctl-group: a member of dpdk-switch may change flows, others
        # only read (nobody, with and without the group).
        nobody = ["setpriv", "--reuid=nobody", "--regid=nogroup"]
        arp = "in_port(3),eth(),eth_type(0x0806)"  # overlaps no flow above
        r = run(nobody + ["--clear-groups", ctl, "add-flow", arp, "2"], check=False)
        assert r.returncode == 1 and "Operation not permitted" in r.stderr, r
        run(nobody + ["--groups=%d" % gid, ctl, "add-flow", arp, "2"])
        run(nobody + ["--clear-groups", ctl, "dump-flows"])
        log("ctl: show, add-flow, dump-flows answered; socket group dpdk-switch; "
            "nobody refused, nobody in the group allowed")
        # Open vSwitch's ovs-dpctl through the packaged preload library
        # reads the same flows.
        preload = "/usr/lib/%s/dpdk-switch/libdpdk-switch-netlink.so" % MULTIARCH
        r = run(["ovs-dpctl", "dump-flows"],
                env=dict(os.environ, LD_PRELOAD=preload,
                         DPDK_SWITCH_CTL=os.path.join(RUNDIR, "ctl.sock")))
        assert r.stdout.count("actions:") == 3, r.stdout
        log("ovs-dpctl dump-flows through %s: the same 3 flows" % preload)
    finally:
        proc.send_signal(signal.SIGTERM)  # what systemctl stop sends
        try:
            rc = proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = proc.wait()
        out.close()
        text = open(os.path.join(tmp, "daemon.log")).read()
        remove_eal_files(eal_prefix(env))
        socket_left = os.path.exists(os.path.join(RUNDIR, "ctl.sock"))
        shutil.rmtree(RUNDIR)  # systemd removes the RuntimeDirectory at stop
    assert rc == 0, "exit %d\n%s" % (rc, text)
    assert "<6>dpdk-switch: stopping" in text, text
    assert not socket_left, "the daemon left its socket behind"
    log("stopped by SIGTERM: exit 0, the socket removed")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--keep", help="copy the built package files here")
    a = ap.parse_args()
    skip_unless_possible()
    t0 = time.monotonic()
    work = tempfile.mkdtemp(prefix="dpsw-pkg-")
    try:
        deb, changes = build(work)
        if a.keep:
            os.makedirs(a.keep, exist_ok=True)
            for f in os.listdir(work):
                if os.path.isfile(os.path.join(work, f)):
                    shutil.copy(os.path.join(work, f), a.keep)
        lintian(changes)
        assert not os.path.exists(RUNDIR), RUNDIR + " exists before the install"
        run(APT + ["install", "--no-install-recommends", deb])
        try:
            files = [p for p in run(["dpkg", "-L", PKG]).stdout.splitlines()
                     if p and not os.path.isdir(p)]
            for p in ("/usr/sbin/dpdk-switch", "/usr/bin/dpdk-switch-ctl", UNIT, CONF,
                      "/lib/systemd/system/dpdk-switch-hugepages.service",
                      "/usr/share/man/man8/dpdk-switch.8.gz",
                      "/usr/share/man/man8/dpdk-switch-ctl.8.gz",
                      "/usr/share/doc/dpdk-switch/QUICKSTART.md.gz",
                      "/usr/share/doc/dpdk-switch/examples/demo-flows.txt"):
                assert p in files, (p, files)
            r = run(["systemd-analyze", "verify", "--man=no", UNIT,
                     "/lib/systemd/system/dpdk-switch-hugepages.service"], check=False)
            assert r.returncode == 0 and not r.stderr.strip(), r
            log("installed: %d files; systemd-analyze verify: clean" % len(files))
            exercise(work)
        finally:
            run(APT + ["purge", PKG])
        assert not os.path.exists(RUNDIR), RUNDIR + " left behind"
        left = [p for p in files if os.path.lexists(p)]
        assert not left, "left behind after purge: %s" % left
        assert not os.path.exists("/etc/dpdk-switch"), "/etc/dpdk-switch left behind"
        assert not installed(), "still known to dpkg"
        log("purged: nothing left (%d files, /etc/dpdk-switch, %s)" % (len(files), RUNDIR))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    log("ok (%.0f s)" % (time.monotonic() - t0))


if __name__ == "__main__":
    main()
