/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Property tests for the text format, seeded (ODP_TEXT_SEED overrides):
 *  - random (key, mask) pairs that respect the fields' prerequisites,
 *    printed (plain and verbose) then parsed, give back identical structs;
 *  - random action lists, printed then parsed, give back identical bytes.
 * The generators only build what the text can say: a field the printer
 * would not show (say tcp ports without an exact ip proto) stays zero,
 * as a flow the kernel accepts would have it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/openvswitch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "odp_text.h"

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: fast, and the same sequence everywhere for a seed. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint32_t below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

static bool coin(unsigned one_in)
{
	return below(one_in) == 0;
}

static void rnd_bytes(void *p, size_t n)
{
	uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)rnd();
}

/* A mask as flows have them: none, all, a prefix, or random bits. */
static void rnd_mask(void *p, size_t n)
{
	uint8_t *b = p;

	switch (below(4)) {
	case 0:
		memset(b, 0, n);
		break;
	case 1:
		memset(b, 0xff, n);
		break;
	case 2: {
		size_t bits = below((uint32_t)(8 * n + 1));

		memset(b, 0, n);
		for (size_t i = 0; i < bits; i++)
			b[i / 8] |= (uint8_t)(0x80 >> (i % 8));
		break;
	}
	default:
		rnd_bytes(b, n);
	}
}

/* key and mask of a field: random, mask chosen as above, key within it. */
#define FIELD(k, m, f)                              \
	do {                                        \
		rnd_bytes(&(k)->f, sizeof((k)->f)); \
		rnd_mask(&(m)->f, sizeof((m)->f));  \
	} while (0)

static void gen_tunnel(struct flow_key *k, struct flow_key *m)
{
	uint16_t fl = FLOW_TNL_F_DONT_FRAGMENT | FLOW_TNL_F_CSUM | FLOW_TNL_F_OAM;

	FIELD(k, m, tun.ipv4_src);
	FIELD(k, m, tun.ipv4_dst);
	FIELD(k, m, tun.tos);
	FIELD(k, m, tun.ttl);
	FIELD(k, m, tun.tp_src);
	FIELD(k, m, tun.tp_dst);
	/* OVS shows these only when the (masked) key has them non-zero, see
	 * its tun_key_to_attr(): a zero key cannot carry a mask in text. */
#define NONZERO_OR_WILD(f)                 \
	do {                               \
		k->tun.f &= m->tun.f;      \
		if (!k->tun.f)             \
			m->tun.f = 0;      \
	} while (0)
	NONZERO_OR_WILD(ipv4_src);
	NONZERO_OR_WILD(ipv4_dst);
	NONZERO_OR_WILD(tos);
	NONZERO_OR_WILD(tp_src);
	NONZERO_OR_WILD(tp_dst);
#undef NONZERO_OR_WILD
	k->tun.flags = (uint16_t)rnd() & fl;
	m->tun.flags = (uint16_t)rnd() & fl;
	/* The tunnel key is there or not: "key" set in both, or in neither. */
	if (coin(2)) {
		FIELD(k, m, tun.tun_id);
		k->tun.flags |= FLOW_TNL_F_KEY;
		m->tun.flags |= FLOW_TNL_F_KEY;
	}
}

static void gen_vlans(struct flow_key *k, struct flow_key *m)
{
	int tags = (int)below(3);

	for (int i = 0; i < tags; i++) {
		struct flow_vlan *kv = i ? &k->cvlan : &k->vlan, *mv = i ? &m->cvlan : &m->vlan;

		kv->tpid = htons(coin(2) ? 0x8100 : 0x88a8);
		mv->tpid = coin(4) ? (uint16_t)rnd() : 0xffff;
		/* A tag is a tag: its present bit set and matched. */
		kv->tci = htons((uint16_t)(rnd() | 0x1000));
		mv->tci = htons((uint16_t)(rnd() | 0x1000));
	}
}

static void gen_l4(struct flow_key *k, struct flow_key *m, bool v4)
{
	static const uint8_t protos[] = { 6, 17, 132, 1, 58, 47 };
	uint8_t proto = protos[below(sizeof(protos))];

	if (coin(5)) {
		FIELD(k, m, ip_proto); /* any protocol, no transport fields */
		return;
	}
	k->ip_proto = proto;
	m->ip_proto = 0xff;
	if (k->ip_frag == OVS_FRAG_TYPE_LATER)
		return;
	if (proto == 6 || proto == 17 || proto == 132) {
		FIELD(k, m, tp_src);
		FIELD(k, m, tp_dst);
		if (proto == 6 && coin(2)) {
			k->tp_flags = htons((uint16_t)rnd() & 0x0fff);
			m->tp_flags = htons((uint16_t)rnd() & 0x0fff);
		}
	} else if ((proto == 1 && v4) || (proto == 58 && !v4)) {
		uint8_t t = (uint8_t)rnd(), c = (uint8_t)rnd(), tm, cm;

		rnd_mask(&tm, 1);
		rnd_mask(&cm, 1);
		if (!v4 && coin(2)) {
			/* Neighbour discovery: its fields need type and code exact. */
			t = coin(2) ? 135 : 136;
			c = 0;
			tm = cm = 0xff;
			FIELD(k, m, ipv6.nd_target);
			FIELD(k, m, ipv6.nd_sll);
			FIELD(k, m, ipv6.nd_tll);
		}
		k->tp_src = htons(t);
		k->tp_dst = htons(c);
		m->tp_src = htons(tm);
		m->tp_dst = htons(cm);
	}
}

