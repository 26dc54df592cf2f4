/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the flow table's PMD side: the exact-match cache (sets,
 * validation, hashes, the adaptive bypass), subtable ranking, duplicate
 * maps, and lookups in tables big enough for the presence filter. The
 * writer side is test_flowtbl.c. No EAL is initialised.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flowtbl.h"
#include "flowtbl_pmd.h"
#include "flowtbl_testlib.h"
#include "flowtbl_unit.h"

/* The cache answers repeats, and never a removed flow or one that stopped
 * matching (its idx recycled by a flow with another key). */
static void test_cache_validates(void **state)
{
	struct flowtbl *t = table_new(1, 0);
	struct flowtbl_pmd *pmd = pmd_new(t, 0, 1024, 1);
	struct flowtbl_flow *f, *g;
	struct flowtbl_counters c;
	struct flow_key k, m, k2;

	(void)state;
	tl_key_tcp4(&k, 1, 0x0a000001, 0x0a000002, 1000, 80);
	tl_mask_tcp4(&m, 32, 32, 1, 1);
	assert_int_equal(flowtbl_insert(t, &k, &m, ACT_A, 4, NULL, &f), 0);
	assert_ptr_equal(lookup1(pmd, &k), f);              /* classifier, fills cache */
	assert_ptr_equal(lookup1(pmd, &k), f);              /* cache */
	flowtbl_pmd_counters_get(pmd, &c);
	assert_int_equal(c.cache_hit, 1);

	flowtbl_remove(t, f);
	assert_null(lookup1(pmd, &k));                      /* not after remove returns */
	flowtbl_pmd_counters_get(pmd, &c);
	assert_int_equal(c.cache_hit, 1);
	sync_as_reader(t, pmd, NULL);

	/* The freed idx goes to the next flow; the stale entry must not
	 * return it for a packet it doesn't match. */
	tl_key_tcp4(&k2, 1, 0x0a000009, 0x0a000002, 1000, 80);
	assert_int_equal(flowtbl_insert(t, &k2, &m, ACT_B, 8, NULL, &g), 0);
	assert_null(lookup1(pmd, &k));
	assert_ptr_equal(lookup1(pmd, &k2), g);
	/* A wider flow that does match k: the cache may serve it. */
	tl_mask_tcp4(&m, 16, 32, 1, 1);
	assert_int_equal(flowtbl_insert(t, &k, &m, ACT_B, 8, NULL, &f), 0);
	assert_ptr_equal(lookup1(pmd, &k), f);
	assert_ptr_equal(lookup1(pmd, &k), f);
	flowtbl_pmd_counters_get(pmd, &c);
	assert_int_equal(c.cache_hit, 2);
	assert_int_equal(c.missed, 2);

	/* insert_inv_prob 0: the cache is never filled. */
	flowtbl_pmd_insert_prob_set(pmd, 0);
	tl_key_tcp4(&k2, 1, 0x0a000009, 0x0a000002, 1000, 81);
	tl_mask_tcp4(&m, 32, 32, 1, 1);
	assert_int_equal(flowtbl_insert(t, &k2, &m, ACT_B, 8, NULL, &g), 0);
	for (int i = 0; i < 4; i++)
		assert_ptr_equal(lookup1(pmd, &k2), g);
	flowtbl_pmd_counters_get(pmd, &c);
	assert_int_equal(c.cache_hit, 2);

	/* Precomputed hashes (e.g. RSS) work as well as the key hash. */
	flowtbl_pmd_insert_prob_set(pmd, 1);
	const struct flow_key *keys[1] = { &k2 };
	struct flowtbl_flow *res[1];
	uint32_t rss = 12345;

	assert_int_equal(flowtbl_lookup_burst(pmd, keys, &rss, 1, res), 1);
	assert_int_equal(flowtbl_lookup_burst(pmd, keys, &rss, 1, res), 1);
	assert_ptr_equal(res[0], g);
	flowtbl_pmd_counters_get(pmd, &c);
	assert_int_equal(c.cache_hit, 3);
	flowtbl_pmd_offline(pmd);
	flowtbl_destroy(t);
}

