/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Random flow keys and masks for the codec's property tests: packet keys
 * as extraction would produce them, and masks that follow the kernel's
 * rules for them. Deterministic from a seed (xorshift64*).
 */
#ifndef TEST_KEYGEN_H
#define TEST_KEYGEN_H

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/openvswitch.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include "flow_key.h"
#include "odp_key.h"

static inline uint64_t kg_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(2685821657736338717);
}

static inline uint32_t kg_u32(uint64_t *s)
{
	return (uint32_t)(kg_next(s) >> 32);
}

static inline void kg_bytes(uint64_t *s, void *p, size_t n)
{
	uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)kg_u32(s);
}

/* A mask field: zero, all ones or random bits, a third each. */
static inline void kg_mask_bytes(uint64_t *s, void *p, size_t n)
{
	switch (kg_u32(s) % 3) {
	case 0:
		memset(p, 0, n);
		break;
	case 1:
		memset(p, 0xff, n);
		break;
	default:
		kg_bytes(s, p, n);
	}
}

#define KG_MASK(s, field) kg_mask_bytes((s), &(field), sizeof(field))

static inline uint16_t kg_pick16(uint64_t *s, const uint16_t *v, size_t n)
{
	return v[kg_u32(s) % n];
}

static inline void kg_tunnel(uint64_t *s, struct flow_tunnel *t)
{
	t->ipv4_dst = kg_u32(s) | 1;
	t->ipv4_src = kg_u32(s) % 2 ? kg_u32(s) : 0;
	t->tos = (uint8_t)kg_u32(s);
	t->ttl = (uint8_t)kg_u32(s);
	t->tp_src = (uint16_t)kg_u32(s);
	t->tp_dst = (uint16_t)kg_u32(s);
	t->flags = kg_u32(s) & (FLOW_TNL_F_DONT_FRAGMENT | FLOW_TNL_F_CSUM | FLOW_TNL_F_OAM);
	if (kg_u32(s) % 2) {
		t->flags |= FLOW_TNL_F_KEY;
		t->tun_id = kg_next(s);
	}
}

static inline void kg_l4(uint64_t *s, struct flow_key *k, bool ipv4)
{
	static const uint16_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP, IPPROTO_ICMP,
					   IPPROTO_ICMPV6, 47, 0 };
	uint8_t p = (uint8_t)kg_pick16(s, protos, sizeof(protos) / sizeof(protos[0]));

	k->ip_proto = p;
	if (k->ip_frag == OVS_FRAG_TYPE_LATER)
		return;
	if (p == IPPROTO_TCP || p == IPPROTO_UDP || p == IPPROTO_SCTP) {
		k->tp_src = (uint16_t)kg_u32(s);
		k->tp_dst = (uint16_t)kg_u32(s);
		if (p == IPPROTO_TCP)
			k->tp_flags = htons(kg_u32(s) & 0x0fff);
	} else if ((ipv4 && p == IPPROTO_ICMP) || (!ipv4 && p == IPPROTO_ICMPV6)) {
		static const uint16_t types[] = { 135, 136, 128, 8, 0 };

		k->tp_src = htons(kg_pick16(s, types, 5));
		k->tp_dst = htons(kg_u32(s) & 0xff);
		if (!ipv4 && (k->tp_src == htons(135) || k->tp_src == htons(136))) {
			kg_bytes(s, k->ipv6.nd_target, sizeof(k->ipv6.nd_target));
			kg_bytes(s, k->ipv6.nd_sll, sizeof(k->ipv6.nd_sll));
			kg_bytes(s, k->ipv6.nd_tll, sizeof(k->ipv6.nd_tll));
		}
	}
}

static inline void kg_l3(uint64_t *s, struct flow_key *k)
{
	uint16_t et = k->eth_type;

	if (et == htons(ETH_P_IP) || et == htons(ETH_P_IPV6)) {
		k->ip_tos = (uint8_t)kg_u32(s);
		k->ip_ttl = (uint8_t)kg_u32(s);
		k->ip_frag = kg_u32(s) % 3;
		if (et == htons(ETH_P_IP)) {
			k->ipv4.src = kg_u32(s);
			k->ipv4.dst = kg_u32(s);
		} else {
			kg_bytes(s, k->ipv6.src, 16);
			kg_bytes(s, k->ipv6.dst, 16);
			k->ipv6.label = htonl(kg_u32(s) & 0xfffff);
		}
		kg_l4(s, k, et == htons(ETH_P_IP));
	} else if (et == htons(ETH_P_ARP) || et == htons(ETH_P_RARP)) {
		k->ipv4.src = kg_u32(s);
		k->ipv4.dst = kg_u32(s);
		k->ip_proto = (uint8_t)kg_u32(s);
		kg_bytes(s, k->ipv4.arp_sha, 6);
		kg_bytes(s, k->ipv4.arp_tha, 6);
	} else if (et == htons(ETH_P_MPLS_UC) || et == htons(ETH_P_MPLS_MC)) {
		k->mpls_lse = kg_u32(s);
	}
}

