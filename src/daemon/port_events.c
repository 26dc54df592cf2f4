/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports whose peer comes and goes: a vhost-user guest's queues, a memif
 * client's server, and the pools of their own that AF_XDP ports need.
 * Control thread only, but for the flag the event callback raises.
 */
#include <errno.h>
#include <rte_dev.h>
#include <rte_devargs.h>
#include <rte_errno.h>
#include <rte_eth_vhost.h>
#include <rte_mbuf.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dpsw_atomic.h"
#include "port.h"

#define OWN_POOLS_MAX 64
#define OWN_POOL_CACHE 256
/* AF_XDP's rx path hands the kernel one mbuf a descriptor, on top of the
 * fill ring it fills at queue setup (2048 on every kernel we know). */
#define XDP_FILL_RING 2048u

static bool driver_is(const struct port *p, const char *name)
{
	return strcmp(p->driver, name) == 0;
}

/* ---- vhost-user queue state ---- */

/* The vhost guest's queue events since the last call, into txq_enabled.
 * event.rx names the guest's tx virtqueue, which is our rx queue: only
 * the others (our tx queues) matter for where we send. */
static uint64_t vhost_txq_events(const struct port *p, uint64_t mask)
{
	struct rte_eth_vhost_queue_event ev;

	while (rte_eth_vhost_get_queue_event(p->port_id, &ev) == 0) {
		if (ev.rx || ev.queue_id >= PORT_MAX_QUEUES)
			continue;
		if (ev.enable)
			mask |= UINT64_C(1) << ev.queue_id;
		else
			mask &= ~(UINT64_C(1) << ev.queue_id);
	}
	return mask;
}

bool port_link_up(const struct port *p)
{
	struct rte_eth_link link;

	return rte_eth_link_get_nowait(p->port_id, &link) == 0 &&
	       link.link_status == RTE_ETH_LINK_UP;
}

bool port_events_take(struct port *p)
{
	uint64_t mask = p->txq_enabled;

	if (!XCHG_ACQ_REL(&p->events_pending, 0))
		return false;
	if (!driver_is(p, "net_vhost"))
		return false;
	/* A guest that went away enables its queues again when it comes
	 * back, but its departure raises no disable events: forget them. */
	if (!port_link_up(p))
		mask = 0;
	mask = vhost_txq_events(p, mask);
	if (mask == p->txq_enabled)
		return false;
	p->txq_enabled = mask;
	return true;
}

int port_restart(struct port *p)
{
	int ret = rte_eth_dev_stop(p->port_id);

	if (ret < 0 && ret != -EALREADY)
		RTE_LOG(WARNING, USER1, "%s: stop: %s\n", p->name, rte_strerror(-ret));
	ret = rte_eth_dev_start(p->port_id);
	return ret < 0 ? ret : 0;
}

/* A memif port in the client role: its devargs say so (role=client, or
 * the older role=slave). */
static bool memif_client(const struct port *p)
{
	struct rte_eth_dev_info info;
	const struct rte_devargs *da;

	if (!driver_is(p, "net_memif") || rte_eth_dev_info_get(p->port_id, &info) < 0 ||
	    info.device == NULL || (da = rte_dev_devargs(info.device)) == NULL || !da->args)
		return false;
	return strstr(da->args, "role=client") || strstr(da->args, "role=slave");
}

void port_peer_init(struct port *p)
{
	p->reconnect = memif_client(p);
	/* A guest may have connected (and enabled queues) before the
	 * callback was there: look once in any case. */
	STORE_REL(&p->events_pending, 1);
}

/* ---- AF_XDP: a pool of its own ---- */

struct own_pool {
	struct rte_mempool *mp;
	uint32_t kept;      /* what the driver keeps in its rings */
	bool kept_known;    /* measured when its port started */
	bool retired;       /* its port is closed */
};

static struct own_pool own_pools[OWN_POOLS_MAX];
static uint32_t own_pools_made; /* names stay unique while one is retired */

static bool needs_own_pool(const struct port *p)
{
	return driver_is(p, "net_af_xdp");
}

static struct own_pool *own_pool_of(const struct rte_mempool *mp)
{
	for (int i = 0; i < OWN_POOLS_MAX; i++)
		if (own_pools[i].mp == mp)
			return &own_pools[i];
	return NULL;
}

