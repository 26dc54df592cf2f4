/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The client's side of the control socket: connect, resolve the families
 * through the generic-netlink controller, find the datapath, and run one
 * request at a time to its ack, error or NLMSG_DONE.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "ctl.h"
#include "dpsw_proto.h"
#include "nl_policy.h"

static const struct {
	const char *name;
	uint8_t version;
} families[CL_N_FAMILIES] = {
	[CL_FAM_DATAPATH] = { OVS_DATAPATH_FAMILY, OVS_DATAPATH_VERSION },
	[CL_FAM_VPORT] = { OVS_VPORT_FAMILY, OVS_VPORT_VERSION },
	[CL_FAM_FLOW] = { OVS_FLOW_FAMILY, OVS_FLOW_VERSION },
	[CL_FAM_PACKET] = { OVS_PACKET_FAMILY, OVS_PACKET_VERSION },
	[CL_FAM_DPSW] = { DPSW_FAMILY, DPSW_VERSION },
};

static int connect_ctl(struct client *c, const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	if (strlen(path) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "%s: socket path too long: %s\n", CL_PROG, path);
		return -ENAMETOOLONG;
	}
	strcpy(addr.sun_path, path);
	c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int e = errno;
		fprintf(stderr, "%s: cannot connect to %s: %s; is dpdk-switch running?\n", CL_PROG,
			path, strerror(e));
		return -e;
	}
	return 0;
}

void cl_close(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->rx);
	c->rx = NULL;
}

bool cl_has_family(const struct client *c, enum cl_family fam)
{
	return c->family[fam] != 0;
}

size_t cl_msg_start(struct client *c, struct nlbuf *b, enum cl_family fam, uint8_t cmd,
		    uint16_t flags)
{
	size_t ofs = nlbuf_msg_start(b, c->family[fam], NLM_F_REQUEST | flags, ++c->seq, c->pid);

	nlbuf_put_genl(b, cmd, families[fam].version);
	nlbuf_put_ovs_header(b, c->dp_ifindex);
	return ofs;
}

int cl_send_nb(struct client *c, const void *buf, size_t len)
{
	ssize_t n = send(c->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);

	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return 0;
}

int cl_sendv_nb(struct client *c, const struct iovec *iov, int n)
{
	struct msghdr mh = { .msg_iov = (struct iovec *)(uintptr_t)iov, .msg_iovlen = (size_t)n };
	ssize_t sent = sendmsg(c->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);

	if (sent < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return 0;
}

/* The daemon's notice (nl_msg_is_notice) as an error with its reason. */
static int notice_error(const struct nlmsghdr *nlh, struct errmsg *err)
{
	const char *reason;
	int error, offset;

	if (nl_msg_read_error(nlh, &error, &reason, &offset, err) < 0)
		return -EPROTO;
	if (error == -ENOBUFS && reason == NULL)
		reason = "the daemon dropped replies this client did not read in time";
	return errmsg_set(err, error, -1, "%s", reason ? reason : strerror(-error));
}

/* A send failed because the daemon closed the connection: it may have
 * said why first (a refusal notice). */
static int closed_error(struct client *c, int error, const char *doing, struct errmsg *err)
{
	ssize_t n = recv(c->fd, c->rx, CTL_MAX_DGRAM, MSG_DONTWAIT);
	const struct nlmsghdr *nlh = (const void *)c->rx;

	if (n >= (ssize_t)NLMSG_HDRLEN && nlh->nlmsg_len <= (size_t)n && nl_msg_is_notice(nlh))
		return notice_error(nlh, err);
	return errmsg_set(err, error, -1, "%s: %s", doing, strerror(-error));
}

static int send_all(struct client *c, const void *buf, size_t len, const char *doing,
		    struct errmsg *err)
{
	if (send(c->fd, buf, len, MSG_NOSIGNAL) < 0)
		return closed_error(c, -errno, doing, err);
	return 0;
}

long cl_recv(struct client *c, bool block)
{
	ssize_t n = recv(c->fd, c->rx, CTL_MAX_DGRAM, MSG_TRUNC | (block ? 0 : MSG_DONTWAIT));

	if (n < 0)
		return errno == EWOULDBLOCK ? 0 : -errno;
	if (n == 0)
		return -ECONNRESET; /* the daemon went away */
	if (n > CTL_MAX_DGRAM)
		return -EMSGSIZE;
	return (long)n;
}

int cl_wait(struct client *c, bool out, int timeout_ms)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN | (out ? POLLOUT : 0) };
	int n = poll(&pfd, 1, timeout_ms);

	if (n < 0)
		return -errno;
	return n ? pfd.revents : 0;
}

