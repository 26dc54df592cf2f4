/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flowtbl flow slots and per-reader stats.
 *
 * Every live flow owns a small integer "idx". It indexes the idx->flow
 * directory (which the exact-match caches use: an entry holds an idx, not
 * a pointer, so it can never dangle) and each counting slot's stats array
 * (so that a PMD updates stats in memory no other core writes). Both are
 * arrays of CHUNK_SIZE-entry chunks under a directory sized at create, so
 * they grow without moving. An idx is recycled only after the grace
 * period that frees its flow, when no reader can still use it. Reader
 * slots at or above n_stats (a control thread that looks flows up but
 * never counts) have no stats arrays: 32 bytes a flow each.
 *
 * All functions: writer only.
 */
#include <errno.h>
#include <string.h>

#include "flowtbl_int.h"

static uint32_t dir_len(const struct flowtbl *t)
{
	return (t->idx_cap + CHUNK_SIZE - 1) >> CHUNK_SHIFT;
}

int ft_slots_init(struct flowtbl *t)
{
	uint32_t n = dir_len(t);

	t->idx_dir = ft_tbl_alloc(t, 0, n * sizeof(*t->idx_dir), true);
	t->base_dir = ft_tbl_alloc(t, 0, n * sizeof(*t->base_dir), true);
	t->stats_dir = ft_tbl_alloc(t, 0, t->n_readers * sizeof(*t->stats_dir), true);
	if (!t->idx_dir || !t->base_dir || !t->stats_dir)
		return -ENOMEM;
	for (uint32_t s = 0; s < t->n_stats; s++) {
		t->stats_dir[s] = ft_tbl_alloc(t, 0, n * sizeof(**t->stats_dir), true);
		if (!t->stats_dir[s])
			return -ENOMEM;
	}
	return 0;
}

void ft_slots_fini(struct flowtbl *t)
{
	for (uint32_t c = 0; c < t->n_chunks; c++) {
		ft_tbl_free(t, t->idx_dir[c]);
		ft_tbl_free(t, t->base_dir[c]);
		for (uint32_t s = 0; s < t->n_stats; s++)
			ft_tbl_free(t, t->stats_dir[s][c]);
	}
	for (uint32_t s = 0; t->stats_dir && s < t->n_stats; s++)
		ft_tbl_free(t, t->stats_dir[s]);
	ft_tbl_free(t, t->stats_dir);
	ft_tbl_free(t, t->base_dir);
	ft_tbl_free(t, t->idx_dir);
	ft_tbl_free(t, t->free_idx);
}

/* Add one chunk of slots: directory entry and every reader's stats. */
static int chunk_add(struct flowtbl *t)
{
	uint32_t c = t->n_chunks;
	struct slot_stats *stats[FLOWTBL_READERS_MAX];
	struct flowtbl_flow **flows;
	int err;

	if (c >= dir_len(t))
		return -ENOSPC;
	/* Room to recycle every idx of the new chunk: release never fails. */
	err = ft_vec_reserve(t, (void **)&t->free_idx, &t->cap_free_idx, (c + 1) * CHUNK_SIZE,
			  sizeof(*t->free_idx));
	if (err)
		return err;
	flows = ft_tbl_alloc(t, CACHE_LINE, CHUNK_SIZE * sizeof(*flows), true);
	if (!flows)
		return -ENOMEM;
	for (uint32_t s = 0; s < t->n_stats; s++) {
		stats[s] = ft_tbl_alloc(t, CACHE_LINE, CHUNK_SIZE * sizeof(**stats), true);
		if (!stats[s]) {
			while (s--)
				ft_tbl_free(t, stats[s]);
			ft_tbl_free(t, flows);
			return -ENOMEM;
		}
	}
	/* Plain stores: readers reach a chunk only through a flow with an idx
	 * in it, published later with a release store. */
	t->idx_dir[c] = flows;
	for (uint32_t s = 0; s < t->n_stats; s++)
		t->stats_dir[s][c] = stats[s];
	t->n_chunks++;
	return 0;
}

int ft_slots_reserve(struct flowtbl *t, uint32_t n)
{
	uint32_t want = (uint32_t)(((uint64_t)n + CHUNK_SIZE - 1) >> CHUNK_SHIFT);

	if (want > dir_len(t))
		want = dir_len(t);
	while (t->n_chunks < want) {
		int err = chunk_add(t);

		if (err)
			return err;
	}
	return 0;
}

