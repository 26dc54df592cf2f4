/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the action executor's header rewrites: set / set_masked on
 * every key type, push/pop VLAN and MPLS, and their checksums. Each result
 * is compared byte for byte with the expected packet built from scratch,
 * and every checksum is recomputed from scratch.
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

static struct actions_fixture fx;

static int setup(void **state)
{
	(void)state;
	return actions_fixture_setup(&fx, 1);
}

/* Every test ends with every mbuf back in the pool. */
static int teardown(void **state)
{
	(void)state;
	return actions_fixture_teardown(&fx);
}

static uint64_t rng = 0x853c49e6748fea9bull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static bool is_ip(uint16_t eth_type)
{
	return eth_type == 0x0800 || eth_type == 0x86dd;
}

/*
 * Runs 'acts' (which outputs to port 1) on the packet of 'before' and
 * checks that port 1 got exactly the packet of 'after', checksums included.
 */
static void expect_rewrite(const struct pkt_spec *before, const struct pkt_spec *after)
{
	uint8_t want[PKT_MAX], got[PKT_MAX];
	struct flow_layout wl;
	size_t wlen = pkt_build(after, want, &wl);

	run_spec(fx.ctx, before, &fx.acts);
	actions_flush(fx.ctx);
	assert_int_equal(capture_count(&fx.cap, 1), 1);
	assert_int_equal(mbuf_bytes(capture_get(&fx.cap, 1, 0), got), wlen);
	assert_memory_equal(got, want, wlen);
	if (!after->n_mpls && is_ip(after->eth_type)) {
		if (after->eth_type == 0x0800)
			assert_true(csum_ipv4_ok(got, &wl));
		if (wl.l4 != FLOW_OFS_NONE && !after->bad_sctp_crc)
			assert_true(csum_l4_ok(got, wlen, &wl, after->eth_type, after->proto));
	}
	capture_free(&fx.cap);
	nlbuf_reset(&fx.acts);
}

static void test_set_eth(void **state)
{
	struct ovs_key_ethernet v = { .eth_src = { 0xaa, 1, 2, 3, 4, 5 },
				      .eth_dst = { 0xbb, 6, 7, 8, 9, 10 } };
	struct ovs_key_ethernet m = { .eth_src = { 0 }, .eth_dst = { 0, 0, 0, 0, 0, 0xff } };
	struct pkt_spec s, want;

	(void)state;
	spec_default(&s, 0x0800, IPPROTO_TCP);
	want = s;
	memcpy(want.src, v.eth_src, 6);
	memcpy(want.dst, v.eth_dst, 6);
	act_set(&fx.acts, OVS_KEY_ATTR_ETHERNET, &v, sizeof(v));
	act_output(&fx.acts, 1);
	expect_rewrite(&s, &want);

	/* Masked: only the last byte of the destination. */
	want = s;
	want.dst[5] = 10;
	v.eth_dst[5] = 10;
	memset(v.eth_dst, 0, 5);
	memset(v.eth_src, 0, 6);
	act_set_masked(&fx.acts, OVS_KEY_ATTR_ETHERNET, &v, &m, sizeof(v));
	act_output(&fx.acts, 1);
	expect_rewrite(&s, &want);
}

static void set_ipv4_all(const struct pkt_spec *s)
{
	struct ovs_key_ipv4 v = {
		.ipv4_src = htonl(0x01020304), .ipv4_dst = htonl(0xfefdfcfb),
		.ipv4_proto = s->proto, .ipv4_tos = 0xb8, .ipv4_ttl = 7,
	};
	struct pkt_spec want = *s;

	want.ip4_src = 0x01020304;
	want.ip4_dst = 0xfefdfcfb;
	want.tos = 0xb8;
	want.ttl = 7;
	act_set(&fx.acts, OVS_KEY_ATTR_IPV4, &v, sizeof(v));
	act_output(&fx.acts, 1);
	expect_rewrite(s, &want);
}

