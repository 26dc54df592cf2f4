/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The datapath object: lifecycle, ports and their assignment to PMDs.
 * Flows, statistics, upcalls and execution are in dp_flow.c, dp_stats.c
 * and dp_packet.c. Control thread only.
 */
#include <errno.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dp_internal.h"

static uint64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t dp_now_ms(const struct dp *dp)
{
	return tsc_clock_ms(&dp->clock, rte_rdtsc());
}

uint64_t dp_used_monotonic(const struct dp *dp, uint64_t used_ms)
{
	uint64_t now = dp_now_ms(dp);

	return tsc_clock_stamp_to(used_ms, now, monotonic_ms());
}

/* Mbufs one frame of 'mtu' takes (jumbo frames are chains unless
 * --mbuf-size holds them). */
static uint32_t mbufs_per_frame(uint16_t mtu, uint16_t mbuf_size)
{
	uint32_t room = mbuf_size ? mbuf_size : RTE_MBUF_DEFAULT_DATAROOM;
	uint32_t frame = (uint32_t)mtu + RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN + 2 * RTE_VLAN_HLEN;

	return mtu ? (frame + room - 1) / room : 1;
}

/* Enough mbufs for every rx and tx ring of the ports EAL probed (with the
 * largest --port-opts rings; an rx descriptor holds one segment, and one
 * tx ring's worth of jumbo frames is counted as chains), the mempool
 * caches, and room for ports hot-plugged later. */
static uint32_t default_mbufs(const struct options *opt, uint32_t n_pmds)
{
	uint16_t rxq = opt->rxq ? opt->rxq : (uint16_t)n_pmds, rxd = opt->rxd, txd = opt->txd;
	uint16_t txq = (uint16_t)(n_pmds + 1), mtu = opt->mtu;
	uint32_t per_port, n;

	for (uint16_t i = 0; i < opt->n_ports; i++) {
		const struct port_opts *po = &opt->ports[i].opts;
		rxq = RTE_MAX(rxq, po->rxq);
		txq = RTE_MAX(txq, po->txq);
		rxd = RTE_MAX(rxd, po->rxd);
		txd = RTE_MAX(txd, po->txd);
		mtu = RTE_MAX(mtu, po->mtu);
	}
	per_port = (uint32_t)rxq * rxd + (uint32_t)txq * txd + (mbufs_per_frame(mtu, opt->mbuf_size) - 1) * txd;
	n = rte_eth_dev_count_avail() * per_port + rte_lcore_count() * 512 + 8192;
	n = RTE_MAX(n, 16384u);
	return rte_align32pow2(n) - 1; /* a mempool is best at 2^k - 1 */
}

static int pick_pmd_lcores(struct dp *dp, const struct options *opt, struct errmsg *err)
{
	unsigned int lcore;

	if (opt->n_pmd_lcores) {
		for (uint32_t i = 0; i < opt->n_pmd_lcores; i++) {
			lcore = opt->pmd_lcores[i];
			if (lcore >= RTE_MAX_LCORE || !rte_lcore_is_enabled(lcore) ||
			    lcore == rte_get_main_lcore())
				return errmsg_set(err, -EINVAL, -1,
						  "--pmd-cores: lcore %u is not a worker lcore of -l",
						  lcore);
			dp->pmd_lcores[dp->n_pmds++] = lcore;
		}
		return 0;
	}
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (dp->n_pmds == OPTIONS_MAX_PMDS)
			break;
		dp->pmd_lcores[dp->n_pmds++] = lcore;
	}
	if (dp->n_pmds == 0)
		return errmsg_set(err, -EINVAL, -1,
				  "no worker lcore for a PMD thread: give EAL two or more (-l 0-1)");
	return 0;
}

/* A port's misses may arrive on every PMD (RSS): each gets a share of the
 * port's rate. */
static uint32_t dp_pmd_upcall_rate(uint32_t rate, uint32_t n_pmds)
{
	if (rate == 0)
		return 0;
	return rate / n_pmds ? rate / n_pmds : 1;
}

