/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the client's output helpers: the JSON writer (--json) and
 * the packet summaries and hex dumps of monitor, including every truncation
 * of every sample packet (each copied to a buffer of exactly its length, so
 * that ASan catches a read past the end).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "json.h"
#include "odp_key.h"
#include "odp_text.h"

static void test_json_document(void **state)
{
	struct strbuf sb;
	struct json j;

	(void)state;
	strbuf_init(&sb);
	json_init(&j, &sb);
	json_obj_begin(&j);
	json_kv_str(&j, "name", "a\"b\\c\n\x01\xc3");
	json_kv_u64(&j, "big", UINT64_MAX);
	json_key(&j, "neg");
	json_i64(&j, -5);
	json_kv_double(&j, "ratio", 0.25);
	json_kv_double(&j, "nan", 0.0 / 0.0);
	json_kv_bool(&j, "yes", true);
	json_key(&j, "none");
	json_null(&j);
	json_key(&j, "list");
	json_arr_begin(&j);
	json_u64(&j, 1);
	json_obj_begin(&j);
	json_obj_end(&j);
	json_arr_begin(&j);
	json_arr_end(&j);
	json_arr_end(&j);
	json_obj_end(&j);
	assert_string_equal(sb.s, "{\n"
				  "  \"name\": \"a\\\"b\\\\c\\n\\u0001\\u00c3\",\n"
				  "  \"big\": 18446744073709551615,\n"
				  "  \"neg\": -5,\n"
				  "  \"ratio\": 0.25,\n"
				  "  \"nan\": null,\n"
				  "  \"yes\": true,\n"
				  "  \"none\": null,\n"
				  "  \"list\": [\n"
				  "    1,\n"
				  "    {},\n"
				  "    []\n"
				  "  ]\n"
				  "}\n");
	strbuf_free(&sb);
}

static void test_json_top_level_array(void **state)
{
	struct strbuf sb;
	struct json j;

	(void)state;
	strbuf_init(&sb);
	json_init(&j, &sb);
	json_arr_begin(&j);
	json_str(&j, "x");
	json_arr_end(&j);
	assert_string_equal(sb.s, "[\n  \"x\"\n]\n");
	strbuf_free(&sb);
}

/* ---- packets ---- */

struct sample {
	const char *hex;
	const char *summary;
};

static const struct sample samples[] = {
	{ /* UDP */
	  "000000000002000000000001080045000021000100004011" "66c90a0000010a00000204d20035000d0000"
	  "68656c6c6f",
	  "len 47: 00:00:00:00:00:01 > 00:00:00:00:00:02, IPv4 10.0.0.1 > 10.0.0.2, tos 0x00, "
	  "ttl 64, length 33, UDP 1234 > 53, length 13" },
	{ /* TCP SYN, 802.1Q tag 10 pcp 3 */
	  "ffffffffffff0a0b0c0d0e0f8100600a08004510002800000000" "3f06000001020304c0a80101"
	  "0050c35000000001000000005012ffff00000000",
	  "len 58: 0a:0b:0c:0d:0e:0f > ff:ff:ff:ff:ff:ff, 802.1Q vlan 10 pcp 3, IPv4 1.2.3.4 > "
	  "192.168.1.1, tos 0x10, ttl 63, length 40, TCP 80 > 50000 [SA] seq 1" },
	{ /* ICMP echo request with IPv4 options (ihl 6) */
	  "0000000000020000000000010800460000200000000040010000" "0a0000010a00000201010000"
	  "0800f7ff00000000",
	  "len 46: 00:00:00:00:00:01 > 00:00:00:00:00:02, IPv4 10.0.0.1 > 10.0.0.2, tos 0x00, "
	  "ttl 64, length 32, ICMP type 8 code 0 (echo request)" },
	{ /* IPv4 later fragment */
	  "000000000002000000000001080045000020000100640011" "00000a0000010a000002" "0000000000000000"
	  "00000000",
	  "len 46: 00:00:00:00:00:01 > 00:00:00:00:00:02, IPv4 10.0.0.1 > 10.0.0.2, tos 0x00, "
	  "ttl 0, length 32, later fragment (offset 800), proto 17" },
	{ /* IPv6, hop-by-hop, ICMPv6 echo reply */
	  "33330000000100000000000186dd6000000000100001" "fe800000000000000000000000000001"
	  "ff020000000000000000000000000001" "3a00010400000000" "8100000000000000",
	  "len 70: 00:00:00:00:00:01 > 33:33:00:00:00:01, IPv6 fe80::1 > ff02::1, hlim 1, "
	  "payload length 16, ICMPv6 type 129 code 0 (echo reply)" },
	{ /* ARP request, 802.1ad outer and 802.1Q inner tags */
	  "ffffffffffff00000000000188a80064810000c808060001080006040001" "000000000001" "0a000001"
	  "000000000000" "0a000002",
	  "len 50: 00:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, 802.1ad vlan 100 pcp 0, 802.1Q vlan 200 "
	  "pcp 0, ARP request who-has 10.0.0.2 tell 10.0.0.1" },
	{ /* 802.3 length field */
	  "0180c200000000000000000100264242030000",
	  "len 19: 00:00:00:00:00:01 > 01:80:c2:00:00:00, 802.3 length 38" },
	{ /* unknown ethertype */
	  "0000000000020000000000018809",
	  "len 14: 00:00:00:00:00:01 > 00:00:00:00:00:02, ethertype 0x8809" },
};

