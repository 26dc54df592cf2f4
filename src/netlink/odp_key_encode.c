/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow keys and masks to netlink, shaped like the kernel's
 * __ovs_nla_put_key(): the key decides which attributes appear (from its
 * eth_type, VLAN tags, ip proto and fragment type), the key or the mask
 * gives their values. Every choice below is the one the decoder reads
 * back to the same (key, mask).
 *
 * A stream is written into a local buffer with fixed-size stores, then
 * appended to the nlbuf in one copy: a flow's key and mask are some twenty
 * small attributes, and a call with a memcpy of a few bytes for each was
 * most of the cost of encoding.
 */
#include <netinet/in.h>

#include "odp_internal.h"
#include "odp_key.h"

/*
 * Longest stream put_key() writes: outer nest 4, recirc_id/dp_hash/
 * priority 24, tunnel 76 (nest, id 12, src/dst/tos/ttl 8 each, three
 * flags 4 each, tp_src/tp_dst 8 each), in_port/skb_mark/ct_state/ct_zone/
 * ct_mark 40, ct_labels 20, eth 16, two VLAN tags 40, eth_type 8, IPv6 44,
 * ICMPv6 8 + ND 32: 312 bytes.
 */
#define STREAM_MAX 512

struct ectx {
	uint8_t *buf;               /* STREAM_MAX bytes */
	size_t len;
	const struct flow_key *k;   /* decides the shape */
	const struct flow_key *m;   /* the flow's mask; NULL for a packet key */
	const struct flow_key *v;   /* values written: k, or m for the mask */
	bool is_mask;               /* writing the mask stream */
};

/* An attribute of 'size' bytes (a constant at every call site, so the
 * copies are plain stores), zero padded. */
static inline void put(struct ectx *e, uint16_t type, const void *data, size_t size)
{
	struct nlattr nla = { .nla_len = (uint16_t)(NLA_HDRLEN + size), .nla_type = type };
	uint8_t *p = e->buf + e->len;

	memcpy(p, &nla, sizeof(nla));
	if (NLA_ALIGN(size) != size) /* the padding: the copy overwrites the rest */
		memset(p + NLA_HDRLEN + NLA_ALIGN(size) - 4, 0, 4);
	if (size)
		memcpy(p + NLA_HDRLEN, data, size);
	e->len += NLA_HDRLEN + NLA_ALIGN(size);
}

static inline void put_u8(struct ectx *e, uint16_t type, uint8_t v)
{
	put(e, type, &v, sizeof(v));
}

static inline void put_u16(struct ectx *e, uint16_t type, uint16_t v)
{
	put(e, type, &v, sizeof(v));
}

static inline void put_u32(struct ectx *e, uint16_t type, uint32_t v)
{
	put(e, type, &v, sizeof(v));
}

static inline void put_flag(struct ectx *e, uint16_t type)
{
	put(e, type, NULL, 0);
}

static inline size_t nest_start(struct ectx *e, uint16_t type)
{
	size_t ofs = e->len;

	put(e, type | NLA_F_NESTED, NULL, 0);
	return ofs;
}

static inline void nest_end(struct ectx *e, size_t ofs)
{
	uint16_t len = (uint16_t)(e->len - ofs);

	memcpy(e->buf + ofs, &len, sizeof(len));
}

static bool writing_mask(const struct ectx *e)
{
	return e->is_mask;
}

static void put_tunnel(struct ectx *e, const struct flow_tunnel *t)
{
	size_t nest = nest_start(e, OVS_KEY_ATTR_TUNNEL);

	if (t->flags & FLOW_TNL_F_KEY)
		put(e, OVS_TUNNEL_KEY_ATTR_ID, &t->tun_id, sizeof(t->tun_id));
	if (t->ipv4_src)
		put_u32(e, OVS_TUNNEL_KEY_ATTR_IPV4_SRC, t->ipv4_src);
	if (t->ipv4_dst)
		put_u32(e, OVS_TUNNEL_KEY_ATTR_IPV4_DST, t->ipv4_dst);
	if (t->tos)
		put_u8(e, OVS_TUNNEL_KEY_ATTR_TOS, t->tos);
	put_u8(e, OVS_TUNNEL_KEY_ATTR_TTL, t->ttl);
	if (t->flags & FLOW_TNL_F_DONT_FRAGMENT)
		put_flag(e, OVS_TUNNEL_KEY_ATTR_DONT_FRAGMENT);
	if (t->flags & FLOW_TNL_F_CSUM)
		put_flag(e, OVS_TUNNEL_KEY_ATTR_CSUM);
	if (t->tp_src)
		put_u16(e, OVS_TUNNEL_KEY_ATTR_TP_SRC, t->tp_src);
	if (t->tp_dst)
		put_u16(e, OVS_TUNNEL_KEY_ATTR_TP_DST, t->tp_dst);
	if (t->flags & FLOW_TNL_F_OAM)
		put_flag(e, OVS_TUNNEL_KEY_ATTR_OAM);
	nest_end(e, nest);
}

