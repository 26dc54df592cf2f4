/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for odp_actions: every accepted action (nested ones included)
 * built, validated and read back; every rejected shape with its errno and
 * reason; the header tracking along a list (VLAN, MPLS) and its limits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/openvswitch.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "nl_policy.h"
#include "nlbuf.h"
#include "odp_actions.h"
#include "odp_key.h"
#include "strbuf.h"

/* ---- fixtures ---- */

static struct flow_key exact_mask(void)
{
	struct flow_key m;

	memset(&m, 0xff, sizeof(m));
	return m;
}

static struct flow_key key_ipv4(uint8_t proto)
{
	struct flow_key k;

	memset(&k, 0, sizeof(k));
	k.in_port = 1;
	k.eth_type = htons(0x0800);
	k.ip_proto = proto;
	k.ip_ttl = 64;
	k.ipv4.src = htonl(0x0a000001);
	k.ipv4.dst = htonl(0x0a000002);
	return k;
}

static struct flow_key key_ipv6(uint8_t proto)
{
	struct flow_key k = key_ipv4(proto);

	memset(&k.ipv4, 0, sizeof(k.ipv4));
	k.eth_type = htons(0x86dd);
	return k;
}

static struct flow_key key_other(uint16_t eth_type)
{
	struct flow_key k;

	memset(&k, 0, sizeof(k));
	k.eth_type = htons(eth_type);
	return k;
}

/* ---- building and reading back ---- */

struct list {
	struct nlbuf b;
	size_t outer;
};

static void list_start(struct list *l)
{
	nlbuf_init(&l->b, 0);
	l->outer = nlbuf_nest_start(&l->b, OVS_FLOW_ATTR_ACTIONS);
}

static const struct nlattr *list_end(struct list *l)
{
	nlbuf_nest_end(&l->b, l->outer);
	assert_false(l->b.overflow);
	return nlbuf_at(&l->b, l->outer);
}

/* set (m NULL) or set_masked: one key attribute, value then mask. */
static void put_set(struct nlbuf *b, uint16_t act, uint16_t type, const void *v, const void *m,
		    size_t len)
{
	size_t n = nlbuf_nest_start(b, act);
	uint8_t tmp[128];

	memcpy(tmp, v, len);
	if (m)
		memcpy(tmp + len, m, len);
	nlbuf_put_attr(b, type, tmp, m ? 2 * len : len);
	nlbuf_nest_end(b, n);
}

static void describe_list(struct strbuf *sb, const void *data, size_t len);

static void describe_nested(struct strbuf *sb, const struct nlattr *a)
{
	const struct nlattr *in;

	mnl_attr_for_each_nested(in, a) {
		uint16_t t = mnl_attr_get_type(in);

		if (mnl_attr_get_payload_len(in) == 2)
			strbuf_addf(sb, "%u=%u,", t, mnl_attr_get_u16(in));
		else if (mnl_attr_get_payload_len(in) == 4)
			strbuf_addf(sb, "%u=%u,", t, mnl_attr_get_u32(in));
		else if (mnl_attr_get_payload_len(in) == 0)
			strbuf_addf(sb, "%u,", t);
		else {
			strbuf_addf(sb, "%u=[", t);
			describe_list(sb, mnl_attr_get_payload(in), mnl_attr_get_payload_len(in));
			strbuf_addf(sb, "],");
		}
	}
	strbuf_trim_end(sb, ",");
}

/* A text form of a list, to check what the validated bytes say. */
static void describe_list(struct strbuf *sb, const void *data, size_t len)
{
	const struct nlattr *attr;

	mnl_attr_for_each_payload(data, len) {
		const struct nlattr *a = attr;

		uint16_t t = mnl_attr_get_type(a);
		const uint8_t *p = mnl_attr_get_payload(a);
		size_t plen = mnl_attr_get_payload_len(a);

		switch (t) {
		case OVS_ACTION_ATTR_OUTPUT:
		case OVS_ACTION_ATTR_RECIRC:
		case OVS_ACTION_ATTR_TRUNC:
			strbuf_addf(sb, "%s(%u),", t == 1 ? "output" : t == 7 ? "recirc" : "trunc",
				    mnl_attr_get_u32(a));
			break;
		case OVS_ACTION_ATTR_PUSH_VLAN:
			strbuf_addf(sb, "push_vlan(%04x,%04x),", ntohs(*(uint16_t *)p),
				    ntohs(*(uint16_t *)(p + 2)));
			break;
		case OVS_ACTION_ATTR_POP_VLAN:
			strbuf_addf(sb, "pop_vlan,");
			break;
		case OVS_ACTION_ATTR_HASH:
			strbuf_addf(sb, "hash(%u,%u),", *(uint32_t *)p, *(uint32_t *)(p + 4));
			break;
		case OVS_ACTION_ATTR_PUSH_MPLS:
			strbuf_addf(sb, "push_mpls(%08x,%04x),", ntohl(*(uint32_t *)p),
				    ntohs(*(uint16_t *)(p + 4)));
			break;
		case OVS_ACTION_ATTR_POP_MPLS:
			strbuf_addf(sb, "pop_mpls(%04x),", ntohs(mnl_attr_get_u16(a)));
			break;
		case OVS_ACTION_ATTR_SET:
		case OVS_ACTION_ATTR_SET_MASKED: {
			const struct nlattr *k = (const void *)p;

			strbuf_addf(sb, "%s(%u:", t == OVS_ACTION_ATTR_SET ? "set" : "set_masked",
				    mnl_attr_get_type(k));
			for (size_t i = 0; i < mnl_attr_get_payload_len(k); i++)
				strbuf_addf(sb, "%02x", ((const uint8_t *)mnl_attr_get_payload(k))[i]);
			strbuf_addf(sb, "),");
			break;
		}
		case OVS_ACTION_ATTR_CLONE:
			strbuf_addf(sb, "clone(");
			describe_list(sb, p, plen);
			strbuf_addf(sb, "),");
			break;
		default: /* userspace, sample, check_pkt_len, dec_ttl: nested */
			strbuf_addf(sb, "%u{", t);
			describe_nested(sb, a);
			strbuf_addf(sb, "},");
		}
	}
	strbuf_trim_end(sb, ",");
}

