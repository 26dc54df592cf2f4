#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Check that every #include "..." in src/ and include/ runs downwards.

The layers (docs/ARCHITECTURE.md, "Layout"): the vocabulary in include/
that belongs to no module; libswcore (src/*.c, src/netlink, src/text,
src/flowtbl, src/flow, src/ctl); libswdp (src/pmd); and on top the daemon
(src/daemon) and, beside it, the client (src/client) and the preload
library (src/preload). A file may include its own layer's headers and
those of the layers it links; anything else is printed and fails the
check. Every header in include/ must be listed in HEADER_LAYER, so a new
one is placed on purpose. Tests and benchmarks are not checked: they may
reach into any layer.

Usage: tools/include-graph.py [--graph] [--root DIR]   (--graph also
prints the edges between layers with their counts; --root checks another
tree, as tests/tools/test_include_graph.py does)
"""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
if "--root" in sys.argv:
    ROOT = sys.argv[sys.argv.index("--root") + 1]

# What each layer may include (itself included).
ALLOWED = {
    "vocab": {"vocab"},
    "core": {"vocab", "core"},
    "dp": {"vocab", "core", "dp"},
    "daemon": {"vocab", "core", "dp", "daemon"},
    "client": {"vocab", "core", "client"},
    "preload": {"vocab", "preload"},
}

# The layer of each header in include/: the library whose code it declares.
HEADER_LAYER = {
    # vocabulary: types and constants with no module behind them
    "dpsw_limits.h": "vocab", "dpsw_proto.h": "vocab", "flow_key.h": "vocab",
    "tsc_clock.h": "vocab",
    # libswcore
    "errmsg.h": "core", "strbuf.h": "core", "nlbuf.h": "core",
    "nl_msg.h": "core", "nl_policy.h": "core", "odp_key.h": "core",
    "odp_actions.h": "core", "odp_attr_info.h": "core", "odp_text.h": "core",
    "flowtbl.h": "core",
    "flowtbl_pmd.h": "core", "revalidator.h": "core", "ctl.h": "core",
    "flow_extract.h": "core", "port_opts.h": "core",
    "dpsw_atomic.h": "vocab", "dpsw_bytes.h": "vocab", "nl_attr.h": "vocab",
    "dpsw_grow.h": "vocab",
    # libswdp
    "actions.h": "dp", "pmd.h": "dp", "upcall.h": "dp", "offload.h": "dp",
    # the daemon's own headers (they belong in src/daemon/)
    "dp.h": "daemon", "port.h": "daemon", "options.h": "daemon",
    "preflight.h": "daemon", "service.h": "daemon", "telemetry.h": "daemon",
    "flowfile.h": "daemon", "upcall_pids.h": "daemon",
}

CORE_DIRS = {"netlink", "text", "flowtbl", "flow", "ctl"}


def layer_of(rel):
    """Layer of a file given its path relative to ROOT, or None."""
    parts = rel.split("/")
    if parts[0] == "include":
        return HEADER_LAYER.get(parts[1], "unknown")
    if parts[0] != "src":
        return None
    if len(parts) == 2:
        return "core"
    top = parts[1]
    if top in CORE_DIRS:
        return "core"
    return {"pmd": "dp", "daemon": "daemon", "client": "client",
            "preload": "preload"}.get(top)


def search_dirs(rel):
    """Where the compiler looks for a quoted include of 'rel' (meson.build)."""
    d = os.path.dirname(rel)
    dirs = [d, "include"]
    if rel.startswith("src/daemon/"):
        dirs += ["src/daemon", "src/daemon/families", "src/ctl"]
    return dirs


def main():
    graph = "--graph" in sys.argv
    bad = []
    edges = {}
    unknown = [h for h in os.listdir(os.path.join(ROOT, "include"))
               if h.endswith(".h") and h not in HEADER_LAYER]
    for base in ("src", "include"):
        for dirpath, _, names in os.walk(os.path.join(ROOT, base)):
            for n in sorted(names):
                if not n.endswith((".c", ".h")):
                    continue
                path = os.path.join(dirpath, n)
                rel = os.path.relpath(path, ROOT)
                src_layer = layer_of(rel)
                if src_layer is None:
                    continue
                with open(path, encoding="utf-8") as f:
                    for lineno, line in enumerate(f, 1):
                        m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
                        if not m:
                            continue
                        target = None
                        for d in search_dirs(rel):
                            cand = os.path.normpath(os.path.join(d, m.group(1)))
                            if os.path.exists(os.path.join(ROOT, cand)):
                                target = cand
                                break
                        if target is None:
                            bad.append(f"{rel}:{lineno}: {m.group(1)} not found")
                            continue
                        dst_layer = layer_of(target)
                        edges[(src_layer, dst_layer)] = \
                            edges.get((src_layer, dst_layer), 0) + 1
                        if dst_layer not in ALLOWED.get(src_layer, set()):
                            bad.append(f"{rel}:{lineno}: {src_layer} includes "
                                       f"{target} ({dst_layer})")
    if graph:
        for (a, b), c in sorted(edges.items()):
            print(f"{a:8} -> {b:8} {c}")
    for h in unknown:
        bad.append(f"include/{h}: not placed in a layer (HEADER_LAYER)")
    for h in sorted(os.listdir(os.path.join(ROOT, "include"))):
        if HEADER_LAYER.get(h) == "daemon":
            bad.append(f"include/{h} is the daemon's own header: it belongs "
                       "in src/daemon/")
    for b in bad:
        print(b)
    print(f"include-graph: {len(bad)} violation(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
