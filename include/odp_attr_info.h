/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * odp_attr_info: what each OVS_KEY_ATTR_* and OVS_ACTION_ATTR_* is, stated
 * once for the netlink codec (src/netlink), the ovs-dpctl text format
 * (src/text) and, through them, the client: payload size or nesting, the
 * names, what set() may write and what the packet must be for it, and
 * what this datapath refuses. Types and sizes are <linux/openvswitch.h>'s
 * (the kernel's ovs_key_lens[] and action_lens[]).
 *
 * Thread safety: constant tables.
 */
#ifndef ODP_ATTR_INFO_H
#define ODP_ATTR_INFO_H

#include <linux/openvswitch.h>
#include <stdbool.h>
#include <stdint.h>

#include "nl_policy.h"

/* A payload whose size the attribute's own rules check (nested ones too). */
#define ODP_LEN_VARIABLE (-1)

/* What the packet must be, at that point of an action list, for set() or
 * set_masked() of a key attribute (the kernel's validate_set()). */
enum odp_set_needs {
	ODP_SET_NEEDS_NOTHING,  /* metadata, Ethernet: always there */
	ODP_SET_NEEDS_IPV4,
	ODP_SET_NEEDS_IPV6,
	ODP_SET_NEEDS_IP,       /* either version */
	ODP_SET_NEEDS_MPLS,     /* a label on top */
};

struct odp_key_attr_info {
	/* The codec's policy entry: kind (exact size, nested, or known to the
	 * protocol but not supported here), payload size, the name reasons
	 * use. An unsupported attribute keeps its protocol size in min/max
	 * (min == max: fixed) for the printer. */
	struct nl_pol_attr pol;
	const char *text_name;      /* ovs-dpctl's name; NULL: OVS has no text for it */
	bool repeats;               /* a stack of pol.min-byte entries (MPLS labels):
				     * the text has several, the codec takes one */
	bool settable;              /* set()/set_masked() write it: pol.min bytes
				     * (value then mask for set_masked) */
	uint8_t set_needs;          /* enum odp_set_needs */
	uint8_t set_ip_proto;       /* non-zero: the flow's ip proto, exact */
	const char *set_unsupported; /* the kernel's set() writes it, this datapath
				      * does not: why */
};

/* Indexed by OVS_KEY_ATTR_*; a type with pol.kind NL_POL_NONE is unknown
 * (OVS_KEY_ATTR_TUNNEL_INFO is kernel-internal). */
extern const struct odp_key_attr_info odp_key_attr_info[OVS_KEY_ATTR_MAX + 1];

/* The entry of a known key attribute type, or NULL. */
static inline const struct odp_key_attr_info *odp_key_attr_find(unsigned int type)
{
	if (type > OVS_KEY_ATTR_MAX || odp_key_attr_info[type].pol.kind == NL_POL_NONE)
		return NULL;
	return &odp_key_attr_info[type];
}

/* A policy entry's fixed payload size, or ODP_LEN_VARIABLE. */
static inline int odp_pol_fixed_len(const struct nl_pol_attr *pa)
{
	return pa->min == pa->max ? pa->min : ODP_LEN_VARIABLE;
}

/* Payload size as OVS's printer checks it: the fixed size, or
 * ODP_LEN_VARIABLE (nested, a label stack). */
static inline int odp_key_attr_text_len(const struct odp_key_attr_info *ki)
{
	return ki->repeats ? ODP_LEN_VARIABLE : odp_pol_fixed_len(&ki->pol);
}

/* The OVS_TUNNEL_KEY_ATTR_* inside OVS_KEY_ATTR_TUNNEL (odp_tunnel.c):
 * sizes and names, the unsupported ones with their protocol sizes. */
extern const struct nl_policy odp_tunnel_policy;

/* Payload size of a tunnel attribute type, or ODP_LEN_VARIABLE (unknown
 * types, padding, options). */
static inline int odp_tunnel_attr_len(unsigned int type)
{
	if (type > odp_tunnel_policy.max_type || odp_tunnel_policy.attrs[type].kind == NL_POL_NONE ||
	    odp_tunnel_policy.attrs[type].kind == NL_POL_PAD)
		return ODP_LEN_VARIABLE;
	return odp_pol_fixed_len(&odp_tunnel_policy.attrs[type]);
}

struct odp_action_info {
	const char *name;
	int16_t len;             /* payload bytes, or ODP_LEN_VARIABLE */
	const char *unsupported; /* why this datapath refuses it, or NULL */
};

/* Indexed by OVS_ACTION_ATTR_*; a NULL name is an unknown type. */
extern const struct odp_action_info odp_action_info[OVS_ACTION_ATTR_MAX + 1];

/* The entry of a known action type, or NULL. */
static inline const struct odp_action_info *odp_action_find(unsigned int type)
{
	if (type > OVS_ACTION_ATTR_MAX || odp_action_info[type].name == NULL)
		return NULL;
	return &odp_action_info[type];
}

#endif /* ODP_ATTR_INFO_H */
