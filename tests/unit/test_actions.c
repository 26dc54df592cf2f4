/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the action executor's control flow: outputs (shared and
 * copied), tx buffers, trunc, sample, clone, check_pkt_len, recirc, hash,
 * userspace, dec_ttl, nesting and resource-exhaustion drops. Header
 * rewrites are in test_actions_set.c. Every test ends with the mbuf pool
 * back to empty (no leak, no double free).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/openvswitch.h>
#include <rte_mempool.h>

#include "dp_test.h"

#define GMAX 320

static struct actions_fixture fx;

static struct flow_key keys[GMAX];
static struct flow_layout lays[GMAX];
static struct actions_pkt pk[GMAX];
static uint8_t orig[PKT_MAX];
static size_t orig_len;

static int setup(void **state)
{
	(void)state;
	return actions_fixture_setup(&fx, 42);
}

static int teardown(void **state)
{
	(void)state;
	return actions_fixture_teardown(&fx);
}

/* Builds n copies of the packet of 's' and runs 'a' on them as one group. */
static void run_group(const struct pkt_spec *s, uint32_t n, const struct nlbuf *a)
{
	struct flow_layout l;

	orig_len = pkt_build(s, orig, &l);
	for (uint32_t i = 0; i < n; i++) {
		spec_key(s, &keys[i]);
		lays[i] = l;
		pk[i] = (struct actions_pkt){ mbuf_from(orig, orig_len), &keys[i], &lays[i], 0 };
	}
	actions_execute(fx.ctx, pk, n, (const struct nlattr *)a->data, (uint32_t)a->len);
}

static void tcp_spec(struct pkt_spec *s)
{
	spec_default(s, 0x0800, IPPROTO_TCP);
}

static void test_drop_empty(void **state)
{
	struct pkt_spec s;

	(void)state;
	tcp_spec(&s);
	run_group(&s, 5, &fx.acts);
	actions_flush(fx.ctx);
	assert_int_equal(fx.cap.n, 0);
	assert_int_equal(rte_mempool_in_use_count(dp_pool), fx.pool_baseline);
}

static void test_output_moves(void **state)
{
	struct pkt_spec s;

	(void)state;
	tcp_spec(&s);
	act_output(&fx.acts, 1);
	run_group(&s, 3, &fx.acts);
	assert_int_equal(fx.cap.n, 0); /* buffered until the flush */
	actions_flush(fx.ctx);
	assert_int_equal(fx.cap.calls, 1);
	assert_int_equal(capture_count(&fx.cap, 1), 3);
	for (uint32_t i = 0; i < 3; i++) {
		assert_ptr_equal(capture_get(&fx.cap, 1, i), pk[i].mbuf); /* no copy */
		assert_int_equal(rte_mbuf_refcnt_read(pk[i].mbuf), 1);
		assert_mbuf_bytes(capture_get(&fx.cap, 1, i), orig, orig_len);
	}
}

/* Nothing modifies the packet after the first output: both share the mbuf. */
static void test_output_shared(void **state)
{
	struct pkt_spec s;

	(void)state;
	tcp_spec(&s);
	act_output(&fx.acts, 1);
	act_output(&fx.acts, 2);
	act_output(&fx.acts, 2);
	run_group(&s, 4, &fx.acts);
	actions_flush(fx.ctx);
	assert_int_equal(capture_count(&fx.cap, 1), 4);
	assert_int_equal(capture_count(&fx.cap, 2), 8);
	for (uint32_t i = 0; i < 4; i++) {
		struct rte_mbuf *m = capture_get(&fx.cap, 1, i);

		/* One action at a time over the group: p0..p3, then p0..p3 again. */
		assert_ptr_equal(m, capture_get(&fx.cap, 2, i));
		assert_ptr_equal(m, capture_get(&fx.cap, 2, 4 + i));
		assert_int_equal(rte_mbuf_refcnt_read(m), 3);
		assert_mbuf_bytes(m, orig, orig_len);
	}
}

/* A rewrite after an output copies first: the earlier output keeps its bytes. */
static void test_output_then_modify(void **state)
{
	struct ovs_key_ethernet v = { .eth_dst = { 0xee } }, m = { .eth_dst = { 0xff } };
	struct pkt_spec s, mod;
	uint8_t want[PKT_MAX];
	struct flow_layout l;
	size_t len;

	(void)state;
	tcp_spec(&s);
	mod = s;
	mod.dst[0] = 0xee;
	len = pkt_build(&mod, want, &l);
	act_output(&fx.acts, 1);
	act_set_masked(&fx.acts, OVS_KEY_ATTR_ETHERNET, &v, &m, sizeof(v));
	act_output(&fx.acts, 2);
	run_group(&s, 5, &fx.acts);
	actions_flush(fx.ctx);
	for (uint32_t i = 0; i < 5; i++) {
		struct rte_mbuf *a = capture_get(&fx.cap, 1, i), *b = capture_get(&fx.cap, 2, i);

		assert_ptr_not_equal(a, b);
		assert_int_equal(rte_mbuf_refcnt_read(a), 1);
		assert_int_equal(rte_mbuf_refcnt_read(b), 1);
		assert_mbuf_bytes(a, orig, orig_len);
		assert_mbuf_bytes(b, want, len);
		assert_memory_equal(keys[i].eth_dst, mod.dst, 6);
	}
}

