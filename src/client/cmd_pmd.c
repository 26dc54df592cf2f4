/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PMD commands over the dpdk_switch family (dpsw_proto.h), printed like
 * OVS's ovs-appctl dpif-netdev/pmd-stats-show and pmd-rxq-show.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "dpsw_proto.h"
#include "json.h"
#include "nl_policy.h"

/* JSON names of the DPSW_STAT_* counters. */
static const char *const stat_names[DPSW_STAT_MAX + 1] = {
	[DPSW_STAT_RX_PACKETS] = "rx_packets", [DPSW_STAT_HIT] = "hit",
	[DPSW_STAT_CACHE_HIT] = "cache_hit", [DPSW_STAT_MASK_HIT] = "mask_hit",
	[DPSW_STAT_MISSED] = "missed", [DPSW_STAT_UPCALLS] = "upcalls",
	[DPSW_STAT_LOST] = "lost", [DPSW_STAT_RECIRC] = "recirc", [DPSW_STAT_RUNTS] = "runts",
	[DPSW_STAT_ITERATIONS] = "iterations", [DPSW_STAT_BUSY_CYCLES] = "busy_cycles",
	[DPSW_STAT_IDLE_CYCLES] = "idle_cycles", [DPSW_STAT_DROPPED] = "dropped",
};

static void parse_rxq(struct cl_pmd_info *pi, const struct nlattr *rxq)
{
	struct cl_pmd_rxq *q;
	const struct nlattr *a;

	if (pi->n_rxq == CL_MAX_RXQS)
		return;
	q = &pi->rxq[pi->n_rxq++];
	nl_attr_for_each_nested(a, rxq) {
		uint16_t t = nl_attr_type(a);
		if (t == DPSW_RXQ_PORT_NO && nl_attr_is_u32(a))
			q->port_no = nl_attr_u32(a);
		else if (t == DPSW_RXQ_QUEUE && nl_attr_is_u32(a))
			q->queue = nl_attr_u32(a);
		else if (t == DPSW_RXQ_NAME && nl_attr_is_str(a))
			snprintf(q->name, sizeof(q->name), "%s", nl_attr_str(a));
		else if (t == DPSW_RXQ_CYCLES && nl_attr_is_u64(a))
			q->cycles = nl_attr_u64(a);
	}
}

static void parse_pmd_attr(struct cl_pmd_info *pi, const struct nlattr *a)
{
	const struct nlattr *n;

	switch (nl_attr_type(a)) {
	case DPSW_ATTR_PMD_ID: pi->id = nl_attr_u32(a); break;
	case DPSW_ATTR_PMD_LCORE: pi->lcore = nl_attr_u32(a); break;
	case DPSW_ATTR_PMD_NUMA: pi->numa = nl_attr_u32(a); break;
	case DPSW_ATTR_PMD_STATS:
		nl_attr_for_each_nested(n, a) {
			uint16_t t = nl_attr_type(n);
			if (t <= DPSW_STAT_MAX && nl_attr_is_u64(n))
				pi->st[t] = nl_attr_u64(n);
		}
		break;
	case DPSW_ATTR_PMD_RXQS:
		nl_attr_for_each_nested(n, a)
			if (nl_attr_type(n) == DPSW_ATTR_RXQ)
				parse_rxq(pi, n);
		break;
	}
}

static int on_pmd(void *arg, const struct nl_msg *msg)
{
	struct cl_pmd_list *l = arg;
	const struct nlattr *attr;

	if (l->n == l->cap) {
		unsigned int cap = l->cap ? 2 * l->cap : 4;
		struct cl_pmd_info *p = realloc(l->p, cap * sizeof(*p));
		if (p == NULL)
			return -ENOMEM;
		l->p = p;
		l->cap = cap;
	}
	struct cl_pmd_info *pi = &l->p[l->n++];
	memset(pi, 0, sizeof(*pi));
	/* Fixed-size attributes were sized by the server's writer; a short
	 * one would be a daemon bug, so check before reading. */
	nl_attr_for_each(attr, msg->attrs, msg->attrs_len) {
		uint16_t t = nl_attr_type(attr);
		if (t <= DPSW_ATTR_PMD_NUMA && !nl_attr_is_u32(attr))
			return -EINVAL;
		parse_pmd_attr(pi, attr);
	}
	return 0;
}

