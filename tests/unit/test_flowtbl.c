/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the flow table's writer side and its plain lookups: bad
 * input, inserts (prepared or not), identifiers, masked lookups, actions,
 * stats, dumps, limits, memory and grace periods. The PMD's exact-match
 * cache, subtable ranking and big tables are test_flowtbl_pmd.c, the
 * randomized comparison with a reference test_flowtbl_prop.c, the threads
 * test_flowtbl_concurrency.c. No EAL is initialised.
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

static void test_create_bad_params(void **state)
{
	struct flowtbl_params p = { .n_readers = 1 };
	struct flowtbl *t = NULL;

	(void)state;
	assert_int_equal(flowtbl_create(NULL, &t), -EINVAL);
	assert_int_equal(flowtbl_create(&p, NULL), -EINVAL);
	p.n_readers = 0;
	assert_int_equal(flowtbl_create(&p, &t), -EINVAL);
	p.n_readers = FLOWTBL_READERS_MAX + 1;
	assert_int_equal(flowtbl_create(&p, &t), -EINVAL);
	p.n_readers = 1;
	p.max_flows = FLOWTBL_FLOWS_MAX + 1;
	assert_int_equal(flowtbl_create(&p, &t), -EINVAL);
	assert_null(t);
	flowtbl_destroy(NULL);
}

static void test_pmd_bad_params(void **state)
{
	struct flowtbl *t = table_new(2, 0);
	struct flowtbl_pmd_params p = { .slot = 2 };
	struct flowtbl_pmd *a = NULL, *b = NULL;

	(void)state;
	assert_int_equal(flowtbl_pmd_create(t, &p, &a), -EINVAL);  /* slot out of range */
	p.slot = 0;
	p.cache_entries = 1000;                                    /* not a power of two */
	assert_int_equal(flowtbl_pmd_create(t, &p, &a), -EINVAL);
	p.cache_entries = FLOWTBL_CACHE_MAX * 2;
	assert_int_equal(flowtbl_pmd_create(t, &p, &a), -EINVAL);
	p.cache_entries = 1;
	assert_int_equal(flowtbl_pmd_create(t, &p, &a), 0);
	assert_int_equal(flowtbl_pmd_create(t, &p, &b), -EBUSY);  /* slot taken */
	assert_int_equal(flowtbl_pmd_create(NULL, &p, &b), -EINVAL);
	flowtbl_pmd_destroy(a);
	assert_int_equal(flowtbl_pmd_create(t, &p, &b), 0);        /* slot free again */
	flowtbl_destroy(t);                                        /* frees b too */
}

static void test_insert_bad_input(void **state)
{
	struct flowtbl *t = table_new(1, 0);
	struct flow_key k, m;
	static uint8_t big[FLOWTBL_ACTIONS_MAX + 1];

	(void)state;
	tl_key_tcp4(&k, 1, 0x0a000001, 0x0a000002, 1000, 80);
	tl_mask_tcp4(&m, 32, 32, 1, 1);
	assert_int_equal(flowtbl_insert(NULL, &k, &m, ACT_A, 4, NULL, NULL), -EINVAL);
	assert_int_equal(flowtbl_insert(t, NULL, &m, ACT_A, 4, NULL, NULL), -EINVAL);
	assert_int_equal(flowtbl_insert(t, &k, NULL, ACT_A, 4, NULL, NULL), -EINVAL);
	assert_int_equal(flowtbl_insert(t, &k, &m, NULL, 4, NULL, NULL), -EINVAL);
	assert_int_equal(flowtbl_insert(t, &k, &m, big, sizeof(big), NULL, NULL), -EINVAL);
	assert_int_equal(flowtbl_count(t), 0);
	assert_int_equal(flowtbl_mask_count(t), 0);
	/* No actions at all is a drop flow, and fine. */
	assert_int_equal(flowtbl_insert(t, &k, &m, NULL, 0, NULL, NULL), 0);
	assert_int_equal(flowtbl_insert(t, &k, &m, big, FLOWTBL_ACTIONS_MAX, NULL, NULL), -EEXIST);
	assert_null(flowtbl_find_exact(t, NULL, &m));
	assert_null(flowtbl_find_ufid(t, NULL));
	flowtbl_remove(t, NULL);
	flowtbl_destroy(t);
}

static void test_insert_find_exact(void **state)
{
	struct flowtbl *t = table_new(1, 0);
	struct flow_ufid u1 = { { 1, 2, 3, 4 } }, u2 = { { 5, 6, 7, 8 } }, got;
	struct flowtbl_flow *f = NULL, *g = NULL;
	struct flow_key k, m, k2, out;
	const struct flowtbl_actions *a;

	(void)state;
	tl_key_tcp4(&k, 1, 0x0a000001, 0x0a000002, 1000, 80);
	tl_mask_tcp4(&m, 24, 32, 0, 1);
	assert_int_equal(flowtbl_insert(t, &k, &m, ACT_A, sizeof(ACT_A), &u1, &f), 0);
	assert_int_equal(flowtbl_count(t), 1);
	assert_int_equal(flowtbl_mask_count(t), 1);
	assert_int_equal(flowtbl_flow_id(f), 1);

	/* Stored masked: the key reads back with the wildcarded bits zero. */
	flowtbl_flow_key(f, &out);
	flow_key_mask_apply(&k2, &k, &m);
	assert_memory_equal(&out, &k2, sizeof(out));
	flowtbl_flow_mask(f, &out);
	assert_memory_equal(&out, &m, sizeof(out));
	assert_true(flowtbl_flow_ufid(f, &got));
	assert_memory_equal(&got, &u1, sizeof(got));
	a = flowtbl_flow_actions(f);
	assert_int_equal(a->len, sizeof(ACT_A));
	assert_memory_equal(a->data, ACT_A, sizeof(ACT_A));

	/* Same masked key (differs only in wildcarded bits) and mask: EEXIST. */
	k2 = k;
	k2.ipv4.src = htonl(0x0a0000fe);
	k2.tp_src = htons(5);
	assert_ptr_equal(flowtbl_find_exact(t, &k2, &m), f);
	assert_int_equal(flowtbl_insert(t, &k2, &m, ACT_B, sizeof(ACT_B), NULL, NULL), -EEXIST);
	/* Same UFID, other key: EEXIST. */
	k2.ipv4.dst = htonl(0x0a000003);
	assert_int_equal(flowtbl_insert(t, &k2, &m, ACT_B, sizeof(ACT_B), &u1, NULL), -EEXIST);
	/* Same key under another mask is another flow, in another subtable. */
	tl_mask_tcp4(&m, 24, 32, 1, 1);
	assert_null(flowtbl_find_exact(t, &k, &m));
	assert_int_equal(flowtbl_insert(t, &k, &m, ACT_B, sizeof(ACT_B), &u2, &g), 0);
	assert_ptr_not_equal(f, g);
	assert_int_equal(flowtbl_mask_count(t), 2);
	assert_ptr_equal(flowtbl_find_ufid(t, &u1), f);
	assert_ptr_equal(flowtbl_find_ufid(t, &u2), g);
	assert_true(flowtbl_flow_ufid(f, NULL));

	flowtbl_remove(t, f);
	assert_true(flowtbl_flow_dead(f));
	flowtbl_remove(t, f);                              /* no-op */
	assert_null(flowtbl_find_ufid(t, &u1));
	tl_mask_tcp4(&m, 24, 32, 0, 1);
	assert_null(flowtbl_find_exact(t, &k, &m));
	assert_int_equal(flowtbl_count(t), 1);
	assert_int_equal(flowtbl_mask_count(t), 1);        /* its mask went with it */
	flowtbl_synchronize(t);
	/* The UFID and key are free again. */
	assert_int_equal(flowtbl_insert(t, &k, &m, ACT_A, sizeof(ACT_A), &u1, &f), 0);
	assert_int_equal(flowtbl_flow_id(f), 3);
	flowtbl_destroy(t);
}

