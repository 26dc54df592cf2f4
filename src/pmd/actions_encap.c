/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * actions_encap: push/pop of VLAN tags and MPLS label stack entries.
 *
 * Tags and labels are inserted or removed in place: the bytes in front of
 * the insertion point move by 4 into the headroom (or back out of it), so
 * only the L2 header is copied. Every known header offset in the layout
 * moves with them, so a later set() in the same list rewrites the right
 * bytes; the key follows as the kernel's does where it keeps it valid.
 */
#include <netinet/in.h>

#include <linux/openvswitch.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include "actions_priv.h"

#define TAG_LEN 4                 /* VLAN tag or MPLS label stack entry */
#define ETH_ADDRS_LEN 12          /* destination and source addresses */
#define MPLS_BOS RTE_BE32(0x100)  /* bottom-of-stack bit of an entry */
#define VLAN_PRESENT RTE_BE16(FLOW_VLAN_PRESENT)

static bool is_vlan_tpid(uint16_t tpid)
{
	return tpid == RTE_BE16(RTE_ETHER_TYPE_VLAN) || tpid == RTE_BE16(RTE_ETHER_TYPE_QINQ);
}

/* Bytes of Ethernet header and VLAN tags, up to the last ethertype's end. */
static uint32_t mac_len(const struct rte_mbuf *m)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t off = ETH_ADDRS_LEN;

	while (off + TAG_LEN + 2 <= m->data_len && is_vlan_tpid(rd16(d + off)))
		off += TAG_LEN;
	return off + 2;
}

/*
 * Opens TAG_LEN bytes at 'at' by moving the first 'at' bytes to the front.
 * pkt_writable() has made the headroom, so this cannot fail; the check is
 * for the compiler, which sees that rte_pktmbuf_prepend() may return NULL.
 */
static uint8_t *open_gap(struct actions_pkt *p, uint32_t at)
{
	uint8_t *d = (uint8_t *)rte_pktmbuf_prepend(p->mbuf, TAG_LEN);

	if (unlikely(!d))
		return NULL;
	memmove(d, d + TAG_LEN, at);
	return d;
}

/* Closes the TAG_LEN bytes at 'at' by moving the first 'at' bytes back. */
static uint8_t *close_gap(struct actions_pkt *p, uint32_t at)
{
	uint8_t *d = rte_pktmbuf_mtod(p->mbuf, uint8_t *);

	memmove(d + TAG_LEN, d, at);
	return (uint8_t *)rte_pktmbuf_adj(p->mbuf, TAG_LEN);
}

bool actions_push_vlan(struct actions_ctx *ctx, struct actions_pkt *p, const void *arg)
{
	const struct ovs_action_push_vlan *vlan = arg;
	struct flow_key *key = p->key;
	uint8_t *d;

	if (!hdr_present(p->mbuf, 0, RTE_ETHER_HDR_LEN))
		return drop_pkt(ctx, ACTIONS_DROP_NO_HEADER);
	if (!pkt_writable(ctx, p, TAG_LEN))
		return false;
	d = open_gap(p, ETH_ADDRS_LEN);
	if (unlikely(!d))
		return drop_pkt(ctx, ACTIONS_DROP_NOMEM);
	st16(d + ETH_ADDRS_LEN, vlan->vlan_tpid);
	/* The key's "tag present" bit is not a wire bit (it was CFI/DEI). */
	st16(d + ETH_ADDRS_LEN + 2, vlan->vlan_tci & ~VLAN_PRESENT);
	layout_shift(p->layout, TAG_LEN);
	if (key->vlan.tci & VLAN_PRESENT)
		key->cvlan = key->vlan;
	key->vlan.tpid = vlan->vlan_tpid;
	key->vlan.tci = vlan->vlan_tci | VLAN_PRESENT;
	return true;
}

bool actions_pop_vlan(struct actions_ctx *ctx, struct actions_pkt *p, const void *arg)
{
	struct flow_key *key = p->key;

	(void)arg;
	/* Nothing to pop is not an error (the kernel does the same). */
	if (!hdr_present(p->mbuf, 0, RTE_ETHER_HDR_LEN + TAG_LEN) ||
	    !is_vlan_tpid(rd16(pkt_at(p, ETH_ADDRS_LEN))))
		return true;
	if (!pkt_writable(ctx, p, 0))
		return false;
	close_gap(p, ETH_ADDRS_LEN);
	layout_shift(p->layout, -TAG_LEN);
	key->vlan = key->cvlan;
	key->cvlan = (struct flow_vlan){ 0 };
	return true;
}

