/* SPDX-License-Identifier: BSD-3-Clause */
#include "revalidator.h"

#include "flowtbl.h"

#define DUMP_BATCH 256

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

void revalidator_init(struct revalidator *r, uint32_t ceiling, uint32_t max_idle_ms)
{
	*r = (struct revalidator){
		.ceiling = ceiling,
		.flow_limit = max_idle_ms ? min_u32(ceiling, REVALIDATOR_LIMIT_START) : ceiling,
		.max_idle_ms = max_idle_ms,
	};
}

uint32_t revalidator_next_limit(uint32_t flow_limit, uint32_t ceiling, uint64_t duration_ms,
				uint32_t n_flows)
{
	uint64_t limit = flow_limit;

	if (duration_ms > 2000) {
		limit /= duration_ms / 1000;
	} else if (duration_ms > 1300) {
		limit = limit * 3 / 4;
	} else if (duration_ms < 1000 && n_flows > 2000 &&
		   limit < (uint64_t)n_flows * 1000 / (duration_ms ? duration_ms : 1)) {
		/* A round under a millisecond counts as one: the seed divides by
		 * the duration, and a zero would mean "infinitely fast". */
		limit += 1000;
	}
	if (limit < REVALIDATOR_LIMIT_MIN)
		limit = REVALIDATOR_LIMIT_MIN;
	return (uint32_t)(limit < ceiling ? limit : ceiling);
}

void revalidator_set_ceiling(struct revalidator *r, uint32_t ceiling)
{
	r->ceiling = ceiling;
	if (!r->max_idle_ms) {
		r->flow_limit = ceiling;
		return;
	}
	if (r->flow_limit > ceiling)
		r->flow_limit = ceiling;
	if (r->flow_limit < REVALIDATOR_LIMIT_MIN)
		r->flow_limit = min_u32(REVALIDATOR_LIMIT_MIN, ceiling);
}

void revalidator_set_limit(struct revalidator *r, uint32_t limit)
{
	r->ceiling = limit;
	r->flow_limit = limit < REVALIDATOR_LIMIT_MIN ? REVALIDATOR_LIMIT_MIN : limit;
}

void revalidator_set_max_idle(struct revalidator *r, uint32_t max_idle_ms)
{
	r->max_idle_ms = max_idle_ms;
	if (!max_idle_ms)
		r->flow_limit = r->ceiling;
	r->next_round_ms = 0; /* apply it at the next opportunity */
}

bool revalidator_is_cache(const struct revalidator *r)
{
	return r->max_idle_ms != 0;
}

uint64_t revalidator_interval_ms(const struct revalidator *r)
{
	uint64_t half = r->max_idle_ms / 2;

	if (half < 10)
		half = 10;
	return half < REVALIDATOR_INTERVAL_MS ? half : REVALIDATOR_INTERVAL_MS;
}

bool revalidator_may_add(const struct revalidator *r, uint32_t n_flows)
{
	return n_flows < r->flow_limit;
}

/* Start a round: what it decides by (pressure, flush) is fixed now, from
 * the flow count at its start, as for a round done at once. */
static void round_begin(struct revalidator *r, struct flowtbl *t, uint64_t now)
{
	uint32_t n_flows = flowtbl_count(t);

	r->in_round = true;
	r->cursor = 0;
	r->round_start_ms = now;
	r->round_n_flows = n_flows;
	r->round_deleted = 0;
	r->round_kill_all = n_flows > 2ull * r->flow_limit;
	r->round_idle_ms = n_flows > r->flow_limit ? REVALIDATOR_PRESSURE_IDLE_MS
						   : r->max_idle_ms;
}

static void round_end(struct revalidator *r, uint64_t end)
{
	if (r->round_kill_all)
		r->deleted_flush += r->round_deleted;
	else
		r->deleted_idle += r->round_deleted;
	r->in_round = false;
	r->last_duration_ms = end - r->round_start_ms;
	r->last_n_flows = r->round_n_flows;
	r->flow_limit = revalidator_next_limit(r->flow_limit, r->ceiling, r->last_duration_ms,
					       r->round_n_flows);
	r->rounds++;
	r->next_round_ms = end + revalidator_interval_ms(r);
}

/* No cache: nothing to walk, the limit stays the ceiling. */
static void round_not_a_cache(struct revalidator *r, struct flowtbl *t, uint64_t now)
{
	r->in_round = false;
	r->last_duration_ms = 0;
	r->last_n_flows = flowtbl_count(t);
	r->rounds++;
	r->next_round_ms = now + REVALIDATOR_INTERVAL_MS;
}

uint32_t revalidator_step(struct revalidator *r, struct flowtbl *t, revalidator_clock_fn clock,
			  void *clock_arg, uint32_t max_flows)
{
	struct flowtbl_flow *batch[DUMP_BATCH];
	uint64_t now = clock(clock_arg);
	uint32_t walked = 0, deleted = 0;
	size_t n;

	if (!r->max_idle_ms) {
		round_not_a_cache(r, t, now);
		return 0;
	}
	if (!r->in_round)
		round_begin(r, t, now);
	while (walked < max_flows &&
	       (n = flowtbl_dump(t, &r->cursor, batch,
				 min_u32(DUMP_BATCH, max_flows - walked))) > 0) {
		now = clock(clock_arg);
		for (size_t i = 0; i < n; i++) {
			struct flowtbl_flow_stats st;
			uint64_t used;

			flowtbl_flow_stats_get(t, batch[i], &st);
			used = st.used ? st.used : flowtbl_flow_created(batch[i]);
			if (r->round_kill_all || now >= used + r->round_idle_ms) {
				flowtbl_remove(t, batch[i]);
				deleted++;
			}
		}
		walked += (uint32_t)n;
	}
	r->round_deleted += deleted;
	/* A short step may have ended exactly at the last flow: the next
	 * step finds nothing and ends the round then. */
	if (walked < max_flows)
		round_end(r, clock(clock_arg));
	return deleted;
}

uint32_t revalidator_round(struct revalidator *r, struct flowtbl *t, revalidator_clock_fn clock,
			   void *clock_arg)
{
	return revalidator_step(r, t, clock, clock_arg, UINT32_MAX);
}

bool revalidator_in_round(const struct revalidator *r)
{
	return r->in_round;
}