static void test_output_no_port(void **state)
{
	struct pkt_spec s;

	(void)state;
	tcp_spec(&s);
	act_output(&fx.acts, 9);   /* in range, not existing */
	act_output(&fx.acts, 100); /* past max_ports */
	act_output(&fx.acts, 1);
	run_group(&s, 3, &fx.acts);
	actions_flush(fx.ctx);
	assert_int_equal(capture_count(&fx.cap, 1), 3);
	assert_int_equal(drops_of(fx.ctx, ACTIONS_DROP_NO_PORT), 6);
	capture_free(&fx.cap);

	nlbuf_reset(&fx.acts);
	act_output(&fx.acts, 9); /* last: the packet is freed */
	run_group(&s, 2, &fx.acts);
	actions_flush(fx.ctx);
	assert_int_equal(fx.cap.n, 0);
	assert_int_equal(drops_of(fx.ctx, ACTIONS_DROP_NO_PORT), 8);
}

static void test_port_set(void **state)
{
	struct pkt_spec s;

	(void)state;
	tcp_spec(&s);
	assert_int_equal(actions_port_set(fx.ctx, 16, true), -EINVAL);
	act_output(&fx.acts, 1);
	run_group(&s, 2, &fx.acts);
	assert_int_equal(actions_port_set(fx.ctx, 1, false), 0); /* flushes port 1 */
	assert_int_equal(capture_count(&fx.cap, 1), 2);
	run_group(&s, 2, &fx.acts);
	assert_int_equal(drops_of(fx.ctx, ACTIONS_DROP_NO_PORT), 2);
	assert_int_equal(actions_port_set(fx.ctx, 1, true), 0);
}

static void test_txbuf_full(void **state)
{
	struct pkt_spec s;

	(void)state;
	tcp_spec(&s);
	act_output(&fx.acts, 1);
	run_group(&s, 40, &fx.acts);
	/* The buffer filled once during the run: one burst went out. */
	assert_int_equal(fx.cap.calls, 1);
	assert_int_equal(fx.cap.n, ACTIONS_TXBUF_SIZE);
	actions_flush(fx.ctx);
	assert_int_equal(fx.cap.calls, 2);
	assert_int_equal(fx.cap.n, 40);
	actions_flush(fx.ctx); /* nothing left: no call */
	assert_int_equal(fx.cap.calls, 2);
	capture_free(&fx.cap);

	/* A hook that takes only 10 of a burst: the rest is a counted drop. */
	fx.cap.limit = 10;
	run_group(&s, ACTIONS_TXBUF_SIZE, &fx.acts);
	assert_int_equal(fx.cap.n, 10);
	assert_int_equal(drops_of(fx.ctx, ACTIONS_DROP_TX), ACTIONS_TXBUF_SIZE - 10);
	fx.cap.limit = 0;
}

/* actions_output(), the PMD's path for output-only flows: a full burst
 * onto an empty buffer is sent at once; behind a queued packet it is
 * buffered, so the port still sees the packets in order. */