static void gen_ip_common(struct flow_key *k, struct flow_key *m)
{
	FIELD(k, m, ip_tos);
	FIELD(k, m, ip_ttl);
	/* frag is an enumeration: matched whole or not at all. */
	if (coin(2)) {
		k->ip_frag = (uint8_t)below(3);
		m->ip_frag = 0xff;
	}
}

static void gen_l3(struct flow_key *k, struct flow_key *m)
{
	static const uint16_t types[] = { 0x0800, 0x86dd, 0x0806, 0x8035, 0x8847, 0x8848,
					  0x88cc, 0x1234, 0x0004 };
	uint16_t et = types[below(sizeof(types) / sizeof(types[0]))];

	if (coin(6))
		return; /* eth_type wildcarded: nothing above it */
	k->eth_type = htons(et);
	m->eth_type = 0xffff;
	switch (et) {
	case 0x0800:
		FIELD(k, m, ipv4.src);
		FIELD(k, m, ipv4.dst);
		gen_ip_common(k, m);
		gen_l4(k, m, true);
		break;
	case 0x86dd:
		FIELD(k, m, ipv6.src);
		FIELD(k, m, ipv6.dst);
		k->ipv6.label = htonl((uint32_t)rnd() & 0xfffff);
		m->ipv6.label = htonl((uint32_t)rnd() & 0xfffff);
		gen_ip_common(k, m);
		gen_l4(k, m, false);
		break;
	case 0x0806:
	case 0x8035:
		FIELD(k, m, ipv4.src);
		FIELD(k, m, ipv4.dst);
		FIELD(k, m, ipv4.arp_sha);
		FIELD(k, m, ipv4.arp_tha);
		FIELD(k, m, ip_proto); /* the opcode */
		break;
	case 0x8847:
	case 0x8848:
		FIELD(k, m, mpls_lse);
		break;
	}
}

static void gen_flow(struct flow_key *k, struct flow_key *m)
{
	memset(k, 0, sizeof(*k));
	memset(m, 0, sizeof(*m));
	if (coin(2)) {
		FIELD(k, m, priority);
		FIELD(k, m, skb_mark);
		FIELD(k, m, dp_hash);
		FIELD(k, m, ct_state);
		FIELD(k, m, ct_zone);
		FIELD(k, m, ct_mark);
		FIELD(k, m, ct_labels);
	}
	FIELD(k, m, recirc_id);
	FIELD(k, m, in_port);
	if (coin(4))
		gen_tunnel(k, m);
	FIELD(k, m, eth_src);
	FIELD(k, m, eth_dst);
	gen_vlans(k, m);
	gen_l3(k, m);
	flow_key_mask_apply(k, k, m);
}

static void check_flow_roundtrip(const struct flow_key *k, const struct flow_key *m, bool verbose,
				 int iter)
{
	struct odp_match back;
	struct strbuf sb;
	struct errmsg e;

	strbuf_init(&sb);
	odp_flow_format(&sb, k, m, verbose);
	if (odp_flow_parse(sb.s, &back, &e))
		fail_msg("iter %d: '%s' does not parse: %s at %d", iter, sb.s, e.msg, e.offset);
	if (!flow_key_equal(&back.key, k) || !flow_key_equal(&back.mask, m)) {
		struct strbuf again;

		strbuf_init(&again);
		odp_flow_format(&again, &back.key, &back.mask, verbose);
		fail_msg("iter %d: '%s' parses to another flow, printed '%s'", iter, sb.s, again.s);
	}
	strbuf_free(&sb);
}

static void test_random_flows(void **state)
{
	struct flow_key k, m;

	(void)state;
	for (int i = 0; i < 20000; i++) {
		gen_flow(&k, &m);
		check_flow_roundtrip(&k, &m, false, i);
		check_flow_roundtrip(&k, &m, true, i);
	}
}

/* ---- random actions ---- */

static void gen_list(struct nlbuf *b, int depth);

