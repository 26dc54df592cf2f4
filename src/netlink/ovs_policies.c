/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Attribute policies of the OVS generic-netlink families, as the kernel's
 * net/openvswitch/datapath.c declares them for requests, plus the
 * attributes that only replies carry (stats, used, ...) with their sizes,
 * so one table serves the server's requests and the client's replies.
 *
 * Fixed-size types (NLA_U32 and friends) are declared exact; the liberal
 * parse of requests (nl_policy_parse_genl) takes longer payloads, as the
 * kernel's non-strict parsing does.
 */
#include <linux/genetlink.h>
#include <linux/openvswitch.h>
#include <net/if.h>

#include "nl_policy.h"

/* The kernel's MAX_UFID_LENGTH: a UFID is 1 to 16 bytes. */
#define UFID_MAX_LEN 16
/* Ethernet header: the smallest packet EXECUTE takes (ETH_HLEN). */
#define PACKET_MIN_LEN 14

static const struct nl_pol_attr datapath_attrs[OVS_DP_ATTR_MAX + 1] = {
	[OVS_DP_ATTR_NAME] = NL_POL_STRING_ATTR(IFNAMSIZ, "name"),
	[OVS_DP_ATTR_UPCALL_PID] = NL_POL_U32("upcall_pid"),
	[OVS_DP_ATTR_STATS] = NL_POL_EXACT_LEN(sizeof(struct ovs_dp_stats), "stats"),
	[OVS_DP_ATTR_MEGAFLOW_STATS] =
		NL_POL_EXACT_LEN(sizeof(struct ovs_dp_megaflow_stats), "megaflow_stats"),
	[OVS_DP_ATTR_USER_FEATURES] = NL_POL_U32("user_features"),
	[OVS_DP_ATTR_PAD] = NL_POL_PAD_ATTR("pad"),
	[OVS_DP_ATTR_MASKS_CACHE_SIZE] = NL_POL_U32("masks_cache_size"),
	[OVS_DP_ATTR_PER_CPU_PIDS] = NL_POL_MIN_LEN(0, "per_cpu_pids"),
	[OVS_DP_ATTR_IFINDEX] = NL_POL_U32("ifindex"),
};

const struct nl_policy nl_policy_ovs_datapath = {
	.name = "datapath", .max_type = OVS_DP_ATTR_MAX, .attrs = datapath_attrs,
};

static const struct nl_pol_attr vport_attrs[OVS_VPORT_ATTR_MAX + 1] = {
	[OVS_VPORT_ATTR_PORT_NO] = NL_POL_U32("port_no"),
	[OVS_VPORT_ATTR_TYPE] = NL_POL_U32("type"),
	[OVS_VPORT_ATTR_NAME] = NL_POL_STRING_ATTR(IFNAMSIZ, "name"),
	[OVS_VPORT_ATTR_OPTIONS] = NL_POL_NESTED_ATTR("options"),
	/* An array of u32 pids; the kernel refuses an empty one. */
	[OVS_VPORT_ATTR_UPCALL_PID] = NL_POL_MIN_LEN(sizeof(uint32_t), "upcall_pid"),
	[OVS_VPORT_ATTR_STATS] = NL_POL_MIN_LEN(sizeof(struct ovs_vport_stats), "stats"),
	[OVS_VPORT_ATTR_PAD] = NL_POL_PAD_ATTR("pad"),
	[OVS_VPORT_ATTR_IFINDEX] = NL_POL_U32("ifindex"),
	[OVS_VPORT_ATTR_NETNSID] = NL_POL_U32("netnsid"),
};

const struct nl_policy nl_policy_ovs_vport = {
	.name = "vport", .max_type = OVS_VPORT_ATTR_MAX, .attrs = vport_attrs,
};