static int validate(const struct nlattr *acts, const struct flow_key *k,
		    const struct flow_key *m, struct errmsg *e)
{
	errmsg_clear(e);
	return odp_actions_validate(acts, k, m, NULL, e);
}

static void expect_error(int ret, const struct errmsg *e, int err, const char *reason)
{
	if (ret != err || strstr(e->msg, reason) == NULL)
		print_error("got %d \"%s\", wanted %d \"...%s...\"\n", ret, e->msg, err, reason);
	assert_int_equal(ret, err);
	assert_non_null(strstr(e->msg, reason));
}

/* ---- every accepted action ---- */

static void test_accept_all(void **state)
{
	(void)state;
	struct flow_key k = key_ipv4(IPPROTO_TCP), m = exact_mask();
	struct list l;
	struct errmsg e;
	struct strbuf sb;
	size_t n, n2;

	list_start(&l);
	nlbuf_put_u32(&l.b, OVS_ACTION_ATTR_OUTPUT, 3);
	n = nlbuf_nest_start(&l.b, OVS_ACTION_ATTR_USERSPACE);
	nlbuf_put_u32(&l.b, OVS_USERSPACE_ATTR_PID, 42);
	nlbuf_put_attr(&l.b, OVS_USERSPACE_ATTR_USERDATA, "cookie", 6);
	nlbuf_put_u32(&l.b, OVS_USERSPACE_ATTR_EGRESS_TUN_PORT, 4);
	nlbuf_put_flag(&l.b, OVS_USERSPACE_ATTR_ACTIONS);
	nlbuf_nest_end(&l.b, n);
	struct ovs_key_ethernet eth = { { 1, 2, 3, 4, 5, 6 }, { 7, 8, 9, 10, 11, 12 } };
	put_set(&l.b, OVS_ACTION_ATTR_SET, OVS_KEY_ATTR_ETHERNET, &eth, NULL, sizeof(eth));
	struct ovs_key_ipv4 ip = { htonl(1), htonl(2), IPPROTO_TCP, 4, 5, 0 };
	put_set(&l.b, OVS_ACTION_ATTR_SET, OVS_KEY_ATTR_IPV4, &ip, NULL, sizeof(ip));
	struct ovs_key_tcp tcp = { htons(1), 0 }, tcpm = { 0xffff, 0 };
	put_set(&l.b, OVS_ACTION_ATTR_SET_MASKED, OVS_KEY_ATTR_TCP, &tcp, &tcpm, sizeof(tcp));
	uint32_t prio = 6, mark = 7;
	put_set(&l.b, OVS_ACTION_ATTR_SET, OVS_KEY_ATTR_PRIORITY, &prio, NULL, 4);
	put_set(&l.b, OVS_ACTION_ATTR_SET_MASKED, OVS_KEY_ATTR_SKB_MARK, &mark, &mark, 4);
	n = nlbuf_nest_start(&l.b, OVS_ACTION_ATTR_SET);
	n2 = nlbuf_nest_start(&l.b, OVS_KEY_ATTR_TUNNEL);
	nlbuf_put_u64(&l.b, OVS_TUNNEL_KEY_ATTR_ID, 9);
	nlbuf_put_u32(&l.b, OVS_TUNNEL_KEY_ATTR_IPV4_DST, htonl(0x01020304));
	nlbuf_put_u8(&l.b, OVS_TUNNEL_KEY_ATTR_TTL, 64);
	nlbuf_put_flag(&l.b, OVS_TUNNEL_KEY_ATTR_DONT_FRAGMENT);
	nlbuf_nest_end(&l.b, n2);
	nlbuf_nest_end(&l.b, n);
	struct ovs_action_push_vlan pv = { htons(0x88a8), htons(0x1064) };
	nlbuf_put_attr(&l.b, OVS_ACTION_ATTR_PUSH_VLAN, &pv, sizeof(pv));
	nlbuf_put_flag(&l.b, OVS_ACTION_ATTR_POP_VLAN);
	n = nlbuf_nest_start(&l.b, OVS_ACTION_ATTR_SAMPLE);
	nlbuf_put_u32(&l.b, OVS_SAMPLE_ATTR_PROBABILITY, 1000);
	n2 = nlbuf_nest_start(&l.b, OVS_SAMPLE_ATTR_ACTIONS);
	nlbuf_put_u32(&l.b, OVS_ACTION_ATTR_OUTPUT, 9);
	nlbuf_nest_end(&l.b, n2);
	nlbuf_nest_end(&l.b, n);
	nlbuf_put_u32(&l.b, OVS_ACTION_ATTR_RECIRC, 5);
	struct ovs_action_hash h = { OVS_HASH_ALG_L4, 77 };
	nlbuf_put_attr(&l.b, OVS_ACTION_ATTR_HASH, &h, sizeof(h));
	nlbuf_put_u32(&l.b, OVS_ACTION_ATTR_TRUNC, 100);
	n = nlbuf_nest_start(&l.b, OVS_ACTION_ATTR_CLONE);
	nlbuf_put_u32(&l.b, OVS_ACTION_ATTR_OUTPUT, 2);
	nlbuf_nest_end(&l.b, n);
	n = nlbuf_nest_start(&l.b, OVS_ACTION_ATTR_CHECK_PKT_LEN);
	nlbuf_put_u16(&l.b, OVS_CHECK_PKT_LEN_ATTR_PKT_LEN, 1500);
	n2 = nlbuf_nest_start(&l.b, OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_GREATER);
	nlbuf_put_u32(&l.b, OVS_ACTION_ATTR_OUTPUT, 1);
	nlbuf_nest_end(&l.b, n2);
	n2 = nlbuf_nest_start(&l.b, OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_LESS_EQUAL);
	nlbuf_nest_end(&l.b, n2);
	nlbuf_nest_end(&l.b, n);
	n = nlbuf_nest_start(&l.b, OVS_ACTION_ATTR_DEC_TTL);
	n2 = nlbuf_nest_start(&l.b, OVS_DEC_TTL_ATTR_ACTION);
	nlbuf_nest_end(&l.b, n2);
	nlbuf_nest_end(&l.b, n);
	struct ovs_action_push_mpls pm = { htonl(0x00001140), htons(0x8847) };
	nlbuf_put_attr(&l.b, OVS_ACTION_ATTR_PUSH_MPLS, &pm, sizeof(pm));
	uint32_t lse = htonl(0x00002000), lsem = htonl(0xfffff000);
	put_set(&l.b, OVS_ACTION_ATTR_SET_MASKED, OVS_KEY_ATTR_MPLS, &lse, &lsem, 4);
	nlbuf_put_u16(&l.b, OVS_ACTION_ATTR_POP_MPLS, htons(0x0800));
	const struct nlattr *acts = list_end(&l);

	if (validate(acts, &k, &m, &e) != 0)
		print_error("%s @%d\n", e.msg, e.offset);
	assert_int_equal(e.err, 0);

	strbuf_init(&sb);
	describe_list(&sb, nl_attr_data(acts), nl_attr_len(acts));
	assert_string_equal(sb.s,
		"output(3),"
		"2{1=42,2=[],3=4,4},"
		"set(4:0102030405060708090a0b0c),"
		"set(7:000000010000000206040500),"
		"set_masked(9:00010000ffff0000),"
		"set(2:06000000),"
		"set_masked(15:0700000007000000),"
		"set(16:0c000000090000000000000008000200010203040500040040000000"
		"04000500),"
		"push_vlan(88a8,1064),pop_vlan,"
		"6{1=1000,2=[output(9)]},"
		"recirc(5),hash(0,77),trunc(100),clone(output(2)),"
		"21{1=1500,2=[output(1)],3},"
		"23{1},"
		"push_mpls(00001140,8847),"
		"set_masked(21:00002000fffff000),"
		"pop_mpls(0800)");
	strbuf_free(&sb);
	nlbuf_free(&l.b);
}

