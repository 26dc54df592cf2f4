/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flow_extract: packet bytes -> struct flow_key.
 *
 * Semantics are those of the Linux kernel's key_extract() in
 * net/openvswitch/flow.c (with ipv6_find_hdr() for IPv6 extension headers),
 * so that a flow programmed for the kernel datapath matches the same
 * packets here. Where the kernel drops a frame (shorter than an Ethernet
 * header) we still return a defined key: metadata only.
 *
 * Every read is bounds-checked against 'len' before it happens; a header
 * that does not fit leaves its fields zero, exactly where the kernel's
 * check_header()/pskb_may_pull() would fail. Fields are copied raw
 * (network byte order) and compared against byte-swapped constants, so the
 * fast path has no byte swaps except where a value is interpreted.
 *
 * Layout offsets are set only for headers whose key fields were filled, so
 * an action may rewrite a header at its offset without checking its length:
 * l2_5 for an MPLS frame with its top entry present; l3 for a complete
 * IPv4 header (options included), IPv6 fixed header or Ethernet/IPv4 ARP
 * packet; l4 for a TCP (data offset included), UDP, SCTP, ICMP or ICMPv6
 * header that the kernel would read (so never for a later fragment).
 */
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/openvswitch.h>
#include <net/if_arp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dpsw_bytes.h"
#include "flow_extract.h"

#define LLC_SAP_SNAP 0xaa   /* 802.2 SAP that announces a SNAP header */
#define LLC_SNAP_LEN 8      /* dsap, ssap, ctrl, oui[3], ethertype */
#define VLAN_HDR_LEN 4
#define IPV4_MIN_LEN 20
#define IPV4_OFFSET_MASK 0x1fff
#define IPV4_MF 0x2000
#define IPV6_HDR_LEN 40
#define ARP_ETH_IPV4_LEN 28 /* struct arp_eth_header */
#define MPLS_LSE_LEN 4
#define TCP_MIN_LEN 20
#define UDP_HDR_LEN 8
#define SCTP_HDR_LEN 12
#define ICMP_HDR_LEN 8      /* struct icmphdr and struct icmp6hdr */
#define ND_MSG_LEN 24       /* ICMPv6 header + 16-byte target */
#define ND_OPT_UNIT 8

/* One parse in progress. 'lay' always points somewhere writable. */
struct parse {
	const uint8_t *pkt;
	uint32_t len;
	struct flow_key *key;
	struct flow_layout *lay;
};

/* True when 'n' bytes at 'ofs' lie inside the packet. 64-bit sum: no wrap. */
static inline bool have(const struct parse *p, uint32_t ofs, uint32_t n)
{
	return (uint64_t)ofs + n <= p->len;
}

/* Layout offsets are 16 bits; a header further in is reported as absent. */
static inline uint16_t ofs16(uint32_t ofs)
{
	return ofs < FLOW_OFS_NONE ? (uint16_t)ofs : FLOW_OFS_NONE;
}

static inline bool is_vlan_tpid(uint16_t tpid_be)
{
	return tpid_be == htons(ETH_P_8021Q) || tpid_be == htons(ETH_P_8021AD);
}

static inline bool is_ethertype(uint16_t type_be)
{
	return ntohs(type_be) >= ETH_P_802_3_MIN;
}

/*
 * A VLAN tag at 'ofs' (2 bytes there are known to be readable). Like the
 * kernel's parse_vlan_tag(), the tag counts only when the tag and the
 * ethertype after it fit; otherwise its TPID is read as the ethertype.
 */
static bool parse_vlan(const struct parse *p, uint32_t ofs, struct flow_vlan *vlan)
{
	uint16_t tpid = rd16(p->pkt + ofs);

	if (!is_vlan_tpid(tpid) || !have(p, ofs, VLAN_HDR_LEN + 2))
		return false;
	vlan->tpid = tpid;
	/* The kernel sets the CFI bit to mean "tag present". */
	vlan->tci = rd16(p->pkt + ofs + 2) | htons(FLOW_VLAN_PRESENT);
	return true;
}

