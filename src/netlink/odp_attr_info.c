/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The OVS_KEY_ATTR_* and OVS_ACTION_ATTR_* tables (include/odp_attr_info.h):
 * the kernel's ovs_key_lens[] and action_lens[] with the names, what set()
 * may write, and what this datapath refuses. The key decoder's policy is
 * the table's policy column.
 */
#include <netinet/in.h>

#include "odp_attr_info.h"
#include "odp_internal.h"

#define NO_CT "this datapath has no connection tracking"
#define NO_NSH "this datapath has no NSH support"
#define NO_L3 "this datapath has no layer-3 ports: every packet keeps its Ethernet header"

/* A key attribute set() may write, with what the packet must be then. */
#define SETTABLE(needs, proto) .settable = true, .set_needs = (needs), .set_ip_proto = (proto)

const struct odp_key_attr_info odp_key_attr_info[OVS_KEY_ATTR_MAX + 1] = {
	[OVS_KEY_ATTR_ENCAP] = { NL_POL_NESTED_ATTR("encap"), "encap" },
	[OVS_KEY_ATTR_PRIORITY] = { NL_POL_U32("priority"), "skb_priority",
				    SETTABLE(ODP_SET_NEEDS_NOTHING, 0) },
	[OVS_KEY_ATTR_IN_PORT] = { NL_POL_U32("in_port"), "in_port" },
	[OVS_KEY_ATTR_ETHERNET] = { NL_POL_EXACT_LEN(sizeof(struct ovs_key_ethernet), "eth"), "eth",
				    SETTABLE(ODP_SET_NEEDS_NOTHING, 0) },
	[OVS_KEY_ATTR_VLAN] = { NL_POL_U16("vlan"), "vlan" },
	[OVS_KEY_ATTR_ETHERTYPE] = { NL_POL_U16("eth_type"), "eth_type" },
	[OVS_KEY_ATTR_IPV4] = { NL_POL_EXACT_LEN(sizeof(struct ovs_key_ipv4), "ipv4"), "ipv4",
				SETTABLE(ODP_SET_NEEDS_IPV4, 0) },
	[OVS_KEY_ATTR_IPV6] = { NL_POL_EXACT_LEN(sizeof(struct ovs_key_ipv6), "ipv6"), "ipv6",
				SETTABLE(ODP_SET_NEEDS_IPV6, 0) },
	[OVS_KEY_ATTR_TCP] = { NL_POL_EXACT_LEN(sizeof(struct ovs_key_tcp), "tcp"), "tcp",
			       SETTABLE(ODP_SET_NEEDS_IP, IPPROTO_TCP) },
	[OVS_KEY_ATTR_UDP] = { NL_POL_EXACT_LEN(sizeof(struct ovs_key_udp), "udp"), "udp",
			       SETTABLE(ODP_SET_NEEDS_IP, IPPROTO_UDP) },
	/* ICMP and ICMPv6 are settable here, not in the kernel (docs/PROTOCOL.md). */
	[OVS_KEY_ATTR_ICMP] = { NL_POL_EXACT_LEN(sizeof(struct ovs_key_icmp), "icmp"), "icmp",
				SETTABLE(ODP_SET_NEEDS_IPV4, IPPROTO_ICMP) },
	[OVS_KEY_ATTR_ICMPV6] = { NL_POL_EXACT_LEN(sizeof(struct ovs_key_icmpv6), "icmpv6"),
				  "icmpv6", SETTABLE(ODP_SET_NEEDS_IPV6, IPPROTO_ICMPV6) },
	[OVS_KEY_ATTR_ARP] = { NL_POL_EXACT_LEN(sizeof(struct ovs_key_arp), "arp"), "arp" },
	[OVS_KEY_ATTR_ND] = { NL_POL_EXACT_LEN(sizeof(struct ovs_key_nd), "nd"), "nd" },
	[OVS_KEY_ATTR_SKB_MARK] = { NL_POL_U32("skb_mark"), "skb_mark",
				    SETTABLE(ODP_SET_NEEDS_NOTHING, 0) },
	[OVS_KEY_ATTR_TUNNEL] = { NL_POL_NESTED_ATTR("tunnel"), "tunnel" },
	[OVS_KEY_ATTR_SCTP] = { NL_POL_EXACT_LEN(sizeof(struct ovs_key_sctp), "sctp"), "sctp",
				SETTABLE(ODP_SET_NEEDS_IP, IPPROTO_SCTP) },
	[OVS_KEY_ATTR_TCP_FLAGS] = { NL_POL_U16("tcp_flags"), "tcp_flags" },
	[OVS_KEY_ATTR_DP_HASH] = { NL_POL_U32("dp_hash"), "dp_hash" },
	[OVS_KEY_ATTR_RECIRC_ID] = { NL_POL_U32("recirc_id"), "recirc_id" },
	/* A label stack: the flow key keeps only the top entry. */
	[OVS_KEY_ATTR_MPLS] = { NL_POL_EXACT_LEN(sizeof(struct ovs_key_mpls), "mpls"), "mpls",
				.repeats = true, SETTABLE(ODP_SET_NEEDS_MPLS, 0) },
	[OVS_KEY_ATTR_CT_STATE] = { NL_POL_U32("ct_state"), "ct_state" },
	[OVS_KEY_ATTR_CT_ZONE] = { NL_POL_U16("ct_zone"), "ct_zone" },
	[OVS_KEY_ATTR_CT_MARK] = { NL_POL_U32("ct_mark"), "ct_mark", .set_unsupported = NO_CT },
	[OVS_KEY_ATTR_CT_LABELS] = { NL_POL_EXACT_LEN(sizeof(struct ovs_key_ct_labels), "ct_label"),
				     "ct_label", .set_unsupported = NO_CT },
	[OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV4] = {
		NL_POL_UNSUPPORTED_LEN(sizeof(struct ovs_key_ct_tuple_ipv4), "ct_tuple4"),
		"ct_tuple4" },
	[OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV6] = {
		NL_POL_UNSUPPORTED_LEN(sizeof(struct ovs_key_ct_tuple_ipv6), "ct_tuple6"),
		"ct_tuple6" },
	[OVS_KEY_ATTR_NSH] = { NL_POL_UNSUPPORTED_VAR("nsh"), "nsh", .set_unsupported = NO_NSH },
	[OVS_KEY_ATTR_PACKET_TYPE] = { NL_POL_UNSUPPORTED_LEN(sizeof(uint32_t), "packet_type"),
				       "packet_type" },
	/* OVS's struct ovs_key_nd_extensions (be32, u8, padding): userspace's. */
	[OVS_KEY_ATTR_ND_EXTENSIONS] = { NL_POL_UNSUPPORTED_LEN(8, "nd_ext"), "nd_ext" },
	[OVS_KEY_ATTR_IPV6_EXTHDRS] = {
		NL_POL_UNSUPPORTED_LEN(sizeof(struct ovs_key_ipv6_exthdrs), "ipv6_exthdrs"), NULL },
};

