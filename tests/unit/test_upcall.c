/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * upcall queues: the slots of all queues stay within a share of the mbuf
 * pool, a queue hands out exactly its slots, last given back first, and
 * destroying a queue frees the mbufs of what is still queued.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>

#include "dp_test.h"
#include "upcall.h"

static void test_slots_share(void **state)
{
	(void)state;
	/* 1/8 of the pool over the queues... */
	assert_int_equal(upcall_queue_slots(1024, 2), 64);
	assert_int_equal(upcall_queue_slots(16383, 2), 1023);
	assert_true(upcall_queue_slots(65535, 5) * 5 <= 65535 / 8);
	/* ...within [UPCALL_QUEUE_MIN, UPCALL_QUEUE_SIZE]. */
	assert_int_equal(upcall_queue_slots(1024, 16), UPCALL_QUEUE_MIN);
	assert_int_equal(upcall_queue_slots(1u << 24, 2), UPCALL_QUEUE_SIZE);
	assert_int_equal(upcall_queue_slots(1024, 0), 128);
}

/* Take a free slot, give it an mbuf (an upcall that holds one) and put it. */
static void put_held(struct upcall_queue *q)
{
	struct upcall *u = upcall_queue_get_free(q);

	assert_non_null(u);
	u->mbuf = rte_pktmbuf_alloc(dp_pool);
	assert_non_null(u->mbuf);
	upcall_queue_put(q, u);
}

static void test_queue_bound(void **state)
{
	struct upcall *got[2];
	struct upcall_queue *q;
	unsigned int base = rte_mempool_in_use_count(dp_pool);

	(void)state;
	assert_int_equal(upcall_queue_create("uq_bad", 0, 0, &q), -EINVAL);
	assert_int_equal(upcall_queue_create("uq_bad", 0, UPCALL_QUEUE_SIZE + 1, &q), -EINVAL);
	assert_int_equal(upcall_queue_create("uq", 0, 5, &q), 0);
	for (int i = 0; i < 5; i++)
		put_held(q);
	/* All five in flight: the producer finds no slot. Put is not yet
	 * published: the consumer sees them after the flush. */
	assert_null(upcall_queue_get_free(q));
	assert_int_equal(upcall_queue_take(q, got, 2), 0);
	upcall_queue_flush(q);
	/* The consumer takes two and gives them back: two slots again. */
	assert_int_equal(upcall_queue_take(q, got, 2), 2);
	for (int i = 0; i < 2; i++) {
		rte_pktmbuf_free(got[i]->mbuf);
		upcall_queue_release(q, got[i]);
	}
	assert_non_null(upcall_queue_get_free(q));
	assert_non_null(upcall_queue_get_free(q));
	assert_null(upcall_queue_get_free(q));
	/* The three still queued hold mbufs; destroy frees them. */
	assert_int_equal(rte_mempool_in_use_count(dp_pool), base + 3);
	upcall_queue_destroy(q);
	assert_int_equal(rte_mempool_in_use_count(dp_pool), base);
}

/* The producer publishes by itself once UPCALL_STASH wait, and what it
 * has not published yet is freed with the queue. */
static void test_queue_publish(void **state)
{
	struct upcall *got[UPCALL_STASH];
	struct upcall_queue *q;
	unsigned int base = rte_mempool_in_use_count(dp_pool);

	(void)state;
	assert_int_equal(upcall_queue_create("uq_pub", 0, 4 * UPCALL_STASH, &q), 0);
	for (int i = 0; i < UPCALL_STASH + 3; i++) {
		struct upcall *u = upcall_queue_get_free(q);

		assert_non_null(u);
		u->mbuf = rte_pktmbuf_alloc(dp_pool);
		assert_non_null(u->mbuf);
		upcall_queue_put(q, u);
	}
	assert_int_equal(upcall_queue_take(q, got, UPCALL_STASH), UPCALL_STASH);
	assert_int_equal(upcall_queue_take(q, got, UPCALL_STASH), 0);
	for (int i = 0; i < UPCALL_STASH; i++)
		rte_pktmbuf_free(got[i]->mbuf);
	assert_int_equal(rte_mempool_in_use_count(dp_pool), base + 3);
	upcall_queue_destroy(q);
	assert_int_equal(rte_mempool_in_use_count(dp_pool), base);
}

/* Slots given back a burst at a time are all free again, without their
 * mbufs (the consumer freed those). */
static void test_queue_release_burst(void **state)
{
	enum { N = 2 * UPCALL_STASH };
	struct upcall *got[N];
	struct upcall_queue *q;
	unsigned int base = rte_mempool_in_use_count(dp_pool);

	(void)state;
	assert_int_equal(upcall_queue_create("uq_rel", 0, N, &q), 0);
	for (int i = 0; i < N; i++) {
		struct upcall *u = upcall_queue_get_free(q);

		assert_non_null(u);
		u->mbuf = rte_pktmbuf_alloc(dp_pool);
		assert_non_null(u->mbuf);
		upcall_queue_put(q, u);
	}
	assert_null(upcall_queue_get_free(q));
	upcall_queue_flush(q);
	assert_int_equal(upcall_queue_take(q, got, N), N);
	for (int i = 0; i < N; i++)
		rte_pktmbuf_free(got[i]->mbuf);
	upcall_queue_release_burst(q, got, N);
	for (int i = 0; i < N; i++) {
		struct upcall *u = upcall_queue_get_free(q);

		assert_non_null(u);
		assert_null(u->mbuf);
	}
	assert_null(upcall_queue_get_free(q));
	assert_int_equal(rte_mempool_in_use_count(dp_pool), base);
	upcall_queue_destroy(q);
}

