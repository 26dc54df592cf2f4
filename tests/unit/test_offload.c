/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of offload_tx_prepare() (src/pmd/offload.c) on mbuf chains
 * as net_vhost delivers a guest's packets: a partial L4 checksum
 * (RX_L4_CKSUM_NONE, the field holding the pseudo-header sum) and a GSO
 * segment (RX_LRO, tso_segsz). To a port that finishes them the packet
 * keeps its metadata as tx flags; to any other it is cut (librte_gso)
 * and/or checksummed in software, the checksums checked from scratch by
 * dp_test. Also: set-field on a partial checksum (actions_set.c), a NIC's
 * "bad checksum" left alone, a shared packet left unchanged, no mbuf
 * leaked.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <string.h>

#include <linux/openvswitch.h>
#include <rte_ip.h>
#include <rte_mempool.h>

#include "dp_test.h"
#include "offload.h"

#define MSS 400
#define PARTIAL (RTE_MBUF_F_RX_L4_CKSUM_NONE)
#define GSO (RTE_MBUF_F_RX_LRO | RTE_MBUF_F_RX_L4_CKSUM_NONE)

static unsigned int pool_baseline;
static struct offload_stats st;

static int setup(void **state)
{
	(void)state;
	memset(&st, 0, sizeof(st));
	pool_baseline = rte_mempool_in_use_count(dp_pool);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(rte_mempool_in_use_count(dp_pool), pool_baseline);
	return 0;
}

static uint16_t rd_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The folded pseudo-header sum, host order; with the L4 length unless
 * 'no_len' (the form NICs want for TSO, and DPDK guests send). */