/* Look key k up with cache hash h (as a caller with RSS hashes would). */
static struct flowtbl_flow *lookup_h(struct flowtbl_pmd *pmd, const struct flow_key *k, uint32_t h)
{
	const struct flow_key *keys[1] = { k };
	struct flowtbl_flow *f[1] = { NULL };

	return flowtbl_lookup_burst(pmd, keys, &h, 1, f) ? f[0] : NULL;
}

/*
 * Cache hits verify masks of four and five words (one a 5-tuple, the
 * other with the Ethernet destination too) without a branch on the word
 * count: every word of each counts, the fifth only for the five-word
 * mask. All keys share one cache hash here, so each lookup finds the
 * other flow's entry whenever it was the last one cached: a key that
 * differs from a flow only in its fifth word (the Ethernet address) or
 * in any of the first four must not be given that flow.
 */
static void test_cache_mixed_widths(void **state)
{
	static const uint8_t mac_a[6] = { 2, 0, 0, 0, 0, 1 }, mac_b[6] = { 2, 0, 0, 0, 0, 2 };
	struct flowtbl *t = table_new(1, 0);
	struct flowtbl_pmd *pmd = pmd_new(t, 0, 1024, 1);
	struct flowtbl_flow *f4, *f5;
	struct flowtbl_counters c;
	struct flow_key m4, m5, k4, k5, k5b, k4b;
	const uint32_t h = 77;

	(void)state;
	tl_mask_tcp4(&m4, 32, 32, 1, 1);
	m5 = m4;
	memset(m5.eth_dst, 0xff, sizeof(m5.eth_dst));
	tl_key_tcp4(&k4, 1, 0x0a000001, 0x0a000002, 1000, 80);
	tl_key_tcp4(&k5, 1, 0x0a000003, 0x0a000002, 1000, 80);
	memcpy(k4.eth_dst, mac_a, 6);
	memcpy(k5.eth_dst, mac_a, 6);
	k5b = k5;
	memcpy(k5b.eth_dst, mac_b, 6);                      /* differs in word 5 only */
	k4b = k4;
	k4b.tp_dst = htons(81);                             /* differs in word 3 only */
	assert_int_equal(flowtbl_insert(t, &k4, &m4, ACT_A, 4, NULL, &f4), 0);
	assert_int_equal(flowtbl_insert(t, &k5, &m5, ACT_A, 4, NULL, &f5), 0);

	assert_ptr_equal(lookup_h(pmd, &k5, h), f5);        /* classifier, caches f5 */
	assert_ptr_equal(lookup_h(pmd, &k5, h), f5);        /* cache */
	assert_null(lookup_h(pmd, &k5b, h));                /* f5's entry, wrong 5th word */
	/* A 4-word flow matches whatever the 5th word: f4 for k4 with any MAC. */
	assert_ptr_equal(lookup_h(pmd, &k4, h), f4);        /* classifier, caches f4 */
	assert_ptr_equal(lookup_h(pmd, &k4, h), f4);        /* cache */
	memcpy(k4.eth_dst, mac_b, 6);
	assert_ptr_equal(lookup_h(pmd, &k4, h), f4);        /* cache */
	assert_null(lookup_h(pmd, &k4b, h));                /* f4's entry, wrong port */
	assert_ptr_equal(lookup_h(pmd, &k5, h), f5);        /* classifier again */
	flowtbl_pmd_counters_get(pmd, &c);
	assert_int_equal(c.cache_hit, 3);
	assert_int_equal(c.missed, 2);
	flowtbl_pmd_offline(pmd);
	flowtbl_destroy(t);
}

/*
 * The sparse map of flowtbl_lookup_burst_dup() changes how a key's cache
 * hash is computed, not its value: entries filled with the map are hit
 * without it and the other way round. A sparse bit on a key that has words
 * outside the sparse range (here its tunnel id) only costs hits: two such
 * keys that differ there share a hash and take turns in the cache, and
 * each still finds its own flow.
 */
