/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * OVS_ACTION_ATTR_* streams -> text, as OVS 3.1's format_odp_actions().
 * The stream may come from anywhere (a daemon's dump, a fuzzer): every
 * length is checked before use and malformed pieces print the way OVS
 * prints them.
 */
#include <arpa/inet.h>
#include <linux/openvswitch.h>
#include <string.h>

#include "odp_attr_info.h"
#include "odp_text.h"
#include "text_int.h"

#define HASH_ALG_SYM_L4 1 /* OVS userspace's ovs_hash_alg, not in the kernel's */

static void fmt_list(struct strbuf *sb, const uint8_t *p, size_t len);

/* OVS's format_generic_odp_action(): "action<type>(xx xx ...)". */
static void fmt_generic(struct strbuf *sb, uint16_t type, const uint8_t *v, size_t len)
{
	strbuf_addf(sb, "action%u", type);
	for (size_t i = 0; i < len; i++)
		strbuf_addf(sb, "%c%02x", i ? ' ' : '(', v[i]);
	if (len)
		strbuf_addc(sb, ')');
}

static void fmt_userspace(struct strbuf *sb, const uint8_t *p, size_t len)
{
	static const struct nl_pol pol[OVS_USERSPACE_ATTR_ACTIONS + 1] = {
		[OVS_USERSPACE_ATTR_PID] = { POL_U32, false, 0, 0 },
		[OVS_USERSPACE_ATTR_USERDATA] = { POL_UNSPEC, true, 0, 0 },
		[OVS_USERSPACE_ATTR_EGRESS_TUN_PORT] = { POL_U32, true, 0, 0 },
		[OVS_USERSPACE_ATTR_ACTIONS] = { POL_UNSPEC, true, 0, 0 },
	};
	struct nl_got g[OVS_USERSPACE_ATTR_ACTIONS + 1];

	if (!nla_parse_policy(p, len, pol, OVS_USERSPACE_ATTR_ACTIONS + 1, g)) {
		strbuf_add(sb, "userspace(error)", 16);
		return;
	}
	strbuf_addf(sb, "userspace(pid=%u", rd32(g[OVS_USERSPACE_ATTR_PID].p));
	if (g[OVS_USERSPACE_ATTR_USERDATA].p) {
		/* OVS decodes a userdata of its cookie's size as its own
		 * cookie (sFlow, slow_path, ...); that layout is OVS's
		 * private business, so any userdata prints as hex here. */
		strbuf_add(sb, ",userdata(", 10);
		for (size_t i = 0; i < g[OVS_USERSPACE_ATTR_USERDATA].len; i++)
			strbuf_addf(sb, "%02x", g[OVS_USERSPACE_ATTR_USERDATA].p[i]);
		strbuf_addc(sb, ')');
	}
	if (g[OVS_USERSPACE_ATTR_ACTIONS].p)
		strbuf_add(sb, ",actions", 8);
	if (g[OVS_USERSPACE_ATTR_EGRESS_TUN_PORT].p)
		strbuf_addf(sb, ",tunnel_out_port=%u", rd32(g[OVS_USERSPACE_ATTR_EGRESS_TUN_PORT].p));
	strbuf_addc(sb, ')');
}

static void fmt_sample(struct strbuf *sb, const uint8_t *p, size_t len)
{
	static const struct nl_pol pol[OVS_SAMPLE_ATTR_ACTIONS + 1] = {
		[OVS_SAMPLE_ATTR_PROBABILITY] = { POL_U32, false, 0, 0 },
		[OVS_SAMPLE_ATTR_ACTIONS] = { POL_NESTED, false, 0, 0 },
	};
	struct nl_got g[OVS_SAMPLE_ATTR_ACTIONS + 1];

	strbuf_add(sb, "sample", 6);
	if (!nla_parse_policy(p, len, pol, OVS_SAMPLE_ATTR_ACTIONS + 1, g)) {
		strbuf_add(sb, "(error)", 7);
		return;
	}
	strbuf_addf(sb, "(sample=%.1f%%,actions(",
		    100.0 * rd32(g[OVS_SAMPLE_ATTR_PROBABILITY].p) / UINT32_MAX);
	fmt_list(sb, g[OVS_SAMPLE_ATTR_ACTIONS].p, g[OVS_SAMPLE_ATTR_ACTIONS].len);
	strbuf_add(sb, "))", 2);
}

static void fmt_check_pkt_len(struct strbuf *sb, const uint8_t *p, size_t len)
{
	enum { GT = OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_GREATER,
	       LE = OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_LESS_EQUAL };
	static const struct nl_pol pol[LE + 1] = {
		[OVS_CHECK_PKT_LEN_ATTR_PKT_LEN] = { POL_U16, false, 0, 0 },
		[GT] = { POL_NESTED, false, 0, 0 },
		[LE] = { POL_NESTED, false, 0, 0 },
	};
	struct nl_got g[LE + 1];

	strbuf_add(sb, "check_pkt_len", 13);
	if (!nla_parse_policy(p, len, pol, LE + 1, g)) {
		strbuf_add(sb, "(error)", 7);
		return;
	}
	strbuf_addf(sb, "(size=%u,gt(", rd16(g[OVS_CHECK_PKT_LEN_ATTR_PKT_LEN].p));
	fmt_list(sb, g[GT].p, g[GT].len);
	strbuf_add(sb, "),le(", 5);
	fmt_list(sb, g[LE].p, g[LE].len);
	strbuf_add(sb, "))", 2);
}

/* "dec_ttl(le_1(LIST))" with the first OVS_DEC_TTL_ATTR_ACTION's list, the
 * form of the OVS dec_ttl patches (OVS 3.1 has none). */
static void fmt_dec_ttl(struct strbuf *sb, const uint8_t *p, size_t len)
{
	const uint8_t *v;
	size_t vlen;
	uint16_t type;

	strbuf_add(sb, "dec_ttl(le_1(", 13);
	while (nla_next(&p, &len, &type, &v, &vlen)) {
		if (type == OVS_DEC_TTL_ATTR_ACTION) {
			fmt_list(sb, v, vlen);
			break;
		}
	}
	strbuf_add(sb, "))", 2);
}

static void fmt_mpls_lse(struct strbuf *sb, uint32_t be)
{
	uint32_t l = ntohl(be);

	strbuf_addf(sb, "label=%u,tc=%u,ttl=%u,bos=%u", l >> 12, (l >> 9) & 7, l & 0xff,
		    (l >> 8) & 1);
}

/* set(ATTR): the one key attribute inside, exact (SET) or masked. */
static void fmt_set(struct strbuf *sb, const uint8_t *p, size_t len, bool masked)
{
	const uint8_t *v;
	size_t vlen, left = len;
	uint16_t type;

	strbuf_add(sb, "set(", 4);
	if (!nla_next(&p, &left, &type, &v, &vlen)) {
		fmt_hex_spaced(sb, p, len);
		strbuf_addc(sb, ')');
		return;
	}
	if (!masked)
		kattr_format(sb, type, v, vlen, NULL, 0, true);
	else if (vlen / 2 <= sizeof(struct ovs_key_ipv6))
		kattr_format(sb, type, v, vlen / 2, v + vlen / 2, vlen / 2, false);
	else /* too big to be masked (a tunnel): as OVS, unmasked */
		kattr_format(sb, type, v, vlen, NULL, 0, false);
	strbuf_addc(sb, ')');
}

static void fmt_output(struct strbuf *sb, const uint8_t *v, size_t len)
{
	(void)len;
	strbuf_addf(sb, "%u", rd32(v));
}

static void fmt_meter(struct strbuf *sb, const uint8_t *v, size_t len)
{
	(void)len;
	strbuf_addf(sb, "meter(%u)", rd32(v));
}

static void fmt_trunc(struct strbuf *sb, const uint8_t *v, size_t len)
{
	(void)len;
	strbuf_addf(sb, "trunc(%u)", rd32(v));
}

static void fmt_recirc(struct strbuf *sb, const uint8_t *v, size_t len)
{
	(void)len;
	strbuf_addf(sb, "recirc(%#x)", rd32(v));
}

static void fmt_hash(struct strbuf *sb, const uint8_t *v, size_t len)
{
	uint32_t alg = rd32(v), basis = rd32(v + 4);

	(void)len;
	if (alg == OVS_HASH_ALG_L4)
		strbuf_addf(sb, "hash(l4(%u))", basis);
	else if (alg == HASH_ALG_SYM_L4)
		strbuf_addf(sb, "hash(sym_l4(%u))", basis);
	else
		strbuf_addf(sb, "hash(Unknown hash algorithm(%u))", alg);
}

static void fmt_set_exact(struct strbuf *sb, const uint8_t *v, size_t len)
{
	fmt_set(sb, v, len, false);
}

static void fmt_set_masked(struct strbuf *sb, const uint8_t *v, size_t len)
{
	fmt_set(sb, v, len, true);
}

static void fmt_push_eth(struct strbuf *sb, const uint8_t *v, size_t len)
{
	(void)len;
	strbuf_add(sb, "push_eth(src=", 13);
	fmt_mac(sb, v);
	strbuf_add(sb, ",dst=", 5);
	fmt_mac(sb, v + 6);
	strbuf_addc(sb, ')');
}

static void fmt_push_vlan(struct strbuf *sb, const uint8_t *v, size_t len)
{
	uint16_t tpid = rd16(v);

	(void)len;
	strbuf_add(sb, "push_vlan(", 10);
	if (tpid != htons(0x8100))
		strbuf_addf(sb, "tpid=0x%04x,", ntohs(tpid));
	fmt_vlan_tci(sb, ntohs(rd16(v + 2)), 0xffff, false);
	strbuf_addc(sb, ')');
}

/* push_mpls and add_mpls: the label entry, then the ethertype. */
static void fmt_mpls_push(struct strbuf *sb, const char *name, const uint8_t *v)
{
	strbuf_addf(sb, "%s_mpls(", name);
	fmt_mpls_lse(sb, rd32(v));
	strbuf_addf(sb, ",eth_type=0x%x", ntohs(rd16(v + 4)));
}

static void fmt_push_mpls(struct strbuf *sb, const uint8_t *v, size_t len)
{
	(void)len;
	fmt_mpls_push(sb, "push", v);
	strbuf_addc(sb, ')');
}

static void fmt_add_mpls(struct strbuf *sb, const uint8_t *v, size_t len)
{
	(void)len;
	fmt_mpls_push(sb, "add", v);
	/* OVS 3.1 cannot show the L3-tunnel flag; we add it, to round-trip. */
	if (rd16(v + 6) & OVS_MPLS_L3_TUNNEL_FLAG_MASK)
		strbuf_add(sb, ",l3_tunnel", 10);
	strbuf_addc(sb, ')');
}

static void fmt_pop_mpls(struct strbuf *sb, const uint8_t *v, size_t len)
{
	(void)len;
	strbuf_addf(sb, "pop_mpls(eth_type=0x%x)", ntohs(rd16(v)));
}

static void fmt_clone(struct strbuf *sb, const uint8_t *v, size_t len)
{
	strbuf_add(sb, "clone(", 6);
	fmt_list(sb, v, len);
	strbuf_addc(sb, ')');
}

/* How each action prints: a formatter, or a word for those without an
 * argument. Neither: OVS's generic form (push_nsh, which it cannot show). */
static const struct {
	void (*fmt)(struct strbuf *sb, const uint8_t *v, size_t len);
	const char *word;
} action_text[OVS_ACTION_ATTR_MAX + 1] = {
	[OVS_ACTION_ATTR_OUTPUT] = { fmt_output, NULL },
	[OVS_ACTION_ATTR_USERSPACE] = { fmt_userspace, NULL },
	[OVS_ACTION_ATTR_SET] = { fmt_set_exact, NULL },
	[OVS_ACTION_ATTR_PUSH_VLAN] = { fmt_push_vlan, NULL },
	[OVS_ACTION_ATTR_POP_VLAN] = { NULL, "pop_vlan" },
	[OVS_ACTION_ATTR_SAMPLE] = { fmt_sample, NULL },
	[OVS_ACTION_ATTR_RECIRC] = { fmt_recirc, NULL },
	[OVS_ACTION_ATTR_HASH] = { fmt_hash, NULL },
	[OVS_ACTION_ATTR_PUSH_MPLS] = { fmt_push_mpls, NULL },
	[OVS_ACTION_ATTR_POP_MPLS] = { fmt_pop_mpls, NULL },
	[OVS_ACTION_ATTR_SET_MASKED] = { fmt_set_masked, NULL },
	[OVS_ACTION_ATTR_CT] = { ct_action_format, NULL },
	[OVS_ACTION_ATTR_TRUNC] = { fmt_trunc, NULL },
	[OVS_ACTION_ATTR_PUSH_ETH] = { fmt_push_eth, NULL },
	[OVS_ACTION_ATTR_POP_ETH] = { NULL, "pop_eth" },
	[OVS_ACTION_ATTR_CT_CLEAR] = { NULL, "ct_clear" },
	[OVS_ACTION_ATTR_POP_NSH] = { NULL, "pop_nsh()" },
	[OVS_ACTION_ATTR_METER] = { fmt_meter, NULL },
	[OVS_ACTION_ATTR_CLONE] = { fmt_clone, NULL },
	[OVS_ACTION_ATTR_CHECK_PKT_LEN] = { fmt_check_pkt_len, NULL },
	[OVS_ACTION_ATTR_ADD_MPLS] = { fmt_add_mpls, NULL },
	[OVS_ACTION_ATTR_DEC_TTL] = { fmt_dec_ttl, NULL },
};

static void fmt_action(struct strbuf *sb, uint16_t type, const uint8_t *v, size_t len)
{
	const struct odp_action_info *ai = odp_action_find(type);

	if (ai == NULL) {
		fmt_generic(sb, type, v, len);
		return;
	}
	if (ai->len != ODP_LEN_VARIABLE && len != (size_t)ai->len) {
		strbuf_addf(sb, "bad length %zu, expected %d for: ", len, ai->len);
		fmt_generic(sb, type, v, len);
		return;
	}
	if (action_text[type].fmt)
		action_text[type].fmt(sb, v, len);
	else if (action_text[type].word)
		strbuf_add(sb, action_text[type].word, strlen(action_text[type].word));
	else
		fmt_generic(sb, type, v, len);
}

/* OVS's format_odp_actions(). */
static void fmt_list(struct strbuf *sb, const uint8_t *p, size_t len)
{
	const uint8_t *start = p, *v;
	size_t left = len, vlen;
	uint16_t type;

	if (len == 0) {
		strbuf_add(sb, "drop", 4);
		return;
	}
	while (nla_next(&p, &left, &type, &v, &vlen)) {
		if (v - 4 != start)
			strbuf_addc(sb, ',');
		fmt_action(sb, type, v, vlen);
	}
	if (left) {
		if (left == len)
			strbuf_add(sb, "<empty>", 7);
		strbuf_addf(sb, ",***%zu leftover bytes*** (", left);
		for (size_t i = 0; i < left; i++)
			strbuf_addf(sb, "%02x", p[i]);
		strbuf_addc(sb, ')');
	}
}

void odp_actions_format(struct strbuf *sb, const void *actions, size_t len)
{
	fmt_list(sb, actions, len);
}