/*
 * A flow without UFID keeps the key it was inserted with (the kernel's
 * unmasked_key): flowtbl_find_ident() finds it by that key only, as
 * ovs_flow_tbl_lookup_exact(); a flow with a UFID is never found that way.
 * The memory it takes: nothing when the key was sent masked, one small
 * block when it had bits outside the mask, freed with the flow.
 */
static void test_ident(void **state)
{
	struct flowtbl *t = table_new(1, 0);
	struct flow_ufid u = { { 9, 9, 9, 9 } };
	struct flowtbl_flow *f = NULL, *g = NULL, *h = NULL;
	struct flow_key k, m, mk, other, out;
	size_t mem0, mem1;

	(void)state;
	tl_key_tcp4(&k, 1, 0x0a000001, 0x0a000002, 1000, 80);
	tl_mask_tcp4(&m, 24, 32, 0, 1);
	flow_key_mask_apply(&mk, &k, &m);
	/* Sent masked: no identifier block; unmasked, one small one. With
	 * memory reserved, a masked insert takes nothing more from the heap. */
	assert_int_equal(flowtbl_reserve(t, 64), 0);
	assert_int_equal(flowtbl_insert(t, &mk, &m, ACT_A, sizeof(ACT_A), NULL, &f), 0);
	assert_ptr_equal(flowtbl_find_ident(t, &mk), f);
	assert_null(flowtbl_find_ident(t, &k)); /* k has bits mk lacks */
	flowtbl_flow_ident_key(f, &out);
	assert_memory_equal(&out, &mk, sizeof(out));
	mem0 = flowtbl_memory(t);
	other = mk;
	other.ipv4.dst = htonl(0x0a000009);
	assert_int_equal(flowtbl_insert(t, &other, &m, ACT_A, sizeof(ACT_A), NULL, NULL), 0);
	mem1 = flowtbl_memory(t);
	if (mem1 != mem0)
		fail_msg("masked insert: memory %zu -> %zu", mem0, mem1);
	flowtbl_remove(t, f);
	/* Sent unmasked: the identifier is the whole key; a key with other
	 * wildcarded bits hits the same flow but does not name it. */
	assert_int_equal(flowtbl_insert(t, &k, &m, ACT_A, sizeof(ACT_A), NULL, &f), 0);
	mem0 = flowtbl_memory(t);
	if (!(mem0 > mem1 && mem0 - mem1 <= 64))
		fail_msg("unmasked insert: memory %zu -> %zu", mem1, mem0);
	assert_ptr_equal(flowtbl_find_ident(t, &k), f);
	assert_true(flowtbl_flow_ident_equal(f, &k));
	other = k;
	other.tp_src = htons(7);
	assert_null(flowtbl_find_ident(t, &other));
	assert_false(flowtbl_flow_ident_equal(f, &other));
	flowtbl_flow_ident_key(f, &out);
	assert_memory_equal(&out, &k, sizeof(out));
	flowtbl_flow_key(f, &out);
	assert_memory_equal(&out, &mk, sizeof(out)); /* lookups see the masked key */
	/* Under another mask, another flow identified by the same key cannot
	 * be told apart by lookups; a UFID flow is never found by key. */
	tl_mask_tcp4(&m, 24, 32, 1, 1);
	assert_int_equal(flowtbl_insert(t, &other, &m, ACT_B, sizeof(ACT_B), &u, &g), 0);
	assert_null(flowtbl_find_ident(t, &other));
	assert_false(flowtbl_flow_ident_equal(g, &other));
	flowtbl_flow_ident_key(g, &out);
	flow_key_mask_apply(&mk, &other, &m);
	assert_memory_equal(&out, &mk, sizeof(out));
	tl_key_tcp4(&other, 2, 0x0b000001, 0x0b000002, 1, 2);
	assert_int_equal(flowtbl_insert(t, &other, &m, ACT_B, sizeof(ACT_B), NULL, &h), 0);
	assert_ptr_equal(flowtbl_find_ident(t, &other), h);
	assert_ptr_equal(flowtbl_find_ident(t, &k), f);
	/* Freed with the flow: the table's memory comes back. */
	flowtbl_flush(t);
	flowtbl_synchronize(t);
	assert_null(flowtbl_find_ident(t, &k));
	assert_null(flowtbl_find_ident(NULL, &k));
	flowtbl_destroy(t);
}

