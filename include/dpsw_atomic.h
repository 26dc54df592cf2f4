/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpsw_atomic: the one way the switch spells data shared between threads
 * (the preload library aside: it runs inside other programs and keeps to
 * C11 <stdatomic.h> read-modify-writes of its own).
 *
 * Plain variables, accessed through these four, each use saying why it
 * needs the order it takes:
 *   LOAD_RLX / STORE_RLX  a value another thread reads or writes, where an
 *                         untorn value is all that is needed (counters,
 *                         flags polled in a loop, per-port pids);
 *   LOAD_ACQ / STORE_REL  publishing: what was written before the release
 *                         store is visible after the acquire load that
 *                         sees it (new tables, configurations).
 * On x86-64 all four are plain moves for naturally aligned words up to 64
 * bits: the hot path pays nothing, the compiler only stops tearing or
 * caching them.
 *
 * Counters are owned by one writer and read by others (statistics, drop
 * reasons): the writer adds with counter_add(), a relaxed load and store,
 * never an atomic read-modify-write (a locked add costs tens of cycles per
 * call and buys nothing with a single writer); readers use LOAD_RLX and
 * may see a value one burst stale, never a torn one.
 */
#ifndef DPSW_ATOMIC_H
#define DPSW_ATOMIC_H

#include <stdint.h>

#define LOAD_RLX(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define LOAD_ACQ(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define STORE_RLX(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define STORE_REL(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
/* Take a flag another thread raises: what it wrote before raising it is
 * visible after, and a raise that comes later is not lost. */
#define XCHG_ACQ_REL(p, v) __atomic_exchange_n((p), (v), __ATOMIC_ACQ_REL)

/* Add 'n' to a counter this thread alone writes. Thread: the owner. */
static inline void counter_add(uint64_t *c, uint64_t n)
{
	STORE_RLX(c, LOAD_RLX(c) + n);
}

#endif /* DPSW_ATOMIC_H */