static void test_cache_sparse_hash(void **state)
{
	struct flowtbl *t = table_new(1, 0);
	struct flowtbl_pmd *pmd = pmd_new(t, 0, 1024, 1);
	struct flow_key k[FLOWTBL_BURST], m, ta, tb, tm;
	const struct flow_key *keys[FLOWTBL_BURST];
	struct flowtbl_flow *f[FLOWTBL_BURST], *res[FLOWTBL_BURST], *fa, *fb;
	struct flowtbl_counters c0, c1;

	(void)state;
	tl_mask_tcp4(&m, 32, 32, 1, 1);
	for (uint32_t i = 0; i < FLOWTBL_BURST; i++) {
		tl_key_tcp4(&k[i], 1, 0x0a000001 + i * 77, 0x0b000002, 1000 + (uint16_t)i, 80);
		keys[i] = &k[i];
		assert_int_equal(flowtbl_insert(t, &k[i], &m, ACT_A, 4, NULL, &f[i]), 0);
	}
	/* Fill with the map, hit without, then with it again. */
	assert_int_equal(flowtbl_lookup_burst_dup(pmd, keys, NULL, FLOWTBL_BURST, 0, UINT32_MAX, res),
			 UINT32_MAX);
	for (int round = 0; round < 2; round++) {
		uint32_t sparse = round ? UINT32_MAX : 0;

		flowtbl_pmd_counters_get(pmd, &c0);
		assert_int_equal(flowtbl_lookup_burst_dup(pmd, keys, NULL, FLOWTBL_BURST, 0, sparse,
							  res), UINT32_MAX);
		flowtbl_pmd_counters_get(pmd, &c1);
		assert_int_equal(c1.cache_hit - c0.cache_hit, FLOWTBL_BURST);
		for (uint32_t i = 0; i < FLOWTBL_BURST; i++)
			assert_ptr_equal(res[i], f[i]);
	}

	/* Wrong bits: keys that differ only in the tunnel id. */
	tl_key_tcp4(&ta, 2, 0x0a000001, 0x0a000002, 1000, 80);
	tb = ta;
	ta.tun.tun_id = 1;
	tb.tun.tun_id = 2;
	tm = m;
	tm.tun.tun_id = UINT64_MAX;
	assert_int_equal(flowtbl_insert(t, &ta, &tm, ACT_A, 4, NULL, &fa), 0);
	assert_int_equal(flowtbl_insert(t, &tb, &tm, ACT_B, 8, NULL, &fb), 0);
	for (int i = 0; i < 8; i++) {
		const struct flow_key *one[1] = { i & 1 ? &tb : &ta };
		struct flowtbl_flow *r[1] = { NULL };

		assert_int_equal(flowtbl_lookup_burst_dup(pmd, one, NULL, 1, 0, 1, r), 1);
		assert_ptr_equal(r[0], i & 1 ? fb : fa);
	}
	flowtbl_pmd_offline(pmd);
	flowtbl_destroy(t);
}

/* The cache's sets of 8 ways: a free way is filled on the first miss
 * whatever the insert probability; a full set replaces a way only with
 * that probability. A cached entry never returns a removed flow, nor the
 * removed flow's mask: a flow of the same key under another mask is
 * found (through the classifier, then the cache) as itself. */
