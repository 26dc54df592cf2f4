/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Action lists in text -> OVS_ACTION_ATTR_* netlink attributes, in the
 * syntax OVS prints them (format_odp_actions()). Where OVS 3.1 cannot
 * parse its own output (push_mpls, pop_mpls, hash, push_eth, "drop"
 * inside a nested list) the printed form is taken as the syntax.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <linux/openvswitch.h>
#include <stdlib.h>
#include <string.h>

#include "odp_text.h"
#include "text_int.h"

/* OVS's user_action_cookie, which it puts in a userspace() action that
 * names no userdata: that many zero bytes. */
#define OVS_DEFAULT_COOKIE_LEN 48
/* OVS pads userdata to 8 bytes for kernels before 3.10. */
#define USERDATA_MIN_LEN 8
/* ovs_hash_alg values OVS prints: l4 is the kernel's, sym_l4 userspace's. */
#define HASH_ALG_SYM_L4 1

static int parse_list(struct scan *sc, struct nlbuf *b, bool nested);

static bool at_action_end(char c)
{
	return c == '\0' || c == ')' || scan_is_delim(c);
}

/* Consume 'kw' when it is the whole word at the cursor. */
static bool keyword(struct scan *sc, const char *kw)
{
	size_t n = strlen(kw);

	if (strncmp(sc->p, kw, n) != 0 || scan_word(sc->p) != (int)n)
		return false;
	sc->p += n;
	return true;
}

/* "name=" then an unsigned value of at most 'max'. */
static int named_uint(struct scan *sc, const char *name, uint64_t max, uint64_t *v)
{
	size_t n = strlen(name);

	if (strncmp(sc->p, name, n) != 0 || sc->p[n] != '=')
		return scan_fail(sc, sc->p, "expected '%s=', found '%.*s'", name,
				 scan_toklen(sc->p) ? scan_toklen(sc->p) : 1, sc->p);
	sc->p += n + 1;
	return scan_uint(sc, max, v, name);
}

/* "(N)" of a one-number action. */
static int paren_uint(struct scan *sc, uint64_t max, uint64_t *v, const char *what)
{
	int err = scan_expect(sc, '(', what);

	if (!err)
		err = scan_uint(sc, max, v, what);
	return err ? err : scan_expect(sc, ')', what);
}

/* Close a nest, refusing one too big for a netlink attribute. */
static int nest_end(struct scan *sc, struct nlbuf *b, size_t ofs, const char *at)
{
	if (!b->overflow && b->len - ofs > UINT16_MAX)
		return scan_fail(sc, at, "nested action list too long for a netlink attribute");
	nlbuf_nest_end(b, ofs);
	return 0;
}

/* A parenthesised action list: "(a,b,...)" or "(drop)"; consumes the ')'. */
static int nested_list(struct scan *sc, struct nlbuf *b, uint16_t type, const char *at)
{
	size_t ofs = nlbuf_nest_start(b, type);
	int err;

	if (++sc->depth > ODP_TEXT_MAX_DEPTH)
		return scan_fail(sc, at, "actions nested deeper than %d", ODP_TEXT_MAX_DEPTH);
	err = parse_list(sc, b, true);
	sc->depth--;
	if (err || (err = scan_expect(sc, ')', "to close the action list")))
		return err;
	return nest_end(sc, b, ofs, at);
}

static int parse_hex_bytes(struct scan *sc, uint8_t **out, size_t *len)
{
	size_t n = strspn(sc->p, "0123456789abcdefABCDEF");
	uint8_t *buf;

	if (n % 2)
		return scan_fail(sc, sc->p, "odd number of hex digits in userdata");
	buf = malloc(n / 2 + 1);
	if (buf == NULL)
		return scan_fail(sc, sc->p, "out of memory");
	for (size_t i = 0; i < n; i += 2) {
		char two[3] = { sc->p[i], sc->p[i + 1], 0 };

		buf[i / 2] = (uint8_t)strtoul(two, NULL, 16);
	}
	sc->p += n;
	*out = buf;
	*len = n / 2;
	return 0;
}

