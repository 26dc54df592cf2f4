/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for the small shared utilities: errmsg, strbuf, nlbuf,
 * tsc_clock. */
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

#include "errmsg.h"
#include "nlbuf.h"
#include "strbuf.h"
#include "tsc_clock.h"

static void test_errmsg_first_wins(void **state)
{
	struct errmsg e;

	(void)state;
	errmsg_clear(&e);
	assert_int_equal(errmsg_set(&e, -EINVAL, 7, "bad %s", "token"), -EINVAL);
	assert_int_equal(errmsg_set(&e, -ENOENT, 9, "later"), -ENOENT);
	assert_int_equal(e.err, -EINVAL);
	assert_int_equal(e.offset, 7);
	assert_string_equal(e.msg, "bad token");
	assert_int_equal(errmsg_set(NULL, -EPERM, 0, "x"), -EPERM);
}

static void test_strbuf(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb);
	assert_string_equal(sb.s, "");
	for (int i = 0; i < 1000; i++)
		strbuf_addf(&sb, "%d,", i);
	strbuf_trim_end(&sb, ",");
	assert_int_equal(sb.len, strlen(sb.s));
	assert_string_equal(sb.s + sb.len - 3, "999");
	strbuf_reset(&sb);
	strbuf_addc(&sb, 'x');
	strbuf_add(&sb, "yz", 2);
	assert_string_equal(sb.s, "xyz");
	strbuf_free(&sb);
}

/* A message built with nlbuf parses back with libmnl, nests included. */
static void test_nlbuf_roundtrip(void **state)
{
	struct nlbuf b;

	(void)state;
	nlbuf_init(&b, 0);
	size_t msg = nlbuf_msg_start(&b, 0x20, NLM_F_REQUEST | NLM_F_ACK, 42, 7);
	nlbuf_put_genl(&b, OVS_FLOW_CMD_NEW, OVS_FLOW_VERSION);
	nlbuf_put_ovs_header(&b, 5);
	size_t nest = nlbuf_nest_start(&b, OVS_FLOW_ATTR_KEY);
	nlbuf_put_u32(&b, OVS_KEY_ATTR_IN_PORT, 3);
	nlbuf_put_u16(&b, OVS_KEY_ATTR_ETHERTYPE, 0x0008);
	nlbuf_nest_end(&b, nest);
	nlbuf_put_string(&b, OVS_FLOW_ATTR_UFID, "abc");
	nlbuf_msg_end(&b, msg);
	assert_false(b.overflow);

	const struct nlmsghdr *nlh = nlbuf_at(&b, msg);
	assert_true(mnl_nlmsg_ok(nlh, (int)b.len));
	assert_int_equal(nlh->nlmsg_len, b.len);
	assert_int_equal(nlh->nlmsg_seq, 42);
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(genl->cmd, OVS_FLOW_CMD_NEW);
	const struct ovs_header *ovs = (const void *)(genl + 1);
	assert_int_equal(ovs->dp_ifindex, 5);

	const struct nlattr *attr;
	int n = 0;
	mnl_attr_for_each(attr, nlh, GENL_HDRLEN + sizeof(*ovs)) {
		if (mnl_attr_get_type(attr) == OVS_FLOW_ATTR_KEY) {
			const struct nlattr *in;
			int m = 0;
			mnl_attr_for_each_nested(in, attr) {
				if (mnl_attr_get_type(in) == OVS_KEY_ATTR_IN_PORT)
					assert_int_equal(mnl_attr_get_u32(in), 3);
				m++;
			}
			assert_int_equal(m, 2);
		} else {
			assert_string_equal(mnl_attr_get_str(attr), "abc");
		}
		n++;
	}
	assert_int_equal(n, 2);
	nlbuf_free(&b);
}

/* A fixed buffer never grows: the overflowing write is dropped and flagged. */
static void test_nlbuf_fixed_overflow(void **state)
{
	uint8_t mem[16];
	struct nlbuf b;

	(void)state;
	nlbuf_init_fixed(&b, mem, sizeof(mem));
	nlbuf_put_u32(&b, 1, 1);
	assert_false(b.overflow);
	assert_int_equal(b.len, 8);
	nlbuf_put_u64(&b, 2, 2); /* 12 bytes: does not fit in the 8 left */
	assert_true(b.overflow);
	assert_int_equal(b.len, 8);
	nlbuf_put_u8(&b, 3, 3); /* would fit, but the buffer is already bad */
	assert_int_equal(b.len, 8);
	nlbuf_reset(&b);
	assert_false(b.overflow);
	assert_int_equal(b.len, 0);
}

/* Padding is zeroed whatever the buffer held, for every payload length;
 * a NULL payload writes zeros. */
static void test_nlbuf_padding(void **state)
{
	static const uint8_t data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t mem[64];
	struct nlbuf b;

	(void)state;
	for (size_t len = 0; len <= sizeof(data); len++) {
		size_t padded = (len + 3) & ~(size_t)3;

		memset(mem, 0xee, sizeof(mem));
		nlbuf_init_fixed(&b, mem, sizeof(mem));
		nlbuf_put_attr(&b, 9, data, len);
		assert_int_equal(b.len, 4 + padded);
		assert_int_equal(mem[0], 4 + len);
		assert_memory_equal(mem + 4, data, len);
		for (size_t i = 4 + len; i < 4 + padded; i++)
			assert_int_equal(mem[i], 0);
		assert_int_equal(mem[4 + padded], 0xee);
		assert_int_equal(nlbuf_put(&b, NULL, len), 4 + padded);
		for (size_t i = 4 + padded; i < 4 + 2 * padded; i++)
			assert_int_equal(mem[i], 0);
		assert_int_equal(mem[4 + 2 * padded], 0xee);
	}
}

