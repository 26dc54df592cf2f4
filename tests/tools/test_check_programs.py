#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""tools/check-programs.py fails, naming the program, when a script of the
tree runs a program from a package tools/deps.sh does not install; and
passes on the tree itself. Each case is a throwaway tree with one script."""
import os
import subprocess
import sys
import tempfile

TREE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHECK = os.path.join(TREE, "tools", "check-programs.py")
# What the cases are checked against: tshark's and tcpdump's packages are
# left out on purpose (neither is Essential nor a dependency of these).
DEPS = "iproute2 python3 procps"


def check(files, deps=DEPS):
    with tempfile.TemporaryDirectory() as root:
        for name, text in files.items():
            path = os.path.join(root, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
            os.chmod(path, 0o755)
        return subprocess.run([sys.executable, CHECK, "--root", root, "--deps", deps],
                              capture_output=True, text=True, timeout=120)


def fails_on(prog, pkg, files, deps=DEPS):
    r = check(files, deps)
    assert r.returncode == 1, (files, r)
    line = "check-programs: %s: from package %s, which tools/deps.sh does not install" % (prog, pkg)
    assert line in r.stderr, (files, r.stderr)


def passes(files, deps=DEPS):
    r = check(files, deps)
    assert r.returncode == 0, (files, r)


SH = "#!/bin/sh\nset -eu\n"
PY = "#!/usr/bin/python3\nimport subprocess\n"


def main():
    # A shell script: plain, in a pipeline, in $(...), behind wrappers.
    fails_on("tshark", "tshark", {"tools/a.sh": SH + "tshark -r x.pcap\n"})
    fails_on("tshark", "tshark", {"tests/b.sh": SH + "ip link | grep x && tshark -v\n"})
    fails_on("tshark", "tshark", {"bench/c.sh": SH + 'n=$(tshark -r "$f" | wc -l)\n'})
    fails_on("tcpdump", "tcpdump", {"examples/d.sh": SH + "ip netns exec ns1 timeout 5 tcpdump -c 1\n"})
    fails_on("tcpdump", "tcpdump", {"tools/e": SH + "if true; then\n\tsetpriv --reuid=nobody tcpdump -i x\nfi\n"})
    # Python: an argv list, a helper's first argument, behind a wrapper.
    fails_on("tshark", "tshark", {"tests/f.py": PY + 'subprocess.run(["tshark", "-r", "x"])\n'})
    fails_on("tcpdump", "tcpdump", {"tests/g.py": PY + 'def sh(*a): pass\nsh("tcpdump", "-c", "1")\n'})
    fails_on("tcpdump", "tcpdump", {"tests/h.py": PY +
                                    'subprocess.Popen(["ip", "netns", "exec", ns, "tcpdump"])\n'})
    # A program that is not installed at all.
    r = check({"tools/i.sh": SH + "no-such-program-dpsw --x\n"})
    assert r.returncode == 1 and "no-such-program-dpsw: not installed" in r.stderr, r
    # ... unless a listed package is not installed either (deps.sh --bench's
    # on a machine that never ran the benchmark): it may provide it.
    r = check({"tools/i.sh": SH + "no-such-program-dpsw --x\n"}, DEPS + " openvswitch-switch-dpdk")
    if "one of openvswitch-switch-dpdk" in r.stdout:
        assert r.returncode == 0, r
    # The same scripts pass once the package is in the list; what is not a
    # program (functions, builtins, in-tree scripts, quoted text, heredocs,
    # case patterns) is never taken for one.
    passes({"tools/a.sh": SH + "tshark -r x.pcap\n"}, DEPS + " tshark")
    passes({"tests/f.py": PY + 'subprocess.run(["tshark", "-r", "x"])\n'}, DEPS + " tshark")
    passes({"tools/j.sh": SH + "f() { echo x; }\nf\nprintf '%s' 'tshark -v'\n"
            "tools/other.sh --x\ncat <<EOF\ntshark here\nEOF\n"
            'case $x in\nhuge|tshark) : ;;\n*) exit 1 ;;\nesac\n'
            "awk '{ system(\"tshark\") }' /dev/null 2>/dev/null >/dev/null\n"})
    # The tree itself.
    r = subprocess.run([sys.executable, CHECK], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r
    print("ok")


if __name__ == "__main__":
    main()