static void test_cache_sets(void **state)
{
	struct flowtbl *t = table_new(1, 0);
	/* One set (8 entries); 1/UINT32_MAX: never replaces a used way. */
	struct flowtbl_pmd *pmd = pmd_new(t, 0, 8, UINT32_MAX);
	struct flowtbl_flow *f[9], *g;
	struct flowtbl_counters c;
	struct flow_key k[9], m, m16, k_near;

	(void)state;
	tl_mask_tcp4(&m, 32, 32, 1, 1);
	for (uint32_t i = 0; i < 9; i++) {
		tl_key_tcp4(&k[i], 1, 0x0a000001 + i, 0x0a000002, 1000, 80);
		assert_int_equal(flowtbl_insert(t, &k[i], &m, ACT_A, 4, NULL, &f[i]), 0);
	}
	for (uint32_t i = 0; i < 9; i++)
		assert_ptr_equal(lookup1(pmd, &k[i]), f[i]);   /* misses: fill free ways */
	for (uint32_t i = 0; i < 9; i++)
		assert_ptr_equal(lookup1(pmd, &k[i]), f[i]);
	flowtbl_pmd_counters_get(pmd, &c);
	assert_int_equal(c.cache_hit, 8);                   /* the 9th found no free way */

	flowtbl_pmd_insert_prob_set(pmd, 1);                /* now a full set replaces */
	assert_ptr_equal(lookup1(pmd, &k[8]), f[8]);
	assert_ptr_equal(lookup1(pmd, &k[8]), f[8]);
	flowtbl_pmd_counters_get(pmd, &c);
	assert_int_equal(c.cache_hit, 9);

	/* Removed while cached: never returned, now or after its memory and
	 * idx are recycled. */
	flowtbl_remove(t, f[8]);
	assert_null(lookup1(pmd, &k[8]));
	sync_as_reader(t, pmd, NULL);
	assert_null(lookup1(pmd, &k[8]));
	flowtbl_pmd_counters_get(pmd, &c);
	assert_int_equal(c.cache_hit, 9);
	assert_int_equal(c.missed, 2);

	/* The same key under another mask (dst /16): the cached entry's key
	 * hash is the packet's, so it may serve the new flow, but only as
	 * the new flow, and packets that only the new mask matches find it. */
	tl_mask_tcp4(&m16, 16, 32, 1, 1);
	tl_key_tcp4(&k_near, 1, 0x0a00ff01, 0x0a000002, 1000, 80);
	for (uint32_t i = 0; i < 8; i++)
		flowtbl_remove(t, f[i]);
	sync_as_reader(t, pmd, NULL);
	assert_int_equal(flowtbl_insert(t, &k[8], &m16, ACT_B, 8, NULL, &g), 0);
	for (int rep = 0; rep < 3; rep++) {
		assert_ptr_equal(lookup1(pmd, &k[8]), g);
		assert_ptr_equal(lookup1(pmd, &k_near), g);
		for (uint32_t i = 0; i < 8; i++)             /* removed, though cached */
			assert_ptr_equal(lookup1(pmd, &k[i]), g);
	}
	assert_int_equal(flowtbl_flow_actions(g)->len, 8);
	flowtbl_pmd_offline(pmd);
	flowtbl_destroy(t);
}

/* Many flows in one subtable: growth, spills, shrink. */
static void test_many_flows_one_mask(void **state)
{
	enum { N = 20000 };
	struct flowtbl *t = table_new(1, 0);
	struct flowtbl_pmd *pmd = pmd_new(t, 0, 0, 0);
	static struct flowtbl_flow *flows[N];
	struct flow_key k, m;

	(void)state;
	tl_mask_tcp4(&m, 32, 32, 1, 1);
	for (uint32_t i = 0; i < N; i++) {
		tl_key_tcp4(&k, 1, i * 7919, i, (uint16_t)i, 80);
		assert_int_equal(flowtbl_insert(t, &k, &m, ACT_A, 4, NULL, &flows[i]), 0);
	}
	for (uint32_t i = 0; i < N; i++) {
		tl_key_tcp4(&k, 1, i * 7919, i, (uint16_t)i, 80);
		assert_ptr_equal(lookup1(pmd, &k), flows[i]);
		assert_ptr_equal(flowtbl_find_exact(t, &k, &m), flows[i]);
	}
	for (uint32_t i = 0; i < N; i += 2)
		flowtbl_remove(t, flows[i]);
	for (uint32_t i = 0; i < N; i++) {
		tl_key_tcp4(&k, 1, i * 7919, i, (uint16_t)i, 80);
		assert_ptr_equal(lookup1(pmd, &k), i % 2 ? flows[i] : NULL);
	}
	for (uint32_t i = 1; i < N - 1; i += 2)
		flowtbl_remove(t, flows[i]);
	sync_as_reader(t, pmd, NULL);
	tl_key_tcp4(&k, 1, (N - 1) * 7919, N - 1, (uint16_t)(N - 1), 80);
	assert_ptr_equal(lookup1(pmd, &k), flows[N - 1]);
	assert_int_equal(flowtbl_count(t), 1);
	flowtbl_pmd_offline(pmd);
	flowtbl_destroy(t);
}

