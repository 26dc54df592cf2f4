/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flowtbl hot path: batched lookup (exact-match cache, then the ranked
 * subtables) and per-PMD stats. Owning PMD thread only, online; no locks,
 * no syscalls, no allocation.
 *
 * Each stage handles every key of the burst before the next stage starts,
 * and prefetches what the next stage reads, so the cache misses of up to
 * 32 keys overlap instead of queueing one after the other:
 *   subtable: hash + prefetch bucket -> pick candidate + prefetch flow ->
 *             verify (masked compare, dead flag);
 *   cache:    hash + prefetch set -> idx + prefetch its slot -> flow +
 *             prefetch -> verify.
 */
#include <stdbool.h>

#if defined(__SSE2__)
#include <immintrin.h>
#endif

#include "flowtbl_int.h"

#define FOR_EACH_BIT(i, map) \
	for (uint32_t m_ = (map), i; m_ && ((i = (uint32_t)__builtin_ctz(m_)), 1); m_ &= m_ - 1)

/* Widest mask the specialised probes handle; wider ones take the generic
 * one. */
#define SPEC_WORDS 8

/*
 * What the caller reads and writes next for a flow found: its actions
 * (inline ones are the flow's second cache line) and this PMD's stats
 * slot (NULL 'stats': the PMD counts none). Once the flows outgrow the
 * cache both are misses, which overlap when prefetched with the burst's
 * lookups, where the caller would take them one flow after the other.
 * Only lookups in big tables do it (and cache hits, which may come from
 * any table): the flows of small ones stay in cache.
 */
static inline void prefetch_use(struct slot_stats *const *stats, const struct flowtbl_flow *f)
{
	/* Relaxed: only a hint; the caller loads it with acquire. A list
	 * that is one output is not read (flowtbl_flow_out1()): the flow's
	 * own line (in cache) stands in, without a branch. */
	__builtin_prefetch(LOAD_RLX(&f->out1) ? (const void *)f : (const void *)LOAD_RLX(&f->actions));
	if (stats)
		__builtin_prefetch(&stats[f->idx >> CHUNK_SHIFT][f->idx & CHUNK_MASK], 1);
}

/*
 * Prefetch the cache lines a hit reads of flow 'f': the header and first
 * key words, then, for masks of more than KW_LINE1 words ('line2'), the
 * rest of the key words. Both are requested at once: asked for only when
 * the compare reaches it, the second line was a miss of its own after the
 * first, once per packet, in big tables. A flow object is at least two
 * lines (slab classes of 64 bytes, header and cold part alone exceed
 * one), so the second line is always the flow's. The inline actions are
 * on the second line too, but a list that is one output is not read
 * (flowtbl_flow_out1()); prefetch_use() asks for the others.
 */
_Static_assert(sizeof(struct flowtbl_flow) + sizeof(uint64_t) + sizeof(struct flow_cold) > CACHE_LINE,
	       "a flow spans two cache lines");

static inline void prefetch_flow(const struct flowtbl_flow *f, bool line2)
{
	__builtin_prefetch(f);
	if (line2)
		__builtin_prefetch((const char *)f + CACHE_LINE);
}

/* prefetch_flow() for a cache way's idx1, without a branch (masks of
 * both kinds mix in one burst): without the line-2 bit the second
 * prefetch asks for the first line again. */
static inline void prefetch_flow_idx1(const struct flowtbl_flow *f, uint32_t idx1)
{
	_Static_assert(CACHE_IDX_LINE2 >> 25 == CACHE_LINE, "the bit shifted is the line size");
	__builtin_prefetch(f);
	__builtin_prefetch((const char *)f + ((idx1 >> 25) & CACHE_LINE));
}

/*
 * The first live entry of 'bk' with signature 'sig', as its flow, or NULL.
 * With AVX2 the seven signatures are compared at once (two vector loads
 * of the line) and only a matching entry is loaded again, with acquire,
 * to be checked and used: the vector read is a hint, so a concurrent
 * write to the bucket costs at most a fall-back to the full probe.
 * A miss, most probes of a subtable with several masks, then costs a few
 * instructions instead of a scan of seven entries.
 */