static void put_set_exact(struct nlbuf *b)
{
	static const uint16_t types[] = {
		OVS_KEY_ATTR_ETHERNET, OVS_KEY_ATTR_IPV4, OVS_KEY_ATTR_TCP, OVS_KEY_ATTR_UDP,
		OVS_KEY_ATTR_SCTP, OVS_KEY_ATTR_ICMP, OVS_KEY_ATTR_ICMPV6, OVS_KEY_ATTR_ND,
		OVS_KEY_ATTR_MPLS, OVS_KEY_ATTR_PRIORITY, OVS_KEY_ATTR_SKB_MARK,
		OVS_KEY_ATTR_CT_MARK, OVS_KEY_ATTR_CT_LABELS, OVS_KEY_ATTR_CT_STATE,
	};
	static const uint8_t lens[] = { 12, 12, 4, 4, 4, 2, 2, 28, 4, 4, 4, 4, 16, 4 };
	unsigned i = below(sizeof(types) / sizeof(types[0]));
	uint8_t v[32];
	size_t ofs;

	rnd_bytes(v, sizeof(v));
	if (types[i] == OVS_KEY_ATTR_IPV4)
		v[11] = (uint8_t)below(3); /* frag */
	if (types[i] == OVS_KEY_ATTR_CT_STATE)
		memset(v + 1, 0, 3); /* eight states exist */
	ofs = nlbuf_nest_start(b, OVS_ACTION_ATTR_SET);
	nlbuf_put_attr(b, types[i], v, lens[i]);
	nlbuf_nest_end(b, ofs);
}

static void put_set_masked(struct nlbuf *b)
{
	static const uint16_t types[] = {
		OVS_KEY_ATTR_ETHERNET, OVS_KEY_ATTR_IPV4, OVS_KEY_ATTR_IPV6, OVS_KEY_ATTR_TCP,
		OVS_KEY_ATTR_UDP, OVS_KEY_ATTR_SCTP, OVS_KEY_ATTR_ICMP, OVS_KEY_ATTR_ICMPV6,
		OVS_KEY_ATTR_ARP, OVS_KEY_ATTR_ND, OVS_KEY_ATTR_MPLS, OVS_KEY_ATTR_PRIORITY,
		OVS_KEY_ATTR_SKB_MARK, OVS_KEY_ATTR_CT_STATE, OVS_KEY_ATTR_CT_MARK,
		OVS_KEY_ATTR_CT_LABELS,
	};
	static const uint8_t lens[] = { 12, 12, 40, 4, 4, 4, 2, 2, 24, 28, 4, 4, 4, 4, 4, 16 };
	unsigned i = below(sizeof(types) / sizeof(types[0]));
	uint16_t t = types[i];
	size_t n = lens[i], ofs;
	uint8_t v[2 * 40];

	rnd_bytes(v, n);
	rnd_mask(v + n, n);
	if (t == OVS_KEY_ATTR_IPV4) {
		v[11] = (uint8_t)below(3);
		v[n + 11] = coin(2) ? 0xff : 0; /* frag: whole or nothing */
	}
	if (t == OVS_KEY_ATTR_IPV6) {
		v[39] = (uint8_t)below(3);
		v[n + 39] = coin(2) ? 0xff : 0;
		v[32] &= 0x00; v[33] &= 0x0f; /* label: 20 bits */
		v[n + 32] = 0; v[n + 33] &= 0x0f;
	}
	if (t == OVS_KEY_ATTR_ARP)
		memset(v + n - 2, 0, 2), memset(v + 2 * n - 2, 0, 2); /* padding */
	if (t == OVS_KEY_ATTR_CT_STATE)
		memset(v + 1, 0, 3), memset(v + n + 1, 0, 3);
	/* An empty mask prints nothing for these: keep one bit. */
	if (t == OVS_KEY_ATTR_CT_MARK || t == OVS_KEY_ATTR_CT_LABELS)
		v[n] |= 1;
	/* All ones would be a plain set(). */
	bool ones = true;

	for (size_t j = 0; j < n; j++)
		ones &= v[n + j] == 0xff;
	if (ones)
		v[n] &= 0xfd;
	for (size_t j = 0; j < n; j++)
		v[j] &= v[n + j];
	ofs = nlbuf_nest_start(b, OVS_ACTION_ATTR_SET_MASKED);
	nlbuf_put_attr(b, t, v, 2 * n);
	nlbuf_nest_end(b, ofs);
}

