/* SPDX-License-Identifier: BSD-3-Clause */
/* Netlink message framing, generic-netlink headers, errors and done. */
#include "nl_msg.h"

#include <errno.h>
#include <linux/openvswitch.h>
#include <stdint.h>
#include <string.h>

#include "nl_policy.h"

int nl_msg_next(const void *buf, size_t len, size_t *ofs, const struct nlmsghdr **nlh,
		struct errmsg *err)
{
	const uint8_t *p;
	size_t left;
	int at = (int)*ofs;

	*nlh = NULL;
	if (*ofs >= len)
		return 0;
	p = (const uint8_t *)buf + *ofs;
	left = len - *ofs;
	if ((uintptr_t)p % NLMSG_ALIGNTO != 0)
		return errmsg_set(err, -EINVAL, at, "message at offset %zu is not 4-byte aligned",
				  *ofs);
	if (left < NLMSG_HDRLEN)
		return errmsg_set(err, -EINVAL, at,
				  "%zu trailing bytes at offset %zu, too few for a netlink header",
				  left, *ofs);
	const struct nlmsghdr *h = (const void *)p;
	if (h->nlmsg_len < NLMSG_HDRLEN)
		return errmsg_set(err, -EINVAL, at,
				  "message at offset %zu: nlmsg_len %u is below its %d-byte header",
				  *ofs, h->nlmsg_len, NLMSG_HDRLEN);
	if (h->nlmsg_len > left)
		return errmsg_set(err, -EINVAL, at,
				  "message at offset %zu: nlmsg_len %u runs past the datagram "
				  "(%zu bytes left)", *ofs, h->nlmsg_len, left);
	*nlh = h;
	*ofs += NLMSG_ALIGN(h->nlmsg_len) < left ? NLMSG_ALIGN(h->nlmsg_len) : left;
	return 1;
}

int nl_msg_parse(const struct nlmsghdr *nlh, bool ovs_header, struct nl_msg *msg,
		 struct errmsg *err)
{
	size_t hdr = NLMSG_HDRLEN + GENL_HDRLEN;
	const uint8_t *p = (const void *)nlh;

	memset(msg, 0, sizeof(*msg));
	if (nlh->nlmsg_len < hdr)
		return errmsg_set(err, -EINVAL, NLMSG_HDRLEN,
				  "message of %u bytes is too short for its genl header (%zu)",
				  nlh->nlmsg_len, hdr);
	if (ovs_header) {
		hdr += NLMSG_ALIGN(sizeof(struct ovs_header));
		if (nlh->nlmsg_len < hdr)
			return errmsg_set(err, -EINVAL, NLMSG_HDRLEN + GENL_HDRLEN,
					  "message of %u bytes is too short for its ovs_header (%zu)",
					  nlh->nlmsg_len, hdr);
		memcpy(&msg->dp_ifindex, p + NLMSG_HDRLEN + GENL_HDRLEN, sizeof(msg->dp_ifindex));
	}
	msg->nlh = nlh;
	msg->genl = (const void *)(p + NLMSG_HDRLEN);
	msg->attrs = (const void *)(p + hdr);
	msg->attrs_len = nlh->nlmsg_len - hdr;
	msg->attrs_ofs = hdr;
	return 0;
}

void nl_msg_put_error(struct nlbuf *b, const struct nlmsghdr *req, int error,
		      const struct errmsg *why)
{
	bool tlvs = error != 0 && why && why->msg[0];
	uint16_t flags = NLM_F_CAPPED | (tlvs ? NLM_F_ACK_TLVS : 0);
	size_t ofs = nlbuf_msg_start(b, NLMSG_ERROR, flags, req->nlmsg_seq, req->nlmsg_pid);
	struct nlmsgerr e = { .error = error, .msg = *req };

	nlbuf_put(b, &e, sizeof(e));
	if (tlvs) {
		nlbuf_put_string(b, NLMSGERR_ATTR_MSG, why->msg);
		if (why->offset >= 0)
			nlbuf_put_u32(b, NLMSGERR_ATTR_OFFS, (uint32_t)why->offset);
	}
	nlbuf_msg_end(b, ofs);
}

