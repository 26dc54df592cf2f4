/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The tunnel attributes (OVS_KEY_ATTR_TUNNEL): their table, read by key
 * decoding, set(tunnel) validation and the text format; IPv4 decoding.
 */
#include <errno.h>

#include "odp_internal.h"

static const struct nl_pol_attr tunnel_attrs[OVS_TUNNEL_KEY_ATTR_MAX + 1] = {
	[OVS_TUNNEL_KEY_ATTR_ID] = NL_POL_U64("tun_id"),
	[OVS_TUNNEL_KEY_ATTR_IPV4_SRC] = NL_POL_U32("src"),
	[OVS_TUNNEL_KEY_ATTR_IPV4_DST] = NL_POL_U32("dst"),
	[OVS_TUNNEL_KEY_ATTR_TOS] = NL_POL_U8("tos"),
	[OVS_TUNNEL_KEY_ATTR_TTL] = NL_POL_U8("ttl"),
	[OVS_TUNNEL_KEY_ATTR_DONT_FRAGMENT] = NL_POL_FLAG_ATTR("df"),
	[OVS_TUNNEL_KEY_ATTR_CSUM] = NL_POL_FLAG_ATTR("csum"),
	[OVS_TUNNEL_KEY_ATTR_OAM] = NL_POL_FLAG_ATTR("oam"),
	[OVS_TUNNEL_KEY_ATTR_GENEVE_OPTS] = NL_POL_UNSUPPORTED_VAR("geneve"),
	[OVS_TUNNEL_KEY_ATTR_TP_SRC] = NL_POL_U16("tp_src"),
	[OVS_TUNNEL_KEY_ATTR_TP_DST] = NL_POL_U16("tp_dst"),
	[OVS_TUNNEL_KEY_ATTR_VXLAN_OPTS] = NL_POL_UNSUPPORTED_VAR("vxlan"),
	[OVS_TUNNEL_KEY_ATTR_IPV6_SRC] = NL_POL_UNSUPPORTED_LEN(16, "ipv6_src"),
	[OVS_TUNNEL_KEY_ATTR_IPV6_DST] = NL_POL_UNSUPPORTED_LEN(16, "ipv6_dst"),
	[OVS_TUNNEL_KEY_ATTR_PAD] = NL_POL_PAD_ATTR("pad"),
	[OVS_TUNNEL_KEY_ATTR_ERSPAN_OPTS] = NL_POL_UNSUPPORTED_VAR("erspan"),
	/* A flag to the kernel; OVS's text has no length for it. */
	[OVS_TUNNEL_KEY_ATTR_IPV4_INFO_BRIDGE] = NL_POL_UNSUPPORTED_VAR("info_bridge"),
};

const struct nl_policy odp_tunnel_policy = {
	.name = "tunnel", .max_type = OVS_TUNNEL_KEY_ATTR_MAX, .attrs = tunnel_attrs,
};

int odp_check_container(const struct nlattr *nla, const void *origin, const char *what,
			struct errmsg *err)
{
	if ((uintptr_t)nla % NLA_ALIGNTO != 0)
		return errmsg_set(err, -EINVAL, odp_ofs(nla, origin ? origin : nla),
				  "%s: buffer is not 4-byte aligned", what);
	if (nla->nla_len < NLA_HDRLEN)
		return errmsg_set(err, -EINVAL, odp_ofs(nla, origin ? origin : nla),
				  "%s: attribute length %u is below its header", what, nla->nla_len);
	return 0;
}

int odp_tunnel_decode(const struct nlattr *nla, const void *origin, struct flow_tunnel *tun,
		      bool *has_ttl, struct errmsg *err)
{
	const struct nlattr *tb[OVS_TUNNEL_KEY_ATTR_MAX + 1];
	int ret;

	memset(tun, 0, sizeof(*tun));
	ret = nl_policy_parse(&odp_tunnel_policy, nl_attr_data(nla), nl_attr_len(nla), tb, origin,
			      err);
	if (ret < 0)
		return ret;
	if (tb[OVS_TUNNEL_KEY_ATTR_ID]) {
		memcpy(&tun->tun_id, nl_attr_data(tb[OVS_TUNNEL_KEY_ATTR_ID]), sizeof(tun->tun_id));
		tun->flags |= FLOW_TNL_F_KEY;
	}
	if (tb[OVS_TUNNEL_KEY_ATTR_IPV4_SRC])
		tun->ipv4_src = nl_attr_u32(tb[OVS_TUNNEL_KEY_ATTR_IPV4_SRC]);
	if (tb[OVS_TUNNEL_KEY_ATTR_IPV4_DST])
		tun->ipv4_dst = nl_attr_u32(tb[OVS_TUNNEL_KEY_ATTR_IPV4_DST]);
	if (tb[OVS_TUNNEL_KEY_ATTR_TOS])
		tun->tos = nl_attr_u8(tb[OVS_TUNNEL_KEY_ATTR_TOS]);
	if (tb[OVS_TUNNEL_KEY_ATTR_TTL])
		tun->ttl = nl_attr_u8(tb[OVS_TUNNEL_KEY_ATTR_TTL]);
	if (tb[OVS_TUNNEL_KEY_ATTR_DONT_FRAGMENT])
		tun->flags |= FLOW_TNL_F_DONT_FRAGMENT;
	if (tb[OVS_TUNNEL_KEY_ATTR_CSUM])
		tun->flags |= FLOW_TNL_F_CSUM;
	if (tb[OVS_TUNNEL_KEY_ATTR_OAM])
		tun->flags |= FLOW_TNL_F_OAM;
	if (tb[OVS_TUNNEL_KEY_ATTR_TP_SRC])
		tun->tp_src = nl_attr_u16(tb[OVS_TUNNEL_KEY_ATTR_TP_SRC]);
	if (tb[OVS_TUNNEL_KEY_ATTR_TP_DST])
		tun->tp_dst = nl_attr_u16(tb[OVS_TUNNEL_KEY_ATTR_TP_DST]);
	*has_ttl = tb[OVS_TUNNEL_KEY_ATTR_TTL] != NULL;
	return 0;
}

int odp_tunnel_check_egress(const struct nlattr *nla, const void *origin,
			    const struct flow_tunnel *tun, bool has_ttl, struct errmsg *err)
{
	if (tun->ipv4_dst == 0)
		return errmsg_set(err, -EINVAL, odp_ofs(nla, origin),
				  "tunnel: IPv4 destination missing or zero");
	if (!has_ttl)
		return errmsg_set(err, -EINVAL, odp_ofs(nla, origin), "tunnel: ttl not specified");
	return 0;
}
