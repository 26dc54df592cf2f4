/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for nl_policy (policy-table attribute parsing, the OVS
 * families' tables) and nl_msg (message framing, errors, done).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/openvswitch.h>
#include <string.h>

#include "nl_msg.h"
#include "nl_policy.h"
#include "nlbuf.h"

enum { T_U32 = 1, T_RANGE, T_FLAG, T_NEST, T_STR, T_NOPE, T_PAD, T_MIN, T_MAX_ = 9 };

static const struct nl_pol_attr test_attrs[T_MAX_ + 1] = {
	[T_U32] = NL_POL_U32("u32"),
	[T_RANGE] = NL_POL_RANGE_LEN(2, 6, "range"),
	[T_FLAG] = NL_POL_FLAG_ATTR("flag"),
	[T_NEST] = NL_POL_NESTED_ATTR("nest"),
	[T_STR] = NL_POL_STRING_ATTR(8, "str"),
	[T_NOPE] = NL_POL_UNSUPPORTED_ATTR("nope"),
	[T_PAD] = NL_POL_PAD_ATTR("pad"),
	[T_MIN] = NL_POL_MIN_LEN(3, "min"),
	/* 9: declared max, but not in the table */
};
static const struct nl_policy test_policy = { "test", T_MAX_, test_attrs };

static int parse(const struct nlbuf *b, const struct nlattr **tb, struct errmsg *e)
{
	errmsg_clear(e);
	return nl_policy_parse(&test_policy, b->data, b->len, tb, NULL, e);
}

static void expect(int ret, const struct errmsg *e, int err, int offset, const char *reason)
{
	if (ret != err || !strstr(e->msg, reason))
		print_error("got %d \"%s\", wanted %d \"%s\"\n", ret, e->msg, err, reason);
	assert_int_equal(ret, err);
	assert_non_null(strstr(e->msg, reason));
	assert_int_equal(e->offset, offset);
}

static void test_parse_ok(void **state)
{
	const struct nlattr *tb[T_MAX_ + 1];
	struct nlbuf b;
	struct errmsg e;

	(void)state;
	nlbuf_init(&b, 0);
	nlbuf_put_u32(&b, T_U32, 0xdeadbeef);
	nlbuf_put_attr(&b, T_RANGE, "abcde", 5);
	nlbuf_put_flag(&b, T_FLAG);
	size_t n = nlbuf_nest_start(&b, T_NEST);
	nlbuf_put_u32(&b, 1, 1);
	nlbuf_put_flag(&b, 2);
	nlbuf_nest_end(&b, n);
	nlbuf_put_string(&b, T_STR, "seven77");
	nlbuf_put_attr(&b, T_PAD, NULL, 4);
	nlbuf_put_attr(&b, T_PAD, NULL, 0); /* padding may repeat */
	nlbuf_put_attr(&b, T_MIN, "0123456789", 10);
	assert_int_equal(parse(&b, tb, &e), 0);
	assert_int_equal(mnl_attr_get_u32(tb[T_U32]), 0xdeadbeef);
	assert_int_equal(nl_attr_len(tb[T_RANGE]), 5);
	assert_non_null(tb[T_FLAG]);
	assert_int_equal(nl_attr_len(tb[T_NEST]), 12);
	assert_string_equal(mnl_attr_get_str(tb[T_STR]), "seven77");
	assert_null(tb[T_PAD]);
	assert_null(tb[T_NOPE]);
	assert_int_equal(nl_attr_len(tb[T_MIN]), 10);
	nlbuf_free(&b);

	/* An empty stream and an empty nest are fine. */
	nlbuf_init(&b, 0);
	assert_int_equal(parse(&b, tb, &e), 0);
	nlbuf_put_attr(&b, T_NEST, NULL, 0);
	assert_int_equal(parse(&b, tb, &e), 0);
	assert_non_null(tb[T_NEST]);
	nlbuf_free(&b);
}

/* nl_policy_parse_genl(): the kernel genl layer's liberal parse of a
 * family's top-level attributes (GENL_DONT_VALIDATE_STRICT). */
static void test_parse_genl(void **state)
{
	const struct nlattr *tb[T_MAX_ + 1];
	struct nlbuf b;
	struct errmsg e;
	int ret;

	(void)state;
	nlbuf_init(&b, 0);
	nlbuf_put_u32(&b, T_U32, 1);
	nlbuf_put_u32(&b, 77, 5);                    /* above max_type: skipped */
	nlbuf_put_u32(&b, 9, 5);                     /* no table entry: skipped */
	nlbuf_put_u32(&b, T_U32, 2);                 /* twice: the last counts */
	nlbuf_put_attr(&b, T_RANGE, "abc", 3);
	nlbuf_put_attr(&b, T_RANGE, "abcd", 4);
	errmsg_clear(&e);
	assert_int_equal(nl_policy_parse_genl(&test_policy, b.data, b.len, tb, true, NULL, &e), 0);
	assert_int_equal(mnl_attr_get_u32(tb[T_U32]), 2);
	assert_int_equal(nl_attr_len(tb[T_RANGE]), 4);
	assert_null(tb[9]);
	/* The strict parse refuses the same stream. */
	assert_int_equal(parse(&b, tb, &e), -EINVAL);
	nlbuf_free(&b);

	/* A fixed size takes a longer payload, not a shorter one. */
	nlbuf_init(&b, 0);
	nlbuf_put_attr(&b, T_U32, "\x01\x00\x00\x00\xff\xff\xff\xff", 8);
	assert_int_equal(nl_policy_parse_genl(&test_policy, b.data, b.len, tb, true, NULL, &e), 0);
	assert_int_equal(mnl_attr_get_u32(tb[T_U32]), 1);
	nlbuf_put_attr(&b, T_U32, "\x01\x00", 2);
	errmsg_clear(&e);
	ret = nl_policy_parse_genl(&test_policy, b.data, b.len, tb, true, NULL, &e);
	expect(ret, &e, -EINVAL, 12, "test attribute u32: size 2, expected 4");
	nlbuf_free(&b);

	/* Still checked: ranges, flags, strings, nested streams (when deep),
	 * unsupported types, broken headers. */
	static const struct {
		uint16_t type;
		const char *data;
		uint16_t len;
		int err, offset;
		const char *reason;
	} bad[] = {
		{ T_RANGE, "abcdefg", 7, -EINVAL, 0, "expected 2..6" },
		{ T_FLAG, "x", 1, -EINVAL, 0, "flag: size 1" },
		{ T_STR, "abc", 3, -EINVAL, 0, "without its NUL" },
		{ T_NEST, "\x50\x00\x01\x00", 4, -EINVAL, 4, "malformed" },
		{ T_NOPE, "", 0, -EOPNOTSUPP, 0, "not supported" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		nlbuf_init(&b, 0);
		nlbuf_put_attr(&b, bad[i].type, bad[i].data, bad[i].len);
		errmsg_clear(&e);
		ret = nl_policy_parse_genl(&test_policy, b.data, b.len, tb, true, NULL, &e);
		expect(ret, &e, bad[i].err, bad[i].offset, bad[i].reason);
		nlbuf_free(&b);
	}
	/* Shallow: a nested payload is not walked. */
	nlbuf_init(&b, 0);
	nlbuf_put_attr(&b, T_NEST, "\x50\x00\x01\x00", 4);
	assert_int_equal(nl_policy_parse_genl(&test_policy, b.data, b.len, tb, false, NULL, &e), 0);
	nlbuf_free(&b);
	/* A header that runs past the end. */
	nlbuf_init(&b, 0);
	nlbuf_put_u32(&b, T_U32, 1);
	((struct nlattr *)b.data)->nla_len = 40;
	errmsg_clear(&e);
	ret = nl_policy_parse_genl(&test_policy, b.data, b.len, tb, true, NULL, &e);
	expect(ret, &e, -EINVAL, 0, "runs past the end");
	nlbuf_free(&b);
}

/* nl_policy_parse_bits(): a bit for each indexed type, none for padding;
 * the NLA_F_NESTED / NLA_F_NET_BYTEORDER bits are not part of the type. */
static void test_parse_bits(void **state)
{
	const struct nlattr *tb[T_MAX_ + 1];
	uint64_t present = 12345;
	struct nlbuf b;
	struct errmsg e;

	(void)state;
	errmsg_clear(&e);
	nlbuf_init(&b, 0);
	assert_int_equal(nl_policy_parse_bits(&test_policy, b.data, 0, tb, &present, NULL, &e), 0);
	assert_int_equal(present, 0);
	nlbuf_put_attr(&b, T_PAD, NULL, 4);
	nlbuf_put_attr(&b, T_RANGE | NLA_F_NET_BYTEORDER, "ab", 2);
	nlbuf_nest_end(&b, nlbuf_nest_start(&b, T_NEST));
	nlbuf_put_u32(&b, T_U32, 7);
	assert_int_equal(nl_policy_parse_bits(&test_policy, b.data, b.len, tb, &present, NULL, &e),
			 0);
	assert_int_equal(present, 1u << T_U32 | 1u << T_RANGE | 1u << T_NEST);
	assert_non_null(tb[T_RANGE]);
	assert_null(tb[T_PAD]);
	nlbuf_put_u32(&b, T_U32, 8);
	assert_int_equal(nl_policy_parse_bits(&test_policy, b.data, b.len, tb, &present, NULL, &e),
			 -EINVAL);
	assert_non_null(strstr(e.msg, "appears twice"));
	nlbuf_free(&b);
}

/* One attribute (built by 'put') preceded by a good u32; expect an error. */
static void one_bad(void (*put)(struct nlbuf *), int err, int offset, const char *reason)
{
	const struct nlattr *tb[T_MAX_ + 1];
	struct nlbuf b;
	struct errmsg e;

	nlbuf_init(&b, 0);
	nlbuf_put_u32(&b, T_U32, 1);
	put(&b);
	expect(parse(&b, tb, &e), &e, err, offset, reason);
	nlbuf_free(&b);
}

static void put_short_u32(struct nlbuf *b) { nlbuf_put_attr(b, T_MIN, "ab", 2); }
static void put_bad_u32(struct nlbuf *b) { nlbuf_put_attr(b, T_U32 + 100, "abc", 3); }
static void put_u32_size(struct nlbuf *b)
{
	b->len -= 8; /* replace the first: a u32 of 3 bytes */
	nlbuf_put_attr(b, T_U32, "abc", 3);
}
static void put_range_big(struct nlbuf *b) { nlbuf_put_attr(b, T_RANGE, "1234567", 7); }
static void put_range_small(struct nlbuf *b) { nlbuf_put_attr(b, T_RANGE, "1", 1); }
static void put_flag_data(struct nlbuf *b) { nlbuf_put_u8(b, T_FLAG, 1); }
static void put_str_nonul(struct nlbuf *b) { nlbuf_put_attr(b, T_STR, "abc", 3); }
static void put_str_long(struct nlbuf *b) { nlbuf_put_string(b, T_STR, "eight888"); }
static void put_nest_bad(struct nlbuf *b) { nlbuf_put_attr(b, T_NEST, "\x02\x00\x01\x00", 4); }
static void put_unsupported(struct nlbuf *b) { nlbuf_put_flag(b, T_NOPE); }
static void put_not_in_table(struct nlbuf *b) { nlbuf_put_flag(b, 9); }
static void put_type0(struct nlbuf *b) { nlbuf_put_flag(b, 0); }
static void put_dup(struct nlbuf *b) { nlbuf_put_u32(b, T_U32, 2); }
static void put_trailing(struct nlbuf *b)
{
	nlbuf_put(b, "\x01\x02\x03", 3);
	b->len -= 1; /* three bytes, unpadded */
}
static void put_len_small(struct nlbuf *b) { nlbuf_put(b, "\x03\x00\x01\x00", 4); }
static void put_len_past(struct nlbuf *b) { nlbuf_put(b, "\x0c\x00\x01\x00\x00\x00\x00\x00", 8); }

static void test_parse_errors(void **state)
{
	(void)state;
	one_bad(put_short_u32, -EINVAL, 8, "test attribute min: size 2, expected at least 3");
	one_bad(put_bad_u32, -EINVAL, 8, "test attributes: unknown attribute type 101");
	one_bad(put_u32_size, -EINVAL, 0, "test attribute u32: size 3, expected 4");
	one_bad(put_range_big, -EINVAL, 8, "test attribute range: size 7, expected 2..6");
	one_bad(put_range_small, -EINVAL, 8, "size 1, expected 2..6");
	one_bad(put_flag_data, -EINVAL, 8, "test attribute flag: size 1, expected 0");
	one_bad(put_str_nonul, -EINVAL, 8, "test attribute str: string without its NUL");
	one_bad(put_str_long, -EINVAL, 8, "string of 8 bytes, at most 7 allowed");
	one_bad(put_nest_bad, -EINVAL, 12, "test attribute nest: nested attribute at +0 is malformed");
	one_bad(put_unsupported, -EOPNOTSUPP, 8, "test attribute nope (6) is not supported");
	one_bad(put_not_in_table, -EINVAL, 8, "unknown attribute type 9");
	one_bad(put_type0, -EINVAL, 8, "unknown attribute type 0");
	one_bad(put_dup, -EINVAL, 8, "test attribute u32 (1) appears twice");
	one_bad(put_trailing, -EINVAL, 8, "3 trailing bytes, too few for an attribute header");
	one_bad(put_len_small, -EINVAL, 8, "attribute length 3 is below the 4-byte header");
	one_bad(put_len_past, -EINVAL, 8, "attribute length 12 runs past the end (8 bytes left)");
}

/* Offsets count from 'origin'; a misaligned buffer is refused. */
static void test_origin_alignment(void **state)
{
	const struct nlattr *tb[T_MAX_ + 1];
	uint32_t mem[8] = { 0 };
	struct errmsg e;

	(void)state;
	memcpy(mem + 2, "\x04\x00\x00\x00", 4); /* type 0 at byte 8 */
	errmsg_clear(&e);
	expect(nl_policy_parse(&test_policy, mem + 2, 4, tb, mem, &e), &e, -EINVAL, 8,
	       "unknown attribute type 0");
	errmsg_clear(&e);
	expect(nl_policy_parse(&test_policy, (uint8_t *)mem + 1, 4, tb, mem, &e), &e, -EINVAL, 1,
	       "not 4-byte aligned");
	for (int i = 0; i <= T_MAX_; i++)
		assert_null(tb[i]);
}

/* Every attribute the OVS families declare parses at its size. */
static void test_family_policies(void **state)
{
	static const struct nl_policy *const pols[] = {
		&nl_policy_ovs_datapath, &nl_policy_ovs_vport, &nl_policy_ovs_flow,
		&nl_policy_ovs_packet, &nl_policy_genl_ctrl,
	};
	const struct nlattr *tb[64];
	struct errmsg e;

	(void)state;
	for (size_t p = 0; p < sizeof(pols) / sizeof(pols[0]); p++) {
		const struct nl_policy *pol = pols[p];
		struct nlbuf b;
		int n = 0;

		assert_true(pol->max_type < 64);
		nlbuf_init(&b, 0);
		for (uint16_t t = 0; t <= pol->max_type; t++) {
			const struct nl_pol_attr *pa = &pol->attrs[t];

			if (pa->kind == NL_POL_NONE)
				continue;
			assert_non_null(pa->name);
			if (pa->kind == NL_POL_STRING)
				nlbuf_put_string(&b, t, "x");
			else
				nlbuf_put_attr(&b, t, NULL, pa->min);
			n++;
		}
		errmsg_clear(&e);
		if (nl_policy_parse(pol, b.data, b.len, tb, NULL, &e) != 0)
			print_error("%s: %s\n", pol->name, e.msg);
		assert_int_equal(e.err, 0);
		assert_true(n > 4);
		nlbuf_free(&b);
	}
	/* Sizes the kernel wants: a UFID of 1..16 bytes, a 14-byte packet. */
	assert_int_equal(nl_policy_ovs_flow.attrs[OVS_FLOW_ATTR_UFID].max, 16);
	assert_int_equal(nl_policy_ovs_packet.attrs[OVS_PACKET_ATTR_PACKET].min, 14);
	assert_int_equal(nl_policy_ovs_vport.attrs[OVS_VPORT_ATTR_NAME].max, 16);
	assert_int_equal(nl_policy_ovs_flow.attrs[OVS_FLOW_ATTR_STATS].min,
			 sizeof(struct ovs_flow_stats));
}

/* ---- nl_msg ---- */

static size_t put_request(struct nlbuf *b, uint32_t seq, int dp)
{
	size_t ofs = nlbuf_msg_start(b, 0x20, NLM_F_REQUEST | NLM_F_ACK, seq, 77);

	nlbuf_put_genl(b, OVS_FLOW_CMD_GET, OVS_FLOW_VERSION);
	nlbuf_put_ovs_header(b, dp);
	nlbuf_put_u32(b, OVS_FLOW_ATTR_UFID_FLAGS, 1);
	nlbuf_msg_end(b, ofs);
	return ofs;
}

static void test_msg_walk(void **state)
{
	const struct nlmsghdr *nlh;
	struct nl_msg msg;
	struct nlbuf b;
	struct errmsg e;
	size_t ofs = 0;

	(void)state;
	nlbuf_init(&b, 0);
	put_request(&b, 1, 5);
	put_request(&b, 2, 6);
	errmsg_clear(&e);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(nl_msg_next(b.data, b.len, &ofs, &nlh, &e), 1);
		assert_int_equal(nlh->nlmsg_seq, i + 1);
		assert_int_equal(nl_msg_parse(nlh, true, &msg, &e), 0);
		assert_int_equal(msg.genl->cmd, OVS_FLOW_CMD_GET);
		assert_int_equal(msg.dp_ifindex, 5 + i);
		assert_int_equal(msg.attrs_len, 8);
		assert_int_equal(msg.attrs_ofs, 24);
		assert_int_equal(mnl_attr_get_type(msg.attrs), OVS_FLOW_ATTR_UFID_FLAGS);
	}
	assert_int_equal(nl_msg_next(b.data, b.len, &ofs, &nlh, &e), 0);
	assert_null(nlh);

	/* Without an ovs_header (the genl controller). */
	nlh = (const void *)b.data;
	assert_int_equal(nl_msg_parse(nlh, false, &msg, &e), 0);
	assert_int_equal(msg.attrs_ofs, 20);
	assert_int_equal(msg.dp_ifindex, 0);
	nlbuf_free(&b);
}

static void test_msg_bad_framing(void **state)
{
	uint32_t mem[16];
	struct nlmsghdr *h = (void *)mem;
	const struct nlmsghdr *nlh;
	struct nl_msg msg;
	struct errmsg e;
	size_t ofs;

	(void)state;
	memset(mem, 0, sizeof(mem));
	errmsg_clear(&e);
	ofs = 0;
	expect(nl_msg_next(mem, 10, &ofs, &nlh, &e), &e, -EINVAL, 0,
	       "10 trailing bytes at offset 0, too few for a netlink header");
	h->nlmsg_len = 8;
	errmsg_clear(&e);
	expect(nl_msg_next(mem, 64, &ofs, &nlh, &e), &e, -EINVAL, 0,
	       "nlmsg_len 8 is below its 16-byte header");
	h->nlmsg_len = 100;
	errmsg_clear(&e);
	expect(nl_msg_next(mem, 64, &ofs, &nlh, &e), &e, -EINVAL, 0,
	       "nlmsg_len 100 runs past the datagram (64 bytes left)");
	h->nlmsg_len = 18;
	errmsg_clear(&e);
	assert_int_equal(nl_msg_next(mem, 64, &ofs, &nlh, &e), 1);
	assert_int_equal(ofs, 20);
	expect(nl_msg_parse(nlh, false, &msg, &e), &e, -EINVAL, 16,
	       "message of 18 bytes is too short for its genl header (20)");
	h->nlmsg_len = 22;
	errmsg_clear(&e);
	expect(nl_msg_parse(h, true, &msg, &e), &e, -EINVAL, 20,
	       "message of 22 bytes is too short for its ovs_header (24)");
}

static void test_msg_error_done(void **state)
{
	struct nlbuf req, out;
	const struct nlmsghdr *nlh;
	const char *reason;
	struct errmsg why, e;
	int error, offset;
	size_t ofs = 0;

	(void)state;
	nlbuf_init(&req, 0);
	put_request(&req, 9, 1);
	const struct nlmsghdr *r = (const void *)req.data;
	nlbuf_init(&out, 0);
	errmsg_clear(&why);
	errmsg_set(&why, -EINVAL, 28, "flow attribute key: bad");
	nl_msg_put_error(&out, r, -EINVAL, &why);
	nl_msg_put_error(&out, r, 0, NULL);
	nl_msg_put_done(&out, r);
	errmsg_clear(&e);

	assert_int_equal(nl_msg_next(out.data, out.len, &ofs, &nlh, &e), 1);
	assert_int_equal(nlh->nlmsg_type, NLMSG_ERROR);
	assert_int_equal(nlh->nlmsg_seq, 9);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_CAPPED | NLM_F_ACK_TLVS);
	assert_int_equal(nl_msg_read_error(nlh, &error, &reason, &offset, &e), 0);
	assert_int_equal(error, -EINVAL);
	assert_string_equal(reason, "flow attribute key: bad");
	assert_int_equal(offset, 28);

	assert_int_equal(nl_msg_next(out.data, out.len, &ofs, &nlh, &e), 1);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_CAPPED);
	assert_int_equal(nl_msg_read_error(nlh, &error, &reason, &offset, &e), 0);
	assert_int_equal(error, 0);
	assert_null(reason);
	assert_int_equal(offset, -1);

	assert_int_equal(nl_msg_next(out.data, out.len, &ofs, &nlh, &e), 1);
	assert_int_equal(nlh->nlmsg_type, NLMSG_DONE);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_MULTI);
	assert_int_equal(nlh->nlmsg_len, NLMSG_HDRLEN + 4);
	expect(nl_msg_read_error(nlh, &error, &reason, &offset, &e), &e, -EINVAL, 0,
	       "not a whole NLMSG_ERROR");
	nlbuf_free(&out);

	/* An uncapped error (as the kernel sends by default) echoes the whole
	 * request before its TLVs. */
	nlbuf_init(&out, 0);
	size_t m = nlbuf_msg_start(&out, NLMSG_ERROR, NLM_F_ACK_TLVS, 9, 77);
	struct nlmsgerr ne = { .error = -ENOENT, .msg = *r };
	nlbuf_put(&out, &ne, sizeof(ne));
	nlbuf_put(&out, req.data + NLMSG_HDRLEN, r->nlmsg_len - NLMSG_HDRLEN);
	nlbuf_put_string(&out, NLMSGERR_ATTR_MSG, "no such flow");
	nlbuf_msg_end(&out, m);
	errmsg_clear(&e);
	assert_int_equal(nl_msg_read_error((const void *)out.data, &error, &reason, &offset, &e),
			 0);
	assert_int_equal(error, -ENOENT);
	assert_string_equal(reason, "no such flow");
	/* A positive errno is malformed. */
	((struct nlmsgerr *)(out.data + NLMSG_HDRLEN))->error = 5;
	expect(nl_msg_read_error((const void *)out.data, &error, &reason, &offset, &e), &e,
	       -EINVAL, 16, "positive errno 5");
	nlbuf_free(&out);
	nlbuf_free(&req);
}


