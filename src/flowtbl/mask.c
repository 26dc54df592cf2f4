/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flowtbl masks: one subtable per distinct mask, and the ranked vector of
 * subtables that readers walk.
 *
 * A mask is kept compact: the indexes and values of its non-zero 64-bit
 * words (a fixed-width miniflow). Two masks are equal iff their compact
 * forms are, and hashing or comparing a key under a mask touches only
 * those words. The vector is copied on every change (new mask, empty
 * mask, rerank) and published with a release store; the old copy is freed
 * after a grace period, so a reader walks a consistent snapshot.
 *
 * All functions: writer only.
 */
#include <errno.h>
#include <string.h>

#include "flowtbl_int.h"

void ft_mask_compact(const struct flow_key *mask, struct subtable *st)
{
	const uint64_t *w = flow_key_words(mask);
	uint32_t h = 0, n = 0;

	for (uint32_t i = 0; i < FLOW_KEY_WORDS; i++) {
		if (!w[i])
			continue;
		st->widx[n] = (uint8_t)i;
		st->mw[n++] = w[i];
		h = hash_add64(h, w[i] ^ ((uint64_t)i << 56));
	}
	st->n_words = n;
	st->mask_hash = hash_finish(h ^ n);
	/* Zero past the count: the cache's verify of a 4-word mask reads
	 * index and word 5, masked out (lookup.c, flow_matches_line1()). */
	for (uint32_t i = n; i < FLOW_KEY_WORDS; i++) {
		st->widx[i] = 0;
		st->mw[i] = 0;
	}
}

static bool mask_equal(const struct subtable *a, const struct subtable *b)
{
	return a->mask_hash == b->mask_hash && a->n_words == b->n_words &&
	       memcmp(a->widx, b->widx, a->n_words) == 0 &&
	       memcmp(a->mw, b->mw, a->n_words * sizeof(a->mw[0])) == 0;
}

/* The subtable with proto's compact mask, or NULL. */
struct subtable *ft_subtable_find(struct flowtbl *t, const struct subtable *proto)
{
	if (t->last_st && mask_equal(t->last_st, proto))
		return t->last_st;
	for (uint32_t i = 0; i < t->n_subtables; i++) {
		if (mask_equal(t->subtables[i], proto)) {
			t->last_st = t->subtables[i];
			return t->subtables[i];
		}
	}
	return NULL;
}

/*
 * The subtable for a full mask, or NULL with 'proto' filled for a new one.
 * Bulk installs repeat one mask, so the last mask found is compared whole
 * (one memcmp) before it is compacted and hashed word by word.
 */
struct subtable *ft_subtable_for_mask(struct flowtbl *t, const struct flow_key *mask,
				      struct subtable *proto)
{
	struct subtable *st;

	if (t->memo_st && flow_key_equal(&t->memo_mask, mask))
		return t->memo_st;
	ft_mask_compact(mask, proto);
	st = ft_subtable_find(t, proto);
	if (st) {
		t->memo_st = st;
		t->memo_mask = *mask;
	}
	return st;
}

/* A new, unpublished subtable for proto's mask. */
struct subtable *ft_subtable_create(struct flowtbl *t, const struct subtable *proto)
{
	size_t size = sizeof(struct subtable) + t->n_readers * sizeof(struct st_reader);
	struct subtable *st = ft_tbl_alloc(t, CACHE_LINE, size, true);

	if (!st)
		return NULL;
	st->n_words = proto->n_words;
	memcpy(st->widx, proto->widx, sizeof(st->widx));
	memcpy(st->mw, proto->mw, sizeof(st->mw));
	st->mask_hash = proto->mask_hash;
	return st;
}

void ft_subtable_destroy_now(struct flowtbl *t, struct subtable *st)
{
	if (t->last_st == st)
		t->last_st = NULL;
	if (t->memo_st == st)
		t->memo_st = NULL;
	ft_htab_free(t, st->ht);
	ft_tbl_free(t, st);
}

static void subtable_free_deferred(struct flowtbl *t, void *p)
{
	ft_subtable_destroy_now(t, p);
}

static struct stvec *stvec_alloc(struct flowtbl *t, uint32_t n)
{
	struct stvec *v = ft_tbl_alloc(t, CACHE_LINE, sizeof(*v) + n * sizeof(v->st[0]), false);

	if (v)
		v->n = n;
	return v;
}

