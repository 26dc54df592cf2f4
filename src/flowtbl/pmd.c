/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flowtbl PMD contexts: creation, RCU reader state, counters, and the
 * cache hash. Threading rules per function are in flowtbl_pmd.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_rcu_qsbr.h>

#include "flowtbl_int.h"

static void insert_prob_store(struct flowtbl_pmd *pmd, uint32_t inv_prob)
{
	/* Relaxed: a tunable; the PMD picks it up at its next lookup. */
	STORE_RLX(&pmd->insert_thresh, inv_prob ? UINT32_MAX / inv_prob : 0);
	STORE_RLX(&pmd->insert_always, inv_prob == 1);
}

/* The NH terms of a zero key's words outside the sparse range: what
 * ft_key_nh_sparse() adds to the terms of the words inside. */
static uint64_t nh_sparse_base(void)
{
#if defined(__AVX2__)
	static const struct flow_key zero;
	const uint64_t *z = flow_key_words(&zero);

	return ft_key_nh(z) - ft_key_nh_sparse(z, 0);
#else
	return 0;
#endif
}

int flowtbl_pmd_create(struct flowtbl *t, const struct flowtbl_pmd_params *p,
		       struct flowtbl_pmd **out)
{
	struct flowtbl_pmd *pmd;
	uint32_t n;

	if (!t || !p || !out || p->slot >= t->n_readers)
		return -EINVAL;
	n = p->cache_entries;
	if (n > FLOWTBL_CACHE_MAX || (n & (n - 1)) != 0)
		return -EINVAL;
	if (t->pmds[p->slot])
		return -EBUSY;
	/* Own cache lines: the PMD writes its counters here all the time. */
	pmd = ft_tbl_alloc(NULL, CACHE_LINE, sizeof(*pmd), true);
	if (!pmd)
		return -ENOMEM;
	if (n) {
		uint32_t sets = n > CACHE_WAYS ? n / CACHE_WAYS : 1;

		pmd->cache = ft_tbl_alloc(NULL, CACHE_LINE, sets * sizeof(*pmd->cache), true);
		if (!pmd->cache) {
			free(pmd);
			return -ENOMEM;
		}
		pmd->cache_mask = sets - 1;
	}
	pmd->t = t;
	pmd->qsbr = t->qsbr;
	pmd->slot = p->slot;
	pmd->stats = p->slot < t->n_stats ? t->stats_dir[p->slot] : NULL;
	pmd->rng = 0x9e3779b9u ^ (p->slot * 0x85ebca6bu);
	pmd->adaptive = p->cache_adaptive;
	pmd->nh_sparse_base = nh_sparse_base();
	insert_prob_store(pmd, p->insert_inv_prob);
	if (rte_rcu_qsbr_thread_register(t->qsbr, p->slot) != 0) {
		free(pmd->cache);
		free(pmd);
		return -EINVAL;
	}
	t->pmds[p->slot] = pmd;
	*out = pmd;
	return 0;
}

void flowtbl_pmd_destroy(struct flowtbl_pmd *pmd)
{
	if (!pmd)
		return;
	rte_rcu_qsbr_thread_unregister(pmd->t->qsbr, pmd->slot);
	pmd->t->pmds[pmd->slot] = NULL;
	free(pmd->cache);
	free(pmd);
}

void ft_pmd_destroy_all(struct flowtbl *t)
{
	for (uint32_t s = 0; t->pmds && s < t->n_readers; s++)
		flowtbl_pmd_destroy(t->pmds[s]);
}

void flowtbl_pmd_insert_prob_set(struct flowtbl_pmd *pmd, uint32_t insert_inv_prob)
{
	insert_prob_store(pmd, insert_inv_prob);
}

void flowtbl_pmd_online(struct flowtbl_pmd *pmd)
{
	rte_rcu_qsbr_thread_online(pmd->t->qsbr, pmd->slot);
}

void flowtbl_pmd_offline(struct flowtbl_pmd *pmd)
{
	rte_rcu_qsbr_thread_offline(pmd->t->qsbr, pmd->slot);
}

void flowtbl_pmd_quiescent(struct flowtbl_pmd *pmd)
{
	rte_rcu_qsbr_quiescent(pmd->qsbr, pmd->slot);
}

void flowtbl_pmd_counters_get(const struct flowtbl_pmd *pmd, struct flowtbl_counters *c)
{
	/* Relaxed: each counter has one writer, the PMD. */
	c->hit = LOAD_RLX(&pmd->cnt.hit);
	c->missed = LOAD_RLX(&pmd->cnt.missed);
	c->mask_hit = LOAD_RLX(&pmd->cnt.mask_hit);
	c->cache_hit = LOAD_RLX(&pmd->cnt.cache_hit);
}

void flowtbl_counters_get(const struct flowtbl *t, struct flowtbl_counters *c)
{
	memset(c, 0, sizeof(*c));
	for (uint32_t s = 0; s < t->n_readers; s++) {
		const struct flowtbl_pmd *pmd = t->pmds[s];
		struct flowtbl_counters one;

		if (!pmd)
			continue;
		flowtbl_pmd_counters_get(pmd, &one);
		c->hit += one.hit;
		c->missed += one.missed;
		c->mask_hit += one.mask_hit;
		c->cache_hit += one.cache_hit;
	}
}

uint32_t flowtbl_key_hash(const struct flow_key *key)
{
	return ft_key_hash(key);
}
