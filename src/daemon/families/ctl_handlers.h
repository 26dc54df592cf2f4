/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The daemon's control handlers: the OVS families and ours, wired to the
 * datapath. Control thread only.
 */
#ifndef CTL_HANDLERS_H
#define CTL_HANDLERS_H

#include "ctl.h"
#include "dp.h"
#include "options.h"
#include "upcall.h"

/* Open the control socket of --ctl with every family's handlers; no
 * request is served before ctl_server_attach() names the datapath. */
int ctl_open(const struct options *opt, struct ctl_server **srv, struct errmsg *err);

/* dp_deliver_fn for dp_upcalls_run(): 'arg' is the struct ctl_server. */
int ctl_upcall_deliver(void *arg, const struct upcall *u);

/* ---- shared by the handler files ---- */

/* Offset of 'attr' from the request's nlmsghdr, for extended acks. */
int ctl_attr_offset(const struct ctl_req *req, const void *attr);
/* The requesting connection claims an upcall pid (0 is nobody). */
int ctl_claim_pid(struct ctl_req *req, uint32_t pid);
/* OVS_FLOW_ATTR_KEY and/or OVS_FLOW_ATTR_MASK of a flow reply. */
void ctl_match_put(struct nlbuf *out, const struct flow_key *key, const struct flow_key *mask,
		   bool put_key, bool put_mask);
/* OVS_DP_ATTR_USER_FEATURES as the datapath has them (ctl_dp.c). */
uint32_t ctl_dp_user_features(void);
/* Append one flow reply (the kernel's ovs_flow_cmd_fill_info()). */
void ctl_flow_put(struct ctl_req *req, struct flowtbl_flow *flow, uint8_t cmd, uint16_t flags,
		  uint32_t ufid_flags);

extern const struct ctl_op ctl_dp_ops[];
extern const size_t ctl_n_dp_ops;
extern const struct ctl_op ctl_vport_ops[];
extern const size_t ctl_n_vport_ops;
extern const struct ctl_op ctl_flow_ops[];
extern const size_t ctl_n_flow_ops;
extern const struct ctl_op ctl_packet_ops[];
extern const size_t ctl_n_packet_ops;
extern const struct ctl_op ctl_dpsw_ops[];
extern const size_t ctl_n_dpsw_ops;

#endif /* CTL_HANDLERS_H */
