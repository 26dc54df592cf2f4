/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dpdk_switch family (dpsw_proto.h): PMD statistics and rx queues,
 * the revalidator's settings and state, and the requesting connection's
 * port id and framing. Control thread.
 */
#include <errno.h>
#include <rte_lcore.h>
#include <string.h>

#include "ctl_handlers.h"
#include "dpsw_proto.h"
#include "nl_policy.h"

static void put_stats(struct nlbuf *out, const struct pmd_stats *st)
{
	const uint64_t vals[] = {
		[DPSW_STAT_RX_PACKETS] = st->rx_packets, [DPSW_STAT_HIT] = st->hit,
		[DPSW_STAT_CACHE_HIT] = st->cache_hit, [DPSW_STAT_MASK_HIT] = st->mask_hit,
		[DPSW_STAT_MISSED] = st->missed, [DPSW_STAT_UPCALLS] = st->upcalls,
		[DPSW_STAT_LOST] = st->lost, [DPSW_STAT_RECIRC] = st->recirc,
		[DPSW_STAT_RUNTS] = st->runts, [DPSW_STAT_ITERATIONS] = st->iterations,
		[DPSW_STAT_BUSY_CYCLES] = st->busy_cycles,
		[DPSW_STAT_IDLE_CYCLES] = st->idle_cycles,
	};
	uint64_t dropped = 0;
	size_t nest = nlbuf_nest_start(out, DPSW_ATTR_PMD_STATS);

	for (int r = 0; r < ACTIONS_DROP__MAX; r++)
		dropped += st->drops[r];
	for (uint16_t i = 1; i < DPSW_STAT_DROPPED; i++)
		nlbuf_put_u64(out, i, vals[i]);
	nlbuf_put_u64(out, DPSW_STAT_DROPPED, dropped);
	nlbuf_nest_end(out, nest);
}

static void put_rxqs(struct ctl_req *req, const struct pmd *pmd)
{
	const struct pmd_conf *conf = pmd_get_conf(pmd);
	size_t nest = nlbuf_nest_start(req->out, DPSW_ATTR_PMD_RXQS);

	for (uint32_t q = 0; conf && q < conf->n_rxq; q++) {
		const struct port *port = dp_port(req->dp, conf->rxq[q].port_no);
		size_t rxq = nlbuf_nest_start(req->out, DPSW_ATTR_RXQ);
		nlbuf_put_u32(req->out, DPSW_RXQ_PORT_NO, conf->rxq[q].port_no);
		nlbuf_put_u32(req->out, DPSW_RXQ_QUEUE, conf->rxq[q].queue);
		nlbuf_put_string(req->out, DPSW_RXQ_NAME, port ? port->name : "?");
		nlbuf_put_u64(req->out, DPSW_RXQ_CYCLES, pmd_rxq_cycles(pmd, q));
		nlbuf_nest_end(req->out, rxq);
	}
	nlbuf_nest_end(req->out, nest);
}

/* Dump: state[0] is the next PMD index. */
static int pmd_dump(struct ctl_req *req, void *state, size_t budget)
{
	uint64_t *next = state;

	while (*next < dp_n_pmds(req->dp) && req->out->len < budget) {
		uint32_t i = (uint32_t)(*next)++;
		const struct pmd *pmd = dp_pmd(req->dp, i);
		struct pmd_stats st;
		size_t msg = ctl_reply_start(req, NLM_F_MULTI, DPSW_CMD_PMD_GET);

		dp_pmd_stats(req->dp, i, &st);
		nlbuf_put_u32(req->out, DPSW_ATTR_PMD_ID, i);
		nlbuf_put_u32(req->out, DPSW_ATTR_PMD_LCORE, pmd_lcore(pmd));
		nlbuf_put_u32(req->out, DPSW_ATTR_PMD_NUMA, rte_lcore_to_socket_id(pmd_lcore(pmd)));
		put_stats(req->out, &st);
		put_rxqs(req, pmd);
		nlbuf_msg_end(req->out, msg);
	}
	return *next < dp_n_pmds(req->dp);
}

static int pmd_clear(struct ctl_req *req)
{
	dp_pmd_stats_clear(req->dp);
	return 0;
}

/* Only when some port dropped misses over the rate: absent otherwise. */
static void put_rate_drops(struct ctl_req *req)
{
	size_t nest = 0;
	bool any = false;

	for (uint32_t p = 0; p < PORT_MAX; p++) {
		uint64_t n = dp_port_upcall_rate_dropped(req->dp, p);

		if (n == 0)
			continue;
		if (!any)
			nest = nlbuf_nest_start(req->out, DPSW_ATTR_UPCALL_RATE_DROPS);
		any = true;
		nlbuf_put_u64(req->out, (uint16_t)(p + 1), n);
	}
	if (any)
		nlbuf_nest_end(req->out, nest);
}

