/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The text format's key attribute table, shared by its parser
 * (key_attr_parse.c) and printer (key_attr_format.c); not an API. Names
 * and sizes are the codec's (odp_key_attr_info[]); this table adds how
 * the text writes each attribute.
 */
#ifndef KEY_ATTR_INT_H
#define KEY_ATTR_INT_H

#include <linux/openvswitch.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "text_int.h"

enum ftype {
	FT_ETH,   /* 6-byte MAC */
	FT_IPV4,  /* be32 address */
	FT_IN6,   /* 16-byte address */
	FT_LABEL, /* be32 IPv6 flow label, 20 bits */
	FT_U8U,   /* u8, decimal */
	FT_U8X,   /* u8, hex */
	FT_BE16,  /* be16, decimal */
	FT_FRAG,  /* u8 OVS_FRAG_TYPE_*, by name, no mask */
};

struct kfield {
	const char *name;
	enum ftype type;
	uint16_t off;
	uint8_t name_len; /* strlen(name): lookups compare lengths first */
};

/* How an attribute's parenthesised body is written. */
enum kkind {
	KK_FIELDS,    /* name=value,... from a kfield table */
	KK_U32,       /* one u32, "%#x" */
	KK_U16X,      /* one u16, "%#x" (ct_zone) */
	KK_PORT,      /* in_port: decimal */
	KK_ETHERTYPE, /* be16 "0x%04x" */
	KK_CT_STATE,  /* u32 flags */
	KK_TCP_FLAGS, /* be16 flags */
	KK_U128,      /* ct_label */
	KK_VLAN,      /* be16 TCI as vid/pcp/cfi */
	KK_MPLS,      /* label/tc/ttl/bos */
	KK_TUNNEL,    /* nested */
	KK_ENCAP,     /* nested flow */
	KK_UNSUPPORTED,
};

/* An attribute as the parser and printer use it: the text's columns of
 * odp_key_attr_info[] joined with ktexts[]. */
struct kdesc {
	const char *name;
	uint8_t name_len;
	uint16_t type;
	int16_t len; /* -1: variable or nested */
	enum kkind kind;
	const struct kfield *fields;
};

/*
 * Every attribute of every flow parsed is looked up by name, and every
 * attribute printed by type, so both go through an index rather than a
 * scan of the table: by name, open addressing on a hash of the word's
 * first and last letters and length (one or two probes); by type, a
 * direct table. Both are built before main() from the constant table, so
 * parsing threads only ever read them.
 */
#define KINDEX_SLOTS 128
#define KTYPE_SLOTS 64

extern struct kdesc kdescs[OVS_KEY_ATTR_MAX + 1]; /* the attributes with a text name */
extern uint8_t kindex_by_name[KINDEX_SLOTS];     /* kdescs index + 1; 0: empty */
extern uint8_t kindex_by_type[KTYPE_SLOTS];      /* kdescs index + 1; 0: none */

static inline unsigned int kname_hash(const char *w, size_t n)
{
	return ((unsigned char)w[0] * 31u + (unsigned char)w[n - 1] * 7u + (unsigned int)n) %
	       KINDEX_SLOTS;
}

/* The attribute named by the 'n' bytes at 'w', or NULL. */
static inline const struct kdesc *kdesc_by_name(const char *w, size_t n)
{
	if (n == 0)
		return NULL;
	for (unsigned int h = kname_hash(w, n); kindex_by_name[h]; h = (h + 1) % KINDEX_SLOTS) {
		const struct kdesc *d = &kdescs[kindex_by_name[h] - 1];

		if (d->name_len == n && scan_word_is(w, d->name, n))
			return d;
	}
	return NULL;
}

static inline const struct kdesc *kdesc_by_type(uint16_t type)
{
	return type < KTYPE_SLOTS && kindex_by_type[type] ? &kdescs[kindex_by_type[type] - 1]
							   : NULL;
}

static inline bool all_bytes(const void *p, size_t n, uint8_t v)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != v)
			return false;
	return true;
}

#endif /* KEY_ATTR_INT_H */
