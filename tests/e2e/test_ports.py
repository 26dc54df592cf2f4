#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Per-port settings: MTU, queues and descriptors, at start (--mtu,
--port-opts) and at run time (add-if DEVARGS OPTS, or the raw vport NEW
options), and what show reports each port got.

- A driver with no MTU operation (net_pcap, net_ring) keeps its port under
  --mtu 9000, because its largest frame fits: show says mtu_set:no.
- --port-opts gives one port its own MTU, queues and descriptors over the
  daemon's.
- A device that cannot take the frame (net_tap: 1522-byte frames at most)
  is refused with its limit, and nothing of it stays.
- Bad option words and bad netlink options: a clear error, the daemon runs.
"""
import json
import os
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e import Daemon, check, fails, need_root_and_daemon, ok, run, tmpdir  # noqa: E402
from nlraw import (NLM_F_ACK, NLM_F_REQUEST, Conn, attr, msg, nest,  # noqa: E402
                   u32)

need_root_and_daemon()
TMP = tmpdir()
D = Daemon(["net_pcap0,tx_pcap=%s" % os.path.join(TMP, "out.pcap"), "net_ring0",
            "net_null0,no-rx=1"],
           ["--mtu", "9000", "--port-opts", "net_null0:mtu=1500,rxq=1,txq=1,rxd=64,txd=128"])
S = D.sock

OVS_VPORT_CMD_NEW = 1
OVS_VPORT_ATTR_TYPE, OVS_VPORT_ATTR_NAME, OVS_VPORT_ATTR_OPTIONS = 2, 3, 4
OVS_VPORT_ATTR_UPCALL_PID = 5
OVS_VPORT_TYPE_NETDEV = 1
DPSW_VPORT_OPTION_DEVARGS, DPSW_VPORT_OPTION_MTU, DPSW_VPORT_OPTION_RXQ = 1, 2, 3
DPSW_VPORT_OPTION_OFFLOAD = 10
EINVAL = 22


def config(name):
    doc = json.loads(ok(S, "show", "--json").out)
    found = [p for p in doc["ports"] if p["name"] == name]
    check(len(found) == 1 and "config" in found[0], "port %s with its config" % name,
          doc["ports"])
    return found[0]["config"]


def test_mtu_on_drivers_without_mtu_operation():
    for name, driver in (("net_pcap0", "net_pcap"), ("net_ring0", "net_ring")):
        cfg = config(name)
        check(cfg["driver"] == driver and cfg["mtu"] == 9000 and not cfg["mtu_set"],
              "%s kept at MTU 9000 without an MTU operation" % name, cfg)
        check(cfg["scatter"], "%s: 9014-byte frames span mbufs" % name, cfg)
    out = ok(S, "show", "-s").out
    check("    config: driver:net_pcap mtu:9000 mtu_set:no scatter:yes rxq:1 " in out,
          "show -s prints the config", out)
    check("skipped" not in D.log_text(), "no port skipped", D.log_text())


def test_port_opts_at_start():
    cfg = config("net_null0")
    check((cfg["mtu"], cfg["mtu_set"], cfg["scatter"]) == (1500, True, False),
          "--port-opts MTU over --mtu", cfg)
    check((cfg["rxq"], cfg["txq"], cfg["rxd"], cfg["txd"]) == (1, 1, 64, 128),
          "--port-opts queues and descriptors", cfg)
    check(config("net_ring0")["rxd"] == 1024, "other ports keep the defaults")


def test_add_if_with_options():
    ok(S, "add-if", "net_null5,no-rx=1", "mtu=1400,rxq=2", "txd=256")
    cfg = config("net_null5")
    check((cfg["mtu"], cfg["mtu_set"], cfg["rxq"], cfg["txd"], cfg["rxd"]) ==
          (1400, True, 2, 256, 1024), "add-if options, defaults for the rest", cfg)
    check(ok(S, "pmd-rxq-show").out.count("net_null5") == 2, "both rx queues polled")
    ok(S, "del-if", "net_null5")
    ok(S, "add-if", "dpdk-switch", "net_null5,no-rx=1", "txq=1")
    cfg = config("net_null5")
    check(cfg["txq"] == 1 and cfg["mtu"] == 9000, "with the DP argument; --mtu default", cfg)
    ok(S, "del-if", "net_null5")


def test_add_if_bad_options():
    r = fails(S, 2, "add-if", "net_null6", "mtu=99999")
    check("port option mtu: '99999' is not a number in 68..9600" in r.err, "range", r)
    r = fails(S, 2, "add-if", "net_null6", "rxq=2,speed=10")
    check("unknown port option 'speed'" in r.err, "unknown key", r)
    r = fails(S, 2, "add-if", "mtu=9000")
    check("give [DP] DEVARGS" in r.err, "options without devargs", r)
    r = fails(S, 2, "add-if", "dpdk-switch", "net_null6", "extra", "mtu=9000")
    check("give [DP] DEVARGS" in r.err, "a stray word", r)
    check("net_null6" not in ok(S, "show").out, "nothing added")


def test_mtu_refused_with_reason():
    iface = "dpswm%d" % (os.getpid() % 100000)
    r = fails(S, 1, "add-if", "net_tap_mtu,iface=%s" % iface, "mtu=9000")
    check("MTU 9000: net_tap takes frames of at most" in r.err and "9018 needed" in r.err,
          "the reason names the limit", r)
    check("net_tap_mtu" not in ok(S, "show").out, "no port left")
    p = subprocess.run(["ip", "link", "show", iface], capture_output=True)
    check(p.returncode != 0, "the tap device is gone", p.stdout)


def vport_new(c, name, options):
    a = (attr(OVS_VPORT_ATTR_NAME, name.encode() + b"\0") +
         u32(OVS_VPORT_ATTR_TYPE, OVS_VPORT_TYPE_NETDEV) +
         attr(OVS_VPORT_ATTR_UPCALL_PID, struct.pack("=I", 0)) +
         nest(OVS_VPORT_ATTR_OPTIONS, options))
    (r,) = c.request(msg(c.family("ovs_vport"), OVS_VPORT_CMD_NEW, a,
                         flags=NLM_F_REQUEST | NLM_F_ACK))
    return r


def test_raw_vport_options():
    c = Conn(S, timeout=30)
    dev = attr(DPSW_VPORT_OPTION_DEVARGS, b"net_null9,no-rx=1\0")
    for opts, reason in (
            (dev + attr(DPSW_VPORT_OPTION_MTU, struct.pack("=H", 9000)), "MTU is not a u32"),
            (dev + u32(DPSW_VPORT_OPTION_MTU, 67), "MTU 67 is not in 68..9600"),
            (dev + u32(DPSW_VPORT_OPTION_RXQ, 0), "RXQ 0 is not in 1..64"),
            (dev + u32(DPSW_VPORT_OPTION_OFFLOAD, 2), "OFFLOAD 2 is not in 0..1"),
            (dev + u32(77, 1), "take devargs, MTU, RXQ, TXQ, RXD, TXD and OFFLOAD only")):
        r = vport_new(c, "net_null9", opts)
        check(r.error == -EINVAL and reason in r.reason and r.offset, "bad option", r, reason)
    r = vport_new(c, "net_null9", dev + u32(DPSW_VPORT_OPTION_MTU, 2000) +
                  u32(DPSW_VPORT_OPTION_RXQ, 3))
    check(r.error == 0, "good options", r)
    c.close()
    cfg = config("net_null9")
    check(cfg["mtu"] == 2000 and cfg["rxq"] == 3, "raw options applied", cfg)
    ok(S, "del-if", "net_null9")


def test_stop_without_leaks():
    rc = D.stop()
    check(rc == 0, "clean exit", D.log_text())
    check("mbufs in use: 0" in D.log_text(), "no mbuf left", D.log_text())


if __name__ == "__main__":
    run([test_mtu_on_drivers_without_mtu_operation, test_port_opts_at_start,
         test_add_if_with_options, test_add_if_bad_options, test_mtu_refused_with_reason,
         test_raw_vport_options, test_stop_without_leaks])
