/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * telemetry: the daemon's own DPDK telemetry endpoints, read with
 * dpdk-telemetry.py (docs/CLIENT.md lists their fields):
 *
 *   /dpdk_switch/stats        datapath totals (hits, misses, lost, flows...)
 *   /dpdk_switch/pmd_stats    per PMD thread
 *   /dpdk_switch/ports        per port: name, driver, rx/tx counters
 *   /dpdk_switch/flows        flow and mask counts, per-mask statistics
 *   /dpdk_switch/revalidator  state, flow limit, last round's duration
 *
 * Threads: the handlers run on DPDK's telemetry thread. PMD counters are
 * read there directly (relaxed loads of counters each PMD alone writes, as
 * pmd_stats_get() does), so they are live. What only the control thread
 * may read (the port table, the flow table, the revalidator) comes from a
 * snapshot that the main loop refreshes every TELEMETRY_REFRESH_MS,
 * guarded by a mutex that only this module's two sides take (never a PMD);
 * replies carry its age as "snapshot_age_ms".
 */
#ifndef TELEMETRY_H
#define TELEMETRY_H

#include <stdint.h>

#include "errmsg.h"

struct dp;

#define TELEMETRY_REFRESH_MS 100
/* Masks in /dpdk_switch/flows, most used first (a reply holds 16 kB). */
#define TELEMETRY_MAX_MASKS 32

/* Register the endpoints (once a process) and serve 'dp'. Control thread,
 * after dp_create(). -EINVAL/-ENOMEM from DPDK, with a reason. */
int telemetry_init(struct dp *dp, struct errmsg *err);
/* Take a new snapshot if the last is TELEMETRY_REFRESH_MS old (now_ms on
 * dp_now_ms()'s clock). Control thread, from the main loop. */
void telemetry_refresh(struct dp *dp, uint64_t now_ms);
/* Stop serving: later queries answer null. Control thread, before
 * dp_destroy() (DPDK 22.11 cannot unregister a command). */
void telemetry_fini(void);

#endif /* TELEMETRY_H */
