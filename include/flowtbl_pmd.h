/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flowtbl_pmd: the reader side of the flow table, for PMD threads.
 *
 * A struct flowtbl_pmd is one PMD's context: its reader slot (its RCU
 * thread id and its per-flow stats slot), its exact-match cache and its
 * counters. The control thread creates and destroys it; the PMD thread
 * that owns it is the only one that calls the hot-path functions on it.
 *
 * The PMD loop:
 *
 *     flowtbl_pmd_online(pmd);
 *     while (!quit) {
 *         n = rx burst; extract keys;
 *         found = flowtbl_lookup_burst(pmd, keys, rss_or_NULL, n, flows);
 *         for each group of packets of one flow:
 *             acts = flowtbl_flow_actions(flow); execute;
 *             flowtbl_pmd_stats_update(pmd, flow, pkts, bytes, tcp_flags, now_ms);
 *         flowtbl_pmd_quiescent(pmd);   // flows of this iteration may go
 *     }
 *     flowtbl_pmd_offline(pmd);
 *
 * Hot-path functions take no lock, make no syscall and allocate nothing.
 * A flow returned by a lookup stays valid until the PMD's next
 * flowtbl_pmd_quiescent() or flowtbl_pmd_offline().
 */
#ifndef FLOWTBL_PMD_H
#define FLOWTBL_PMD_H

#include <stdbool.h>
#include <stdint.h>

#include "flow_key.h"
#include "flowtbl.h"

struct flowtbl_pmd;

#define FLOWTBL_BURST 32                  /* keys per lookup: one 32-bit map */
#define FLOWTBL_CACHE_DEFAULT 131072      /* cache entries (8 bytes each) */
#define FLOWTBL_CACHE_MAX (1u << 24)
#define FLOWTBL_CACHE_INV_PROB_DEFAULT 100 /* as OVS's emc-insert-inv-prob */

struct flowtbl_pmd_params {
	uint32_t slot;            /* 0..n_readers-1, unique per PMD */
	uint32_t cache_entries;   /* power of two <= FLOWTBL_CACHE_MAX (fewer
				   * than 8 take 8); 0: no cache */
	uint32_t insert_inv_prob; /* a classifier hit fills a free cache entry,
				   * and replaces a used one with probability
				   * 1/insert_inv_prob; 0: never fills */
	bool cache_adaptive;      /* false: consult the cache for every packet;
				   * true: skip it while its hits save fewer
				   * subtable probes than it costs (about 1.5
				   * per packet), re-checking on 1 burst in 16 */
};

/* Create a PMD context and register its slot with the table's QSBR (as
 * offline). -EINVAL: bad slot or cache size; -EBUSY: slot taken; -ENOMEM.
 * Writer (control thread). */
int flowtbl_pmd_create(struct flowtbl *t, const struct flowtbl_pmd_params *p,
		       struct flowtbl_pmd **out);
/* Unregister and free. Writer, after the PMD went offline. NULL is fine. */
void flowtbl_pmd_destroy(struct flowtbl_pmd *pmd);
/* Change the cache insertion probability (see params). Any thread; the
 * PMD sees it at its next lookup. */
void flowtbl_pmd_insert_prob_set(struct flowtbl_pmd *pmd, uint32_t insert_inv_prob);

/* Start reading the table (before the first lookup). Owning PMD thread. */
void flowtbl_pmd_online(struct flowtbl_pmd *pmd);
/* Stop reading (e.g. before sleeping): grace periods stop waiting for this
 * PMD. Owning PMD thread. */
void flowtbl_pmd_offline(struct flowtbl_pmd *pmd);
/* Report a quiescent state: this PMD holds no flow, actions or table
 * pointer from before the call. Once per loop. Owning PMD thread. */
void flowtbl_pmd_quiescent(struct flowtbl_pmd *pmd);

/*
 * Look up n <= FLOWTBL_BURST keys (more are ignored): first in the cache,
 * then through the subtables in rank order, each subtable probing every
 * key still unmatched. Sets flows[i] for every bit i of the returned map;
 * other entries are left as they were. 'hashes' (may be NULL) gives each
 * key's cache hash (e.g. the NIC's RSS hash; consistent per key is all
 * that matters); NULL computes flowtbl_key_hash(). Never returns a removed
 * flow or one whose masked key does not match. Owning PMD thread, online.
 */
uint32_t flowtbl_lookup_burst(struct flowtbl_pmd *pmd, const struct flow_key *const keys[],
			      const uint32_t *hashes, unsigned int n,
			      struct flowtbl_flow *flows[]);
/*
 * flowtbl_lookup_burst() for a burst whose caller knows which keys repeat
 * the one before (a train of one flow's packets): bit i of 'dup' set says
 * key i is equal to key i-1 in every byte, and such a key takes key i-1's
 * result without a probe. The result, flows[] and the counters are those
 * of flowtbl_lookup_burst(); a dup bit on a key that differs gives it a
 * wrong flow. Bit 0 and bits from n up are ignored. Bit i of 'sparse'
 * set says key i is zero outside words 2-11 (flow_key_words(): no tunnel,
 * nothing past the IPv4 addresses, as every key of an untagged IPv4
 * UDP/TCP frame), which its cache hash then skips: the same hash, for
 * fewer instructions (AVX2 builds; ignored otherwise, and with 'hashes').
 * A sparse bit on a key that is not costs cache hits, never a wrong flow.
 * Owning PMD thread, online.
 */
uint32_t flowtbl_lookup_burst_dup(struct flowtbl_pmd *pmd, const struct flow_key *const keys[],
				  const uint32_t *hashes, unsigned int n, uint32_t dup,
				  uint32_t sparse, struct flowtbl_flow *flows[]);

/* Add a batch of packets to the flow's stats in this PMD's slot (no
 * shared cache line is written). 'now_ms' is the caller's clock (used).
 * Owning PMD thread, on a flow from its own lookup; the slot must be one
 * that counts (below flowtbl_params.n_stats). */
void flowtbl_pmd_stats_update(struct flowtbl_pmd *pmd, struct flowtbl_flow *f,
			      uint32_t packets, uint64_t bytes, uint16_t tcp_flags,
			      uint64_t now_ms);

/* This PMD's counters (relaxed reads). Any thread. */
void flowtbl_pmd_counters_get(const struct flowtbl_pmd *pmd, struct flowtbl_counters *c);

/* The cache hash of a full key. Any thread; pure. */
uint32_t flowtbl_key_hash(const struct flow_key *key);

#endif /* FLOWTBL_PMD_H */