/* Look keys[0..n) up in one burst; returns the found bits. */
static uint32_t lookup_n(struct flowtbl_pmd *pmd, const struct flow_key *keys, uint32_t n,
			 struct flowtbl_flow **res)
{
	const struct flow_key *kp[FLOWTBL_BURST];

	for (uint32_t i = 0; i < n; i++)
		kp[i] = &keys[i];
	return flowtbl_lookup_burst(pmd, kp, NULL, n, res);
}

/* Key i of test_big_table_filter: present when i < FILTER_N, half the
 * burst absent otherwise (another source network). */
#define FILTER_N 130000
static void filter_key(struct flow_key *k, uint32_t i)
{
	tl_key_tcp4(k, 1, 0x0a000000u + i, 0xac100000u + i * 7919u, (uint16_t)i, 80);
}

/*
 * A subtable past 64 Ki buckets (more than 114 688 flows: half of 7
 * entries a bucket) is probed through its presence filter: a key whose
 * bit is clear misses without its bucket. Every flow must still be found
 * by bursts, absent keys (present ones' neighbours in the same bursts)
 * must miss, removed flows (whose bits stay set) must miss, and flows
 * put back must be found again.
 */
static void test_big_table_filter(void **state)
{
	struct flowtbl *t = table_new(1, 0);
	struct flowtbl_pmd *pmd = pmd_new(t, 0, 0, 0);
	static struct flowtbl_flow *flows[FILTER_N];
	struct flowtbl_flow *res[FLOWTBL_BURST];
	struct flow_key keys[FLOWTBL_BURST], m;
	uint32_t present = 0x55555555u;

	(void)state;
	tl_mask_tcp4(&m, 32, 32, 1, 1);
	for (uint32_t i = 0; i < FILTER_N; i++) {
		filter_key(&keys[0], i);
		assert_int_equal(flowtbl_insert(t, &keys[0], &m, ACT_A, 4, NULL, &flows[i]), 0);
	}
	/* 64 Ki buckets of 64 bytes at least. */
	assert_true(flowtbl_memory(t) > (size_t)65536 * 64);
	for (uint32_t base = 0; base + FLOWTBL_BURST <= FILTER_N; base += FLOWTBL_BURST) {
		for (uint32_t i = 0; i < FLOWTBL_BURST; i++)
			filter_key(&keys[i], base + i);
		assert_int_equal(lookup_n(pmd, keys, FLOWTBL_BURST, res), UINT32_MAX);
		for (uint32_t i = 0; i < FLOWTBL_BURST; i++)
			assert_ptr_equal(res[i], flows[base + i]);
		/* The odd slots: keys that were never inserted. */
		for (uint32_t i = 1; i < FLOWTBL_BURST; i += 2)
			filter_key(&keys[i], FILTER_N + base + i);
		assert_int_equal(lookup_n(pmd, keys, FLOWTBL_BURST, res), present);
		for (uint32_t i = 0; i < FLOWTBL_BURST; i += 2)
			assert_ptr_equal(res[i], flows[base + i]);
	}
	for (uint32_t i = 0; i < FILTER_N; i += 3)
		flowtbl_remove(t, flows[i]);
	sync_as_reader(t, pmd, NULL);
	for (uint32_t base = 0; base + FLOWTBL_BURST <= FILTER_N; base += FLOWTBL_BURST) {
		uint32_t want = 0;

		for (uint32_t i = 0; i < FLOWTBL_BURST; i++) {
			filter_key(&keys[i], base + i);
			want |= (uint32_t)((base + i) % 3 != 0) << i;
		}
		assert_int_equal(lookup_n(pmd, keys, FLOWTBL_BURST, res), want);
	}
	for (uint32_t i = 0; i < FILTER_N; i += 3) {
		filter_key(&keys[0], i);
		assert_int_equal(flowtbl_insert(t, &keys[0], &m, ACT_B, 8, NULL, &flows[i]), 0);
	}
	for (uint32_t i = 0; i < FILTER_N; i += 3 * FLOWTBL_BURST) {
		filter_key(&keys[0], i);
		assert_int_equal(lookup_n(pmd, keys, 1, res), 1);
		assert_ptr_equal(res[0], flows[i]);
	}
	flowtbl_pmd_offline(pmd);
	flowtbl_destroy(t);
}