static int parse_userspace(struct scan *sc, struct nlbuf *b)
{
	uint8_t *userdata = NULL;
	size_t ud_len = OVS_DEFAULT_COOKIE_LEN, ofs;
	uint64_t pid, port = 0;
	bool actions = false, has_port = false;
	int err;

	if ((err = scan_expect(sc, '(', "after 'userspace'")) ||
	    (err = named_uint(sc, "pid", UINT32_MAX, &pid)))
		return err;
	if (scan_lit(sc, ",userdata(")) {
		if ((err = parse_hex_bytes(sc, &userdata, &ud_len)) ||
		    (err = scan_expect(sc, ')', "after the userdata")))
			goto out;
	} else if (sc->p[0] == ',' && isalpha((unsigned char)sc->p[1])) {
		/* OVS's own cookies (sFlow, slow_path, flow_sample, ipfix,
		 * controller) encode its private struct user_action_cookie. */
		size_t n = strspn(sc->p + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_");

		if (sc->p[1 + n] == '(') {
			err = scan_fail(sc, sc->p + 1, "userspace cookie '%.*s' is not supported",
					(int)n, sc->p + 1);
			goto out;
		}
	}
	if (scan_lit(sc, ",actions"))
		actions = true;
	if (scan_lit(sc, ",tunnel_out_port=")) {
		if ((err = scan_uint(sc, UINT32_MAX, &port, "tunnel_out_port")))
			goto out;
		has_port = true;
	}
	if ((err = scan_expect(sc, ')', "to close userspace(")))
		goto out;
	ofs = nlbuf_nest_start(b, OVS_ACTION_ATTR_USERSPACE);
	nlbuf_put_u32(b, OVS_USERSPACE_ATTR_PID, (uint32_t)pid);
	{
		size_t n = ud_len > USERDATA_MIN_LEN ? ud_len : USERDATA_MIN_LEN;
		uint8_t *pad = calloc(1, n);

		if (pad == NULL) {
			err = scan_fail(sc, sc->p, "out of memory");
			goto out;
		}
		if (userdata)
			memcpy(pad, userdata, ud_len);
		nlbuf_put_attr(b, OVS_USERSPACE_ATTR_USERDATA, pad, n);
		free(pad);
	}
	if (has_port)
		nlbuf_put_u32(b, OVS_USERSPACE_ATTR_EGRESS_TUN_PORT, (uint32_t)port);
	if (actions)
		nlbuf_put_flag(b, OVS_USERSPACE_ATTR_ACTIONS);
	err = nest_end(sc, b, ofs, sc->p);
out:
	free(userdata);
	return err;
}

static bool all_ones(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != 0xff)
			return false;
	return true;
}

/* set(attr): SET when every bit is given, SET_MASKED otherwise, as OVS. */
static int parse_set(struct scan *sc, struct nlbuf *b, const char *at)
{
	struct kattr *ka = malloc(sizeof(*ka));
	size_t ofs;
	int err;

	if (ka == NULL)
		return scan_fail(sc, at, "out of memory");
	if ((err = scan_expect(sc, '(', "after 'set'")) || (err = kattr_parse(sc, ka)))
		goto out;
	if (ka->type == OVS_KEY_ATTR_ENCAP) {
		err = scan_fail(sc, ka->at, "set(encap(...)) is not an action");
		goto out;
	}
	if ((err = scan_expect(sc, ')', "to close set(")))
		goto out;
	if (ka->type == OVS_KEY_ATTR_TUNNEL) {
		/* The datapath sets tunnel metadata whole, never masked. */
		if (ka->tun_masked) {
			err = scan_fail(sc, ka->at, "set(tunnel(...)) takes no masks");
			goto out;
		}
		size_t tun;

		ofs = nlbuf_nest_start(b, OVS_ACTION_ATTR_SET);
		tun = nlbuf_nest_start(b, OVS_KEY_ATTR_TUNNEL);
		nlbuf_put(b, ka->key, ka->len); /* sub-attributes, already aligned */
		nlbuf_nest_end(b, tun);
		nlbuf_nest_end(b, ofs);
	} else if (all_ones(ka->mask, ka->len)) {
		ofs = nlbuf_nest_start(b, OVS_ACTION_ATTR_SET);
		nlbuf_put_attr(b, ka->type, ka->key, ka->len);
		nlbuf_nest_end(b, ofs);
	} else {
		uint8_t both[2 * KATTR_PAYLOAD_MAX];
		const uint8_t *k = (const uint8_t *)ka->key, *m = (const uint8_t *)ka->mask;
		/* Every key attribute fits (the table says so); the bound also
		 * tells the compiler that 'both' is large enough. */
		size_t len = ka->len < KATTR_PAYLOAD_MAX ? ka->len : KATTR_PAYLOAD_MAX;

		/* The kernel wants the unmasked bits of the value zero. */
		for (size_t i = 0; i < len; i++) {
			both[i] = k[i] & m[i];
			both[len + i] = m[i];
		}
		ofs = nlbuf_nest_start(b, OVS_ACTION_ATTR_SET_MASKED);
		nlbuf_put_attr(b, ka->type, both, 2u * len);
		nlbuf_nest_end(b, ofs);
	}
out:
	free(ka);
	return err;
}