static void test_set_ipv4(void **state)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, IPPROTO_SCTP };
	struct pkt_spec s;

	(void)state;
	for (size_t i = 0; i < sizeof(protos); i++) {
		spec_default(&s, 0x0800, protos[i]);
		set_ipv4_all(&s);
	}
	/* UDP without checksum keeps 0. */
	spec_default(&s, 0x0800, IPPROTO_UDP);
	s.udp_no_csum = true;
	set_ipv4_all(&s);
	/* A later fragment: no L4 header, only the IP checksum changes. */
	spec_default(&s, 0x0800, IPPROTO_TCP);
	s.frag = 0x00b9;
	set_ipv4_all(&s);
	/* First fragment (MF set): the L4 checksum still follows. */
	s.frag = 0x2000;
	set_ipv4_all(&s);
}

static void test_set_ipv4_masked(void **state)
{
	struct ovs_key_ipv4 v = { .ipv4_dst = htonl(0x000000aa), .ipv4_ttl = 0 };
	struct ovs_key_ipv4 m = { .ipv4_dst = htonl(0x000000ff), .ipv4_tos = 0xfc };
	struct pkt_spec s, want;

	(void)state;
	spec_default(&s, 0x0800, IPPROTO_UDP);
	s.tos = 0x13;
	want = s;
	want.ip4_dst = (s.ip4_dst & ~0xffu) | 0xaa;
	want.tos = 0x03; /* DSCP cleared, ECN kept */
	act_set_masked(&fx.acts, OVS_KEY_ATTR_IPV4, &v, &m, sizeof(v));
	act_output(&fx.acts, 1);
	expect_rewrite(&s, &want);
}

static void test_set_ipv6(void **state)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMPV6, IPPROTO_SCTP };
	struct ovs_key_ipv6 v = { .ipv6_label = htonl(0xabcde), .ipv6_tclass = 0x44,
				  .ipv6_hlimit = 9 };
	struct pkt_spec s, want;

	(void)state;
	for (int i = 0; i < 16; i++) {
		((uint8_t *)v.ipv6_src)[i] = (uint8_t)(0x30 + 5 * i);
		((uint8_t *)v.ipv6_dst)[i] = (uint8_t)(0x99 ^ i);
	}
	for (size_t i = 0; i < sizeof(protos); i++) {
		spec_default(&s, 0x86dd, protos[i]);
		want = s;
		memcpy(want.ip6_src, v.ipv6_src, 16);
		memcpy(want.ip6_dst, v.ipv6_dst, 16);
		want.label = 0xabcde;
		want.tclass = 0x44;
		want.hlimit = 9;
		v.ipv6_proto = protos[i];
		act_set(&fx.acts, OVS_KEY_ATTR_IPV6, &v, sizeof(v));
		act_output(&fx.acts, 1);
		expect_rewrite(&s, &want);
	}
}

/* A routing header with segments left: the pseudo-header uses its address. */
static void test_set_ipv6_routing(void **state)
{
	struct ovs_key_ipv6 v = { 0 }, m = { 0 };
	struct pkt_spec s, want;

	(void)state;
	spec_default(&s, 0x86dd, IPPROTO_TCP);
	s.ip6_routing = true;
	want = s;
	want.ip6_dst[15] = 0x01;
	((uint8_t *)v.ipv6_dst)[15] = 0x01;
	((uint8_t *)m.ipv6_dst)[15] = 0xff;
	act_set_masked(&fx.acts, OVS_KEY_ATTR_IPV6, &v, &m, sizeof(v));
	act_output(&fx.acts, 1);
	expect_rewrite(&s, &want);
	/* The source is in every pseudo-header: its change is folded in. */
	want = s;
	want.ip6_src[0] = 0xfe;
	memset(&m, 0, sizeof(m));
	memset(&v, 0, sizeof(v));
	((uint8_t *)v.ipv6_src)[0] = 0xfe;
	((uint8_t *)m.ipv6_src)[0] = 0xff;
	act_set_masked(&fx.acts, OVS_KEY_ATTR_IPV6, &v, &m, sizeof(v));
	act_output(&fx.acts, 1);
	expect_rewrite(&s, &want);
}

