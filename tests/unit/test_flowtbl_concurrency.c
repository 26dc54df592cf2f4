/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Concurrency test: one writer thread churns flows (insert, remove,
 * actions replace, rerank, synchronize/reclaim, subtables created and
 * freed) while reader threads look up in bursts, update stats and report
 * quiescent states, as PMDs do. Run under ASan by tools/test.sh (a
 * use-after-free of a flow, actions, subtable, hash table or vector is a
 * crash), and under TSan with:
 *
 *   meson setup build/tsan --buildtype=debug -Db_sanitize=thread -Dc_args=-Wno-tsan
 *   ninja -C build/tsan tests/test_flowtbl_concurrency
 *   FLOWTBL_CONC_MS=10000 build/tsan/tests/test_flowtbl_concurrency
 *
 * (-Wno-tsan: GCC warns that TSan ignores the seq_cst fence inside DPDK's
 * rte_rcu_qsbr_thread_online(); clang needs no flag: CC=clang meson setup
 * build/tsan-clang -Db_sanitize=thread -Db_lundef=false.)
 *
 * Checked by the readers (failures counted, asserted after the join):
 * - no lost flows: "stable" flows, never removed, are found by every
 *   lookup, while churn flows come and go in the same subtables (so their
 *   hash tables grow, shrink and are rebuilt under the readers);
 * - no flow after its removal: the writer publishes each churn slot's
 *   last removed flow id after flowtbl_remove() returns; a reader that
 *   read it before a lookup must not get that flow or an older one;
 * - actions are whole: each actions blob is one byte repeated, checked;
 * - stats: the stable flows' summed stats equal the hits readers counted.
 *
 * FLOWTBL_CONC_MS sets the run time (default 3000 ms).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flowtbl.h"
#include "flowtbl_pmd.h"
#include "flowtbl_testlib.h"

#define N_READERS 2
#define N_STABLE 512
#define N_CHURN 4096
#define N_MASKS 12          /* the first 4 hold the stable flows too */
#define STABLE_PORT 1
#define CHURN_PORT 2

struct conc {
	struct flowtbl *t;
	struct flowtbl_pmd *pmd[N_READERS];
	struct flow_key masks[N_MASKS];
	struct flow_key stable_key[N_STABLE];      /* masked */
	uint32_t stable_mask[N_STABLE];
	struct flowtbl_flow *stable[N_STABLE];
	struct flowtbl_flow *churn[N_CHURN];       /* writer only */
	uint64_t removed_upto[N_CHURN];            /* atomic: last removed id */
	int stop;                                  /* atomic */
	uint64_t failures;                         /* atomic */
	char first_failure[160];
	uint64_t stable_hits[N_READERS];
	uint64_t reader_bursts[N_READERS];
	uint64_t writer_ops, churn_hits;
};

static void failure(struct conc *c, const char *what, uint64_t a, uint64_t b)
{
	if (__atomic_fetch_add(&c->failures, 1, __ATOMIC_RELAXED) == 0)
		snprintf(c->first_failure, sizeof(c->first_failure), "%s (%llu, %llu)", what,
			 (unsigned long long)a, (unsigned long long)b);
}

/* Masks: in_port and ipv4.dst always exact (dst names the flow, so a
 * packet can match only its own flow), the rest varies. */
static void make_masks(struct conc *c)
{
	for (int i = 0; i < N_MASKS; i++) {
		tl_mask_tcp4(&c->masks[i], (unsigned int)(8 + i * 2), 32, i & 1, i & 2);
		if (i & 4)
			c->masks[i].ip_ttl = 0xff;
	}
}

/* Flow 'id's packet: the fields masks look at follow from the id; fields
 * no mask looks at are random. */
static void packet(struct flow_key *k, uint32_t port, uint32_t id, uint64_t *rs)
{
	tl_key_tcp4(k, port, id * 2654435761u, 0x0a000000 + id, (uint16_t)id,
		    (uint16_t)(id * 7));
	k->ip_ttl = 64;
	k->ip_tos = (uint8_t)tl_rand(rs);
	k->skb_mark = (uint32_t)tl_rand(rs);
	k->eth_src[0] = (uint8_t)tl_rand(rs);
}

static void actions_make(uint8_t *buf, size_t *len, uint64_t *rs)
{
	uint8_t tag = (uint8_t)tl_rand(rs);

	*len = 4 + tl_below(rs, 60);
	memset(buf, tag, *len);
}