static void test_output_burst(void **state)
{
	struct rte_mbuf *burst[ACTIONS_TXBUF_SIZE], *first;
	struct pkt_spec s;
	struct flow_layout l;

	(void)state;
	tcp_spec(&s);
	orig_len = pkt_build(&s, orig, &l);
	for (uint32_t i = 0; i < ACTIONS_TXBUF_SIZE; i++)
		burst[i] = mbuf_from(orig, orig_len);
	actions_output(fx.ctx, 1, burst, ACTIONS_TXBUF_SIZE);
	assert_int_equal(fx.cap.calls, 1); /* before any flush */
	assert_int_equal(capture_count(&fx.cap, 1), ACTIONS_TXBUF_SIZE);
	actions_flush(fx.ctx);
	assert_int_equal(fx.cap.calls, 1);
	capture_free(&fx.cap);

	first = mbuf_from(orig, orig_len);
	actions_output(fx.ctx, 1, &first, 1);
	for (uint32_t i = 0; i < ACTIONS_TXBUF_SIZE; i++)
		burst[i] = mbuf_from(orig, orig_len);
	actions_output(fx.ctx, 1, burst, ACTIONS_TXBUF_SIZE);
	actions_flush(fx.ctx);
	assert_int_equal(capture_count(&fx.cap, 1), ACTIONS_TXBUF_SIZE + 1);
	assert_ptr_equal(capture_get(&fx.cap, 1, 0), first);
	for (uint32_t i = 0; i < ACTIONS_TXBUF_SIZE; i++)
		assert_ptr_equal(capture_get(&fx.cap, 1, i + 1), burst[i]);
	capture_free(&fx.cap);

	/* A hook that takes only 10 of the direct burst: a counted drop. */
	fx.cap.limit = 10;
	for (uint32_t i = 0; i < ACTIONS_TXBUF_SIZE; i++)
		burst[i] = mbuf_from(orig, orig_len);
	actions_output(fx.ctx, 1, burst, ACTIONS_TXBUF_SIZE);
	assert_int_equal(fx.cap.n, 10);
	assert_int_equal(drops_of(fx.ctx, ACTIONS_DROP_TX), ACTIONS_TXBUF_SIZE - 10);
	fx.cap.limit = 0;
	capture_free(&fx.cap);
}

static void test_trunc(void **state)
{
	struct ovs_action_trunc t = { 20 }, big = { 5000 };
	struct pkt_spec s;

	(void)state;
	tcp_spec(&s);
	nlbuf_put_attr(&fx.acts, OVS_ACTION_ATTR_TRUNC, &t, sizeof(t));
	act_output(&fx.acts, 1);
	act_output(&fx.acts, 2); /* trunc applied to the previous output only */
	nlbuf_put_attr(&fx.acts, OVS_ACTION_ATTR_TRUNC, &big, sizeof(big));
	act_output(&fx.acts, 3); /* longer than the packet: no effect */
	nlbuf_put_attr(&fx.acts, OVS_ACTION_ATTR_TRUNC, &t, sizeof(t));
	act_output(&fx.acts, 4); /* last, but shared with 2 and 3: a copy */
	run_group(&s, 2, &fx.acts);
	actions_flush(fx.ctx);
	for (uint32_t i = 0; i < 2; i++) {
		assert_mbuf_bytes(capture_get(&fx.cap, 1, i), orig, 20);
		assert_mbuf_bytes(capture_get(&fx.cap, 2, i), orig, orig_len);
		assert_mbuf_bytes(capture_get(&fx.cap, 3, i), orig, orig_len);
		assert_mbuf_bytes(capture_get(&fx.cap, 4, i), orig, 20);
		assert_ptr_equal(capture_get(&fx.cap, 2, i), pk[i].mbuf);
		assert_ptr_not_equal(capture_get(&fx.cap, 1, i), pk[i].mbuf);
		assert_ptr_not_equal(capture_get(&fx.cap, 4, i), pk[i].mbuf);
	}
	capture_free(&fx.cap);

	/* The packet's last use, not shared: trimmed in place. */
	nlbuf_reset(&fx.acts);
	nlbuf_put_attr(&fx.acts, OVS_ACTION_ATTR_TRUNC, &t, sizeof(t));
	act_output(&fx.acts, 4);
	run_group(&s, 2, &fx.acts);
	actions_flush(fx.ctx);
	for (uint32_t i = 0; i < 2; i++) {
		assert_ptr_equal(capture_get(&fx.cap, 4, i), pk[i].mbuf);
		assert_mbuf_bytes(capture_get(&fx.cap, 4, i), orig, 20);
	}
}

static void put_sample(struct nlbuf *b, uint32_t prob, uint32_t port)
{
	size_t nest = nlbuf_nest_start(b, OVS_ACTION_ATTR_SAMPLE), inner;

	nlbuf_put_u32(b, OVS_SAMPLE_ATTR_PROBABILITY, prob);
	inner = nlbuf_nest_start(b, OVS_SAMPLE_ATTR_ACTIONS);
	act_output(b, port);
	nlbuf_nest_end(b, inner);
	nlbuf_nest_end(b, nest);
}