/* A set(tunnel()) as the parser writes it: fields in OVS's order. */
static void put_set_tunnel(struct nlbuf *b)
{
	size_t ofs = nlbuf_nest_start(b, OVS_ACTION_ATTR_SET), tun;

	tun = nlbuf_nest_start(b, OVS_KEY_ATTR_TUNNEL);
	if (coin(2))
		nlbuf_put_u64(b, OVS_TUNNEL_KEY_ATTR_ID, rnd());
	if (coin(2))
		nlbuf_put_u32(b, OVS_TUNNEL_KEY_ATTR_IPV4_SRC, (uint32_t)rnd());
	if (coin(2))
		nlbuf_put_u32(b, OVS_TUNNEL_KEY_ATTR_IPV4_DST, (uint32_t)rnd());
	if (coin(2))
		nlbuf_put_u8(b, OVS_TUNNEL_KEY_ATTR_TOS, (uint8_t)rnd());
	if (coin(2))
		nlbuf_put_u8(b, OVS_TUNNEL_KEY_ATTR_TTL, (uint8_t)rnd());
	if (coin(2))
		nlbuf_put_flag(b, OVS_TUNNEL_KEY_ATTR_DONT_FRAGMENT);
	if (coin(2))
		nlbuf_put_flag(b, OVS_TUNNEL_KEY_ATTR_CSUM);
	if (coin(2))
		nlbuf_put_u16(b, OVS_TUNNEL_KEY_ATTR_TP_SRC, (uint16_t)rnd());
	if (coin(2))
		nlbuf_put_u16(b, OVS_TUNNEL_KEY_ATTR_TP_DST, (uint16_t)rnd());
	if (coin(2))
		nlbuf_put_flag(b, OVS_TUNNEL_KEY_ATTR_OAM);
	nlbuf_nest_end(b, tun);
	nlbuf_nest_end(b, ofs);
}

static void put_userspace(struct nlbuf *b)
{
	size_t ofs = nlbuf_nest_start(b, OVS_ACTION_ATTR_USERSPACE);
	uint8_t ud[40];
	size_t n = 8 + below(33);

	nlbuf_put_u32(b, OVS_USERSPACE_ATTR_PID, (uint32_t)rnd());
	rnd_bytes(ud, n);
	nlbuf_put_attr(b, OVS_USERSPACE_ATTR_USERDATA, ud, n);
	if (coin(2))
		nlbuf_put_u32(b, OVS_USERSPACE_ATTR_EGRESS_TUN_PORT, (uint32_t)rnd());
	if (coin(2))
		nlbuf_put_flag(b, OVS_USERSPACE_ATTR_ACTIONS);
	nlbuf_nest_end(b, ofs);
}

static void put_nat(struct nlbuf *b)
{
	size_t ofs = nlbuf_nest_start(b, OVS_CT_ATTR_NAT);
	uint8_t min[16], max[16];
	size_t alen = coin(2) ? 4 : 16;

	if (coin(4)) { /* "nat" alone */
		nlbuf_nest_end(b, ofs);
		return;
	}
	nlbuf_put_flag(b, coin(2) ? OVS_NAT_ATTR_SRC : OVS_NAT_ATTR_DST);
	if (coin(3)) {
		bool range = coin(2);

		rnd_bytes(min, alen);
		memcpy(max, min, alen);
		if (range) { /* a range's end is above its start */
			max[alen - 1] |= 0x80;
			min[alen - 1] &= 0x7f;
		}
		nlbuf_put_attr(b, OVS_NAT_ATTR_IP_MIN, min, alen);
		if (range)
			nlbuf_put_attr(b, OVS_NAT_ATTR_IP_MAX, max, alen);
		if (coin(2)) {
			uint16_t pmin = (uint16_t)(1 + below(30000));

			nlbuf_put_u16(b, OVS_NAT_ATTR_PROTO_MIN, pmin);
			if (coin(2))
				nlbuf_put_u16(b, OVS_NAT_ATTR_PROTO_MAX, (uint16_t)(pmin + 1 + below(30000)));
		}
		if (coin(2))
			nlbuf_put_flag(b, OVS_NAT_ATTR_PERSISTENT);
		if (coin(2))
			nlbuf_put_flag(b, coin(2) ? OVS_NAT_ATTR_PROTO_HASH : OVS_NAT_ATTR_PROTO_RANDOM);
	}
	nlbuf_nest_end(b, ofs);
}

static void put_ct(struct nlbuf *b)
{
	size_t ofs = nlbuf_nest_start(b, OVS_ACTION_ATTR_CT);
	bool nat = coin(2);

	if (coin(2))
		nlbuf_put_flag(b, coin(2) ? OVS_CT_ATTR_COMMIT : OVS_CT_ATTR_FORCE_COMMIT);
	if (coin(2))
		nlbuf_put_u16(b, OVS_CT_ATTR_ZONE, (uint16_t)(1 + below(65535)));
	if (coin(2)) {
		uint32_t mark[2] = { (uint32_t)rnd(), (uint32_t)rnd() | 1 };

		nlbuf_put_attr(b, OVS_CT_ATTR_MARK, mark, sizeof(mark));
	}
	if (coin(2)) {
		uint8_t label[32];

		rnd_bytes(label, 32);
		if (coin(2))
			memset(label + 16, 0xff, 16);
		label[16] |= 1;
		nlbuf_put_attr(b, OVS_CT_ATTR_LABELS, label, sizeof(label));
	}
	if (coin(3))
		nlbuf_put_string(b, OVS_CT_ATTR_HELPER, coin(2) ? "ftp" : "tftp");
	if (coin(3))
		nlbuf_put_string(b, OVS_CT_ATTR_TIMEOUT, "policy_7");
	if (nat)
		put_nat(b);
	nlbuf_nest_end(b, ofs);
}

