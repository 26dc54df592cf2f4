/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flowtbl internals shared by the files of src/flowtbl/: layouts, the
 * hash, and the per-file entry points. Not part of the API. Functions
 * shared across these files carry the ft_ prefix: libswcore is one static
 * library with every module in it, so internal names must not collide.
 *
 * Memory ordering, in one place (each site repeats the short reason):
 * - The writer publishes an object (flow, subtable vector, hash table,
 *   actions) with a release store of the pointer after initialising it;
 *   readers load such pointers with acquire, so the contents they then
 *   read are the initialised ones.
 * - Unlinking is a plain atomic store (release, for symmetry with the
 *   publication); the object is freed only after an RCU grace period, so a
 *   reader that still holds the old pointer reads valid memory.
 * - flowtbl_remove() unlinks a flow from its hash table and from the
 *   idx directory before it returns, so a lookup that starts after it
 *   (loading the table pointers afresh) cannot reach it.
 * - A flow's 'dead' flag is set (relaxed) before the unlink and every hit
 *   re-checks it: a lookup already in flight, on a hash table snapshot
 *   from before a rebuild or on an idx it read just before the unlink,
 *   then also drops the flow as soon as the flag is visible.
 */
#ifndef FLOWTBL_INT_H
#define FLOWTBL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include "dpsw_atomic.h"
#include "flow_key.h"
#include "flowtbl.h"
#include "flowtbl_pmd.h"

#define CACHE_LINE 64

/* Flow slots ("idx") index the idx->flow directory and the per-reader
 * stats arrays, in chunks so that they grow without moving. */
#define CHUNK_SHIFT 12
#define CHUNK_SIZE (1u << CHUNK_SHIFT)
#define CHUNK_MASK (CHUNK_SIZE - 1)

struct subtable;
struct flow_ident;

/*
 * A flow. The hot header (what a PMD reads) and the key words share the
 * first cache line for masks of up to KW_LINE1 significant words;
 * writer-only fields ("cold") sit after the key words, at cold_off8 * 8.
 * 'out1' spares the PMD the read of the actions (the flow's second line,
 * or a block of their own) in the common case of a list that is one
 * output: a flow of such a mask and such actions is read in one cache
 * line.
 */
struct flowtbl_flow {
	const struct subtable *st;       /* its mask; immutable */
	struct flowtbl_actions *actions; /* release/acquire (actions_replace) */
	uint32_t idx;                    /* slot: idx_dir and stats; immutable */
	uint16_t out1;                   /* atomic: actions_out1() of the actions */
	uint8_t dead;                    /* atomic: set once, by flowtbl_remove() */
	uint8_t cold_off8;               /* offset of struct flow_cold, in words */
	uint64_t kw[];                   /* masked key, the mask's words only */
};

/* Key words in the flow's first cache line: five, an IPv4 5-tuple with
 * the Ethernet destination (four words without it). */
#define KW_LINE1 ((CACHE_LINE - sizeof(struct flowtbl_flow)) / sizeof(uint64_t))
_Static_assert(KW_LINE1 == 5, "a 5-tuple's and an Ethernet address's words fit the first line");

/* Writer-only part of a flow. Kept small: at a million flows every byte
 * here is a megabyte, and the flow's slab class (64-byte steps) is decided
 * by the sum of header, key words, inline actions and this. */
struct flow_cold {
	uint64_t id;                     /* dump order; unique, increasing */
	union {
		struct flow_ufid ufid;   /* has_ufid */
		struct flow_ident *ident; /* !has_ufid: ident.c; NULL: none */
	};
	uint64_t created;                /* caller's ms clock, for the revalidator */
	uint32_t ufid_next;              /* UFID hash chain: next flow's idx + 1; 0: end */
	uint32_t dump_pos;               /* index in the dump vector */
	uint32_t hash;                   /* subtable hash of the key; immutable */
	uint8_t has_ufid;
};

