/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Lexical layer of the text format: a cursor over a NUL-terminated string
 * that reads numbers, addresses and flag sets the way OVS's ovs_scan()
 * patterns do, but checks every range and reports where it stopped.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "text_int.h"

void scan_init(struct scan *sc, const char *s, struct errmsg *err)
{
	sc->base = s;
	sc->p = s;
	sc->err = err;
	sc->depth = 0;
	if (err)
		errmsg_clear(err);
}

int scan_fail(struct scan *sc, const char *at, const char *fmt, ...)
{
	char msg[ERRMSG_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return errmsg_set(sc->err, -EINVAL, (int)(at - sc->base), "%s", msg);
}

/*
 * Character classes of the text format, ASCII whatever the locale (the
 * tools never call setlocale(), so <ctype.h> gave the same answers), as a
 * table: every name and number of every flow goes through these.
 */
#define W SC_WORD | SC_ALNUM
#define D SC_WORD | SC_ALNUM | SC_DIGIT | SC_XDIGIT
#define X SC_WORD | SC_ALNUM | SC_XDIGIT
#define U SC_ALNUM | SC_XDIGIT
const uint8_t scan_cclass[256] = {
	[','] = SC_DELIM, [' '] = SC_DELIM, ['\t'] = SC_DELIM, ['\r'] = SC_DELIM,
	['\n'] = SC_DELIM, ['_'] = SC_WORD,
	['0'] = D, ['1'] = D, ['2'] = D, ['3'] = D, ['4'] = D,
	['5'] = D, ['6'] = D, ['7'] = D, ['8'] = D, ['9'] = D,
	['a'] = X, ['b'] = X, ['c'] = X, ['d'] = X, ['e'] = X, ['f'] = X,
	['g'] = W, ['h'] = W, ['i'] = W, ['j'] = W, ['k'] = W, ['l'] = W, ['m'] = W,
	['n'] = W, ['o'] = W, ['p'] = W, ['q'] = W, ['r'] = W, ['s'] = W, ['t'] = W,
	['u'] = W, ['v'] = W, ['w'] = W, ['x'] = W, ['y'] = W, ['z'] = W,
	['A'] = U, ['B'] = U, ['C'] = U, ['D'] = U, ['E'] = U, ['F'] = U,
	['G'] = SC_ALNUM, ['H'] = SC_ALNUM, ['I'] = SC_ALNUM, ['J'] = SC_ALNUM,
	['K'] = SC_ALNUM, ['L'] = SC_ALNUM, ['M'] = SC_ALNUM, ['N'] = SC_ALNUM,
	['O'] = SC_ALNUM, ['P'] = SC_ALNUM, ['Q'] = SC_ALNUM, ['R'] = SC_ALNUM,
	['S'] = SC_ALNUM, ['T'] = SC_ALNUM, ['U'] = SC_ALNUM, ['V'] = SC_ALNUM,
	['W'] = SC_ALNUM, ['X'] = SC_ALNUM, ['Y'] = SC_ALNUM, ['Z'] = SC_ALNUM,
};
#undef W
#undef D
#undef X
#undef U

int scan_toklen(const char *p)
{
	int n = 0;

	while (n < 40 && p[n] && !scan_is_delim(p[n]) && !strchr("()/", p[n]))
		n++;
	return n;
}

int scan_namelen(const char *p)
{
	int n = scan_word(p);

	if (n == 0)
		n = scan_toklen(p);
	return n ? (n > 40 ? 40 : n) : 1;
}

int scan_expect(struct scan *sc, char c, const char *context)
{
	if (*sc->p == c) {
		sc->p++;
		return 0;
	}
	if (*sc->p == '\0')
		return scan_fail(sc, sc->p, "missing '%c' %s", c, context);
	return scan_fail(sc, sc->p, "expected '%c' %s, found '%.*s'", c, context,
			 scan_toklen(sc->p) ? scan_toklen(sc->p) : 1, sc->p);
}

int scan_word(const char *p)
{
	int n = 0;

	while (sc_is(p[n], SC_WORD))
		n++;
	return n;
}

static int digit_value(char c, int base)
{
	int d;

	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (c >= 'a' && c <= 'f')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		d = c - 'A' + 10;
	else
		return -1;
	return d < base ? d : -1;
}

/*
 * Up to 19 decimal digits without a leading zero cannot overflow 64 bits:
 * the common case (ports, protocols, lengths) without the base and
 * overflow checks of the general loop. Returns the end, or NULL to leave
 * the number (and its errors) to the general loop.
 */
static const char *short_decimal(const char *p, uint64_t *v)
{
	uint64_t x = 0;
	int n = 0;

	if (*p < '1' || *p > '9')
		return NULL;
	while (n < 19 && (unsigned)(p[n] - '0') <= 9) {
		x = x * 10 + (uint64_t)(p[n] - '0');
		n++;
	}
	if (sc_is(p[n], SC_ALNUM) || p[n] == '.' || p[n] == ':')
		return NULL;
	*v = x;
	return p + n;
}

int scan_uint(struct scan *sc, uint64_t max, uint64_t *v, const char *what)
{
	const char *start = sc->p, *p = sc->p, *digits, *end;
	bool overflow = false;
	uint64_t x = 0;
	int base = 10, d;

	end = short_decimal(p, &x);
	if (end && x <= max) {
		*v = x;
		sc->p = end;
		return 0;
	}
	x = 0;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && sc_is(p[2], SC_XDIGIT)) {
		base = 16;
		p += 2;
	} else if (p[0] == '0' && sc_is(p[1], SC_DIGIT)) {
		base = 8;
		p++;
	}
	digits = p;
	for (; (d = digit_value(*p, base)) >= 0; p++) {
		uint64_t y;

		/* x * base + d without a division per digit; x stays at the last
		 * value that fitted (only the error is reported then). */
		if (__builtin_mul_overflow(x, (uint64_t)base, &y) ||
		    __builtin_add_overflow(y, (uint64_t)d, &y))
			overflow = true;
		else
			x = y;
	}
	if (p == digits || sc_is(*p, SC_ALNUM) || *p == '.' || *p == ':')
		return scan_fail(sc, start, "bad %s '%.*s': not a number", what,
				 scan_toklen(start) ? scan_toklen(start) : 1, start);
	if (overflow || x > max)
		return scan_fail(sc, start, "%s '%.*s%s' out of range (max %llu)", what,
				 p - start > 40 ? 40 : (int)(p - start), start,
				 p - start > 40 ? "..." : "", (unsigned long long)max);
	*v = x;
	sc->p = p;
	return 0;
}

