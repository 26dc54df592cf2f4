# SPDX-License-Identifier: BSD-3-Clause
"""Clients that abuse the control socket, run as 'nobody' by the abuse
cases (copied with nlraw.py to a directory nobody can read first).

    abuse_ctl_client.py conns N SOCK      open N connections, hold them
    abuse_ctl_client.py gets N SOCK       N connections that send GETs and
                                          never read, hold them
    abuse_ctl_client.py writes SOCK       every change the protocol has

Each prints one line "result: KEY=VALUE ..." once set up, then holds its
connections until stdin closes (or it is killed).
"""
import resource
import select
import socket
import sys
import time

import nlraw as N


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(20)
    s.connect(path)
    return s


def alive(s):
    """A GETFAMILY answered: the daemon kept this connection (a refused one
    reads the daemon's ECONNREFUSED notice, then end of file)."""
    try:
        s.send(N.msg(N.GENL_ID_CTRL, N.CTRL_CMD_GETFAMILY,
                     N.attr(N.CTRL_ATTR_FAMILY_NAME, "ovs_datapath"), ovs=False))
        data = s.recv(65536)
    except OSError:
        return False
    return len(data) >= N.NLMSG_HDR.size and N.NLMSG_HDR.unpack_from(data)[1] == N.GENL_ID_CTRL


def conns(n, path):
    held, refused, failed = [], 0, 0
    for _ in range(n):
        try:
            held.append(connect(path))
        except OSError:
            failed += 1
    kept = []
    for s in held:
        if alive(s):
            kept.append(s)
        else:
            refused += 1
            s.close()
    return kept, "kept=%d refused=%d connect_failed=%d" % (len(kept), refused, failed)


def gets(n, path):
    """Datagrams of datapath GETs (each reply is several times the request)
    for 8 s, never reading a reply: the daemon goes on reading and drops
    what passes each connection's reply budget."""
    c = N.Conn(path)
    fam = c.family("ovs_datapath")
    c.close()
    kept, summary = conns(n, path)
    one = N.msg(fam, N.OVS_DP_CMD_GET, N.attr(N.OVS_DP_ATTR_NAME, N.DP_NAME))
    dgram = one * (200 * 1024 // len(one))
    sent = 0
    poller = select.poll()
    for s in kept:
        s.setblocking(False)
        poller.register(s, select.POLLOUT)
    by_fd = {s.fileno(): s for s in kept}
    deadline = time.monotonic() + 8
    while time.monotonic() < deadline:
        ready = poller.poll(1000)
        if not ready:
            break
        for fd, _ in ready:
            try:
                by_fd[fd].send(dgram)
                sent += 1
            except (BlockingIOError, OSError):
                pass
    return kept, summary + " datagrams=%d requests=%d" % (sent, sent * (len(dgram) // len(one)))


def writes(path):
    """Every admin operation: each must fail with EPERM."""
    c = N.Conn(path)
    flow, dp, vport = c.family("ovs_flow"), c.family("ovs_datapath"), c.family("ovs_vport")
    pkt, dpsw = c.family("ovs_packet"), c.family("dpdk_switch")
    key = N.nest(N.OVS_FLOW_ATTR_KEY, N.key_attrs(1, 0x0a000009))
    reqs = {
        "flow_new": N.msg(flow, N.OVS_FLOW_CMD_NEW, key + N.nest(N.OVS_FLOW_ATTR_ACTIONS,
                                                                  N.out(2))),
        "flow_set": N.msg(flow, N.OVS_FLOW_CMD_SET, key + N.nest(N.OVS_FLOW_ATTR_ACTIONS)),
        "flow_del": N.msg(flow, N.OVS_FLOW_CMD_DEL, key),
        "flow_flush": N.msg(flow, N.OVS_FLOW_CMD_DEL),
        "dp_set": N.msg(dp, N.OVS_DP_CMD_SET, N.u32(N.OVS_DP_ATTR_UPCALL_PID, 77)),
        "dp_new": N.msg(dp, 1, N.attr(N.OVS_DP_ATTR_NAME, "x")),
        "dp_del": N.msg(dp, 2, N.attr(N.OVS_DP_ATTR_NAME, N.DP_NAME)),
        "vport_new": N.msg(vport, 1, N.attr(3, "net_null9")),
        "vport_del": N.msg(vport, 2, N.u32(1, 1)),
        "vport_set": N.msg(vport, 4, N.u32(1, 1)),
        "execute": N.msg(pkt, N.OVS_PACKET_CMD_EXECUTE, N.attr(1, bytes(60)) + key +
                         N.nest(3, N.out(2))),
        "pmd_clear": N.msg(dpsw, 2, ovs=True),
        "config_set": N.msg(dpsw, 4, N.u32(1, 5000)),
    }
    out = []
    for name, m in reqs.items():
        (r,) = c.request(m)
        out.append("%s=%s" % (name, r.error))
    c.close()
    return [], " ".join(out)


def main():
    mode = sys.argv[1]
    raise_nofile()
    if mode == "writes":
        held, summary = writes(sys.argv[2])
    elif mode == "conns":
        held, summary = conns(int(sys.argv[2]), sys.argv[3])
    elif mode == "gets":
        held, summary = gets(int(sys.argv[2]), sys.argv[3])
    else:
        raise SystemExit("unknown mode " + mode)
    print("result: " + summary, flush=True)
    sys.stdin.read()   # hold until the test closes our stdin
    for s in held:
        s.close()


if __name__ == "__main__":
    main()
