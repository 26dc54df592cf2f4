/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * actions_set: OVS_ACTION_ATTR_SET / SET_MASKED header rewrites and
 * dec_ttl, with their checksum fixes. A non-masked set is a masked set with
 * the full mask of its key type (the kernel converts it the same way).
 *
 * Checksums: IPv4 header and TCP/UDP/ICMPv6 (pseudo-header) checksums are
 * updated incrementally (RFC 1624, csum.h); a UDP checksum of 0 means
 * "none" and stays 0, and an update that yields 0 is sent as 0xffff. SCTP's
 * CRC32c is recomputed, carrying any error the packet already had (as the
 * kernel and OVS do). Every rewrite first checks whether anything changes,
 * so a no-op set never forces a copy of a shared packet.
 */
#include <netinet/in.h>

#include <linux/openvswitch.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_sctp.h>

#include "actions_priv.h"
#include "csum.h"
#include "offload.h"

/* What a set step needs: the value, the mask, the L4 protocol it targets. */
struct set_arg {
	const void *val;
	const void *mask;
	uint8_t proto;
};

static const struct ovs_key_ethernet eth_full = {
	.eth_src = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
	.eth_dst = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
};
/* proto and frag can't be set: a zero mask keeps them. */
static const struct ovs_key_ipv4 ipv4_full = {
	.ipv4_src = UINT32_MAX, .ipv4_dst = UINT32_MAX, .ipv4_tos = 0xff, .ipv4_ttl = 0xff,
};
static const struct ovs_key_ipv6 ipv6_full = {
	.ipv6_src = { UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX },
	.ipv6_dst = { UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX },
	.ipv6_label = RTE_BE32(0x000fffff), .ipv6_tclass = 0xff, .ipv6_hlimit = 0xff,
};
static const struct ovs_key_tcp ports_full = { .tcp_src = UINT16_MAX, .tcp_dst = UINT16_MAX };
static const struct ovs_key_icmp icmp_full = { .icmp_type = 0xff, .icmp_code = 0xff };
static const struct ovs_key_mpls mpls_full = { .mpls_lse = UINT32_MAX };

_Static_assert(sizeof(struct ovs_key_tcp) == sizeof(struct ovs_key_udp) &&
	       sizeof(struct ovs_key_tcp) == sizeof(struct ovs_key_sctp),
	       "port keys share one layout");
_Static_assert(sizeof(struct ovs_key_icmp) == sizeof(struct ovs_key_icmpv6),
	       "icmp keys share one layout");

/*
 * Sets byte 'off' of a header and folds the change into *check. The new
 * word is built in a register: storing the byte and loading the word back
 * stalls on store forwarding (measured: half the time of set_ipv4).
 */
static inline void put8_csum(uint8_t *h, unsigned int off, uint8_t val, uint16_t *check)
{
	uint8_t word[2];
	uint16_t old;

	if (h[off] == val)
		return;
	memcpy(word, h + (off & ~1u), sizeof(word));
	old = rd16(word);
	word[off & 1] = val;
	*check = csum_replace16(*check, old, rd16(word));
	h[off] = val;
}

static bool is_ipv4(const struct actions_pkt *p)
{
	return p->key->eth_type == RTE_BE16(RTE_ETHER_TYPE_IPV4) &&
	       hdr_present(p->mbuf, p->layout->l3, sizeof(struct rte_ipv4_hdr));
}

static bool is_ipv6(const struct actions_pkt *p)
{
	return p->key->eth_type == RTE_BE16(RTE_ETHER_TYPE_IPV6) &&
	       hdr_present(p->mbuf, p->layout->l3, sizeof(struct rte_ipv6_hdr));
}