static uint16_t phdr_host(const uint8_t *pkt, const struct flow_layout *l, bool ipv4, bool no_len)
{
	const uint8_t *ip = pkt + l->l3;
	uint32_t sum = 0, l4len;
	int alen = ipv4 ? 4 : 16;
	const uint8_t *src = ipv4 ? ip + 12 : ip + 8;

	l4len = ipv4 ? rd_be16(ip + 2) - (uint32_t)(l->l4 - l->l3) : rd_be16(ip + 4);
	for (int i = 0; i < 2 * alen; i += 2)
		sum += rd_be16(src + i);
	sum += IPPROTO_TCP;
	if (!no_len)
		sum += l4len;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* One test's packet: as the guest handed it over (orig, len, l), its mbuf
 * (m), what offload_tx_prepare() gave back (out) and a buffer to read an
 * mbuf's bytes into (got). */
struct guest_case {
	struct rte_mbuf *out[OFFLOAD_SEGS_MAX], *m;
	uint8_t orig[PKT_MAX], got[PKT_MAX];
	struct flow_layout l;
	size_t len;
};

/* c->m: a TCP packet of 'payload' bytes as a guest hands it over, the
 * partial sum in the TCP field, in two segments, with 'flags'. */
static void guest_pkt(struct guest_case *c, uint16_t eth_type, uint16_t payload,
		      uint64_t flags, bool no_len)
{
	struct pkt_spec s;
	uint16_t sum;

	spec_default(&s, eth_type, IPPROTO_TCP);
	s.payload = payload;
	c->len = pkt_build(&s, c->orig, &c->l);
	sum = phdr_host(c->orig, &c->l, eth_type == 0x0800, no_len);
	c->orig[c->l.l4 + 16] = (uint8_t)(sum >> 8);
	c->orig[c->l.l4 + 17] = (uint8_t)sum;
	c->m = mbuf_from_2seg(c->orig, c->len, 100);
	assert_non_null(c->m);
	c->m->ol_flags = flags;
	c->m->tso_segsz = flags & RTE_MBUF_F_RX_LRO ? MSS : 0;
}

static void free_all(struct rte_mbuf **out, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		rte_pktmbuf_free(out[i]);
}

/* To a guest that takes GSO: one packet, tx flags and lengths set, the
 * field rewritten to virtio's form (with the length) from a DPDK guest's
 * form (without). */
static void test_keep_to_guest(void **state)
{
	struct guest_case c;
	uint64_t want = RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM | RTE_MBUF_F_TX_IPV4 |
			RTE_MBUF_F_TX_IP_CKSUM;

	(void)state;
	guest_pkt(&c, 0x0800, 1400, GSO, true);
	assert_int_equal(offload_tx_prepare(c.m, OFFLOAD_TX_VIRTIO | OFFLOAD_TX_CSUM | OFFLOAD_TX_TSO,
					    dp_pool, c.out, OFFLOAD_SEGS_MAX, &st), 1);
	assert_ptr_equal(c.out[0], c.m);
	assert_int_equal(c.m->ol_flags & RTE_MBUF_F_TX_OFFLOAD_MASK, want);
	assert_int_equal(c.m->l2_len, 14);
	assert_int_equal(c.m->l3_len, 20);
	assert_int_equal(c.m->l4_len, 20);
	assert_int_equal(c.m->tso_segsz, MSS);
	assert_int_equal(mbuf_bytes(c.m, c.got), c.len);
	assert_int_equal(rd_be16(c.got + c.l.l4 + 16), phdr_host(c.orig, &c.l, true, false));
	assert_memory_equal(c.got, c.orig, c.l.l4 + 16);
	assert_memory_equal(c.got + c.l.l4 + 18, c.orig + c.l.l4 + 18, c.len - c.l.l4 - 18);
	assert_int_equal(st.kept, 1);
	rte_pktmbuf_free(c.m);
}

/* Cut into MSS-sized segments with right checksums, payload end to end. */
static void check_segments(struct rte_mbuf **out, uint16_t n, const uint8_t *orig, size_t len,
			   const struct flow_layout *l)
{
	uint8_t got[PKT_MAX];
	size_t hdr = l->l4 + 20, at = hdr;
	struct flow_layout sl = *l;

	for (uint16_t i = 0; i < n; i++) {
		size_t glen = mbuf_bytes(out[i], got);

		assert_true(glen - hdr <= MSS);
		assert_true(csum_ipv4_ok(got, &sl));
		assert_true(csum_l4_ok(got, glen, &sl, 0x0800, IPPROTO_TCP));
		assert_memory_equal(got + hdr, orig + at, glen - hdr);
		assert_int_equal(out[i]->ol_flags & (RTE_MBUF_F_TX_OFFLOAD_MASK | GSO), 0);
		at += glen - hdr;
	}
	assert_int_equal(at, len);
}

/* A guest's GSO packet of 'payload' bytes cut for a port with 'caps'
 * (no TSO), its partial sum with the length unless no_len: each segment
 * checked, all freed; returns how many. */
static uint16_t segment_and_check(uint16_t payload, bool no_len, uint8_t caps)
{
	struct guest_case c;
	uint16_t n;

	guest_pkt(&c, 0x0800, payload, GSO, no_len);
	n = offload_tx_prepare(c.m, caps, dp_pool, c.out, OFFLOAD_SEGS_MAX, &st);
	check_segments(c.out, n, c.orig, c.len, &c.l);
	free_all(c.out, n);
	return n;
}

static void test_segment_in_software(void **state)
{
	(void)state;
	uint16_t n = segment_and_check(1400, false, 0);

	assert_int_equal(n, (1400 + MSS - 1) / MSS);
	assert_int_equal(st.segmented, 1);
	assert_int_equal(st.segments, n);
}

/* A port with checksum offload but no TSO: still cut in software. */
static void test_segment_for_csum_only_guest(void **state)
{
	(void)state;
	assert_int_equal(segment_and_check(1000, true, OFFLOAD_TX_VIRTIO | OFFLOAD_TX_CSUM), 3);
}

/* A partial checksum to a port without checksum offload: computed, and a
 * packet shared with another output is copied first. */
static void test_csum_in_software_shared(void **state)
{
	struct guest_case c;

	(void)state;
	guest_pkt(&c, 0x0800, 300, PARTIAL, false);
	rte_pktmbuf_refcnt_update(c.m, 1);
	assert_int_equal(offload_tx_prepare(c.m, 0, dp_pool, c.out, OFFLOAD_SEGS_MAX, &st), 1);
	assert_ptr_not_equal(c.out[0], c.m);
	assert_int_equal(mbuf_bytes(c.out[0], c.got), c.len);
	assert_true(csum_l4_ok(c.got, c.len, &c.l, 0x0800, IPPROTO_TCP));
	assert_int_equal(c.out[0]->ol_flags & (RTE_MBUF_F_TX_OFFLOAD_MASK | GSO), 0);
	assert_int_equal(mbuf_bytes(c.m, c.got), c.len);
	assert_memory_equal(c.got, c.orig, c.len);
	assert_int_equal(st.csum_sw, 1);
	rte_pktmbuf_free(c.out[0]);
	rte_pktmbuf_free(c.m);
}

static void test_csum_ipv6(void **state)
{
	struct guest_case c;

	(void)state;
	guest_pkt(&c, 0x86dd, 300, PARTIAL, false);
	assert_int_equal(offload_tx_prepare(c.m, 0, dp_pool, c.out, OFFLOAD_SEGS_MAX, &st), 1);
	assert_int_equal(mbuf_bytes(c.out[0], c.got), c.len);
	assert_true(csum_l4_ok(c.got, c.len, &c.l, 0x86dd, IPPROTO_TCP));
	rte_pktmbuf_free(c.out[0]);
}

/* A NIC's "bad L4 checksum" shares the partial bit pattern's low bit: it
 * goes out as it came. */
static void test_bad_checksum_unchanged(void **state)
{
	struct guest_case c;

	(void)state;
	guest_pkt(&c, 0x0800, 300, RTE_MBUF_F_RX_L4_CKSUM_BAD, false);
	assert_true(offload_pending(c.m));
	assert_int_equal(offload_tx_prepare(c.m, 0, dp_pool, c.out, OFFLOAD_SEGS_MAX, &st), 1);
	assert_ptr_equal(c.out[0], c.m);
	assert_int_equal(mbuf_bytes(c.m, c.got), c.len);
	assert_memory_equal(c.got, c.orig, c.len);
	rte_pktmbuf_free(c.m);
}

/* set(ipv4(src)) and set(tcp(src)) on a partial checksum: the address
 * change is added to the pseudo-header sum, the port change is not; the
 * checksum computed at output is then right. */
static void test_set_field_partial(void **state)
{
	struct guest_case c;
	struct ovs_key_ipv4 ip4 = { 0 }, ip4m = { 0 };
	struct ovs_key_tcp tcp = { 0 }, tcpm = { 0 };
	static struct capture cap;
	struct actions_ctx *ctx;
	struct flow_key key;
	struct nlbuf acts;
	struct pkt_spec s;

	(void)state;
	memset(&cap, 0, sizeof(cap));
	ctx = ctx_new(&cap, 3);
	assert_non_null(ctx);
	nlbuf_init(&acts, 256);
	ip4.ipv4_src = htonl(0x0a090909);
	ip4m.ipv4_src = UINT32_MAX;
	act_set_masked(&acts, OVS_KEY_ATTR_IPV4, &ip4, &ip4m, sizeof(ip4));
	tcp.tcp_src = htons(4444);
	tcpm.tcp_src = UINT16_MAX;
	act_set_masked(&acts, OVS_KEY_ATTR_TCP, &tcp, &tcpm, sizeof(tcp));
	act_output(&acts, 1);
	guest_pkt(&c, 0x0800, 300, PARTIAL, false);
	spec_default(&s, 0x0800, IPPROTO_TCP);
	s.payload = 300;
	spec_key(&s, &key);
	actions_execute_one(ctx, c.m, &key, &c.l, (const struct nlattr *)acts.data,
			    (uint32_t)acts.len);
	actions_flush(ctx);
	assert_int_equal(capture_count(&cap, 1), 1);
	c.m = capture_get(&cap, 1, 0);
	assert_int_equal(mbuf_bytes(c.m, c.got), c.len);
	assert_int_equal(rd_be16(c.got + c.l.l4 + 16), phdr_host(c.got, &c.l, true, false));
	cap.n = 0;
	assert_int_equal(offload_tx_prepare(c.m, 0, dp_pool, c.out, OFFLOAD_SEGS_MAX, &st), 1);
	assert_int_equal(mbuf_bytes(c.out[0], c.got), c.len);
	assert_true(csum_ipv4_ok(c.got, &c.l));
	assert_true(csum_l4_ok(c.got, c.len, &c.l, 0x0800, IPPROTO_TCP));
	assert_int_equal(rd_be16(c.got + c.l.l4), 4444);
	rte_pktmbuf_free(c.out[0]);
	capture_free(&cap);
	actions_ctx_destroy(ctx);
	nlbuf_free(&acts);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_keep_to_guest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_segment_in_software, setup, teardown),
		cmocka_unit_test_setup_teardown(test_segment_for_csum_only_guest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_csum_in_software_shared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_csum_ipv6, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_checksum_unchanged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_field_partial, setup, teardown),
	};
	int ret;

	(void)argc;
	dp_eal_init(argv[0]);
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	dp_eal_fini();
	return ret;
}
