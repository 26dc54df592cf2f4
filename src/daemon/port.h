/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * port: datapath ports on DPDK ethdevs.
 *
 * Every ethdev becomes a port numbered ethdev port id + 1; number 0 is the
 * local port (no device, as OVS's internal port: output to it is dropped
 * and counted). Ports are created at start-up for every probed ethdev, or
 * at run time from devargs (hot-plug).
 *
 * Threading: every function here runs on the control (main) thread. PMD
 * threads never call into this module; they see ports only through the
 * tx/rx maps the datapath publishes under RCU.
 */
#ifndef PORT_H
#define PORT_H

#include <linux/openvswitch.h>
#include <rte_ethdev.h>
#include <rte_mempool.h>
#include <stdbool.h>
#include <stdint.h>

#include "dpsw_limits.h"
#include "errmsg.h"

struct port_conf {
	uint16_t n_rxq;      /* wanted rx queues (clamped to the device) */
	uint16_t n_txq;      /* wanted tx queues: one per sender (clamped) */
	uint16_t rxd, txd;   /* descriptors per queue (adjusted to the device) */
	uint16_t mtu;        /* 0: keep the device's */
	bool offload;        /* checksum/TSO offloads where the device has them */
};

struct port {
	uint32_t port_no;            /* datapath port number */
	uint16_t port_id;            /* ethdev port id; unused for PORT_LOCAL */
	char name[RTE_ETH_NAME_MAX_LEN];
	char driver[32];
	int socket_id;               /* NUMA socket of the device (or of main) */
	uint16_t n_rxq, n_txq;       /* as configured */
	uint16_t rxd, txd;
	uint16_t mtu;                /* the device's, once started (0: unknown) */
	bool mtu_by_driver;          /* the driver set it (else it has no MTU
				      * operation and its largest frame fits) */
	bool scatter;                /* frames longer than one mbuf */
	uint64_t rx_offloads;        /* checksum/TSO offloads configured */
	uint64_t tx_offloads;
	bool started;
	struct rte_mempool *mp;      /* rx mbufs come from here */
	/* Events and peers (port_events.c). */
	uint32_t events_pending;     /* raised by the driver's event callback
				      * (its own thread), taken by the control
				      * thread with XCHG_ACQ_REL */
	uint64_t txq_enabled;        /* tx queues the vhost guest enabled; 0:
				      * not known (send on all) */
	bool reconnect;              /* a memif client: restarted when its
				      * server goes away */
	struct rte_mempool *own_mp;  /* AF_XDP: the port's own pool (== mp) */
	uint32_t own_kept;           /* mbufs of own_mp the driver keeps in
				      * its fill ring while the port lives */
};

/*
 * Mempools, one per NUMA socket, shared by the ports of that socket.
 * 'n_mbufs' sizes a pool when it is first created. Returns NULL with
 * rte_errno set on failure.
 */
/* Mbufs of 'data_room' frame bytes (0: DPDK's default, 2048), for the
 * pools port_mempool() makes from now on. */
void port_mempool_data_room(uint16_t data_room);
struct rte_mempool *port_mempool(int socket_id, uint32_t n_mbufs);
void port_mempools_free(void);

/*
 * Configure and start ethdev 'port_id' as datapath port 'port_id + 1':
 * queues, descriptors, RSS over several rx queues, MTU, promiscuous mode.
 * An MTU the device cannot take (beyond its MTU range or largest frame)
 * is refused with the reason; a driver with no MTU operation whose largest
 * frame fits keeps the port. Frames longer than an mbuf get scatter rx
 * and multi-segment tx where the device offers them.
 * Returns 0 or a negative errno with a reason in 'err'; on failure the
 * device is left stopped and 'p' is not started.
 */
int port_open(struct port *p, uint16_t port_id, const struct port_conf *conf,
	      uint32_t n_mbufs, struct errmsg *err);

/* DPSW_OFFLOAD_* bits: what the port does now (a vhost-user port's tx
 * side follows its guest's features). */
uint32_t port_offloads(const struct port *p);

/* Stop, close and detach the device (its devargs can be probed again). */
void port_close(struct port *p);

/*
 * Hot-plug: probe 'devargs' (e.g. "net_tap1,iface=t1"). On success stores
 * the new ethdev port id in '*port_id'. -EEXIST if the device exists.
 */
int port_probe(const char *devargs, uint16_t *port_id, struct errmsg *err);

/* ---- events, peers and pools of their own (port_events.c) ---- */

/*
 * Control thread. Take the events the driver raised since the last call:
 * a vhost guest enabling or disabling its queues (rte_eth_vhost queue
 * events) updates txq_enabled, its link going down forgets them. True
 * when txq_enabled changed (the tx map must follow).
 */
bool port_events_take(struct port *p);
/* Once configured: which of the above applies to the port. */
void port_peer_init(struct port *p);
/* Whether the device reports its link up. */
bool port_link_up(const struct port *p);
/* Stop and start the device again (a memif client connects on start).
 * No PMD may poll or send to it meanwhile. 0 or a negative errno. */
int port_restart(struct port *p);

/* Before the device is configured: a driver whose rx queues keep mbufs
 * for ever (AF_XDP's fill ring) gets a pool of its own, so the shared
 * pool's count stays exact. 0, or a negative errno. */
int port_own_pool_create(struct port *p, const struct port_conf *conf, struct errmsg *err);
/* Once the port started: what the driver holds now is what it keeps. */
void port_own_pool_note_kept(struct port *p);
/* Before the device stops (no PMD sends to it): collect what its tx
 * completions still hold. */
void port_own_pool_drain(struct port *p);
/* After close: the pool waits until every mbuf but the kept ones is back,
 * then goes (port_own_pools_reap). */
void port_own_pool_retire(struct port *p);
/* Free the retired pools whose mbufs are back; 'all': every one (at exit,
 * nothing else can hold their mbufs). */
void port_own_pools_reap(bool all);
/* Mbufs in use in the pools of their own, less what the drivers keep. */
uint32_t port_own_pools_in_use(void);

/* Interface counters in the kernel's vport format. */
void port_stats(const struct port *p, struct ovs_vport_stats *st);
void port_stats_clear(const struct port *p);

/* Link state as "up 10 Gbps full-duplex" / "down". */
void port_link_string(const struct port *p, char *buf, size_t len);

#endif /* PORT_H */
