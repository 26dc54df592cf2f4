/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fast path of odp_flow_line_parse(): the one shape that bulk flows
 * files and OVS's megaflow dumps mostly have,
 *
 *   [recirc_id(N),][in_port(N),][eth()|eth(src=MAC,dst=MAC),]
 *   eth_type(0x0800),ipv4(FIELDS)[,udp(FIELDS)|,tcp(FIELDS)] ACTIONS
 *
 * read in one pass straight into the key and mask, without the general
 * parser's per-attribute tables, payload buffers and checks. Anything else
 * (another order or separator, hex or masked ports, a duplicate field, a
 * value out of range, ...) makes it give up and leave the line to the
 * general parser, which then words any error: this path reports none. On
 * the lines it takes, the result is the general parser's, byte for byte
 * (test_fast_line_same_as_general in tests/unit/test_odp_text_prop.c).
 */
#include <arpa/inet.h>
#include <linux/openvswitch.h>
#include <string.h>

#include "odp_text.h"

/*
 * The line being read: 'end' is its NUL, so that a literal is compared
 * with one memcmp of its known length (whole words, inlined) without
 * reading past the line.
 */
struct fline {
	const char *end;
};

/* 'n' bytes of 'lit' at 'p': the position after them, or NULL. A literal
 * holds no NUL, so one that would run past 'end' cannot match. */
static inline const char *take_n(const struct fline *l, const char *p, const char *lit, size_t n)
{
	if ((size_t)(l->end - p) < n || memcmp(p, lit, n) != 0)
		return NULL;
	return p + n;
}

/* A string literal at 'p' (its length known at compile time). */
#define take(l, p, lit) take_n(l, p, lit, sizeof(lit) - 1)

/* Where a field's value may end. */
static bool is_field_end(char c)
{
	return c == ',' || c == ')';
}

/*
 * A decimal of at most 'max', ended by ',' or ')': "0", or digits without
 * a leading zero (a leading zero means octal to the general parser).
 */
static const char *decimal(const char *p, uint32_t max, uint32_t *v)
{
	uint64_t x = 0;
	int n = 0;

	if (p[0] == '0')
		n = 1;
	else
		while (n < 10 && (unsigned)(p[n] - '0') <= 9) {
			x = x * 10 + (uint64_t)(p[n] - '0');
			n++;
		}
	if (n == 0 || x > max || !is_field_end(p[n]))
		return NULL;
	*v = (uint32_t)x;
	return p + n;
}

/* A dotted quad (octets of 1-3 decimal digits, as the general scanner
 * reads them), network order; the caller checks what follows. */
static const char *ipv4_addr(const char *p, uint32_t *be)
{
	uint8_t b[4];

	for (int i = 0; i < 4; i++) {
		/* Digit by digit, unrolled: each byte is read only after the
		 * one before it was a digit, so never past the line's NUL. */
		unsigned v = (unsigned)(p[0] - '0'), d;

		if (v > 9)
			return NULL;
		if ((d = (unsigned)(p[1] - '0')) > 9) {
			p += 1;
		} else {
			v = v * 10 + d;
			if ((d = (unsigned)(p[2] - '0')) > 9) {
				p += 2;
			} else {
				v = v * 10 + d;
				p += 3;
			}
		}
		if (v > 255 || (i < 3 && *p++ != '.'))
			return NULL;
		b[i] = (uint8_t)v;
	}
	memcpy(be, b, 4);
	return p;
}

/* "A.B.C.D" or "A.B.C.D/M.M.M.M", ended by ',' or ')'. */
static const char *ipv4_masked(const char *p, uint32_t *key, uint32_t *mask)
{
	*mask = UINT32_MAX;
	if ((p = ipv4_addr(p, key)) && *p == '/')
		p = ipv4_addr(p + 1, mask);
	return p && is_field_end(*p) ? p : NULL;
}

static int hex_digit(char c)
{
	if ((unsigned)(c - '0') <= 9)
		return c - '0';
	if ((unsigned)(c - 'a') <= 5)
		return c - 'a' + 10;
	if ((unsigned)(c - 'A') <= 5)
		return c - 'A' + 10;
	return -1;
}