static int parse_push_vlan(struct scan *sc, struct nlbuf *b)
{
	static const struct { const char *name; uint64_t max; } f[] = {
		{ "tpid", 0xffff }, { "vid", 0xfff }, { "pcp", 7 }, { "cfi", 1 },
	};
	uint64_t v[4] = { 0x8100, 0, 0, 1 };
	bool seen[4] = { false };
	struct ovs_action_push_vlan pv;
	int err;

	if ((err = scan_expect(sc, '(', "after 'push_vlan'")))
		return err;
	while (*sc->p != ')') {
		const char *at = sc->p;
		int w = scan_word(at), i;

		for (i = 0; i < 4; i++)
			if ((size_t)w == strlen(f[i].name) && strncmp(at, f[i].name, (size_t)w) == 0)
				break;
		if (i == 4 || at[w] != '=')
			return scan_fail(sc, at, "unknown field '%.*s' in push_vlan()",
					 scan_namelen(at), at);
		sc->p += w + 1;
		if ((err = scan_uint(sc, f[i].max, &v[i], f[i].name)))
			return err;
		seen[i] = true;
		if (*sc->p == ',')
			sc->p++;
		else if (*sc->p != ')')
			return scan_expect(sc, ')', "to close push_vlan(");
	}
	if (!seen[1] || !seen[2])
		return scan_fail(sc, sc->p, "push_vlan() needs vid= and pcp=");
	sc->p++;
	pv.vlan_tpid = htons((uint16_t)v[0]);
	pv.vlan_tci = htons((uint16_t)(v[1] | v[2] << 13 | (v[3] ? 0x1000 : 0)));
	nlbuf_put_attr(b, OVS_ACTION_ATTR_PUSH_VLAN, &pv, sizeof(pv));
	return 0;
}

/* "label=L,tc=T,ttl=N,bos=B,eth_type=E" of push_mpls/add_mpls. */
static int parse_mpls_lse(struct scan *sc, uint32_t *lse, uint16_t *eth_type)
{
	uint64_t label, tc, ttl, bos, et;
	int err;

	if ((err = named_uint(sc, "label", 0xfffff, &label)) || (err = scan_expect(sc, ',', "")) ||
	    (err = named_uint(sc, "tc", 7, &tc)) || (err = scan_expect(sc, ',', "")) ||
	    (err = named_uint(sc, "ttl", 0xff, &ttl)) || (err = scan_expect(sc, ',', "")) ||
	    (err = named_uint(sc, "bos", 1, &bos)) || (err = scan_expect(sc, ',', "")) ||
	    (err = named_uint(sc, "eth_type", 0xffff, &et)))
		return err;
	*lse = htonl((uint32_t)(label << 12 | tc << 9 | bos << 8 | ttl));
	*eth_type = htons((uint16_t)et);
	return 0;
}

static int parse_push_mpls(struct scan *sc, struct nlbuf *b, bool add)
{
	uint32_t lse;
	uint16_t et;
	int err;

	if ((err = scan_expect(sc, '(', add ? "after 'add_mpls'" : "after 'push_mpls'")) ||
	    (err = parse_mpls_lse(sc, &lse, &et)))
		return err;
	if (add) {
		struct ovs_action_add_mpls am = { lse, et, 0 };

		if (scan_lit(sc, ",l3_tunnel"))
			am.tun_flags = OVS_MPLS_L3_TUNNEL_FLAG_MASK;
		if ((err = scan_expect(sc, ')', "to close add_mpls(")))
			return err;
		nlbuf_put_attr(b, OVS_ACTION_ATTR_ADD_MPLS, &am, sizeof(am));
	} else {
		struct ovs_action_push_mpls pm;

		memset(&pm, 0, sizeof(pm));
		pm.mpls_lse = lse;
		pm.mpls_ethertype = et;
		if ((err = scan_expect(sc, ')', "to close push_mpls(")))
			return err;
		nlbuf_put_attr(b, OVS_ACTION_ATTR_PUSH_MPLS, &pm, sizeof(pm));
	}
	return 0;
}

