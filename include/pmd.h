/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmd: poll-mode driver threads. Each PMD runs on one worker lcore, polls
 * the rx queues given to it, and for every burst: extracts keys, looks
 * them up (exact-match cache, then the classifier), groups packets by
 * flow, runs each flow's actions once per group, and buffers tx per port.
 * Misses and userspace actions become upcalls (upcall.h).
 *
 * Configuration (which rx queues to poll, which tx queue to use on each
 * port) is a struct pmd_conf the control thread builds and hands over with
 * pmd_set_conf(); the PMD picks it up at the top of its loop, so the hot
 * path reads only PMD-private data.
 *
 * Threads: pmd_create/destroy/start/stop/set_conf and the stats getters run
 * on the control thread; pmd_main runs on the PMD's lcore.
 */
#ifndef PMD_H
#define PMD_H

#include <rte_spinlock.h>
#include <stdbool.h>
#include <stdint.h>

#include "actions.h"
#include "dpsw_limits.h"
#include "errmsg.h"
#include "flowtbl.h"
#include "tsc_clock.h"

struct pmd;
struct upcall_queue;

#define PMD_MAX_RXQ 128

/* One rx queue a PMD polls. */
struct pmd_rxq {
	uint16_t port_id;
	uint16_t queue;
	uint32_t port_no;
};

/* How a PMD sends on one port. */
struct pmd_txq {
	bool present;            /* the port exists and is started */
	uint16_t port_id;
	uint16_t queue;
	rte_spinlock_t *lock;    /* NULL: this PMD owns the queue */
};

struct pmd_conf {
	uint32_t n_rxq;
	struct pmd_rxq rxq[PMD_MAX_RXQ];
	struct pmd_txq txq[PORT_MAX];
};

struct pmd_params {
	unsigned int lcore_id;
	uint32_t slot;                   /* flowtbl reader slot, 0.. */
	struct flowtbl *tbl;
	struct rte_mempool *pool;        /* for packet copies (actions) */
	uint32_t cache_entries;          /* exact-match cache size */
	uint32_t upcall_slots;           /* upcalls it may have queued */
	uint32_t upcall_held;            /* ... of which holding an mbuf (0: all) */
	/* Upcall pid for misses per input port; 0: no listener. Written by the
	 * control thread, read (relaxed) by the PMD. */
	const uint32_t *miss_pid;
	struct tsc_clock clock;          /* the datapath's ms clock */
	uint32_t upcall_rate;            /* MISS upcalls/s per input port; 0: any */
	uint32_t sleep_max_us;           /* idle sleep ceiling; 0: never sleep */
};

/* Everything a PMD counts. Written only by its PMD; read relaxed. */
struct pmd_stats {
	uint64_t rx_packets;
	uint64_t hit;            /* found a flow (cache or classifier) */
	uint64_t cache_hit;      /* found in the exact-match cache */
	uint64_t mask_hit;       /* subtables probed by hits */
	uint64_t missed;         /* found none */
	uint64_t upcalls;        /* misses and userspace actions queued */
	uint64_t lost;           /* upcalls dropped: no listener, queue full */
	uint64_t recirc;         /* recirculated lookups */
	uint64_t runts;          /* frames under 14 bytes, dropped */
	uint64_t iterations;
	uint64_t busy_cycles;    /* TSC cycles of iterations that had packets */
	uint64_t idle_cycles;
	uint64_t drops[ACTIONS_DROP__MAX];
};

int pmd_create(const struct pmd_params *p, struct pmd **out, struct errmsg *err);
void pmd_destroy(struct pmd *pmd);
/* Launch on the lcore; the first conf must have been set. */
int pmd_start(struct pmd *pmd);
/* Ask the PMD to stop, wait for it; its tx buffers are flushed. */
void pmd_stop(struct pmd *pmd);

/*
 * Hand a new configuration over and wait until the PMD runs with it (or
 * take it at once when the PMD is not running). Returns the previous conf
 * for the caller to free. 'conf' must stay valid until it is replaced.
 */
struct pmd_conf *pmd_set_conf(struct pmd *pmd, struct pmd_conf *conf);
const struct pmd_conf *pmd_get_conf(const struct pmd *pmd);

unsigned int pmd_lcore(const struct pmd *pmd);
void pmd_stats_get(const struct pmd *pmd, struct pmd_stats *st);
struct upcall_queue *pmd_upcalls(struct pmd *pmd);
/* Misses from the port this PMD dropped over the port's upcall rate. */
uint64_t pmd_port_upcall_rate_dropped(const struct pmd *pmd, uint32_t port_no);
/* TSC cycles spent on the conf's rx queue 'idx' since that conf was taken
 * (pmd_get_conf()->rxq[idx]); read on the control thread, which alone
 * changes the conf. */
uint64_t pmd_rxq_cycles(const struct pmd *pmd, uint32_t idx);
/* Packets this PMD could not send on the port (its tx queue was full). */
uint64_t pmd_port_tx_dropped(const struct pmd *pmd, uint32_t port_no);

#endif /* PMD_H */