int cl_pmd_list_get(struct client *c, struct cl_pmd_list *l, struct errmsg *err)
{
	struct nlbuf b;
	int ret;

	if (!cl_has_family(c, CL_FAM_DPSW))
		return errmsg_set(err, -ENOTSUP, -1, "the daemon has no %s family", DPSW_FAMILY);
	nlbuf_init(&b, 128);
	nlbuf_msg_end(&b, cl_msg_start(c, &b, CL_FAM_DPSW, DPSW_CMD_PMD_GET, NLM_F_DUMP));
	ret = cl_transact(c, &b, on_pmd, l, err);
	nlbuf_free(&b);
	return ret;
}

/* Connect and dump the PMDs; prints errors. Returns an exit status. */
static int get_pmds(struct client *c, int argc, char **argv, struct cl_pmd_list *l)
{
	struct errmsg err;
	int ret = cl_start(c, argc > 1 ? argv[1] : NULL, NULL);

	if (ret != CL_EXIT_OK)
		return ret;
	errmsg_clear(&err);
	ret = cl_pmd_list_get(c, l, &err);
	if (ret == -ENOTSUP) {
		fprintf(stderr, "%s: %s\n", CL_PROG, err.msg);
		return CL_EXIT_FAIL;
	}
	if (ret < 0)
		cl_report("reading PMD statistics", ret, &err);
	return cl_exit_status(ret);
}

static double ratio(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : 0.0;
}

static uint64_t megaflow_hits(const uint64_t *st)
{
	uint64_t hit = st[DPSW_STAT_HIT], cache = st[DPSW_STAT_CACHE_HIT];

	return hit > cache ? hit - cache : 0;
}

static void print_pmd_stats(const struct cl_pmd_info *pi)
{
	const uint64_t *st = pi->st;
	uint64_t rx = st[DPSW_STAT_RX_PACKETS], idle = st[DPSW_STAT_IDLE_CYCLES];
	uint64_t busy = st[DPSW_STAT_BUSY_CYCLES], total = idle + busy;

	printf("pmd thread numa_id %" PRIu32 " core_id %" PRIu32 ":\n", pi->numa, pi->lcore);
	printf("  packets received: %" PRIu64 "\n", rx);
	printf("  packet recirculations: %" PRIu64 "\n", st[DPSW_STAT_RECIRC]);
	printf("  avg. datapath passes per packet: %.02f\n",
	       ratio(rx + st[DPSW_STAT_RECIRC], rx));
	printf("  emc hits: %" PRIu64 "\n", st[DPSW_STAT_CACHE_HIT]);
	printf("  megaflow hits: %" PRIu64 "\n", megaflow_hits(st));
	/* mask_hit adds each hit's subtable rank, cache hits included (the
	 * kernel's n_mask_hit): averaged over every hit. */
	printf("  avg. subtable lookups per megaflow hit: %.02f\n",
	       ratio(st[DPSW_STAT_MASK_HIT], st[DPSW_STAT_HIT]));
	printf("  miss with success upcall: %" PRIu64 "\n", st[DPSW_STAT_UPCALLS]);
	printf("  miss with failed upcall: %" PRIu64 "\n", st[DPSW_STAT_LOST]);
	printf("  runts: %" PRIu64 "\n", st[DPSW_STAT_RUNTS]);
	printf("  dropped by actions: %" PRIu64 "\n", st[DPSW_STAT_DROPPED]);
	if (total == 0)
		return;
	printf("  idle cycles: %" PRIu64 " (%.02f%%)\n", idle, ratio(idle, total) * 100);
	printf("  processing cycles: %" PRIu64 " (%.02f%%)\n", busy, ratio(busy, total) * 100);
	if (rx == 0)
		return;
	printf("  avg cycles per packet: %.02f (%" PRIu64 "/%" PRIu64 ")\n", ratio(total, rx),
	       total, rx);
	printf("  avg processing cycles per packet: %.02f (%" PRIu64 "/%" PRIu64 ")\n",
	       ratio(busy, rx), busy, rx);
}