/* in_port: a flow's is exact or wildcarded; ODP_PORT_NONE is "absent". */
static void put_in_port(struct ectx *e)
{
	if (e->m == NULL) {
		if (e->k->in_port != ODP_PORT_NONE)
			put_u32(e, OVS_KEY_ATTR_IN_PORT, e->k->in_port);
	} else if (e->m->in_port) {
		if (writing_mask(e))
			put_u32(e, OVS_KEY_ATTR_IN_PORT, UINT32_MAX);
		else if (e->k->in_port != ODP_PORT_NONE)
			put_u32(e, OVS_KEY_ATTR_IN_PORT, e->k->in_port);
	}
}

/* Conntrack fields: we have no conntrack, so they appear only when they
 * say something (a packet's are zero; a flow's when its mask is not). */
static void put_ct(struct ectx *e)
{
	const struct flow_key *s = e->m ? e->m : e->k;

	if (s->ct_state)
		put_u32(e, OVS_KEY_ATTR_CT_STATE, e->v->ct_state);
	if (s->ct_zone)
		put_u16(e, OVS_KEY_ATTR_CT_ZONE, e->v->ct_zone);
	if (s->ct_mark)
		put_u32(e, OVS_KEY_ATTR_CT_MARK, e->v->ct_mark);
	if (!odp_bytes_zero(s->ct_labels, sizeof(s->ct_labels)))
		put(e, OVS_KEY_ATTR_CT_LABELS, e->v->ct_labels,
			       sizeof(e->v->ct_labels));
}

static void put_metadata(struct ectx *e)
{
	const struct flow_key *v = e->v;
	const struct flow_tunnel *shape = writing_mask(e) ? &e->m->tun : &e->k->tun;

	put_u32(e, OVS_KEY_ATTR_RECIRC_ID, v->recirc_id);
	put_u32(e, OVS_KEY_ATTR_DP_HASH, v->dp_hash);
	put_u32(e, OVS_KEY_ATTR_PRIORITY, v->priority);
	if (!odp_bytes_zero(shape, sizeof(*shape)))
		put_tunnel(e, &v->tun);
	put_in_port(e);
	put_u32(e, OVS_KEY_ATTR_SKB_MARK, v->skb_mark);
	put_ct(e);
}

static void put_ethernet(struct ectx *e)
{
	struct ovs_key_ethernet eth;

	memcpy(eth.eth_src, e->v->eth_src, sizeof(eth.eth_src));
	memcpy(eth.eth_dst, e->v->eth_dst, sizeof(eth.eth_dst));
	put(e, OVS_KEY_ATTR_ETHERNET, &eth, sizeof(eth));
}

/* eth_type: an 802.2 frame's (or a wildcarded one, 0) is left out of the
 * key; the mask says 0xffff when it is exact. */
static void put_eth_type(struct ectx *e)
{
	uint16_t et = e->k->eth_type;

	if (writing_mask(e)) {
		if (e->m->eth_type)
			put_u16(e, OVS_KEY_ATTR_ETHERTYPE, e->m->eth_type);
	} else if (et != 0 && et != htons(ETH_TYPE_802_2)) {
		put_u16(e, OVS_KEY_ATTR_ETHERTYPE, et);
	}
}

/*
 * VLAN tags: ETHERTYPE (the TPID) + VLAN (the TCI) + ENCAP holding the
 * rest. A tag cut short (TCI 0 under a VLAN eth_type) is written as its
 * eth_type, VLAN 0 and an empty ENCAP. Returns the number of nests opened
 * in 'nests'; *done when nothing follows (cut-short tag, or a third tag).
 */
