#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""memif ports with a peer that is dpdk-testpmd's net_memif in a second
process (io forwarding), as a container would attach:

  pcap in -> switch -> memif -> peer -> memif -> switch -> pcap out

byte for byte, the daemon as memif server, probed at start (--vdev) and
hot-plugged (add-if), the peer restarted in the middle (sends meanwhile
counted as dropped), no mbuf left at exit. The rig is test_vhost.py's.
The daemon as memif client does not connect yet (its link stays down):
not tested here, see docs/TESTING.md.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_vhost import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main((("memif_server_vdev", False, False, 60),
                   ("memif_server_addif", False, True, 60)), kind="memif"))
