/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow key attributes in text: "ipv4(src=10.0.0.1,ttl=64/0xf0)" <->
 * (struct ovs_key_ipv4 key, struct ovs_key_ipv4 mask). The field tables
 * below list, per attribute, the fields in the order OVS prints them and
 * how each is written (decimal, hex, address, enum); parsing and printing
 * both walk the same table so they cannot drift apart.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/openvswitch.h>
#include <stddef.h>
#include <string.h>

#include "odp_attr_info.h"
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

#define F(n, t, s, m) { n, t, offsetof(struct s, m), sizeof(n) - 1 }

static const struct kfield eth_fields[] = {
	F("src", FT_ETH, ovs_key_ethernet, eth_src),
	F("dst", FT_ETH, ovs_key_ethernet, eth_dst),
	{ NULL, 0, 0, 0 },
};
static const struct kfield ipv4_fields[] = {
	F("src", FT_IPV4, ovs_key_ipv4, ipv4_src),
	F("dst", FT_IPV4, ovs_key_ipv4, ipv4_dst),
	F("proto", FT_U8U, ovs_key_ipv4, ipv4_proto),
	F("tos", FT_U8X, ovs_key_ipv4, ipv4_tos),
	F("ttl", FT_U8U, ovs_key_ipv4, ipv4_ttl),
	F("frag", FT_FRAG, ovs_key_ipv4, ipv4_frag),
	{ NULL, 0, 0, 0 },
};
static const struct kfield ipv6_fields[] = {
	F("src", FT_IN6, ovs_key_ipv6, ipv6_src),
	F("dst", FT_IN6, ovs_key_ipv6, ipv6_dst),
	F("label", FT_LABEL, ovs_key_ipv6, ipv6_label),
	F("proto", FT_U8U, ovs_key_ipv6, ipv6_proto),
	F("tclass", FT_U8X, ovs_key_ipv6, ipv6_tclass),
	F("hlimit", FT_U8U, ovs_key_ipv6, ipv6_hlimit),
	F("frag", FT_FRAG, ovs_key_ipv6, ipv6_frag),
	{ NULL, 0, 0, 0 },
};
/* tcp, udp and sctp share one layout. */
static const struct kfield tp_fields[] = {
	F("src", FT_BE16, ovs_key_tcp, tcp_src),
	F("dst", FT_BE16, ovs_key_tcp, tcp_dst),
	{ NULL, 0, 0, 0 },
};
static const struct kfield icmp_fields[] = {
	F("type", FT_U8U, ovs_key_icmp, icmp_type),
	F("code", FT_U8U, ovs_key_icmp, icmp_code),
	{ NULL, 0, 0, 0 },
};
static const struct kfield arp_fields[] = {
	F("sip", FT_IPV4, ovs_key_arp, arp_sip),
	F("tip", FT_IPV4, ovs_key_arp, arp_tip),
	F("op", FT_BE16, ovs_key_arp, arp_op),
	F("sha", FT_ETH, ovs_key_arp, arp_sha),
	F("tha", FT_ETH, ovs_key_arp, arp_tha),
	{ NULL, 0, 0, 0 },
};
static const struct kfield nd_fields[] = {
	F("target", FT_IN6, ovs_key_nd, nd_target),
	F("sll", FT_ETH, ovs_key_nd, nd_sll),
	F("tll", FT_ETH, ovs_key_nd, nd_tll),
	{ NULL, 0, 0, 0 },
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

/* How the text writes an attribute; its name and size are
 * odp_key_attr_info[]'s. */
struct ktext {
	enum kkind kind;
	const struct kfield *fields;
};

static const struct ktext ktexts[OVS_KEY_ATTR_MAX + 1] = {
	[OVS_KEY_ATTR_ENCAP] = { KK_ENCAP, NULL },
	[OVS_KEY_ATTR_PRIORITY] = { KK_U32, NULL },
	[OVS_KEY_ATTR_IN_PORT] = { KK_PORT, NULL },
	[OVS_KEY_ATTR_ETHERNET] = { KK_FIELDS, eth_fields },
	[OVS_KEY_ATTR_VLAN] = { KK_VLAN, NULL },
	[OVS_KEY_ATTR_ETHERTYPE] = { KK_ETHERTYPE, NULL },
	[OVS_KEY_ATTR_IPV4] = { KK_FIELDS, ipv4_fields },
	[OVS_KEY_ATTR_IPV6] = { KK_FIELDS, ipv6_fields },
	[OVS_KEY_ATTR_TCP] = { KK_FIELDS, tp_fields },
	[OVS_KEY_ATTR_UDP] = { KK_FIELDS, tp_fields },
	[OVS_KEY_ATTR_ICMP] = { KK_FIELDS, icmp_fields },
	[OVS_KEY_ATTR_ICMPV6] = { KK_FIELDS, icmp_fields },
	[OVS_KEY_ATTR_ARP] = { KK_FIELDS, arp_fields },
	[OVS_KEY_ATTR_ND] = { KK_FIELDS, nd_fields },
	[OVS_KEY_ATTR_SKB_MARK] = { KK_U32, NULL },
	[OVS_KEY_ATTR_TUNNEL] = { KK_TUNNEL, NULL },
	[OVS_KEY_ATTR_SCTP] = { KK_FIELDS, tp_fields },
	[OVS_KEY_ATTR_TCP_FLAGS] = { KK_TCP_FLAGS, NULL },
	[OVS_KEY_ATTR_DP_HASH] = { KK_U32, NULL },
	[OVS_KEY_ATTR_RECIRC_ID] = { KK_U32, NULL },
	[OVS_KEY_ATTR_MPLS] = { KK_MPLS, NULL },
	[OVS_KEY_ATTR_CT_STATE] = { KK_CT_STATE, NULL },
	[OVS_KEY_ATTR_CT_ZONE] = { KK_U16X, NULL },
	[OVS_KEY_ATTR_CT_MARK] = { KK_U32, NULL },
	[OVS_KEY_ATTR_CT_LABELS] = { KK_U128, NULL },
	/* The others OVS's text knows are not carried by struct flow_key:
	 * the codec's table marks them unsupported. */
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

static struct kdesc kdescs[OVS_KEY_ATTR_MAX + 1];  /* the attributes with a text name */
static uint8_t kindex_by_name[KINDEX_SLOTS]; /* kdescs index + 1; 0: empty */
static uint8_t kindex_by_type[KTYPE_SLOTS];  /* kdescs index + 1; 0: none */

static unsigned int kname_hash(const char *w, size_t n)
{
	return ((unsigned char)w[0] * 31u + (unsigned char)w[n - 1] * 7u + (unsigned int)n) %
	       KINDEX_SLOTS;
}

static struct kdesc kdesc_make(uint16_t type, const struct odp_key_attr_info *ki)
{
	bool unsupported = ki->pol.kind == NL_POL_UNSUPPORTED;

	return (struct kdesc){
		.name = ki->text_name,
		.name_len = (uint8_t)strlen(ki->text_name),
		.type = type,
		.len = (int16_t)odp_key_attr_text_len(ki),
		.kind = unsupported ? KK_UNSUPPORTED : ktexts[type].kind,
		.fields = unsupported ? NULL : ktexts[type].fields,
	};
}

static void kindex_add(size_t i)
{
	unsigned int h = kname_hash(kdescs[i].name, kdescs[i].name_len);

	while (kindex_by_name[h])
		h = (h + 1) % KINDEX_SLOTS;
	kindex_by_name[h] = (uint8_t)(i + 1);
	kindex_by_type[kdescs[i].type] = (uint8_t)(i + 1);
}

__attribute__((constructor)) static void kindex_build(void)
{
	size_t n = 0;

	_Static_assert(OVS_KEY_ATTR_MAX + 1 < KINDEX_SLOTS / 2, "index too small");
	_Static_assert(OVS_KEY_ATTR_MAX < KTYPE_SLOTS, "type index too small");
	for (uint16_t t = 0; t <= OVS_KEY_ATTR_MAX; t++) {
		const struct odp_key_attr_info *ki = odp_key_attr_find(t);

		if (ki == NULL || ki->text_name == NULL)
			continue;
		kdescs[n] = kdesc_make(t, ki);
		kindex_add(n++);
	}
}

/* The attribute named by the 'n' bytes at 'w', or NULL. */
static const struct kdesc *kdesc_by_name(const char *w, size_t n)
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

static const struct kdesc *kdesc_by_type(uint16_t type)
{
	return type < KTYPE_SLOTS && kindex_by_type[type] ? &kdescs[kindex_by_type[type] - 1]
							   : NULL;
}

const char *kattr_name(uint16_t type)
{
	const struct kdesc *d = kdesc_by_type(type);

	return d ? d->name : NULL;
}

static bool all_bytes(const void *p, size_t n, uint8_t v)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != v)
			return false;
	return true;
}