/* The extension: ICMP and ICMPv6 type/code can be set. */
static void test_accept_icmp_set(void **state)
{
	(void)state;
	struct flow_key k4 = key_ipv4(IPPROTO_ICMP), k6 = key_ipv6(IPPROTO_ICMPV6);
	struct ovs_key_icmp v = { 0, 0 }, mk = { 0xff, 0 };
	struct list l;
	struct errmsg e;

	list_start(&l);
	put_set(&l.b, OVS_ACTION_ATTR_SET, OVS_KEY_ATTR_ICMP, &v, NULL, sizeof(v));
	put_set(&l.b, OVS_ACTION_ATTR_SET_MASKED, OVS_KEY_ATTR_ICMP, &v, &mk, sizeof(v));
	assert_int_equal(validate(list_end(&l), &k4, NULL, &e), 0);
	nlbuf_free(&l.b);

	list_start(&l);
	put_set(&l.b, OVS_ACTION_ATTR_SET_MASKED, OVS_KEY_ATTR_ICMPV6, &v, &mk, sizeof(v));
	struct ovs_key_ipv6 ip6 = { .ipv6_label = htonl(5), .ipv6_proto = IPPROTO_ICMPV6 };
	put_set(&l.b, OVS_ACTION_ATTR_SET, OVS_KEY_ATTR_IPV6, &ip6, NULL, sizeof(ip6));
	assert_int_equal(validate(list_end(&l), &k6, NULL, &e), 0);
	/* ...but not across IP versions. */
	expect_error(validate(nlbuf_at(&l.b, 0), &k4, NULL, &e), &e, -EINVAL,
		     "set_masked(icmpv6) needs an IPv6 flow matching ip proto 58 exactly");
	nlbuf_free(&l.b);
}

