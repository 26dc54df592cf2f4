# SPDX-License-Identifier: BSD-3-Clause
"""add-flows / del-flows FILE: 10k flows in, the table holds exactly them;
failing lines are each reported with their line number and the daemon's
reason; stdin; small datagrams and a window of one give the same table."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e import Daemon, check, ctl, fails, need_root_and_daemon, ok, run, tmpdir  # noqa: E402

need_root_and_daemon()
D = Daemon(["net_null0,no-rx=1", "net_null1,no-rx=1"],
           ["--max-idle", "3600000", "--flow-limit", "200000"])
S = D.sock
DIR = tmpdir()
N = 10000


def flow(i):
    return ("in_port(1),eth(),eth_type(0x0800),ipv4(src=10.%d.%d.%d,proto=17,frag=no),"
            "udp(dst=53)" % (i >> 16, (i >> 8) & 255, i & 255))


def dumped(i, actions="2"):
    return flow(i) + ", packets:0, bytes:0, used:never, actions:" + actions


def write(name, lines):
    path = os.path.join(DIR, name)
    with open(path, "w") as f:
        f.write("".join(line + "\n" for line in lines))
    return path


def dump_set():
    lines = ok(S, "dump-flows").out.splitlines()
    check(len(lines) == len(set(lines)), "a flow dumped twice")
    return set(lines)


ALL = write("all.txt", ["# %d flows" % N, ""] + ["%s 2" % flow(i) for i in range(N)])


def test_add_flows_10k():
    r = ok(S, "add-flows", "-s", ALL)
    check("%d flows added, 0 failed, 0 bad lines" % N in r.err, "summary", r)
    check(dump_set() == {dumped(i) for i in range(N)}, "the table is the file")
    show = ok(S, "show").out
    check("  flows: %d\n" % N in show, "show counts the flows", show)


def test_del_flows_file():
    # The add-flows file itself deletes: actions after the flow are ignored.
    half = write("half.txt", ["%s 2" % flow(i) for i in range(0, N, 2)])
    ok(S, "del-flows", half)
    check(dump_set() == {dumped(i) for i in range(1, N, 2)}, "odd flows left")
    # Deleting them again: every line fails with ENOENT, reported by number.
    r = fails(S, 1, "del-flows", half)
    lines = [line for line in r.err.splitlines() if "No such file or directory" in line]
    check(len(lines) == N // 2, "one report per missing flow", len(lines), r.err[:500])
    check(lines[0].startswith(half + ":1: deleting flow (No such file or directory)"),
          "line number and reason", lines[0])
    check(lines[-1].startswith(half + ":%d: " % (N // 2)), "last line", lines[-1])
    ok(S, "del-flows")
    check(dump_set() == set(), "flushed")


def test_failing_lines_reported():
    ok(S, "add-flow", flow(5), "2")
    lines = ["# a comment", "%s 2" % flow(1), "", "%s 2" % flow(5),       # 2 ok, 4 dup
             "in_port(1),eth(),bogus(1) 2",                                 # 5 bad token
             "%s" % flow(7),                                                # 6 no actions
             "%s 2" % flow(8), "   # indented comment", "%s 1,3" % flow(9)]  # 7, 9 ok
    path = write("mixed.txt", lines)
    r = ctl(S, "add-flows", path)
    check(r.rc == 2, "bad lines give exit status 2", r)
    err = r.err.splitlines()
    check(any(e.startswith(path + ":4: adding flow (File exists)") for e in err), "dup", r)
    check(any(e.startswith(path + ":5: ") and "bogus" in e for e in err), "bad token", r)
    check(any(e.startswith(path + ":6: ") and "actions" in e for e in err), "no actions", r)
    check("3 flows added, 1 failed, 2 bad lines" in r.err, "summary", r)
    check(dump_set() == {dumped(1), dumped(5), dumped(8), dumped(9, "1,3")}, "table")
    # Only daemon errors: exit status 1.
    path = write("dups.txt", ["%s 2" % flow(1), "%s 2" % flow(2)])
    r = fails(S, 1, "add-flows", path)
    check(path + ":1: adding flow (File exists): flow already exists" in r.err, "dup", r)
    check(":2:" not in r.err, "line 2 was fine", r)
    ok(S, "del-flows")


def test_stdin_and_small_datagrams():
    text = "".join("%s 2\n" % flow(i) for i in range(3000))
    r = ok(S, "add-flows", "--batch-size", "4096", "--window", "1", "--threads", "0", "-",
           stdin=text)
    check(dump_set() == {dumped(i) for i in range(3000)}, "stdin, 4 KiB datagrams", r)
    ok(S, "del-flows", "--window", "3", "--threads", "3", "-", stdin=text)
    check(dump_set() == set(), "del-flows from stdin")


def test_threads_same_output():
    """Parsing threads change nothing: the same errors, in line order, and
    the same table, whatever their number (chunks are 1024 lines)."""
    lines = []
    for i in range(5000):
        lines.append("in_port(1),eth(),nonsense(%d) 2" % i if i % 700 == 3 else
                     "%s 2" % flow(i))
    path = write("spread.txt", lines)
    outputs = []
    for threads in ("0", "1", "3"):
        r = fails(S, 2, "add-flows", "--threads", threads, path)
        outputs.append(r.err)
        check(dump_set() == {dumped(i) for i in range(5000) if i % 700 != 3}, "table", threads)
        ok(S, "del-flows")
    check(outputs[0] == outputs[1] == outputs[2], "same report", outputs)
    bad = [e.split(":")[1] for e in outputs[0].splitlines() if "nonsense" in e]
    check(bad == [str(i + 1) for i in range(5000) if i % 700 == 3], "line order", bad)


def test_line_framing():
    """Lines are cut from blocks of the file (16 KiB) into chunks (1024
    lines), whose last messages lead the next chunk's datagram: a last
    line without a newline, CRLF endings, a line longer than a block,
    runs of blank lines, and chunk and block boundaries falling anywhere
    lose or merge no line, and errors keep their line numbers."""
    long_comment = "#" + "x" * 70000                       # spans five blocks
    lines = ["%s 2" % flow(i) for i in range(5000)]
    lines[4095] = "in_port(1),eth(),bogus(1) 2"            # chunk 4's last line
    lines[4096] = "%s 2\r" % flow(4096)                    # CRLF
    lines[100] = long_comment
    lines[200:200] = [""] * 9000                           # blank run, 2 chunks' worth
    path = os.path.join(DIR, "framing.txt")
    with open(path, "w") as f:
        f.write("\n".join(lines))                          # no final newline
    want = {dumped(i) for i in range(5000) if i not in (100, 4095)}
    for threads in ("0", "2"):
        r = fails(S, 2, "add-flows", "--threads", threads, path)
        bad = [e for e in r.err.splitlines() if "bogus" in e]
        check(len(bad) == 1 and bad[0].startswith("%s:%d: " % (path, 4096 + 9000)),
              "the bad line's number", r.err[-500:])
        check("4998 flows added, 0 failed, 1 bad lines" in r.err, "summary", r.err[-500:])
        check(dump_set() == want, "table", threads)
        ok(S, "del-flows")


def test_missing_file():
    r = fails(S, 1, "add-flows", os.path.join(DIR, "nonexistent"))
    check("No such file or directory" in r.err, "missing file", r)


def test_flow_limit_refusal():
    """Past the flow limit the daemon refuses; each line says so. The
    ceiling (set-flow-limit) caps the dynamic limit, so 3000 is exact."""
    ok(S, "set-flow-limit", "3000")
    check("flow limit: 3000 (ceiling 3000)" in ok(S, "show").out, "limit set")
    path = write("over.txt", ["%s 2" % flow(i) for i in range(3005)])
    r = fails(S, 1, "add-flows", path)
    refused = [e for e in r.err.splitlines() if "No space left on device" in e]
    check(len(refused) == 5, "5 lines over the limit", r.err[-800:])
    check(refused[0].startswith(path + ":3001: adding flow (No space left on device)"),
          "first refused line", refused[0])
    check("refused:5 " in ok(S, "show").out or "refused:5\n" in ok(S, "show").out,
          "show counts the refusals", ok(S, "show").out)
    ok(S, "del-flows")
    ok(S, "set-flow-limit", "200000")


run([test_add_flows_10k, test_del_flows_file, test_failing_lines_reported,
     test_stdin_and_small_datagrams, test_threads_same_output, test_line_framing,
     test_missing_file,
     test_flow_limit_refusal])
