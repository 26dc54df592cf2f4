/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the ovs-dpctl text format (include/odp_text.h):
 *  - the OVS 3.1 corpus (tests/data/ovs_text_corpus.tsv, made by
 *    tools/gen-ovs-text-corpus.sh): our printing of what OVS was given
 *    must be what OVS printed, and what OVS printed must parse back to
 *    the same flow or action bytes;
 *  - round trips of every key field and action type, by hand;
 *  - bad strings: -EINVAL with the offset of the offending token.
 * The seeded randomized property tests are in test_odp_text_prop.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <linux/openvswitch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "odp_actions.h"
#include "odp_attr_info.h"
#include "odp_text.h"

/* ---- helpers ---- */

static char *flow_str(const struct odp_match *m, bool verbose)
{
	struct strbuf sb;

	strbuf_init(&sb);
	odp_flow_format(&sb, &m->key, &m->mask, verbose);
	return sb.s[0] ? sb.s : strdup("");
}

static void parse_ok(const char *s, struct odp_match *m)
{
	struct errmsg e;
	int rc = odp_flow_parse(s, m, &e);

	if (rc)
		fail_msg("parse '%s' failed at %d: %s", s, e.offset, e.msg);
}

static void actions_ok(const char *s, struct nlbuf *b)
{
	struct errmsg e;
	int rc;

	nlbuf_reset(b);
	rc = odp_actions_parse(s, b, &e);
	if (rc)
		fail_msg("actions '%s' failed at %d: %s", s, e.offset, e.msg);
}

static char *actions_str(const struct nlbuf *b)
{
	struct strbuf sb;

	strbuf_init(&sb);
	odp_actions_format(&sb, b->data, b->len);
	return sb.s;
}

/* print(parse(in)) == want, then parse(want) == parse(in). */
static void flow_rt(const char *in, const char *want)
{
	struct odp_match a, b;
	char *got;

	parse_ok(in, &a);
	got = flow_str(&a, false);
	if (strcmp(got, want))
		fail_msg("flow '%s'\n  printed '%s'\n  wanted  '%s'", in, got, want);
	free(got);
	parse_ok(want, &b);
	assert_memory_equal(&a.key, &b.key, sizeof(a.key));
	assert_memory_equal(&a.mask, &b.mask, sizeof(a.mask));
}

static void actions_rt(const char *in, const char *want)
{
	struct nlbuf a, b;
	char *got;

	nlbuf_init(&a, 0);
	nlbuf_init(&b, 0);
	actions_ok(in, &a);
	got = actions_str(&a);
	if (strcmp(got, want))
		fail_msg("actions '%s'\n  printed '%s'\n  wanted  '%s'", in, got, want);
	free(got);
	actions_ok(want, &b);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	nlbuf_free(&a);
	nlbuf_free(&b);
}

/* ---- the OVS corpus ---- */

static FILE *open_corpus(void)
{
	const char *env = getenv("TOP_SRCDIR");
	char path[4096];
	const char *tail = "tests/unit/test_odp_text.c";
	size_t n = strlen(__FILE__) - strlen(tail);

	FILE *fp;

	/* $TOP_SRCDIR, else where this file was compiled from (relative to
	 * the build directory meson runs tests in), else the current one. */
	if (env)
		snprintf(path, sizeof(path), "%s/tests/data/ovs_text_corpus.tsv", env);
	else
		snprintf(path, sizeof(path), "%.*stests/data/ovs_text_corpus.tsv", (int)n, __FILE__);
	fp = fopen(path, "r");
	return fp ? fp : fopen("tests/data/ovs_text_corpus.tsv", "r");
}

/* Split a tab-separated line in place; returns the number of fields. */
static int split_tabs(char *line, char **f, int max)
{
	int n = 0;

	line[strcspn(line, "\n")] = '\0';
	while (n < max) {
		f[n++] = line;
		line = strchr(line, '\t');
		if (line == NULL)
			break;
		*line++ = '\0';
	}
	return n;
}

/* OVS's userspace datapath adds what ours does not have: drop its
 * packet_type(...) attribute and its dp-extra-info field. */
static void normalize_verbose(char *s)
{
	char *p = strstr(s, "packet_type(");

	if (p) {
		char *end = strchr(p, ')');

		memmove(p, end + 2, strlen(end + 2) + 1); /* ")," too */
	}
	p = strstr(s, ", dp-extra-info:");
	if (p)
		*p = '\0';
}

static int corpus_errors;

/* A flow with statistics: our line, with OVS's counters and "used" age. */
static void check_stats_record(char **f)
{
	unsigned long long packets, bytes;
	double used_s = -1;
	struct odp_match m;
	struct nlbuf acts;
	struct odp_dump_flow d;
	struct strbuf sb;
	const char *p = strstr(f[4], ", packets:");

	assert_non_null(p);
	assert_true(sscanf(p, ", packets:%llu, bytes:%llu, used:%lfs", &packets, &bytes, &used_s) >= 2);
	parse_ok(f[1], &m);
	nlbuf_init(&acts, 0);
	actions_ok(f[2], &acts);
	memset(&d, 0, sizeof(d));
	d.key = &m.key;
	d.mask = &m.mask;
	d.actions = acts.data;
	d.actions_len = acts.len;
	d.packets = packets;
	d.bytes = bytes;
	d.used_ms = used_s >= 0 ? 1000000 : 0;
	d.tcp_flags = (uint16_t)strtoul(f[3], NULL, 16);
	strbuf_init(&sb);
	odp_dump_flow_format(&sb, &d, 1000000 + (uint64_t)(used_s * 1000 + 0.5), false);
	if (strcmp(sb.s, f[4])) {
		print_error("stats %s\n  printed %s\n  OVS     %s\n", f[1], sb.s, f[4]);
		corpus_errors++;
	}
	strbuf_free(&sb);
	nlbuf_free(&acts);
}

/*
 * The corpus comes from OVS's own datapath, which widens an exact 8-bit
 * ARP opcode mask to 0xffff; a kernel datapath (net/openvswitch's
 * ovs_nla_put_key()) and ours put 0x00ff, which ovs-dpctl prints as
 * "op=N/0xff". OVS's line as ovs-dpctl prints it for a kernel flow: each
 * unmasked op= inside arp() gets "/0xff". The caller frees it.
 */
static char *kernel_arp_op(const char *ovs)
{
	struct strbuf sb;
	const char *p = ovs, *arp;

	strbuf_init(&sb);
	while ((arp = strstr(p, "arp(")) != NULL) {
		const char *end = strchr(arp, ')'), *op = strstr(arp, "op=");
		size_t digits;

		if (end == NULL || op == NULL || op > end)
			break;
		digits = strspn(op + 3, "0123456789");
		strbuf_add(&sb, p, (size_t)(op + 3 + digits - p));
		if (op[3 + digits] != '/')
			strbuf_add(&sb, "/0xff", 5);
		p = op + 3 + digits;
	}
	strbuf_add(&sb, p, strlen(p));
	return sb.s;
}

static void check_flow_record(char **f)
{
	struct odp_match m, back;
	struct nlbuf acts, acts2;
	struct odp_dump_flow d;
	struct strbuf sb;
	char *vflow, *end, *want;

	parse_ok(f[1], &m);
	nlbuf_init(&acts, 0);
	actions_ok(f[2], &acts);
	memset(&d, 0, sizeof(d));
	d.ufid = m.has_ufid ? &m.ufid : NULL;
	d.key = &m.key;
	d.mask = &m.mask;
	d.actions = acts.data;
	d.actions_len = acts.len;
	d.dp_layer = "ovs";

	strbuf_init(&sb);
	odp_dump_flow_format(&sb, &d, 0, false);
	want = kernel_arp_op(f[3]);
	if (strcmp(sb.s, want)) {
		print_error("flow %s %s\n  printed %s\n  OVS     %s\n", f[1], f[2], sb.s, want);
		corpus_errors++;
	}
	free(want);
	strbuf_reset(&sb);
	odp_dump_flow_format(&sb, &d, 0, true);
	normalize_verbose(f[4]);
	want = kernel_arp_op(f[4]);
	if (strcmp(sb.s, want)) {
		print_error("flow -m %s %s\n  printed %s\n  OVS     %s\n", f[1], f[2], sb.s, want);
		corpus_errors++;
	}
	free(want);
	strbuf_free(&sb);

	/* What OVS printed parses back to the same match and actions. */
	end = strstr(f[3], ", packets:");
	assert_non_null(end);
	*end = '\0';
	parse_ok(f[3], &back);
	if (!flow_key_equal(&back.key, &m.key) || !flow_key_equal(&back.mask, &m.mask)) {
		print_error("flow %s: OVS's output parses to another match\n", f[1]);
		corpus_errors++;
	}
	vflow = f[4];
	end = strstr(vflow, ", packets:");
	assert_non_null(end);
	*end = '\0';
	if (strncmp(vflow, "ufid:", 5) == 0)
		vflow[41] = ','; /* "ufid:U, flow" */
	parse_ok(vflow, &back);
	if (!flow_key_equal(&back.key, &m.key) || !flow_key_equal(&back.mask, &m.mask)) {
		print_error("flow %s: OVS's -m output parses to another match\n", f[1]);
		corpus_errors++;
	}
	nlbuf_init(&acts2, 0);
	actions_ok(strstr(end + 1, "actions:") + 8, &acts2);
	assert_int_equal(acts2.len, acts.len);
	assert_memory_equal(acts2.data, acts.data, acts.len);
	nlbuf_free(&acts);
	nlbuf_free(&acts2);
}

/*
 * Where we print differently from OVS on purpose, and why. The corpus
 * keeps OVS's output; these say what we print instead.
 */
