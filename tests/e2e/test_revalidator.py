# SPDX-License-Identifier: BSD-3-Clause
"""The revalidator on a running daemon. By default, as the kernel datapath,
flows live until deleted and the flow limit is a fixed cap (NEW beyond it:
ENOSPC naming the option; a --flows file refused at it says which option
raises it). With --max-idle (or set-max-idle) the table is a cache: idle
flows expire after max-idle while a flow with traffic stays; NEW is refused
at the dynamic flow limit and counted; over the limit idle means 100 ms;
past twice the limit every flow goes. Flows go in through the control
socket (raw messages); settings change at run time through the dpdk_switch
family."""
import os
import struct
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import dpsw  # noqa: E402
from nlraw import *  # noqa: E402,F403

DPSW_CMD_CONFIG_GET, DPSW_CMD_CONFIG_SET = 3, 4
DPSW_ATTR_FLOW_LIMIT, DPSW_ATTR_MAX_IDLE, DPSW_ATTR_FLOW_LIMIT_NOW = 7, 8, 9
DPSW_ATTR_N_FLOWS, DPSW_ATTR_REVAL_ROUNDS = 10, 11
DPSW_ATTR_REVAL_DELETED, DPSW_ATTR_REVAL_FLUSHED, DPSW_ATTR_FLOWS_REFUSED = 13, 14, 15
ENOENT, ENOSPC = 2, 28
BUSY_DST = 0x0a000001  # the pcap's packets go to 10.0.0.1
IDLE_DST = 0x0c000001


def config(c):
    (r,) = c.request(msg(c.family("dpdk_switch"), DPSW_CMD_CONFIG_GET))
    assert r.error is None, r
    out = {}
    for k, v in r.attrs().items():
        if len(v) in (4, 8):  # the integers; nested ones are not read here
            out[k] = struct.unpack("=Q" if len(v) == 8 else "=I", v)[0]
    return out


def config_set(c, **kw):
    attrs = b""
    if "limit" in kw:
        attrs += u32(DPSW_ATTR_FLOW_LIMIT, kw["limit"])
    if "max_idle" in kw:
        attrs += u32(DPSW_ATTR_MAX_IDLE, kw["max_idle"])
    (r,) = c.request(msg(c.family("dpdk_switch"), DPSW_CMD_CONFIG_SET, attrs,
                         flags=NLM_F_REQUEST | NLM_F_ACK))
    assert r.error == 0, r


def add_flows(c, dsts):
    """Add flows in datagrams of 200; returns the replies that are errors."""
    errors = []
    dsts = list(dsts)
    for i in range(0, len(dsts), 200):
        data = b"".join(flow(c, OVS_FLOW_CMD_NEW, d, out(2), NLM_F_REQUEST | NLM_F_ACK,
                             seq=i + j) for j, d in enumerate(dsts[i:i + 200]))
        errors += [r for r in c.request(data) if r.error]
    return errors