static void put_nested(struct nlbuf *b, uint16_t type, int depth)
{
	size_t ofs = nlbuf_nest_start(b, type);

	gen_list(b, depth + 1);
	nlbuf_nest_end(b, ofs);
}

static void gen_action(struct nlbuf *b, int depth)
{
	unsigned kind = below(depth < 3 ? 24 : 21);
	size_t ofs;

	switch (kind) {
	case 0: nlbuf_put_u32(b, OVS_ACTION_ATTR_OUTPUT, (uint32_t)rnd()); break;
	case 1: nlbuf_put_u32(b, OVS_ACTION_ATTR_TRUNC, (uint32_t)rnd()); break;
	case 2: nlbuf_put_u32(b, OVS_ACTION_ATTR_RECIRC, (uint32_t)rnd()); break;
	case 3: nlbuf_put_u32(b, OVS_ACTION_ATTR_METER, (uint32_t)rnd()); break;
	case 4: {
		struct ovs_action_push_vlan v = {
			coin(3) ? (uint16_t)rnd() : htons(coin(2) ? 0x8100 : 0x88a8),
			(uint16_t)rnd(),
		};

		nlbuf_put_attr(b, OVS_ACTION_ATTR_PUSH_VLAN, &v, sizeof(v));
		break;
	}
	case 5: nlbuf_put_flag(b, OVS_ACTION_ATTR_POP_VLAN); break;
	case 6: nlbuf_put_flag(b, OVS_ACTION_ATTR_CT_CLEAR); break;
	case 7: nlbuf_put_flag(b, OVS_ACTION_ATTR_POP_ETH); break;
	case 8: {
		struct ovs_action_push_eth e;

		rnd_bytes(&e, sizeof(e));
		nlbuf_put_attr(b, OVS_ACTION_ATTR_PUSH_ETH, &e, sizeof(e));
		break;
	}
	case 9: {
		struct ovs_action_push_mpls p;

		memset(&p, 0, sizeof(p));
		p.mpls_lse = (uint32_t)rnd();
		p.mpls_ethertype = (uint16_t)rnd();
		nlbuf_put_attr(b, OVS_ACTION_ATTR_PUSH_MPLS, &p, sizeof(p));
		break;
	}
	case 10: {
		struct ovs_action_add_mpls p = { (uint32_t)rnd(), (uint16_t)rnd(),
						 (uint16_t)below(2) };

		nlbuf_put_attr(b, OVS_ACTION_ATTR_ADD_MPLS, &p, sizeof(p));
		break;
	}
	case 11: nlbuf_put_u16(b, OVS_ACTION_ATTR_POP_MPLS, (uint16_t)rnd()); break;
	case 12: {
		struct ovs_action_hash h = { below(2), (uint32_t)rnd() };

		nlbuf_put_attr(b, OVS_ACTION_ATTR_HASH, &h, sizeof(h));
		break;
	}
	case 13: put_set_exact(b); break;
	case 14: case 15: put_set_masked(b); break;
	case 16: put_set_tunnel(b); break;
	case 17: put_userspace(b); break;
	case 18: put_ct(b); break;
	case 19: nlbuf_put_u32(b, OVS_ACTION_ATTR_OUTPUT, below(8)); break;
	case 20: put_set_masked(b); break;
	case 21: put_nested(b, OVS_ACTION_ATTR_CLONE, depth); break;
	case 22: {
		/* Percentages with one decimal read back to the same 32 bits. */
		double pct = below(1001) / 10.0, p = UINT32_MAX * (pct / 100.0) + 0.5;

		ofs = nlbuf_nest_start(b, OVS_ACTION_ATTR_SAMPLE);
		nlbuf_put_u32(b, OVS_SAMPLE_ATTR_PROBABILITY,
			      p >= UINT32_MAX ? UINT32_MAX : (uint32_t)p);
		put_nested(b, OVS_SAMPLE_ATTR_ACTIONS, depth);
		nlbuf_nest_end(b, ofs);
		break;
	}
	default:
		ofs = nlbuf_nest_start(b, OVS_ACTION_ATTR_CHECK_PKT_LEN);
		nlbuf_put_u16(b, OVS_CHECK_PKT_LEN_ATTR_PKT_LEN, (uint16_t)rnd());
		put_nested(b, OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_GREATER, depth);
		put_nested(b, OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_LESS_EQUAL, depth);
		nlbuf_nest_end(b, ofs);
		break;
	}
}

static void gen_list(struct nlbuf *b, int depth)
{
	unsigned n = below(depth ? 4 : 7);

	for (unsigned i = 0; i < n; i++)
		gen_action(b, depth);
}

