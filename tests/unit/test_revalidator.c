/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the revalidator: the seed's flow-limit formula branch by
 * branch and at both bounds, and rounds over a real flow table driven by
 * an injected clock (idle expiry, the 100 ms idle under pressure, the
 * flush at twice the limit, the measured duration feeding the limit).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "flowtbl.h"
#include "flowtbl_pmd.h"
#include "revalidator.h"

struct limit_case {
	uint32_t limit, ceiling;
	uint64_t duration;
	uint32_t n_flows;
	uint32_t expect;
	const char *why;
};

static void test_formula(void **state)
{
	static const struct limit_case cases[] = {
		/* duration > 2000: divide by whole seconds */
		{ 100000, 200000, 2001, 50000, 50000, "2.001 s -> /2" },
		{ 100000, 200000, 5500, 50000, 20000, "5.5 s -> /5" },
		{ 3000, 200000, 10000, 50000, 1000, "/10 -> 300, floor 1000" },
		/* 1300 < duration <= 2000: three quarters */
		{ 100000, 200000, 2000, 50000, 75000, "2.000 s is not > 2000" },
		{ 100000, 200000, 1301, 50000, 75000, "1.301 s" },
		{ 1200, 200000, 1500, 50000, 1000, "900 -> floor 1000" },
		/* 1000 <= duration <= 1300: unchanged */
		{ 100000, 200000, 1300, 50000, 100000, "1.3 s: no change" },
		{ 100000, 200000, 1000, 50000, 100000, "1.0 s: no change" },
		/* duration < 1000 with more than 2000 flows: grow by 1000 while the
		 * limit is under the rate the round achieved */
		{ 10000, 200000, 999, 50000, 11000, "fast round, room to grow" },
		{ 10000, 200000, 100, 2001, 11000, "2001 flows in 100 ms: 20010/s" },
		{ 10000, 200000, 100, 2000, 10000, "2000 flows: not > 2000" },
		{ 30000, 200000, 100, 3000, 30000, "limit 30000 >= 3000*1000/100" },
		{ 29999, 200000, 100, 3000, 30999, "limit just under the rate" },
		{ 10000, 200000, 0, 5000, 11000, "0 ms counts as 1 ms" },
		/* the ceiling caps everything */
		{ 199500, 200000, 10, 500000, 200000, "growth capped at the ceiling" },
		{ 10000, 5000, 1200, 50000, 5000, "ceiling below the limit" },
		{ 10000, 500, 1200, 50000, 500, "ceiling under 1000 wins over the floor" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct limit_case *c = &cases[i];
		uint32_t got = revalidator_next_limit(c->limit, c->ceiling, c->duration, c->n_flows);
		if (got != c->expect)
			fail_msg("case %zu (%s): limit %u ceiling %u duration %lu n_flows %u: got %u, "
				 "want %u", i, c->why, c->limit, c->ceiling, (unsigned long)c->duration,
				 c->n_flows, got, c->expect);
	}
}

static void test_init_and_settings(void **state)
{
	struct revalidator r;

	(void)state;
	revalidator_init(&r, 200000, 10000);
	assert_int_equal(r.flow_limit, 10000); /* MIN(ceiling, 10000), as OVS */
	revalidator_init(&r, 4000, 10000);
	assert_int_equal(r.flow_limit, 4000);
	assert_true(revalidator_may_add(&r, 3999));
	assert_false(revalidator_may_add(&r, 4000));
	revalidator_set_ceiling(&r, 2000);
	assert_int_equal(r.flow_limit, 2000);
	revalidator_set_ceiling(&r, 50000);
	assert_int_equal(r.flow_limit, 2000); /* raising the ceiling does not raise the limit */
	/* An explicit limit is in force at once, both ways. */
	revalidator_set_limit(&r, 1000000);
	assert_int_equal(r.ceiling, 1000000);
	assert_int_equal(r.flow_limit, 1000000);
	assert_true(revalidator_may_add(&r, 999999));
	revalidator_set_limit(&r, 1500);
	assert_int_equal(r.flow_limit, 1500);
	assert_false(revalidator_may_add(&r, 1500));
	revalidator_set_max_idle(&r, 100);
	assert_int_equal(revalidator_interval_ms(&r), 50);
	revalidator_set_max_idle(&r, 10000);
	assert_int_equal(revalidator_interval_ms(&r), REVALIDATOR_INTERVAL_MS);
}

/* ---- rounds over a real table ---- */

struct clock {
	uint64_t now;
	uint64_t step; /* added at every read: makes a round take time */
};

static uint64_t read_clock(void *arg)
{
	struct clock *c = arg;
	uint64_t t = c->now;

	c->now += c->step;
	return t;
}

struct fixture {
	struct flowtbl *t;
	struct flowtbl_pmd *pmd;
	struct clock clk;
};

static int setup(void **state)
{
	static struct fixture f;
	struct flowtbl_params p = { .n_readers = 1 };
	struct flowtbl_pmd_params pp = { .slot = 0 };

	memset(&f, 0, sizeof(f));
	if (flowtbl_create(&p, &f.t) < 0 || flowtbl_pmd_create(f.t, &pp, &f.pmd) < 0)
		return -1;
	f.clk.now = 1000000;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	flowtbl_pmd_destroy(f->pmd);
	flowtbl_destroy(f->t);
	return 0;
}

/* n flows on distinct in_ports, created at the clock's 'now'. */
static void add_flows(struct fixture *f, uint32_t first, uint32_t n)
{
	struct flow_key key, mask;
	struct flowtbl_flow *flow;

	memset(&mask, 0, sizeof(mask));
	mask.in_port = UINT32_MAX;
	for (uint32_t i = first; i < first + n; i++) {
		memset(&key, 0, sizeof(key));
		key.in_port = i;
		assert_int_equal(flowtbl_insert(f->t, &key, &mask, NULL, 0, NULL, &flow), 0);
		flowtbl_flow_set_created(flow, f->clk.now);
	}
}

/* A packet for in_port 'port' at time 'now': its flow's 'used' moves. */
static void hit(struct fixture *f, uint32_t port, uint64_t now)
{
	struct flow_key key;
	const struct flow_key *kp = &key;
	struct flowtbl_flow *flow;

	memset(&key, 0, sizeof(key));
	key.in_port = port;
	flowtbl_pmd_online(f->pmd);
	assert_int_equal(flowtbl_lookup_burst(f->pmd, &kp, NULL, 1, &flow), 1);
	flowtbl_pmd_stats_update(f->pmd, flow, 1, 64, 0, now);
	flowtbl_pmd_offline(f->pmd);
}

static void test_idle_expiry(void **state)
{
	struct fixture *f = *state;
	struct revalidator r;

	revalidator_init(&r, 200000, 10000);
	add_flows(f, 1, 10);
	/* 9.999 s later nothing is idle long enough. */
	f->clk.now += 9999;
	hit(f, 1, f->clk.now);
	assert_int_equal(revalidator_round(&r, f->t, read_clock, &f->clk), 0);
	assert_int_equal(flowtbl_count(f->t), 10);
	/* At 10 s the 9 untouched flows go; the one that saw a packet stays. */
	f->clk.now += 1;
	assert_int_equal(revalidator_round(&r, f->t, read_clock, &f->clk), 9);
	assert_int_equal(flowtbl_count(f->t), 1);
	assert_int_equal(r.deleted_idle, 9);
	assert_int_equal(r.rounds, 2);
	/* And it goes 10 s after its last packet. */
	f->clk.now += 10000;
	assert_int_equal(revalidator_round(&r, f->t, read_clock, &f->clk), 1);
	assert_int_equal(flowtbl_count(f->t), 0);
	flowtbl_synchronize(f->t);
}

/* max_idle 0 (no --max-idle): as the kernel datapath, nothing is deleted,
 * however idle or however far over the limit; the limit is the ceiling, a
 * fixed cap, until set_max_idle turns the cache on. */
static void test_not_a_cache(void **state)
{
	struct fixture *f = *state;
	struct revalidator r;

	revalidator_init(&r, 3000, 0);
	assert_false(revalidator_is_cache(&r));
	assert_int_equal(r.flow_limit, 3000); /* not MIN(ceiling, 10000) growth */
	add_flows(f, 1, 10);
	f->clk.now += 100000000;
	f->clk.step = 3000; /* a round would take 3 s: the formula would cut */
	assert_int_equal(revalidator_round(&r, f->t, read_clock, &f->clk), 0);
	assert_int_equal(flowtbl_count(f->t), 10);
	assert_int_equal(r.flow_limit, 3000);
	assert_int_equal(r.rounds, 1);
	/* Lowering the cap under the flow count deletes nothing either. */
	revalidator_set_ceiling(&r, 5);
	assert_int_equal(r.flow_limit, 5);
	assert_int_equal(revalidator_round(&r, f->t, read_clock, &f->clk), 0);
	assert_int_equal(flowtbl_count(f->t), 10);
	assert_false(revalidator_may_add(&r, 10));
	/* set_max_idle turns the cache on; 0 turns it off again. */
	revalidator_set_limit(&r, 2000);
	revalidator_set_max_idle(&r, 50);
	assert_true(revalidator_is_cache(&r));
	f->clk.step = 0;
	assert_int_equal(revalidator_round(&r, f->t, read_clock, &f->clk), 10);
	revalidator_set_max_idle(&r, 0);
	assert_false(revalidator_is_cache(&r));
	assert_int_equal(r.flow_limit, 2000);
	flowtbl_synchronize(f->t);
}

/* Over the limit, idle means 100 ms; over twice the limit, all go. */
static void test_pressure_and_flush(void **state)
{
	struct fixture *f = *state;
	struct revalidator r;

	revalidator_init(&r, 1000, 10000); /* limit 1000 */
	add_flows(f, 1, 1500);
	f->clk.now += 100;
	for (uint32_t p = 1; p <= 500; p++)
		hit(f, p, f->clk.now);
	/* 1500 > 1000: flows idle 100 ms go (1000 of them), busy ones stay. */
	assert_int_equal(revalidator_round(&r, f->t, read_clock, &f->clk), 1000);
	assert_int_equal(flowtbl_count(f->t), 500);
	assert_int_equal(r.deleted_flush, 0);

	/* 2001 > 2 * 1000: everything goes, busy or not. */
	add_flows(f, 10000, 1501);
	for (uint32_t p = 1; p <= 500; p++)
		hit(f, p, f->clk.now);
	assert_int_equal(revalidator_round(&r, f->t, read_clock, &f->clk), 2001);
	assert_int_equal(flowtbl_count(f->t), 0);
	assert_int_equal(r.deleted_flush, 2001);
	flowtbl_synchronize(f->t);
}

/* The round's measured duration drives the limit. */
static void test_duration_feeds_limit(void **state)
{
	struct fixture *f = *state;
	struct revalidator r;

	revalidator_init(&r, 200000, 1000000);
	add_flows(f, 1, 3000);
	/* Each clock read costs 3 ms: a round of 3000 flows (a few reads per
	 * dump batch) lasts well over 2 s... */
	f->clk.step = 300;
	revalidator_round(&r, f->t, read_clock, &f->clk);
	assert_true(r.last_duration_ms > 2000);
	assert_int_equal(r.flow_limit,
			 revalidator_next_limit(10000, 200000, r.last_duration_ms, 3000));
	assert_true(r.flow_limit < 10000);
	/* ...and a fast round lets it grow again by 1000. */
	uint32_t before = r.flow_limit;
	f->clk.step = 0;
	revalidator_round(&r, f->t, read_clock, &f->clk);
	assert_int_equal(r.last_duration_ms, 0);
	assert_int_equal(r.flow_limit, before + 1000);
	assert_int_equal(r.last_n_flows, 3000);
	assert_int_equal(r.next_round_ms, f->clk.now + revalidator_interval_ms(&r));
	flowtbl_flush(f->t);
	flowtbl_synchronize(f->t);
}

/* A round in steps: each walks at most its share, flows added between
 * steps are safe (not expired: they are new), the round's duration is its
 * wall time from the first step to the last, and the limit moves once. */
static void test_round_in_steps(void **state)
{
	struct fixture *f = *state;
	struct revalidator r;
	uint32_t deleted;

	revalidator_init(&r, 200000, 1000);
	add_flows(f, 1, 3000);
	f->clk.now += 1000; /* all 3000 idle for max_idle */
	deleted = revalidator_step(&r, f->t, read_clock, &f->clk, 1000);
	assert_int_equal(deleted, 1000);
	assert_true(revalidator_in_round(&r));
	assert_int_equal(flowtbl_count(f->t), 2000);
	/* New flows while the round is under way: walked, kept. */
	add_flows(f, 100000, 500);
	f->clk.now += 40;
	deleted = revalidator_step(&r, f->t, read_clock, &f->clk, 1000);
	assert_int_equal(deleted, 1000);
	assert_true(revalidator_in_round(&r));
	assert_int_equal(r.rounds, 0);
	f->clk.now += 40;
	while (revalidator_in_round(&r))
		revalidator_step(&r, f->t, read_clock, &f->clk, 1000);
	assert_int_equal(flowtbl_count(f->t), 500);
	assert_int_equal(r.deleted_idle, 3000);
	assert_int_equal(r.rounds, 1);
	assert_int_equal(r.last_n_flows, 3000);
	assert_int_equal(r.last_duration_ms, 80);
	assert_int_equal(r.flow_limit, revalidator_next_limit(10000, 200000, 80, 3000));
	/* The next step is a new round, all of it (500 flows): the new flows
	 * are not idle yet. */
	assert_int_equal(revalidator_step(&r, f->t, read_clock, &f->clk, 1000), 0);
	assert_false(revalidator_in_round(&r));
	assert_int_equal(r.rounds, 2);
	assert_int_equal(flowtbl_count(f->t), 500);
	flowtbl_flush(f->t);
	flowtbl_synchronize(f->t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_formula),
		cmocka_unit_test(test_init_and_settings),
		cmocka_unit_test_setup_teardown(test_idle_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pressure_and_flush, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duration_feeds_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_in_steps, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
