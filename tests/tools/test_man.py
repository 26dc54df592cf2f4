#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The man pages dpdk-switch(8) and dpdk-switch-ctl(8): clean under
`mandoc -T lint`, every section a reference page needs, and in step with
--help: every option and command --help lists is in the page, and every
one the page lists is in --help."""
import os
import re
import subprocess
import sys

TREE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MAN = os.path.join(TREE, "man")
SECTIONS = ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXIT STATUS", "FILES", "EXAMPLES",
            "SEE ALSO"]


def binary(env, rel):
    return os.environ.get(env) or os.path.join(TREE, "build", "debug", rel)


def sections(page):
    """{section name: [lines]} of a man(7) source."""
    out, cur = {}, None
    with open(os.path.join(MAN, page)) as f:
        for line in f:
            m = re.match(r'\.SH\s+"?([^"\n]+)"?', line)
            if m:
                cur = m.group(1).strip()
                out[cur] = []
            elif cur:
                out[cur].append(line.rstrip("\n").replace("\\-", "-"))
    return out


def tags(lines):
    """The lines that follow each .TP: what a list entry is about."""
    return [lines[i + 1] for i, line in enumerate(lines[:-1]) if line.startswith(".TP")]


def man_options(page):
    return {o for t in tags(sections(page)["OPTIONS"])
            for o in re.findall(r"(?<![\w-])(--?[a-zA-Z][a-zA-Z-]*)", t)}


def man_commands(page):
    return {re.match(r"\.B[IR]?\s+([a-z][a-z-]*)", t).group(1)
            for t in tags(sections(page)["COMMANDS"])}


def help_text(prog, *args):
    r = subprocess.run([prog] + list(args), capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r
    return r.stdout


def help_options(text):
    """Options of the lines that start with '-' (before the description)."""
    out = set()
    for line in text.splitlines():
        if line.lstrip().startswith("-"):
            head = re.split(r"\s{2,}", line.strip())[0]
            out |= set(re.findall(r"(?<![\w-])(--?[a-zA-Z][a-zA-Z-]*)", head))
    return out


def help_commands(text):
    before_options = text.split("\nOptions:")[0]
    return {m.group(1) for m in re.finditer(r"^  ([a-z][a-z-]+) ", before_options, re.M)}


def same(what, in_help, in_man):
    assert in_help - in_man == set(), "%s in --help, not in the man page: %s" % (
        what, sorted(in_help - in_man))
    assert in_man - in_help == set(), "%s in the man page, not in --help: %s" % (
        what, sorted(in_man - in_help))
    assert in_help, what + ": none found"


def lint(page):
    r = subprocess.run(["mandoc", "-T", "lint", "-W", "warning", os.path.join(MAN, page)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout == "" and r.stderr == "", (page, r)
    # And what man -l runs: groff with every warning on.
    r = subprocess.run(["groff", "-ww", "-z", "-man", "-Tutf8", os.path.join(MAN, page)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stderr == "", (page, r)


def main():
    for page in ("dpdk-switch.8", "dpdk-switch-ctl.8"):
        lint(page)
        missing = [s for s in SECTIONS if s not in sections(page)]
        assert not missing, (page, missing)
    daemon = help_text(binary("DPDK_SWITCH", "src/dpdk-switch"), "--", "--help")
    same("dpdk-switch options", help_options(daemon), man_options("dpdk-switch.8"))
    ctl = help_text(binary("DPDK_SWITCH_CTL", "src/client/dpdk-switch-ctl"), "--help")
    same("dpdk-switch-ctl options", help_options(ctl), man_options("dpdk-switch-ctl.8"))
    same("dpdk-switch-ctl commands", help_commands(ctl), man_commands("dpdk-switch-ctl.8"))
    # The pages name the version the programs print.
    version = help_text(binary("DPDK_SWITCH", "src/dpdk-switch"), "--", "--version").split()[1]
    for page in ("dpdk-switch.8", "dpdk-switch-ctl.8"):
        with open(os.path.join(MAN, page)) as f:
            th = next(line for line in f if line.startswith(".TH "))
        assert '"dpdk-switch %s"' % version in th, (page, th, version)
    # Exit statuses of --help are the man page's too.
    for page in ("dpdk-switch.8", "dpdk-switch-ctl.8"):
        status = tags(sections(page)["EXIT STATUS"])
        assert [s.split()[1] for s in status] == ["0", "1", "2"], (page, status)
    print("ok")


if __name__ == "__main__":
    sys.exit(main())