static const struct {
	const char *input, *ours, *why;
} deviations[] = {
	{ "set(tunnel(tos=0,ttl=1))", "set(tunnel(tos=0,ttl=1,flags(0)))",
	  "OVS makes a masked set() of a tunnel without flags(); the datapath "
	  "only takes whole tunnel sets, which OVS prints with flags(0)" },
};

static const char *deviation(const char *input)
{
	for (size_t i = 0; i < sizeof(deviations) / sizeof(deviations[0]); i++)
		if (strcmp(input, deviations[i].input) == 0)
			return deviations[i].ours;
	return NULL;
}

static void test_ovs_corpus(void **state)
{
	FILE *fp = open_corpus();
	char line[8192];
	int flows = 0, actions = 0, stats = 0;

	(void)state;
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp)) {
		char *f[6] = { 0 };
		int n;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		n = split_tabs(line, f, 6);
		if (strcmp(f[0], "flow") == 0) {
			assert_int_equal(n, 5);
			check_flow_record(f);
			flows++;
		} else if (strcmp(f[0], "stats") == 0) {
			assert_int_equal(n, 5);
			check_stats_record(f);
			stats++;
		} else {
			assert_string_equal(f[0], "actions");
			assert_int_equal(n, 3);
			struct nlbuf a;
			char *got;

			const char *want = deviation(f[1]) ? deviation(f[1]) : f[2];

			nlbuf_init(&a, 0);
			actions_ok(f[1], &a);
			got = actions_str(&a);
			if (strcmp(got, want)) {
				print_error("actions %s\n  printed %s\n  OVS     %s\n", f[1], got, f[2]);
				corpus_errors++;
			} else {
				actions_rt(f[1], want);
			}
			free(got);
			nlbuf_free(&a);
			actions++;
		}
	}
	fclose(fp);
	assert_int_equal(corpus_errors, 0);
	/* The corpus is the spec: it must not quietly shrink. */
	assert_true(flows >= 100);
	assert_true(actions >= 100);
	assert_true(stats >= 5);
	print_message("corpus: %d flows, %d action lists, %d flows with statistics\n", flows,
		      actions, stats);
}

/* ---- round trips by hand: every key attribute and field ---- */

#define M "recirc_id(0),in_port(1),"

static void test_flow_metadata(void **state)
{
	(void)state;
	flow_rt(M "eth(),eth_type(0x0800)", M "eth(),eth_type(0x0800)");
	flow_rt("skb_priority(7),skb_mark(0x10/0xf0),recirc_id(0x20),dp_hash(0x3/0xf),in_port(5)",
		"skb_priority(0x7),skb_mark(0x10/0xf0),recirc_id(0x20),dp_hash(0x3/0xf),in_port(5),eth()");
	flow_rt("in_port(1/0xff),eth()", "in_port(1/0xff),eth()");
	flow_rt("in_port(4294967295)", "in_port(4294967295),eth()");
	flow_rt("ct_state(+trk),ct_zone(5),ct_mark(0x3/0xf)",
		"ct_state(+trk),ct_zone(0x5),ct_mark(0x3/0xf),eth()");
	flow_rt("ct_state(trk|est)", "ct_state(-new+est-rel-rpl-inv+trk-snat-dnat),eth()");
	flow_rt("ct_state(0x21/0x3f)", "ct_state(+new-est-rel-rpl-inv+trk),eth()");
	flow_rt("ct_state(+snat+dnat-rpl)", "ct_state(-rpl+snat+dnat),eth()");
	flow_rt("ct_label(0x1234567890abcdef1234567890abcdef)",
		"ct_label(0x1234567890abcdef1234567890abcdef),eth()");
	flow_rt("ct_label(0x100/0xff00)", "ct_label(0x100/0xff00),eth()");
	flow_rt("ct_label(18446744073709551615)", "ct_label(0xffffffffffffffff),eth()");

	/* A ct_label's value is a little-endian 128-bit number in the key. */
	struct odp_match m;

	parse_ok("ct_label(0x0102)", &m);
	assert_int_equal(m.key.ct_labels[0], 0x02);
	assert_int_equal(m.key.ct_labels[1], 0x01);
	assert_int_equal(m.mask.ct_labels[15], 0xff);
	parse_ok("skb_priority(5),in_port(3)", &m);
	assert_int_equal(m.key.priority, 5);
	assert_int_equal(m.mask.priority, UINT32_MAX);
	assert_int_equal(m.key.in_port, 3);
	parse_ok("ct_state(+est-new)", &m);
	assert_int_equal(m.key.ct_state, OVS_CS_F_ESTABLISHED);
	assert_int_equal(m.mask.ct_state, OVS_CS_F_ESTABLISHED | OVS_CS_F_NEW);
}

static void test_flow_verbose(void **state)
{
	struct odp_match m;
	char *s;

	(void)state;
	parse_ok(M "eth(),eth_type(0x0800),ipv4(src=10.0.0.1,proto=6,frag=no),tcp(dst=80)", &m);
	s = flow_str(&m, true);
	assert_string_equal(s, "skb_priority(0/0),skb_mark(0/0),ct_state(0/0),ct_zone(0/0),"
			       "ct_mark(0/0),ct_label(0/0),recirc_id(0),dp_hash(0/0),in_port(1),"
			       "eth(src=00:00:00:00:00:00/00:00:00:00:00:00,"
			       "dst=00:00:00:00:00:00/00:00:00:00:00:00),eth_type(0x0800),"
			       "ipv4(src=10.0.0.1,dst=0.0.0.0/0.0.0.0,proto=6,tos=0/0,ttl=0/0,frag=no),"
			       "tcp(src=0/0,dst=80)");
	free(s);
	/* Verbose output reads back to the same match. */
	struct odp_match back;

	parse_ok(M "eth(),eth_type(0x86dd),ipv6(proto=58,frag=no),icmpv6(type=135,code=0),"
		 "nd(target=fe80::1)", &m);
	s = flow_str(&m, true);
	parse_ok(s, &back);
	assert_true(flow_key_equal(&m.key, &back.key));
	assert_true(flow_key_equal(&m.mask, &back.mask));
	free(s);
}

static void test_flow_l2(void **state)
{
	(void)state;
	flow_rt(M "eth(src=00:01:02:03:04:05,dst=ff:ff:ff:ff:ff:ff)",
		M "eth(src=00:01:02:03:04:05,dst=ff:ff:ff:ff:ff:ff)");
	flow_rt(M "eth(dst=01:00:00:00:00:00/01:00:00:00:00:00)",
		M "eth(dst=01:00:00:00:00:00/01:00:00:00:00:00)");
	/* Keys are stored masked. */
	flow_rt(M "eth(src=00:01:02:03:04:05/ff:ff:ff:00:00:00)",
		M "eth(src=00:01:02:00:00:00/ff:ff:ff:00:00:00)");
	flow_rt(M "eth(src=0:1:2:a:b:c)", M "eth(src=00:01:02:0a:0b:0c)");
	/* 802.2 frames: no eth_type key, the mask alone (as OVS prints them). */
	flow_rt(M "eth(),eth_type(0/0xffff)", M "eth(),eth_type(0/0xffff)");
	/* OVS forgets that "eth()" was printed when it comes first. */
	flow_rt("eth(),eth_type(0x0800)", "eth()eth_type(0x0800)");
	flow_rt("eth()", "eth()");
	flow_rt(M "eth(),eth_type(0x88cc)", M "eth(),eth_type(0x88cc)");
	flow_rt(M "eth(),eth_type(0x0800/0xff00)", M "eth(),eth_type(0x0800/0xff00)");
	/* A masked value may fall below 0x600: still a value, not 802.2. */
	flow_rt(M "eth(),eth_type(0x8003/0x8f0)", M "eth(),eth_type(0x0000/0x08f0)");

	struct odp_match m;

	parse_ok("eth(src=00:01:02:03:04:05,dst=00:0a:0b:0c:0d:0e),eth_type(0/0xffff)", &m);
	assert_memory_equal(m.key.eth_src, "\x00\x01\x02\x03\x04\x05", 6);
	assert_memory_equal(m.key.eth_dst, "\x00\x0a\x0b\x0c\x0d\x0e", 6);
	assert_int_equal(ntohs(m.key.eth_type), 0x0004); /* ETH_P_802_2, the kernel's way */
	assert_int_equal(m.mask.eth_type, 0xffff);
}

