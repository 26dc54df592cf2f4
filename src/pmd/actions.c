/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * actions: the executor's control flow. Walks a validated action list over
 * a batch of packets of one flow, one action at a time across the batch;
 * owns the context, the tx buffers, the recirculation queue and the nested
 * lists (clone, sample, check_pkt_len, dec_ttl). Header rewrites live in
 * actions_set.c and actions_encap.c.
 *
 * Semantics follow the kernel datapath (net/openvswitch/actions.c): a
 * non-final output, recirc or nested list works on a clone and the original
 * goes on; the final one consumes the packet; trunc applies to the next
 * output or userspace action only.
 */
#include <errno.h>
#include <netinet/in.h>

#include <linux/openvswitch.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_malloc.h>

#include "actions_priv.h"

static const char *const drop_names[ACTIONS_DROP__MAX] = {
	[ACTIONS_DROP_NO_PORT] = "no_port",
	[ACTIONS_DROP_TX] = "tx",
	[ACTIONS_DROP_RECIRC_DEPTH] = "recirc_depth",
	[ACTIONS_DROP_RECIRC_FULL] = "recirc_full",
	[ACTIONS_DROP_NOMEM] = "nomem",
	[ACTIONS_DROP_UPCALL] = "upcall",
	[ACTIONS_DROP_NESTING] = "nesting",
	[ACTIONS_DROP_NO_HEADER] = "no_header",
};

static void run_list(struct actions_ctx *ctx, struct batch *b, const struct nlattr *list,
		     uint32_t len);

/* ---- Context ---------------------------------------------------------- */

int actions_ctx_create(const struct actions_params *params, struct actions_ctx **ctxp)
{
	struct actions_ctx *ctx;
	int socket;

	if (!params || !ctxp || !params->pool || !params->tx || params->max_ports == 0 ||
	    params->max_ports > UINT16_MAX + 1u)
		return -EINVAL;
	socket = params->socket_id;
	ctx = rte_zmalloc_socket("actions_ctx", sizeof(*ctx), RTE_CACHE_LINE_SIZE, socket);
	if (!ctx)
		return -ENOMEM;
	ctx->tx = rte_zmalloc_socket("actions_tx", sizeof(*ctx->tx) * params->max_ports,
				     RTE_CACHE_LINE_SIZE, socket);
	ctx->dirty = rte_zmalloc_socket("actions_dirty", sizeof(*ctx->dirty) * params->max_ports,
					0, socket);
	if (!ctx->tx || !ctx->dirty) {
		rte_free(ctx->dirty);
		rte_free(ctx->tx);
		rte_free(ctx);
		return -ENOMEM;
	}
	ctx->params = *params;
	/* xorshift needs a non-zero state. */
	ctx->prng = params->seed ? params->seed : rte_rdtsc();
	if (!ctx->prng)
		ctx->prng = 0x9e3779b97f4a7c15ull;
	*ctxp = ctx;
	return 0;
}

void actions_ctx_destroy(struct actions_ctx *ctx)
{
	if (!ctx)
		return;
	for (uint32_t port = 0; port < ctx->params.max_ports; port++)
		rte_pktmbuf_free_bulk(ctx->tx[port].pkts, ctx->tx[port].n);
	for (uint32_t i = 0; i < ctx->rq_count; i++)
		rte_pktmbuf_free(ctx->rq[(ctx->rq_head + i) % ACTIONS_RECIRC_QUEUE].mbuf);
	rte_free(ctx->dirty);
	rte_free(ctx->tx);
	rte_free(ctx);
}

void actions_drops_get(const struct actions_ctx *ctx, uint64_t drops[ACTIONS_DROP__MAX])
{
	for (int i = 0; i < ACTIONS_DROP__MAX; i++)
		drops[i] = LOAD_RLX(&ctx->drops[i]);
}

const char *actions_drop_name(enum actions_drop reason)
{
	return (unsigned)reason < ACTIONS_DROP__MAX ? drop_names[reason] : NULL;
}

/* xorshift64*: a few cycles, good enough to pick samples. */
static inline uint32_t prng_next(struct actions_ctx *ctx)
{
	uint64_t x = ctx->prng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	ctx->prng = x;
	return (uint32_t)((x * 0x2545f4914f6cdd1dull) >> 32);
}