/*
 * The ethertype at 'ofs' (readable), as the kernel's parse_ethertype(): a
 * value below 0x600 is an 802.3 length, and the frame is ETH_P_802_2 unless
 * a full LLC/SNAP header with a zero OUI carries a real ethertype.
 * Returns the offset of the network header.
 */
static uint32_t parse_ethertype(const struct parse *p, uint32_t ofs)
{
	uint16_t type = rd16(p->pkt + ofs);
	const uint8_t *llc = p->pkt + ofs + 2; /* in bounds or one past the end */

	ofs += 2;
	if (is_ethertype(type)) {
		p->key->eth_type = type;
		return ofs;
	}
	p->key->eth_type = htons(ETH_P_802_2);
	if (!have(p, ofs, LLC_SNAP_LEN) || llc[0] != LLC_SAP_SNAP || llc[1] != LLC_SAP_SNAP ||
	    (llc[3] | llc[4] | llc[5]) != 0)
		return ofs;
	/* The SNAP header is consumed even when its ethertype is a length. */
	type = rd16(llc + 6);
	if (is_ethertype(type))
		p->key->eth_type = type;
	return ofs + LLC_SNAP_LEN;
}

/* Ethernet, up to two VLAN tags, ethertype. Returns the L3 offset, 0 if none. */
static uint32_t parse_l2(const struct parse *p)
{
	struct flow_key *key = p->key;
	uint32_t ofs = 2 * ETH_ALEN;

	if (p->len < ETH_HLEN)
		return 0;
	/* dst then src, in packet order, as the key lays them out. */
	memcpy(key->eth_dst, p->pkt, 2 * ETH_ALEN);
	if (parse_vlan(p, ofs, &key->vlan)) {
		ofs += VLAN_HDR_LEN;
		/* parse_vlan() checked 2 bytes past the tag: readable. */
		if (parse_vlan(p, ofs, &key->cvlan))
			ofs += VLAN_HDR_LEN;
	}
	return parse_ethertype(p, ofs);
}

/* Source and destination port, the first 4 bytes of TCP/UDP/SCTP. */
static void parse_ports(const struct parse *p, uint32_t th, uint32_t hdr_len)
{
	if (!have(p, th, hdr_len))
		return;
	memcpy(&p->key->tp_src, p->pkt + th, 2 * sizeof(uint16_t));
	p->lay->l4 = ofs16(th);
}

/* TCP: the kernel also wants the data offset sane and inside the packet. */
static void parse_tcp(const struct parse *p, uint32_t th)
{
	const uint8_t *tcp = p->pkt + th;
	uint32_t doff;

	if (!have(p, th, TCP_MIN_LEN))
		return;
	doff = (uint32_t)(tcp[12] >> 4) * 4;
	if (doff < TCP_MIN_LEN || !have(p, th, doff))
		return;
	memcpy(&p->key->tp_src, tcp, 2 * sizeof(uint16_t));
	/* TCP_FLAGS_BE16: the 4 reserved/NS bits and the 8 flag bits. */
	p->key->tp_flags = rd16(tcp + 12) & htons(0x0fff);
	p->lay->l4 = ofs16(th);
}

/* ICMP and ICMPv6: type and code in the port fields, 16-bit network order. */
static bool parse_icmp(const struct parse *p, uint32_t th)
{
	const uint8_t *icmp = p->pkt + th;

	if (!have(p, th, ICMP_HDR_LEN))
		return false;
	p->key->tp_src = htons(icmp[0]);
	p->key->tp_dst = htons(icmp[1]);
	p->lay->l4 = ofs16(th);
	return true;
}

static bool mac_is_zero(const uint8_t *mac)
{
	return (mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]) == 0;
}

/*
 * Neighbour Solicitation/Advertisement (header at 'th', 8 bytes readable):
 * target, then the source/target link-layer address options. As the
 * kernel's parse_icmpv6(): a message too short for the target leaves all
 * ND fields zero; an option of length 0 or past the end stops the walk
 * keeping what was found; a second non-zero SLL (or TLL) is invalid and
 * zeroes target, SLL and TLL.
 */