/* "xx:xx:xx:xx:xx:xx" (two digits a byte), ended by ',' or ')'. */
static const char *mac_addr(const char *p, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		/* Each byte read only after the one before it was not the
		 * line's NUL. */
		int hi = hex_digit(p[0]), lo = hi < 0 ? -1 : hex_digit(p[1]);

		if (hi < 0 || lo < 0 || (i < 5 && p[2] != ':'))
			return NULL;
		mac[i] = (uint8_t)(hi << 4 | lo);
		p += i < 5 ? 3 : 2;
	}
	return is_field_end(*p) ? p : NULL;
}

/* After a field: ',' goes, ')' stays for the loop. */
static const char *next_field(const char *p)
{
	return *p == ',' ? p + 1 : p;
}

/* "eth()" or "eth(src=MAC,dst=MAC)" in either order, each at most once. */
static const char *eth_attr(const struct fline *l, const char *p, struct flow_key *k,
			    struct flow_key *m)
{
	unsigned seen = 0;

	while (p && *p != ')') {
		const char *v;
		uint8_t *key;
		unsigned bit;

		if ((v = take(l, p, "src=")) != NULL)
			key = k->eth_src, bit = 1;
		else if ((v = take(l, p, "dst=")) != NULL)
			key = k->eth_dst, bit = 2;
		else
			return NULL;
		if ((seen & bit) || !(p = mac_addr(v, key)))
			return NULL;
		seen |= bit;
		memset(bit == 1 ? m->eth_src : m->eth_dst, 0xff, 6);
		p = next_field(p);
	}
	return p ? p + 1 : NULL;
}

/* A u8 field of ipv4(): its value, mask all ones. */
static const char *u8_field(const char *v, uint8_t *key, uint8_t *mask)
{
	uint32_t x;

	if (!(v = decimal(v, 255, &x)))
		return NULL;
	*key = (uint8_t)x;
	*mask = 0xff;
	return v;
}

static const char *frag_field(const struct fline *l, const char *v, uint8_t *key,
			      uint8_t *mask)
{
	const char *end;
	uint8_t type;

	if ((end = take(l, v, "no")) != NULL)
		type = OVS_FRAG_TYPE_NONE;
	else if ((end = take(l, v, "first")) != NULL)
		type = OVS_FRAG_TYPE_FIRST;
	else if ((end = take(l, v, "later")) != NULL)
		type = OVS_FRAG_TYPE_LATER;
	else
		return NULL;
	if (!is_field_end(*end))
		return NULL;
	*key = type;
	*mask = 0xff;
	return end;
}

enum ipv4_name { IPV4_SRC, IPV4_DST, IPV4_PROTO, IPV4_TOS, IPV4_TTL, IPV4_FRAG };

/* Which "name=" of ipv4() is at 'p' (chosen by its first letter, then
 * compared whole); its value's position in '*v', or NULL. */
static enum ipv4_name ipv4_name(const struct fline *l, const char *p, const char **v)
{
	switch (*p) {
	case 's': *v = take(l, p, "src="); return IPV4_SRC;
	case 'd': *v = take(l, p, "dst="); return IPV4_DST;
	case 'p': *v = take(l, p, "proto="); return IPV4_PROTO;
	case 't':
		if ((*v = take(l, p, "tos=")) != NULL)
			return IPV4_TOS;
		*v = take(l, p, "ttl=");
		return IPV4_TTL;
	case 'f': *v = take(l, p, "frag="); return IPV4_FRAG;
	default: *v = NULL; return IPV4_SRC;
	}
}

/* One "name=value" of ipv4(), each name at most once ('seen': a bit a
 * name); the position after the value, or NULL. */
static const char *ipv4_field(const struct fline *l, const char *p, struct flow_key *k,
			      struct flow_key *m, unsigned *seen)
{
	const char *v;
	enum ipv4_name i = ipv4_name(l, p, &v);

