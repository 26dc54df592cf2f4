/* SPDX-License-Identifier: BSD-3-Clause */
#include "offload.h"

#include <netinet/in.h>
#include <rte_ethdev.h>
#include <rte_gso.h>
#include <rte_ip.h>
#include <rte_net.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "dpsw_atomic.h"
#include "dpsw_limits.h"

static uint8_t port_caps[PORT_MAX];

void offload_port_caps_set(uint32_t port, uint8_t caps)
{
	if (port < PORT_MAX)
		STORE_RLX(&port_caps[port], caps);
}

uint8_t offload_port_caps(uint32_t port)
{
	return port < PORT_MAX ? LOAD_RLX(&port_caps[port]) : 0;
}

/* What the packet is, from its bytes (the rx flags say only "partial"). */
struct l4_info {
	uint32_t ptype;
	bool ipv4, tcp;
};

static bool parse(struct rte_mbuf *m, struct l4_info *li)
{
	struct rte_net_hdr_lens hl;
	uint32_t l3, l4;

	li->ptype = rte_net_get_ptype(m, &hl, RTE_PTYPE_L2_MASK | RTE_PTYPE_L3_MASK |
				      RTE_PTYPE_L4_MASK);
	l3 = li->ptype & RTE_PTYPE_L3_MASK;
	l4 = li->ptype & RTE_PTYPE_L4_MASK;
	li->ipv4 = RTE_ETH_IS_IPV4_HDR(l3);
	li->tcp = l4 == RTE_PTYPE_L4_TCP;
	if (!(li->ipv4 || RTE_ETH_IS_IPV6_HDR(l3)) || !(li->tcp || l4 == RTE_PTYPE_L4_UDP))
		return false;
	/* The headers must sit in the first segment: the checksum writes and
	 * librte_gso's header copy read them there. */
	if ((uint32_t)hl.l2_len + hl.l3_len + hl.l4_len > m->data_len)
		return false;
	m->l2_len = hl.l2_len;
	m->l3_len = hl.l3_len;
	m->l4_len = hl.l4_len;
	return true;
}

static void tx_flags_clear(struct rte_mbuf *m)
{
	m->ol_flags &= ~(RTE_MBUF_F_TX_OFFLOAD_MASK | RTE_MBUF_F_RX_LRO |
			 RTE_MBUF_F_RX_L4_CKSUM_MASK);
}

/* A writable packet: ours alone, else a copy (which takes our reference). */
static struct rte_mbuf *own(struct rte_mbuf *m, struct rte_mempool *pool)
{
	struct rte_mbuf *copy;

	if (RTE_MBUF_DIRECT(m) && rte_mbuf_refcnt_read(m) == 1)
		return m;
	copy = rte_pktmbuf_copy(m, pool, 0, UINT32_MAX);
	rte_pktmbuf_free(m);
	return copy;
}

static uint16_t *l4_csum_field(struct rte_mbuf *m, const struct l4_info *li)
{
	uint32_t off = (uint32_t)m->l2_len + m->l3_len +
		       (li->tcp ? offsetof(struct rte_tcp_hdr, cksum) :
				  offsetof(struct rte_udp_hdr, dgram_cksum));

	return rte_pktmbuf_mtod_offset(m, uint16_t *, off);
}

static uint16_t phdr_sum(struct rte_mbuf *m, const struct l4_info *li)
{
	const void *ip = rte_pktmbuf_mtod_offset(m, const void *, m->l2_len);

	return li->ipv4 ? rte_ipv4_phdr_cksum(ip, 0) : rte_ipv6_phdr_cksum(ip, 0);
}

/*
 * The partial form virtio's NEEDS_CSUM wants: the pseudo-header sum with
 * the L4 length, recomputed from the IP header for a GSO segment (a DPDK
 * guest that skips rte_eth_tx_prepare() leaves it without the length, as
 * NICs want for TSO) and for a packet whose field held a full checksum
 * (net_vhost computed it on receipt when rx checksum offload was off).
 * Written in place even when the packet is shared with other outputs:
 * the value is a function of the IP header alone, and every other output
 * of such a packet goes through offload_tx_prepare(), which sends the
 * bytes before it returns (vhost copies them), computes the checksum from
 * scratch, or writes into a copy of its own.
 */
static void phdr_fill(struct rte_mbuf *m, const struct l4_info *li)
{
	*l4_csum_field(m, li) = phdr_sum(m, li);
}

/* Both checksums of a packet whose headers parse() found, in software;
 * the L4 sum covers every segment. */