static void test_sample(void **state)
{
	struct pkt_spec s;
	uint32_t hits;

	(void)state;
	tcp_spec(&s);
	put_sample(&fx.acts, 0, 1);
	put_sample(&fx.acts, UINT32_MAX, 2);
	act_output(&fx.acts, 3);
	run_group(&s, 32, &fx.acts);
	actions_flush(fx.ctx);
	assert_int_equal(capture_count(&fx.cap, 1), 0);
	assert_int_equal(capture_count(&fx.cap, 2), 32);
	assert_int_equal(capture_count(&fx.cap, 3), 32);
	/* The sampled clone shares the mbuf with the original. */
	assert_ptr_equal(capture_get(&fx.cap, 2, 0), capture_get(&fx.cap, 3, 0));
	capture_free(&fx.cap);

	/* 50%: 3200 packets, binomial sd ~28; allow 6 sd. */
	nlbuf_reset(&fx.acts);
	put_sample(&fx.acts, UINT32_MAX / 2, 1);
	for (int g = 0; g < 100; g++)
		run_group(&s, 32, &fx.acts);
	actions_flush(fx.ctx);
	hits = capture_count(&fx.cap, 1);
	assert_in_range(hits, 1600 - 170, 1600 + 170);
	capture_free(&fx.cap);

	/* Last action: the unsampled packets are freed, none leak. */
	nlbuf_reset(&fx.acts);
	put_sample(&fx.acts, UINT32_MAX / 4, 1);
	run_group(&s, 64, &fx.acts);
	actions_flush(fx.ctx);
	assert_in_range(capture_count(&fx.cap, 1), 1, 40);
}

static void test_clone(void **state)
{
	struct ovs_key_ipv4 v = { .ipv4_ttl = 9 }, m = { .ipv4_ttl = 0xff };
	struct pkt_spec s, mod;
	uint8_t want[PKT_MAX];
	struct flow_layout l;
	size_t nest, len;

	(void)state;
	tcp_spec(&s);
	mod = s;
	mod.ttl = 9;
	len = pkt_build(&mod, want, &l);
	nest = nlbuf_nest_start(&fx.acts, OVS_ACTION_ATTR_CLONE);
	act_set_masked(&fx.acts, OVS_KEY_ATTR_IPV4, &v, &m, sizeof(v));
	act_output(&fx.acts, 1);
	nlbuf_nest_end(&fx.acts, nest);
	act_output(&fx.acts, 2);
	nest = nlbuf_nest_start(&fx.acts, OVS_ACTION_ATTR_CLONE); /* last: no copy */
	act_output(&fx.acts, 3);
	nlbuf_nest_end(&fx.acts, nest);
	run_group(&s, 3, &fx.acts);
	actions_flush(fx.ctx);
	for (uint32_t i = 0; i < 3; i++) {
		assert_mbuf_bytes(capture_get(&fx.cap, 1, i), want, len);
		assert_mbuf_bytes(capture_get(&fx.cap, 2, i), orig, orig_len);
		assert_ptr_equal(capture_get(&fx.cap, 3, i), capture_get(&fx.cap, 2, i));
		assert_int_equal(keys[i].ip_ttl, 64); /* the clone had its own key */
	}
}

static void put_check_pkt_len(struct nlbuf *b, uint16_t len, uint32_t gt_port, uint32_t le_port)
{
	size_t nest = nlbuf_nest_start(b, OVS_ACTION_ATTR_CHECK_PKT_LEN), inner;

	nlbuf_put_u16(b, OVS_CHECK_PKT_LEN_ATTR_PKT_LEN, len);
	inner = nlbuf_nest_start(b, OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_GREATER);
	act_output(b, gt_port);
	nlbuf_nest_end(b, inner);
	inner = nlbuf_nest_start(b, OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_LESS_EQUAL);
	act_output(b, le_port);
	nlbuf_nest_end(b, inner);
	nlbuf_nest_end(b, nest);
}

/* A group of short and long packets, interleaved. */
static void run_mixed(uint32_t n)
{
	struct pkt_spec s;
	uint8_t buf[PKT_MAX];

	tcp_spec(&s);
	for (uint32_t i = 0; i < n; i++) {
		size_t len;

		s.payload = i % 2 ? 200 : 10;
		len = pkt_build(&s, buf, &lays[i]);
		spec_key(&s, &keys[i]);
		pk[i] = (struct actions_pkt){ mbuf_from(buf, len), &keys[i], &lays[i], 0 };
	}
	actions_execute(fx.ctx, pk, n, (const struct nlattr *)fx.acts.data, (uint32_t)fx.acts.len);
	actions_flush(fx.ctx);
}