const struct odp_action_info odp_action_info[OVS_ACTION_ATTR_MAX + 1] = {
	[OVS_ACTION_ATTR_OUTPUT] = { "output", sizeof(uint32_t), NULL },
	[OVS_ACTION_ATTR_USERSPACE] = { "userspace", ODP_LEN_VARIABLE, NULL },
	[OVS_ACTION_ATTR_SET] = { "set", ODP_LEN_VARIABLE, NULL },
	[OVS_ACTION_ATTR_PUSH_VLAN] = { "push_vlan", sizeof(struct ovs_action_push_vlan), NULL },
	[OVS_ACTION_ATTR_POP_VLAN] = { "pop_vlan", 0, NULL },
	[OVS_ACTION_ATTR_SAMPLE] = { "sample", ODP_LEN_VARIABLE, NULL },
	[OVS_ACTION_ATTR_RECIRC] = { "recirc", sizeof(uint32_t), NULL },
	[OVS_ACTION_ATTR_HASH] = { "hash", sizeof(struct ovs_action_hash), NULL },
	[OVS_ACTION_ATTR_PUSH_MPLS] = { "push_mpls", sizeof(struct ovs_action_push_mpls), NULL },
	[OVS_ACTION_ATTR_POP_MPLS] = { "pop_mpls", sizeof(uint16_t), NULL },
	[OVS_ACTION_ATTR_SET_MASKED] = { "set_masked", ODP_LEN_VARIABLE, NULL },
	[OVS_ACTION_ATTR_CT] = { "ct", ODP_LEN_VARIABLE, NO_CT },
	[OVS_ACTION_ATTR_TRUNC] = { "trunc", sizeof(struct ovs_action_trunc), NULL },
	[OVS_ACTION_ATTR_PUSH_ETH] = { "push_eth", sizeof(struct ovs_action_push_eth), NO_L3 },
	[OVS_ACTION_ATTR_POP_ETH] = { "pop_eth", 0, NO_L3 },
	[OVS_ACTION_ATTR_CT_CLEAR] = { "ct_clear", 0, NO_CT },
	[OVS_ACTION_ATTR_PUSH_NSH] = { "push_nsh", ODP_LEN_VARIABLE, NO_NSH },
	[OVS_ACTION_ATTR_POP_NSH] = { "pop_nsh", 0, NO_NSH },
	[OVS_ACTION_ATTR_METER] = { "meter", sizeof(uint32_t), "this datapath has no meters" },
	[OVS_ACTION_ATTR_CLONE] = { "clone", ODP_LEN_VARIABLE, NULL },
	[OVS_ACTION_ATTR_CHECK_PKT_LEN] = { "check_pkt_len", ODP_LEN_VARIABLE, NULL },
	[OVS_ACTION_ATTR_ADD_MPLS] = { "add_mpls", sizeof(struct ovs_action_add_mpls),
				       "this datapath has no layer-3 tunnels (use push_mpls)" },
	[OVS_ACTION_ATTR_DEC_TTL] = { "dec_ttl", ODP_LEN_VARIABLE, NULL },
};

/* The decoder's policy: nl_policy_parse() walks an array of policy
 * entries, so the table's policy column is copied out once, before
 * main(); parsing threads only read it. */
static struct nl_pol_attr key_policy_attrs[OVS_KEY_ATTR_MAX + 1];

__attribute__((constructor)) static void key_policy_build(void)
{
	for (unsigned int t = 0; t <= OVS_KEY_ATTR_MAX; t++)
		key_policy_attrs[t] = odp_key_attr_info[t].pol;
}

const struct nl_policy odp_key_policy = {
	.name = "key", .max_type = OVS_KEY_ATTR_MAX, .attrs = key_policy_attrs,
};

const char *odp_key_attr_name(unsigned int type)
{
	const struct odp_key_attr_info *ki = odp_key_attr_find(type);

	return ki ? ki->pol.name : "?";
}
