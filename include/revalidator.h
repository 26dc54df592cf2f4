/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * revalidator: keeps the flow table healthy the way Open vSwitch's
 * revalidators keep the kernel datapath healthy, when the table is managed
 * as a cache (max_idle_ms != 0, --max-idle). Otherwise, as the kernel
 * datapath, it deletes nothing: the limit is the ceiling, a fixed cap, and
 * rounds only count. As a cache, each round walks every
 * flow, deletes those idle past the idle timeout, measures how long the
 * round took, and recomputes the dynamic flow limit from that duration
 * (the seed's formula, DESIGN.md). Under pressure (more flows than the
 * limit) the idle timeout drops to 100 ms; past twice the limit every flow
 * is deleted.
 *
 * EAL-free: the clock is injected, so tests drive 'duration' exactly.
 *
 * Threads: the flow table's writer (the control thread) runs rounds;
 * deletion goes through flowtbl_remove(), RCU-safe like a client's DEL.
 */
#ifndef REVALIDATOR_H
#define REVALIDATOR_H

#include <stdbool.h>
#include <stdint.h>

struct flowtbl;

#define REVALIDATOR_LIMIT_MIN 1000
#define REVALIDATOR_LIMIT_START 10000   /* as OVS: MIN(ceiling, 10000) */
#define REVALIDATOR_PRESSURE_IDLE_MS 100
#define REVALIDATOR_INTERVAL_MS 500     /* between rounds, at most */

/* Milliseconds on a monotonic clock. */
typedef uint64_t (*revalidator_clock_fn)(void *arg);

struct revalidator {
	uint32_t ceiling;         /* --flow-limit: ofproto_flow_limit */
	uint32_t flow_limit;      /* the dynamic limit, 1000..ceiling */
	uint32_t max_idle_ms;     /* --max-idle; 0: no cache management */
	uint64_t next_round_ms;   /* when the next round is due */
	/* Results, for `show`. */
	uint64_t rounds;
	uint64_t last_duration_ms;
	uint32_t last_n_flows;    /* flows when the last round started */
	uint64_t deleted_idle;    /* flows expired */
	uint64_t deleted_flush;   /* flows deleted because n_flows > 2 * limit */
	/* The round in progress (revalidator_step). */
	bool in_round;
	uint64_t cursor;          /* flowtbl_dump() position */
	uint64_t round_start_ms;
	uint32_t round_n_flows;   /* flows when it started */
	uint32_t round_deleted;
	uint64_t round_idle_ms;   /* max_idle, or the pressure timeout */
	bool round_kill_all;      /* over twice the limit at its start */
};

void revalidator_init(struct revalidator *r, uint32_t ceiling, uint32_t max_idle_ms);

/* The seed's formula: the limit after a round of 'duration_ms' that
 * started with 'n_flows' flows. Pure. */
uint32_t revalidator_next_limit(uint32_t flow_limit, uint32_t ceiling, uint64_t duration_ms,
				uint32_t n_flows);

/* Change the ceiling (the limit is clamped at once) or the idle timeout. */
void revalidator_set_ceiling(struct revalidator *r, uint32_t ceiling);
/*
 * An operator's explicit limit (--flow-limit, set-flow-limit): the ceiling
 * and the current limit both become 'limit' (at least 1000), instead of
 * the limit starting at MIN(ceiling, 10000) and growing by 1000 a round.
 * The formula still lowers it after slow rounds. docs/PROTOCOL.md says why.
 */
void revalidator_set_limit(struct revalidator *r, uint32_t limit);
/* 0 turns cache management off (the limit becomes the ceiling); from off,
 * the limit starts at the ceiling and the formula takes it from there. */
void revalidator_set_max_idle(struct revalidator *r, uint32_t max_idle_ms);
/* True when the table is managed as a cache (expiry, dynamic limit). */
bool revalidator_is_cache(const struct revalidator *r);

/* Milliseconds between rounds: REVALIDATOR_INTERVAL_MS, or less for short
 * idle timeouts so a flow never outlives max-idle by much. */
uint64_t revalidator_interval_ms(const struct revalidator *r);

/*
 * Run one round over 't' now (or the rest of one that revalidator_step()
 * began). A flow's idle time counts from its last packet (flowtbl stats
 * 'used'), or from its creation if it never saw one; both must be on
 * 'clock'. Returns the number of flows deleted.
 */
uint32_t revalidator_round(struct revalidator *r, struct flowtbl *t, revalidator_clock_fn clock,
			   void *clock_arg);
/*
 * A round a piece at a time: walk at most 'max_flows' flows of the round
 * in progress, beginning one if none is. The caller does other work
 * between steps (a big table's whole round is longer than the upcall
 * queues can wait); flows it adds or removes meanwhile are
 * safe (the dump cursor survives them). The round's duration is its wall
 * time, first step to last, as an OVS revalidator's dump is timed while
 * its handlers run beside it. Returns the number of flows deleted.
 */
uint32_t revalidator_step(struct revalidator *r, struct flowtbl *t, revalidator_clock_fn clock,
			  void *clock_arg, uint32_t max_flows);
/* True between a round's first step and its last. */
bool revalidator_in_round(const struct revalidator *r);

/* True when NEW may add one more flow to a table of 'n_flows'. */
bool revalidator_may_add(const struct revalidator *r, uint32_t n_flows);

#endif /* REVALIDATOR_H */
