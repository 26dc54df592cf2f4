/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ovs_datapath family. There is one datapath per daemon, named
 * DP_NAME: GET/dump describe it, SET takes upcall pid and user features,
 * NEW answers as the kernel does for a datapath that exists (-EEXIST),
 * DEL is refused (the daemon is the datapath). Control thread.
 */
#include <errno.h>
#include <string.h>

#include "ctl_handlers.h"
#include "nl_policy.h"

static uint32_t user_features; /* as SET gave them; reported by GET */

/* The kernel's lookup_datapath(): by name when given, else by ifindex. */
static int check_dp(struct ctl_req *req, const struct nlattr **a)
{
	int ret = nl_policy_parse(&nl_policy_ovs_datapath, req->attrs, req->attrs_len, a, req->nlh,
				  &req->err);

	if (ret < 0)
		return ret;
	if (a[OVS_DP_ATTR_NAME]) {
		if (strcmp(nl_attr_data(a[OVS_DP_ATTR_NAME]), DP_NAME) != 0)
			return errmsg_set(&req->err, -ENODEV, ctl_attr_offset(req, a[OVS_DP_ATTR_NAME]),
					  "no datapath named '%s' (this one is '%s')",
					  (const char *)nl_attr_data(a[OVS_DP_ATTR_NAME]), DP_NAME);
		return 0;
	}
	if (req->ovs->dp_ifindex != DP_IFINDEX)
		return errmsg_set(&req->err, -ENODEV, -1, "no datapath with ifindex %d",
				  req->ovs->dp_ifindex);
	return 0;
}

static void put_dp(struct ctl_req *req, uint8_t cmd, uint16_t flags)
{
	struct ovs_dp_stats st;
	struct ovs_dp_megaflow_stats mst;
	size_t msg;

	msg = nlbuf_msg_start(req->out, req->nlh->nlmsg_type, flags, req->nlh->nlmsg_seq,
			      req->nlh->nlmsg_pid);
	nlbuf_put_genl(req->out, cmd, OVS_DATAPATH_VERSION);
	nlbuf_put_ovs_header(req->out, DP_IFINDEX);
	dp_stats(req->dp, &st, &mst);
	nlbuf_put_string(req->out, OVS_DP_ATTR_NAME, DP_NAME);
	nlbuf_put_attr(req->out, OVS_DP_ATTR_STATS, &st, sizeof(st));
	nlbuf_put_attr(req->out, OVS_DP_ATTR_MEGAFLOW_STATS, &mst, sizeof(mst));
	nlbuf_put_u32(req->out, OVS_DP_ATTR_USER_FEATURES, user_features);
	nlbuf_msg_end(req->out, msg);
}

static int dp_get(struct ctl_req *req)
{
	const struct nlattr *a[OVS_DP_ATTR_MAX + 1];
	int ret = check_dp(req, a);

	if (ret < 0)
		return ret;
	put_dp(req, OVS_DP_CMD_GET, 0);
	return 0;
}

static int dp_dump(struct ctl_req *req, void *state, size_t budget)
{
	uint64_t *done = state;

	(void)budget;
	if (!*done) {
		put_dp(req, OVS_DP_CMD_GET, NLM_F_MULTI);
		*done = 1;
	}
	return 0;
}

/*
 * Upcall pid: OVS_DP_ATTR_UPCALL_PID sends the misses of every port to
 * that pid, which the requesting connection claims (docs/PROTOCOL.md).
 */
static int dp_set(struct ctl_req *req)
{
	const struct nlattr *a[OVS_DP_ATTR_MAX + 1];
	int ret = check_dp(req, a);

	if (ret < 0)
		return ret;
	if (a[OVS_DP_ATTR_UPCALL_PID]) {
		uint32_t pid = *(const uint32_t *)nl_attr_data(a[OVS_DP_ATTR_UPCALL_PID]);
		ret = ctl_claim_pid(req, pid);
		if (ret < 0)
			return ret;
		dp_set_upcall_pid_all(req->dp, pid);
	}
	if (a[OVS_DP_ATTR_USER_FEATURES])
		user_features = *(const uint32_t *)nl_attr_data(a[OVS_DP_ATTR_USER_FEATURES]);
	if (req->nlh->nlmsg_flags & NLM_F_ECHO)
		put_dp(req, OVS_DP_CMD_SET, 0);
	return 0;
}

static int dp_new(struct ctl_req *req)
{
	const struct nlattr *a[OVS_DP_ATTR_MAX + 1];
	int ret = nl_policy_parse(&nl_policy_ovs_datapath, req->attrs, req->attrs_len, a, req->nlh,
				  &req->err);

	if (ret < 0)
		return ret;
	if (a[OVS_DP_ATTR_NAME] == NULL || a[OVS_DP_ATTR_UPCALL_PID] == NULL)
		return errmsg_set(&req->err, -EINVAL, -1, "datapath NEW needs a name and an upcall pid");
	if (strcmp(nl_attr_data(a[OVS_DP_ATTR_NAME]), DP_NAME) == 0)
		return errmsg_set(&req->err, -EEXIST, -1, "datapath '%s' exists", DP_NAME);
	return errmsg_set(&req->err, -EOPNOTSUPP, -1,
			  "one datapath per daemon: '%s' exists, no other can be created", DP_NAME);
}

static int dp_del(struct ctl_req *req)
{
	const struct nlattr *a[OVS_DP_ATTR_MAX + 1];
	int ret = check_dp(req, a);

	if (ret < 0)
		return ret;
	return errmsg_set(&req->err, -EBUSY, -1,
			  "the datapath is the daemon: stop dpdk-switch to remove it");
}

const struct ctl_op ctl_dp_ops[] = {
	{ CTL_FAMILY_DATAPATH, OVS_DP_CMD_NEW, true, dp_new, NULL, NULL },
	{ CTL_FAMILY_DATAPATH, OVS_DP_CMD_DEL, true, dp_del, NULL, NULL },
	{ CTL_FAMILY_DATAPATH, OVS_DP_CMD_GET, false, dp_get, dp_dump, NULL },
	{ CTL_FAMILY_DATAPATH, OVS_DP_CMD_SET, true, dp_set, NULL, NULL },
};
const size_t ctl_n_dp_ops = sizeof(ctl_dp_ops) / sizeof(ctl_dp_ops[0]);