/* ---- rejected ---- */

static const struct nlattr *one_action(struct list *l, void (*put)(struct nlbuf *))
{
	list_start(l);
	put(&l->b);
	return list_end(l);
}

static void check_one(void (*put)(struct nlbuf *), const struct flow_key *k,
		      const struct flow_key *m, int err, const char *reason)
{
	struct list l;
	struct errmsg e;
	const struct nlattr *acts = one_action(&l, put);

	expect_error(validate(acts, k, m, &e), &e, err, reason);
	nlbuf_free(&l.b);
}

static void put_unknown(struct nlbuf *b) { nlbuf_put_flag(b, 99); }
static void put_unspec(struct nlbuf *b) { nlbuf_put_flag(b, 0); }
static void put_output_short(struct nlbuf *b) { nlbuf_put_u16(b, OVS_ACTION_ATTR_OUTPUT, 1); }
static void put_output_big(struct nlbuf *b) { nlbuf_put_u32(b, OVS_ACTION_ATTR_OUTPUT, 65535); }
static void put_trailing(struct nlbuf *b)
{
	nlbuf_put_flag(b, OVS_ACTION_ATTR_POP_VLAN);
	nlbuf_put(b, "\x01\x02", 2);
	b->len -= 2;
}
static void put_len_small(struct nlbuf *b) { nlbuf_put(b, "\x02\x00\x05\x00", 4); }
static void put_len_past(struct nlbuf *b) { nlbuf_put(b, "\x10\x00\x01\x00\x00\x00\x00\x00", 8); }

static void test_reject_framing_types(void **state)
{
	(void)state;
	struct flow_key k = key_ipv4(IPPROTO_TCP);

	check_one(put_unknown, &k, NULL, -EINVAL, "actions: unknown action type 99");
	check_one(put_unspec, &k, NULL, -EINVAL, "unknown action type 0");
	check_one(put_output_short, &k, NULL, -EINVAL, "action output: size 2, expected 4");
	check_one(put_output_big, &k, NULL, -EINVAL, "output: port 65535 is not below 65535");
	check_one(put_trailing, &k, NULL, -EINVAL, "2 trailing bytes, too few for an attribute");
	check_one(put_len_small, &k, NULL, -EINVAL, "malformed attribute length");
	check_one(put_len_past, &k, NULL, -EINVAL, "malformed attribute length");
}

static void put_ct(struct nlbuf *b) { nlbuf_nest_end(b, nlbuf_nest_start(b, OVS_ACTION_ATTR_CT)); }
static void put_ct_clear(struct nlbuf *b) { nlbuf_put_flag(b, OVS_ACTION_ATTR_CT_CLEAR); }
static void put_meter(struct nlbuf *b) { nlbuf_put_u32(b, OVS_ACTION_ATTR_METER, 1); }
static void put_push_nsh(struct nlbuf *b) { nlbuf_put_flag(b, OVS_ACTION_ATTR_PUSH_NSH); }
static void put_pop_nsh(struct nlbuf *b) { nlbuf_put_flag(b, OVS_ACTION_ATTR_POP_NSH); }
static void put_push_eth(struct nlbuf *b)
{
	struct ovs_action_push_eth pe = { { { 0 }, { 0 } } };

	nlbuf_put_attr(b, OVS_ACTION_ATTR_PUSH_ETH, &pe, sizeof(pe));
}
static void put_pop_eth(struct nlbuf *b) { nlbuf_put_flag(b, OVS_ACTION_ATTR_POP_ETH); }
static void put_add_mpls(struct nlbuf *b)
{
	struct ovs_action_add_mpls am = { htonl(0x100), htons(0x8847), 0 };

	nlbuf_put_attr(b, OVS_ACTION_ATTR_ADD_MPLS, &am, sizeof(am));
}

static void test_reject_unsupported(void **state)
{
	(void)state;
	struct flow_key k = key_ipv4(IPPROTO_TCP);

	check_one(put_ct, &k, NULL, -EOPNOTSUPP, "action ct is not supported: this datapath has "
		  "no connection tracking");
	check_one(put_ct_clear, &k, NULL, -EOPNOTSUPP, "ct_clear is not supported");
	check_one(put_meter, &k, NULL, -EOPNOTSUPP, "meter is not supported: this datapath has no "
		  "meters");
	check_one(put_push_nsh, &k, NULL, -EOPNOTSUPP, "push_nsh is not supported: this datapath "
		  "has no NSH");
	check_one(put_pop_nsh, &k, NULL, -EOPNOTSUPP, "pop_nsh is not supported");
	check_one(put_push_eth, &k, NULL, -EOPNOTSUPP, "push_eth is not supported: this datapath "
		  "has no layer-3 ports");
	check_one(put_pop_eth, &k, NULL, -EOPNOTSUPP, "pop_eth is not supported");
	check_one(put_add_mpls, &k, NULL, -EOPNOTSUPP, "add_mpls is not supported");
}

