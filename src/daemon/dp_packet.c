/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packets on the control thread: OVS_PACKET_CMD_EXECUTE through the same
 * action code the PMDs run, and the delivery of upcalls (from the PMDs'
 * queues and the control thread's own) to their listeners.
 */
#include <errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <string.h>

#include "dp_internal.h"
#include "flow_extract.h"
#include "flowtbl_pmd.h"
#include "nl_policy.h"
#include "upcall.h"

#define UPCALL_BATCH 256
#define ETH_HLEN 14

static uint16_t ctl_tx(void *arg, uint32_t port, struct rte_mbuf **pkts, uint16_t n)
{
	struct dp *dp = arg;
	const struct pmd_txq *t = &dp->ctl_txq[port];
	uint16_t sent;

	if (t->lock)
		rte_spinlock_lock(t->lock);
	sent = rte_eth_tx_burst(t->port_id, t->queue, pkts, n);
	if (t->lock)
		rte_spinlock_unlock(t->lock);
	return sent;
}

/* Queue an upcall of the control thread; sent by dp_upcalls_run(). */
static int ctl_queue_upcall(struct dp *dp, uint8_t cmd, uint32_t pid, struct rte_mbuf *m,
			    const struct flow_key *key, uint32_t orig_len,
			    const struct nlattr *userdata)
{
	uint32_t ulen = userdata ? (uint32_t)nl_attr_len(userdata) : 0;
	struct upcall *u;

	if (pid == 0 || ulen > UPCALL_USERDATA_MAX)
		return -EINVAL;
	u = upcall_queue_get_free(dp->ctl_upq);
	if (u == NULL)
		return -ENOBUFS;
	u->cmd = cmd;
	u->pid = pid;
	u->orig_len = orig_len;
	u->mbuf = m;
	u->key = *key;
	u->userdata_len = (uint16_t)ulen;
	if (ulen)
		memcpy(u->userdata, nl_attr_data(userdata), ulen);
	upcall_queue_put(dp->ctl_upq, u);
	upcall_queue_flush(dp->ctl_upq);
	return 0;
}

static int ctl_upcall(void *arg, const struct actions_upcall *up)
{
	return ctl_queue_upcall(arg, OVS_PACKET_CMD_ACTION, up->pid, up->mbuf, up->key,
				up->orig_len, up->userdata);
}

int dp_ctl_exec_init(struct dp *dp, struct errmsg *err)
{
	struct actions_params ap = {
		.max_ports = PORT_MAX, .pool = dp->pool, .socket_id = (int)rte_socket_id(),
		.tx = ctl_tx, .tx_arg = dp, .upcall = ctl_upcall, .upcall_arg = dp,
	};
	/* The control thread reads the table through its own reader slot (the
	 * one after the PMDs'); no cache: it executes a packet at a time. */
	struct flowtbl_pmd_params fp = { .slot = dp->n_pmds };
	int ret;

	ret = actions_ctx_create(&ap, &dp->ctl_actx);
	if (ret == 0)
		ret = flowtbl_pmd_create(dp->tbl, &fp, &dp->ctl_ft);
	if (ret == 0)
		ret = upcall_queue_create("upcall_ctl", (int)rte_socket_id(), dp_upcall_slots(dp),
					  &dp->ctl_upq);
	if (ret < 0)
		return errmsg_set(err, ret, -1, "control executor: %s", strerror(-ret));
	return 0;
}

void dp_ctl_exec_fini(struct dp *dp)
{
	actions_ctx_destroy(dp->ctl_actx);
	flowtbl_pmd_destroy(dp->ctl_ft);
	upcall_queue_destroy(dp->ctl_upq);
	dp->ctl_actx = NULL;
	dp->ctl_ft = NULL;
	dp->ctl_upq = NULL;
}

void dp_ctl_exec_set_ports(struct dp *dp, const struct pmd_txq *txq)
{
	/* Buffers are flushed after every execute, so nothing is pending for a
	 * port that goes away. */
	for (uint32_t p = 0; p < PORT_MAX; p++) {
		if (dp->ctl_txq[p].present != txq[p].present)
			actions_port_set(dp->ctl_actx, p, txq[p].present);
		dp->ctl_txq[p] = txq[p];
	}
}

/* Recirculated packets of an EXECUTE: look them up like a PMD would. The
 * control thread is the table's writer, so the flows it finds stay valid
 * until it frees anything itself. */
static void ctl_recirc(struct dp *dp)
{
	struct actions_recirc rec;

	while (actions_recirc_dequeue(dp->ctl_actx, &rec, 1) == 1) {
		struct flow_key key;
		struct flow_layout layout;
		const struct flow_key *keyp = &key;
		struct flowtbl_flow *flow;

		flow_extract(rte_pktmbuf_mtod(rec.mbuf, const uint8_t *),
			     rte_pktmbuf_data_len(rec.mbuf), &rec.md, &key, &layout);
		key.tun = rec.tun;
		flowtbl_pmd_online(dp->ctl_ft);
		uint32_t found = flowtbl_lookup_burst(dp->ctl_ft, &keyp, NULL, 1, &flow);
		if (found) {
			const struct flowtbl_actions *acts = flowtbl_flow_actions(flow);
			struct actions_pkt pkt = {
				.mbuf = rec.mbuf, .key = &key, .layout = &layout,
				.recirc_depth = rec.depth,
			};
			actions_execute(dp->ctl_actx, &pkt, 1, (const struct nlattr *)acts->data,
					acts->len);
		} else if (ctl_queue_upcall(dp, OVS_PACKET_CMD_MISS,
					    LOAD_RLX(&dp->miss_pid[key.in_port % PORT_MAX]),
					    rec.mbuf, &key, 0, NULL) < 0) {
			dp->ctl_lost++;
			rte_pktmbuf_free(rec.mbuf);
		}
		flowtbl_pmd_offline(dp->ctl_ft);
		actions_flush(dp->ctl_actx);
	}
}

/*
 * A packet of 'len' bytes in an mbuf chain from 'pool': one mbuf when it
 * fits (all of a standard frame), more for a jumbo frame, so that a
 * controller can send back any packet a port received. The headers are in
 * the first segment, where the actions look for them; its headroom is
 * kept for push_vlan and friends.
 */
static int mbuf_from_bytes(struct rte_mempool *pool, const uint8_t *data, uint32_t len,
			   struct rte_mbuf **out)
{
	struct rte_mbuf *head = rte_pktmbuf_alloc(pool), *seg = head;
	uint32_t done = 0;

	while (seg != NULL) {
		uint16_t n = (uint16_t)RTE_MIN(len - done, (uint32_t)rte_pktmbuf_tailroom(seg));

		memcpy(rte_pktmbuf_append(seg, n), data + done, n);
		done += n;
		if (seg != head && rte_pktmbuf_chain(head, seg) < 0)
			break;
		if (done == len) {
			*out = head;
			return 0;
		}
		seg = rte_pktmbuf_alloc(pool);
		if (seg != NULL)
			seg->data_off = 0; /* only the first segment needs headroom */
	}
	rte_pktmbuf_free(seg);
	rte_pktmbuf_free(head);
	return -ENOMEM;
}

int dp_execute(struct dp *dp, const void *packet, size_t len, const struct flow_key *key,
	       const void *actions, size_t actions_len, struct errmsg *err)
{
	struct flow_md md = {
		.in_port = key->in_port, .recirc_id = key->recirc_id, .dp_hash = key->dp_hash,
		.priority = key->priority, .skb_mark = key->skb_mark,
	};
	struct flow_key pkt_key;
	struct flow_layout layout;
	struct rte_mbuf *m;
	int ret;

	if (len < ETH_HLEN)
		return errmsg_set(err, -EINVAL, -1, "packet of %zu bytes is shorter than Ethernet",
				  len);
	if (len > UINT16_MAX)
		return errmsg_set(err, -EMSGSIZE, -1, "packet of %zu bytes is over 65535", len);
	ret = mbuf_from_bytes(dp->pool, packet, (uint32_t)len, &m);
	if (ret < 0)
		return errmsg_set(err, ret, -1, "no mbufs for a packet of %zu bytes", len);
	/* As the kernel: the packet's own headers make the key; the key the
	 * client sent contributes the metadata. */
	flow_extract(packet, (uint32_t)len, &md, &pkt_key, &layout);
	pkt_key.tun = key->tun;
	actions_execute_one(dp->ctl_actx, m, &pkt_key, &layout, actions, (uint32_t)actions_len);
	actions_flush(dp->ctl_actx);
	ctl_recirc(dp);
	return 0;
}

/* 'src': the PMD's index, n_pmds for the control thread's own queue.
 * Up to 'max' upcalls, taken a batch at a time. */
static unsigned int drain(struct dp *dp, struct upcall_queue *q, uint32_t src,
			  dp_deliver_fn deliver, void *arg, unsigned int max, unsigned int *lost)
{
	struct upcall *ups[UPCALL_BATCH];
	struct rte_mbuf *mbufs[UPCALL_BATCH];
	unsigned int done = 0, n;

	do {
		n = upcall_queue_take(q, ups, RTE_MIN(max - done, (unsigned int)UPCALL_BATCH));
		for (unsigned int i = 0; i < n; i++) {
			uint32_t pid = dp_upcall_route(dp, src, ups[i]);

			/* Written only when it changes: a line of the slot this
			 * thread wrote had to come back whole to the PMD's core
			 * for its next fill, where one only read stays shared. */
			if (pid != ups[i]->pid)
				ups[i]->pid = pid;
			if (deliver(arg, ups[i]) < 0) {
				dp->ctl_lost++;
				(*lost)++;
			}
			mbufs[i] = ups[i]->mbuf;
		}
		/* A batch's mbufs and slots go back together: one mempool and
		 * one ring operation each, where one an upcall moved the rings'
		 * cache lines between this core and the PMD's every time. */
		rte_pktmbuf_free_bulk(mbufs, n);
		upcall_queue_release_burst(q, ups, n);
		done += n;
	} while (n == UPCALL_BATCH && done < max);
	return done;
}

unsigned int dp_upcalls_run(struct dp *dp, dp_deliver_fn deliver, void *arg, unsigned int max,
			    unsigned int *lost)
{
	unsigned int n = drain(dp, dp->ctl_upq, dp->n_pmds, deliver, arg, max, lost);

	for (uint32_t i = 0; i < dp->n_pmds; i++)
		n += drain(dp, pmd_upcalls(dp->pmds[i]), i, deliver, arg, max, lost);
	return n;
}