static inline struct flowtbl_flow *bucket_candidate(const struct bucket *bk, uint64_t sig)
{
#if defined(__AVX2__)
	const __m256i *p = (const __m256i *)(const void *)bk->e;
	__m256i hi = _mm256_set1_epi64x((long long)~ENT_PTR_MASK);
	__m256i sv = _mm256_set1_epi64x((long long)sig);
	__m256i a = _mm256_cmpeq_epi64(_mm256_and_si256(_mm256_load_si256(p), hi), sv);
	__m256i b = _mm256_cmpeq_epi64(_mm256_and_si256(_mm256_load_si256(p + 1), hi), sv);
	/* Bit 7 is the meta word, not an entry. */
	uint32_t m = ((uint32_t)_mm256_movemask_pd(_mm256_castsi256_pd(a)) |
		      (uint32_t)_mm256_movemask_pd(_mm256_castsi256_pd(b)) << 4) & 0x7f;

	for (; m; m &= m - 1) {
		/* Acquire: pairs with htab_place's release. */
		uint64_t e = LOAD_ACQ(&bk->e[__builtin_ctz(m)]);

		if (ent_match(e, sig))
			return ent_flow(e);
	}
#else
	for (int j = 0; j < BUCKET_ENTRIES; j++) {
		/* Acquire: pairs with htab_place's release. */
		uint64_t e = LOAD_ACQ(&bk->e[j]);

		if (ent_match(e, sig))
			return ent_flow(e);
	}
#endif
	return NULL;
}

/*
 * The keys of 'map' whose bit is set in the table's presence filter
 * (htab_filter()), each of their buckets prefetched: the others are
 * absent, without a read of their bucket. In a table past the caches a
 * miss then costs a filter word (4 bytes a bucket, a sixteenth of the
 * buckets' memory, which stays in cache) instead of a bucket line from
 * memory; a hit pays one filter read, overlapped across the burst.
 */
static inline uint32_t filter_pass(const struct htab *ht, const uint32_t hashes[], uint32_t map)
{
	const uint32_t *filter = htab_filter(ht);

	FOR_EACH_BIT(i, map) {
		uint32_t b = hashes[i] & ht->mask;

		/* Relaxed: the writer sets a flow's bit before the release
		 * store of its entry; a bit not seen yet is an insert not
		 * seen yet. */
		if (LOAD_RLX(&filter[b]) & filter_bit(hashes[i]))
			__builtin_prefetch(&ht->b[b]);
		else
			map &= ~(1u << i);
	}
	return map;
}

/*
 * Probe one subtable (of n significant words) for every key in 'map';
 * returns the keys found. Hashing masks each key's words once and keeps
 * them (mk) for the compare: the compare then reads no mask and no word
 * index, which otherwise spilled to the stack with n = 4 or more
 * (callgrind, profile (a), one 4-word mask: 113 -> 94 instructions a
 * packet).
 */