static int put_vlans(struct ectx *e, size_t nests[2], bool *done)
{
	const struct flow_vlan *ktag[2] = { &e->k->vlan, &e->k->cvlan };
	const struct flow_vlan *vtag[2] = { &e->v->vlan, &e->v->cvlan };
	int n = 0;

	*done = false;
	for (int i = 0; i < 2; i++) {
		if (ktag[i]->tci & htons(VLAN_CFI)) {
			put_u16(e, OVS_KEY_ATTR_ETHERTYPE, vtag[i]->tpid);
			put_u16(e, OVS_KEY_ATTR_VLAN, vtag[i]->tci);
			nests[n++] = nest_start(e, OVS_KEY_ATTR_ENCAP);
			continue;
		}
		if (eth_type_is_vlan(e->k->eth_type)) {
			put_eth_type(e);
			put_u16(e, OVS_KEY_ATTR_VLAN, vtag[i]->tci);
			nest_end(e, nest_start(e, OVS_KEY_ATTR_ENCAP));
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

static void put_ipv4(struct ectx *e)
{
	struct ovs_key_ipv4 v = {
		.ipv4_src = e->v->ipv4.src, .ipv4_dst = e->v->ipv4.dst,
		.ipv4_proto = e->v->ip_proto, .ipv4_tos = e->v->ip_tos,
		.ipv4_ttl = e->v->ip_ttl, .ipv4_frag = e->v->ip_frag,
	};

	put(e, OVS_KEY_ATTR_IPV4, &v, sizeof(v));
}

static void put_ipv6(struct ectx *e)
{
	struct ovs_key_ipv6 v = {
		.ipv6_label = e->v->ipv6.label, .ipv6_proto = e->v->ip_proto,
		.ipv6_tclass = e->v->ip_tos, .ipv6_hlimit = e->v->ip_ttl,
		.ipv6_frag = e->v->ip_frag,
	};

	memcpy(v.ipv6_src, e->v->ipv6.src, sizeof(v.ipv6_src));
	memcpy(v.ipv6_dst, e->v->ipv6.dst, sizeof(v.ipv6_dst));
	put(e, OVS_KEY_ATTR_IPV6, &v, sizeof(v));
}

static void put_arp(struct ectx *e)
{
	struct ovs_key_arp v;

	memset(&v, 0, sizeof(v));
	v.arp_sip = e->v->ipv4.src;
	v.arp_tip = e->v->ipv4.dst;
	v.arp_op = htons(e->v->ip_proto);
	memcpy(v.arp_sha, e->v->ipv4.arp_sha, sizeof(v.arp_sha));
	memcpy(v.arp_tha, e->v->ipv4.arp_tha, sizeof(v.arp_tha));
	put(e, OVS_KEY_ATTR_ARP, &v, sizeof(v));
}

static void put_l3(struct ectx *e)
{
	uint16_t et = e->k->eth_type;

	if (et == htons(ETH_P_IP))
		put_ipv4(e);
	else if (et == htons(ETH_P_IPV6))
		put_ipv6(e);
	else if (et == htons(ETH_P_ARP) || et == htons(ETH_P_RARP))
		put_arp(e);
	else if (eth_type_is_mpls(et))
		put_u32(e, OVS_KEY_ATTR_MPLS, e->v->mpls_lse);
}

static void put_ports(struct ectx *e, uint16_t type)
{
	uint16_t ports[2] = { e->v->tp_src, e->v->tp_dst };

	put(e, type, ports, sizeof(ports));
}

static void put_icmp(struct ectx *e, uint16_t type)
{
	uint8_t tc[2] = { (uint8_t)ntohs(e->v->tp_src), (uint8_t)ntohs(e->v->tp_dst) };

	put(e, type, tc, sizeof(tc));
}

static void put_nd(struct ectx *e)
{
	struct ovs_key_nd nd;

	memcpy(nd.nd_target, e->v->ipv6.nd_target, sizeof(nd.nd_target));
	memcpy(nd.nd_sll, e->v->ipv6.nd_sll, sizeof(nd.nd_sll));
	memcpy(nd.nd_tll, e->v->ipv6.nd_tll, sizeof(nd.nd_tll));
	put(e, OVS_KEY_ATTR_ND, &nd, sizeof(nd));
}

static void put_l4(struct ectx *e)
{
	const struct flow_key *k = e->k;
	bool ipv4 = k->eth_type == htons(ETH_P_IP), ipv6 = k->eth_type == htons(ETH_P_IPV6);

	if (!(ipv4 || ipv6) || k->ip_frag == OVS_FRAG_TYPE_LATER)
		return;
	if (k->ip_proto == IPPROTO_TCP) {
		put_ports(e, OVS_KEY_ATTR_TCP);
		put_u16(e, OVS_KEY_ATTR_TCP_FLAGS, e->v->tp_flags);
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

/* One key or mask stream, inside nest 'type', appended to 'b'. */
static void put_key(struct ectx *e, struct nlbuf *b, uint16_t type)
{
	size_t outer = nest_start(e, type);
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
		nest_end(e, nests[--n]);
	nest_end(e, outer);
	nlbuf_put(b, e->buf, e->len);
}

void odp_match_encode_key(struct nlbuf *b, const struct flow_key *key,
			  const struct flow_key *mask)
{
	uint8_t buf[STREAM_MAX];
	struct ectx e = { .buf = buf, .k = key, .m = mask, .v = key };

	put_key(&e, b, OVS_FLOW_ATTR_KEY);
}

void odp_match_encode_mask(struct nlbuf *b, const struct flow_key *key,
			   const struct flow_key *mask)
{
	uint8_t buf[STREAM_MAX];
	struct ectx e = { .buf = buf, .k = key, .m = mask, .v = mask, .is_mask = true };

	put_key(&e, b, OVS_FLOW_ATTR_MASK);
}

void odp_match_encode(struct nlbuf *b, const struct flow_key *key, const struct flow_key *mask)
{
	odp_match_encode_key(b, key, mask);
	odp_match_encode_mask(b, key, mask);
}

void odp_key_encode(struct nlbuf *b, uint16_t type, const struct flow_key *key)
{
	uint8_t buf[STREAM_MAX];
	struct ectx e = { .buf = buf, .k = key, .m = NULL, .v = key };

	put_key(&e, b, type);
}