static void test_flow_vlan(void **state)
{
	struct odp_match m;

	(void)state;
	flow_rt(M "eth(),eth_type(0x8100),vlan(vid=10,pcp=3),encap(eth_type(0x0800))",
		M "eth(),eth_type(0x8100),vlan(vid=10,pcp=3),encap(eth_type(0x0800))");
	parse_ok(M "eth(),eth_type(0x8100),vlan(vid=10,pcp=3),encap(eth_type(0x0800))", &m);
	assert_int_equal(ntohs(m.key.vlan.tpid), 0x8100);
	assert_int_equal(ntohs(m.key.vlan.tci), 0x1000 | 3 << 13 | 10);
	assert_int_equal(ntohs(m.mask.vlan.tci), 0xffff);
	assert_int_equal(ntohs(m.key.eth_type), 0x0800);
	assert_int_equal(m.key.cvlan.tci, 0);

	flow_rt(M "eth(),eth_type(0x8100),vlan(),encap(eth_type(0x0800))",
		M "eth(),eth_type(0x8100),vlan(),encap(eth_type(0x0800))");
	flow_rt(M "eth(),eth_type(0x8100),vlan(pcp=7),encap()",
		M "eth(),eth_type(0x8100),vlan(pcp=7),encap()");
	flow_rt(M "eth(),eth_type(0x8100),vlan(vid=4095/0xf00,pcp=5/0x4),encap()",
		M "eth(),eth_type(0x8100),vlan(vid=3840/0xf00,pcp=4/0x4),encap()");
	flow_rt(M "eth(),eth_type(0x8100),vlan(vid=1)", M "eth(),eth_type(0x8100),vlan(vid=1),encap()");
	flow_rt(M "eth(),vlan(vid=1),eth_type(0x88a8),encap(eth_type(0x8100),vlan(vid=2,pcp=1),"
		  "encap(eth_type(0x86dd),ipv6(proto=17,frag=no),udp(dst=53)))",
		M "eth(),eth_type(0x88a8),vlan(vid=1),encap(eth_type(0x8100),vlan(vid=2,pcp=1),"
		  "encap(eth_type(0x86dd),ipv6(proto=17,frag=no),udp(dst=53)))");
	parse_ok(M "eth(),eth_type(0x88a8),vlan(vid=1),encap(eth_type(0x8100),vlan(vid=2),"
		 "encap(eth_type(0x0800)))", &m);
	assert_int_equal(ntohs(m.key.vlan.tpid), 0x88a8);
	assert_int_equal(ntohs(m.key.cvlan.tpid), 0x8100);
	assert_int_equal(ntohs(m.key.cvlan.tci), 0x1002);
	assert_int_equal(ntohs(m.key.eth_type), 0x0800);
	/* A truncated VLAN header (TCI 0, nothing inside), as the kernel has it. */
	flow_rt(M "eth(),eth_type(0x8100),vlan(vid=0,pcp=0,cfi=0),encap()",
		M "eth(),eth_type(0x8100),vlan(vid=0,pcp=0,cfi=0),encap()");
	parse_ok(M "eth(),eth_type(0x8100),vlan(vid=0,pcp=0,cfi=0),encap()", &m);
	assert_int_equal(ntohs(m.key.eth_type), 0x8100);
	assert_int_equal(m.key.vlan.tci, 0);
	/* ... and with its TCI wildcarded, OVS leaves the vlan() out. */
	flow_rt(M "eth(),eth_type(0x8100),encap()", M "eth(),eth_type(0x8100),encap()");
	flow_rt(M "eth(),eth_type(0x8100)", M "eth(),eth_type(0x8100),encap()");
	flow_rt(M "eth(),eth_type(0x8100),vlan(vid=9),encap(eth_type(0x8100),vlan(cfi=0),encap())",
		M "eth(),eth_type(0x8100),vlan(vid=9),encap(eth_type(0x8100),vlan(cfi=0),encap())");
}

static void test_flow_tunnel(void **state)
{
	struct odp_match m;

	(void)state;
	flow_rt("tunnel(tun_id=0x5,src=1.1.1.1,dst=2.2.2.2,ttl=64,flags(df|key))," M "eth()",
		"tunnel(tun_id=0x5,src=1.1.1.1,dst=2.2.2.2,ttl=64,flags(df|key))," M "eth()");
	flow_rt("tunnel(tun_id=0x5/0xff,src=1.1.1.1,dst=2.2.2.0/255.255.255.0,tos=0x4/0xfc,"
		"ttl=64/0xc0,tp_src=100,tp_dst=4789/0xff00,flags(-df+csum+oam))," M "eth()",
		"tunnel(tun_id=0x5/0xff,src=1.1.1.1,dst=2.2.2.0/255.255.255.0,tos=0x4/0xfc,"
		"ttl=64/0xc0,tp_src=100,tp_dst=4608/0xff00,flags(oam|csum|key))," M "eth()");
	flow_rt("tunnel(dst=10.0.0.1,ttl=0)," M "eth()", "tunnel(dst=10.0.0.1,ttl=0)," M "eth()");
	flow_rt("tunnel(tun_id=0xffffffffffffffff,dst=1.2.3.4,ttl=1,flags(oam|df|csum|key))",
		"tunnel(tun_id=0xffffffffffffffff,dst=1.2.3.4,ttl=1,flags(oam|df|csum|key)),eth()");
	parse_ok("tunnel(tun_id=0x1234,src=1.1.1.1,dst=2.2.2.2,tos=3,ttl=64,tp_src=1,tp_dst=2,"
		 "flags(df|csum))", &m);
	assert_true(m.key.tun.tun_id == __builtin_bswap64(0x1234));
	assert_int_equal(m.key.tun.ipv4_src, htonl(0x01010101));
	assert_int_equal(m.key.tun.ipv4_dst, htonl(0x02020202));
	assert_int_equal(m.key.tun.tos, 3);
	assert_int_equal(m.key.tun.ttl, 64);
	assert_int_equal(m.key.tun.tp_src, htons(1));
	assert_int_equal(m.key.tun.tp_dst, htons(2));
	assert_int_equal(m.key.tun.flags, FLOW_TNL_F_DONT_FRAGMENT | FLOW_TNL_F_CSUM | FLOW_TNL_F_KEY);
	assert_int_equal(m.mask.tun.flags, FLOW_TNL_F_DONT_FRAGMENT | FLOW_TNL_F_CSUM |
					   FLOW_TNL_F_OAM | FLOW_TNL_F_KEY);
}

static void test_flow_l3(void **state)
{
	struct odp_match m;

	(void)state;
	flow_rt(M "eth(),eth_type(0x0800),ipv4(src=10.0.0.0/255.0.0.0,dst=10.1.2.3,proto=17,"
		  "tos=0,ttl=64,frag=no),udp(src=1000,dst=53)",
		M "eth(),eth_type(0x0800),ipv4(src=10.0.0.0/255.0.0.0,dst=10.1.2.3,proto=17,"
		  "tos=0,ttl=64,frag=no),udp(src=1000,dst=53)");
	flow_rt(M "eth(),eth_type(0x0800),ipv4(src=10.1.2.3/255.0.0.0)",
		M "eth(),eth_type(0x0800),ipv4(src=10.0.0.0/255.0.0.0)");
	flow_rt(M "eth(),eth_type(0x0800),ipv4(tos=0xfc/0xfc,ttl=1/0x1,frag=first)",
		M "eth(),eth_type(0x0800),ipv4(tos=0xfc/0xfc,ttl=1/0x1,frag=first)");
	flow_rt(M "eth(),eth_type(0x0800),ipv4(proto=6,frag=later)",
		M "eth(),eth_type(0x0800),ipv4(proto=6,frag=later)");
	parse_ok(M "eth(),eth_type(0x0800),ipv4(src=1.2.3.4,dst=5.6.7.8,proto=6,tos=0x10,ttl=9,"
		 "frag=first)", &m);
	assert_int_equal(m.key.ipv4.src, htonl(0x01020304));
	assert_int_equal(m.key.ipv4.dst, htonl(0x05060708));
	assert_int_equal(m.key.ip_proto, 6);
	assert_int_equal(m.key.ip_tos, 0x10);
	assert_int_equal(m.key.ip_ttl, 9);
	assert_int_equal(m.key.ip_frag, OVS_FRAG_TYPE_FIRST);
	assert_int_equal(m.mask.ip_frag, 0xff);

	flow_rt(M "eth(),eth_type(0x86dd),ipv6(src=2001:db8::1,dst=2001:db8::/ffff:ffff::,"
		  "label=0x12345,proto=58,tclass=0x10,hlimit=255,frag=no)",
		M "eth(),eth_type(0x86dd),ipv6(src=2001:db8::1,dst=2001:db8::/ffff:ffff::,"
		  "label=0x12345,proto=58,tclass=0x10,hlimit=255,frag=no)");
	flow_rt(M "eth(),eth_type(0x86dd),ipv6(src=::ffff:1.2.3.4,label=0x5/0xf,tclass=0/0xfc)",
		M "eth(),eth_type(0x86dd),ipv6(src=::ffff:1.2.3.4,label=0x5/0xf,tclass=0/0xfc)");
	parse_ok(M "eth(),eth_type(0x86dd),ipv6(dst=ff02::1,label=0xfffff,tclass=3,hlimit=2)", &m);
	assert_int_equal(m.key.ipv6.dst[0], 0xff);
	assert_int_equal(m.key.ipv6.dst[15], 0x01);
	assert_int_equal(m.key.ipv6.label, htonl(0xfffff));
	assert_int_equal(m.mask.ipv6.label, htonl(0xfffff));
	assert_int_equal(m.key.ip_tos, 3);
	assert_int_equal(m.key.ip_ttl, 2);

	flow_rt(M "eth(),eth_type(0x0806),arp(sip=1.2.3.4,tip=5.6.0.0/255.255.0.0,op=2,"
		  "sha=00:01:02:03:04:05,tha=ff:ff:ff:00:00:00/ff:ff:ff:00:00:00)",
		M "eth(),eth_type(0x0806),arp(sip=1.2.3.4,tip=5.6.0.0/255.255.0.0,op=2/0xff,"
		  "sha=00:01:02:03:04:05,tha=ff:ff:ff:00:00:00/ff:ff:ff:00:00:00)");
	/* The kernel's exact op mask (8 bits) prints as ovs-dpctl prints it. */
	flow_rt(M "eth(),eth_type(0x0806),arp(op=1/0xff)", M "eth(),eth_type(0x0806),arp(op=1/0xff)");
	flow_rt(M "eth(),eth_type(0x8035),arp(op=4/0xf)", M "eth(),eth_type(0x8035),arp(op=4/0xf)");
	parse_ok(M "eth(),eth_type(0x0806),arp(sip=9.9.9.9,op=255)", &m);
	assert_int_equal(m.key.ipv4.src, htonl(0x09090909));
	assert_int_equal(m.key.ip_proto, 255);
	assert_int_equal(m.mask.ip_proto, 0xff);

	flow_rt(M "eth(),eth_type(0x8847),mpls(label=100,tc=3,ttl=64,bos=1)",
		M "eth(),eth_type(0x8847),mpls(label=100,tc=3,ttl=64,bos=1)");
	flow_rt(M "eth(),eth_type(0x8848),mpls(ttl=7)",
		M "eth(),eth_type(0x8848),mpls(label=0/0x0,tc=0/0,ttl=7/0xff,bos=0/0)");
	parse_ok(M "eth(),eth_type(0x8847),mpls(label=1048575,tc=7,ttl=255,bos=1)", &m);
	assert_int_equal(m.key.mpls_lse, htonl(0xffffffff));
}