static inline __attribute__((always_inline)) uint32_t
subtable_lookup_n(const struct subtable *st, const struct flow_key *const keys[], uint32_t map,
		  struct flowtbl_flow *flows[], struct slot_stats *const *stats, bool filter,
		  uint32_t n)
{
	/* Acquire: the table's buckets are initialised before we read them. */
	const struct htab *ht = LOAD_ACQ(&st->ht);
	struct flowtbl_flow *cand[FLOWTBL_BURST];
	uint32_t hashes[FLOWTBL_BURST];
	uint64_t mk[FLOWTBL_BURST][SPEC_WORDS];
	uint32_t found = 0;

	FOR_EACH_BIT(i, map) {
		const flow_word_t *w = flow_key_words(keys[i]);
		uint32_t h = 0;

		for (uint32_t j = 0; j < n; j++) {
			mk[i][j] = w[st->widx[j]] & st->mw[j];
			h = hash_add64(h, mk[i][j]);
		}
		hashes[i] = hash_finish(h);
		if (filter)
			__builtin_prefetch(&htab_filter(ht)[hashes[i] & ht->mask]);
		else
			__builtin_prefetch(&ht->b[hashes[i] & ht->mask]);
	}
	if (filter)
		map = filter_pass(ht, hashes, map);
	FOR_EACH_BIT(i, map) {
		const struct bucket *bk = &ht->b[hashes[i] & ht->mask];
		uint64_t sig = ent_sig(hashes[i]);

		cand[i] = bucket_candidate(bk, sig);
		if (cand[i])
			prefetch_flow(cand[i], n > KW_LINE1);
		/* No candidate and nothing spilled further: a miss. */
		if (!cand[i] && !(LOAD_RLX(&bk->meta) & BUCKET_OVERFLOW))
			map &= ~(1u << i);
	}
	FOR_EACH_BIT(i, map) {
		struct flowtbl_flow *f = cand[i];
		uint64_t diff = 0;

		if (f)
			for (uint32_t j = 0; j < n; j++)
				diff |= mk[i][j] ^ f->kw[j];
		/* The first candidate is almost always it; anything else
		 * (signature collision, dead flow, spilled key) takes the
		 * full probe. */
		if (!f || diff || flow_is_dead(f))
			f = ft_htab_find(st, ht, hashes[i], keys[i]);
		if (f) {
			flows[i] = f;
			found |= 1u << i;
			if (stats)
				prefetch_use(stats, f);
		}
	}
	return found;
}

/*
 * The same probe in one pass per key, for subtables small enough to stay
 * in cache: with no misses to overlap, the staged version's passes over
 * the burst only add loop and spill work (callgrind, profile (a): 113 ->
 * 62 instructions a packet).
 */
static inline __attribute__((always_inline)) uint32_t
subtable_lookup_small_n(const struct subtable *st, const struct htab *ht,
			const struct flow_key *const keys[], uint32_t map,
			struct flowtbl_flow *flows[], uint32_t n)
{
	struct flowtbl_flow *last = NULL;  /* this subtable's previous hit */
	uint32_t found = 0;

	FOR_EACH_BIT(i, map) {
		const flow_word_t *w = flow_key_words(keys[i]);
		uint64_t mk[SPEC_WORDS];
		struct flowtbl_flow *f = NULL;
		uint64_t diff = 0;
		uint32_t h = 0;

		for (uint32_t j = 0; j < n; j++)
			mk[j] = w[st->widx[j]] & st->mw[j];
		/* A train: packets of one flow often follow each other. The
		 * masked words are at hand, so checking the previous hit costs n
		 * compares and saves the hash and the bucket, while a packet of
		 * another flow pays only n+2 instructions. 'last' was found in
		 * this call, so it is safe. */
		if (last) {
			for (uint32_t j = 0; j < n; j++)
				diff |= mk[j] ^ last->kw[j];
			if (!diff && !flow_is_dead(last)) {
				flows[i] = last;
				found |= 1u << i;
				continue;
			}
		}
		for (uint32_t j = 0; j < n; j++)
			h = hash_add64(h, mk[j]);
		h = hash_finish(h);

		const struct bucket *bk = &ht->b[h & ht->mask];

		f = bucket_candidate(bk, ent_sig(h));
		if (f) {
			diff = 0;
			for (uint32_t j = 0; j < n; j++)
				diff |= mk[j] ^ f->kw[j];
			if (diff || flow_is_dead(f))
				f = ft_htab_find(st, ht, h, keys[i]);
		} else if (LOAD_RLX(&bk->meta) & BUCKET_OVERFLOW) {
			f = ft_htab_find(st, ht, h, keys[i]);
		}
		if (f) {
			flows[i] = f;
			found |= 1u << i;
			last = f;
		}
	}
	return found;
}

/* Buckets below which a subtable takes the one-pass probe: 256 cache
 * lines, 16 KiB, well inside L1. Above that the staged probe's prefetches
 * (buckets, then flows) pay even when the table is in L2 (a larger
 * threshold slowed bench_flowtbl's 1k- and 10k-flow rows). */
#define SMALL_BUCKETS 256

/* Buckets from which the probe prefetches what the caller reads next
 * (prefetch_use): 4096 buckets hold some 14k flows, 1.8 MB of them. */