static void csum_fill(struct rte_mbuf *m, const struct l4_info *li)
{
	uint32_t l4 = (uint32_t)m->l2_len + m->l3_len, len = m->pkt_len - l4;
	uint16_t *field = l4_csum_field(m, li);
	uint16_t raw = 0, phdr = phdr_sum(m, li);
	uint32_t sum;

	if (li->ipv4) {
		struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
								  m->l2_len);

		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	*field = 0;
	if (rte_raw_cksum_mbuf(m, l4, len, &raw) < 0)
		return;
	sum = (uint32_t)raw + phdr;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (uint16_t)~((sum & 0xffff) + (sum >> 16));
	/* UDP: a computed 0 goes out as all ones (0 means "no checksum"). */
	if (sum == 0 && !li->tcp)
		sum = 0xffff;
	*field = (uint16_t)sum;
	tx_flags_clear(m);
}


/* The port finishes it: set the tx flags it reads. Metadata only for a
 * guest (the partial sum is already in virtio's form), so a packet shared
 * with another output needs no copy; a NIC wants the pseudo-header sum in
 * its own form (without the length under TSO). */
static struct rte_mbuf *tx_flags_set(struct rte_mbuf *m, const struct l4_info *li, uint8_t caps,
				     bool seg, struct rte_mempool *pool)
{
	uint64_t f = li->ipv4 ? RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM : RTE_MBUF_F_TX_IPV6;

	f |= li->tcp ? RTE_MBUF_F_TX_TCP_CKSUM : RTE_MBUF_F_TX_UDP_CKSUM;
	if (seg)
		f |= RTE_MBUF_F_TX_TCP_SEG;
	m->ol_flags = (m->ol_flags & ~RTE_MBUF_F_TX_OFFLOAD_MASK) | f;
	if (caps & OFFLOAD_TX_VIRTIO) {
		if (seg || (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) != RTE_MBUF_F_RX_L4_CKSUM_NONE)
			phdr_fill(m, li);
		return m;
	}
	m = own(m, pool);
	if (m == NULL)
		return NULL;
	if (rte_net_intel_cksum_flags_prepare(m, m->ol_flags) < 0) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	m->ol_flags &= ~(RTE_MBUF_F_RX_LRO | RTE_MBUF_F_RX_L4_CKSUM_MASK);
	return m;
}

/* librte_gso, then each segment's checksums. The segments begin with a
 * private copy of the headers, so the input's bytes stay untouched. */
static uint16_t segment(struct rte_mbuf *m, const struct l4_info *li, struct rte_mempool *pool,
			struct rte_mbuf **out, uint16_t max, struct offload_stats *st)
{
	struct rte_gso_ctx gso = {
		.direct_pool = pool,
		.indirect_pool = pool,
		.gso_types = RTE_ETH_TX_OFFLOAD_TCP_TSO,
		.gso_size = (uint16_t)(m->l2_len + m->l3_len + m->l4_len + m->tso_segsz),
	};
	int n;

	m->ol_flags = (m->ol_flags & ~RTE_MBUF_F_TX_OFFLOAD_MASK) | RTE_MBUF_F_TX_TCP_SEG |
		      RTE_MBUF_F_TX_IPV4;
	n = rte_gso_segment(m, &gso, out, max);
	if (n <= 0) {
		m->ol_flags &= ~RTE_MBUF_F_TX_OFFLOAD_MASK;
		if (n < 0) {
			rte_pktmbuf_free(m);
			st->failed++;
			return 0;
		}
		return UINT16_MAX;  /* short enough already */
	}
	for (int i = 0; i < n; i++)
		csum_fill(out[i], li);
	/* The segments hold the input's payload by reference. */
	rte_pktmbuf_free(m);
	st->segmented++;
	st->segments += (uint64_t)n;
	return (uint16_t)n;
}

uint16_t offload_tx_prepare(struct rte_mbuf *m, uint8_t caps, struct rte_mempool *pool,
			    struct rte_mbuf **out, uint16_t max, struct offload_stats *st)
{
	bool lro = (m->ol_flags & RTE_MBUF_F_RX_LRO) && m->tso_segsz != 0;
	struct l4_info li;
	uint16_t n;

	out[0] = m;
	if (!offload_csum_partial(m) || !parse(m, &li))
		return 1;
	lro = lro && li.tcp && m->pkt_len > (uint32_t)m->l2_len + m->l3_len + m->l4_len +
						m->tso_segsz;
	if ((lro && (caps & OFFLOAD_TX_TSO)) || (!lro && (caps & OFFLOAD_TX_CSUM))) {
		out[0] = tx_flags_set(m, &li, caps, lro, pool);
		if (out[0] == NULL)
			goto fail;
		st->kept++;
		return 1;
	}
	if (lro && li.ipv4) {
		n = segment(m, &li, pool, out, max, st);
		if (n != UINT16_MAX)
			return n;
	}
	/* Checksums in software (an IPv6 TCP segment longer than the MSS goes
	 * out whole: librte_gso of DPDK 22.11 cuts only IPv4). */
	m = own(m, pool);
	if (m == NULL)
		goto fail;
	csum_fill(m, &li);
	st->csum_sw++;
	out[0] = m;
	return 1;
fail:
	st->failed++;
	return 0;
}
