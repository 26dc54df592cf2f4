/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Action list validation, after the kernel's __ovs_nla_copy_actions():
 * each action's size from odp_action_info[], then its own rules, while tracking what
 * the packet looks like at that point (eth_type, VLAN TCI, MPLS labels),
 * so that set() and push/pop are checked against the headers present.
 * Nested lists (sample, clone, check_pkt_len, dec_ttl) start from the
 * state at their action and do not change the outer one.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <limits.h>
#include <netinet/in.h>

#include "odp_actions.h"
#include "odp_attr_info.h"
#include "odp_actions_internal.h"
#include "odp_key.h"

static const struct nl_pol_attr userspace_attrs[OVS_USERSPACE_ATTR_MAX + 1] = {
	[OVS_USERSPACE_ATTR_PID] = NL_POL_U32("pid"),
	[OVS_USERSPACE_ATTR_USERDATA] = NL_POL_MIN_LEN(0, "userdata"),
	[OVS_USERSPACE_ATTR_EGRESS_TUN_PORT] = NL_POL_U32("egress_tun_port"),
	[OVS_USERSPACE_ATTR_ACTIONS] = NL_POL_FLAG_ATTR("actions"),
};
static const struct nl_policy userspace_policy = {
	.name = "userspace", .max_type = OVS_USERSPACE_ATTR_MAX, .attrs = userspace_attrs,
};

static const struct nl_pol_attr sample_attrs[OVS_SAMPLE_ATTR_MAX + 1] = {
	[OVS_SAMPLE_ATTR_PROBABILITY] = NL_POL_U32("probability"),
	[OVS_SAMPLE_ATTR_ACTIONS] = NL_POL_NESTED_ATTR("actions"),
};
static const struct nl_policy sample_policy = {
	.name = "sample", .max_type = OVS_SAMPLE_ATTR_MAX, .attrs = sample_attrs,
};

static const struct nl_pol_attr cpl_attrs[OVS_CHECK_PKT_LEN_ATTR_MAX + 1] = {
	[OVS_CHECK_PKT_LEN_ATTR_PKT_LEN] = NL_POL_U16("pkt_len"),
	[OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_GREATER] = NL_POL_NESTED_ATTR("actions_if_greater"),
	[OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_LESS_EQUAL] =
		NL_POL_NESTED_ATTR("actions_if_less_equal"),
};
static const struct nl_policy cpl_policy = {
	.name = "check_pkt_len", .max_type = OVS_CHECK_PKT_LEN_ATTR_MAX, .attrs = cpl_attrs,
};

static const struct nl_pol_attr dec_ttl_attrs[OVS_DEC_TTL_ATTR_MAX + 1] = {
	[OVS_DEC_TTL_ATTR_ACTION] = NL_POL_NESTED_ATTR("action"),
};
static const struct nl_policy dec_ttl_policy = {
	.name = "dec_ttl", .max_type = OVS_DEC_TTL_ATTR_MAX, .attrs = dec_ttl_attrs,
};

static int validate_list(const struct vctx *c, const void *data, size_t len,
			 struct vstate st, int depth);

static int nested_list(const struct vctx *c, const struct nlattr *list, const struct vstate *st,
		       int depth)
{
	return validate_list(c, nl_attr_data(list), nl_attr_len(list), *st, depth + 1);
}

/* Parse an action's nested arguments; 'required' types must be present. */
static int parse_args(const struct vctx *c, const struct nl_policy *pol, const struct nlattr *a,
		      const struct nlattr **tb, const uint16_t *required, size_t n_required)
{
	int ret = nl_policy_parse(pol, nl_attr_data(a), nl_attr_len(a), tb, c->origin, c->err);

	if (ret < 0)
		return ret;
	for (size_t i = 0; i < n_required; i++)
		if (tb[required[i]] == NULL)
			return errmsg_set(c->err, -EINVAL, odp_ofs(a, c->origin),
					  "%s: the %s attribute is missing", pol->name,
					  pol->attrs[required[i]].name);
	return 0;
}