/* The IP protocol of the L4 header at layout->l4. */
static uint8_t l4_proto(const struct actions_pkt *p)
{
	const uint8_t *ip = pkt_at(p, p->layout->l3);

	if (p->key->eth_type == RTE_BE16(RTE_ETHER_TYPE_IPV4))
		return ((const struct rte_ipv4_hdr *)ip)->next_proto_id;
	/* IPv6: the fixed header names it unless extension headers follow. */
	if (p->layout->l4 == p->layout->l3 + sizeof(struct rte_ipv6_hdr))
		return ((const struct rte_ipv6_hdr *)ip)->proto;
	return p->key->ip_proto;
}

/*
 * Folds an address change (4 or 16 bytes) into the L4 checksum that covers
 * it through the pseudo-header: TCP, UDP (unless 0 = none), ICMPv6.
 */
static void l4_csum_addr(struct actions_pkt *p, const uint8_t *old, const uint8_t *new,
			 unsigned int alen)
{
	uint16_t l4 = p->layout->l4;
	unsigned int at;
	uint8_t *th;
	uint16_t c;

	switch (l4_proto(p)) {
	case IPPROTO_TCP:
		at = 16;
		break;
	case IPPROTO_UDP:
		at = 6;
		break;
	case IPPROTO_ICMPV6:
		at = 2;
		break;
	default:
		return;
	}
	if (!hdr_present(p->mbuf, l4, at + 2))
		return;
	th = pkt_at(p, l4);
	c = rd16(th + at);
	if (unlikely(offload_csum_partial(p->mbuf))) {
		/* The field holds the pseudo-header sum itself, left for the
		 * output port to finish (offload.h): the change is added to it,
		 * not folded into a complemented checksum (as the kernel's
		 * inet_proto_csum_replace4() for CHECKSUM_PARTIAL). */
		c = (uint16_t)~c;
		c = alen == 4 ? csum_replace32(c, rd32(old), rd32(new)) :
				csum_replace128(c, old, new);
		st16(th + at, (uint16_t)~c);
		return;
	}
	if (at == 6 && c == 0)
		return;
	c = alen == 4 ? csum_replace32(c, rd32(old), rd32(new)) : csum_replace128(c, old, new);
	if (at == 6 && c == 0)
		c = 0xffff;
	st16(th + at, c);
}

/* ---- Ethernet --------------------------------------------------------- */

static bool set_eth(struct actions_ctx *ctx, struct actions_pkt *p, const void *arg)
{
	const struct set_arg *s = arg;
	const struct ovs_key_ethernet *v = s->val, *mk = s->mask;
	uint8_t addr[12];
	uint8_t *h;

	if (!hdr_present(p->mbuf, 0, sizeof(addr)))
		return drop_pkt(ctx, ACTIONS_DROP_NO_HEADER);
	h = pkt_at(p, 0);
	for (int i = 0; i < 6; i++) {
		addr[i] = MASKED(h[i], v->eth_dst[i], mk->eth_dst[i]);
		addr[6 + i] = MASKED(h[6 + i], v->eth_src[i], mk->eth_src[i]);
	}
	if (memcmp(addr, h, sizeof(addr)) != 0) {
		if (!pkt_writable(ctx, p, 0))
			return false;
		memcpy(pkt_at(p, 0), addr, sizeof(addr));
	}
	memcpy(p->key->eth_dst, addr, 6);
	memcpy(p->key->eth_src, addr + 6, 6);
	return true;
}

/* ---- IPv4 ------------------------------------------------------------- */

static void ipv4_set_addr(struct actions_pkt *p, struct rte_ipv4_hdr *ip, unsigned int off,
			  uint32_t addr, uint16_t *check)
{
	uint8_t *field = (uint8_t *)ip + off;
	uint32_t old = rd32(field);

	if (old == addr)
		return;
	/* Later fragments have no L4 header; layout->l4 is then absent. */
	if (!(ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK)))
		l4_csum_addr(p, field, (const uint8_t *)&addr, 4);
	*check = csum_replace32(*check, old, addr);
	st32(field, addr);
}