def wait_for(pred, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return False


def has_flow(c, dst):
    replies = c.request(flow(c, OVS_FLOW_CMD_GET, dst))
    assert replies[0].error in (None, -ENOENT), replies
    return replies[0].error is None


def busy_pcap(path):
    """64-byte UDP frames to 10.0.0.1, the flow that stays busy."""
    from scapy.all import IP, UDP, Ether, wrpcap  # Debian's python3-scapy
    pkt = Ether(src="00:00:00:00:00:01", dst="00:00:00:00:00:02") / \
        IP(src="10.0.0.9", dst="10.0.0.1") / UDP(sport=1000, dport=53) / (b"x" * 18)
    wrpcap(path, [pkt] * 64)


def test_idle_expiry(tmp):
    pcap = os.path.join(tmp, "busy.pcap")
    busy_pcap(pcap)
    vdevs = ["net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap, "net_null0,no-rx=1"]
    with dpsw.Daemon(vdevs, ["--max-idle", "400"], tmpdir=tmp) as d:
        c = Conn(d.sock)
        assert not add_flows(c, [BUSY_DST] + [0x0b000000 + i for i in range(50)])
        assert n_flows(c) == 51
        # Idle flows go after 400 ms (rounds every 200 ms); the busy one stays.
        assert wait_for(lambda: n_flows(c) == 1, 5), n_flows(c)
        time.sleep(1.0)
        assert n_flows(c) == 1
        replies = c.request(flow(c, OVS_FLOW_CMD_GET, BUSY_DST))
        assert replies[0].error is None, replies
        assert OVS_FLOW_ATTR_STATS in replies[0].attrs()
        cfg = config(c)
        assert cfg[DPSW_ATTR_REVAL_DELETED] == 50, cfg
        assert cfg[DPSW_ATTR_MAX_IDLE] == 400
        # A longer max-idle at run time applies at once: an idle flow outlives
        # two round intervals (500 ms each), past the 400 ms that expired
        # the others. Counted in the daemon's rounds, not in our sleeps.
        config_set(c, max_idle=3600000)
        assert not add_flows(c, [IDLE_DST])
        rounds = config(c)[DPSW_ATTR_REVAL_ROUNDS]
        assert wait_for(lambda: config(c)[DPSW_ATTR_REVAL_ROUNDS] >= rounds + 3, 20), config(c)
        assert has_flow(c, IDLE_DST), "idle flow expired under max-idle 3600000"
        # A shorter one applies too: the idle flow goes. (Not asserted: that
        # the busy flow stays. 50 ms is less than a loaded machine may keep
        # the PMD off its CPU, so its last use can be older than that.)
        config_set(c, max_idle=50)
        assert config(c)[DPSW_ATTR_MAX_IDLE] == 50
        assert wait_for(lambda: not has_flow(c, IDLE_DST), 20), "idle flow still there"
        c.close()


def test_limit(tmp):
    vdevs = ["net_null0,no-rx=1", "net_null1,no-rx=1"]
    with dpsw.Daemon(vdevs, ["--flow-limit", "3000", "--max-idle", "10000"], tmpdir=tmp) as d:
        c = Conn(d.sock)
        assert config(c)[DPSW_ATTR_FLOW_LIMIT_NOW] == 3000
        # NEW is refused at the limit, with a reason, and counted.
        errors = add_flows(c, [0x0b000000 + i for i in range(3001)])
        assert len(errors) == 1 and errors[0].error == -ENOSPC, errors
        assert "limit" in errors[0].reason, errors[0].reason
        assert n_flows(c) == 3000
        assert config(c)[DPSW_ATTR_FLOWS_REFUSED] == 1
        # Between the limit and twice it, idle means 100 ms.
        config_set(c, limit=2000)
        assert config(c)[DPSW_ATTR_FLOW_LIMIT_NOW] == 2000
        assert wait_for(lambda: n_flows(c) == 0, 5), n_flows(c)
        cfg = config(c)
        assert cfg[DPSW_ATTR_REVAL_DELETED] == 3000 and cfg[DPSW_ATTR_REVAL_FLUSHED] == 0, cfg
        # Past twice the limit, every flow goes in one round.
        config_set(c, limit=3000)
        assert not add_flows(c, [0x0c000000 + i for i in range(2500)])
        config_set(c, limit=1000)
        assert wait_for(lambda: n_flows(c) == 0, 5), n_flows(c)
        assert config(c)[DPSW_ATTR_REVAL_FLUSHED] == 2500
        # Bad settings are refused and change nothing.
        (r,) = c.request(msg(c.family("dpdk_switch"), DPSW_CMD_CONFIG_SET,
                             u32(DPSW_ATTR_FLOW_LIMIT, 5), flags=NLM_F_REQUEST | NLM_F_ACK))
        assert r.error == -22 and "1000" in r.reason, r
        assert config(c)[DPSW_ATTR_FLOW_LIMIT] == 1000
        c.close()


def test_no_expiry_by_default(tmp):
    vdevs = ["net_null0,no-rx=1", "net_null1,no-rx=1"]
    with dpsw.Daemon(vdevs, ["--flow-limit", "1000"], tmpdir=tmp) as d:
        c = Conn(d.sock)
        cfg = config(c)
        assert cfg[DPSW_ATTR_MAX_IDLE] == 0 and cfg[DPSW_ATTR_FLOW_LIMIT_NOW] == 1000, cfg
        # A fixed cap: the 1001st NEW is refused, naming the option.
        errors = add_flows(c, [0x0b000000 + i for i in range(1001)])
        assert len(errors) == 1 and errors[0].error == -ENOSPC, errors
        assert "--flow-limit" in errors[0].reason, errors[0].reason
        # Rounds go by (every 500 ms), no flow expires, however idle.
        rounds = cfg[DPSW_ATTR_REVAL_ROUNDS]
        assert wait_for(lambda: config(c)[DPSW_ATTR_REVAL_ROUNDS] >= rounds + 4, 10)
        cfg = config(c)
        assert n_flows(c) == 1000 and cfg[DPSW_ATTR_REVAL_DELETED] == 0, cfg
        assert cfg[DPSW_ATTR_FLOW_LIMIT_NOW] == 1000 and cfg[DPSW_ATTR_FLOWS_REFUSED] == 1
        # Raising the cap makes room; nothing else changes.
        config_set(c, limit=2000)
        assert not add_flows(c, [0x0c000000])
        assert config(c)[DPSW_ATTR_FLOW_LIMIT_NOW] == 2000 and n_flows(c) == 1001
        # set-max-idle turns the cache on: idle flows now expire.
        config_set(c, max_idle=50)
        assert wait_for(lambda: n_flows(c) == 0, 10), n_flows(c)
        c.close()


def test_flows_file_limit(tmp):
    """A --flows file of 20000 lines loads with the defaults; at a lower
    --flow-limit the daemon refuses it and says which option raises it."""
    path = os.path.join(tmp, "flows.txt")
    with open(path, "w") as f:
        for i in range(20000):
            f.write("in_port(1),eth(),eth_type(0x0800),ipv4(dst=11.0.%d.%d) 2\n" %
                    (i // 256, i % 256))
    vdevs = ["net_null0,no-rx=1", "net_null1,no-rx=1"]
    with dpsw.Daemon(vdevs, ["--flows", path], tmpdir=tmp) as d:
        c = Conn(d.sock)
        assert n_flows(c) == 20000
        c.close()
    d = dpsw.Daemon(vdevs, ["--flows", path, "--flow-limit", "19999"], tmpdir=tmp)
    d.start(wait_ready=False)
    assert d.wait(120) == 2, d.output
    assert "flows.txt:20000: flow limit of 19999 flows reached: --flow-limit" in d.output, \
        d.output


def main():
    for name, fn in [("no expiry by default", test_no_expiry_by_default),
                     ("flows file at the limit", test_flows_file_limit),
                     ("idle expiry", test_idle_expiry), ("flow limit", test_limit)]:
        t = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="dpsw-reval-") as tmp:
            fn(tmp)
        print("ok %s (%.1fs)" % (name, time.monotonic() - t))


if __name__ == "__main__":
    main()