int scan_uint_masked(struct scan *sc, uint64_t max, uint64_t full, uint64_t *v, uint64_t *m,
		     const char *what)
{
	int err = scan_uint(sc, max, v, what);

	if (err)
		return err;
	if (*sc->p != '/') {
		*m = full;
		return 0;
	}
	sc->p++;
	return scan_uint(sc, max, m, "mask");
}

static int octet(const char **pp)
{
	const char *p = *pp;
	int v = 0, n = 0;

	while (sc_is(*p, SC_DIGIT) && n < 4) {
		v = v * 10 + (*p++ - '0');
		n++;
	}
	if (n == 0 || n > 3 || v > 255)
		return -1;
	*pp = p;
	return v;
}

int scan_ipv4(struct scan *sc, uint32_t *be, const char *what)
{
	const char *p = sc->p;
	uint8_t b[4];

	for (int i = 0; i < 4; i++) {
		int v = octet(&p);

		if (v < 0 || (i < 3 && *p++ != '.'))
			goto bad;
		b[i] = (uint8_t)v;
	}
	if (sc_is(*p, SC_ALNUM) || *p == '.')
		goto bad;
	memcpy(be, b, 4);
	sc->p = p;
	return 0;
bad:
	return scan_fail(sc, sc->p, "bad IPv4 address '%.*s' for %s",
			 scan_toklen(sc->p) ? scan_toklen(sc->p) : 1, sc->p, what);
}

