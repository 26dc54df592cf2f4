#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Run the pcap test tables through Open vSwitch's userspace datapath.

The expectations of tests/e2e/test_pcap_*.py are written from the
OVS/kernel semantics; this tool checks them against the reference: a
private ovs-vswitchd (--enable-dummy, no DPDK, no bridge) gets one
datapath per case (`dpctl/add-dp dummy@...`) whose ports are dummy-pmd
netdevs numbered as the test numbers them, each writing what it sends to
a pcap (tx_pcap); the case's flows go in with `dpctl/add-flow`, its packets
with `netdev-dummy/receive`, and what each port sent is compared with the
case's expectations exactly as the dpdk-switch test does.

Not part of the test suite (needs Open vSwitch, keeps a core busy while it
runs). Usage, as root:
    tests/e2e/ovs_reference.py [test_pcap_actions|test_pcap_extract ...] [-k NAME]
Cases marked ovs=False are skipped (OVS cannot parse or run them); where
OVS and the expectation differ on purpose, docs/PROTOCOL.md says why.
"""
import argparse
import importlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcapcase  # noqa: E402


class Ovs:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="dpsw-ovsref-")
        self.env = dict(os.environ, OVS_RUNDIR=self.dir, OVS_DBDIR=self.dir,
                        OVS_LOGDIR=self.dir, OVS_SYSCONFDIR=self.dir,
                        OVS_PKGDATADIR="/usr/share/openvswitch")
        self.pids = []

    def run(self, *args, check=True):
        r = subprocess.run(list(args), env=self.env, capture_output=True, text=True,
                           timeout=60)
        if check and r.returncode != 0:
            raise RuntimeError("%s -> %d: %s" % (" ".join(args[:3]), r.returncode,
                                                 r.stderr.strip()))
        return r

    def appctl(self, *args, check=True):
        return self.run("ovs-appctl", *args, check=check)

    def start(self):
        d = self.dir
        self.run("ovsdb-tool", "create", d + "/conf.db",
                 "/usr/share/openvswitch/vswitch.ovsschema")
        self.run("ovsdb-server", d + "/conf.db", "--remote=punix:%s/db.sock" % d,
                 "--pidfile=%s/ovsdb-server.pid" % d, "--log-file=%s/ovsdb-server.log" % d,
                 "--detach", "--no-chdir")
        self.pids.append(d + "/ovsdb-server.pid")
        self.run("ovs-vsctl", "--db=unix:%s/db.sock" % d, "--no-wait", "init")
        # Two VLAN headers in flow keys (the default limit is one).
        self.run("ovs-vsctl", "--db=unix:%s/db.sock" % d, "--no-wait", "set", "Open_vSwitch",
                 ".", "other_config:vlan-limit=0")
        self.run("ovs-vswitchd", "unix:%s/db.sock" % d, "--enable-dummy=override",
                 "--disable-system", "--pidfile=%s/ovs-vswitchd.pid" % d,
                 "--log-file=%s/ovs-vswitchd.log" % d, "--detach", "--no-chdir")
        self.pids.insert(0, d + "/ovs-vswitchd.pid")
        version = self.run("ovs-vswitchd", "--version").stdout.splitlines()[0]
        print("reference: " + version)

    def stop(self):
        for path in self.pids:
            try:
                with open(path) as f:
                    os.kill(int(f.read().strip()), signal.SIGTERM)
            except (OSError, ValueError):
                pass
        time.sleep(0.5)
        shutil.rmtree(self.dir, ignore_errors=True)


def port_stats(ovs, dp):
    """(lost, {port: tx packets}, {port: rx packets}) of the datapath."""
    out = ovs.appctl("dpctl/show", "-s", dp).stdout
    lost = int(re.search(r"lost:(\d+)", out).group(1))
    tx, rx = {}, {}
    for m in re.finditer(r"port (\d+): .*\n\s+RX packets:(\d+).*\n(?:.*\n)*?\s+TX packets:(\d+)",
                         out):
        rx[int(m.group(1))] = int(m.group(2))
        tx[int(m.group(1))] = int(m.group(3))
    return lost, tx, rx


def run_case(ovs, ci, case):
    dp = "dummy@ref%d" % ci
    ovs.appctl("dpctl/add-dp", dp)
    numbers, names, pcaps = {}, {}, {}
    try:
        for i, p in enumerate(case.ports):
            name = "r%d_%s" % (ci, p)
            pcaps[p] = os.path.join(ovs.dir, name + ".pcap")
            ovs.appctl("dpctl/add-if", dp, "%s,type=dummy-pmd,port_no=%d,tx_pcap=%s" %
                       (name, i + 1, pcaps[p]))
            numbers[p] = i + 1
            names[p] = name
        for m, a in case.flows:
            r = ovs.appctl("dpctl/add-flow", dp, m.format(**numbers), a.format(**numbers),
                           check=False)
            if r.returncode != 0:
                return ["OVS refused flow %s %s: %s" % (m.format(**numbers),
                                                        a.format(**numbers), r.stderr.strip())]
        for p, pkts in case.inputs.items():
            # The dummy rx queue holds 100 packets and drops the rest: feed
            # it in small chunks and let the PMD catch up after each.
            for k in range(0, len(pkts), 16):
                ovs.appctl("netdev-dummy/receive", names[p], *[x.hex() for x in pkts[k:k + 16]])
                deadline = time.monotonic() + 5
                while port_stats(ovs, dp)[2].get(numbers[p], 0) < min(k + 16, len(pkts)) \
                        and time.monotonic() < deadline:
                    time.sleep(0.01)
        # Wait until the tx counters stop moving.
        last, still = None, 0
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and still < 3:
            time.sleep(0.1)
            cur = port_stats(ovs, dp)[:2]
            still = still + 1 if cur == last else 0
            last = cur
        lost = last[0]
        errs = []
        for p in case.ports:
            got = pcapcase.read_pcap(pcaps[p])
            errs += pcapcase.compare_port(p, got, case.expect.get(p, []))
        want_lost = case.lost if case.ovs_lost is None else case.ovs_lost
        if lost != want_lost:
            errs.append("OVS counted %d lost, the case expects %d (counter only)" %
                        (lost, want_lost))
        return errs
    finally:
        ovs.appctl("dpctl/del-dp", dp, check=False)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("modules", nargs="*", default=["test_pcap_actions", "test_pcap_extract"])
    ap.add_argument("-k", help="only cases whose name contains this")
    args = ap.parse_args()
    ovs = Ovs()
    differ = 0
    try:
        ovs.start()
        ci = 0
        for mod in args.modules:
            for case in importlib.import_module(mod).cases():
                if args.k and args.k not in case.name:
                    continue
                ci += 1
                if not case.ovs:
                    print("skip %s (not run in OVS: %s)" % (case.name,
                                                            case.note or "OVS cannot run it"))
                    continue
                errs = run_case(ovs, ci, case)
                if errs and case.ovs_differs:
                    print("DIFF %s, as documented: %s" % (case.name, case.ovs_differs))
                elif not errs and case.ovs_differs:
                    print("SAME %s, though documented as different: %s" % (case.name,
                                                                           case.ovs_differs))
                    differ += 1
                else:
                    print("%s %s" % ("same" if not errs else "DIFF", case.name))
                    differ += bool(errs)
                for e in errs:
                    print("    " + e)
    finally:
        ovs.stop()
    print("%d case(s) where OVS differs from the expectation unexpectedly" % differ)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