/* ---- the layout memo ---- */

static uint64_t memo_rng = 0x2545f4914f6cdd1dULL;

static uint32_t memo_below(uint32_t n)
{
	memo_rng ^= memo_rng << 13;
	memo_rng ^= memo_rng >> 7;
	memo_rng ^= memo_rng << 17;
	return (uint32_t)(memo_rng % n);
}

/* A random stream over the test policy's types (unknown ones included)
 * with sizes the table allows and some it does not. */
static void random_stream(struct nlbuf *b)
{
	static const uint16_t types[] = { T_U32, T_RANGE, T_FLAG, T_NEST, T_STR, T_NOPE,
					  T_PAD, T_MIN, 9, 77, T_U32, T_RANGE, T_MIN };
	static const uint8_t lens[] = { 0, 1, 2, 3, 4, 4, 5, 6, 7, 8, 10 };
	uint8_t payload[16];

	for (unsigned int n = 1 + memo_below(6); n; n--) {
		uint16_t type = types[memo_below(sizeof(types) / sizeof(types[0]))];
		uint8_t len = lens[memo_below(sizeof(lens))];

		for (unsigned int i = 0; i < sizeof(payload); i++)
			payload[i] = (uint8_t)memo_below(4) ? (uint8_t)('a' + memo_below(3)) : 0;
		nlbuf_put_attr(b, type, payload, len);
	}
}