static void test_check_pkt_len(void **state)
{
	(void)state;
	/* 64 and 254 bytes against 100; 64 is "less or equal" to 64. */
	put_check_pkt_len(&fx.acts, 100, 1, 2);
	put_check_pkt_len(&fx.acts, 64, 5, 6);
	act_output(&fx.acts, 3);
	run_mixed(8);
	assert_int_equal(capture_count(&fx.cap, 1), 4);
	assert_int_equal(capture_count(&fx.cap, 2), 4);
	assert_int_equal(capture_count(&fx.cap, 5), 4);
	assert_int_equal(capture_count(&fx.cap, 6), 4);
	assert_int_equal(capture_count(&fx.cap, 3), 8);
	for (uint32_t i = 0; i < 4; i++) {
		assert_true(capture_get(&fx.cap, 1, i)->pkt_len > 100);
		assert_true(capture_get(&fx.cap, 2, i)->pkt_len <= 100);
		assert_int_equal(capture_get(&fx.cap, 6, i)->pkt_len, 64);
	}
	capture_free(&fx.cap);

	/* Last action: each packet goes down exactly one branch. */
	nlbuf_reset(&fx.acts);
	put_check_pkt_len(&fx.acts, 100, 1, 2);
	run_mixed(8);
	assert_int_equal(capture_count(&fx.cap, 1), 4);
	assert_int_equal(capture_count(&fx.cap, 2), 4);
	for (uint32_t i = 0; i < 4; i++)
		assert_ptr_equal(capture_get(&fx.cap, 1, i), pk[2 * i + 1].mbuf);
}

static void test_recirc(void **state)
{
	struct actions_recirc r[GMAX];
	struct pkt_spec s;
	uint32_t n;

	(void)state;
	tcp_spec(&s);
	nlbuf_put_u32(&fx.acts, OVS_ACTION_ATTR_RECIRC, 7);
	run_group(&s, 3, &fx.acts);
	assert_int_equal(actions_recirc_dequeue(fx.ctx, r, GMAX), 3);
	for (uint32_t i = 0; i < 3; i++) {
		assert_ptr_equal(r[i].mbuf, pk[i].mbuf); /* in order, not copied */
		assert_int_equal(r[i].md.recirc_id, 7);
		assert_int_equal(r[i].md.in_port, 3);
		assert_int_equal(r[i].depth, 1);
	}
	/* Loop the packets through recirc until the depth limit drops them. */
	for (int round = 1; round <= ACTIONS_RECIRC_DEPTH_MAX; round++) {
		for (uint32_t i = 0; i < 3; i++) {
			assert_int_equal(r[i].depth, round);
			pk[i] = (struct actions_pkt){ r[i].mbuf, &keys[i], &lays[i], r[i].depth };
		}
		actions_execute(fx.ctx, pk, 3, (const struct nlattr *)fx.acts.data,
				(uint32_t)fx.acts.len);
		n = actions_recirc_dequeue(fx.ctx, r, GMAX);
		assert_int_equal(n, round < ACTIONS_RECIRC_DEPTH_MAX ? 3 : 0);
	}
	assert_int_equal(drops_of(fx.ctx, ACTIONS_DROP_RECIRC_DEPTH), 3);

	/* Not last: the queued packet and the output share the mbuf. */
	nlbuf_reset(&fx.acts);
	nlbuf_put_u32(&fx.acts, OVS_ACTION_ATTR_RECIRC, 8);
	act_output(&fx.acts, 2);
	run_group(&s, 2, &fx.acts);
	actions_flush(fx.ctx);
	assert_int_equal(actions_recirc_dequeue(fx.ctx, r, GMAX), 2);
	assert_ptr_equal(r[0].mbuf, capture_get(&fx.cap, 2, 0));
	rte_pktmbuf_free(r[0].mbuf);
	rte_pktmbuf_free(r[1].mbuf);

	/* The queue is bounded: the excess is a counted drop. */
	nlbuf_reset(&fx.acts);
	nlbuf_put_u32(&fx.acts, OVS_ACTION_ATTR_RECIRC, 9);
	run_group(&s, 300, &fx.acts);
	assert_int_equal(drops_of(fx.ctx, ACTIONS_DROP_RECIRC_FULL), 300 - ACTIONS_RECIRC_QUEUE);
	n = actions_recirc_dequeue(fx.ctx, r, 100);
	assert_int_equal(n, 100);
	for (uint32_t i = 0; i < n; i++)
		rte_pktmbuf_free(r[i].mbuf);
	/* The rest stay queued; destroy (teardown) must free them. */
}

static uint32_t hash_of(const struct pkt_spec *s, uint32_t basis)
{
	struct ovs_action_hash h = { OVS_HASH_ALG_L4, basis };
	struct actions_recirc r;

	nlbuf_reset(&fx.acts);
	nlbuf_put_attr(&fx.acts, OVS_ACTION_ATTR_HASH, &h, sizeof(h));
	nlbuf_put_u32(&fx.acts, OVS_ACTION_ATTR_RECIRC, 1);
	run_group(s, 1, &fx.acts);
	assert_int_equal(actions_recirc_dequeue(fx.ctx, &r, 1), 1);
	rte_pktmbuf_free(r.mbuf);
	assert_int_equal(r.md.dp_hash, keys[0].dp_hash); /* key updated too */
	assert_int_not_equal(r.md.dp_hash, 0);
	return r.md.dp_hash;
}

