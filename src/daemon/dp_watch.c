/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ports' peers, followed from the main loop: where a vhost guest lets
 * us send, and memif clients that lost their server. Control thread.
 */
#include <inttypes.h>
#include <rte_ethdev.h>

#include "dp_internal.h"

#define WATCH_EVERY_MS 10
#define RECONNECT_MIN_MS 100u
#define RECONNECT_MAX_MS 2000u

static void steer(struct dp *dp, uint32_t p)
{
	struct port *port = &dp->ports[p]->port;
	uint64_t before = port->txq_enabled;

	if (!port_events_take(port))
		return;
	RTE_LOG(NOTICE, USER1, "port %u: tx queues in use: %#" PRIx64 " (0: all)\n", p,
		port->txq_enabled);
	if (dp_port_retarget_tx(dp, p, before) < 0)
		RTE_LOG(ERR, USER1, "port %u: tx map: out of memory\n", p);
}

/* Restart the device with no PMD on it: a memif client connects again. */
static void reconnect(struct dp *dp, uint32_t p)
{
	struct dp_port *dport = dp->ports[p];
	int ret;

	dport->paused = true;
	if (dp_reassign(dp) < 0) {
		dport->paused = false;
		return;
	}
	ret = port_restart(&dport->port);
	dport->paused = false;
	if (dp_reassign(dp) < 0)
		RTE_LOG(ERR, USER1, "port %u: PMD configuration: out of memory\n", p);
	RTE_LOG(INFO, USER1, "port %u: reconnecting: %s (next try in %u ms)\n", p,
		ret < 0 ? rte_strerror(-ret) : "started", dport->backoff_ms);
}

/* A memif client whose link is down is restarted, then again after a
 * delay that doubles up to RECONNECT_MAX_MS; once up, the delay starts
 * over. The first look only sets the clock: the handshake takes a moment. */
static void keep_connected(struct dp *dp, uint32_t p, uint64_t now)
{
	struct dp_port *dport = dp->ports[p];

	if (port_link_up(&dport->port)) {
		if (dport->backoff_ms)
			RTE_LOG(NOTICE, USER1, "port %u: reconnected\n", p);
		dport->backoff_ms = 0;
		dport->next_try_ms = now + RECONNECT_MIN_MS;
		return;
	}
	if (dport->next_try_ms == 0)
		dport->next_try_ms = now + RECONNECT_MIN_MS;
	if (now < dport->next_try_ms)
		return;
	if (dport->backoff_ms == 0)
		RTE_LOG(NOTICE, USER1, "port %u: link down, reconnecting\n", p);
	dport->backoff_ms = dport->backoff_ms ? RTE_MIN(2 * dport->backoff_ms, RECONNECT_MAX_MS)
					      : RECONNECT_MIN_MS;
	dport->next_try_ms = now + dport->backoff_ms;
	reconnect(dp, p);
}

void dp_ports_watch(struct dp *dp)
{
	uint64_t now = dp_now_ms(dp);

	if (now < dp->watch_next_ms || !dp->started)
		return;
	dp->watch_next_ms = now + WATCH_EVERY_MS;
	for (uint32_t p = 1; p < PORT_MAX; p++) {
		struct dp_port *dport = dp->ports[p];
		if (dport == NULL || dport->removing || !dport->port.started)
			continue;
		steer(dp, p);
		if (dport->port.reconnect)
			keep_connected(dp, p, now);
	}
	port_own_pools_reap(false);
}
