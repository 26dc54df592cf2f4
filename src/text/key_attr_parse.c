/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Parsing flow key attributes: "ipv4(src=10.0.0.1,ttl=64/0xf0)" -> key
 * and mask payloads, as OVS's parser sets them (named fields exact unless
 * "/mask", the others zero), and the tunnel's nested streams.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "key_attr_int.h"

/* Store 'v' in a field of 'width' bytes, network order for 2 and 4. */
static void put_uint(void *p, size_t width, uint64_t v, bool be)
{
	uint8_t b1 = (uint8_t)v;
	uint16_t b2 = be ? htons((uint16_t)v) : (uint16_t)v;
	uint32_t b4 = be ? htonl((uint32_t)v) : (uint32_t)v;

	if (width == 1)
		memcpy(p, &b1, 1);
	else if (width == 2)
		memcpy(p, &b2, 2);
	else
		memcpy(p, &b4, 4);
}

static int parse_frag(struct scan *sc, uint8_t *key, uint8_t *mask)
{
	static const char *const names[] = { "no", "first", "later" };
	int n = scan_word(sc->p);

	for (unsigned i = 0; i < 3; i++) {
		if ((size_t)n == strlen(names[i]) && strncmp(sc->p, names[i], (size_t)n) == 0) {
			*key = (uint8_t)i;
			*mask = 0xff;
			sc->p += n;
			return 0;
		}
	}
	return scan_fail(sc, sc->p, "bad frag '%.*s' (expected no, first or later)",
			 scan_toklen(sc->p) ? scan_toklen(sc->p) : 1, sc->p);
}

/* An integer field of 'width' bytes up to 'max', with an optional mask. */
static int parse_uint_field(struct scan *sc, const struct kfield *f, uint8_t *key, uint8_t *mask,
			    uint64_t max, size_t width, bool be)
{
	uint64_t v, m;
	int err = scan_uint_masked(sc, max, max, &v, &m, f->name);

	if (err)
		return err;
	put_uint(key + f->off, width, v, be);
	put_uint(mask + f->off, width, m, be);
	return 0;
}

static int parse_field(struct scan *sc, const struct kfield *f, uint8_t *key, uint8_t *mask)
{
	int err;

	switch (f->type) {
	case FT_ETH:
		if ((err = scan_mac(sc, key + f->off, f->name)))
			return err;
		memset(mask + f->off, 0xff, 6);
		return scan_lit(sc, "/") ? scan_mac(sc, mask + f->off, "mask") : 0;
	case FT_IPV4:
		if ((err = scan_ipv4(sc, (uint32_t *)(void *)(key + f->off), f->name)))
			return err;
		memset(mask + f->off, 0xff, 4);
		return scan_lit(sc, "/") ? scan_ipv4(sc, (uint32_t *)(void *)(mask + f->off),
						     "mask") : 0;
	case FT_IN6:
		if ((err = scan_ipv6(sc, key + f->off, f->name)))
			return err;
		memset(mask + f->off, 0xff, 16);
		return scan_lit(sc, "/") ? scan_ipv6(sc, mask + f->off, "mask") : 0;
	case FT_LABEL:
		return parse_uint_field(sc, f, key, mask, 0xfffff, 4, true);
	case FT_U8U:
	case FT_U8X:
		return parse_uint_field(sc, f, key, mask, 0xff, 1, false);
	case FT_BE16:
		return parse_uint_field(sc, f, key, mask, 0xffff, 2, true);
	case FT_FRAG:
		return parse_frag(sc, key + f->off, mask + f->off);
	}
	return -EINVAL;
}