static void test_flow_l4(void **state)
{
	struct odp_match m;

	(void)state;
	flow_rt(M "eth(),eth_type(0x0800),ipv4(proto=6,frag=no),tcp(src=1024/0xfc00,dst=80),"
		  "tcp_flags(syn|ack)",
		M "eth(),eth_type(0x0800),ipv4(proto=6,frag=no),tcp(src=1024/0xfc00,dst=80),"
		  "tcp_flags(syn|ack)");
	flow_rt(M "eth(),eth_type(0x0800),ipv4(proto=6),tcp_flags(+syn-ack-[800])",
		M "eth(),eth_type(0x0800),ipv4(proto=6),tcp_flags(+syn-ack-[800])");
	flow_rt(M "eth(),eth_type(0x0800),ipv4(proto=6),tcp_flags(0x12/0xfff)",
		M "eth(),eth_type(0x0800),ipv4(proto=6),tcp_flags(syn|ack)");
	flow_rt(M "eth(),eth_type(0x0800),ipv4(proto=6),tcp_flags(0)",
		M "eth(),eth_type(0x0800),ipv4(proto=6),tcp_flags(0)");
	parse_ok(M "eth(),eth_type(0x0800),ipv4(proto=6),tcp(src=1,dst=2),tcp_flags(fin|ns)", &m);
	assert_int_equal(m.key.tp_src, htons(1));
	assert_int_equal(m.key.tp_dst, htons(2));
	assert_int_equal(m.key.tp_flags, htons(0x101));
	assert_int_equal(m.mask.tp_flags, htons(0x0fff));

	flow_rt(M "eth(),eth_type(0x86dd),ipv6(proto=17,frag=no),udp(src=67,dst=68/0xfff0)",
		M "eth(),eth_type(0x86dd),ipv6(proto=17,frag=no),udp(src=67,dst=64/0xfff0)");
	flow_rt(M "eth(),eth_type(0x0800),ipv4(proto=132,frag=no),sctp(src=9)",
		M "eth(),eth_type(0x0800),ipv4(proto=132,frag=no),sctp(src=9)");
	flow_rt(M "eth(),eth_type(0x0800),ipv4(proto=1,frag=no),icmp(type=8/0xf0,code=0)",
		M "eth(),eth_type(0x0800),ipv4(proto=1,frag=no),icmp(type=0/0xf0,code=0)");
	parse_ok(M "eth(),eth_type(0x0800),ipv4(proto=1),icmp(type=3,code=13)", &m);
	assert_int_equal(m.key.tp_src, htons(3));
	assert_int_equal(m.key.tp_dst, htons(13));
	assert_int_equal(m.mask.tp_src, htons(0xff));

	flow_rt(M "eth(),eth_type(0x86dd),ipv6(proto=58,frag=no),icmpv6(type=136,code=0),"
		  "nd(target=fe80::1,sll=00:01:02:03:04:05,tll=00:00:00:00:00:01/ff:ff:ff:ff:ff:01)",
		M "eth(),eth_type(0x86dd),ipv6(proto=58,frag=no),icmpv6(type=136,code=0),"
		  "nd(target=fe80::1,sll=00:01:02:03:04:05,tll=00:00:00:00:00:01/ff:ff:ff:ff:ff:01)");
	parse_ok(M "eth(),eth_type(0x86dd),ipv6(proto=58),icmpv6(type=135,code=0),"
		 "nd(target=::2,tll=00:00:00:00:00:09)", &m);
	assert_int_equal(m.key.ipv6.nd_target[15], 2);
	assert_int_equal(m.key.ipv6.nd_tll[5], 9);
	/* L4 is not shown for later fragments, nor for other protocols. */
	parse_ok(M "eth(),eth_type(0x0800),ipv4(proto=6,frag=later)", &m);
	char *s = flow_str(&m, true);

	assert_null(strstr(s, "tcp("));
	free(s);
}

static void test_ufid(void **state)
{
	struct flow_ufid u = { { 0x01020304, 0x05060708, 0x090a0b0c, 0x0d0e0f10 } }, v;
	struct odp_match m;
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb);
	odp_ufid_format(&sb, &u);
	assert_string_equal(sb.s, "ufid:01020304-0506-0708-090a-0b0c0d0e0f10");
	assert_int_equal(odp_ufid_parse(sb.s, &v, NULL), 0);
	assert_memory_equal(&u, &v, sizeof(u));
	strbuf_reset(&sb);
	strbuf_addf(&sb, "ufid:01020304-0506-0708-090a-0b0c0d0e0f10,in_port(1)");
	parse_ok(sb.s, &m);
	assert_true(m.has_ufid);
	assert_memory_equal(&m.ufid, &u, sizeof(u));
	parse_ok("ufid:01020304-0506-0708-090A-0B0C0D0E0F10", &m);
	assert_true(m.has_ufid);
	parse_ok("in_port(1)", &m);
	assert_false(m.has_ufid);
	strbuf_free(&sb);
}

/* ---- actions by hand: every action type ---- */

static void test_actions_basic(void **state)
{
	(void)state;
	actions_rt("1", "1");
	actions_rt(" 1, 2\t3 ", "1,2,3");
	actions_rt("drop", "drop");
	actions_rt("4294967295", "4294967295");
	actions_rt("push_vlan(vid=10,pcp=0)", "push_vlan(vid=10,pcp=0)");
	actions_rt("push_vlan(tpid=0x88a8,vid=4095,pcp=7)", "push_vlan(tpid=0x88a8,vid=4095,pcp=7)");
	actions_rt("push_vlan(pcp=1,vid=2,cfi=0)", "push_vlan(vid=2,pcp=1,cfi=0)");
	actions_rt("push_vlan(tpid=0x8100,vid=1,pcp=0)", "push_vlan(vid=1,pcp=0)");
	actions_rt("pop_vlan,pop_eth,ct_clear", "pop_vlan,pop_eth,ct_clear");
	actions_rt("push_eth(src=00:01:02:03:04:05,dst=0a:0b:0c:0d:0e:0f)",
		   "push_eth(src=00:01:02:03:04:05,dst=0a:0b:0c:0d:0e:0f)");
	actions_rt("recirc(1)", "recirc(0x1)");
	actions_rt("recirc(0xffffffff)", "recirc(0xffffffff)");
	actions_rt("hash(l4(0))", "hash(l4(0))");
	actions_rt("hash(sym_l4(7))", "hash(sym_l4(7))");
	actions_rt("trunc(100)", "trunc(100)");
	actions_rt("meter(3)", "meter(3)");
	actions_rt("push_mpls(label=10,tc=1,ttl=64,bos=1,eth_type=0x8847)",
		   "push_mpls(label=10,tc=1,ttl=64,bos=1,eth_type=0x8847)");
	actions_rt("pop_mpls(eth_type=0x800)", "pop_mpls(eth_type=0x800)");
	actions_rt("pop_mpls(eth_type=2048)", "pop_mpls(eth_type=0x800)");
	actions_rt("add_mpls(label=5,tc=0,ttl=2,bos=0,eth_type=0x8848)",
		   "add_mpls(label=5,tc=0,ttl=2,bos=0,eth_type=0x8848)");
	actions_rt("add_mpls(label=5,tc=0,ttl=2,bos=1,eth_type=0x8847,l3_tunnel)",
		   "add_mpls(label=5,tc=0,ttl=2,bos=1,eth_type=0x8847,l3_tunnel)");
}

