/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flow_key: the datapath's flow key, and the mask that goes with it.
 *
 * One struct carries every field of the kernel's struct sw_flow_key (see
 * DESIGN.md). A mask is a struct flow_key too: a bit set in the mask means
 * "this bit of the key must match". A megaflow's key is stored pre-masked.
 *
 * Contract for every producer of a flow_key (extraction, netlink decoder,
 * text parser): the whole struct is defined, and every field the producer
 * did not set is zero, padding included. That lets consumers hash and
 * compare keys a 64-bit word at a time.
 *
 * Layout: fields are grouped so that the fields a typical megaflow matches
 * (in_port, eth_type, ip proto, addresses, ports) fall in few 64-bit
 * words; the classifier only touches the words its mask has bits in.
 * Multi-byte packet fields are in network byte order ("be"), metadata in
 * host order, as in the kernel's key.
 *
 * Thread safety: plain data, no shared state.
 */
#ifndef FLOW_KEY_H
#define FLOW_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* VLAN TCI bit the kernel sets in the key to say "a tag is present". */
#define FLOW_VLAN_PRESENT 0x1000 /* host order; store as htons() */

/* Tunnel metadata, as OVS_KEY_ATTR_TUNNEL (IPv4 tunnels, as the seed). */
struct flow_tunnel {
	uint64_t tun_id;      /* be64 */
	uint32_t ipv4_src;    /* be32 */
	uint32_t ipv4_dst;    /* be32 */
	uint16_t flags;       /* FLOW_TNL_F_*, host order */
	uint8_t tos;
	uint8_t ttl;
	uint16_t tp_src;      /* be16 */
	uint16_t tp_dst;      /* be16 */
};

/* flow_tunnel.flags: the no-argument OVS_TUNNEL_KEY_ATTR_* flags. */
#define FLOW_TNL_F_DONT_FRAGMENT (1u << 0)
#define FLOW_TNL_F_CSUM (1u << 1)
#define FLOW_TNL_F_OAM (1u << 2)
#define FLOW_TNL_F_KEY (1u << 3) /* tun_id present */

/* One VLAN header: TPID (0x8100 or 0x88a8) and TCI with FLOW_VLAN_PRESENT. */
struct flow_vlan {
	uint16_t tpid; /* be16 */
	uint16_t tci;  /* be16 */
};

struct flow_key {
	/* Metadata: set from the receive context, not from packet bytes. */
	struct flow_tunnel tun;  /*   0: 24 bytes */
	uint32_t priority;       /*  24 */
	uint32_t skb_mark;       /*  28 */
	uint32_t recirc_id;      /*  32 */
	uint32_t in_port;        /*  36: datapath port number */
	uint32_t dp_hash;        /*  40 */
	uint32_t ct_mark;        /*  44 */
	uint16_t ct_zone;        /*  48 */
	uint8_t ct_state;        /*  50: OVS_CS_F_* */
	uint8_t pad0;            /*  51 */
	uint32_t mpls_lse;       /*  52: be32, top label stack entry */

	/* L2. */
	uint8_t eth_dst[6];      /*  56: packet order: dst, then src */
	uint8_t eth_src[6];      /*  62 */
	uint16_t eth_type;       /*  68: be16, innermost ethertype */

	/* L3/L4 common (kernel's key->ip and key->tp). */
	uint8_t ip_proto;        /*  70: IP protocol, or ARP opcode low byte */
	uint8_t ip_tos;          /*  71 */
	uint8_t ip_ttl;          /*  72 */
	uint8_t ip_frag;         /*  73: OVS_FRAG_TYPE_* */
	uint16_t tp_flags;       /*  74: be16 TCP flags */
	uint16_t tp_src;         /*  76: be16; ICMP type as htons(type) */
	uint16_t tp_dst;         /*  78: be16; ICMP code as htons(code) */

	struct flow_vlan vlan;   /*  80: outer tag (802.1Q or 802.1ad) */
	struct flow_vlan cvlan;  /*  84: inner tag of a double-tagged frame */

	/* L3 addresses: which member is live follows eth_type. */
	union {
		struct {
			uint32_t src;            /*  88: be32; ARP spa */
			uint32_t dst;            /*  92: be32; ARP tpa */
			uint8_t arp_sha[6];      /*  96 */
			uint8_t arp_tha[6];      /* 102 */
		} ipv4;
		struct {
			uint8_t src[16];         /*  88 */
			uint8_t dst[16];         /* 104 */
			uint32_t label;          /* 120: be32, low 20 bits */
			uint32_t pad1;           /* 124 */
			uint8_t nd_target[16];   /* 128 */
			uint8_t nd_sll[6];       /* 144 */
			uint8_t nd_tll[6];       /* 150 */
			uint32_t pad2;           /* 156 */
		} ipv6;
	};

	uint8_t ct_labels[16];   /* 160: OVS_KEY_ATTR_CT_LABELS */
} __attribute__((aligned(8)));

