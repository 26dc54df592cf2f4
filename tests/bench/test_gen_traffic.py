#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Tests of the benchmark's traffic generator (bench/gen_traffic.py) against
the independent reference matcher (bench/verify_traffic.py), and of the
matcher itself: it must reject what breaks the "every packet hits exactly
one megaflow" promise, or the benchmark could measure the wrong thing.

Small profiles only (a, b, d, e); the 1M-flow profile is checked by
bench/run.sh before each use.
"""

import hashlib
import os
import pathlib
import struct
import subprocess
import sys
import tempfile
import unittest

BENCH = pathlib.Path(__file__).resolve().parents[2] / "bench"
GEN = BENCH / "gen_traffic.py"
VERIFY = BENCH / "verify_traffic.py"
sys.path.insert(0, str(BENCH))
import gen_traffic  # noqa: E402  (path set just above)

SMALL = {"a": ("a_1flow", 1, 1, 1024), "b": ("b_1k", 1000, 1, 1000),
         "d": ("d_10k_8masks", 10000, 8, 10000),
         "e": ("e_10k_32masks", 10000, 32, 10000)}


def run(*args):
    return subprocess.run([sys.executable, *map(str, args)],
                          capture_output=True, text=True, check=False)


def sha(path):
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


class Generated(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = pathlib.Path(cls.tmp.name)
        for letter in SMALL:
            r = run(GEN, "gen", letter, "--out-dir", cls.dir)
            assert r.returncode == 0, r.stderr

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def files(self, name):
        return self.dir / f"{name}.flows", self.dir / f"{name}.pcap"

    def copy(self, name, flows_lines=None, pcap_bytes=None):
        """Write altered copies of a profile's files; return their paths."""
        flows, pcap = self.files(name)
        out = pathlib.Path(tempfile.mkdtemp(dir=self.dir))
        lines = flows.read_text().splitlines() if flows_lines is None else flows_lines
        (out / "f").write_text("\n".join(lines) + "\n")
        (out / "p").write_bytes(pcap.read_bytes() if pcap_bytes is None else pcap_bytes)
        return out / "f", out / "p"

    def test_every_packet_hits_exactly_one_flow(self):
        for name, flows, masks, packets in SMALL.values():
            with self.subTest(profile=name):
                f, p = self.files(name)
                r = run(VERIFY, f, p, "--flows", flows, "--masks", masks,
                        "--packets", packets, "--all-hit", "--even")
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn(f'"flows": {flows}', r.stdout)

    def test_deterministic(self):
        with tempfile.TemporaryDirectory() as again:
            for name, *_ in SMALL.values():
                r = run(GEN, "gen", name, "--out-dir", again)
                self.assertEqual(r.returncode, 0, r.stderr)
                for ext in ("flows", "pcap"):
                    self.assertEqual(sha(self.dir / f"{name}.{ext}"),
                                     sha(pathlib.Path(again) / f"{name}.{ext}"))

    def test_flow_syntax_and_ports(self):
        f, _ = self.files("a_1flow")
        self.assertEqual(
            f.read_text(),
            "in_port(1),eth_type(0x0800),ipv4(dst=10.0.0.1,proto=17,frag=no),"
            "udp(dst=1024) 2\n")
        with tempfile.TemporaryDirectory() as d:
            r = run(GEN, "gen", "a", "--out-dir", d, "--in-port", 3, "--out-port", 1)
            self.assertEqual(r.returncode, 0, r.stderr)
            text = (pathlib.Path(d) / "a_1flow.flows").read_text()
            self.assertTrue(text.startswith("in_port(3),") and text.endswith(" 1\n"))

    def test_frames_are_64_bytes(self):
        _, p = self.files("d_10k_8masks")
        data = p.read_bytes()
        self.assertEqual(len(data), 24 + 10000 * (16 + 64))
        self.assertEqual(struct.unpack("<IIII", data[24:40])[2:], (64, 64))

    def test_frame_len(self):
        """--frame-len: the same flows, frames of that length that the
        matcher accepts only with the same --frame-len."""
        with tempfile.TemporaryDirectory() as d:
            for n in (60, 1500, 9014):
                with self.subTest(frame_len=n):
                    r = run(GEN, "gen", "b", "--out-dir", d, "--frame-len", n)
                    self.assertEqual(r.returncode, 0, r.stderr)
                    flows = pathlib.Path(d) / f"b_1k_{n}B.flows"
                    pcap = pathlib.Path(d) / f"b_1k_{n}B.pcap"
                    self.assertEqual(flows.read_text(),
                                     self.files("b_1k")[0].read_text())
                    data = pcap.read_bytes()
                    self.assertEqual(len(data), 24 + 1000 * (16 + n))
                    self.assertEqual(struct.unpack("<IIII", data[24:40])[2:], (n, n))
                    r = run(VERIFY, flows, pcap, "--frame-len", n, "--all-hit")
                    self.assertEqual(r.returncode, 0, r.stderr)
                    r = run(VERIFY, flows, pcap)
                    self.assertEqual(r.returncode, 1, r.stdout)
                    self.assertIn(f"frame is {n} bytes, not 64", r.stderr)
            for n in (59, 9015):
                with self.subTest(frame_len=n):
                    r = run(GEN, "gen", "a", "--out-dir", d, "--frame-len", n)
                    self.assertNotEqual(r.returncode, 0)
                    self.assertIn(f"frame length {n} out of range 60..9014", r.stderr)

    # The reference matcher must fail when the promise is broken.

    def assert_rejected(self, flows, pcap, needle):
        r = run(VERIFY, flows, pcap)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn(needle, r.stderr)
        self.assertNotIn("Traceback", r.stderr)

    def test_rejects_missing_flow(self):
        lines = self.files("b_1k")[0].read_text().splitlines()
        self.assert_rejected(*self.copy("b_1k", lines[1:]), "matches 0 flows")

    def test_rejects_overlapping_flow(self):
        lines = self.files("b_1k")[0].read_text().splitlines()
        wide = "in_port(1),eth_type(0x0800),ipv4(dst=10.0.0.0/255.255.255.0,proto=17,frag=no) 2"
        self.assert_rejected(*self.copy("b_1k", lines + [wide]), "matches 2 flows")

    def test_rejects_duplicate_flow(self):
        lines = self.files("b_1k")[0].read_text().splitlines()
        self.assert_rejected(*self.copy("b_1k", lines + [lines[5]]),
                             "same key and mask as line 6")

    def test_rejects_missing_prerequisites(self):
        cases = {
            "in_port(1),ipv4(dst=10.0.0.1,proto=17,frag=no),udp(dst=1024) 2":
                "need eth_type(0x0800) exact",
            "in_port(1),eth_type(0x0800),ipv4(dst=10.0.0.1,frag=no),udp(dst=1024) 2":
                "need ipv4 proto=17 exact",
            "eth_type(0x0800),ipv4(dst=10.0.0.1,proto=17,frag=no) 2":
                "in_port must be exact",
        }
        for line, needle in cases.items():
            with self.subTest(line=line):
                self.assert_rejected(*self.copy("a_1flow", [line]), needle)

    def test_rejects_bad_syntax(self):
        cases = {
            "in_port(1),eth_type(0x0800),ipv4(dst=10.0.0.300,proto=17) 2": "bad IPv4 address",
            "in_port(1),eth_type(0x0800),ipv4(dst=10.0.0.1/255.255.255.0,proto=17) 2":
                "bits outside its mask",
            "in_port(1),eth_type(0x0800),tcp(dst=80) 2": "unknown attribute",
            "in_port(1),eth_type(0x0800),ipv4(dst=10.0.0.1,bogus=1) 2": "unknown field",
            "in_port(1)eth_type(0x0800) 2": "expected ','",
            "in_port(1),eth_type(0x0800)": "FLOW ACTIONS",
        }
        for line, needle in cases.items():
            with self.subTest(line=line):
                self.assert_rejected(*self.copy("a_1flow", [line]), needle)

    def test_rejects_bad_checksums_and_sizes(self):
        pcap = bytearray(self.files("a_1flow")[1].read_bytes())
        udp_csum = 24 + 16 + 14 + 20 + 6
        bad_udp = bytearray(pcap)
        bad_udp[udp_csum] ^= 0xFF
        self.assert_rejected(*self.copy("a_1flow", pcap_bytes=bytes(bad_udp)),
                             "packet 0: bad UDP checksum")
        bad_ip = bytearray(pcap)
        bad_ip[24 + 16 + 14 + 8] -= 1      # TTL changed, checksum not
        self.assert_rejected(*self.copy("a_1flow", pcap_bytes=bytes(bad_ip)),
                             "packet 0: bad IPv4 header checksum")
        self.assert_rejected(*self.copy("a_1flow", pcap_bytes=bytes(pcap[:-10])),
                             "truncated pcap record")


class Shapes(unittest.TestCase):
    def test_32_distinct_shapes(self):
        shapes = {tuple(sorted(gen_traffic.shape(k).items())) for k in range(32)}
        self.assertEqual(len(shapes), 32)
        with self.assertRaises(ValueError):
            gen_traffic.shape(32)

    def test_every_profile_fits_its_masks(self):
        for name in gen_traffic.PROFILES:
            with self.subTest(profile=name):
                prof = gen_traffic.Profile(name)   # raises if a mask is too small
                self.assertEqual(len(prof.shapes), prof.masks)

    def test_large_profile_spreads_packets(self):
        prof = gen_traffic.Profile("f")
        stride = gen_traffic.stride_for(prof.flows, prof.packets)
        hit = {(i * stride) % prof.flows for i in range(prof.packets)}
        self.assertEqual(len(hit), prof.packets)          # no flow twice
        self.assertGreater(max(hit), prof.flows * 0.9)     # whole range
        self.assertEqual({g % prof.masks for g in hit}, set(range(prof.masks)))

    def test_unknown_profile(self):
        r = run(GEN, "gen", "zz", "--out-dir", os.devnull)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("unknown profile 'zz'", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