static bool actions_whole(const struct flowtbl_actions *a)
{
	if (a->len < 4 || a->len > 64)
		return false;
	for (uint32_t i = 1; i < a->len; i++)
		if (a->data[i] != a->data[0])
			return false;
	return true;
}

struct reader_arg {
	struct conc *c;
	int id;
};

static void reader_check(struct conc *c, int id, const struct flow_key *k, bool is_stable,
			 uint32_t which, uint64_t removed, uint32_t hit, struct flowtbl_flow *f)
{
	if (is_stable) {
		if (!hit || f != c->stable[which])
			failure(c, "stable flow lost", which, hit);
		else
			c->stable_hits[id]++;
	} else if (hit) {
		struct flow_key fk, fm;

		flowtbl_flow_key(f, &fk);
		flowtbl_flow_mask(f, &fm);
		if (!flow_key_masked_equal(k, &fm, &fk))
			failure(c, "churn flow does not match", which, 0);
		if (flowtbl_flow_id(f) <= removed)
			failure(c, "flow returned after its removal", flowtbl_flow_id(f), removed);
		__atomic_fetch_add(&c->churn_hits, 1, __ATOMIC_RELAXED);
	}
	if (hit && !actions_whole(flowtbl_flow_actions(f)))
		failure(c, "torn actions", which, 0);
}

static void *reader(void *arg)
{
	struct reader_arg *ra = arg;
	struct conc *c = ra->c;
	struct flowtbl_pmd *pmd = c->pmd[ra->id];
	uint64_t rs = 1000 + (uint64_t)ra->id;

	flowtbl_pmd_online(pmd);
	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
		struct flow_key keys[FLOWTBL_BURST];
		const struct flow_key *kp[FLOWTBL_BURST];
		struct flowtbl_flow *res[FLOWTBL_BURST];
		uint64_t removed[FLOWTBL_BURST];
		uint32_t which[FLOWTBL_BURST], hashes[FLOWTBL_BURST], found;
		bool is_stable[FLOWTBL_BURST];

		for (int i = 0; i < FLOWTBL_BURST; i++) {
			is_stable[i] = tl_below(&rs, 2);
			which[i] = tl_below(&rs, is_stable[i] ? N_STABLE : N_CHURN);
			/* Read before the lookup: anything removed by then
			 * must not come back. */
			removed[i] = is_stable[i] ? 0 :
				     __atomic_load_n(&c->removed_upto[which[i]], __ATOMIC_ACQUIRE);
			packet(&keys[i], is_stable[i] ? STABLE_PORT : CHURN_PORT, which[i], &rs);
			kp[i] = &keys[i];
			hashes[i] = which[i] & 7;        /* reader 1: colliding hashes */
		}
		found = flowtbl_lookup_burst(pmd, kp, ra->id ? hashes : NULL, FLOWTBL_BURST, res);
		for (int i = 0; i < FLOWTBL_BURST; i++) {
			uint32_t hit = (found >> i) & 1;

			reader_check(c, ra->id, &keys[i], is_stable[i], which[i], removed[i], hit,
				     hit ? res[i] : NULL);
			if (hit)
				flowtbl_pmd_stats_update(pmd, res[i], 1, 64, 0x10, 1);
		}
		c->reader_bursts[ra->id]++;
		flowtbl_pmd_quiescent(pmd);
	}
	flowtbl_pmd_offline(pmd);
	return NULL;
}