/* Publish a new vector; the old one goes after a grace period. */
static void stvec_swap(struct flowtbl *t, struct stvec *v)
{
	struct stvec *old = t->stv;

	/* Relaxed: a hint for the adaptive cache, exact soon enough. */
	for (uint32_t i = 0; i < v->n; i++)
		STORE_RLX(&v->st[i]->rank, i);
	/* Release: the vector and the subtables it names are initialised
	 * before readers can load it. */
	STORE_REL(&t->stv, v);
	ft_defer_free(t, ft_defer_fn_free, old);
}

/* Add st (with its hash table made) at the end of the readers' vector. */
int ft_subtable_publish(struct flowtbl *t, struct subtable *st)
{
	struct stvec *v;
	int err;

	err = ft_vec_reserve(t, (void **)&t->subtables, &t->cap_subtables, t->n_subtables + 1,
			  sizeof(*t->subtables));
	if (err)
		return err;
	v = stvec_alloc(t, t->stv->n + 1);
	if (!v)
		return -ENOMEM;
	memcpy(v->st, t->stv->st, t->stv->n * sizeof(v->st[0]));
	v->st[t->stv->n] = st;
	stvec_swap(t, v);
	st->pos = t->n_subtables;
	t->subtables[t->n_subtables++] = st;
	t->last_st = st;
	return 0;
}

/* Take an empty subtable out of the readers' vector and free it after a
 * grace period. Without memory for the new vector it just stays, empty,
 * probed for nothing, until a flow with its mask comes back. */
void ft_subtable_unpublish(struct flowtbl *t, struct subtable *st)
{
	struct stvec *v = stvec_alloc(t, t->stv->n - 1);
	uint32_t j = 0;

	if (!v)
		return;
	for (uint32_t i = 0; i < t->stv->n; i++)
		if (t->stv->st[i] != st)
			v->st[j++] = t->stv->st[i];
	stvec_swap(t, v);
	t->subtables[st->pos] = t->subtables[--t->n_subtables];
	t->subtables[st->pos]->pos = st->pos;
	if (t->last_st == st)
		t->last_st = NULL;
	if (t->memo_st == st)
		t->memo_st = NULL;
	ft_defer_free(t, subtable_free_deferred, st);
}

uint32_t flowtbl_mask_count(const struct flowtbl *t)
{
	return t->n_subtables;
}

int flowtbl_mask_info(const struct flowtbl *t, uint32_t i, struct flowtbl_mask_info *info)
{
	const struct subtable *st;
	flow_word_t *w;

	if (i >= t->stv->n)
		return -ENOENT;
	st = t->stv->st[i];
	memset(info, 0, sizeof(*info));
	w = (flow_word_t *)&info->mask;
	for (uint32_t k = 0; k < st->n_words; k++)
		w[st->widx[k]] = st->mw[k];
	info->n_flows = st->n_flows;
	/* Any flow will do: the table is at least 1/8 full, so the first
	 * entry is a few buckets away. */
	for (uint32_t b = 0; b <= st->ht->mask; b++) {
		const struct bucket *bk = &st->ht->b[b];
		int e = 0;

		while (e < BUCKET_ENTRIES && ent_flow(bk->e[e]) == NULL)
			e++;
		if (e < BUCKET_ENTRIES) {
			flowtbl_flow_key(ent_flow(bk->e[e]), &info->example);
			break;
		}
	}
	for (uint32_t s = 0; s < t->n_readers; s++)
		info->hits += LOAD_RLX(&st->rd[s].hits);
	return 0;
}

/*
 * Rank by hits since the last rerank, most first: a packet stops at the
 * first subtable that matches, so busy masks in front cut the masks probed
 * per packet. Insertion sort of the current order: stable (ties keep
 * their place, so an idle table is never republished) and the vector is
 * nearly sorted already.
 */
void flowtbl_rerank(struct flowtbl *t)
{
	const struct stvec *cur = t->stv;
	struct stvec *v;
	bool moved = false;

	for (uint32_t i = 0; i < cur->n; i++) {
		struct subtable *st = cur->st[i];
		uint64_t sum = 0;

		for (uint32_t s = 0; s < t->n_readers; s++)
			sum += LOAD_RLX(&st->rd[s].hits);
		st->rank_hits = sum - st->last_hits;
		st->last_hits = sum;
	}
	v = stvec_alloc(t, cur->n);
	if (!v)
		return;
	memcpy(v->st, cur->st, cur->n * sizeof(v->st[0]));
	for (uint32_t i = 1; i < v->n; i++) {
		struct subtable *st = v->st[i];
		uint32_t j = i;

		for (; j > 0 && v->st[j - 1]->rank_hits < st->rank_hits; j--)
			v->st[j] = v->st[j - 1];
		moved |= j != i;
		v->st[j] = st;
	}
	if (moved)
		stvec_swap(t, v);
	else
		ft_tbl_free(t, v);
}
