/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The PMD loop. Everything from pmd_main() down is hot path: no locks
 * (except a tx queue's lock where several senders share the queue), no
 * syscalls, no allocation, no logging.
 */
#include "pmd.h"

#include <errno.h>
#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_launch.h>
#include <rte_malloc.h>
#include <rte_pause.h>
#include <sched.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include "dpsw_atomic.h"
#include "flow_extract.h"
#include "flowtbl_pmd.h"
#include "nl_policy.h"
#include "offload.h"
#include "upcall.h"

#define BURST FLOWTBL_BURST
#define ETH_HLEN 14

struct pmd {
	/* Hot, PMD-private. */
	struct pmd_conf *conf;
	struct flowtbl_pmd *ft;
	struct actions_ctx *actx;
	struct upcall_queue *upq;
	const uint32_t *miss_pid;
	struct tsc_clock clock;
	uint64_t now_ms;
	struct pmd_stats stats;
	uint64_t tx_dropped[PORT_MAX];  /* the port's tx queue was full */
	uint64_t now_tsc;               /* the current iteration's start */
	/* Per input port MISS upcall rate (token buckets counted in TSC
	 * cycles, so a refill is a subtraction): a miss costs upcall_cost
	 * cycles of credit, a bucket holds at most upcall_cap. 0: no limit. */
	uint64_t upcall_cost, upcall_cap;
	uint64_t bucket[PORT_MAX];      /* credit at bucket_tsc[] */
	uint64_t bucket_tsc[PORT_MAX];
	uint64_t rate_dropped[PORT_MAX]; /* misses over the port's rate */
	/* Cycles spent on each rx queue of the current conf (by index). */
	uint64_t rxq_cycles[PMD_MAX_RXQ];
	uint32_t sleep_max_us, sleep_us; /* idle back-off */
	struct rte_mempool *pool;        /* segments and copies of offload packets */
	struct offload_stats offload;    /* written by this PMD only */
	/* The OR of the ol_flags of every packet received this iteration:
	 * whatever pmd_tx() sends in an iteration came from its rx bursts
	 * (recirculated, cloned or copied packets keep their flags), so
	 * without OFFLOAD_RX_MASK here no packet needs the offload path. */
	uint64_t rx_ol_flags;

	/* Per-burst scratch: keys and layouts must outlive actions_execute. */
	struct flow_key keys[BURST];
	struct flow_layout layouts[BURST];
	const struct flow_key *keyp[BURST];  /* &keys[i], set once */
	/* Bit i: keys[i] and layouts[i] hold what the IPv4 UDP/TCP shortcut
	 * wrote, unchanged since, so the next such frame in slot i writes
	 * only the words that differ (flow_extract_ipv4_l4_slot()). Cleared
	 * for a slot that anything else writes: the general parse,
	 * recirculation, actions. */
	uint32_t keys_reusable;

	/* Control. */
	struct pmd_conf *pending;     /* LOAD_ACQ / STORE_REL */
	bool stop;                    /* LOAD_RLX / STORE_RLX */
	bool running;
	unsigned int lcore_id;
	uint32_t slot;
	struct flowtbl *tbl;
} __rte_cache_aligned;

/* Totals of a burst's packets, summed while their keys are extracted (the
 * mbuf and key lines are in cache then): a burst of one flow takes its
 * stats from here. */
struct burst_sum {
	uint64_t bytes;
	uint16_t tcp_flags; /* OR of the keys' tp_flags, big-endian */
};

/* A group of packets that found the same flow: their burst indexes. */
struct group {
	struct flowtbl_flow *flow;
	uint32_t n;
	uint64_t bytes;
	uint16_t tcp_flags;
	uint8_t idx[BURST];
};

/* Packets of output-only flows, gathered per port across the burst's
 * groups so that each port gets one append. A burst rarely goes to more
 * than a few ports; more are appended group by group. */
#define OUT_PORTS 4
struct burst_out {
	uint32_t n_ports;
	uint32_t port[OUT_PORTS];
	uint32_t n[OUT_PORTS];
	struct rte_mbuf *pkts[OUT_PORTS][BURST];
};

/* Slots of the per-burst flow -> group map: a power of two over twice
 * the burst, so probes stay short. */
#define GROUP_SLOTS 64

/* ---- tx and upcall hooks for the action executor ---- */

static uint16_t txq_burst(const struct pmd_txq *txq, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t sent;

	if (likely(txq->lock == NULL))
		return rte_eth_tx_burst(txq->port_id, txq->queue, pkts, n);
	/* Other senders use this queue too: take it under its lock. */
	rte_spinlock_lock(txq->lock);
	sent = rte_eth_tx_burst(txq->port_id, txq->queue, pkts, n);
	rte_spinlock_unlock(txq->lock);
	return sent;
}

/* Sends out[0..n) and frees what the queue did not take. */
static void tx_all(struct pmd *pmd, const struct pmd_txq *txq, uint32_t port,
		   struct rte_mbuf **out, uint16_t n)
{
	uint16_t sent = n ? txq_burst(txq, out, n) : 0;

	if (sent < n) {
		counter_add(&pmd->tx_dropped[port], n - sent);
		rte_pktmbuf_free_bulk(out + sent, n - sent);
	}
}

/* A burst with packets whose checksum or segmentation is left to the
 * port (offload.h): each is finished for what the port can do. Takes
 * every packet. */
static uint16_t pmd_tx_offload(struct pmd *pmd, const struct pmd_txq *txq, uint32_t port,
			       struct rte_mbuf **pkts, uint16_t n)
{
	struct rte_mbuf *out[BURST + OFFLOAD_SEGS_MAX];
	uint8_t caps = offload_port_caps(port);
	uint16_t k = 0;

	for (uint16_t i = 0; i < n; i++) {
		if (!offload_pending(pkts[i]))
			out[k++] = pkts[i];
		else
			k += offload_tx_prepare(pkts[i], caps, pmd->pool, out + k,
						OFFLOAD_SEGS_MAX, &pmd->offload);
		if (k >= BURST) {
			tx_all(pmd, txq, port, out, k);
			k = 0;
		}
	}
	tx_all(pmd, txq, port, out, k);
	return n;
}

/* Hot path. Sends on this PMD's tx queue of 'port'. Packets are looked
 * at one by one only in an iteration that received offload metadata. */
static uint16_t pmd_tx(void *arg, uint32_t port, struct rte_mbuf **pkts, uint16_t n)
{
	struct pmd *pmd = arg;
	const struct pmd_txq *txq = &pmd->conf->txq[port];
	uint16_t sent;

	if (unlikely(pmd->rx_ol_flags & OFFLOAD_RX_MASK)) {
		uint64_t ol = 0;

		for (uint16_t i = 0; i < n; i++)
			ol |= pkts[i]->ol_flags;
		if (ol & OFFLOAD_RX_MASK)
			return pmd_tx_offload(pmd, txq, port, pkts, n);
	}
	sent = txq_burst(txq, pkts, n);
	if (unlikely(sent < n))
		counter_add(&pmd->tx_dropped[port], n - sent);
	return sent;
}

/* Hot path. The userspace action: hand the packet to the control thread. */
static int pmd_upcall_action(void *arg, const struct actions_upcall *up)
{
	struct pmd *pmd = arg;
	struct upcall *u;
	uint32_t ulen = 0;

	if (up->userdata)
		ulen = (uint32_t)nl_attr_len(up->userdata);
	if (ulen > UPCALL_USERDATA_MAX)
		return -EMSGSIZE;
	if (!upcall_queue_may_hold(pmd->upq))
		return -ENOBUFS;
	u = upcall_queue_get_free(pmd->upq);
	if (u == NULL)
		return -ENOBUFS;
	u->cmd = OVS_PACKET_CMD_ACTION;
	u->pid = up->pid;
	u->orig_len = up->orig_len;
	u->mbuf = up->mbuf;
	u->key = *up->key;
	u->userdata_len = (uint16_t)ulen;
	if (ulen)
		memcpy(u->userdata, nl_attr_data(up->userdata), ulen);
	upcall_queue_put(pmd->upq, u);
	counter_add(&pmd->stats.upcalls, 1);
	return 0;
}

/* Hot path (misses only). Take one upcall's credit from the port's
 * bucket; false when the port is over its rate. */
static bool upcall_credit(struct pmd *pmd, uint32_t port)
{
	uint64_t credit = pmd->bucket[port] + (pmd->now_tsc - pmd->bucket_tsc[port]);

	if (credit > pmd->upcall_cap)
		credit = pmd->upcall_cap;
	pmd->bucket_tsc[port] = pmd->now_tsc;
	if (credit < pmd->upcall_cost) {
		pmd->bucket[port] = credit;
		return false;
	}
	pmd->bucket[port] = credit - pmd->upcall_cost;
	return true;
}

/* Hot path (misses only). A short packet's bytes into its slot: a copy of
 * a constant size is a vector move or two, where memcpy(len) called the
 * C library through the PLT (perf, a 530k/s miss storm: 0.8% of the PMD
 * in memcpy@plt and the library's copy). The bytes read past the packet
 * are the mbuf's own buffer (its room checked) and not the upcall's
 * (pkt_len says where the packet ends). */
_Static_assert(UPCALL_INLINE_MAX >= 64, "a 64-byte copy fits a slot");
static inline void copy_to_slot(uint8_t *dst, const struct rte_mbuf *m, uint32_t len)
{
	const uint8_t *src = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t room = (uint32_t)m->buf_len - m->data_off;

	if (len <= 64 && room >= 64)
		memcpy(dst, src, 64);
	else if (room >= UPCALL_INLINE_MAX)
		memcpy(dst, src, UPCALL_INLINE_MAX);
	else
		memcpy(dst, src, len);
}

/* Hot path (misses only). A miss goes to the input port's listener.
 * Returns the mbuf when it is done with (lost, or its bytes copied into
 * the slot: UPCALL_INLINE_MAX), for the caller to free with the burst's
 * others; NULL when the upcall holds it. */
static struct rte_mbuf *miss(struct pmd *pmd, struct rte_mbuf *m, const struct flow_key *key)
{
	uint32_t port = key->in_port % PORT_MAX;
	uint32_t pid = LOAD_RLX(&pmd->miss_pid[port]);
	uint32_t len = rte_pktmbuf_pkt_len(m);
	/* In its slot, or held by the upcall: the pool's share bounds those. */
	bool in_slot = len <= UPCALL_INLINE_MAX && rte_pktmbuf_is_contiguous(m);
	struct upcall *u;

	if (pid != 0 && pmd->upcall_cost && !upcall_credit(pmd, port)) {
		counter_add(&pmd->rate_dropped[port], 1);
		pid = 0;
	}
	if (pid == 0 || (!in_slot && !upcall_queue_may_hold(pmd->upq)) ||
	    (u = upcall_queue_get_free(pmd->upq)) == NULL) {
		counter_add(&pmd->stats.lost, 1);
		return m;
	}
	u->cmd = OVS_PACKET_CMD_MISS;
	u->pid = pid;
	u->orig_len = 0;
	u->key = *key;
	u->userdata_len = 0;
	counter_add(&pmd->stats.upcalls, 1);
	if (in_slot) {
		u->pkt_len = (uint16_t)len;
		copy_to_slot(u->pkt, m, len);
		u->mbuf = NULL;
		upcall_queue_put(pmd->upq, u);
		return m;
	}
	u->mbuf = m;
	upcall_queue_put(pmd->upq, u);
	return NULL;
}

/* ---- the burst ---- */

/* Hot path. Queue an output-only group's packets for its port. */
static void out_add(struct pmd *pmd, struct burst_out *bo, uint32_t port, const struct group *g,
		    struct rte_mbuf **pkts)
{
	uint32_t k = 0;

	while (k < bo->n_ports && bo->port[k] != port)
		k++;
	if (k == OUT_PORTS) {
		struct rte_mbuf *out[BURST];

		for (uint32_t j = 0; j < g->n; j++)
			out[j] = pkts[g->idx[j]];
		actions_output(pmd->actx, port, out, g->n);
		return;
	}
	if (k == bo->n_ports) {
		bo->port[k] = port;
		bo->n[k] = 0;
		bo->n_ports++;
	}
	for (uint32_t j = 0; j < g->n; j++)
		bo->pkts[k][bo->n[k]++] = pkts[g->idx[j]];
}

/* Hot path. Run one group's actions. A list that is just output(port)
 * (the common case) needs no keys or layouts: its packets are gathered
 * per port and appended to the port's tx buffer once per burst
 * (callgrind: profile (a) 72 -> 41 instructions a packet for grouping and
 * actions; profile (b), 1000 flows, 242 -> 58). */
static void execute_group(struct pmd *pmd, const struct group *g, struct rte_mbuf **pkts,
			  const uint8_t *depth, struct burst_out *bo)
{
	uint32_t out1 = flowtbl_flow_out1(g->flow);

	flowtbl_pmd_stats_update(pmd->ft, g->flow, g->n, g->bytes, g->tcp_flags, pmd->now_ms);
	/* output(port) alone, known without reading the actions (another
	 * cache line of the flow, a miss once flows outgrow L2). */
	if (out1) {
		out_add(pmd, bo, out1 - 1, g, pkts);
		return;
	}
	const struct flowtbl_actions *acts = flowtbl_flow_actions(g->flow);
	const struct nlattr *list = (const struct nlattr *)acts->data;
	uint32_t port;

	if (actions_single_output(list, acts->len, &port)) {
		out_add(pmd, bo, port, g, pkts);
		return;
	}
	struct actions_pkt ap[BURST];
	for (uint32_t j = 0; j < g->n; j++) {
		uint32_t i = g->idx[j];

		/* Actions change the key in place. */
		pmd->keys_reusable &= ~(1u << i);
		ap[j] = (struct actions_pkt){
			.mbuf = pkts[i], .key = &pmd->keys[i], .layout = &pmd->layouts[i],
			.recirc_depth = depth ? depth[i] : 0,
		};
	}
	actions_execute(pmd->actx, ap, g->n, list, acts->len);
}

/* The group slot of a flow: a multiplicative hash of its address. */
static inline uint32_t group_slot(const struct flowtbl_flow *flow)
{
	return (uint32_t)(((uintptr_t)flow >> 6) * 0x9e3779b97f4a7c15ull >> 58);
}

/* Whether a flow's action list is output(port) alone (the common case),
 * the port in *port: the flow says so without a read of its actions. */
static inline bool flow_output_only(const struct flowtbl_flow *flow, uint32_t *port)
{
	uint32_t out1 = flowtbl_flow_out1(flow);

	*port = out1 - 1;
	return out1 != 0;
}

/* Hot path. The stats of a burst of several flows, one update a run of
 * packets of one flow. */
static void stats_by_run(struct pmd *pmd, struct rte_mbuf **pkts, uint32_t n,
			 struct flowtbl_flow **flows)
{
	struct flowtbl_flow *cur = flows[0];
	uint32_t start = 0;
	uint64_t bytes = 0;
	uint16_t flags = 0;

	for (uint32_t i = 0; i < n; i++) {
		if (flows[i] != cur) {
			/* tp_flags are big-endian in the key. */
			flowtbl_pmd_stats_update(pmd->ft, cur, i - start, bytes,
						 rte_be_to_cpu_16(flags), pmd->now_ms);
			cur = flows[i];
			start = i;
			bytes = 0;
			flags = 0;
		}
		bytes += rte_pktmbuf_pkt_len(pkts[i]);
		flags |= pmd->keys[i].tp_flags;
	}
	flowtbl_pmd_stats_update(pmd->ft, cur, n - start, bytes, rte_be_to_cpu_16(flags),
				 pmd->now_ms);
}

/*
 * Hot path. Every packet of the burst found a flow: if every flow of the
 * burst is output-only to one port (one flow, one flow's train, or many
 * flows that all go the same way), no map, no group per packet: the
 * burst goes to its port as it came, without gathering it into a copy
 * (each flow's packets keep their order, as in the grouping path), and
 * one flow's stats are the burst's sums. Returns false, having done
 * nothing, when some flow does more than output or outputs elsewhere.
 * That case is execute_group()'s, which is not called from here: it is
 * inlined only while it has one caller, and a second caller slows the
 * grouping path. Only the packets that start a run are looked at ('all'
 * the burst's bits, 'dup' as for lookup_and_execute()): a repeat has the
 * flow of the packet before it, so a burst of one repeated frame looks
 * at none.
 */
static bool execute_one_port(struct pmd *pmd, struct rte_mbuf **pkts, uint32_t n, uint32_t all,
			     uint32_t dup, struct flowtbl_flow **flows, const struct burst_sum *sum)
{
	const struct flowtbl_flow *checked = NULL; /* the last other flow that passed */
	struct flowtbl_flow *flow;
	uint32_t port, other;

	if (n == 0)
		return false;
	flow = flows[0];
	if (!flow_output_only(flow, &port))
		return false;
	/* Bit 0 is the flow compared with. */
	for (uint32_t heads = all & ~dup & ~1u; heads; heads &= heads - 1) {
		const struct flowtbl_flow *f = flows[__builtin_ctz(heads)];

		if (f == flow || f == checked)
			continue;
		if (!flow_output_only(f, &other) || other != port)
			return false;
		checked = f;
	}
	if (checked)
		stats_by_run(pmd, pkts, n, flows);
	else
		/* tp_flags are big-endian in the key. */
		flowtbl_pmd_stats_update(pmd->ft, flow, n, sum->bytes,
					 rte_be_to_cpu_16(sum->tcp_flags), pmd->now_ms);
	actions_output(pmd->actx, port, pkts, n);
	return true;
}

/*
 * Hot path. Group hits by flow, then run each group. Consecutive packets
 * of one flow (a train) skip the lookup; otherwise a small open-addressed
 * map finds the group in O(1): a linear scan of the groups cost O(groups)
 * a packet, up to 32 compares when every packet is another flow.
 */
static void execute_hits(struct pmd *pmd, struct rte_mbuf **pkts, const uint8_t *depth,
			 uint32_t n, uint32_t found, struct flowtbl_flow **flows)
{
	struct group groups[BURST];
	uint8_t map[GROUP_SLOTS];  /* group index + 1; 0: empty */
	uint32_t n_groups = 0, g = 0;
	struct flowtbl_flow *prev = NULL;
	struct burst_out bo;

	memset(map, 0, sizeof(map));
	for (uint32_t i = 0; i < n; i++) {
		if (!(found & (1u << i)))
			continue;
		if (flows[i] != prev) {
			uint32_t h = group_slot(flows[i]);

			while (map[h] && groups[map[h] - 1].flow != flows[i])
				h = (h + 1) & (GROUP_SLOTS - 1);
			if (!map[h]) {
				groups[n_groups] = (struct group){ .flow = flows[i] };
				map[h] = (uint8_t)++n_groups;
			}
			g = map[h] - 1u;
			prev = flows[i];
		}
		struct group *gr = &groups[g];
		gr->idx[gr->n++] = (uint8_t)i;
		gr->bytes += rte_pktmbuf_pkt_len(pkts[i]);
		gr->tcp_flags |= pmd->keys[i].tp_flags;
	}
	bo.n_ports = 0;
	for (g = 0; g < n_groups; g++) {
		/* tp_flags are big-endian in the key: swap once per group. */
		groups[g].tcp_flags = rte_be_to_cpu_16(groups[g].tcp_flags);
		execute_group(pmd, &groups[g], pkts, depth, &bo);
	}
	for (uint32_t k = 0; k < bo.n_ports; k++)
		actions_output(pmd->actx, bo.port[k], bo.pkts[k], bo.n[k]);
}

/* Hot path. Look up the keys extracted into pmd->keys[0..n), execute the
 * hits and hand the misses over. Bit i of 'dup': key i is equal to key
 * i-1 (flow_extract_burst_slot()); of 'sparse': the IPv4 UDP/TCP shortcut
 * wrote key i, so it is zero outside the words the cache hash then reads
 * (flowtbl_lookup_burst_dup()). */
static void lookup_and_execute(struct pmd *pmd, struct rte_mbuf **pkts, const uint8_t *depth,
			       uint32_t n, uint32_t dup, uint32_t sparse,
			       const struct burst_sum *sum)
{
	struct flowtbl_flow *flows[BURST];
	uint32_t all = n == BURST ? UINT32_MAX : (1u << n) - 1;
	uint32_t found;

	found = flowtbl_lookup_burst_dup(pmd->ft, pmd->keyp, NULL, n, dup, sparse, flows);
	if (unlikely(found != all)) {
		struct rte_mbuf *done[BURST];
		uint32_t n_done = 0;

		for (uint32_t i = 0; i < n; i++)
			if (!(found & (1u << i)))
				done[n_done++] = miss(pmd, pkts[i], &pmd->keys[i]);
		/* NULL entries (held by their upcall) are skipped. */
		rte_pktmbuf_free_bulk(done, n_done);
	} else if (execute_one_port(pmd, pkts, n, all, dup, flows, sum)) {
		return;
	}
	execute_hits(pmd, pkts, depth, n, found, flows);
}

/*
 * Hot path. A burst from an rx queue. Runts (shorter than an Ethernet
 * header, which the kernel drops too) are dropped and counted. Not
 * inlined into pmd_main(): its loop then has the registers to itself,
 * where inlined it kept the burst's sums on the stack.
 */
static __attribute__((noinline)) void process_rx(struct pmd *pmd, struct rte_mbuf **in,
						 uint32_t n_in, const struct flow_md *md)
{
	const struct flow_md rx_md = *md;
	struct rte_mbuf *pkts[BURST];
	struct burst_sum sum;
	/* Sums in locals: the struct's address goes to a call, which would
	 * keep each sum in memory, a store and reload a packet. */
	uint64_t bytes = 0, ol_flags = 0;
	uint16_t tcp_flags = 0;
	uint32_t n = 0, reusable = pmd->keys_reusable, dup = 0;

	for (uint32_t i = 0; i < n_in; i++) {
		struct rte_mbuf *m = in[i];
		uint32_t len = rte_pktmbuf_data_len(m);
		const uint8_t *data = rte_pktmbuf_mtod(m, const uint8_t *);

		if (unlikely(len < ETH_HLEN)) {
			counter_add(&pmd->stats.runts, 1);
			rte_pktmbuf_free(m);
			continue;
		}
		tcp_flags |= flow_extract_burst_slot(data, len, rx_md, pmd->keys, pmd->layouts, n,
						     &reusable, &dup);
		bytes += rte_pktmbuf_pkt_len(m);
		ol_flags |= m->ol_flags;
		pkts[n++] = m;
	}
	pmd->keys_reusable = reusable;
	pmd->rx_ol_flags |= ol_flags;
	sum.bytes = bytes;
	sum.tcp_flags = tcp_flags;
	/* Bit i < n of 'reusable': the shortcut wrote slot i in this burst. */
	lookup_and_execute(pmd, pkts, NULL, n, dup, reusable, &sum);
}

/* Hot path. Packets the recirc action sent back go through lookup again
 * with their new metadata (tunnel metadata is not in flow_md, so it is
 * restored after extraction). */
static void process_recirc(struct pmd *pmd)
{
	struct actions_recirc rec[BURST];
	struct rte_mbuf *pkts[BURST];
	uint8_t depth[BURST];
	uint32_t n;

	while ((n = actions_recirc_dequeue(pmd->actx, rec, BURST)) > 0) {
		struct burst_sum sum = { 0, 0 };

		/* Written here with tunnel metadata. */
		pmd->keys_reusable &= n == BURST ? 0 : ~((1u << n) - 1);

		for (uint32_t i = 0; i < n; i++) {
			struct rte_mbuf *m = rec[i].mbuf;

			flow_extract(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m),
				     &rec[i].md, &pmd->keys[i], &pmd->layouts[i]);
			pmd->keys[i].tun = rec[i].tun;
			pkts[i] = m;
			depth[i] = rec[i].depth;
			sum.bytes += rte_pktmbuf_pkt_len(m);
			sum.tcp_flags |= pmd->keys[i].tp_flags;
		}
		counter_add(&pmd->stats.recirc, n);
		lookup_and_execute(pmd, pkts, depth, n, 0, 0, &sum);
	}
}

