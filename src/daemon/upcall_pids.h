/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * upcall_pids: which listener a miss goes to when several are named, as the
 * kernel datapath picks them: per CPU (OVS_DP_F_DISPATCH_UPCALL_PER_CPU,
 * OVS_DP_ATTR_PER_CPU_PIDS: ovs_dp_get_upcall_portid()) or per port by the
 * packet's flow hash (an OVS_VPORT_ATTR_UPCALL_PID array:
 * ovs_vport_find_upcall_portid()). Here the "CPU" of a miss is the PMD
 * that saw it (0..n_pmds-1), or n_pmds for the control thread.
 *
 * EAL-free. Not thread-safe: the control thread owns every array.
 */
#ifndef UPCALL_PIDS_H
#define UPCALL_PIDS_H

#include <stddef.h>
#include <stdint.h>

#include "flow_key.h"

/* Most pids in one array: a netlink attribute's payload of u32s. */
#define UPCALL_PIDS_MAX (65535u / 4u)

struct upcall_pids {
	uint32_t n;            /* 0: none */
	uint32_t *pids;
};

/* Take a copy of the payload of a u32-array attribute: -EINVAL when it is
 * empty or not a whole number of u32 (as the kernel), -ENOMEM. On error
 * 'p' is unchanged. */
int upcall_pids_set(struct upcall_pids *p, const void *data, size_t len);
void upcall_pids_clear(struct upcall_pids *p);
/* The first non-zero pid, or 0: whether anyone listens. */
uint32_t upcall_pids_any(const struct upcall_pids *p);
/* Per CPU: pids[cpu % n], 0 when there are none. */
uint32_t upcall_pids_for_cpu(const struct upcall_pids *p, uint32_t cpu);
/* Per flow: pids[0] when there is one, else pids[hash % n]; 0: none. */
uint32_t upcall_pids_for_hash(const struct upcall_pids *p, uint32_t hash);
/* A packet key's flow hash (addresses, protocol, ports, VLAN): every packet
 * of a flow gets the same one, whatever its TCP flags or TTL. */
uint32_t upcall_flow_hash(const struct flow_key *key);

#endif /* UPCALL_PIDS_H */