static void test_actions_set(void **state)
{
	struct nlbuf b;
	const struct nlattr *a, *k;

	(void)state;
	actions_rt("set(eth(src=00:01:02:03:04:05,dst=00:01:02:03:04:06))",
		   "set(eth(src=00:01:02:03:04:05,dst=00:01:02:03:04:06))");
	actions_rt("set(eth(dst=00:01:02:03:04:06))", "set(eth(dst=00:01:02:03:04:06))");
	actions_rt("set(ipv4(src=1.2.3.4,dst=5.6.7.8,proto=6,tos=0,ttl=64,frag=no))",
		   "set(ipv4(src=1.2.3.4,dst=5.6.7.8,proto=6,tos=0,ttl=64,frag=no))");
	actions_rt("set(ipv4(ttl=63))", "set(ipv4(ttl=63))");
	actions_rt("set(ipv4(src=1.2.3.4/255.255.255.0))", "set(ipv4(src=1.2.3.0/255.255.255.0))");
	actions_rt("set(ipv6(src=::1,dst=::2,label=0x1,proto=6,tclass=0,hlimit=64,frag=no))",
		   "set(ipv6(src=::1,dst=::2,label=0x1,proto=6,tclass=0,hlimit=64,frag=no))");
	actions_rt("set(tcp(src=1,dst=2))", "set(tcp(src=1,dst=2))");
	actions_rt("set(udp(dst=53/0xff))", "set(udp(dst=53/0xff))");
	actions_rt("set(sctp(src=9))", "set(sctp(src=9))");
	actions_rt("set(icmp(type=1,code=2))", "set(icmp(type=1,code=2))");
	actions_rt("set(icmpv6(type=1))", "set(icmpv6(type=1))");
	actions_rt("set(arp(op=2,tip=1.1.1.1))", "set(arp(tip=1.1.1.1,op=2))");
	actions_rt("set(nd(target=::1,sll=00:01:02:03:04:05,tll=00:00:00:00:00:00))",
		   "set(nd(target=::1,sll=00:01:02:03:04:05,tll=00:00:00:00:00:00))");
	actions_rt("set(mpls(label=1,tc=0,ttl=64,bos=1))", "set(mpls(label=1,tc=0,ttl=64,bos=1))");
	actions_rt("set(mpls(ttl=63))", "set(mpls(label=0/0x0,tc=0/0,ttl=63/0xff,bos=0/0))");
	actions_rt("set(skb_priority(5))", "set(skb_priority(0x5))");
	actions_rt("set(skb_mark(0x5/0xff))", "set(skb_mark(0x5/0xff))");
	actions_rt("set(ct_state(trk))", "set(ct_state(0x20))");
	actions_rt("set(tunnel(tun_id=0x5,src=1.1.1.1,dst=2.2.2.2,ttl=64,flags(df|key)))",
		   "set(tunnel(tun_id=0x5,src=1.1.1.1,dst=2.2.2.2,ttl=64,flags(df|key)))");
	/* OVS would print a masked set's "+key"; the datapath sets tunnels whole. */
	actions_rt("set(tunnel(dst=2.2.2.2,ttl=64))", "set(tunnel(dst=2.2.2.2,ttl=64,flags(0)))");
	/* Tunnel fields go out in one order, whatever the order written. */
	actions_rt("set(tunnel(flags(csum|oam),ttl=3,tos=1,tp_dst=4789,tp_src=1))",
		   "set(tunnel(tos=0x1,ttl=3,tp_src=1,tp_dst=4789,flags(oam|csum)))");

	/* SET when every bit is given, SET_MASKED with the value pre-masked. */
	nlbuf_init(&b, 0);
	actions_ok("set(tcp(src=1,dst=2))", &b);
	a = (const void *)b.data;
	assert_int_equal(a->nla_type & NLA_TYPE_MASK, OVS_ACTION_ATTR_SET);
	k = (const void *)(a + 1);
	assert_int_equal(k->nla_type & NLA_TYPE_MASK, OVS_KEY_ATTR_TCP);
	assert_int_equal(k->nla_len, 4 + 4);
	actions_ok("set(ipv4(src=1.2.3.4/255.255.0.0))", &b);
	a = (const void *)b.data;
	assert_int_equal(a->nla_type & NLA_TYPE_MASK, OVS_ACTION_ATTR_SET_MASKED);
	k = (const void *)(a + 1);
	assert_int_equal(k->nla_len, 4 + 2 * sizeof(struct ovs_key_ipv4));
	const struct ovs_key_ipv4 *v = (const void *)(k + 1), *m = v + 1;

	assert_int_equal(v->ipv4_src, htonl(0x01020000));
	assert_int_equal(m->ipv4_src, htonl(0xffff0000));
	assert_int_equal(m->ipv4_ttl, 0);
	actions_ok("set(tunnel(tun_id=0x5,dst=2.2.2.2,ttl=64))", &b);
	a = (const void *)b.data;
	assert_int_equal(a->nla_type & NLA_TYPE_MASK, OVS_ACTION_ATTR_SET);
	nlbuf_free(&b);
}

static void test_actions_nested(void **state)
{
	(void)state;
	actions_rt("userspace(pid=1)",
		   "userspace(pid=1,userdata(000000000000000000000000000000000000000000000000"
		   "000000000000000000000000000000000000000000000000))");
	actions_rt("userspace(pid=1,userdata(0102))", "userspace(pid=1,userdata(0102000000000000))");
	actions_rt("userspace(pid=4294967295,userdata(0102030405060708090a),actions,tunnel_out_port=5)",
		   "userspace(pid=4294967295,userdata(0102030405060708090a),actions,tunnel_out_port=5)");
	actions_rt("clone(1,2)", "clone(1,2)");
	actions_rt("clone()", "clone(drop)");
	actions_rt("clone(drop)", "clone(drop)");
	actions_rt("clone(clone(clone(pop_vlan)),3)", "clone(clone(clone(pop_vlan)),3)");
	actions_rt("sample(sample=50.0%,actions(1))", "sample(sample=50.0%,actions(1))");
	actions_rt("sample(sample=50%,actions())", "sample(sample=50.0%,actions(drop))");
	actions_rt("sample(sample=100%,actions(drop))", "sample(sample=100.0%,actions(drop))");
	/* Percentages keep one decimal, as in OVS: 0.05% prints as 0.1%. */
	struct nlbuf b;
	char *p;

	nlbuf_init(&b, 0);
	actions_ok("sample(sample=0.05%,actions(1))", &b);
	p = actions_str(&b);
	assert_string_equal(p, "sample(sample=0.1%,actions(1))");
	free(p);
	nlbuf_free(&b);
	actions_rt("check_pkt_len(size=200,gt(1),le(drop))", "check_pkt_len(size=200,gt(1),le(drop))");
	actions_rt("check_pkt_len(size=65535,gt(set(ipv4(ttl=1)),2),le(clone(3)))",
		   "check_pkt_len(size=65535,gt(set(ipv4(ttl=1)),2),le(clone(3)))");
	actions_rt("dec_ttl(le_1(drop))", "dec_ttl(le_1(drop))");
	actions_rt("dec_ttl(le_1()),2", "dec_ttl(le_1(drop)),2");
	actions_rt("dec_ttl(le_1(userspace(pid=1,userdata(0102030405060708)),3)),1",
		   "dec_ttl(le_1(userspace(pid=1,userdata(0102030405060708)),3)),1");
	actions_rt("ct", "ct");
	actions_rt("ct()", "ct");
	actions_rt("ct(commit,zone=5,mark=1/0xff,label=0x1/0xff,helper=ftp)",
		   "ct(commit,zone=5,mark=0x1/0xff,label=0x1/0xff,helper=ftp)");
	actions_rt("ct(force_commit,mark=ff)", "ct(force_commit,mark=0xff/0xffffffff)");
	actions_rt("ct(commit,nat(src=10.0.0.1-10.0.0.5:100-200,random))",
		   "ct(commit,nat(src=10.0.0.1-10.0.0.5:100-200,random))");
	actions_rt("ct(commit,nat(dst=[fe80::1]:80))", "ct(commit,nat(dst=[fe80::1]:80))");
	actions_rt("ct(commit,nat(dst=fe80::1-fe80::2,persistent))",
		   "ct(commit,nat(dst=fe80::1-fe80::2,persistent))");
	actions_rt("ct(nat(src))", "ct(nat(src))");
	actions_rt("ct(nat)", "ct(nat)");
	/* OVS drops nat options that come without an address. */
	actions_rt("ct(nat(src,hash))", "ct(nat(src))");
	actions_rt("ct(commit,timeout=tp1,nat(src=1.1.1.1))", "ct(commit,timeout=tp1,nat(src=1.1.1.1))");
	actions_rt("ct(timeout=tp1,helper=ftp)", "ct(helper=ftp,timeout=tp1)");
}