/* Busy masks move to the front, cutting the masks probed per packet. */
static void test_rerank(void **state)
{
	struct flowtbl *t = table_new(1, 0);
	struct flowtbl_pmd *pmd = pmd_new(t, 0, 0, 0);
	struct flowtbl_counters c0, c1;
	struct flow_key k, m;

	(void)state;
	for (uint32_t i = 0; i < 8; i++) {
		tl_key_tcp4(&k, 1, i << 24, 0, 0, 0);
		tl_mask_tcp4(&m, 8 + i, 0, 0, 0);
		assert_int_equal(flowtbl_insert(t, &k, &m, ACT_A, 4, NULL, NULL), 0);
	}
	tl_key_tcp4(&k, 1, 7u << 24, 0, 0, 0);              /* in the last mask */
	for (int i = 0; i < 10; i++)
		assert_non_null(lookup1(pmd, &k));
	flowtbl_pmd_counters_get(pmd, &c0);
	assert_int_equal(c0.mask_hit, 80);
	/* Per-mask statistics, in the readers' order: the hit mask is last. */
	struct flowtbl_mask_info mi;
	for (uint32_t i = 0; i < 8; i++) {
		assert_int_equal(flowtbl_mask_info(t, i, &mi), 0);
		tl_mask_tcp4(&m, 8 + i, 0, 0, 0);
		assert_memory_equal(&mi.mask, &m, sizeof(m));
		assert_int_equal(mi.n_flows, 1);
		assert_int_equal(mi.hits, i == 7 ? 10 : 0);
		tl_key_tcp4(&k, 1, i << 24, 0, 0, 0);
		flow_key_mask_apply(&k, &k, &m);
		assert_memory_equal(&mi.example, &k, sizeof(k));
	}
	assert_int_equal(flowtbl_mask_info(t, 8, &mi), -ENOENT);
	flowtbl_rerank(t);
	assert_int_equal(flowtbl_mask_info(t, 0, &mi), 0);
	assert_memory_equal(&mi.mask, &m, sizeof(m));       /* now first */
	assert_int_equal(mi.hits, 10);
	tl_key_tcp4(&k, 1, 7u << 24, 0, 0, 0);
	for (int i = 0; i < 10; i++)
		assert_non_null(lookup1(pmd, &k));
	flowtbl_pmd_counters_get(pmd, &c1);
	assert_int_equal(c1.mask_hit - c0.mask_hit, 10);
	flowtbl_rerank(t);                                  /* idle: stays */
	sync_as_reader(t, pmd, NULL);
	flowtbl_counters_get(t, &c1);
	assert_int_equal(c1.hit, 20);
	flowtbl_pmd_offline(pmd);
	flowtbl_destroy(t);
}

/* Adaptive cache: with one mask a cache hit saves nothing, so the cache
 * is not consulted at all; with the flow behind eight masks it saves seven
 * probes per hit, so it comes on. */