static void test_random_actions(void **state)
{
	struct nlbuf a, back;
	struct strbuf sb;
	struct errmsg e;

	(void)state;
	nlbuf_init(&a, 0);
	nlbuf_init(&back, 0);
	strbuf_init(&sb);
	for (int i = 0; i < 20000; i++) {
		nlbuf_reset(&a);
		nlbuf_reset(&back);
		strbuf_reset(&sb);
		gen_list(&a, 0);
		odp_actions_format(&sb, a.data, a.len);
		if (odp_actions_parse(sb.s, &back, &e))
			fail_msg("iter %d: '%s' does not parse: %s at %d", i, sb.s, e.msg, e.offset);
		if (back.len != a.len || memcmp(back.data, a.data, a.len)) {
			struct strbuf again;

			strbuf_init(&again);
			odp_actions_format(&again, back.data, back.len);
			fail_msg("iter %d: '%s' parses to other bytes (%zu vs %zu), printed '%s'", i,
				 sb.s, back.len, a.len, again.s);
		}
	}
	strbuf_free(&sb);
	nlbuf_free(&a);
	nlbuf_free(&back);
}

/* 's' with one byte changed or the string cut short. */
static void mutate(char *s)
{
	static const char alphabet[] = "0123456789abcdefx(),=/.:- ";
	size_t len = strlen(s), at = below((uint32_t)len);

	if (coin(3))
		s[at] = '\0';
	else
		s[at] = alphabet[below(sizeof(alphabet) - 1)];
}

/* One parse of an action list into a buffer of 'cap' bytes (0: growing). */
struct actions_outcome {
	int ret;
	struct errmsg e;
	size_t len;
	uint8_t bytes[4096];
};

static void parse_actions_kept(const char *s, bool cold, size_t cap, struct actions_outcome *o)
{
	uint8_t fixed[4096];
	struct nlbuf b;

	if (cap)
		nlbuf_init_fixed(&b, fixed, cap);
	else
		nlbuf_init(&b, 0);
	if (cold)
		odp_actions_memo_clear();
	errmsg_clear(&o->e);
	o->ret = odp_actions_parse(s, &b, &o->e);
	assert_true(b.len <= sizeof(o->bytes));
	o->len = b.len;
	if (b.len)
		memcpy(o->bytes, b.data, b.len);
	if (!cap)
		nlbuf_free(&b);
}

static void check_same_actions(const char *warm_up, const char *s, size_t cap, int iter)
{
	struct actions_outcome cold, warm;

	parse_actions_kept(s, true, cap, &cold);
	parse_actions_kept(warm_up, false, 0, &warm);
	parse_actions_kept(s, false, cap, &warm);
	if (cold.ret != warm.ret || strcmp(cold.e.msg, warm.e.msg) != 0 ||
	    cold.e.offset != warm.e.offset || cold.len != warm.len ||
	    memcmp(cold.bytes, warm.bytes, cold.len) != 0)
		fail_msg("iter %d: '%s' (room %zu) after '%s': cold %d '%s' @%d %zu bytes, "
			 "warm %d '%s' @%d %zu bytes", iter, s, cap, warm_up, cold.ret, cold.e.msg,
			 cold.e.offset, cold.len, warm.ret, warm.e.msg, warm.e.offset, warm.len);
}

/*
 * odp_actions_parse() appends the last clean list's bytes again for the
 * same text. After a warm-up with a random list, the list itself, a
 * mutation of it and the list into a buffer too small for it must give
 * what a cold parse gives.
 */
static void test_actions_memo_same_as_cold(void **state)
{
	struct nlbuf a;
	struct strbuf sb;

	(void)state;
	nlbuf_init(&a, 0);
	strbuf_init(&sb);
	for (int i = 0; i < 20000; i++) {
		char *bad;

		nlbuf_reset(&a);
		strbuf_reset(&sb);
		gen_list(&a, 0);
		odp_actions_format(&sb, a.data, a.len);
		check_same_actions(sb.s, sb.s, 0, i);
		if (a.len > 4)
			check_same_actions(sb.s, sb.s, a.len - 4, i);
		bad = strdup(sb.s);
		assert_non_null(bad);
		mutate(bad);
		check_same_actions(sb.s, bad, 0, i);
		free(bad);
	}
	strbuf_free(&sb);
	nlbuf_free(&a);
}

/* ---- the fast line path against the general parser ---- */

/* Half the lines are drawn from values the fast path takes (the first
 * 'n_clean' of each list), so that it takes enough of them. */
static bool clean_line;

static const char *pick(const char *const *v, size_t n, size_t n_clean)
{
	return v[below((uint32_t)(clean_line ? n_clean : n))];
}
#define PICK(v) pick(v, sizeof(v) / sizeof(v[0]), sizeof(v) / sizeof(v[0]))
#define PICK_CLEAN(v, n_clean) pick(v, sizeof(v) / sizeof(v[0]), n_clean)