static void put_vlan_bad_tpid(struct nlbuf *b)
{
	struct ovs_action_push_vlan pv = { htons(0x0800), htons(0x1001) };

	nlbuf_put_attr(b, OVS_ACTION_ATTR_PUSH_VLAN, &pv, sizeof(pv));
}
static void put_vlan_no_cfi(struct nlbuf *b)
{
	struct ovs_action_push_vlan pv = { htons(0x8100), htons(0x0001) };

	nlbuf_put_attr(b, OVS_ACTION_ATTR_PUSH_VLAN, &pv, sizeof(pv));
}
static void put_trunc_short(struct nlbuf *b) { nlbuf_put_u32(b, OVS_ACTION_ATTR_TRUNC, 13); }
static void put_hash_alg(struct nlbuf *b)
{
	struct ovs_action_hash h = { 1, 0 };

	nlbuf_put_attr(b, OVS_ACTION_ATTR_HASH, &h, sizeof(h));
}
static void put_us_no_pid(struct nlbuf *b)
{
	size_t n = nlbuf_nest_start(b, OVS_ACTION_ATTR_USERSPACE);

	nlbuf_put_attr(b, OVS_USERSPACE_ATTR_USERDATA, "x", 1);
	nlbuf_nest_end(b, n);
}
static void put_us_pid0(struct nlbuf *b)
{
	size_t n = nlbuf_nest_start(b, OVS_ACTION_ATTR_USERSPACE);

	nlbuf_put_u32(b, OVS_USERSPACE_ATTR_PID, 0);
	nlbuf_nest_end(b, n);
}
static void put_us_unknown(struct nlbuf *b)
{
	size_t n = nlbuf_nest_start(b, OVS_ACTION_ATTR_USERSPACE);

	nlbuf_put_u32(b, OVS_USERSPACE_ATTR_PID, 1);
	nlbuf_put_u32(b, 9, 1);
	nlbuf_nest_end(b, n);
}
static void put_sample_no_prob(struct nlbuf *b)
{
	size_t n = nlbuf_nest_start(b, OVS_ACTION_ATTR_SAMPLE);

	nlbuf_nest_end(b, nlbuf_nest_start(b, OVS_SAMPLE_ATTR_ACTIONS));
	nlbuf_nest_end(b, n);
}
static void put_sample_bad_inner(struct nlbuf *b)
{
	size_t n = nlbuf_nest_start(b, OVS_ACTION_ATTR_SAMPLE);

	nlbuf_put_u32(b, OVS_SAMPLE_ATTR_PROBABILITY, 1);
	size_t a = nlbuf_nest_start(b, OVS_SAMPLE_ATTR_ACTIONS);
	nlbuf_put_u32(b, OVS_ACTION_ATTR_TRUNC, 1);
	nlbuf_nest_end(b, a);
	nlbuf_nest_end(b, n);
}
static void put_cpl_zero(struct nlbuf *b)
{
	size_t n = nlbuf_nest_start(b, OVS_ACTION_ATTR_CHECK_PKT_LEN);

	nlbuf_put_u16(b, OVS_CHECK_PKT_LEN_ATTR_PKT_LEN, 0);
	nlbuf_nest_end(b, nlbuf_nest_start(b, OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_GREATER));
	nlbuf_nest_end(b, nlbuf_nest_start(b, OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_LESS_EQUAL));
	nlbuf_nest_end(b, n);
}
static void put_cpl_one_branch(struct nlbuf *b)
{
	size_t n = nlbuf_nest_start(b, OVS_ACTION_ATTR_CHECK_PKT_LEN);

	nlbuf_put_u16(b, OVS_CHECK_PKT_LEN_ATTR_PKT_LEN, 100);
	nlbuf_nest_end(b, nlbuf_nest_start(b, OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_GREATER));
	nlbuf_nest_end(b, n);
}
static void put_dec_ttl_empty(struct nlbuf *b)
{
	nlbuf_nest_end(b, nlbuf_nest_start(b, OVS_ACTION_ATTR_DEC_TTL));
}
static void put_mpls_bad_type(struct nlbuf *b)
{
	struct ovs_action_push_mpls pm = { htonl(0x100), htons(0x0800) };

	nlbuf_put_attr(b, OVS_ACTION_ATTR_PUSH_MPLS, &pm, sizeof(pm));
}
static void put_push_mpls(struct nlbuf *b)
{
	struct ovs_action_push_mpls pm = { htonl(0x100), htons(0x8847) };

	nlbuf_put_attr(b, OVS_ACTION_ATTR_PUSH_MPLS, &pm, sizeof(pm));
}
static void put_pop_mpls(struct nlbuf *b) { nlbuf_put_u16(b, OVS_ACTION_ATTR_POP_MPLS, htons(0x0800)); }
static void put_pop_mpls_teb(struct nlbuf *b) { nlbuf_put_u16(b, OVS_ACTION_ATTR_POP_MPLS, htons(0x6558)); }