int scan_mac(struct scan *sc, uint8_t mac[6], const char *what)
{
	const char *p = sc->p;

	for (int i = 0; i < 6; i++) {
		int hi = digit_value(p[0], 16), lo;

		if (hi < 0)
			goto bad;
		lo = digit_value(p[1], 16);
		if (lo >= 0) {
			mac[i] = (uint8_t)(hi << 4 | lo);
			p += 2;
		} else {
			mac[i] = (uint8_t)hi;
			p++;
		}
		if (i < 5 && *p++ != ':')
			goto bad;
	}
	if (sc_is(*p, SC_ALNUM) || *p == ':' || *p == '.')
		goto bad;
	sc->p = p;
	return 0;
bad:
	return scan_fail(sc, sc->p, "bad Ethernet address '%.*s' for %s",
			 scan_toklen(sc->p) ? scan_toklen(sc->p) : 1, sc->p, what);
}

int scan_ipv6(struct scan *sc, uint8_t addr[16], const char *what)
{
	char buf[INET6_ADDRSTRLEN + 1];
	size_t n = strspn(sc->p, "0123456789abcdefABCDEF:.");

	if (n == 0 || n >= sizeof(buf) || sc_is(sc->p[n], SC_ALNUM))
		goto bad;
	memcpy(buf, sc->p, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET6, buf, addr) != 1)
		goto bad;
	sc->p += n;
	return 0;
bad:
	return scan_fail(sc, sc->p, "bad IPv6 address '%.*s' for %s",
			 scan_toklen(sc->p) ? scan_toklen(sc->p) : 1, sc->p, what);
}

int scan_u128(struct scan *sc, uint8_t be[16], const char *what)
{
	const char *start = sc->p, *p;
	uint8_t nib[32];
	int n = 0;

	memset(be, 0, 16);
	if (!(start[0] == '0' && (start[1] == 'x' || start[1] == 'X'))) {
		uint64_t v;
		int err = scan_uint(sc, UINT64_MAX, &v, what);

		for (int i = 15; !err && i >= 8; i--, v >>= 8)
			be[i] = (uint8_t)v;
		return err;
	}
	for (p = start + 2; digit_value(*p, 16) >= 0; p++) {
		int d = digit_value(*p, 16);

		if (d == 0 && n == 0)
			continue; /* leading zeros carry no bits */
		if (n == 32)
			return scan_fail(sc, start, "%s '%.*s' out of range (more than 128 bits)",
					 what, scan_toklen(start), start);
		nib[n++] = (uint8_t)d;
	}
	if (p == start + 2 || sc_is(*p, SC_ALNUM))
		return scan_fail(sc, start, "bad %s '%.*s': not a number", what,
				 scan_toklen(start), start);
	for (int i = 0; i < n; i++) {
		int pos = 31 - (n - 1 - i); /* nibble index from the top */

		be[pos / 2] |= (uint8_t)(nib[i] << (pos % 2 ? 0 : 4));
	}
	sc->p = p;
	return 0;
}

/* ---- Flags ---- */

const char *tcp_flag_name(uint32_t bit)
{
	static const char *const names[] = {
		"fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr", "ns", "[200]", "[400]", "[800]",
	};

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (bit == 1u << i)
			return names[i];
	return NULL;
}

const char *ct_state_name(uint32_t bit)
{
	static const char *const names[] = {
		"new", "est", "rel", "rpl", "inv", "trk", "snat", "dnat",
	};

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (bit == 1u << i)
			return names[i];
	return NULL;
}

const char *tun_flag_name(uint32_t bit)
{
	switch (bit) {
	case TXT_TNL_OAM: return "oam";
	case TXT_TNL_DF: return "df";
	case TXT_TNL_CSUM: return "csum";
	case TXT_TNL_KEY: return "key";
	default: return NULL;
	}
}