#define PREFETCH_USE_BUCKETS 4096

/* Buckets from which the probe reads the presence filter first: 64 Ki
 * buckets are 4 MB, past L2 and most of L3, while their filter is 256 KB.
 * Below that the buckets are cache hits too, and the filter read only
 * adds a step. */
#define FILTER_BUCKETS 65536

/* Masks wider than SPEC_WORDS: the same stages, words re-read for the
 * compare. */
static uint32_t subtable_lookup_wide(const struct subtable *st, const struct flow_key *const keys[],
				     uint32_t map, struct flowtbl_flow *flows[])
{
	const struct htab *ht = LOAD_ACQ(&st->ht);
	uint32_t hashes[FLOWTBL_BURST];
	uint32_t found = 0;

	FOR_EACH_BIT(i, map) {
		hashes[i] = st_hash_key(st, keys[i]);
		__builtin_prefetch(&ht->b[hashes[i] & ht->mask]);
	}
	FOR_EACH_BIT(i, map) {
		struct flowtbl_flow *f = ft_htab_find(st, ht, hashes[i], keys[i]);

		if (f) {
			flows[i] = f;
			found |= 1u << i;
		}
	}
	return found;
}

/*
 * One copy per common mask size, so that the word loops unroll (OVS's
 * dpcls specialises per miniflow shape the same way): 1-3 words for L2
 * and metadata masks, 4 for an IPv4 5-tuple, up to 8 with Ethernet
 * addresses or IPv6. Larger masks take the generic loop.
 */
static uint32_t subtable_lookup(const struct subtable *st, const struct flow_key *const keys[],
				uint32_t map, struct flowtbl_flow *flows[],
				struct slot_stats *const *stats)
{
	/* Acquire: the table's buckets are initialised before we read them. */
	const struct htab *ht = LOAD_ACQ(&st->ht);
	bool filter;

	/* Tables this big hold flows (and stats) beyond L2. */
	if (ht->mask < PREFETCH_USE_BUCKETS)
		stats = NULL;
	if (ht->mask < SMALL_BUCKETS) {
		switch (st->n_words) {
		case 1: return subtable_lookup_small_n(st, ht, keys, map, flows, 1);
		case 2: return subtable_lookup_small_n(st, ht, keys, map, flows, 2);
		case 3: return subtable_lookup_small_n(st, ht, keys, map, flows, 3);
		case 4: return subtable_lookup_small_n(st, ht, keys, map, flows, 4);
		case 5: return subtable_lookup_small_n(st, ht, keys, map, flows, 5);
		case 6: return subtable_lookup_small_n(st, ht, keys, map, flows, 6);
		case 7: return subtable_lookup_small_n(st, ht, keys, map, flows, 7);
		case 8: return subtable_lookup_small_n(st, ht, keys, map, flows, 8);
		default: break;
		}
	}
	filter = ht->mask + 1 >= FILTER_BUCKETS;
	switch (st->n_words) {
	case 1: return subtable_lookup_n(st, keys, map, flows, stats, filter, 1);
	case 2: return subtable_lookup_n(st, keys, map, flows, stats, filter, 2);
	case 3: return subtable_lookup_n(st, keys, map, flows, stats, filter, 3);
	case 4: return subtable_lookup_n(st, keys, map, flows, stats, filter, 4);
	case 5: return subtable_lookup_n(st, keys, map, flows, stats, filter, 5);
	case 6: return subtable_lookup_n(st, keys, map, flows, stats, filter, 6);
	case 7: return subtable_lookup_n(st, keys, map, flows, stats, filter, 7);
	case 8: return subtable_lookup_n(st, keys, map, flows, stats, filter, 8);
	default: return subtable_lookup_wide(st, keys, map, flows);
	}
}

/*
 * Bit i of a burst's 'dup' map says key i equals key i-1 (the caller
 * knows it), so key i has key i-1's result: a run of dup bits gets the
 * result of the key just below the run, its head. The runs whose head is
 * in 'heads': adding heads << 1 to dup carries through exactly those
 * runs, clearing their bits (64 bits: a run may end at bit 31).
 */
