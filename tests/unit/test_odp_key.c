/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for odp_key: flow keys and masks to and from OVS_KEY_ATTR_*.
 * Round trips for every attribute, the kernel's byte layout, exact and
 * wildcarded matches, randomized round trips (seeded, reproducible), and
 * every class of bad input with its errno and reason.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <libmnl/libmnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow_extract.h"
#include "nl_policy.h"
#include "nlbuf.h"
#include "odp_key.h"
/* GCC 12 at -O3 warns (-Wstringop-overflow) about kg_mask()'s VLAN tag
 * loop once it is emitted out of line: a false positive (two tags, two
 * slots). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#include "test_keygen.h"
#pragma GCC diagnostic pop

#define ETH(x) htons(x)

/* ---- helpers ---- */

static struct flow_key ipv4_tcp_key(void)
{
	struct flow_key k;

	memset(&k, 0, sizeof(k));
	k.in_port = 3;
	k.priority = 7;
	k.skb_mark = 0x55;
	k.recirc_id = 9;
	k.dp_hash = 0xabcd;
	memcpy(k.eth_src, "\x02\x00\x00\x00\x00\x01", 6);
	memcpy(k.eth_dst, "\x02\x00\x00\x00\x00\x02", 6);
	k.eth_type = ETH(0x0800);
	k.ipv4.src = htonl(0x0a000001);
	k.ipv4.dst = htonl(0x0a000002);
	k.ip_proto = IPPROTO_TCP;
	k.ip_tos = 0x10;
	k.ip_ttl = 64;
	k.tp_src = htons(1234);
	k.tp_dst = htons(80);
	k.tp_flags = htons(0x012);
	return k;
}

static void assert_key_equal(const struct flow_key *a, const struct flow_key *b)
{
	if (!flow_key_equal(a, b)) {
		const uint8_t *x = (const void *)a, *y = (const void *)b;

		for (size_t i = 0; i < sizeof(*a); i++)
			if (x[i] != y[i])
				print_error("keys differ at byte %zu: %02x != %02x\n", i, x[i], y[i]);
		fail();
	}
}

/* Encode a packet key, decode it back. */
static int packet_roundtrip(const struct flow_key *k, struct flow_key *out, struct errmsg *e)
{
	struct nlbuf b;
	int ret;

	nlbuf_init(&b, 0);
	odp_key_encode(&b, OVS_PACKET_ATTR_KEY, k);
	assert_false(b.overflow);
	ret = odp_key_decode(nlbuf_at(&b, 0), NULL, out, e);
	nlbuf_free(&b);
	return ret;
}

/* Decode the KEY and MASK found in a flow attribute stream. */
static int decode_flow_attrs(const struct nlbuf *b, struct flow_key *k, struct flow_key *m,
			     struct errmsg *e)
{
	const struct nlattr *tb[OVS_FLOW_ATTR_MAX + 1];
	int ret = nl_policy_parse(&nl_policy_ovs_flow, b->data, b->len, tb, NULL, e);

	assert_int_equal(ret, 0);
	return odp_match_decode(tb[OVS_FLOW_ATTR_KEY], tb[OVS_FLOW_ATTR_MASK], b->data, k, m, e);
}

static int match_roundtrip(const struct flow_key *k, const struct flow_key *m,
			   struct flow_key *ok, struct flow_key *om, struct errmsg *e)
{
	struct nlbuf b;
	int ret;

	nlbuf_init(&b, 0);
	odp_match_encode(&b, k, m);
	assert_false(b.overflow);
	ret = decode_flow_attrs(&b, ok, om, e);
	nlbuf_free(&b);
	return ret;
}

/* A KEY (and MASK, when mask_len >= 0) built by the caller's functions. */
typedef void (*build_fn)(struct nlbuf *b);

static int decode_built(build_fn key, build_fn mask, struct flow_key *k, struct flow_key *m,
			struct errmsg *e)
{
	struct nlbuf b;
	size_t nest;
	int ret;

	nlbuf_init(&b, 0);
	nest = nlbuf_nest_start(&b, OVS_FLOW_ATTR_KEY);
	key(&b);
	nlbuf_nest_end(&b, nest);
	if (mask) {
		nest = nlbuf_nest_start(&b, OVS_FLOW_ATTR_MASK);
		mask(&b);
		nlbuf_nest_end(&b, nest);
	}
	ret = decode_flow_attrs(&b, k, m, e);
	nlbuf_free(&b);
	return ret;
}

static void expect_error(int ret, const struct errmsg *e, int err, const char *reason)
{
	if (ret != err || strstr(e->msg, reason) == NULL)
		print_error("got %d \"%s\", wanted %d \"...%s...\"\n", ret, e->msg, err, reason);
	assert_int_equal(ret, err);
	assert_int_equal(e->err, err);
	assert_non_null(strstr(e->msg, reason));
}

static const struct nlattr *find_attr(const void *data, size_t len, uint16_t type)
{
	const struct nlattr *attr;

	mnl_attr_for_each_payload(data, len) {
		const struct nlattr *a = attr;

		if (mnl_attr_get_type(a) == type)
			return a;
	}
	return NULL;
}

/* ---- round trips for every attribute ---- */

static void check_packet_roundtrip(const struct flow_key *k)
{
	struct flow_key out, ok, om;
	struct errmsg e;

	errmsg_clear(&e);
	if (packet_roundtrip(k, &out, &e) != 0)
		print_error("decode failed: %s\n", e.msg);
	assert_int_equal(e.err, 0);
	assert_key_equal(&out, k);
	/* As a flow with no mask: an exact match on it (in_port aside when absent). */
	struct flow_key exact;
	memset(&exact, 0xff, sizeof(exact));
	assert_int_equal(match_roundtrip(k, &exact, &ok, &om, &e), 0);
}

static void test_roundtrip_ipv4_l4(void **state)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP, IPPROTO_ICMP, 47 };

	(void)state;
	for (size_t i = 0; i < sizeof(protos); i++) {
		struct flow_key k = ipv4_tcp_key();

		k.ip_proto = protos[i];
		if (protos[i] != IPPROTO_TCP)
			k.tp_flags = 0;
		if (protos[i] == IPPROTO_ICMP) {
			k.tp_src = htons(8);
			k.tp_dst = htons(3);
		} else if (protos[i] == 47) {
			k.tp_src = k.tp_dst = 0;
		}
		check_packet_roundtrip(&k);
		k.ip_frag = OVS_FRAG_TYPE_FIRST;
		check_packet_roundtrip(&k);
		k.ip_frag = OVS_FRAG_TYPE_LATER;
		k.tp_src = k.tp_dst = k.tp_flags = 0;
		check_packet_roundtrip(&k);
	}
}

static struct flow_key ipv6_key(uint8_t proto)
{
	struct flow_key k = ipv4_tcp_key();

	k.eth_type = ETH(0x86dd);
	memset(&k.ipv4, 0, sizeof(k.ipv4));
	for (int i = 0; i < 16; i++) {
		k.ipv6.src[i] = (uint8_t)(0x20 + i);
		k.ipv6.dst[i] = (uint8_t)(0x40 + i);
	}
	k.ipv6.label = htonl(0xbeef5);
	k.ip_proto = proto;
	k.tp_flags = proto == IPPROTO_TCP ? k.tp_flags : 0;
	return k;
}

static void test_roundtrip_ipv6_nd(void **state)
{
	(void)state;
	struct flow_key k = ipv6_key(IPPROTO_TCP);
	check_packet_roundtrip(&k);
	k = ipv6_key(IPPROTO_UDP);
	check_packet_roundtrip(&k);
	k = ipv6_key(IPPROTO_SCTP);
	check_packet_roundtrip(&k);
	for (int t = 135; t <= 137; t++) {
		k = ipv6_key(IPPROTO_ICMPV6);
		k.tp_src = htons(t);
		k.tp_dst = htons(0);
		if (t != 137) {
			memset(k.ipv6.nd_target, 0x77, 16);
			memcpy(k.ipv6.nd_sll, "\x02\x11\x22\x33\x44\x55", 6);
			memcpy(k.ipv6.nd_tll, "\x02\x66\x77\x88\x99\xaa", 6);
		}
		check_packet_roundtrip(&k);
	}
}