	if (v == NULL || (*seen & (1u << i)))
		return NULL;
	*seen |= 1u << i;
	switch (i) {
	case IPV4_SRC: return ipv4_masked(v, &k->ipv4.src, &m->ipv4.src);
	case IPV4_DST: return ipv4_masked(v, &k->ipv4.dst, &m->ipv4.dst);
	case IPV4_PROTO: return u8_field(v, &k->ip_proto, &m->ip_proto);
	case IPV4_TOS: return u8_field(v, &k->ip_tos, &m->ip_tos);
	case IPV4_TTL: return u8_field(v, &k->ip_ttl, &m->ip_ttl);
	default: return frag_field(l, v, &k->ip_frag, &m->ip_frag);
	}
}

/* The fields of ipv4(...) after its '(', up to and past its ')'. */
static const char *ipv4_attr(const struct fline *l, const char *p, struct flow_key *k,
			     struct flow_key *m)
{
	unsigned seen = 0;

	while (p && *p != ')')
		if ((p = ipv4_field(l, p, k, m, &seen)))
			p = next_field(p);
	return p ? p + 1 : NULL;
}

/* The fields of udp(...) or tcp(...) after the '(': decimal ports. */
static const char *ports_attr(const struct fline *l, const char *p, struct flow_key *k,
			      struct flow_key *m)
{
	unsigned seen = 0;

	while (p && *p != ')') {
		const char *v;
		uint16_t *key, *mask;
		uint32_t port;
		unsigned bit;

		if ((v = take(l, p, "src=")) != NULL)
			key = &k->tp_src, mask = &m->tp_src, bit = 1;
		else if ((v = take(l, p, "dst=")) != NULL)
			key = &k->tp_dst, mask = &m->tp_dst, bit = 2;
		else
			return NULL;
		if ((seen & bit) || !(p = decimal(v, 0xffff, &port)))
			return NULL;
		seen |= bit;
		*key = htons((uint16_t)port);
		*mask = 0xffff;
		p = next_field(p);
	}
	return p ? p + 1 : NULL;
}

/* "N)," of a u32 metadata attribute (recirc_id, in_port) after its
 * "name(" at 'v' (NULL: the attribute is absent, which is fine: 'p'). */
static const char *u32_attr(const char *p, const char *v, uint32_t *key, uint32_t *mask)
{
	uint32_t x;

	if (v == NULL)
		return p;
	if (!(v = decimal(v, UINT32_MAX, &x)) || v[0] != ')' || v[1] != ',')
		return NULL;
	*key = x;
	*mask = UINT32_MAX;
	return v + 2;
}

/* The flow up to its end; NULL where it is not of the shape. */
static const char *flow_body(const struct fline *l, const char *p, struct flow_key *k,
			     struct flow_key *m)
{
	const char *q;

	if (!(p = u32_attr(p, take(l, p, "recirc_id("), &k->recirc_id, &m->recirc_id)) ||
	    !(p = u32_attr(p, take(l, p, "in_port("), &k->in_port, &m->in_port)))
		return NULL;
	if ((q = take(l, p, "eth(")) && (!(q = eth_attr(l, q, k, m)) || *q++ != ','))
		return NULL;
	p = q ? q : p;
	if (!(p = take(l, p, "eth_type(0x0800),ipv4(")))
		return NULL;
	k->eth_type = htons(0x0800);
	m->eth_type = 0xffff;
	if (!(p = ipv4_attr(l, p, k, m)))
		return NULL;
	if ((q = take(l, p, ",udp(")) || (q = take(l, p, ",tcp(")))
		p = ports_attr(l, q, k, m);
	return p;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

size_t odp_flow_line_fast(const char *line, struct odp_match *m)
{
	const struct fline l = { .end = line + strlen(line) };
	const char *p = line;

	while (is_blank(*p))
		p++;
	flow_key_zero(&m->key);
	flow_key_zero(&m->mask);
	memset(&m->ufid, 0, sizeof(m->ufid));
	m->has_ufid = false;
	p = flow_body(&l, p, &m->key, &m->mask);
	/* The flow must end at a blank, and actions must follow. */
	if (p == NULL || !is_blank(*p))
		return 0;
	while (is_blank(*p))
		p++;
	if (*p == '\0')
		return 0;
	flow_key_mask_apply(&m->key, &m->key, &m->mask);
	return (size_t)(p - line);
}
