/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ct() action in text, both ways: "ct(commit,zone=5,mark=0x1/0xff,
 * label=..,helper=ftp,nat(src=10.0.0.1-10.0.0.9:1000-2000,random))".
 * The datapath does not run it (no conntrack yet); the text format still
 * reads and prints it as OVS does so that flows from OVS tools round-trip.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <linux/openvswitch.h>
#include <string.h>

#include "text_int.h"

struct nat {
	bool snat, dnat, persistent, hash, random;
	size_t addr_len; /* 0, 4 or 16 */
	uint8_t min[16], max[16];
	uint16_t proto_min, proto_max;
};

static bool item_end(char c)
{
	return c == ')' || scan_is_delim(c);
}

static int scan_hex32(struct scan *sc, uint32_t *v, const char *what)
{
	const char *start = sc->p, *p = sc->p;
	uint64_t x = 0;
	bool over = false;
	int n = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && isxdigit((unsigned char)p[2]))
		p += 2;
	for (; isxdigit((unsigned char)*p); p++, n++) {
		x = (x << 4) | (uint64_t)(isdigit((unsigned char)*p) ? *p - '0'
								      : (*p | 0x20) - 'a' + 10);
		if (x > UINT32_MAX) {
			over = true;
			x = 0;
		}
	}
	if (n == 0 || isalnum((unsigned char)*p))
		return scan_fail(sc, start, "bad %s '%.*s': not a hex number", what,
				 scan_toklen(start) ? scan_toklen(start) : 1, start);
	if (over)
		return scan_fail(sc, start, "%s '%.*s' out of range (32 bits)", what,
				 (int)(p - start), start);
	*v = (uint32_t)x;
	sc->p = p;
	return 0;
}

/* An address of the nat range: IPv4, or IPv6 bare or in brackets. */
static int nat_addr(struct scan *sc, struct nat *nat, uint8_t *addr)
{
	struct scan probe = *sc;
	uint32_t v4;

	probe.err = NULL;
	if (nat->addr_len != 16 && scan_ipv4(&probe, &v4, "nat") == 0) {
		memcpy(addr, &v4, 4);
		nat->addr_len = 4;
		sc->p = probe.p;
		return 0;
	}
	if (nat->addr_len == 4)
		return scan_ipv4(sc, &v4, "nat");
	nat->addr_len = 16;
	if (scan_lit(sc, "[")) {
		int err = scan_ipv6(sc, addr, "nat");

		return err ? err : scan_expect(sc, ']', "after an IPv6 address");
	}
	return scan_ipv6(sc, addr, "nat");
}

