/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flowtbl subtable hash tables (layout in flowtbl_int.h).
 *
 * One writer, lock-free readers: the writer only ever fills an empty entry
 * or empties a full one, each with one atomic 64-bit store, so a reader
 * sees every entry either before or after a change, never half of it.
 * Entries never move within a table; growing, shrinking or clearing stale
 * overflow flags builds a new table, publishes it with a release store and
 * frees the old one after a grace period.
 */
#include <errno.h>

#include "flowtbl_int.h"

#define REBUILD_AHEAD 4

/* Entries a table of nb buckets may hold: half its slots. A miss (most
 * probes, with several masks) stops at an unflagged bucket; at 3/4 load a
 * quarter of the buckets overflow, and misses walk on into the next. */
static uint32_t htab_limit(uint32_t nb)
{
	return nb * BUCKET_ENTRIES / 2;
}

static size_t htab_size(uint32_t nb)
{
	return sizeof(struct htab) + (size_t)nb * (sizeof(struct bucket) + sizeof(uint32_t));
}

static struct htab *htab_alloc(struct flowtbl *t, uint32_t nb)
{
	struct htab *ht = ft_pool_alloc(t, htab_size(nb));

	if (ht)
		ht->mask = nb - 1;
	return ht;
}

void ft_htab_free(struct flowtbl *t, struct htab *ht)
{
	if (ht)
		ft_pool_free(t, ht, htab_size(ht->mask + 1));
}

static void htab_free_deferred(struct flowtbl *t, void *p)
{
	ft_htab_free(t, p);
}

/* Put a flow in the first bucket with room from its hash on. Writer. */
static void htab_place(struct htab *ht, struct flowtbl_flow *f, uint32_t hash)
{
	uint64_t ent = ent_make(f, hash);
	uint32_t *filter = &htab_filter(ht)[hash & ht->mask];

	/* Relaxed, one writer: PMDs read the word meanwhile (filter_pass()).
	 * The entry's release store below orders the bit before the flow. */
	STORE_RLX(filter, *filter | filter_bit(hash));
	for (uint32_t b = hash & ht->mask;; b = (b + 1) & ht->mask) {
		struct bucket *bk = &ht->b[b];
		uint64_t meta = bk->meta;

		if ((meta & BUCKET_COUNT_MASK) < BUCKET_ENTRIES) {
			for (int i = 0; i < BUCKET_ENTRIES; i++) {
				if (bk->e[i])
					continue;
				/* Release: the flow is initialised before a
				 * reader can load its pointer from here. */
				STORE_REL(&bk->e[i], ent);
				STORE_RLX(&bk->meta, meta + 1);
				ht->n_entries++;
				return;
			}
		}
		if (!(meta & BUCKET_OVERFLOW)) {
			/* Set before the entry lands further on; a reader that
			 * misses the flag has just not seen this insert yet. */
			STORE_REL(&bk->meta, meta | BUCKET_OVERFLOW);
			ht->n_overflow++;
		}
	}
}

/* Build a table of nb buckets with st's flows and publish it. */
static int htab_rebuild(struct flowtbl *t, struct subtable *st, uint32_t nb)
{
	struct htab *old = st->ht, *ht = htab_alloc(t, nb);

	if (!ht)
		return -ENOMEM;
	for (uint32_t b = 0; old && b <= old->mask; b++) {
		/* Placing a flow hashes its key words: fetch the flows of a
		 * bucket a few ahead, so the misses overlap (a third of insert
		 * time in a 1M-flow build went to rebuilds without this), both
		 * lines for masks whose words reach the second. */
		if (b + REBUILD_AHEAD <= old->mask)
			for (int i = 0; i < BUCKET_ENTRIES; i++)
				if (old->b[b + REBUILD_AHEAD].e[i]) {
					const char *p = (const char *)ent_flow(old->b[b + REBUILD_AHEAD].e[i]);

					__builtin_prefetch(p);
					if (st->n_words > KW_LINE1)
						__builtin_prefetch(p + CACHE_LINE);
				}
		for (int i = 0; i < BUCKET_ENTRIES; i++)
			if (old->b[b].e[i]) {
				struct flowtbl_flow *f = ent_flow(old->b[b].e[i]);

				htab_place(ht, f, flow_hash(st, f));
			}
	}
	ht->ov_base = ht->n_overflow;
	/* Release: readers that load the new table see its entries. */
	STORE_REL(&st->ht, ht);
	if (old) {
		/* A batch of its own, which the next inserts poll: during a
		 * bulk install the old buckets go back as soon as the readers
		 * have moved on, instead of being held beside the new ones
		 * until the next commit or revalidator round. */
		ft_defer_free(t, htab_free_deferred, old);
		ft_defer_close(t);
	}
	return 0;
}