static void parse_nd(const struct parse *p, uint32_t th)
{
	struct flow_key *key = p->key;
	uint32_t left = p->len - th;
	const uint8_t *opt;

	if (left < ND_MSG_LEN)
		return;
	memcpy(key->ipv6.nd_target, p->pkt + th + 8, sizeof(key->ipv6.nd_target));
	opt = p->pkt + th + ND_MSG_LEN;
	left -= ND_MSG_LEN;
	while (left >= ND_OPT_UNIT) {
		uint32_t opt_len = (uint32_t)opt[1] * ND_OPT_UNIT;
		uint8_t *mac = NULL;

		if (opt_len == 0 || opt_len > left)
			return;
		if (opt_len == ND_OPT_UNIT && opt[0] == ND_OPT_SOURCE_LINKADDR)
			mac = key->ipv6.nd_sll;
		else if (opt_len == ND_OPT_UNIT && opt[0] == ND_OPT_TARGET_LINKADDR)
			mac = key->ipv6.nd_tll;
		if (mac) {
			if (!mac_is_zero(mac)) {
				memset(key->ipv6.nd_target, 0, sizeof(key->ipv6.nd_target));
				memset(key->ipv6.nd_sll, 0, sizeof(key->ipv6.nd_sll));
				memset(key->ipv6.nd_tll, 0, sizeof(key->ipv6.nd_tll));
				return;
			}
			memcpy(mac, opt + 2, ETH_ALEN);
		}
		left -= opt_len;
		opt += opt_len;
	}
}

/*
 * Transport header at 'th' for key->ip_proto, first fragments included.
 * Inlined into both IP parsers: as a call it forces the parse context into
 * memory, which bench_extract shows on every packet.
 */
static inline __attribute__((always_inline)) void parse_l4(const struct parse *p, uint32_t th)
{
	const struct flow_key *key = p->key;

	switch (key->ip_proto) {
	case IPPROTO_TCP:
		parse_tcp(p, th);
		break;
	case IPPROTO_UDP:
		parse_ports(p, th, UDP_HDR_LEN);
		break;
	case IPPROTO_SCTP:
		parse_ports(p, th, SCTP_HDR_LEN);
		break;
	case IPPROTO_ICMP:
		if (key->eth_type == htons(ETH_P_IP))
			parse_icmp(p, th);
		break;
	case IPPROTO_ICMPV6:
		if (key->eth_type == htons(ETH_P_IPV6) && parse_icmp(p, th) &&
		    key->tp_dst == 0 &&
		    (key->tp_src == htons(ND_NEIGHBOR_SOLICIT) ||
		     key->tp_src == htons(ND_NEIGHBOR_ADVERT)))
			parse_nd(p, th);
		break;
	default:
		break;
	}
}

/*
 * IPv4 (check_iphdr()): header and options must fit, IHL >= 5, else no L3
 * field is set. Later fragments carry no L4 fields.
 */
static void parse_ipv4(const struct parse *p, uint32_t nh)
{
	struct flow_key *key = p->key;
	const uint8_t *ip = p->pkt + nh;
	uint32_t ihl;
	uint16_t frag;

	if (!have(p, nh, IPV4_MIN_LEN))
		return;
	ihl = (uint32_t)(ip[0] & 0x0f) * 4;
	if (ihl < IPV4_MIN_LEN || !have(p, nh, ihl))
		return;
	key->ip_tos = ip[1];
	key->ip_ttl = ip[8];
	key->ip_proto = ip[9];
	memcpy(&key->ipv4.src, ip + 12, 2 * sizeof(uint32_t)); /* src, dst */
	p->lay->l3 = ofs16(nh);

	frag = rd16(ip + 6);
	if (frag & htons(IPV4_OFFSET_MASK)) {
		key->ip_frag = OVS_FRAG_TYPE_LATER;
		return;
	}
	key->ip_frag = (frag & htons(IPV4_MF)) ? OVS_FRAG_TYPE_FIRST : OVS_FRAG_TYPE_NONE;
	parse_l4(p, nh + ihl);
}