/* A queue of the most slots hands out exactly that many (its items are
 * allocated for its slots, its rings sized to hold them all). */
static void test_queue_largest(void **state)
{
	struct upcall_queue *q;
	unsigned int got = 0;

	(void)state;
	assert_int_equal(upcall_queue_create("uq_big", 0, UPCALL_QUEUE_SIZE, &q), 0);
	while (upcall_queue_get_free(q) != NULL)
		got++;
	assert_int_equal(got, UPCALL_QUEUE_SIZE);
	upcall_queue_destroy(q);
}

/* Slots go back to use last-in first-out: a storm that the consumer keeps
 * up with reuses the same few slots (in cache) rather than every slot of
 * the queue in turn, as a ring of free slots would. */
static void test_queue_lifo(void **state)
{
	enum { SLOTS = 16 * UPCALL_STASH, ROUNDS = 40 };
	struct upcall *seen[SLOTS], *got[UPCALL_STASH];
	struct upcall_queue *q;
	unsigned int n_seen = 0;

	(void)state;
	assert_int_equal(upcall_queue_create("uq_lifo", 0, SLOTS, &q), 0);
	for (int round = 0; round < ROUNDS; round++) {
		for (int i = 0; i < UPCALL_STASH; i++) {
			struct upcall *u = upcall_queue_get_free(q);
			unsigned int k = 0;

			assert_non_null(u);
			while (k < n_seen && seen[k] != u)
				k++;
			if (k == n_seen)
				seen[n_seen++] = u;
			u->mbuf = NULL;
			upcall_queue_put(q, u);
		}
		assert_int_equal(upcall_queue_take(q, got, UPCALL_STASH), UPCALL_STASH);
		upcall_queue_release_burst(q, got, UPCALL_STASH);
	}
	assert_int_equal(n_seen, UPCALL_STASH);
	/* Every slot is still there to take. */
	n_seen = 0;
	while (upcall_queue_get_free(q) != NULL)
		n_seen++;
	assert_int_equal(n_seen, SLOTS);
	upcall_queue_destroy(q);
}

/* Of a queue limited to 'held' upcalls holding an mbuf, the producer
 * may fill that many with one; slots without (MISSes carried in their
 * slot) are still there; each one given back makes room for one more. */
static void test_queue_held(void **state)
{
	enum { SLOTS = 8, HELD = 3 };
	struct upcall *got[SLOTS];
	struct upcall_queue *q;

	(void)state;
	assert_int_equal(upcall_queue_slots_inline(100), 100 * UPCALL_INLINE_FACTOR);
	assert_int_equal(upcall_queue_slots_inline(UPCALL_QUEUE_SIZE), UPCALL_QUEUE_SIZE);
	assert_int_equal(upcall_queue_create("uq_held", 0, SLOTS, &q), 0);
	upcall_queue_limit_held(q, HELD);
	for (int i = 0; i < HELD; i++) {
		assert_true(upcall_queue_may_hold(q));
		put_held(q);
	}
	assert_false(upcall_queue_may_hold(q));
	for (int i = HELD; i < SLOTS; i++) {
		struct upcall *u = upcall_queue_get_free(q);

		assert_non_null(u);
		u->mbuf = NULL;
		upcall_queue_put(q, u);
	}
	assert_false(upcall_queue_may_hold(q));
	upcall_queue_flush(q);
	/* Slots without an mbuf given back make no room for one. */
	assert_int_equal(upcall_queue_take(q, got, SLOTS), SLOTS);
	upcall_queue_release_burst(q, got + HELD, SLOTS - HELD);
	assert_false(upcall_queue_may_hold(q));
	rte_pktmbuf_free(got[0]->mbuf);
	upcall_queue_release(q, got[0]);
	assert_true(upcall_queue_may_hold(q));
	for (int i = 1; i < HELD; i++)
		rte_pktmbuf_free(got[i]->mbuf);
	upcall_queue_release_burst(q, got + 1, HELD - 1);
	assert_true(upcall_queue_may_hold(q));
	upcall_queue_destroy(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slots_share),
		cmocka_unit_test(test_queue_bound),
		cmocka_unit_test(test_queue_release_burst),
		cmocka_unit_test(test_queue_largest),
		cmocka_unit_test(test_queue_publish),
		cmocka_unit_test(test_queue_lifo),
		cmocka_unit_test(test_queue_held),
	};
	int rc;

	dp_eal_init("test_upcall");
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	dp_eal_fini();
	return rc;
}