/* ---- configuration hand-over ---- */

/* PMD side: take the pending conf. Ports that went away are disabled (and
 * their buffers flushed) while the old conf still maps them. */
static void apply_conf(struct pmd *pmd, struct pmd_conf *next)
{
	struct pmd_conf *prev = pmd->conf;

	for (uint32_t p = 0; p < PORT_MAX; p++)
		if (prev && prev->txq[p].present && !next->txq[p].present)
			actions_port_set(pmd->actx, p, false);
	pmd->conf = next;
	memset(pmd->rxq_cycles, 0, sizeof(pmd->rxq_cycles));
	for (uint32_t p = 0; p < PORT_MAX; p++)
		if (next->txq[p].present && !(prev && prev->txq[p].present))
			actions_port_set(pmd->actx, p, true);
	/* Release: the control thread may free 'prev' once it sees NULL. */
	STORE_REL(&pmd->pending, NULL);
}

/*
 * Wait until the PMD has taken its pending conf. It looks at the top of
 * every loop iteration (a few microseconds), so the wait is a spin with
 * rte_pause(); past HANDOVER_SPIN_US, sched_yield() also lets a PMD that
 * the kernel put on our CPU run. No sleep: a nanosleep is interrupted by
 * every signal (net_tap queues one per frame its kernel side sends, and
 * they land on this thread), and each restart sleeps what remained plus
 * the timer slack (50 us), so under a flood a 10 us sleep never ended and
 * the control thread hung, SIGTERM included (tests/abuse/abuse_ports.py).
 * Neither rte_pause() nor sched_yield() can be stretched that way; a
 * signal handler only delays the next check. (An eventfd would let this
 * thread block instead, for a file and a write() in the PMD per PMD; the
 * wait is one PMD iteration, so the spin is the cheaper of the two.)
 */
