/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flow_extract: parse a packet's bytes into a struct flow_key.
 *
 * Works on a plain byte buffer (no mbuf, no EAL), so unit tests and fuzzers
 * reach it directly. Hot path: no allocation, no locks, no logging.
 *
 * Never reads past pkt + len. Truncated or malformed headers leave the
 * fields that could not be read zero, as the kernel's key_extract() does.
 *
 * Thread safety: reentrant; touches only its arguments.
 */
#ifndef FLOW_EXTRACT_H
#define FLOW_EXTRACT_H

#include <arpa/inet.h>
#include <linux/openvswitch.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dpsw_bytes.h"
#include "flow_key.h"

/* Receive metadata copied into the key's metadata fields. */
struct flow_md {
	uint32_t in_port;
	uint32_t recirc_id;
	uint32_t dp_hash;
	uint32_t priority;
	uint32_t skb_mark;
};

/*
 * Where the headers start, for actions that rewrite them. An offset of
 * FLOW_OFS_NONE means the header is absent or truncated.
 */
#define FLOW_OFS_NONE 0xffff
struct flow_layout {
	uint16_t l2_5;   /* MPLS label stack */
	uint16_t l3;     /* IPv4/IPv6/ARP header */
	uint16_t l4;     /* TCP/UDP/SCTP/ICMP/ICMPv6 header (first fragment) */
};

/*
 * Fill 'key' (every byte written) from 'pkt' of 'len' bytes received with
 * metadata 'md'. 'layout' may be NULL.
 */
void flow_extract(const uint8_t *pkt, uint32_t len, const struct flow_md *md,
		  struct flow_key *key, struct flow_layout *layout);

/*
 * The words of an untagged IPv4 UDP/TCP frame's key that depend on the
 * frame or its metadata (flow_extract_ipv4_l4()'s checks passed), written
 * as whole 8-byte words where the packet holds them nearly as struct
 * flow_key does: the Ethernet header, the IPv4 protocol, TOS and
 * addresses, the ports. Every other word of such a key is zero.
 */
static inline void flow_extract_ipv4_l4_words(const uint8_t *pkt, uint8_t proto, uint16_t frag,
					      uint16_t tp_flags, const struct flow_md *md,
					      struct flow_key *key)
{
	typedef uint64_t word __attribute__((may_alias, aligned(8)));
	const uint8_t *ip = pkt + 14;
	word *w = (word *)key;
	uint64_t l2_hi, l4;
	uint8_t *b;

	_Static_assert(offsetof(struct flow_key, priority) == 3 * 8 &&
		       offsetof(struct flow_key, dp_hash) == 5 * 8 &&
		       offsetof(struct flow_key, eth_dst) == 7 * 8 &&
		       offsetof(struct flow_key, ip_proto) == 8 * 8 + 6 &&
		       offsetof(struct flow_key, ip_ttl) == 9 * 8 &&
		       offsetof(struct flow_key, tp_src) == 9 * 8 + 4 &&
		       offsetof(struct flow_key, vlan) == 10 * 8 &&
		       offsetof(struct flow_key, ipv4.src) == 11 * 8,
		       "flow_key words as flow_extract_ipv4_l4_words() writes them");
	/* Packet bytes 8-15: the end of eth_src, eth_type, then version/IHL
	 * (replaced by the protocol) and TOS: eth_src, eth_type, ip_proto,
	 * ip_tos in the key. */
	memcpy(&l2_hi, pkt + 8, 8);
	b = (uint8_t *)&l2_hi;
	b[6] = proto;
	/* ip_ttl, ip_frag, tp_flags, tp_src, tp_dst. */
	b = (uint8_t *)&l4;
	b[0] = ip[8];
	b[1] = (frag & htons(0x2000)) ? OVS_FRAG_TYPE_FIRST : OVS_FRAG_TYPE_NONE;
	memcpy(b + 2, &tp_flags, 2);
	memcpy(b + 4, ip + 20, 4);