/* Values at and around what the fast path takes: edges, octal, hex,
 * masks, too long, not numbers. */
static const char *const numbers[] = {
	"0", "1", "17", "6", "255", "53", "256", "65535", "65536", "4294967295", "4294967296",
	"00", "010", "0x11", "1/0xff", "99999999999", "", "a", "1a", "-1",
};
static const char *const addrs[] = {
	"10.0.0.1", "255.255.255.255", "0.0.0.0", "010.001.1.1", "1.2.3.4/255.255.0.0",
	"1.2.3.4/0.0.0.0", "192.168.100.200", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4/",
	"1.2.3.4/8", "1234.1.1.1", "1.2.3.4a",
};
static const char *const macs[] = {
	"00:00:00:00:00:01", "ff:FF:aa:Bb:09:90", "0:0:0:0:0:1", "00:00:00:00:00",
	"00:00:00:00:00:01/ff:ff:ff:ff:ff:ff", "00:00:00:00:00:01:02", "zz:00:00:00:00:00",
};

static void add_field(struct strbuf *sb, const char *name, const char *value, bool *first)
{
	strbuf_addf(sb, "%s%s=%s", *first ? "" : ",", name, value);
	*first = false;
}

static void gen_ipv4_attr(struct strbuf *sb)
{
	static const char *const names[] = { "src", "dst", "proto", "tos", "ttl", "frag",
					     "label", "src", "proto" };
	static const char *const frags[] = { "no", "first", "later", "nope", "n" };
	unsigned n = below(5);
	bool first = true;

	strbuf_add(sb, "ipv4(", 5);
	for (unsigned i = 0; i < n; i++) {
		const char *name = clean_line ? names[i] : PICK(names);
		const char *v = name[0] == 's' || name[0] == 'd' ? PICK_CLEAN(addrs, 7)
			      : strcmp(name, "frag") == 0 ? PICK_CLEAN(frags, 3)
							  : PICK_CLEAN(numbers, 6);

		add_field(sb, name, v, &first);
	}
	strbuf_addf(sb, "%s", coin(20) ? ",)" : ")");
}

static void gen_ports_attr(struct strbuf *sb)
{
	static const char *const l4[] = { "udp", "tcp", "sctp", "icmp" };
	static const char *const names[] = { "src", "dst", "type", "dst" };
	unsigned n = below(4);
	bool first = true;

	strbuf_addf(sb, ",%s(", PICK_CLEAN(l4, 2));
	for (unsigned i = 0; i < n; i++)
		add_field(sb, clean_line ? names[i] : PICK(names), PICK_CLEAN(numbers, 8),
			  &first);
	strbuf_addc(sb, ')');
}

static void gen_eth_attr(struct strbuf *sb)
{
	bool first = true;

	strbuf_add(sb, "eth(", 4);
	for (unsigned i = 0, n = below(3); i < n; i++)
		add_field(sb, i ? "dst" : "src", PICK_CLEAN(macs, 2), &first);
	strbuf_add(sb, "),", 2);
}

/* A line of the fast path's shape, or near it. */
static void gen_fast_line(struct strbuf *sb)
{
	static const char *const ethtypes[] = { "0x0800", "0x0800", "0x0800", "0x86dd", "2048",
						"0x800", "0x0800/0xffff" };
	static const char *const tails[] = { " 1", " 2,3", "\t1", "  drop", " 1\n", "\r\n1",
					     " bogus(", " ", "", ", 1", ",1" };

	clean_line = coin(2);
	if (coin(8))
		strbuf_add(sb, " \t", 1 + below(2));
	if (coin(3))
		strbuf_addf(sb, "recirc_id(%s),", PICK_CLEAN(numbers, 10));
	if (!coin(6))
		strbuf_addf(sb, "in_port(%s),", PICK_CLEAN(numbers, 10));
	if (coin(2))
		gen_eth_attr(sb);
	if (!coin(10))
		strbuf_addf(sb, "eth_type(%s),", PICK_CLEAN(ethtypes, 3));
	gen_ipv4_attr(sb);
	if (!coin(4))
		gen_ports_attr(sb);
	strbuf_addf(sb, "%s", PICK_CLEAN(tails, 7));
}

/* The general path alone: the flow word through odp_flow_parse() (the
 * generator writes no ufid), and where the actions start. */
static int general_flow(const char *line, struct odp_match *m, size_t *act)
{
	size_t start = strspn(line, " \t\r\n"), end = start + strcspn(line + start, " \t\r\n");
	char word[1024];
	struct errmsg err;

	*act = end + strspn(line + end, " \t\r\n");
	if (end == start || line[*act] == '\0' || end - start >= sizeof(word))
		return -EINVAL;
	memcpy(word, line + start, end - start);
	word[end - start] = '\0';
	return odp_flow_parse(word, m, &err);
}