static void test_lookup_masked(void **state)
{
	struct flowtbl *t = table_new(1, 0);
	struct flowtbl_pmd *pmd = pmd_new(t, 0, 0, 0);
	struct flowtbl_flow *f24, *f32;
	struct flow_key k, m, p;
	struct flowtbl_counters c;

	(void)state;
	tl_key_tcp4(&k, 1, 0x0a000000, 0, 0, 80);
	tl_mask_tcp4(&m, 24, 0, 0, 1);                      /* 10.0.0.0/24 -> :80 */
	assert_int_equal(flowtbl_insert(t, &k, &m, ACT_A, 4, NULL, &f24), 0);
	tl_key_tcp4(&k, 2, 0x0b000001, 0x0b000002, 7, 8);
	tl_mask_tcp4(&m, 32, 32, 1, 1);
	assert_int_equal(flowtbl_insert(t, &k, &m, ACT_B, 8, NULL, &f32), 0);

	tl_key_tcp4(&p, 1, 0x0a000063, 0x01020304, 5555, 80);
	assert_ptr_equal(lookup1(pmd, &p), f24);
	p.ip_ttl = 3;                                       /* not in the mask */
	assert_ptr_equal(lookup1(pmd, &p), f24);
	p.tp_dst = htons(81);
	assert_null(lookup1(pmd, &p));
	p.tp_dst = htons(80);
	p.in_port = 2;
	assert_null(lookup1(pmd, &p));
	assert_ptr_equal(lookup1(pmd, &k), f32);

	flowtbl_pmd_counters_get(pmd, &c);
	assert_int_equal(c.hit, 3);
	assert_int_equal(c.missed, 2);
	assert_int_equal(c.cache_hit, 0);
	assert_true(c.mask_hit >= 3 && c.mask_hit <= 6);

	/* A burst: the map has exactly the bits of the keys that hit. */
	const struct flow_key *keys[FLOWTBL_BURST];
	struct flowtbl_flow *res[FLOWTBL_BURST];
	struct flow_key pk[FLOWTBL_BURST];
	uint32_t want = 0;

	for (int i = 0; i < FLOWTBL_BURST; i++) {
		tl_key_tcp4(&pk[i], 1 + (i % 3 == 2), 0x0a000000 + (uint32_t)i, 9, 1, 80);
		keys[i] = &pk[i];
		res[i] = NULL;
		if (i % 3 != 2)
			want |= 1u << i;
	}
	assert_int_equal(flowtbl_lookup_burst(pmd, keys, NULL, FLOWTBL_BURST, res), want);
	for (int i = 0; i < FLOWTBL_BURST; i++)
		assert_ptr_equal(res[i], (want >> i) & 1 ? f24 : NULL);
	assert_int_equal(flowtbl_lookup_burst(pmd, keys, NULL, 5, res), want & 0x1f);
	assert_int_equal(flowtbl_lookup_burst(pmd, keys, NULL, 0, res), 0);

	flowtbl_pmd_offline(pmd);
	flowtbl_destroy(t);
}

/* One (key, mask) inserted into two tables: plainly into 'a', through a
 * prep into 'b' (prepare, the prepped lookup, the prepped insert, as a
 * NEW does). Both must answer the same. */
static void insert_both(struct flowtbl *a, struct flowtbl *b, const struct flow_key *k,
			const struct flow_key *m, int *n_new)
{
	struct flowtbl_flow *fa = NULL, *fb = NULL;
	struct flowtbl_prep prep;
	struct flow_key mk;
	int ra, rb;

	flow_key_mask_apply(&mk, k, m);
	flowtbl_insert_prepare(b, &mk, m, &prep);
	assert_ptr_equal(flowtbl_lookup_key_prep(b, k, &prep) != NULL,
			 flowtbl_lookup_key(a, k) != NULL);
	assert_ptr_equal(flowtbl_lookup_key_prep(b, k, &prep), flowtbl_lookup_key(b, k));
	ra = flowtbl_insert(a, k, m, ACT_A, 4, NULL, &fa);
	rb = flowtbl_insert_prepared(b, &prep, k, m, ACT_A, 4, NULL, &fb);
	assert_int_equal(ra, rb);
	if (rb == 0) {
		/* filed where the general path looks for it */
		assert_ptr_equal(flowtbl_find_exact(b, k, m), fb);
		assert_non_null(flowtbl_lookup_key(b, k));
		(*n_new)++;
	}
}

/* A NEW's prep (subtable and hash found once, before the lookup and the
 * insert) files every flow as flowtbl_insert() does: new masks (no
 * subtable at prepare time), masks seen before, duplicates (-EEXIST),
 * tables that grow and rebuild in between. */
static void test_insert_prepared(void **state)
{
	struct flowtbl *a = table_new(1, 0), *b = table_new(1, 0);
	uint64_t seed = 11;
	struct flow_key k, m;
	int n_new = 0;

	(void)state;
	for (uint32_t i = 0; i < 6000; i++) {
		tl_key_tcp4(&k, 1 + (i & 1), 0x0a000000 | tl_below(&seed, 1u << 12),
			    tl_below(&seed, 4), (uint16_t)(i % 3), 80);
		tl_mask_tcp4(&m, 8 + 3 * (i % 9), i % 4 ? 0 : 32, i % 5 == 0, 1);
		insert_both(a, b, &k, &m, &n_new);
	}
	assert_true(n_new > 1000 && n_new < 6000); /* some were duplicates */
	assert_int_equal(flowtbl_count(a), flowtbl_count(b));
	assert_int_equal(flowtbl_mask_count(a), flowtbl_mask_count(b));
	for (uint32_t i = 0; i < 3000; i++) {
		tl_key_tcp4(&k, 1 + tl_below(&seed, 2), 0x0a000000 | tl_below(&seed, 1u << 12),
			    tl_below(&seed, 4), (uint16_t)tl_below(&seed, 3), 80);
		assert_ptr_equal(flowtbl_lookup_key(a, &k) != NULL,
				 flowtbl_lookup_key(b, &k) != NULL);
	}
	flowtbl_destroy(a);
	flowtbl_destroy(b);
}

/*
 * A NEW's insert through a prep: the masked key is prep's (masked once,
 * by flow_key_mask_apply_cut(), which tells whether the mask cut bits of
 * the key). A key sent masked is passed as prep's masked key itself and
 * identifies its flow with no identifier block; a key with bits outside
 * the mask keeps them as the identifier. Both are filed under the masked
 * key, as flowtbl_insert() files them.
 */