static void test_roundtrip_arp_mpls_other(void **state)
{
	(void)state;
	struct flow_key k = ipv4_tcp_key();

	k.ip_tos = k.ip_ttl = 0;
	k.tp_src = k.tp_dst = k.tp_flags = 0;
	k.eth_type = ETH(0x0806);
	k.ip_proto = 2; /* ARP reply */
	memcpy(k.ipv4.arp_sha, "\x02\x01\x02\x03\x04\x05", 6);
	memcpy(k.ipv4.arp_tha, "\x02\x06\x07\x08\x09\x0a", 6);
	check_packet_roundtrip(&k);
	k.eth_type = ETH(0x8035);
	check_packet_roundtrip(&k);

	k = ipv4_tcp_key();
	memset(&k.ipv4, 0, sizeof(k.ipv4));
	k.ip_proto = k.ip_tos = k.ip_ttl = 0;
	k.tp_src = k.tp_dst = k.tp_flags = 0;
	k.eth_type = ETH(0x8847);
	k.mpls_lse = htonl(0x12345140);
	check_packet_roundtrip(&k);
	k.eth_type = ETH(0x8848);
	check_packet_roundtrip(&k);
	k.mpls_lse = 0;
	k.eth_type = ETH(0x0004); /* ETH_P_802_2: no ETHERTYPE attribute */
	check_packet_roundtrip(&k);
	k.eth_type = ETH(0x88cc);
	check_packet_roundtrip(&k);
}

/*
 * An 802.3/LLC frame as key extraction sees it: its key goes out without
 * ETHERTYPE (as the kernel's), reads back the same, and an exact-match flow
 * made from it has the very eth_type extraction gives such frames, so that
 * it matches them.
 */
static void test_8022_frame_from_extraction(void **state)
{
	static const uint8_t llc[] = {
		0x01, 0x80, 0xc2, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
		0x00, 0x26, 0x42, 0x42, 0x03,
	};
	uint8_t frame[60] = { 0 };
	const struct flow_md md = { .in_port = 3 };
	struct flow_key k, out, ok, om;
	const struct nlattr *a;
	struct errmsg e;
	struct nlbuf b;

	(void)state;
	memcpy(frame, llc, sizeof(llc));
	flow_extract(frame, sizeof(frame), &md, &k, NULL);
	errmsg_clear(&e);
	if (packet_roundtrip(&k, &out, &e) != 0)
		print_error("decode failed: %s\n", e.msg);
	assert_int_equal(e.err, 0);
	assert_key_equal(&out, &k);

	nlbuf_init(&b, 0);
	odp_key_encode(&b, OVS_FLOW_ATTR_KEY, &k);
	mnl_attr_for_each_nested(a, (const struct nlattr *)nlbuf_at(&b, 0))
		assert_int_not_equal(mnl_attr_get_type(a), OVS_KEY_ATTR_ETHERTYPE);
	assert_int_equal(decode_flow_attrs(&b, &ok, &om, &e), 0);
	assert_int_equal(om.eth_type, 0xffff);
	assert_int_equal(ok.eth_type, k.eth_type);
	nlbuf_free(&b);
}

static void test_roundtrip_vlans(void **state)
{
	(void)state;
	struct flow_key k = ipv4_tcp_key();

	k.vlan.tpid = ETH(0x8100);
	k.vlan.tci = htons(0x1000 | 0x2000 | 42);
	check_packet_roundtrip(&k);
	k.vlan.tpid = ETH(0x88a8);
	k.cvlan.tpid = ETH(0x8100);
	k.cvlan.tci = htons(0x1000 | 7);
	check_packet_roundtrip(&k);
	/* Third tag: eth_type stays the TPID. */
	k.eth_type = ETH(0x8100);
	memset(&k.ipv4, 0, sizeof(k.ipv4));
	k.ip_proto = k.ip_tos = k.ip_ttl = 0;
	k.tp_src = k.tp_dst = k.tp_flags = 0;
	check_packet_roundtrip(&k);
	/* Inner tag cut short. */
	memset(&k.cvlan, 0, sizeof(k.cvlan));
	check_packet_roundtrip(&k);
	/* Outer tag cut short. */
	memset(&k.vlan, 0, sizeof(k.vlan));
	k.eth_type = ETH(0x88a8);
	check_packet_roundtrip(&k);
}

static void test_roundtrip_metadata(void **state)
{
	(void)state;
	struct flow_key k = ipv4_tcp_key();

	k.tun.tun_id = htobe64(0x1122334455667788ULL);
	k.tun.ipv4_src = htonl(0xc0a80001);
	k.tun.ipv4_dst = htonl(0xc0a80002);
	k.tun.tos = 0x20;
	k.tun.ttl = 33;
	k.tun.tp_src = htons(4789);
	k.tun.tp_dst = htons(6081);
	k.tun.flags = FLOW_TNL_F_KEY | FLOW_TNL_F_DONT_FRAGMENT | FLOW_TNL_F_CSUM | FLOW_TNL_F_OAM;
	k.ct_state = 0x21;
	k.ct_zone = 5;
	k.ct_mark = 0xfeed;
	memset(k.ct_labels, 0x5a, sizeof(k.ct_labels));
	check_packet_roundtrip(&k);
	k.in_port = ODP_PORT_NONE;
	k.tun.flags = 0;
	k.tun.tun_id = 0;
	k.tun.ttl = 0;
	check_packet_roundtrip(&k);
}

/* The bytes match the kernel's layout and attribute order. */
static void test_kernel_layout(void **state)
{
	(void)state;
	struct flow_key k = ipv4_tcp_key();
	struct nlbuf got, want;
	size_t outer, encap;

	k.vlan.tpid = ETH(0x8100);
	k.vlan.tci = htons(0x1000 | 10);
	nlbuf_init(&got, 0);
	odp_key_encode(&got, OVS_PACKET_ATTR_KEY, &k);

	nlbuf_init(&want, 0);
	outer = nlbuf_nest_start(&want, OVS_PACKET_ATTR_KEY);
	nlbuf_put_u32(&want, OVS_KEY_ATTR_RECIRC_ID, 9);
	nlbuf_put_u32(&want, OVS_KEY_ATTR_DP_HASH, 0xabcd);
	nlbuf_put_u32(&want, OVS_KEY_ATTR_PRIORITY, 7);
	nlbuf_put_u32(&want, OVS_KEY_ATTR_IN_PORT, 3);
	nlbuf_put_u32(&want, OVS_KEY_ATTR_SKB_MARK, 0x55);
	struct ovs_key_ethernet eth;
	memcpy(eth.eth_src, k.eth_src, 6);
	memcpy(eth.eth_dst, k.eth_dst, 6);
	nlbuf_put_attr(&want, OVS_KEY_ATTR_ETHERNET, &eth, sizeof(eth));
	nlbuf_put_u16(&want, OVS_KEY_ATTR_ETHERTYPE, ETH(0x8100));
	nlbuf_put_u16(&want, OVS_KEY_ATTR_VLAN, htons(0x1000 | 10));
	encap = nlbuf_nest_start(&want, OVS_KEY_ATTR_ENCAP);
	nlbuf_put_u16(&want, OVS_KEY_ATTR_ETHERTYPE, ETH(0x0800));
	struct ovs_key_ipv4 ip = { .ipv4_src = k.ipv4.src, .ipv4_dst = k.ipv4.dst,
				   .ipv4_proto = 6, .ipv4_tos = 0x10, .ipv4_ttl = 64 };
	nlbuf_put_attr(&want, OVS_KEY_ATTR_IPV4, &ip, sizeof(ip));
	struct ovs_key_tcp tcp = { .tcp_src = htons(1234), .tcp_dst = htons(80) };
	nlbuf_put_attr(&want, OVS_KEY_ATTR_TCP, &tcp, sizeof(tcp));
	nlbuf_put_u16(&want, OVS_KEY_ATTR_TCP_FLAGS, htons(0x012));
	nlbuf_nest_end(&want, encap);
	nlbuf_nest_end(&want, outer);

	assert_int_equal(got.len, want.len);
	assert_memory_equal(got.data, want.data, want.len);
	nlbuf_free(&got);
	nlbuf_free(&want);
}