static inline uint32_t dup_runs(uint32_t dup, uint32_t heads)
{
	uint64_t d = dup;

	return (uint32_t)(d & ~(d + ((uint64_t)heads << 1)));
}

/* Give each slot of 'runs' (dup_runs()) its head's flow, a run at a time:
 * a run's slots follow its head, so they take the flow of the slot just
 * below the run, in a loop of plain stores. */
static void dup_copy(struct flowtbl_flow *flows[], uint32_t runs)
{
	while (runs) {
		uint32_t first = (uint32_t)__builtin_ctz(runs);  /* >= 1: bit 0 is no dup */
		uint32_t len = (uint32_t)__builtin_ctz(~(runs >> first));
		struct flowtbl_flow *f = flows[first - 1];

		for (uint32_t i = first; i < first + len; i++)
			flows[i] = f;
		runs &= ~(((1u << len) - 1) << first);
	}
}

/* The classifier: subtables in rank order until every key is found. The
 * keys of 'dup' runs are not probed but counted as found with their head,
 * in its subtable. */
static uint32_t classify(struct flowtbl_pmd *pmd, const struct flow_key *const keys[],
			 uint32_t map, uint32_t dup, struct flowtbl_flow *flows[],
			 uint64_t *mask_hit)
{
	/* Acquire: the vector and its subtables are initialised. */
	const struct stvec *v = LOAD_ACQ(&pmd->t->stv);
	uint32_t found = 0;

	for (uint32_t r = 0; r < v->n && map; r++) {
		struct subtable *st = v->st[r];
		uint32_t hit = subtable_lookup(st, keys, map, flows, pmd->stats);

		if (hit) {
			uint32_t n = (uint32_t)__builtin_popcount(hit | dup_runs(dup, hit));

			counter_add(&st->rd[pmd->slot].hits, n);
			*mask_hit += (uint64_t)n * (r + 1);
			map &= ~hit;
			found |= hit;
		}
	}
	return found;
}

/* The ways whose word in v[] (a set's signatures or idx1s) is x, as a bit
 * map. */
static inline uint32_t cache_ways_eq(const uint32_t v[CACHE_WAYS], uint32_t x)
{
#if defined(__AVX2__)
	/* The eight ways' words are one aligned 32-byte half of the set. */
	_Static_assert(CACHE_WAYS == 8, "one 256-bit compare a set");
	__m256i eq = _mm256_cmpeq_epi32(_mm256_load_si256((const __m256i *)(const void *)v),
					_mm256_set1_epi32((int)x));

	return (uint32_t)_mm256_movemask_ps(_mm256_castsi256_ps(eq));
#elif defined(__SSE2__)
	const __m128i *p = (const __m128i *)v;
	__m128i xv = _mm_set1_epi32((int)x);
	__m128i lo = _mm_cmpeq_epi32(_mm_load_si128(p), xv);
	__m128i hi = _mm_cmpeq_epi32(_mm_load_si128(p + 1), xv);

	return (uint32_t)_mm_movemask_ps(_mm_castsi128_ps(lo)) |
	       (uint32_t)_mm_movemask_ps(_mm_castsi128_ps(hi)) << 4;
#else
	uint32_t m = 0;

	for (uint32_t w = 0; w < CACHE_WAYS; w++)
		m |= (uint32_t)(v[w] == x) << w;
	return m;
#endif
}

/* flow_matches() with the word count a constant, so that it unrolls. */
static inline __attribute__((always_inline)) bool
flow_matches_n(const struct subtable *st, const struct flowtbl_flow *f,
	       const struct flow_key *key, uint32_t n)
{
	const uint64_t *w = flow_key_words(key);
	uint64_t diff = 0;

	for (uint32_t j = 0; j < n; j++)
		diff |= (w[st->widx[j]] & st->mw[j]) ^ f->kw[j];
	return diff == 0;
}