static int parse_hash(struct scan *sc, struct nlbuf *b)
{
	struct ovs_action_hash h;
	uint64_t basis;
	int err;

	if ((err = scan_expect(sc, '(', "after 'hash'")))
		return err;
	if (keyword(sc, "l4"))
		h.hash_alg = OVS_HASH_ALG_L4;
	else if (keyword(sc, "sym_l4"))
		h.hash_alg = HASH_ALG_SYM_L4;
	else
		return scan_fail(sc, sc->p, "unknown hash algorithm '%.*s' (expected l4 or sym_l4)",
				 scan_toklen(sc->p) ? scan_toklen(sc->p) : 1, sc->p);
	if ((err = paren_uint(sc, UINT32_MAX, &basis, "hash basis")) ||
	    (err = scan_expect(sc, ')', "to close hash(")))
		return err;
	h.hash_basis = (uint32_t)basis;
	nlbuf_put_attr(b, OVS_ACTION_ATTR_HASH, &h, sizeof(h));
	return 0;
}

static int parse_push_eth(struct scan *sc, struct nlbuf *b)
{
	struct ovs_action_push_eth pe;
	int err;

	if ((err = scan_expect(sc, '(', "after 'push_eth'")))
		return err;
	if (!scan_lit(sc, "src="))
		return scan_fail(sc, sc->p, "expected 'src=' in push_eth()");
	if ((err = scan_mac(sc, pe.addresses.eth_src, "src")) || (err = scan_expect(sc, ',', "")))
		return err;
	if (!scan_lit(sc, "dst="))
		return scan_fail(sc, sc->p, "expected 'dst=' in push_eth()");
	if ((err = scan_mac(sc, pe.addresses.eth_dst, "dst")) ||
	    (err = scan_expect(sc, ')', "to close push_eth(")))
		return err;
	nlbuf_put_attr(b, OVS_ACTION_ATTR_PUSH_ETH, &pe, sizeof(pe));
	return 0;
}

static int parse_sample(struct scan *sc, struct nlbuf *b, const char *at)
{
	const char *num;
	char *end;
	double pct, prob;
	size_t ofs;
	int err;

	if (!scan_lit(sc, "(sample="))
		return scan_fail(sc, sc->p, "expected '(sample=' after 'sample'");
	num = sc->p;
	if (!isdigit((unsigned char)*num) && *num != '.')
		return scan_fail(sc, num, "bad sample percentage '%.*s'", scan_toklen(num), num);
	pct = strtod(num, &end);
	if (end == num || *end != '%' || !(pct >= 0.0 && pct <= 100.0))
		return scan_fail(sc, num, "bad sample percentage '%.*s' (0 to 100%%)",
				 scan_toklen(num), num);
	sc->p = end + 1;
	if (!scan_lit(sc, ",actions("))
		return scan_fail(sc, sc->p, "expected ',actions(' in sample()");
	/* OVS's rounding (floor of x + 0.5; x >= 0, so a cast floors), so
	 * that the percentages it prints read back to the same value. */
	prob = UINT32_MAX * (pct / 100.0) + 0.5;
	ofs = nlbuf_nest_start(b, OVS_ACTION_ATTR_SAMPLE);
	nlbuf_put_u32(b, OVS_SAMPLE_ATTR_PROBABILITY,
		      prob >= UINT32_MAX ? UINT32_MAX : (uint32_t)prob);
	if ((err = nested_list(sc, b, OVS_SAMPLE_ATTR_ACTIONS, at)) ||
	    (err = scan_expect(sc, ')', "to close sample(")))
		return err;
	return nest_end(sc, b, ofs, at);
}

static int parse_check_pkt_len(struct scan *sc, struct nlbuf *b, const char *at)
{
	uint64_t size;
	size_t ofs;
	int err;

	if ((err = scan_expect(sc, '(', "after 'check_pkt_len'")) ||
	    (err = named_uint(sc, "size", 0xffff, &size)))
		return err;
	if (!scan_lit(sc, ",gt("))
		return scan_fail(sc, sc->p, "expected ',gt(' in check_pkt_len()");
	ofs = nlbuf_nest_start(b, OVS_ACTION_ATTR_CHECK_PKT_LEN);
	nlbuf_put_u16(b, OVS_CHECK_PKT_LEN_ATTR_PKT_LEN, (uint16_t)size);
	if ((err = nested_list(sc, b, OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_GREATER, at)))
		return err;
	if (!scan_lit(sc, ",le("))
		return scan_fail(sc, sc->p, "expected ',le(' in check_pkt_len()");
	if ((err = nested_list(sc, b, OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_LESS_EQUAL, at)) ||
	    (err = scan_expect(sc, ')', "to close check_pkt_len(")))
		return err;
	return nest_end(sc, b, ofs, at);
}