static bool set_ipv4(struct actions_ctx *ctx, struct actions_pkt *p, const void *arg)
{
	const struct set_arg *s = arg;
	const struct ovs_key_ipv4 *v = s->val, *mk = s->mask;
	const struct rte_ipv4_hdr *ip;
	struct rte_ipv4_hdr *w;
	uint32_t src, dst;
	uint16_t check;
	uint8_t tos, ttl;

	if (!is_ipv4(p))
		return drop_pkt(ctx, ACTIONS_DROP_NO_HEADER);
	ip = (const void *)pkt_at(p, p->layout->l3);
	src = MASKED(ip->src_addr, v->ipv4_src, mk->ipv4_src);
	dst = MASKED(ip->dst_addr, v->ipv4_dst, mk->ipv4_dst);
	tos = MASKED(ip->type_of_service, v->ipv4_tos, mk->ipv4_tos);
	ttl = MASKED(ip->time_to_live, v->ipv4_ttl, mk->ipv4_ttl);
	if (src != ip->src_addr || dst != ip->dst_addr || tos != ip->type_of_service ||
	    ttl != ip->time_to_live) {
		if (!pkt_writable(ctx, p, 0))
			return false;
		w = (void *)pkt_at(p, p->layout->l3);
		check = w->hdr_checksum;
		ipv4_set_addr(p, w, offsetof(struct rte_ipv4_hdr, src_addr), src, &check);
		ipv4_set_addr(p, w, offsetof(struct rte_ipv4_hdr, dst_addr), dst, &check);
		put8_csum((uint8_t *)w, offsetof(struct rte_ipv4_hdr, type_of_service), tos, &check);
		put8_csum((uint8_t *)w, offsetof(struct rte_ipv4_hdr, time_to_live), ttl, &check);
		w->hdr_checksum = check;
	}
	p->key->ipv4.src = src;
	p->key->ipv4.dst = dst;
	p->key->ip_tos = tos;
	p->key->ip_ttl = ttl;
	return true;
}

/* ---- IPv6 ------------------------------------------------------------- */

/*
 * True when a routing header with segments left precedes L4: the
 * pseudo-header then carries the final destination, not this one, so a new
 * destination leaves the L4 checksum alone (RFC 8200 8.1; as the kernel).
 */
static bool ipv6_routing_pending(const struct actions_pkt *p)
{
	uint32_t off = p->layout->l3 + sizeof(struct rte_ipv6_hdr), l4 = p->layout->l4;
	uint8_t next = ((const struct rte_ipv6_hdr *)pkt_at(p, p->layout->l3))->proto;

	/* Extension headers are at least 8 bytes; all lie before l4. */
	while (l4 != FLOW_OFS_NONE && off + 8 <= l4) {
		const uint8_t *e = pkt_at(p, (uint16_t)off);

		if (next == IPPROTO_ROUTING && e[3] != 0)
			return true;
		if (next == IPPROTO_HOPOPTS || next == IPPROTO_ROUTING || next == IPPROTO_DSTOPTS)
			off += (e[1] + 1u) * 8;
		else if (next == IPPROTO_AH)
			off += (e[1] + 2u) * 4;
		else if (next == IPPROTO_FRAGMENT)
			off += 8;
		else
			return false;
		next = e[0];
	}
	return false;
}

static void ipv6_set_addr(struct actions_pkt *p, uint8_t *field, const uint8_t *addr, bool csum)
{
	if (memcmp(field, addr, 16) == 0)
		return;
	if (csum)
		l4_csum_addr(p, field, addr, 16);
	memcpy(field, addr, 16);
}

