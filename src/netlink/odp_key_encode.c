/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow keys and masks to netlink, shaped like the kernel's
 * __ovs_nla_put_key(): the key decides which attributes appear (from its
 * eth_type, VLAN tags, ip proto and fragment type), the key or the mask
 * gives their values. Every choice below is the one the decoder reads
 * back to the same (key, mask).
 */
#include <libmnl/libmnl.h>
#include <netinet/in.h>

#include "odp_internal.h"
#include "odp_key.h"

struct ectx {
	struct nlbuf *b;
	const struct flow_key *k;   /* decides the shape */
	const struct flow_key *m;   /* the flow's mask; NULL for a packet key */
	const struct flow_key *v;   /* values written: k, or m for the mask */
	bool is_mask;               /* writing the mask stream */
};

/* A word at a time: the tunnel is checked twice for every flow encoded. */
static bool is_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t acc = 0, w;
	size_t i = 0;

	for (; i + sizeof(w) <= n; i += sizeof(w)) {
		memcpy(&w, b + i, sizeof(w));
		acc |= w;
	}
	for (; i < n; i++)
		acc |= b[i];
	return acc == 0;
}

static bool writing_mask(const struct ectx *e)
{
	return e->is_mask;
}

static void put_tunnel(struct nlbuf *b, const struct flow_tunnel *t)
{
	size_t nest = nlbuf_nest_start(b, OVS_KEY_ATTR_TUNNEL);

	if (t->flags & FLOW_TNL_F_KEY)
		nlbuf_put_attr(b, OVS_TUNNEL_KEY_ATTR_ID, &t->tun_id, sizeof(t->tun_id));
	if (t->ipv4_src)
		nlbuf_put_u32(b, OVS_TUNNEL_KEY_ATTR_IPV4_SRC, t->ipv4_src);
	if (t->ipv4_dst)
		nlbuf_put_u32(b, OVS_TUNNEL_KEY_ATTR_IPV4_DST, t->ipv4_dst);
	if (t->tos)
		nlbuf_put_u8(b, OVS_TUNNEL_KEY_ATTR_TOS, t->tos);
	nlbuf_put_u8(b, OVS_TUNNEL_KEY_ATTR_TTL, t->ttl);
	if (t->flags & FLOW_TNL_F_DONT_FRAGMENT)
		nlbuf_put_flag(b, OVS_TUNNEL_KEY_ATTR_DONT_FRAGMENT);
	if (t->flags & FLOW_TNL_F_CSUM)
		nlbuf_put_flag(b, OVS_TUNNEL_KEY_ATTR_CSUM);
	if (t->tp_src)
		nlbuf_put_u16(b, OVS_TUNNEL_KEY_ATTR_TP_SRC, t->tp_src);
	if (t->tp_dst)
		nlbuf_put_u16(b, OVS_TUNNEL_KEY_ATTR_TP_DST, t->tp_dst);
	if (t->flags & FLOW_TNL_F_OAM)
		nlbuf_put_flag(b, OVS_TUNNEL_KEY_ATTR_OAM);
	nlbuf_nest_end(b, nest);
}

/* in_port: a flow's is exact or wildcarded; ODP_PORT_NONE is "absent". */
static void put_in_port(const struct ectx *e)
{
	if (e->m == NULL) {
		if (e->k->in_port != ODP_PORT_NONE)
			nlbuf_put_u32(e->b, OVS_KEY_ATTR_IN_PORT, e->k->in_port);
	} else if (e->m->in_port) {
		if (writing_mask(e))
			nlbuf_put_u32(e->b, OVS_KEY_ATTR_IN_PORT, UINT32_MAX);
		else if (e->k->in_port != ODP_PORT_NONE)
			nlbuf_put_u32(e->b, OVS_KEY_ATTR_IN_PORT, e->k->in_port);
	}
}

/* Conntrack fields: we have no conntrack, so they appear only when they
 * say something (a packet's are zero; a flow's when its mask is not). */
static void put_ct(const struct ectx *e)
{
	const struct flow_key *s = e->m ? e->m : e->k;

	if (s->ct_state)
		nlbuf_put_u32(e->b, OVS_KEY_ATTR_CT_STATE, e->v->ct_state);
	if (s->ct_zone)
		nlbuf_put_u16(e->b, OVS_KEY_ATTR_CT_ZONE, e->v->ct_zone);
	if (s->ct_mark)
		nlbuf_put_u32(e->b, OVS_KEY_ATTR_CT_MARK, e->v->ct_mark);
	if (!is_zero(s->ct_labels, sizeof(s->ct_labels)))
		nlbuf_put_attr(e->b, OVS_KEY_ATTR_CT_LABELS, e->v->ct_labels,
			       sizeof(e->v->ct_labels));
}