/* "dec_ttl(le_1(LIST))": LIST runs on packets whose TTL would reach 0.
 * OVS 3.1 has no dec_ttl; this is the form of the OVS patches that added
 * it. The kernel wants the list inside an OVS_DEC_TTL_ATTR_ACTION nest. */
static int parse_dec_ttl(struct scan *sc, struct nlbuf *b, const char *at)
{
	size_t ofs;
	int err;

	if (!scan_lit(sc, "(le_1("))
		return scan_fail(sc, sc->p, "expected '(le_1(' after 'dec_ttl'");
	ofs = nlbuf_nest_start(b, OVS_ACTION_ATTR_DEC_TTL);
	if ((err = nested_list(sc, b, OVS_DEC_TTL_ATTR_ACTION, at)) ||
	    (err = scan_expect(sc, ')', "to close dec_ttl(")))
		return err;
	return nest_end(sc, b, ofs, at);
}

/* One action at the cursor. */
static int parse_action(struct scan *sc, struct nlbuf *b)
{
	const char *at = sc->p;
	uint64_t v;
	int err;

	if (sc_is(*at, SC_DIGIT)) {
		if ((err = scan_uint(sc, UINT32_MAX, &v, "output port")))
			return err;
		nlbuf_put_u32(b, OVS_ACTION_ATTR_OUTPUT, (uint32_t)v);
		return 0;
	}
	if (keyword(sc, "trunc")) {
		struct ovs_action_trunc t;

		if ((err = paren_uint(sc, UINT32_MAX, &v, "trunc length")))
			return err;
		t.max_len = (uint32_t)v;
		nlbuf_put_attr(b, OVS_ACTION_ATTR_TRUNC, &t, sizeof(t));
		return 0;
	}
	if (keyword(sc, "recirc") || keyword(sc, "meter")) {
		bool recirc = at[0] == 'r';

		if ((err = paren_uint(sc, UINT32_MAX, &v, recirc ? "recirc id" : "meter id")))
			return err;
		nlbuf_put_u32(b, recirc ? OVS_ACTION_ATTR_RECIRC : OVS_ACTION_ATTR_METER,
			      (uint32_t)v);
		return 0;
	}
	if (keyword(sc, "userspace"))
		return parse_userspace(sc, b);
	if (keyword(sc, "set"))
		return parse_set(sc, b, at);
	if (keyword(sc, "push_vlan"))
		return parse_push_vlan(sc, b);
	if (keyword(sc, "pop_vlan") || keyword(sc, "ct_clear") || keyword(sc, "pop_eth")) {
		nlbuf_put_flag(b, at[1] == 't' ? OVS_ACTION_ATTR_CT_CLEAR
			       : at[4] == 'v' ? OVS_ACTION_ATTR_POP_VLAN : OVS_ACTION_ATTR_POP_ETH);
		return 0;
	}
	if (keyword(sc, "push_mpls") || keyword(sc, "add_mpls"))
		return parse_push_mpls(sc, b, at[0] == 'a');
	if (keyword(sc, "pop_mpls")) {
		if ((err = scan_expect(sc, '(', "after 'pop_mpls'")) ||
		    (err = named_uint(sc, "eth_type", 0xffff, &v)) ||
		    (err = scan_expect(sc, ')', "to close pop_mpls(")))
			return err;
		nlbuf_put_u16(b, OVS_ACTION_ATTR_POP_MPLS, htons((uint16_t)v));
		return 0;
	}
	if (keyword(sc, "hash"))
		return parse_hash(sc, b);
	if (keyword(sc, "push_eth"))
		return parse_push_eth(sc, b);
	if (keyword(sc, "sample"))
		return parse_sample(sc, b, at);
	if (keyword(sc, "clone")) {
		if ((err = scan_expect(sc, '(', "after 'clone'")))
			return err;
		return nested_list(sc, b, OVS_ACTION_ATTR_CLONE, at);
	}
	if (keyword(sc, "check_pkt_len"))
		return parse_check_pkt_len(sc, b, at);
	if (keyword(sc, "dec_ttl"))
		return parse_dec_ttl(sc, b, at);
	if (strncmp(at, "ct", 2) == 0 && scan_word(at) == 2)
		return ct_action_parse(sc, b);
	return scan_fail(sc, at, "unknown action '%.*s'", scan_toklen(at) ? scan_toklen(at) : 1, at);
}