static void test_reject_arguments(void **state)
{
	(void)state;
	struct flow_key k = key_ipv4(IPPROTO_TCP);

	check_one(put_vlan_bad_tpid, &k, NULL, -EINVAL, "push_vlan: TPID 0x0800 is neither");
	check_one(put_vlan_no_cfi, &k, NULL, -EINVAL, "push_vlan: TCI 0x0001 lacks the tag-present");
	check_one(put_trunc_short, &k, NULL, -EINVAL, "trunc: max_len 13 is below the 14-byte");
	check_one(put_hash_alg, &k, NULL, -EINVAL, "hash: unknown algorithm 1");
	check_one(put_us_no_pid, &k, NULL, -EINVAL, "userspace: the pid attribute is missing");
	check_one(put_us_pid0, &k, NULL, -EINVAL, "userspace: pid 0 is not a listener");
	check_one(put_us_unknown, &k, NULL, -EINVAL, "userspace attributes: unknown attribute type 9");
	check_one(put_sample_no_prob, &k, NULL, -EINVAL, "sample: the probability attribute is "
		  "missing");
	check_one(put_sample_bad_inner, &k, NULL, -EINVAL, "trunc: max_len 1");
	check_one(put_cpl_zero, &k, NULL, -EINVAL, "check_pkt_len: pkt_len must not be 0");
	check_one(put_cpl_one_branch, &k, NULL, -EINVAL, "the actions_if_less_equal attribute is "
		  "missing");
	check_one(put_dec_ttl_empty, &k, NULL, -EINVAL, "dec_ttl: the action attribute is missing");
	check_one(put_mpls_bad_type, &k, NULL, -EINVAL, "push_mpls: ethertype 0x0800 is neither");
	struct flow_key lldp = key_other(0x88cc);
	check_one(put_push_mpls, &lldp, NULL, -EINVAL, "push_mpls: only onto IPv4, IPv6, ARP or "
		  "MPLS packets, not eth_type 0x88cc");
	struct flow_key tagged = k;
	tagged.vlan.tpid = htons(0x8100);
	tagged.vlan.tci = htons(0x1005);
	check_one(put_push_mpls, &tagged, NULL, -EINVAL, "the packet has a VLAN tag (pop_vlan first)");
	check_one(put_pop_mpls, &k, NULL, -EINVAL, "pop_mpls: the packet has no MPLS label on top");
	struct flow_key mpls = key_other(0x8847);
	check_one(put_pop_mpls_teb, &mpls, NULL, -EINVAL, "ethertype 0x6558");
}

static void put_set_vlan(struct nlbuf *b)
{
	uint16_t tci = htons(0x1001);

	put_set(b, OVS_ACTION_ATTR_SET, OVS_KEY_ATTR_VLAN, &tci, NULL, 2);
}
static void put_set_in_port(struct nlbuf *b)
{
	uint32_t p = 1;

	put_set(b, OVS_ACTION_ATTR_SET, OVS_KEY_ATTR_IN_PORT, &p, NULL, 4);
}
static void put_set_ct_mark(struct nlbuf *b)
{
	uint32_t p = 1;

	put_set(b, OVS_ACTION_ATTR_SET, OVS_KEY_ATTR_CT_MARK, &p, NULL, 4);
}
static void put_set_ipv4(struct nlbuf *b)
{
	struct ovs_key_ipv4 ip = { 1, 2, IPPROTO_TCP, 0, 9, 0 };

	put_set(b, OVS_ACTION_ATTR_SET, OVS_KEY_ATTR_IPV4, &ip, NULL, sizeof(ip));
}
static void put_set_ipv4_proto(struct nlbuf *b)
{
	struct ovs_key_ipv4 ip = { 1, 2, IPPROTO_UDP, 0, 9, 0 };

	put_set(b, OVS_ACTION_ATTR_SET, OVS_KEY_ATTR_IPV4, &ip, NULL, sizeof(ip));
}
static void put_setm_ipv4_frag(struct nlbuf *b)
{
	struct ovs_key_ipv4 ip = { 0 }, m = { .ipv4_frag = 1 };

	put_set(b, OVS_ACTION_ATTR_SET_MASKED, OVS_KEY_ATTR_IPV4, &ip, &m, sizeof(ip));
}
static void put_setm_outside(struct nlbuf *b)
{
	struct ovs_key_tcp v = { htons(80), 0 }, m = { htons(0xff00), 0 };

	put_set(b, OVS_ACTION_ATTR_SET_MASKED, OVS_KEY_ATTR_TCP, &v, &m, sizeof(v));
}
static void put_set_tcp(struct nlbuf *b)
{
	struct ovs_key_tcp v = { htons(80), 0 };

	put_set(b, OVS_ACTION_ATTR_SET, OVS_KEY_ATTR_TCP, &v, NULL, sizeof(v));
}
static void put_set_mpls(struct nlbuf *b)
{
	uint32_t lse = 0;

	put_set(b, OVS_ACTION_ATTR_SET, OVS_KEY_ATTR_MPLS, &lse, NULL, 4);
}
static void put_set_ipv6_label(struct nlbuf *b)
{
	struct ovs_key_ipv6 ip6 = { .ipv6_label = htonl(0x100000), .ipv6_proto = IPPROTO_TCP };

	put_set(b, OVS_ACTION_ATTR_SET, OVS_KEY_ATTR_IPV6, &ip6, NULL, sizeof(ip6));
}
static void put_setm_tunnel(struct nlbuf *b)
{
	uint8_t z[8] = { 0 };

	put_set(b, OVS_ACTION_ATTR_SET_MASKED, OVS_KEY_ATTR_TUNNEL, z, z, 4);
}
static void put_set_tunnel_no_ttl(struct nlbuf *b)
{
	size_t n = nlbuf_nest_start(b, OVS_ACTION_ATTR_SET);
	size_t t = nlbuf_nest_start(b, OVS_KEY_ATTR_TUNNEL);

	nlbuf_put_u32(b, OVS_TUNNEL_KEY_ATTR_IPV4_DST, 1);
	nlbuf_nest_end(b, t);
	nlbuf_nest_end(b, n);
}
static void put_set_two_keys(struct nlbuf *b)
{
	size_t n = nlbuf_nest_start(b, OVS_ACTION_ATTR_SET);

	nlbuf_put_u32(b, OVS_KEY_ATTR_PRIORITY, 1);
	nlbuf_put_u32(b, OVS_KEY_ATTR_SKB_MARK, 1);
	nlbuf_nest_end(b, n);
}
static void put_set_bad_size(struct nlbuf *b)
{
	uint32_t v = 0;

	put_set(b, OVS_ACTION_ATTR_SET, OVS_KEY_ATTR_ETHERNET, &v, NULL, 4);
}