/* Make room for n_more flows (rebuilding if the table is too full or has
 * too many stale overflow flags). Writer. */
int ft_htab_reserve(struct flowtbl *t, struct subtable *st, uint32_t n_more)
{
	struct htab *ht = st->ht;
	uint32_t nb = ht ? ht->mask + 1 : 1;
	uint32_t need = (ht ? ht->n_entries : 0) + n_more;

	/* Flags left by removed flows only go away in a rebuild: do one when
	 * they have grown well past what the last build needed. */
	if (ht && need <= htab_limit(nb) && ht->n_overflow <= ht->ov_base + nb / 8 + 1)
		return 0;
	/* After flowtbl_reserve(), the first subtable that grows big grows at
	 * once to the reserved flows the others do not hold: growing by
	 * doublings, the last ones re-place most of the flows into fresh
	 * memory past the reserved region, a stall long enough for a reactive
	 * controller's misses to overflow the upcall queues. Once: a table of
	 * many masks does not get an oversized hash for each. */
	if (t->htab_hint && ht && need >= HTAB_HINT_MIN) {
		uint32_t others = t->n_flows - ht->n_entries;
		uint32_t rest = t->htab_hint > others ? t->htab_hint - others : 0;

		if (rest > need)
			need = rest;
		t->htab_hint = 0;
	}
	while (need > htab_limit(nb)) {
		if (nb >= (1u << 30))
			return -ENOSPC;
		nb *= 2;
	}
	return htab_rebuild(t, st, nb);
}

/* Insert; ft_htab_reserve() made room. Writer. */
void ft_htab_add(struct subtable *st, struct flowtbl_flow *f)
{
	htab_place(st->ht, f, flow_cold(f)->hash);
}

/* Remove a flow that is in the table. Writer. */
void ft_htab_del(struct flowtbl *t, struct subtable *st, struct flowtbl_flow *f)
{
	struct htab *ht = st->ht;
	uint32_t nb = ht->mask + 1;

	for (uint32_t b = flow_cold(f)->hash & ht->mask, n = 0; n < nb; b = (b + 1) & ht->mask, n++) {
		struct bucket *bk = &ht->b[b];

		for (int i = 0; i < BUCKET_ENTRIES; i++) {
			if (ent_flow(bk->e[i]) != f)
				continue;
			/* The flow is already marked dead; a reader that still
			 * loads the old entry skips it on that flag. */
			STORE_REL(&bk->e[i], 0);
			STORE_RLX(&bk->meta, bk->meta - 1);
			ht->n_entries--;
			/* Shrink at 1/8 of the limit; failing is harmless. */
			if (nb > 1 && ht->n_entries < htab_limit(nb) / 8)
				htab_rebuild(t, st, nb / 2);
			return;
		}
	}
}

/*
 * The live flow matching 'key' (a packet key, or a masked key) among those
 * with this hash, or NULL. Any thread: readers pass the table they loaded
 * with acquire; the writer passes st->ht.
 */
struct flowtbl_flow *ft_htab_find(const struct subtable *st, const struct htab *ht, uint32_t hash,
			       const struct flow_key *key)
{
	uint64_t sig = ent_sig(hash);
	uint32_t b = hash & ht->mask;

	for (uint32_t n = 0; n <= ht->mask; n++, b = (b + 1) & ht->mask) {
		const struct bucket *bk = &ht->b[b];

		for (int i = 0; i < BUCKET_ENTRIES; i++) {
			/* Acquire: pairs with htab_place's release. */
			uint64_t e = LOAD_ACQ(&bk->e[i]);
			struct flowtbl_flow *f = ent_flow(e);

			if (ent_match(e, sig) && flow_matches(st, f, key) && !flow_is_dead(f))
				return f;
		}
		if (!(LOAD_ACQ(&bk->meta) & BUCKET_OVERFLOW))
			break;
	}
	return NULL;
}