static int validate_userspace(const struct vctx *c, const struct nlattr *a)
{
	static const uint16_t required[] = { OVS_USERSPACE_ATTR_PID };
	const struct nlattr *tb[OVS_USERSPACE_ATTR_MAX + 1];
	int ret = parse_args(c, &userspace_policy, a, tb, required, 1);

	if (ret == 0 && nl_attr_u32(tb[OVS_USERSPACE_ATTR_PID]) == 0)
		ret = errmsg_set(c->err, -EINVAL, odp_ofs(tb[OVS_USERSPACE_ATTR_PID], c->origin),
				 "userspace: pid 0 is not a listener");
	return ret;
}

static int validate_sample(const struct vctx *c, const struct nlattr *a, const struct vstate *st,
			   int depth)
{
	static const uint16_t required[] = { OVS_SAMPLE_ATTR_PROBABILITY, OVS_SAMPLE_ATTR_ACTIONS };
	const struct nlattr *tb[OVS_SAMPLE_ATTR_MAX + 1];
	int ret = parse_args(c, &sample_policy, a, tb, required, 2);

	return ret < 0 ? ret : nested_list(c, tb[OVS_SAMPLE_ATTR_ACTIONS], st, depth);
}

static int validate_check_pkt_len(const struct vctx *c, const struct nlattr *a,
				  const struct vstate *st, int depth)
{
	static const uint16_t required[] = { OVS_CHECK_PKT_LEN_ATTR_PKT_LEN,
					     OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_GREATER,
					     OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_LESS_EQUAL };
	const struct nlattr *tb[OVS_CHECK_PKT_LEN_ATTR_MAX + 1];
	int ret = parse_args(c, &cpl_policy, a, tb, required, 3);

	if (ret < 0)
		return ret;
	if (nl_attr_u16(tb[OVS_CHECK_PKT_LEN_ATTR_PKT_LEN]) == 0)
		return errmsg_set(c->err, -EINVAL,
				  odp_ofs(tb[OVS_CHECK_PKT_LEN_ATTR_PKT_LEN], c->origin),
				  "check_pkt_len: pkt_len must not be 0");
	ret = nested_list(c, tb[OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_LESS_EQUAL], st, depth);
	if (ret == 0)
		ret = nested_list(c, tb[OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_GREATER], st, depth);
	return ret;
}

static int validate_dec_ttl(const struct vctx *c, const struct nlattr *a, const struct vstate *st,
			    int depth)
{
	static const uint16_t required[] = { OVS_DEC_TTL_ATTR_ACTION };
	const struct nlattr *tb[OVS_DEC_TTL_ATTR_MAX + 1];
	int ret = parse_args(c, &dec_ttl_policy, a, tb, required, 1);

	return ret < 0 ? ret : nested_list(c, tb[OVS_DEC_TTL_ATTR_ACTION], st, depth);
}

static int validate_push_vlan(const struct vctx *c, const struct nlattr *a, struct vstate *st)
{
	struct ovs_action_push_vlan v;

	memcpy(&v, nl_attr_data(a), sizeof(v));
	if (!eth_type_is_vlan(v.vlan_tpid))
		return errmsg_set(c->err, -EINVAL, odp_ofs(a, c->origin),
				  "push_vlan: TPID 0x%04x is neither 0x8100 nor 0x88a8",
				  ntohs(v.vlan_tpid));
	if (!(v.vlan_tci & htons(VLAN_CFI)))
		return errmsg_set(c->err, -EINVAL, odp_ofs(a, c->origin),
				  "push_vlan: TCI 0x%04x lacks the tag-present bit 0x1000",
				  ntohs(v.vlan_tci));
	st->vlan_tci = v.vlan_tci;
	return 0;
}