static void test_insert_prepared_ident(void **state)
{
	struct flowtbl *t = table_new(1, 0);
	struct flowtbl_flow *f = NULL, *g = NULL;
	struct flowtbl_prep prep;
	struct flow_key k, m, mk, k2, mk2, out;
	size_t mem0, mem1;

	(void)state;
	tl_key_tcp4(&k, 1, 0x0a000001, 0x0a000002, 1000, 80);
	tl_mask_tcp4(&m, 24, 32, 0, 1);
	assert_true(flow_key_mask_apply_cut(&mk, &k, &m)); /* source and port cut */
	flow_key_mask_apply(&out, &k, &m);
	assert_memory_equal(&out, &mk, sizeof(out));
	assert_false(flow_key_mask_apply_cut(&out, &mk, &m)); /* already masked */
	assert_memory_equal(&out, &mk, sizeof(out));
	assert_int_equal(flowtbl_reserve(t, 64), 0);
	/* Sent masked: the key is prep's masked key itself. */
	flowtbl_insert_prepare(t, &mk, &m, &prep);
	assert_int_equal(flowtbl_insert_prepared(t, &prep, &mk, &m, ACT_A, sizeof(ACT_A), NULL, &f),
			 0);
	mem0 = flowtbl_memory(t);
	assert_ptr_equal(flowtbl_find_ident(t, &mk), f);
	assert_null(flowtbl_find_ident(t, &k));
	flowtbl_flow_ident_key(f, &out);
	assert_memory_equal(&out, &mk, sizeof(out));
	/* Sent unmasked, through a prep of its masked key: the identifier is
	 * the key as sent, the lookups' key the masked one. */
	tl_key_tcp4(&k2, 1, 0x0a000101, 0x0a000002, 1000, 80);
	assert_true(flow_key_mask_apply_cut(&mk2, &k2, &m));
	flowtbl_insert_prepare(t, &mk2, &m, &prep);
	assert_int_equal(flowtbl_insert_prepared(t, &prep, &k2, &m, ACT_A, sizeof(ACT_A), NULL, &g),
			 0);
	mem1 = flowtbl_memory(t);
	if (!(mem1 > mem0 && mem1 - mem0 <= 64))
		fail_msg("unmasked insert: memory %zu -> %zu", mem0, mem1);
	assert_ptr_equal(flowtbl_find_ident(t, &k2), g);
	assert_null(flowtbl_find_ident(t, &mk2));
	flowtbl_flow_key(g, &out);
	assert_memory_equal(&out, &mk2, sizeof(out));
	assert_ptr_equal(flowtbl_find_exact(t, &k2, &m), g);
	assert_ptr_equal(flowtbl_lookup_key(t, &k2), g);
	/* The same masked key again, through a fresh prep: a duplicate. */
	flowtbl_insert_prepare(t, &mk, &m, &prep);
	assert_int_equal(flowtbl_insert_prepared(t, &prep, &mk, &m, ACT_A, sizeof(ACT_A), NULL,
						 NULL), -EEXIST);
	assert_int_equal(flowtbl_count(t), 2);
	flowtbl_destroy(t);
}

/* The writer's lookup finds what a reader finds (the first flow in rank
 * order), over more masks than it prefetches at once, overlapping flows,
 * after removals (and the shrinking rebuilds they cause) and after a
 * rerank. Its presence filters skip subtables: a filter that missed a
 * flow (not set on insert or on a rebuild) makes it answer NULL where the
 * reader finds the flow. */
static void test_lookup_key(void **state)
{
	struct flowtbl *t = table_new(1, 0);
	struct flowtbl_pmd *pmd = pmd_new(t, 0, 0, 0);
	struct flowtbl_flow *flows[4000];
	uint64_t seed = 7;
	struct flow_key k, m;
	int n = 0, hits = 0;

	(void)state;
	for (uint32_t i = 0; i < 4000; i++) {
		/* 13 masks: source prefixes of 8..32 bits, some with ports;
		 * ~300 flows a mask, so each table grows several times */
		unsigned int len = 8 + 2 * (i % 13);

		tl_key_tcp4(&k, 1 + (i & 1), 0x0a000000 | tl_below(&seed, 1u << 16), 0,
			    (uint16_t)(i % 3), 80);
		tl_mask_tcp4(&m, len, 0, i % 5 == 0, 1);
		if (flowtbl_insert(t, &k, &m, ACT_A, 4, NULL, &flows[n]) == 0)
			n++;
	}
	/* every flow is found by its own key */
	for (int i = 0; i < n; i++) {
		flowtbl_flow_key(flows[i], &k);
		assert_non_null(flowtbl_lookup_key(t, &k));
		assert_ptr_equal(flowtbl_lookup_key(t, &k), lookup1(pmd, &k));
	}
	assert_true(flowtbl_mask_count(t) > 8);
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 2000; i++) {
			tl_key_tcp4(&k, 1 + tl_below(&seed, 2), 0x0a000000 | tl_below(&seed, 1u << 16),
				    tl_below(&seed, 4), (uint16_t)tl_below(&seed, 3), 80);
			struct flowtbl_flow *f = flowtbl_lookup_key(t, &k);

			assert_ptr_equal(f, lookup1(pmd, &k));
			hits += f != NULL;
		}
		for (int i = round; i < n; i += 3)
			flowtbl_remove(t, flows[i]);
		flowtbl_rerank(t);
	}
	assert_true(hits > 100);
	tl_key_tcp4(&k, 9, 0, 0, 0, 0);
	assert_null(flowtbl_lookup_key(t, &k));
	flowtbl_pmd_offline(pmd);
	flowtbl_destroy(t);
}

/* A zero mask matches every packet. */
static void test_lookup_wildcard_all(void **state)
{
	struct flowtbl *t = table_new(1, 0);
	struct flowtbl_pmd *pmd = pmd_new(t, 0, 64, 1);
	struct flow_key k, m, p;
	struct flowtbl_flow *f;

	(void)state;
	memset(&m, 0, sizeof(m));
	memset(&p, 0x5a, sizeof(p));
	tl_key_tcp4(&k, 1, 2, 3, 4, 5);
	assert_int_equal(flowtbl_insert(t, &k, &m, ACT_A, 4, NULL, &f), 0);
	assert_int_equal(flowtbl_insert(t, &p, &m, ACT_A, 4, NULL, NULL), -EEXIST);
	memset(&p, 0xa5, sizeof(p));
	assert_ptr_equal(lookup1(pmd, &p), f);
	assert_ptr_equal(lookup1(pmd, &p), f);              /* from the cache */
	flowtbl_flow_key(f, &p);
	memset(&k, 0, sizeof(k));
	assert_memory_equal(&p, &k, sizeof(p));
	flowtbl_pmd_offline(pmd);
	flowtbl_destroy(t);
}