bool actions_pkt_unshare(struct actions_ctx *ctx, struct actions_pkt *p)
{
	struct rte_mbuf *copy = rte_pktmbuf_copy(p->mbuf, ctx->params.pool, 0, UINT32_MAX);

	if (unlikely(!copy))
		return drop_pkt(ctx, ACTIONS_DROP_NOMEM);
	rte_pktmbuf_free(p->mbuf);
	p->mbuf = copy;
	return true;
}

static void batch_free(struct batch *b)
{
	for (uint32_t i = 0; i < b->n; i++)
		rte_pktmbuf_free(b->p[i].mbuf);
	b->n = 0;
}

static inline uint64_t batch_all(const struct batch *b)
{
	return b->n == 64 ? UINT64_MAX : (1ull << b->n) - 1;
}

/* ---- Output and tx buffers ------------------------------------------- */

/* Sends pkts[0..n) to 'port'; what the port does not take is dropped. */
static void txq_send(struct actions_ctx *ctx, uint32_t port, struct rte_mbuf **pkts,
		     uint32_t n)
{
	uint16_t sent = ctx->params.tx(ctx->params.tx_arg, port, pkts, (uint16_t)n);

	if (unlikely(sent < n)) {
		drop_count(ctx, ACTIONS_DROP_TX, n - sent);
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	}
}

static void txbuf_flush(struct actions_ctx *ctx, uint32_t port, struct txbuf *tb)
{
	txq_send(ctx, port, tb->pkts, tb->n);
	tb->n = 0;
}

static inline void txbuf_push(struct actions_ctx *ctx, uint32_t port, struct txbuf *tb,
			      struct rte_mbuf *m)
{
	if (!tb->dirty) {
		tb->dirty = true;
		ctx->dirty[ctx->n_dirty++] = port;
	}
	tb->pkts[tb->n++] = m;
	if (tb->n == ACTIONS_TXBUF_SIZE)
		txbuf_flush(ctx, port, tb);
}

/* Hot path. */
void actions_output(struct actions_ctx *ctx, uint32_t port, struct rte_mbuf **pkts, uint32_t n)
{
	struct txbuf *tb;

	if (unlikely(port >= ctx->params.max_ports || !ctx->tx[port].exists)) {
		drop_count(ctx, ACTIONS_DROP_NO_PORT, n);
		rte_pktmbuf_free_bulk(pkts, n);
		return;
	}
	tb = &ctx->tx[port];
	/* A whole buffer's worth with nothing queued before it goes out as
	 * it is: buffering it would copy it only to send the same burst. */
	if (n == ACTIONS_TXBUF_SIZE && tb->n == 0) {
		txq_send(ctx, port, pkts, n);
		return;
	}
	if (!tb->dirty) {
		tb->dirty = true;
		ctx->dirty[ctx->n_dirty++] = port;
	}
	while (n) {
		uint32_t k = RTE_MIN(n, (uint32_t)(ACTIONS_TXBUF_SIZE - tb->n));

		memcpy(&tb->pkts[tb->n], pkts, k * sizeof(*pkts));
		tb->n = (uint16_t)(tb->n + k);
		pkts += k;
		n -= k;
		if (tb->n == ACTIONS_TXBUF_SIZE)
			txbuf_flush(ctx, port, tb);
	}
}

void actions_flush(struct actions_ctx *ctx)
{
	for (uint32_t i = 0; i < ctx->n_dirty; i++) {
		uint32_t port = ctx->dirty[i];
		struct txbuf *tb = &ctx->tx[port];

		if (tb->n)
			txbuf_flush(ctx, port, tb);
		tb->dirty = false;
	}
	ctx->n_dirty = 0;
}

int actions_port_set(struct actions_ctx *ctx, uint32_t port, bool exists)
{
	struct txbuf *tb;

	if (port >= ctx->params.max_ports)
		return -EINVAL;
	tb = &ctx->tx[port];
	if (!exists && tb->n)
		txbuf_flush(ctx, port, tb);
	tb->exists = exists;
	return 0;
}

/*
 * The mbuf to queue for 'p' on an output. The last use of a packet gives
 * the packet itself. Otherwise the same mbuf goes out with one more
 * reference instead of a copy: that is safe because nothing writes to a
 * packet without pkt_writable(), which copies a shared mbuf first, so the
 * bytes queued here never change. Only a truncated output needs its own,
 * shorter mbuf. NULL: dropped and counted.
 */