/* The identifier of a flow without UFID shares the UFID's bytes: a flow's
 * size does not depend on which it has. */
_Static_assert(sizeof(struct flow_cold) == 48, "flow_cold grew");

static inline struct flow_cold *flow_cold(const struct flowtbl_flow *f)
{
	return (struct flow_cold *)((char *)(uintptr_t)f + f->cold_off8 * 8u);
}

/* Actions up to this size (header included) live in the flow's own slab
 * object, right after its key words: a PMD that found the flow reads them
 * from the next cache line instead of missing on a malloc'd block. */
#define INLINE_ACTIONS_MAX 64u

/* Bytes of the inline actions of a flow whose actions take actions_len. */
static inline size_t inline_actions_size(size_t actions_len)
{
	size_t n = (sizeof(struct flowtbl_actions) + actions_len + 7) & ~(size_t)7;

	return n <= INLINE_ACTIONS_MAX ? n : 0;
}

/* Bytes of a flow with n key words and actions of actions_len bytes. */
static inline size_t flow_size(uint32_t n_words, size_t actions_len)
{
	return sizeof(struct flowtbl_flow) + n_words * sizeof(uint64_t) +
	       inline_actions_size(actions_len) + sizeof(struct flow_cold);
}

/* Whether 'a' is the flow's inline actions (freed with the flow). */
static inline bool actions_inline(const struct flowtbl_flow *f, const struct flowtbl_actions *a)
{
	return (const char *)a > (const char *)f && (const char *)a < (const char *)flow_cold(f);
}

/* Bytes of this flow (without touching its subtable). */
static inline size_t flow_bytes(const struct flowtbl_flow *f)
{
	return f->cold_off8 * 8u + sizeof(struct flow_cold);
}

/* One reader slot's stats of one flow, written only by that reader. */
struct slot_stats {
	uint64_t packets;
	uint64_t bytes;
	uint64_t used;
	uint64_t tcp_flags;
};

/* Sums at a flow's last stats clear, subtracted on read (slots.c). Only
 * cleared flows need one, so their chunks are allocated at the first clear
 * of a flow in them. */
struct stats_base {
	uint64_t packets;
	uint64_t bytes;
};

/*
 * Subtable hash table: buckets of 7 entries + metadata, one cache line.
 * An entry is a flow pointer (48 bits, x86-64/arm64 user space) with the
 * top 16 bits of the flow's hash in bits 48..63; 0 is empty. A key whose
 * bucket is full goes to the next one (linear probing over buckets) and
 * marks the full bucket BUCKET_OVERFLOW, so a lookup stops at the first
 * bucket without the flag: one cache line per miss in the common case.
 * Removal just clears the entry; flags are cleared by rebuilding.
 */
#define BUCKET_ENTRIES 7
#define HTAB_HINT_MIN 65536   /* entries from which a reservation sizes a hash */
#define BUCKET_OVERFLOW (1ull << 8)
#define BUCKET_COUNT_MASK 0xffull
#define ENT_SIG_SHIFT 48
#define ENT_PTR_MASK ((1ull << ENT_SIG_SHIFT) - 1)

static inline uint64_t ent_sig(uint32_t hash)
{
	return (uint64_t)(hash >> 16) << ENT_SIG_SHIFT;
}

static inline uint64_t ent_make(const struct flowtbl_flow *f, uint32_t hash)
{
	return (uint64_t)(uintptr_t)f | ent_sig(hash);
}

static inline struct flowtbl_flow *ent_flow(uint64_t e)
{
	return (struct flowtbl_flow *)(uintptr_t)(e & ENT_PTR_MASK);
}

/* A non-empty entry with this signature. '&', not '&&': no branch. */
static inline bool ent_match(uint64_t e, uint64_t sig)
{
	return ((e & ~ENT_PTR_MASK) == sig) & ((e & ENT_PTR_MASK) != 0);
}

