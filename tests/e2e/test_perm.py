# SPDX-License-Identifier: BSD-3-Clause
"""The permission rule, as a real unprivileged user ('nobody', through
setpriv): reading works, every change is refused with EPERM and nothing
changes."""
import os
import pwd
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e import Daemon, check, fails, need_root_and_daemon, ok, run, tmpdir  # noqa: E402

need_root_and_daemon()
try:
    pwd.getpwnam("nobody")
except KeyError:
    print("skip: no user 'nobody'")
    sys.exit(77)

D = Daemon(["net_null0,no-rx=1", "net_null1,no-rx=1"], ["--max-idle", "3600000"])
S = D.sock
FLOW = "in_port(1),eth(),eth_type(0x0800),ipv4(src=10.0.0.1,proto=17,frag=no),udp(dst=53)"
OTHER = "in_port(2),eth(),eth_type(0x0806)"
NOBODY = dict(user="nobody")
EPERM = "Operation not permitted"


def table():
    return ok(S, "dump-flows").out


def settings():
    """What show says that only a change could alter (counters move)."""
    return [line for line in ok(S, "show").out.splitlines()
            if line.startswith(("  port ", "  flow limit:", "  flows:"))]


def test_reads_allowed():
    ok(S, "add-flow", FLOW, "2")
    before = table()
    check(ok(S, "show", **NOBODY).out.startswith("dpdk-switch@dpdk-switch:\n"), "show as nobody")
    check(ok(S, "dump-flows", **NOBODY).out == before, "dump-flows as nobody")
    check(ok(S, "get-flow", FLOW, **NOBODY).out == before, "get-flow as nobody")
    ok(S, "pmd-stats-show", **NOBODY)
    ok(S, "pmd-rxq-show", **NOBODY)


def test_changes_refused():
    before, show = table(), settings()
    path = os.path.join(tmpdir(), "flows.txt")
    with open(path, "w") as f:
        f.write("%s 1\n%s 2\n" % (OTHER, FLOW))
    os.chmod(path, 0o644)
    for args in (["add-flow", OTHER, "1"], ["mod-flow", FLOW, "1"], ["del-flow", FLOW],
                 ["del-flows"], ["add-flows", path], ["del-flows", path],
                 ["add-if", "net_null5,no-rx=1"], ["del-if", "net_null1"],
                 ["set-flow-limit", "5000"], ["set-max-idle", "100"], ["pmd-stats-clear"],
                 ["pmd-rxq-rebalance"],
                 ["execute", "00000000000200000000000108004500", "1"], ["monitor"]):
        r = fails(S, 1, *args, **NOBODY)
        check(EPERM in r.err, "EPERM with its reason", r)
    check(table() == before, "the flow table did not change", table(), before)
    check(settings() == show, "ports and settings did not change", settings(), show)
    r = fails(S, 1, "add-flows", path, **NOBODY)
    check(r.err.count(EPERM) == 2, "each line refused", r)


def test_root_still_can():
    ok(S, "add-flow", OTHER, "1")
    ok(S, "del-flows")
    check(table() == "", "root changes the table")


run([test_reads_allowed, test_changes_refused, test_root_still_can])
