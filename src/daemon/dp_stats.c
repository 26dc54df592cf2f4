/* SPDX-License-Identifier: BSD-3-Clause */
/* Datapath statistics: summed from the PMDs on read. Control thread. */
#include <inttypes.h>
#include <rte_mempool.h>
#include <stdio.h>
#include <string.h>

#include "dp_internal.h"

static void pmd_stats_sub(struct pmd_stats *st, const struct pmd_stats *base)
{
	uint64_t *v = (uint64_t *)st;
	const uint64_t *b = (const uint64_t *)base;

	/* struct pmd_stats is all uint64_t counters. */
	for (size_t i = 0; i < sizeof(*st) / sizeof(uint64_t); i++)
		v[i] -= b[i];
}

void dp_pmd_stats(const struct dp *dp, uint32_t i, struct pmd_stats *st)
{
	pmd_stats_get(dp->pmds[i], st);
	pmd_stats_sub(st, &dp->pmd_stats_base[i]);
}

void dp_pmd_stats_clear(struct dp *dp)
{
	for (uint32_t i = 0; i < dp->n_pmds; i++)
		pmd_stats_get(dp->pmds[i], &dp->pmd_stats_base[i]);
}

/* Upcalls lost anywhere: no listener or a full queue on a PMD, a refused
 * userspace action, or a listener that could not take it. */
uint64_t dp_ctl_lost(const struct dp *dp)
{
	uint64_t ctl_drops[ACTIONS_DROP__MAX];

	actions_drops_get(dp->ctl_actx, ctl_drops);
	return ctl_drops[ACTIONS_DROP_UPCALL] + dp->ctl_lost;
}

static uint64_t lost_total(const struct dp *dp, const struct pmd_stats *pmd_sum)
{
	return pmd_sum->lost + pmd_sum->drops[ACTIONS_DROP_UPCALL] + dp_ctl_lost(dp);
}

void dp_stats(const struct dp *dp, struct ovs_dp_stats *st, struct ovs_dp_megaflow_stats *mst)
{
	struct pmd_stats sum, one;

	memset(&sum, 0, sizeof(sum));
	for (uint32_t i = 0; i < dp->n_pmds; i++) {
		pmd_stats_get(dp->pmds[i], &one);
		uint64_t *s = (uint64_t *)&sum;
		const uint64_t *o = (const uint64_t *)&one;
		for (size_t k = 0; k < sizeof(sum) / sizeof(uint64_t); k++)
			s[k] += o[k];
	}
	memset(st, 0, sizeof(*st));
	st->n_hit = sum.hit;
	st->n_missed = sum.missed;
	st->n_lost = lost_total(dp, &sum);
	st->n_flows = flowtbl_count(dp->tbl);
	memset(mst, 0, sizeof(*mst));
	mst->n_mask_hit = sum.mask_hit;
	mst->n_masks = flowtbl_mask_count(dp->tbl);
	mst->n_cache_hit = sum.cache_hit;
}

uint64_t dp_port_tx_dropped(const struct dp *dp, uint32_t port_no)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < dp->n_pmds; i++)
		n += pmd_port_tx_dropped(dp->pmds[i], port_no);
	return n;
}

uint64_t dp_port_upcall_rate_dropped(const struct dp *dp, uint32_t port_no)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < dp->n_pmds; i++)
		n += pmd_port_upcall_rate_dropped(dp->pmds[i], port_no);
	return n;
}

uint32_t dp_mbufs_in_use(const struct dp *dp)
{
	return rte_mempool_in_use_count(dp->pool) + port_own_pools_in_use();
}

