/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flowtbl writer-side indexes: the dump vector (flows in id order) and the
 * UFID hash.
 *
 * Dump: flows get increasing ids and are appended, so the vector is
 * sorted by id. Removal leaves a hole that keeps its id (the vector stays
 * sorted); holes are squeezed out when they are over half the vector. A
 * dump cursor is the last id returned: resuming is a binary search, and
 * neither inserts (larger ids, at the end) nor removals (holes) nor
 * compaction (order kept) can make a flow come twice or be skipped.
 *
 * UFID: chained hash, chains of flow idx through flow_cold.ufid_next
 * (4 bytes a link, not a pointer's 8).
 *
 * All functions: writer only.
 */
#include <errno.h>
#include <string.h>

#include "flowtbl_int.h"

int ft_dump_reserve(struct flowtbl *t, uint32_t n)
{
	if (n > UINT32_MAX - t->n_dump)
		return -ENOMEM;
	return ft_vec_reserve(t, (void **)&t->dumpv, &t->cap_dump, t->n_dump + n, sizeof(*t->dumpv));
}

void ft_dump_add(struct flowtbl *t, struct flowtbl_flow *f)
{
	struct flow_cold *cold = flow_cold(f);

	cold->dump_pos = t->n_dump;
	t->dumpv[t->n_dump++] = (struct dump_ent){ .id = cold->id, .f = f };
}

static void dump_compact(struct flowtbl *t)
{
	uint32_t j = 0;

	for (uint32_t i = 0; i < t->n_dump; i++) {
		struct flowtbl_flow *f = t->dumpv[i].f;

		if (!f)
			continue;
		flow_cold(f)->dump_pos = j;
		t->dumpv[j++] = t->dumpv[i];
	}
	t->n_dump = j;
	t->n_holes = 0;
}

void ft_dump_del(struct flowtbl *t, struct flowtbl_flow *f)
{
	t->dumpv[flow_cold(f)->dump_pos].f = NULL;
	t->n_holes++;
	/* Trailing holes go at once (cheap, keeps flush linear). */
	while (t->n_dump && !t->dumpv[t->n_dump - 1].f) {
		t->n_dump--;
		t->n_holes--;
	}
	if (t->n_holes > 64 && t->n_holes * 2 > t->n_dump)
		dump_compact(t);
}

/* The live flow with the largest id, or NULL. */
struct flowtbl_flow *ft_dump_last(const struct flowtbl *t)
{
	return t->n_dump ? t->dumpv[t->n_dump - 1].f : NULL;
}

/* Index of the first entry with id > cursor. */
static uint32_t dump_search(const struct flowtbl *t, uint64_t cursor)
{
	uint32_t lo = 0, hi = t->n_dump;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (t->dumpv[mid].id <= cursor)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t flowtbl_dump(const struct flowtbl *t, uint64_t *cursor, struct flowtbl_flow **out,
		    size_t max)
{
	size_t n = 0;

	if (!t || !cursor || (!out && max))
		return 0;
	for (uint32_t i = dump_search(t, *cursor); i < t->n_dump && n < max; i++) {
		if (t->dumpv[i].f) {
			out[n++] = t->dumpv[i].f;
			*cursor = t->dumpv[i].id;
		}
	}
	return n;
}

static uint32_t ufid_hash(const struct flow_ufid *u)
{
	uint64_t w[2];

	memcpy(w, u, sizeof(w));
	return hash_finish(hash_add64(hash_add64(0, w[0]), w[1]));
}

/* The live flow at idx1 - 1 (a UFID chain link); the writer linked it. */
static struct flowtbl_flow *chain_flow(const struct flowtbl *t, uint32_t idx1)
{
	return *idx_slot(t->idx_dir, idx1 - 1);
}

/* Make room for n more UFIDs: grow the bucket array to keep load <= 1. */
int ft_ufid_reserve(struct flowtbl *t, uint32_t n)
{
	uint32_t nb = t->ufid_b ? t->ufid_mask + 1 : 32;
	uint32_t *b;

	if (t->ufid_b && n <= t->ufid_mask + 1 - t->n_ufid)
		return 0;
	do {
		if (nb > (UINT32_MAX >> 1))
			return -ENOMEM;
		nb *= 2;
	} while (nb - t->n_ufid < n);
	b = ft_tbl_alloc(t, 0, (size_t)nb * sizeof(*b), true);
	if (!b)
		return -ENOMEM;
	for (uint32_t i = 0; t->ufid_b && i <= t->ufid_mask; i++) {
		uint32_t idx1 = t->ufid_b[i], next;

		for (; idx1; idx1 = next) {
			struct flow_cold *cold = flow_cold(chain_flow(t, idx1));
			uint32_t h = ufid_hash(&cold->ufid) & (nb - 1);

			next = cold->ufid_next;
			cold->ufid_next = b[h];
			b[h] = idx1;
		}
	}
	ft_tbl_free(t, t->ufid_b);
	t->ufid_b = b;
	t->ufid_mask = nb - 1;
	return 0;
}

void ft_ufid_add(struct flowtbl *t, struct flowtbl_flow *f)
{
	struct flow_cold *cold = flow_cold(f);
	uint32_t h = ufid_hash(&cold->ufid) & t->ufid_mask;

	cold->ufid_next = t->ufid_b[h];
	t->ufid_b[h] = f->idx + 1;
	t->n_ufid++;
}

/* Links are compared by idx, so the walk reads only the flows before f,
 * all live (f's own idx slot may already be cleared by its removal). */
void ft_ufid_del(struct flowtbl *t, struct flowtbl_flow *f)
{
	struct flow_cold *cold = flow_cold(f);
	uint32_t *pp = &t->ufid_b[ufid_hash(&cold->ufid) & t->ufid_mask];

	while (*pp && *pp != f->idx + 1)
		pp = &flow_cold(chain_flow(t, *pp))->ufid_next;
	if (*pp) {
		*pp = cold->ufid_next;
		t->n_ufid--;
	}
}

struct flowtbl_flow *flowtbl_find_ufid(const struct flowtbl *t, const struct flow_ufid *ufid)
{
	uint32_t idx1;

	if (!t || !ufid || !t->ufid_b)
		return NULL;
	idx1 = t->ufid_b[ufid_hash(ufid) & t->ufid_mask];
	for (; idx1; idx1 = flow_cold(chain_flow(t, idx1))->ufid_next) {
		struct flowtbl_flow *f = chain_flow(t, idx1);

		if (memcmp(&flow_cold(f)->ufid, ufid, sizeof(*ufid)) == 0)
			return f;
	}
	return NULL;
}