static struct rte_mbuf *output_mbuf(struct actions_ctx *ctx, struct actions_pkt *p,
				    uint32_t cutlen, bool last)
{
	struct rte_mbuf *m = p->mbuf, *copy;

	if (likely(cutlen >= m->pkt_len)) {
		if (!last)
			rte_pktmbuf_refcnt_update(m, 1);
		return m;
	}
	if (last && m->nb_segs == 1 && pkt_exclusive(m)) {
		rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - cutlen));
		return m;
	}
	copy = rte_pktmbuf_copy(m, ctx->params.pool, 0, cutlen);
	if (last)
		rte_pktmbuf_free(m);
	if (unlikely(!copy))
		drop_count(ctx, ACTIONS_DROP_NOMEM, 1);
	return copy;
}

static void do_output(struct actions_ctx *ctx, struct batch *b, uint32_t port, bool last)
{
	uint32_t cutlen = b->cutlen;
	struct txbuf *tb;

	b->cutlen = CUTLEN_NONE;
	if (unlikely(port >= ctx->params.max_ports || !ctx->tx[port].exists)) {
		drop_count(ctx, ACTIONS_DROP_NO_PORT, b->n);
		if (last)
			batch_free(b);
		return;
	}
	tb = &ctx->tx[port];
	for (uint32_t i = 0; i < b->n; i++) {
		struct rte_mbuf *m = output_mbuf(ctx, &b->p[i], cutlen, last);

		if (likely(m != NULL))
			txbuf_push(ctx, port, tb, m);
	}
	if (last)
		b->n = 0;
}

/* ---- Recirculation ----------------------------------------------------- */

static void recirc_one(struct actions_ctx *ctx, const struct actions_pkt *p, uint32_t recirc_id,
		       bool last)
{
	const struct flow_key *key = p->key;
	struct actions_recirc *e;

	if (unlikely(p->recirc_depth >= ACTIONS_RECIRC_DEPTH_MAX)) {
		drop_count(ctx, ACTIONS_DROP_RECIRC_DEPTH, 1);
		goto drop;
	}
	if (unlikely(ctx->rq_count == ACTIONS_RECIRC_QUEUE)) {
		drop_count(ctx, ACTIONS_DROP_RECIRC_FULL, 1);
		goto drop;
	}
	/* Shared when not last: safe for the reason given at output_mbuf(). */
	if (!last)
		rte_pktmbuf_refcnt_update(p->mbuf, 1);
	e = &ctx->rq[(ctx->rq_head + ctx->rq_count++) % ACTIONS_RECIRC_QUEUE];
	e->mbuf = p->mbuf;
	e->md = (struct flow_md){
		.in_port = key->in_port,
		.recirc_id = recirc_id,
		.dp_hash = key->dp_hash,
		.priority = key->priority,
		.skb_mark = key->skb_mark,
	};
	e->tun = key->tun;
	e->depth = (uint8_t)(p->recirc_depth + 1);
	return;
drop:
	if (last)
		rte_pktmbuf_free(p->mbuf);
}

static void do_recirc(struct actions_ctx *ctx, struct batch *b, uint32_t recirc_id, bool last)
{
	for (uint32_t i = 0; i < b->n; i++)
		recirc_one(ctx, &b->p[i], recirc_id, last);
	if (last)
		b->n = 0;
}

uint32_t actions_recirc_dequeue(struct actions_ctx *ctx, struct actions_recirc *out, uint32_t max)
{
	uint32_t n = RTE_MIN(max, ctx->rq_count);

	for (uint32_t i = 0; i < n; i++) {
		out[i] = ctx->rq[ctx->rq_head];
		ctx->rq_head = (ctx->rq_head + 1) % ACTIONS_RECIRC_QUEUE;
	}
	ctx->rq_count -= n;
	return n;
}

/* ---- Metadata actions ------------------------------------------------- */

static inline uint32_t hash_mix(uint32_t h, uint32_t v)
{
	v *= 0xcc9e2d51;
	v = (v << 15) | (v >> 17);
	h ^= v * 0x1b873593;
	h = (h << 13) | (h >> 19);
	return h * 5 + 0xe6546b64;
}