/* ARP/RARP: only the Ethernet/IPv4 form fills the key. */
static void parse_arp(const struct parse *p, uint32_t nh)
{
	struct flow_key *key = p->key;
	const uint8_t *arp = p->pkt + nh;
	uint16_t op;

	if (!have(p, nh, ARP_ETH_IPV4_LEN) || rd16(arp) != htons(ARPHRD_ETHER) ||
	    rd16(arp + 2) != htons(ETH_P_IP) || arp[4] != ETH_ALEN || arp[5] != 4)
		return;
	/* Only the low 8 bits of the opcode fit; larger ones match as 0. */
	op = ntohs(rd16(arp + 6));
	key->ip_proto = op <= 0xff ? (uint8_t)op : 0;
	memcpy(key->ipv4.arp_sha, arp + 8, ETH_ALEN);
	memcpy(&key->ipv4.src, arp + 14, sizeof(key->ipv4.src));
	memcpy(key->ipv4.arp_tha, arp + 18, ETH_ALEN);
	memcpy(&key->ipv4.dst, arp + 24, sizeof(key->ipv4.dst));
	p->lay->l3 = ofs16(nh);
}

/* MPLS: the top label stack entry only (the key has room for one). */
static void parse_mpls(const struct parse *p, uint32_t nh)
{
	if (!have(p, nh, MPLS_LSE_LEN))
		return;
	p->key->mpls_lse = rd32(p->pkt + nh);
	p->lay->l2_5 = ofs16(nh);
}

static bool is_ipv6_exthdr(uint8_t nexthdr)
{
	return nexthdr == IPPROTO_HOPOPTS || nexthdr == IPPROTO_ROUTING ||
	       nexthdr == IPPROTO_FRAGMENT || nexthdr == IPPROTO_AH || nexthdr == IPPROTO_DSTOPTS;
}

/* Where the IPv6 extension header walk ended. */
enum exthdr_walk {
	WALK_UPPER,   /* *ofs is the upper-layer header, *nexthdr its protocol */
	WALK_LATER,   /* a non-first fragment */
	WALK_ERROR,   /* truncated or unparsable chain */
};

/*
 * Skip IPv6 extension headers from 'ofs' the way ipv6_find_hdr(target -1)
 * does: hop-by-hop, routing, destination options and AH are skipped (each
 * must fit entirely), a fragment header with offset 0 is skipped, one with
 * a nonzero offset ends the walk as a later fragment if what follows it is
 * not another extension header (else error). *frag_seen reports whether a
 * fragment header was reached, even on error, as the kernel's flags do.
 * No cap on the number of headers, as in Linux 6.1 (Debian 12's kernel):
 * every header is at least 8 bytes, so the packet length bounds the walk.
 */
static enum exthdr_walk walk_exthdrs(const struct parse *p, uint32_t *ofs, uint8_t *nexthdr,
				     bool *frag_seen)
{
	uint8_t next = *nexthdr;
	uint32_t at = *ofs;

	while (is_ipv6_exthdr(next)) {
		const uint8_t *h = p->pkt + at;
		uint32_t hlen;

		if (!have(p, at, 2))
			return WALK_ERROR;
		if (next == IPPROTO_FRAGMENT) {
			*frag_seen = true;
			if (!have(p, at, 4))
				return WALK_ERROR;
			/* Offset in 8-byte units, with M and reserved bits cleared. */
			if (ntohs(rd16(h + 2)) & ~0x7) {
				if (is_ipv6_exthdr(h[0]))
					return WALK_ERROR;
				return WALK_LATER;
			}
			hlen = 8;
		} else if (next == IPPROTO_ROUTING) {
			/* struct ipv6_rt_hdr is read before the length check. */
			if (!have(p, at, 4))
				return WALK_ERROR;
			hlen = ((uint32_t)h[1] + 1) * 8;
		} else if (next == IPPROTO_AH) {
			hlen = ((uint32_t)h[1] + 2) * 4;
		} else {
			hlen = ((uint32_t)h[1] + 1) * 8;
		}
		if (!have(p, at, hlen))
			return WALK_ERROR;
		next = h[0];
		at += hlen;
	}
	*ofs = at;
	*nexthdr = next;
	return WALK_UPPER;
}