static void json_pmd(struct json *j, const struct cl_pmd_info *pi)
{
	const uint64_t *st = pi->st;
	uint64_t rx = st[DPSW_STAT_RX_PACKETS];
	uint64_t total = st[DPSW_STAT_IDLE_CYCLES] + st[DPSW_STAT_BUSY_CYCLES];

	json_obj_begin(j);
	json_kv_u64(j, "id", pi->id);
	json_kv_u64(j, "core_id", pi->lcore);
	json_kv_u64(j, "numa_id", pi->numa);
	json_key(j, "stats");
	json_obj_begin(j);
	for (int i = 1; i <= DPSW_STAT_MAX; i++)
		json_kv_u64(j, stat_names[i], st[i]);
	json_obj_end(j);
	json_kv_u64(j, "megaflow_hits", megaflow_hits(st));
	json_kv_double(j, "avg_subtable_lookups_per_hit",
		       ratio(st[DPSW_STAT_MASK_HIT], st[DPSW_STAT_HIT]));
	json_kv_double(j, "busy_pct", ratio(st[DPSW_STAT_BUSY_CYCLES], total) * 100);
	json_key(j, "avg_cycles_per_packet");
	if (rx)
		json_double(j, ratio(total, rx));
	else
		json_null(j);
	json_key(j, "rxqs");
	json_arr_begin(j);
	for (unsigned int q = 0; q < pi->n_rxq; q++) {
		json_obj_begin(j);
		json_kv_str(j, "port", pi->rxq[q].name);
		json_kv_u64(j, "port_no", pi->rxq[q].port_no);
		json_kv_u64(j, "queue_id", pi->rxq[q].queue);
		json_kv_u64(j, "cycles", pi->rxq[q].cycles);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
}

int cmd_pmd_stats_show(struct client *c, int argc, char **argv)
{
	struct cl_pmd_list l = { 0 };
	int ret = get_pmds(c, argc, argv, &l);

	if (ret == CL_EXIT_OK && c->opt->json) {
		struct strbuf sb;
		struct json j;

		strbuf_init(&sb);
		json_init(&j, &sb);
		json_obj_begin(&j);
		json_key(&j, "pmds");
		json_arr_begin(&j);
		for (unsigned int i = 0; i < l.n; i++)
			json_pmd(&j, &l.p[i]);
		json_arr_end(&j);
		json_obj_end(&j);
		fputs(sb.s, stdout);
		strbuf_free(&sb);
	} else if (ret == CL_EXIT_OK) {
		for (unsigned int i = 0; i < l.n; i++)
			print_pmd_stats(&l.p[i]);
	}
	free(l.p);
	return ret;
}

int cmd_pmd_rxq_show(struct client *c, int argc, char **argv)
{
	struct cl_pmd_list l = { 0 };
	int ret = get_pmds(c, argc, argv, &l);

	for (unsigned int i = 0; ret == CL_EXIT_OK && i < l.n; i++) {
		const struct cl_pmd_info *pi = &l.p[i];

		printf("pmd thread numa_id %" PRIu32 " core_id %" PRIu32 ":\n", pi->numa, pi->lcore);
		printf("  isolated : false\n");
		uint64_t sum = 0;
		for (unsigned int q = 0; q < pi->n_rxq; q++)
			sum += pi->rxq[q].cycles;
		for (unsigned int q = 0; q < pi->n_rxq; q++) {
			printf("  port: %-16s  queue-id: %2" PRIu32 " (enabled)   pmd usage: ",
			       pi->rxq[q].name, pi->rxq[q].queue);
			/* Shares of the cycles the PMD spent on its queues, as
			 * OVS shows them; nothing measured yet: NOT AVAIL. */
			if (sum)
				printf("%3.0f %%\n", ratio(pi->rxq[q].cycles, sum) * 100);
			else
				printf("NOT AVAIL\n");
		}
	}
	free(l.p);
	return ret;
}

int cmd_pmd_stats_clear(struct client *c, int argc, char **argv)
{
	return cl_dpsw_ack(c, argc > 1 ? argv[1] : NULL, DPSW_CMD_PMD_CLEAR, 0, 0,
			   "clearing PMD statistics");
}

int cmd_pmd_rxq_rebalance(struct client *c, int argc, char **argv)
{
	return cl_dpsw_ack(c, argc > 1 ? argv[1] : NULL, DPSW_CMD_RXQ_REBALANCE, 0, 0,
			   "rebalancing rx queues");
}