/* Printing what a datapath might send: malformed pieces as OVS shows them. */
static void test_actions_format_malformed(void **state)
{
	struct nlbuf b;
	struct strbuf sb;
	size_t ofs;

	(void)state;
	nlbuf_init(&b, 0);
	strbuf_init(&sb);
	nlbuf_put_u16(&b, OVS_ACTION_ATTR_OUTPUT, 7);
	odp_actions_format(&sb, b.data, b.len);
	assert_string_equal(sb.s, "bad length 2, expected 4 for: action1(07 00)");

	nlbuf_reset(&b);
	strbuf_reset(&sb);
	nlbuf_put_u32(&b, OVS_ACTION_ATTR_OUTPUT, 1);
	nlbuf_put_u32(&b, 200, 0x01020304);
	odp_actions_format(&sb, b.data, b.len - 2);
	assert_string_equal(sb.s, "1,***6 leftover bytes*** (0800c8000403)");

	nlbuf_reset(&b);
	strbuf_reset(&sb);
	nlbuf_put_u32(&b, 200, 0x01020304);
	odp_actions_format(&sb, b.data, b.len);
	assert_string_equal(sb.s, "action200(04 03 02 01)");

	nlbuf_reset(&b);
	strbuf_reset(&sb);
	ofs = nlbuf_nest_start(&b, OVS_ACTION_ATTR_USERSPACE);
	nlbuf_put_u16(&b, OVS_USERSPACE_ATTR_PID, 1);
	nlbuf_nest_end(&b, ofs);
	ofs = nlbuf_nest_start(&b, OVS_ACTION_ATTR_SAMPLE);
	nlbuf_nest_end(&b, ofs);
	ofs = nlbuf_nest_start(&b, OVS_ACTION_ATTR_CT);
	nlbuf_put_attr(&b, OVS_CT_ATTR_HELPER, "ab", 2); /* no NUL */
	nlbuf_nest_end(&b, ofs);
	ofs = nlbuf_nest_start(&b, OVS_ACTION_ATTR_CHECK_PKT_LEN);
	nlbuf_nest_end(&b, ofs);
	odp_actions_format(&sb, b.data, b.len);
	assert_string_equal(sb.s, "userspace(error),sample(error),ct(error),check_pkt_len(error)");

	nlbuf_reset(&b);
	strbuf_reset(&sb);
	ofs = nlbuf_nest_start(&b, OVS_ACTION_ATTR_SET);
	nlbuf_put_u16(&b, OVS_KEY_ATTR_IPV4, 0);
	nlbuf_nest_end(&b, ofs);
	odp_actions_format(&sb, b.data, b.len);
	assert_string_equal(sb.s, "set((bad key length 2, expected 12)(00 00))");

	/* nat() that OVS would refuse to show, in its words. */
	nlbuf_reset(&b);
	strbuf_reset(&sb);
	ofs = nlbuf_nest_start(&b, OVS_ACTION_ATTR_CT);
	size_t nat = nlbuf_nest_start(&b, OVS_CT_ATTR_NAT);

	nlbuf_put_flag(&b, OVS_NAT_ATTR_SRC);
	nlbuf_put_flag(&b, OVS_NAT_ATTR_DST);
	nlbuf_nest_end(&b, nat);
	nlbuf_nest_end(&b, ofs);
	ofs = nlbuf_nest_start(&b, OVS_ACTION_ATTR_CT);
	nat = nlbuf_nest_start(&b, OVS_CT_ATTR_NAT);
	nlbuf_put_flag(&b, OVS_NAT_ATTR_SRC);
	nlbuf_put_u32(&b, OVS_NAT_ATTR_IP_MIN, htonl(0x0a000002));
	nlbuf_put_u32(&b, OVS_NAT_ATTR_IP_MAX, htonl(0x0a000001));
	nlbuf_nest_end(&b, nat);
	nlbuf_nest_end(&b, ofs);
	odp_actions_format(&sb, b.data, b.len);
	assert_string_equal(sb.s, "ct(nat(error: Only one of \"src\" or \"dst\" may be present.)),"
				  "ct(nat(range error))");

	/* A tunnel with a sub-attribute of a bad length and an unknown one. */
	nlbuf_reset(&b);
	strbuf_reset(&sb);
	ofs = nlbuf_nest_start(&b, OVS_ACTION_ATTR_SET);
	size_t tun = nlbuf_nest_start(&b, OVS_KEY_ATTR_TUNNEL);

	nlbuf_put_u16(&b, OVS_TUNNEL_KEY_ATTR_TTL, 0x4040);
	nlbuf_put_attr(&b, 30, "\x01\x02\x03", 3);
	nlbuf_put_u32(&b, OVS_TUNNEL_KEY_ATTR_IPV4_DST, htonl(0x0a000001));
	nlbuf_nest_end(&b, tun);
	nlbuf_nest_end(&b, ofs);
	odp_actions_format(&sb, b.data, b.len);
	assert_string_equal(sb.s, "set(tunnel(key4(bad key length 2, expected 1)(40 40)"
				  "key30(01 02 03),dst=10.0.0.1,flags(0)))");

	nlbuf_reset(&b);
	strbuf_reset(&sb);
	odp_actions_format(&sb, b.data, 0);
	assert_string_equal(sb.s, "drop");
	odp_actions_format(&sb, "\x01\x00", 2);
	assert_string_equal(sb.s, "drop<empty>,***2 leftover bytes*** (0100)");
	strbuf_free(&sb);
	nlbuf_free(&b);
}

static void test_dump_line(void **state)
{
	struct odp_match m;
	struct nlbuf b;
	struct odp_dump_flow d;
	struct strbuf sb;

	(void)state;
	parse_ok("ufid:00000001-0002-0003-0004-000000000005," M
		 "eth(),eth_type(0x0800),ipv4(proto=6,frag=no),tcp(dst=80)", &m);
	nlbuf_init(&b, 0);
	actions_ok("2", &b);
	memset(&d, 0, sizeof(d));
	d.ufid = &m.ufid;
	d.key = &m.key;
	d.mask = &m.mask;
	d.actions = b.data;
	d.actions_len = b.len;
	d.packets = 12;
	d.bytes = 3456;
	d.used_ms = 1000;
	d.tcp_flags = 0x12;
	strbuf_init(&sb);
	odp_dump_flow_format(&sb, &d, 3500, false);
	assert_string_equal(sb.s, M "eth(),eth_type(0x0800),ipv4(proto=6,frag=no),tcp(dst=80), "
				  "packets:12, bytes:3456, used:2.500s, flags:S., actions:2");
	strbuf_reset(&sb);
	d.dp_layer = "system";
	d.used_ms = 0;
	d.tcp_flags = 0;
	odp_dump_flow_format(&sb, &d, 3500, true);
	assert_non_null(strstr(sb.s, "ufid:00000001-0002-0003-0004-000000000005, skb_priority(0/0),"));
	assert_non_null(strstr(sb.s, ", packets:12, bytes:3456, used:never, dp:system, actions:2"));
	strbuf_reset(&sb);
	odp_tcp_flags_format(&sb, 0xfff);
	assert_string_equal(sb.s, "SFPRU.ECN[200][400][800]");
	strbuf_reset(&sb);
	odp_tcp_flags_format(&sb, 0);
	assert_string_equal(sb.s, "none");
	strbuf_free(&sb);
	nlbuf_free(&b);
}

static void test_flow_line(void **state)
{
	struct odp_match m;
	struct nlbuf b;
	struct errmsg e;
	char *s;

	(void)state;
	nlbuf_init(&b, 0);
	assert_int_equal(odp_flow_line_parse("  in_port(1),eth()  push_vlan(vid=1,pcp=0), 2\n",
					     &m, &b, &e), 0);
	s = actions_str(&b);
	assert_string_equal(s, "push_vlan(vid=1,pcp=0),2");
	free(s);
	nlbuf_reset(&b);
	assert_int_equal(odp_flow_line_parse("ufid:00000001-0002-0003-0004-000000000005 "
					     "in_port(2) drop", &m, &b, &e), 0);
	assert_true(m.has_ufid);
	assert_int_equal(m.key.in_port, 2);
	assert_int_equal(b.len, 0);
	assert_int_equal(odp_flow_line_parse("in_port(1)", &m, &b, &e), -EINVAL);
	assert_int_equal(e.offset, 10);
	assert_int_equal(odp_flow_line_parse("in_port(1) 1,foo", &m, &b, &e), -EINVAL);
	assert_int_equal(e.offset, 13);
	assert_int_equal(odp_flow_line_parse("  in_port(x) 1", &m, &b, &e), -EINVAL);
	assert_int_equal(e.offset, 10);
	nlbuf_free(&b);
}

/* ---- bad strings: -EINVAL, the offset of the bad token, its name ---- */

struct bad {
	const char *in;
	int offset;
	const char *says; /* a piece of the message */
};

static void check_bad_flow(const struct bad *b)
{
	struct odp_match m;
	struct errmsg e;
	int rc = odp_flow_parse(b->in, &m, &e);

	if (rc != -EINVAL || e.err != -EINVAL || e.offset != b->offset || !strstr(e.msg, b->says))
		fail_msg("flow '%.60s': rc %d offset %d '%s', wanted offset %d '%s'", b->in, rc,
			 e.offset, e.msg, b->offset, b->says);
	/* A failed parse leaves nothing behind. */
	assert_true(flow_key_equal(&m.key, &(struct flow_key){ 0 }));
}

/* Every attribute name OVS writes is known, found whatever its hash
 * neighbours: the parse gets past the name (or says it is unsupported). */
static void test_every_attr_name(void **state)
{
	static const char *const names[] = {
		"skb_priority", "in_port", "eth", "vlan", "eth_type", "ipv4", "ipv6", "tcp",
		"udp", "icmp", "icmpv6", "arp", "nd", "skb_mark", "tunnel", "sctp", "tcp_flags",
		"dp_hash", "recirc_id", "mpls", "ct_state", "ct_zone", "ct_mark", "ct_label",
		"ct_tuple4", "ct_tuple6", "nsh", "packet_type", "nd_ext",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char flow[64];
		struct odp_match m;
		struct errmsg e;

		snprintf(flow, sizeof(flow), "%s(", names[i]);
		assert_int_equal(odp_flow_parse(flow, &m, &e), -EINVAL);
		if (strstr(e.msg, "unknown key attribute") ||
		    (e.offset < (int)strlen(flow) - 1 && !strstr(e.msg, "not supported")))
			fail_msg("'%s': offset %d '%s'", flow, e.offset, e.msg);
	}
}

static void check_bad_actions(const struct bad *b)
{
	struct nlbuf nb;
	struct errmsg e;
	int rc;

	nlbuf_init(&nb, 0);
	nlbuf_put_u32(&nb, OVS_ACTION_ATTR_OUTPUT, 9); /* must survive a failure */
	rc = odp_actions_parse(b->in, &nb, &e);
	if (rc != -EINVAL || e.offset != b->offset || !strstr(e.msg, b->says))
		fail_msg("actions '%.60s': rc %d offset %d '%s', wanted offset %d '%s'", b->in, rc,
			 e.offset, e.msg, b->offset, b->says);
	assert_int_equal(nb.len, 8);
	nlbuf_free(&nb);
}

