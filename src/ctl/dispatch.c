/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control messages: split a datagram into netlink messages, check their
 * headers, apply the permission rule, run the handler from the ops table,
 * and answer with acks, errors (with extended-ack reasons) or dump parts.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_internal.h"
#include "nl_msg.h"

/* Replies of one datagram are sent together; a datagram of replies is cut
 * here so the client's receive buffer (CTL_MAX_DGRAM) always holds one. */
#define OUT_FLUSH (CTL_MAX_DGRAM / 2)
/* Size of one dump datagram. */
#define DUMP_BUDGET (CTL_MAX_DGRAM / 2)
/* ... in the kernel's framing: its dump sk_buffs hold at most 32 KiB
 * (netlink_dump(), sized by netlink_recvmsg()'s max_recvmsg_len), and its
 * clients receive into buffers that size (Open vSwitch: 4 KiB plus a
 * 64 KiB tail); parts stop once past 16 KiB, so one more message fits. */
#define KERNEL_DUMP_BUDGET (16 * 1024)

static bool is_ovs_family(uint16_t type)
{
	return type >= CTL_FAMILY_DATAPATH && type <= CTL_FAMILY_DPSW;
}

static const struct ctl_op genl_ctrl_op = {
	.family = GENL_ID_CTRL, .cmd = CTRL_CMD_GETFAMILY,
	.doit = ctl_genl_getfamily, .dumpit = ctl_genl_dumpfamily,
};

/* The op of (family, cmd), or NULL. Bulk requests repeat one op: the last
 * one found is tried before the table is walked. */
static const struct ctl_op *find_op(struct ctl_server *srv, uint16_t family, uint8_t cmd,
				    bool *family_known)
{
	const struct ctl_op *last = srv->last_op;

	*family_known = family == GENL_ID_CTRL;
	if (family == GENL_ID_CTRL)
		return cmd == CTRL_CMD_GETFAMILY ? &genl_ctrl_op : NULL;
	if (last && last->family == family && last->cmd == cmd) {
		*family_known = true;
		return last;
	}
	for (size_t i = 0; i < srv->n_ops; i++) {
		if (srv->ops[i].family != family)
			continue;
		*family_known = true;
		if (srv->ops[i].cmd == cmd) {
			srv->last_op = &srv->ops[i];
			return &srv->ops[i];
		}
	}
	return NULL;
}

size_t ctl_reply_start(struct ctl_req *req, uint16_t flags, uint8_t cmd)
{
	size_t ofs = nlbuf_msg_start(req->out, req->nlh->nlmsg_type, flags, req->nlh->nlmsg_seq,
				     req->nlh->nlmsg_pid);
	nlbuf_put_genl(req->out, cmd, req->genl->version);
	if (req->ovs)
		nlbuf_put_ovs_header(req->out, req->ovs->dp_ifindex);
	return ofs;
}

/* Fill req's header pointers from a message; -EINVAL when too short. */
static int parse_headers(struct ctl_req *req, const struct nlmsghdr *nlh)
{
	struct nl_msg msg;
	bool ovs = is_ovs_family(nlh->nlmsg_type);
	int ret = nl_msg_parse(nlh, ovs, &msg, &req->err);

	req->nlh = nlh;
	req->genl = msg.genl;
	if (ret < 0)
		return ret;
	req->ovs = ovs ? (const void *)((const uint8_t *)nlh + NLMSG_HDRLEN + GENL_HDRLEN) : NULL;
	req->attrs = msg.attrs;
	req->attrs_len = msg.attrs_len;
	req->attrs_ofs = msg.attrs_ofs;
	return 0;
}

/* An error for bytes that are not a whole message: echo what header there
 * is (zeros for the rest). */
static void put_framing_error(struct nlbuf *out, const uint8_t *at, size_t left,
			      const struct errmsg *why)
{
	struct nlmsghdr copy = { 0 };

	memcpy(&copy, at, left < sizeof(copy) ? left : sizeof(copy));
	nl_msg_put_error(out, &copy, why->err, why);
}