static void test_set_ports(void **state)
{
	struct ovs_key_tcp v = { .tcp_src = htons(4321), .tcp_dst = htons(8080) };
	struct ovs_key_tcp m = { .tcp_src = 0, .tcp_dst = 0xffff };
	struct pkt_spec s, want;

	(void)state;
	for (int v6 = 0; v6 < 2; v6++) {
		static const uint16_t types[] = { OVS_KEY_ATTR_TCP, OVS_KEY_ATTR_UDP,
						  OVS_KEY_ATTR_SCTP };
		static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP };

		for (int i = 0; i < 3; i++) {
			spec_default(&s, v6 ? 0x86dd : 0x0800, protos[i]);
			want = s;
			want.sport = 4321;
			want.dport = 8080;
			act_set(&fx.acts, types[i], &v, sizeof(v));
			act_output(&fx.acts, 1);
			expect_rewrite(&s, &want);
			/* Masked: the destination only. */
			want.sport = s.sport;
			act_set_masked(&fx.acts, types[i], &v, &m, sizeof(v));
			act_output(&fx.acts, 1);
			expect_rewrite(&s, &want);
		}
	}
	spec_default(&s, 0x0800, IPPROTO_UDP);
	s.udp_no_csum = true;
	want = s;
	want.sport = 4321;
	want.dport = 8080;
	act_set(&fx.acts, OVS_KEY_ATTR_UDP, &v, sizeof(v));
	act_output(&fx.acts, 1);
	expect_rewrite(&s, &want);
}

/*
 * UDP: a rewrite whose checksum comes out 0 must send 0xffff, since 0
 * means "no checksum". Search the one source address (low 16 bits) and
 * the one source port that give that result, then rewrite to them.
 */
static void test_udp_csum_mangled_zero(void **state)
{
	struct pkt_spec s, w;
	uint8_t buf[PKT_MAX];
	struct flow_layout l;
	uint32_t found = 0;

	(void)state;
	spec_default(&s, 0x0800, IPPROTO_UDP);
	for (int field = 0; field < 2; field++) {
		w = s;
		for (found = 0; found < 0x10000; found++) {
			if (field == 0)
				w.ip4_src = (s.ip4_src & 0xffff0000) | found;
			else
				w.sport = (uint16_t)found;
			pkt_build(&w, buf, &l);
			if (buf[l.l4 + 6] == 0xff && buf[l.l4 + 7] == 0xff)
				break;
		}
		assert_true(found < 0x10000);
		if (field == 0) {
			struct ovs_key_ipv4 v = { .ipv4_src = htonl(w.ip4_src) };
			struct ovs_key_ipv4 m = { .ipv4_src = UINT32_MAX };

			act_set_masked(&fx.acts, OVS_KEY_ATTR_IPV4, &v, &m, sizeof(v));
		} else {
			struct ovs_key_udp v = { .udp_src = htons(w.sport) };
			struct ovs_key_udp m = { .udp_src = 0xffff };

			act_set_masked(&fx.acts, OVS_KEY_ATTR_UDP, &v, &m, sizeof(v));
		}
		act_output(&fx.acts, 1);
		expect_rewrite(&s, &w);
	}
}