/* The fill rings, the rx and tx rings, and room for what the switch holds
 * in flight; AF_XDP's umem is laid over the whole pool. */
static uint32_t own_pool_size(const struct port_conf *conf)
{
	uint32_t n = (uint32_t)conf->n_rxq * (XDP_FILL_RING + conf->rxd) +
		     (uint32_t)conf->n_txq * conf->txd + 4096;

	return rte_align32pow2(n) - 1;
}

int port_own_pool_create(struct port *p, const struct port_conf *conf, struct errmsg *err)
{
	struct rte_eth_dev_info info;
	struct own_pool *slot = own_pool_of(NULL);
	char name[RTE_MEMPOOL_NAMESIZE];
	int ret = rte_eth_dev_info_get(p->port_id, &info);

	if (ret < 0)
		return errmsg_set(err, ret, -1, "%s: device info: %s", p->name, rte_strerror(-ret));
	snprintf(p->driver, sizeof(p->driver), "%s", info.driver_name);
	if (!needs_own_pool(p))
		return 0;
	if (slot == NULL)
		return errmsg_set(err, -ENOSPC, -1, "%s: more than %d AF_XDP pools", p->name,
				  OWN_POOLS_MAX);
	snprintf(name, sizeof(name), "mbufs_xdp%u", own_pools_made++);
	slot->mp = rte_pktmbuf_pool_create(name, own_pool_size(conf), OWN_POOL_CACHE, 0,
					   RTE_MBUF_DEFAULT_BUF_SIZE, p->socket_id);
	if (slot->mp == NULL)
		return errmsg_set(err, -rte_errno, -1, "%s: its own mempool: %s", p->name,
				  rte_strerror(rte_errno));
	slot->kept = 0;
	slot->kept_known = false;
	slot->retired = false;
	p->own_mp = p->mp = slot->mp;
	return 0;
}

void port_own_pool_note_kept(struct port *p)
{
	struct own_pool *op;

	if (p->own_mp == NULL || (op = own_pool_of(p->own_mp)) == NULL)
		return;
	/* No PMD polls the port yet: every mbuf out of the pool is in the
	 * driver's fill ring, and each one it gives us it replaces. */
	op->kept = rte_mempool_in_use_count(p->own_mp);
	op->kept_known = true;
	p->own_kept = op->kept;
}

void port_own_pool_drain(struct port *p)
{
	struct rte_mbuf *none[1];
	const struct own_pool *op;

	if (p->own_mp == NULL || (op = own_pool_of(p->own_mp)) == NULL)
		return;
	/* An empty burst reaps the tx completion ring (and kicks the kernel
	 * to send what is queued); the kernel completes within a few of
	 * them. */
	for (int round = 0; round < 50; round++) {
		if (rte_mempool_in_use_count(p->own_mp) <= op->kept)
			return;
		for (uint16_t q = 0; q < p->n_txq; q++)
			rte_eth_tx_burst(p->port_id, q, none, 0);
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	}
}

void port_own_pool_retire(struct port *p)
{
	struct own_pool *op;

	if (p->own_mp == NULL || (op = own_pool_of(p->own_mp)) == NULL)
		return;
	/* A port that never started never forwarded: what is out is the
	 * driver's. */
	if (!op->kept_known)
		op->kept = rte_mempool_in_use_count(p->own_mp);
	op->retired = true;
	p->own_mp = NULL;
	port_own_pools_reap(false);
}

static uint32_t beyond_kept(const struct own_pool *op)
{
	uint32_t n = rte_mempool_in_use_count(op->mp);

	return n > op->kept ? n - op->kept : 0;
}

void port_own_pools_reap(bool all)
{
	for (int i = 0; i < OWN_POOLS_MAX; i++) {
		struct own_pool *op = &own_pools[i];
		if (op->mp == NULL || !op->retired)
			continue;
		/* An mbuf of the pool may still wait in another port's tx
		 * ring: free it once they are all back. At exit what is not
		 * back is a leak, and the count has shown it. */
		if (!all && beyond_kept(op) > 0)
			continue;
		rte_mempool_free(op->mp);
		*op = (struct own_pool){ 0 };
	}
}

uint32_t port_own_pools_in_use(void)
{
	uint32_t n = 0;

	for (int i = 0; i < OWN_POOLS_MAX; i++)
		if (own_pools[i].mp)
			n += beyond_kept(&own_pools[i]);
	return n;
}
