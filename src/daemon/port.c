/* SPDX-License-Identifier: BSD-3-Clause */
#include "port.h"

#include <errno.h>
#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_eth_vhost.h>
#include <rte_mbuf.h>
#include <rte_vhost.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "dpsw_atomic.h"
#include "dpsw_proto.h"
#include "offload.h"

#define MEMPOOL_CACHE 256

static struct rte_mempool *pools[RTE_MAX_NUMA_NODES];
static uint16_t pool_data_room = RTE_MBUF_DEFAULT_DATAROOM;

void port_mempool_data_room(uint16_t data_room)
{
	pool_data_room = data_room ? data_room : RTE_MBUF_DEFAULT_DATAROOM;
}

struct rte_mempool *port_mempool(int socket_id, uint32_t n_mbufs)
{
	char name[RTE_MEMPOOL_NAMESIZE];

	if (socket_id < 0 || socket_id >= RTE_MAX_NUMA_NODES)
		socket_id = (int)rte_socket_id();
	if (pools[socket_id])
		return pools[socket_id];
	snprintf(name, sizeof(name), "mbufs_s%d", socket_id);
	/* The data room comes after the 128-byte headroom; push_vlan and
	 * friends take their bytes from that headroom. */
	pools[socket_id] = rte_pktmbuf_pool_create(name, n_mbufs, MEMPOOL_CACHE, 0,
						   (uint16_t)(pool_data_room + RTE_PKTMBUF_HEADROOM),
						   socket_id);
	return pools[socket_id];
}

void port_mempools_free(void)
{
	for (int i = 0; i < RTE_MAX_NUMA_NODES; i++) {
		rte_mempool_free(pools[i]);
		pools[i] = NULL;
	}
	port_own_pools_reap(true);
}

/* RSS over every rx queue when there are several and the device can. */
static void rss_conf(struct rte_eth_conf *conf, const struct rte_eth_dev_info *info,
		     uint16_t n_rxq)
{
	uint64_t hf = RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP;

	hf &= info->flow_type_rss_offloads;
	if (n_rxq < 2 || hf == 0)
		return;
	conf->rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
	conf->rx_adv_conf.rss_conf.rss_hf = hf;
}

static int setup_queues(struct port *p, const struct rte_eth_dev_info *info,
			struct errmsg *err)
{
	int ret;

	ret = rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id, &p->rxd, &p->txd);
	if (ret < 0)
		return errmsg_set(err, ret, -1, "%s: descriptors: %s", p->name, rte_strerror(-ret));
	for (uint16_t q = 0; q < p->n_rxq; q++) {
		ret = rte_eth_rx_queue_setup(p->port_id, q, p->rxd, (unsigned)p->socket_id,
					     &info->default_rxconf, p->mp);
		if (ret < 0)
			return errmsg_set(err, ret, -1, "%s: rx queue %u: %s", p->name, q,
					  rte_strerror(-ret));
	}
	for (uint16_t q = 0; q < p->n_txq; q++) {
		ret = rte_eth_tx_queue_setup(p->port_id, q, p->txd, (unsigned)p->socket_id,
					     &info->default_txconf);
		if (ret < 0)
			return errmsg_set(err, ret, -1, "%s: tx queue %u: %s", p->name, q,
					  rte_strerror(-ret));
	}
	return 0;
}

/* net_tap refuses a configuration with unequal rx and tx queue counts: its
 * queues are the kernel's tap queue pairs (one file descriptor each). */
static bool needs_equal_queues(const struct rte_eth_dev_info *info)
{
	return strcmp(info->driver_name, "net_tap") == 0;
}

/* What the device adds around an MTU's payload: its own figure when it
 * states both limits, else an Ethernet header and CRC. */
static uint32_t frame_overhead(const struct rte_eth_dev_info *info)
{
	if (info->max_mtu != UINT16_MAX && info->max_rx_pktlen > info->max_mtu)
		return info->max_rx_pktlen - info->max_mtu;
	return RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN;
}

/* Whether the device can take frames of 'mtu': within its MTU range and
 * its largest frame. */
static int check_mtu(struct port *p, const struct rte_eth_dev_info *info, uint16_t mtu,
		     struct errmsg *err)
{
	uint32_t frame = mtu + frame_overhead(info);