struct bucket {
	uint64_t e[BUCKET_ENTRIES];      /* atomic */
	uint64_t meta;                   /* atomic: used count | BUCKET_OVERFLOW */
} __attribute__((aligned(CACHE_LINE)));

/*
 * The writer's counters have a cache line of their own: every lookup reads
 * 'mask', every insert writes n_entries, and in one line each insert took
 * the line from the PMDs (a miss for their next lookup) and waited for it.
 */
struct htab {
	uint32_t mask;                   /* n_buckets - 1 */
	uint32_t n_entries __attribute__((aligned(CACHE_LINE))); /* writer */
	uint32_t n_overflow;             /* writer: buckets with the flag */
	uint32_t ov_base;                /* writer: n_overflow when built */
	struct bucket b[];
};

/*
 * The writer's presence filter, after a table's buckets: a 32-bit word per
 * bucket with one bit set for every key whose hash homes there (the bit
 * from a multiplicative hash, so that it does not repeat the bucket
 * index). A clear bit proves a key absent without reading its bucket: a
 * NEW probes every subtable for an overlapping flow, and in big tables
 * each probe was a DRAM miss while the filter (4 bytes a bucket against
 * 64) stays in cache. Bits are set when a flow is placed and cleared only
 * by a rebuild, so a stale bit costs a probe, never a wrong answer.
 * The PMDs read it too, in big tables (lookup.c, filter_pass()): the
 * writer sets a bit before the release store of the entry it covers.
 */
static inline uint32_t *htab_filter(const struct htab *ht)
{
	return (uint32_t *)(uintptr_t)&ht->b[ht->mask + 1];
}

static inline uint32_t filter_bit(uint32_t hash)
{
	return 1u << ((hash * 0x9e3779b1u) >> 27);
}

/* False: no key with this hash is in the table. Writer. */
static inline bool htab_may_hold(const struct htab *ht, uint32_t hash)
{
	return LOAD_RLX(&htab_filter(ht)[hash & ht->mask]) & filter_bit(hash);
}

/* Per-reader hit counter of a subtable, one cache line per reader. */
struct st_reader {
	uint64_t hits;                   /* atomic, written by one reader */
} __attribute__((aligned(CACHE_LINE)));

/* A subtable: the flows of one mask. */
struct subtable {
	struct htab *ht;                 /* release/acquire */
	uint32_t n_words;                /* significant mask words */
	uint32_t rank;                   /* atomic: position in the readers'
					  * vector (for the adaptive cache) */
	uint8_t widx[FLOW_KEY_WORDS];    /* their word indexes, ascending */
	uint64_t mw[FLOW_KEY_WORDS];     /* their mask words */
	/* Writer only, off the readers' lines: n_flows changes on every
	 * insert, and a wide mask's last words shared its line. */
	uint32_t mask_hash __attribute__((aligned(CACHE_LINE)));
	uint32_t n_flows;
	uint32_t pos;                    /* index in flowtbl.subtables */
	uint64_t last_hits;              /* hit sum at the last rerank */
	uint64_t rank_hits;              /* hits between the last two reranks */
	struct st_reader rd[];           /* n_readers */
};

/* The readers' ranked view of the subtables. */
struct stvec {
	uint32_t n;
	struct subtable *st[];
};

/* Deferred frees: waiting for a grace period. */
typedef void defer_fn(struct flowtbl *t, void *p);
struct defer_item {
	defer_fn *fn;
	void *p;
};
struct defer_batch {
	uint64_t token;                  /* rte_rcu_qsbr_start() of the batch */
	uint32_t n, cap;
	struct defer_item *items;
};

struct dump_ent {
	uint64_t id;                     /* kept on removal, so ids stay sorted */
	struct flowtbl_flow *f;          /* NULL once removed */
};

