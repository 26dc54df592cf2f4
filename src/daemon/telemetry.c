/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The /dpdk_switch/ telemetry endpoints (telemetry.h). The handlers run on
 * DPDK's telemetry thread; telemetry_refresh() on the control thread.
 */
#include "telemetry.h"

#include <errno.h>
#include <pthread.h>
#include <rte_common.h>
#include <rte_lcore.h>
#include <rte_telemetry.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "dp.h"
#include "odp_text.h"
#include "strbuf.h"

struct snap_port {
	uint32_t port_no;
	char name[RTE_ETH_NAME_MAX_LEN];
	char driver[32];
	char link[64];
	struct ovs_vport_stats st;
};

struct snap_mask {
	char match[RTE_TEL_MAX_STRING_LEN];
	uint32_t n_flows;
	uint64_t hits;
};

/* What only the control thread may read, as of taken_ms. */
struct snap {
	uint64_t taken_ms;
	struct dp_info info;
	uint32_t n_masks;
	uint64_t ctl_lost;
	uint32_t n_ports;
	struct snap_port ports[PORT_MAX];
	uint32_t n_shown;
	struct snap_mask masks[TELEMETRY_MAX_MASKS];
};

/* 'lock' guards everything below it: the telemetry thread reads, the
 * control thread writes. 'dp' NULL: not serving. */
static struct {
	pthread_mutex_t lock;
	const struct dp *dp;
	bool valid;
	struct snap snap;
} tel = { .lock = PTHREAD_MUTEX_INITIALIZER };

static uint64_t next_refresh_ms; /* control thread only */
static bool registered;          /* control thread only */

/* ---- the control thread's side ---- */

static void snap_ports(struct dp *dp, struct snap *s)
{
	s->n_ports = 0;
	for (uint32_t p = 0; dp_port_next(dp, &p); p++) {
		const struct port *port = dp_port(dp, p);
		struct snap_port *sp = &s->ports[s->n_ports++];

		sp->port_no = p;
		snprintf(sp->name, sizeof(sp->name), "%s", port->name);
		snprintf(sp->driver, sizeof(sp->driver), "%s", port->driver);
		port_link_string(port, sp->link, sizeof(sp->link));
		port_stats(port, &sp->st);
		sp->st.tx_dropped += dp_port_tx_dropped(dp, p);
	}
}

static void snap_masks(struct dp *dp, struct snap *s)
{
	struct flowtbl *t = dp_flowtbl(dp);
	struct flowtbl_mask_info mi;
	struct strbuf sb;

	s->n_masks = flowtbl_mask_count(t);
	s->n_shown = 0;
	strbuf_init(&sb);
	while (s->n_shown < TELEMETRY_MAX_MASKS && flowtbl_mask_info(t, s->n_shown, &mi) == 0) {
		struct snap_mask *sm = &s->masks[s->n_shown++];

		strbuf_reset(&sb);
		odp_flow_format(&sb, &mi.example, &mi.mask, false);
		/* Longer matches are cut: telemetry strings hold 127 bytes. */
		snprintf(sm->match, sizeof(sm->match), "%s", sb.s ? sb.s : "");
		sm->n_flows = mi.n_flows;
		sm->hits = mi.hits;
	}
	strbuf_free(&sb);
}

void telemetry_refresh(struct dp *dp, uint64_t now_ms)
{
	if (now_ms < next_refresh_ms)
		return;
	next_refresh_ms = now_ms + TELEMETRY_REFRESH_MS;
	/* Built under the lock: a few microseconds a port and a mask, and
	 * the only other taker is the telemetry thread. */
	pthread_mutex_lock(&tel.lock);
	tel.snap.taken_ms = now_ms;
	dp_info_get(dp, &tel.snap.info);
	tel.snap.ctl_lost = dp_ctl_lost(dp);
	snap_ports(dp, &tel.snap);
	snap_masks(dp, &tel.snap);
	tel.valid = true;
	pthread_mutex_unlock(&tel.lock);
}

/* ---- the telemetry thread's side (tel.lock held) ---- */