static bool set_ipv6(struct actions_ctx *ctx, struct actions_pkt *p, const void *arg)
{
	const struct set_arg *s = arg;
	const struct ovs_key_ipv6 *v = s->val, *mk = s->mask;
	const uint8_t *vs = (const uint8_t *)v->ipv6_src, *vd = (const uint8_t *)v->ipv6_dst;
	const uint8_t *ms = (const uint8_t *)mk->ipv6_src, *md = (const uint8_t *)mk->ipv6_dst;
	uint8_t src[16], dst[16], tclass, hlimit;
	const struct rte_ipv6_hdr *ip;
	struct rte_ipv6_hdr *w;
	uint32_t vtc, label;

	if (!is_ipv6(p))
		return drop_pkt(ctx, ACTIONS_DROP_NO_HEADER);
	ip = (const void *)pkt_at(p, p->layout->l3);
	for (int i = 0; i < 16; i++) {
		src[i] = MASKED(ip->src_addr[i], vs[i], ms[i]);
		dst[i] = MASKED(ip->dst_addr[i], vd[i], md[i]);
	}
	/* vtc_flow: version (4 bits), traffic class (8), flow label (20). */
	vtc = rte_be_to_cpu_32(ip->vtc_flow);
	tclass = MASKED((uint8_t)(vtc >> 20), v->ipv6_tclass, mk->ipv6_tclass);
	label = MASKED(vtc, rte_be_to_cpu_32(v->ipv6_label), rte_be_to_cpu_32(mk->ipv6_label));
	label &= 0x000fffff;
	vtc = (vtc & 0xf0000000) | (uint32_t)tclass << 20 | label;
	hlimit = MASKED(ip->hop_limits, v->ipv6_hlimit, mk->ipv6_hlimit);
	if (memcmp(src, ip->src_addr, 16) || memcmp(dst, ip->dst_addr, 16) ||
	    vtc != rte_be_to_cpu_32(ip->vtc_flow) || hlimit != ip->hop_limits) {
		if (!pkt_writable(ctx, p, 0))
			return false;
		w = (void *)pkt_at(p, p->layout->l3);
		ipv6_set_addr(p, w->src_addr, src, true);
		ipv6_set_addr(p, w->dst_addr, dst, !ipv6_routing_pending(p));
		w->vtc_flow = rte_cpu_to_be_32(vtc);
		w->hop_limits = hlimit;
	}
	memcpy(p->key->ipv6.src, src, 16);
	memcpy(p->key->ipv6.dst, dst, 16);
	p->key->ipv6.label = rte_cpu_to_be_32(label);
	p->key->ip_tos = tclass;
	p->key->ip_ttl = hlimit;
	return true;
}

/* ---- L4 ports --------------------------------------------------------- */

/* New ports from a ports key; false when they equal the packet's. */
static bool new_ports(const struct actions_pkt *p, const struct set_arg *s, uint16_t ports[2])
{
	const struct ovs_key_tcp *v = s->val, *mk = s->mask;
	const uint8_t *th = pkt_at(p, p->layout->l4);
	uint16_t src = rd16(th), dst = rd16(th + 2);

	ports[0] = MASKED(src, v->tcp_src, mk->tcp_src);
	ports[1] = MASKED(dst, v->tcp_dst, mk->tcp_dst);
	return ports[0] != src || ports[1] != dst;
}

/* TCP and UDP: ports and the checksum at 'at' (UDP: 0 = none, kept). */
static bool set_tcp_udp(struct actions_ctx *ctx, struct actions_pkt *p, const void *arg)
{
	const struct set_arg *s = arg;
	unsigned int at = s->proto == IPPROTO_TCP ? 16 : 6;
	uint16_t ports[2], c;
	uint8_t *th;

	if (p->key->ip_proto != s->proto || !hdr_present(p->mbuf, p->layout->l4, at + 2))
		return drop_pkt(ctx, ACTIONS_DROP_NO_HEADER);
	if (new_ports(p, s, ports)) {
		if (!pkt_writable(ctx, p, 0))
			return false;
		th = pkt_at(p, p->layout->l4);
		c = rd16(th + at);
		/* A partial checksum does not cover the ports yet. */
		if (!offload_csum_partial(p->mbuf) && (s->proto == IPPROTO_TCP || c != 0)) {
			c = csum_replace32(c, rd32(th), (uint32_t)ports[0] | (uint32_t)ports[1] << 16);
			if (s->proto == IPPROTO_UDP && c == 0)
				c = 0xffff;
			st16(th + at, c);
		}
		st16(th, ports[0]);
		st16(th + 2, ports[1]);
	}
	p->key->tp_src = ports[0];
	p->key->tp_dst = ports[1];
	return true;
}