static uint8_t *from_hex(const char *hex, size_t *len)
{
	size_t n = strlen(hex) / 2;
	uint8_t *p = malloc(n ? n : 1);

	assert_non_null(p);
	for (size_t i = 0; i < n; i++) {
		unsigned int b;
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &b), 1);
		p[i] = (uint8_t)b;
	}
	*len = n;
	return p;
}

static void test_packet_summaries(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		struct strbuf sb;
		size_t len;
		uint8_t *p = from_hex(samples[i].hex, &len);

		strbuf_init(&sb);
		pkt_summary(&sb, p, len);
		assert_string_equal(sb.s, samples[i].summary);
		strbuf_free(&sb);
		free(p);
	}
}

/* Every prefix of every sample, in a buffer of exactly that size. */
static void test_truncated_packets(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		size_t len;
		uint8_t *full = from_hex(samples[i].hex, &len);

		for (size_t n = 0; n <= len; n++) {
			uint8_t *p = malloc(n ? n : 1);
			struct strbuf sb;

			memcpy(p, full, n);
			strbuf_init(&sb);
			pkt_summary(&sb, p, n);
			assert_true(strncmp(sb.s, "len ", 4) == 0);
			if (n < 14)
				assert_non_null(strstr(sb.s, "truncated Ethernet header"));
			pkt_hexdump(&sb, p, n, "");
			strbuf_free(&sb);
			free(p);
		}
		free(full);
	}
}

static void test_truncation_said(void **state)
{
	struct strbuf sb;
	size_t len;
	uint8_t *p = from_hex(samples[0].hex, &len);

	(void)state;
	strbuf_init(&sb);
	pkt_summary(&sb, p, 38); /* IPv4 header whole, UDP cut */
	assert_non_null(strstr(sb.s, ", UDP (truncated)"));
	strbuf_reset(&sb);
	pkt_summary(&sb, p, 20);
	assert_non_null(strstr(sb.s, ", IPv4 (truncated)"));
	strbuf_free(&sb);
	free(p);
}

static void test_hexdump_layout(void **state)
{
	uint8_t p[17];
	struct strbuf sb;

	(void)state;
	for (int i = 0; i < 17; i++)
		p[i] = (uint8_t)(0x41 + i);
	p[16] = 0x00;
	strbuf_init(&sb);
	pkt_hexdump(&sb, p, sizeof(p), "  ");
	assert_string_equal(sb.s,
			    "  00000000  41 42 43 44 45 46 47 48-49 4a 4b 4c 4d 4e 4f 50  "
			    "|ABCDEFGHIJKLMNOP|\n"
			    "  00000010  00                                               |.|\n");
	strbuf_free(&sb);
}

/* cl_match_check: flows of several kinds in turn are each checked right,
 * whatever the cache holds (more kinds than it has entries, too), and a
 * flow whose fields lack their prerequisites fails every time. */