static void pmd_sum(const struct dp *dp, struct pmd_stats *sum)
{
	struct pmd_stats one;

	memset(sum, 0, sizeof(*sum));
	for (uint32_t i = 0; i < dp_n_pmds(dp); i++) {
		uint64_t *s = (uint64_t *)sum;
		const uint64_t *o = (const uint64_t *)&one;

		pmd_stats_get(dp_pmd(dp, i), &one);
		/* struct pmd_stats is all uint64_t counters. */
		for (size_t k = 0; k < sizeof(one) / sizeof(uint64_t); k++)
			s[k] += o[k];
	}
}

static uint64_t drops_total(const struct pmd_stats *st)
{
	uint64_t n = 0;

	for (int r = 0; r < ACTIONS_DROP__MAX; r++)
		n += st->drops[r];
	return n;
}

static void put_u64(struct rte_tel_data *d, const char *name, uint64_t v)
{
	rte_tel_data_add_dict_u64(d, name, v);
}

static void put_age(struct rte_tel_data *d)
{
	uint64_t now = dp_now_ms(tel.dp);

	put_u64(d, "snapshot_age_ms", now > tel.snap.taken_ms ? now - tel.snap.taken_ms : 0);
}

/* Start a reply; -ENODEV (a null answer) when not serving yet or any more. */
static int reply_start(struct rte_tel_data *d)
{
	if (tel.dp == NULL || !tel.valid)
		return -ENODEV;
	rte_tel_data_start_dict(d);
	return 0;
}

/* The lookup counters, as `show` prints them (lost: PMDs and control
 * thread), and the PMDs' totals. */
static int do_stats(struct rte_tel_data *d)
{
	const struct snap *s = &tel.snap;
	struct pmd_stats sum;

	pmd_sum(tel.dp, &sum);
	put_u64(d, "hits", sum.hit);
	put_u64(d, "misses", sum.missed);
	put_u64(d, "lost", sum.lost + sum.drops[ACTIONS_DROP_UPCALL] + s->ctl_lost);
	put_u64(d, "flows", s->info.n_flows);
	put_u64(d, "masks", s->n_masks);
	put_u64(d, "mask_hits", sum.mask_hit);
	put_u64(d, "cache_hits", sum.cache_hit);
	put_u64(d, "rx_packets", sum.rx_packets);
	put_u64(d, "upcalls", sum.upcalls);
	put_u64(d, "recirc", sum.recirc);
	put_u64(d, "runts", sum.runts);
	put_u64(d, "dropped", drops_total(&sum));
	put_u64(d, "ports", s->n_ports);
	put_u64(d, "pmds", dp_n_pmds(tel.dp));
	put_u64(d, "mbufs_in_use", s->info.mbufs_in_use);
	put_u64(d, "mbufs_total", s->info.mbufs_total);
	put_age(d);
	return 0;
}

/* One PMD's counters in /dpdk_switch/pmd_stats, in their order: a field
 * of struct pmd_stats, or ALL_DROPS for every action drop reason summed. */
#define ALL_DROPS SIZE_MAX
static const struct {
	const char *name;
	size_t ofs;
} pmd_counters[] = {
	{ "rx_packets", offsetof(struct pmd_stats, rx_packets) },
	{ "hits", offsetof(struct pmd_stats, hit) },
	{ "cache_hits", offsetof(struct pmd_stats, cache_hit) },
	{ "mask_hits", offsetof(struct pmd_stats, mask_hit) },
	{ "misses", offsetof(struct pmd_stats, missed) },
	{ "upcalls", offsetof(struct pmd_stats, upcalls) },
	{ "lost", offsetof(struct pmd_stats, lost) },
	{ "recirc", offsetof(struct pmd_stats, recirc) },
	{ "runts", offsetof(struct pmd_stats, runts) },
	{ "dropped", ALL_DROPS },
	{ "iterations", offsetof(struct pmd_stats, iterations) },
	{ "busy_cycles", offsetof(struct pmd_stats, busy_cycles) },
	{ "idle_cycles", offsetof(struct pmd_stats, idle_cycles) },
};