/*
 * flow_matches() for a mask of KW_LINE1 - 1 or KW_LINE1 words, without a
 * branch on which: KW_LINE1 words are compared, the last one masked out
 * for the shorter mask. Cache hits come from masks of any size, and a
 * burst of profile e alternates 4- and 5-word ones at random, where a
 * branch (or jump table) on the count mispredicted about every other
 * packet. The shorter mask's last key slot is still in the flow's object
 * (its inline actions or cold part, in its first line), and the mask's
 * word index and word past its count are zero (ft_mask_compact()), so
 * nothing is read out of bounds.
 */
static inline bool flow_matches_line1(const struct subtable *st, const struct flowtbl_flow *f,
				      const struct flow_key *key)
{
	_Static_assert(sizeof(struct flowtbl_flow) + KW_LINE1 * sizeof(uint64_t) <=
		       sizeof(struct flowtbl_flow) + sizeof(struct flow_cold), "kw[0..KW_LINE1) in the object");
	const uint64_t *w = flow_key_words(key);
	uint64_t diff = ((w[st->widx[KW_LINE1 - 1]] & st->mw[KW_LINE1 - 1]) ^ f->kw[KW_LINE1 - 1]) &
			((uint64_t)0 - (st->n_words == KW_LINE1));

	for (uint32_t j = 0; j < KW_LINE1 - 1; j++)
		diff |= (w[st->widx[j]] & st->mw[j]) ^ f->kw[j];
	return diff == 0;
}

/* Whether a cached flow matches: its mask may be any subtable's. */
static inline bool cached_flow_matches(const struct flowtbl_flow *f, const struct flow_key *key)
{
	const struct subtable *st = f->st;

	/* One predictable branch: 4 and 5 words, or the others. */
	if (st->n_words - (KW_LINE1 - 1) <= 1)
		return flow_matches_line1(st, f, key);
	_Static_assert(KW_LINE1 == 5, "the switch has the other counts");
	switch (st->n_words) {
	case 1: return flow_matches_n(st, f, key, 1);
	case 2: return flow_matches_n(st, f, key, 2);
	case 3: return flow_matches_n(st, f, key, 3);
	case 6: return flow_matches_n(st, f, key, 6);
	default: return flow_matches(st, f, key);
	}
}

/* What a cache hit saves: the subtables the classifier would have
 * probed. */
static inline uint64_t cache_saving(const struct flowtbl_flow *f)
{
	return LOAD_RLX(&f->st->rank) + 1;
}

/* The cache hash of key i: the caller's, or ft_key_hash(), the short way
 * for a key the caller marked sparse (the same value). */
static inline uint32_t cache_hash(const struct flowtbl_pmd *pmd, const struct flow_key *key,
				  const uint32_t *hashes, uint32_t i, uint32_t sparse)
{
	if (hashes)
		return hashes[i];
#if defined(__AVX2__)
	if (sparse & (1u << i))
		return ft_key_hash_fin(ft_key_nh_sparse(flow_key_words(key), pmd->nh_sparse_base));
#else
	(void)pmd;
	(void)sparse;
#endif
	return ft_key_hash(key);
}

/* Cache lookup for every key in 'map'; fills kh[] with the cache hashes. */
static uint32_t cache_lookup(struct flowtbl_pmd *pmd, const struct flow_key *const keys[],
			     const uint32_t *hashes, uint32_t sparse, uint32_t map,
			     struct flowtbl_flow *flows[], uint32_t kh[], uint64_t *saved)
{
	struct flowtbl_flow ***dir = pmd->t->idx_dir;
	const struct cache_set *c = pmd->cache;
	struct flowtbl_flow *cand[FLOWTBL_BURST];
	struct flowtbl_flow **slot[FLOWTBL_BURST];
	uint32_t idx1[FLOWTBL_BURST];
	uint32_t found = 0;

