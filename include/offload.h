/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * offload: checksum and TCP segmentation left to the output port.
 *
 * A vhost-user guest may hand the switch a TCP segment of up to 64 KB
 * (virtio-net GSO) whose L4 checksum holds only the pseudo-header sum
 * (VIRTIO_NET_HDR_F_NEEDS_CSUM). net_vhost, in its default compliant mode,
 * delivers such a packet with RTE_MBUF_F_RX_L4_CKSUM_NONE ("partial") and,
 * for GSO, RTE_MBUF_F_RX_LRO and tso_segsz. Whoever sends it on finishes
 * the job: a guest that takes GSO gets the segment as it is, with its
 * metadata; a NIC that has TSO segments it; any other port gets segments
 * cut in software (librte_gso) with their checksums computed.
 *
 * The partial L4 checksum field holds the folded pseudo-header sum with
 * the L4 length, not complemented (as a Linux CHECKSUM_PARTIAL skb); a
 * rewrite of an address keeps it in that form (csum.h, actions_set.c).
 *
 * Thread safety: offload_port_caps_set() on any thread (the control thread,
 * or a driver's event thread when a guest connects); the rest on the
 * thread that sends (a PMD or the control thread).
 */
#ifndef OFFLOAD_H
#define OFFLOAD_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

/* What a port's transmit side finishes for the switch. */
enum {
	OFFLOAD_TX_CSUM = 1 << 0,    /* TCP/UDP checksums (IPv4's header too) */
	OFFLOAD_TX_TSO = 1 << 1,     /* TCP segmentation */
	OFFLOAD_TX_VIRTIO = 1 << 2,  /* a vhost guest: virtio-net header, the
				      * partial checksum kept as it is */
};

/* The mbuf flags that mark a packet as needing one of the above. A NIC's
 * "bad L4 checksum" shares a bit with "partial" and takes the slow path
 * only to leave it unchanged. */
#define OFFLOAD_RX_MASK (RTE_MBUF_F_RX_LRO | RTE_MBUF_F_RX_L4_CKSUM_BAD)

/* The L4 checksum field holds the partial (pseudo-header) sum. */
static inline bool offload_csum_partial(const struct rte_mbuf *m)
{
	return (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_NONE ||
	       (m->ol_flags & RTE_MBUF_F_RX_LRO) != 0;
}

static inline bool offload_pending(const struct rte_mbuf *m)
{
	return (m->ol_flags & OFFLOAD_RX_MASK) != 0;
}

/* The port's OFFLOAD_TX_* bits, read on every offload packet sent to it. */
void offload_port_caps_set(uint32_t port, uint8_t caps);
uint8_t offload_port_caps(uint32_t port);

/* Counters of the software fallbacks, for tests and `show`. */
struct offload_stats {
	uint64_t kept;        /* sent with their metadata to a port that finishes them */
	uint64_t segmented;   /* packets cut by librte_gso ... */
	uint64_t segments;    /* ... into this many */
	uint64_t csum_sw;     /* checksums computed in software */
	uint64_t failed;      /* dropped: no mbuf for a segment or a copy */
};

/*
 * Makes 'm' ready for a port with 'caps': either sets the mbuf's tx
 * offload flags and lengths, or computes the checksums, or cuts it into
 * segments (each a chain: a copied header, then the payload by reference)
 * whose checksums it computes. Puts what is to be sent in out[0..ret)
 * (at most 'max'; 'm' itself when it was not cut) and returns ret; on
 * failure frees 'm' and returns 0. 'pool' gives the segments' and copies'
 * mbufs. A packet it cannot parse (not TCP/UDP over IPv4/IPv6) is sent
 * unchanged.
 */
uint16_t offload_tx_prepare(struct rte_mbuf *m, uint8_t caps, struct rte_mempool *pool,
			    struct rte_mbuf **out, uint16_t max, struct offload_stats *st);

/* The most segments one packet may become (64 KB over the smallest MSS
 * a guest is allowed to ask, 88 bytes, rounds to more: such packets fail
 * and are counted; at a 536-byte MSS 123 segments fit). */
#define OFFLOAD_SEGS_MAX 128

#endif /* OFFLOAD_H */