/* Flow slab (slab.c): objects of up to SLAB_MAX bytes in SLAB_QUANTUM steps. */
#define SLAB_ARENA (2u << 20)
#define SLAB_QUANTUM 64u
#define SLAB_MAX 384u
#define SLAB_CLASSES (SLAB_MAX / SLAB_QUANTUM)
_Static_assert(sizeof(struct flowtbl_flow) + FLOW_KEY_WORDS * sizeof(uint64_t) +
	       INLINE_ACTIONS_MAX + sizeof(struct flow_cold) <= SLAB_MAX, "a flow must fit the slab");

struct slab_class {
	void *free;                      /* free list, linked through word 0 */
	char *bump, *end;                /* uncarved rest of the last arena */
};

struct flowtbl {
	/* Read by readers, on a line the writer leaves alone but for a new
	 * vector: when it shared a line with n_flows and next_idx, each insert
	 * cost each PMD a miss on its next burst's read of 'stv' (perf, a
	 * 530k/s reactive storm: 7% of the PMD on flowtbl_pmd_quiescent()'s
	 * read of 'qsbr' alone). */
	struct stvec *stv;               /* release/acquire */
	struct flowtbl_flow ***idx_dir;  /* [chunk][i]: flow or NULL (atomic) */
	struct slot_stats ***stats_dir;  /* [slot][chunk][i], slots < n_stats */
	struct rte_rcu_qsbr *qsbr;
	uint32_t n_readers;
	uint32_t n_stats;                /* slots that count flow stats */

	/* Writer only, from the next cache line on: an insert writes n_flows
	 * and next_idx, and in the readers' line each insert took that line
	 * from the PMDs, which read it for every burst. */
	uint32_t max_flows __attribute__((aligned(CACHE_LINE)));
	uint32_t idx_cap;                /* idx < idx_cap; > max_flows for churn */
	uint32_t n_chunks;               /* chunks allocated */
	uint32_t next_idx;               /* never used above this */
	uint32_t n_flows;
	uint32_t htab_hint;              /* flows reserved: ft_htab_reserve() */
	struct stats_base **base_dir;    /* [chunk][i]; NULL: no clear in it yet */
	uint32_t *free_idx;              /* recycled idx, after a grace period */
	uint32_t n_free_idx, cap_free_idx;
	uint64_t next_id;

	struct subtable **subtables;     /* unranked, for finding by mask */
	uint32_t n_subtables, cap_subtables;
	struct subtable *last_st;        /* hint: bulk installs repeat masks */
	struct subtable *memo_st;        /* the subtable of memo_mask, or NULL */
	struct flow_key memo_mask;       /* the last full mask an insert found */

	struct dump_ent *dumpv;          /* flows in id order, with holes */
	uint32_t n_dump, cap_dump, n_holes;

	uint32_t *ufid_b;                /* UFID hash chains: first idx + 1; 0: empty */
	uint32_t ufid_mask, n_ufid;

	struct defer_batch pending;      /* no token yet */
	struct defer_batch *batches;     /* FIFO of tokened batches */
	uint32_t n_batches, cap_batches;

	struct slab_class slab[SLAB_CLASSES];
	void **arenas;
	uint32_t n_arenas, cap_arenas;
	char *rgn_base, *rgn_next, *rgn_end; /* reserved region; next unused */
	void **spare;                    /* region arenas given back */
	uint32_t n_spare, cap_spare;

	size_t mem;                      /* heap bytes held */
	struct flowtbl_pmd **pmds;       /* [slot], for counters and destroy */
};
_Static_assert(offsetof(struct flowtbl, max_flows) == CACHE_LINE,
	       "the readers' fields fill the first line alone");
_Static_assert(offsetof(struct htab, n_entries) == CACHE_LINE,
	       "the lookups' line holds no writer counter");