static uint32_t crc32c_buf(uint32_t crc, const uint8_t *d, uint32_t n)
{
	for (; n >= 8; n -= 8, d += 8) {
		uint64_t v;

		memcpy(&v, d, sizeof(v)); /* the packet is not 8-byte aligned */
		crc = rte_hash_crc_8byte(v, crc);
	}
	for (; n; n--, d++)
		crc = rte_hash_crc_1byte(*d, crc);
	return crc;
}

/* SCTP's CRC32c of 'len' bytes from 'off' (any segments), as stored. */
static uint32_t sctp_crc(const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	uint32_t crc = UINT32_MAX;

	for (; m && len; m = m->next) {
		uint32_t n;

		if (off >= m->data_len) {
			off -= m->data_len;
			continue;
		}
		n = RTE_MIN((uint32_t)m->data_len - off, len);
		crc = crc32c_buf(crc, rte_pktmbuf_mtod_offset(m, const uint8_t *, off), n);
		len -= n;
		off = 0;
	}
	return rte_cpu_to_le_32(~crc);
}

/* End of the IP payload: the CRC must not cover Ethernet padding. */
static uint32_t ip_payload_end(const struct actions_pkt *p)
{
	const uint8_t *ip = pkt_at(p, p->layout->l3);
	uint32_t end = p->mbuf->pkt_len, len;

	if (p->key->eth_type == RTE_BE16(RTE_ETHER_TYPE_IPV4))
		len = rte_be_to_cpu_16(((const struct rte_ipv4_hdr *)ip)->total_length);
	else
		len = rte_be_to_cpu_16(((const struct rte_ipv6_hdr *)ip)->payload_len) +
		      (uint32_t)sizeof(struct rte_ipv6_hdr);
	/* 0 (jumbogram, TSO) or nonsense: fall back to the frame's end. */
	if (p->layout->l3 + len > p->layout->l4 + sizeof(struct rte_sctp_hdr))
		end = RTE_MIN(end, p->layout->l3 + len);
	return end;
}

static bool set_sctp(struct actions_ctx *ctx, struct actions_pkt *p, const void *arg)
{
	const struct set_arg *s = arg;
	uint32_t l4 = p->layout->l4, len, old, old_ok, new_ok;
	uint16_t ports[2];
	uint8_t *sh;

	if (p->key->ip_proto != IPPROTO_SCTP ||
	    !hdr_present(p->mbuf, p->layout->l4, sizeof(struct rte_sctp_hdr)))
		return drop_pkt(ctx, ACTIONS_DROP_NO_HEADER);
	if (new_ports(p, s, ports)) {
		if (!pkt_writable(ctx, p, 0))
			return false;
		sh = pkt_at(p, p->layout->l4);
		len = ip_payload_end(p) - l4;
		old = rd32(sh + 8);
		st32(sh + 8, 0);
		old_ok = sctp_crc(p->mbuf, l4, len);
		st16(sh, ports[0]);
		st16(sh + 2, ports[1]);
		new_ok = sctp_crc(p->mbuf, l4, len);
		/* A packet that arrived with a bad CRC leaves with a bad CRC. */
		st32(sh + 8, old ^ old_ok ^ new_ok);
	}
	p->key->tp_src = ports[0];
	p->key->tp_dst = ports[1];
	return true;
}