static void test_reject_set(void **state)
{
	(void)state;
	struct flow_key tcp4 = key_ipv4(IPPROTO_TCP), udp4 = key_ipv4(IPPROTO_UDP);
	struct flow_key tcp6 = key_ipv6(IPPROTO_TCP), m = exact_mask();

	check_one(put_set_vlan, &tcp4, NULL, -EINVAL, "set: field vlan cannot be set");
	check_one(put_set_in_port, &tcp4, NULL, -EINVAL, "set: field in_port cannot be set");
	check_one(put_set_ct_mark, &tcp4, NULL, -EOPNOTSUPP, "set: field ct_mark is not supported: "
		  "this datapath has no connection tracking");
	check_one(put_set_ipv4, &tcp6, NULL, -EINVAL, "set(ipv4): the packet is not IPv4 at this "
		  "point");
	check_one(put_set_ipv4_proto, &tcp4, NULL, -EINVAL, "set(ipv4): proto and frag must equal "
		  "the flow's");
	check_one(put_setm_ipv4_frag, &tcp4, NULL, -EINVAL, "set_masked(ipv4): proto and frag "
		  "cannot be written");
	check_one(put_setm_outside, &tcp4, NULL, -EINVAL, "set_masked(tcp): the value has bits "
		  "outside its mask");
	check_one(put_set_tcp, &udp4, NULL, -EINVAL, "set(tcp) needs an IP flow matching ip proto "
		  "6 exactly (eth_type 0x0800, proto 17 here)");
	struct flow_key partial = m;
	partial.ip_proto = 0x0f; /* proto 6 under mask 0x0f: not proven */
	check_one(put_set_tcp, &tcp4, &partial, -EINVAL, "set(tcp) needs an IP flow matching ip "
		  "proto 6 exactly");
	check_one(put_set_mpls, &tcp4, NULL, -EINVAL, "set(mpls): the packet has no MPLS label");
	check_one(put_set_ipv6_label, &tcp6, NULL, -EINVAL, "set(ipv6): flow label is wider than "
		  "20 bits");
	check_one(put_setm_tunnel, &tcp4, NULL, -EINVAL, "set_masked(tunnel): a tunnel can only "
		  "be set whole");
	check_one(put_set_tunnel_no_ttl, &tcp4, NULL, -EINVAL, "tunnel: ttl not specified");
	check_one(put_set_two_keys, &tcp4, NULL, -EINVAL, "set: the payload must be exactly one key "
		  "attribute");
	check_one(put_set_bad_size, &tcp4, NULL, -EINVAL, "set(eth): size 4, expected 12");
	/* The good ones pass, with the flow's mask too. */
	struct list l;
	struct errmsg e;
	assert_int_equal(validate(one_action(&l, put_set_tcp), &tcp4, &m, &e), 0);
	nlbuf_free(&l.b);
	assert_int_equal(validate(one_action(&l, put_set_ipv4), &tcp4, &m, &e), 0);
	nlbuf_free(&l.b);
}