/* A packet key: what extraction could produce, in every shape. */
static inline void kg_packet_key(uint64_t *s, struct flow_key *k)
{
	static const uint16_t types[] = { 0x0800, 0x86dd, 0x0806, 0x8035, 0x8847, 0x8848,
					  0x0004 /* ETH_P_802_2 */, 0x88cc, 0x0800, 0x86dd };
	static const uint16_t tpids[] = { 0x8100, 0x88a8 };
	struct flow_vlan *tag[2] = { &k->vlan, &k->cvlan };
	int tags = kg_u32(s) % 3;

	memset(k, 0, sizeof(*k));
	k->priority = kg_u32(s) % 2 ? kg_u32(s) : 0;
	k->skb_mark = kg_u32(s) % 2 ? kg_u32(s) : 0;
	k->recirc_id = kg_u32(s) % 2 ? kg_u32(s) : 0;
	k->dp_hash = kg_u32(s) % 2 ? kg_u32(s) : 0;
	k->in_port = kg_u32(s) % 8 ? kg_u32(s) % ODP_PORT_NONE : ODP_PORT_NONE;
	if (kg_u32(s) % 4 == 0) {
		k->ct_state = (uint8_t)kg_u32(s);
		k->ct_zone = (uint16_t)kg_u32(s);
		k->ct_mark = kg_u32(s);
		kg_bytes(s, k->ct_labels, sizeof(k->ct_labels));
	}
	if (kg_u32(s) % 4 == 0)
		kg_tunnel(s, &k->tun);
	kg_bytes(s, k->eth_src, 6);
	kg_bytes(s, k->eth_dst, 6);
	for (int i = 0; i < tags; i++) {
		tag[i]->tpid = htons(kg_pick16(s, tpids, 2));
		tag[i]->tci = htons((kg_u32(s) & 0xefff) | 0x1000);
	}
	/* One in eight: a tag cut short, or a third tag. */
	if (kg_u32(s) % 8 == 0)
		k->eth_type = htons(kg_pick16(s, tpids, 2));
	else
		k->eth_type = htons(kg_pick16(s, types, sizeof(types) / sizeof(types[0])));
	kg_l3(s, k);
}

/* A mask the kernel's rules allow for unmasked key 'k'. */
static inline void kg_mask(uint64_t *s, const struct flow_key *k, struct flow_key *m)
{
	struct flow_vlan *mtag[2] = { &m->vlan, &m->cvlan };
	const struct flow_vlan *ktag[2] = { &k->vlan, &k->cvlan };
	bool ipv4 = k->eth_type == htons(ETH_P_IP), ipv6 = k->eth_type == htons(ETH_P_IPV6);

	memset(m, 0, sizeof(*m));
	KG_MASK(s, m->priority);
	KG_MASK(s, m->skb_mark);
	KG_MASK(s, m->recirc_id);
	KG_MASK(s, m->dp_hash);
	m->in_port = kg_u32(s) % 2 ? UINT32_MAX : 0;
	KG_MASK(s, m->ct_state);
	KG_MASK(s, m->ct_zone);
	KG_MASK(s, m->ct_mark);
	KG_MASK(s, m->ct_labels);
	if (kg_u32(s) % 2) {
		KG_MASK(s, m->tun.ipv4_src);
		KG_MASK(s, m->tun.ipv4_dst);
		KG_MASK(s, m->tun.tos);
		KG_MASK(s, m->tun.ttl);
		KG_MASK(s, m->tun.tp_src);
		KG_MASK(s, m->tun.tp_dst);
		m->tun.flags = kg_u32(s) & 0xf;
		if (m->tun.flags & FLOW_TNL_F_KEY)
			KG_MASK(s, m->tun.tun_id);
	}
	KG_MASK(s, m->eth_src);
	KG_MASK(s, m->eth_dst);
	m->eth_type = kg_u32(s) % 4 ? 0xffff : 0;
	for (int i = 0; i < 2; i++) {
		if (ktag[i]->tci) {
			mtag[i]->tpid = 0xffff;
			KG_MASK(s, mtag[i]->tci);
			mtag[i]->tci |= htons(0x1000);
		} else {
			mtag[i]->tci = 0xffff;
		}
	}
	if (m->eth_type != 0xffff)
		return;
	if (ipv4 || ipv6) {
		KG_MASK(s, m->ip_proto);
		KG_MASK(s, m->ip_tos);
		KG_MASK(s, m->ip_ttl);
		KG_MASK(s, m->ip_frag);
		if (ipv4) {
			KG_MASK(s, m->ipv4.src);
			KG_MASK(s, m->ipv4.dst);
		} else {
			KG_MASK(s, m->ipv6.src);
			KG_MASK(s, m->ipv6.dst);
			KG_MASK(s, m->ipv6.label);
		}
		if (k->ip_frag == OVS_FRAG_TYPE_LATER || m->ip_proto != 0xff)
			return;
		uint8_t p = k->ip_proto;
		if (p == IPPROTO_TCP || p == IPPROTO_UDP || p == IPPROTO_SCTP) {
			KG_MASK(s, m->tp_src);
			KG_MASK(s, m->tp_dst);
			if (p == IPPROTO_TCP)
				KG_MASK(s, m->tp_flags);
		} else if ((ipv4 && p == IPPROTO_ICMP) || (ipv6 && p == IPPROTO_ICMPV6)) {
			uint8_t t, c;

			KG_MASK(s, t);
			KG_MASK(s, c);
			m->tp_src = htons(t);
			m->tp_dst = htons(c);
			if (ipv6 && m->tp_src == htons(0xff) &&
			    (k->tp_src == htons(135) || k->tp_src == htons(136))) {
				KG_MASK(s, m->ipv6.nd_target);
				KG_MASK(s, m->ipv6.nd_sll);
				KG_MASK(s, m->ipv6.nd_tll);
			}
		}
	} else if (k->eth_type == htons(ETH_P_ARP) || k->eth_type == htons(ETH_P_RARP)) {
		KG_MASK(s, m->ipv4.src);
		KG_MASK(s, m->ipv4.dst);
		KG_MASK(s, m->ip_proto);
		KG_MASK(s, m->ipv4.arp_sha);
		KG_MASK(s, m->ipv4.arp_tha);
	} else if (k->eth_type == htons(ETH_P_MPLS_UC) || k->eth_type == htons(ETH_P_MPLS_MC)) {
		KG_MASK(s, m->mpls_lse);
	}
}

#endif /* TEST_KEYGEN_H */