static int rxq_rebalance(struct ctl_req *req)
{
	int ret = dp_rxq_rebalance(req->dp);

	if (ret < 0)
		return errmsg_set(&req->err, ret, -1, "rx queue rebalance: out of memory");
	return 0;
}

static int config_get(struct ctl_req *req)
{
	struct ctl_server_stats cs;
	struct dp_info info;
	size_t msg = ctl_reply_start(req, 0, DPSW_CMD_CONFIG_GET);

	ctl_server_get_stats(req->srv, &cs);
	dp_info_get(req->dp, &info);
	nlbuf_put_u32(req->out, DPSW_ATTR_FLOW_LIMIT, info.flow_limit_ceiling);
	nlbuf_put_u32(req->out, DPSW_ATTR_MAX_IDLE, info.max_idle_ms);
	nlbuf_put_u32(req->out, DPSW_ATTR_FLOW_LIMIT_NOW, info.flow_limit);
	nlbuf_put_u32(req->out, DPSW_ATTR_N_FLOWS, info.n_flows);
	nlbuf_put_u64(req->out, DPSW_ATTR_REVAL_ROUNDS, info.reval_rounds);
	nlbuf_put_u64(req->out, DPSW_ATTR_REVAL_DURATION, info.reval_duration_ms);
	nlbuf_put_u64(req->out, DPSW_ATTR_REVAL_DELETED, info.reval_deleted);
	nlbuf_put_u64(req->out, DPSW_ATTR_REVAL_FLUSHED, info.reval_flushed);
	nlbuf_put_u64(req->out, DPSW_ATTR_FLOWS_REFUSED, info.flows_refused);
	nlbuf_put_u32(req->out, DPSW_ATTR_MBUFS_IN_USE, info.mbufs_in_use);
	nlbuf_put_u32(req->out, DPSW_ATTR_MBUFS_TOTAL, info.mbufs_total);
	nlbuf_put_u32(req->out, DPSW_ATTR_N_PMDS, info.n_pmds);
	nlbuf_put_u64(req->out, DPSW_ATTR_UPCALLS_SENT, cs.upcalls_sent);
	nlbuf_put_u32(req->out, DPSW_ATTR_UPCALL_RATE, info.upcall_rate);
	nlbuf_put_u32(req->out, DPSW_ATTR_PMD_SLEEP_MAX, info.pmd_sleep_max_us);
	put_rate_drops(req);
	nlbuf_msg_end(req->out, msg);
	return 0;
}

/* A SET's attributes: u32 each, of types lo..hi only (a[type - lo]; the
 * last of a repeated type counts). */
static int parse_u32s(struct ctl_req *req, uint16_t lo, uint16_t hi, const struct nlattr **a,
		      const char *what)
{
	const uint8_t *end = (const uint8_t *)req->attrs + req->attrs_len;
	const struct nlattr *at;

	/* Trailing bytes too few for an attribute header are ignored. */
	for (at = req->attrs; nl_attr_left(at, end) >= sizeof(*at); at = nl_attr_next(at)) {
		if (!nl_attr_ok(at, nl_attr_left(at, end)))
			return errmsg_set(&req->err, -EINVAL, ctl_attr_offset(req, at),
					  "attribute length runs past the message");
		uint16_t type = nl_attr_type(at);
		if (type < lo || type > hi || !nl_attr_is_u32(at))
			return errmsg_set(&req->err, -EINVAL, ctl_attr_offset(req, at),
					  "%s (u32) only", what);
		a[type - lo] = at;
	}
	return 0;
}

/* FLOW_LIMIT (1000..100M) and MAX_IDLE (1 ms..1 h, as the options; 0 turns
 * the cache management off again: flows live until deleted). */
static int config_set(struct ctl_req *req)
{
	const struct nlattr *a[2] = { NULL, NULL };
	int ret = parse_u32s(req, DPSW_ATTR_FLOW_LIMIT, DPSW_ATTR_MAX_IDLE, a,
			     "CONFIG_SET takes FLOW_LIMIT and MAX_IDLE");

	if (ret < 0)
		return ret;
	const struct nlattr *limit = a[0], *idle = a[1];
	uint32_t l = limit ? nl_attr_u32(limit) : 0, i = idle ? nl_attr_u32(idle) : 0;
	if (limit && (l < 1000 || l > 100000000))
		return errmsg_set(&req->err, -EINVAL, ctl_attr_offset(req, limit),
				  "flow limit %u is not in 1000..100000000", l);
	if (idle && i > 3600 * 1000)
		return errmsg_set(&req->err, -EINVAL, ctl_attr_offset(req, idle),
				  "max idle %u ms is not in 1..3600000 (or 0: off)", i);
	if (limit)
		dp_set_flow_limit_ceiling(req->dp, l);
	if (idle)
		dp_set_max_idle(req->dp, i);
	return 0;
}

