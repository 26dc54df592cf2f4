#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""tools/include-graph.py passes on this tree, and fails on small trees
that break each of its rules: an include from a lower layer up to a
higher one, a daemon-only header left in include/, a header in include/
placed in no layer."""
import atexit
import os
import shutil
import subprocess
import sys
import tempfile

TREE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOL = os.path.join(TREE, "tools", "include-graph.py")


def run(root=None):
    args = [sys.executable, TOOL] + (["--root", root] if root else [])
    return subprocess.run(args, capture_output=True, text=True, timeout=60)


def tree(files):
    """A throw-away tree holding {relative path: text}."""
    d = tempfile.mkdtemp(prefix="incgraph-")
    atexit.register(shutil.rmtree, d, True)
    for rel, text in files.items():
        path = os.path.join(d, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    return d


def expect(files, rc, needle):
    r = run(tree(files))
    out = r.stdout + r.stderr
    if r.returncode != rc or needle not in out:
        sys.exit(f"FAIL: expected rc {rc} and {needle!r}, got rc {r.returncode}:\n{out}")


def main():
    r = run()
    if r.returncode != 0:
        sys.exit("FAIL: this tree has layer violations:\n" + r.stdout + r.stderr)
    good = {"include/pmd.h": "#include \"flowtbl.h\"\n",
            "include/flowtbl.h": "#include \"flow_key.h\"\n",
            "include/flow_key.h": "",
            "src/flowtbl/table.c": "#include \"flowtbl.h\"\n",
            "src/pmd/pmd.c": "#include \"pmd.h\"\n",
            "src/daemon/port.h": "",
            "src/daemon/dp.c": "#include \"pmd.h\"\n#include \"port.h\"\n"}
    expect(good, 0, "0 violation(s)")
    expect(dict(good, **{"src/flowtbl/table.c": "#include \"pmd.h\"\n"}), 1,
           "src/flowtbl/table.c:1: core includes include/pmd.h (dp)")
    expect(dict(good, **{"src/client/main.c": "#include \"../daemon/port.h\"\n"}), 1,
           "client includes src/daemon/port.h (daemon)")
    moved = dict(good, **{"include/port.h": ""})
    del moved["src/daemon/port.h"]
    expect(moved, 1, "include/port.h is the daemon's own header")
    expect(dict(good, **{"include/newmod.h": ""}), 1, "include/newmod.h: not placed in a layer")
    print("ok")


if __name__ == "__main__":
    main()
