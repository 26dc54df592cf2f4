/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flowtbl: the megaflow table. Flows are (masked key, mask, actions, UFID,
 * stats); flows that share a mask share a subtable (one hash table per
 * distinct mask). The PMD side (batched lookup, per-PMD exact-match cache,
 * stats update) is in flowtbl_pmd.h.
 *
 * Threads: one writer (the control thread) calls every function here that
 * takes a non-const struct flowtbl *; any number of PMD readers look up
 * without locks. Removal unlinks a flow at once (no lookup or cache hit
 * returns it after flowtbl_remove() returns) and frees it after an RCU
 * grace period (rte_rcu_qsbr): flowtbl_synchronize() waits for one and
 * frees what was removed, flowtbl_reclaim() frees what is already safe
 * without waiting. A flow pointer stays valid for the writer until it
 * removes the flow and then calls one of those two.
 *
 * Errors are negative errno. No function here is for the PMD hot path.
 */
#ifndef FLOWTBL_H
#define FLOWTBL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow_key.h"

struct flowtbl;
struct flowtbl_flow;
struct rte_rcu_qsbr;

#define FLOWTBL_READERS_MAX 128          /* PMD slots */
#define FLOWTBL_FLOWS_MAX (1u << 26)     /* hard ceiling of params.max_flows */
#define FLOWTBL_ACTIONS_MAX 65535u       /* one netlink attribute's payload */

/* A flow's actions: netlink-encoded (OVS_ACTION_ATTR_*), immutable. */
struct flowtbl_actions {
	uint32_t len;
	uint8_t data[];
};

struct flowtbl_params {
	uint32_t n_readers;  /* PMD slots 0..n_readers-1, 1..FLOWTBL_READERS_MAX */
	uint32_t max_flows;  /* insert beyond gives -ENOSPC; 0: FLOWTBL_FLOWS_MAX */
	uint32_t n_stats;    /* slots 0..n_stats-1 count flow stats; the others
			      * only look flows up (no flowtbl_pmd_stats_update)
			      * and cost no stats memory; 0: every slot */
};

/* A flow's stats summed over the reader slots, since the last clear. */
struct flowtbl_flow_stats {
	uint64_t packets;
	uint64_t bytes;
	uint64_t used;       /* caller's ms clock at the last packet; 0: none */
	uint16_t tcp_flags;  /* OR of the TCP flags seen (host order) */
};

/* Lookup counters (ovs_dp_stats / ovs_dp_megaflow_stats). */
struct flowtbl_counters {
	uint64_t hit;        /* packets that found a flow (cache or classifier) */
	uint64_t missed;     /* packets that found none */
	uint64_t mask_hit;   /* subtables probed by the packets that hit */
	uint64_t cache_hit;  /* packets that hit in the exact-match cache */
};

/* Create a table. -EINVAL: bad params; -ENOMEM. Any thread. */
int flowtbl_create(const struct flowtbl_params *p, struct flowtbl **out);
/*
 * Allocate, and touch, memory for n_flows flows (capped at max_flows) ahead
 * of their inserts: FLOWTBL_RESERVE_FLOW_BYTES a flow for the flow slab
 * and the hash tables of big subtables, plus slot chunks, the dump vector
 * and the UFID hash. Inserts of up to n_flows flows then take few page
 * faults, and the first subtable to grow past 65536 flows gets a hash
 * table for the reserved flows the others do not hold (no more rebuilds
 * while they go in). The memory stays with the table, counted in
 * flowtbl_memory(). Once per table: -EBUSY after a reservation; -ENOMEM
 * (what was reserved before the failure stays). Writer only.
 */
int flowtbl_reserve(struct flowtbl *t, uint32_t n_flows);
/* A flow of a typical megaflow mask with small actions (up to 5 key
 * words and 16 bytes of actions: 128 bytes of slab) and its share of a
 * hash table (36-72 bytes at 1/4-1/2 load). */
#define FLOWTBL_RESERVE_FLOW_BYTES 192u

/* Free the table, its flows and any PMD context left. Writer, with every
 * reader stopped (offline). NULL is fine. */
void flowtbl_destroy(struct flowtbl *t);

/*
 * Add a flow. 'key' is masked here for lookups; a flow without a UFID
 * also keeps the key as given, its identifier (flowtbl_find_ident());
 * 'actions' (actions_len bytes) is copied; 'ufid' may be NULL. On success
 * *out (if out) is the new flow. -EEXIST: a flow with the same masked key
 * and mask, or the same UFID, exists; -ENOSPC: max_flows reached; -EINVAL:
 * NULL key/mask, or actions_len > FLOWTBL_ACTIONS_MAX, or NULL actions with
 * a length; -ENOMEM. Writer only; readers see the flow once it returns.
 */