/*
 * Exact-match cache: sets of CACHE_WAYS entries in one cache line, each
 * the key's cache hash and its flow's idx + 1 (0: empty). A key's set is
 * its hash's low bits, so a lookup reads one line, and a set holds every
 * key that lands on it until more than CACHE_WAYS do. idx1 may carry
 * CACHE_IDX_LINE2 (lookup.c, cache_idx1()).
 */
#define CACHE_WAYS 8
#define CACHE_IDX_LINE2 (1u << 31)       /* idx1: the key spans two lines */
_Static_assert(FLOWTBL_FLOWS_MAX * 2ull < CACHE_IDX_LINE2, "idx + 1 below the line-2 bit");
struct cache_set {
	uint32_t sig[CACHE_WAYS];
	uint32_t idx1[CACHE_WAYS];
} __attribute__((aligned(CACHE_LINE)));

/* The flow slot of a cache way's non-zero idx1. */
static inline uint32_t cache_idx(uint32_t idx1)
{
	return (idx1 & ~CACHE_IDX_LINE2) - 1;
}

struct flowtbl_pmd {
	struct flowtbl *t;
	struct rte_rcu_qsbr *qsbr;       /* t->qsbr, read once an iteration */
	struct slot_stats **stats;       /* t->stats_dir[slot] */
	struct cache_set *cache;         /* NULL: no cache */
	uint32_t cache_mask;             /* sets - 1 */
	uint32_t insert_thresh;          /* atomic: insert if rng < thresh */
	uint32_t insert_always;          /* atomic: inv_prob == 1 */
	uint32_t rng;
	uint32_t slot;
	struct flowtbl_counters cnt;     /* atomic, written by the PMD only */
	/* Adaptive cache: this window's tallies (PMD only). */
	bool adaptive;
	bool bypass;                     /* skipping the cache this window */
	uint32_t burst_no;
	uint32_t w_pkts;                 /* packets looked up */
	uint32_t w_probed;               /* ... of which through the cache */
	uint64_t w_saved;                /* subtable probes its hits saved */
	uint64_t nh_sparse_base;         /* ft_key_nh_sparse()'s base (AVX2) */
};

#define ADAPT_WINDOW 8192                /* packets per adaptive decision */
#define ADAPT_SAMPLE 16                  /* bypassing: 1 burst in 16 tries it */

/* Hash: CRC32C a word at a time where the CPU has it (SSE4.2 is part of
 * DPDK's x86 baseline), a multiply-fold otherwise; finished with murmur3's
 * fmix32 so that low bits (bucket) and high bits (signature) both mix. */
static inline uint32_t hash_add64(uint32_t h, uint64_t w)
{
#if defined(__SSE4_2__)
	return (uint32_t)__builtin_ia32_crc32di(h, w);
#elif defined(__ARM_FEATURE_CRC32)
	return __builtin_arm_crc32cd(h, w);
#else
	uint64_t x = ((uint64_t)h ^ w) * 0x9e3779b97f4a7c15ull;

	return (uint32_t)(x ^ (x >> 32));
#endif
}

static inline uint32_t hash_finish(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	return h ^ (h >> 16);
}

/*
 * The cache hash of a full key. With AVX2: each word, xored with a
 * constant of its own, is split into halves that are multiplied together
 * (32 x 32 -> 64 bits) and the products summed (NH, as in UMAC), four
 * words an instruction; otherwise four independent CRC lanes, so that
 * the CRC's latency overlaps instead of forming one chain. Only the
 * exact-match cache uses it, and it verifies every hit against the flow:
 * a collision costs a miss, never a wrong answer.
 */