static void put_metadata(const struct ectx *e)
{
	const struct flow_key *v = e->v;
	const struct flow_tunnel *shape = writing_mask(e) ? &e->m->tun : &e->k->tun;

	nlbuf_put_u32(e->b, OVS_KEY_ATTR_RECIRC_ID, v->recirc_id);
	nlbuf_put_u32(e->b, OVS_KEY_ATTR_DP_HASH, v->dp_hash);
	nlbuf_put_u32(e->b, OVS_KEY_ATTR_PRIORITY, v->priority);
	if (!is_zero(shape, sizeof(*shape)))
		put_tunnel(e->b, &v->tun);
	put_in_port(e);
	nlbuf_put_u32(e->b, OVS_KEY_ATTR_SKB_MARK, v->skb_mark);
	put_ct(e);
}

static void put_ethernet(const struct ectx *e)
{
	struct ovs_key_ethernet eth;

	memcpy(eth.eth_src, e->v->eth_src, sizeof(eth.eth_src));
	memcpy(eth.eth_dst, e->v->eth_dst, sizeof(eth.eth_dst));
	nlbuf_put_attr(e->b, OVS_KEY_ATTR_ETHERNET, &eth, sizeof(eth));
}

/* eth_type: an 802.2 frame's (or a wildcarded one, 0) is left out of the
 * key; the mask says 0xffff when it is exact. */
static void put_eth_type(const struct ectx *e)
{
	uint16_t et = e->k->eth_type;

	if (writing_mask(e)) {
		if (e->m->eth_type)
			nlbuf_put_u16(e->b, OVS_KEY_ATTR_ETHERTYPE, e->m->eth_type);
	} else if (et != 0 && et != htons(ETH_TYPE_802_2)) {
		nlbuf_put_u16(e->b, OVS_KEY_ATTR_ETHERTYPE, et);
	}
}

/*
 * VLAN tags: ETHERTYPE (the TPID) + VLAN (the TCI) + ENCAP holding the
 * rest. A tag cut short (TCI 0 under a VLAN eth_type) is written as its
 * eth_type, VLAN 0 and an empty ENCAP. Returns the number of nests opened
 * in 'nests'; *done when nothing follows (cut-short tag, or a third tag).
 */
static int put_vlans(const struct ectx *e, size_t nests[2], bool *done)
{
	const struct flow_vlan *ktag[2] = { &e->k->vlan, &e->k->cvlan };
	const struct flow_vlan *vtag[2] = { &e->v->vlan, &e->v->cvlan };
	int n = 0;

	*done = false;
	for (int i = 0; i < 2; i++) {
		if (ktag[i]->tci & htons(VLAN_CFI)) {
			nlbuf_put_u16(e->b, OVS_KEY_ATTR_ETHERTYPE, vtag[i]->tpid);
			nlbuf_put_u16(e->b, OVS_KEY_ATTR_VLAN, vtag[i]->tci);
			nests[n++] = nlbuf_nest_start(e->b, OVS_KEY_ATTR_ENCAP);
			continue;
		}
		if (eth_type_is_vlan(e->k->eth_type)) {
			put_eth_type(e);
			nlbuf_put_u16(e->b, OVS_KEY_ATTR_VLAN, vtag[i]->tci);
			nlbuf_nest_end(e->b, nlbuf_nest_start(e->b, OVS_KEY_ATTR_ENCAP));
			*done = true;
		}
		return n;
	}
	/* Two tags and a VLAN eth_type: a third tag, of which nothing is known. */
	if (eth_type_is_vlan(e->k->eth_type)) {
		put_eth_type(e);
		*done = true;
	}
	return n;
}

static void put_ipv4(const struct ectx *e)
{
	struct ovs_key_ipv4 v = {
		.ipv4_src = e->v->ipv4.src, .ipv4_dst = e->v->ipv4.dst,
		.ipv4_proto = e->v->ip_proto, .ipv4_tos = e->v->ip_tos,
		.ipv4_ttl = e->v->ip_ttl, .ipv4_frag = e->v->ip_frag,
	};

	nlbuf_put_attr(e->b, OVS_KEY_ATTR_IPV4, &v, sizeof(v));
}

static void put_ipv6(const struct ectx *e)
{
	struct ovs_key_ipv6 v = {
		.ipv6_label = e->v->ipv6.label, .ipv6_proto = e->v->ip_proto,
		.ipv6_tclass = e->v->ip_tos, .ipv6_hlimit = e->v->ip_ttl,
		.ipv6_frag = e->v->ip_frag,
	};

	memcpy(v.ipv6_src, e->v->ipv6.src, sizeof(v.ipv6_src));
	memcpy(v.ipv6_dst, e->v->ipv6.dst, sizeof(v.ipv6_dst));
	nlbuf_put_attr(e->b, OVS_KEY_ATTR_IPV6, &v, sizeof(v));
}

