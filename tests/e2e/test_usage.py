# SPDX-License-Identifier: BSD-3-Clause
"""Command-line errors (exit status 2, usage on stderr) and an absent
daemon (exit status 1, a clear message). Needs no daemon."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e import CTL, check, ctl, run, tmpdir  # noqa: E402

if not CTL or not os.access(CTL, os.X_OK):
    print("skip: DPSW_CTL is not set to the client")
    sys.exit(77)

NOSOCK = os.path.join(tmpdir(), "no.sock")


def usage(*args):
    r = ctl(NOSOCK, *args)
    check(r.rc == 2 and r.out == "", "exit status 2, nothing on stdout", r)
    return r


def test_bad_command_lines():
    check("missing command" in usage().err, "no command")
    check("unknown command 'frob'" in usage("frob").err, "unknown command")
    r = usage("add-flow", "in_port(1),eth()")
    check("wrong number of arguments" in r.err and "usage: dpdk-switch-ctl add-flow [DP] FLOW "
          "ACTIONS" in r.err, "argument count", r)
    usage("show", "a", "b")
    check("unknown option '--frob'" in usage("--frob", "show").err, "unknown option")
    check("needs an argument" in usage("show", "--count").err, "missing option argument")
    usage("monitor", "--count", "many")
    usage("execute", "--in-port", "70000", "00", "1")
    usage("add-flows", "--window", "0", "f")
    check("no JSON output" in usage("add-flow", "--json", "in_port(1),eth()", "1").err, "--json")
    usage("set-flow-limit", "-5")
    usage("set-max-idle", "1x")


def test_bad_text_before_connecting():
    """Flow and action syntax is checked before connecting: status 2 even
    without a daemon, with the offending token."""
    r = usage("add-flow", "in_port(1),eth(),eth_type(0x0800),ipv4(src=300.1.1.1)", "1")
    check("300.1.1.1" in r.err and "^" in r.err, "bad address", r)
    r = usage("add-flow", "in_port(1),eth()", "output(frob)")
    check("frob" in r.err, "bad action", r)
    r = usage("del-flow", "ufid:not-a-uuid")
    check("not-a-uuid" in r.err, "bad ufid", r)
    usage("execute", "0g", "1")


def test_no_daemon():
    r = ctl(NOSOCK, "show")
    check(r.rc == 1, "exit status 1", r)
    check(r.err == "dpdk-switch-ctl: cannot connect to %s: No such file or directory; "
          "is dpdk-switch running?\n" % NOSOCK, "the message", r)
    r = ctl(None, "--ctl", "/nonexistent-dir/ctl.sock", "dump-flows")
    check(r.rc == 1 and "is dpdk-switch running?" in r.err, "dump-flows", r)


def test_help_and_version():
    r = ctl(None, "--help")
    check(r.rc == 0 and "usage: dpdk-switch-ctl [OPTIONS] COMMAND" in r.out, "--help", r)
    r = ctl(None, "-V")
    check(r.rc == 0 and r.out.startswith("dpdk-switch-ctl"), "-V", r)


run([test_bad_command_lines, test_bad_text_before_connecting, test_no_daemon,
     test_help_and_version])
