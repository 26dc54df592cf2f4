/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * set() and set_masked(): the kernel's validate_set(), plus ICMP/ICMPv6
 * type and code (an extension, see docs/PROTOCOL.md). One key attribute
 * fills the payload; it names a field we can write and a header the flow
 * has at that point of the list; set_masked() carries value then mask.
 */
#include <errno.h>
#include <netinet/in.h>

#include "odp_actions_internal.h"
#include "odp_attr_info.h"

static bool within_mask(const uint8_t *value, size_t len)
{
	const uint8_t *mask = value + len;

	for (size_t i = 0; i < len; i++)
		if (value[i] & ~mask[i])
			return false;
	return true;
}

/* A key attribute set() does not write: -EOPNOTSUPP when the kernel's
 * would, with the reason. */
static int unsettable(const struct vctx *c, const struct nlattr *k,
		      const struct odp_key_attr_info *ki, const char *act)
{
	if (ki && ki->set_unsupported)
		return errmsg_set(c->err, -EOPNOTSUPP, odp_ofs(k, c->origin),
				  "%s: field %s is not supported: %s", act, ki->pol.name,
				  ki->set_unsupported);
	return errmsg_set(c->err, -EINVAL, odp_ofs(k, c->origin), "%s: field %s cannot be set",
			  act, odp_key_attr_name(nl_attr_type(k)));
}

static int set_error(const struct vctx *c, const struct nlattr *k, bool masked, const char *what)
{
	return errmsg_set(c->err, -EINVAL, odp_ofs(k, c->origin), "%s(%s): %s",
			  masked ? "set_masked" : "set", odp_key_attr_name(nl_attr_type(k)),
			  what);
}

static int check_ipv4(const struct vctx *c, const struct nlattr *k, bool masked)
{
	struct ovs_key_ipv4 v, m;

	memcpy(&v, nl_attr_data(k), sizeof(v));
	if (masked) {
		memcpy(&m, (const uint8_t *)nl_attr_data(k) + sizeof(v), sizeof(m));
		if (m.ipv4_proto || m.ipv4_frag)
			return set_error(c, k, true, "proto and frag cannot be written (mask them out)");
	} else if (v.ipv4_proto != c->key->ip_proto || v.ipv4_frag != c->key->ip_frag) {
		return set_error(c, k, false,
				 "proto and frag must equal the flow's: they cannot be written");
	}
	return 0;
}

static int check_ipv6(const struct vctx *c, const struct nlattr *k, bool masked)
{
	struct ovs_key_ipv6 v, m;

	memcpy(&v, nl_attr_data(k), sizeof(v));
	if (masked) {
		memcpy(&m, (const uint8_t *)nl_attr_data(k) + sizeof(v), sizeof(m));
		if (m.ipv6_proto || m.ipv6_frag)
			return set_error(c, k, true, "proto and frag cannot be written (mask them out)");
		if (m.ipv6_label & htonl(0xfff00000))
			return set_error(c, k, true, "flow label mask is wider than 20 bits");
	} else if (v.ipv6_proto != c->key->ip_proto || v.ipv6_frag != c->key->ip_frag) {
		return set_error(c, k, false,
				 "proto and frag must equal the flow's: they cannot be written");
	}
	if (v.ipv6_label & htonl(0xfff00000))
		return set_error(c, k, masked, "flow label is wider than 20 bits");
	return 0;
}

/* An L4 header is there when the packet is IP ('need_et', or either IP
 * version when 0) and the flow matches ip proto 'proto' exactly. */