static void churn_toggle(struct conc *c, uint32_t x, uint64_t *rs)
{
	struct flowtbl_flow *f = c->churn[x];
	uint8_t act[64];
	size_t len;

	if (f) {
		uint64_t id = flowtbl_flow_id(f);

		flowtbl_remove(c->t, f);
		/* Release, after remove returned: readers that see this id
		 * must not find the flow any more. */
		__atomic_store_n(&c->removed_upto[x], id, __ATOMIC_RELEASE);
		c->churn[x] = NULL;
		return;
	}
	struct flow_key k;

	packet(&k, CHURN_PORT, x, rs);
	actions_make(act, &len, rs);
	if (flowtbl_insert(c->t, &k, &c->masks[tl_below(rs, N_MASKS)], act, len, NULL,
			   &c->churn[x]) != 0)
		failure(c, "churn insert failed", x, 0);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void writer(struct conc *c, uint64_t run_ms)
{
	uint64_t rs = 7, end = now_ms() + run_ms;
	uint8_t act[64];
	size_t len;

	while (now_ms() < end) {
		for (int op = 0; op < 256; op++) {
			uint32_t r = tl_below(&rs, 100);

			if (r < 85) {
				churn_toggle(c, tl_below(&rs, N_CHURN), &rs);
			} else if (r < 97) {
				uint32_t s = tl_below(&rs, N_STABLE);

				actions_make(act, &len, &rs);
				if (flowtbl_actions_replace(c->t, c->stable[s], act, len) != 0)
					failure(c, "replace failed", s, 0);
			} else if (r < 98) {
				flowtbl_rerank(c->t);
			} else {
				flowtbl_reclaim(c->t);
			}
			c->writer_ops++;
		}
		/* As the control server: one grace period per batch. */
		flowtbl_synchronize(c->t);
		/* Now and then, all churn goes: subtables empty and go. */
		if (tl_below(&rs, 20) == 0)
			for (uint32_t x = 0; x < N_CHURN; x++)
				if (c->churn[x])
					churn_toggle(c, x, &rs);
	}
}

static void setup_stable(struct conc *c)
{
	uint64_t rs = 3;
	uint8_t act[64];
	size_t len;

	for (uint32_t s = 0; s < N_STABLE; s++) {
		struct flow_key k;

		packet(&k, STABLE_PORT, s, &rs);
		actions_make(act, &len, &rs);
		assert_int_equal(flowtbl_insert(c->t, &k, &c->masks[s % 4], act, len, NULL,
						&c->stable[s]), 0);
	}
}

static void test_readers_vs_writer(void **state)
{
	struct flowtbl_params tp = { .n_readers = N_READERS };
	struct conc *c = calloc(1, sizeof(*c));
	pthread_t th[N_READERS];
	struct reader_arg ra[N_READERS];
	const char *env = getenv("FLOWTBL_CONC_MS");
	uint64_t run_ms = env && *env ? strtoull(env, NULL, 0) : 3000;
	uint64_t hits = 0, packets = 0;

	(void)state;
	assert_non_null(c);
	make_masks(c);
	assert_int_equal(flowtbl_create(&tp, &c->t), 0);
	for (int i = 0; i < N_READERS; i++) {
		struct flowtbl_pmd_params pp = { .slot = (uint32_t)i,
						 .cache_entries = i ? 64 : 4096,
						 .insert_inv_prob = 1 };

		assert_int_equal(flowtbl_pmd_create(c->t, &pp, &c->pmd[i]), 0);
	}
	setup_stable(c);
	for (int i = 0; i < N_READERS; i++) {
		ra[i] = (struct reader_arg){ .c = c, .id = i };
		assert_int_equal(pthread_create(&th[i], NULL, reader, &ra[i]), 0);
	}
	writer(c, run_ms);
	__atomic_store_n(&c->stop, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < N_READERS; i++)
		pthread_join(th[i], NULL);

	print_message("concurrency: %llu writer ops, bursts %llu/%llu, churn hits %llu\n",
		      (unsigned long long)c->writer_ops, (unsigned long long)c->reader_bursts[0],
		      (unsigned long long)c->reader_bursts[1],
		      (unsigned long long)c->churn_hits);
	if (c->failures)
		print_message("concurrency: %llu failures, first: %s\n",
			      (unsigned long long)c->failures, c->first_failure);
	assert_int_equal(c->failures, 0);
	assert_true(c->reader_bursts[0] > 0 && c->reader_bursts[1] > 0);

	/* Nothing lost on the writer's side either, and per-slot stats add
	 * up to exactly the hits the readers saw. */
	for (uint32_t s = 0; s < N_STABLE; s++) {
		struct flowtbl_flow_stats st;
		struct flow_key k, m;

		flowtbl_flow_key(c->stable[s], &k);
		flowtbl_flow_mask(c->stable[s], &m);
		assert_ptr_equal(flowtbl_find_exact(c->t, &k, &m), c->stable[s]);
		flowtbl_flow_stats_get(c->t, c->stable[s], &st);
		packets += st.packets;
	}
	for (int i = 0; i < N_READERS; i++)
		hits += c->stable_hits[i];
	assert_int_equal(packets, hits);
	flowtbl_destroy(c->t);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_readers_vs_writer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