#if defined(__AVX2__)
static const uint64_t ft_nh_kv[FLOW_KEY_WORDS + 4] __attribute__((aligned(32))) = {
	0x9e3779b97f4a7c15ull, 0xc2b2ae3d27d4eb4full, 0x165667b19e3779f9ull,
	0x85ebca77c2b2ae63ull, 0x27d4eb2f165667c5ull, 0xff51afd7ed558ccdull,
	0xc4ceb9fe1a85ec53ull, 0x87c37b91114253d5ull, 0x4cf5ad432745937full,
	0x52dce729da3ed2bbull, 0x38495ab5e6546b64ull, 0x94d049bb133111ebull,
	0xbf58476d1ce4e5b9ull, 0x2545f4914f6cdd1dull, 0x9fb21c651e98df25ull,
	0xd6e8feb86659fd93ull, 0xa0761d6478bd642full, 0xe7037ed1a0b428dbull,
	0x8ebc6af09c88c6e3ull, 0x589965cc75374cc3ull, 0x1d8e4e27c47d124full,
	0xdb4f0b9175ae2165ull, 0x7a1e8c5f3b2d4e69ull, 0x5bd1e9955bd1e995ull,
	0x6a09e667f3bcc909ull, 0xbb67ae8584caa73bull,
};
_Static_assert(FLOW_KEY_WORDS + 4 <= sizeof(ft_nh_kv) / sizeof(ft_nh_kv[0]), "hash constants");

/* NH terms of words [i, i + 4) and [i, i + 2). */
static inline __m256i nh4(const uint64_t *w, uint32_t i)
{
	__m256i x = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)&w[i]),
				     _mm256_load_si256((const __m256i *)&ft_nh_kv[i]));

	return _mm256_mul_epu32(x, _mm256_srli_epi64(x, 32));
}

static inline __m128i nh2(const uint64_t *w, uint32_t i)
{
	__m128i x = _mm_xor_si128(_mm_loadu_si128((const __m128i *)&w[i]),
				  _mm_load_si128((const __m128i *)&ft_nh_kv[i]));

	return _mm_mul_epu32(x, _mm_srli_epi64(x, 32));
}

/* The sum of a 256-bit and a 128-bit accumulator's lanes. */
static inline uint64_t nh_total(__m256i acc, __m128i a2)
{
	a2 = _mm_add_epi64(a2, _mm_add_epi64(_mm256_castsi256_si128(acc),
					     _mm256_extracti128_si256(acc, 1)));
	return (uint64_t)_mm_cvtsi128_si64(a2) + (uint64_t)_mm_extract_epi64(a2, 1);
}

/* The NH sum of every word of a key. */
static inline uint64_t ft_key_nh(const uint64_t *w)
{
	__m256i acc = _mm256_setzero_si256();
	__m128i a2 = _mm_setzero_si128();
	uint32_t i = 0;

	for (; i + 4 <= FLOW_KEY_WORDS; i += 4)
		acc = _mm256_add_epi64(acc, nh4(w, i));
	/* 22 = 5 * 4 + 2: the last two words as one 128-bit step. */
	_Static_assert(FLOW_KEY_WORDS % 4 == 2, "key words after the 256-bit steps");
	a2 = nh2(w, i);
	return nh_total(acc, a2);
}

/*
 * ft_key_nh() of a sparse key (zero outside words [KEY_SPARSE_FIRST,
 * KEY_SPARSE_END)), exactly, in three steps instead of six: a zero word
 * adds only its constant's term, so the sum is these words' terms plus
 * 'base', the terms of a zero key's other words (flowtbl_pmd's
 * nh_sparse_base, computed at its creation).
 */
#define KEY_SPARSE_FIRST 2u
#define KEY_SPARSE_END 12u
static inline uint64_t ft_key_nh_sparse(const uint64_t *w, uint64_t base)
{
	_Static_assert(KEY_SPARSE_END - KEY_SPARSE_FIRST == 10, "two words, then eight");
	__m256i acc = _mm256_add_epi64(nh4(w, KEY_SPARSE_FIRST + 2), nh4(w, KEY_SPARSE_FIRST + 6));

	return nh_total(acc, nh2(w, KEY_SPARSE_FIRST)) + base;
}

