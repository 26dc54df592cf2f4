/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for flow_extract.
 *
 * Every case is a packet built byte by byte here plus an expectation
 * function that says, for any length L of the packet cut at L, which key
 * fields the kernel's key_extract() sets and to what. The expectations are
 * written from the header formats and the kernel's rules, not from the
 * extractor. Each length is extracted from an exact-size heap copy, so the
 * ASan build catches any read past the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <linux/openvswitch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow_extract.h"

/* ---- Values the packets carry (and the expectations restate). ---- */

static const uint8_t MAC_DST[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
static const uint8_t MAC_SRC[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
static const uint8_t MAC_A[6] = {0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f};
static const uint8_t MAC_B[6] = {0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};
static const uint8_t IP6_SRC[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x01};
static const uint8_t IP6_DST[16] = {0x20, 0x01, 0x0d, 0xb8, [14] = 0xab, [15] = 0x02};
static const uint8_t ND_TARGET[16] = {0xfe, 0x80, [8] = 0x11, [15] = 0x99};
#define IP4_SRC 0xc0a80001u /* 192.168.0.1 */
#define IP4_DST 0xc0a80102u /* 192.168.1.2 */
#define IP4_TOS 0xb8
#define IP4_TTL 63
#define IP6_TCLASS 0xa5
#define IP6_LABEL 0x5abcdu
#define IP6_HLIM 7
#define SPORT 0xc001
#define DPORT 80

static const struct flow_md MD = {
	.in_port = 7, .recirc_id = 0x1234, .dp_hash = 0xdeadbeef,
	.priority = 0x10002, .skb_mark = 0xcafe,
};

/* Slots of the burst tests, as a PMD's burst. */
#define FLOW_BURST_TEST 32

/* ---- Packet builder. ---- */

struct pb {
	uint8_t b[256];
	uint32_t n;
};

static void b8(struct pb *p, uint8_t v)
{
	assert_true(p->n < sizeof(p->b));
	p->b[p->n++] = v;
}

static void b16(struct pb *p, uint16_t v)
{
	b8(p, (uint8_t)(v >> 8));
	b8(p, (uint8_t)v);
}

static void b32(struct pb *p, uint32_t v)
{
	b16(p, (uint16_t)(v >> 16));
	b16(p, (uint16_t)v);
}

static void bmem(struct pb *p, const uint8_t *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b8(p, m[i]);
}

static void bfill(struct pb *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		b8(p, v);
}

static void eth_addrs(struct pb *p)
{
	bmem(p, MAC_DST, 6);
	bmem(p, MAC_SRC, 6);
}

static void eth(struct pb *p, uint16_t type)
{
	eth_addrs(p);
	b16(p, type);
}

/* IPv4 header of ihl 32-bit words (options are NOPs). */
static void ipv4_opt(struct pb *p, uint8_t proto, uint8_t ihl, uint16_t frag)
{
	b8(p, (uint8_t)(0x40 | ihl));
	b8(p, IP4_TOS);
	b16(p, 100);   /* total length: the kernel does not look at it */
	b16(p, 0x4242);
	b16(p, frag);
	b8(p, IP4_TTL);
	b8(p, proto);
	b16(p, 0);     /* checksum */
	b32(p, IP4_SRC);
	b32(p, IP4_DST);
	for (int i = 5; i < ihl; i++)
		b32(p, 0x01010101);
}

static void ipv4(struct pb *p, uint8_t proto)
{
	ipv4_opt(p, proto, 5, 0x4000 /* DF: not a fragment */);
}

static void ipv6(struct pb *p, uint8_t nexthdr)
{
	b32(p, 0x60000000u | (uint32_t)IP6_TCLASS << 20 | IP6_LABEL);
	b16(p, 64);
	b8(p, nexthdr);
	b8(p, IP6_HLIM);
	bmem(p, IP6_SRC, 16);
	bmem(p, IP6_DST, 16);
}

/* Generic IPv6 option-style extension header of 'bytes' bytes. */
static void ext6(struct pb *p, uint8_t next, uint8_t hdrlen_field, size_t bytes)
{
	b8(p, next);
	b8(p, hdrlen_field);
	bfill(p, bytes - 2, 0);
}

static void frag6(struct pb *p, uint8_t next, uint16_t off_field)
{
	b8(p, next);
	b8(p, 0);
	b16(p, off_field);
	b32(p, 0x12345678);
}

static void udp(struct pb *p)
{
	b16(p, SPORT);
	b16(p, DPORT);
	b16(p, 8);
	b16(p, 0);
}

static void tcp(struct pb *p, uint8_t doff, uint8_t byte12_low, uint8_t flags, int opt_bytes)
{
	b16(p, SPORT);
	b16(p, DPORT);
	b32(p, 1000);
	b32(p, 2000);
	b8(p, (uint8_t)(doff << 4 | byte12_low));
	b8(p, flags);
	b16(p, 65535);
	b32(p, 0);
	bfill(p, (size_t)opt_bytes, 1);
}

static void sctp(struct pb *p)
{
	b16(p, SPORT);
	b16(p, DPORT);
	b32(p, 0xabcdef01);
	b32(p, 0);
}

static void icmp(struct pb *p, uint8_t type, uint8_t code)
{
	b8(p, type);
	b8(p, code);
	b16(p, 0);
	b32(p, 0x00010002);
}

static void nd(struct pb *p, uint8_t type, uint8_t code)
{
	icmp(p, type, code);
	bmem(p, ND_TARGET, 16);
}

static void nd_opt(struct pb *p, uint8_t type, uint8_t units, const uint8_t *mac)
{
	b8(p, type);
	b8(p, units);
	if (mac)
		bmem(p, mac, 6);
	else
		bfill(p, 6, 0x55);
	bfill(p, units > 1 ? (size_t)units * 8 - 8 : 0, 0x66);
}

static void arp(struct pb *p, uint16_t hrd, uint16_t pro, uint8_t hln, uint8_t pln, uint16_t op)
{
	b16(p, hrd);
	b16(p, pro);
	b8(p, hln);
	b8(p, pln);
	b16(p, op);
	bmem(p, MAC_A, 6);
	b32(p, IP4_SRC);
	bmem(p, MAC_B, 6);
	b32(p, IP4_DST);
}

static void pad_to(struct pb *p, uint32_t n)
{
	while (p->n < n)
		b8(p, 0);
}

/* ---- Expectation helpers: set exactly what a header level contributes. ---- */

static void x_eth(struct flow_key *k, uint16_t type)
{
	memcpy(k->eth_dst, MAC_DST, 6);
	memcpy(k->eth_src, MAC_SRC, 6);
	k->eth_type = htons(type);
}

static void x_vlan(struct flow_vlan *v, uint16_t tpid, uint16_t tci_in_key)
{
	v->tpid = htons(tpid);
	v->tci = htons(tci_in_key);
}

static void x_ip4(struct flow_key *k, struct flow_layout *l, uint16_t l3, uint8_t proto,
		  uint8_t frag)
{
	k->ip_proto = proto;
	k->ip_tos = IP4_TOS;
	k->ip_ttl = IP4_TTL;
	k->ip_frag = frag;
	k->ipv4.src = htonl(IP4_SRC);
	k->ipv4.dst = htonl(IP4_DST);
	l->l3 = l3;
}

static void x_ip6(struct flow_key *k, struct flow_layout *l, uint16_t l3, uint8_t proto,
		  uint8_t frag)
{
	k->ip_proto = proto;
	k->ip_tos = IP6_TCLASS;
	k->ip_ttl = IP6_HLIM;
	k->ip_frag = frag;
	k->ipv6.label = htonl(IP6_LABEL);
	memcpy(k->ipv6.src, IP6_SRC, 16);
	memcpy(k->ipv6.dst, IP6_DST, 16);
	l->l3 = l3;
}

static void x_tp(struct flow_key *k, struct flow_layout *l, uint16_t l4, uint16_t src,
		 uint16_t dst, uint16_t flags)
{
	k->tp_src = htons(src);
	k->tp_dst = htons(dst);
	k->tp_flags = htons(flags);
	l->l4 = l4;
}

static void x_arp(struct flow_key *k, struct flow_layout *l, uint8_t op)
{
	k->ip_proto = op;
	k->ipv4.src = htonl(IP4_SRC);
	k->ipv4.dst = htonl(IP4_DST);
	memcpy(k->ipv4.arp_sha, MAC_A, 6);
	memcpy(k->ipv4.arp_tha, MAC_B, 6);
	l->l3 = 14;
}

/* ---- The cases. ---- */

typedef void build_fn(struct pb *p);
/* Fill k/l (preset to metadata only) with what the kernel gets from 'len' bytes. */
typedef void expect_fn(uint32_t len, struct flow_key *k, struct flow_layout *l);

struct tcase {
	const char *name;
	build_fn *build;
	expect_fn *expect;
};

/* IPv4/UDP, 64-byte frame. */
static void b_udp4(struct pb *p) { eth(p, 0x0800); ipv4(p, 17); udp(p); pad_to(p, 64); }
static void x_udp4(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	if (len >= 14) x_eth(k, 0x0800);
	if (len >= 34) x_ip4(k, l, 14, 17, OVS_FRAG_TYPE_NONE);
	if (len >= 42) x_tp(k, l, 34, SPORT, DPORT, 0);
}

/* IPv4/TCP with 12 option bytes, SYN|ACK plus the NS bit. */
static void b_tcp4(struct pb *p) { eth(p, 0x0800); ipv4(p, 6); tcp(p, 8, 0x1, 0x12, 12); }
static void x_tcp4(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	if (len >= 14) x_eth(k, 0x0800);
	if (len >= 34) x_ip4(k, l, 14, 6, OVS_FRAG_TYPE_NONE);
	if (len >= 66) x_tp(k, l, 34, SPORT, DPORT, 0x0112);
}

/* TCP data offset 4 (< 20 bytes): the kernel never fills tp. */
static void b_tcp4_doff_small(struct pb *p) { eth(p, 0x0800); ipv4(p, 6); tcp(p, 4, 0, 0x02, 8); }
/* TCP data offset 15 (60 bytes) in a 28-byte segment: same. */
static void b_tcp4_doff_big(struct pb *p) { eth(p, 0x0800); ipv4(p, 6); tcp(p, 15, 0, 0x02, 8); }
static void x_tcp4_bad(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	if (len >= 14) x_eth(k, 0x0800);
	if (len >= 34) x_ip4(k, l, 14, 6, OVS_FRAG_TYPE_NONE);
}

static void b_sctp4(struct pb *p) { eth(p, 0x0800); ipv4(p, 132); sctp(p); }
static void x_sctp4(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	if (len >= 14) x_eth(k, 0x0800);
	if (len >= 34) x_ip4(k, l, 14, 132, OVS_FRAG_TYPE_NONE);
	if (len >= 46) x_tp(k, l, 34, SPORT, DPORT, 0);
}

/* ICMP destination unreachable / port: type 3 code 3 in tp_src/tp_dst. */
static void b_icmp4(struct pb *p) { eth(p, 0x0800); ipv4(p, 1); icmp(p, 3, 3); }
static void x_icmp4(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	if (len >= 14) x_eth(k, 0x0800);
	if (len >= 34) x_ip4(k, l, 14, 1, OVS_FRAG_TYPE_NONE);
	if (len >= 42) x_tp(k, l, 34, 3, 3, 0);
}

/* IHL 7: 8 bytes of options are skipped. */
static void b_ip4_opts(struct pb *p) { eth(p, 0x0800); ipv4_opt(p, 17, 7, 0); udp(p); }
static void x_ip4_opts(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	if (len >= 14) x_eth(k, 0x0800);
	if (len >= 42) x_ip4(k, l, 14, 17, OVS_FRAG_TYPE_NONE);
	if (len >= 50) x_tp(k, l, 42, SPORT, DPORT, 0);
}

/* IHL 4 is invalid; IHL 15 runs past this packet: no L3 field ever. */
static void b_ip4_ihl4(struct pb *p) { eth(p, 0x0800); ipv4_opt(p, 17, 4, 0); udp(p); pad_to(p, 64); }
static void b_ip4_ihl15(struct pb *p) { eth(p, 0x0800); ipv4_opt(p, 17, 5, 0); udp(p); p->b[14] = 0x4f; pad_to(p, 64); }
static void x_l2_ip4_only(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	(void)l;
	if (len >= 14) x_eth(k, 0x0800);
}

/* First fragment (MF, offset 0): L4 is read. */
static void b_ip4_first(struct pb *p) { eth(p, 0x0800); ipv4_opt(p, 17, 5, 0x2000); udp(p); }
static void x_ip4_first(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	if (len >= 14) x_eth(k, 0x0800);
	if (len >= 34) x_ip4(k, l, 14, 17, OVS_FRAG_TYPE_FIRST);
	if (len >= 42) x_tp(k, l, 34, SPORT, DPORT, 0);
}

/* Later fragment (offset 185*8, no MF): no L4 fields even with bytes there. */
static void b_ip4_later(struct pb *p) { eth(p, 0x0800); ipv4_opt(p, 17, 5, 185); udp(p); }
static void x_ip4_later(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	if (len >= 14) x_eth(k, 0x0800);
	if (len >= 34) x_ip4(k, l, 14, 17, OVS_FRAG_TYPE_LATER);
}

/* GRE and IPv4-carrying-ICMPv6-number: protocol recorded, no tp. */
static void b_ip4_gre(struct pb *p) { eth(p, 0x0800); ipv4(p, 47); udp(p); }
static void x_ip4_gre(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	if (len >= 14) x_eth(k, 0x0800);
	if (len >= 34) x_ip4(k, l, 14, 47, OVS_FRAG_TYPE_NONE);
}

static void b_ip4_icmp6num(struct pb *p) { eth(p, 0x0800); ipv4(p, 58); icmp(p, 135, 0); }
static void x_ip4_icmp6num(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	if (len >= 14) x_eth(k, 0x0800);
	if (len >= 34) x_ip4(k, l, 14, 58, OVS_FRAG_TYPE_NONE);
}

/* 802.1Q tag (CFI clear in the packet: the key sets it). */
static void b_vlan_udp4(struct pb *p)
{
	eth_addrs(p); b16(p, 0x8100); b16(p, 0x2064); b16(p, 0x0800); ipv4(p, 17); udp(p);
}
static void x_vlan_udp4(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	if (len >= 14) x_eth(k, 0x8100);
	if (len >= 18) { x_vlan(&k->vlan, 0x8100, 0x3064); k->eth_type = htons(0x0800); }
	if (len >= 38) x_ip4(k, l, 18, 17, OVS_FRAG_TYPE_NONE);
	if (len >= 46) x_tp(k, l, 38, SPORT, DPORT, 0);
}

/* 802.1ad outer + 802.1Q inner (CFI already set), TCP. */
static void b_qinq_tcp4(struct pb *p)
{
	eth_addrs(p); b16(p, 0x88a8); b16(p, 0x0064); b16(p, 0x8100); b16(p, 0xf00a);
	b16(p, 0x0800); ipv4(p, 6); tcp(p, 5, 0, 0x18, 0);
}
static void x_qinq_tcp4(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	if (len >= 14) x_eth(k, 0x88a8);
	if (len >= 18) { x_vlan(&k->vlan, 0x88a8, 0x1064); k->eth_type = htons(0x8100); }
	if (len >= 22) { x_vlan(&k->cvlan, 0x8100, 0xf00a); k->eth_type = htons(0x0800); }
	if (len >= 42) x_ip4(k, l, 22, 6, OVS_FRAG_TYPE_NONE);
	if (len >= 62) x_tp(k, l, 42, SPORT, DPORT, 0x0018);
}

/* Three tags: only two are parsed, the third TPID is the ethertype. */
static void b_three_tags(struct pb *p)
{
	eth_addrs(p); b16(p, 0x8100); b16(p, 0x0001); b16(p, 0x8100); b16(p, 0x0002);
	b16(p, 0x8100); b16(p, 0x0003); b16(p, 0x0800); ipv4(p, 17); udp(p);
}
static void x_three_tags(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	(void)l;
	if (len >= 14) x_eth(k, 0x8100);
	if (len >= 18) x_vlan(&k->vlan, 0x8100, 0x1001);
	if (len >= 22) x_vlan(&k->cvlan, 0x8100, 0x1002);
}

/* 802.3 length + LLC that is not SNAP: ETH_P_802_2, nothing more. */
static void b_llc(struct pb *p) { eth(p, 46); b8(p, 0x42); b8(p, 0x42); b8(p, 0x03); pad_to(p, 60); }
static void x_llc(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	(void)l;
	if (len >= 14) x_eth(k, 0x0004);
}

/* LLC/SNAP carrying IPv4/UDP: the kernel parses through it. */
static void snap(struct pb *p, uint8_t oui0, uint16_t type)
{
	b8(p, 0xaa); b8(p, 0xaa); b8(p, 0x03); b8(p, oui0); b8(p, 0); b8(p, 0); b16(p, type);
}
static void b_snap_udp4(struct pb *p) { eth(p, 36); snap(p, 0, 0x0800); ipv4(p, 17); udp(p); }
static void x_snap_udp4(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	if (len >= 14) x_eth(k, 0x0004);
	if (len >= 22) k->eth_type = htons(0x0800);
	if (len >= 42) x_ip4(k, l, 22, 17, OVS_FRAG_TYPE_NONE);
	if (len >= 50) x_tp(k, l, 42, SPORT, DPORT, 0);
}

/* SNAP with a non-zero OUI, or a SNAP "ethertype" below 0x600: 802.2. */
static void b_snap_oui(struct pb *p) { eth(p, 36); snap(p, 0x0c, 0x0800); ipv4(p, 17); }
static void b_snap_len(struct pb *p) { eth(p, 36); snap(p, 0, 0x0100); ipv4(p, 17); }

/* 0x05ff is still a length (SNAP is parsed); 0x0600 is an ethertype. */
static void b_type_05ff(struct pb *p) { eth(p, 0x05ff); snap(p, 0, 0x0806); pad_to(p, 60); }
static void x_type_05ff(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	(void)l;
	if (len >= 14) x_eth(k, 0x0004);
	if (len >= 22) k->eth_type = htons(0x0806); /* ARP of zeros: not Ethernet/IPv4 */
}
static void b_type_0600(struct pb *p) { eth(p, 0x0600); snap(p, 0, 0x0800); pad_to(p, 60); }
static void x_type_0600(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	(void)l;
	if (len >= 14) x_eth(k, 0x0600);
}

/* Unknown ethertype (LLDP): L2 only. */
static void b_lldp(struct pb *p) { eth(p, 0x88cc); pad_to(p, 60); }
static void x_lldp(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	(void)l;
	if (len >= 14) x_eth(k, 0x88cc);
}

static void b_arp(struct pb *p) { eth(p, 0x0806); arp(p, 1, 0x0800, 6, 4, 1); pad_to(p, 60); }
static void x_arp_req(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	if (len >= 14) x_eth(k, 0x0806);
	if (len >= 42) x_arp(k, l, 1);
}

static void b_rarp(struct pb *p) { eth(p, 0x8035); arp(p, 1, 0x0800, 6, 4, 3); }
static void x_rarp(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	if (len >= 14) x_eth(k, 0x8035);
	if (len >= 42) x_arp(k, l, 3);
}

/* Opcode 0x0102 does not fit 8 bits: proto 0, addresses still set. */
static void b_arp_bigop(struct pb *p) { eth(p, 0x0806); arp(p, 1, 0x0800, 6, 4, 0x0102); }
static void x_arp_bigop(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	if (len >= 14) x_eth(k, 0x0806);
	if (len >= 42) x_arp(k, l, 0);
}

/* Not the Ethernet/IPv4 form: hardware type 6, or 16-byte protocol addresses. */
static void b_arp_hrd6(struct pb *p) { eth(p, 0x0806); arp(p, 6, 0x0800, 6, 4, 1); }
static void b_arp_pln16(struct pb *p) { eth(p, 0x0806); arp(p, 1, 0x0800, 6, 16, 1); bfill(p, 24, 0); }
static void x_arp_bad(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	(void)l;
	if (len >= 14) x_eth(k, 0x0806);
}

/* MPLS: two labels over IPv4; only the top entry is in the key. */
static void b_mpls(struct pb *p) { eth(p, 0x8847); b32(p, 0x00064040); b32(p, 0x000c8140); ipv4(p, 17); udp(p); }
static void x_mpls(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	if (len >= 14) x_eth(k, 0x8847);
	if (len >= 18) { k->mpls_lse = htonl(0x00064040); l->l2_5 = 14; }
}

static void b_mpls_mc(struct pb *p) { eth(p, 0x8848); b32(p, 0xfffff1ff); pad_to(p, 60); }
static void x_mpls_mc(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	if (len >= 14) x_eth(k, 0x8848);
	if (len >= 18) { k->mpls_lse = htonl(0xfffff1ff); l->l2_5 = 14; }
}

static void b_udp6(struct pb *p) { eth(p, 0x86dd); ipv6(p, 17); udp(p); }
static void x_udp6(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	if (len >= 14) x_eth(k, 0x86dd);
	if (len >= 54) x_ip6(k, l, 14, 17, OVS_FRAG_TYPE_NONE);
	if (len >= 62) x_tp(k, l, 54, SPORT, DPORT, 0);
}

static void b_tcp6(struct pb *p) { eth(p, 0x86dd); ipv6(p, 6); tcp(p, 5, 0xf, 0xff, 0); }
static void x_tcp6(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	if (len >= 14) x_eth(k, 0x86dd);
	if (len >= 54) x_ip6(k, l, 14, 6, OVS_FRAG_TYPE_NONE);
	if (len >= 74) x_tp(k, l, 54, SPORT, DPORT, 0x0fff);
}

static void b_sctp6(struct pb *p) { eth(p, 0x86dd); ipv6(p, 132); sctp(p); }
static void x_sctp6(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	if (len >= 14) x_eth(k, 0x86dd);
	if (len >= 54) x_ip6(k, l, 14, 132, OVS_FRAG_TYPE_NONE);
	if (len >= 66) x_tp(k, l, 54, SPORT, DPORT, 0);
}

/*
 * Hop-by-hop (8) -> destination options (16) -> routing (8) -> AH (24) ->
 * UDP. Until the whole chain fits, the walk fails: proto = NONE (59).
 */
static void b_ext6(struct pb *p)
{
	eth(p, 0x86dd); ipv6(p, 0);
	ext6(p, 60, 0, 8); ext6(p, 43, 1, 16); ext6(p, 51, 0, 8); ext6(p, 17, 4, 24);
	udp(p);
}
static void x_ext6(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	if (len >= 14) x_eth(k, 0x86dd);
	if (len >= 54) x_ip6(k, l, 14, 59, OVS_FRAG_TYPE_NONE);
	if (len >= 110) k->ip_proto = 17;
	if (len >= 118) x_tp(k, l, 110, SPORT, DPORT, 0);
}

/* A hop-by-hop header claiming 2048 bytes: the chain runs off the end. */
static void b_ext6_runoff(struct pb *p) { eth(p, 0x86dd); ipv6(p, 0); ext6(p, 17, 255, 16); udp(p); }
static void x_ext6_runoff(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	if (len >= 14) x_eth(k, 0x86dd);
	if (len >= 54) x_ip6(k, l, 14, 59, OVS_FRAG_TYPE_NONE);
}

/* No next header (59) and ESP (50): upper protocols without tp. */
static void b_ip6_none(struct pb *p) { eth(p, 0x86dd); ipv6(p, 0); ext6(p, 59, 0, 8); udp(p); }
static void x_ip6_none(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	if (len >= 14) x_eth(k, 0x86dd);
	if (len >= 54) x_ip6(k, l, 14, 59, OVS_FRAG_TYPE_NONE);
}
static void b_ip6_esp(struct pb *p) { eth(p, 0x86dd); ipv6(p, 50); udp(p); }
static void x_ip6_esp(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	if (len >= 14) x_eth(k, 0x86dd);
	if (len >= 54) x_ip6(k, l, 14, 50, OVS_FRAG_TYPE_NONE);
}
/* Protocol 1 (ICMPv4) inside IPv6 is not parsed. */
static void b_ip6_icmp4num(struct pb *p) { eth(p, 0x86dd); ipv6(p, 1); icmp(p, 8, 0); }
static void x_ip6_icmp4num(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	if (len >= 14) x_eth(k, 0x86dd);
	if (len >= 54) x_ip6(k, l, 14, 1, OVS_FRAG_TYPE_NONE);
}

/*
 * First fragment: offset 0 with M and both reserved bits set (the kernel
 * masks with ~7). The fragment flag is raised once the header's first two
 * bytes are readable, even if the rest is not.
 */
static void b_frag6_first(struct pb *p) { eth(p, 0x86dd); ipv6(p, 44); frag6(p, 17, 0x0007); udp(p); }
static void x_frag6_first(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	if (len >= 14) x_eth(k, 0x86dd);
	if (len >= 54) x_ip6(k, l, 14, 59, OVS_FRAG_TYPE_NONE);
	if (len >= 56) k->ip_frag = OVS_FRAG_TYPE_FIRST;
	if (len >= 62) k->ip_proto = 17;
	if (len >= 70) x_tp(k, l, 62, SPORT, DPORT, 0);
}

/* Later fragment (offset 185*8): proto = IPPROTO_FRAGMENT, only 4 bytes needed. */
static void b_frag6_later(struct pb *p) { eth(p, 0x86dd); ipv6(p, 44); frag6(p, 17, 185 << 3 | 1); udp(p); }
static void x_frag6_later(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	if (len >= 14) x_eth(k, 0x86dd);
	if (len >= 54) x_ip6(k, l, 14, 59, OVS_FRAG_TYPE_NONE);
	if (len >= 56) k->ip_frag = OVS_FRAG_TYPE_FIRST;
	if (len >= 58) { k->ip_frag = OVS_FRAG_TYPE_LATER; k->ip_proto = 44; }
}

/* Later fragment followed by another extension header: ipv6_find_hdr fails. */
static void b_frag6_later_ext(struct pb *p) { eth(p, 0x86dd); ipv6(p, 44); frag6(p, 60, 8 << 3); ext6(p, 17, 0, 8); udp(p); }
static void x_frag6_later_ext(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	if (len >= 14) x_eth(k, 0x86dd);
	if (len >= 54) x_ip6(k, l, 14, 59, OVS_FRAG_TYPE_NONE);
	if (len >= 56) k->ip_frag = OVS_FRAG_TYPE_FIRST;
}

/* ICMPv6 echo request. */
static void b_icmp6_echo(struct pb *p) { eth(p, 0x86dd); ipv6(p, 58); icmp(p, 128, 0); }
static void x_icmp6_echo(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	if (len >= 14) x_eth(k, 0x86dd);
	if (len >= 54) x_ip6(k, l, 14, 58, OVS_FRAG_TYPE_NONE);
	if (len >= 62) x_tp(k, l, 54, 128, 0, 0);
}

static void x_nd_common(uint32_t len, struct flow_key *k, struct flow_layout *l, uint8_t type,
			uint8_t code)
{
	if (len >= 14) x_eth(k, 0x86dd);
	if (len >= 54) x_ip6(k, l, 14, 58, OVS_FRAG_TYPE_NONE);
	if (len >= 62) x_tp(k, l, 54, type, code, 0);
	if (len >= 78 && code == 0) memcpy(k->ipv6.nd_target, ND_TARGET, 16);
}

/* Neighbour Solicitation with a source link-layer address option. */
static void b_ns_sll(struct pb *p) { eth(p, 0x86dd); ipv6(p, 58); nd(p, 135, 0); nd_opt(p, 1, 1, MAC_A); }
static void x_ns_sll(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	x_nd_common(len, k, l, 135, 0);
	if (len >= 86) memcpy(k->ipv6.nd_sll, MAC_A, 6);
}

/* Neighbour Advertisement: nonce option (skipped), then TLL. */
static void b_na_tll(struct pb *p) { eth(p, 0x86dd); ipv6(p, 58); nd(p, 136, 0); nd_opt(p, 14, 1, NULL); nd_opt(p, 2, 1, MAC_B); }
static void x_na_tll(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	x_nd_common(len, k, l, 136, 0);
	if (len >= 94) memcpy(k->ipv6.nd_tll, MAC_B, 6);
}

/* Two SLL options: invalid, target/SLL/TLL all zero once both are read. */
static void b_ns_two_sll(struct pb *p) { eth(p, 0x86dd); ipv6(p, 58); nd(p, 135, 0); nd_opt(p, 1, 1, MAC_A); nd_opt(p, 1, 1, MAC_B); }
static void x_ns_two_sll(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	x_nd_common(len, k, l, 135, 0);
	if (len >= 86) memcpy(k->ipv6.nd_sll, MAC_A, 6);
	if (len >= 94) {
		memset(k->ipv6.nd_target, 0, 16);
		memset(k->ipv6.nd_sll, 0, 6);
	}
}

/* A first SLL of all zeros does not count as "already set" (kernel quirk). */
static const uint8_t MAC_ZERO[6];
static void b_ns_zero_sll(struct pb *p) { eth(p, 0x86dd); ipv6(p, 58); nd(p, 135, 0); nd_opt(p, 1, 1, MAC_ZERO); nd_opt(p, 1, 1, MAC_B); }
static void x_ns_zero_sll(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	x_nd_common(len, k, l, 135, 0);
	if (len >= 94) memcpy(k->ipv6.nd_sll, MAC_B, 6);
}

/* Zero-length option: the walk stops, the target stays. */
static void b_ns_opt0(struct pb *p) { eth(p, 0x86dd); ipv6(p, 58); nd(p, 135, 0); nd_opt(p, 1, 0, MAC_B); nd_opt(p, 1, 1, MAC_A); }
static void x_ns_opt0(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	x_nd_common(len, k, l, 135, 0);
}

/* SLL, then a TLL claiming 24 bytes with 8 left: SLL kept, TLL never. */
static void b_ns_opt_long(struct pb *p) { eth(p, 0x86dd); ipv6(p, 58); nd(p, 135, 0); nd_opt(p, 1, 1, MAC_A); nd_opt(p, 2, 3, MAC_B); p->n -= 16; }
static void x_ns_opt_long(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	x_nd_common(len, k, l, 135, 0);
	if (len >= 86) memcpy(k->ipv6.nd_sll, MAC_A, 6);
}

/* An SLL option 16 bytes long is not an Ethernet address: ignored. */
static void b_ns_sll16(struct pb *p) { eth(p, 0x86dd); ipv6(p, 58); nd(p, 135, 0); nd_opt(p, 1, 2, MAC_A); nd_opt(p, 2, 1, MAC_B); }
static void x_ns_sll16(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	x_nd_common(len, k, l, 135, 0);
	if (len >= 102) memcpy(k->ipv6.nd_tll, MAC_B, 6);
}

/* Code 1: not ND for the key, only type/code. */
static void b_ns_code1(struct pb *p) { eth(p, 0x86dd); ipv6(p, 58); nd(p, 135, 1); nd_opt(p, 1, 1, MAC_A); }
static void x_ns_code1(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	x_nd_common(len, k, l, 135, 1);
}

/* ND behind a VLAN tag and a hop-by-hop header: offsets shift. */
static void b_vlan_hbh_na(struct pb *p)
{
	eth_addrs(p); b16(p, 0x8100); b16(p, 0x0fff); b16(p, 0x86dd);
	ipv6(p, 0); ext6(p, 58, 0, 8); nd(p, 136, 0); nd_opt(p, 2, 1, MAC_B);
}
static void x_vlan_hbh_na(uint32_t len, struct flow_key *k, struct flow_layout *l)
{
	if (len >= 14) x_eth(k, 0x8100);
	if (len >= 18) { x_vlan(&k->vlan, 0x8100, 0x1fff); k->eth_type = htons(0x86dd); }
	if (len >= 58) x_ip6(k, l, 18, 59, OVS_FRAG_TYPE_NONE);
	if (len >= 66) k->ip_proto = 58;
	if (len >= 74) x_tp(k, l, 66, 136, 0, 0);
	if (len >= 90) memcpy(k->ipv6.nd_target, ND_TARGET, 16);
	if (len >= 98) memcpy(k->ipv6.nd_tll, MAC_B, 6);
}

#define CASE(b, x) {#b, b, x}
static const struct tcase CASES[] = {
	CASE(b_udp4, x_udp4),
	CASE(b_tcp4, x_tcp4),
	CASE(b_tcp4_doff_small, x_tcp4_bad),
	CASE(b_tcp4_doff_big, x_tcp4_bad),
	CASE(b_sctp4, x_sctp4),
	CASE(b_icmp4, x_icmp4),
	CASE(b_ip4_opts, x_ip4_opts),
	CASE(b_ip4_ihl4, x_l2_ip4_only),
	CASE(b_ip4_ihl15, x_l2_ip4_only),
	CASE(b_ip4_first, x_ip4_first),
	CASE(b_ip4_later, x_ip4_later),
	CASE(b_ip4_gre, x_ip4_gre),
	CASE(b_ip4_icmp6num, x_ip4_icmp6num),
	CASE(b_vlan_udp4, x_vlan_udp4),
	CASE(b_qinq_tcp4, x_qinq_tcp4),
	CASE(b_three_tags, x_three_tags),
	CASE(b_llc, x_llc),
	CASE(b_snap_udp4, x_snap_udp4),
	CASE(b_snap_oui, x_llc),
	CASE(b_snap_len, x_llc),
	CASE(b_type_05ff, x_type_05ff),
	CASE(b_type_0600, x_type_0600),
	CASE(b_lldp, x_lldp),
	CASE(b_arp, x_arp_req),
	CASE(b_rarp, x_rarp),
	CASE(b_arp_bigop, x_arp_bigop),
	CASE(b_arp_hrd6, x_arp_bad),
	CASE(b_arp_pln16, x_arp_bad),
	CASE(b_mpls, x_mpls),
	CASE(b_mpls_mc, x_mpls_mc),
	CASE(b_udp6, x_udp6),
	CASE(b_tcp6, x_tcp6),
	CASE(b_sctp6, x_sctp6),
	CASE(b_ext6, x_ext6),
	CASE(b_ext6_runoff, x_ext6_runoff),
	CASE(b_ip6_none, x_ip6_none),
	CASE(b_ip6_esp, x_ip6_esp),
	CASE(b_ip6_icmp4num, x_ip6_icmp4num),
	CASE(b_frag6_first, x_frag6_first),
	CASE(b_frag6_later, x_frag6_later),
	CASE(b_frag6_later_ext, x_frag6_later_ext),
	CASE(b_icmp6_echo, x_icmp6_echo),
	CASE(b_ns_sll, x_ns_sll),
	CASE(b_na_tll, x_na_tll),
	CASE(b_ns_two_sll, x_ns_two_sll),
	CASE(b_ns_zero_sll, x_ns_zero_sll),
	CASE(b_ns_opt0, x_ns_opt0),
	CASE(b_ns_opt_long, x_ns_opt_long),
	CASE(b_ns_sll16, x_ns_sll16),
	CASE(b_ns_code1, x_ns_code1),
	CASE(b_vlan_hbh_na, x_vlan_hbh_na),
};

/* ---- Checking. ---- */

struct field {
	const char *name;
	size_t ofs, size;
};
#define F(m) {#m, offsetof(struct flow_key, m), sizeof(((struct flow_key *)0)->m)}
/* Named fields for failure messages; the whole key is compared anyway. */
static const struct field FIELDS[] = {
	F(tun), F(priority), F(skb_mark), F(recirc_id), F(in_port), F(dp_hash), F(ct_mark),
	F(ct_zone), F(ct_state), F(pad0), F(mpls_lse), F(eth_dst), F(eth_src), F(eth_type),
	F(ip_proto), F(ip_tos), F(ip_ttl), F(ip_frag), F(tp_flags), F(tp_src), F(tp_dst),
	F(vlan.tpid), F(vlan.tci), F(cvlan.tpid), F(cvlan.tci), F(ipv6.src), F(ipv6.dst),
	F(ipv6.label), F(ipv6.pad1), F(ipv6.nd_target), F(ipv6.nd_sll), F(ipv6.nd_tll),
	F(ipv6.pad2), F(ct_labels),
};

static void print_hex(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%02x", b[i]);
}

static bool key_matches(const char *what, uint32_t len, const struct flow_key *got,
			const struct flow_key *want)
{
	const uint8_t *g = (const uint8_t *)got, *w = (const uint8_t *)want;
	bool ok = true;

	for (size_t i = 0; i < sizeof(FIELDS) / sizeof(FIELDS[0]); i++) {
		const struct field *f = &FIELDS[i];

		if (memcmp(g + f->ofs, w + f->ofs, f->size) == 0)
			continue;
		fprintf(stderr, "%s len %u: %s got ", what, len, f->name);
		print_hex(g + f->ofs, f->size);
		fprintf(stderr, " want ");
		print_hex(w + f->ofs, f->size);
		fprintf(stderr, "\n");
		ok = false;
	}
	return ok && memcmp(got, want, sizeof(*got)) == 0;
}

static bool layout_matches(const char *what, uint32_t len, const struct flow_layout *got,
			   const struct flow_layout *want)
{
	if (got->l2_5 == want->l2_5 && got->l3 == want->l3 && got->l4 == want->l4)
		return true;
	fprintf(stderr, "%s len %u: layout got %u/%u/%u want %u/%u/%u\n", what, len, got->l2_5,
		got->l3, got->l4, want->l2_5, want->l3, want->l4);
	return false;
}

static void expect_base(struct flow_key *k, struct flow_layout *l)
{
	memset(k, 0, sizeof(*k));
	k->in_port = MD.in_port;
	k->recirc_id = MD.recirc_id;
	k->dp_hash = MD.dp_hash;
	k->priority = MD.priority;
	k->skb_mark = MD.skb_mark;
	l->l2_5 = l->l3 = l->l4 = FLOW_OFS_NONE;
}

/* Extract from an exact-size heap copy of the first 'len' bytes. */
static void extract_copy(const uint8_t *pkt, uint32_t len, struct flow_key *key,
			 struct flow_layout *lay, uint8_t garbage)
{
	uint8_t *copy = malloc(len ? len : 1);

	assert_non_null(copy);
	memcpy(copy, pkt, len);
	memset(key, garbage, sizeof(*key));
	memset(lay, garbage, sizeof(*lay));
	flow_extract(copy, len, &MD, key, lay);
	free(copy);
}

/* Every case, cut at every length from 0 to full. */
static void test_every_truncation(void **state)
{
	int failures = 0;

	(void)state;
	for (size_t c = 0; c < sizeof(CASES) / sizeof(CASES[0]); c++) {
		const struct tcase *t = &CASES[c];
		struct pb p = {.n = 0};

		t->build(&p);
		for (uint32_t len = 0; len <= p.n; len++) {
			struct flow_key got, want;
			struct flow_layout glay, wlay;

			expect_base(&want, &wlay);
			t->expect(len, &want, &wlay);
			/* Garbage in the output must not survive: try two fills. */
			for (int g = 0; g < 2; g++) {
				extract_copy(p.b, len, &got, &glay, g ? 0xa5 : 0x00);
				if (!key_matches(t->name, len, &got, &want) ||
				    !layout_matches(t->name, len, &glay, &wlay))
					failures++;
			}
		}
	}
	assert_int_equal(failures, 0);
}

/* The 64-byte UDP frame, field by field, by name. */
static void test_udp4_fields(void **state)
{
	struct pb p = {.n = 0};
	struct flow_key k;
	struct flow_layout l;
	static const uint8_t zero[sizeof(struct flow_tunnel)];

	(void)state;
	b_udp4(&p);
	assert_int_equal(p.n, 64);
	flow_extract(p.b, p.n, &MD, &k, &l);
	assert_int_equal(k.in_port, 7);
	assert_int_equal(k.recirc_id, 0x1234);
	assert_int_equal(k.dp_hash, 0xdeadbeef);
	assert_int_equal(k.priority, 0x10002);
	assert_int_equal(k.skb_mark, 0xcafe);
	assert_memory_equal(&k.tun, zero, sizeof(k.tun));
	assert_int_equal(k.ct_mark, 0);
	assert_int_equal(k.ct_zone, 0);
	assert_int_equal(k.ct_state, 0);
	assert_memory_equal(k.ct_labels, zero, 16);
	assert_memory_equal(k.eth_dst, MAC_DST, 6);
	assert_memory_equal(k.eth_src, MAC_SRC, 6);
	assert_int_equal(k.eth_type, htons(0x0800));
	assert_int_equal(k.vlan.tci, 0);
	assert_int_equal(k.cvlan.tpid, 0);
	assert_int_equal(k.mpls_lse, 0);
	assert_int_equal(k.ip_proto, 17);
	assert_int_equal(k.ip_tos, 0xb8);
	assert_int_equal(k.ip_ttl, 63);
	assert_int_equal(k.ip_frag, OVS_FRAG_TYPE_NONE);
	assert_int_equal(k.ipv4.src, htonl(0xc0a80001));
	assert_int_equal(k.ipv4.dst, htonl(0xc0a80102));
	assert_int_equal(k.tp_src, htons(0xc001));
	assert_int_equal(k.tp_dst, htons(80));
	assert_int_equal(k.tp_flags, 0);
	assert_int_equal(l.l2_5, FLOW_OFS_NONE);
	assert_int_equal(l.l3, 14);
	assert_int_equal(l.l4, 34);
}

/* A NULL layout gives the same key; a zero-length packet may be NULL. */
static void test_null_layout_and_empty(void **state)
{
	struct pb p = {.n = 0};
	struct flow_key a, b, want;
	struct flow_layout l, wl;

	(void)state;
	b_qinq_tcp4(&p);
	flow_extract(p.b, p.n, &MD, &a, &l);
	flow_extract(p.b, p.n, &MD, &b, NULL);
	assert_memory_equal(&a, &b, sizeof(a));

	memset(&a, 0xff, sizeof(a));
	flow_extract(NULL, 0, &MD, &a, &l);
	expect_base(&want, &wl);
	assert_memory_equal(&a, &want, sizeof(a));
	assert_int_equal(l.l3, FLOW_OFS_NONE);
}

/*
 * An L4 header beyond 64 KiB (IPv6 with 32 destination-option headers of
 * 2048 bytes): its fields are read, but its offset cannot be expressed.
 */
static void test_offset_beyond_16_bits(void **state)
{
	uint32_t len = 14 + 40 + 32 * 2048 + 8;
	uint8_t *b = calloc(1, len);
	struct flow_key k;
	struct flow_layout l;
	uint32_t o;

	(void)state;
	assert_non_null(b);
	memcpy(b, MAC_DST, 6);
	b[12] = 0x86;
	b[13] = 0xdd;
	b[14] = 0x60;
	b[20] = 60; /* next: destination options */
	for (o = 54; o < 54 + 32 * 2048; o += 2048) {
		b[o] = o + 2048 < 54 + 32 * 2048 ? 60 : 17;
		b[o + 1] = 255;
	}
	b[o] = 0x12;
	b[o + 1] = 0x34;
	flow_extract(b, len, &MD, &k, &l);
	assert_int_equal(k.ip_proto, 17);
	assert_int_equal(k.tp_src, htons(0x1234));
	assert_int_equal(l.l3, 14);
	assert_int_equal(l.l4, FLOW_OFS_NONE);
	free(b);
}

/* ---- Randomized: no crash, fully defined keys, sane layouts. ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* Invariants any key must satisfy, whatever the input. */
static void check_invariants(const uint8_t *pkt, uint32_t len)
{
	struct flow_key a, b;
	struct flow_layout la, lb;
	size_t ipv4_end = offsetof(struct flow_key, ipv4.arp_tha) + 6;

	extract_copy(pkt, len, &a, &la, 0x00);
	extract_copy(pkt, len, &b, &lb, 0xff);
	/* Every byte written: two different garbage fills give one key. */
	assert_memory_equal(&a, &b, sizeof(a));
	assert_memory_equal(&la, &lb, sizeof(la));

	assert_true(all_zero(&a.tun, sizeof(a.tun)));
	assert_int_equal(a.ct_mark | a.ct_zone | a.ct_state | a.pad0, 0);
	assert_true(all_zero(a.ct_labels, sizeof(a.ct_labels)));
	assert_int_equal(a.ipv6.pad1 | a.ipv6.pad2, 0);
	if (a.eth_type != htons(0x86dd))
		assert_true(all_zero((const uint8_t *)&a + ipv4_end,
				     offsetof(struct flow_key, ct_labels) - ipv4_end));
	if (a.vlan.tci)
		assert_true(a.vlan.tci & htons(FLOW_VLAN_PRESENT));
	if (a.cvlan.tci)
		assert_true(a.vlan.tci != 0);
	assert_true(a.ip_frag <= OVS_FRAG_TYPE_LATER);

	/* Offsets lie inside the packet and in header order. */
	assert_true(la.l2_5 == FLOW_OFS_NONE || la.l2_5 < len);
	assert_true(la.l3 == FLOW_OFS_NONE || la.l3 < len);
	assert_true(la.l4 == FLOW_OFS_NONE || (la.l3 != FLOW_OFS_NONE && la.l4 > la.l3 && la.l4 < len));
	if (a.ip_frag == OVS_FRAG_TYPE_LATER)
		assert_int_equal(a.tp_src | a.tp_dst | a.tp_flags, 0);
}

static void test_random_bytes(void **state)
{
	uint8_t buf[160];

	(void)state;
	for (int i = 0; i < 20000; i++) {
		uint32_t len = rnd() % sizeof(buf);

		for (uint32_t j = 0; j < len; j++)
			buf[j] = (uint8_t)rnd();
		/* Half the time steer the ethertype to one the parser follows. */
		if (len >= 14 && (rnd() & 1)) {
			static const uint16_t types[] = {0x0800, 0x86dd, 0x0806, 0x8035, 0x8847,
							 0x8100, 0x88a8, 0x0030};
			uint16_t t = types[rnd() % 8];

			buf[12] = (uint8_t)(t >> 8);
			buf[13] = (uint8_t)t;
		}
		check_invariants(buf, len);
	}
}

static void test_random_mutations(void **state)
{
	(void)state;
	for (int i = 0; i < 40000; i++) {
		const struct tcase *t = &CASES[rnd() % (sizeof(CASES) / sizeof(CASES[0]))];
		struct pb p = {.n = 0};
		int flips = 1 + (int)(rnd() % 4);

		t->build(&p);
		for (int f = 0; f < flips; f++) {
			uint32_t at = rnd() % p.n;

			/* Small values hit length fields and protocol numbers. */
			p.b[at] = (rnd() & 1) ? (uint8_t)rnd() : (uint8_t)(rnd() % 4);
		}
		check_invariants(p.b, rnd() % (p.n + 1));
	}
}

/* flow_extract() and flow_extract_general() give the same key and layout
 * for 'len' bytes of 'pkt' (an exact-size copy, for ASan). */
static void check_same_as_general(const uint8_t *pkt, uint32_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	struct flow_key fast, general;
	struct flow_layout lf, lg;

	assert_non_null(copy);
	memcpy(copy, pkt, len);
	memset(&fast, 0xa5, sizeof(fast));
	memset(&lf, 0xa5, sizeof(lf));
	flow_extract(copy, len, &MD, &fast, &lf);
	flow_extract_general(copy, len, &MD, &general, &lg);
	assert_memory_equal(&fast, &general, sizeof(fast));
	assert_memory_equal(&lf, &lg, sizeof(lf));
	free(copy);
}

/*
 * The untagged IPv4 UDP/TCP shortcut against the general parse: every
 * byte of the headers it reads (ethertype, IHL, fragment bits, protocol,
 * TCP data offset) and the ones around them, set to values on both sides
 * of each check, at every length.
 */
static void test_shortcut_same_as_general(void **state)
{
	static const uint8_t values[] = {0x00, 0x01, 0x05, 0x06, 0x08, 0x11, 0x1f, 0x20,
					 0x3f, 0x40, 0x45, 0x46, 0x4f, 0x50, 0x81, 0xf0, 0xff};
	build_fn *const builds[] = {b_udp4, b_tcp4, b_tcp4_doff_small, b_tcp4_doff_big,
				    b_ip4_first, b_ip4_later, b_ip4_opts};

	(void)state;
	for (size_t b = 0; b < sizeof(builds) / sizeof(builds[0]); b++) {
		struct pb orig = {.n = 0};

		builds[b](&orig);
		for (uint32_t at = 12; at < 14 + 20 + 14 && at < orig.n; at++) {
			for (size_t v = 0; v < sizeof(values); v++) {
				struct pb p = orig;

				p.b[at] = values[v];
				for (uint32_t len = 0; len <= p.n; len++)
					check_same_as_general(p.b, len);
			}
		}
	}
}

/* A frame of 'build' with every header byte the key takes from it
 * (addresses, TOS, TTL, fragment flags, ports, TCP flags) random, and the
 * bytes the shortcut checks left as built. */
static void random_fields(build_fn *build, struct pb *p)
{
	static const uint8_t at[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 15, 22,
				     26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37};

	p->n = 0;
	build(p);
	pad_to(p, 64); /* the shortcut's minimum is 54 */
	for (size_t i = 0; i < sizeof(at); i++)
		p->b[at[i]] = (uint8_t)rnd();
	/* Don't Fragment and More Fragments, offset 0. */
	p->b[20] = (uint8_t)(rnd() & 0x60);
	p->b[21] = 0;
	if (p->b[23] == IPPROTO_TCP) {
		p->b[46] = (uint8_t)((p->b[46] & 0xf0) | (rnd() & 0x0f));
		p->b[47] = (uint8_t)rnd();
	}
}

/*
 * flow_extract_ipv4_l4_slot() into a slot that holds another frame's key
 * (reused: only the words that differ are written) gives what the general
 * parse gives, for frames and metadata that differ in every field the key
 * takes from them: a word the reuse skipped but should have written keeps
 * the earlier frame's value and fails the compare. A frame the shortcut
 * does not take leaves the slot as it was.
 */
static void test_slot_reuse_same_as_general(void **state)
{
	build_fn *const builds[] = {b_udp4, b_tcp4, b_ip4_first};
	build_fn *const others[] = {b_vlan_udp4, b_ip4_later, b_ip4_opts, b_udp6, b_arp,
				    b_tcp4_doff_small, b_sctp4};

	(void)state;
	for (int i = 0; i < 20000; i++) {
		struct flow_md md = {
			.in_port = rnd(), .recirc_id = rnd(), .dp_hash = rnd(),
			.priority = rnd(), .skb_mark = rnd(),
		};
		struct flow_key slot, want, before;
		struct flow_layout lslot, lwant, lbefore;
		struct pb first, next;
		uint16_t tp_flags = 0xffff;

		random_fields(builds[rnd() % 3], &first);
		assert_true(flow_extract_ipv4_l4_slot(first.b, first.n, &MD, &slot, &lslot, false,
						      &tp_flags));
		if (rnd() % 8 == 0) {
			/* Not a shortcut frame: nothing written. */
			next.n = 0;
			others[rnd() % (sizeof(others) / sizeof(others[0]))](&next);
			before = slot;
			lbefore = lslot;
			assert_false(flow_extract_ipv4_l4_slot(next.b, next.n, &md, &slot, &lslot,
							       true, &tp_flags));
			assert_memory_equal(&slot, &before, sizeof(slot));
			assert_memory_equal(&lslot, &lbefore, sizeof(lslot));
			continue;
		}
		random_fields(builds[rnd() % 3], &next);
		assert_true(flow_extract_ipv4_l4_slot(next.b, next.n, &md, &slot, &lslot, true,
						      &tp_flags));
		flow_extract_general(next.b, next.n, &md, &want, &lwant);
		assert_memory_equal(&slot, &want, sizeof(slot));
		assert_memory_equal(&lslot, &lwant, sizeof(lslot));
		assert_int_equal(tp_flags, want.tp_flags);
	}
}

/* Frames for the burst tests, each with its key by the general parse and
 * whether the shortcut takes it. */
struct burst_frame {
	struct pb p;
	struct flow_key want;
	struct flow_layout lwant;
	bool shortcut;
};

static void burst_frame_done(struct burst_frame *f, const struct flow_md *md)
{
	struct flow_key k;
	struct flow_layout l;

	flow_extract_general(f->p.b, f->p.n, md, &f->want, &f->lwant);
	f->shortcut = flow_extract_ipv4_l4(f->p.b, f->p.n, md, &k, &l);
}

/*
 * Extract frames[0..n) into the slots as a PMD does and check each slot
 * against the general parse, and the dup map: bit i set exactly when
 * the shortcut took frames i-1 and i and their keys are equal in every
 * byte. Returns the dup map.
 */
static uint32_t burst_extract_check(const struct burst_frame *frames, uint32_t n,
				    const struct flow_md *md, struct flow_key *keys,
				    struct flow_layout *layouts, uint32_t *reusable)
{
	uint32_t dup = 0;

	for (uint32_t i = 0; i < n; i++) {
		uint16_t tp_flags = flow_extract_burst_slot(frames[i].p.b, frames[i].p.n, *md, keys,
							    layouts, i, reusable, &dup);

		assert_memory_equal(&keys[i], &frames[i].want, sizeof(keys[i]));
		assert_memory_equal(&layouts[i], &frames[i].lwant, sizeof(layouts[i]));
		assert_int_equal(tp_flags, frames[i].want.tp_flags);
		assert_int_equal(!!(*reusable & (1u << i)), frames[i].shortcut);
	}
	for (uint32_t i = 0; i < n; i++) {
		bool equal = i > 0 && !memcmp(&keys[i], &keys[i - 1], sizeof(keys[i]));
		bool want = equal && frames[i].shortcut && frames[i - 1].shortcut;

		assert_int_equal(!!(dup & (1u << i)), want);
	}
	return dup;
}

/*
 * A key marked as the one before it (flow_extract_burst_slot()'s dup map)
 * is equal to it in every byte: bursts of random frames that repeat the
 * frame before, differ from it in any one byte (a byte the key does not
 * take, such as the payload, the IP id or the checksums, leaves the keys
 * equal, and then the pair must be marked), or take the general parse,
 * over slots reused burst after burst with other metadata.
 */
static void test_burst_slot_dup(void **state)
{
	build_fn *const builds[] = {b_udp4, b_tcp4, b_ip4_first};
	build_fn *const others[] = {b_vlan_udp4, b_ip4_later, b_ip4_opts, b_udp6, b_arp,
				    b_tcp4_doff_small, b_sctp4, b_qinq_tcp4};
	static struct burst_frame frames[FLOW_BURST_TEST];
	struct flow_key keys[FLOW_BURST_TEST];
	struct flow_layout layouts[FLOW_BURST_TEST];
	uint32_t reusable = 0, marked = 0, unmarked_equal = 0;

	(void)state;
	memset(keys, 0x5a, sizeof(keys));
	memset(layouts, 0x5a, sizeof(layouts));
	for (int burst = 0; burst < 4000; burst++) {
		struct flow_md md = {
			.in_port = rnd(), .recirc_id = rnd(), .dp_hash = rnd(),
			.priority = rnd(), .skb_mark = rnd(),
		};
		uint32_t n = 1 + rnd() % FLOW_BURST_TEST;

		for (uint32_t i = 0; i < n; i++) {
			struct burst_frame *f = &frames[i];
			uint32_t kind = i ? rnd() % 8 : 5;

			if (kind <= 2) {
				f->p = frames[i - 1].p;
			} else if (kind <= 4) {
				f->p = frames[i - 1].p;
				f->p.b[rnd() % f->p.n] ^= (uint8_t)(1u << (rnd() % 8));
			} else if (kind <= 6) {
				random_fields(builds[rnd() % 3], &f->p);
			} else {
				f->p.n = 0;
				others[rnd() % (sizeof(others) / sizeof(others[0]))](&f->p);
			}
			burst_frame_done(f, &md);
		}
		uint32_t dup = burst_extract_check(frames, n, &md, keys, layouts, &reusable);

		marked += (uint32_t)__builtin_popcount(dup);
		for (uint32_t i = 1; i < n; i++)
			unmarked_equal += !(dup & (1u << i)) &&
					  !memcmp(&frames[i].want, &frames[i - 1].want, sizeof(keys[i]));
	}
	/* Both outcomes occurred often. */
	assert_true(marked > 10000);
	assert_true(unmarked_equal > 100);
}

/*
 * Keys equal in every word the shortcut writes but not in the others, or
 * not in the layout, are not marked: a tagged frame (the VLAN word) next
 * to the same frame untagged, and a frame with IP options (another L4
 * offset, the same key) next to the same frame without. Only the
 * untagged pair without options is.
 */
static void test_burst_slot_dup_layouts(void **state)
{
	build_fn *const seq[] = {b_udp4, b_vlan_udp4, b_udp4, b_udp4, b_ip4_opts, b_udp4};
	struct burst_frame frames[6];
	struct flow_key keys[6];
	struct flow_layout layouts[6];
	uint32_t reusable = 0;

	(void)state;
	for (size_t i = 0; i < 6; i++) {
		frames[i].p.n = 0;
		seq[i](&frames[i].p);
		burst_frame_done(&frames[i], &MD);
	}
	/* The pairs differ only where the test says. */
	struct flow_key untagged = frames[1].want;

	memset(&untagged.vlan, 0, sizeof(untagged.vlan));
	assert_memory_equal(&untagged, &frames[0].want, sizeof(untagged));
	assert_memory_equal(&frames[4].want, &frames[3].want, sizeof(untagged));
	assert_int_not_equal(frames[4].lwant.l4, frames[3].lwant.l4);
	/* Twice: fresh slots, then reused ones. */
	assert_int_equal(burst_extract_check(frames, 6, &MD, keys, layouts, &reusable), 1u << 3);
	assert_int_equal(burst_extract_check(frames, 6, &MD, keys, layouts, &reusable), 1u << 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp4_fields),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_null_layout_and_empty),
		cmocka_unit_test(test_offset_beyond_16_bits),
		cmocka_unit_test(test_random_bytes),
		cmocka_unit_test(test_random_mutations),
		cmocka_unit_test(test_shortcut_same_as_general),
		cmocka_unit_test(test_slot_reuse_same_as_general),
		cmocka_unit_test(test_burst_slot_dup),
		cmocka_unit_test(test_burst_slot_dup_layouts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
