/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the actions on packets that are chains of mbufs (jumbo
 * frames received with scatter, or built by EXECUTE): outputs sharing a
 * chain, a rewrite after an output (the copy covers every segment), L4
 * checksums over every segment, push/pop VLAN, trunc ending in any
 * segment, check_pkt_len on the packet's length. The headers are in the
 * first segment (key extraction reads only that, docs/ARCHITECTURE.md).
 * Every test ends with the pool as it began: no leak, no double free of a
 * shared segment.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <string.h>

#include <linux/openvswitch.h>
#include <rte_mempool.h>

#include "dp_test.h"

#define N 3
#define SEG 200  /* bytes per segment: a 1500-byte packet is 8 of them */

static struct actions_fixture fx;

static struct flow_key keys[N];
static struct flow_layout lays[N];
static struct actions_pkt pk[N];
static uint8_t orig[PKT_MAX];
static size_t orig_len;

static int setup(void **state)
{
	(void)state;
	return actions_fixture_setup(&fx, 7);
}

static int teardown(void **state)
{
	(void)state;
	return actions_fixture_teardown(&fx);
}

/* 'len' bytes of 'buf' as a chain: 'first' bytes, then SEG-byte segments. */
static struct rte_mbuf *chain_from(const uint8_t *buf, size_t len, size_t first)
{
	struct rte_mbuf *head = mbuf_from(buf, first);

	assert_non_null(head);
	for (size_t off = first; off < len; off += SEG) {
		struct rte_mbuf *m = mbuf_from(buf + off, RTE_MIN((size_t)SEG, len - off));

		assert_non_null(m);
		assert_int_equal(rte_pktmbuf_chain(head, m), 0);
	}
	return head;
}

/* The spec with a payload that makes a 1500-byte-ish packet. */
static void big_spec(struct pkt_spec *s, uint8_t proto)
{
	spec_default(s, 0x0800, proto);
	s->payload = 1400;
}

/* N chains of the packet of 's', headers in a first segment of 'first'. */
static void run_chains(const struct pkt_spec *s, size_t first)
{
	struct flow_layout l;

	orig_len = pkt_build(s, orig, &l);
	for (uint32_t i = 0; i < N; i++) {
		spec_key(s, &keys[i]);
		lays[i] = l;
		pk[i] = (struct actions_pkt){ chain_from(orig, orig_len, first), &keys[i], &lays[i],
					      0 };
		assert_true(pk[i].mbuf->nb_segs > 2);
	}
	actions_execute(fx.ctx, pk, N, (const struct nlattr *)fx.acts.data, (uint32_t)fx.acts.len);
	actions_flush(fx.ctx);
}

/* Two ports share each chain: every segment counts both references. */
static void test_output_shares_chain(void **state)
{
	struct pkt_spec s;

	(void)state;
	big_spec(&s, IPPROTO_UDP);
	act_output(&fx.acts, 1);
	act_output(&fx.acts, 2);
	run_chains(&s, 100);
	for (uint32_t i = 0; i < N; i++) {
		struct rte_mbuf *m = capture_get(&fx.cap, 1, i);

		assert_ptr_equal(m, capture_get(&fx.cap, 2, i));
		for (struct rte_mbuf *seg = m; seg; seg = seg->next)
			assert_int_equal(rte_mbuf_refcnt_read(seg), 2);
		assert_mbuf_bytes(m, orig, orig_len);
	}
}

/* A rewrite after an output: the first port keeps the original chain, the
 * second gets the rewritten bytes with the UDP checksum right over all
 * segments. */
static void test_set_after_output(void **state)
{
	struct ovs_key_ipv4 v = { .ipv4_src = htonl(0xc0a80101), .ipv4_dst = htonl(0xc0a80102),
				  .ipv4_proto = IPPROTO_UDP, .ipv4_tos = 0x10, .ipv4_ttl = 9 };
	struct pkt_spec s, want;
	uint8_t wbuf[PKT_MAX], got[PKT_MAX];
	struct flow_layout wl;
	size_t wlen;

	(void)state;
	big_spec(&s, IPPROTO_UDP);
	want = s;
	want.ip4_src = 0xc0a80101;
	want.ip4_dst = 0xc0a80102;
	want.tos = 0x10;
	want.ttl = 9;
	act_output(&fx.acts, 1);
	act_set(&fx.acts, OVS_KEY_ATTR_IPV4, &v, sizeof(v));
	act_output(&fx.acts, 2);
	run_chains(&s, 64);
	wlen = pkt_build(&want, wbuf, &wl);
	for (uint32_t i = 0; i < N; i++) {
		assert_mbuf_bytes(capture_get(&fx.cap, 1, i), orig, orig_len);
		assert_mbuf_bytes(capture_get(&fx.cap, 2, i), wbuf, wlen);
		mbuf_bytes(capture_get(&fx.cap, 2, i), got);
		assert_true(csum_ipv4_ok(got, &wl));
		assert_true(csum_l4_ok(got, wlen, &wl, 0x0800, IPPROTO_UDP));
	}
}