static int validate_push_mpls(const struct vctx *c, const struct nlattr *a, struct vstate *st)
{
	struct ovs_action_push_mpls v;
	uint16_t et = st->eth_type;

	memcpy(&v, nl_attr_data(a), sizeof(v));
	if (!eth_type_is_mpls(v.mpls_ethertype))
		return errmsg_set(c->err, -EINVAL, odp_ofs(a, c->origin),
				  "push_mpls: ethertype 0x%04x is neither 0x8847 nor 0x8848",
				  ntohs(v.mpls_ethertype));
	/* As the kernel: only onto packets whose tag order is known. */
	if (st->vlan_tci & htons(VLAN_CFI))
		return errmsg_set(c->err, -EINVAL, odp_ofs(a, c->origin),
				  "push_mpls: the packet has a VLAN tag (pop_vlan first)");
	if (et != htons(ETH_P_IP) && et != htons(ETH_P_IPV6) && et != htons(ETH_P_ARP) &&
	    et != htons(ETH_P_RARP) && !eth_type_is_mpls(et))
		return errmsg_set(c->err, -EINVAL, odp_ofs(a, c->origin),
				  "push_mpls: only onto IPv4, IPv6, ARP or MPLS packets, not eth_type "
				  "0x%04x", ntohs(et));
	st->eth_type = v.mpls_ethertype;
	st->mpls_labels++;
	return 0;
}

static int validate_pop_mpls(const struct vctx *c, const struct nlattr *a, struct vstate *st)
{
	uint16_t proto = nl_attr_u16(a);

	if ((st->vlan_tci & htons(VLAN_CFI)) || !eth_type_is_mpls(st->eth_type))
		return errmsg_set(c->err, -EINVAL, odp_ofs(a, c->origin),
				  "pop_mpls: the packet has no MPLS label on top (eth_type 0x%04x%s)",
				  ntohs(st->eth_type),
				  (st->vlan_tci & htons(VLAN_CFI)) ? ", VLAN tagged" : "");
	if (proto == htons(ETH_P_TEB))
		return errmsg_set(c->err, -EINVAL, odp_ofs(a, c->origin),
				  "pop_mpls: ethertype 0x6558 (Ethernet inside) needs layer-3 ports");
	st->mpls_labels--;
	/* After the last label, or towards a non-MPLS type, nothing below is
	 * known: later set()/pop_mpls are refused, as in the kernel. */
	st->eth_type = (eth_type_is_mpls(proto) && st->mpls_labels) ? proto : 0;
	return 0;
}

static int validate_simple(const struct vctx *c, const struct nlattr *a, uint16_t type,
			   struct vstate *st)
{
	switch (type) {
	case OVS_ACTION_ATTR_OUTPUT:
		if (nl_attr_u32(a) >= ODP_PORT_NONE)
			return errmsg_set(c->err, -EINVAL, odp_ofs(a, c->origin),
					  "output: port %u is not below %u", nl_attr_u32(a),
					  ODP_PORT_NONE);
		return 0;
	case OVS_ACTION_ATTR_TRUNC:
		if (nl_attr_u32(a) < ETH_HLEN)
			return errmsg_set(c->err, -EINVAL, odp_ofs(a, c->origin),
					  "trunc: max_len %u is below the %d-byte Ethernet header",
					  nl_attr_u32(a), ETH_HLEN);
		return 0;
	case OVS_ACTION_ATTR_HASH:
		if (nl_attr_u32(a) != OVS_HASH_ALG_L4) /* hash_alg comes first */
			return errmsg_set(c->err, -EINVAL, odp_ofs(a, c->origin),
					  "hash: unknown algorithm %u", nl_attr_u32(a));
		return 0;
	case OVS_ACTION_ATTR_POP_VLAN:
		st->vlan_tci = 0;
		return 0;
	case OVS_ACTION_ATTR_PUSH_VLAN:
		return validate_push_vlan(c, a, st);
	case OVS_ACTION_ATTR_PUSH_MPLS:
		return validate_push_mpls(c, a, st);
	case OVS_ACTION_ATTR_POP_MPLS:
		return validate_pop_mpls(c, a, st);
	default: /* RECIRC: any id */
		return 0;
	}
}

