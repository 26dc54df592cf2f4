/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmocka helpers of the flow table's unit tests (test_flowtbl.c,
 * test_flowtbl_pmd.c): a table and a reader that fail the test when they
 * cannot be made, a grace period from the readers' own thread, one-key
 * lookups. Header-only, test code.
 */
#ifndef FLOWTBL_UNIT_H
#define FLOWTBL_UNIT_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "flowtbl.h"
#include "flowtbl_pmd.h"

/* Two action lists of different lengths: the table keeps them as bytes. */
static const uint8_t ACT_A[] = { 1, 2, 3, 4 };
static const uint8_t ACT_B[] = { 9, 8, 7, 6, 5, 4, 3, 2 };

static inline struct flowtbl *table_new(uint32_t n_readers, uint32_t max_flows)
{
	struct flowtbl_params p = { .n_readers = n_readers, .max_flows = max_flows };
	struct flowtbl *t = NULL;

	assert_int_equal(flowtbl_create(&p, &t), 0);
	assert_non_null(t);
	return t;
}

static inline struct flowtbl_pmd *pmd_new(struct flowtbl *t, uint32_t slot, uint32_t cache,
					  uint32_t inv_prob)
{
	struct flowtbl_pmd_params p = { .slot = slot, .cache_entries = cache,
					.insert_inv_prob = inv_prob };
	struct flowtbl_pmd *pmd = NULL;

	assert_int_equal(flowtbl_pmd_create(t, &p, &pmd), 0);
	flowtbl_pmd_online(pmd);
	return pmd;
}

/* The test thread is also the readers' thread: a reader that is online
 * would wait for itself, so it goes offline around the grace period. */
static inline void sync_as_reader(struct flowtbl *t, struct flowtbl_pmd *a, struct flowtbl_pmd *b)
{
	flowtbl_pmd_offline(a);
	if (b)
		flowtbl_pmd_offline(b);
	flowtbl_synchronize(t);
	flowtbl_pmd_online(a);
	if (b)
		flowtbl_pmd_online(b);
}

/* Look one key up; returns the flow or NULL. */
static inline struct flowtbl_flow *lookup1(struct flowtbl_pmd *pmd, const struct flow_key *k)
{
	const struct flow_key *keys[1] = { k };
	struct flowtbl_flow *f[1] = { NULL };

	return flowtbl_lookup_burst(pmd, keys, NULL, 1, f) ? f[0] : NULL;
}

#endif