static void print_ports(const struct dp *dp, FILE *f)
{
	for (uint32_t p = 1; p < PORT_MAX; p++) {
		const struct port *port = dp_port(dp, p);
		struct ovs_vport_stats vs;
		char link[64];

		if (port == NULL)
			continue;
		port_stats(port, &vs);
		vs.tx_dropped += dp_port_tx_dropped(dp, p);
		port_link_string(port, link, sizeof(link));
		fprintf(f,
			"  port %u: %s (%s) %s\n"
			"    RX packets:%" PRIu64 " bytes:%" PRIu64 " errors:%" PRIu64
			" dropped:%" PRIu64 "\n"
			"    TX packets:%" PRIu64 " bytes:%" PRIu64 " errors:%" PRIu64
			" dropped:%" PRIu64 "\n",
			p, port->name, port->driver, link, (uint64_t)vs.rx_packets,
			(uint64_t)vs.rx_bytes, (uint64_t)vs.rx_errors, (uint64_t)vs.rx_dropped,
			(uint64_t)vs.tx_packets, (uint64_t)vs.tx_bytes, (uint64_t)vs.tx_errors,
			(uint64_t)vs.tx_dropped);
	}
}

static void print_pmds(const struct dp *dp, FILE *f)
{
	for (uint32_t i = 0; i < dp->n_pmds; i++) {
		struct pmd_stats st;
		uint64_t cycles;

		dp_pmd_stats(dp, i, &st);
		cycles = st.busy_cycles + st.idle_cycles;
		fprintf(f,
			"  pmd %u (lcore %u): rx packets:%" PRIu64 " hits:%" PRIu64
			" cache hits:%" PRIu64 " misses:%" PRIu64 " lost:%" PRIu64
			" recirc:%" PRIu64 " runts:%" PRIu64 "\n"
			"    busy cycles:%" PRIu64 " (%.1f%%) cycles/packet:%.1f\n",
			i, pmd_lcore(dp->pmds[i]), st.rx_packets, st.hit, st.cache_hit, st.missed,
			st.lost, st.recirc, st.runts, st.busy_cycles,
			cycles ? 100.0 * (double)st.busy_cycles / (double)cycles : 0.0,
			st.rx_packets ? (double)st.busy_cycles / (double)st.rx_packets : 0.0);
		for (int r = 0; r < ACTIONS_DROP__MAX; r++)
			if (st.drops[r])
				fprintf(f, "    dropped (%s): %" PRIu64 "\n",
					actions_drop_name((enum actions_drop)r), st.drops[r]);
	}
}

void dp_print_stats(const struct dp *dp, FILE *f)
{
	struct ovs_dp_stats st;
	struct ovs_dp_megaflow_stats mst;

	dp_stats(dp, &st, &mst);
	fprintf(f,
		"%s: lookups: hit:%" PRIu64 " missed:%" PRIu64 " lost:%" PRIu64 "\n"
		"  flows: %" PRIu64 " (limit %u)  masks: hit:%" PRIu64 " total:%u"
		" hit/pkt:%.2f  cache hits:%" PRIu64 "\n",
		dp_name(dp), (uint64_t)st.n_hit, (uint64_t)st.n_missed, (uint64_t)st.n_lost,
		(uint64_t)st.n_flows, dp->reval.flow_limit, (uint64_t)mst.n_mask_hit, mst.n_masks,
		st.n_hit ? (double)mst.n_mask_hit / (double)st.n_hit : 0.0,
		(uint64_t)mst.n_cache_hit);
	print_ports(dp, f);
	print_pmds(dp, f);
}

void dp_info_get(const struct dp *dp, struct dp_info *info)
{
	const struct revalidator *r = &dp->reval;

	*info = (struct dp_info){
		.flow_limit_ceiling = r->ceiling, .flow_limit = r->flow_limit,
		.max_idle_ms = r->max_idle_ms, .n_flows = flowtbl_count(dp->tbl),
		.n_pmds = dp->n_pmds, .mbufs_in_use = dp_mbufs_in_use(dp),
		.mbufs_total = dp->n_mbufs, .reval_rounds = r->rounds,
		.reval_duration_ms = r->last_duration_ms, .reval_deleted = r->deleted_idle,
		.reval_flushed = r->deleted_flush, .flows_refused = dp->flows_refused,
		.upcall_rate = dp->opt->upcall_rate, .pmd_sleep_max_us = dp->opt->pmd_sleep_max_us,
	};
}