	if (mtu < info->min_mtu || mtu > info->max_mtu)
		return errmsg_set(err, -EINVAL, -1, "%s: MTU %u: %s allows MTU %u..%u", p->name,
				  mtu, info->driver_name, info->min_mtu, info->max_mtu);
	if (info->max_rx_pktlen && frame > info->max_rx_pktlen)
		return errmsg_set(err, -EINVAL, -1,
				  "%s: MTU %u: %s takes frames of at most %u bytes, %u needed",
				  p->name, mtu, info->driver_name, info->max_rx_pktlen, frame);
	return 0;
}

/* Frames longer than one mbuf's data room: scatter rx and chained tx, where
 * the device says it needs them to be asked (pcap and vhost chain mbufs
 * by themselves). */
static void jumbo_offloads(struct port *p, struct rte_eth_conf *conf,
			   const struct rte_eth_dev_info *info, uint16_t mtu)
{
	uint32_t room = rte_pktmbuf_data_room_size(p->mp) - RTE_PKTMBUF_HEADROOM;

	if (mtu + frame_overhead(info) <= room)
		return;
	if (info->rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER)
		conf->rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
	if (info->tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS)
		conf->txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	p->scatter = true;
}

/* ---- checksum and TSO offloads (offload.h) ---- */

#define RX_CSUM (RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_TCP_CKSUM | \
		 RTE_ETH_RX_OFFLOAD_UDP_CKSUM)
#define TX_CSUM (RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM | \
		 RTE_ETH_TX_OFFLOAD_UDP_CKSUM)

static bool is_vhost(const struct port *p)
{
	return strcmp(p->driver, "net_vhost") == 0;
}

/* Rx checksum validation, tx checksums and TSO, as far as the device has
 * them. net_vhost with rx checksum "offload" hands a guest's partial
 * checksums over as they are (RX_L4_CKSUM_NONE) instead of computing
 * them on receipt; the output port finishes them. TSO sends chains (a
 * guest's 64 KB segment arrives as one). */
static void csum_offloads(struct port *p, struct rte_eth_conf *conf,
			  const struct rte_eth_dev_info *info, bool on)
{
	uint64_t tx = TX_CSUM | RTE_ETH_TX_OFFLOAD_TCP_TSO;

	if (!on)
		return;
	if (info->tx_offload_capa & RTE_ETH_TX_OFFLOAD_TCP_TSO)
		tx |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	conf->rxmode.offloads |= RX_CSUM & info->rx_offload_capa;
	/* Not from net_vhost: asked for tx checksums, it computes them itself
	 * (with the TSO form of the pseudo-header) for a guest that lacks
	 * GUEST_CSUM as its features stood at configure time, i.e. for every
	 * guest that connects later. Its tx side follows the guest instead
	 * (vhost_tx_caps_update()). */
	if (!is_vhost(p))
		conf->txmode.offloads |= tx & info->tx_offload_capa;
	p->rx_offloads = conf->rxmode.offloads & RX_CSUM;
	p->tx_offloads = conf->txmode.offloads & (TX_CSUM | RTE_ETH_TX_OFFLOAD_TCP_TSO);
}

/* What the PMDs may leave to a device port (not vhost: see below). */
static uint8_t device_tx_caps(const struct port *p)
{
	uint8_t caps = 0;

	if ((p->tx_offloads & TX_CSUM) == TX_CSUM)
		caps |= OFFLOAD_TX_CSUM;
	if (caps && (p->tx_offloads & RTE_ETH_TX_OFFLOAD_TCP_TSO))
		caps |= OFFLOAD_TX_TSO;
	return caps;
}

/* A vhost-user port's tx side is its guest's: checksums left to it when
 * it negotiated VIRTIO_NET_F_GUEST_CSUM, whole TCP segments when it takes
 * GSO for IPv4 and IPv6. Nothing while no guest is there. Runs on vhost's
 * thread at each connection and departure (the LSC event). */
