/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flows in text: struct flow_key (key, mask) <-> the attribute sequence
 * OVS prints. Printing rebuilds the attributes in the order and with the
 * presence rules of OVS's odp_flow_key_from_flow() (the userspace
 * datapath's dump order) and applies odp_flow_format()'s rules on what to
 * leave out; parsing maps attributes onto the struct as the kernel's
 * ovs_key_from_nlattrs() does (VLAN tags through eth_type/vlan/encap).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/openvswitch.h>
#include <stdlib.h>
#include <string.h>

#include "odp_text.h"
#include "text_int.h"

#define ETH_TYPE_MIN ETH_P_802_3_MIN

static bool eth_type_vlan(uint16_t be)
{
	return be == htons(ETH_P_8021Q) || be == htons(ETH_P_8021AD);
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* ==================== Printing ==================== */

struct fctx {
	struct strbuf *sb;
	bool verbose;
	bool first;        /* no attribute printed yet at this level */
	bool has_ethtype;  /* an eth_type key attribute was seen at this level */
};

static void sep(struct fctx *c)
{
	if (!c->first)
		strbuf_addc(c->sb, ',');
}

/* One attribute through odp_flow_format()'s filter. */
static void put_attr(struct fctx *c, uint16_t type, const void *key, const void *mask,
		     size_t len, size_t mask_len)
{
	bool nested = type == OVS_KEY_ATTR_TUNNEL;

	if (type == OVS_KEY_ATTR_ETHERTYPE)
		c->has_ethtype = true;
	if (c->verbose || nested || !kattr_mask_is_wildcard(type, mask, mask_len)) {
		sep(c);
		kattr_format(c->sb, type, key, len, mask, mask_len, c->verbose);
		c->first = false;
	} else if (type == OVS_KEY_ATTR_ETHERNET) {
		/* An Ethernet flow says so even when it matches no address;
		 * like OVS, this does not count as the first field printed. */
		sep(c);
		strbuf_add(c->sb, "eth()", 5);
	}
}

static void put_u32(struct fctx *c, uint16_t type, uint32_t k, uint32_t m)
{
	put_attr(c, type, &k, &m, 4, 4);
}

static void put_be16(struct fctx *c, uint16_t type, uint16_t k, uint16_t m)
{
	put_attr(c, type, &k, &m, 2, 2);
}

static void put_metadata(struct fctx *c, const struct flow_key *k, const struct flow_key *m)
{
	uint16_t zone_k = k->ct_zone, zone_m = m->ct_zone;

	put_u32(c, OVS_KEY_ATTR_PRIORITY, k->priority, m->priority);
	if (!all_zero(&k->tun, sizeof(k->tun)) || !all_zero(&m->tun, sizeof(m->tun))) {
		uint8_t ks[KATTR_PAYLOAD_MAX], ms[KATTR_PAYLOAD_MAX];
		size_t kl = tunnel_to_stream(&k->tun, ks, sizeof(ks));
		size_t ml = tunnel_to_stream(&m->tun, ms, sizeof(ms));

		put_attr(c, OVS_KEY_ATTR_TUNNEL, ks, ms, kl, ml);
	}
	put_u32(c, OVS_KEY_ATTR_SKB_MARK, k->skb_mark, m->skb_mark);
	put_u32(c, OVS_KEY_ATTR_CT_STATE, k->ct_state, m->ct_state);
	put_attr(c, OVS_KEY_ATTR_CT_ZONE, &zone_k, &zone_m, sizeof(zone_k), sizeof(zone_m));
	put_u32(c, OVS_KEY_ATTR_CT_MARK, k->ct_mark, m->ct_mark);
	put_attr(c, OVS_KEY_ATTR_CT_LABELS, k->ct_labels, m->ct_labels, sizeof(k->ct_labels),
		 sizeof(m->ct_labels));
	put_u32(c, OVS_KEY_ATTR_RECIRC_ID, k->recirc_id, m->recirc_id);
	put_u32(c, OVS_KEY_ATTR_DP_HASH, k->dp_hash, m->dp_hash);
	put_u32(c, OVS_KEY_ATTR_IN_PORT, k->in_port, m->in_port);
}

static void eth_payload(const struct flow_key *f, struct ovs_key_ethernet *e)
{
	memcpy(e->eth_src, f->eth_src, 6);
	memcpy(e->eth_dst, f->eth_dst, 6);
}

static void ipv4_payload(const struct flow_key *f, struct ovs_key_ipv4 *p)
{
	memset(p, 0, sizeof(*p));
	p->ipv4_src = f->ipv4.src;
	p->ipv4_dst = f->ipv4.dst;
	p->ipv4_proto = f->ip_proto;
	p->ipv4_tos = f->ip_tos;
	p->ipv4_ttl = f->ip_ttl;
	p->ipv4_frag = f->ip_frag;
}

static void ipv6_payload(const struct flow_key *f, struct ovs_key_ipv6 *p)
{
	memset(p, 0, sizeof(*p));
	memcpy(p->ipv6_src, f->ipv6.src, 16);
	memcpy(p->ipv6_dst, f->ipv6.dst, 16);
	p->ipv6_label = f->ipv6.label;
	p->ipv6_proto = f->ip_proto;
	p->ipv6_tclass = f->ip_tos;
	p->ipv6_hlimit = f->ip_ttl;
	p->ipv6_frag = f->ip_frag;
}

/* The ARP opcode lives in the 8-bit ip_proto, as in the kernel's key. */
/* As the kernel's ovs_nla_put_key() writes it: the key keeps an 8-bit
 * opcode, so an exact op mask is 0x00ff, which ovs-dpctl prints as
 * "op=N/0xff" for a kernel datapath's flow (and for ours). */
static void arp_payload(const struct flow_key *f, struct ovs_key_arp *p)
{
	memset(p, 0, sizeof(*p));
	p->arp_sip = f->ipv4.src;
	p->arp_tip = f->ipv4.dst;
	p->arp_op = htons(f->ip_proto);
	memcpy(p->arp_sha, f->ipv4.arp_sha, 6);
	memcpy(p->arp_tha, f->ipv4.arp_tha, 6);
}

static void nd_payload(const struct flow_key *f, struct ovs_key_nd *p)
{
	memcpy(p->nd_target, f->ipv6.nd_target, 16);
	memcpy(p->nd_sll, f->ipv6.nd_sll, 6);
	memcpy(p->nd_tll, f->ipv6.nd_tll, 6);
}

static void put_l4(struct fctx *c, const struct flow_key *k, const struct flow_key *m)
{
	bool v4 = k->eth_type == htons(ETH_P_IP);
	struct ovs_key_tcp kt = { k->tp_src, k->tp_dst }, mt = { m->tp_src, m->tp_dst };

	if (k->ip_frag == OVS_FRAG_TYPE_LATER)
		return; /* no L4 header in later fragments */
	switch (k->ip_proto) {
	case 6:
		put_attr(c, OVS_KEY_ATTR_TCP, &kt, &mt, sizeof(kt), sizeof(mt));
		if (k->tp_flags || m->tp_flags)
			put_be16(c, OVS_KEY_ATTR_TCP_FLAGS, k->tp_flags, m->tp_flags);
		return;
	case 17:
		put_attr(c, OVS_KEY_ATTR_UDP, &kt, &mt, sizeof(kt), sizeof(mt));
		return;
	case 132:
		put_attr(c, OVS_KEY_ATTR_SCTP, &kt, &mt, sizeof(kt), sizeof(mt));
		return;
	}
	struct ovs_key_icmp ki = { (uint8_t)ntohs(k->tp_src), (uint8_t)ntohs(k->tp_dst) };
	struct ovs_key_icmp mi = { (uint8_t)ntohs(m->tp_src), (uint8_t)ntohs(m->tp_dst) };

	if (v4 && k->ip_proto == 1) {
		put_attr(c, OVS_KEY_ATTR_ICMP, &ki, &mi, sizeof(ki), sizeof(mi));
	} else if (!v4 && k->ip_proto == 58) {
		put_attr(c, OVS_KEY_ATTR_ICMPV6, &ki, &mi, sizeof(ki), sizeof(mi));
		if ((ki.icmp_type == 135 || ki.icmp_type == 136) && ki.icmp_code == 0) {
			struct ovs_key_nd kn, mn;

			nd_payload(k, &kn);
			nd_payload(m, &mn);
			/* OVS masks ND only under an exact ICMPv6 type and code. */
			if (mi.icmp_type != 0xff || mi.icmp_code != 0xff)
				memset(&mn, 0, sizeof(mn));
			put_attr(c, OVS_KEY_ATTR_ND, &kn, &mn, sizeof(kn), sizeof(mn));
		}
	}
}

static void put_l3(struct fctx *c, const struct flow_key *k, const struct flow_key *m)
{
	uint16_t et = ntohs(k->eth_type);

	if (et == ETH_P_IP) {
		struct ovs_key_ipv4 kp, mp;

		ipv4_payload(k, &kp);
		ipv4_payload(m, &mp);
		put_attr(c, OVS_KEY_ATTR_IPV4, &kp, &mp, sizeof(kp), sizeof(mp));
	} else if (et == ETH_P_IPV6) {
		struct ovs_key_ipv6 kp, mp;

		ipv6_payload(k, &kp);
		ipv6_payload(m, &mp);
		put_attr(c, OVS_KEY_ATTR_IPV6, &kp, &mp, sizeof(kp), sizeof(mp));
	} else if (et == ETH_P_ARP || et == ETH_P_RARP) {
		struct ovs_key_arp kp, mp;

		arp_payload(k, &kp);
		arp_payload(m, &mp);
		put_attr(c, OVS_KEY_ATTR_ARP, &kp, &mp, sizeof(kp), sizeof(mp));
	} else if (et == ETH_P_MPLS_UC || et == ETH_P_MPLS_MC) {
		put_attr(c, OVS_KEY_ATTR_MPLS, &k->mpls_lse, &m->mpls_lse, sizeof(k->mpls_lse),
			 sizeof(m->mpls_lse));
	}
	if (et == ETH_P_IP || et == ETH_P_IPV6)
		put_l4(c, k, m);
}

/* Everything after eth(): VLAN tags as eth_type+vlan+encap(), then L3. */
static void put_after_eth(struct fctx *c, const struct flow_key *k, const struct flow_key *m,
			  int tag)
{
	if (tag < 2) {
		const struct flow_vlan *kv = tag ? &k->cvlan : &k->vlan;
		const struct flow_vlan *mv = tag ? &m->cvlan : &m->vlan;
		uint16_t tpid = kv->tpid, tpid_mask = mv->tpid;
		bool truncated = kv->tci == 0;

		if (truncated && eth_type_vlan(k->eth_type)) {
			/* A VLAN header cut short: its TPID is the eth_type. */
			tpid = k->eth_type;
			tpid_mask = m->eth_type;
		}
		if (!truncated || eth_type_vlan(k->eth_type)) {
			struct fctx inner = { c->sb, c->verbose, true, false };

			put_be16(c, OVS_KEY_ATTR_ETHERTYPE, tpid, tpid_mask);
			put_be16(c, OVS_KEY_ATTR_VLAN, kv->tci, mv->tci);
			sep(c);
			strbuf_add(c->sb, "encap(", 6);
			if (!truncated)
				put_after_eth(&inner, k, m, tag + 1);
			strbuf_addc(c->sb, ')');
			c->first = false;
			return;
		}
	}
	/* An 802.2 frame has no eth_type key attribute: OVS shows the mask
	 * alone, after the rest. Any other value, masked or not, is shown. */
	if (ntohs(k->eth_type) >= ETH_TYPE_MIN || m->eth_type != 0xffff) {
		put_be16(c, OVS_KEY_ATTR_ETHERTYPE, k->eth_type, m->eth_type);
		if (!eth_type_vlan(k->eth_type))
			put_l3(c, k, m);
	}
	if (!c->has_ethtype && m->eth_type)
		strbuf_addf(c->sb, ",eth_type(0/0x%04x)", ntohs(m->eth_type));
}

void odp_flow_format(struct strbuf *sb, const struct flow_key *key,
		     const struct flow_key *mask, bool verbose)
{
	struct fctx c = { sb, verbose, true, false };
	struct ovs_key_ethernet ke, me;

	put_metadata(&c, key, mask);
	eth_payload(key, &ke);
	eth_payload(mask, &me);
	put_attr(&c, OVS_KEY_ATTR_ETHERNET, &ke, &me, sizeof(ke), sizeof(me));
	put_after_eth(&c, key, mask, 0);
}

/* ==================== Parsing ==================== */

enum {
	GRP_L3 = 1, /* ipv4, ipv6, arp: they share the address union and ip_proto */
	GRP_L4 = 2, /* tcp, udp, sctp, icmp, icmpv6: they share tp_src/tp_dst */
};

struct pstate {
	struct scan *sc;
	struct flow_key *k, *m;
	uint64_t seen;             /* OVS_KEY_ATTR_* bits of global attributes */
	const char *group_at[3];   /* first attribute of each exclusive group */
	bool have_eth_type;        /* the inner eth_type was set */
};

static int attr_group(uint16_t type)
{
	switch (type) {
	case OVS_KEY_ATTR_IPV4:
	case OVS_KEY_ATTR_IPV6:
	case OVS_KEY_ATTR_ARP:
		return GRP_L3;
	case OVS_KEY_ATTR_TCP:
	case OVS_KEY_ATTR_UDP:
	case OVS_KEY_ATTR_SCTP:
	case OVS_KEY_ATTR_ICMP:
	case OVS_KEY_ATTR_ICMPV6:
		return GRP_L4;
	default:
		return 0;
	}
}

static bool is_outer_only(uint16_t type)
{
	switch (type) {
	case OVS_KEY_ATTR_PRIORITY:
	case OVS_KEY_ATTR_SKB_MARK:
	case OVS_KEY_ATTR_RECIRC_ID:
	case OVS_KEY_ATTR_DP_HASH:
	case OVS_KEY_ATTR_IN_PORT:
	case OVS_KEY_ATTR_CT_STATE:
	case OVS_KEY_ATTR_CT_ZONE:
	case OVS_KEY_ATTR_CT_MARK:
	case OVS_KEY_ATTR_CT_LABELS:
	case OVS_KEY_ATTR_TUNNEL:
	case OVS_KEY_ATTR_ETHERNET:
		return true;
	default:
		return false;
	}
}

static int check_unique(struct pstate *ps, const struct kattr *ka, int level)
{
	int grp = attr_group(ka->type);

	if (level > 0 && is_outer_only(ka->type))
		return scan_fail(ps->sc, ka->at, "'%s' is not allowed inside encap()",
				 kattr_name(ka->type));
	if (ps->seen & (1ull << ka->type))
		return scan_fail(ps->sc, ka->at, "duplicate '%s' attribute", kattr_name(ka->type));
	if (grp && ps->group_at[grp]) {
		int n = scan_word(ps->group_at[grp]);

		return scan_fail(ps->sc, ka->at, "'%s' conflicts with '%.*s'", kattr_name(ka->type),
				 n, ps->group_at[grp]);
	}
	ps->seen |= 1ull << ka->type;
	if (grp)
		ps->group_at[grp] = ka->at;
	return 0;
}

static int apply_arp(struct pstate *ps, const struct kattr *ka)
{
	const struct ovs_key_arp *kp = (const void *)ka->key, *mp = (const void *)ka->mask;
	uint16_t op = ntohs(kp->arp_op), opm = ntohs(mp->arp_op);
	const char *op_at = ka->field_at[2] ? ka->field_at[2] : ka->at;

	/* The key keeps the opcode in 8 bits, as the kernel's does. */
	if (op > 0xff)
		return scan_fail(ps->sc, op_at, "ARP op %u out of range (max 255)", op);
	if (opm != 0xffff && opm > 0xff)
		return scan_fail(ps->sc, op_at, "ARP op mask %#x out of range (max 0xff)", opm);
	ps->k->ipv4.src = kp->arp_sip;
	ps->m->ipv4.src = mp->arp_sip;
	ps->k->ipv4.dst = kp->arp_tip;
	ps->m->ipv4.dst = mp->arp_tip;
	ps->k->ip_proto = (uint8_t)op;
	ps->m->ip_proto = (uint8_t)opm;
	memcpy(ps->k->ipv4.arp_sha, kp->arp_sha, 6);
	memcpy(ps->m->ipv4.arp_sha, mp->arp_sha, 6);
	memcpy(ps->k->ipv4.arp_tha, kp->arp_tha, 6);
	memcpy(ps->m->ipv4.arp_tha, mp->arp_tha, 6);
	return 0;
}

static void apply_ipv4(struct flow_key *f, const struct ovs_key_ipv4 *p)
{
	f->ipv4.src = p->ipv4_src;
	f->ipv4.dst = p->ipv4_dst;
	f->ip_proto = p->ipv4_proto;
	f->ip_tos = p->ipv4_tos;
	f->ip_ttl = p->ipv4_ttl;
	f->ip_frag = p->ipv4_frag;
}

static void apply_ipv6(struct flow_key *f, const struct ovs_key_ipv6 *p)
{
	memcpy(f->ipv6.src, p->ipv6_src, 16);
	memcpy(f->ipv6.dst, p->ipv6_dst, 16);
	f->ipv6.label = p->ipv6_label;
	f->ip_proto = p->ipv6_proto;
	f->ip_tos = p->ipv6_tclass;
	f->ip_ttl = p->ipv6_hlimit;
	f->ip_frag = p->ipv6_frag;
}

static void apply_nd(struct flow_key *f, const struct ovs_key_nd *p)
{
	memcpy(f->ipv6.nd_target, p->nd_target, 16);
	memcpy(f->ipv6.nd_sll, p->nd_sll, 6);
	memcpy(f->ipv6.nd_tll, p->nd_tll, 6);
}

static void apply_tp(struct flow_key *f, const struct ovs_key_tcp *p)
{
	f->tp_src = p->tcp_src;
	f->tp_dst = p->tcp_dst;
}

static void apply_icmp(struct flow_key *f, const struct ovs_key_icmp *p)
{
	f->tp_src = htons(p->icmp_type);
	f->tp_dst = htons(p->icmp_code);
}

/* Copy one parsed attribute's key and mask into the flow. */
static int apply_attr(struct pstate *ps, const struct kattr *ka)
{
	struct flow_key *k = ps->k, *m = ps->m;
	const void *kp = ka->key, *mp = ka->mask;

	switch (ka->type) {
	case OVS_KEY_ATTR_PRIORITY: k->priority = rd32(kp); m->priority = rd32(mp); break;
	case OVS_KEY_ATTR_SKB_MARK: k->skb_mark = rd32(kp); m->skb_mark = rd32(mp); break;
	case OVS_KEY_ATTR_RECIRC_ID: k->recirc_id = rd32(kp); m->recirc_id = rd32(mp); break;
	case OVS_KEY_ATTR_DP_HASH: k->dp_hash = rd32(kp); m->dp_hash = rd32(mp); break;
	case OVS_KEY_ATTR_IN_PORT: k->in_port = rd32(kp); m->in_port = rd32(mp); break;
	case OVS_KEY_ATTR_CT_MARK: k->ct_mark = rd32(kp); m->ct_mark = rd32(mp); break;
	case OVS_KEY_ATTR_CT_ZONE: k->ct_zone = rd16(kp); m->ct_zone = rd16(mp); break;
	case OVS_KEY_ATTR_CT_STATE:
		/* Eight states exist; the "a|b" form's 32-bit mask keeps them all. */
		k->ct_state = (uint8_t)rd32(kp);
		m->ct_state = (uint8_t)rd32(mp);
		break;
	case OVS_KEY_ATTR_CT_LABELS:
		memcpy(k->ct_labels, kp, 16);
		memcpy(m->ct_labels, mp, 16);
		break;
	case OVS_KEY_ATTR_TUNNEL:
		k->tun = ka->tun_key;
		m->tun = ka->tun_mask;
		break;
	case OVS_KEY_ATTR_ETHERNET: {
		const struct ovs_key_ethernet *ke = kp, *me = mp;

		memcpy(k->eth_src, ke->eth_src, 6);
		memcpy(k->eth_dst, ke->eth_dst, 6);
		memcpy(m->eth_src, me->eth_src, 6);
		memcpy(m->eth_dst, me->eth_dst, 6);
		break;
	}
	case OVS_KEY_ATTR_IPV4: apply_ipv4(k, kp); apply_ipv4(m, mp); break;
	case OVS_KEY_ATTR_IPV6: apply_ipv6(k, kp); apply_ipv6(m, mp); break;
	case OVS_KEY_ATTR_ARP: return apply_arp(ps, ka);
	case OVS_KEY_ATTR_ND: apply_nd(k, kp); apply_nd(m, mp); break;
	case OVS_KEY_ATTR_TCP:
	case OVS_KEY_ATTR_UDP:
	case OVS_KEY_ATTR_SCTP: apply_tp(k, kp); apply_tp(m, mp); break;
	case OVS_KEY_ATTR_ICMP:
	case OVS_KEY_ATTR_ICMPV6: apply_icmp(k, kp); apply_icmp(m, mp); break;
	case OVS_KEY_ATTR_TCP_FLAGS:
		/* Only the 12 flag bits exist; "a|b" has OVS's 16-bit mask. */
		k->tp_flags = rd16(kp) & htons(0x0fff);
		m->tp_flags = rd16(mp) & htons(0x0fff);
		break;
	case OVS_KEY_ATTR_MPLS: k->mpls_lse = rd32(kp); m->mpls_lse = rd32(mp); break;
	default:
		return scan_fail(ps->sc, ka->at, "unexpected '%s' attribute",
				 kattr_name(ka->type) ? kattr_name(ka->type) : "?");
	}
	return 0;
}

/* An eth_type() or vlan() kept until the end of its level: both are be16. */
struct kval16 {
	const char *at;
	uint16_t key, mask; /* network order */
};

static void kval16_set(struct kval16 *v, const struct kattr *ka)
{
	v->at = ka->at;
	v->key = rd16(ka->key);
	v->mask = rd16(ka->mask);
}

/* The eth_type that is not a VLAN TPID: the innermost one. */
static int set_eth_type(struct pstate *ps, const struct kval16 *et)
{
	uint16_t v = ntohs(et->key), mask = ntohs(et->mask);

	if (ps->have_eth_type)
		return scan_fail(ps->sc, et->at, "duplicate 'eth_type' attribute");
	ps->have_eth_type = true;
	if (v < ETH_TYPE_MIN && mask == 0xffff) {
		/* "eth_type(0/0xffff)" is how OVS writes "not Ethernet II";
		 * a masked value below 0x600 is just a masked value. */
		if (v != 0)
			return scan_fail(ps->sc, et->at, "invalid Ethertype %#x (below 0x600)", v);
		v = ETH_P_802_2;
	}
	ps->k->eth_type = htons(v);
	ps->m->eth_type = htons(mask);
	return 0;
}

/* Tag 'level' from its eth_type (TPID) and vlan() attributes. */
static int set_tag(struct pstate *ps, int level, const struct kval16 *et, const struct kval16 *vl,
		   bool encap_empty)
{
	struct flow_vlan *kv = level ? &ps->k->cvlan : &ps->k->vlan;
	struct flow_vlan *mv = level ? &ps->m->cvlan : &ps->m->vlan;
	uint16_t tci = ntohs(vl->key);

	kv->tci = vl->key;
	mv->tci = vl->mask;
	if (!(tci & 0x1000)) {
		/* The kernel's truncated VLAN header: TCI 0, nothing inside. */
		if (tci != 0)
			return scan_fail(ps->sc, vl->at, "vlan() with cfi=0 must have vid=0,pcp=0");
		if (!encap_empty)
			return scan_fail(ps->sc, vl->at, "truncated VLAN header with a non-empty encap()");
		if (et == NULL)
			return scan_fail(ps->sc, vl->at, "truncated VLAN header without eth_type");
		return set_eth_type(ps, et);
	}
	if (et) {
		kv->tpid = et->key;
		mv->tpid = et->mask;
	}
	return 0;
}

static int parse_level(struct pstate *ps, int level);

/* Handle one attribute of a level; eth_type/vlan wait for the level's end. */
static int level_attr(struct pstate *ps, int level, const struct kattr *ka, struct kval16 *et,
		      struct kval16 *vl, bool *have_et, bool *have_vl, int *encap)
{
	switch (ka->type) {
	case OVS_KEY_ATTR_ETHERTYPE:
		if (*have_et)
			return scan_fail(ps->sc, ka->at, "duplicate 'eth_type' attribute");
		kval16_set(et, ka);
		*have_et = true;
		return 0;
	case OVS_KEY_ATTR_VLAN:
		if (*have_vl)
			return scan_fail(ps->sc, ka->at, "duplicate 'vlan' attribute");
		if (level >= 2)
			return scan_fail(ps->sc, ka->at, "more than two VLAN headers");
		kval16_set(vl, ka);
		*have_vl = true;
		return 0;
	case OVS_KEY_ATTR_ENCAP: {
		const char *inner = ps->sc->p;

		if (*encap >= 0)
			return scan_fail(ps->sc, ka->at, "duplicate 'encap' attribute");
		/* Empty means nothing but separators before its ')'. */
		while (scan_is_delim(*inner))
			inner++;
		*encap = *inner == ')';
		/* OVS prints a truncated VLAN header whose TCI is wildcarded as
		 * "eth_type(0x8100),encap()": the one encap() without a vlan(). */
		if (!*have_vl && !*encap)
			return scan_fail(ps->sc, ka->at, "encap() without vlan() before it");
		if (level >= 2)
			return scan_fail(ps->sc, ka->at, "more than two VLAN headers");
		return parse_level(ps, level + 1);
	}
	default:
		if (check_unique(ps, ka, level))
			return -EINVAL;
		return apply_attr(ps, ka);
	}
}

/* Attributes up to the end of the string (level 0) or of an encap().
 * Levels nest at most three deep (two VLAN tags), so 'ka' is on the stack. */
static int parse_level(struct pstate *ps, int level)
{
	struct scan *sc = ps->sc;
	struct kattr ka;
	struct kval16 et = { 0 }, vl = { 0 };
	bool have_et = false, have_vl = false;
	int encap = -1, err = 0;

	for (;;) {
		scan_skip_delims(sc);
		if (*sc->p == '\0') {
			if (level > 0)
				err = scan_fail(sc, sc->p, "missing ')' to close encap(");
			break;
		}
		if (*sc->p == ')') {
			if (level == 0)
				err = scan_fail(sc, sc->p, "unbalanced ')'");
			else
				sc->p++;
			break;
		}
		if ((err = kattr_parse(sc, &ka)))
			break;
		if ((err = level_attr(ps, level, &ka, &et, &vl, &have_et, &have_vl, &encap)))
			break;
	}
	if (!err && have_vl)
		err = set_tag(ps, level, have_et ? &et : NULL, &vl, encap != 0);
	else if (!err && have_et)
		err = set_eth_type(ps, &et);
	return err;
}

int odp_ufid_parse(const char *s, struct flow_ufid *ufid, struct errmsg *err)
{
	static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
	struct scan sc;
	char hex[33];
	int n = 0;

	scan_init(&sc, s, err);
	if (!scan_lit(&sc, "ufid:"))
		return scan_fail(&sc, s, "expected 'ufid:'");
	for (int i = 0; shape[i]; i++) {
		char c = sc.p[i];

		if (shape[i] == '-' ? c != '-' : !((c >= '0' && c <= '9') ||
						   (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return scan_fail(&sc, sc.p, "bad UUID '%.*s'", scan_toklen(sc.p), sc.p);
		if (shape[i] != '-')
			hex[n++] = c;
	}
	hex[n] = '\0';
	for (int i = 0; i < 4; i++) {
		char word[9];

		memcpy(word, hex + 8 * i, 8);
		word[8] = '\0';
		ufid->u32[i] = (uint32_t)strtoul(word, NULL, 16);
	}
	return 0;
}

void odp_ufid_format(struct strbuf *sb, const struct flow_ufid *u)
{
	strbuf_addf(sb, "ufid:%08x-%04x-%04x-%04x-%04x%08x", u->u32[0], u->u32[1] >> 16,
		    u->u32[1] & 0xffff, u->u32[2] >> 16, u->u32[2] & 0xffff, u->u32[3]);
}


int odp_flow_parse(const char *s, struct odp_match *m, struct errmsg *err)
{
	struct pstate ps;
	struct scan sc;
	int rc;

	flow_key_zero(&m->key);
	flow_key_zero(&m->mask);
	memset(&m->ufid, 0, sizeof(m->ufid));
	m->has_ufid = false;
	scan_init(&sc, s, err);
	scan_skip_delims(&sc);
	if (*sc.p == '\0')
		return scan_fail(&sc, sc.p, "empty flow");
	if (strncmp(sc.p, "ufid:", 5) == 0) {
		const char *at = sc.p;

		if (odp_ufid_parse(at, &m->ufid, NULL))
			return scan_fail(&sc, at + 5, "bad UUID '%.*s'", scan_toklen(at + 5), at + 5);
		m->has_ufid = true;
		sc.p = at + 5 + 36;
		if (*sc.p && !scan_is_delim(*sc.p))
			return scan_fail(&sc, sc.p, "expected ',' after the ufid");
	}
	memset(&ps, 0, sizeof(ps));
	ps.sc = &sc;
	ps.k = &m->key;
	ps.m = &m->mask;
	rc = parse_level(&ps, 0);
	if (rc) {
		memset(m, 0, sizeof(*m));
		return rc;
	}
	flow_key_mask_apply(&m->key, &m->key, &m->mask);
	return 0;
}

/* ==================== dump-flows lines ==================== */

void odp_tcp_flags_format(struct strbuf *sb, uint16_t f)
{
	static const struct {
		uint16_t bit;
		const char *s;
	} letters[] = {
		{ 0x002, "S" }, { 0x001, "F" }, { 0x008, "P" }, { 0x004, "R" },
		{ 0x020, "U" }, { 0x010, "." }, { 0x040, "E" }, { 0x080, "C" },
		{ 0x100, "N" }, { 0x200, "[200]" }, { 0x400, "[400]" }, { 0x800, "[800]" },
	};

	if (f == 0) {
		strbuf_add(sb, "none", 4);
		return;
	}
	for (size_t i = 0; i < sizeof(letters) / sizeof(letters[0]); i++)
		if (f & letters[i].bit)
			strbuf_addf(sb, "%s", letters[i].s);
}

void odp_dump_flow_format(struct strbuf *sb, const struct odp_dump_flow *f, uint64_t now_ms,
			  bool verbose)
{
	if (verbose && f->ufid) {
		odp_ufid_format(sb, f->ufid);
		strbuf_add(sb, ", ", 2);
	}
	odp_flow_format(sb, f->key, f->mask, verbose);
	strbuf_addf(sb, ", packets:%llu, bytes:%llu, used:", (unsigned long long)f->packets,
		    (unsigned long long)f->bytes);
	if (f->used_ms)
		strbuf_addf(sb, "%.3fs", (double)(int64_t)(now_ms - f->used_ms) / 1000.0);
	else
		strbuf_add(sb, "never", 5);
	if (f->tcp_flags) {
		strbuf_add(sb, ", flags:", 8);
		odp_tcp_flags_format(sb, f->tcp_flags);
	}
	if (verbose && f->dp_layer)
		strbuf_addf(sb, ", dp:%s", f->dp_layer);
	strbuf_add(sb, ", actions:", 10);
	odp_actions_format(sb, f->actions, f->actions_len);
}

/* ==================== flows files ==================== */

static size_t blank_span(const char *p)
{
	return strspn(p, " \t\r\n");
}

static void shift_err(struct errmsg *err, size_t by)
{
	if (err && err->err && err->offset >= 0)
		err->offset += (int)by;
}

/* The flow of a line through odp_flow_parse(): 0 and the offset of the
 * actions in *act, or an error. */
static int line_flow_general(const char *line, struct odp_match *m, size_t *act,
			     struct errmsg *err)
{
	size_t start = blank_span(line), end = start;
	char buf[1024], *flow;
	int rc;

	end += strcspn(line + end, " \t\r\n");
	/* "ufid:UUID flow actions": the ufid is a word of its own. */
	if (end - start == 5 + 36 && strncmp(line + start, "ufid:", 5) == 0) {
		end += blank_span(line + end);
		end += strcspn(line + end, " \t\r\n");
	}
	*act = end + blank_span(line + end);
	if (end == start || line[*act] == '\0')
		return errmsg_set(err, -EINVAL, (int)*act,
				  end == start ? "empty line" : "missing actions after the flow");
	/* The flow alone, NUL-terminated: on the stack unless it is long. */
	flow = end - start < sizeof(buf) ? buf : malloc(end - start + 1);
	if (flow == NULL)
		return errmsg_set(err, -ENOMEM, (int)start, "out of memory");
	memcpy(flow, line + start, end - start);
	flow[end - start] = '\0';
	/* A ufid separated by blanks becomes "ufid:UUID,flow" for the parser. */
	if (end - start > 41 && strncmp(flow, "ufid:", 5) == 0 && strchr(" \t\r\n", flow[41]))
		flow[41] = ',';
	rc = odp_flow_parse(flow, m, err);
	if (flow != buf)
		free(flow);
	shift_err(err, start);
	return rc;
}

int odp_flow_line_parse(const char *line, struct odp_match *m, struct nlbuf *actions,
			struct errmsg *err)
{
	/* Most lines of a bulk file take the fast path; it reports no errors. */
	size_t act = odp_flow_line_fast(line, m);
	int rc;

	if (err)
		errmsg_clear(err);
	if (act == 0 && (rc = line_flow_general(line, m, &act, err)) < 0)
		return rc;
	rc = odp_actions_parse(line + act, actions, err);
	shift_err(err, act);
	return rc;
}