/* SCTP: CRC over the IP payload only (not the padding), in any segment. */
static void test_set_sctp_crc(void **state)
{
	struct ovs_key_sctp v = { .sctp_src = htons(1), .sctp_dst = htons(2) };
	uint8_t buf[PKT_MAX], want[PKT_MAX], got[PKT_MAX];
	struct pkt_spec s, after;
	struct flow_layout l, wl;
	struct flow_key k;
	size_t len, wlen;
	uint32_t c_old, c_new, ok_old, ok_new;

	(void)state;
	spec_default(&s, 0x0800, IPPROTO_SCTP);
	s.payload = 4;
	s.pad_to = 60;
	after = s;
	after.sport = 1;
	after.dport = 2;
	act_set(&fx.acts, OVS_KEY_ATTR_SCTP, &v, sizeof(v));
	act_output(&fx.acts, 1);
	expect_rewrite(&s, &after);

	/* Two segments, split inside the SCTP payload. */
	s.payload = 300;
	s.pad_to = 0;
	after.payload = 300;
	after.pad_to = 0;
	len = pkt_build(&s, buf, &l);
	wlen = pkt_build(&after, want, &wl);
	spec_key(&s, &k);
	act_set(&fx.acts, OVS_KEY_ATTR_SCTP, &v, sizeof(v));
	act_output(&fx.acts, 1);
	actions_execute_one(fx.ctx, mbuf_from_2seg(buf, len, 101), &k, &l,
			    (const struct nlattr *)fx.acts.data, (uint32_t)fx.acts.len);
	actions_flush(fx.ctx);
	assert_int_equal(mbuf_bytes(capture_get(&fx.cap, 1, 0), got), wlen);
	assert_memory_equal(got, want, wlen);
	capture_free(&fx.cap);

	/* A bad CRC stays exactly as bad (same error pattern). */
	s.bad_sctp_crc = true;
	len = pkt_build(&s, buf, &l);
	actions_execute_one(fx.ctx, mbuf_from(buf, len), &k, &l,
			    (const struct nlattr *)fx.acts.data, (uint32_t)fx.acts.len);
	actions_flush(fx.ctx);
	mbuf_bytes(capture_get(&fx.cap, 1, 0), got);
	memcpy(&c_old, buf + l.l4 + 8, 4);
	memcpy(&c_new, got + l.l4 + 8, 4);
	memcpy(&ok_new, want + l.l4 + 8, 4);
	s.bad_sctp_crc = false;
	pkt_build(&s, buf, &l);
	memcpy(&ok_old, buf + l.l4 + 8, 4);
	assert_int_not_equal(c_new, ok_new);
	assert_int_equal(c_new ^ ok_new, c_old ^ ok_old);
}

static void test_set_icmp(void **state)
{
	struct ovs_key_icmp v = { .icmp_type = 0, .icmp_code = 3 };
	struct pkt_spec s, want;

	(void)state;
	spec_default(&s, 0x0800, IPPROTO_ICMP);
	want = s;
	want.sport = 0;
	want.dport = 3;
	act_set(&fx.acts, OVS_KEY_ATTR_ICMP, &v, sizeof(v));
	act_output(&fx.acts, 1);
	expect_rewrite(&s, &want);

	spec_default(&s, 0x86dd, IPPROTO_ICMPV6);
	want = s;
	want.sport = 129;
	want.dport = 0;
	v.icmp_type = 129;
	v.icmp_code = 0;
	act_set(&fx.acts, OVS_KEY_ATTR_ICMPV6, &v, sizeof(v));
	act_output(&fx.acts, 1);
	expect_rewrite(&s, &want);
}

static void test_push_pop_vlan(void **state)
{
	struct ovs_action_push_vlan q = { htons(0x8100), htons(0x1000 | 0x2064) };
	struct ovs_action_push_vlan ad = { htons(0x88a8), htons(0x1000 | 0x0123) };
	struct ovs_key_ipv4 v = { .ipv4_ttl = 5 }, m = { .ipv4_ttl = 0xff };
	struct pkt_spec s, want;

	(void)state;
	spec_default(&s, 0x0800, IPPROTO_TCP);
	want = s;
	want.n_vlans = 1;
	want.vlan_tpid[0] = 0x8100;
	want.vlan_tci[0] = 0x2064; /* no "present" bit on the wire */
	want.ttl = 5;
	nlbuf_put_attr(&fx.acts, OVS_ACTION_ATTR_PUSH_VLAN, &q, sizeof(q));
	/* The layout moved with the tag: set() rewrites the right bytes. */
	act_set_masked(&fx.acts, OVS_KEY_ATTR_IPV4, &v, &m, sizeof(v));
	act_output(&fx.acts, 1);
	expect_rewrite(&s, &want);

	/* 802.1ad outside an 802.1Q tag, then pop both. */
	s = want;
	want.n_vlans = 2;
	want.vlan_tpid[1] = want.vlan_tpid[0];
	want.vlan_tci[1] = want.vlan_tci[0];
	want.vlan_tpid[0] = 0x88a8;
	want.vlan_tci[0] = 0x0123;
	nlbuf_put_attr(&fx.acts, OVS_ACTION_ATTR_PUSH_VLAN, &ad, sizeof(ad));
	act_output(&fx.acts, 1);
	expect_rewrite(&s, &want);

	s = want;
	spec_default(&want, 0x0800, IPPROTO_TCP);
	want.ttl = 6;
	v.ipv4_ttl = 6;
	nlbuf_put_flag(&fx.acts, OVS_ACTION_ATTR_POP_VLAN);
	nlbuf_put_flag(&fx.acts, OVS_ACTION_ATTR_POP_VLAN);
	act_set_masked(&fx.acts, OVS_KEY_ATTR_IPV4, &v, &m, sizeof(v));
	act_output(&fx.acts, 1);
	s.ttl = 5;
	expect_rewrite(&s, &want);

	/* Nothing to pop: unchanged. */
	want.ttl = 64;
	nlbuf_put_flag(&fx.acts, OVS_ACTION_ATTR_POP_VLAN);
	act_output(&fx.acts, 1);
	expect_rewrite(&want, &want);
}