static void test_actions_replace(void **state)
{
	struct flowtbl *t = table_new(1, 0);
	struct flowtbl_flow *f;
	struct flow_key k, m;
	const struct flowtbl_actions *a;
	size_t mem;

	(void)state;
	tl_key_tcp4(&k, 1, 1, 2, 3, 4);
	tl_mask_tcp4(&m, 32, 32, 1, 1);
	assert_int_equal(flowtbl_insert(t, &k, &m, ACT_A, 4, NULL, &f), 0);
	mem = flowtbl_memory(t);
	assert_int_equal(flowtbl_actions_replace(t, f, ACT_B, sizeof(ACT_B)), 0);
	a = flowtbl_flow_actions(f);
	assert_int_equal(a->len, sizeof(ACT_B));
	assert_memory_equal(a->data, ACT_B, sizeof(ACT_B));
	assert_true(flowtbl_memory(t) > mem);               /* old actions still held */
	assert_int_equal(flowtbl_reclaim(t), 0);            /* no reader: freed at once */
	assert_int_equal(flowtbl_actions_replace(t, f, NULL, 0), 0);
	assert_int_equal(flowtbl_flow_actions(f)->len, 0);
	assert_int_equal(flowtbl_actions_replace(t, f, NULL, 3), -EINVAL);
	assert_int_equal(flowtbl_actions_replace(t, NULL, ACT_A, 4), -EINVAL);
	flowtbl_remove(t, f);
	assert_int_equal(flowtbl_actions_replace(t, f, ACT_A, 4), -EINVAL);
	flowtbl_destroy(t);
}

/* flowtbl_flow_out1() says output(port) + 1 for a list that is one output
 * (to a port below 65535) and nothing else, 0 for any other list, and
 * follows a replace: the PMD then forwards without reading the actions. */
static void test_actions_out1(void **state)
{
	/* nlattr (len 8, type OVS_ACTION_ATTR_OUTPUT = 1), port 7 */
	static const uint8_t out7[] = { 8, 0, 1, 0, 7, 0, 0, 0 };
	static const uint8_t out_max[] = { 8, 0, 1, 0, 0xff, 0xff, 0, 0 };      /* 65535 */
	static const uint8_t out_top[] = { 8, 0, 1, 0, 0xfe, 0xff, 0, 0 };      /* 65534 */
	/* output(7), output(7): two outputs */
	static const uint8_t out7x2[] = { 8, 0, 1, 0, 7, 0, 0, 0, 8, 0, 1, 0, 7, 0, 0, 0 };
	/* a userspace (type 2) attribute of the output's size */
	static const uint8_t other[] = { 8, 0, 2, 0, 7, 0, 0, 0 };
	struct flowtbl *t = table_new(1, 0);
	struct flowtbl_flow *f, *g;
	struct flow_key k, m;

	(void)state;
	tl_mask_tcp4(&m, 32, 32, 1, 1);
	tl_key_tcp4(&k, 1, 1, 2, 3, 4);
	assert_int_equal(flowtbl_insert(t, &k, &m, out7, sizeof(out7), NULL, &f), 0);
	assert_int_equal(flowtbl_flow_out1(f), 8);
	tl_key_tcp4(&k, 1, 5, 2, 3, 4);
	assert_int_equal(flowtbl_insert(t, &k, &m, out7x2, sizeof(out7x2), NULL, &g), 0);
	assert_int_equal(flowtbl_flow_out1(g), 0);
	assert_int_equal(flowtbl_actions_replace(t, f, other, sizeof(other)), 0);
	assert_int_equal(flowtbl_flow_out1(f), 0);
	assert_int_equal(flowtbl_actions_replace(t, f, NULL, 0), 0);
	assert_int_equal(flowtbl_flow_out1(f), 0);
	/* Ports whose + 1 needs more than 16 bits take the actions' way. */
	assert_int_equal(flowtbl_actions_replace(t, f, out_max, sizeof(out_max)), 0);
	assert_int_equal(flowtbl_flow_out1(f), 0);
	assert_int_equal(flowtbl_actions_replace(t, f, out_top, sizeof(out_top)), 0);
	assert_int_equal(flowtbl_flow_out1(f), 65535);
	assert_int_equal(flowtbl_actions_replace(t, g, out7, sizeof(out7)), 0);
	assert_int_equal(flowtbl_flow_out1(g), 8);
	flowtbl_destroy(t);
}

/* Actions up to 60 bytes live in the flow's own object, longer ones on
 * the heap; replacing moves them to the heap. Every way in and out must
 * keep the bytes and free the right block (the ASan build checks frees
 * and leaks). */
static void test_actions_inline_and_heap(void **state)
{
	static const size_t lens[] = { 0, 1, 56, 60, 61, 64, 300 };
	enum { N = sizeof(lens) / sizeof(lens[0]) };
	struct flowtbl *t = table_new(1, 0);
	struct flowtbl_pmd *pmd = pmd_new(t, 0, 0, 0);
	struct flowtbl_flow *f[N];
	uint8_t acts[N][300];
	struct flow_key k, m;

	(void)state;
	tl_mask_tcp4(&m, 32, 32, 1, 1);
	for (uint32_t i = 0; i < N; i++) {
		for (size_t j = 0; j < sizeof(acts[i]); j++)
			acts[i][j] = (uint8_t)(i * 31 + j);
		tl_key_tcp4(&k, 1, i, 2, 3, 4);
		assert_int_equal(flowtbl_insert(t, &k, &m, lens[i] ? acts[i] : NULL, lens[i], NULL,
						&f[i]), 0);
	}
	for (uint32_t i = 0; i < N; i++) {
		const struct flowtbl_actions *a;

		tl_key_tcp4(&k, 1, i, 2, 3, 4);
		assert_ptr_equal(lookup1(pmd, &k), f[i]);
		a = flowtbl_flow_actions(f[i]);
		assert_int_equal(a->len, lens[i]);
		if (lens[i])
			assert_memory_equal(a->data, acts[i], lens[i]);
	}
	/* Replace each with the next one's actions, then the first's again. */
	for (uint32_t round = 0; round < 2; round++) {
		for (uint32_t i = 0; i < N; i++) {
			uint32_t src = round ? i : (i + 1) % N;

			assert_int_equal(flowtbl_actions_replace(t, f[i], lens[src] ? acts[src] : NULL,
								 lens[src]), 0);
			assert_int_equal(flowtbl_flow_actions(f[i])->len, lens[src]);
			if (lens[src])
				assert_memory_equal(flowtbl_flow_actions(f[i])->data, acts[src],
						    lens[src]);
		}
		flowtbl_pmd_offline(pmd);
		flowtbl_synchronize(t);
		flowtbl_pmd_online(pmd);
	}
	/* Remove half while actions replaced are pending, destroy the rest. */
	for (uint32_t i = 0; i < N; i += 2)
		flowtbl_remove(t, f[i]);
	assert_int_equal(flowtbl_count(t), N / 2);
	flowtbl_pmd_offline(pmd);
	flowtbl_destroy(t);
}