	FOR_EACH_BIT(i, map) {
		kh[i] = cache_hash(pmd, keys[i], hashes, i, sparse);
		__builtin_prefetch(&c[kh[i] & pmd->cache_mask]);
	}
	FOR_EACH_BIT(i, map) {
		const struct cache_set *set = &c[kh[i] & pmd->cache_mask];
		uint32_t ways = cache_ways_eq(set->sig, kh[i]);

		/* One way at most: an insert refreshes the way of its hash. An
		 * empty way has idx1 0, whatever its signature. */
		idx1[i] = ways ? set->idx1[__builtin_ctz(ways)] : 0;
		if (idx1[i]) {
			slot[i] = idx_slot(dir, cache_idx(idx1[i]));
			__builtin_prefetch(slot[i]);
		} else {
			map &= ~(1u << i);
		}
	}
	FOR_EACH_BIT(i, map) {
		/* Acquire: pairs with insert's release of the slot. The slot
		 * may hold a newer flow than the one cached; verify decides
		 * (the line-2 bit is only a hint for the prefetch). */
		cand[i] = LOAD_ACQ(slot[i]);
		if (cand[i])
			prefetch_flow_idx1(cand[i], idx1[i]);
		else
			map &= ~(1u << i);
	}
	FOR_EACH_BIT(i, map) {
		struct flowtbl_flow *f = cand[i];

		if (cached_flow_matches(f, keys[i]) && !flow_is_dead(f)) {
			flows[i] = f;
			found |= 1u << i;
			prefetch_use(pmd->stats, f);
			*saved += cache_saving(f);
		}
	}
	return found;
}

static inline uint32_t rng_next(struct flowtbl_pmd *pmd)
{
	uint32_t x = pmd->rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return pmd->rng = x;
}

/* A cache way's idx1 for flow f: its idx + 1, with CACHE_IDX_LINE2 when
 * its key words spill into its second cache line, so that a hit
 * prefetches that line with the first (f's line and its subtable's are in
 * cache: the caller has just found it). */
static inline uint32_t cache_idx1(const struct flowtbl_flow *f)
{
	return (f->idx + 1) | (f->st->n_words > KW_LINE1 ? CACHE_IDX_LINE2 : 0);
}

/* Put h -> idx1 in h's set: into the way that has h, else into a free way;
 * a full set replaces a random way, and only with the insert probability
 * (so that more flows than the cache holds do not churn it on every
 * miss). */
static void cache_insert(struct flowtbl_pmd *pmd, uint32_t h, uint32_t idx1, bool replace)
{
	struct cache_set *set = &pmd->cache[h & pmd->cache_mask];
	uint32_t ways = cache_ways_eq(set->sig, h);
	uint32_t w;

	if (!ways)
		ways = cache_ways_eq(set->idx1, 0);
	if (ways)
		w = (uint32_t)__builtin_ctz(ways);
	else if (replace)
		w = rng_next(pmd) % CACHE_WAYS;
	else
		return;
	set->sig[w] = h;
	set->idx1[w] = idx1;
}

static void cache_fill(struct flowtbl_pmd *pmd, uint32_t map, const uint32_t kh[],
		       struct flowtbl_flow *const flows[])
{
	uint32_t thresh = LOAD_RLX(&pmd->insert_thresh);
	bool always = LOAD_RLX(&pmd->insert_always);

	if (!thresh)
		return;
	FOR_EACH_BIT(i, map)
		cache_insert(pmd, kh[i], cache_idx1(flows[i]), always || rng_next(pmd) < thresh);
}

/*
 * Adaptive cache: a hit saves the subtables the classifier would have
 * probed (its flow's subtable rank + 1); a probe, hit or miss, costs
 * about 1.5 subtable probes (a hash of the whole key, then an entry and
 * the flow, against a hash of a few words). Over each window, keep the
 * cache if it saved more than it cost; otherwise skip it, trying it
 * (lookup and fill) on one burst in ADAPT_SAMPLE to notice when that
 * changes.
 */
static void adapt(struct flowtbl_pmd *pmd, uint32_t n, uint32_t probed, uint64_t saved)
{
	pmd->w_pkts += n;
	pmd->w_probed += probed;
	pmd->w_saved += saved;
	if (pmd->w_pkts < ADAPT_WINDOW)
		return;
	if (pmd->w_probed)
		pmd->bypass = pmd->w_saved * 2 <= (uint64_t)pmd->w_probed * 3;
	pmd->w_pkts = pmd->w_probed = 0;
	pmd->w_saved = 0;
}