#define HANDOVER_SPIN_US 200

static void wait_taken(struct pmd *pmd)
{
	uint64_t spin_end = rte_get_tsc_cycles() + rte_get_tsc_hz() / 1000000 * HANDOVER_SPIN_US;

	while (LOAD_ACQ(&pmd->pending) != NULL) {
		if (rte_get_tsc_cycles() < spin_end)
			rte_pause();
		else
			sched_yield();
	}
}

struct pmd_conf *pmd_set_conf(struct pmd *pmd, struct pmd_conf *conf)
{
	struct pmd_conf *prev = pmd->conf;

	if (!pmd->running) {
		apply_conf(pmd, conf);
		return prev;
	}
	/* Release: the PMD that sees 'conf' sees it filled in. */
	STORE_REL(&pmd->pending, conf);
	wait_taken(pmd);
	return prev;
}

const struct pmd_conf *pmd_get_conf(const struct pmd *pmd)
{
	return pmd->conf;
}

/* ---- the loop ---- */

/*
 * An idle iteration: sleep a little longer each time, up to sleep_max_us
 * (traffic resets it). A signal may end the sleep early, which only makes
 * the PMD poll sooner. The control thread never waits on a sleeping PMD
 * for longer than one sleep (see OPTIONS_PMD_SLEEP_MAX_US). Returns the
 * TSC after the sleep.
 */
