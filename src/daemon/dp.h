/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp: the datapath, one per daemon. It owns the ports, the flow table, the
 * PMD threads and the control thread's own executor, and is what the
 * control handlers and the revalidator act on.
 *
 * Threads: every function here runs on the control (main) thread, the
 * datapath's single writer. PMDs see its changes through the flow table's
 * RCU and through the per-PMD configuration hand-over (pmd.h).
 */
#ifndef DP_H
#define DP_H

#include <linux/openvswitch.h>
#include <stdbool.h>
#include <stdint.h>

#include "errmsg.h"
#include "flowtbl.h"
#include "options.h"
#include "pmd.h"
#include "port.h"
#include "port_opts.h"
#include "upcall.h"

/* The dp_ifindex our ovs_header carries; any other gives -ENODEV. */
#define DP_IFINDEX 1

struct dp;

int dp_create(const struct options *opt, struct dp **out, struct errmsg *err);
/* Stops everything still running and frees it all. NULL is fine. */
void dp_destroy(struct dp *dp);

/* Open every ethdev EAL probed as a port; one that fails is reported and
 * skipped. Returns the number opened. */
int dp_open_eal_ports(struct dp *dp);
/* The datapath's name (--dp-name): its local port's. */
const char *dp_name(const struct dp *dp);
/* Start the PMD threads on the ports opened so far. */
int dp_start(struct dp *dp, struct errmsg *err);
/* Stop the PMDs (their tx buffers flushed). */
void dp_stop(struct dp *dp);
/* Stop the PMDs, then stop and close every port (tx_pcap files are then
 * complete). The datapath stays usable for statistics. */
void dp_close_ports(struct dp *dp);

/* ---- ports ---- */
/* Hot-plug 'devargs' as a new port; *port_no gets its number. 'opts'
 * (may be NULL) override the daemon's defaults and --port-opts. */
int dp_port_add(struct dp *dp, const char *devargs, const struct port_opts *opts,
		uint32_t *port_no, struct errmsg *err);
/* Remove a port: no PMD polls or sends to it once this returns. The local
 * port cannot be removed (-EINVAL). -ENODEV: no such port. */
int dp_port_del(struct dp *dp, uint32_t port_no, struct errmsg *err);
/* Follow the ports' peers (call from the main loop): vhost guests'
 * queue changes steer tx, memif clients whose server went away are
 * restarted with a backoff, retired AF_XDP pools are freed. */
void dp_ports_watch(struct dp *dp);
/* The port, or NULL. */
struct port *dp_port(const struct dp *dp, uint32_t port_no);
struct port *dp_port_by_name(const struct dp *dp, const char *name);
/* Next existing port number >= *port_no (for dumps); false at the end. */
bool dp_port_next(const struct dp *dp, uint32_t *port_no);
/* Where this port's misses go; 0: nobody (they are lost). */
void dp_port_set_upcall_pid(struct dp *dp, uint32_t port_no, uint32_t pid);
/* An OVS_VPORT_ATTR_UPCALL_PID array (payload 'data' of 'len' bytes): a
 * miss goes to one of them by its flow hash. -EINVAL (empty, not u32s),
 * -ENOMEM, -ENODEV (no such port number). */
int dp_port_set_upcall_pids(struct dp *dp, uint32_t port_no, const void *data, size_t len);
/* The port's first pid; the whole array (*n pids, NULL when none). */
uint32_t dp_port_upcall_pid(const struct dp *dp, uint32_t port_no);
const uint32_t *dp_port_upcall_pids(const struct dp *dp, uint32_t port_no, uint32_t *n);
/* Misses of every port, and of ports added later, go to 'pid'. */
void dp_set_upcall_pid_all(struct dp *dp, uint32_t pid);
/* OVS_DP_F_DISPATCH_UPCALL_PER_CPU: on, misses go by their source (PMD i:
 * pids[i % n]) whatever the port's pids; off, by the ports' pids. 'data'
 * (len bytes, a u32 array) replaces the pids when not NULL: -EINVAL,
 * -ENOMEM, nothing changed. */
int dp_set_upcall_per_cpu(struct dp *dp, bool on, const void *data, size_t len);
/* The per-CPU pids as last set (*n, NULL when none). */
const uint32_t *dp_upcall_cpu_pids(const struct dp *dp, uint32_t *n);
/* Packets the datapath dropped on tx to this port (tx queue full). */
uint64_t dp_port_tx_dropped(const struct dp *dp, uint32_t port_no);
/* MISS upcalls of the port dropped over --upcall-rate. */
uint64_t dp_port_upcall_rate_dropped(const struct dp *dp, uint32_t port_no);