static void vhost_tx_caps_update(uint16_t port_id, bool offload)
{
	uint64_t f = 0;
	uint8_t caps = 0;
	int vid = rte_eth_vhost_get_vid_from_port_id(port_id);

	if (offload && vid >= 0 && rte_vhost_get_negotiated_features(vid, &f) == 0 &&
	    (f & (1ULL << VIRTIO_NET_F_GUEST_CSUM))) {
		caps = OFFLOAD_TX_VIRTIO | OFFLOAD_TX_CSUM;
		if ((f & (1ULL << VIRTIO_NET_F_GUEST_TSO4)) && (f & (1ULL << VIRTIO_NET_F_GUEST_TSO6)))
			caps |= OFFLOAD_TX_TSO;
	}
	offload_port_caps_set((uint32_t)port_id + 1, caps);
}

/* Per ethdev: 0 not vhost, else whether offloads are on (read by the
 * event callback, which gets no port). */
enum { VHOST_NONE, VHOST_OFFLOAD_OFF, VHOST_OFFLOAD_ON };
static uint8_t vhost_offload[RTE_MAX_ETHPORTS];

/* After the device is configured, and again at close (on = false). */
static void tx_caps_init(const struct port *p, bool on, bool offload)
{
	uint8_t v = !on || !is_vhost(p) ? VHOST_NONE : offload ? VHOST_OFFLOAD_ON :
						       VHOST_OFFLOAD_OFF;

	STORE_RLX(&vhost_offload[p->port_id], v);
	offload_port_caps_set(p->port_no, on && v == VHOST_NONE ? device_tx_caps(p) : 0);
	if (v != VHOST_NONE)
		vhost_tx_caps_update(p->port_id, offload);
}

/* A guest came or went. */
static void offload_link_event(uint16_t port_id)
{
	uint8_t v = LOAD_RLX(&vhost_offload[port_id]);

	if (v != VHOST_NONE)
		vhost_tx_caps_update(port_id, v == VHOST_OFFLOAD_ON);
}

uint32_t port_offloads(const struct port *p)
{
	uint8_t caps = offload_port_caps(p->port_no);
	uint32_t bits = 0;

	if (p->rx_offloads & RTE_ETH_RX_OFFLOAD_TCP_CKSUM)
		bits |= DPSW_OFFLOAD_RX_CSUM;
	if (caps & OFFLOAD_TX_CSUM)
		bits |= DPSW_OFFLOAD_TX_CSUM;
	if (caps & OFFLOAD_TX_TSO)
		bits |= DPSW_OFFLOAD_TSO;
	return bits;
}

/* rte_eth_dev_configure() gave the device 'mtu' (a driver applies it at
 * start); set it as well, for drivers that apply it only there. A driver
 * with no MTU operation (pcap, vhost, null, ring) keeps the port: its
 * largest frame, checked before, already fits. */
static int set_mtu(struct port *p, uint16_t mtu, struct errmsg *err)
{
	int ret = rte_eth_dev_set_mtu(p->port_id, mtu);

	if (ret == -ENOTSUP) {
		p->mtu_by_driver = false;
		return 0;
	}
	if (ret < 0)
		return errmsg_set(err, ret, -1, "%s: MTU %u: %s", p->name, mtu, rte_strerror(-ret));
	p->mtu_by_driver = true;
	return 0;
}

static int configure(struct port *p, const struct port_conf *conf, struct errmsg *err)
{
	struct rte_eth_dev_info info;
	struct rte_eth_conf eth_conf;
	int ret;

	ret = rte_eth_dev_info_get(p->port_id, &info);
	if (ret < 0)
		return errmsg_set(err, ret, -1, "%s: device info: %s", p->name, rte_strerror(-ret));
	snprintf(p->driver, sizeof(p->driver), "%s", info.driver_name);
	p->n_rxq = RTE_MIN(conf->n_rxq, info.max_rx_queues);
	p->n_txq = RTE_MIN(conf->n_txq, info.max_tx_queues);
	p->rxd = conf->rxd;
	p->txd = conf->txd;
	if (p->n_txq == 0)
		return errmsg_set(err, -ENOTSUP, -1, "%s: device has no tx queue", p->name);
	if (needs_equal_queues(&info)) {
		/* More rx queues rather than fewer tx queues: every rx queue is
		 * polled (the datapath spreads them over the PMDs), and each
		 * sender keeps a tx queue of its own, without a lock. */
		uint16_t n = RTE_MAX(p->n_rxq, p->n_txq);
		p->n_rxq = RTE_MIN(n, info.max_rx_queues);
		p->n_txq = RTE_MIN(n, info.max_tx_queues);
		n = RTE_MIN(p->n_rxq, p->n_txq);
		p->n_rxq = p->n_txq = n;
	}

	memset(&eth_conf, 0, sizeof(eth_conf));
	rss_conf(&eth_conf, &info, p->n_rxq);
	if (conf->mtu) {
		ret = check_mtu(p, &info, conf->mtu, err);
		if (ret < 0)
			return ret;
		eth_conf.rxmode.mtu = conf->mtu;
		jumbo_offloads(p, &eth_conf, &info, conf->mtu);
	}
	csum_offloads(p, &eth_conf, &info, conf->offload);
	ret = rte_eth_dev_configure(p->port_id, p->n_rxq, p->n_txq, &eth_conf);
	if (ret < 0)
		return errmsg_set(err, ret, -1, "%s: configure %u rxq/%u txq: %s", p->name,
				  p->n_rxq, p->n_txq, rte_strerror(-ret));
	if (conf->mtu) {
		ret = set_mtu(p, conf->mtu, err);
		if (ret < 0)
			return ret;
	}
	return setup_queues(p, &info, err);
}