static const struct nl_pol_attr flow_attrs[OVS_FLOW_ATTR_MAX + 1] = {
	[OVS_FLOW_ATTR_KEY] = NL_POL_NESTED_ATTR("key"),
	[OVS_FLOW_ATTR_ACTIONS] = NL_POL_NESTED_ATTR("actions"),
	[OVS_FLOW_ATTR_STATS] = NL_POL_EXACT_LEN(sizeof(struct ovs_flow_stats), "stats"),
	[OVS_FLOW_ATTR_TCP_FLAGS] = NL_POL_U8("tcp_flags"),
	[OVS_FLOW_ATTR_USED] = NL_POL_U64("used"),
	[OVS_FLOW_ATTR_CLEAR] = NL_POL_FLAG_ATTR("clear"),
	[OVS_FLOW_ATTR_MASK] = NL_POL_NESTED_ATTR("mask"),
	[OVS_FLOW_ATTR_PROBE] = NL_POL_FLAG_ATTR("probe"),
	[OVS_FLOW_ATTR_UFID] = NL_POL_RANGE_LEN(1, UFID_MAX_LEN, "ufid"),
	[OVS_FLOW_ATTR_UFID_FLAGS] = NL_POL_U32("ufid_flags"),
	[OVS_FLOW_ATTR_PAD] = NL_POL_PAD_ATTR("pad"),
};

const struct nl_policy nl_policy_ovs_flow = {
	.name = "flow", .max_type = OVS_FLOW_ATTR_MAX, .attrs = flow_attrs,
};

static const struct nl_pol_attr packet_attrs[OVS_PACKET_ATTR_MAX + 1] = {
	[OVS_PACKET_ATTR_PACKET] = NL_POL_MIN_LEN(PACKET_MIN_LEN, "packet"),
	[OVS_PACKET_ATTR_KEY] = NL_POL_NESTED_ATTR("key"),
	[OVS_PACKET_ATTR_ACTIONS] = NL_POL_NESTED_ATTR("actions"),
	[OVS_PACKET_ATTR_USERDATA] = NL_POL_MIN_LEN(0, "userdata"),
	[OVS_PACKET_ATTR_EGRESS_TUN_KEY] = NL_POL_NESTED_ATTR("egress_tun_key"),
	[OVS_PACKET_ATTR_PROBE] = NL_POL_FLAG_ATTR("probe"),
	[OVS_PACKET_ATTR_MRU] = NL_POL_U16("mru"),
	[OVS_PACKET_ATTR_LEN] = NL_POL_U32("len"),
	[OVS_PACKET_ATTR_HASH] = NL_POL_U64("hash"),
};

const struct nl_policy nl_policy_ovs_packet = {
	.name = "packet", .max_type = OVS_PACKET_ATTR_MAX, .attrs = packet_attrs,
};

static const struct nl_pol_attr genl_ctrl_attrs[CTRL_ATTR_MAX + 1] = {
	[CTRL_ATTR_FAMILY_ID] = NL_POL_U16("family_id"),
	[CTRL_ATTR_FAMILY_NAME] = NL_POL_STRING_ATTR(GENL_NAMSIZ, "family_name"),
	[CTRL_ATTR_VERSION] = NL_POL_U32("version"),
	[CTRL_ATTR_HDRSIZE] = NL_POL_U32("hdrsize"),
	[CTRL_ATTR_MAXATTR] = NL_POL_U32("maxattr"),
	[CTRL_ATTR_OPS] = NL_POL_NESTED_ATTR("ops"),
	[CTRL_ATTR_MCAST_GROUPS] = NL_POL_NESTED_ATTR("mcast_groups"),
	[CTRL_ATTR_POLICY] = NL_POL_NESTED_ATTR("policy"),
	[CTRL_ATTR_OP_POLICY] = NL_POL_NESTED_ATTR("op_policy"),
	[CTRL_ATTR_OP] = NL_POL_U32("op"),
};

const struct nl_policy nl_policy_genl_ctrl = {
	.name = "genl_ctrl", .max_type = CTRL_ATTR_MAX, .attrs = genl_ctrl_attrs,
};
