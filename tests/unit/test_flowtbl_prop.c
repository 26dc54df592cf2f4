/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Property test: the flow table against a reference (a list of flows,
 * linear scan, masked compare). Random masks from a few field shapes,
 * flows and packets from small value domains (so that flows overlap and
 * packets hit), random interleavings of insert / remove / actions replace
 * / rerank / reclaim / synchronize, and after every step a burst of
 * packets looked up through four PMD contexts: no cache, a cache filled
 * on every hit, a tiny cache keyed by a deliberately bad hash (so that
 * entries collide and must be rejected by validation), and an adaptive
 * cache (which switches itself off and on). Bursts hold trains (a key
 * repeating the one before), looked up by each context alternately with
 * and without the map that marks them (flowtbl_lookup_burst_dup()).
 *
 * Checked: match/miss equals the reference; a hit is a flow the reference
 * says matches (the flow itself when only one matches); EEXIST exactly
 * when the reference has the key+mask or the UFID; find_exact, find_ufid,
 * counts, mask counts and a full dump agree with the reference.
 *
 * Seeded and reproducible: FLOWTBL_PROP_SEED (default 1) and
 * FLOWTBL_PROP_CASES (default 2000); a failure prints the case's seed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowtbl.h"
#include "flowtbl_pmd.h"
#include "flowtbl_testlib.h"

#define MAX_REF 4096
#define N_PMDS 4

struct ref_flow {
	struct flow_key key;      /* masked */
	struct flow_key mask;
	struct flow_ufid ufid;
	bool has_ufid;
	uint8_t act;              /* first byte of its actions */
	struct flowtbl_flow *f;
};

struct prop {
	uint64_t rs;              /* PRNG state */
	uint64_t seed;
	struct flowtbl *t;
	struct flowtbl_pmd *pmd[N_PMDS];
	struct flow_key masks[40];
	uint32_t n_masks;
	struct ref_flow *ref;
	uint32_t n_ref;
	uint32_t max_live;
	uint64_t ufid_next;
	unsigned long lookups, hits;
};

#define CHECK(p, cond)                                                                \
	do {                                                                          \
		if (!(cond)) {                                                        \
			print_message("prop: case seed %llu: %s (line %d)\n",         \
				      (unsigned long long)(p)->seed, #cond, __LINE__); \
			fail();                                                       \
		}                                                                     \
	} while (0)

/* A packet from the small domains: everything the masks look at varies
 * over a few values; ttl varies too but is only sometimes masked. */
static void random_packet(struct prop *p, struct flow_key *k)
{
	uint32_t src = 0x0a000000 | tl_below(&p->rs, 4) << 8 | tl_below(&p->rs, 4);
	uint32_t dst = 0x0a000000 | tl_below(&p->rs, 4) << 16 | tl_below(&p->rs, 4);

	tl_key_tcp4(k, 1 + tl_below(&p->rs, 3), src, dst, (uint16_t)(1 + tl_below(&p->rs, 4)),
		    (uint16_t)(1 + tl_below(&p->rs, 4)));
	k->ip_proto = tl_below(&p->rs, 2) ? 6 : 17;
	k->ip_ttl = (uint8_t)tl_below(&p->rs, 3);
	k->vlan.tci = htons((uint16_t)(0x1000 | tl_below(&p->rs, 3)));
	k->ct_mark = tl_below(&p->rs, 2);
}

static void random_mask(struct prop *p, struct flow_key *m)
{
	static const unsigned int plen[] = { 0, 8, 16, 24, 30, 32 };

	memset(m, 0, sizeof(*m));
	if (tl_below(&p->rs, 5) == 0)
		return;                                  /* match-all, sometimes */
	m->in_port = tl_below(&p->rs, 2) ? UINT32_MAX : 0;
	m->eth_type = tl_below(&p->rs, 4) ? 0xffff : 0;
	m->ip_proto = tl_below(&p->rs, 2) ? 0xff : 0;
	m->ipv4.src = tl_prefix(plen[tl_below(&p->rs, 6)]);
	m->ipv4.dst = tl_prefix(plen[tl_below(&p->rs, 6)]);
	m->tp_src = (uint16_t)(tl_below(&p->rs, 3) == 0 ? tl_rand(&p->rs) : tl_below(&p->rs, 2) * 0xffff);
	m->tp_dst = (uint16_t)(tl_below(&p->rs, 3) == 0 ? tl_rand(&p->rs) : tl_below(&p->rs, 2) * 0xffff);
	m->ip_ttl = tl_below(&p->rs, 6) == 0 ? 0xff : 0;
	m->vlan.tci = tl_below(&p->rs, 4) == 0 ? htons(0x1fff) : 0;
	m->ct_mark = tl_below(&p->rs, 5) == 0 ? 1 : 0;
}

/* A packet that matches flow r: its key, with random wildcarded bits. */
static void packet_for(struct prop *p, const struct ref_flow *r, struct flow_key *k)
{
	const uint64_t *kw = flow_key_words(&r->key), *mw = flow_key_words(&r->mask);
	struct flow_key rnd;
	uint64_t *w = (uint64_t *)k;
	const uint64_t *rw = flow_key_words(&rnd);

	random_packet(p, &rnd);
	for (size_t i = 0; i < FLOW_KEY_WORDS; i++)
		w[i] = kw[i] | (rw[i] & ~mw[i]);
}

static struct ref_flow *ref_find(struct prop *p, const struct flow_key *mk,
				 const struct flow_key *m)
{
	for (uint32_t i = 0; i < p->n_ref; i++)
		if (flow_key_equal(&p->ref[i].key, mk) && flow_key_equal(&p->ref[i].mask, m))
			return &p->ref[i];
	return NULL;
}

static const struct ref_flow *ref_by_flow(const struct prop *p, const struct flowtbl_flow *f)
{
	for (uint32_t i = 0; i < p->n_ref; i++)
		if (p->ref[i].f == f)
			return &p->ref[i];
	return NULL;
}

static uint32_t ref_masks(const struct prop *p)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < p->n_ref; i++) {
		uint32_t j = 0;

		while (j < i && !flow_key_equal(&p->ref[j].mask, &p->ref[i].mask))
			j++;
		n += j == i;
	}
	return n;
}