/* The 32-bit cache hash of an NH sum: fold, then a multiplicative hash
 * (its high half depends on every bit of the folded sum), cheaper than a
 * full finaliser and enough for a set index and a signature that a
 * verify backs. */
static inline uint32_t ft_key_hash_fin(uint64_t sum)
{
	uint32_t x = (uint32_t)(sum ^ (sum >> 32));

	return (uint32_t)(((uint64_t)x * 0x9e3779b97f4a7c15ull) >> 32);
}
#endif

static inline uint32_t ft_key_hash(const struct flow_key *key)
{
	const uint64_t *w = flow_key_words(key);
#if defined(__AVX2__)
	return ft_key_hash_fin(ft_key_nh(w));
#else
	uint32_t a = 0, b = 0x9e3779b9u, c = 0x85ebca6bu, d = 0xc2b2ae35u;
	uint32_t i = 0;

	for (; i + 4 <= FLOW_KEY_WORDS; i += 4) {
		a = hash_add64(a, w[i]);
		b = hash_add64(b, w[i + 1]);
		c = hash_add64(c, w[i + 2]);
		d = hash_add64(d, w[i + 3]);
	}
	for (; i < FLOW_KEY_WORDS; i++)
		a = hash_add64(a, w[i]);
	a = hash_add64(a, ((uint64_t)b << 32) | c);
	return hash_finish(hash_add64(a, d));
#endif
}

/* Subtable hash of a packet key: its masked significant words. (The
 * PMD's probes in lookup.c mask, hash and compare with a constant word
 * count, keeping the masked words, so that the loops unroll.) */
static inline uint32_t st_hash_key(const struct subtable *st, const struct flow_key *key)
{
	const uint64_t *w = flow_key_words(key);
	uint32_t h = 0;

	for (uint32_t i = 0; i < st->n_words; i++)
		h = hash_add64(h, w[st->widx[i]] & st->mw[i]);
	return hash_finish(h);
}

/* st_hash_key() of a flow's own key, from its key words (the masked
 * words): a rebuild places every flow by it, and the words are on the
 * line it prefetches, where the stored hash (flow_cold) is a line
 * further. */
static inline uint32_t flow_hash(const struct subtable *st, const struct flowtbl_flow *f)
{
	uint32_t h = 0;

	for (uint32_t i = 0; i < st->n_words; i++)
		h = hash_add64(h, f->kw[i]);
	return hash_finish(h);
}

/* True if the packet key, masked by the flow's mask, is the flow's key. */
static inline bool flow_matches(const struct subtable *st, const struct flowtbl_flow *f,
				const struct flow_key *key)
{
	const uint64_t *w = flow_key_words(key);
	uint64_t diff = 0;

	for (uint32_t i = 0; i < st->n_words; i++)
		diff |= (w[st->widx[i]] & st->mw[i]) ^ f->kw[i];
	return diff == 0;
}

static inline bool flow_is_dead(const struct flowtbl_flow *f)
{
	return LOAD_RLX(&f->dead) != 0;
}

static inline struct flowtbl_flow **idx_slot(struct flowtbl_flow ***dir, uint32_t idx)
{
	return &dir[idx >> CHUNK_SHIFT][idx & CHUNK_MASK];
}

/* mem.c: heap with accounting in t->mem. */
void *ft_tbl_alloc(struct flowtbl *t, size_t align, size_t size, bool zero);
void ft_tbl_free(struct flowtbl *t, void *p);
int ft_vec_reserve(struct flowtbl *t, void **v, uint32_t *cap, uint32_t need, size_t esize);

/* slab.c: flow memory. Writer. */
void *ft_slab_alloc(struct flowtbl *t, size_t size);
void ft_slab_free(struct flowtbl *t, void *p, size_t size);
void ft_slab_fini(struct flowtbl *t);
/* Map and touch a region of 'bytes' for arenas; once. -ENOMEM, -EBUSY. */
int ft_slab_reserve(struct flowtbl *t, size_t bytes);
/* Zeroed blocks for hash tables, from the region when it has room. */
void *ft_pool_alloc(struct flowtbl *t, size_t size);
void ft_pool_free(struct flowtbl *t, void *p, size_t size);