void nl_msg_put_done(struct nlbuf *b, const struct nlmsghdr *req)
{
	size_t ofs = nlbuf_msg_start(b, NLMSG_DONE, NLM_F_MULTI, req->nlmsg_seq, req->nlmsg_pid);
	int status = 0;

	nlbuf_put(b, &status, sizeof(status));
	nlbuf_msg_end(b, ofs);
}

/* Extended-ack attributes; those we do not use are skipped. */
static const struct nl_pol_attr ack_attrs[NLMSGERR_ATTR_MAX + 1] = {
	[NLMSGERR_ATTR_MSG] = NL_POL_STRING_ATTR(UINT16_MAX, "msg"),
	[NLMSGERR_ATTR_OFFS] = NL_POL_U32("offs"),
	[NLMSGERR_ATTR_COOKIE] = NL_POL_PAD_ATTR("cookie"),
	[NLMSGERR_ATTR_POLICY] = NL_POL_PAD_ATTR("policy"),
	[NLMSGERR_ATTR_MISS_TYPE] = NL_POL_PAD_ATTR("miss_type"),
	[NLMSGERR_ATTR_MISS_NEST] = NL_POL_PAD_ATTR("miss_nest"),
};
static const struct nl_policy ack_policy = {
	.name = "extended ack", .max_type = NLMSGERR_ATTR_MAX, .attrs = ack_attrs,
};

bool nl_msg_is_notice(const struct nlmsghdr *nlh)
{
	struct nlmsgerr e;

	if (nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_seq != 0 ||
	    nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(e))
		return false;
	memcpy(&e, (const uint8_t *)nlh + NLMSG_HDRLEN, sizeof(e));
	return e.error < 0 && e.msg.nlmsg_len == 0 && e.msg.nlmsg_type == 0;
}

int nl_msg_read_error(const struct nlmsghdr *nlh, int *error, const char **reason, int *offset,
		      struct errmsg *err)
{
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t base = NLMSG_HDRLEN + sizeof(struct nlmsgerr);
	struct nlmsgerr e;
	int ret;

	*error = 0;
	*reason = NULL;
	*offset = -1;
	if (nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_len < base)
		return errmsg_set(err, -EINVAL, 0, "not a whole NLMSG_ERROR (type %u, %u bytes)",
				  nlh->nlmsg_type, nlh->nlmsg_len);
	memcpy(&e, (const uint8_t *)nlh + NLMSG_HDRLEN, sizeof(e));
	if (e.error > 0)
		return errmsg_set(err, -EINVAL, NLMSG_HDRLEN, "NLMSG_ERROR with positive errno %d",
				  e.error);
	*error = e.error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return 0;
	/* Uncapped errors echo the whole request before the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && e.msg.nlmsg_len > NLMSG_HDRLEN)
		base += NLMSG_ALIGN(e.msg.nlmsg_len - NLMSG_HDRLEN);
	if (base > nlh->nlmsg_len)
		return errmsg_set(err, -EINVAL, NLMSG_HDRLEN,
				  "NLMSG_ERROR: echoed request runs past the message");
	ret = nl_policy_parse(&ack_policy, (const uint8_t *)nlh + base, nlh->nlmsg_len - base, tb,
			      nlh, err);
	if (ret < 0)
		return ret;
	if (tb[NLMSGERR_ATTR_MSG])
		*reason = nl_attr_data(tb[NLMSGERR_ATTR_MSG]);
	if (tb[NLMSGERR_ATTR_OFFS])
		memcpy(offset, nl_attr_data(tb[NLMSGERR_ATTR_OFFS]), sizeof(*offset));
	return 0;
}