static void op_insert(struct prop *p)
{
	struct flow_key k, mk, *m = &p->masks[tl_below(&p->rs, p->n_masks)];
	struct flow_ufid u = { { 0 } };
	struct ref_flow *dup;
	bool use_ufid = tl_below(&p->rs, 2), dup_ufid = false;
	uint8_t act[3];
	struct flowtbl_flow *f = NULL;
	int err;

	if (p->n_ref >= p->max_live)
		return;
	random_packet(p, &k);
	flow_key_mask_apply(&mk, &k, m);
	dup = ref_find(p, &mk, m);
	if (use_ufid) {
		struct ref_flow *r = p->n_ref ? &p->ref[tl_below(&p->rs, p->n_ref)] : NULL;

		if (r && r->has_ufid && tl_below(&p->rs, 4) == 0) {
			dup_ufid = true;                 /* a live flow's UFID */
			u = r->ufid;
		} else {
			u.u32[0] = (uint32_t)++p->ufid_next;
			u.u32[3] = (uint32_t)p->seed;
		}
	}
	act[0] = (uint8_t)tl_rand(&p->rs);
	act[1] = act[2] = 0xab;
	/* The unmasked key goes in: insert must mask it. */
	err = flowtbl_insert(p->t, &k, m, act, sizeof(act), use_ufid ? &u : NULL, &f);
	if (dup || dup_ufid) {
		CHECK(p, err == -EEXIST);
		return;
	}
	CHECK(p, err == 0);
	p->ref[p->n_ref++] = (struct ref_flow){ .key = mk, .mask = *m, .ufid = u,
						.has_ufid = use_ufid, .act = act[0], .f = f };
}

static void op_remove(struct prop *p)
{
	uint32_t i;

	if (!p->n_ref)
		return;
	i = tl_below(&p->rs, p->n_ref);
	flowtbl_remove(p->t, p->ref[i].f);
	CHECK(p, flowtbl_flow_dead(p->ref[i].f));
	p->ref[i] = p->ref[--p->n_ref];
}

static void op_replace(struct prop *p)
{
	struct ref_flow *r;
	uint8_t act[5] = { 0, 0xcd, 0xcd, 0xcd, 0xcd };

	if (!p->n_ref)
		return;
	r = &p->ref[tl_below(&p->rs, p->n_ref)];
	act[0] = (uint8_t)tl_rand(&p->rs);
	CHECK(p, flowtbl_actions_replace(p->t, r->f, act, sizeof(act)) == 0);
	r->act = act[0];
}