static int idx_take(struct flowtbl *t, uint32_t *idx)
{
	if (t->n_free_idx) {
		*idx = t->free_idx[--t->n_free_idx];
		return 0;
	}
	if (t->next_idx == t->n_chunks * CHUNK_SIZE) {
		int err = chunk_add(t);

		if (err)
			return err;
	}
	*idx = t->next_idx++;
	return 0;
}

/* A free idx. When every idx is held by removed flows still in their grace
 * period, free what is safe, then wait one grace period (rare: needs
 * idx_cap - max_flows removals pending). */
int ft_idx_alloc(struct flowtbl *t, uint32_t *idx)
{
	int err = idx_take(t, idx);

	if (err != -ENOSPC)
		return err;
	flowtbl_reclaim(t);
	err = idx_take(t, idx);
	if (err != -ENOSPC)
		return err;
	flowtbl_synchronize(t);
	return idx_take(t, idx);
}

void ft_idx_release(struct flowtbl *t, uint32_t idx)
{
	t->free_idx[t->n_free_idx++] = idx;
}

/* Zero a recycled idx's stats in every slot, and its base. No reader
 * writes them: the previous flow at this idx is past its grace period. */
void ft_slot_stats_zero(struct flowtbl *t, uint32_t idx)
{
	struct stats_base *base = t->base_dir[idx >> CHUNK_SHIFT];

	for (uint32_t s = 0; s < t->n_stats; s++) {
		struct slot_stats *st = &t->stats_dir[s][idx >> CHUNK_SHIFT][idx & CHUNK_MASK];

		STORE_RLX(&st->packets, 0);
		STORE_RLX(&st->bytes, 0);
		STORE_RLX(&st->used, 0);
		STORE_RLX(&st->tcp_flags, 0);
	}
	if (base)
		base[idx & CHUNK_MASK] = (struct stats_base){ 0, 0 };
}

void flowtbl_flow_stats_get(const struct flowtbl *t, const struct flowtbl_flow *f,
			    struct flowtbl_flow_stats *out)
{
	const struct stats_base *base = t->base_dir[f->idx >> CHUNK_SHIFT];
	uint64_t packets = 0, bytes = 0, used = 0, flags = 0;

	for (uint32_t s = 0; s < t->n_stats; s++) {
		const struct slot_stats *st = &t->stats_dir[s][f->idx >> CHUNK_SHIFT][f->idx & CHUNK_MASK];
		uint64_t u = LOAD_RLX(&st->used);

		/* Relaxed: each counter is written by one reader; a torn view
		 * across counters is fine for stats. */
		packets += LOAD_RLX(&st->packets);
		bytes += LOAD_RLX(&st->bytes);
		flags |= LOAD_RLX(&st->tcp_flags);
		used = u > used ? u : used;
	}
	if (base) {
		packets -= base[f->idx & CHUNK_MASK].packets;
		bytes -= base[f->idx & CHUNK_MASK].bytes;
	}
	out->packets = packets;
	out->bytes = bytes;
	/* No packet since the clear: whatever used/flags a racing update left
	 * behind predates it. */
	out->used = out->packets ? used : 0;
	out->tcp_flags = out->packets ? (uint16_t)flags : 0;
}

/*
 * Clearing cannot zero the readers' counters (a reader's load+store would
 * undo it), so the sums at the clear become the flow's base and reads
 * subtract it. used and tcp_flags are zeroed; a racing update can leave an
 * old value, which the read above hides until the next packet.
 */
int flowtbl_stats_clear(struct flowtbl *t, struct flowtbl_flow *f)
{
	struct stats_base **chunk = &t->base_dir[f->idx >> CHUNK_SHIFT];
	struct flowtbl_flow_stats now;

	if (!*chunk) {
		/* Zeroed: every other flow of the chunk keeps a base of 0. */
		*chunk = ft_tbl_alloc(t, 0, CHUNK_SIZE * sizeof(**chunk), true);
		if (!*chunk)
			return -ENOMEM;
	}
	flowtbl_flow_stats_get(t, f, &now);
	(*chunk)[f->idx & CHUNK_MASK].packets += now.packets;
	(*chunk)[f->idx & CHUNK_MASK].bytes += now.bytes;
	for (uint32_t s = 0; s < t->n_stats; s++) {
		struct slot_stats *st = &t->stats_dir[s][f->idx >> CHUNK_SHIFT][f->idx & CHUNK_MASK];

		STORE_RLX(&st->used, 0);
		STORE_RLX(&st->tcp_flags, 0);
	}
	return 0;
}