static int nat_range(struct scan *sc, struct nat *nat)
{
	uint64_t v;
	int err;

	if (!scan_lit(sc, "="))
		return 0;
	if ((err = nat_addr(sc, nat, nat->min)))
		return err;
	if (scan_lit(sc, "-") && (err = nat_addr(sc, nat, nat->max)))
		return err;
	if (scan_lit(sc, ":")) {
		if ((err = scan_uint(sc, 0xffff, &v, "port")))
			return err;
		nat->proto_min = (uint16_t)v;
		if (scan_lit(sc, "-")) {
			if ((err = scan_uint(sc, 0xffff, &v, "port")))
				return err;
			nat->proto_max = (uint16_t)v;
		}
	}
	return 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static int parse_nat(struct scan *sc, struct nat *nat)
{
	const char *at = sc->p;
	int err;

	memset(nat, 0, sizeof(*nat));
	if (!scan_lit(sc, "("))
		return 0;
	for (;;) {
		const char *item;

		scan_skip_delims(sc);
		item = sc->p;
		if (scan_lit(sc, ")"))
			break;
		if (strncmp(item, "src", 3) == 0 && (item[3] == '=' || item_end(item[3]))) {
			sc->p += 3;
			nat->snat = true;
			err = nat_range(sc, nat);
		} else if (strncmp(item, "dst", 3) == 0 && (item[3] == '=' || item_end(item[3]))) {
			sc->p += 3;
			nat->dnat = true;
			err = nat_range(sc, nat);
		} else if (scan_lit(sc, "persistent")) {
			nat->persistent = true;
			err = 0;
		} else if (scan_lit(sc, "hash")) {
			nat->hash = true;
			err = 0;
		} else if (scan_lit(sc, "random")) {
			nat->random = true;
			err = 0;
		} else {
			return scan_fail(sc, item, "unknown nat option '%.*s'",
					 scan_toklen(item) ? scan_toklen(item) : 1, item);
		}
		if (err)
			return err;
		if (!item_end(*sc->p))
			return scan_expect(sc, ')', "to close nat(");
	}
	if (nat->snat && nat->dnat)
		return scan_fail(sc, at, "nat() takes only one of src and dst");
	if (nat->hash && nat->random)
		return scan_fail(sc, at, "nat() takes only one of hash and random");
	if ((nat->addr_len && !all_zero(nat->max, nat->addr_len) &&
	     memcmp(nat->max, nat->min, nat->addr_len) < 0) ||
	    (nat->proto_max && nat->proto_max < nat->proto_min))
		return scan_fail(sc, at, "nat() range ends before it starts");
	return 0;
}

/* As OVS's nl_msg_put_ct_nat(): options only come with an address. */
static void put_nat(struct nlbuf *b, const struct nat *nat)
{
	size_t ofs = nlbuf_nest_start(b, OVS_CT_ATTR_NAT);

	if (nat->snat || nat->dnat) {
		nlbuf_put_flag(b, nat->snat ? OVS_NAT_ATTR_SRC : OVS_NAT_ATTR_DST);
		if (nat->addr_len) {
			nlbuf_put_attr(b, OVS_NAT_ATTR_IP_MIN, nat->min, nat->addr_len);
			if (memcmp(nat->max, nat->min, nat->addr_len) > 0)
				nlbuf_put_attr(b, OVS_NAT_ATTR_IP_MAX, nat->max, nat->addr_len);
			if (nat->proto_min) {
				nlbuf_put_u16(b, OVS_NAT_ATTR_PROTO_MIN, nat->proto_min);
				if (nat->proto_max > nat->proto_min)
					nlbuf_put_u16(b, OVS_NAT_ATTR_PROTO_MAX, nat->proto_max);
			}
			if (nat->persistent)
				nlbuf_put_flag(b, OVS_NAT_ATTR_PERSISTENT);
			if (nat->hash)
				nlbuf_put_flag(b, OVS_NAT_ATTR_PROTO_HASH);
			if (nat->random)
				nlbuf_put_flag(b, OVS_NAT_ATTR_PROTO_RANDOM);
		}
	}
	nlbuf_nest_end(b, ofs);
}

struct ct_args {
	bool commit, force, have_nat;
	uint16_t zone;
	uint32_t mark[2];        /* value, mask */
	uint8_t label[32];       /* value, mask: little-endian u128s */
	const char *helper, *timeout;
	size_t helper_len, timeout_len;
	struct nat nat;
};

static int ct_name(struct scan *sc, const char **name, size_t *len, size_t max, const char *what)
{
	size_t n = strcspn(sc->p, ", \t\r\n)");

	if (n == 0 || n > max)
		return scan_fail(sc, sc->p, "%s name must have 1 to %zu characters", what, max);
	*name = sc->p;
	*len = n;
	sc->p += n;
	return 0;
}

static int ct_item(struct scan *sc, struct ct_args *a)
{
	const char *item = sc->p;
	int w = scan_word(item);
	uint64_t v;
	int err;

#define IS(s) ((size_t)w == strlen(s) && strncmp(item, s, (size_t)w) == 0)
	if (IS("commit") || IS("force_commit")) {
		*(IS("commit") ? &a->commit : &a->force) = true;
		sc->p += w;
		return 0;
	}
	if (IS("nat")) {
		sc->p += w;
		a->have_nat = true;
		return parse_nat(sc, &a->nat);
	}
	if (item[w] != '=')
		goto unknown;
	sc->p += w + 1;
	if (IS("zone")) {
		err = scan_uint(sc, 0xffff, &v, "zone");
		a->zone = (uint16_t)v;
		return err;
	}
	if (IS("mark")) {
		/* OVS reads the mark and its mask in hex, "0x" or not. */
		if ((err = scan_hex32(sc, &a->mark[0], "mark")))
			return err;
		a->mark[1] = UINT32_MAX;
		return scan_lit(sc, "/") ? scan_hex32(sc, &a->mark[1], "mark mask") : 0;
	}
	if (IS("label")) {
		uint8_t be[16], bm[16];

		if ((err = scan_u128(sc, be, "label")))
			return err;
		memset(bm, 0xff, 16);
		if (scan_lit(sc, "/") && (err = scan_u128(sc, bm, "label mask")))
			return err;
		for (int i = 0; i < 16; i++) {
			a->label[i] = be[15 - i];
			a->label[16 + i] = bm[15 - i];
		}
		return 0;
	}
	if (IS("helper"))
		return ct_name(sc, &a->helper, &a->helper_len, 15, "helper");
	if (IS("timeout"))
		return ct_name(sc, &a->timeout, &a->timeout_len, 31, "timeout policy");
#undef IS
unknown:
	return scan_fail(sc, item, "unknown ct option '%.*s'",
			 scan_toklen(item) ? scan_toklen(item) : 1, item);
}

static void put_string(struct nlbuf *b, uint16_t type, const char *s, size_t n)
{
	char buf[40];

	memcpy(buf, s, n);
	buf[n] = '\0';
	nlbuf_put_attr(b, type, buf, n + 1);
}

int ct_action_parse(struct scan *sc, struct nlbuf *b)
{
	const char *at = sc->p;
	struct ct_args a;
	size_t ofs;
	int err;

	memset(&a, 0, sizeof(a));
	sc->p += 2;
	if (scan_lit(sc, "(")) {
		for (;;) {
			scan_skip_delims(sc);
			if (scan_lit(sc, ")"))
				break;
			if (*sc->p == '\0')
				return scan_fail(sc, sc->p, "missing ')' to close ct(");
			if ((err = ct_item(sc, &a)))
				return err;
			if (!item_end(*sc->p))
				return scan_expect(sc, ')', "to close ct(");
		}
	}
	if (a.commit && a.force)
		return scan_fail(sc, at, "ct() takes only one of commit and force_commit");
	ofs = nlbuf_nest_start(b, OVS_ACTION_ATTR_CT);
	if (a.commit || a.force)
		nlbuf_put_flag(b, a.commit ? OVS_CT_ATTR_COMMIT : OVS_CT_ATTR_FORCE_COMMIT);
	if (a.zone)
		nlbuf_put_u16(b, OVS_CT_ATTR_ZONE, a.zone);
	if (a.mark[1])
		nlbuf_put_attr(b, OVS_CT_ATTR_MARK, a.mark, sizeof(a.mark));
	if (!all_zero(a.label + 16, 16))
		nlbuf_put_attr(b, OVS_CT_ATTR_LABELS, a.label, sizeof(a.label));
	if (a.helper)
		put_string(b, OVS_CT_ATTR_HELPER, a.helper, a.helper_len);
	if (a.timeout)
		put_string(b, OVS_CT_ATTR_TIMEOUT, a.timeout, a.timeout_len);
	if (a.have_nat)
		put_nat(b, &a.nat);
	nlbuf_nest_end(b, ofs);
	return 0;
}

/* ---- Printing ---- */

static void fmt_addr(struct strbuf *sb, const uint8_t *a, size_t len, bool bracket)
{
	if (len == 4) {
		fmt_ipv4(sb, rd32(a));
		return;
	}
	if (bracket)
		strbuf_addc(sb, '[');
	fmt_ipv6(sb, a);
	if (bracket)
		strbuf_addc(sb, ']');
}

static const struct nl_pol nat_pol[OVS_NAT_ATTR_PROTO_RANDOM + 1] = {
	[OVS_NAT_ATTR_SRC] = { POL_FLAG, true, 0, 0 },
	[OVS_NAT_ATTR_DST] = { POL_FLAG, true, 0, 0 },
	[OVS_NAT_ATTR_IP_MIN] = { POL_UNSPEC, true, 4, 16 },
	[OVS_NAT_ATTR_IP_MAX] = { POL_UNSPEC, true, 4, 16 },
	[OVS_NAT_ATTR_PROTO_MIN] = { POL_U16, true, 0, 0 },
	[OVS_NAT_ATTR_PROTO_MAX] = { POL_U16, true, 0, 0 },
	[OVS_NAT_ATTR_PERSISTENT] = { POL_FLAG, true, 0, 0 },
	[OVS_NAT_ATTR_PROTO_HASH] = { POL_FLAG, true, 0, 0 },
	[OVS_NAT_ATTR_PROTO_RANDOM] = { POL_FLAG, true, 0, 0 },
};

/* The nat() attributes as OVS reads them, or the text OVS prints instead. */
struct nat_view {
	bool src, dst;
	size_t alen;
	uint8_t min[16], max[16];
	uint16_t pmin, pmax;
};

static const char *nat_view(const struct nl_got *g, struct nat_view *n)
{
	const struct nl_got *imin = &g[OVS_NAT_ATTR_IP_MIN], *imax = &g[OVS_NAT_ATTR_IP_MAX];
	bool pmin = g[OVS_NAT_ATTR_PROTO_MIN].p, pmax = g[OVS_NAT_ATTR_PROTO_MAX].p;

	memset(n, 0, sizeof(*n));
	n->src = g[OVS_NAT_ATTR_SRC].p;
	n->dst = g[OVS_NAT_ATTR_DST].p;
	if (!(n->src || n->dst) && (imin->p || imax->p || pmin || pmax ||
				    g[OVS_NAT_ATTR_PERSISTENT].p || g[OVS_NAT_ATTR_PROTO_HASH].p ||
				    g[OVS_NAT_ATTR_PROTO_RANDOM].p))
		return "nat(error: options allowed only with \"src\" or \"dst\")";
	if (n->src && n->dst)
		return "nat(error: Only one of \"src\" or \"dst\" may be present.)";
	if (!imin->p && pmin)
		return "nat(error: proto but no IP.)";
	if ((!imin->p && imax->p) || (!pmin && pmax))
		return "nat(error: range max without min.)";
	if ((imin->p && imin->len != 4 && imin->len != 16) ||
	    (imin->p && imax->p && imin->len != imax->len))
		return "nat(error: IP address sizes do not match)";
	n->alen = imin->p ? imin->len : 0;
	if (imin->p)
		memcpy(n->min, imin->p, n->alen);
	if (imax->p)
		memcpy(n->max, imax->p, n->alen);
	n->pmin = pmin ? rd16(g[OVS_NAT_ATTR_PROTO_MIN].p) : 0;
	n->pmax = pmax ? rd16(g[OVS_NAT_ATTR_PROTO_MAX].p) : 0;
	if ((n->alen == 4 && rd32(n->max) && ntohl(rd32(n->min)) > ntohl(rd32(n->max))) ||
	    (n->alen == 16 && !all_zero(n->max, 16) && memcmp(n->min, n->max, 16) > 0) ||
	    (n->pmax && n->pmin > n->pmax))
		return "nat(range error)";
	return NULL;
}

/* OVS's format_odp_ct_nat(), its error texts included. */
static void fmt_nat(struct strbuf *sb, const uint8_t *p, size_t len)
{
	struct nl_got g[OVS_NAT_ATTR_PROTO_RANDOM + 1];
	struct nat_view n;
	const char *error;

	if (!nla_parse_policy(p, len, nat_pol, OVS_NAT_ATTR_PROTO_RANDOM + 1, g)) {
		strbuf_addf(sb, "nat(error: nl_parse_nested() failed.)");
		return;
	}
	if ((error = nat_view(g, &n))) {
		strbuf_addf(sb, "%s", error);
		return;
	}
	strbuf_add(sb, "nat", 3);
	if (!(n.src || n.dst))
		return;
	strbuf_addf(sb, "(%s", n.src ? "src" : "dst");
	if (n.alen) {
		strbuf_addc(sb, '=');
		fmt_addr(sb, n.min, n.alen, n.pmin != 0);
		if (!all_zero(n.max, n.alen) && memcmp(n.max, n.min, n.alen) != 0) {
			strbuf_addc(sb, '-');
			fmt_addr(sb, n.max, n.alen, n.pmin != 0);
		}
		if (n.pmin) {
			strbuf_addf(sb, ":%u", n.pmin);
			if (n.pmax && n.pmax != n.pmin)
				strbuf_addf(sb, "-%u", n.pmax);
		}
	}
	strbuf_addc(sb, ',');
	if (g[OVS_NAT_ATTR_PERSISTENT].p)
		strbuf_add(sb, "persistent,", 11);
	if (g[OVS_NAT_ATTR_PROTO_HASH].p)
		strbuf_add(sb, "hash,", 5);
	if (g[OVS_NAT_ATTR_PROTO_RANDOM].p)
		strbuf_add(sb, "random,", 7);
	sb->s[--sb->len] = '\0'; /* the last ',' */
	strbuf_addc(sb, ')');
}

static void fmt_u128_le(struct strbuf *sb, const uint8_t *le)
{
	uint8_t be[16];

	for (int i = 0; i < 16; i++)
		be[i] = le[15 - i];
	fmt_hex_be(sb, be, 16);
}

void ct_action_format(struct strbuf *sb, const uint8_t *p, size_t len)
{
	static const struct nl_pol pol[OVS_CT_ATTR_TIMEOUT + 1] = {
		[OVS_CT_ATTR_COMMIT] = { POL_FLAG, true, 0, 0 },
		[OVS_CT_ATTR_FORCE_COMMIT] = { POL_FLAG, true, 0, 0 },
		[OVS_CT_ATTR_ZONE] = { POL_U16, true, 0, 0 },
		[OVS_CT_ATTR_MARK] = { POL_UNSPEC, true, 8, 0 },
		[OVS_CT_ATTR_LABELS] = { POL_UNSPEC, true, 32, 0 },
		[OVS_CT_ATTR_HELPER] = { POL_STRING, true, 1, 16 },
		[OVS_CT_ATTR_NAT] = { POL_UNSPEC, true, 0, 0 },
		[OVS_CT_ATTR_TIMEOUT] = { POL_STRING, true, 1, 32 },
	};
	struct nl_got g[OVS_CT_ATTR_TIMEOUT + 1];

	if (!nla_parse_policy(p, len, pol, OVS_CT_ATTR_TIMEOUT + 1, g)) {
		strbuf_add(sb, "ct(error)", 9);
		return;
	}
	uint16_t zone = g[OVS_CT_ATTR_ZONE].p ? rd16(g[OVS_CT_ATTR_ZONE].p) : 0;
	const uint8_t *mark = g[OVS_CT_ATTR_MARK].p, *label = g[OVS_CT_ATTR_LABELS].p;
	const uint8_t *helper = g[OVS_CT_ATTR_HELPER].p, *timeout = g[OVS_CT_ATTR_TIMEOUT].p;
	const struct nl_got *nat = &g[OVS_CT_ATTR_NAT];
	bool commit = g[OVS_CT_ATTR_COMMIT].p, force = g[OVS_CT_ATTR_FORCE_COMMIT].p;

	strbuf_add(sb, "ct", 2);
	if (!(commit || force || zone || mark || label || helper || timeout || nat->p))
		return;
	strbuf_addc(sb, '(');
	if (commit)
		strbuf_add(sb, "commit,", 7);
	if (force)
		strbuf_add(sb, "force_commit,", 13);
	if (zone)
		strbuf_addf(sb, "zone=%u,", zone);
	if (mark)
		strbuf_addf(sb, "mark=%#x/%#x,", rd32(mark), rd32(mark + 4));
	if (label) {
		strbuf_add(sb, "label=", 6);
		fmt_u128_le(sb, label);
		if (!(label[16] == 0xff && !memcmp(label + 16, label + 17, 15))) {
			strbuf_addc(sb, '/');
			fmt_u128_le(sb, label + 16);
		}
		strbuf_addc(sb, ',');
	}
	if (helper)
		strbuf_addf(sb, "helper=%s,", (const char *)helper);
	if (timeout)
		strbuf_addf(sb, "timeout=%s,", (const char *)timeout);
	if (nat->p)
		fmt_nat(sb, nat->p, nat->len);
	if (sb->s[sb->len - 1] == ',')
		sb->s[--sb->len] = '\0';
	strbuf_addc(sb, ')');
}