/* ---- matches ---- */

static void build_tcp_key(struct nlbuf *b)
{
	struct flow_key k = ipv4_tcp_key();

	/* the stream of a packet key, without its container */
	struct nlbuf t;
	nlbuf_init(&t, 0);
	odp_key_encode(&t, 1, &k);
	nlbuf_put(b, nl_attr_data(nlbuf_at(&t, 0)), nl_attr_len(nlbuf_at(&t, 0)));
	nlbuf_free(&t);
}

static void test_match_exact(void **state)
{
	(void)state;
	struct flow_key k, m, want = ipv4_tcp_key();
	struct errmsg e;

	errmsg_clear(&e);
	assert_int_equal(decode_built(build_tcp_key, NULL, &k, &m, &e), 0);
	assert_key_equal(&k, &want);
	assert_int_equal(m.in_port, UINT32_MAX);
	assert_int_equal(m.eth_type, 0xffff);
	assert_int_equal(m.ipv4.src, UINT32_MAX);
	assert_int_equal(m.ip_proto, 0xff);
	assert_int_equal(m.ip_frag, 0xff);
	assert_int_equal(m.tp_src, 0xffff);
	assert_int_equal(m.tp_flags, 0xffff);
	assert_int_equal(m.vlan.tci, 0xffff); /* untagged only */
	assert_int_equal(m.vlan.tpid, 0);
	assert_int_equal(m.recirc_id, UINT32_MAX);
	assert_int_equal(m.ct_state, 0); /* not in the key */
	assert_int_equal(m.tun.ipv4_dst, 0);
	uint8_t zero[6] = { 0 };
	assert_memory_equal(m.ipv4.arp_sha, zero, 6);
	/* The mask round-trips. */
	struct flow_key k2, m2;
	assert_int_equal(match_roundtrip(&k, &m, &k2, &m2, &e), 0);
	assert_key_equal(&k2, &k);
	assert_key_equal(&m2, &m);
}

static void build_wild_mask(struct nlbuf *b)
{
	nlbuf_put_u32(b, OVS_KEY_ATTR_IN_PORT, 1); /* any value: exact */
	nlbuf_put_u16(b, OVS_KEY_ATTR_ETHERTYPE, 0xffff);
	struct ovs_key_ipv4 ip = { .ipv4_dst = htonl(0xffffff00), .ipv4_proto = 0xff };
	nlbuf_put_attr(b, OVS_KEY_ATTR_IPV4, &ip, sizeof(ip));
	struct ovs_key_tcp tcp = { .tcp_dst = 0xffff };
	nlbuf_put_attr(b, OVS_KEY_ATTR_TCP, &tcp, sizeof(tcp));
	nlbuf_put_u32(b, OVS_KEY_ATTR_PRIORITY, 0); /* all zero: absent */
}

static void test_match_wildcards(void **state)
{
	(void)state;
	struct flow_key k, m, want;
	struct errmsg e;

	errmsg_clear(&e);
	assert_int_equal(decode_built(build_tcp_key, build_wild_mask, &k, &m, &e), 0);
	memset(&want, 0, sizeof(want));
	want.in_port = 3;
	want.eth_type = ETH(0x0800);
	want.ipv4.dst = htonl(0x0a000000);
	want.ip_proto = IPPROTO_TCP;
	want.tp_dst = htons(80);
	assert_key_equal(&k, &want);
	assert_int_equal(m.in_port, UINT32_MAX);
	assert_int_equal(m.vlan.tci, 0xffff);
	assert_int_equal(m.cvlan.tci, 0xffff);
	assert_int_equal(m.ipv4.dst, htonl(0xffffff00));
	assert_int_equal(m.priority, 0);
	struct flow_key k2, m2;
	assert_int_equal(match_roundtrip(&k, &m, &k2, &m2, &e), 0);
	assert_key_equal(&k2, &k);
	assert_key_equal(&m2, &m);
}

/* An exact match of a tunnelled, double-tagged 802.2 frame. */
static void test_match_exact_tunnel_vlan(void **state)
{
	(void)state;
	struct flow_key k = ipv4_tcp_key(), ok, om;
	struct nlbuf b;
	struct errmsg e;

	memset(&k.ipv4, 0, sizeof(k.ipv4));
	k.ip_proto = k.ip_tos = k.ip_ttl = 0;
	k.tp_src = k.tp_dst = k.tp_flags = 0;
	k.eth_type = ETH(0x0004); /* ETH_P_802_2 */
	k.vlan = (struct flow_vlan){ ETH(0x88a8), htons(0x1005) };
	k.cvlan = (struct flow_vlan){ ETH(0x8100), htons(0x1006) };
	k.tun.ipv4_dst = htonl(0x01020304);
	k.tun.ttl = 5;
	nlbuf_init(&b, 0);
	odp_key_encode(&b, OVS_FLOW_ATTR_KEY, &k);
	errmsg_clear(&e);
	if (decode_flow_attrs(&b, &ok, &om, &e) != 0)
		print_error("%s\n", e.msg);
	assert_int_equal(e.err, 0);
	assert_key_equal(&ok, &k);
	assert_int_equal(om.eth_type, 0xffff); /* implied, yet exact */
	assert_int_equal(om.vlan.tpid, 0xffff);
	assert_int_equal(om.cvlan.tci, 0xffff);
	assert_int_equal(om.tun.ipv4_src, UINT32_MAX);
	assert_int_equal(om.tun.tp_dst, 0xffff);
	assert_int_equal(om.tun.flags, 0xf);
	nlbuf_free(&b);
}

static void test_decode_metadata(void **state)
{
	(void)state;
	struct flow_key k = ipv4_tcp_key(), md;
	struct nlbuf b;
	struct errmsg e;

	k.tun.ipv4_dst = htonl(0x01020304);
	k.tun.ttl = 9;
	k.ct_zone = 3;
	nlbuf_init(&b, 0);
	odp_key_encode(&b, OVS_PACKET_ATTR_KEY, &k);
	errmsg_clear(&e);
	assert_int_equal(odp_key_decode_metadata(nlbuf_at(&b, 0), NULL, &md, &e), 0);
	assert_int_equal(md.in_port, 3);
	assert_int_equal(md.priority, 7);
	assert_int_equal(md.skb_mark, 0x55);
	assert_int_equal(md.recirc_id, 9);
	assert_int_equal(md.dp_hash, 0xabcd);
	assert_int_equal(md.ct_zone, 3);
	assert_int_equal(md.tun.ipv4_dst, htonl(0x01020304));
	assert_int_equal(md.eth_type, 0);
	assert_int_equal(md.ipv4.src, 0);
	nlbuf_free(&b);

	/* Only metadata: fine for EXECUTE; no in_port reads as none. */
	nlbuf_init(&b, 0);
	size_t n = nlbuf_nest_start(&b, OVS_PACKET_ATTR_KEY);
	nlbuf_put_u32(&b, OVS_KEY_ATTR_PRIORITY, 1);
	nlbuf_nest_end(&b, n);
	assert_int_equal(odp_key_decode_metadata(nlbuf_at(&b, 0), NULL, &md, &e), 0);
	assert_int_equal(md.in_port, ODP_PORT_NONE);
	assert_int_equal(md.priority, 1);
	nlbuf_free(&b);
}