/* push_vlan updates the key as the kernel does; the layout moves by 4. */
static void test_push_vlan_key(void **state)
{
	struct ovs_action_push_vlan q = { htons(0x8100), htons(0x1000 | 7) };
	uint8_t buf[PKT_MAX];
	struct pkt_spec s;
	struct flow_layout l;
	struct flow_key k;
	size_t len;

	(void)state;
	spec_default(&s, 0x86dd, IPPROTO_UDP);
	len = pkt_build(&s, buf, &l);
	spec_key(&s, &k);
	nlbuf_put_attr(&fx.acts, OVS_ACTION_ATTR_PUSH_VLAN, &q, sizeof(q));
	nlbuf_put_attr(&fx.acts, OVS_ACTION_ATTR_PUSH_VLAN, &q, sizeof(q));
	actions_execute_one(fx.ctx, mbuf_from(buf, len), &k, &l,
			    (const struct nlattr *)fx.acts.data, (uint32_t)fx.acts.len);
	assert_int_equal(k.vlan.tci, htons(0x1007));
	assert_int_equal(k.cvlan.tci, htons(0x1007));
	assert_int_equal(l.l3, 14 + 8);
	assert_int_equal(l.l4, 14 + 8 + 40);
	assert_int_equal(l.l2_5, FLOW_OFS_NONE);
}

static void test_push_pop_mpls(void **state)
{
	struct ovs_action_push_mpls push = { htonl(0x00abc000 | 0x100 | 0x40), htons(0x8847) };
	struct ovs_key_ipv4 v = { .ipv4_src = htonl(0x0b0b0b0b) };
	struct ovs_key_ipv4 m = { .ipv4_src = UINT32_MAX };
	uint16_t ip = htons(0x0800), mpls = htons(0x8847);
	struct pkt_spec s, want;

	(void)state;
	spec_default(&s, 0x0800, IPPROTO_UDP);
	s.n_vlans = 1;
	s.vlan_tpid[0] = 0x8100;
	s.vlan_tci[0] = 10;
	want = s;
	want.n_mpls = 1;
	want.mpls[0] = 0x00abc040;
	nlbuf_put_attr(&fx.acts, OVS_ACTION_ATTR_PUSH_MPLS, &push, sizeof(push));
	act_output(&fx.acts, 1);
	expect_rewrite(&s, &want);

	/* Push a second label, output, pop both, rewrite the exposed IPv4. */
	s = want;
	want.n_mpls = 2;
	want.mpls[1] = want.mpls[0];
	want.mpls[0] = 0x00001040;
	push.mpls_lse = htonl(0x00001040);
	nlbuf_put_attr(&fx.acts, OVS_ACTION_ATTR_PUSH_MPLS, &push, sizeof(push));
	act_output(&fx.acts, 1);
	expect_rewrite(&s, &want);

	s = want;
	want.n_mpls = 0;
	want.ip4_src = 0x0b0b0b0b;
	nlbuf_put_attr(&fx.acts, OVS_ACTION_ATTR_POP_MPLS, &mpls, sizeof(mpls));
	nlbuf_put_attr(&fx.acts, OVS_ACTION_ATTR_POP_MPLS, &ip, sizeof(ip));
	act_set_masked(&fx.acts, OVS_KEY_ATTR_IPV4, &v, &m, sizeof(v));
	act_output(&fx.acts, 1);
	expect_rewrite(&s, &want);
}

