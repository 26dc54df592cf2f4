#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Read an ethdev's tx packet count through DPDK's telemetry socket.

The socket is served by the EAL's own telemetry thread, so it answers while
the application's control thread is busy (OVS's main thread and a switch's
control thread both serialise their commands behind a bulk flow install).

Usage:
  telemetry.py PREFIX DEVICE                      one reading
  telemetry.py PREFIX DEVICE --every S --until FILE
      a reading every S seconds ("SECONDS_SINCE_EPOCH OPACKETS" per line)
      until FILE exists, then one last reading. Connecting can take a
      second or more when the EAL's threads share a busy core; readings on
      an open connection take milliseconds, so start this first and wait
      for its first line.
PREFIX is the EAL --file-prefix (socket /var/run/dpdk/PREFIX/dpdk_telemetry.v2),
DEVICE the ethdev name (net_null0).
"""

import argparse
import json
import os
import socket
import sys
import time


class Telemetry:
    def __init__(self, prefix):
        path = f"/var/run/dpdk/{prefix}/dpdk_telemetry.v2"
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock.connect(path)
        hello = json.loads(self.sock.recv(4096))
        self.max_len = hello.get("max_output_len", 16384)

    def query(self, cmd):
        self.sock.send(cmd.encode())
        reply = json.loads(self.sock.recv(self.max_len))
        return reply[cmd.split(",")[0]]

    def port_of(self, name):
        for port in self.query("/ethdev/list"):
            if self.query(f"/ethdev/info,{port}").get("name") == name:
                return port
        raise LookupError(f"no ethdev named {name}")

    def opackets(self, port):
        return self.query(f"/ethdev/stats,{port}")["opackets"]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("prefix")
    p.add_argument("device")
    p.add_argument("--every", type=float)
    p.add_argument("--until", metavar="FILE")
    args = p.parse_args(argv)
    try:
        tel = Telemetry(args.prefix)
        port = tel.port_of(args.device)
        if args.every is None:
            print(tel.opackets(port))
            return 0
        while True:
            done = args.until is not None and os.path.exists(args.until)
            print(f"{time.time():.6f} {tel.opackets(port)}", flush=True)
            if done:
                return 0
            time.sleep(args.every)
    except (OSError, LookupError, ValueError, KeyError) as e:
        print(f"telemetry: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