/* ---- randomized round trips ---- */

#define N_RANDOM 5000

static void test_random_packet_keys(void **state)
{
	(void)state;
	for (uint64_t i = 0; i < N_RANDOM; i++) {
		uint64_t seed = 0x9e3779b97f4a7c15ULL * (i + 1);
		struct flow_key k, out;
		struct errmsg e;

		kg_packet_key(&seed, &k);
		errmsg_clear(&e);
		if (packet_roundtrip(&k, &out, &e) != 0 || !flow_key_equal(&k, &out)) {
			print_error("packet key #%" PRIu64 ": %s\n", i, e.msg);
			assert_int_equal(e.err, 0);
			assert_key_equal(&out, &k);
		}
	}
}

static void test_random_matches(void **state)
{
	(void)state;
	for (uint64_t i = 0; i < N_RANDOM; i++) {
		uint64_t seed = 0xd1b54a32d192ed03ULL * (i + 1);
		struct flow_key k, m, km, ok, om;
		struct errmsg e;

		kg_packet_key(&seed, &k);
		kg_mask(&seed, &k, &m);
		flow_key_mask_apply(&km, &k, &m);
		errmsg_clear(&e);
		/* From the unmasked key (as a client sends it) and from the
		 * masked one (as the daemon replies): the same match. */
		for (int masked = 0; masked < 2; masked++) {
			int ret = match_roundtrip(masked ? &km : &k, &m, &ok, &om, &e);

			if (ret != 0 || !flow_key_equal(&ok, &km) || !flow_key_equal(&om, &m)) {
				print_error("match #%" PRIu64 " (masked %d): %s\n", i, masked,
					    e.msg);
				assert_int_equal(ret, 0);
				assert_key_equal(&ok, &km);
				assert_key_equal(&om, &m);
			}
		}
		/* With no mask: an exact match on the packet. */
		struct nlbuf b;
		nlbuf_init(&b, 0);
		odp_key_encode(&b, OVS_FLOW_ATTR_KEY, &k);
		int ret = decode_flow_attrs(&b, &ok, &om, &e);
		nlbuf_free(&b);
		if (k.in_port == ODP_PORT_NONE)
			k.in_port = 0;
		if (ret != 0 || !flow_key_equal(&ok, &k)) {
			print_error("exact #%" PRIu64 ": %s\n", i, e.msg);
			assert_int_equal(ret, 0);
			assert_key_equal(&ok, &k);
		}
	}
}

/* One decode of the KEY of 'kb' with the MASK of 'mb', its outcome kept. */
struct decode_outcome {
	int ret;
	struct flow_key k, m;
	struct errmsg e;
};

static void decode_mixed(const struct nlbuf *kb, const struct nlbuf *mb, bool cold,
			 struct decode_outcome *o)
{
	const struct nlattr *ktb[OVS_FLOW_ATTR_MAX + 1], *mtb[OVS_FLOW_ATTR_MAX + 1];

	assert_int_equal(nl_policy_parse(&nl_policy_ovs_flow, kb->data, kb->len, ktb, NULL, NULL), 0);
	assert_int_equal(nl_policy_parse(&nl_policy_ovs_flow, mb->data, mb->len, mtb, NULL, NULL), 0);
	if (cold)
		odp_mask_memo_clear();
	errmsg_clear(&o->e);
	o->ret = odp_match_decode(ktb[OVS_FLOW_ATTR_KEY], mtb[OVS_FLOW_ATTR_MASK], kb->data, &o->k,
				  &o->m, &o->e);
}

static void assert_same_outcome(const struct decode_outcome *a, const struct decode_outcome *b,
				uint64_t i, const char *what)
{
	if (a->ret != b->ret || strcmp(a->e.msg, b->e.msg) != 0 || a->e.offset != b->e.offset)
		print_error("#%" PRIu64 " %s: %d '%s' @%d against %d '%s' @%d\n", i, what, a->ret,
			    a->e.msg, a->e.offset, b->ret, b->e.msg, b->e.offset);
	assert_int_equal(a->ret, b->ret);
	assert_string_equal(a->e.msg, b->e.msg);
	assert_int_equal(a->e.offset, b->e.offset);
	assert_key_equal(&a->k, &b->k);
	assert_key_equal(&a->m, &b->m);
}

static void gen_match(uint64_t *seed, struct flow_key *k,
						struct flow_key *m)
{
	kg_packet_key(seed, k);
	kg_mask(seed, k, m);
}

/*
 * The mask memo (the last clean MASK's fields, reused for the same bytes)
 * must decide as the full decoder does: for the same flow again, for a key
 * of the same shape with other values, and for another random key under
 * the same mask bytes, where prerequisites and VLAN layers differ and most
 * decodes fail. Each decode after a warm-up is compared with a cold one.
 */
static void test_mask_memo_same_as_full(void **state)
{
	(void)state;
	unsigned int hits_ok = 0;

	for (uint64_t i = 0; i < N_RANDOM; i++) {
		uint64_t seed = 0x9e3779b97f4a7c15ULL * (i + 1);
		struct flow_key k, m, k2, other_k, other_m;
		struct decode_outcome cold, warm;
		struct nlbuf a, same_shape, other;

		gen_match(&seed, &k, &m);
		gen_match(&seed, &other_k, &other_m);
		k2 = k;
		k2.ipv4.src ^= htonl(0x01020304);
		k2.eth_src[5] ^= 0x5a;
		nlbuf_init(&a, 0);
		nlbuf_init(&same_shape, 0);
		nlbuf_init(&other, 0);
		odp_match_encode(&a, &k, &m);
		odp_match_encode(&same_shape, &k2, &m);
		odp_match_encode(&other, &other_k, &other_m);

		decode_mixed(&a, &a, true, &cold);
		decode_mixed(&a, &a, false, &warm);
		assert_same_outcome(&cold, &warm, i, "same flow");

		decode_mixed(&same_shape, &a, true, &cold);
		decode_mixed(&a, &a, false, &warm);
		decode_mixed(&same_shape, &a, false, &warm);
		assert_same_outcome(&cold, &warm, i, "same shape");
		hits_ok += warm.ret == 0;

		decode_mixed(&other, &a, true, &cold);
		decode_mixed(&a, &a, false, &warm);
		decode_mixed(&other, &a, false, &warm);
		assert_same_outcome(&cold, &warm, i, "other key");
		nlbuf_free(&a);
		nlbuf_free(&same_shape);
		nlbuf_free(&other);
	}
	/* The comparison above is only worth something if the memo served. */
	assert_true(hits_ok > N_RANDOM / 2);
}

/* ---- bad input ---- */

static int decode_key_bytes(const void *payload, size_t len, struct flow_key *k,
			    struct errmsg *e)
{
	struct flow_key m;
	struct nlbuf b;
	int ret;

	nlbuf_init(&b, 0);
	nlbuf_put_attr(&b, OVS_FLOW_ATTR_KEY, payload, len);
	errmsg_clear(e);
	ret = odp_match_decode(nlbuf_at(&b, 0), NULL, NULL, k, &m, e);
	nlbuf_free(&b);
	return ret;
}

static void test_bad_framing(void **state)
{
	(void)state;
	struct flow_key k;
	struct errmsg e;
	/* eth attribute, then 3 stray bytes */
	uint8_t buf[64] = { 16, 0, OVS_KEY_ATTR_ETHERNET, 0 };

	expect_error(decode_key_bytes(buf, 19, &k, &e), &e, -EINVAL, "too few for an attribute header");
	assert_int_equal(e.offset, 4 + 16);
	static const uint8_t small[] = { 2, 0, OVS_KEY_ATTR_PRIORITY, 0 };
	expect_error(decode_key_bytes(small, 4, &k, &e), &e, -EINVAL, "below the 4-byte header");
	assert_int_equal(e.offset, 4);
	static const uint8_t past[] = { 12, 0, OVS_KEY_ATTR_PRIORITY, 0, 1, 2, 3, 4 };
	expect_error(decode_key_bytes(past, 8, &k, &e), &e, -EINVAL, "runs past the end");
	/* The output is all zero on error. */
	struct flow_key zero;
	memset(&zero, 0, sizeof(zero));
	assert_key_equal(&k, &zero);
}

