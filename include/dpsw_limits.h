/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpsw_limits: the datapath's fixed sizes that more than one library
 * needs (the PMD sizes its per-port arrays with them, the daemon's ports
 * and control handlers check numbers against them). No code, no
 * dependencies: any layer may include it.
 */
#ifndef DPSW_LIMITS_H
#define DPSW_LIMITS_H

#define PORT_MAX 256u         /* datapath port numbers 0..PORT_MAX-1 */
#define PORT_LOCAL 0
#define PORT_MAX_QUEUES 64u

#endif /* DPSW_LIMITS_H */