static void test_hash(void **state)
{
	struct pkt_spec s, other;
	uint32_t h;

	(void)state;
	tcp_spec(&s);
	h = hash_of(&s, 0);
	other = s;
	other.payload = 99; /* not in the 5-tuple */
	other.ttl = 3;
	assert_int_equal(hash_of(&other, 0), h);
	other = s;
	other.sport++;
	assert_int_not_equal(hash_of(&other, 0), h);
	other = s;
	other.ip4_dst++;
	assert_int_not_equal(hash_of(&other, 0), h);
	assert_int_not_equal(hash_of(&s, 1), h);
	spec_default(&other, 0x86dd, IPPROTO_UDP);
	assert_int_not_equal(hash_of(&other, 0), h);
}

/* Upcall hook that keeps what it gets, or refuses. */
struct upcap {
	struct rte_mbuf *m[64];
	struct actions_upcall up[64];
	uint8_t userdata[64][16];
	uint32_t n;
	bool refuse;
};

static int upcall_hook(void *arg, const struct actions_upcall *up)
{
	struct upcap *u = arg;

	if (u->refuse || u->n == 64)
		return -ENOBUFS;
	u->m[u->n] = up->mbuf;
	u->up[u->n] = *up;
	if (up->userdata)
		memcpy(u->userdata[u->n], mnl_attr_get_payload(up->userdata),
		       mnl_attr_get_payload_len(up->userdata));
	u->n++;
	return 0;
}

static void put_userspace(struct nlbuf *b, bool with_actions)
{
	size_t nest = nlbuf_nest_start(b, OVS_ACTION_ATTR_USERSPACE);

	nlbuf_put_u32(b, OVS_USERSPACE_ATTR_PID, 42);
	nlbuf_put_attr(b, OVS_USERSPACE_ATTR_USERDATA, "cookie1", 8);
	if (with_actions)
		nlbuf_put_flag(b, OVS_USERSPACE_ATTR_ACTIONS);
	nlbuf_nest_end(b, nest);
}

static void test_userspace(void **state)
{
	struct ovs_action_trunc t = { 30 };
	static struct upcap u;
	struct actions_params p = {
		.max_ports = 4, .pool = dp_pool, .socket_id = SOCKET_ID_ANY,
		.tx = capture_tx, .tx_arg = &fx.cap, .upcall = upcall_hook, .upcall_arg = &u,
	};
	struct actions_ctx *uctx;
	struct pkt_spec s;

	(void)state;
	memset(&u, 0, sizeof(u));
	assert_int_equal(actions_ctx_create(&p, &uctx), 0);
	actions_port_set(uctx, 1, true);
	tcp_spec(&s);
	nlbuf_put_attr(&fx.acts, OVS_ACTION_ATTR_TRUNC, &t, sizeof(t));
	put_userspace(&fx.acts, true);
	act_output(&fx.acts, 1);
	orig_len = pkt_build(&s, orig, &lays[0]);
	spec_key(&s, &keys[0]);
	actions_execute_one(uctx, mbuf_from(orig, orig_len), &keys[0], &lays[0],
			    (const struct nlattr *)fx.acts.data, (uint32_t)fx.acts.len);
	actions_flush(uctx);
	assert_int_equal(u.n, 1);
	assert_int_equal(u.up[0].pid, 42);
	assert_int_equal(u.up[0].orig_len, orig_len);
	assert_string_equal((const char *)u.userdata[0], "cookie1");
	assert_ptr_equal(u.up[0].key, &keys[0]);
	assert_ptr_equal(u.up[0].actions, fx.acts.data);
	assert_int_equal(u.up[0].actions_len, fx.acts.len);
	assert_mbuf_bytes(u.m[0], orig, 30); /* a truncated private copy */
	assert_ptr_not_equal(u.m[0], capture_get(&fx.cap, 1, 0));
	assert_mbuf_bytes(capture_get(&fx.cap, 1, 0), orig, orig_len); /* trunc was used up */
	rte_pktmbuf_free(u.m[0]);
	capture_free(&fx.cap);

	/* Not truncated: no original length, as the kernel sends none. */
	nlbuf_reset(&fx.acts);
	put_userspace(&fx.acts, false);
	actions_execute_one(uctx, mbuf_from(orig, orig_len), &keys[0], &lays[0],
			    (const struct nlattr *)fx.acts.data, (uint32_t)fx.acts.len);
	assert_int_equal(u.n, 2);
	assert_int_equal(u.up[1].orig_len, 0);
	assert_mbuf_bytes(u.m[1], orig, orig_len);
	rte_pktmbuf_free(u.m[1]);

	/* A refusing hook: counted, and the copy is freed. */
	u.refuse = true;
	actions_execute_one(uctx, mbuf_from(orig, orig_len), &keys[0], &lays[0],
			    (const struct nlattr *)fx.acts.data, (uint32_t)fx.acts.len);
	{
		uint64_t d[ACTIONS_DROP__MAX];

		actions_drops_get(uctx, d);
		assert_int_equal(d[ACTIONS_DROP_UPCALL], 1);
	}
	actions_ctx_destroy(uctx);

	/* No hook at all: counted. */
	run_group(&s, 2, &fx.acts);
	assert_int_equal(drops_of(fx.ctx, ACTIONS_DROP_UPCALL), 2);
}