/* One reply of a transaction: 1 when it ends it, 0 to go on, or an error. */
static int one_reply(const struct nlmsghdr *nlh, cl_reply_fn fn, void *arg, struct errmsg *err)
{
	struct nl_msg msg;
	const char *reason;
	int error, offset, ret;

	if (nlh->nlmsg_type == NLMSG_ERROR) {
		ret = nl_msg_read_error(nlh, &error, &reason, &offset, err);
		if (ret < 0)
			return ret;
		if (error < 0)
			return errmsg_set(err, error, offset, "%s", reason ? reason : "");
		return 1;
	}
	if (nlh->nlmsg_type == NLMSG_DONE)
		return 1;
	ret = nl_msg_parse(nlh, nlh->nlmsg_type != GENL_ID_CTRL, &msg, err);
	if (ret < 0)
		return ret;
	return fn ? fn(arg, &msg) : 0;
}

int cl_transact(struct client *c, struct nlbuf *req, cl_reply_fn fn, void *arg,
		struct errmsg *err)
{
	const struct nlmsghdr *rq = (const void *)req->data;
	uint32_t seq = rq->nlmsg_seq;
	int ret = send_all(c, req->data, req->len, "sending the request", err);

	if (ret < 0)
		return ret;
	for (;;) {
		long n = cl_recv(c, true);
		const struct nlmsghdr *nlh;
		size_t ofs = 0;

		if (n < 0)
			return errmsg_set(err, (int)n, -1, "reading the reply: %s", strerror((int)-n));
		while ((ret = nl_msg_next(c->rx, (size_t)n, &ofs, &nlh, err)) > 0) {
			if (nl_msg_is_notice(nlh))
				return notice_error(nlh, err);
			if (nlh->nlmsg_seq != seq)
				continue; /* an upcall, or the tail of an older request */
			ret = one_reply(nlh, fn, arg, err);
			if (ret != 0)
				return ret < 0 ? ret : 0;
		}
		if (ret < 0)
			return ret;
	}
}

/* ---- start-up: families, then the datapath ---- */

static void put_getfamily(struct client *c, struct nlbuf *b, const char *name)
{
	size_t m = nlbuf_msg_start(b, GENL_ID_CTRL, NLM_F_REQUEST, ++c->seq, c->pid);

	nlbuf_put_genl(b, CTRL_CMD_GETFAMILY, 1);
	nlbuf_put_string(b, CTRL_ATTR_FAMILY_NAME, name);
	nlbuf_msg_end(b, m);
}

/* A CTRL_CMD_NEWFAMILY reply: the family's id, or 0. */
static uint16_t family_id(const struct nlmsghdr *nlh)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct nl_msg msg;

	if (nlh->nlmsg_type != GENL_ID_CTRL || nl_msg_parse(nlh, false, &msg, NULL) < 0 ||
	    nl_policy_parse(&nl_policy_genl_ctrl, msg.attrs, msg.attrs_len, tb, NULL, NULL) < 0 ||
	    tb[CTRL_ATTR_FAMILY_ID] == NULL)
		return 0;
	return nl_attr_u16(tb[CTRL_ATTR_FAMILY_ID]);
}

/*
 * One datagram with a GETFAMILY per family; each answers with exactly one
 * message (the family, or an error when the daemon lacks it).
 */
static int resolve_families(struct client *c, struct errmsg *err)
{
	struct nlbuf b;
	uint32_t first = c->seq + 1;
	int answered = 0, ret;

	nlbuf_init(&b, 1024);
	for (int f = 0; f < CL_N_FAMILIES; f++)
		put_getfamily(c, &b, families[f].name);
	ret = send_all(c, b.data, b.len, "sending to the daemon", err);
	nlbuf_free(&b);
	if (ret < 0)
		return ret;
	while (answered < CL_N_FAMILIES) {
		long n = cl_recv(c, true);
		const struct nlmsghdr *nlh;
		size_t ofs = 0;

		if (n < 0)
			return errmsg_set(err, (int)n, -1, "reading from the daemon: %s",
					  strerror((int)-n));
		while (nl_msg_next(c->rx, (size_t)n, &ofs, &nlh, err) > 0) {
			if (nl_msg_is_notice(nlh))
				return notice_error(nlh, err);
			uint32_t i = nlh->nlmsg_seq - first;
			if (i >= CL_N_FAMILIES)
				continue;
			c->family[i] = family_id(nlh);
			answered++;
		}
	}
	if (!cl_has_family(c, CL_FAM_DATAPATH))
		return errmsg_set(err, -ENOENT, -1, "the daemon has no %s family",
				  OVS_DATAPATH_FAMILY);
	return 0;
}