/* ---- flows ---- */
struct flowtbl *dp_flowtbl(struct dp *dp);
/*
 * Add a flow whose actions were validated, created at 'created_ms'
 * (dp_now_ms()'s clock). Refused with -ENOSPC beyond the current flow
 * limit (counted), else as flowtbl_insert_prepared() ('prep' from
 * flowtbl_insert_prepare() of this key and mask, or NULL).
 */
int dp_flow_insert(struct dp *dp, const struct flowtbl_prep *prep, const struct flow_key *key,
		   const struct flow_key *mask, const void *actions, size_t len,
		   const struct flow_ufid *ufid, uint64_t created_ms, struct flowtbl_flow **out,
		   struct errmsg *err);
/* Read a flow file (ovs-dpctl syntax, "[ufid:UUID] FLOW ACTIONS" lines)
 * and install it: 0, or the first error with "FILE:LINE: reason" in 'err'
 * (nothing installed after it). Up to the flow limit's ceiling, not the
 * dynamic limit, which then starts at the number of flows loaded (a
 * table saved by --save-flows comes back whole). */
int dp_flows_load(struct dp *dp, const char *path, struct errmsg *err);

/* ---- statistics ---- */
void dp_stats(const struct dp *dp, struct ovs_dp_stats *st, struct ovs_dp_megaflow_stats *mst);
uint32_t dp_n_pmds(const struct dp *dp);
const struct pmd *dp_pmd(const struct dp *dp, uint32_t i);
/* pmd-stats-clear: later reads are relative to now. */
void dp_pmd_stats_clear(struct dp *dp);
/* Reassign the rx queues by the cycles each cost its PMD since the last
 * assignment (pmd-rxq-rebalance): -ENOMEM, else 0. */
int dp_rxq_rebalance(struct dp *dp);
void dp_pmd_stats(const struct dp *dp, uint32_t i, struct pmd_stats *st);
/* Upcalls lost on the control thread's side (its executor, listeners
 * that could not take one): dp_stats()'s n_lost less the PMDs' part. */
uint64_t dp_ctl_lost(const struct dp *dp);
/* Mbufs in use in the packet pools (to show that none leak). */
uint32_t dp_mbufs_in_use(const struct dp *dp);
/* Print port, PMD and datapath statistics (at exit, --stats-interval). */
void dp_print_stats(const struct dp *dp, FILE *f);

/* ---- upcalls and packet execution ---- */
/* Deliver one upcall to its listener: 0, or a negative errno when it is
 * lost (no listener, listener's queue full). Must not keep the upcall. */
typedef int (*dp_deliver_fn)(void *arg, const struct upcall *u);
/* Hand queued upcalls to 'deliver', at most 'max' from each queue;
 * failures are counted lost, and their number added to *lost. Returns how
 * many were handled. */
unsigned int dp_upcalls_run(struct dp *dp, dp_deliver_fn deliver, void *arg, unsigned int max,
			    unsigned int *lost);
/* Run validated actions on a packet from the control thread (EXECUTE). */
int dp_execute(struct dp *dp, const void *packet, size_t len, const struct flow_key *key,
	       const void *actions, size_t actions_len, struct errmsg *err);

/* Settings and state for `show` and the dpdk_switch family. */
struct dp_info {
	uint32_t flow_limit_ceiling;   /* --flow-limit */
	uint32_t flow_limit;           /* the dynamic limit */
	uint32_t max_idle_ms;
	uint32_t n_flows;
	uint32_t n_pmds;
	uint32_t mbufs_in_use, mbufs_total;
	uint64_t reval_rounds, reval_duration_ms, reval_deleted, reval_flushed;
	uint64_t flows_refused;
	uint32_t upcall_rate;          /* --upcall-rate, per port; 0: no limit */
	uint32_t pmd_sleep_max_us;     /* --pmd-sleep-max */
};
void dp_info_get(const struct dp *dp, struct dp_info *info);

/* ---- revalidator ---- */
uint32_t dp_flow_limit(const struct dp *dp);
void dp_set_flow_limit_ceiling(struct dp *dp, uint32_t ceiling);
void dp_set_max_idle(struct dp *dp, uint32_t ms);
/* A step of the revalidator's round when one is due or in progress (call
 * from the main loop). True while the round has more to walk: the loop
 * should come back soon rather than wait. */
bool dp_revalidate(struct dp *dp);
/* Current ms on the daemon's clock: the TSC, started at CLOCK_MONOTONIC
 * but drifting from it (flows' 'used' and 'created', the revalidator). */
uint64_t dp_now_ms(const struct dp *dp);
/* A flow's last use 'used_ms' (dp_now_ms()'s clock, not 0) as
 * CLOCK_MONOTONIC ms, as OVS_FLOW_ATTR_USED carries it: never after the
 * monotonic clock's now, whatever the drift. */
uint64_t dp_used_monotonic(const struct dp *dp, uint64_t used_ms);

#endif /* DP_H */