static uint64_t idle_sleep(struct pmd *pmd)
{
	uint32_t us = pmd->sleep_us + 1 + pmd->sleep_us / 8;
	struct timespec ts;

	if (us > pmd->sleep_max_us)
		us = pmd->sleep_max_us;
	pmd->sleep_us = us;
	ts.tv_sec = us / 1000000;
	ts.tv_nsec = (long)(us % 1000000) * 1000;
	clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
	return rte_rdtsc();
}

static int pmd_main(void *arg)
{
	struct pmd *pmd = arg;
	struct rte_mbuf *pkts[BURST];
	struct flow_md md = { 0 };

	/* One TSC read an iteration: the end of one is the start of the next
	 * (rdtsc is not free, and two a burst show at tens of Mpps). */
	uint64_t start = rte_rdtsc();

	/* The kernel stretches a sleep by the thread's timer slack (50 us by
	 * default): keep the idle sleep near what was asked. */
	if (pmd->sleep_max_us)
		prctl(PR_SET_TIMERSLACK, 1000UL);
	flowtbl_pmd_online(pmd->ft);
	while (!LOAD_RLX(&pmd->stop)) {
		uint64_t rx = 0;
		/* Acquire: pairs with pmd_set_conf()'s release. */
		struct pmd_conf *next = LOAD_ACQ(&pmd->pending);

		if (unlikely(next != NULL))
			apply_conf(pmd, next);
		pmd->now_ms = tsc_clock_ms(&pmd->clock, start);
		pmd->now_tsc = start;
		pmd->rx_ol_flags = 0;
		/* Cycles per rx queue: a busy queue's run ends where the next
		 * busy one starts, the last one's at the iteration's end (tx
		 * flush included), so with one busy queue the iteration still
		 * reads the TSC once. */
		uint64_t qstart = start;
		int32_t busy_q = -1;
		for (uint32_t q = 0; q < pmd->conf->n_rxq; q++) {
			const struct pmd_rxq *rxq = &pmd->conf->rxq[q];
			uint16_t n = rte_eth_rx_burst(rxq->port_id, rxq->queue, pkts, BURST);

			if (n == 0)
				continue;
			if (busy_q >= 0) {
				uint64_t t = rte_rdtsc();
				counter_add(&pmd->rxq_cycles[busy_q], t - qstart);
				qstart = t;
			}
			busy_q = (int32_t)q;
			md.in_port = rxq->port_no;
			process_rx(pmd, pkts, n, &md);
			process_recirc(pmd);
			rx += n;
		}
		actions_flush(pmd->actx);
		upcall_queue_flush(pmd->upq);
		/* Nothing from this iteration (flows, actions) is held past here. */
		flowtbl_pmd_quiescent(pmd->ft);

		uint64_t end = rte_rdtsc(), cycles = end - start;

		if (busy_q >= 0)
			counter_add(&pmd->rxq_cycles[busy_q], end - qstart);

		start = end;
		counter_add(&pmd->stats.iterations, 1);
		counter_add(&pmd->stats.rx_packets, rx);
		if (rx) {
			counter_add(&pmd->stats.busy_cycles, cycles);
			pmd->sleep_us = 0;
		} else {
			counter_add(&pmd->stats.idle_cycles, cycles);
			if (pmd->sleep_max_us) {
				start = idle_sleep(pmd);
				counter_add(&pmd->stats.idle_cycles, start - end);
			}
		}
	}
	actions_flush(pmd->actx);
	upcall_queue_flush(pmd->upq);
	flowtbl_pmd_offline(pmd->ft);
	return 0;
}