bool actions_push_mpls(struct actions_ctx *ctx, struct actions_pkt *p, const void *arg)
{
	const struct ovs_action_push_mpls *mpls = arg;
	uint32_t at;
	uint8_t *d;

	if (!hdr_present(p->mbuf, 0, RTE_ETHER_HDR_LEN))
		return drop_pkt(ctx, ACTIONS_DROP_NO_HEADER);
	/* The new entry goes on top of the stack: right after L2. */
	at = mac_len(p->mbuf);
	if (!pkt_writable(ctx, p, TAG_LEN))
		return false;
	d = open_gap(p, at);
	if (unlikely(!d))
		return drop_pkt(ctx, ACTIONS_DROP_NOMEM);
	st32(d + at, mpls->mpls_lse);
	st16(d + at - 2, mpls->mpls_ethertype);
	layout_shift(p->layout, TAG_LEN);
	p->layout->l2_5 = (uint16_t)at;
	p->key->eth_type = mpls->mpls_ethertype;
	p->key->mpls_lse = mpls->mpls_lse;
	return true;
}

/* After popping the last label: where L4 starts in the exposed IP packet. */
static uint16_t exposed_l4(const struct actions_pkt *p, uint16_t ethertype)
{
	uint16_t l3 = p->layout->l3;
	const uint8_t *ip = pkt_at(p, l3);

	if (ethertype == RTE_BE16(RTE_ETHER_TYPE_IPV4) &&
	    hdr_present(p->mbuf, l3, sizeof(struct rte_ipv4_hdr))) {
		const struct rte_ipv4_hdr *h = (const void *)ip;
		uint32_t ihl = rte_ipv4_hdr_len(h);

		if (ihl >= sizeof(*h) && !(h->fragment_offset & RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK)) &&
		    l3 + ihl < p->mbuf->data_len)
			return (uint16_t)(l3 + ihl);
	} else if (ethertype == RTE_BE16(RTE_ETHER_TYPE_IPV6) &&
		   hdr_present(p->mbuf, l3, sizeof(struct rte_ipv6_hdr))) {
		uint8_t next = ((const struct rte_ipv6_hdr *)ip)->proto;

		if ((next == IPPROTO_TCP || next == IPPROTO_UDP || next == IPPROTO_SCTP ||
		     next == IPPROTO_ICMPV6) &&
		    l3 + sizeof(struct rte_ipv6_hdr) < p->mbuf->data_len)
			return (uint16_t)(l3 + sizeof(struct rte_ipv6_hdr));
	}
	return FLOW_OFS_NONE;
}

bool actions_pop_mpls(struct actions_ctx *ctx, struct actions_pkt *p, const void *arg)
{
	uint16_t ethertype = rd16(arg), at = p->layout->l2_5;
	struct flow_layout *l = p->layout;
	uint32_t lse;
	uint8_t *d;

	if (at == FLOW_OFS_NONE)
		return true; /* not MPLS: nothing to pop, as in the kernel */
	if (!hdr_present(p->mbuf, at, TAG_LEN) || at < RTE_ETHER_HDR_LEN)
		return drop_pkt(ctx, ACTIONS_DROP_NO_HEADER);
	lse = rd32(pkt_at(p, at));
	if (!pkt_writable(ctx, p, 0))
		return false;
	d = close_gap(p, at);
	st16(d + at - 2, ethertype);
	layout_shift(l, -TAG_LEN);
	l->l2_5 = at;
	p->key->eth_type = ethertype;
	p->key->mpls_lse = 0;
	if (!(lse & MPLS_BOS)) {
		if (hdr_present(p->mbuf, at, TAG_LEN))
			p->key->mpls_lse = rd32(d + at);
		return true;
	}
	/* Bottom of stack: what follows is the network header. */
	l->l2_5 = FLOW_OFS_NONE;
	if (l->l3 == FLOW_OFS_NONE) {
		l->l3 = at;
		l->l4 = exposed_l4(p, ethertype);
	}
	return true;
}