uint32_t flowtbl_lookup_burst_dup(struct flowtbl_pmd *pmd, const struct flow_key *const keys[],
				  const uint32_t *hashes, unsigned int n, uint32_t dup,
				  uint32_t sparse, struct flowtbl_flow *flows[])
{
	uint32_t all = n >= FLOWTBL_BURST ? UINT32_MAX : (1u << n) - 1;
	bool use_cache = pmd->cache != NULL;
	uint32_t kh[FLOWTBL_BURST];
	uint32_t cached = 0, hit = 0, cached_runs = 0, hit_runs, uniq;
	uint64_t cls_probes = 0, saved = 0;

	if (n > FLOWTBL_BURST)
		n = FLOWTBL_BURST;
	/* Key 0 has no key before it. */
	dup &= all & (all << 1);
	uniq = all & ~dup;
	if (use_cache && pmd->bypass)
		use_cache = ++pmd->burst_no % ADAPT_SAMPLE == 0;
	/* With one subtable a cache hit saves one probe and costs more (the
	 * full-key hash): an adaptive cache then stays out, not even sampled,
	 * since the sampling alone shows in a one-flow profile. */
	if (use_cache && pmd->adaptive && LOAD_ACQ(&pmd->t->stv)->n <= 1)
		use_cache = false;
	if (use_cache) {
		cached = cache_lookup(pmd, keys, hashes, sparse, uniq, flows, kh, &saved);
		cached_runs = dup_runs(dup, cached);
		if (cached_runs) {
			dup_copy(flows, cached_runs);
			FOR_EACH_BIT(i, cached_runs)
				saved += cache_saving(flows[i]);
		}
	}
	if (cached != uniq) {
		hit = classify(pmd, keys, uniq & ~cached, dup, flows, &cls_probes);
		/* Only the heads have their kh[]; a run's key is the same. */
		if (use_cache && hit)
			cache_fill(pmd, hit, kh, flows);
	}
	hit_runs = dup_runs(dup, hit);
	if (hit_runs)
		dup_copy(flows, hit_runs);
	cached |= cached_runs;
	hit |= hit_runs;

	uint32_t n_cached = (uint32_t)__builtin_popcount(cached);
	uint32_t n_hit = (uint32_t)__builtin_popcount(hit);

	if (pmd->adaptive && pmd->cache)
		adapt(pmd, n, use_cache ? n : 0, saved);
	counter_add(&pmd->cnt.hit, (uint64_t)n_cached + n_hit);
	counter_add(&pmd->cnt.missed, n - (uint64_t)n_cached - n_hit);
	counter_add(&pmd->cnt.cache_hit, n_cached);
	/* A cache hit probed one mask, as in the kernel's mask cache. */
	counter_add(&pmd->cnt.mask_hit, n_cached + cls_probes);
	return cached | hit;
}

uint32_t flowtbl_lookup_burst(struct flowtbl_pmd *pmd, const struct flow_key *const keys[],
			      const uint32_t *hashes, unsigned int n,
			      struct flowtbl_flow *flows[])
{
	return flowtbl_lookup_burst_dup(pmd, keys, hashes, n, 0, 0, flows);
}

void flowtbl_pmd_stats_update(struct flowtbl_pmd *pmd, struct flowtbl_flow *f,
			      uint32_t packets, uint64_t bytes, uint16_t tcp_flags,
			      uint64_t now_ms)
{
	struct slot_stats *s = &pmd->stats[f->idx >> CHUNK_SHIFT][f->idx & CHUNK_MASK];

	/* Relaxed: this slot's counters have one writer (this PMD); the
	 * revalidator's reads need untorn values only. */
	STORE_RLX(&s->packets, LOAD_RLX(&s->packets) + packets);
	STORE_RLX(&s->bytes, LOAD_RLX(&s->bytes) + bytes);
	STORE_RLX(&s->used, now_ms);
	if (tcp_flags)
		STORE_RLX(&s->tcp_flags, LOAD_RLX(&s->tcp_flags) | tcp_flags);
}