static uint64_t pmd_counter(const struct pmd_stats *st, size_t ofs)
{
	uint64_t v;

	if (ofs == ALL_DROPS)
		return drops_total(st);
	memcpy(&v, (const uint8_t *)st + ofs, sizeof(v));
	return v;
}

static struct rte_tel_data *pmd_dict(const struct pmd *pmd, uint32_t i)
{
	struct rte_tel_data *c = rte_tel_data_alloc();
	struct pmd_stats st;

	if (c == NULL)
		return NULL;
	pmd_stats_get(pmd, &st);
	rte_tel_data_start_dict(c);
	put_u64(c, "id", i);
	put_u64(c, "lcore", pmd_lcore(pmd));
	put_u64(c, "numa", rte_lcore_to_socket_id(pmd_lcore(pmd)));
	for (size_t k = 0; k < RTE_DIM(pmd_counters); k++)
		put_u64(c, pmd_counters[k].name, pmd_counter(&st, pmd_counters[k].ofs));
	return c;
}

/* "pmd0": {...}, ...: counters since start (pmd-stats-clear does not
 * reset them, as ethdev counters are not reset by reading them). */
static int do_pmd_stats(struct rte_tel_data *d)
{
	for (uint32_t i = 0; i < dp_n_pmds(tel.dp); i++) {
		struct rte_tel_data *c = pmd_dict(dp_pmd(tel.dp, i), i);
		char name[16];

		if (c == NULL)
			return -ENOMEM;
		snprintf(name, sizeof(name), "pmd%u", i);
		rte_tel_data_add_dict_container(d, name, c, 0);
	}
	return 0;
}

static struct rte_tel_data *port_dict(const struct snap_port *sp)
{
	struct rte_tel_data *c = rte_tel_data_alloc();

	if (c == NULL)
		return NULL;
	rte_tel_data_start_dict(c);
	put_u64(c, "port_no", sp->port_no);
	rte_tel_data_add_dict_string(c, "name", sp->name);
	rte_tel_data_add_dict_string(c, "driver", sp->driver);
	rte_tel_data_add_dict_string(c, "link", sp->link);
	put_u64(c, "rx_packets", sp->st.rx_packets);
	put_u64(c, "rx_bytes", sp->st.rx_bytes);
	put_u64(c, "rx_errors", sp->st.rx_errors);
	put_u64(c, "rx_dropped", sp->st.rx_dropped);
	put_u64(c, "tx_packets", sp->st.tx_packets);
	put_u64(c, "tx_bytes", sp->st.tx_bytes);
	put_u64(c, "tx_errors", sp->st.tx_errors);
	put_u64(c, "tx_dropped", sp->st.tx_dropped);
	return c;
}

/* "port1": {...}, ... by datapath port number (port0 is the local port). */
static int do_ports(struct rte_tel_data *d)
{
	for (uint32_t i = 0; i < tel.snap.n_ports; i++) {
		struct rte_tel_data *c = port_dict(&tel.snap.ports[i]);
		char name[16];

		if (c == NULL)
			return -ENOMEM;
		snprintf(name, sizeof(name), "port%u", tel.snap.ports[i].port_no);
		rte_tel_data_add_dict_container(d, name, c, 0);
	}
	put_age(d);
	return 0;
}

/* Counts, then "mask0".. in the classifier's order (most hit first after
 * each rerank): its flows, its classifier hits, and its match printed
 * with one of its flows' values. */