static int validate_action(const struct vctx *c, const struct nlattr *a, struct vstate *st,
			   int depth)
{
	uint16_t type = nl_attr_type(a);
	const struct odp_action_info *ai = odp_action_find(type);

	if (ai == NULL)
		return errmsg_set(c->err, -EINVAL, odp_ofs(a, c->origin),
				  "actions: unknown action type %u", type);
	if (ai->unsupported)
		return errmsg_set(c->err, -EOPNOTSUPP, odp_ofs(a, c->origin),
				  "action %s is not supported: %s", ai->name, ai->unsupported);
	if (ai->len != ODP_LEN_VARIABLE && nl_attr_len(a) != (size_t)ai->len)
		return errmsg_set(c->err, -EINVAL, odp_ofs(a, c->origin),
				  "action %s: size %zu, expected %d", ai->name, nl_attr_len(a),
				  ai->len);
	switch (type) {
	case OVS_ACTION_ATTR_USERSPACE:
		return validate_userspace(c, a);
	case OVS_ACTION_ATTR_SET:
		return odp_validate_set(c, a, st, false);
	case OVS_ACTION_ATTR_SET_MASKED:
		return odp_validate_set(c, a, st, true);
	case OVS_ACTION_ATTR_SAMPLE:
		return validate_sample(c, a, st, depth);
	case OVS_ACTION_ATTR_CLONE:
		return nested_list(c, a, st, depth);
	case OVS_ACTION_ATTR_CHECK_PKT_LEN:
		return validate_check_pkt_len(c, a, st, depth);
	case OVS_ACTION_ATTR_DEC_TTL:
		return validate_dec_ttl(c, a, st, depth);
	default:
		return validate_simple(c, a, type, st);
	}
}

static int validate_list(const struct vctx *c, const void *data, size_t len, struct vstate st,
			 int depth)
{
	const uint8_t *p = data;
	size_t pos = 0;

	if (depth > ODP_ACTIONS_MAX_DEPTH)
		return errmsg_set(c->err, -EOVERFLOW, odp_ofs(p, c->origin),
				  "actions nested deeper than %d levels", ODP_ACTIONS_MAX_DEPTH);
	while (pos < len) {
		const struct nlattr *a = (const void *)(p + pos);
		size_t left = len - pos;

		if (!nl_attr_ok(a, left))
			return errmsg_set(c->err, -EINVAL, odp_ofs(a, c->origin),
					  left < NLA_HDRLEN ? "actions: %zu trailing bytes, too few for "
							      "an attribute header"
							    : "actions: malformed attribute length "
							      "(%zu bytes left)",
					  left);
		int ret = validate_action(c, a, &st, depth);
		if (ret < 0)
			return ret;
		pos += NLA_ALIGN(a->nla_len);
	}
	return 0;
}

int odp_actions_validate(const struct nlattr *actions, const struct flow_key *key,
			 const struct flow_key *mask, const void *origin, struct errmsg *err)
{
	struct vctx c = { .key = key, .mask = mask, .err = err,
			  .origin = origin ? origin : (const void *)actions };
	struct vstate st = { .eth_type = key->eth_type, .vlan_tci = key->vlan.tci,
			     .mpls_labels = eth_type_is_mpls(key->eth_type) ? 1 : 0 };

	int ret = odp_check_container(actions, origin, "actions", err);

	if (ret < 0)
		return ret;
	if (nl_attr_len(actions) > ODP_ACTIONS_MAX_LEN)
		return errmsg_set(err, -EMSGSIZE, odp_ofs(actions, c.origin),
				  "actions: list of %zu bytes, at most %d", nl_attr_len(actions),
				  ODP_ACTIONS_MAX_LEN);
	return validate_list(&c, nl_attr_data(actions), nl_attr_len(actions), st, 0);
}