static void test_bad_sizes_types(void **state)
{
	(void)state;
	struct flow_key k;
	struct errmsg e;
	uint8_t eth[16] = { 16, 0, OVS_KEY_ATTR_ETHERNET, 0 };
	uint8_t buf[64];

	memcpy(buf, eth, 16);
	memcpy(buf + 16, "\x0c\x00\x07\x00\x01\x02\x03\x04\x05\x06\x07\x08", 12); /* ipv4, 8 bytes */
	expect_error(decode_key_bytes(buf, 28, &k, &e), &e, -EINVAL, "ipv4: size 8, expected 12");
	assert_int_equal(e.offset, 4 + 16);
	memcpy(buf + 16, "\x08\x00\xc8\x00\x00\x00\x00\x00", 8); /* type 200 */
	expect_error(decode_key_bytes(buf, 24, &k, &e), &e, -EINVAL, "unknown attribute type 200");
	memcpy(buf + 16, "\x04\x00\x00\x00", 4); /* type 0 */
	expect_error(decode_key_bytes(buf, 20, &k, &e), &e, -EINVAL, "unknown attribute type 0");
	memcpy(buf + 16, "\x08\x00\x03\x00\x01\x00\x00\x00\x08\x00\x03\x00\x02\x00\x00\x00", 16);
	expect_error(decode_key_bytes(buf, 32, &k, &e), &e, -EINVAL, "in_port (3) appears twice");
	assert_int_equal(e.offset, 4 + 24);
	memcpy(buf + 16, "\x04\x00", 2); /* nsh, empty */
	buf[18] = OVS_KEY_ATTR_NSH;
	buf[19] = 0;
	expect_error(decode_key_bytes(buf, 20, &k, &e), &e, -EOPNOTSUPP, "nsh");
	buf[18] = OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV4;
	expect_error(decode_key_bytes(buf, 20, &k, &e), &e, -EOPNOTSUPP, "not supported");
	/* No eth: a layer-3 packet. */
	static const uint8_t l3[] = { 6, 0, OVS_KEY_ATTR_ETHERTYPE, 0, 0x08, 0x00, 0, 0 };
	expect_error(decode_key_bytes(l3, 8, &k, &e), &e, -EOPNOTSUPP, "layer-3");
}

/* Builders for keys with one thing wrong. */
static void put_eth(struct nlbuf *b)
{
	struct ovs_key_ethernet eth = { { 2, 0, 0, 0, 0, 1 }, { 2, 0, 0, 0, 0, 2 } };

	nlbuf_put_attr(b, OVS_KEY_ATTR_ETHERNET, &eth, sizeof(eth));
}

static void put_ipv4(struct nlbuf *b, uint8_t proto, uint8_t frag)
{
	struct ovs_key_ipv4 ip = { .ipv4_src = 1, .ipv4_dst = 2, .ipv4_proto = proto,
				   .ipv4_frag = frag };

	nlbuf_put_u16(b, OVS_KEY_ATTR_ETHERTYPE, ETH(0x0800));
	nlbuf_put_attr(b, OVS_KEY_ATTR_IPV4, &ip, sizeof(ip));
}

static void k_low_ethertype(struct nlbuf *b)
{
	put_eth(b);
	nlbuf_put_u16(b, OVS_KEY_ATTR_ETHERTYPE, ETH(0x05dc));
}

static void k_big_in_port(struct nlbuf *b)
{
	nlbuf_put_u32(b, OVS_KEY_ATTR_IN_PORT, 65535);
	put_eth(b);
}

static void k_bad_frag(struct nlbuf *b)
{
	put_eth(b);
	put_ipv4(b, 47, 3);
}

static void k_bad_label(struct nlbuf *b)
{
	struct ovs_key_ipv6 ip6 = { .ipv6_label = htonl(0x100000), .ipv6_proto = 47 };

	put_eth(b);
	nlbuf_put_u16(b, OVS_KEY_ATTR_ETHERTYPE, ETH(0x86dd));
	nlbuf_put_attr(b, OVS_KEY_ATTR_IPV6, &ip6, sizeof(ip6));
}

static void k_bad_arp_op(struct nlbuf *b)
{
	struct ovs_key_arp arp = { .arp_op = htons(0x100) };

	put_eth(b);
	nlbuf_put_u16(b, OVS_KEY_ATTR_ETHERTYPE, ETH(0x0806));
	nlbuf_put_attr(b, OVS_KEY_ATTR_ARP, &arp, sizeof(arp));
}

static void k_bad_ct_state(struct nlbuf *b)
{
	nlbuf_put_u32(b, OVS_KEY_ATTR_CT_STATE, 0x100);
	put_eth(b);
}

static void k_missing_l3(struct nlbuf *b)
{
	put_eth(b);
	nlbuf_put_u16(b, OVS_KEY_ATTR_ETHERTYPE, ETH(0x0800));
}

static void k_missing_tcp_flags(struct nlbuf *b)
{
	struct ovs_key_tcp tcp = { 1, 2 };

	put_eth(b);
	put_ipv4(b, IPPROTO_TCP, 0);
	nlbuf_put_attr(b, OVS_KEY_ATTR_TCP, &tcp, sizeof(tcp));
}

static void test_bad_key_fields(void **state)
{
	(void)state;
	struct flow_key k, m;
	struct errmsg e;

	errmsg_clear(&e);
	expect_error(decode_built(k_low_ethertype, NULL, &k, &m, &e), &e, -EINVAL,
		     "eth_type 0x05dc is below 0x0600");
	errmsg_clear(&e);
	expect_error(decode_built(k_big_in_port, NULL, &k, &m, &e), &e, -EINVAL,
		     "in_port 65535 is not below 65535");
	errmsg_clear(&e);
	expect_error(decode_built(k_bad_frag, NULL, &k, &m, &e), &e, -EINVAL,
		     "ipv4 frag type 3 is above 2");
	errmsg_clear(&e);
	expect_error(decode_built(k_bad_label, NULL, &k, &m, &e), &e, -EINVAL,
		     "flow label 0x100000 is above 0xfffff");
	errmsg_clear(&e);
	expect_error(decode_built(k_bad_arp_op, NULL, &k, &m, &e), &e, -EINVAL,
		     "arp opcode 256");
	errmsg_clear(&e);
	expect_error(decode_built(k_bad_ct_state, NULL, &k, &m, &e), &e, -EINVAL,
		     "ct_state 0x100 has bits beyond");
	errmsg_clear(&e);
	expect_error(decode_built(k_missing_l3, NULL, &k, &m, &e), &e, -EINVAL,
		     "lacks the ipv4 attribute");
	errmsg_clear(&e);
	expect_error(decode_built(k_missing_tcp_flags, NULL, &k, &m, &e), &e, -EINVAL,
		     "lacks the tcp_flags attribute");
}

static void k_vlan_no_encap(struct nlbuf *b)
{
	put_eth(b);
	nlbuf_put_u16(b, OVS_KEY_ATTR_ETHERTYPE, ETH(0x8100));
	nlbuf_put_u16(b, OVS_KEY_ATTR_VLAN, htons(0x1001));
}

static void k_vlan_no_cfi(struct nlbuf *b)
{
	put_eth(b);
	nlbuf_put_u16(b, OVS_KEY_ATTR_ETHERTYPE, ETH(0x8100));
	nlbuf_put_u16(b, OVS_KEY_ATTR_VLAN, htons(0x0001));
	nlbuf_nest_end(b, nlbuf_nest_start(b, OVS_KEY_ATTR_ENCAP));
}