	key->priority = md->priority;
	key->skb_mark = md->skb_mark;
	key->recirc_id = md->recirc_id;
	key->in_port = md->in_port;
	key->dp_hash = md->dp_hash;
	key->ct_mark = 0;
	memcpy(&w[7], pkt, 8);
	w[8] = l2_hi;
	w[9] = l4;
	memcpy(&w[11], ip + 12, 8);
}

/* The words flow_extract_ipv4_l4_words() leaves alone, all zero in an
 * untagged IPv4 UDP/TCP frame's key, 16 bytes a store where it can. */
static inline void flow_extract_ipv4_l4_zeros(struct flow_key *key)
{
	typedef uint64_t word __attribute__((may_alias, aligned(8)));
	word *w = (word *)key;

	*(flow_key_zero16 *)&w[0] = (flow_key_zero16){0, 0}; /* tunnel */
	w[2] = 0;
	w[6] = 0;  /* ct_zone, ct_state, mpls_lse */
	w[10] = 0; /* no VLAN */
	/* The rest of the address union and ct_labels. */
	flow_key_zero16 *z = (flow_key_zero16 *)&w[12];
#pragma GCC unroll 8
	for (size_t i = 0; i < (sizeof(*key) - 12 * 8) / sizeof(*z); i++)
		z[i] = (flow_key_zero16){0, 0};
}

/* The layout of every untagged IPv4 UDP/TCP frame without options. */
static inline void flow_extract_ipv4_l4_layout(struct flow_layout *layout)
{
	layout->l2_5 = FLOW_OFS_NONE;
	layout->l3 = 14;
	layout->l4 = 14 + 20;
}

/* flow_extract_ipv4_l4()'s checks: true for the frames it handles, with
 * the fields its key needs that are not copied as words. */
static inline bool flow_extract_ipv4_l4_check(const uint8_t *pkt, uint32_t len, uint8_t *proto,
					      uint16_t *frag, uint16_t *tp_flags)
{
	enum { L3 = 14, L4 = L3 + 20, MIN_LEN = L4 + 20 };
	const uint8_t *ip = pkt + L3, *th = pkt + L4;

	if (len < MIN_LEN || rd16(pkt + 12) != htons(0x0800) || (ip[0] & 0x0f) != 5)
		return false;
	*frag = rd16(ip + 6);
	*proto = ip[9];
	*tp_flags = 0;
	if (*frag & htons(0x1fff)) /* a later fragment: no L4 */
		return false;
	if (*proto == IPPROTO_TCP) {
		uint32_t doff = (uint32_t)(th[12] >> 4) * 4;

		if (doff < 20 || L4 + doff > len)
			return false;
		/* The 4 reserved/NS bits and the 8 flag bits. */
		*tp_flags = rd16(th + 12) & htons(0x0fff);
	} else if (*proto != IPPROTO_UDP) {
		return false;
	}
	return true;
}

/*
 * flow_extract_ipv4_l4() for a key and layout used again and again, as a
 * PMD's per-burst key slots are: with 'reused' true they must hold what an
 * earlier call that returned true wrote (for any frame and metadata),
 * unchanged since, and the words that are zero in every such key and the
 * layout, the same for every such frame, are not written again (7 stores
 * a key instead of 19). The result is the same either way. '*tp_flags'
 * gets the key's tp_flags, for a caller that sums them: loading them back
 * from the key would wait for the store.
 */
static inline bool flow_extract_ipv4_l4_slot(const uint8_t *pkt, uint32_t len,
					     const struct flow_md *md, struct flow_key *key,
					     struct flow_layout *layout, bool reused,
					     uint16_t *tp_flags)
{
	uint16_t frag;
	uint8_t proto;

	if (!flow_extract_ipv4_l4_check(pkt, len, &proto, &frag, tp_flags))
		return false;
	if (!reused) {
		flow_extract_ipv4_l4_zeros(key);
		flow_extract_ipv4_l4_layout(layout);
	}
	flow_extract_ipv4_l4_words(pkt, proto, frag, *tp_flags, md, key);
	return true;
}