/*
 * Link and queue state events (a vhost-user guest connecting or going
 * away, enabling or disabling a virtqueue). They arrive on the driver's
 * own thread (vhost's socket thread), never a PMD's: logged, and flagged
 * for the control thread, which steers tx to the queues the guest
 * enabled (port_events_take). Meanwhile a PMD's sends to a guest that is
 * gone fail and are counted as tx_dropped.
 */
static int port_event(uint16_t port_id, enum rte_eth_event_type type, void *arg,
		      void *ret_param)
{
	struct port *p = arg;
	struct rte_eth_link link;

	(void)ret_param;
	if (type == RTE_ETH_EVENT_INTR_LSC) {
		offload_link_event(port_id);
		if (rte_eth_link_get_nowait(port_id, &link) == 0)
			RTE_LOG(NOTICE, USER1, "port %u: link %s\n", port_id + 1,
				link.link_status == RTE_ETH_LINK_UP ? "up" : "down");
	} else if (type == RTE_ETH_EVENT_QUEUE_STATE) {
		RTE_LOG(INFO, USER1, "port %u: queue state changed\n", port_id + 1);
	}
	STORE_REL(&p->events_pending, 1);
	return 0;
}

static void events_register(struct port *p, bool on)
{
	static const enum rte_eth_event_type types[] = {
		RTE_ETH_EVENT_INTR_LSC, RTE_ETH_EVENT_QUEUE_STATE,
	};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (on)
			rte_eth_dev_callback_register(p->port_id, types[i], port_event, p);
		else /* -EAGAIN while it runs: 'p' is about to be freed */
			while (rte_eth_dev_callback_unregister(p->port_id, types[i], port_event,
								p) == -EAGAIN)
				sched_yield();
	}
}

int port_open(struct port *p, uint16_t port_id, const struct port_conf *conf,
	      uint32_t n_mbufs, struct errmsg *err)
{
	int ret;

	memset(p, 0, sizeof(*p));
	p->port_id = port_id;
	p->port_no = (uint32_t)port_id + 1;
	if (p->port_no >= PORT_MAX)
		return errmsg_set(err, -EMFILE, -1, "ethdev %u: more than %d ports", port_id,
				  PORT_MAX - 1);
	rte_eth_dev_get_name_by_port(port_id, p->name);
	p->socket_id = rte_eth_dev_socket_id(port_id);
	if (p->socket_id < 0)
		p->socket_id = (int)rte_socket_id();
	p->mp = port_mempool(p->socket_id, n_mbufs);
	if (p->mp == NULL)
		return errmsg_set(err, -rte_errno, -1, "%s: mempool of %u mbufs on socket %d: %s",
				  p->name, n_mbufs, p->socket_id, rte_strerror(rte_errno));
	ret = port_own_pool_create(p, conf, err);
	if (ret < 0)
		return ret;
	ret = configure(p, conf, err);
	if (ret < 0)
		return ret;
	port_peer_init(p);
	events_register(p, true);
	ret = rte_eth_dev_start(port_id);
	if (ret < 0)
		return errmsg_set(err, ret, -1, "%s: start: %s", p->name, rte_strerror(-ret));
	port_own_pool_note_kept(p);
	/* Promiscuous so the switch sees every frame; some vdevs (net_null,
	 * net_ring) cannot and do not need to, hence only a warning. */
	ret = rte_eth_promiscuous_enable(port_id);
	if (ret < 0 && ret != -ENOTSUP)
		RTE_LOG(WARNING, USER1, "%s: promiscuous mode: %s\n", p->name, rte_strerror(-ret));
	p->started = true;
	tx_caps_init(p, true, conf->offload);
	if (rte_eth_dev_get_mtu(port_id, &p->mtu) < 0)
		p->mtu = 0;
	return 0;
}