/* Each message of 'out' in a datagram of its own (DPSW_FRAMING_KERNEL). */
static void send_each(struct ctl_conn *conn, const struct nlbuf *out)
{
	size_t ofs = 0;

	while (ofs + NLMSG_HDRLEN <= out->len) {
		const struct nlmsghdr *m = (const void *)(out->data + ofs);
		size_t len = NLMSG_ALIGN(m->nlmsg_len);

		if (len > out->len - ofs)
			len = out->len - ofs;
		ctl_conn_send(conn, m, len);
		ofs += len;
	}
}

/* Send the replies gathered in 'out', after the commit hook when a
 * request since the last send needs it ('*commit', then cleared). A dump
 * part ('dump') is one datagram in every framing, as the kernel's. */
static void send_out(struct ctl_server *srv, struct ctl_conn *conn, struct nlbuf *out,
		     bool *commit, bool dump)
{
	if (out->len == 0)
		return;
	if (srv->commit && *commit)
		srv->commit(srv->dp);
	*commit = false;
	if (conn->framing_kernel && !dump)
		send_each(conn, out);
	else
		ctl_conn_send(conn, out->data, out->len);
	nlbuf_reset(out);
}

static int start_dump(struct ctl_req *req, const struct ctl_op *op)
{
	struct ctl_conn *conn = req->conn;
	struct ctl_dump *d;

	if (conn->dump)
		return errmsg_set(&req->err, -EBUSY, -1, "a dump is already running");
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return -ENOMEM;
	d->request = malloc(req->nlh->nlmsg_len);
	if (d->request == NULL) {
		free(d);
		return -ENOMEM;
	}
	memcpy(d->request, req->nlh, req->nlh->nlmsg_len);
	d->request_len = req->nlh->nlmsg_len;
	d->op = op;
	conn->dump = d;
	return 0;
}

/* A request with no message yet. Field by field: an initializer would
 * also zero the error text (192 bytes) for every message. */
static void req_init(struct ctl_req *req, struct ctl_server *srv, struct ctl_conn *conn,
		     struct nlbuf *out)
{
	req->srv = srv;
	req->conn = conn;
	req->dp = srv->dp;
	req->nlh = NULL;
	req->genl = NULL;
	req->ovs = NULL;
	req->attrs = NULL;
	req->attrs_len = 0;
	req->attrs_ofs = 0;
	req->out = out;
	req->dgram = srv->n_dgrams;
	req->no_commit = false;
	errmsg_clear(&req->err);
}

/* Handle one message; its replies go to 'out'. Returns whether the
 * commit hook must run before they leave. */