/*
 * IPv6 (parse_ipv6hdr()): the fixed header must fit, else no L3 field is
 * set. A broken extension header chain keeps the fixed-header fields with
 * ip_proto = IPPROTO_NONE and no L4; a later fragment has ip_proto =
 * IPPROTO_FRAGMENT and no L4.
 */
static void parse_ipv6(const struct parse *p, uint32_t nh)
{
	struct flow_key *key = p->key;
	const uint8_t *ip6 = p->pkt + nh;
	uint32_t th = nh + IPV6_HDR_LEN;
	bool frag_seen = false;
	uint8_t next;
	uint32_t vtcfl;

	if (!have(p, nh, IPV6_HDR_LEN))
		return;
	vtcfl = rd32(ip6);
	key->ip_tos = (uint8_t)(ntohl(vtcfl) >> 20);
	key->ipv6.label = vtcfl & htonl(0x000fffff);
	key->ip_ttl = ip6[7];
	memcpy(key->ipv6.src, ip6 + 8, 2 * sizeof(key->ipv6.src)); /* src, dst */
	p->lay->l3 = ofs16(nh);

	next = ip6[6];
	switch (walk_exthdrs(p, &th, &next, &frag_seen)) {
	case WALK_LATER:
		key->ip_frag = OVS_FRAG_TYPE_LATER;
		key->ip_proto = IPPROTO_FRAGMENT;
		return;
	case WALK_ERROR:
		key->ip_frag = frag_seen ? OVS_FRAG_TYPE_FIRST : OVS_FRAG_TYPE_NONE;
		key->ip_proto = IPPROTO_NONE;
		return;
	case WALK_UPPER:
		break;
	}
	key->ip_frag = frag_seen ? OVS_FRAG_TYPE_FIRST : OVS_FRAG_TYPE_NONE;
	key->ip_proto = next;
	parse_l4(p, th);
}

static void set_metadata(struct flow_key *key, const struct flow_md *md)
{
	key->priority = md->priority;
	key->skb_mark = md->skb_mark;
	key->recirc_id = md->recirc_id;
	key->in_port = md->in_port;
	key->dp_hash = md->dp_hash;
}

void flow_extract(const uint8_t *pkt, uint32_t len, const struct flow_md *md,
		  struct flow_key *key, struct flow_layout *layout)
{
	struct flow_layout unused;

	if (__builtin_expect(flow_extract_ipv4_l4(pkt, len, md, key, layout ? layout : &unused), 1))
		return;
	flow_extract_general(pkt, len, md, key, layout);
}

void flow_extract_general(const uint8_t *pkt, uint32_t len, const struct flow_md *md,
			  struct flow_key *key, struct flow_layout *layout)
{
	struct flow_layout unused;
	struct parse p = {
		.pkt = pkt,
		.len = len,
		.key = key,
		.lay = layout ? layout : &unused,
	};
	uint32_t nh;

	flow_key_zero(key);
	set_metadata(key, md);
	p.lay->l2_5 = FLOW_OFS_NONE;
	p.lay->l3 = FLOW_OFS_NONE;
	p.lay->l4 = FLOW_OFS_NONE;

	nh = parse_l2(&p);
	if (nh == 0)
		return;
	switch (ntohs(key->eth_type)) {
	case ETH_P_IP:
		parse_ipv4(&p, nh);
		break;
	case ETH_P_IPV6:
		parse_ipv6(&p, nh);
		break;
	case ETH_P_ARP:
	case ETH_P_RARP:
		parse_arp(&p, nh);
		break;
	case ETH_P_MPLS_UC:
	case ETH_P_MPLS_MC:
		parse_mpls(&p, nh);
		break;
	default:
		break;
	}
}