/* OVS_HASH_ALG_L4: addresses, protocol and ports of the key, and the basis. */
static uint32_t hash_l4(const struct flow_key *k, uint32_t basis)
{
	uint32_t h = basis, w[4];

	if (k->eth_type == RTE_BE16(RTE_ETHER_TYPE_IPV4)) {
		h = hash_mix(h, k->ipv4.src);
		h = hash_mix(h, k->ipv4.dst);
	} else if (k->eth_type == RTE_BE16(RTE_ETHER_TYPE_IPV6)) {
		for (int i = 0; i < 2; i++) {
			memcpy(w, i ? k->ipv6.dst : k->ipv6.src, sizeof(w));
			for (int j = 0; j < 4; j++)
				h = hash_mix(h, w[j]);
		}
	}
	h = hash_mix(h, k->ip_proto);
	if (k->ip_proto == IPPROTO_TCP || k->ip_proto == IPPROTO_UDP ||
	    k->ip_proto == IPPROTO_SCTP)
		h = hash_mix(h, (uint32_t)k->tp_src << 16 | k->tp_dst);
	/* Final avalanche (murmur3 fmix32). */
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	return h ? h : 1; /* 0 would mean "no hash" in the key, as in the kernel */
}

static void do_hash(struct batch *b, const struct ovs_action_hash *act)
{
	for (uint32_t i = 0; i < b->n; i++)
		b->p[i].key->dp_hash = hash_l4(b->p[i].key, act->hash_basis);
}

static void do_userspace(struct actions_ctx *ctx, struct batch *b, const struct nlattr *attr,
			 const struct nlattr *list, uint32_t list_len)
{
	struct actions_upcall up = { 0 };
	uint32_t cutlen = b->cutlen;
	const struct nlattr *a;

	b->cutlen = CUTLEN_NONE;
	nl_attr_for_each_nested(a, attr) {
		switch (nl_attr_type(a)) {
		case OVS_USERSPACE_ATTR_PID:
			up.pid = nl_attr_u32(a);
			break;
		case OVS_USERSPACE_ATTR_USERDATA:
			up.userdata = a;
			break;
		case OVS_USERSPACE_ATTR_ACTIONS:
			up.actions = list;
			up.actions_len = list_len;
			break;
		}
	}
	for (uint32_t i = 0; i < b->n; i++) {
		const struct rte_mbuf *m = b->p[i].mbuf;

		if (unlikely(!ctx->params.upcall)) {
			drop_count(ctx, ACTIONS_DROP_UPCALL, 1);
			continue;
		}
		up.mbuf = rte_pktmbuf_copy(m, ctx->params.pool, 0, RTE_MIN(cutlen, m->pkt_len));
		if (unlikely(!up.mbuf)) {
			drop_count(ctx, ACTIONS_DROP_NOMEM, 1);
			continue;
		}
		/* As the kernel's OVS_PACKET_ATTR_LEN: only for a cut packet. */
		up.orig_len = cutlen < m->pkt_len ? m->pkt_len : 0;
		up.key = b->p[i].key;
		if (ctx->params.upcall(ctx->params.upcall_arg, &up) < 0) {
			rte_pktmbuf_free(up.mbuf);
			drop_count(ctx, ACTIONS_DROP_UPCALL, 1);
		}
	}
}

/* ---- Nested lists ----------------------------------------------------- */

/* The action list inside attribute 'a'; an absent one is empty. */
static inline const struct nlattr *nested_list(const struct nlattr *a)
{
	return a ? nl_attr_data(a) : NULL;
}

static inline uint32_t nested_len(const struct nlattr *a)
{
	return a ? (uint32_t)nl_attr_len(a) : 0;
}

/* Moves the packets of 'b' selected by 'sel' to 'to' (NULL: frees them). */
static void batch_move(struct batch *b, uint64_t sel, struct batch *to)
{
	uint32_t j = 0;

	for (uint32_t i = 0; i < b->n; i++) {
		if (!(sel & (1ull << i)))
			b->p[j++] = b->p[i];
		else if (to)
			to->p[to->n++] = b->p[i];
		else
			rte_pktmbuf_free(b->p[i].mbuf);
	}
	b->n = j;
}