void port_close(struct port *p)
{
	char devname[RTE_DEV_NAME_MAX_LEN];
	struct rte_eth_dev_info info;
	int ret;

	if (p->port_no == PORT_LOCAL)
		return;
	if (p->started) {
		port_own_pool_drain(p);
		ret = rte_eth_dev_stop(p->port_id);
		if (ret < 0)
			RTE_LOG(WARNING, USER1, "%s: stop: %s\n", p->name, rte_strerror(-ret));
		p->started = false;
	}
	events_register(p, false);
	tx_caps_init(p, false, false);
	if (rte_eth_dev_info_get(p->port_id, &info) == 0 && info.device)
		snprintf(devname, sizeof(devname), "%s", rte_dev_name(info.device));
	else
		devname[0] = '\0';
	rte_eth_dev_close(p->port_id);
	port_own_pool_retire(p);
	/* Detach every device, hot-plugged or probed from the command line
	 * (--vdev, PCI): a closed ethdev stays probed, and probing its devargs
	 * again (vport NEW after DEL) would find the device and no new ethdev. */
	if (devname[0] && rte_dev_remove(info.device) < 0)
		RTE_LOG(WARNING, USER1, "%s: detach failed\n", devname);
}

int port_probe(const char *devargs, uint16_t *port_id, struct errmsg *err)
{
	struct rte_dev_iterator it;
	uint16_t id;
	int ret;

	ret = rte_dev_probe(devargs);
	if (ret < 0)
		return errmsg_set(err, ret, -1, "probe '%s': %s", devargs, rte_strerror(-ret));
	RTE_ETH_FOREACH_MATCHING_DEV(id, devargs, &it) {
		*port_id = id;
		rte_eth_iterator_cleanup(&it);
		return 0;
	}
	return errmsg_set(err, -ENODEV, -1, "'%s' probed but no ethdev appeared", devargs);
}

void port_stats(const struct port *p, struct ovs_vport_stats *st)
{
	struct rte_eth_stats s;

	memset(st, 0, sizeof(*st));
	if (p->port_no == PORT_LOCAL || rte_eth_stats_get(p->port_id, &s) < 0)
		return;
	st->rx_packets = s.ipackets;
	st->tx_packets = s.opackets;
	st->rx_bytes = s.ibytes;
	st->tx_bytes = s.obytes;
	st->rx_errors = s.ierrors;
	st->tx_errors = s.oerrors;
	st->rx_dropped = s.imissed + s.rx_nombuf;
}

void port_stats_clear(const struct port *p)
{
	if (p->port_no != PORT_LOCAL)
		rte_eth_stats_reset(p->port_id);
}

void port_link_string(const struct port *p, char *buf, size_t len)
{
	struct rte_eth_link link;

	if (p->port_no == PORT_LOCAL || rte_eth_link_get_nowait(p->port_id, &link) < 0) {
		snprintf(buf, len, "unknown");
		return;
	}
	if (link.link_status == RTE_ETH_LINK_DOWN) {
		snprintf(buf, len, "link down");
		return;
	}
	/* rte_eth_link_to_str() would do, but is still experimental in 22.11. */
	if (link.link_speed == RTE_ETH_SPEED_NUM_UNKNOWN || link.link_speed == RTE_ETH_SPEED_NUM_NONE)
		snprintf(buf, len, "link up");
	else
		snprintf(buf, len, "link up %u Mbps %s", link.link_speed,
			 link.link_duplex == RTE_ETH_LINK_FULL_DUPLEX ? "full-duplex" : "half-duplex");
}