/* "field=value,..." up to and including ')', for a kfield table. */
static int parse_fields(struct scan *sc, const struct kdesc *d, struct kattr *ka)
{
	uint8_t *key = (uint8_t *)ka->key, *mask = (uint8_t *)ka->mask;

	while (*sc->p != ')') {
		const struct kfield *f;
		const char *at = sc->p;
		int n = scan_word(sc->p), err;

		for (f = d->fields; f->name; f++)
			if (f->name_len == n && scan_word_is(at, f->name, (size_t)n))
				break;
		if (f->name == NULL || at[n] != '=')
			return scan_fail(sc, at, "unknown field '%.*s' in %s()",
					 scan_namelen(at), at, d->name);
		sc->p += n + 1;
		ka->field_at[f - d->fields] = sc->p;
		if ((err = parse_field(sc, f, key, mask)))
			return err;
		if (*sc->p == ',')
			sc->p++;
		else if (*sc->p != ')')
			return scan_expect(sc, ')', "after a field");
	}
	sc->p++;
	return 0;
}

/* Set 'bits' bits at 'shift' of a be16 or be32 bitfield. */
static void set_bits(void *p, size_t width, unsigned shift, uint64_t bits_mask, uint64_t v)
{
	uint32_t cur = width == 2 ? ntohs(rd16(p)) : ntohl(rd32(p));

	cur = (uint32_t)((cur & ~(bits_mask << shift)) | (v << shift));
	put_uint(p, width, cur, true);
}

struct kbits {
	const char *name;
	unsigned shift;
	uint32_t max;
};

/* vlan() and mpls(): named bitfields of one be16/be32, masks per field. */
static int parse_bitfields(struct scan *sc, const char *attr, const struct kbits *bits,
			   size_t width, uint8_t *key, uint8_t *mask, bool one_entry)
{
	uint32_t seen = 0;

	while (*sc->p != ')') {
		const char *at = sc->p;
		int n = scan_word(sc->p), i, err;
		uint64_t v, m;

		for (i = 0; bits[i].name; i++)
			if ((size_t)n == strlen(bits[i].name) &&
			    strncmp(at, bits[i].name, (size_t)n) == 0)
				break;
		if (bits[i].name == NULL || at[n] != '=')
			return scan_fail(sc, at, "unknown field '%.*s' in %s()",
					 scan_namelen(at), at, attr);
		if (one_entry && (seen & (1u << i)))
			return scan_fail(sc, at, "only one MPLS label stack entry is supported");
		seen |= 1u << i;
		sc->p += n + 1;
		if ((err = scan_uint(sc, bits[i].max, &v, bits[i].name)))
			return err;
		set_bits(key, width, bits[i].shift, bits[i].max, v);
		if (scan_lit(sc, "/")) {
			if ((err = scan_uint(sc, bits[i].max, &m, "mask")))
				return err;
			set_bits(mask, width, bits[i].shift, bits[i].max, m);
		} else {
			set_bits(mask, width, bits[i].shift, bits[i].max, bits[i].max);
		}
		if (*sc->p == ',')
			sc->p++;
		else if (*sc->p != ')')
			return scan_expect(sc, ')', "after a field");
	}
	sc->p++;
	return 0;
}

static const struct kbits vlan_bits[] = {
	{ "vid", 0, 0xfff }, { "pcp", 13, 7 }, { "cfi", 12, 1 }, { NULL, 0, 0 },
};
static const struct kbits mpls_bits[] = {
	{ "label", 12, 0xfffff }, { "tc", 9, 7 }, { "ttl", 0, 0xff }, { "bos", 8, 1 },
	{ NULL, 0, 0 },
};

static uint16_t tun_flags_from_text(uint32_t t)
{
	return (uint16_t)((t & TXT_TNL_OAM ? FLOW_TNL_F_OAM : 0) |
			  (t & TXT_TNL_DF ? FLOW_TNL_F_DONT_FRAGMENT : 0) |
			  (t & TXT_TNL_CSUM ? FLOW_TNL_F_CSUM : 0) |
			  (t & TXT_TNL_KEY ? FLOW_TNL_F_KEY : 0));
}

/* Append a tunnel sub-attribute to a nested stream in 'buf'. */
static size_t put_sub(uint8_t *buf, size_t ofs, uint16_t type, const void *data, size_t len)
{
	uint16_t nla_len = (uint16_t)(4 + len), zero = 0;

	memcpy(buf + ofs, &nla_len, 2);
	memcpy(buf + ofs + 2, &type, 2);
	if (len)
		memcpy(buf + ofs + 4, data, len);
	for (size_t i = 4 + len; i % 4; i++)
		memcpy(buf + ofs + i, &zero, 1);
	return ofs + ((4 + len + 3) & ~(size_t)3);
}