/* rcu.c: deferred frees. Writer. */
#define DEFER_AUTO_RECLAIM 4096          /* pending items that trigger a reclaim */
void ft_defer_free(struct flowtbl *t, defer_fn *fn, void *p);
void ft_defer_free_all_now(struct flowtbl *t);
void ft_defer_fn_free(struct flowtbl *t, void *p);
/* Give the pending items their grace period now (a batch of their own). */
void ft_defer_close(struct flowtbl *t);
/* Free the closed batches whose grace period is over. Never waits. */
void ft_defer_poll(struct flowtbl *t);

/* htab.c: a subtable's hash table. Writer, except ft_htab_find (any). */
int ft_htab_reserve(struct flowtbl *t, struct subtable *st, uint32_t n_more);
void ft_htab_free(struct flowtbl *t, struct htab *ht);
void ft_htab_add(struct subtable *st, struct flowtbl_flow *f);
void ft_htab_del(struct flowtbl *t, struct subtable *st, struct flowtbl_flow *f);
struct flowtbl_flow *ft_htab_find(const struct subtable *st, const struct htab *ht, uint32_t hash,
			       const struct flow_key *key);

/* mask.c: subtables and their ranked vector. Writer. */
void ft_mask_compact(const struct flow_key *mask, struct subtable *st);
struct subtable *ft_subtable_find(struct flowtbl *t, const struct subtable *proto);
struct subtable *ft_subtable_for_mask(struct flowtbl *t, const struct flow_key *mask,
				      struct subtable *proto);
struct subtable *ft_subtable_create(struct flowtbl *t, const struct subtable *proto);
int ft_subtable_publish(struct flowtbl *t, struct subtable *st);
void ft_subtable_unpublish(struct flowtbl *t, struct subtable *st);
void ft_subtable_destroy_now(struct flowtbl *t, struct subtable *st);

/* slots.c: flow slots and per-reader stats. Writer. */
int ft_idx_alloc(struct flowtbl *t, uint32_t *idx);
void ft_idx_release(struct flowtbl *t, uint32_t idx);
void ft_slot_stats_zero(struct flowtbl *t, uint32_t idx);
int ft_slots_init(struct flowtbl *t);
void ft_slots_fini(struct flowtbl *t);
/* Add slot chunks until idx 0..n-1 exist (n capped at the directory). */
int ft_slots_reserve(struct flowtbl *t, uint32_t n);

/* dump.c: the id-ordered flow vector and the UFID index. Writer. */
int ft_dump_reserve(struct flowtbl *t, uint32_t n);
void ft_dump_add(struct flowtbl *t, struct flowtbl_flow *f);
void ft_dump_del(struct flowtbl *t, struct flowtbl_flow *f);
struct flowtbl_flow *ft_dump_last(const struct flowtbl *t);
int ft_ufid_reserve(struct flowtbl *t, uint32_t n);
void ft_ufid_add(struct flowtbl *t, struct flowtbl_flow *f);
void ft_ufid_del(struct flowtbl *t, struct flowtbl_flow *f);

/* ident.c: the key a flow without UFID was sent with. Writer. */
int ft_ident_set(struct flowtbl *t, struct flowtbl_flow *f, const struct flow_key *key,
		 const struct flow_key *mask, const struct flow_key *masked);
void ft_ident_free(struct flowtbl *t, struct flowtbl_flow *f);

/* table.c */
void ft_flow_free_now(struct flowtbl *t, struct flowtbl_flow *f);

/* pmd.c: destroy the PMD contexts left at table destroy. */
void ft_pmd_destroy_all(struct flowtbl *t);

#endif /* FLOWTBL_INT_H */