static void put_dec_ttl(struct nlbuf *b, int exception_port)
{
	size_t nest = nlbuf_nest_start(b, OVS_ACTION_ATTR_DEC_TTL), inner;

	inner = nlbuf_nest_start(b, OVS_DEC_TTL_ATTR_ACTION);
	if (exception_port >= 0)
		act_output(b, (uint32_t)exception_port);
	nlbuf_nest_end(b, inner);
	nlbuf_nest_end(b, nest);
}

static void test_dec_ttl(void **state)
{
	struct pkt_spec s, want;
	uint8_t wbuf[PKT_MAX];
	struct flow_layout wl;
	size_t wlen;

	(void)state;
	put_dec_ttl(&fx.acts, 5);
	act_output(&fx.acts, 1);
	for (int v6 = 0; v6 < 2; v6++) {
		spec_default(&s, v6 ? 0x86dd : 0x0800, IPPROTO_UDP);
		s.ttl = s.hlimit = 2;
		want = s;
		want.ttl = want.hlimit = 1;
		wlen = pkt_build(&want, wbuf, &wl);
		run_group(&s, 2, &fx.acts);
		actions_flush(fx.ctx);
		assert_int_equal(capture_count(&fx.cap, 5), 0);
		assert_mbuf_bytes(capture_get(&fx.cap, 1, 0), wbuf, wlen);
		assert_int_equal(keys[0].ip_ttl, 1);
		if (!v6)
			assert_true(csum_ipv4_ok(wbuf, &wl));
		capture_free(&fx.cap);

		/* TTL 1 and 0: the nested list takes the packet, unchanged. */
		for (int ttl = 1; ttl >= 0; ttl--) {
			s.ttl = s.hlimit = (uint8_t)ttl;
			run_group(&s, 3, &fx.acts);
			actions_flush(fx.ctx);
			assert_int_equal(capture_count(&fx.cap, 1), 0);
			assert_int_equal(capture_count(&fx.cap, 5), 3);
			assert_mbuf_bytes(capture_get(&fx.cap, 5, 2), orig, orig_len);
			capture_free(&fx.cap);
		}
	}
	/* Not IP: nothing to decrement. */
	spec_default(&s, 0x88cc, 0);
	run_group(&s, 1, &fx.acts);
	actions_flush(fx.ctx);
	assert_mbuf_bytes(capture_get(&fx.cap, 1, 0), orig, orig_len);
	capture_free(&fx.cap);
	/* An empty exception list drops. */
	nlbuf_reset(&fx.acts);
	put_dec_ttl(&fx.acts, -1);
	act_output(&fx.acts, 1);
	spec_default(&s, 0x0800, IPPROTO_TCP);
	s.ttl = 1;
	run_group(&s, 2, &fx.acts);
	actions_flush(fx.ctx);
	assert_int_equal(fx.cap.n, 0);
}

/* 'depth' clones, one inside the other, around output(1); then output(2). */
static void put_nested_clones(struct nlbuf *b, int depth)
{
	size_t nest[64];

	for (int i = 0; i < depth; i++)
		nest[i] = nlbuf_nest_start(b, OVS_ACTION_ATTR_CLONE);
	act_output(b, 1);
	for (int i = depth - 1; i >= 0; i--)
		nlbuf_nest_end(b, nest[i]);
	act_output(b, 2);
}

static void test_nesting_limit(void **state)
{
	struct pkt_spec s;

	(void)state;
	tcp_spec(&s);
	put_nested_clones(&fx.acts, ACTIONS_NEST_MAX);
	run_group(&s, 2, &fx.acts);
	actions_flush(fx.ctx);
	assert_int_equal(capture_count(&fx.cap, 1), 2);
	assert_int_equal(capture_count(&fx.cap, 2), 2);
	capture_free(&fx.cap);

	nlbuf_reset(&fx.acts);
	put_nested_clones(&fx.acts, ACTIONS_NEST_MAX + 3);
	run_group(&s, 2, &fx.acts);
	actions_flush(fx.ctx);
	assert_int_equal(capture_count(&fx.cap, 1), 0);
	assert_int_equal(capture_count(&fx.cap, 2), 2);
	assert_int_equal(drops_of(fx.ctx, ACTIONS_DROP_NESTING), 2);
}