/*
 * Whether two keys that flow_extract_ipv4_l4_slot() wrote (it returned
 * true for both) from frames received with the same metadata are equal.
 * Every word of such a key but the four it takes from the frame is the
 * metadata's or zero, so only those four are compared. Means nothing for
 * keys written any other way: the caller must know how both were.
 */
static inline bool flow_extract_ipv4_l4_equal(const struct flow_key *a, const struct flow_key *b)
{
	typedef uint64_t word __attribute__((may_alias, aligned(8)));
	const word *x = (const word *)a, *y = (const word *)b;

	return ((x[7] ^ y[7]) | (x[8] ^ y[8]) | (x[9] ^ y[9]) | (x[11] ^ y[11])) == 0;
}

/*
 * The frame nearly every packet is: untagged Ethernet, IPv4 without
 * options, not a later fragment, UDP or TCP, and long enough for a full
 * TCP header (54 bytes). Fills 'key' and 'layout' (not NULL) exactly as
 * flow_extract() would, with the checks folded into a few compares; false,
 * having written nothing, for any other frame. Inline so that a caller's
 * loop over a burst pays no call for it (flow_extract() begins with it).
 */
static inline bool flow_extract_ipv4_l4(const uint8_t *pkt, uint32_t len,
					const struct flow_md *md, struct flow_key *key,
					struct flow_layout *layout)
{
	uint16_t tp_flags;

	return flow_extract_ipv4_l4_slot(pkt, len, md, key, layout, false, &tp_flags);
}

/*
 * flow_extract() without its shortcut for untagged IPv4 UDP/TCP frames:
 * every frame goes through the general parse. Same contract; for tests
 * that hold the shortcut to the general parse.
 */
void flow_extract_general(const uint8_t *pkt, uint32_t len, const struct flow_md *md,
			  struct flow_key *key, struct flow_layout *layout);

/*
 * Slot i of a PMD's per-burst key slots keys[] and layouts[], written
 * burst after burst, for a frame received with 'md', which must be the
 * same for every frame of the burst, slots filled in order from 0. Bit i
 * of *reusable says slot i holds what flow_extract_ipv4_l4_slot() wrote,
 * unchanged since (the caller clears it for a slot it writes otherwise);
 * it lets the shortcut write only the words that change, and it is
 * updated here. Bit i of *dup is set when key i is equal to key i-1:
 * both written by the shortcut in this burst (slot i-1 came just before,
 * so its *reusable bit says how), with the same metadata, and equal in
 * the words the frame gives. Any other pair (the general parse on either
 * side, a frame of another layout) is left unmarked, whatever the keys.
 * Returns the key's tp_flags (big-endian), from a register where the
 * shortcut has them: loading them back from the key waits for the store.
 * 'md' comes by value, and only a copy of it goes to the general parse,
 * so that its fields stay in registers over a burst: the key's word
 * stores may alias anything whose address is taken.
 */
static inline uint16_t flow_extract_burst_slot(const uint8_t *pkt, uint32_t len,
					       struct flow_md md, struct flow_key keys[],
					       struct flow_layout layouts[], uint32_t i,
					       uint32_t *reusable, uint32_t *dup)
{
	struct flow_key *key = &keys[i];
	uint32_t bit = 1u << i;
	uint16_t tp_flags;

	if (__builtin_expect(flow_extract_ipv4_l4_slot(pkt, len, &md, key, &layouts[i],
						       *reusable & bit, &tp_flags), 1)) {
		/* Slot i-1 was written earlier in this burst: its bit, moved
		 * to i, says by the shortcut (0 for slot 0, which compares
		 * with itself). Without a branch: whether a packet repeats
		 * the one before is a coin toss in mixed traffic. */
		uint32_t prev_shortcut = (*reusable << 1) & bit;
		uint32_t equal = flow_extract_ipv4_l4_equal(key, &keys[i - (i != 0)]);

		*dup |= prev_shortcut & -equal;
		*reusable |= bit;
		return tp_flags;
	}
	struct flow_md copy = md;

	flow_extract_general(pkt, len, &copy, key, &layouts[i]);
	*reusable &= ~bit;
	return key->tp_flags;
}

#endif /* FLOW_EXTRACT_H */
