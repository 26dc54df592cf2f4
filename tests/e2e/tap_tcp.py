# SPDX-License-Identifier: BSD-3-Clause
"""TCP through the switch between two namespaces: tens of megabytes over
IPv4 and IPv6, the bytes' SHA-256 compared at both ends."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import dpsw  # noqa: E402
from netns import Topology, run_cases, tcp_transfer  # noqa: E402

MB = 1 << 20


def transfer(family, size):
    with Topology(2, flows="in_port(1) 2\nin_port(2) 1\n") as t:
        a, b = t.hosts
        dst = b.ip4 if family == 4 else b.ip6
        assert a.ping(dst), a.last_ping  # neighbours resolved before timing
        got, same, secs = tcp_transfer(a, b, dst, size)
        assert got == size, "received %d of %d bytes" % (got, size)
        assert same, "SHA-256 differs between sender and receiver"
        print("  IPv%d: %d MB in %.2f s (%.0f Mbit/s)" % (family, size // MB, secs,
                                                         size * 8 / secs / 1e6), flush=True)
        out = t.stop_switch()
    assert dpsw.stats_value(out, "missed") == 0, out
    # At least one full-size segment per 1448 bytes crossed the switch.
    assert dpsw.stats_value(out, "hit") > size // 1448, out


if __name__ == "__main__":
    run_cases([("TCP over IPv4, 32 MB, SHA-256 checked", lambda: transfer(4, 32 * MB)),
               ("TCP over IPv6, 16 MB, SHA-256 checked", lambda: transfer(6, 16 * MB))])
