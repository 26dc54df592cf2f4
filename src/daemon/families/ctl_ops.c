/* SPDX-License-Identifier: BSD-3-Clause */
/* The daemon's control socket: every family's operations in one table. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_handlers.h"
#include "odp_key.h"

static struct ctl_op ops[32];
static size_t n_ops;

static void add_ops(const struct ctl_op *table, size_t n)
{
	for (size_t i = 0; i < n && n_ops < sizeof(ops) / sizeof(ops[0]); i++)
		ops[n_ops++] = table[i];
}

/* Before replies leave: removed flows and replaced actions are past a
 * grace period, so no PMD uses them once the client reads the answer.
 * Skipped for datagrams of flows only added (req->no_commit); what their
 * inserts let go (a grown hash table's old buckets) is freed by the next
 * commit or the revalidator's reclaim. */
static void commit(void *arg)
{
	flowtbl_synchronize(dp_flowtbl(arg));
}

int ctl_open(const struct options *opt, struct ctl_server **srv, struct errmsg *err)
{
	n_ops = 0;
	add_ops(ctl_dp_ops, ctl_n_dp_ops);
	add_ops(ctl_vport_ops, ctl_n_vport_ops);
	add_ops(ctl_flow_ops, ctl_n_flow_ops);
	add_ops(ctl_packet_ops, ctl_n_packet_ops);
	add_ops(ctl_dpsw_ops, ctl_n_dpsw_ops);

	struct ctl_server_conf conf = {
		.ops = ops, .n_ops = n_ops, .path = opt->ctl_path, .mode = opt->ctl_mode,
		.group = opt->ctl_group, .dp = NULL, .commit = commit, .dp_ifindex = DP_IFINDEX,
		.max_conns = opt->ctl_max_conns, .max_conns_per_uid = opt->ctl_max_conns_per_uid,
	};
	return ctl_server_open(srv, &conf, err);
}

int ctl_attr_offset(const struct ctl_req *req, const void *attr)
{
	return (int)((const uint8_t *)attr - (const uint8_t *)req->nlh);
}

int ctl_claim_pid(struct ctl_req *req, uint32_t pid)
{
	int ret;

	if (pid == 0)
		return 0;
	ret = ctl_conn_claim_pid(req->conn, pid);
	if (ret < 0)
		return errmsg_set(&req->err, ret, -1,
				  "upcall pid %u belongs to another connection", pid);
	return 0;
}

void ctl_match_put(struct nlbuf *out, const struct flow_key *key, const struct flow_key *mask,
		   bool put_key, bool put_mask)
{
	if (put_key)
		odp_match_encode_key(out, key, mask);
	if (put_mask)
		odp_match_encode_mask(out, key, mask);
}