/* One burst through every PMD context, checked against the reference. */
static void check_lookups(struct prop *p)
{
	struct flow_key pk[FLOWTBL_BURST];
	const struct flow_key *keys[FLOWTBL_BURST];
	struct flowtbl_flow *res[FLOWTBL_BURST];
	uint32_t bad_hash[FLOWTBL_BURST];
	unsigned int n = 1 + tl_below(&p->rs, FLOWTBL_BURST);
	uint32_t want = 0;
	uint32_t n_match[FLOWTBL_BURST] = { 0 };
	struct ref_flow *only[FLOWTBL_BURST] = { NULL };

	uint32_t dup = 0;
	/* Sparse bits at random (every key here is sparse, so each takes
	 * either way to the same hash; test_cache_sparse_hash() has wrong
	 * bits). */
	uint32_t sparse = (uint32_t)tl_rand(&p->rs);

	for (unsigned int i = 0; i < n; i++) {
		if (i && tl_below(&p->rs, 4) == 0) {
			pk[i] = pk[i - 1];      /* a train: marked for the dup lookups */
			dup |= 1u << i;
		} else if (p->n_ref && tl_below(&p->rs, 3)) {
			packet_for(p, &p->ref[tl_below(&p->rs, p->n_ref)], &pk[i]);
		} else {
			random_packet(p, &pk[i]);
		}
		keys[i] = &pk[i];
		bad_hash[i] = pk[i].in_port;             /* many keys, one entry */
		for (uint32_t j = 0; j < p->n_ref; j++) {
			if (flow_key_masked_equal(&pk[i], &p->ref[j].mask, &p->ref[j].key)) {
				n_match[i]++;
				only[i] = &p->ref[j];
			}
		}
		if (n_match[i])
			want |= 1u << i;
	}
	for (int d = 0; d < N_PMDS; d++) {
		const uint32_t *hashes = d == 2 ? bad_hash : NULL;
		/* Every context takes both entry points, alternately. */
		uint32_t got = (p->lookups + (unsigned long)d) & 1
			? flowtbl_lookup_burst_dup(p->pmd[d], keys, hashes, n, dup, sparse, res)
			: flowtbl_lookup_burst(p->pmd[d], keys, hashes, n, res);

		CHECK(p, got == want);
		for (unsigned int i = 0; i < n; i++) {
			const struct flowtbl_actions *a;

			if (!((got >> i) & 1))
				continue;
			CHECK(p, !flowtbl_flow_dead(res[i]));
			if (n_match[i] == 1)
				CHECK(p, res[i] == only[i]->f);
			/* Whichever flow it is, the reference must have it and
			 * say that it matches. */
			const struct ref_flow *r = ref_by_flow(p, res[i]);

			CHECK(p, r != NULL);
			CHECK(p, flow_key_masked_equal(&pk[i], &r->mask, &r->key));
			a = flowtbl_flow_actions(res[i]);
			CHECK(p, a->len >= 3 && a->data[0] == r->act);
			flowtbl_pmd_stats_update(p->pmd[d], res[i], 1, 60, 0, 1);
		}
	}
	p->lookups += n;
	p->hits += (unsigned long)__builtin_popcount(want);
}

static void check_indexes(struct prop *p)
{
	struct flowtbl_flow *out[5];
	uint64_t cursor = 0;
	uint32_t seen = 0;
	size_t n;

	CHECK(p, flowtbl_count(p->t) == p->n_ref);
	CHECK(p, flowtbl_mask_count(p->t) == ref_masks(p));
	for (uint32_t i = 0; i < p->n_ref; i++) {
		struct ref_flow *r = &p->ref[i];

		CHECK(p, flowtbl_find_exact(p->t, &r->key, &r->mask) == r->f);
		if (r->has_ufid)
			CHECK(p, flowtbl_find_ufid(p->t, &r->ufid) == r->f);
	}
	/* Dump: every live flow once, in increasing id order. */
	uint64_t last = 0;

	while ((n = flowtbl_dump(p->t, &cursor, out, 5)) > 0) {
		for (size_t j = 0; j < n; j++) {
			struct flow_key fk, fm;

			CHECK(p, flowtbl_flow_id(out[j]) > last);
			last = flowtbl_flow_id(out[j]);
			flowtbl_flow_key(out[j], &fk);
			flowtbl_flow_mask(out[j], &fm);
			CHECK(p, ref_find(p, &fk, &fm) && ref_find(p, &fk, &fm)->f == out[j]);
			seen++;
		}
	}
	CHECK(p, seen == p->n_ref);
}