static void test_stats(void **state)
{
	struct flowtbl *t = table_new(3, 0);
	struct flowtbl_pmd *p0 = pmd_new(t, 0, 0, 0), *p2 = pmd_new(t, 2, 0, 0);
	struct flowtbl_flow_stats s;
	struct flowtbl_flow *f;
	struct flow_key k, m;

	(void)state;
	tl_key_tcp4(&k, 1, 1, 2, 3, 4);
	tl_mask_tcp4(&m, 32, 32, 1, 1);
	assert_int_equal(flowtbl_insert(t, &k, &m, ACT_A, 4, NULL, &f), 0);
	flowtbl_flow_stats_get(t, f, &s);
	assert_int_equal(s.packets, 0);
	assert_int_equal(s.used, 0);

	flowtbl_pmd_stats_update(p0, f, 3, 300, 0x02, 1000);
	flowtbl_pmd_stats_update(p2, f, 2, 128, 0x10, 1500);
	flowtbl_pmd_stats_update(p0, f, 1, 64, 0, 1200);
	flowtbl_flow_stats_get(t, f, &s);
	assert_int_equal(s.packets, 6);
	assert_int_equal(s.bytes, 492);
	assert_int_equal(s.used, 1500);                     /* latest over slots */
	assert_int_equal(s.tcp_flags, 0x12);

	assert_int_equal(flowtbl_stats_clear(t, f), 0);
	flowtbl_flow_stats_get(t, f, &s);
	assert_int_equal(s.packets, 0);
	assert_int_equal(s.bytes, 0);
	assert_int_equal(s.used, 0);
	assert_int_equal(s.tcp_flags, 0);
	flowtbl_pmd_stats_update(p2, f, 1, 60, 0x01, 2000);
	flowtbl_flow_stats_get(t, f, &s);
	assert_int_equal(s.packets, 1);
	assert_int_equal(s.bytes, 60);
	assert_int_equal(s.used, 2000);
	assert_int_equal(s.tcp_flags, 0x01);

	/* A flow that reuses a freed slot starts from zero. */
	flowtbl_remove(t, f);
	sync_as_reader(t, p0, p2);
	assert_int_equal(flowtbl_insert(t, &k, &m, ACT_A, 4, NULL, &f), 0);
	flowtbl_flow_stats_get(t, f, &s);
	assert_int_equal(s.packets, 0);
	assert_int_equal(s.used, 0);
	flowtbl_pmd_offline(p0);
	flowtbl_pmd_offline(p2);
	flowtbl_destroy(t);
}

/* Every flow that lives through the dump comes once; removed flows never
 * come after their removal; flows inserted during the dump may come. */
static void test_dump_resumable(void **state)
{
	enum { N = 1000 };
	struct flowtbl *t = table_new(1, 0);
	struct flowtbl_flow *flows[N], *out[7];
	uint8_t seen[N + 200] = { 0 };
	struct flow_key k, m;
	uint64_t cursor = 0, rs = 42;
	size_t n;
	int calls = 0;

	(void)state;
	tl_mask_tcp4(&m, 32, 32, 1, 1);
	for (uint32_t i = 0; i < N; i++) {
		tl_key_tcp4(&k, 1, i, i, 1, 1);
		assert_int_equal(flowtbl_insert(t, &k, &m, ACT_A, 4, NULL, &flows[i]), 0);
	}
	while ((n = flowtbl_dump(t, &cursor, out, 7)) > 0) {
		for (size_t j = 0; j < n; j++) {
			uint64_t id = flowtbl_flow_id(out[j]);

			assert_false(flowtbl_flow_dead(out[j]));
			assert_true(id <= N + 200);
			assert_int_equal(seen[id - 1], 0);
			seen[id - 1] = 1;
		}
		/* Between calls: remove a few (ahead, behind, just returned),
		 * and add one. */
		for (int r = 0; r < 3; r++) {
			uint32_t v = tl_below(&rs, N);

			if (flows[v]) {
				flowtbl_remove(t, flows[v]);
				seen[v] = seen[v] ? 1 : 2;    /* 2: must never come */
				flows[v] = NULL;
			}
		}
		if (calls++ < 200) {
			tl_key_tcp4(&k, 2, (uint32_t)calls, 0, 1, 1);
			assert_int_equal(flowtbl_insert(t, &k, &m, ACT_A, 4, NULL, NULL), 0);
		}
		flowtbl_reclaim(t);
	}
	/* Lived through the dump: came (exactly once, checked above). */
	for (uint32_t i = 0; i < N; i++)
		if (flows[i])
			assert_int_equal(seen[i], 1);
	/* The cursor can be set by hand to the last flow used. */
	cursor = 0;
	assert_int_equal(flowtbl_dump(t, &cursor, out, 2), 2);
	cursor = flowtbl_flow_id(out[0]);
	assert_int_equal(flowtbl_dump(t, &cursor, out, 1), 1);
	assert_true(flowtbl_flow_id(out[0]) > 1);
	assert_int_equal(flowtbl_dump(NULL, &cursor, out, 1), 0);
	flowtbl_destroy(t);
}