static void test_set_mpls(void **state)
{
	struct ovs_key_mpls v = { htonl(0x00777000) }, m = { htonl(0xfffff000) };
	struct pkt_spec s, want;

	(void)state;
	spec_default(&s, 0x0800, IPPROTO_TCP);
	s.n_mpls = 2;
	s.mpls[0] = 0x00111040;
	s.mpls[1] = 0x00222040;
	want = s;
	want.mpls[0] = 0x00777040;
	act_set_masked(&fx.acts, OVS_KEY_ATTR_MPLS, &v, &m, sizeof(v));
	act_output(&fx.acts, 1);
	expect_rewrite(&s, &want);
	want.mpls[0] = 0x00777000; /* non-masked: the whole entry (BOS stays off) */
	act_set(&fx.acts, OVS_KEY_ATTR_MPLS, &v, sizeof(v));
	act_output(&fx.acts, 1);
	expect_rewrite(&s, &want);
}

/* A set whose header is missing drops the packet, counted. */
static void test_set_missing_header(void **state)
{
	struct ovs_key_tcp v = { htons(1), htons(2) };
	struct pkt_spec s;

	(void)state;
	spec_default(&s, 0x0800, IPPROTO_TCP);
	s.frag = 0x0010; /* later fragment: no TCP header */
	act_set(&fx.acts, OVS_KEY_ATTR_TCP, &v, sizeof(v));
	act_output(&fx.acts, 1);
	run_spec(fx.ctx, &s, &fx.acts);
	actions_flush(fx.ctx);
	assert_int_equal(capture_count(&fx.cap, 1), 0);
	assert_int_equal(drops_of(fx.ctx, ACTIONS_DROP_NO_HEADER), 1);
}

/* A shared packet is copied before a rewrite: the other holder keeps its bytes. */
static void test_set_copy_on_write(void **state)
{
	struct ovs_key_ipv4 v = { .ipv4_ttl = 1 }, m = { .ipv4_ttl = 0xff };
	uint8_t buf[PKT_MAX], got[PKT_MAX];
	struct pkt_spec s;
	struct flow_layout l;
	struct flow_key k;
	struct rte_mbuf *mb;
	size_t len;

	(void)state;
	spec_default(&s, 0x0800, IPPROTO_TCP);
	len = pkt_build(&s, buf, &l);
	spec_key(&s, &k);
	mb = mbuf_from(buf, len);
	rte_pktmbuf_refcnt_update(mb, 1); /* someone else holds it too */
	act_set_masked(&fx.acts, OVS_KEY_ATTR_IPV4, &v, &m, sizeof(v));
	act_output(&fx.acts, 1);
	actions_execute_one(fx.ctx, mb, &k, &l, (const struct nlattr *)fx.acts.data,
			    (uint32_t)fx.acts.len);
	actions_flush(fx.ctx);
	assert_ptr_not_equal(capture_get(&fx.cap, 1, 0), mb);
	assert_int_equal(rte_mbuf_refcnt_read(mb), 1);
	assert_memory_equal(rte_pktmbuf_mtod(mb, uint8_t *), buf, len);
	mbuf_bytes(capture_get(&fx.cap, 1, 0), got);
	assert_int_equal(got[l.l3 + 8], 1);
	rte_pktmbuf_free(mb);
}