/* ICMP and ICMPv6 type and code: the first word, under the checksum. */
static bool set_icmp(struct actions_ctx *ctx, struct actions_pkt *p, const void *arg)
{
	const struct set_arg *s = arg;
	const struct ovs_key_icmp *v = s->val, *mk = s->mask;
	uint8_t type, code;
	uint8_t *h;

	if (p->key->ip_proto != s->proto || !hdr_present(p->mbuf, p->layout->l4, 4))
		return drop_pkt(ctx, ACTIONS_DROP_NO_HEADER);
	h = pkt_at(p, p->layout->l4);
	type = MASKED(h[0], v->icmp_type, mk->icmp_type);
	code = MASKED(h[1], v->icmp_code, mk->icmp_code);
	if (type != h[0] || code != h[1]) {
		uint16_t check, old;

		if (!pkt_writable(ctx, p, 0))
			return false;
		h = pkt_at(p, p->layout->l4);
		old = rd16(h);
		check = rd16(h + 2);
		h[0] = type;
		h[1] = code;
		st16(h + 2, csum_replace16(check, old, rd16(h)));
	}
	p->key->tp_src = rte_cpu_to_be_16(type);
	p->key->tp_dst = rte_cpu_to_be_16(code);
	return true;
}

static bool set_mpls(struct actions_ctx *ctx, struct actions_pkt *p, const void *arg)
{
	const struct set_arg *s = arg;
	const struct ovs_key_mpls *v = s->val, *mk = s->mask;
	uint16_t off = p->layout->l2_5;
	uint32_t old, lse;

	if (!hdr_present(p->mbuf, off, 4))
		return drop_pkt(ctx, ACTIONS_DROP_NO_HEADER);
	old = rd32(pkt_at(p, off));
	lse = MASKED(old, v->mpls_lse, mk->mpls_lse);
	if (lse != old) {
		if (!pkt_writable(ctx, p, 0))
			return false;
		st32(pkt_at(p, off), lse);
	}
	p->key->mpls_lse = lse;
	return true;
}

/* ---- Metadata --------------------------------------------------------- */

/* OVS_KEY_ATTR_TUNNEL's nested attributes; options don't fit the key. */
static void tunnel_parse(const struct nlattr *nest, struct flow_tunnel *t)
{
	const struct nlattr *a;

	memset(t, 0, sizeof(*t));
	nl_attr_for_each_nested(a, nest) {
		switch (nl_attr_type(a)) {
		case OVS_TUNNEL_KEY_ATTR_ID:
			memcpy(&t->tun_id, nl_attr_data(a), sizeof(t->tun_id));
			t->flags |= FLOW_TNL_F_KEY;
			break;
		case OVS_TUNNEL_KEY_ATTR_IPV4_SRC:
			t->ipv4_src = nl_attr_u32(a);
			break;
		case OVS_TUNNEL_KEY_ATTR_IPV4_DST:
			t->ipv4_dst = nl_attr_u32(a);
			break;
		case OVS_TUNNEL_KEY_ATTR_TOS:
			t->tos = nl_attr_u8(a);
			break;
		case OVS_TUNNEL_KEY_ATTR_TTL:
			t->ttl = nl_attr_u8(a);
			break;
		case OVS_TUNNEL_KEY_ATTR_DONT_FRAGMENT:
			t->flags |= FLOW_TNL_F_DONT_FRAGMENT;
			break;
		case OVS_TUNNEL_KEY_ATTR_CSUM:
			t->flags |= FLOW_TNL_F_CSUM;
			break;
		case OVS_TUNNEL_KEY_ATTR_OAM:
			t->flags |= FLOW_TNL_F_OAM;
			break;
		case OVS_TUNNEL_KEY_ATTR_TP_SRC:
			t->tp_src = nl_attr_u16(a);
			break;
		case OVS_TUNNEL_KEY_ATTR_TP_DST:
			t->tp_dst = nl_attr_u16(a);
			break;
		}
	}
}

static void set_meta(struct batch *b, const struct nlattr *ka, bool masked)
{
	uint32_t val = 0, mask = UINT32_MAX;
	struct flow_tunnel tun;

	if (nl_attr_type(ka) == OVS_KEY_ATTR_TUNNEL) {
		tunnel_parse(ka, &tun);
		for (uint32_t i = 0; i < b->n; i++)
			b->p[i].key->tun = tun;
		return;
	}
	memcpy(&val, nl_attr_data(ka), sizeof(val));
	if (masked)
		memcpy(&mask, (const uint8_t *)nl_attr_data(ka) + sizeof(val), sizeof(mask));
	for (uint32_t i = 0; i < b->n; i++) {
		struct flow_key *k = b->p[i].key;

		if (nl_attr_type(ka) == OVS_KEY_ATTR_PRIORITY)
			k->priority = MASKED(k->priority, val, mask);
		else
			k->skb_mark = MASKED(k->skb_mark, val, mask);
	}
}