static int do_flows(struct rte_tel_data *d)
{
	const struct snap *s = &tel.snap;

	put_u64(d, "flows", s->info.n_flows);
	put_u64(d, "masks", s->n_masks);
	put_u64(d, "masks_shown", s->n_shown);
	put_u64(d, "flow_limit", s->info.flow_limit);
	put_u64(d, "flows_refused", s->info.flows_refused);
	for (uint32_t i = 0; i < s->n_shown; i++) {
		struct rte_tel_data *c = rte_tel_data_alloc();
		char name[16];

		if (c == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(c);
		put_u64(c, "flows", s->masks[i].n_flows);
		put_u64(c, "hits", s->masks[i].hits);
		rte_tel_data_add_dict_string(c, "match", s->masks[i].match);
		snprintf(name, sizeof(name), "mask%u", i);
		rte_tel_data_add_dict_container(d, name, c, 0);
	}
	put_age(d);
	return 0;
}

/* "normal"; "pressure" above the limit (idle flows go after 100 ms);
 * "flush" above twice the limit (the next round deletes every flow). */
static const char *reval_state(const struct dp_info *in)
{
	if ((uint64_t)in->n_flows > 2ull * in->flow_limit)
		return "flush";
	return in->n_flows > in->flow_limit ? "pressure" : "normal";
}

static int do_revalidator(struct rte_tel_data *d)
{
	const struct dp_info *in = &tel.snap.info;

	rte_tel_data_add_dict_string(d, "state", reval_state(in));
	put_u64(d, "flows", in->n_flows);
	put_u64(d, "flow_limit", in->flow_limit);
	put_u64(d, "flow_limit_ceiling", in->flow_limit_ceiling);
	put_u64(d, "max_idle_ms", in->max_idle_ms);
	put_u64(d, "rounds", in->reval_rounds);
	put_u64(d, "duration_ms", in->reval_duration_ms);
	put_u64(d, "deleted_idle", in->reval_deleted);
	put_u64(d, "deleted_flush", in->reval_flushed);
	put_u64(d, "flows_refused", in->flows_refused);
	put_age(d);
	return 0;
}

static const struct {
	const char *cmd;
	int (*fill)(struct rte_tel_data *d);
	const char *help;
} endpoints[] = {
	{ "/dpdk_switch/stats", do_stats,
	  "Datapath totals: hits, misses, lost, flows, masks, PMD counters. No parameters." },
	{ "/dpdk_switch/pmd_stats", do_pmd_stats,
	  "Per PMD thread counters since start. No parameters." },
	{ "/dpdk_switch/ports", do_ports,
	  "Per port: name, driver, link, rx/tx packets, bytes, errors, drops. No parameters." },
	{ "/dpdk_switch/flows", do_flows,
	  "Flow and mask counts, per-mask flows and hits. No parameters." },
	{ "/dpdk_switch/revalidator", do_revalidator,
	  "Revalidator state, flow limit, last round's duration. No parameters." },
};
#define N_ENDPOINTS (sizeof(endpoints) / sizeof(endpoints[0]))

static int handle(const char *cmd, const char *params, struct rte_tel_data *d)
{
	int ret = -EINVAL;

	/* None of them takes parameters: "/dpdk_switch/stats,x" is an error
	 * (a null reply), not the answer to another question. */
	if (params != NULL && params[0] != '\0')
		return -EINVAL;
	pthread_mutex_lock(&tel.lock);
	for (size_t i = 0; i < N_ENDPOINTS; i++) {
		if (strcmp(cmd, endpoints[i].cmd) != 0)
			continue;
		ret = reply_start(d);
		if (ret == 0)
			ret = endpoints[i].fill(d);
		break;
	}
	pthread_mutex_unlock(&tel.lock);
	return ret;
}

int telemetry_init(struct dp *dp, struct errmsg *err)
{
	for (size_t i = 0; !registered && i < N_ENDPOINTS; i++) {
		int ret = rte_telemetry_register_cmd(endpoints[i].cmd, handle, endpoints[i].help);
		if (ret < 0)
			return errmsg_set(err, ret, -1, "telemetry: cannot register %s: %s",
					  endpoints[i].cmd, strerror(-ret));
	}
	registered = true;
	next_refresh_ms = 0;
	telemetry_refresh(dp, dp_now_ms(dp));
	pthread_mutex_lock(&tel.lock);
	tel.dp = dp;
	pthread_mutex_unlock(&tel.lock);
	return 0;
}

void telemetry_fini(void)
{
	pthread_mutex_lock(&tel.lock);
	tel.dp = NULL;
	tel.valid = false;
	pthread_mutex_unlock(&tel.lock);
}