int flowtbl_insert(struct flowtbl *t, const struct flow_key *key, const struct flow_key *mask,
		   const void *actions, size_t actions_len, const struct flow_ufid *ufid,
		   struct flowtbl_flow **out);
/* The flow with this masked key (masked here) and mask, or NULL. Writer. */
struct flowtbl_flow *flowtbl_find_exact(const struct flowtbl *t, const struct flow_key *key,
					const struct flow_key *mask);
/*
 * The flow a packet with this key would hit, or NULL: the first, in the
 * readers' subtable order, whose mask and masked key match; as
 * flowtbl_lookup_burst() finds it, but for the writer, without a reader
 * slot or counters (the kernel's ovs_flow_tbl_lookup() before a NEW).
 * Writer.
 */
struct flowtbl_flow *flowtbl_lookup_key(const struct flowtbl *t, const struct flow_key *key);
/*
 * A (key, mask) about to be inserted, as flowtbl_insert_prepare() found
 * it: its mask's subtable and its hash there, and the masked key, which
 * the lookup and the insert that follow take instead of finding them
 * again (one NEW would find them three times). Only flowtbl reads the
 * fields. Valid for the same key (masked or not) and mask until the table
 * next changes, while the masked key given to the prepare is unchanged.
 */
struct flowtbl_prep {
	const void *st;                /* the mask's subtable; NULL: a new mask */
	const struct flow_key *masked; /* the caller's key & mask */
	uint32_t hash;                 /* the masked key's hash in it */
};
/*
 * Fill 'prep' for the masked key 'masked' (key & mask, which the caller
 * keeps unchanged until the insert) and 'mask', and start fetching the
 * bucket that the insert would fill, so that its cache miss overlaps what
 * the caller does before the insert (the lookup for an overlapping flow).
 * No effect on the table. Writer.
 */
void flowtbl_insert_prepare(struct flowtbl *t, const struct flow_key *masked,
			    const struct flow_key *mask, struct flowtbl_prep *prep);
/* flowtbl_lookup_key(), with the hash in prep's subtable taken from
 * 'prep' (of this key, or NULL). Writer. */
struct flowtbl_flow *flowtbl_lookup_key_prep(const struct flowtbl *t, const struct flow_key *key,
					     const struct flowtbl_prep *prep);
/* flowtbl_insert(), with the subtable, hash and masked key taken from
 * 'prep' (of this key and mask, or NULL). A 'key' that is prep's masked
 * key itself (the same pointer) says the key was sent masked. Writer. */
int flowtbl_insert_prepared(struct flowtbl *t, const struct flowtbl_prep *prep,
			    const struct flow_key *key, const struct flow_key *mask,
			    const void *actions, size_t actions_len, const struct flow_ufid *ufid,
			    struct flowtbl_flow **out);
/*
 * The flow without a UFID that was inserted with exactly this key (as
 * given, before masking), or NULL: the kernel's ovs_flow_tbl_lookup_exact(),
 * a masked lookup under each mask, then a compare of the identifiers.
 * Writer.
 */
struct flowtbl_flow *flowtbl_find_ident(const struct flowtbl *t, const struct flow_key *key);
/* The flow with this UFID, or NULL. Writer. */
struct flowtbl_flow *flowtbl_find_ufid(const struct flowtbl *t, const struct flow_ufid *ufid);
/* Replace a live flow's actions atomically; the old ones are freed after a
 * grace period. -EINVAL: as insert, or a removed flow; -ENOMEM. Writer. */
int flowtbl_actions_replace(struct flowtbl *t, struct flowtbl_flow *f, const void *actions,
			    size_t actions_len);
/* Zero the flow's stats, used and tcp_flags (OVS_FLOW_ATTR_CLEAR).
 * -ENOMEM, with nothing changed: the first clear among a chunk of flow
 * slots allocates their bases. Writer. */
int flowtbl_stats_clear(struct flowtbl *t, struct flowtbl_flow *f);
/* Unlink a flow now, free it after a grace period. Never waits. Removing
 * it again before the next synchronize/reclaim is a no-op. Writer
 * (revalidator: delete by pointer). */
void flowtbl_remove(struct flowtbl *t, struct flowtbl_flow *f);
/* Remove every flow. Writer. */
void flowtbl_flush(struct flowtbl *t);