/* Headers are tracked along the list; nested lists do not leak out. */
static void test_header_tracking(void **state)
{
	(void)state;
	struct flow_key k = key_ipv4(IPPROTO_TCP);
	struct list l;
	struct errmsg e;

	/* push_mpls, then the IPv4 header is no longer known. */
	list_start(&l);
	put_push_mpls(&l.b);
	put_set_ipv4(&l.b);
	expect_error(validate(list_end(&l), &k, NULL, &e), &e, -EINVAL,
		     "set(ipv4): the packet is not IPv4 at this point");
	nlbuf_free(&l.b);
	/* ...but inside a clone, the outer list is unaffected. */
	list_start(&l);
	size_t n = nlbuf_nest_start(&l.b, OVS_ACTION_ATTR_CLONE);
	put_push_mpls(&l.b);
	put_set_mpls(&l.b);
	nlbuf_nest_end(&l.b, n);
	put_set_ipv4(&l.b);
	assert_int_equal(validate(list_end(&l), &k, NULL, &e), 0);
	nlbuf_free(&l.b);
	/* push_mpls then pop_mpls to IPv4: nothing below is known any more. */
	list_start(&l);
	put_push_mpls(&l.b);
	put_pop_mpls(&l.b);
	put_pop_mpls(&l.b);
	expect_error(validate(list_end(&l), &k, NULL, &e), &e, -EINVAL,
		     "pop_mpls: the packet has no MPLS label on top (eth_type 0x0000)");
	nlbuf_free(&l.b);
	/* A VLAN pushed blocks push_mpls; popped, it does not. */
	struct ovs_action_push_vlan pv = { htons(0x8100), htons(0x1001) };
	list_start(&l);
	nlbuf_put_attr(&l.b, OVS_ACTION_ATTR_PUSH_VLAN, &pv, sizeof(pv));
	put_push_mpls(&l.b);
	expect_error(validate(list_end(&l), &k, NULL, &e), &e, -EINVAL, "has a VLAN tag");
	nlbuf_free(&l.b);
	list_start(&l);
	nlbuf_put_attr(&l.b, OVS_ACTION_ATTR_PUSH_VLAN, &pv, sizeof(pv));
	nlbuf_put_flag(&l.b, OVS_ACTION_ATTR_POP_VLAN);
	put_push_mpls(&l.b);
	put_set_mpls(&l.b);
	assert_int_equal(validate(list_end(&l), &k, NULL, &e), 0);
	nlbuf_free(&l.b);
	/* An MPLS flow: set(mpls) and pop_mpls to IPv4. */
	struct flow_key mpls = key_other(0x8848);
	list_start(&l);
	put_set_mpls(&l.b);
	put_pop_mpls(&l.b);
	assert_int_equal(validate(list_end(&l), &mpls, NULL, &e), 0);
	nlbuf_free(&l.b);
}

/* Nesting: 16 levels pass, 17 are refused; and the offset names the spot. */
static void test_depth_and_size(void **state)
{
	(void)state;
	struct flow_key k = key_ipv4(IPPROTO_TCP);
	struct errmsg e;

	for (int depth = 16; depth <= 17; depth++) {
		struct list l;
		size_t n[20];

		list_start(&l);
		for (int i = 0; i < depth; i++)
			n[i] = nlbuf_nest_start(&l.b, OVS_ACTION_ATTR_CLONE);
		nlbuf_put_u32(&l.b, OVS_ACTION_ATTR_OUTPUT, 1);
		for (int i = depth - 1; i >= 0; i--)
			nlbuf_nest_end(&l.b, n[i]);
		const struct nlattr *acts = list_end(&l);
		if (depth == 16) {
			assert_int_equal(validate(acts, &k, NULL, &e), 0);
		} else {
			expect_error(validate(acts, &k, NULL, &e), &e, -EOVERFLOW,
				     "actions nested deeper than 16 levels");
			assert_int_equal(e.offset, 4 * 18); /* the innermost list */
		}
		nlbuf_free(&l.b);
	}
	/* A list over 32 KiB. */
	struct list l;
	list_start(&l);
	for (int i = 0; i < 4097; i++)
		nlbuf_put_u32(&l.b, OVS_ACTION_ATTR_OUTPUT, 1);
	expect_error(validate(list_end(&l), &k, NULL, &e), &e, -EMSGSIZE,
		     "actions: list of 32776 bytes, at most 32768");
	nlbuf_free(&l.b);
	/* The offset of a bad nested action, from the given origin. */
	list_start(&l);
	nlbuf_put_u32(&l.b, OVS_ACTION_ATTR_OUTPUT, 1);
	put_sample_bad_inner(&l.b);
	const struct nlattr *acts = list_end(&l);
	errmsg_clear(&e);
	assert_int_equal(odp_actions_validate(acts, &k, NULL, l.b.data, &e), -EINVAL);
	/* outer 4, output 8, sample 4, probability 8, actions 4: the trunc */
	assert_int_equal(e.offset, 4 + 8 + 4 + 8 + 4);
	nlbuf_free(&l.b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accept_all),
		cmocka_unit_test(test_accept_icmp_set),
		cmocka_unit_test(test_reject_framing_types),
		cmocka_unit_test(test_reject_unsupported),
		cmocka_unit_test(test_reject_arguments),
		cmocka_unit_test(test_reject_set),
		cmocka_unit_test(test_header_tracking),
		cmocka_unit_test(test_depth_and_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
