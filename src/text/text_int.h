/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internals of the ovs-dpctl text format (src/text): the scanner shared by
 * the flow and action parsers, and the flow key attribute layer that both
 * flows and set() actions are made of.
 *
 * Key attributes are held as their <linux/openvswitch.h> payloads (struct
 * ovs_key_ipv4 and friends) with a mask payload of the same shape, exactly
 * like OVS's printer sees them; flow_text.c converts them to and from
 * struct flow_key, action_*.c put them in set() actions unchanged.
 */
#ifndef TEXT_INT_H
#define TEXT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dpsw_bytes.h"
#include "errmsg.h"
#include "flow_key.h"
#include "nlbuf.h"
#include "strbuf.h"

/* ---- Scanner (scan.c) ---- */

/* A cursor into a NUL-terminated input; offsets in errors count from base. */
struct scan {
	const char *base;
	const char *p;
	struct errmsg *err;
	int depth;        /* nesting of encap()/action lists */
};

void scan_init(struct scan *sc, const char *s, struct errmsg *err);
/* Record "-EINVAL at 'at'" with a printf message; returns -EINVAL. */
int scan_fail(struct scan *sc, const char *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Length of the token at p, for messages: up to a delimiter, at most 40. */
int scan_toklen(const char *p);
/* The name at p for "unknown field" messages: the word, else the token. */
int scan_namelen(const char *p);
/* If the input at the cursor starts with 'lit', consume it. Inline: with
 * a literal, the compiler folds the length and the comparison. */
static inline bool scan_lit(struct scan *sc, const char *lit)
{
	size_t n = __builtin_strlen(lit);

	if (__builtin_strncmp(sc->p, lit, n) != 0)
		return false;
	sc->p += n;
	return true;
}
/* Consume 'c' or fail with "expected 'c' <context>". */
int scan_expect(struct scan *sc, char c, const char *context);
/* Character classes (ASCII, as OVS writes them): a table in scan.c. */
enum {
	SC_DELIM = 1,   /* ',' and blanks: separators between attributes/actions */
	SC_WORD = 2,    /* [a-z0-9_]: names */
	SC_DIGIT = 4,   /* [0-9] */
	SC_XDIGIT = 8,  /* [0-9a-fA-F] */
	SC_ALNUM = 16,  /* [0-9a-zA-Z] */
};
extern const uint8_t scan_cclass[256];

static inline bool sc_is(char c, uint8_t cls)
{
	return scan_cclass[(unsigned char)c] & cls;
}

static inline bool scan_is_delim(char c)
{
	return sc_is(c, SC_DELIM);
}

/* The 'n' bytes at 'w' spell 'name' (of length n): names are short, and
 * a call to memcmp() cost more than the comparison. */
static inline bool scan_word_is(const char *w, const char *name, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (w[i] != name[i])
			return false;
	return true;
}

/* Skip the separators OVS allows between attributes and actions. */
static inline void scan_skip_delims(struct scan *sc)
{
	while (scan_is_delim(*sc->p))
		sc->p++;
}

/*
 * Unsigned integer as C's strtoul base 0 reads it (decimal, 0x hex, 0
 * octal), no sign, at most 'max'. 'what' names the field in messages.
 */
int scan_uint(struct scan *sc, uint64_t max, uint64_t *v, const char *what);
/* "V" or "V/M"; without a mask, *m = 'full'. */
int scan_uint_masked(struct scan *sc, uint64_t max, uint64_t full, uint64_t *v, uint64_t *m,
		     const char *what);
int scan_ipv4(struct scan *sc, uint32_t *be, const char *what);
int scan_mac(struct scan *sc, uint8_t mac[6], const char *what);
int scan_ipv6(struct scan *sc, uint8_t addr[16], const char *what);
/* 128-bit value, "0x" hex of up to 32 digits or a 64-bit number; big endian. */
int scan_u128(struct scan *sc, uint8_t be[16], const char *what);
/* A word of [a-z0-9_] (a field or keyword name); returns its length. */
int scan_word(const char *p);

/* ---- Formatting helpers (scan.c) ---- */

void fmt_mac(struct strbuf *sb, const uint8_t mac[6]);
void fmt_ipv4(struct strbuf *sb, uint32_t be);
void fmt_ipv6(struct strbuf *sb, const uint8_t addr[16]);
/* OVS's ds_put_hex(): "0x" and the bytes without leading zero bytes, or "0". */
void fmt_hex_be(struct strbuf *sb, const uint8_t *buf, size_t n);
/* OVS's format_flags() and format_flags_masked(). */
void fmt_flags(struct strbuf *sb, const char *(*name)(uint32_t), uint32_t flags, char del);
void fmt_flags_masked(struct strbuf *sb, const char *(*name)(uint32_t), uint32_t flags,
		      uint32_t mask, uint32_t max_mask);
/*
 * OVS's parse_flags(): "a|b" (mask UINT32_MAX), "+a-b" (masked) or
 * "V/M" numbers, up to 'end'. Consumes the flags, not 'end'.
 */
int scan_flags(struct scan *sc, const char *(*name)(uint32_t), char end, uint32_t allowed,
	       uint32_t *flags, uint32_t *mask, const char *what);

const char *tcp_flag_name(uint32_t bit);
const char *ct_state_name(uint32_t bit);
const char *tun_flag_name(uint32_t bit);

/* ---- Flow key attributes (key_attr.c, key_attr_parse.c, key_attr_format.c) ---- */

/* Tunnel flags as OVS numbers them in text: oam, df, csum, key. */
#define TXT_TNL_OAM 0x1u
#define TXT_TNL_DF 0x2u
#define TXT_TNL_CSUM 0x4u
#define TXT_TNL_KEY 0x8u
#define TXT_TNL_ALL 0xfu

#define KATTR_PAYLOAD_MAX 96

struct kattr {
	uint16_t type;       /* OVS_KEY_ATTR_*; OVS_KEY_ATTR_ENCAP for "encap(" */
	uint16_t len;        /* payload bytes of key and mask */
	uint16_t mask_len;   /* tunnel only: its mask stream's length */
	const char *at;      /* where the attribute's name starts, for errors */
	/* Tunnel only: the parsed fields (key holds the SET stream). */
	struct flow_tunnel tun_key, tun_mask;
	bool tun_masked;     /* some tunnel field had a partial mask */
	const char *field_at[8]; /* where each table field's value started */
	uint64_t key[KATTR_PAYLOAD_MAX / 8];
	uint64_t mask[KATTR_PAYLOAD_MAX / 8];
};

/*
 * Parse one key attribute "name(...)" at the cursor into 'ka', masks as
 * OVS's parser sets them (named fields exact unless "/mask", others zero).
 * For "encap(" only the name and the '(' are consumed. 0 or -EINVAL.
 */
int kattr_parse(struct scan *sc, struct kattr *ka);

/*
 * Append "name(fields)" for the attribute 'type' with payload 'key' of
 * 'len' bytes and mask 'mask' (NULL: exact, as in a set() action; for
 * the tunnel, a nested stream of 'mask_len' bytes). Fields are printed as
 * OVS's format_odp_key_attr() does; a bad length prints as OVS does.
 */
void kattr_format(struct strbuf *sb, uint16_t type, const void *key, size_t len,
		  const void *mask, size_t mask_len, bool verbose);

/* "vid=..,pcp=..[,cfi=0]" as OVS's format_vlan_tci() (host-order TCI). */
void fmt_vlan_tci(struct strbuf *sb, uint16_t tci, uint16_t mask, bool verbose);

/* True when 'mask' wildcards the whole attribute (OVS's rules). */
bool kattr_mask_is_wildcard(uint16_t type, const void *mask, size_t len);
/* True when 'mask' is exact for the attribute (OVS's rules). */
bool kattr_mask_is_exact(uint16_t type, const void *mask, size_t len);
/* Name of the attribute as OVS writes it, or NULL. */
const char *kattr_name(uint16_t type);

/* Tunnel nested stream <-> struct flow_tunnel (as OVS's tun_key_to_attr). */
size_t tunnel_to_stream(const struct flow_tunnel *t, uint8_t *buf, size_t cap);

/* ---- Netlink stream helpers ---- */

/*
 * Walk a netlink attribute stream without reading past it, as OVS's
 * NL_ATTR_FOR_EACH does: stops at the first attribute whose header or
 * length does not fit; *left then holds the unparsed bytes.
 */
static inline bool nla_next(const uint8_t **p, size_t *left, uint16_t *type,
			    const uint8_t **payload, size_t *plen)
{
	uint16_t nla_len;
	size_t step;

	if (*left < 4)
		return false;
	nla_len = rd16(*p);
	if (nla_len < 4 || nla_len > *left)
		return false;
	*type = rd16(*p + 2) & 0x3fff; /* drop NLA_F_NESTED / NLA_F_NET_BYTEORDER */
	*payload = *p + 4;
	*plen = nla_len - 4u;
	step = ((size_t)nla_len + 3) & ~(size_t)3;
	if (step > *left)
		step = *left;
	*p += step;
	*left -= step;
	return true;
}

/*
 * OVS's nl_policy_parse() for nested attributes: 'pol' has one entry per
 * attribute type (POL_NONE: ignored); fails on a bad length, a string
 * without its NUL, trailing garbage, or a required attribute missing.
 */
enum pol_type { POL_NONE, POL_U16, POL_U32, POL_FLAG, POL_NESTED, POL_UNSPEC, POL_STRING };
struct nl_pol {
	uint8_t type;
	bool optional;
	uint16_t min_len, max_len; /* 0: the type's default */
};
struct nl_got {
	const uint8_t *p; /* payload, NULL if absent */
	size_t len;
};
bool nla_parse_policy(const uint8_t *p, size_t len, const struct nl_pol *pol, size_t n,
		      struct nl_got *got);

/* ---- ct() (action_ct.c) ---- */
int ct_action_parse(struct scan *sc, struct nlbuf *b);
void ct_action_format(struct strbuf *sb, const uint8_t *payload, size_t len);

/* First attribute of 'type' in a stream, or NULL. */
const uint8_t *nla_find(const uint8_t *p, size_t len, uint16_t type, size_t *plen);

/* Bytes as OVS's format_generic_odp_key(): "01 02 03". */
void fmt_hex_spaced(struct strbuf *sb, const uint8_t *p, size_t n);

#endif /* TEXT_INT_H */