/*
 * Resumable dump in flow-id order (ids grow with each insert, from 1).
 * Fills out[] with up to 'max' live flows whose id is > *cursor, sets
 * *cursor to the last id returned, returns how many (0: the end). Start
 * with *cursor = 0. Between calls the writer may insert and remove (the
 * revalidator may remove the flows it was just given): every flow that
 * lives through the whole dump comes exactly once, a removed flow never
 * comes after its removal. A caller that used only part of out[] sets
 * *cursor to flowtbl_flow_id() of the last flow it used. Writer.
 */
size_t flowtbl_dump(const struct flowtbl *t, uint64_t *cursor, struct flowtbl_flow **out,
		    size_t max);

/* Wait one grace period (every online reader reports quiescent), then free
 * everything removed or replaced so far. Writer; never from a reader. */
void flowtbl_synchronize(struct flowtbl *t);
/* Free what has already passed a grace period; never waits. Returns the
 * number of objects still waiting. Writer; call it periodically. */
size_t flowtbl_reclaim(struct flowtbl *t);
/* Re-rank subtables by their hits since the last call (most first). Writer;
 * call it about once a second, off the hot path. */
void flowtbl_rerank(struct flowtbl *t);

uint32_t flowtbl_count(const struct flowtbl *t);       /* live flows; writer */
uint32_t flowtbl_mask_count(const struct flowtbl *t);  /* subtables; writer */
/* Heap bytes the table holds (flows, actions, subtables, indexes, stats,
 * deferred frees; PMD caches excluded). Writer. */
size_t flowtbl_memory(const struct flowtbl *t);
/* One mask (subtable), for statistics. */
struct flowtbl_mask_info {
	struct flow_key mask;
	struct flow_key example; /* the (masked) key of one of its flows, for
				  * printing the mask as a flow (the text
				  * format needs eth_type, ip proto...) */
	uint32_t n_flows;    /* flows with this mask */
	uint64_t hits;       /* packets the classifier found in this subtable
			      * (exact-match cache hits not included) */
};
/* The i-th mask in the readers' (ranked) order: 0, or -ENOENT past the
 * last. Writer. */
int flowtbl_mask_info(const struct flowtbl *t, uint32_t i, struct flowtbl_mask_info *info);
/* Counters summed over the PMD contexts (relaxed reads). Writer. */
void flowtbl_counters_get(const struct flowtbl *t, struct flowtbl_counters *c);
/* The table's QSBR variable (n_readers threads), for callers that defer
 * their own frees on the same grace periods. Any thread. */
struct rte_rcu_qsbr *flowtbl_qsbr(struct flowtbl *t);

/*
 * Flow accessors. Writer: any flow it holds. Reader: a flow its lookup
 * returned, until its next quiescent report.
 */
uint64_t flowtbl_flow_id(const struct flowtbl_flow *f);
void flowtbl_flow_key(const struct flowtbl_flow *f, struct flow_key *key);   /* masked key */
void flowtbl_flow_mask(const struct flowtbl_flow *f, struct flow_key *mask);
/* The key a flow without UFID was inserted with (its identifier); for a
 * flow with a UFID, its masked key. Writer. */
void flowtbl_flow_ident_key(const struct flowtbl_flow *f, struct flow_key *key);
/* True if the flow has no UFID and was inserted with this key. Writer. */
bool flowtbl_flow_ident_equal(const struct flowtbl_flow *f, const struct flow_key *key);
/* True and *ufid filled if the flow was inserted with a UFID. */
bool flowtbl_flow_ufid(const struct flowtbl_flow *f, struct flow_ufid *ufid);
/* Current actions (acquire load): never NULL, len may be 0 (drop). */
const struct flowtbl_actions *flowtbl_flow_actions(const struct flowtbl_flow *f);
/* Port + 1 when the actions are output(port) and nothing else (port below
 * 65535), 0 for any other list: the PMD then outputs without reading the actions, which are
 * another cache line. Any thread; relaxed, so during a
 * flowtbl_actions_replace() it may give the old actions' port, as a PMD
 * may still run the old actions then. */
uint32_t flowtbl_flow_out1(const struct flowtbl_flow *f);
/* True once the flow was removed. */
bool flowtbl_flow_dead(const struct flowtbl_flow *f);
/* When the flow was made, on the caller's ms clock (0 until set): a flow
 * that never saw a packet is idle since then. Writer. */
void flowtbl_flow_set_created(struct flowtbl_flow *f, uint64_t now);
uint64_t flowtbl_flow_created(const struct flowtbl_flow *f);
/* Stats summed over reader slots (relaxed reads: a burst being counted
 * right now may or may not be in). Writer. */
void flowtbl_flow_stats_get(const struct flowtbl *t, const struct flowtbl_flow *f,
			    struct flowtbl_flow_stats *s);

#endif /* FLOWTBL_H */