static void quiesce_all(struct prop *p)
{
	for (int d = 0; d < N_PMDS; d++)
		flowtbl_pmd_quiescent(p->pmd[d]);
}

static void run_case(struct prop *p, uint64_t seed, uint32_t steps, uint32_t max_live)
{
	struct flowtbl_params tp = { .n_readers = N_PMDS, .max_flows = 0 };
	static const uint32_t cache_sizes[N_PMDS] = { 0, 256, 4, 64 };

	p->seed = seed;
	p->rs = seed;
	p->n_ref = 0;
	p->max_live = max_live;
	p->n_masks = 1 + tl_below(&p->rs, 40);
	for (uint32_t i = 0; i < p->n_masks; i++)
		random_mask(p, &p->masks[i]);
	CHECK(p, flowtbl_create(&tp, &p->t) == 0);
	for (int d = 0; d < N_PMDS; d++) {
		struct flowtbl_pmd_params pp = { .slot = (uint32_t)d,
						 .cache_entries = cache_sizes[d],
						 .insert_inv_prob = 1,
						 .cache_adaptive = d == 3 };

		CHECK(p, flowtbl_pmd_create(p->t, &pp, &p->pmd[d]) == 0);
		flowtbl_pmd_online(p->pmd[d]);
	}
	for (uint32_t s = 0; s < steps; s++) {
		uint32_t op = tl_below(&p->rs, 100);

		if (op < 55)
			op_insert(p);
		else if (op < 85)
			op_remove(p);
		else if (op < 92)
			op_replace(p);
		else if (op < 94)
			flowtbl_rerank(p->t);
		else if (op < 97)
			flowtbl_reclaim(p->t);
		else if (op < 98)
			while (p->n_ref)
				op_remove(p);            /* empty it now and then */
		else {
			/* This thread is the readers' too: offline, or the
			 * grace period would wait for itself. */
			for (int d = 0; d < N_PMDS; d++)
				flowtbl_pmd_offline(p->pmd[d]);
			flowtbl_synchronize(p->t);
			for (int d = 0; d < N_PMDS; d++)
				flowtbl_pmd_online(p->pmd[d]);
		}
		check_lookups(p);
		if (tl_below(&p->rs, 16) == 0)
			check_indexes(p);
		quiesce_all(p);
	}
	check_indexes(p);
	for (int d = 0; d < N_PMDS; d++)
		flowtbl_pmd_offline(p->pmd[d]);
	flowtbl_destroy(p->t);
	p->t = NULL;
}

static uint64_t env_u64(const char *name, uint64_t dflt)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : dflt;
}

/* Thousands of small cases: many masks, heavy overlap, every op mix. */
static void test_prop_small(void **state)
{
	uint64_t base = env_u64("FLOWTBL_PROP_SEED", 1);
	uint64_t cases = env_u64("FLOWTBL_PROP_CASES", 2000);
	struct prop *p = calloc(1, sizeof(*p));

	(void)state;
	p->ref = calloc(MAX_REF, sizeof(*p->ref));
	for (uint64_t c = 0; c < cases; c++)
		run_case(p, base * 1000003 + c, 60, 48);
	print_message("prop: %llu cases from seed %llu, %lu lookups, %lu hits\n",
		      (unsigned long long)cases, (unsigned long long)base, p->lookups, p->hits);
	free(p->ref);
	free(p);
}

/* Fewer, bigger cases: hash tables grow, spill and shrink. */
static void test_prop_large(void **state)
{
	uint64_t base = env_u64("FLOWTBL_PROP_SEED", 1);
	uint64_t cases = env_u64("FLOWTBL_PROP_CASES", 2000) / 500 + 1;
	struct prop *p = calloc(1, sizeof(*p));

	(void)state;
	p->ref = calloc(MAX_REF, sizeof(*p->ref));
	for (uint64_t c = 0; c < cases; c++)
		run_case(p, base * 7919 + c + (1ull << 40), 1500, 1200);
	print_message("prop: %llu large cases, %lu lookups, %lu hits\n",
		      (unsigned long long)cases, p->lookups, p->hits);
	free(p->ref);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prop_small),
		cmocka_unit_test(test_prop_large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