static void put_arp(const struct ectx *e)
{
	struct ovs_key_arp v;

	memset(&v, 0, sizeof(v));
	v.arp_sip = e->v->ipv4.src;
	v.arp_tip = e->v->ipv4.dst;
	v.arp_op = htons(e->v->ip_proto);
	memcpy(v.arp_sha, e->v->ipv4.arp_sha, sizeof(v.arp_sha));
	memcpy(v.arp_tha, e->v->ipv4.arp_tha, sizeof(v.arp_tha));
	nlbuf_put_attr(e->b, OVS_KEY_ATTR_ARP, &v, sizeof(v));
}

static void put_l3(const struct ectx *e)
{
	uint16_t et = e->k->eth_type;

	if (et == htons(ETH_P_IP))
		put_ipv4(e);
	else if (et == htons(ETH_P_IPV6))
		put_ipv6(e);
	else if (et == htons(ETH_P_ARP) || et == htons(ETH_P_RARP))
		put_arp(e);
	else if (eth_type_is_mpls(et))
		nlbuf_put_u32(e->b, OVS_KEY_ATTR_MPLS, e->v->mpls_lse);
}

static void put_ports(const struct ectx *e, uint16_t type)
{
	uint16_t ports[2] = { e->v->tp_src, e->v->tp_dst };

	nlbuf_put_attr(e->b, type, ports, sizeof(ports));
}

static void put_icmp(const struct ectx *e, uint16_t type)
{
	uint8_t tc[2] = { (uint8_t)ntohs(e->v->tp_src), (uint8_t)ntohs(e->v->tp_dst) };

	nlbuf_put_attr(e->b, type, tc, sizeof(tc));
}

static void put_nd(const struct ectx *e)
{
	struct ovs_key_nd nd;

	memcpy(nd.nd_target, e->v->ipv6.nd_target, sizeof(nd.nd_target));
	memcpy(nd.nd_sll, e->v->ipv6.nd_sll, sizeof(nd.nd_sll));
	memcpy(nd.nd_tll, e->v->ipv6.nd_tll, sizeof(nd.nd_tll));
	nlbuf_put_attr(e->b, OVS_KEY_ATTR_ND, &nd, sizeof(nd));
}

static void put_l4(const struct ectx *e)
{
	const struct flow_key *k = e->k;
	bool ipv4 = k->eth_type == htons(ETH_P_IP), ipv6 = k->eth_type == htons(ETH_P_IPV6);

	if (!(ipv4 || ipv6) || k->ip_frag == OVS_FRAG_TYPE_LATER)
		return;
	if (k->ip_proto == IPPROTO_TCP) {
		put_ports(e, OVS_KEY_ATTR_TCP);
		nlbuf_put_u16(e->b, OVS_KEY_ATTR_TCP_FLAGS, e->v->tp_flags);
	} else if (k->ip_proto == IPPROTO_UDP) {
		put_ports(e, OVS_KEY_ATTR_UDP);
	} else if (k->ip_proto == IPPROTO_SCTP) {
		put_ports(e, OVS_KEY_ATTR_SCTP);
	} else if (ipv4 && k->ip_proto == IPPROTO_ICMP) {
		put_icmp(e, OVS_KEY_ATTR_ICMP);
	} else if (ipv6 && k->ip_proto == IPPROTO_ICMPV6) {
		put_icmp(e, OVS_KEY_ATTR_ICMPV6);
		if (k->tp_src == htons(ND_NS) || k->tp_src == htons(ND_NA))
			put_nd(e);
	}
}

/* One key or mask stream, inside nest 'type'. */
static void put_key(const struct ectx *e, uint16_t type)
{
	size_t outer = nlbuf_nest_start(e->b, type);
	size_t nests[2];
	bool done;
	int n;

	put_metadata(e);
	put_ethernet(e);
	n = put_vlans(e, nests, &done);
	if (!done) {
		put_eth_type(e);
		put_l3(e);
		put_l4(e);
	}
	while (n > 0)
		nlbuf_nest_end(e->b, nests[--n]);
	nlbuf_nest_end(e->b, outer);
}

void odp_match_encode_key(struct nlbuf *b, const struct flow_key *key,
			  const struct flow_key *mask)
{
	struct ectx e = { .b = b, .k = key, .m = mask, .v = key };

	put_key(&e, OVS_FLOW_ATTR_KEY);
}

void odp_match_encode_mask(struct nlbuf *b, const struct flow_key *key,
			   const struct flow_key *mask)
{
	struct ectx e = { .b = b, .k = key, .m = mask, .v = mask, .is_mask = true };

	put_key(&e, OVS_FLOW_ATTR_MASK);
}

void odp_match_encode(struct nlbuf *b, const struct flow_key *key, const struct flow_key *mask)
{
	odp_match_encode_key(b, key, mask);
	odp_match_encode_mask(b, key, mask);
}

void odp_key_encode(struct nlbuf *b, uint16_t type, const struct flow_key *key)
{
	struct ectx e = { .b = b, .k = key, .m = NULL, .v = key };

	put_key(&e, type);
}