struct memo_outcome {
	int ret;
	struct errmsg e;
	long ofs[T_MAX_ + 1];   /* tb[] as offsets, -1: NULL */
	uint64_t present;
};

/* One parse of 'b' in 'mode' (0: strict bits, 1: genl deep, 2: genl
 * shallow), through 'memo' or (NULL) the plain entry points. */
static void memo_parse(const struct nlbuf *b, int mode, struct nl_layout_memo *memo,
		       struct memo_outcome *o)
{
	const struct nlattr *tb[T_MAX_ + 1];

	errmsg_clear(&o->e);
	o->present = 0;
	if (mode == 0)
		o->ret = memo ? nl_policy_parse_bits_memo(&test_policy, memo, b->data, b->len, tb,
							  &o->present, NULL, &o->e)
			      : nl_policy_parse_bits(&test_policy, b->data, b->len, tb,
						     &o->present, NULL, &o->e);
	else
		o->ret = memo ? nl_policy_parse_genl_memo(&test_policy, memo, b->data, b->len, tb,
							  mode == 1, NULL, &o->e)
			      : nl_policy_parse_genl(&test_policy, b->data, b->len, tb, mode == 1,
						     NULL, &o->e);
	for (int t = 0; t <= T_MAX_; t++)
		o->ofs[t] = o->ret == 0 && tb[t] ? (const uint8_t *)tb[t] - b->data : -1;
}