static void test_cache_adaptive(void **state)
{
	struct flowtbl *t = table_new(2, 0);
	struct flowtbl_pmd_params pp = { .slot = 0, .cache_entries = 1024, .insert_inv_prob = 1,
					 .cache_adaptive = true };
	struct flowtbl_pmd *pmd;
	struct flowtbl_counters c0, c1;
	const struct flow_key *keys[FLOWTBL_BURST];
	struct flowtbl_flow *res[FLOWTBL_BURST];
	struct flow_key k, m;

	(void)state;
	assert_int_equal(flowtbl_pmd_create(t, &pp, &pmd), 0);
	flowtbl_pmd_online(pmd);
	tl_key_tcp4(&k, 1, 7u << 24, 0, 0, 0);
	tl_mask_tcp4(&m, 8, 0, 0, 0);
	assert_int_equal(flowtbl_insert(t, &k, &m, ACT_A, 4, NULL, NULL), 0);
	for (int i = 0; i < FLOWTBL_BURST; i++)
		keys[i] = &k;
	for (int b = 0; b < 1024; b++)              /* 4 windows */
		assert_int_equal(flowtbl_lookup_burst(pmd, keys, NULL, FLOWTBL_BURST, res), UINT32_MAX);
	flowtbl_pmd_counters_get(pmd, &c0);
	for (int b = 0; b < 1024; b++)
		assert_int_equal(flowtbl_lookup_burst(pmd, keys, NULL, FLOWTBL_BURST, res), UINT32_MAX);
	flowtbl_pmd_counters_get(pmd, &c1);
	/* One subtable: the cache stays out, not even sampled. */
	assert_int_equal(c1.cache_hit - c0.cache_hit, 0);
	assert_int_equal(c1.hit - c0.hit, 1024 * FLOWTBL_BURST);

	/* A flow behind seven other masks (new masks go to the back until a
	 * rerank): a cache hit now saves eight probes, so after a window the
	 * cache answers everything. */
	for (uint32_t i = 0; i < 7; i++) {
		tl_key_tcp4(&k, 2, i << 24, 0, 0, 0);
		tl_mask_tcp4(&m, 9 + i, 0, 0, 0);
		assert_int_equal(flowtbl_insert(t, &k, &m, ACT_A, 4, NULL, NULL), 0);
	}
	tl_key_tcp4(&k, 3, 5u << 24, 0, 0, 0);
	tl_mask_tcp4(&m, 20, 0, 0, 0);
	assert_int_equal(flowtbl_insert(t, &k, &m, ACT_A, 4, NULL, NULL), 0);
	assert_int_equal(flowtbl_mask_count(t), 9);
	flowtbl_pmd_insert_prob_set(pmd, 1);
	for (int b = 0; b < 1024; b++)
		assert_int_equal(flowtbl_lookup_burst(pmd, keys, NULL, FLOWTBL_BURST, res), UINT32_MAX);
	flowtbl_pmd_counters_get(pmd, &c0);
	for (int b = 0; b < 1024; b++)
		assert_int_equal(flowtbl_lookup_burst(pmd, keys, NULL, FLOWTBL_BURST, res), UINT32_MAX);
	flowtbl_pmd_counters_get(pmd, &c1);
	assert_int_equal(c1.cache_hit - c0.cache_hit, 1024 * FLOWTBL_BURST);
	flowtbl_pmd_offline(pmd);
	flowtbl_destroy(t);
}

/* Each mask's classifier hits, in rank order (3 masks). */
static void mask_hits(const struct flowtbl *t, uint64_t hits[3])
{
	struct flowtbl_mask_info mi;

	for (uint32_t i = 0; i < 3; i++) {
		assert_int_equal(flowtbl_mask_info(t, i, &mi), 0);
		hits[i] = mi.hits;
	}
}

/*
 * A dup map (flowtbl_lookup_burst_dup()) changes the work, nothing else:
 * bursts with runs of repeated keys that hit one of three masks or miss,
 * through the cache or not, give the map, flows, counters and per-mask
 * hits of plain lookups. Dup bits on key 0 and past n are ignored.
 */