static void k_trunc_nonempty(struct nlbuf *b)
{
	put_eth(b);
	nlbuf_put_u16(b, OVS_KEY_ATTR_ETHERTYPE, ETH(0x8100));
	nlbuf_put_u16(b, OVS_KEY_ATTR_VLAN, 0);
	size_t n = nlbuf_nest_start(b, OVS_KEY_ATTR_ENCAP);
	nlbuf_put_u16(b, OVS_KEY_ATTR_ETHERTYPE, ETH(0x0800));
	nlbuf_nest_end(b, n);
}

static void k_stray_vlan(struct nlbuf *b)
{
	put_eth(b);
	nlbuf_put_u16(b, OVS_KEY_ATTR_VLAN, htons(0x1001));
}

static void k_stray_encap(struct nlbuf *b)
{
	put_eth(b);
	nlbuf_nest_end(b, nlbuf_nest_start(b, OVS_KEY_ATTR_ENCAP));
}

/* Three ENCAP levels: one more than the two tags a key holds. */
static void k_encap_too_deep(struct nlbuf *b)
{
	size_t n[3];

	put_eth(b);
	for (int i = 0; i < 3; i++) {
		nlbuf_put_u16(b, OVS_KEY_ATTR_ETHERTYPE, ETH(0x8100));
		nlbuf_put_u16(b, OVS_KEY_ATTR_VLAN, htons(0x1001));
		n[i] = nlbuf_nest_start(b, OVS_KEY_ATTR_ENCAP);
	}
	nlbuf_put_u16(b, OVS_KEY_ATTR_ETHERTYPE, ETH(0x0800));
	for (int i = 2; i >= 0; i--)
		nlbuf_nest_end(b, n[i]);
}

static void k_dup_in_encap(struct nlbuf *b)
{
	put_eth(b);
	nlbuf_put_u16(b, OVS_KEY_ATTR_ETHERTYPE, ETH(0x8100));
	nlbuf_put_u16(b, OVS_KEY_ATTR_VLAN, htons(0x1001));
	size_t n = nlbuf_nest_start(b, OVS_KEY_ATTR_ENCAP);
	put_eth(b);
	nlbuf_nest_end(b, n);
}

static void test_bad_vlans(void **state)
{
	(void)state;
	struct flow_key k, m;
	struct errmsg e;

	errmsg_clear(&e);
	expect_error(decode_built(k_vlan_no_encap, NULL, &k, &m, &e), &e, -EINVAL,
		     "needs vlan and encap attributes");
	errmsg_clear(&e);
	expect_error(decode_built(k_vlan_no_cfi, NULL, &k, &m, &e), &e, -EINVAL,
		     "lacks the tag-present bit");
	errmsg_clear(&e);
	expect_error(decode_built(k_trunc_nonempty, NULL, &k, &m, &e), &e, -EINVAL,
		     "truncated VLAN tag (TCI 0) with a non-empty encap");
	errmsg_clear(&e);
	expect_error(decode_built(k_stray_vlan, NULL, &k, &m, &e), &e, -EINVAL,
		     "vlan attribute without a VLAN eth_type");
	errmsg_clear(&e);
	expect_error(decode_built(k_stray_encap, NULL, &k, &m, &e), &e, -EINVAL,
		     "encap attribute without a VLAN eth_type");
	errmsg_clear(&e);
	expect_error(decode_built(k_encap_too_deep, NULL, &k, &m, &e), &e, -EINVAL,
		     "encap nested deeper than two VLAN tags");
	errmsg_clear(&e);
	expect_error(decode_built(k_dup_in_encap, NULL, &k, &m, &e), &e, -EINVAL,
		     "eth appears twice (inside and outside encap)");
}

/* ---- mask prerequisites ---- */

static void k_udp(struct nlbuf *b)
{
	struct ovs_key_udp udp = { htons(53), htons(53) };

	nlbuf_put_u32(b, OVS_KEY_ATTR_IN_PORT, 1);
	put_eth(b);
	put_ipv4(b, IPPROTO_UDP, 0);
	nlbuf_put_attr(b, OVS_KEY_ATTR_UDP, &udp, sizeof(udp));
}

static void k_udp_later_frag(struct nlbuf *b)
{
	nlbuf_put_u32(b, OVS_KEY_ATTR_IN_PORT, 1);
	put_eth(b);
	put_ipv4(b, IPPROTO_UDP, OVS_FRAG_TYPE_LATER);
}

static void m_ipv4_no_ethertype(struct nlbuf *b)
{
	struct ovs_key_ipv4 ip = { .ipv4_dst = UINT32_MAX };

	nlbuf_put_attr(b, OVS_KEY_ATTR_IPV4, &ip, sizeof(ip));
}

static void m_udp_partial_proto(struct nlbuf *b)
{
	struct ovs_key_ipv4 ip = { .ipv4_proto = 0x0f };
	struct ovs_key_udp udp = { 0xffff, 0 };

	nlbuf_put_u16(b, OVS_KEY_ATTR_ETHERTYPE, 0xffff);
	nlbuf_put_attr(b, OVS_KEY_ATTR_IPV4, &ip, sizeof(ip));
	nlbuf_put_attr(b, OVS_KEY_ATTR_UDP, &udp, sizeof(udp));
}

static void m_udp_exact(struct nlbuf *b)
{
	struct ovs_key_ipv4 ip = { .ipv4_proto = 0xff };
	struct ovs_key_udp udp = { 0xffff, 0 };

	nlbuf_put_u16(b, OVS_KEY_ATTR_ETHERTYPE, 0xffff);
	nlbuf_put_attr(b, OVS_KEY_ATTR_IPV4, &ip, sizeof(ip));
	nlbuf_put_attr(b, OVS_KEY_ATTR_UDP, &udp, sizeof(udp));
}

static void m_tcp_on_udp(struct nlbuf *b)
{
	struct ovs_key_ipv4 ip = { .ipv4_proto = 0xff };
	struct ovs_key_tcp tcp = { 0xffff, 0 };

	nlbuf_put_u16(b, OVS_KEY_ATTR_ETHERTYPE, 0xffff);
	nlbuf_put_attr(b, OVS_KEY_ATTR_IPV4, &ip, sizeof(ip));
	nlbuf_put_attr(b, OVS_KEY_ATTR_TCP, &tcp, sizeof(tcp));
}

static void m_skb_mark(struct nlbuf *b)
{
	nlbuf_put_u32(b, OVS_KEY_ATTR_SKB_MARK, 1);
}

static void k_icmpv6_echo(struct nlbuf *b)
{
	struct ovs_key_ipv6 ip6 = { .ipv6_proto = IPPROTO_ICMPV6 };
	struct ovs_key_icmpv6 icmp = { 135, 0 };
	struct ovs_key_nd nd = { .nd_sll = { 2, 0, 0, 0, 0, 9 } };

	put_eth(b);
	nlbuf_put_u16(b, OVS_KEY_ATTR_ETHERTYPE, ETH(0x86dd));
	nlbuf_put_attr(b, OVS_KEY_ATTR_IPV6, &ip6, sizeof(ip6));
	nlbuf_put_attr(b, OVS_KEY_ATTR_ICMPV6, &icmp, sizeof(icmp));
	nlbuf_put_attr(b, OVS_KEY_ATTR_ND, &nd, sizeof(nd));
}

static void m_nd_partial_type(struct nlbuf *b)
{
	struct ovs_key_ipv6 ip6 = { .ipv6_proto = 0xff };
	struct ovs_key_icmpv6 icmp = { 0x0f, 0 };
	struct ovs_key_nd nd = { .nd_sll = { 0xff } };

	nlbuf_put_u16(b, OVS_KEY_ATTR_ETHERTYPE, 0xffff);
	nlbuf_put_attr(b, OVS_KEY_ATTR_IPV6, &ip6, sizeof(ip6));
	nlbuf_put_attr(b, OVS_KEY_ATTR_ICMPV6, &icmp, sizeof(icmp));
	nlbuf_put_attr(b, OVS_KEY_ATTR_ND, &nd, sizeof(nd));
}

