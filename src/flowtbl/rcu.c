/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flowtbl grace periods: objects unlinked by the writer wait here until
 * every reader has reported a quiescent state, then are freed.
 *
 * Items are appended to 'pending'. A reclaim or synchronize closes the
 * pending batch by taking an rte_rcu_qsbr token for it (the token's
 * release store also publishes the unlinks to readers) and queues it;
 * batches are freed in FIFO order once rte_rcu_qsbr_check() says every
 * reader that was online at the token has since been quiescent. Only the
 * header-inline QSBR functions are used here, so that sanitizers see the
 * memory ordering (and no EAL is needed).
 *
 * All functions: writer (control thread) only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_rcu_qsbr.h>

#include "flowtbl_int.h"

void ft_defer_fn_free(struct flowtbl *t, void *p)
{
	ft_tbl_free(t, p);
}

static void batch_free(struct flowtbl *t, struct defer_batch *b)
{
	for (uint32_t i = 0; i < b->n; i++)
		b->items[i].fn(t, b->items[i].p);
	ft_tbl_free(t, b->items);
	memset(b, 0, sizeof(*b));
}

/* Give the pending batch a token and queue it. -ENOMEM: left pending. */
static int pending_close(struct flowtbl *t)
{
	int err;

	if (t->pending.n == 0)
		return 0;
	err = ft_vec_reserve(t, (void **)&t->batches, &t->cap_batches, t->n_batches + 1,
			  sizeof(*t->batches));
	if (err)
		return err;
	/* Release: the unlinks of this batch happen before the token. */
	t->pending.token = rte_rcu_qsbr_start(t->qsbr);
	t->batches[t->n_batches++] = t->pending;
	memset(&t->pending, 0, sizeof(t->pending));
	return 0;
}

/* Free the first n queued batches. */
static void batches_pop(struct flowtbl *t, uint32_t n)
{
	if (n == 0)
		return;
	for (uint32_t i = 0; i < n; i++)
		batch_free(t, &t->batches[i]);
	memmove(t->batches, t->batches + n, (t->n_batches - n) * sizeof(*t->batches));
	t->n_batches -= n;
}

void flowtbl_synchronize(struct flowtbl *t)
{
	if (pending_close(t) < 0) {
		/* Out of memory for the batch queue: wait for everything. */
		uint64_t tok = rte_rcu_qsbr_start(t->qsbr);

		rte_rcu_qsbr_check(t->qsbr, tok, true);
		batches_pop(t, t->n_batches);
		batch_free(t, &t->pending);
		return;
	}
	if (t->n_batches == 0)
		return;
	/* Tokens grow, so the last batch's grace period covers all. */
	rte_rcu_qsbr_check(t->qsbr, t->batches[t->n_batches - 1].token, true);
	batches_pop(t, t->n_batches);
}

void ft_defer_close(struct flowtbl *t)
{
	/* Out of memory for the queue: the items stay pending, freed by the
	 * next reclaim or synchronize. */
	(void)pending_close(t);
}

void ft_defer_poll(struct flowtbl *t)
{
	uint32_t done = 0;

	while (done < t->n_batches && rte_rcu_qsbr_check(t->qsbr, t->batches[done].token, false))
		done++;
	batches_pop(t, done);
}

size_t flowtbl_reclaim(struct flowtbl *t)
{
	size_t left = 0;

	pending_close(t);
	ft_defer_poll(t);
	for (uint32_t i = 0; i < t->n_batches; i++)
		left += t->batches[i].n;
	return left + t->pending.n;
}

void ft_defer_free(struct flowtbl *t, defer_fn *fn, void *p)
{
	struct defer_batch *b = &t->pending;

	if (ft_vec_reserve(t, (void **)&b->items, &b->cap, b->n + 1, sizeof(*b->items)) < 0) {
		/* No memory to queue it: wait out a grace period instead. */
		flowtbl_synchronize(t);
		fn(t, p);
		return;
	}
	b->items[b->n++] = (struct defer_item){ .fn = fn, .p = p };
	if (b->n >= DEFER_AUTO_RECLAIM)
		flowtbl_reclaim(t);
}

/* Free everything deferred without waiting: only when no reader is online. */
void ft_defer_free_all_now(struct flowtbl *t)
{
	batches_pop(t, t->n_batches);
	batch_free(t, &t->pending);
	ft_tbl_free(t, t->batches);
	t->batches = NULL;
	t->n_batches = t->cap_batches = 0;
}