/* OVS's odp_mask_is_constant__(): which bytes count, per attribute. */
static bool mask_is_constant(uint16_t type, const void *mask, size_t len, bool ones)
{
	const uint8_t v = ones ? 0xff : 0;

	switch (type) {
	case OVS_KEY_ATTR_ENCAP:
		return false;
	case OVS_KEY_ATTR_TCP_FLAGS:
		return len == 2 && (ntohs(rd16(mask)) & 0x0fff) == (ones ? 0x0fff : 0);
	case OVS_KEY_ATTR_IPV6: {
		const struct ovs_key_ipv6 *m = mask;

		if (len != sizeof(*m))
			return false;
		return (ntohl(rd32(&m->ipv6_label)) & 0xfffff) == (ones ? 0xfffffu : 0) &&
		       m->ipv6_proto == v && m->ipv6_tclass == v && m->ipv6_hlimit == v &&
		       m->ipv6_frag == v && all_bytes(m->ipv6_src, 16, v) &&
		       all_bytes(m->ipv6_dst, 16, v);
	}
	case OVS_KEY_ATTR_ARP:
		return len >= offsetof(struct ovs_key_arp, arp_tha) + 6 &&
		       all_bytes(mask, offsetof(struct ovs_key_arp, arp_tha) + 6, v);
	default:
		return kdesc_by_type(type) != NULL && all_bytes(mask, len, v);
	}
}