static int check_l4(const struct vctx *c, const struct nlattr *k, const struct vstate *st,
		    bool masked, uint16_t need_et, uint8_t proto)
{
	bool ip = need_et ? st->eth_type == need_et
			  : st->eth_type == htons(ETH_P_IP) || st->eth_type == htons(ETH_P_IPV6);
	bool exact = c->mask == NULL || c->mask->ip_proto == 0xff;

	if (ip && c->key->ip_proto == proto && exact)
		return 0;
	return errmsg_set(c->err, -EINVAL, odp_ofs(k, c->origin),
			  "%s(%s) needs an %s flow matching ip proto %u exactly (eth_type 0x%04x, "
			  "proto %u here)", masked ? "set_masked" : "set",
			  odp_key_attr_name(nl_attr_type(k)),
			  need_et == htons(ETH_P_IP) ? "IPv4" : need_et ? "IPv6" : "IP", proto,
			  ntohs(st->eth_type), c->key->ip_proto);
}

/* The header set() writes is there at this point of the list (the
 * table's prerequisites), and IPv4/IPv6 keep proto and frag. */
static int check_header(const struct vctx *c, const struct nlattr *k, const struct vstate *st,
			const struct odp_key_attr_info *ki, bool masked)
{
	uint16_t need_et = ki->set_needs == ODP_SET_NEEDS_IPV4 ? htons(ETH_P_IP)
			   : ki->set_needs == ODP_SET_NEEDS_IPV6 ? htons(ETH_P_IPV6) : 0;

	switch (ki->set_needs) {
	case ODP_SET_NEEDS_MPLS:
		if (!eth_type_is_mpls(st->eth_type))
			return set_error(c, k, masked, "the packet has no MPLS label at this point");
		return 0;
	case ODP_SET_NEEDS_NOTHING:
		return 0;
	default:
		break;
	}
	if (ki->set_ip_proto)
		return check_l4(c, k, st, masked, need_et, ki->set_ip_proto);
	if (st->eth_type != need_et)
		return set_error(c, k, masked, need_et == htons(ETH_P_IP)
					       ? "the packet is not IPv4 at this point"
					       : "the packet is not IPv6 at this point");
	return need_et == htons(ETH_P_IP) ? check_ipv4(c, k, masked) : check_ipv6(c, k, masked);
}

/* set(tunnel): the tunnel packets will be sent with (the kernel's
 * validate_and_copy_set_tun, IPv4 only). */
static int check_tunnel(const struct vctx *c, const struct nlattr *k, bool masked)
{
	struct flow_tunnel tun;
	bool has_ttl;
	int ret;

	if (masked)
		return set_error(c, k, true, "a tunnel can only be set whole (use set)");
	ret = odp_tunnel_decode(k, c->origin, &tun, &has_ttl, c->err);
	if (ret == 0)
		ret = odp_tunnel_check_egress(k, c->origin, &tun, has_ttl, c->err);
	return ret;
}

int odp_validate_set(const struct vctx *c, const struct nlattr *a, const struct vstate *st,
		     bool masked)
{
	const char *act = masked ? "set_masked" : "set";
	const struct nlattr *k = nl_attr_data(a);
	size_t plen = nl_attr_len(a), size, klen;
	const struct odp_key_attr_info *ki;
	uint16_t type;

	/* Exactly one key attribute, filling the payload (padding included). */
	if (plen < NLA_HDRLEN || k->nla_len < NLA_HDRLEN || k->nla_len > plen ||
	    (size_t)NLA_ALIGN(k->nla_len) != plen)
		return errmsg_set(c->err, -EINVAL, odp_ofs(a, c->origin),
				  "%s: the payload must be exactly one key attribute", act);
	type = nl_attr_type(k);
	klen = nl_attr_len(k);
	if (type == OVS_KEY_ATTR_TUNNEL)
		return check_tunnel(c, k, masked);
	ki = odp_key_attr_find(type);
	if (ki == NULL || !ki->settable)
		return unsettable(c, k, ki, act);
	size = ki->pol.min;
	if (klen != (masked ? 2 * size : size))
		return errmsg_set(c->err, -EINVAL, odp_ofs(k, c->origin),
				  "%s(%s): size %zu, expected %zu", act, odp_key_attr_name(type), klen,
				  masked ? 2 * size : size);
	if (masked && !within_mask(nl_attr_data(k), size))
		return set_error(c, k, true, "the value has bits outside its mask");
	return check_header(c, k, st, ki, masked);
}