/* ---- control thread ---- */

int pmd_create(const struct pmd_params *p, struct pmd **out, struct errmsg *err)
{
	int socket = (int)rte_lcore_to_socket_id(p->lcore_id);
	struct pmd *pmd = rte_zmalloc_socket("pmd", sizeof(*pmd), RTE_CACHE_LINE_SIZE, socket);
	char name[32];
	int ret;

	if (pmd == NULL)
		return errmsg_set(err, -ENOMEM, -1, "PMD on lcore %u: out of memory", p->lcore_id);
	pmd->lcore_id = p->lcore_id;
	pmd->slot = p->slot;
	for (uint32_t i = 0; i < BURST; i++)
		pmd->keyp[i] = &pmd->keys[i];
	pmd->tbl = p->tbl;
	pmd->miss_pid = p->miss_pid;
	pmd->clock = p->clock;
	pmd->sleep_max_us = p->sleep_max_us;
	if (p->upcall_rate) {
		/* A burst of up to a tenth of a second's worth (at least one). */
		uint64_t burst = p->upcall_rate / 10 ? p->upcall_rate / 10 : 1;

		pmd->upcall_cost = rte_get_tsc_hz() / p->upcall_rate;
		if (pmd->upcall_cost == 0)
			pmd->upcall_cost = 1;
		pmd->upcall_cap = pmd->upcall_cost * burst;
		for (uint32_t i = 0; i < PORT_MAX; i++)
			pmd->bucket[i] = pmd->upcall_cap;
	}

	struct flowtbl_pmd_params fp = {
		.slot = p->slot, .cache_entries = p->cache_entries,
		.insert_inv_prob = FLOWTBL_CACHE_INV_PROB_DEFAULT,
		/* With few masks the subtables are cheaper than the cache; the
		 * adaptive mode skips it while it does not pay. */
		.cache_adaptive = true,
	};
	ret = flowtbl_pmd_create(p->tbl, &fp, &pmd->ft);
	if (ret < 0) {
		errmsg_set(err, ret, -1, "PMD on lcore %u: flow table context", p->lcore_id);
		goto fail;
	}
	snprintf(name, sizeof(name), "upcall%u", p->slot);
	ret = upcall_queue_create(name, socket, p->upcall_slots, &pmd->upq);
	if (ret < 0) {
		errmsg_set(err, ret, -1, "PMD on lcore %u: upcall queue", p->lcore_id);
		goto fail;
	}
	upcall_queue_limit_held(pmd->upq, p->upcall_held);
	pmd->pool = p->pool;
	struct actions_params ap = {
		.max_ports = PORT_MAX, .pool = p->pool, .socket_id = socket,
		.tx = pmd_tx, .tx_arg = pmd, .upcall = pmd_upcall_action, .upcall_arg = pmd,
	};
	ret = actions_ctx_create(&ap, &pmd->actx);
	if (ret < 0) {
		errmsg_set(err, ret, -1, "PMD on lcore %u: action context", p->lcore_id);
		goto fail;
	}
	*out = pmd;
	return 0;
fail:
	pmd_destroy(pmd);
	return ret;
}