void actions_set_run(struct actions_ctx *ctx, struct batch *b, const struct nlattr *ka, bool masked)
{
	const uint8_t *val = nl_attr_data(ka);
	struct set_arg s = { .val = val, .mask = val + nl_attr_len(ka) / 2 };
	pkt_step_fn step;
	const void *full;

	switch (nl_attr_type(ka)) {
	case OVS_KEY_ATTR_PRIORITY:
	case OVS_KEY_ATTR_SKB_MARK:
	case OVS_KEY_ATTR_TUNNEL:
		set_meta(b, ka, masked);
		return;
	case OVS_KEY_ATTR_ETHERNET:
		step = set_eth, full = &eth_full;
		break;
	case OVS_KEY_ATTR_IPV4:
		step = set_ipv4, full = &ipv4_full;
		break;
	case OVS_KEY_ATTR_IPV6:
		step = set_ipv6, full = &ipv6_full;
		break;
	case OVS_KEY_ATTR_TCP:
		step = set_tcp_udp, full = &ports_full, s.proto = IPPROTO_TCP;
		break;
	case OVS_KEY_ATTR_UDP:
		step = set_tcp_udp, full = &ports_full, s.proto = IPPROTO_UDP;
		break;
	case OVS_KEY_ATTR_SCTP:
		step = set_sctp, full = &ports_full, s.proto = IPPROTO_SCTP;
		break;
	case OVS_KEY_ATTR_ICMP:
		step = set_icmp, full = &icmp_full, s.proto = IPPROTO_ICMP;
		break;
	case OVS_KEY_ATTR_ICMPV6:
		step = set_icmp, full = &icmp_full, s.proto = IPPROTO_ICMPV6;
		break;
	case OVS_KEY_ATTR_MPLS:
		step = set_mpls, full = &mpls_full;
		break;
	default:
		return; /* validation admits nothing else */
	}
	if (!masked)
		s.mask = full;
	batch_each(ctx, b, step, &s);
}

/* ---- dec_ttl ---------------------------------------------------------- */

bool actions_ttl_expired(const struct actions_pkt *p)
{
	if (is_ipv4(p))
		return ((const struct rte_ipv4_hdr *)pkt_at(p, p->layout->l3))->time_to_live <= 1;
	if (is_ipv6(p))
		return ((const struct rte_ipv6_hdr *)pkt_at(p, p->layout->l3))->hop_limits <= 1;
	return false; /* not IP: nothing to decrement, as in the kernel */
}

bool actions_ttl_dec(struct actions_ctx *ctx, struct actions_pkt *p, const void *unused)
{
	(void)unused;
	if (is_ipv4(p)) {
		struct rte_ipv4_hdr *ip;
		uint16_t check;

		if (!pkt_writable(ctx, p, 0))
			return false;
		ip = (void *)pkt_at(p, p->layout->l3);
		check = ip->hdr_checksum;
		put8_csum((uint8_t *)ip, offsetof(struct rte_ipv4_hdr, time_to_live),
			  (uint8_t)(ip->time_to_live - 1), &check);
		ip->hdr_checksum = check;
		p->key->ip_ttl = ip->time_to_live;
	} else if (is_ipv6(p)) {
		struct rte_ipv6_hdr *ip;

		if (!pkt_writable(ctx, p, 0))
			return false;
		ip = (void *)pkt_at(p, p->layout->l3);
		ip->hop_limits--;
		p->key->ip_ttl = ip->hop_limits;
	}
	return true;
}
