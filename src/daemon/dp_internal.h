/* SPDX-License-Identifier: BSD-3-Clause */
/* The datapath's private state, shared by its files; not an API. */
#ifndef DP_INTERNAL_H
#define DP_INTERNAL_H

#include <rte_spinlock.h>

#include "actions.h"
#include "dp.h"
#include "dpsw_atomic.h"
#include "flowtbl_pmd.h"
#include "revalidator.h"
#include "upcall_pids.h"
#include "upcall.h"

struct dp_port {
	struct port port;
	bool removing;                           /* being deleted: not assigned */
	bool paused;                             /* being restarted: not assigned */
	uint32_t backoff_ms;                     /* memif client: between restarts */
	uint64_t next_try_ms;                    /* its next restart, if still down */
	rte_spinlock_t tx_lock[PORT_MAX_QUEUES]; /* used when queues are shared */
};

struct dp {
	const struct options *opt;
	struct tsc_clock clock;             /* ms clock: dp_now_ms(), the PMDs' */
	bool started;
	uint64_t watch_next_ms;             /* dp_ports_watch()'s next look */

	struct rte_mempool *pool;
	uint32_t n_mbufs;
	struct flowtbl *tbl;

	uint32_t n_pmds;
	unsigned int pmd_lcores[OPTIONS_MAX_PMDS];
	struct pmd *pmds[OPTIONS_MAX_PMDS];
	struct pmd_conf *pmd_confs[OPTIONS_MAX_PMDS];
	struct pmd_stats pmd_stats_base[OPTIONS_MAX_PMDS]; /* pmd-stats-clear */

	struct dp_port *ports[PORT_MAX];
	struct dp_port local;               /* port 0: no device */
	uint32_t miss_pid[PORT_MAX];        /* STORE_RLX here, LOAD_RLX in the
					     * PMDs: non-zero when someone
					     * listens (dp_upcall.c) */
	uint32_t default_miss_pid;          /* for ports added later */
	struct upcall_pids port_pids[PORT_MAX]; /* OVS_VPORT_ATTR_UPCALL_PID */
	struct upcall_pids cpu_pids;        /* OVS_DP_ATTR_PER_CPU_PIDS */
	bool per_cpu;                       /* OVS_DP_F_DISPATCH_UPCALL_PER_CPU */

	/* The control thread's own executor (packet EXECUTE). */
	struct pmd_txq ctl_txq[PORT_MAX];
	struct actions_ctx *ctl_actx;
	struct flowtbl_pmd *ctl_ft;         /* its lookups after recirc */
	struct upcall_queue *ctl_upq;       /* its userspace actions and misses */
	uint64_t ctl_lost;                  /* upcalls lost on the control side */

	struct revalidator reval;
	uint64_t flows_refused;             /* NEW beyond the flow limit */
};

/* dp.c */
/* Recompute every PMD's rx queues and tx map (round robin) and hand them
 * over: 0 or -ENOMEM. */
int dp_reassign(struct dp *dp);
/* Port p's tx map follows its txq_enabled, which was 'before'. */
int dp_port_retarget_tx(struct dp *dp, uint32_t p, uint64_t before);

/* dp_upcall.c */
void dp_upcall_pids_fini(struct dp *dp);
/* Where an upcall queued by upcall source 'src' (a PMD's index, or n_pmds
 * for the control thread) goes. */
uint32_t dp_upcall_route(const struct dp *dp, uint32_t src, const struct upcall *u);

/* Upcall slots of each queue (the PMDs' and the control thread's): their
 * mbufs together stay within a share of the pool. */
static inline uint32_t dp_upcall_slots(const struct dp *dp)
{
	return upcall_queue_slots(dp->n_mbufs, dp->n_pmds + 1);
}

/* dp_packet.c */
int dp_ctl_exec_init(struct dp *dp, struct errmsg *err);
void dp_ctl_exec_fini(struct dp *dp);
/* The control executor's tx map, as reassign() computed it. */
void dp_ctl_exec_set_ports(struct dp *dp, const struct pmd_txq *txq);

#endif /* DP_INTERNAL_H */
