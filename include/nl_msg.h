/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nl_msg: the message layer of the control protocol, for the server and
 * the client: walking the netlink messages of a datagram, splitting one
 * into nlmsghdr + genlmsghdr (+ ovs_header) + attributes, and writing and
 * reading NLMSG_ERROR (with the extended-ack reason and offset) and
 * NLMSG_DONE. Flow keys, masks and actions are odp_key.h/odp_actions.h.
 *
 * Errors are -EINVAL with a reason in 'err' (offsets from the datagram's
 * start for nl_msg_next, from the message's for nl_msg_parse).
 * Buffers must be 4-byte aligned. Thread safety: reentrant.
 */
#ifndef NL_MSG_H
#define NL_MSG_H

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>

#include "errmsg.h"
#include "nlbuf.h"

/*
 * The message at offset *ofs of a datagram of 'len' bytes: checks that a
 * whole nlmsghdr is there and that nlmsg_len covers it and stays within
 * the datagram, then advances *ofs to the next message. Returns 1 and sets
 * *nlh, 0 at the end, or -EINVAL (the framing is lost: stop there).
 */
int nl_msg_next(const void *buf, size_t len, size_t *ofs, const struct nlmsghdr **nlh,
		struct errmsg *err);

/* One generic-netlink message taken apart. */
struct nl_msg {
	const struct nlmsghdr *nlh;
	const struct genlmsghdr *genl;
	int dp_ifindex;               /* from the ovs_header; 0 without one */
	const struct nlattr *attrs;   /* first attribute */
	size_t attrs_len;
	size_t attrs_ofs;             /* offset of 'attrs' in the message */
};

/*
 * Split 'nlh' (checked by nl_msg_next) into its headers and attributes.
 * 'ovs_header': the family puts a struct ovs_header after the genl header
 * (the four OVS families do; the genl controller does not).
 */
int nl_msg_parse(const struct nlmsghdr *nlh, bool ovs_header, struct nl_msg *msg,
		 struct errmsg *err);

/*
 * Append NLMSG_ERROR answering 'req': 'error' is a negative errno, or 0
 * for an ack. The request's header is echoed (NLM_F_CAPPED); a non-empty
 * reason in 'why' adds NLMSGERR_ATTR_MSG and, when its offset is >= 0,
 * NLMSGERR_ATTR_OFFS (offset from the request's nlmsghdr; NLM_F_ACK_TLVS).
 */
void nl_msg_put_error(struct nlbuf *b, const struct nlmsghdr *req, int error,
		      const struct errmsg *why);

/* Append the NLMSG_DONE (NLM_F_MULTI, status 0) that ends a dump. */
void nl_msg_put_done(struct nlbuf *b, const struct nlmsghdr *req);

/*
 * Read an NLMSG_ERROR: *error gets its errno (0 for an ack, negative
 * otherwise), *reason the extended-ack message or NULL, *offset its
 * offset or -1. Returns 0, or -EINVAL when the message is malformed.
 */
int nl_msg_read_error(const struct nlmsghdr *nlh, int *error, const char **reason, int *offset,
		      struct errmsg *err);

/*
 * Whether an NLMSG_ERROR is a notice from the daemon itself rather than
 * the answer to a request: sequence 0 and an all-zero request header. The
 * daemon sends ENOBUFS when it dropped replies the client did not read,
 * and ECONNREFUSED before it closes a connection over a cap.
 */
bool nl_msg_is_notice(const struct nlmsghdr *nlh);

#endif /* NL_MSG_H */
