/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Where misses go. The PMDs read one word per input port, miss_pid[], and
 * queue a miss only when it is non-zero (someone may listen); which
 * listener gets it is decided here, on the control thread, as the upcall
 * is delivered: per source (the kernel's per-CPU dispatch) or by the
 * packet's flow hash over the port's pids. So the PMD's miss path stays one
 * relaxed load, whatever the client configured. Control thread only.
 */
#include <errno.h>

#include "dp_internal.h"

/* What the PMDs see for a port: a pid that listens, or 0. */
static void publish(struct dp *dp, uint32_t port_no)
{
	uint32_t pid = dp->per_cpu ? upcall_pids_any(&dp->cpu_pids)
				   : upcall_pids_any(&dp->port_pids[port_no]);

	STORE_RLX(&dp->miss_pid[port_no], pid);
}

int dp_port_set_upcall_pids(struct dp *dp, uint32_t port_no, const void *data, size_t len)
{
	int ret;

	if (port_no >= PORT_MAX)
		return -ENODEV;
	ret = upcall_pids_set(&dp->port_pids[port_no], data, len);
	if (ret == 0)
		publish(dp, port_no);
	return ret;
}

void dp_port_set_upcall_pid(struct dp *dp, uint32_t port_no, uint32_t pid)
{
	if (port_no >= PORT_MAX)
		return;
	if (upcall_pids_set(&dp->port_pids[port_no], &pid, sizeof(pid)) < 0)
		upcall_pids_clear(&dp->port_pids[port_no]); /* no memory: nobody */
	publish(dp, port_no);
}

uint32_t dp_port_upcall_pid(const struct dp *dp, uint32_t port_no)
{
	return port_no < PORT_MAX ? upcall_pids_for_hash(&dp->port_pids[port_no], 0) : 0;
}

const uint32_t *dp_port_upcall_pids(const struct dp *dp, uint32_t port_no, uint32_t *n)
{
	*n = port_no < PORT_MAX ? dp->port_pids[port_no].n : 0;
	return *n ? dp->port_pids[port_no].pids : NULL;
}

void dp_set_upcall_pid_all(struct dp *dp, uint32_t pid)
{
	dp->default_miss_pid = pid;
	for (uint32_t p = 0; p < PORT_MAX; p++)
		dp_port_set_upcall_pid(dp, p, pid);
}

int dp_set_upcall_per_cpu(struct dp *dp, bool on, const void *data, size_t len)
{
	if (data) {
		int ret = upcall_pids_set(&dp->cpu_pids, data, len);

		if (ret < 0)
			return ret;
	}
	dp->per_cpu = on;
	for (uint32_t p = 0; p < PORT_MAX; p++)
		publish(dp, p);
	return 0;
}

const uint32_t *dp_upcall_cpu_pids(const struct dp *dp, uint32_t *n)
{
	*n = dp->cpu_pids.n;
	return dp->cpu_pids.n ? dp->cpu_pids.pids : NULL;
}

/*
 * Under per-CPU dispatch every upcall, a MISS or a userspace action's, goes
 * to its source's pid (ovs_dp_process_packet(), and output_userspace(),
 * which ignores the action's pid then); otherwise an ACTION goes to the
 * action's pid, a MISS to its port's, by flow hash when it has several.
 */
uint32_t dp_upcall_route(const struct dp *dp, uint32_t src, const struct upcall *u)
{
	const struct upcall_pids *p;

	if (dp->per_cpu)
		return upcall_pids_for_cpu(&dp->cpu_pids, src);
	if (u->cmd != OVS_PACKET_CMD_MISS)
		return u->pid;
	p = &dp->port_pids[u->key.in_port % PORT_MAX];
	return p->n > 1 ? upcall_pids_for_hash(p, upcall_flow_hash(&u->key)) : u->pid;
}

void dp_upcall_pids_fini(struct dp *dp)
{
	for (uint32_t p = 0; p < PORT_MAX; p++)
		upcall_pids_clear(&dp->port_pids[p]);
	upcall_pids_clear(&dp->cpu_pids);
}