/*
 * Adds clones of the selected packets of 'b' to the batch of 'lv': the
 * mbuf is shared (see output_mbuf()), the key and layout are private.
 */
static void batch_clone(const struct batch *b, uint64_t sel, struct nest_level *lv)
{
	struct batch *to = &lv->b;

	for (uint32_t i = 0; i < b->n; i++) {
		const struct actions_pkt *p = &b->p[i];

		if (!(sel & (1ull << i)))
			continue;
		rte_pktmbuf_refcnt_update(p->mbuf, 1);
		lv->keys[to->n] = *p->key;
		lv->layouts[to->n] = *p->layout;
		to->p[to->n] = (struct actions_pkt){
			.mbuf = p->mbuf,
			.key = &lv->keys[to->n],
			.layout = &lv->layouts[to->n],
			.recirc_depth = p->recirc_depth,
		};
		to->n++;
	}
}

/*
 * Runs 'list' on the packets of 'b' selected by 'sel' (bit i: b->p[i]).
 * With 'move', they leave 'b' and the nested list consumes them (the kernel's
 * "last" case); otherwise the list runs on clones and 'b' is unchanged.
 */
static void run_nested(struct actions_ctx *ctx, struct batch *b, uint64_t sel,
		       const struct nlattr *list, uint32_t len, bool move)
{
	struct nest_level *lv;

	if (!sel || (!move && len == 0))
		return;
	if (unlikely(ctx->level >= ACTIONS_NEST_MAX)) {
		drop_count(ctx, ACTIONS_DROP_NESTING, (uint64_t)__builtin_popcountll(sel));
		if (move)
			batch_move(b, sel, NULL);
		return;
	}
	lv = &ctx->levels[++ctx->level];
	lv->b.n = 0;
	lv->b.cutlen = b->cutlen;
	if (move)
		batch_move(b, sel, &lv->b);
	else
		batch_clone(b, sel, lv);
	run_list(ctx, &lv->b, list, len);
	ctx->level--;
}

static void do_sample(struct actions_ctx *ctx, struct batch *b, const struct nlattr *attr,
		      bool last)
{
	const struct nlattr *a, *list = NULL;
	uint32_t prob = 0;
	uint64_t sel = 0;

	nl_attr_for_each_nested(a, attr) {
		if (nl_attr_type(a) == OVS_SAMPLE_ATTR_PROBABILITY)
			prob = nl_attr_u32(a);
		else if (nl_attr_type(a) == OVS_SAMPLE_ATTR_ACTIONS)
			list = a;
	}
	/* As the kernel: UINT32_MAX always, 0 never, else when random <= prob. */
	for (uint32_t i = 0; i < b->n && prob; i++)
		if (prob == UINT32_MAX || prng_next(ctx) <= prob)
			sel |= 1ull << i;
	run_nested(ctx, b, sel, nested_list(list), nested_len(list), last);
}

static void do_check_pkt_len(struct actions_ctx *ctx, struct batch *b, const struct nlattr *attr,
			     bool last)
{
	const struct nlattr *a, *greater = NULL, *less_equal = NULL;
	uint16_t max_len = 0;
	uint64_t sel = 0;

	nl_attr_for_each_nested(a, attr) {
		switch (nl_attr_type(a)) {
		case OVS_CHECK_PKT_LEN_ATTR_PKT_LEN:
			max_len = nl_attr_u16(a);
			break;
		case OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_GREATER:
			greater = a;
			break;
		case OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_LESS_EQUAL:
			less_equal = a;
			break;
		}
	}
	for (uint32_t i = 0; i < b->n; i++)
		if (b->p[i].mbuf->pkt_len > max_len)
			sel |= 1ull << i;
	/* Both selections first: moving the first group renumbers 'b'. */
	uint64_t rest = batch_all(b) & ~sel;

	run_nested(ctx, b, sel, nested_list(greater), nested_len(greater), last);
	if (last)
		rest = batch_all(b); /* what is left are the short ones */
	run_nested(ctx, b, rest, nested_list(less_equal), nested_len(less_equal), last);
}