size_t tunnel_to_stream(const struct flow_tunnel *t, uint8_t *buf, size_t cap)
{
	size_t n = 0;

	if (cap < 96)
		return 0;
	if (t->tun_id || (t->flags & FLOW_TNL_F_KEY))
		n = put_sub(buf, n, OVS_TUNNEL_KEY_ATTR_ID, &t->tun_id, sizeof(t->tun_id));
	if (t->ipv4_src)
		n = put_sub(buf, n, OVS_TUNNEL_KEY_ATTR_IPV4_SRC, &t->ipv4_src, sizeof(t->ipv4_src));
	if (t->ipv4_dst)
		n = put_sub(buf, n, OVS_TUNNEL_KEY_ATTR_IPV4_DST, &t->ipv4_dst, sizeof(t->ipv4_dst));
	if (t->tos)
		n = put_sub(buf, n, OVS_TUNNEL_KEY_ATTR_TOS, &t->tos, sizeof(t->tos));
	n = put_sub(buf, n, OVS_TUNNEL_KEY_ATTR_TTL, &t->ttl, sizeof(t->ttl));
	if (t->flags & FLOW_TNL_F_DONT_FRAGMENT)
		n = put_sub(buf, n, OVS_TUNNEL_KEY_ATTR_DONT_FRAGMENT, NULL, 0);
	if (t->flags & FLOW_TNL_F_CSUM)
		n = put_sub(buf, n, OVS_TUNNEL_KEY_ATTR_CSUM, NULL, 0);
	if (t->tp_src)
		n = put_sub(buf, n, OVS_TUNNEL_KEY_ATTR_TP_SRC, &t->tp_src, sizeof(t->tp_src));
	if (t->tp_dst)
		n = put_sub(buf, n, OVS_TUNNEL_KEY_ATTR_TP_DST, &t->tp_dst, sizeof(t->tp_dst));
	if (t->flags & FLOW_TNL_F_OAM)
		n = put_sub(buf, n, OVS_TUNNEL_KEY_ATTR_OAM, NULL, 0);
	return n;
}

/* Tunnel fields a tunnel() names, so that set(tunnel()) carries them all. */
enum {
	TP_ID = 1 << 0, TP_SRC = 1 << 1, TP_DST = 1 << 2, TP_TOS = 1 << 3, TP_TTL = 1 << 4,
	TP_TPSRC = 1 << 5, TP_TPDST = 1 << 6,
};

/*
 * The SET stream of a tunnel(): the named fields, in the order OVS's
 * tun_key_to_attr() writes them (so printing then parsing gives the same
 * bytes whatever order the text used).
 */
static size_t tunnel_set_stream(const struct flow_tunnel *t, unsigned present, uint8_t *buf)
{
	size_t n = 0;

	if (present & TP_ID)
		n = put_sub(buf, n, OVS_TUNNEL_KEY_ATTR_ID, &t->tun_id, sizeof(t->tun_id));
	if (present & TP_SRC)
		n = put_sub(buf, n, OVS_TUNNEL_KEY_ATTR_IPV4_SRC, &t->ipv4_src, sizeof(t->ipv4_src));
	if (present & TP_DST)
		n = put_sub(buf, n, OVS_TUNNEL_KEY_ATTR_IPV4_DST, &t->ipv4_dst, sizeof(t->ipv4_dst));
	if (present & TP_TOS)
		n = put_sub(buf, n, OVS_TUNNEL_KEY_ATTR_TOS, &t->tos, sizeof(t->tos));
	if (present & TP_TTL)
		n = put_sub(buf, n, OVS_TUNNEL_KEY_ATTR_TTL, &t->ttl, sizeof(t->ttl));
	if (t->flags & FLOW_TNL_F_DONT_FRAGMENT)
		n = put_sub(buf, n, OVS_TUNNEL_KEY_ATTR_DONT_FRAGMENT, NULL, 0);
	if (t->flags & FLOW_TNL_F_CSUM)
		n = put_sub(buf, n, OVS_TUNNEL_KEY_ATTR_CSUM, NULL, 0);
	if (present & TP_TPSRC)
		n = put_sub(buf, n, OVS_TUNNEL_KEY_ATTR_TP_SRC, &t->tp_src, sizeof(t->tp_src));
	if (present & TP_TPDST)
		n = put_sub(buf, n, OVS_TUNNEL_KEY_ATTR_TP_DST, &t->tp_dst, sizeof(t->tp_dst));
	if (t->flags & FLOW_TNL_F_OAM)
		n = put_sub(buf, n, OVS_TUNNEL_KEY_ATTR_OAM, NULL, 0);
	return n;
}

