/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Printing flow key attributes as OVS's format_odp_key_attr() does: key
 * and mask payloads -> "ipv4(src=10.0.0.1,ttl=64/0xf0)", wildcarded
 * fields left out unless verbose, malformed payloads as OVS prints them.
 */
#include <arpa/inet.h>
#include <string.h>

#include "key_attr_int.h"
#include "odp_attr_info.h"

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

/* An enumeration: OVS never prints it without a full mask. */
static void fmt_frag(struct strbuf *sb, const struct kfield *f, const uint8_t *k,
		     const uint8_t *m, bool full)
{
	static const char *const names[] = { "no", "first", "later" };

	if (m && *m == 0)
		return;
	if (!full)
		strbuf_addf(sb, "error: partial mask not supported for frag (%#x),", *m);
	else
		strbuf_addf(sb, "%s=%s,", f->name, *k < 3 ? names[*k] : "<error>");
}

static void fmt_addr(struct strbuf *sb, enum ftype type, const uint8_t *v)
{
	if (type == FT_ETH)
		fmt_mac(sb, v);
	else if (type == FT_IPV4)
		fmt_ipv4(sb, rd32(v));
	else
		fmt_ipv6(sb, v);
}

static void fmt_number(struct strbuf *sb, enum ftype type, const uint8_t *k, const uint8_t *m,
		       bool full)
{
	switch (type) {
	case FT_LABEL:
		full = m == NULL || (ntohl(rd32(m)) & 0xfffff) == 0xfffff;
		strbuf_addf(sb, "%#x", ntohl(rd32(k)));
		if (!full)
			strbuf_addf(sb, "/%#x", ntohl(rd32(m)));
		break;
	case FT_U8U:
	case FT_U8X:
		strbuf_addf(sb, type == FT_U8U ? "%u" : "%#x", *k);
		if (!full)
			strbuf_addf(sb, "/%#x", *m);
		break;
	default: /* FT_BE16 */
		strbuf_addf(sb, "%u", ntohs(rd16(k)));
		if (!full)
			strbuf_addf(sb, "/%#x", ntohs(rd16(m)));
		break;
	}
}

static void fmt_field(struct strbuf *sb, const struct kfield *f, const uint8_t *key,
		      const uint8_t *mask, bool verbose)
{
	static const size_t widths[] = {
		[FT_ETH] = 6, [FT_IPV4] = 4, [FT_IN6] = 16, [FT_LABEL] = 4,
		[FT_U8U] = 1, [FT_U8X] = 1, [FT_BE16] = 2, [FT_FRAG] = 1,
	};
	const uint8_t *k = key + f->off, *m = mask ? mask + f->off : NULL;
	size_t w = widths[f->type];
	bool full = m == NULL || all_bytes(m, w, 0xff);

	if (f->type == FT_FRAG) {
		fmt_frag(sb, f, k, m, full);
		return;
	}
	if (!field_shown(m, w, verbose))
		return;
	strbuf_addf(sb, "%s=", f->name);
	if (f->type == FT_ETH || f->type == FT_IPV4 || f->type == FT_IN6) {
		fmt_addr(sb, f->type, k);
		if (!full) {
			strbuf_addc(sb, '/');
			fmt_addr(sb, f->type, m);
		}
	} else {
		fmt_number(sb, f->type, k, m, full);
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

/* The one-number attributes: u32, ct_zone, in_port, eth_type. */
static void fmt_scalar(struct strbuf *sb, const struct kdesc *d, const uint8_t *key,
		       const uint8_t *mask, bool exact, bool empty, bool verbose)
{
	switch (d->kind) {
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
	default: /* KK_ETHERTYPE */
		strbuf_addf(sb, "0x%04x", ntohs(rd16(key)));
		if (!exact)
			strbuf_addf(sb, "/0x%04x", ntohs(rd16(mask)));
		break;
	}
}

/* ct_state and tcp_flags: flag names, or numbers in verbose ct_state. */
static void fmt_flag_attr(struct strbuf *sb, const struct kdesc *d, const uint8_t *key,
			  const uint8_t *mask, bool exact, bool empty, bool verbose)
{
	if (d->kind == KK_TCP_FLAGS) {
		if (!exact)
			fmt_flags_masked(sb, tcp_flag_name, ntohs(rd16(key)),
					 ntohs(rd16(mask)) & 0x0fff, 0x0fff);
		else
			fmt_flags(sb, tcp_flag_name, ntohs(rd16(key)), '|');
	} else if (verbose) {
		strbuf_addf(sb, "%#x", rd32(key));
		if (!exact)
			strbuf_addf(sb, "/%#x", empty ? 0 : rd32(mask));
	} else if (!exact) {
		fmt_flags_masked(sb, ct_state_name, rd32(key), empty ? 0 : rd32(mask), UINT32_MAX);
	} else {
		fmt_flags(sb, ct_state_name, rd32(key), '|');
	}
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
	case KK_U16X:
	case KK_PORT:
	case KK_ETHERTYPE:
		fmt_scalar(sb, d, key, mask, exact, empty, verbose);
		break;
	case KK_CT_STATE:
	case KK_TCP_FLAGS:
		fmt_flag_attr(sb, d, key, mask, exact, empty, verbose);
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
