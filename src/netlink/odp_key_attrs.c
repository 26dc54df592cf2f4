/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The OVS_KEY_ATTR_* table: each key attribute's name, size and nesting
 * (the kernel's ovs_key_lens[]), as the policy that key and mask decoding
 * parse with, and which of them set() and set_masked() may write.
 */
#include "odp_internal.h"

static const struct nl_pol_attr key_attrs[OVS_KEY_ATTR_MAX + 1] = {
	[OVS_KEY_ATTR_ENCAP] = NL_POL_NESTED_ATTR("encap"),
	[OVS_KEY_ATTR_PRIORITY] = NL_POL_U32("priority"),
	[OVS_KEY_ATTR_IN_PORT] = NL_POL_U32("in_port"),
	[OVS_KEY_ATTR_ETHERNET] = NL_POL_EXACT_LEN(sizeof(struct ovs_key_ethernet), "eth"),
	[OVS_KEY_ATTR_VLAN] = NL_POL_U16("vlan"),
	[OVS_KEY_ATTR_ETHERTYPE] = NL_POL_U16("eth_type"),
	[OVS_KEY_ATTR_IPV4] = NL_POL_EXACT_LEN(sizeof(struct ovs_key_ipv4), "ipv4"),
	[OVS_KEY_ATTR_IPV6] = NL_POL_EXACT_LEN(sizeof(struct ovs_key_ipv6), "ipv6"),
	[OVS_KEY_ATTR_TCP] = NL_POL_EXACT_LEN(sizeof(struct ovs_key_tcp), "tcp"),
	[OVS_KEY_ATTR_UDP] = NL_POL_EXACT_LEN(sizeof(struct ovs_key_udp), "udp"),
	[OVS_KEY_ATTR_ICMP] = NL_POL_EXACT_LEN(sizeof(struct ovs_key_icmp), "icmp"),
	[OVS_KEY_ATTR_ICMPV6] = NL_POL_EXACT_LEN(sizeof(struct ovs_key_icmpv6), "icmpv6"),
	[OVS_KEY_ATTR_ARP] = NL_POL_EXACT_LEN(sizeof(struct ovs_key_arp), "arp"),
	[OVS_KEY_ATTR_ND] = NL_POL_EXACT_LEN(sizeof(struct ovs_key_nd), "nd"),
	[OVS_KEY_ATTR_SKB_MARK] = NL_POL_U32("skb_mark"),
	[OVS_KEY_ATTR_TUNNEL] = NL_POL_NESTED_ATTR("tunnel"),
	[OVS_KEY_ATTR_SCTP] = NL_POL_EXACT_LEN(sizeof(struct ovs_key_sctp), "sctp"),
	[OVS_KEY_ATTR_TCP_FLAGS] = NL_POL_U16("tcp_flags"),
	[OVS_KEY_ATTR_DP_HASH] = NL_POL_U32("dp_hash"),
	[OVS_KEY_ATTR_RECIRC_ID] = NL_POL_U32("recirc_id"),
	/* One label stack entry: the key keeps only the top one. */
	[OVS_KEY_ATTR_MPLS] = NL_POL_EXACT_LEN(sizeof(struct ovs_key_mpls), "mpls"),
	[OVS_KEY_ATTR_CT_STATE] = NL_POL_U32("ct_state"),
	[OVS_KEY_ATTR_CT_ZONE] = NL_POL_U16("ct_zone"),
	[OVS_KEY_ATTR_CT_MARK] = NL_POL_U32("ct_mark"),
	[OVS_KEY_ATTR_CT_LABELS] = NL_POL_EXACT_LEN(sizeof(struct ovs_key_ct_labels), "ct_label"),
	[OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV4] = NL_POL_UNSUPPORTED_ATTR("ct_tuple4"),
	[OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV6] = NL_POL_UNSUPPORTED_ATTR("ct_tuple6"),
	[OVS_KEY_ATTR_NSH] = NL_POL_UNSUPPORTED_ATTR("nsh"),
	[OVS_KEY_ATTR_PACKET_TYPE] = NL_POL_UNSUPPORTED_ATTR("packet_type"),
	[OVS_KEY_ATTR_ND_EXTENSIONS] = NL_POL_UNSUPPORTED_ATTR("nd_ext"),
	[OVS_KEY_ATTR_IPV6_EXTHDRS] = NL_POL_UNSUPPORTED_ATTR("ipv6_exthdrs"),
	/* OVS_KEY_ATTR_TUNNEL_INFO is kernel-internal: unknown here. */
};

const struct nl_policy odp_key_policy = {
	.name = "key", .max_type = OVS_KEY_ATTR_MAX, .attrs = key_attrs,
};

/* The attributes set() may write (the kernel's validate_set(), plus ICMP
 * and ICMPv6, see docs/PROTOCOL.md); each takes its key size. */
static const uint64_t settable =
	KBIT(OVS_KEY_ATTR_ETHERNET) | KBIT(OVS_KEY_ATTR_IPV4) | KBIT(OVS_KEY_ATTR_IPV6) |
	KBIT(OVS_KEY_ATTR_TCP) | KBIT(OVS_KEY_ATTR_UDP) | KBIT(OVS_KEY_ATTR_SCTP) |
	KBIT(OVS_KEY_ATTR_ICMP) | KBIT(OVS_KEY_ATTR_ICMPV6) | KBIT(OVS_KEY_ATTR_MPLS) |
	KBIT(OVS_KEY_ATTR_PRIORITY) | KBIT(OVS_KEY_ATTR_SKB_MARK);

const char *odp_key_attr_name(unsigned int type)
{
	if (type <= OVS_KEY_ATTR_MAX && key_attrs[type].name)
		return key_attrs[type].name;
	return "?";
}

size_t odp_key_attr_settable_size(unsigned int type)
{
	if (type > OVS_KEY_ATTR_MAX || !(settable & KBIT(type)))
		return 0;
	return key_attrs[type].min;
}