/* The "name=value[/mask]" fields of tunnel(), where each goes in struct
 * flow_tunnel and how it is written. */
enum { TF_ID, TF_IPV4, TF_U8, TF_PORT };
static const struct tun_field {
	const char *name;
	const char *what;  /* for messages */
	uint8_t kind;
	uint8_t off;       /* in struct flow_tunnel */
	unsigned int bit;  /* TP_* */
} tun_fields[] = {
	{ "tun_id", "tun_id", TF_ID, offsetof(struct flow_tunnel, tun_id), TP_ID },
	{ "src", "src", TF_IPV4, offsetof(struct flow_tunnel, ipv4_src), TP_SRC },
	{ "dst", "dst", TF_IPV4, offsetof(struct flow_tunnel, ipv4_dst), TP_DST },
	{ "tos", "tos", TF_U8, offsetof(struct flow_tunnel, tos), TP_TOS },
	{ "ttl", "ttl", TF_U8, offsetof(struct flow_tunnel, ttl), TP_TTL },
	{ "tp_src", "port", TF_PORT, offsetof(struct flow_tunnel, tp_src), TP_TPSRC },
	{ "tp_dst", "port", TF_PORT, offsetof(struct flow_tunnel, tp_dst), TP_TPDST },
};

/* Fields OVS's tunnel() has that this datapath does not. */
static const char *const tun_unsupported[] = {
	"ipv6_src", "ipv6_dst", "geneve", "vxlan", "erspan", "gtpu",
};

static bool word_is(const char *at, int w, const char *name)
{
	return (size_t)w == strlen(name) && strncmp(at, name, (size_t)w) == 0;
}

/* "flags(...)": "key" comes with tun_id, so a flag only keeps what
 * tun_id set. */
static int parse_tunnel_flags(struct scan *sc, struct kattr *ka)
{
	uint32_t f, fm;
	int err;

	if ((err = scan_flags(sc, tun_flag_name, ')', TXT_TNL_ALL, &f, &fm, "tunnel")))
		return err;
	sc->p++;
	ka->tun_key.flags = (uint16_t)((ka->tun_key.flags & FLOW_TNL_F_KEY) |
				       tun_flags_from_text(f));
	ka->tun_mask.flags = (uint16_t)((ka->tun_mask.flags & FLOW_TNL_F_KEY) |
					tun_flags_from_text(fm));
	if ((fm & TXT_TNL_ALL) != TXT_TNL_ALL)
		ka->tun_masked = true;
	return 0;
}

