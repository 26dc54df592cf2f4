/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tsc_clock: a millisecond clock read from the TSC with one multiply.
 *
 * ms = ms_base + (tsc - tsc_base) * inv / 2^64, inv = 2^64 / (ticks a ms):
 * it is read once per PMD loop and once per datagram of flow NEWs, where
 * a 64-bit division (and then the rdtsc itself, per flow) showed in the
 * install path. Plain arithmetic, no EAL:
 * the caller reads the TSC (rte_rdtsc()).
 *
 * Thread safety: immutable after tsc_clock_init(); any thread may read.
 */
#ifndef TSC_CLOCK_H
#define TSC_CLOCK_H

#include <stdint.h>

struct tsc_clock {
	uint64_t tsc_base;   /* TSC at ms_base */
	uint64_t ms_base;    /* CLOCK_MONOTONIC ms at tsc_base */
	uint64_t inv;        /* 2^64 / TSC ticks a ms (at least 2 ticks) */
};

static inline void tsc_clock_init(struct tsc_clock *c, uint64_t tsc_hz, uint64_t tsc_base,
				  uint64_t ms_base)
{
	uint64_t per_ms = tsc_hz / 1000 > 1 ? tsc_hz / 1000 : 2;

	c->tsc_base = tsc_base;
	c->ms_base = ms_base;
	c->inv = UINT64_MAX / per_ms;
}

/* The ms clock at TSC value 'tsc' (not before tsc_base). */
static inline uint64_t tsc_clock_ms(const struct tsc_clock *c, uint64_t tsc)
{
	return c->ms_base + (uint64_t)(((unsigned __int128)(tsc - c->tsc_base) * c->inv) >> 64);
}

/*
 * A time 'stamp_ms' on this clock, as a time on another clock that reads
 * 'other_now_ms' at the moment this one reads 'now_ms'. The age carries
 * over, not the stamp, as the kernel's ovs_flow_used_time()
 * (net/openvswitch/flow.c) turns a jiffies stamp into monotonic ms: this
 * clock's rate comes from an estimate of the TSC's frequency and its base
 * from two reads a preemption apart, so it drifts from the other clock;
 * and a stamp another core took may be a little after 'now_ms' (its age is
 * then 0). So the result is never after 'other_now_ms', and never 0 (which
 * means "never" to whoever reads it).
 */
static inline uint64_t tsc_clock_stamp_to(uint64_t stamp_ms, uint64_t now_ms,
					  uint64_t other_now_ms)
{
	uint64_t age = now_ms > stamp_ms ? now_ms - stamp_ms : 0;

	return other_now_ms > age ? other_now_ms - age : 1;
}

#endif /* TSC_CLOCK_H */