/* Actions separated by delimiters, up to the end or (nested) a ')'. */
static int parse_list(struct scan *sc, struct nlbuf *b, bool nested)
{
	const char *drop_at = NULL, *first = NULL;
	int err;

	for (;;) {
		const char *at;

		scan_skip_delims(sc);
		at = sc->p;
		if (*at == '\0' || (*at == ')' && nested))
			return 0;
		if (*at == ')')
			return scan_fail(sc, at, "unbalanced ')'");
		if (drop_at)
			return scan_fail(sc, at, "nothing may follow 'drop' in an action list");
		if (strncmp(at, "drop", 4) == 0 && at_action_end(at[4])) {
			if (first)
				return scan_fail(sc, at, "'drop' must be the only action in its list");
			drop_at = at;
			sc->p += 4;
			continue;
		}
		if ((err = parse_action(sc, b)))
			return err;
		first = at;
		if (!at_action_end(*sc->p))
			return scan_fail(sc, sc->p, "unexpected '%.*s' after an action",
					 scan_toklen(sc->p) ? scan_toklen(sc->p) : 1, sc->p);
	}
}

/*
 * The last action list that parsed cleanly, per thread: the lines of a
 * flows file mostly repeat their actions, and the bytes depend only on
 * the text (attributes are padded, so they do not depend on where in the
 * buffer they land).
 */
#define AMEMO_TEXT_MAX 128
#define AMEMO_BYTES_MAX 512
struct amemo {
	size_t text_len;            /* 0: empty */
	size_t n_bytes;
	char text[AMEMO_TEXT_MAX];
	uint8_t bytes[AMEMO_BYTES_MAX];
};
static _Thread_local struct amemo amemo;

void odp_actions_memo_clear(void)
{
	amemo.text_len = 0;
}

/* Append the memo's bytes when 's' is its text; false when it is not, or
 * when they do not fit (the full parser then words the error). */
static bool amemo_take(const char *s, struct nlbuf *out)
{
	size_t start = out->len;

	if (amemo.text_len == 0 || strncmp(s, amemo.text, amemo.text_len + 1) != 0)
		return false;
	if (nlbuf_put(out, amemo.bytes, amemo.n_bytes) == (size_t)-1 || out->overflow) {
		out->len = start;
		out->overflow = false;
		return false;
	}
	return true;
}

static void amemo_keep(const char *s, const struct nlbuf *out, size_t start)
{
	size_t text_len = strlen(s), n = out->len - start;

	/* Not "drop" (no bytes: the buffer may have no memory yet). */
	if (text_len == 0 || text_len >= AMEMO_TEXT_MAX || n == 0 || n > AMEMO_BYTES_MAX)
		return;
	memcpy(amemo.text, s, text_len + 1);
	memcpy(amemo.bytes, out->data + start, n);
	amemo.text_len = text_len;
	amemo.n_bytes = n;
}

int odp_actions_parse(const char *s, struct nlbuf *out, struct errmsg *err)
{
	size_t start = out->len;
	bool overflow = out->overflow;
	struct scan sc;
	int rc;

	if (!overflow && amemo_take(s, out))
		return 0;
	scan_init(&sc, s, err);
	scan_skip_delims(&sc);
	if (*sc.p == '\0')
		return scan_fail(&sc, sc.p, "empty action list (write 'drop' for none)");
	rc = parse_list(&sc, out, false);
	if (!rc && out->overflow)
		rc = scan_fail(&sc, s, "no room for the actions in the buffer");
	if (!rc && out->len - start > UINT16_MAX - 4)
		rc = scan_fail(&sc, s, "action list of %zu bytes is too long for a netlink attribute",
			       out->len - start);
	if (rc) {
		out->len = start;
		out->overflow = overflow;
	} else if (!overflow) {
		amemo_keep(s, out, start);
	}
	return rc;
}