static void k_arp(struct nlbuf *b)
{
	struct ovs_key_arp arp = { .arp_op = htons(1) };

	put_eth(b);
	nlbuf_put_u16(b, OVS_KEY_ATTR_ETHERTYPE, ETH(0x0806));
	nlbuf_put_attr(b, OVS_KEY_ATTR_ARP, &arp, sizeof(arp));
}

static void m_arp_no_ethertype(struct nlbuf *b)
{
	struct ovs_key_arp arp = { .arp_op = 0xffff };

	nlbuf_put_attr(b, OVS_KEY_ATTR_ARP, &arp, sizeof(arp));
}

static void k_mpls(struct nlbuf *b)
{
	put_eth(b);
	nlbuf_put_u16(b, OVS_KEY_ATTR_ETHERTYPE, ETH(0x8847));
	nlbuf_put_u32(b, OVS_KEY_ATTR_MPLS, htonl(0x100));
}

static void m_mpls_no_ethertype(struct nlbuf *b)
{
	nlbuf_put_u32(b, OVS_KEY_ATTR_MPLS, UINT32_MAX);
}

/* An exact match is refused when the key carries what its types forbid. */
static void k_tcp_attr_on_udp(struct nlbuf *b)
{
	struct ovs_key_udp udp = { 1, 2 };
	struct ovs_key_tcp tcp = { 1, 2 };

	put_eth(b);
	put_ipv4(b, IPPROTO_UDP, 0);
	nlbuf_put_attr(b, OVS_KEY_ATTR_UDP, &udp, sizeof(udp));
	nlbuf_put_attr(b, OVS_KEY_ATTR_TCP, &tcp, sizeof(tcp));
}

static void test_mask_prerequisites(void **state)
{
	(void)state;
	struct flow_key k, m;
	struct errmsg e;

	errmsg_clear(&e);
	expect_error(decode_built(k_udp, m_ipv4_no_ethertype, &k, &m, &e), &e, -EINVAL,
		     "mask attribute ipv4 is not allowed: needs eth_type 0x0800 matched exactly");
	errmsg_clear(&e);
	expect_error(decode_built(k_udp, m_udp_partial_proto, &k, &m, &e), &e, -EINVAL,
		     "mask attribute udp is not allowed: needs an IP flow, not a later fragment, "
		     "with ip proto 17 matched exactly");
	errmsg_clear(&e);
	expect_error(decode_built(k_udp_later_frag, m_udp_exact, &k, &m, &e), &e, -EINVAL,
		     "mask attribute udp is not allowed");
	errmsg_clear(&e);
	expect_error(decode_built(k_udp, m_tcp_on_udp, &k, &m, &e), &e, -EINVAL,
		     "mask attribute tcp is not allowed");
	errmsg_clear(&e);
	expect_error(decode_built(k_udp, m_skb_mark, &k, &m, &e), &e, -EINVAL,
		     "mask attribute skb_mark is not allowed: the key has no such attribute");
	errmsg_clear(&e);
	expect_error(decode_built(k_icmpv6_echo, m_nd_partial_type, &k, &m, &e), &e, -EINVAL,
		     "mask attribute nd is not allowed: needs an ICMPv6 flow with icmp type 135 or "
		     "136 matched exactly");
	errmsg_clear(&e);
	expect_error(decode_built(k_arp, m_arp_no_ethertype, &k, &m, &e), &e, -EINVAL,
		     "mask attribute arp is not allowed: needs eth_type 0x0806 or 0x8035");
	errmsg_clear(&e);
	expect_error(decode_built(k_mpls, m_mpls_no_ethertype, &k, &m, &e), &e, -EINVAL,
		     "mask attribute mpls is not allowed");
	/* The good mask passes. */
	errmsg_clear(&e);
	assert_int_equal(decode_built(k_udp, m_udp_exact, &k, &m, &e), 0);
	assert_int_equal(k.tp_src, htons(53));
	assert_int_equal(k.tp_dst, 0);
	assert_int_equal(k.in_port, 0); /* not in the mask: wildcarded */
}

static void test_exact_mask_errors_point_at_key(void **state)
{
	(void)state;
	struct flow_key k, m;
	struct errmsg e;
	struct nlbuf b;
	size_t nest;

	nlbuf_init(&b, 0);
	nest = nlbuf_nest_start(&b, OVS_FLOW_ATTR_KEY);
	k_tcp_attr_on_udp(&b);
	nlbuf_nest_end(&b, nest);
	errmsg_clear(&e);
	expect_error(decode_flow_attrs(&b, &k, &m, &e), &e, -EINVAL,
		     "implied exact mask attribute tcp is not allowed");
	const struct nlattr *tcp = find_attr(nl_attr_data(nlbuf_at(&b, 0)),
					     nl_attr_len(nlbuf_at(&b, 0)), OVS_KEY_ATTR_TCP);
	assert_non_null(tcp);
	assert_int_equal(e.offset, (const uint8_t *)tcp - b.data);
	nlbuf_free(&b);
}

static void k_tagged(struct nlbuf *b)
{
	put_eth(b);
	nlbuf_put_u16(b, OVS_KEY_ATTR_ETHERTYPE, ETH(0x8100));
	nlbuf_put_u16(b, OVS_KEY_ATTR_VLAN, htons(0x1064));
	size_t n = nlbuf_nest_start(b, OVS_KEY_ATTR_ENCAP);
	nlbuf_put_u16(b, OVS_KEY_ATTR_ETHERTYPE, ETH(0x88cc));
	nlbuf_nest_end(b, n);
}

static void m_tagged_no_encap(struct nlbuf *b)
{
	nlbuf_put_u16(b, OVS_KEY_ATTR_ETHERTYPE, 0xffff);
}

static void m_tagged_tpid_wild(struct nlbuf *b)
{
	nlbuf_put_u16(b, OVS_KEY_ATTR_ETHERTYPE, 0x00ff);
	nlbuf_put_u16(b, OVS_KEY_ATTR_VLAN, 0xffff);
	size_t n = nlbuf_nest_start(b, OVS_KEY_ATTR_ENCAP);
	nlbuf_put_u16(b, OVS_KEY_ATTR_ETHERTYPE, 0xffff);
	nlbuf_nest_end(b, n);
}

static void m_tagged_tci_no_cfi(struct nlbuf *b)
{
	nlbuf_put_u16(b, OVS_KEY_ATTR_ETHERTYPE, 0xffff);
	nlbuf_put_u16(b, OVS_KEY_ATTR_VLAN, htons(0x0fff));
	size_t n = nlbuf_nest_start(b, OVS_KEY_ATTR_ENCAP);
	nlbuf_put_u16(b, OVS_KEY_ATTR_ETHERTYPE, 0xffff);
	nlbuf_nest_end(b, n);
}

static void m_tagged_vid_only(struct nlbuf *b)
{
	nlbuf_put_u16(b, OVS_KEY_ATTR_ETHERTYPE, 0xffff);
	nlbuf_put_u16(b, OVS_KEY_ATTR_VLAN, htons(0x1fff));
	size_t n = nlbuf_nest_start(b, OVS_KEY_ATTR_ENCAP);
	nlbuf_put_u16(b, OVS_KEY_ATTR_ETHERTYPE, 0xffff);
	nlbuf_nest_end(b, n);
}

static void m_encap_untagged(struct nlbuf *b)
{
	size_t n = nlbuf_nest_start(b, OVS_KEY_ATTR_ENCAP);

	nlbuf_put_u16(b, OVS_KEY_ATTR_ETHERTYPE, 0xffff);
	nlbuf_nest_end(b, n);
}

