/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internals shared by the action executor's files: the context, the packet
 * batch, copy-on-write and header access helpers. Not a public API.
 *
 * Thread safety: everything here runs on the context's owner thread.
 */
#ifndef ACTIONS_PRIV_H
#define ACTIONS_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <linux/netlink.h>
#include <rte_branch_prediction.h>
#include <rte_mbuf.h>

#include "actions.h"
#include "dpsw_atomic.h"
#include "dpsw_bytes.h"
#include "nl_attr.h"

#define CUTLEN_NONE UINT32_MAX

/* Packets of one flow executed together, and what trunc left for them. */
struct batch {
	uint32_t n;
	uint32_t cutlen;   /* bytes the next output/userspace keeps */
	struct actions_pkt p[ACTIONS_BATCH_MAX];
};
_Static_assert(ACTIONS_BATCH_MAX <= 64, "batch selections are 64-bit masks");

/* Storage for one nesting level: its batch and, for clones, private keys. */
struct nest_level {
	struct batch b;
	struct flow_key keys[ACTIONS_BATCH_MAX];
	struct flow_layout layouts[ACTIONS_BATCH_MAX];
};

struct txbuf {
	uint16_t n;
	bool exists;
	bool dirty;        /* listed in ctx->dirty */
	struct rte_mbuf *pkts[ACTIONS_TXBUF_SIZE];
};

struct actions_ctx {
	struct actions_params params;
	uint64_t prng;
	uint64_t drops[ACTIONS_DROP__MAX];
	struct txbuf *tx;          /* [max_ports] */
	uint32_t *dirty;           /* ports with buffered packets */
	uint32_t n_dirty;
	uint32_t rq_head;          /* recirc queue: ring of ACTIONS_RECIRC_QUEUE */
	uint32_t rq_count;
	struct actions_recirc rq[ACTIONS_RECIRC_QUEUE];
	uint32_t level;            /* nesting level in use; 0 = top list */
	struct nest_level levels[ACTIONS_NEST_MAX + 1];
};

/* Single writer (the owner); other threads read with LOAD_RLX. */
static inline void drop_count(struct actions_ctx *ctx, enum actions_drop reason, uint64_t n)
{
	counter_add(&ctx->drops[reason], n);
}

/* Counts one drop of 'reason'; returns false for use as a step result. */
static inline bool drop_pkt(struct actions_ctx *ctx, enum actions_drop reason)
{
	drop_count(ctx, reason, 1);
	return false;
}

/*
 * A per-packet step: returns false when the packet is to be dropped (the
 * step has counted why). batch_each() runs it over a batch and frees the
 * dropped packets.
 */
typedef bool (*pkt_step_fn)(struct actions_ctx *ctx, struct actions_pkt *p, const void *arg);

static inline void batch_each(struct actions_ctx *ctx, struct batch *b, pkt_step_fn step,
			      const void *arg)
{
	uint32_t j = 0;

	for (uint32_t i = 0; i < b->n; i++) {
		if (likely(step(ctx, &b->p[i], arg)))
			b->p[j++] = b->p[i];
		else
			rte_pktmbuf_free(b->p[i].mbuf);
	}
	b->n = j;
}

/* Replaces p->mbuf by a private copy; false (counted) if the pool is empty. */
bool actions_pkt_unshare(struct actions_ctx *ctx, struct actions_pkt *p);

/*
 * Copy on write: before any change to a packet's bytes or mbuf fields, make
 * sure nobody else holds it. An mbuf with one reference and its own buffer
 * is ours alone: nobody else has a pointer, so nobody can take a new
 * reference while we write. Otherwise (an earlier output or clone shares
 * it, or the buffer is attached/external) write into a copy instead. Also
 * guarantees 'headroom' bytes in front (a fresh copy has the default).
 */
static inline bool pkt_exclusive(const struct rte_mbuf *m)
{
	return RTE_MBUF_DIRECT(m) && rte_mbuf_refcnt_read(m) == 1;
}

static inline bool pkt_writable(struct actions_ctx *ctx, struct actions_pkt *p, uint16_t headroom)
{
	const struct rte_mbuf *m = p->mbuf;

	if (likely(pkt_exclusive(m) && rte_pktmbuf_headroom(m) >= headroom))
		return true;
	return actions_pkt_unshare(ctx, p);
}

/* True when 'len' bytes at 'off' lie in the first segment. */
static inline bool hdr_present(const struct rte_mbuf *m, uint16_t off, uint32_t len)
{
	return off != FLOW_OFS_NONE && (uint32_t)off + len <= m->data_len;
}

static inline uint8_t *pkt_at(const struct actions_pkt *p, uint16_t off)
{
	return rte_pktmbuf_mtod_offset(p->mbuf, uint8_t *, off);
}

/* Moves every known header offset by 'delta' bytes (push/pop). */
static inline void layout_shift(struct flow_layout *l, int delta)
{
	if (l->l2_5 != FLOW_OFS_NONE)
		l->l2_5 = (uint16_t)(l->l2_5 + delta);
	if (l->l3 != FLOW_OFS_NONE)
		l->l3 = (uint16_t)(l->l3 + delta);
	if (l->l4 != FLOW_OFS_NONE)
		l->l4 = (uint16_t)(l->l4 + delta);
}

/* Masked update as the kernel's OVS_MASKED: bits set in 'mask' come from 'val'. */
#define MASKED(old, val, mask) (((val) & (mask)) | ((old) & ~(mask)))

/* actions_set.c: OVS_ACTION_ATTR_SET / SET_MASKED on a batch. */
void actions_set_run(struct actions_ctx *ctx, struct batch *b, const struct nlattr *key_attr,
		     bool masked);
/* actions_set.c: dec_ttl on one packet; *expired when TTL/hop limit <= 1. */
bool actions_ttl_expired(const struct actions_pkt *p);
bool actions_ttl_dec(struct actions_ctx *ctx, struct actions_pkt *p, const void *unused);

/* actions_encap.c: VLAN and MPLS push/pop steps (arg: the action payload). */
bool actions_push_vlan(struct actions_ctx *ctx, struct actions_pkt *p, const void *arg);
bool actions_pop_vlan(struct actions_ctx *ctx, struct actions_pkt *p, const void *arg);
bool actions_push_mpls(struct actions_ctx *ctx, struct actions_pkt *p, const void *arg);
bool actions_pop_mpls(struct actions_ctx *ctx, struct actions_pkt *p, const void *arg);

#endif /* ACTIONS_PRIV_H */