/* The flag named at p, ending with one of 'stops' or 'end'; 0 if none. */
static uint32_t flag_lookup(const char *p, const char *(*name)(uint32_t), char end,
			    const char *stops, size_t *len)
{
	for (uint32_t bit = 1; bit; bit <<= 1) {
		const char *s = name(bit);
		size_t n;

		if (s == NULL)
			continue;
		n = strlen(s);
		if (strncmp(p, s, n) == 0 && (p[n] == end || (p[n] && strchr(stops, p[n])))) {
			*len = n;
			return bit;
		}
	}
	return 0;
}

static int flags_unknown(struct scan *sc, const char *at, const char *what)
{
	return scan_fail(sc, at, "unknown %s flag '%.*s'", what,
			 scan_toklen(at) ? scan_toklen(at) : 1, at);
}

static int scan_flags_plusminus(struct scan *sc, const char *(*name)(uint32_t), char end,
				uint32_t allowed, uint32_t *flags, uint32_t *mask,
				const char *what)
{
	uint32_t f = 0, m = 0;

	while (*sc->p != end) {
		const char *at = sc->p;
		bool set = *sc->p == '+';
		uint32_t bit;
		size_t len;

		if (*sc->p != '+' && *sc->p != '-')
			return scan_fail(sc, at, "%s flag '%.*s' must be preceded by '+' or '-'",
					 what, scan_toklen(at) ? scan_toklen(at) : 1, at);
		sc->p++;
		bit = flag_lookup(sc->p, name, end, "+-", &len);
		if (bit == 0 || !(bit & allowed))
			return flags_unknown(sc, sc->p, what);
		if (m & bit)
			return scan_fail(sc, sc->p, "%s flag '%.*s' given twice", what, (int)len,
					 sc->p);
		if (set)
			f |= bit;
		m |= bit;
		sc->p += len;
	}
	*flags = f;
	*mask = m;
	return 0;
}

int scan_flags(struct scan *sc, const char *(*name)(uint32_t), char end, uint32_t allowed,
	       uint32_t *flags, uint32_t *mask, const char *what)
{
	uint32_t f = 0;

	if (sc_is(*sc->p, SC_DIGIT)) {
		/* "V/M" numbers; a plain number falls through to the '|' form. */
		struct scan probe = *sc;
		uint64_t v, m;

		probe.err = NULL; /* a failed probe reports nothing */
		if (scan_uint(&probe, UINT32_MAX, &v, what) == 0 && *probe.p == '/') {
			const char *at = sc->p;

			sc->p = probe.p + 1;
			if (scan_uint(sc, UINT32_MAX, &m, "mask"))
				return -EINVAL;
			if ((v | m) & ~(uint64_t)allowed)
				return flags_unknown(sc, at, what);
			*flags = (uint32_t)v;
			*mask = (uint32_t)m;
			return 0;
		}
	}
	if (*sc->p == '+' || *sc->p == '-')
		return scan_flags_plusminus(sc, name, end, allowed, flags, mask, what);
	while (*sc->p != end) {
		const char *at = sc->p;
		uint32_t bit;
		size_t len;

		if (sc_is(*sc->p, SC_DIGIT)) {
			uint64_t v;

			if (scan_uint(sc, UINT32_MAX, &v, what))
				return -EINVAL;
			if (v & ~(uint64_t)allowed)
				return flags_unknown(sc, at, what);
			f |= (uint32_t)v;
		} else {
			bit = flag_lookup(sc->p, name, end, "|", &len);
			if (bit == 0 || !(bit & allowed))
				return flags_unknown(sc, at, what);
			f |= bit;
			sc->p += len;
		}
		if (*sc->p == '|')
			sc->p++;
		else if (*sc->p != end)
			return flags_unknown(sc, sc->p, what);
	}
	*flags = f;
	*mask = UINT32_MAX; /* as OVS: the unmasked form matches every bit */
	return 0;
}

void fmt_flags(struct strbuf *sb, const char *(*name)(uint32_t), uint32_t flags, char del)
{
	uint32_t bad = 0;
	size_t start = sb->len;

	if (flags == 0) {
		strbuf_addc(sb, '0');
		return;
	}
	for (uint32_t bit = 1; bit; bit <<= 1) {
		const char *s;

		if (!(flags & bit))
			continue;
		s = name(bit);
		if (s)
			strbuf_addf(sb, "%s%c", s, del);
		else
			bad |= bit;
	}
	if (bad)
		strbuf_addf(sb, "0x%x%c", bad, del);
	if (sb->len > start && sb->s[sb->len - 1] == del)
		sb->s[--sb->len] = '\0';
}