static void put_conn(struct ctl_req *req, uint8_t cmd)
{
	size_t msg = ctl_reply_start(req, 0, cmd);

	nlbuf_put_u32(req->out, DPSW_ATTR_CONN_PORT_ID, ctl_conn_port_id(req->conn));
	nlbuf_put_u32(req->out, DPSW_ATTR_CONN_FRAMING,
		      ctl_conn_framing_kernel(req->conn) ? DPSW_FRAMING_KERNEL : DPSW_FRAMING_BATCH);
	nlbuf_put_u32(req->out, DPSW_ATTR_CONN_UPCALL_BATCH, ctl_conn_upcall_batch(req->conn));
	nlbuf_msg_end(req->out, msg);
}

/* The requesting connection's port id and framing; nothing to commit. */
static int conn_get(struct ctl_req *req)
{
	req->no_commit = true;
	put_conn(req, DPSW_CMD_CONN_GET);
	return 0;
}

/* PORT_ID (a bind() to a chosen id) and/or FRAMING; both checked first. */
static int conn_set(struct ctl_req *req)
{
	const struct nlattr *a[3] = { NULL, NULL, NULL };
	int ret = parse_u32s(req, DPSW_ATTR_CONN_PORT_ID, DPSW_ATTR_CONN_UPCALL_BATCH, a,
			     "CONN_SET takes CONN_PORT_ID, CONN_FRAMING and CONN_UPCALL_BATCH");

	req->no_commit = true;
	if (ret < 0)
		return ret;
	const struct nlattr *port = a[0], *framing = a[1], *batch = a[2];
	if (framing && nl_attr_u32(framing) > DPSW_FRAMING_KERNEL)
		return errmsg_set(&req->err, -EINVAL, ctl_attr_offset(req, framing),
				  "unknown framing %u", nl_attr_u32(framing));
	if (batch && nl_attr_u32(batch) > 1)
		return errmsg_set(&req->err, -EINVAL, ctl_attr_offset(req, batch),
				  "upcall batch %u is not 0 (one a datagram) or 1 (many)",
				  nl_attr_u32(batch));
	if (port) {
		ret = ctl_conn_set_port_id(req->conn, nl_attr_u32(port));
		if (ret < 0)
			return errmsg_set(&req->err, ret, ctl_attr_offset(req, port),
					  ret == -EINVAL ? "port id 0 is nobody's"
							 : "port id %u is another connection's",
					  nl_attr_u32(port));
	}
	if (framing)
		ctl_conn_set_framing_kernel(req->conn,
					    nl_attr_u32(framing) == DPSW_FRAMING_KERNEL);
	if (batch)
		ctl_conn_set_upcall_batch(req->conn, nl_attr_u32(batch) == 1);
	if (req->nlh->nlmsg_flags & NLM_F_ECHO)
		put_conn(req, DPSW_CMD_CONN_SET);
	return 0;
}

const struct ctl_op ctl_dpsw_ops[] = {
	{ CTL_FAMILY_DPSW, DPSW_CMD_PMD_GET, false, NULL, pmd_dump, NULL },
	{ CTL_FAMILY_DPSW, DPSW_CMD_PMD_CLEAR, true, pmd_clear, NULL, NULL },
	{ CTL_FAMILY_DPSW, DPSW_CMD_RXQ_REBALANCE, true, rxq_rebalance, NULL, NULL },
	{ CTL_FAMILY_DPSW, DPSW_CMD_CONFIG_GET, false, config_get, NULL, NULL },
	{ CTL_FAMILY_DPSW, DPSW_CMD_CONFIG_SET, true, config_set, NULL, NULL },
	/* About the requesting connection only: open to every peer. */
	{ CTL_FAMILY_DPSW, DPSW_CMD_CONN_GET, false, conn_get, NULL, NULL, true },
	{ CTL_FAMILY_DPSW, DPSW_CMD_CONN_SET, false, conn_set, NULL, NULL, true },
};
const size_t ctl_n_dpsw_ops = sizeof(ctl_dpsw_ops) / sizeof(ctl_dpsw_ops[0]);
