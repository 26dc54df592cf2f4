/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ovs_datapath family. There is one datapath per daemon, named by
 * --dp-name: GET/dump describe it, SET changes it as the kernel's
 * ovs_dp_change() (user features, masks cache size, per-CPU upcall pids)
 * and takes our dp-wide upcall pid, NEW answers as the kernel does for a
 * datapath that exists (-EEXIST), DEL is refused (the daemon is the
 * datapath). Control thread.
 */
#include <errno.h>
#include <string.h>

#include "ctl_handlers.h"
#include "nl_policy.h"

/* The features this datapath has: what ovs_dp_change() takes, less
 * OVS_DP_F_TC_RECIRC_SHARING (there is no TC here to share with). */
#define DP_FEATURES (OVS_DP_F_UNALIGNED | OVS_DP_F_VPORT_PIDS | OVS_DP_F_DISPATCH_UPCALL_PER_CPU)
/* The kernel's MC_DEFAULT_HASH_ENTRIES, and the most its per-CPU masks
 * cache takes (PCPU_MIN_UNIT_SIZE / sizeof(struct mask_cache_entry)). */
#define MASKS_CACHE_DEFAULT 256u
#define MASKS_CACHE_MAX 4096u

static uint32_t user_features;  /* as NEW/SET gave them; reported by GET */
static uint32_t masks_cache_size = MASKS_CACHE_DEFAULT;

uint32_t ctl_dp_user_features(void)
{
	return user_features;
}

static int parse(struct ctl_req *req, const struct nlattr **a)
{
	return nl_policy_parse_genl(&nl_policy_ovs_datapath, req->attrs, req->attrs_len, a, true,
				    req->nlh, &req->err);
}