static int create_pmds(struct dp *dp, struct errmsg *err)
{
	for (uint32_t i = 0; i < dp->n_pmds; i++) {
		struct pmd_params p = {
			.lcore_id = dp->pmd_lcores[i], .slot = i, .tbl = dp->tbl, .pool = dp->pool,
			.cache_entries = FLOWTBL_CACHE_DEFAULT, .miss_pid = dp->miss_pid,
			.clock = dp->clock, .upcall_held = dp_upcall_slots(dp),
			.upcall_slots = upcall_queue_slots_inline(dp_upcall_slots(dp)),
			.upcall_rate = dp_pmd_upcall_rate(dp->opt->upcall_rate, dp->n_pmds),
			.sleep_max_us = dp->opt->pmd_sleep_max_us,
		};
		int ret = pmd_create(&p, &dp->pmds[i], err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int dp_create(const struct options *opt, struct dp **out, struct errmsg *err)
{
	struct dp *dp = calloc(1, sizeof(*dp));
	int ret;

	if (dp == NULL)
		return errmsg_set(err, -ENOMEM, -1, "datapath: out of memory");
	dp->opt = opt;
	tsc_clock_init(&dp->clock, rte_get_tsc_hz(), rte_rdtsc(), monotonic_ms());
	ret = pick_pmd_lcores(dp, opt, err);
	if (ret < 0)
		goto fail;
	dp->n_mbufs = opt->mbufs ? opt->mbufs : default_mbufs(opt, dp->n_pmds);
	port_mempool_data_room(opt->mbuf_size);
	dp->pool = port_mempool((int)rte_socket_id(), dp->n_mbufs);
	if (dp->pool == NULL) {
		ret = errmsg_set(err, -rte_errno, -1, "mempool of %u mbufs: %s", dp->n_mbufs,
				 rte_strerror(rte_errno));
		goto fail;
	}
	/* The control thread's slot (after the PMDs') looks flows up for
	 * recirculated packets of an EXECUTE but counts nothing. */
	struct flowtbl_params tp = { .n_readers = dp->n_pmds + 1, .n_stats = dp->n_pmds };
	ret = flowtbl_create(&tp, &dp->tbl);
	if (ret < 0) {
		errmsg_set(err, ret, -1, "flow table: %s", strerror(-ret));
		goto fail;
	}
	/* Page faults now rather than under a burst of installs. */
	ret = flowtbl_reserve(dp->tbl, RTE_MIN(opt->reserve_flows, opt->flow_limit));
	if (ret < 0) {
		errmsg_set(err, ret, -1, "--reserve-flows %u: %s", opt->reserve_flows,
			   strerror(-ret));
		goto fail;
	}
	ret = create_pmds(dp, err);
	if (ret < 0)
		goto fail;
	ret = dp_ctl_exec_init(dp, err);
	if (ret < 0)
		goto fail;
	revalidator_init(&dp->reval, opt->flow_limit, opt->max_idle_ms);
	if (opt->flow_limit_given)
		revalidator_set_limit(&dp->reval, opt->flow_limit);
	dp->ports[PORT_LOCAL] = &dp->local;
	dp->local.port.port_no = PORT_LOCAL;
	snprintf(dp->local.port.name, sizeof(dp->local.port.name), "%s", opt->dp_name);
	snprintf(dp->local.port.driver, sizeof(dp->local.port.driver), "internal");
	*out = dp;
	return 0;
fail:
	dp_destroy(dp);
	return ret;
}

static void close_port(struct dp *dp, uint32_t port_no)
{
	struct dp_port *dport = dp->ports[port_no];

	if (dport == NULL || port_no == PORT_LOCAL)
		return;
	port_close(&dport->port);
	dp->ports[port_no] = NULL;
	free(dport);
}

void dp_close_ports(struct dp *dp)
{
	dp_stop(dp);
	for (uint32_t p = 0; p < PORT_MAX; p++)
		close_port(dp, p);
}

void dp_destroy(struct dp *dp)
{
	if (dp == NULL)
		return;
	dp_close_ports(dp);
	dp_ctl_exec_fini(dp);
	for (uint32_t i = 0; i < dp->n_pmds; i++) {
		pmd_destroy(dp->pmds[i]);
		free(dp->pmd_confs[i]);
	}
	flowtbl_destroy(dp->tbl);
	port_mempools_free();
	dp_upcall_pids_fini(dp);
	free(dp);
}

/* ---- ports and PMD configuration ---- */

/* A PMD of the port's NUMA socket at or after 'pick', else 'pick'. */
static uint32_t local_pmd(const struct dp *dp, const struct dp_port *dport, uint32_t pick)
{
	for (uint32_t k = 0; k < dp->n_pmds; k++) {
		uint32_t i = (pick + k) % dp->n_pmds;
		if ((int)rte_lcore_to_socket_id(dp->pmd_lcores[i]) == dport->port.socket_id)
			return i;
	}
	return pick;
}

static bool is_local(const struct dp *dp, const struct dp_port *dport, uint32_t i)
{
	return (int)rte_lcore_to_socket_id(dp->pmd_lcores[i]) == dport->port.socket_id;
}

/* The cycles rx queue (port_no, queue) cost its PMD under the current
 * confs (since they were handed over); 0 when it had none. */
static uint64_t rxq_load(const struct dp *dp, uint32_t port_no, uint16_t queue)
{
	for (uint32_t i = 0; i < dp->n_pmds; i++) {
		const struct pmd_conf *c = dp->pmd_confs[i];
		for (uint32_t q = 0; c && q < c->n_rxq; q++)
			if (c->rxq[q].port_no == port_no && c->rxq[q].queue == queue)
				return pmd_rxq_cycles(dp->pmds[i], q);
	}
	return 0;
}

struct rxq_item {
	uint32_t port_no;
	uint16_t queue;
	uint64_t load;
};

static int by_load_desc(const void *a, const void *b)
{
	const struct rxq_item *x = a, *y = b;

	if (x->load != y->load)
		return x->load < y->load ? 1 : -1;
	if (x->port_no != y->port_no)
		return x->port_no < y->port_no ? -1 : 1;
	return x->queue < y->queue ? -1 : x->queue > y->queue;
}

/* The PMD (NUMA-local if any) with the least load, then fewest queues. */
static uint32_t least_loaded(const struct dp *dp, const struct dp_port *dport,
			     struct pmd_conf *const *confs, const uint64_t *load)
{
	bool any_local = is_local(dp, dport, local_pmd(dp, dport, 0));
	uint32_t best = UINT32_MAX;

	for (uint32_t i = 0; i < dp->n_pmds; i++) {
		if (any_local && !is_local(dp, dport, i))
			continue;
		if (best == UINT32_MAX || load[i] < load[best] ||
		    (load[i] == load[best] && confs[i]->n_rxq < confs[best]->n_rxq))
			best = i;
	}
	return best;
}

static void add_rxq(struct pmd_conf *c, const struct dp_port *dport, uint32_t p, uint16_t q)
{
	if (c->n_rxq < PMD_MAX_RXQ)
		c->rxq[c->n_rxq++] = (struct pmd_rxq){
			.port_id = dport->port.port_id, .queue = q, .port_no = p,
		};
}

static bool port_live(const struct dp_port *dport)
{
	return dport != NULL && dport->port.started && !dport->removing && !dport->paused;
}

/*
 * Rx queues by measured cycles (pmd-rxq-rebalance): the busiest first,
 * each to the NUMA-local PMD with the least load so far, as OVS's
 * "cycles" assignment. Queues never measured weigh 0 and spread by count.
 */
static int place_by_load(struct dp *dp, struct pmd_conf **confs)
{
	uint64_t load[OPTIONS_MAX_PMDS] = { 0 };
	struct rxq_item *items = malloc(sizeof(*items) * PORT_MAX * PORT_MAX_QUEUES);
	uint32_t n = 0;

	if (items == NULL)
		return -ENOMEM;
	for (uint32_t p = 1; p < PORT_MAX; p++) {
		if (!port_live(dp->ports[p]))
			continue;
		for (uint16_t q = 0; q < dp->ports[p]->port.n_rxq; q++)
			items[n++] = (struct rxq_item){ p, q, rxq_load(dp, p, q) };
	}
	qsort(items, n, sizeof(*items), by_load_desc);
	for (uint32_t k = 0; k < n; k++) {
		const struct dp_port *dport = dp->ports[items[k].port_no];
		uint32_t i = least_loaded(dp, dport, confs, load);
		add_rxq(confs[i], dport, items[k].port_no, items[k].queue);
		load[i] += items[k].load;
	}
	free(items);
	return 0;
}

/* Rx queues round robin to the PMDs of the port's NUMA socket, or to any
 * PMD when none is local. */
static void place_round_robin(struct dp *dp, struct pmd_conf **confs)
{
	uint32_t rr = 0;

	for (uint32_t p = 1; p < PORT_MAX; p++) {
		const struct dp_port *dport = dp->ports[p];
		if (!port_live(dport))
			continue;
		for (uint16_t q = 0; q < dport->port.n_rxq; q++)
			add_rxq(confs[local_pmd(dp, dport, rr++ % dp->n_pmds)], dport, p, q);
	}
}

/* The tx queues a port's senders may use: those its peer enabled (a
 * vhost guest may enable fewer queue pairs than the port has), else all. */
static uint16_t usable_txqs(const struct port *p, uint64_t enabled, uint16_t *queues)
{
	uint16_t n = 0;

	for (uint16_t q = 0; q < p->n_txq; q++)
		if (enabled == 0 || (enabled >> q) & 1)
			queues[n++] = q;
	if (n == 0) /* it enabled only queues we do not have */
		for (uint16_t q = 0; q < p->n_txq; q++)
			queues[n++] = q;
	return n;
}

/*
 * Port p's tx map. Sender i (PMD i; the control thread is sender n_pmds)
 * sends on the usable queue i % n; a queue two senders or more share is
 * taken under its lock, and with 'lock_all' every queue is (a step of
 * dp_port_retarget_tx()).
 */
static void port_tx_map(struct dp *dp, uint32_t p, uint64_t enabled, bool lock_all,
			struct pmd_conf *const *confs, struct pmd_txq *ctl_txq)
{
	struct dp_port *dport = dp->ports[p];
	uint16_t usable[PORT_MAX_QUEUES];
	uint16_t n = usable_txqs(&dport->port, enabled, usable);
	uint32_t senders = dp->n_pmds + 1;

	for (uint32_t i = 0; i < senders; i++) {
		struct pmd_txq *t = i < dp->n_pmds ? &confs[i]->txq[p] : &ctl_txq[p];
		uint16_t queue = usable[i % n];
		bool shared = lock_all || i % n + n < senders;
		t->present = true;
		t->port_id = dport->port.port_id;
		t->queue = queue;
		t->lock = shared ? &dport->tx_lock[queue] : NULL;
	}
}

static void hand_over(struct dp *dp, struct pmd_conf **confs, const struct pmd_txq *ctl_txq)
{
	for (uint32_t i = 0; i < dp->n_pmds; i++) {
		free(pmd_set_conf(dp->pmds[i], confs[i]));
		dp->pmd_confs[i] = confs[i];
	}
	dp_ctl_exec_set_ports(dp, ctl_txq);
}

/*
 * Recompute every PMD's rx queues (round robin, or by measured load for
 * pmd-rxq-rebalance) and tx queue map from the port table and hand them
 * over. Senders are the PMDs and the control thread (sender n_pmds); a
 * queue with one sender needs no lock, one shared is taken under its lock.
 */
static int reassign_rxqs(struct dp *dp, bool by_load)
{
	struct pmd_conf *confs[OPTIONS_MAX_PMDS];
	struct pmd_txq ctl_txq[PORT_MAX];

	memset(ctl_txq, 0, sizeof(ctl_txq));
	for (uint32_t i = 0; i < dp->n_pmds; i++) {
		confs[i] = calloc(1, sizeof(struct pmd_conf));
		if (confs[i] == NULL) {
			while (i--)
				free(confs[i]);
			return -ENOMEM;
		}
	}
	if (by_load) {
		int ret = place_by_load(dp, confs);
		if (ret < 0) {
			for (uint32_t i = 0; i < dp->n_pmds; i++)
				free(confs[i]);
			return ret;
		}
	} else {
		place_round_robin(dp, confs);
	}
	for (uint32_t p = 1; p < PORT_MAX; p++)
		if (port_live(dp->ports[p]))
			port_tx_map(dp, p, dp->ports[p]->port.txq_enabled, false, confs, ctl_txq);
	hand_over(dp, confs, ctl_txq);
	return 0;
}

/* The PMDs' current confs with port p's tx map as 'enabled' gives it. */
static int tx_step(struct dp *dp, uint32_t p, uint64_t enabled, bool lock_all)
{
	struct pmd_conf *confs[OPTIONS_MAX_PMDS];
	struct pmd_txq ctl_txq[PORT_MAX];

	for (uint32_t i = 0; i < dp->n_pmds; i++) {
		confs[i] = malloc(sizeof(struct pmd_conf));
		if (confs[i] == NULL) {
			while (i--)
				free(confs[i]);
			return -ENOMEM;
		}
		memcpy(confs[i], dp->pmd_confs[i], sizeof(struct pmd_conf));
	}
	memcpy(ctl_txq, dp->ctl_txq, sizeof(ctl_txq));
	port_tx_map(dp, p, enabled, lock_all, confs, ctl_txq);
	hand_over(dp, confs, ctl_txq);
	return 0;
}

/*
 * Port p's tx queues follow its txq_enabled, which changed from 'before'.
 * PMDs take a conf one after the other, so a queue's sole sender (no
 * lock) under the old map could meet a new one under the new map: first
 * every sender of the port takes locks on its old queue, then moves to
 * its new queue still locked, then the locks go where queues are not
 * shared.
 */
int dp_port_retarget_tx(struct dp *dp, uint32_t p, uint64_t before)
{
	int ret;

	if (!dp->started || !port_live(dp->ports[p]))
		return 0;
	ret = tx_step(dp, p, before, true);
	if (ret == 0)
		ret = tx_step(dp, p, dp->ports[p]->port.txq_enabled, true);
	if (ret == 0)
		ret = tx_step(dp, p, dp->ports[p]->port.txq_enabled, false);
	return ret;
}

int dp_reassign(struct dp *dp)
{
	return reassign_rxqs(dp, false);
}

static int reassign(struct dp *dp)
{
	return reassign_rxqs(dp, false);
}

int dp_rxq_rebalance(struct dp *dp)
{
	return reassign_rxqs(dp, true);
}

/* The daemon's defaults, then the port's --port-opts, then 'own' (add-if's
 * options). */
static void port_conf_of(const struct dp *dp, uint16_t port_id, const struct port_opts *own,
			 struct port_conf *conf)
{
	struct port_opts o = {
		.mtu = dp->opt->mtu,
		.rxq = dp->opt->rxq ? dp->opt->rxq : (uint16_t)dp->n_pmds,
		.txq = (uint16_t)RTE_MIN(dp->n_pmds + 1, PORT_MAX_QUEUES),
		.rxd = dp->opt->rxd, .txd = dp->opt->txd,
	};
	char name[RTE_ETH_NAME_MAX_LEN];
	const struct port_opts *given;

	if (rte_eth_dev_get_name_by_port(port_id, name) == 0 &&
	    (given = options_port_opts(dp->opt, name)) != NULL)
		port_opts_merge(&o, given);
	if (own)
		port_opts_merge(&o, own);
	*conf = (struct port_conf){
		.n_rxq = o.rxq, .n_txq = o.txq, .rxd = o.rxd, .txd = o.txd, .mtu = o.mtu,
		.offload = o.offload != PORT_OPTS_OFFLOAD_OFF,
	};
}

static int open_port(struct dp *dp, uint16_t port_id, const struct port_opts *own,
		     bool hotplugged, struct errmsg *err)
{
	struct port_conf conf;
	struct dp_port *dport = calloc(1, sizeof(*dport));
	int ret;

	port_conf_of(dp, port_id, own, &conf);
	if (dport == NULL)
		return errmsg_set(err, -ENOMEM, -1, "port: out of memory");
	ret = port_open(&dport->port, port_id, &conf, dp->n_mbufs, err);
	if (ret < 0) {
		/* Detach a device probed for this request, so a later attempt
		 * starts clean; one from the command line is only skipped. */
		if (hotplugged)
			port_close(&dport->port);
		else
			port_own_pool_retire(&dport->port);
		free(dport);
		return ret;
	}
	for (uint32_t q = 0; q < PORT_MAX_QUEUES; q++)
		rte_spinlock_init(&dport->tx_lock[q]);
	dp->ports[dport->port.port_no] = dport;
	dp_port_set_upcall_pid(dp, dport->port.port_no, dp->default_miss_pid);
	return 0;
}

int dp_open_eal_ports(struct dp *dp)
{
	uint16_t port_id;
	int n = 0;

	RTE_ETH_FOREACH_DEV(port_id) {
		struct errmsg err;

		errmsg_clear(&err);
		if (open_port(dp, port_id, NULL, false, &err) < 0) {
			RTE_LOG(ERR, USER1, "port %u skipped: %s\n", port_id + 1, err.msg);
			continue;
		}
		n++;
	}
	return n;
}

int dp_start(struct dp *dp, struct errmsg *err)
{
	int ret = reassign(dp);

	if (ret < 0)
		return errmsg_set(err, ret, -1, "PMD configuration: %s", strerror(-ret));
	for (uint32_t i = 0; i < dp->n_pmds; i++) {
		ret = pmd_start(dp->pmds[i]);
		if (ret < 0)
			return errmsg_set(err, ret, -1, "PMD on lcore %u: launch failed",
					  pmd_lcore(dp->pmds[i]));
	}
	dp->started = true;
	return 0;
}

void dp_stop(struct dp *dp)
{
	for (uint32_t i = 0; i < dp->n_pmds; i++)
		if (dp->pmds[i])
			pmd_stop(dp->pmds[i]);
	dp->started = false;
}

int dp_port_add(struct dp *dp, const char *devargs, const struct port_opts *opts,
		uint32_t *port_no, struct errmsg *err)
{
	uint16_t port_id;
	int ret = port_probe(devargs, &port_id, err);

	if (ret < 0)
		return ret;
	if (port_id + 1u < PORT_MAX && dp->ports[port_id + 1])
		return errmsg_set(err, -EEXIST, -1, "'%s' is already port %u", devargs, port_id + 1);
	ret = open_port(dp, port_id, opts, true, err);
	if (ret < 0)
		return ret;
	*port_no = port_id + 1u;
	ret = reassign(dp);
	if (ret < 0) {
		close_port(dp, *port_no);
		return errmsg_set(err, ret, -1, "PMD configuration: %s", strerror(-ret));
	}
	return 0;
}

int dp_port_del(struct dp *dp, uint32_t port_no, struct errmsg *err)
{
	if (port_no == PORT_LOCAL)
		return errmsg_set(err, -EINVAL, -1, "the local port cannot be removed");
	if (dp_port(dp, port_no) == NULL)
		return errmsg_set(err, -ENODEV, -1, "no port %u", port_no);
	/* Take it out of the PMDs first: once reassign() returns, no PMD
	 * polls or sends to it (the hand-over waits for each PMD). */
	dp->ports[port_no]->removing = true;
	int ret = reassign(dp);
	if (ret < 0) {
		dp->ports[port_no]->removing = false;
		return errmsg_set(err, ret, -1, "PMD configuration: %s", strerror(-ret));
	}
	dp_port_set_upcall_pid(dp, port_no, 0);
	close_port(dp, port_no);
	return 0;
}

const char *dp_name(const struct dp *dp)
{
	return dp->opt->dp_name;
}

struct port *dp_port(const struct dp *dp, uint32_t port_no)
{
	return port_no < PORT_MAX && dp->ports[port_no] ? &dp->ports[port_no]->port : NULL;
}

struct port *dp_port_by_name(const struct dp *dp, const char *name)
{
	for (uint32_t p = 0; p < PORT_MAX; p++)
		if (dp->ports[p] && strcmp(dp->ports[p]->port.name, name) == 0)
			return &dp->ports[p]->port;
	return NULL;
}

bool dp_port_next(const struct dp *dp, uint32_t *port_no)
{
	for (uint32_t p = *port_no; p < PORT_MAX; p++) {
		if (dp->ports[p]) {
			*port_no = p;
			return true;
		}
	}
	return false;
}

struct flowtbl *dp_flowtbl(struct dp *dp)
{
	return dp->tbl;
}

uint32_t dp_n_pmds(const struct dp *dp)
{
	return dp->n_pmds;
}

const struct pmd *dp_pmd(const struct dp *dp, uint32_t i)
{
	return i < dp->n_pmds ? dp->pmds[i] : NULL;
}