void fmt_flags_masked(struct strbuf *sb, const char *(*name)(uint32_t), uint32_t flags,
		      uint32_t mask, uint32_t max_mask)
{
	if (mask == max_mask) {
		fmt_flags(sb, name, flags, '|');
		return;
	}
	if (mask == 0) {
		strbuf_add(sb, "0/0", 3);
		return;
	}
	for (uint32_t bit = 1; bit; bit <<= 1) {
		const char *s;

		if (!(mask & bit))
			continue;
		s = name(bit);
		strbuf_addf(sb, "%c%s", flags & bit ? '+' : '-', s ? s : "[Unknown]");
	}
}

/* ---- Addresses ---- */

void fmt_mac(struct strbuf *sb, const uint8_t m[6])
{
	strbuf_addf(sb, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

void fmt_ipv4(struct strbuf *sb, uint32_t be)
{
	const uint8_t *b = (const uint8_t *)&be;

	strbuf_addf(sb, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
}

void fmt_ipv6(struct strbuf *sb, const uint8_t addr[16])
{
	char buf[INET6_ADDRSTRLEN];

	if (inet_ntop(AF_INET6, addr, buf, sizeof(buf)) == NULL)
		buf[0] = '\0';
	strbuf_addf(sb, "%s", buf);
}

void fmt_hex_be(struct strbuf *sb, const uint8_t *buf, size_t n)
{
	bool printed = false;

	for (size_t i = 0; i < n; i++) {
		if (buf[i] == 0 && !printed)
			continue;
		strbuf_addf(sb, printed ? "%02x" : "0x%x", buf[i]);
		printed = true;
	}
	if (!printed)
		strbuf_addc(sb, '0');
}

void fmt_hex_spaced(struct strbuf *sb, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		strbuf_addf(sb, i ? " %02x" : "%02x", p[i]);
}

const uint8_t *nla_find(const uint8_t *p, size_t len, uint16_t type, size_t *plen)
{
	const uint8_t *payload;
	uint16_t t;

	while (nla_next(&p, &len, &t, &payload, plen))
		if (t == type)
			return payload;
	return NULL;
}

static bool pol_valid(const struct nl_pol *e, const uint8_t *v, size_t len)
{
	static const struct { size_t min, max; } range[] = {
		[POL_NONE] = { 0, SIZE_MAX }, [POL_U16] = { 2, 2 }, [POL_U32] = { 4, 4 },
		[POL_FLAG] = { 0, SIZE_MAX }, [POL_NESTED] = { 0, SIZE_MAX },
		[POL_UNSPEC] = { 0, SIZE_MAX }, [POL_STRING] = { 1, SIZE_MAX },
	};
	size_t min = e->min_len ? e->min_len : range[e->type].min;
	size_t max = e->max_len ? e->max_len : range[e->type].max;

	if (len < min || len > max)
		return false;
	if (e->type == POL_STRING && (v[len - 1] != '\0' || memchr(v, '\0', len - 1)))
		return false;
	return true;
}

bool nla_parse_policy(const uint8_t *p, size_t len, const struct nl_pol *pol, size_t n,
		      struct nl_got *got)
{
	const uint8_t *v;
	size_t vlen;
	uint16_t type;

	memset(got, 0, n * sizeof(*got));
	while (nla_next(&p, &len, &type, &v, &vlen)) {
		if (type >= n || pol[type].type == POL_NONE)
			continue;
		if (!pol_valid(&pol[type], v, vlen))
			return false;
		got[type].p = v;
		got[type].len = vlen;
	}
	if (len)
		return false; /* garbage after the attributes */
	for (size_t i = 0; i < n; i++)
		if (pol[i].type != POL_NONE && !pol[i].optional && got[i].p == NULL)
			return false;
	return true;
}