/*
 * A parse through the memo must be the plain parse, errors included: on
 * a stream after another of the same layout (other payload bytes: the
 * memo replays it unless a payload decides), and after a random byte of
 * it changed (headers too: the memo must notice). Every mode, each
 * compared with the plain parse of the same bytes.
 */
static void test_layout_memo_same_as_parse(void **state)
{
	unsigned int kept = 0, n = 20000;

	(void)state;
	for (unsigned int i = 0; i < n; i++) {
		int mode = (int)memo_below(3);
		struct nl_layout_memo memo = { 0 };
		struct memo_outcome plain, memod;
		struct nlbuf a, b;

		nlbuf_init(&a, 0);
		random_stream(&a);
		nlbuf_init(&b, a.len);
		nlbuf_put(&b, a.data, a.len);
		memo_parse(&a, mode, &memo, &memod);
		kept += memo.len != 0;
		if (memo_below(2)) {
			/* Same layout, other payloads: the bytes after each header. */
			size_t pos = 0;
			while (pos + NLA_HDRLEN <= b.len) {
				struct nlattr *nla = (void *)(b.data + pos);
				size_t end = pos + NLA_ALIGN(nla->nla_len);
				for (size_t j = pos + NLA_HDRLEN; j < end && j < b.len; j++)
					b.data[j] = (uint8_t)(memo_below(3) ? 'a' + memo_below(3) : 0);
				if (nla->nla_len < NLA_HDRLEN)
					break;
				pos = end;
			}
		} else {
			b.data[memo_below((uint32_t)b.len)] = (uint8_t)memo_below(256);
		}
		memo_parse(&b, mode, NULL, &plain);
		memo_parse(&b, mode, &memo, &memod);
		if (plain.ret != memod.ret || strcmp(plain.e.msg, memod.e.msg) != 0)
			print_error("#%u mode %d: %d '%s' against %d '%s'\n", i, mode, plain.ret,
				    plain.e.msg, memod.ret, memod.e.msg);
		assert_int_equal(plain.ret, memod.ret);
		assert_string_equal(plain.e.msg, memod.e.msg);
		assert_int_equal(plain.e.offset, memod.e.offset);
		assert_memory_equal(plain.ofs, memod.ofs, sizeof(plain.ofs));
		if (mode == 0)
			assert_true(plain.present == memod.present);
		nlbuf_free(&a);
		nlbuf_free(&b);
	}
	/* Worth something only if streams were kept (and then replayed). */
	assert_true(kept > n / 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_bits),
		cmocka_unit_test(test_parse_genl),
		cmocka_unit_test(test_layout_memo_same_as_parse),
		cmocka_unit_test(test_origin_alignment),
		cmocka_unit_test(test_family_policies),
		cmocka_unit_test(test_msg_walk),
		cmocka_unit_test(test_msg_bad_framing),
		cmocka_unit_test(test_msg_error_done),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