static void test_mask_vlans(void **state)
{
	(void)state;
	struct flow_key k, m;
	struct errmsg e;

	errmsg_clear(&e);
	expect_error(decode_built(k_tagged, m_tagged_no_encap, &k, &m, &e), &e, -EINVAL,
		     "a VLAN flow's mask needs an encap attribute");
	errmsg_clear(&e);
	expect_error(decode_built(k_tagged, m_tagged_tpid_wild, &k, &m, &e), &e, -EINVAL,
		     "VLAN TPID must be matched exactly");
	errmsg_clear(&e);
	expect_error(decode_built(k_tagged, m_tagged_tci_no_cfi, &k, &m, &e), &e, -EINVAL,
		     "TCI mask must include the tag-present bit");
	errmsg_clear(&e);
	expect_error(decode_built(k_udp, m_encap_untagged, &k, &m, &e), &e, -EINVAL,
		     "encap attribute for a frame without a VLAN tag");
	errmsg_clear(&e);
	assert_int_equal(decode_built(k_tagged, m_tagged_vid_only, &k, &m, &e), 0);
	assert_int_equal(k.vlan.tpid, ETH(0x8100));
	assert_int_equal(k.vlan.tci, htons(0x1064));
	assert_int_equal(m.vlan.tci, htons(0x1fff));
	assert_int_equal(m.cvlan.tci, 0xffff);
	assert_int_equal(k.eth_type, ETH(0x88cc));
}

/* ---- tunnels ---- */

static void k_tunnel_no_ttl(struct nlbuf *b)
{
	size_t n = nlbuf_nest_start(b, OVS_KEY_ATTR_TUNNEL);

	nlbuf_put_u32(b, OVS_TUNNEL_KEY_ATTR_IPV4_DST, 1);
	nlbuf_nest_end(b, n);
	put_eth(b);
}

static void k_tunnel_no_dst(struct nlbuf *b)
{
	size_t n = nlbuf_nest_start(b, OVS_KEY_ATTR_TUNNEL);

	nlbuf_put_u8(b, OVS_TUNNEL_KEY_ATTR_TTL, 64);
	nlbuf_nest_end(b, n);
	put_eth(b);
}

static void k_tunnel_geneve(struct nlbuf *b)
{
	size_t n = nlbuf_nest_start(b, OVS_KEY_ATTR_TUNNEL);

	nlbuf_put_u32(b, OVS_TUNNEL_KEY_ATTR_IPV4_DST, 1);
	nlbuf_put_u8(b, OVS_TUNNEL_KEY_ATTR_TTL, 64);
	nlbuf_put_attr(b, OVS_TUNNEL_KEY_ATTR_GENEVE_OPTS, "\0\0\0\0", 4);
	nlbuf_nest_end(b, n);
	put_eth(b);
}

static void k_tunnel_dup(struct nlbuf *b)
{
	size_t n = nlbuf_nest_start(b, OVS_KEY_ATTR_TUNNEL);

	nlbuf_put_u8(b, OVS_TUNNEL_KEY_ATTR_TTL, 64);
	nlbuf_put_u8(b, OVS_TUNNEL_KEY_ATTR_TTL, 64);
	nlbuf_nest_end(b, n);
	put_eth(b);
}

static void m_tunnel_id_only(struct nlbuf *b)
{
	size_t n = nlbuf_nest_start(b, OVS_KEY_ATTR_TUNNEL);

	nlbuf_put_u64(b, OVS_TUNNEL_KEY_ATTR_ID, UINT64_MAX);
	nlbuf_nest_end(b, n);
}

static void test_tunnels(void **state)
{
	(void)state;
	struct flow_key k, m;
	struct errmsg e;

	errmsg_clear(&e);
	expect_error(decode_built(k_tunnel_no_ttl, NULL, &k, &m, &e), &e, -EINVAL,
		     "tunnel: ttl not specified");
	errmsg_clear(&e);
	expect_error(decode_built(k_tunnel_no_dst, NULL, &k, &m, &e), &e, -EINVAL,
		     "tunnel: IPv4 destination missing or zero");
	errmsg_clear(&e);
	expect_error(decode_built(k_tunnel_geneve, NULL, &k, &m, &e), &e, -EOPNOTSUPP,
		     "tunnel attribute geneve");
	errmsg_clear(&e);
	expect_error(decode_built(k_tunnel_dup, NULL, &k, &m, &e), &e, -EINVAL,
		     "tunnel attribute ttl (4) appears twice");
	/* A wildcarded destination may be zero: the match ignores it. */
	errmsg_clear(&e);
	assert_int_equal(decode_built(k_tunnel_no_dst, m_tunnel_id_only, &k, &m, &e), 0);
	assert_int_equal(m.tun.flags, FLOW_TNL_F_KEY);
	assert_int_equal(m.tun.tun_id, UINT64_MAX);
	assert_int_equal(k.tun.ttl, 0);
}

/* A packet key carries only what its types imply. */
static void test_packet_key_strict(void **state)
{
	(void)state;
	struct flow_key k;
	struct errmsg e;
	struct nlbuf b;
	size_t n;

	nlbuf_init(&b, 0);
	n = nlbuf_nest_start(&b, OVS_PACKET_ATTR_KEY);
	k_tcp_attr_on_udp(&b);
	nlbuf_nest_end(&b, n);
	errmsg_clear(&e);
	expect_error(odp_key_decode(nlbuf_at(&b, 0), NULL, &k, &e), &e, -EINVAL,
		     "key attribute tcp does not fit eth_type 0x0800, ip proto 17");
	nlbuf_free(&b);
	nlbuf_init(&b, 0);
	n = nlbuf_nest_start(&b, OVS_PACKET_ATTR_KEY);
	k_tunnel_no_dst(&b);
	nlbuf_nest_end(&b, n);
	errmsg_clear(&e);
	expect_error(odp_key_decode(nlbuf_at(&b, 0), NULL, &k, &e), &e, -EINVAL,
		     "IPv4 destination missing or zero");
	errmsg_clear(&e);
	expect_error(odp_key_decode_metadata(nlbuf_at(&b, 0), NULL, &k, &e), &e, -EINVAL,
		     "IPv4 destination missing or zero");
	nlbuf_free(&b);
}

static void test_misaligned(void **state)
{
	(void)state;
	uint32_t mem[8] = { 0 };
	struct nlattr *nla = (void *)((uint8_t *)mem + 2);
	struct flow_key k;
	struct errmsg e;

	nla->nla_len = 4;
	nla->nla_type = OVS_PACKET_ATTR_KEY;
	errmsg_clear(&e);
	expect_error(odp_key_decode(nla, NULL, &k, &e), &e, -EINVAL, "not 4-byte aligned");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_ipv4_l4),
		cmocka_unit_test(test_roundtrip_ipv6_nd),
		cmocka_unit_test(test_roundtrip_arp_mpls_other),
		cmocka_unit_test(test_8022_frame_from_extraction),
		cmocka_unit_test(test_roundtrip_vlans),
		cmocka_unit_test(test_roundtrip_metadata),
		cmocka_unit_test(test_kernel_layout),
		cmocka_unit_test(test_match_exact),
		cmocka_unit_test(test_match_wildcards),
		cmocka_unit_test(test_match_exact_tunnel_vlan),
		cmocka_unit_test(test_decode_metadata),
		cmocka_unit_test(test_random_packet_keys),
		cmocka_unit_test(test_random_matches),
		cmocka_unit_test(test_mask_memo_same_as_full),
		cmocka_unit_test(test_bad_framing),
		cmocka_unit_test(test_bad_sizes_types),
		cmocka_unit_test(test_bad_key_fields),
		cmocka_unit_test(test_bad_vlans),
		cmocka_unit_test(test_mask_prerequisites),
		cmocka_unit_test(test_exact_mask_errors_point_at_key),
		cmocka_unit_test(test_mask_vlans),
		cmocka_unit_test(test_tunnels),
		cmocka_unit_test(test_packet_key_strict),
		cmocka_unit_test(test_misaligned),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