static void test_lookup_dup(void **state)
{
	struct flowtbl *t = table_new(4, 0);
	struct flowtbl_pmd *plain[2] = { pmd_new(t, 0, 0, 0), pmd_new(t, 1, 1024, 1) };
	struct flowtbl_pmd *dup[2] = { pmd_new(t, 2, 0, 0), pmd_new(t, 3, 1024, 1) };
	struct flow_key k, m, pk[FLOWTBL_BURST];
	const struct flow_key *keys[FLOWTBL_BURST];
	struct flowtbl_counters cp, cd;
	uint64_t rs = 1, runs = 0;

	(void)state;
	for (uint32_t i = 0; i < 3; i++) {
		tl_mask_tcp4(&m, 0, 8 + 8 * i, 0, i == 2);
		for (uint32_t j = 0; j < 4; j++) {
			tl_key_tcp4(&k, 1 + i, 0, (10 + j) << 24, 0, 80);
			assert_int_equal(flowtbl_insert(t, &k, &m, ACT_A, 4, NULL, NULL), 0);
		}
	}
	for (int b = 0; b < 3000; b++) {
		uint32_t n = 1 + tl_below(&rs, FLOWTBL_BURST), dmap = 0;

		for (uint32_t i = 0; i < n; i++) {
			if (i && tl_below(&rs, 4)) {
				pk[i] = pk[i - 1];
				dmap |= 1u << i;
				runs++;
			} else {
				tl_key_tcp4(&pk[i], 1 + tl_below(&rs, 4), 1,
					    (10 + tl_below(&rs, 5)) << 24 | tl_below(&rs, 3) << 8,
					    0, (uint16_t)(80 + tl_below(&rs, 2)));
			}
			keys[i] = &pk[i];
		}
		/* Bits the lookup must ignore. */
		dmap |= 1u | (n < FLOWTBL_BURST ? ~0u << n : 0);
		for (int c = 0; c < 2; c++) {
			struct flowtbl_flow *rp[FLOWTBL_BURST], *rd[FLOWTBL_BURST];
			uint64_t h0[3], h1[3], h2[3];
			uint32_t fp, fd;

			mask_hits(t, h0);
			fp = flowtbl_lookup_burst(plain[c], keys, NULL, n, rp);
			mask_hits(t, h1);
			fd = flowtbl_lookup_burst_dup(dup[c], keys, NULL, n, dmap, 0, rd);
			mask_hits(t, h2);
			assert_int_equal(fd, fp);
			for (uint32_t i = 0; i < n; i++)
				if (fp & (1u << i))
					assert_ptr_equal(rd[i], rp[i]);
			for (int j = 0; j < 3; j++)
				assert_int_equal(h2[j] - h1[j], h1[j] - h0[j]);
		}
	}
	assert_true(runs > 10000);
	for (int c = 0; c < 2; c++) {
		flowtbl_pmd_counters_get(plain[c], &cp);
		flowtbl_pmd_counters_get(dup[c], &cd);
		assert_int_equal(cd.hit, cp.hit);
		assert_int_equal(cd.missed, cp.missed);
		assert_int_equal(cd.cache_hit, cp.cache_hit);
		assert_int_equal(cd.mask_hit, cp.mask_hit);
		assert_true(cp.hit > 10000 && cp.missed > 10000);
		assert_true(c == 0 ? cp.cache_hit == 0 : cp.cache_hit > 10000);
		flowtbl_pmd_offline(plain[c]);
		flowtbl_pmd_offline(dup[c]);
	}
	flowtbl_destroy(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cache_validates),
		cmocka_unit_test(test_cache_sets),
		cmocka_unit_test(test_many_flows_one_mask),
		cmocka_unit_test(test_big_table_filter),
		cmocka_unit_test(test_rerank),
		cmocka_unit_test(test_cache_adaptive),
		cmocka_unit_test(test_lookup_dup),
		cmocka_unit_test(test_cache_sparse_hash),
		cmocka_unit_test(test_cache_mixed_widths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