/* Random masked sets of IPv4/IPv6 and L4 fields against the builder. */
static void random_case(uint16_t eth_type, uint8_t proto)
{
	struct pkt_spec s, w;

	spec_default(&s, eth_type, proto);
	s.udp_no_csum = proto == IPPROTO_UDP && (rnd() & 3) == 0;
	s.payload = (uint16_t)(rnd() % 200);
	s.sport = (uint16_t)rnd();
	s.dport = (uint16_t)rnd();
	if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) {
		s.sport &= 0xff;
		s.dport &= 0xff;
	}
	s.ip4_src = rnd();
	s.ip4_dst = rnd();
	s.tos = (uint8_t)rnd();
	s.ttl = (uint8_t)rnd();
	w = s;
	if (eth_type == 0x0800) {
		uint32_t ms = rnd() & rnd(), md = rnd() | rnd(), vs = rnd(), vd = rnd();
		uint8_t mt = (uint8_t)rnd(), ml = (uint8_t)rnd(), vt = (uint8_t)rnd(), vl = (uint8_t)rnd();
		struct ovs_key_ipv4 v = { htonl(vs & ms), htonl(vd & md), 0, vt & mt, vl & ml, 0 };
		struct ovs_key_ipv4 m = { htonl(ms), htonl(md), 0, mt, ml, 0 };

		w.ip4_src = (s.ip4_src & ~ms) | (vs & ms);
		w.ip4_dst = (s.ip4_dst & ~md) | (vd & md);
		w.tos = (uint8_t)((s.tos & ~mt) | (vt & mt));
		w.ttl = (uint8_t)((s.ttl & ~ml) | (vl & ml));
		act_set_masked(&fx.acts, OVS_KEY_ATTR_IPV4, &v, &m, sizeof(v));
	} else {
		struct ovs_key_ipv6 v = { 0 }, m = { 0 };

		for (int i = 0; i < 16; i++) {
			uint8_t a = (uint8_t)rnd(), b = (uint8_t)rnd(), va = (uint8_t)rnd(),
				vb = (uint8_t)rnd();

			((uint8_t *)m.ipv6_src)[i] = a;
			((uint8_t *)m.ipv6_dst)[i] = b;
			((uint8_t *)v.ipv6_src)[i] = va & a;
			((uint8_t *)v.ipv6_dst)[i] = vb & b;
			w.ip6_src[i] = (uint8_t)((s.ip6_src[i] & ~a) | (va & a));
			w.ip6_dst[i] = (uint8_t)((s.ip6_dst[i] & ~b) | (vb & b));
		}
		uint32_t lm = rnd() & 0xfffff, lv = rnd() & lm;

		m.ipv6_label = htonl(lm);
		v.ipv6_label = htonl(lv);
		w.label = (s.label & ~lm) | lv;
		m.ipv6_tclass = (uint8_t)rnd();
		v.ipv6_tclass = (uint8_t)(rnd() & m.ipv6_tclass);
		w.tclass = (uint8_t)((s.tclass & ~m.ipv6_tclass) | v.ipv6_tclass);
		m.ipv6_hlimit = (uint8_t)rnd();
		v.ipv6_hlimit = (uint8_t)(rnd() & m.ipv6_hlimit);
		w.hlimit = (uint8_t)((s.hlimit & ~m.ipv6_hlimit) | v.ipv6_hlimit);
		act_set_masked(&fx.acts, OVS_KEY_ATTR_IPV6, &v, &m, sizeof(v));
	}
	if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) {
		struct ovs_key_icmp v = { (uint8_t)rnd(), (uint8_t)rnd() }, m = { 0xff, 0x0f };
		uint16_t type = proto == IPPROTO_ICMP ? OVS_KEY_ATTR_ICMP : OVS_KEY_ATTR_ICMPV6;

		v.icmp_code &= 0x0f;
		w.sport = v.icmp_type;
		w.dport = (uint16_t)((s.dport & 0xf0) | v.icmp_code);
		act_set_masked(&fx.acts, type, &v, &m, sizeof(v));
	} else {
		uint16_t ms = (uint16_t)rnd(), md = (uint16_t)rnd();
		uint16_t vs = (uint16_t)(rnd() & ms), vd = (uint16_t)(rnd() & md);
		struct ovs_key_tcp v = { htons(vs), htons(vd) }, m = { htons(ms), htons(md) };

		w.sport = (uint16_t)((s.sport & ~ms) | vs);
		w.dport = (uint16_t)((s.dport & ~md) | vd);
		act_set_masked(&fx.acts, proto == IPPROTO_TCP ? OVS_KEY_ATTR_TCP :
				      proto == IPPROTO_UDP ? OVS_KEY_ATTR_UDP : OVS_KEY_ATTR_SCTP,
			       &v, &m, sizeof(v));
	}
	act_output(&fx.acts, 1);
	expect_rewrite(&s, &w);
}