/* A flow's unique identifier (OVS_FLOW_ATTR_UFID), 128 bits. */
struct flow_ufid {
	uint32_t u32[4];
};

#define FLOW_KEY_WORDS (sizeof(struct flow_key) / sizeof(uint64_t))

_Static_assert(sizeof(struct flow_key) == 176, "flow_key layout changed");
_Static_assert(offsetof(struct flow_key, eth_dst) == 56, "flow_key L2 offset");
_Static_assert(offsetof(struct flow_key, ipv6.pad2) == 156, "flow_key union");

/*
 * The key as 64-bit words, for hashing and masked compares. The key is
 * written field by field and read as words: may_alias tells the compiler
 * these reads alias the fields, so strict aliasing cannot reorder them.
 */
typedef uint64_t flow_word_t __attribute__((may_alias));

static inline const flow_word_t *flow_key_words(const struct flow_key *key)
{
	return (const flow_word_t *)key;
}

/* dst = src & mask, word by word. */
static inline void flow_key_mask_apply(struct flow_key *dst, const struct flow_key *src,
				       const struct flow_key *mask)
{
	const flow_word_t *s = flow_key_words(src), *m = flow_key_words(mask);
	flow_word_t *d = (flow_word_t *)dst;

	for (size_t i = 0; i < FLOW_KEY_WORDS; i++)
		d[i] = s[i] & m[i];
}

/* flow_key_mask_apply(), and whether the mask cut any bit of 'src' (false:
 * 'dst' equals 'src', which the same pass tells for free). */
static inline bool flow_key_mask_apply_cut(struct flow_key *dst, const struct flow_key *src,
					   const struct flow_key *mask)
{
	const flow_word_t *s = flow_key_words(src), *m = flow_key_words(mask);
	flow_word_t *d = (flow_word_t *)dst;
	uint64_t cut = 0;

	for (size_t i = 0; i < FLOW_KEY_WORDS; i++) {
		d[i] = s[i] & m[i];
		cut |= s[i] & ~m[i];
	}
	return cut != 0;
}

/* True when (pkt & mask) == masked_key, i.e. the packet matches the flow. */
static inline bool flow_key_masked_equal(const struct flow_key *pkt, const struct flow_key *mask,
					 const struct flow_key *masked_key)
{
	const flow_word_t *p = flow_key_words(pkt), *m = flow_key_words(mask);
	const flow_word_t *k = flow_key_words(masked_key);
	uint64_t diff = 0;

	for (size_t i = 0; i < FLOW_KEY_WORDS; i++)
		diff |= (p[i] & m[i]) ^ k[i];
	return diff == 0;
}

/*
 * True when the match (key, mask) keeps every bit the match (want_key,
 * want_mask) matches, with the same value; it may match more bits. A
 * match that went through encode and decode covers the original (a flow
 * without VLAN comes back matching "no tag", as in the kernel), never less.
 */
static inline bool flow_match_covers(const struct flow_key *key, const struct flow_key *mask,
				     const struct flow_key *want_key,
				     const struct flow_key *want_mask)
{
	const flow_word_t *k = flow_key_words(key), *mk = flow_key_words(mask);
	const flow_word_t *wk = flow_key_words(want_key), *wm = flow_key_words(want_mask);

	for (size_t i = 0; i < FLOW_KEY_WORDS; i++)
		if ((mk[i] & wm[i]) != wm[i] || (k[i] & wm[i]) != wk[i])
			return false;
	return true;
}

/* 16 bytes of zeros. The key is only 8-byte aligned, hence aligned(8);
 * may_alias because the stores cover fields of other types, which are
 * written right after (without it, type-based alias analysis could move
 * the zeroing past them). */
typedef uint64_t flow_key_zero16 __attribute__((vector_size(16), aligned(8), may_alias));
_Static_assert(sizeof(struct flow_key) % sizeof(flow_key_zero16) == 0,
	       "key is whole 16-byte blocks");

/*
 * Zero a whole key with eleven 16-byte stores. Not memset(): for 176
 * bytes GCC's x86-64 tunings emit "rep stos", whose start-up cost
 * dominated key extraction (bench_extract), and cost more than a call or
 * a copy in the codecs too. Zeroing only the words the parse does not
 * overwrite was no faster, so the simpler full zeroing stays. The unroll
 * pragma keeps GCC from turning the loop back into memset.
 */
static inline void flow_key_zero(struct flow_key *key)
{
	flow_key_zero16 *v = (flow_key_zero16 *)key;

#pragma GCC unroll 16
	for (size_t i = 0; i < sizeof(*key) / sizeof(flow_key_zero16); i++)
		v[i] = (flow_key_zero16){0, 0};
}

static inline bool flow_key_equal(const struct flow_key *a, const struct flow_key *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

#endif /* FLOW_KEY_H */