static void test_limits_and_flush(void **state)
{
	struct flowtbl *t = table_new(1, 100);
	struct flowtbl_pmd *pmd = pmd_new(t, 0, 256, 1);
	struct flow_key k, m;
	size_t mem0 = flowtbl_memory(t);

	(void)state;
	for (uint32_t i = 0; i < 100; i++) {
		tl_key_tcp4(&k, 1, i, 0, 0, 0);
		tl_mask_tcp4(&m, 32, i % 5, 0, 0);
		assert_int_equal(flowtbl_insert(t, &k, &m, ACT_A, 4, NULL, NULL), 0);
	}
	tl_key_tcp4(&k, 1, 1000, 0, 0, 0);
	assert_int_equal(flowtbl_insert(t, &k, &m, ACT_A, 4, NULL, NULL), -ENOSPC);
	assert_int_equal(flowtbl_mask_count(t), 5);
	for (uint32_t i = 0; i < 100; i++) {
		tl_key_tcp4(&k, 1, i, 0, 0, 0);
		assert_non_null(lookup1(pmd, &k));
	}
	flowtbl_flush(t);
	assert_int_equal(flowtbl_count(t), 0);
	assert_int_equal(flowtbl_mask_count(t), 0);
	for (uint32_t i = 0; i < 100; i++) {
		tl_key_tcp4(&k, 1, i, 0, 0, 0);
		assert_null(lookup1(pmd, &k));
	}
	sync_as_reader(t, pmd, NULL);
	/* What is left: slot chunks, index vectors and the flow slab's
	 * arenas (kept for reuse, 2 MB each; one size class used here). */
	size_t mem1 = flowtbl_memory(t);

	assert_true(mem1 < mem0 + (2u << 20) + 600 * 1024);
	/* Churn at the limit: removed flows' slots and memory come back. */
	for (uint32_t round = 0; round < 5; round++) {
		for (uint32_t i = 0; i < 100; i++) {
			tl_key_tcp4(&k, 1, i, round, 0, 0);
			assert_int_equal(flowtbl_insert(t, &k, &m, ACT_A, 4, NULL, NULL), 0);
		}
		flowtbl_flush(t);
		sync_as_reader(t, pmd, NULL);
	}
	assert_true(flowtbl_memory(t) <= mem1 + 4096);
	flowtbl_pmd_offline(pmd);
	flowtbl_destroy(t);
}

/* Flows over 4 five-tuple-like masks, n / 4 each; returns the table's
 * bytes a flow. */
static double build_bytes_per_flow(struct flowtbl *t, uint32_t n)
{
	struct flow_key k, m, mk;

	for (uint32_t i = 0; i < n; i++) {
		uint32_t mask = i % 4;

		/* Sent masked, as Open vSwitch and our client send megaflows
		 * (an unmasked key also keeps its identifier: test_ident). */
		tl_key_tcp4(&k, 1, 0xac100000u + i, (mask << 24) | (i / 4), 1000, 80);
		tl_mask_tcp4(&m, 8 * mask, 32, 1, 1);
		flow_key_mask_apply(&mk, &k, &m);
		assert_int_equal(flowtbl_insert(t, &mk, &m, ACT_A, 4, NULL, NULL), 0);
	}
	assert_int_equal(flowtbl_mask_count(t), 4);
	/* What growing the hash tables let go is freed by now. */
	flowtbl_synchronize(t);
	return (double)flowtbl_memory(t) / n;
}

/*
 * What a flow costs at a million (issue 18's bound, what bench/run.sh
 * measures as RSS with profile f): every byte the table holds, hash
 * tables, indexes and slot stats included, over 4 masks, with one PMD
 * slot that counts and the control thread's that does not.
 */
static void test_memory_per_flow(void **state)
{
	struct flowtbl_params p = { .n_readers = 2, .n_stats = 1, .max_flows = 2000000 };
	struct flowtbl *t = NULL;
	double one, two;

	(void)state;
	assert_int_equal(flowtbl_create(&p, &t), 0);
	one = build_bytes_per_flow(t, 1000000);
	flowtbl_destroy(t);
	if (one > 256)
		fail_msg("1M flows: %.1f bytes a flow, over 256", one);

	/* A second counting slot is its 32 bytes of stats a flow, nothing
	 * else; a slot that does not count costs none. */
	p.n_stats = 2;
	assert_int_equal(flowtbl_create(&p, &t), 0);
	two = build_bytes_per_flow(t, 1000000);
	flowtbl_destroy(t);
	if (two - one < 32 || two - one > 34)
		fail_msg("second stats slot: %.1f -> %.1f bytes a flow", one, two);
	p.n_stats = 3;
	assert_int_equal(flowtbl_create(&p, &t), -EINVAL);   /* more than readers */
}

/* flowtbl_reserve(): the flows and the big hash table of a reserved count
 * come from memory taken at reserve time; past it, from the heap. */
static void test_reserve(void **state)
{
	enum { N = 100000 };
	struct flowtbl *t = table_new(1, 0);
	struct flowtbl_pmd *pmd = pmd_new(t, 0, 0, 0);
	struct flow_key k, m;
	size_t mem0, mem1, mem2;

	(void)state;
	mem0 = flowtbl_memory(t);
	assert_int_equal(flowtbl_reserve(t, 0), 0);
	assert_int_equal(flowtbl_memory(t), mem0);
	assert_int_equal(flowtbl_reserve(t, N), 0);
	mem1 = flowtbl_memory(t);
	assert_true(mem1 >= mem0 + (size_t)N * FLOWTBL_RESERVE_FLOW_BYTES);
	assert_int_equal(flowtbl_reserve(t, N), -EBUSY);

	tl_mask_tcp4(&m, 32, 32, 1, 1);
	for (uint32_t i = 0; i < N; i++) {
		tl_key_tcp4(&k, 1, i, 7, 80, 0);
		assert_int_equal(flowtbl_insert(t, &k, &m, ACT_A, 4, NULL, NULL), 0);
	}
	/* Left to the heap: actions, the small hash tables of the growth and
	 * index vectors; without the reservation the flows alone would be
	 * N * 192 bytes more. */
	mem2 = flowtbl_memory(t);
	assert_true(mem2 - mem1 < (size_t)N * 64);
	for (uint32_t i = 0; i < N; i += 997) {
		tl_key_tcp4(&k, 1, i, 7, 80, 0);
		assert_non_null(lookup1(pmd, &k));
	}
	/* Past the reservation: the heap takes over. */
	for (uint32_t i = N; i < 2 * N; i++) {
		tl_key_tcp4(&k, 1, i, 7, 80, 0);
		assert_int_equal(flowtbl_insert(t, &k, &m, ACT_A, 4, NULL, NULL), 0);
	}
	assert_int_equal(flowtbl_count(t), 2 * N);
	for (uint32_t i = 0; i < 2 * N; i += 991) {
		tl_key_tcp4(&k, 1, i, 7, 80, 0);
		assert_non_null(lookup1(pmd, &k));
	}
	/* Removal gives region memory back for reuse, not to the system. */
	flowtbl_flush(t);
	sync_as_reader(t, pmd, NULL);
	assert_true(flowtbl_memory(t) >= mem1);
	for (uint32_t i = 0; i < N; i++) {
		tl_key_tcp4(&k, 1, i, 8, 80, 0);
		assert_int_equal(flowtbl_insert(t, &k, &m, ACT_B, 8, NULL, NULL), 0);
	}
	tl_key_tcp4(&k, 1, 5, 8, 80, 0);
	assert_non_null(lookup1(pmd, &k));
	flowtbl_pmd_offline(pmd);
	flowtbl_destroy(t);

	/* Capped at max_flows. */
	t = table_new(1, 1000);
	mem0 = flowtbl_memory(t);
	assert_int_equal(flowtbl_reserve(t, 10000000), 0);
	assert_true(flowtbl_memory(t) < mem0 + (4u << 20));
	flowtbl_destroy(t);
}