/* Packets whose TTL would reach 0 leave the list and run the nested one. */
static void do_dec_ttl(struct actions_ctx *ctx, struct batch *b, const struct nlattr *attr)
{
	const struct nlattr *a, *list = NULL;
	uint64_t sel = 0;

	nl_attr_for_each_nested(a, attr)
		if (nl_attr_type(a) == OVS_DEC_TTL_ATTR_ACTION)
			list = a;
	for (uint32_t i = 0; i < b->n; i++)
		if (actions_ttl_expired(&b->p[i]))
			sel |= 1ull << i;
	run_nested(ctx, b, sel, nested_list(list), nested_len(list), true);
	batch_each(ctx, b, actions_ttl_dec, NULL);
}

/* ---- The list walker -------------------------------------------------- */

static void run_action(struct actions_ctx *ctx, struct batch *b, const struct nlattr *a, bool last,
		       const struct nlattr *list, uint32_t len)
{
	const void *arg = nl_attr_data(a);

	switch (nl_attr_type(a)) {
	case OVS_ACTION_ATTR_OUTPUT:
		do_output(ctx, b, nl_attr_u32(a), last);
		break;
	case OVS_ACTION_ATTR_TRUNC:
		b->cutlen = ((const struct ovs_action_trunc *)arg)->max_len;
		break;
	case OVS_ACTION_ATTR_USERSPACE:
		do_userspace(ctx, b, a, list, len);
		break;
	case OVS_ACTION_ATTR_SET:
		actions_set_run(ctx, b, arg, false);
		break;
	case OVS_ACTION_ATTR_SET_MASKED:
		actions_set_run(ctx, b, arg, true);
		break;
	case OVS_ACTION_ATTR_PUSH_VLAN:
		batch_each(ctx, b, actions_push_vlan, arg);
		break;
	case OVS_ACTION_ATTR_POP_VLAN:
		batch_each(ctx, b, actions_pop_vlan, NULL);
		break;
	case OVS_ACTION_ATTR_PUSH_MPLS:
		batch_each(ctx, b, actions_push_mpls, arg);
		break;
	case OVS_ACTION_ATTR_POP_MPLS:
		batch_each(ctx, b, actions_pop_mpls, arg);
		break;
	case OVS_ACTION_ATTR_RECIRC:
		do_recirc(ctx, b, nl_attr_u32(a), last);
		break;
	case OVS_ACTION_ATTR_HASH:
		do_hash(b, arg);
		break;
	case OVS_ACTION_ATTR_SAMPLE:
		do_sample(ctx, b, a, last);
		break;
	case OVS_ACTION_ATTR_CLONE:
		run_nested(ctx, b, batch_all(b), arg, (uint32_t)nl_attr_len(a), last);
		break;
	case OVS_ACTION_ATTR_CHECK_PKT_LEN:
		do_check_pkt_len(ctx, b, a, last);
		break;
	case OVS_ACTION_ATTR_DEC_TTL:
		do_dec_ttl(ctx, b, a);
		break;
	default:
		break; /* validation admits nothing else */
	}
}

/* Runs 'list' on 'b' and frees what is left at its end. */
static void run_list(struct actions_ctx *ctx, struct batch *b, const struct nlattr *list,
		     uint32_t len)
{
	const char *end = (const char *)list + len;
	const struct nlattr *a = list;

	while (b->n && nl_attr_ok(a, nl_attr_left(a, end))) {
		const struct nlattr *next = nl_attr_next(a);
		bool last = !nl_attr_ok(next, nl_attr_left(next, end));

		run_action(ctx, b, a, last, list, len);
		a = next;
	}
	batch_free(b);
}

void actions_execute(struct actions_ctx *ctx, const struct actions_pkt *pkts, uint32_t n,
		     const struct nlattr *actions, uint32_t len)
{
	struct batch *b = &ctx->levels[0].b;

	while (n) {
		uint32_t k = RTE_MIN(n, (uint32_t)ACTIONS_BATCH_MAX);

		b->n = k;
		b->cutlen = CUTLEN_NONE;
		memcpy(b->p, pkts, k * sizeof(*pkts));
		ctx->level = 0;
		run_list(ctx, b, actions, len);
		pkts += k;
		n -= k;
	}
}

void actions_execute_one(struct actions_ctx *ctx, struct rte_mbuf *m, struct flow_key *key,
			 struct flow_layout *layout, const struct nlattr *actions, uint32_t len)
{
	struct actions_pkt p = { .mbuf = m, .key = key, .layout = layout };

	actions_execute(ctx, &p, 1, actions, len);
}