/* A value and its mask into the field's place in tun_key and tun_mask. */
static int parse_tunnel_value(struct scan *sc, const struct tun_field *f, struct kattr *ka)
{
	uint8_t *k = (uint8_t *)&ka->tun_key + f->off, *m = (uint8_t *)&ka->tun_mask + f->off;
	uint64_t v, vm;
	uint32_t a, am = UINT32_MAX;
	int err;

	switch (f->kind) {
	case TF_ID:
		if ((err = scan_uint_masked(sc, UINT64_MAX, UINT64_MAX, &v, &vm, f->what)))
			return err;
		v = __builtin_bswap64(v);
		memcpy(k, &v, sizeof(v));
		v = __builtin_bswap64(vm);
		memcpy(m, &v, sizeof(v));
		ka->tun_key.flags |= FLOW_TNL_F_KEY;
		ka->tun_mask.flags |= FLOW_TNL_F_KEY;
		ka->tun_masked |= vm != UINT64_MAX;
		return 0;
	case TF_IPV4:
		if ((err = scan_ipv4(sc, &a, f->what)) ||
		    (scan_lit(sc, "/") && (err = scan_ipv4(sc, &am, "mask"))))
			return err;
		memcpy(k, &a, sizeof(a));
		memcpy(m, &am, sizeof(am));
		ka->tun_masked |= am != UINT32_MAX;
		return 0;
	default: { /* TF_U8, TF_PORT: a byte, or a be16 */
		uint64_t max = f->kind == TF_U8 ? 0xff : 0xffff;

		if ((err = scan_uint_masked(sc, max, max, &v, &vm, f->what)))
			return err;
		put_uint(k, f->kind == TF_U8 ? 1 : 2, v, true);
		put_uint(m, f->kind == TF_U8 ? 1 : 2, vm, true);
		ka->tun_masked |= vm != max;
		return 0;
	}
	}
}

/* One "name=value[/mask]" (or "flags(...)") of tunnel(). */
static int parse_tunnel_field(struct scan *sc, struct kattr *ka, unsigned *present)
{
	const char *at = sc->p;
	int w = scan_word(sc->p);

	if (word_is(at, w, "flags") && at[w] == '(') {
		sc->p += w + 1;
		return parse_tunnel_flags(sc, ka);
	}
	if (at[w] == '=') {
		for (size_t i = 0; i < sizeof(tun_fields) / sizeof(tun_fields[0]); i++) {
			if (!word_is(at, w, tun_fields[i].name))
				continue;
			sc->p += w + 1;
			*present |= tun_fields[i].bit;
			return parse_tunnel_value(sc, &tun_fields[i], ka);
		}
		for (size_t i = 0; i < sizeof(tun_unsupported) / sizeof(tun_unsupported[0]); i++)
			if (word_is(at, w, tun_unsupported[i]))
				return scan_fail(sc, at, "tunnel field '%.*s' is not supported", w,
						 at);
	}
	return scan_fail(sc, at, "unknown field '%.*s' in tunnel()", scan_namelen(at), at);
}

static int parse_tunnel(struct scan *sc, struct kattr *ka)
{
	unsigned present = 0;
	int err;

	memset(&ka->tun_key, 0, sizeof(ka->tun_key));
	memset(&ka->tun_mask, 0, sizeof(ka->tun_mask));
	ka->tun_masked = false;
	while (*sc->p != ')') {
		if ((err = parse_tunnel_field(sc, ka, &present)))
			return err;
		if (*sc->p == ',')
			sc->p++;
		else if (*sc->p != ')')
			return scan_expect(sc, ')', "after a field");
	}
	sc->p++;
	ka->len = (uint16_t)tunnel_set_stream(&ka->tun_key, present, (uint8_t *)ka->key);
	ka->mask_len = (uint16_t)tunnel_to_stream(&ka->tun_mask, (uint8_t *)ka->mask,
						  KATTR_PAYLOAD_MAX);
	return 0;
}

/* The one-number and flag attributes, up to and including ')'. */
static int parse_scalar(struct scan *sc, const struct kdesc *d, uint8_t *key, uint8_t *mask)
{
	uint64_t v, m;
	uint32_t f, fm;
	int err;

	switch (d->kind) {
	case KK_U32:
	case KK_PORT:
		err = scan_uint_masked(sc, UINT32_MAX, UINT32_MAX, &v, &m, d->name);
		put_uint(key, 4, v, false);
		put_uint(mask, 4, m, false);
		break;
	case KK_U16X:
	case KK_ETHERTYPE:
		err = scan_uint_masked(sc, 0xffff, 0xffff, &v, &m, d->name);
		put_uint(key, 2, v, d->kind == KK_ETHERTYPE);
		put_uint(mask, 2, m, d->kind == KK_ETHERTYPE);
		break;
	case KK_CT_STATE:
		/* The unmasked "a|b" form has OVS's all-ones 32-bit mask. */
		err = scan_flags(sc, ct_state_name, ')', 0xff, &f, &fm, "ct_state");
		put_uint(key, 4, f, false);
		put_uint(mask, 4, fm, false);
		break;
	default: /* KK_TCP_FLAGS */
		err = scan_flags(sc, tcp_flag_name, ')', 0x0fff, &f, &fm, "tcp");
		put_uint(key, 2, f, true);
		put_uint(mask, 2, fm, true);
		break;
	}
	if (err)
		return err;
	return scan_expect(sc, ')', d->kind == KK_CT_STATE || d->kind == KK_TCP_FLAGS
					    ? "after the flags" : "after the value");
}