static void test_match_cache(void **state)
{
	static const char *const good[] = {
		"in_port(1),eth(),eth_type(0x0800),ipv4(src=10.0.0.1,proto=17,frag=no),udp(dst=53)",
		"in_port(1),eth_type(0x0800),ipv4(dst=11.0.0.0/255.255.255.0,proto=17,frag=no)",
		"in_port(2),eth(),eth_type(0x86dd),ipv6(src=::1,proto=6,frag=no),tcp(dst=80)",
		"in_port(3),eth(src=00:00:00:00:00:01)",
		"in_port(4),eth(),eth_type(0x0806),arp(sip=1.2.3.4)",
		"in_port(5),eth(),eth_type(0x8100),vlan(vid=5),encap(eth_type(0x0800))",
		"recirc_id(1),in_port(6),eth()",
		"skb_mark(7),in_port(7),eth()",
		"in_port(8),eth(),eth_type(0x0800),ipv4(tos=4/0xfc,frag=no)",
		"in_port(9),eth(),eth_type(0x0800),ipv4(proto=1,frag=no),icmp(type=8)",
	};
	static const char *const bad = "in_port(1),eth(),ipv4(src=10.0.0.1)";
	struct cl_match_cache *mc = calloc(1, sizeof(*mc));
	struct odp_match m;
	struct errmsg e;

	(void)state;
	assert_non_null(mc);
	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
			assert_int_equal(odp_flow_parse(good[i], &m, &e), 0);
			if (cl_match_check(&m, mc, &e) != 0)
				fail_msg("'%s': %s", good[i], e.msg);
			assert_int_equal(odp_flow_parse(bad, &m, &e), 0);
			errmsg_clear(&e);
			assert_int_equal(cl_match_check(&m, mc, &e), -EINVAL);
			assert_non_null(strstr(e.msg, "prerequisites"));
		}
	}
	/* The same bad flow, alone, with the cache full of good ones. */
	assert_int_equal(odp_flow_parse(bad, &m, &e), 0);
	assert_int_equal(cl_match_check(&m, NULL, &e), -EINVAL);
	free(mc);
}

/* cl_match_encode: the mask bytes it takes from the cache are what
 * odp_match_encode() writes, for kinds that share a mask but not a shape
 * (UDP and TCP under one exact proto mask) and more kinds than entries. */
static void test_match_encode_cached(void **state)
{
	static const char *const lines[] = {
		"in_port(1),eth(),eth_type(0x0800),ipv4(src=10.0.0.1,proto=17,frag=no),udp(dst=53)",
		"in_port(1),eth(),eth_type(0x0800),ipv4(src=10.0.0.2,proto=6,frag=no),tcp(dst=53)",
		"in_port(1),eth(),eth_type(0x0800),ipv4(src=10.0.0.3,proto=17,frag=no),udp(dst=54)",
		"in_port(1),eth(),eth_type(0x0800),ipv4(proto=17,frag=later)",
		"in_port(1),eth(),eth_type(0x0800),ipv4(proto=17,frag=first),udp(dst=53)",
		"in_port(2),eth(),eth_type(0x86dd),ipv6(src=::1,proto=6,frag=no),tcp(dst=80)",
		"in_port(2),eth(),eth_type(0x86dd),ipv6(proto=58,frag=no),icmpv6(type=135,code=0),"
		"nd(target=::2)",
		"in_port(2),eth(),eth_type(0x86dd),ipv6(proto=58,frag=no),icmpv6(type=128,code=0)",
		"in_port(5),eth(),eth_type(0x8100),vlan(vid=5),encap(eth_type(0x0800))",
		"in_port(4),eth(),eth_type(0x0806),arp(sip=1.2.3.4)",
		"recirc_id(1),in_port(6),eth()",
		"in_port(9),eth(),eth_type(0x0800),ipv4(proto=1,frag=no),icmp(type=8)",
	};
	struct cl_match_cache *mc = calloc(1, sizeof(*mc));
	struct nlbuf cached, plain;
	struct odp_match m;
	struct errmsg e;

	(void)state;
	assert_non_null(mc);
	nlbuf_init(&cached, 1024);
	nlbuf_init(&plain, 1024);
	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
			assert_int_equal(odp_flow_parse(lines[i], &m, &e), 0);
			if (cl_match_check(&m, mc, &e) != 0)
				fail_msg("'%s': %s", lines[i], e.msg);
			nlbuf_reset(&cached);
			nlbuf_reset(&plain);
			cl_match_encode(&cached, &m, mc);
			odp_match_encode(&plain, &m.key, &m.mask);
			assert_int_equal(cached.len, plain.len);
			if (memcmp(cached.data, plain.data, plain.len) != 0)
				fail_msg("round %d, '%s': cached mask bytes differ", round, lines[i]);
		}
	}
	nlbuf_free(&cached);
	nlbuf_free(&plain);
	free(mc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_document),
		cmocka_unit_test(test_json_top_level_array),
		cmocka_unit_test(test_packet_summaries),
		cmocka_unit_test(test_truncated_packets),
		cmocka_unit_test(test_truncation_said),
		cmocka_unit_test(test_hexdump_layout),
		cmocka_unit_test(test_match_cache),
		cmocka_unit_test(test_match_encode_cached),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