struct dp_find {
	struct cl_dp_info *info;
	int n;
	int ifindex;
	struct errmsg *err;
};

static int on_dp(void *arg, const struct nl_msg *msg)
{
	struct dp_find *f = arg;
	int ret;

	if (f->n++ > 0)
		return 0; /* more than one: the first is ours (there is one) */
	f->ifindex = msg->dp_ifindex;
	ret = cl_dp_parse(msg, f->info, f->err);
	return ret;
}

/* "TYPE@NAME" names the datapath NAME, as ovs-dpctl's dp_parse_name(). */
static const char *dp_base_name(const char *dp)
{
	const char *at = strchr(dp, '@');

	return at ? at + 1 : dp;
}

static int find_dp(struct client *c, const char *dp, struct cl_dp_info *info,
		   struct errmsg *err)
{
	struct dp_find f = { .info = info, .err = err };
	struct nlbuf b;
	size_t m;
	int ret;

	nlbuf_init(&b, 256);
	m = cl_msg_start(c, &b, CL_FAM_DATAPATH, OVS_DP_CMD_GET, dp ? NLM_F_ACK : NLM_F_DUMP);
	if (dp)
		nlbuf_put_string(&b, OVS_DP_ATTR_NAME, dp_base_name(dp));
	nlbuf_msg_end(&b, m);
	ret = cl_transact(c, &b, on_dp, &f, err);
	nlbuf_free(&b);
	if (ret == 0 && f.n == 0)
		ret = errmsg_set(err, -ENODEV, -1, "no datapaths exist");
	if (ret == 0)
		c->dp_ifindex = f.ifindex;
	return ret;
}

int cl_start(struct client *c, const char *dp, struct cl_dp_info *info)
{
	struct cl_dp_info scratch;
	struct errmsg err;
	int ret;

	errmsg_clear(&err);
	c->pid = (uint32_t)getpid();
	if (connect_ctl(c, c->opt->ctl_path) < 0)
		return CL_EXIT_FAIL;
	c->rx = malloc(CTL_MAX_DGRAM);
	if (c->rx == NULL) {
		fprintf(stderr, "%s: out of memory\n", CL_PROG);
		return CL_EXIT_FAIL;
	}
	ret = resolve_families(c, &err);
	if (ret == 0)
		ret = find_dp(c, dp ? dp : c->opt->dp_name, info ? info : &scratch, &err);
	if (ret < 0) {
		cl_report("opening datapath", ret, &err);
		return CL_EXIT_FAIL;
	}
	return CL_EXIT_OK;
}

int cl_dpsw_ack(struct client *c, const char *dp, uint8_t cmd, uint16_t attr, uint32_t value,
		const char *what)
{
	struct errmsg err;
	struct nlbuf b;
	size_t m;
	int ret = cl_start(c, dp, NULL);

	if (ret != CL_EXIT_OK)
		return ret;
	if (!cl_has_family(c, CL_FAM_DPSW)) {
		fprintf(stderr, "%s: the daemon has no %s family\n", CL_PROG, DPSW_FAMILY);
		return CL_EXIT_FAIL;
	}
	errmsg_clear(&err);
	nlbuf_init(&b, 128);
	m = cl_msg_start(c, &b, CL_FAM_DPSW, cmd, NLM_F_ACK);
	if (attr)
		nlbuf_put_u32(&b, attr, value);
	nlbuf_msg_end(&b, m);
	ret = cl_transact(c, &b, NULL, NULL, &err);
	nlbuf_free(&b);
	if (ret < 0)
		cl_report(what, ret, &err);
	return cl_exit_status(ret);
}

/* ---- output helpers shared by the commands ---- */

void cl_report(const char *what, int error, const struct errmsg *why)
{
	const char *reason = why && why->msg[0] ? why->msg : NULL;

	fprintf(stderr, "%s: %s (%s)%s%s\n", CL_PROG, what, strerror(error < 0 ? -error : error),
		reason ? ": " : "", reason ? reason : "");
}

int cl_exit_status(int error)
{
	return error < 0 ? CL_EXIT_FAIL : CL_EXIT_OK;
}

uint64_t cl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