/* Grace periods: an online reader that has not reported quiescent holds
 * back frees; reclaim never waits for it. */
static void test_grace_period(void **state)
{
	struct flowtbl *t = table_new(2, 0);
	struct flowtbl_pmd *pmd = pmd_new(t, 1, 0, 0);
	struct flowtbl_flow *f;
	struct flow_key k, m;

	(void)state;
	assert_non_null(flowtbl_qsbr(t));
	tl_key_tcp4(&k, 1, 1, 2, 3, 4);
	tl_mask_tcp4(&m, 32, 32, 1, 1);
	assert_int_equal(flowtbl_insert(t, &k, &m, ACT_A, 4, NULL, &f), 0);
	assert_ptr_equal(lookup1(pmd, &k), f);
	flowtbl_remove(t, f);
	assert_true(flowtbl_reclaim(t) > 0);                /* the reader may hold f */
	assert_int_equal(flowtbl_flow_id(f), 1);            /* still readable */
	flowtbl_pmd_quiescent(pmd);
	assert_int_equal(flowtbl_reclaim(t), 0);
	/* Offline readers hold nothing back. */
	assert_int_equal(flowtbl_insert(t, &k, &m, ACT_A, 4, NULL, &f), 0);
	flowtbl_remove(t, f);
	flowtbl_pmd_offline(pmd);
	assert_int_equal(flowtbl_reclaim(t), 0);
	flowtbl_pmd_destroy(pmd);
	flowtbl_destroy(t);
}

/*
 * Inserts remember the last mask found and its subtable: once that
 * subtable goes with its last flow, the same mask must make a new one
 * (under ASan, a stale subtable would be a use after free), and a
 * lookup must find the flow in it.
 */
static void test_mask_memo_follows_removal(void **state)
{
	struct flowtbl *t = table_new(1, 0);
	struct flowtbl_pmd *pmd = pmd_new(t, 0, 0, 0);
	struct flowtbl_flow *f1, *f2, *g, *f3;
	struct flow_key k1, k2, k3, m, m2;

	(void)state;
	tl_key_tcp4(&k1, 1, 0x0a000001, 0x0a000002, 1000, 80);
	tl_key_tcp4(&k2, 1, 0x0a000003, 0x0a000002, 1000, 80);
	tl_key_tcp4(&k3, 1, 0x0a000005, 0x0a000002, 1000, 80);
	tl_mask_tcp4(&m, 32, 32, 0, 1);
	tl_mask_tcp4(&m2, 32, 32, 1, 1);
	assert_int_equal(flowtbl_insert(t, &k1, &m, ACT_A, sizeof(ACT_A), NULL, &f1), 0);
	assert_int_equal(flowtbl_insert(t, &k2, &m, ACT_A, sizeof(ACT_A), NULL, &f2), 0);
	assert_int_equal(flowtbl_insert(t, &k1, &m2, ACT_B, sizeof(ACT_B), NULL, &g), 0);
	assert_int_equal(flowtbl_insert(t, &k2, &m, ACT_A, sizeof(ACT_A), NULL, NULL), -EEXIST);
	flowtbl_remove(t, f1);
	flowtbl_remove(t, f2);
	assert_int_equal(flowtbl_mask_count(t), 1);
	sync_as_reader(t, pmd, NULL);
	flowtbl_reclaim(t);
	assert_int_equal(flowtbl_insert(t, &k3, &m, ACT_B, sizeof(ACT_B), NULL, &f3), 0);
	assert_int_equal(flowtbl_mask_count(t), 2);
	assert_ptr_equal(flowtbl_find_exact(t, &k3, &m), f3);
	assert_ptr_equal(lookup1(pmd, &k3), f3);
	assert_null(lookup1(pmd, &k2));           /* removed, and not g's key */
	flowtbl_pmd_destroy(pmd);
	flowtbl_destroy(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_bad_params),
		cmocka_unit_test(test_pmd_bad_params),
		cmocka_unit_test(test_insert_bad_input),
		cmocka_unit_test(test_insert_find_exact),
		cmocka_unit_test(test_ident),
		cmocka_unit_test(test_lookup_masked),
		cmocka_unit_test(test_lookup_key),
		cmocka_unit_test(test_insert_prepared),
		cmocka_unit_test(test_insert_prepared_ident),
		cmocka_unit_test(test_lookup_wildcard_all),
		cmocka_unit_test(test_actions_replace),
		cmocka_unit_test(test_actions_out1),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_dump_resumable),
		cmocka_unit_test(test_limits_and_flush),
		cmocka_unit_test(test_reserve),
		cmocka_unit_test(test_memory_per_flow),
		cmocka_unit_test(test_actions_inline_and_heap),
		cmocka_unit_test(test_grace_period),
		cmocka_unit_test(test_mask_memo_follows_removal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