/* The fixed-size writers: value bytes in memory order, zero padding. */
static void test_nlbuf_ints(void **state)
{
	uint8_t mem[64];
	uint16_t u16 = 0x1234;
	uint32_t u32 = 0x12345678;
	uint64_t u64 = 0x1122334455667788ull;
	struct nlbuf b;

	(void)state;
	memset(mem, 0xee, sizeof(mem));
	nlbuf_init_fixed(&b, mem, sizeof(mem));
	nlbuf_put_u8(&b, 1, 0xab);
	nlbuf_put_u16(&b, 2, u16);
	nlbuf_put_u32(&b, 3, u32);
	nlbuf_put_u64(&b, 4, u64);
	nlbuf_put_flag(&b, 5);
	assert_int_equal(b.len, 8 + 8 + 8 + 12 + 4);
	assert_memory_equal(mem, ((uint8_t[]){ 5, 0, 1, 0, 0xab, 0, 0, 0 }), 8);
	assert_memory_equal(mem + 8, ((uint8_t[]){ 6, 0, 2, 0 }), 4);
	assert_memory_equal(mem + 12, &u16, 2);
	assert_memory_equal(mem + 14, ((uint8_t[]){ 0, 0 }), 2);
	assert_memory_equal(mem + 16, ((uint8_t[]){ 8, 0, 3, 0 }), 4);
	assert_memory_equal(mem + 20, &u32, 4);
	assert_memory_equal(mem + 24, ((uint8_t[]){ 12, 0, 4, 0 }), 4);
	assert_memory_equal(mem + 28, &u64, 8);
	assert_memory_equal(mem + 36, ((uint8_t[]){ 4, 0, 5, 0 }), 4);
	assert_int_equal(mem[40], 0xee);
	nlbuf_init_fixed(&b, mem, 10);
	nlbuf_put_u32(&b, 3, u32);
	nlbuf_put_u8(&b, 1, 1); /* 8 bytes, 2 left */
	assert_true(b.overflow);
	assert_int_equal(b.len, 8);
}

/* The multiply agrees with the division it replaces to within the tick
 * that rounding can cost at an exact millisecond boundary, and never runs
 * backwards. */
static void test_tsc_clock(void **state)
{
	static const uint64_t hzs[] = { 0, 1000, 2600000000ull, 3999999999ull };
	struct tsc_clock c;

	(void)state;
	for (size_t h = 0; h < sizeof(hzs) / sizeof(hzs[0]); h++) {
		uint64_t per_ms = hzs[h] / 1000 > 1 ? hzs[h] / 1000 : 2;
		const uint64_t deltas[] = { 0, 1, per_ms - 1, per_ms, per_ms + 1, 10000 * per_ms + 7,
					    86400000ull * per_ms, 31536000000ull * per_ms + 3 };
		uint64_t prev = 0;

		tsc_clock_init(&c, hzs[h], 123456789, 5000);
		for (size_t d = 0; d < sizeof(deltas) / sizeof(deltas[0]); d++) {
			uint64_t want = 5000 + deltas[d] / per_ms;
			uint64_t got = tsc_clock_ms(&c, 123456789 + deltas[d]);

			assert_true(got == want || got + 1 == want);
			assert_true(got >= prev);
			prev = got;
		}
	}
	tsc_clock_init(&c, 2600000000ull, 0, 0);
	assert_int_equal(tsc_clock_ms(&c, 2600000000ull * 3 + 3900000), 3001); /* 3001.5 ms */
}

/* A flow's use as a monotonic time for OVS_FLOW_ATTR_USED. The TSC clock
 * runs fast here (EAL measured 2090 MHz of a 2100 MHz TSC): 10 s after its
 * start it is ahead of CLOCK_MONOTONIC, so a stamp passed on as it is would
 * be in the monotonic clock's future and print as a negative age. */
static void test_tsc_clock_stamp_to(void **state)
{
	const uint64_t true_hz = 2100000000ull, tsc0 = 777, mono0 = 1000000;
	uint64_t tsc = tsc0 + 10 * true_hz, mono_now = mono0 + 10000;
	struct tsc_clock c;
	uint64_t now;

	(void)state;
	tsc_clock_init(&c, 2090000000ull, tsc0, mono0);
	now = tsc_clock_ms(&c, tsc);
	assert_true(now > mono_now + 40); /* the drift this guards against */
	/* Used just now, and 250 ms before now (on the TSC): the ages stay. */
	assert_int_equal(tsc_clock_stamp_to(now, now, mono_now), mono_now);
	assert_int_equal(tsc_clock_stamp_to(now - 250, now, mono_now), mono_now - 250);
	/* A PMD on another core stamped 2 ms after the control thread's read. */
	assert_int_equal(tsc_clock_stamp_to(now + 2, now, mono_now), mono_now);
	/* Older than the other clock itself: still "used", never 0. */
	assert_int_equal(tsc_clock_stamp_to(5, now, 100), 1);
	assert_int_equal(tsc_clock_stamp_to(now - 100, now, 100), 1);
	assert_int_equal(tsc_clock_stamp_to(now - 99, now, 100), 1);
	assert_int_equal(tsc_clock_stamp_to(now - 98, now, 100), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errmsg_first_wins),
		cmocka_unit_test(test_strbuf),
		cmocka_unit_test(test_nlbuf_roundtrip),
		cmocka_unit_test(test_nlbuf_fixed_overflow),
		cmocka_unit_test(test_nlbuf_padding),
		cmocka_unit_test(test_nlbuf_ints),
		cmocka_unit_test(test_tsc_clock),
		cmocka_unit_test(test_tsc_clock_stamp_to),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