/* TCP ports rewritten in a chain split right after the TCP header. */
static void test_set_tcp_ports(void **state)
{
	struct ovs_key_tcp v = { .tcp_src = htons(4444), .tcp_dst = htons(8080) };
	struct pkt_spec s, want;
	uint8_t wbuf[PKT_MAX];
	struct flow_layout wl;
	size_t wlen;

	(void)state;
	big_spec(&s, IPPROTO_TCP);
	want = s;
	want.sport = 4444;
	want.dport = 8080;
	act_set(&fx.acts, OVS_KEY_ATTR_TCP, &v, sizeof(v));
	act_output(&fx.acts, 1);
	run_chains(&s, 14 + 20 + 20);
	wlen = pkt_build(&want, wbuf, &wl);
	for (uint32_t i = 0; i < N; i++)
		assert_mbuf_bytes(capture_get(&fx.cap, 1, i), wbuf, wlen);
}

/* push_vlan takes its bytes from the first segment's headroom; pop_vlan
 * gives them back; the rest of the chain is untouched. */
static void test_push_pop_vlan(void **state)
{
	struct ovs_action_push_vlan q = { htons(0x8100), htons(0x1000 | 0x0064) };
	struct pkt_spec s, tagged;
	uint8_t wbuf[PKT_MAX];
	struct flow_layout wl;
	size_t wlen;

	(void)state;
	big_spec(&s, IPPROTO_UDP);
	tagged = s;
	tagged.n_vlans = 1;
	tagged.vlan_tpid[0] = 0x8100;
	/* The action's 0x1000 (CFI) says "tag present" and is not written, as
	 * push_vlan() in net/openvswitch/actions.c clears it. */
	tagged.vlan_tci[0] = 0x0064;
	nlbuf_put_attr(&fx.acts, OVS_ACTION_ATTR_PUSH_VLAN, &q, sizeof(q));
	act_output(&fx.acts, 1);
	nlbuf_put_attr(&fx.acts, OVS_ACTION_ATTR_POP_VLAN, NULL, 0);
	act_output(&fx.acts, 2);
	run_chains(&s, 100);
	wlen = pkt_build(&tagged, wbuf, &wl);
	for (uint32_t i = 0; i < N; i++) {
		assert_mbuf_bytes(capture_get(&fx.cap, 1, i), wbuf, wlen);
		assert_mbuf_bytes(capture_get(&fx.cap, 2, i), orig, orig_len);
	}
}

/* trunc ending in the first, a middle and the last segment, and past the
 * end; the untruncated output after them gets the whole chain. */
static void test_trunc_in_each_segment(void **state)
{
	static const uint32_t cuts[] = { 60, 100, 101, 777, 1400, 5000 };
	struct pkt_spec s;

	(void)state;
	big_spec(&s, IPPROTO_UDP);
	for (uint32_t c = 0; c < sizeof(cuts) / sizeof(cuts[0]); c++) {
		struct ovs_action_trunc t = { cuts[c] };

		nlbuf_put_attr(&fx.acts, OVS_ACTION_ATTR_TRUNC, &t, sizeof(t));
		act_output(&fx.acts, 1 + c % 4);
	}
	act_output(&fx.acts, 7);
	run_chains(&s, 100);
	for (uint32_t i = 0; i < N; i++) {
		for (uint32_t c = 0; c < sizeof(cuts) / sizeof(cuts[0]); c++) {
			uint32_t port = 1 + c % 4, nth = i + N * (c / 4);

			assert_mbuf_bytes(capture_get(&fx.cap, port, nth), orig,
				     RTE_MIN((size_t)cuts[c], orig_len));
		}
		assert_mbuf_bytes(capture_get(&fx.cap, 7, i), orig, orig_len);
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

/* The packet's length decides, not its first segment's (100 bytes). */
static void test_check_pkt_len_whole_chain(void **state)
{
	struct pkt_spec s;

	(void)state;
	big_spec(&s, IPPROTO_UDP);
	put_check_pkt_len(&fx.acts, 1000, 1, 2);
	run_chains(&s, 100);
	assert_true(orig_len > 1000);
	assert_int_equal(capture_count(&fx.cap, 1), N);
	assert_int_equal(capture_count(&fx.cap, 2), 0);
	for (uint32_t i = 0; i < N; i++)
		assert_mbuf_bytes(capture_get(&fx.cap, 1, i), orig, orig_len);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_output_shares_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_after_output, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_tcp_ports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_push_pop_vlan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trunc_in_each_segment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_pkt_len_whole_chain, setup, teardown),
	};
	int rc;

	dp_eal_init("test_actions_chain");
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	dp_eal_fini();
	return rc;
}