static void test_set_random(void **state)
{
	static const uint8_t v4[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP, IPPROTO_ICMP };
	static const uint8_t v6[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP, IPPROTO_ICMPV6 };

	(void)state;
	for (int i = 0; i < 2000; i++) {
		bool is6 = rnd() & 1;

		random_case(is6 ? 0x86dd : 0x0800, is6 ? v6[rnd() % 4] : v4[rnd() % 4]);
	}
}

/* priority, skb_mark and tunnel are metadata: the key, then recirc md. */
static void test_set_metadata(void **state)
{
	uint32_t prio = 7, mark = 0x0000ab00, mark_mask = 0x0000ff00;
	struct actions_recirc r;
	struct pkt_spec s;
	size_t nest;

	(void)state;
	spec_default(&s, 0x0800, IPPROTO_TCP);
	act_set(&fx.acts, OVS_KEY_ATTR_PRIORITY, &prio, sizeof(prio));
	act_set_masked(&fx.acts, OVS_KEY_ATTR_SKB_MARK, &mark, &mark_mask, sizeof(mark));
	nest = nlbuf_nest_start(&fx.acts, OVS_ACTION_ATTR_SET);
	{
		size_t tun = nlbuf_nest_start(&fx.acts, OVS_KEY_ATTR_TUNNEL);

		nlbuf_put_u64(&fx.acts, OVS_TUNNEL_KEY_ATTR_ID, 0x0102030405060708ull);
		nlbuf_put_u32(&fx.acts, OVS_TUNNEL_KEY_ATTR_IPV4_DST, htonl(0x0a0a0a0a));
		nlbuf_put_u8(&fx.acts, OVS_TUNNEL_KEY_ATTR_TTL, 33);
		nlbuf_put_flag(&fx.acts, OVS_TUNNEL_KEY_ATTR_DONT_FRAGMENT);
		nlbuf_put_u16(&fx.acts, OVS_TUNNEL_KEY_ATTR_TP_DST, htons(4789));
		nlbuf_nest_end(&fx.acts, tun);
	}
	nlbuf_nest_end(&fx.acts, nest);
	nlbuf_put_u32(&fx.acts, OVS_ACTION_ATTR_RECIRC, 5);
	run_spec(fx.ctx, &s, &fx.acts);
	assert_int_equal(actions_recirc_dequeue(fx.ctx, &r, 1), 1);
	assert_int_equal(r.md.priority, 7);
	assert_int_equal(r.md.skb_mark, 0xab00);
	assert_int_equal(r.md.recirc_id, 5);
	assert_int_equal(r.md.in_port, 3);
	assert_true(r.tun.tun_id == 0x0102030405060708ull);
	assert_int_equal(r.tun.ipv4_dst, htonl(0x0a0a0a0a));
	assert_int_equal(r.tun.ttl, 33);
	assert_int_equal(r.tun.tp_dst, htons(4789));
	assert_int_equal(r.tun.flags, FLOW_TNL_F_KEY | FLOW_TNL_F_DONT_FRAGMENT);
	rte_pktmbuf_free(r.mbuf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_set_eth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_ipv4, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_ipv4_masked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_ipv6, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_ipv6_routing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_ports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udp_csum_mangled_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_sctp_crc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_icmp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_push_pop_vlan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_push_vlan_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_push_pop_mpls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_mpls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_missing_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_copy_on_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_random, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_metadata, setup, teardown),
	};
	int rc;

	dp_eal_init("test_actions_set");
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	dp_eal_fini();
	return rc;
}