bool kattr_mask_is_wildcard(uint16_t type, const void *mask, size_t len)
{
	return mask_is_constant(type, mask, len, false);
}

bool kattr_mask_is_exact(uint16_t type, const void *mask, size_t len)
{
	return mask_is_constant(type, mask, len, true);
}

/* ==================== Parsing ==================== */

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

static int parse_field(struct scan *sc, const struct kfield *f, uint8_t *key, uint8_t *mask)
{
	uint64_t v, m;
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
		if ((err = scan_uint_masked(sc, 0xfffff, 0xfffff, &v, &m, f->name)))
			return err;
		put_uint(key + f->off, 4, v, true);
		put_uint(mask + f->off, 4, m, true);
		return 0;
	case FT_U8U:
	case FT_U8X:
		if ((err = scan_uint_masked(sc, 0xff, 0xff, &v, &m, f->name)))
			return err;
		key[f->off] = (uint8_t)v;
		mask[f->off] = (uint8_t)m;
		return 0;
	case FT_BE16:
		if ((err = scan_uint_masked(sc, 0xffff, 0xffff, &v, &m, f->name)))
			return err;
		put_uint(key + f->off, 2, v, true);
		put_uint(mask + f->off, 2, m, true);
		return 0;
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
		n = put_sub(buf, n, OVS_TUNNEL_KEY_ATTR_ID, &t->tun_id, 8);
	if (t->ipv4_src)
		n = put_sub(buf, n, OVS_TUNNEL_KEY_ATTR_IPV4_SRC, &t->ipv4_src, 4);
	if (t->ipv4_dst)
		n = put_sub(buf, n, OVS_TUNNEL_KEY_ATTR_IPV4_DST, &t->ipv4_dst, 4);
	if (t->tos)
		n = put_sub(buf, n, OVS_TUNNEL_KEY_ATTR_TOS, &t->tos, 1);
	n = put_sub(buf, n, OVS_TUNNEL_KEY_ATTR_TTL, &t->ttl, 1);
	if (t->flags & FLOW_TNL_F_DONT_FRAGMENT)
		n = put_sub(buf, n, OVS_TUNNEL_KEY_ATTR_DONT_FRAGMENT, NULL, 0);
	if (t->flags & FLOW_TNL_F_CSUM)
		n = put_sub(buf, n, OVS_TUNNEL_KEY_ATTR_CSUM, NULL, 0);
	if (t->tp_src)
		n = put_sub(buf, n, OVS_TUNNEL_KEY_ATTR_TP_SRC, &t->tp_src, 2);
	if (t->tp_dst)
		n = put_sub(buf, n, OVS_TUNNEL_KEY_ATTR_TP_DST, &t->tp_dst, 2);
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
		n = put_sub(buf, n, OVS_TUNNEL_KEY_ATTR_ID, &t->tun_id, 8);
	if (present & TP_SRC)
		n = put_sub(buf, n, OVS_TUNNEL_KEY_ATTR_IPV4_SRC, &t->ipv4_src, 4);
	if (present & TP_DST)
		n = put_sub(buf, n, OVS_TUNNEL_KEY_ATTR_IPV4_DST, &t->ipv4_dst, 4);
	if (present & TP_TOS)
		n = put_sub(buf, n, OVS_TUNNEL_KEY_ATTR_TOS, &t->tos, 1);
	if (present & TP_TTL)
		n = put_sub(buf, n, OVS_TUNNEL_KEY_ATTR_TTL, &t->ttl, 1);
	if (t->flags & FLOW_TNL_F_DONT_FRAGMENT)
		n = put_sub(buf, n, OVS_TUNNEL_KEY_ATTR_DONT_FRAGMENT, NULL, 0);
	if (t->flags & FLOW_TNL_F_CSUM)
		n = put_sub(buf, n, OVS_TUNNEL_KEY_ATTR_CSUM, NULL, 0);
	if (present & TP_TPSRC)
		n = put_sub(buf, n, OVS_TUNNEL_KEY_ATTR_TP_SRC, &t->tp_src, 2);
	if (present & TP_TPDST)
		n = put_sub(buf, n, OVS_TUNNEL_KEY_ATTR_TP_DST, &t->tp_dst, 2);
	if (t->flags & FLOW_TNL_F_OAM)
		n = put_sub(buf, n, OVS_TUNNEL_KEY_ATTR_OAM, NULL, 0);
	return n;
}