void pmd_destroy(struct pmd *pmd)
{
	if (pmd == NULL)
		return;
	actions_ctx_destroy(pmd->actx);
	upcall_queue_destroy(pmd->upq);
	flowtbl_pmd_destroy(pmd->ft);
	rte_free(pmd);
}

int pmd_start(struct pmd *pmd)
{
	/* Relaxed: the launch and rte_eal_wait_lcore() order everything else;
	 * the flag needs only to be seen, untorn. */
	STORE_RLX(&pmd->stop, false);
	int ret = rte_eal_remote_launch(pmd_main, pmd, pmd->lcore_id);
	if (ret == 0)
		pmd->running = true;
	return ret;
}

void pmd_stop(struct pmd *pmd)
{
	if (!pmd->running)
		return;
	STORE_RLX(&pmd->stop, true);
	rte_eal_wait_lcore(pmd->lcore_id);
	pmd->running = false;
}

unsigned int pmd_lcore(const struct pmd *pmd)
{
	return pmd->lcore_id;
}

void pmd_stats_get(const struct pmd *pmd, struct pmd_stats *st)
{
	struct flowtbl_counters c;

	/* Every field is a uint64_t this PMD alone writes (counter_add):
	 * relaxed loads, a counter may be one burst stale, never torn. */
	const uint64_t *src = (const uint64_t *)&pmd->stats;
	uint64_t *dst = (uint64_t *)st;

	_Static_assert(sizeof(*st) % sizeof(uint64_t) == 0, "pmd_stats: uint64_t counters only");
	for (size_t i = 0; i < sizeof(*st) / sizeof(uint64_t); i++)
		dst[i] = LOAD_RLX(&src[i]);
	flowtbl_pmd_counters_get(pmd->ft, &c);
	st->hit = c.hit;
	st->missed = c.missed;
	st->mask_hit = c.mask_hit;
	st->cache_hit = c.cache_hit;
	actions_drops_get(pmd->actx, st->drops);
}

uint64_t pmd_port_tx_dropped(const struct pmd *pmd, uint32_t port_no)
{
	return port_no < PORT_MAX ? LOAD_RLX(&pmd->tx_dropped[port_no]) : 0;
}

uint64_t pmd_port_upcall_rate_dropped(const struct pmd *pmd, uint32_t port_no)
{
	return port_no < PORT_MAX ? LOAD_RLX(&pmd->rate_dropped[port_no]) : 0;
}

uint64_t pmd_rxq_cycles(const struct pmd *pmd, uint32_t idx)
{
	return idx < PMD_MAX_RXQ ? LOAD_RLX(&pmd->rxq_cycles[idx]) : 0;
}

struct upcall_queue *pmd_upcalls(struct pmd *pmd)
{
	return pmd->upq;
}
