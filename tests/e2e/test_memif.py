#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""memif ports with a peer that is dpdk-testpmd's net_memif in a second
process (io forwarding), as a container would attach:

  pcap in -> switch -> memif -> peer -> memif -> switch -> pcap out

byte for byte, the daemon as memif server and as client, the port probed
at start (--vdev) and hot-plugged (add-if), the peer restarted in the
middle (sends meanwhile counted as dropped), no mbuf left at exit. The rig
is test_vhost.py's. As a client the daemon proposes its rings, and the
peer (one queue pair) refuses more than one per direction: the port gets
txq=1, through --port-opts or add-if. DPDK 22.11's memif client connects
only when the port starts and does not reconnect by itself: the daemon
restarts a client port whose link is down (with a backoff) until the
server is back, so the client cases restart their peer too.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_vhost import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main((("memif_server_vdev", False, False, 60),
                   ("memif_server_addif", False, True, 60),
                   ("memif_client_vdev", True, False, 60),
                   ("memif_client_addif", True, True, 60)), kind="memif"))