/* ct_label: a 128-bit number, carried in little-endian order. */
static int parse_u128(struct scan *sc, const struct kdesc *d, uint8_t *key, uint8_t *mask)
{
	uint8_t be[16], bm[16];
	int err;

	if ((err = scan_u128(sc, be, d->name)))
		return err;
	memset(bm, 0xff, 16);
	if (scan_lit(sc, "/") && (err = scan_u128(sc, bm, "mask")))
		return err;
	for (int i = 0; i < 16; i++) {
		key[i] = be[15 - i];
		mask[i] = bm[15 - i];
	}
	return scan_expect(sc, ')', "after the value");
}

static int parse_body(struct scan *sc, const struct kdesc *d, struct kattr *ka)
{
	uint8_t *key = (uint8_t *)ka->key, *mask = (uint8_t *)ka->mask;

	switch (d->kind) {
	case KK_FIELDS:
		return parse_fields(sc, d, ka);
	case KK_U128:
		return parse_u128(sc, d, key, mask);
	case KK_VLAN:
		/* A tag is present unless "cfi=0" says otherwise. */
		put_uint(key, 2, 0x1000, true);
		put_uint(mask, 2, 0x1000, true);
		return parse_bitfields(sc, d->name, vlan_bits, 2, key, mask, false);
	case KK_MPLS:
		return parse_bitfields(sc, d->name, mpls_bits, 4, key, mask, true);
	case KK_TUNNEL:
		return parse_tunnel(sc, ka);
	case KK_U32:
	case KK_PORT:
	case KK_U16X:
	case KK_ETHERTYPE:
	case KK_CT_STATE:
	case KK_TCP_FLAGS:
		return parse_scalar(sc, d, key, mask);
	default:
		return -EINVAL;
	}
}

int kattr_parse(struct scan *sc, struct kattr *ka)
{
	const char *at = sc->p;
	int n = scan_word(at);
	const struct kdesc *d = kdesc_by_name(at, (size_t)n);

	if (d == NULL || at[n] != '(') {
		if (d && at[n] == '\0')
			return scan_fail(sc, at + n, "missing '(' after '%s'", d->name);
		return scan_fail(sc, at, "unknown key attribute '%.*s'",
				 scan_toklen(at) ? scan_toklen(at) : 1, at);
	}
	if (d->kind == KK_UNSUPPORTED)
		return scan_fail(sc, at, "key attribute '%s' is not supported", d->name);
	/* Only what the attribute can write (most payloads are small, and a
	 * flow has several attributes), with fixed sizes so that the compiler
	 * stores vectors; not the tunnel fields: parse_tunnel() sets them, and
	 * nothing else reads them. */
	_Static_assert(KATTR_PAYLOAD_MAX >= 48, "small payloads fit");
	if (d->len >= 0 && d->len <= 48) {
		memset(ka->key, 0, 48);
		memset(ka->mask, 0, 48);
	} else {
		memset(ka->key, 0, sizeof(ka->key));
		memset(ka->mask, 0, sizeof(ka->mask));
	}
	memset(ka->field_at, 0, sizeof(ka->field_at));
	ka->tun_masked = false;
	ka->type = d->type;
	ka->at = at;
	ka->len = d->len > 0 ? (uint16_t)d->len : 4;
	ka->mask_len = ka->len;
	sc->p = at + n + 1;
	if (d->kind == KK_ENCAP)
		return 0;
	return parse_body(sc, d, ka);
}