static void test_bad_flows(void **state)
{
	static const struct bad bad[] = {
		/* the brief's example: the offset points at the address */
		{ "in_port(1),eth_type(0x0800),ipv4(src=1.2.3.400)", 37, "1.2.3.400" },
		{ "", 0, "empty" },
		{ " , ", 3, "empty" },
		/* unknown keyword */
		{ "in_port(1),foo(1)", 11, "unknown key attribute 'foo'" },
		/* names are looked up by hash: near misses of real names */
		{ "eth_typ(0x0800)", 0, "unknown key attribute 'eth_typ'" },
		{ "eth_types(0x0800)", 0, "unknown key attribute 'eth_types'" },
		{ "ipv(src=1.2.3.4)", 0, "unknown key attribute 'ipv'" },
		{ "ipv5(src=1.2.3.4)", 0, "unknown key attribute 'ipv5'" },
		{ "in_porx(1)", 0, "unknown key attribute 'in_porx'" },
		{ "ct_labels(1)", 0, "unknown key attribute 'ct_labels'" },
		{ "e(1)", 0, "unknown key attribute 'e'" },
		{ "in_port(1),udp(dest=53)", 15, "unknown field 'dest' in udp()" },
		{ "in_port(1),udp(ds=53)", 15, "unknown field 'ds' in udp()" },
		{ "in_port(1),ipv4(source=1.2.3.4)", 16, "unknown field 'source'" },
		{ "tunnel(ipv6_dst=::1)", 7, "not supported" },
		{ "packet_type(ns=0,id=0)", 0, "not supported" },
		{ "eth(),eth_type(0x8847),mpls(label=1,label=2)", 36, "one MPLS label" },
		/* bad number */
		{ "in_port(abc)", 8, "bad in_port 'abc'" },
		{ "in_port(12x)", 8, "not a number" },
		{ "in_port(0x)", 8, "not a number" },
		{ "in_port(-1)", 8, "not a number" },
		{ "eth(src=00:01:02:03:04)", 8, "bad Ethernet address" },
		{ "eth(src=00:01:02:03:04:05:06)", 8, "bad Ethernet address" },
		{ "eth_type(0x86dd),ipv6(src=1::2::3)", 26, "bad IPv6 address" },
		{ "ipv4(frag=maybe)", 10, "bad frag 'maybe'" },
		{ "ct_state(+foo)", 10, "unknown ct_state flag 'foo'" },
		{ "ct_state(trk|est|xyz)", 17, "unknown ct_state flag" },
		{ "ct_state(+trk+trk)", 14, "given twice" },
		{ "tcp_flags(syn|bogus)", 14, "unknown tcp flag" },
		/* value out of range */
		{ "in_port(4294967296)", 8, "out of range" },
		{ "recirc_id(99999999999999999999999)", 10, "out of range" },
		{ "ipv4(ttl=256)", 9, "ttl '256' out of range" },
		{ "tcp(src=65536)", 8, "out of range" },
		{ "ct_zone(0x10000)", 8, "out of range" },
		{ "vlan(vid=4096)", 9, "vid '4096' out of range (max 4095)" },
		{ "vlan(pcp=8)", 9, "out of range" },
		{ "mpls(label=1048576)", 11, "out of range" },
		{ "eth_type(0x86dd),ipv6(label=0x100000)", 28, "out of range" },
		{ "eth_type(0x0806),arp(op=256)", 24, "ARP op 256 out of range" },
		{ "ct_state(0x100/0x100)", 9, "unknown ct_state flag" },
		{ "ct_label(0x1000000000000000000000000000000000)", 9, "more than 128 bits" },
		{ "eth_type(0x0004)", 0, "invalid Ethertype" },
		/* bad mask */
		{ "ipv4(src=1.2.3.4/255.0.0)", 17, "bad IPv4 address" },
		{ "eth(src=00:01:02:03:04:05/ff:ff)", 26, "bad Ethernet address" },
		{ "tcp(src=1/0x10000)", 10, "mask '0x10000' out of range" },
		{ "eth_type(0x86dd),ipv6(label=1/0x100000)", 30, "mask" },
		{ "ipv4(frag=no/0xff)", 12, "expected ')'" },
		{ "eth_type(0x0806),arp(op=1/0xff00)", 24, "mask" },
		/* unbalanced parentheses */
		{ "in_port(1", 9, "missing ')'" },
		{ "in_port(1))", 10, "unbalanced ')'" },
		{ "eth(src=00:01:02:03:04:05", 25, "missing ')'" },
		{ "eth_type(0x8100),vlan(vid=1),encap(eth_type(0x0800)", 51, "missing ')' to close encap" },
		{ "in_port", 7, "missing '('" },
		{ "encap(in_port(1))", 0, "encap() without vlan()" },
		{ "eth_type(0x8100),encap(encap())", 17, "encap() without vlan()" },
		/* trailing garbage */
		{ "in_port(1)x", 10, "unknown key attribute 'x'" },
		{ "in_port(1),eth() garbage", 17, "unknown key attribute 'garbage'" },
		{ "in_port(1)\x01", 10, "unknown key attribute" },
		{ "ufid:01020304-0506-0708-090a-0b0c0d0e0f10x", 41, "after the ufid" },
		{ "ufid:0102030405060708090a0b0c0d0e0f10", 5, "bad UUID" },
		/* structure */
		{ "in_port(1),in_port(2)", 11, "duplicate 'in_port'" },
		{ "eth_type(0x0800),eth_type(0x0800)", 17, "duplicate 'eth_type'" },
		{ "eth_type(0x0800),ipv4(),ipv6()", 24, "'ipv6' conflicts with 'ipv4'" },
		{ "tcp(),udp()", 6, "'udp' conflicts with 'tcp'" },
		{ "eth_type(0x8100),vlan(),encap(in_port(1))", 30, "not allowed inside encap()" },
		{ "eth_type(0x8100),vlan(),encap(eth_type(0x8100),vlan(),encap(eth_type(0x8100),vlan()))",
		  77, "more than two VLAN headers" },
		{ "eth_type(0x8100),vlan(vid=1,cfi=0),encap()", 17, "cfi=0" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		check_bad_flow(&bad[i]);
}

static void test_bad_actions(void **state)
{
	static const struct bad bad[] = {
		{ "", 0, "empty action list" },
		{ "  ", 2, "empty action list" },
		{ "output(1)", 0, "unknown action 'output'" },
		{ "1,foo", 2, "unknown action 'foo'" },
		{ "1,drop", 2, "'drop' must be the only action" },
		{ "drop,1", 5, "nothing may follow 'drop'" },
		{ "4294967296", 0, "out of range" },
		{ "1x", 0, "not a number" },
		{ "pop_vlanx", 0, "unknown action 'pop_vlanx'" },
		{ "1)", 1, "unbalanced ')'" },
		{ "clone(1", 7, "missing ')'" },
		{ "clone(1))", 8, "unbalanced ')'" },
		{ "set(ipv4(ttl=300))", 13, "ttl '300' out of range" },
		{ "set(ipv4(ttl=3)", 15, "missing ')'" },
		{ "set(encap())", 4, "not an action" },
		{ "set(foo(1))", 4, "unknown key attribute 'foo'" },
		{ "set(tunnel(dst=1.1.1.1/255.0.0.0))", 4, "takes no masks" },
		{ "push_vlan(vid=4096,pcp=0)", 14, "out of range" },
		{ "push_vlan(vid=1)", 15, "needs vid= and pcp=" },
		{ "push_vlan(vid=1,pcp=0,color=red)", 22, "unknown field 'color'" },
		{ "push_mpls(label=1,tc=8,ttl=1,bos=1,eth_type=0x8847)", 21, "out of range" },
		{ "pop_mpls(0x800)", 9, "expected 'eth_type='" },
		{ "hash(l3(0))", 5, "unknown hash algorithm" },
		{ "trunc()", 6, "not a number" },
		{ "recirc(1", 8, "missing ')'" },
		{ "sample(sample=101%,actions(1))", 14, "0 to 100%" },
		{ "sample(sample=50,actions(1))", 14, "bad sample percentage" },
		{ "sample(sample=50%,actions(1)", 28, "missing ')'" },
		{ "check_pkt_len(size=65536,gt(1),le(2))", 19, "out of range" },
		{ "check_pkt_len(size=1,gt(1))", 26, "',le('" },
		{ "dec_ttl", 7, "'(le_1('" },
		{ "dec_ttl(1)", 7, "'(le_1('" },
		{ "dec_ttl(le_1(1)", 15, "missing ')'" },
		{ "userspace(pid=1,userdata(123))", 25, "odd number of hex digits" },
		{ "userspace(pid=1,sFlow(vid=0,pcp=0,output=1))", 16, "not supported" },
		{ "userspace(1)", 10, "expected 'pid='" },
		{ "ct(commit,force_commit)", 0, "only one of commit and force_commit" },
		{ "ct(zone=65536)", 8, "out of range" },
		{ "ct(bogus)", 3, "unknown ct option 'bogus'" },
		{ "ct(helper=0123456789abcdef)", 10, "1 to 15 characters" },
		{ "ct(nat(src=10.0.0.5-10.0.0.1))", 6, "range ends before it starts" },
		{ "ct(nat(src,dst))", 6, "only one of src and dst" },
		{ "ct(nat(src=1.2.3.4:70000))", 19, "out of range" },
		{ "ct(nat(foo))", 7, "unknown nat option" },
		{ "ct(mark=0x100000000)", 8, "out of range" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		check_bad_actions(&bad[i]);
}

/* Very long input: refused with a precise place, never a crash. */
static void test_bad_long(void **state)
{
	size_t n = 200000;
	char *s = malloc(n + 64);
	struct odp_match m;
	struct nlbuf b;
	struct errmsg e;

	(void)state;
	/* A flow of 200 kB: the second in_port is a duplicate. */
	for (size_t i = 0; i + 11 < n; i += 11)
		memcpy(s + i, "in_port(1),", 11);
	s[n / 11 * 11] = '\0';
	assert_int_equal(odp_flow_parse(s, &m, &e), -EINVAL);
	assert_int_equal(e.offset, 11);
	/* A 200 kB number. */
	memcpy(s, "in_port(", 8);
	memset(s + 8, '9', n);
	strcpy(s + 8 + n, ")");
	assert_int_equal(odp_flow_parse(s, &m, &e), -EINVAL);
	assert_int_equal(e.offset, 8);
	assert_non_null(strstr(e.msg, "out of range"));
	/* 100 000 outputs do not fit one netlink attribute (64 kB). */
	for (size_t i = 0; i + 2 < n; i += 2)
		memcpy(s + i, "1,", 2);
	s[n - 1] = '\0';
	nlbuf_init(&b, 0);
	assert_int_equal(odp_actions_parse(s, &b, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "too long"));
	assert_int_equal(b.len, 0);
	/* Nor does a clone() holding 20 000 of them. */
	strcpy(s, "clone(");
	for (size_t i = 6; i < 40006; i += 2)
		memcpy(s + i, "1,", 2);
	strcpy(s + 40006, "1)");
	assert_int_equal(odp_actions_parse(s, &b, &e), -EINVAL);
	assert_int_equal(e.offset, 0);
	assert_non_null(strstr(e.msg, "too long"));
	/* Nesting deeper than ODP_TEXT_MAX_DEPTH. */
	s[0] = '\0';
	for (int i = 0; i < ODP_TEXT_MAX_DEPTH + 1; i++)
		strcat(s, "clone(");
	strcat(s, "1");
	for (int i = 0; i < ODP_TEXT_MAX_DEPTH + 1; i++)
		strcat(s, ")");
	assert_int_equal(odp_actions_parse(s, &b, &e), -EINVAL);
	assert_int_equal(e.offset, 6 * ODP_TEXT_MAX_DEPTH);
	assert_non_null(strstr(e.msg, "nested deeper"));
	/* One level less is fine. */
	strcpy(s + strlen(s) - 1, "");
	memmove(s, s + 6, strlen(s + 6) + 1);
	assert_int_equal(odp_actions_parse(s, &b, &e), 0);
	nlbuf_free(&b);
	free(s);
}

/* One action of 'type' with 'len' zero bytes, in an ACTIONS container. */
static size_t one_action(struct nlbuf *b, uint16_t type, size_t len)
{
	static const uint8_t zeros[64];
	size_t outer;

	nlbuf_init(b, 0);
	outer = nlbuf_nest_start(b, OVS_FLOW_ATTR_ACTIONS);
	nlbuf_put_attr(b, type, zeros, len);
	nlbuf_nest_end(b, outer);
	return outer;
}

/* The printer and the validator read one table of action sizes: an
 * action one byte too long is "bad length" in text with the table's
 * size, and refused by the codec with the same size (or as unsupported). */
static void test_action_info_shared(void **state)
{
	struct flow_key key = { .eth_type = htons(0x0800) };

	(void)state;
	for (uint16_t t = 0; t <= OVS_ACTION_ATTR_MAX; t++) {
		const struct odp_action_info *ai = odp_action_find(t);
		char want[96];
		struct strbuf sb;
		struct nlbuf b;
		struct errmsg e;

		if (ai == NULL || ai->len == ODP_LEN_VARIABLE)
			continue;
		size_t outer = one_action(&b, t, (size_t)ai->len + 1);
		const struct nlattr *acts = nlbuf_at(&b, outer);

		strbuf_init(&sb);
		odp_actions_format(&sb, nl_attr_data(acts), nl_attr_len(acts));
		snprintf(want, sizeof(want), "bad length %d, expected %d for: ", ai->len + 1,
			 ai->len);
		if (strncmp(sb.s, want, strlen(want)) != 0)
			fail_msg("%s: printed '%s'", ai->name, sb.s);
		errmsg_clear(&e);
		int rc = odp_actions_validate(acts, &key, NULL, NULL, &e);

		snprintf(want, sizeof(want), "action %s: size %d, expected %d", ai->name,
			 ai->len + 1, ai->len);
		if (ai->unsupported ? rc != -EOPNOTSUPP : rc != -EINVAL || !strstr(e.msg, want))
			fail_msg("%s: validate %d '%s'", ai->name, rc, e.msg);
		strbuf_free(&sb);
		nlbuf_free(&b);
	}
}

/* Every key attribute with a text name parses by that name and prints a
 * wrong-sized payload against the table's size. */
static void test_key_attr_info_shared(void **state)
{
	(void)state;
	for (uint16_t t = 0; t <= OVS_KEY_ATTR_MAX; t++) {
		const struct odp_key_attr_info *ki = odp_key_attr_find(t);
		char flow[64], want[64];
		struct odp_match m;
		struct errmsg e;

		if (ki == NULL || ki->text_name == NULL)
			continue;
		snprintf(flow, sizeof(flow), "%s(", ki->text_name);
		assert_int_equal(odp_flow_parse(flow, &m, &e), -EINVAL);
		if (strstr(e.msg, "unknown key attribute"))
			fail_msg("'%s': %s", flow, e.msg);
		int len = odp_key_attr_text_len(ki);

		if (len == ODP_LEN_VARIABLE)
			continue;
		struct nlbuf b;
		struct strbuf sb;
		uint8_t payload[64] = { 0 };
		size_t outer;

		nlbuf_init(&b, 0);
		outer = nlbuf_nest_start(&b, OVS_ACTION_ATTR_SET);
		nlbuf_put_attr(&b, t, payload, (size_t)len + 1);
		nlbuf_nest_end(&b, outer);
		strbuf_init(&sb);
		odp_actions_format(&sb, nlbuf_at(&b, 0), b.len);
		snprintf(want, sizeof(want), "(bad key length %d, expected %d)", len + 1, len);
		if (!strstr(sb.s, want))
			fail_msg("%s: printed '%s'", ki->text_name, sb.s);
		strbuf_free(&sb);
		nlbuf_free(&b);
	}
}

/* Tunnel sub-attributes: the printer checks sizes against the codec's
 * tunnel table (a wrong size prints raw, with the table's size). */
static void test_tunnel_attr_info_shared(void **state)
{
	(void)state;
	for (uint16_t t = 0; t <= OVS_TUNNEL_KEY_ATTR_MAX; t++) {
		int len = odp_tunnel_attr_len(t);
		uint8_t payload[32] = { 0 };
		char want[64];
		struct strbuf sb;
		struct nlbuf b;
		size_t set, tun;

		if (len == ODP_LEN_VARIABLE)
			continue;
		nlbuf_init(&b, 0);
		set = nlbuf_nest_start(&b, OVS_ACTION_ATTR_SET);
		tun = nlbuf_nest_start(&b, OVS_KEY_ATTR_TUNNEL);
		nlbuf_put_attr(&b, t, payload, (size_t)len + 1);
		nlbuf_nest_end(&b, tun);
		nlbuf_nest_end(&b, set);
		strbuf_init(&sb);
		odp_actions_format(&sb, nlbuf_at(&b, 0), b.len);
		snprintf(want, sizeof(want), "key%u(bad key length %d, expected %d)", t, len + 1,
			 len);
		if (!strstr(sb.s, want))
			fail_msg("tunnel attribute %u: printed '%s'", t, sb.s);
		strbuf_free(&sb);
		nlbuf_free(&b);
	}
}

/* odp_match_check: one reason, naming the prerequisite and the flow as
 * the codec would carry it; a good match comes back as the codec's pair. */
static void test_match_check(void **state)
{
	static const struct {
		const char *flow, *need, *would_be;
	} bad[] = {
		{ "in_port(1),eth(),ipv4(src=10.0.0.1)", "addresses need eth_type",
		  "the flow would be in_port(1),eth()" },
		{ "in_port(1),eth(),eth_type(0x0800),ipv4(src=10.0.0.1,frag=no),tcp(dst=80)",
		  "TCP/UDP/SCTP/ICMP fields need eth_type and ip proto",
		  "the flow would be in_port(1),eth(),eth_type(0x0800),ipv4(" },
	};
	struct flow_key key, mask;
	struct odp_match m;
	struct errmsg e;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(odp_flow_parse(bad[i].flow, &m, &e), 0);
		errmsg_clear(&e);
		assert_int_equal(odp_match_check(&m, NULL, NULL, &e), -EINVAL);
		if (strncmp(e.msg, "prerequisites missing: ", 23) != 0 ||
		    !strstr(e.msg, bad[i].need) || !strstr(e.msg, bad[i].would_be))
			fail_msg("'%s': %s", bad[i].flow, e.msg);
	}
	/* A VLAN match: the codec makes the TCI's tag-present bit exact. */
	assert_int_equal(odp_flow_parse("in_port(1),eth(),eth_type(0x8100),vlan(vid=5),"
					"encap(eth_type(0x0800))", &m, &e), 0);
	assert_int_equal(odp_match_check(&m, &key, &mask, &e), 0);
	assert_true(flow_match_covers(&key, &mask, &m.key, &m.mask));
	assert_int_equal(ntohs(key.vlan.tci) & 0x1fff, 0x1005);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ovs_corpus),
		cmocka_unit_test(test_flow_metadata),
		cmocka_unit_test(test_flow_verbose),
		cmocka_unit_test(test_flow_l2),
		cmocka_unit_test(test_flow_vlan),
		cmocka_unit_test(test_flow_tunnel),
		cmocka_unit_test(test_flow_l3),
		cmocka_unit_test(test_flow_l4),
		cmocka_unit_test(test_ufid),
		cmocka_unit_test(test_actions_basic),
		cmocka_unit_test(test_actions_set),
		cmocka_unit_test(test_actions_nested),
		cmocka_unit_test(test_actions_format_malformed),
		cmocka_unit_test(test_dump_line),
		cmocka_unit_test(test_flow_line),
		cmocka_unit_test(test_bad_flows),
		cmocka_unit_test(test_every_attr_name),
		cmocka_unit_test(test_action_info_shared),
		cmocka_unit_test(test_key_attr_info_shared),
		cmocka_unit_test(test_tunnel_attr_info_shared),
		cmocka_unit_test(test_match_check),
		cmocka_unit_test(test_bad_actions),
		cmocka_unit_test(test_bad_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
