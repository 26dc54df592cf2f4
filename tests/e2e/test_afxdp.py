#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""An AF_XDP port (net_af_xdp) on a veth pair whose other end is in a
network namespace, as a container attaches with its kernel stack:

  pcap in -> switch -> net_af_xdp (host end) -> veth -> namespace
  namespace -> veth -> net_af_xdp -> switch -> pcap out

byte for byte both ways, and no mbuf in use at exit: the driver lays its
umem over the port's rx pool and keeps its fill ring's mbufs when it
closes, so the port has a pool of its own (docs/ARCHITECTURE.md) and
the count leaves out only what the driver keeps. The rig is
test_afpacket.py's. Skipped (77) with the daemon's reason when the
kernel or DPDK cannot open an XDP socket on the veth.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_afpacket import main  # noqa: E402

if __name__ == "__main__":
    main("net_af_xdp0")