/* With the pool empty, copies fail: counted drops, nothing leaks. */
static void test_nomem(void **state)
{
	static struct rte_mbuf *hoard[8192];
	struct ovs_key_ethernet v = { .eth_dst = { 1 } }, m = { .eth_dst = { 0xff } };
	struct ovs_action_trunc t = { 20 };
	struct pkt_spec s;
	uint32_t n = 0;

	(void)state;
	tcp_spec(&s);
	act_output(&fx.acts, 1);
	nlbuf_put_attr(&fx.acts, OVS_ACTION_ATTR_TRUNC, &t, sizeof(t));
	act_output(&fx.acts, 3);
	act_set_masked(&fx.acts, OVS_KEY_ATTR_ETHERNET, &v, &m, sizeof(v));
	act_output(&fx.acts, 2);
	orig_len = pkt_build(&s, orig, &lays[0]);
	spec_key(&s, &keys[0]);
	pk[0] = (struct actions_pkt){ mbuf_from(orig, orig_len), &keys[0], &lays[0], 0 };
	while (n < 8192 && (hoard[n] = rte_pktmbuf_alloc(dp_pool)) != NULL)
		n++;
	actions_execute(fx.ctx, pk, 1, (const struct nlattr *)fx.acts.data, (uint32_t)fx.acts.len);
	actions_flush(fx.ctx);
	assert_int_equal(capture_count(&fx.cap, 1), 1); /* shared: no copy needed */
	assert_int_equal(capture_count(&fx.cap, 3), 0); /* truncated copy failed */
	assert_int_equal(capture_count(&fx.cap, 2), 0); /* copy on write failed */
	assert_int_equal(drops_of(fx.ctx, ACTIONS_DROP_NOMEM), 2);
	assert_int_equal(rte_mbuf_refcnt_read(capture_get(&fx.cap, 1, 0)), 1);
	rte_pktmbuf_free_bulk(hoard, n);
}

/* Destroy frees what is still buffered or queued. */
static void test_destroy_frees(void **state)
{
	struct pkt_spec s;

	(void)state;
	tcp_spec(&s);
	act_output(&fx.acts, 1);
	nlbuf_put_u32(&fx.acts, OVS_ACTION_ATTR_RECIRC, 1);
	run_group(&s, 5, &fx.acts);
	assert_int_equal(rte_mempool_in_use_count(dp_pool), fx.pool_baseline + 5);
	actions_ctx_destroy(fx.ctx);
	assert_int_equal(rte_mempool_in_use_count(dp_pool), fx.pool_baseline);
	assert_int_equal(fx.cap.n, 0);
	fx.ctx = ctx_new(&fx.cap, 1);
}

static void test_params(void **state)
{
	struct actions_params p = { .max_ports = 4, .pool = dp_pool, .tx = capture_tx };
	struct actions_ctx *c;

	(void)state;
	p.pool = NULL;
	assert_int_equal(actions_ctx_create(&p, &c), -EINVAL);
	p.pool = dp_pool;
	p.tx = NULL;
	assert_int_equal(actions_ctx_create(&p, &c), -EINVAL);
	p.tx = capture_tx;
	p.max_ports = 0;
	assert_int_equal(actions_ctx_create(&p, &c), -EINVAL);
	p.max_ports = 70000;
	assert_int_equal(actions_ctx_create(&p, &c), -EINVAL);
	assert_int_equal(actions_ctx_create(NULL, &c), -EINVAL);
	p.max_ports = 4;
	assert_int_equal(actions_ctx_create(&p, &c), 0);
	actions_ctx_destroy(c);
	actions_ctx_destroy(NULL);
	for (int r = 0; r < ACTIONS_DROP__MAX; r++)
		assert_non_null(actions_drop_name(r));
	assert_string_equal(actions_drop_name(ACTIONS_DROP_NO_PORT), "no_port");
	assert_null(actions_drop_name(ACTIONS_DROP__MAX));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_drop_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_moves, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_shared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_then_modify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_no_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_burst, setup, teardown),
		cmocka_unit_test_setup_teardown(test_txbuf_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trunc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sample, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_pkt_len, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recirc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_userspace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dec_ttl, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nesting_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nomem, setup, teardown),
		cmocka_unit_test_setup_teardown(test_destroy_frees, setup, teardown),
		cmocka_unit_test_setup_teardown(test_params, setup, teardown),
	};
	int rc;

	dp_eal_init("test_actions");
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	dp_eal_fini();
	return rc;
}