/* One "name=value[/mask]" (or "flags(...)") of tunnel(). */
static int parse_tunnel_field(struct scan *sc, struct kattr *ka, unsigned *present)
{
	struct flow_tunnel *k = &ka->tun_key, *m = &ka->tun_mask;
	const char *at = sc->p;
	int w = scan_word(sc->p), err;
	uint64_t v, vm;

#define IS(name) ((size_t)w == strlen(name) && strncmp(at, name, (size_t)w) == 0)
	if (IS("flags") && at[w] == '(') {
		uint32_t f, fm;

		sc->p += w + 1;
		if ((err = scan_flags(sc, tun_flag_name, ')', TXT_TNL_ALL, &f, &fm, "tunnel")))
			return err;
		sc->p++;
		/* "key" comes with tun_id; a flag only keeps what tun_id set. */
		k->flags = (uint16_t)((k->flags & FLOW_TNL_F_KEY) | tun_flags_from_text(f));
		m->flags = (uint16_t)((m->flags & FLOW_TNL_F_KEY) | tun_flags_from_text(fm));
		if ((fm & TXT_TNL_ALL) != TXT_TNL_ALL)
			ka->tun_masked = true;
		return 0;
	}
	if (at[w] != '=')
		goto unknown;
	sc->p += w + 1;
	if (IS("tun_id")) {
		if ((err = scan_uint_masked(sc, UINT64_MAX, UINT64_MAX, &v, &vm, "tun_id")))
			return err;
		k->tun_id = __builtin_bswap64(v);
		m->tun_id = __builtin_bswap64(vm);
		k->flags |= FLOW_TNL_F_KEY;
		m->flags |= FLOW_TNL_F_KEY;
		ka->tun_masked |= vm != UINT64_MAX;
		*present |= TP_ID;
	} else if (IS("src") || IS("dst")) {
		uint32_t *kv = IS("src") ? &k->ipv4_src : &k->ipv4_dst;
		uint32_t *mv = IS("src") ? &m->ipv4_src : &m->ipv4_dst;

		if ((err = scan_ipv4(sc, kv, IS("src") ? "src" : "dst")))
			return err;
		*mv = UINT32_MAX;
		if (scan_lit(sc, "/") && (err = scan_ipv4(sc, mv, "mask")))
			return err;
		ka->tun_masked |= *mv != UINT32_MAX;
		*present |= IS("src") ? TP_SRC : TP_DST;
	} else if (IS("tos") || IS("ttl")) {
		uint8_t *kv = IS("tos") ? &k->tos : &k->ttl, *mv = IS("tos") ? &m->tos : &m->ttl;

		if ((err = scan_uint_masked(sc, 0xff, 0xff, &v, &vm, IS("tos") ? "tos" : "ttl")))
			return err;
		*kv = (uint8_t)v;
		*mv = (uint8_t)vm;
		ka->tun_masked |= vm != 0xff;
		*present |= IS("tos") ? TP_TOS : TP_TTL;
	} else if (IS("tp_src") || IS("tp_dst")) {
		uint16_t *kv = IS("tp_src") ? &k->tp_src : &k->tp_dst;
		uint16_t *mv = IS("tp_src") ? &m->tp_src : &m->tp_dst;

		if ((err = scan_uint_masked(sc, 0xffff, 0xffff, &v, &vm, "port")))
			return err;
		*kv = htons((uint16_t)v);
		*mv = htons((uint16_t)vm);
		ka->tun_masked |= vm != 0xffff;
		*present |= IS("tp_src") ? TP_TPSRC : TP_TPDST;
	} else if (IS("ipv6_src") || IS("ipv6_dst") || IS("geneve") || IS("vxlan") ||
		   IS("erspan") || IS("gtpu")) {
		return scan_fail(sc, at, "tunnel field '%.*s' is not supported", w, at);
	} else {
		goto unknown;
	}
	return 0;
#undef IS
unknown:
	return scan_fail(sc, at, "unknown field '%.*s' in tunnel()",
			 scan_namelen(at), at);
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

static int parse_body(struct scan *sc, const struct kdesc *d, struct kattr *ka)
{
	uint8_t *key = (uint8_t *)ka->key, *mask = (uint8_t *)ka->mask;
	uint64_t v, m;
	uint32_t f, fm;
	int err;

	switch (d->kind) {
	case KK_FIELDS:
		return parse_fields(sc, d, ka);
	case KK_U32:
	case KK_PORT:
		err = scan_uint_masked(sc, UINT32_MAX, UINT32_MAX, &v, &m, d->name);
		put_uint(key, 4, v, false);
		put_uint(mask, 4, m, false);
		break;
	case KK_U16X:
		err = scan_uint_masked(sc, 0xffff, 0xffff, &v, &m, d->name);
		put_uint(key, 2, v, false);
		put_uint(mask, 2, m, false);
		break;
	case KK_ETHERTYPE:
		err = scan_uint_masked(sc, 0xffff, 0xffff, &v, &m, d->name);
		put_uint(key, 2, v, true);
		put_uint(mask, 2, m, true);
		break;
	case KK_CT_STATE:
		/* The unmasked "a|b" form has OVS's all-ones 32-bit mask. */
		err = scan_flags(sc, ct_state_name, ')', 0xff, &f, &fm, "ct_state");
		put_uint(key, 4, f, false);
		put_uint(mask, 4, fm, false);
		break;
	case KK_TCP_FLAGS:
		err = scan_flags(sc, tcp_flag_name, ')', 0x0fff, &f, &fm, "tcp");
		put_uint(key, 2, f, true);
		put_uint(mask, 2, fm, true);
		break;
	case KK_U128: {
		uint8_t be[16], bm[16];

		if ((err = scan_u128(sc, be, d->name)))
			return err;
		memset(bm, 0xff, 16);
		if (scan_lit(sc, "/") && (err = scan_u128(sc, bm, "mask")))
			return err;
		/* The attribute carries OVS's u128 in little-endian order. */
		for (int i = 0; i < 16; i++) {
			key[i] = be[15 - i];
			mask[i] = bm[15 - i];
		}
		break;
	}
	case KK_VLAN:
		/* A tag is present unless "cfi=0" says otherwise. */
		put_uint(key, 2, 0x1000, true);
		put_uint(mask, 2, 0x1000, true);
		return parse_bitfields(sc, d->name, vlan_bits, 2, key, mask, false);
	case KK_MPLS:
		return parse_bitfields(sc, d->name, mpls_bits, 4, key, mask, true);
	case KK_TUNNEL:
		return parse_tunnel(sc, ka);
	default:
		return -EINVAL;
	}
	if (err)
		return err;
	return scan_expect(sc, ')', d->kind == KK_CT_STATE || d->kind == KK_TCP_FLAGS
					    ? "after the flags" : "after the value");
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

/* ==================== Printing ==================== */

static void chomp(struct strbuf *sb, char c)
{
	if (sb->len && sb->s[sb->len - 1] == c)
		sb->s[--sb->len] = '\0';
}

/* Common shape of OVS's format_<type>() helpers: skip a wildcarded field
 * unless verbose, print "/mask" only when it is partial. */
static bool field_shown(const uint8_t *mask, size_t n, bool verbose)
{
	return verbose || mask == NULL || !all_bytes(mask, n, 0);
}

static void fmt_field(struct strbuf *sb, const struct kfield *f, const uint8_t *key,
		      const uint8_t *mask, bool verbose)
{
	const uint8_t *k = key + f->off, *m = mask ? mask + f->off : NULL;
	static const size_t widths[] = {
		[FT_ETH] = 6, [FT_IPV4] = 4, [FT_IN6] = 16, [FT_LABEL] = 4,
		[FT_U8U] = 1, [FT_U8X] = 1, [FT_BE16] = 2, [FT_FRAG] = 1,
	};
	size_t w = widths[f->type];
	bool full = m == NULL || all_bytes(m, w, 0xff);

	if (f->type == FT_FRAG) {
		/* An enumeration: OVS never prints it without a full mask. */
		static const char *const names[] = { "no", "first", "later" };

		if (m && *m == 0)
			return;
		if (!full)
			strbuf_addf(sb, "error: partial mask not supported for frag (%#x),", *m);
		else
			strbuf_addf(sb, "%s=%s,", f->name, *k < 3 ? names[*k] : "<error>");
		return;
	}
	if (!field_shown(m, w, verbose))
		return;
	strbuf_addf(sb, "%s=", f->name);
	switch (f->type) {
	case FT_ETH:
		fmt_mac(sb, k);
		if (!full) {
			strbuf_addc(sb, '/');
			fmt_mac(sb, m);
		}
		break;
	case FT_IPV4:
		fmt_ipv4(sb, rd32(k));
		if (!full) {
			strbuf_addc(sb, '/');
			fmt_ipv4(sb, rd32(m));
		}
		break;
	case FT_IN6:
		fmt_ipv6(sb, k);
		if (!full) {
			strbuf_addc(sb, '/');
			fmt_ipv6(sb, m);
		}
		break;
	case FT_LABEL:
		full = m == NULL || (ntohl(rd32(m)) & 0xfffff) == 0xfffff;
		strbuf_addf(sb, "%#x", ntohl(rd32(k)));
		if (!full)
			strbuf_addf(sb, "/%#x", ntohl(rd32(m)));
		break;
	case FT_U8U:
	case FT_U8X:
		strbuf_addf(sb, f->type == FT_U8U ? "%u" : "%#x", *k);
		if (!full)
			strbuf_addf(sb, "/%#x", *m);
		break;
	case FT_BE16:
		strbuf_addf(sb, "%u", ntohs(rd16(k)));
		if (!full)
			strbuf_addf(sb, "/%#x", ntohs(rd16(m)));
		break;
	case FT_FRAG:
		break;
	}
	strbuf_addc(sb, ',');
}

/* OVS's format_vlan_tci(). */
void fmt_vlan_tci(struct strbuf *sb, uint16_t tci, uint16_t mask, bool verbose)
{
	if (verbose || (tci & 0xfff) || (mask & 0xfff)) {
		strbuf_addf(sb, "vid=%u", tci & 0xfff);
		if ((mask & 0xfff) != 0xfff)
			strbuf_addf(sb, "/0x%x", mask & 0xfff);
		strbuf_addc(sb, ',');
	}
	if (verbose || (tci >> 13) || (mask >> 13)) {
		strbuf_addf(sb, "pcp=%u", tci >> 13);
		if ((mask >> 13) != 7)
			strbuf_addf(sb, "/0x%x", mask >> 13);
		strbuf_addc(sb, ',');
	}
	if (!(tci & 0x1000))
		strbuf_add(sb, "cfi=0,", 6);
	chomp(sb, ',');
}

static void fmt_mpls(struct strbuf *sb, const uint8_t *key, size_t len, const uint8_t *mask,
		     size_t mask_len, bool exact)
{
	if (len == 0 || len % 4) {
		strbuf_addf(sb, "(bad key length %zu)", len);
		return;
	}
	if (!exact && mask_len != len) {
		strbuf_addf(sb, "(key length %zu != mask length %zu)", len, mask_len);
		return;
	}
	for (size_t i = 0; i < len; i += 4) {
		uint32_t k = ntohl(rd32(key + i));

		if (exact) {
			strbuf_addf(sb, "label=%u,tc=%u,ttl=%u,bos=%u", k >> 12, (k >> 9) & 7,
				    k & 0xff, (k >> 8) & 1);
		} else {
			uint32_t m = ntohl(rd32(mask + i));

			strbuf_addf(sb, "label=%u/0x%x,tc=%u/%x,ttl=%u/0x%x,bos=%u/%x", k >> 12,
				    m >> 12, (k >> 9) & 7, (m >> 9) & 7, k & 0xff, m & 0xff,
				    (k >> 8) & 1, (m >> 8) & 1);
		}
		strbuf_addc(sb, ',');
	}
	chomp(sb, ',');
}

static void fmt_u128(struct strbuf *sb, const uint8_t *key, const uint8_t *mask, bool verbose)
{
	uint8_t be[16];

	if (!verbose && !(mask && !all_bytes(mask, 16, 0)))
		return;
	for (int i = 0; i < 16; i++)
		be[i] = key[15 - i];
	fmt_hex_be(sb, be, 16);
	if (mask && !all_bytes(mask, 16, 0xff)) {
		for (int i = 0; i < 16; i++)
			be[i] = mask[15 - i];
		strbuf_addc(sb, '/');
		fmt_hex_be(sb, be, 16);
	}
}

/* One tunnel sub-attribute; returns the text flag it stands for, if any. */
static uint32_t fmt_tunnel_sub(struct strbuf *sb, uint16_t type, const uint8_t *v,
			       const uint8_t *m, bool verbose)
{
	static const struct kfield f_src = { "src", FT_IPV4, 0 }, f_dst = { "dst", FT_IPV4, 0 };
	static const struct kfield f_6src = { "ipv6_src", FT_IN6, 0 };
	static const struct kfield f_6dst = { "ipv6_dst", FT_IN6, 0 };
	static const struct kfield f_tos = { "tos", FT_U8X, 0 }, f_ttl = { "ttl", FT_U8U, 0 };
	static const struct kfield f_tps = { "tp_src", FT_BE16, 0 };
	static const struct kfield f_tpd = { "tp_dst", FT_BE16, 0 };

	switch (type) {
	case OVS_TUNNEL_KEY_ATTR_ID:
		if (field_shown(m, 8, verbose)) {
			strbuf_addf(sb, "tun_id=0x%llx", (unsigned long long)__builtin_bswap64(rd64(v)));
			if (m && !all_bytes(m, 8, 0xff))
				strbuf_addf(sb, "/%#llx",
					    (unsigned long long)__builtin_bswap64(rd64(m)));
			strbuf_addc(sb, ',');
		}
		return TXT_TNL_KEY;
	case OVS_TUNNEL_KEY_ATTR_IPV4_SRC: fmt_field(sb, &f_src, v, m, verbose); break;
	case OVS_TUNNEL_KEY_ATTR_IPV4_DST: fmt_field(sb, &f_dst, v, m, verbose); break;
	case OVS_TUNNEL_KEY_ATTR_IPV6_SRC: fmt_field(sb, &f_6src, v, m, verbose); break;
	case OVS_TUNNEL_KEY_ATTR_IPV6_DST: fmt_field(sb, &f_6dst, v, m, verbose); break;
	case OVS_TUNNEL_KEY_ATTR_TOS: fmt_field(sb, &f_tos, v, m, verbose); break;
	case OVS_TUNNEL_KEY_ATTR_TTL: fmt_field(sb, &f_ttl, v, m, verbose); break;
	case OVS_TUNNEL_KEY_ATTR_TP_SRC: fmt_field(sb, &f_tps, v, m, verbose); break;
	case OVS_TUNNEL_KEY_ATTR_TP_DST: fmt_field(sb, &f_tpd, v, m, verbose); break;
	case OVS_TUNNEL_KEY_ATTR_DONT_FRAGMENT: return TXT_TNL_DF;
	case OVS_TUNNEL_KEY_ATTR_CSUM: return TXT_TNL_CSUM;
	case OVS_TUNNEL_KEY_ATTR_OAM: return TXT_TNL_OAM;
	default: break;
	}
	return 0;
}

/* A mask's bytes; an absent mask stands for zeros of the key's size. */
static void fmt_mask_bytes(struct strbuf *sb, const uint8_t *m, size_t n, bool absent)
{
	for (size_t i = 0; i < n; i++)
		strbuf_addf(sb, i ? " %02x" : "%02x", absent ? 0 : m[i]);
}

/* A tunnel sub-attribute OVS cannot read: a bad length or an unknown type. */
static void fmt_tunnel_raw(struct strbuf *sb, uint16_t type, int want, const uint8_t *v,
			   size_t vlen, const uint8_t *m, size_t mlen, bool absent)
{
	strbuf_addf(sb, "key%u", type);
	if (want < 0) {
		strbuf_addc(sb, '(');
		fmt_hex_spaced(sb, v, vlen);
		if (m && (absent || !all_bytes(m, mlen, 0xff))) {
			strbuf_addc(sb, '/');
			fmt_mask_bytes(sb, m, mlen, absent);
		}
		strbuf_add(sb, "),", 2);
		return;
	}
	if (vlen != (size_t)want)
		strbuf_addf(sb, "(bad key length %zu, expected %d)(", vlen, want);
	fmt_hex_spaced(sb, v, vlen);
	if (m) {
		strbuf_addc(sb, '/');
		if (mlen != (size_t)want)
			strbuf_addf(sb, "(bad mask length %zu, expected %d)(", mlen, want);
		fmt_mask_bytes(sb, m, mlen, absent);
	}
	strbuf_addc(sb, ')');
}

/* The flag bits named by a tunnel mask stream's flag attributes. */
static uint32_t tunnel_mask_flags(const uint8_t *p, size_t left)
{
	const uint8_t *v;
	uint32_t flags = 0;
	uint16_t type;
	size_t vlen;

	while (nla_next(&p, &left, &type, &v, &vlen)) {
		if (type == OVS_TUNNEL_KEY_ATTR_DONT_FRAGMENT)
			flags |= TXT_TNL_DF;
		else if (type == OVS_TUNNEL_KEY_ATTR_CSUM)
			flags |= TXT_TNL_CSUM;
		else if (type == OVS_TUNNEL_KEY_ATTR_OAM)
			flags |= TXT_TNL_OAM;
	}
	return flags;
}

/* OVS's format_odp_tun_attr(): fields in stream order, flags last. */
static void fmt_tunnel(struct strbuf *sb, const uint8_t *key, size_t len, const uint8_t *mask,
		       size_t mask_len, bool verbose)
{
	static const uint8_t zeros[16];
	uint32_t flags = 0, mask_flags = mask ? tunnel_mask_flags(mask, mask_len) : 0;
	const uint8_t *p = key, *v;
	size_t left = len, vlen;
	uint16_t type;

	while (nla_next(&p, &left, &type, &v, &vlen)) {
		int want = odp_tunnel_attr_len(type);
		const uint8_t *m = NULL;
		size_t mlen = vlen;
		bool absent = false;

		if (mask) {
			m = nla_find(mask, mask_len, type, &mlen);
			if (m == NULL) { /* OVS makes up an all-zero mask */
				m = zeros;
				mlen = vlen;
				absent = true;
			}
		}
		if (want < 0 || vlen != (size_t)want || (m && mlen != (size_t)want)) {
			if (type != OVS_TUNNEL_KEY_ATTR_PAD)
				fmt_tunnel_raw(sb, type, want, v, vlen, m, mlen, absent);
			continue;
		}
		uint32_t flag = fmt_tunnel_sub(sb, type, v, m, verbose);

		flags |= flag;
		if (flag == TXT_TNL_KEY && m)
			mask_flags |= TXT_TNL_KEY;
	}
	if (verbose || !mask || mask_flags) {
		strbuf_add(sb, "flags(", 6);
		if (mask)
			fmt_flags_masked(sb, tun_flag_name, flags, mask_flags, TXT_TNL_ALL);
		else
			fmt_flags(sb, tun_flag_name, flags, '|');
		strbuf_add(sb, "),", 2);
	}
	chomp(sb, ',');
}

static void fmt_body(struct strbuf *sb, const struct kdesc *d, const uint8_t *key, size_t len,
		     const uint8_t *mask, size_t mask_len, bool verbose)
{
	bool exact = mask == NULL || kattr_mask_is_exact(d->type, mask, mask_len);
	bool empty = mask && all_bytes(mask, mask_len, 0);

	switch (d->kind) {
	case KK_FIELDS:
		for (const struct kfield *f = d->fields; f->name; f++)
			fmt_field(sb, f, key, mask, verbose);
		chomp(sb, ',');
		break;
	case KK_U32:
		if (d->type == OVS_KEY_ATTR_CT_MARK && !verbose && empty)
			break;
		strbuf_addf(sb, "%#x", rd32(key));
		if (!exact)
			strbuf_addf(sb, "/%#x", rd32(mask));
		break;
	case KK_U16X:
		if (!verbose && empty)
			break;
		strbuf_addf(sb, "%#x", rd16(key));
		if (!exact)
			strbuf_addf(sb, "/%#x", rd16(mask));
		break;
	case KK_PORT:
		strbuf_addf(sb, "%u", rd32(key));
		if (!exact)
			strbuf_addf(sb, "/%#x", rd32(mask));
		break;
	case KK_ETHERTYPE:
		strbuf_addf(sb, "0x%04x", ntohs(rd16(key)));
		if (!exact)
			strbuf_addf(sb, "/0x%04x", ntohs(rd16(mask)));
		break;
	case KK_CT_STATE:
		if (verbose) {
			strbuf_addf(sb, "%#x", rd32(key));
			if (!exact)
				strbuf_addf(sb, "/%#x", empty ? 0 : rd32(mask));
		} else if (!exact) {
			fmt_flags_masked(sb, ct_state_name, rd32(key), empty ? 0 : rd32(mask),
					 UINT32_MAX);
		} else {
			fmt_flags(sb, ct_state_name, rd32(key), '|');
		}
		break;
	case KK_TCP_FLAGS:
		if (!exact)
			fmt_flags_masked(sb, tcp_flag_name, ntohs(rd16(key)),
					 ntohs(rd16(mask)) & 0x0fff, 0x0fff);
		else
			fmt_flags(sb, tcp_flag_name, ntohs(rd16(key)), '|');
		break;
	case KK_U128:
		fmt_u128(sb, key, mask, verbose);
		break;
	case KK_VLAN:
		fmt_vlan_tci(sb, ntohs(rd16(key)), mask ? ntohs(rd16(mask)) : 0xffff, verbose);
		break;
	case KK_MPLS:
		fmt_mpls(sb, key, len, mask, mask_len, exact);
		break;
	case KK_TUNNEL:
		fmt_tunnel(sb, key, len, mask, mask_len, verbose);
		break;
	default:
		fmt_hex_spaced(sb, key, len);
		if (!exact) {
			strbuf_addc(sb, '/');
			fmt_hex_spaced(sb, mask, mask_len);
		}
		break;
	}
}

void kattr_format(struct strbuf *sb, uint16_t type, const void *key_, size_t len,
		  const void *mask_, size_t mask_len, bool verbose)
{
	const uint8_t *key = key_, *mask = mask_;
	const struct kdesc *d = kdesc_by_type(type);

	if (d == NULL) {
		strbuf_addf(sb, "key%u(", type);
		fmt_hex_spaced(sb, key, len);
		if (mask && !all_bytes(mask, mask_len, 0xff)) {
			strbuf_addc(sb, '/');
			fmt_hex_spaced(sb, mask, mask_len);
		}
		strbuf_addc(sb, ')');
		return;
	}
	if (d->len >= 0 && (len != (size_t)d->len || (mask && mask_len != (size_t)d->len))) {
		/* OVS's check_attr_len(), verbatim in its oddities. */
		if (len != (size_t)d->len)
			strbuf_addf(sb, "(bad key length %zu, expected %d)(", len, d->len);
		fmt_hex_spaced(sb, key, len);
		if (mask) {
			strbuf_addc(sb, '/');
			if (mask_len != (size_t)d->len)
				strbuf_addf(sb, "(bad mask length %zu, expected %d)(", mask_len,
					    d->len);
			fmt_hex_spaced(sb, mask, mask_len);
		}
		strbuf_addc(sb, ')');
		return;
	}
	strbuf_addf(sb, "%s(", d->name);
	if (d->kind == KK_MPLS && (len == 0 || len % 4)) {
		strbuf_addf(sb, "(bad key length %zu)", len);
		return; /* OVS leaves the parenthesis open here */
	}
	fmt_body(sb, d, key, len, mask, mask ? mask_len : len, verbose);
	strbuf_addc(sb, ')');
}