static bool handle_msg(struct ctl_server *srv, struct ctl_conn *conn,
		       const struct nlmsghdr *nlh, struct nlbuf *out)
{
	struct ctl_req req;
	const struct ctl_op *op = NULL;
	bool known;
	int ret;

	req_init(&req, srv, conn, out);
	/* As the kernel: only requests are served; control types are acked.
	 * They change nothing, so their acks wait on no commit. */
	if (!(nlh->nlmsg_flags & NLM_F_REQUEST) || nlh->nlmsg_type < NLMSG_MIN_TYPE) {
		req.no_commit = true;
		ret = 0;
		goto reply;
	}
	ret = parse_headers(&req, nlh);
	if (ret < 0)
		goto reply;
	op = find_op(srv, nlh->nlmsg_type, req.genl->cmd, &known);
	if (op == NULL) {
		ret = known ? errmsg_set(&req.err, -EOPNOTSUPP, 0, "unknown command %u",
					 req.genl->cmd)
			    : errmsg_set(&req.err, -ENOENT, 0, "unknown family %u",
					 nlh->nlmsg_type);
		goto reply;
	}
	bool dump = (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	if (req.ovs && nlh->nlmsg_type != CTL_FAMILY_DATAPATH && (!op->own_dp_check || dump) &&
	    req.ovs->dp_ifindex != srv->dp_ifindex) {
		ret = errmsg_set(&req.err, -ENODEV, 0, "no datapath with ifindex %d",
				 req.ovs->dp_ifindex);
		goto reply;
	}
	if (op->admin && !conn->admin) {
		ret = errmsg_set(&req.err, -EPERM, 0,
				 "this command needs an admin peer (uid 0 or the ctl group)");
		goto reply;
	}
	if (dump) {
		ret = op->dumpit ? start_dump(&req, op)
				 : errmsg_set(&req.err, -EOPNOTSUPP, 0, "command %u does not dump",
					      req.genl->cmd);
		if (ret == 0)
			return false; /* parts and NLMSG_DONE follow from ctl_dump_continue */
		goto reply;
	}
	if (op->doit == NULL) {
		ret = errmsg_set(&req.err, -EOPNOTSUPP, 0, "command %u only dumps",
				 req.genl->cmd);
		goto reply;
	}
	size_t before = out->len;
	ret = op->doit(&req);
	if (ret < 0)
		out->len = before; /* drop a half-built reply */
reply:
	if (ret < 0)
		srv->stats.msgs_err++;
	else
		srv->stats.msgs_ok++;
	if (ret < 0 || (nlh->nlmsg_flags & NLM_F_ACK))
		nl_msg_put_error(out, nlh, ret < 0 ? ret : 0, &req.err);
	return !req.no_commit;
}

void ctl_dispatch_datagram(struct ctl_server *srv, struct ctl_conn *conn, const uint8_t *data,
			     size_t len)
{
	const struct nlmsghdr *nlh;
	struct nlbuf out;
	struct errmsg why;
	bool commit = false;
	size_t ofs = 0;
	int ret;

	nlbuf_init(&out, 4096);
	errmsg_clear(&why);
	srv->n_dgrams++;
	if (len > CTL_MAX_DGRAM) {
		errmsg_set(&why, -EMSGSIZE, -1, "datagram of %zu bytes, limit %u", len, CTL_MAX_DGRAM);
		put_framing_error(&out, data, len, &why);
		len = 0;
	}
	while ((ret = nl_msg_next(data, len, &ofs, &nlh, &why)) > 0) {
		commit |= handle_msg(srv, conn, nlh, &out);
		if (out.len >= OUT_FLUSH)
			send_out(srv, conn, &out, &commit, false);
	}
	if (ret < 0) {
		/* The framing is lost: nothing after this can be trusted. */
		put_framing_error(&out, data + ofs, len - ofs, &why);
		srv->stats.msgs_err++;
	}
	send_out(srv, conn, &out, &commit, false);
	nlbuf_free(&out);
	if (conn->dump && conn->replies.head == NULL)
		ctl_dump_continue(srv, conn);
}

bool ctl_dump_active(const struct ctl_conn *conn)
{
	return conn->dump != NULL;
}

void ctl_dump_abort(struct ctl_conn *conn)
{
	struct ctl_dump *d = conn->dump;

	if (d == NULL)
		return;
	if (d->op->dump_done) {
		struct ctl_req req = { .conn = conn, .srv = conn->srv, .dp = conn->srv->dp };
		parse_headers(&req, (const void *)d->request);
		d->op->dump_done(&req, d->state);
	}
	free(d->request);
	free(d);
	conn->dump = NULL;
}

/* Produce the next datagram of the connection's dump. */
void ctl_dump_continue(struct ctl_server *srv, struct ctl_conn *conn)
{
	struct ctl_dump *d = conn->dump;
	struct nlbuf out;
	struct ctl_req req = { .srv = srv, .conn = conn, .dp = srv->dp, .out = &out };
	bool commit = true;
	size_t budget = conn->framing_kernel ? KERNEL_DUMP_BUDGET : DUMP_BUDGET;
	int ret;

	nlbuf_init(&out, budget + 4096);
	errmsg_clear(&req.err);
	parse_headers(&req, (const void *)d->request);
	ret = d->op->dumpit(&req, d->state, budget);
	if (ret < 0)
		nl_msg_put_error(&out, req.nlh, ret, &req.err);
	else if (ret == 0)
		nl_msg_put_done(&out, req.nlh);
	send_out(srv, conn, &out, &commit, true);
	nlbuf_free(&out);
	if (ret <= 0)
		ctl_dump_abort(conn);
}