static void check_fast_line(const char *line, unsigned *taken)
{
	struct odp_match fast, general;
	size_t act_fast, act_general;
	int ret = general_flow(line, &general, &act_general);

	act_fast = odp_flow_line_fast(line, &fast);
	if (act_fast == 0)
		return;
	(*taken)++;
	if (ret != 0 || act_fast != act_general || !flow_key_equal(&fast.key, &general.key) ||
	    !flow_key_equal(&fast.mask, &general.mask) || fast.has_ufid ||
	    memcmp(&fast.ufid, &general.ufid, sizeof(fast.ufid)) != 0)
		fail_msg("fast path differs on '%s': general %d, actions at %zu/%zu", line, ret,
			 act_fast, act_general);
}

/*
 * odp_flow_line_fast() on random lines of its shape and near it (and
 * mutated): every line it takes, the general parser takes too, with the
 * same key, mask and actions offset; it takes the plain shapes (so this
 * fails if the fast path takes nothing), and odp_flow_line_parse() gives
 * the same errors as before on the rest (test_odp_text's cases).
 */
static void test_fast_line_same_as_general(void **state)
{
	static const char *const plain[] = {
		"in_port(2),eth(),eth_type(0x0800),ipv4(src=10.0.1.2,proto=17,frag=no),"
		"udp(dst=53) 1",
		"in_port(1),eth_type(0x0800),ipv4(dst=11.0.0.0/255.255.255.0,proto=17,frag=no),"
		"udp(src=1024,dst=1024) 2",
		"recirc_id(0),in_port(2),eth(src=00:00:00:00:00:01,dst=00:00:00:00:12:34),"
		"eth_type(0x0800),ipv4(src=10.1.2.3,dst=192.168.0.1,proto=6,tos=0,ttl=64,"
		"frag=no),tcp(src=1024,dst=80) 3",
		"eth_type(0x0800),ipv4() drop",
	};
	unsigned taken = 0, plain_taken = 0, n = 200000;
	struct strbuf sb;

	(void)state;
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		check_fast_line(plain[i], &plain_taken);
	assert_int_equal(plain_taken, sizeof(plain) / sizeof(plain[0]));
	strbuf_init(&sb);
	for (unsigned i = 0; i < n; i++) {
		strbuf_reset(&sb);
		gen_fast_line(&sb);
		check_fast_line(sb.s, &taken);
		if (sb.len && coin(2)) {
			mutate(sb.s);
			check_fast_line(sb.s, &taken);
		}
	}
	strbuf_free(&sb);
	print_message("fast path took %u of %u lines\n", taken, n + n / 2);
	assert_true(taken > n / 200);
}

/*
 * Every prefix of lines the fast path takes, each in a heap block of its
 * exact size: the fast path compares literals a word at a time, bounded
 * by the line's end, so a line cut inside a literal must neither be taken
 * nor be read past its NUL (AddressSanitizer, in the ASan build, sees any
 * byte read beyond the block). The prefixes the fast path takes must
 * parse as the general parser does.
 */
static void test_fast_line_prefixes_in_bounds(void **state)
{
	static const char *const lines[] = {
		"recirc_id(0),in_port(2),eth(src=00:00:00:00:00:01,dst=00:00:00:00:12:34),"
		"eth_type(0x0800),ipv4(src=10.1.2.3,dst=192.168.0.1,proto=6,tos=0,ttl=64,"
		"frag=first),tcp(src=1024,dst=80) 3",
		"in_port(2),eth(),eth_type(0x0800),ipv4(src=10.0.1.2,proto=17,frag=no),"
		"udp(dst=53) 1",
	};
	unsigned taken = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		size_t len = strlen(lines[i]);

		for (size_t n = 0; n <= len; n++) {
			char *copy = malloc(n + 1);

			assert_non_null(copy);
			memcpy(copy, lines[i], n);
			copy[n] = '\0';
			check_fast_line(copy, &taken);
			free(copy);
		}
	}
	/* Only the whole lines end in actions: every shorter prefix that
	 * ends in the actions' "1"/"3" is the whole line. */
	assert_int_equal(taken, sizeof(lines) / sizeof(lines[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_flows),
		cmocka_unit_test(test_random_actions),
		cmocka_unit_test(test_actions_memo_same_as_cold),
		cmocka_unit_test(test_fast_line_same_as_general),
		cmocka_unit_test(test_fast_line_prefixes_in_bounds),
	};
	const char *seed = getenv("ODP_TEXT_SEED");

	rng_state = seed ? strtoull(seed, NULL, 0) : 0x5eed0d9ull;
	if (rng_state == 0)
		rng_state = 1;
	print_message("seed %#llx (set ODP_TEXT_SEED to change it)\n",
		      (unsigned long long)rng_state);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
