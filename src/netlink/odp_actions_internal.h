/* SPDX-License-Identifier: BSD-3-Clause */
/* Action validation, shared between its two files; not an API. */
#ifndef ODP_ACTIONS_INTERNAL_H
#define ODP_ACTIONS_INTERNAL_H

#include "odp_internal.h"

struct vctx {
	const struct flow_key *key;   /* the flow's masked key, or the packet's */
	const struct flow_key *mask;  /* NULL for a packet: every field exact */
	const void *origin;
	struct errmsg *err;
};

/* The packet as the actions so far leave it (the kernel's eth_type,
 * vlan_tci and mpls_label_count). eth_type 0: unknown, no set() below. */
struct vstate {
	uint16_t eth_type;    /* be16 */
	uint16_t vlan_tci;    /* be16, with VLAN_CFI when tagged */
	uint32_t mpls_labels;
};

/* set() (masked false) or set_masked() action 'a'. */
int odp_validate_set(const struct vctx *c, const struct nlattr *a, const struct vstate *st,
		     bool masked);

#endif /* ODP_ACTIONS_INTERNAL_H */