/* The kernel's lookup_datapath(): by name when given, else by ifindex. */
static int check_dp(struct ctl_req *req, const struct nlattr **a)
{
	const char *name = dp_name(req->dp);
	int ret = parse(req, a);

	if (ret < 0)
		return ret;
	if (a[OVS_DP_ATTR_NAME]) {
		if (strcmp(nl_attr_data(a[OVS_DP_ATTR_NAME]), name) != 0)
			return errmsg_set(&req->err, -ENODEV, ctl_attr_offset(req, a[OVS_DP_ATTR_NAME]),
					  "no datapath named '%s' (this one is '%s')",
					  (const char *)nl_attr_data(a[OVS_DP_ATTR_NAME]), name);
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
	const uint32_t *pids;
	uint32_t n_pids;
	size_t msg;

	msg = nlbuf_msg_start(req->out, req->nlh->nlmsg_type, flags, req->nlh->nlmsg_seq,
			      req->nlh->nlmsg_pid);
	nlbuf_put_genl(req->out, cmd, OVS_DATAPATH_VERSION);
	nlbuf_put_ovs_header(req->out, DP_IFINDEX);
	dp_stats(req->dp, &st, &mst);
	nlbuf_put_string(req->out, OVS_DP_ATTR_NAME, dp_name(req->dp));
	nlbuf_put_attr(req->out, OVS_DP_ATTR_STATS, &st, sizeof(st));
	nlbuf_put_attr(req->out, OVS_DP_ATTR_MEGAFLOW_STATS, &mst, sizeof(mst));
	nlbuf_put_u32(req->out, OVS_DP_ATTR_USER_FEATURES, user_features);
	nlbuf_put_u32(req->out, OVS_DP_ATTR_MASKS_CACHE_SIZE, masks_cache_size);
	/* As ovs_dp_cmd_fill_info(): the per-CPU pids under per-CPU dispatch. */
	pids = dp_upcall_cpu_pids(req->dp, &n_pids);
	if ((user_features & OVS_DP_F_DISPATCH_UPCALL_PER_CPU) && pids)
		nlbuf_put_attr(req->out, OVS_DP_ATTR_PER_CPU_PIDS, pids, n_pids * sizeof(*pids));
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
 * What ovs_dp_change() refuses: a feature bit this datapath does not have
 * (EOPNOTSUPP: Open vSwitch probes with such bits, and an ack would tell
 * it the feature exists), a masks cache size that is not 0 or a power of
 * two up to MASKS_CACHE_MAX, per-CPU pids (taken under per-CPU dispatch)
 * that are not a non-empty u32 array (EINVAL). All checked before
 * anything changes.
 */
static int check_change(struct ctl_req *req, const struct nlattr **a)
{
	const struct nlattr *f = a[OVS_DP_ATTR_USER_FEATURES], *mc = a[OVS_DP_ATTR_MASKS_CACHE_SIZE];
	const struct nlattr *pids = a[OVS_DP_ATTR_PER_CPU_PIDS];
	uint32_t features = f ? *(const uint32_t *)nl_attr_data(f) : 0;

	if (features & ~(uint32_t)DP_FEATURES)
		return errmsg_set(&req->err, -EOPNOTSUPP, ctl_attr_offset(req, f),
				  "user features 0x%x: this datapath has only 0x%x", features,
				  DP_FEATURES);
	if ((features & OVS_DP_F_DISPATCH_UPCALL_PER_CPU) && pids &&
	    (nl_attr_len(pids) == 0 || nl_attr_len(pids) % sizeof(uint32_t)))
		return errmsg_set(&req->err, -EINVAL, ctl_attr_offset(req, pids),
				  "OVS_DP_ATTR_PER_CPU_PIDS is not a non-empty array of u32");
	if (mc) {
		uint32_t size = *(const uint32_t *)nl_attr_data(mc);

		if (size > MASKS_CACHE_MAX || (size & (size - 1)))
			return errmsg_set(&req->err, -EINVAL, ctl_attr_offset(req, mc),
					  "masks cache size %u is not 0 or a power of 2 up to %u",
					  size, MASKS_CACHE_MAX);
	}
	return 0;
}

/* ovs_dp_change(), once check_change() passed: features absent are 0, as
 * in the kernel; per-CPU pids are taken under per-CPU dispatch. */
static int apply_change(struct ctl_req *req, const struct nlattr **a)
{
	const struct nlattr *f = a[OVS_DP_ATTR_USER_FEATURES], *pids = a[OVS_DP_ATTR_PER_CPU_PIDS];
	uint32_t features = f ? *(const uint32_t *)nl_attr_data(f) : 0;
	bool per_cpu = features & OVS_DP_F_DISPATCH_UPCALL_PER_CPU;
	int ret;

	ret = dp_set_upcall_per_cpu(req->dp, per_cpu, per_cpu && pids ? nl_attr_data(pids) : NULL,
				    pids ? nl_attr_len(pids) : 0);
	if (ret < 0) /* only -ENOMEM: check_change() checked the array */
		return errmsg_set(&req->err, ret, -1, "no memory for the per-CPU pids");
	if (per_cpu && pids) {
		/* Each pid reaches the connection whose port id it is (OVS's
		 * handler sockets); a first pid that is nobody's port id is
		 * claimed by this connection, the others by whoever claims them. */
		(void)ctl_claim_pid(req, *(const uint32_t *)nl_attr_data(pids));
		errmsg_clear(&req->err);
	}
	user_features = features;
	if (a[OVS_DP_ATTR_MASKS_CACHE_SIZE])
		masks_cache_size = *(const uint32_t *)nl_attr_data(a[OVS_DP_ATTR_MASKS_CACHE_SIZE]);
	return 0;
}

/*
 * As ovs_dp_cmd_set(), plus OVS_DP_ATTR_UPCALL_PID: the misses of every
 * port go to that pid, which the requesting connection claims
 * (docs/PROTOCOL.md).
 */
static int dp_set(struct ctl_req *req)
{
	const struct nlattr *a[OVS_DP_ATTR_MAX + 1];
	int ret = check_dp(req, a);

	if (ret == 0)
		ret = check_change(req, a);
	if (ret < 0)
		return ret;
	if (a[OVS_DP_ATTR_UPCALL_PID]) {
		uint32_t pid = *(const uint32_t *)nl_attr_data(a[OVS_DP_ATTR_UPCALL_PID]);
		ret = ctl_claim_pid(req, pid);
		if (ret < 0)
			return ret;
		dp_set_upcall_pid_all(req->dp, pid);
	}
	ret = apply_change(req, a);
	if (ret < 0)
		return ret;
	if (req->nlh->nlmsg_flags & NLM_F_ECHO)
		put_dp(req, OVS_DP_CMD_SET, 0);
	return 0;
}

/*
 * As ovs_dp_cmd_new(): NAME and UPCALL_PID needed, then the changes are
 * checked (before the name: a probe with an unknown feature bit gets
 * EOPNOTSUPP even when the datapath exists), then our name is EEXIST (a
 * client of an older version, without user features, has them reset, as
 * ovs_dp_reset_user_features()), another name EOPNOTSUPP.
 */
static int dp_new(struct ctl_req *req)
{
	const struct nlattr *a[OVS_DP_ATTR_MAX + 1];
	const char *name = dp_name(req->dp);
	int ret = parse(req, a);

	if (ret < 0)
		return ret;
	if (a[OVS_DP_ATTR_NAME] == NULL || a[OVS_DP_ATTR_UPCALL_PID] == NULL)
		return errmsg_set(&req->err, -EINVAL, -1, "datapath NEW needs a name and an upcall pid");
	ret = check_change(req, a);
	if (ret < 0)
		return ret;
	if (strcmp(nl_attr_data(a[OVS_DP_ATTR_NAME]), name) == 0) {
		if (req->genl->version < OVS_DP_VER_FEATURES)
			user_features = 0;
		return errmsg_set(&req->err, -EEXIST, ctl_attr_offset(req, a[OVS_DP_ATTR_NAME]),
				  "datapath '%s' exists", name);
	}
	return errmsg_set(&req->err, -EOPNOTSUPP, ctl_attr_offset(req, a[OVS_DP_ATTR_NAME]),
			  "one datapath per daemon: '%s' exists, no other can be created "
			  "(--dp-name names it)", name);
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
