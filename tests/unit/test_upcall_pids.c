/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for upcall_pids: the kernel's choice of listener, per CPU
 * (ovs_dp_get_upcall_portid) and per flow hash over a vport's pids
 * (ovs_vport_find_upcall_portid), and the arrays' checks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "upcall_pids.h"

static void test_set(void **state)
{
	struct upcall_pids p = { 0 };
	const uint32_t two[2] = { 0, 7 };

	(void)state;
	assert_int_equal(upcall_pids_for_cpu(&p, 3), 0);
	assert_int_equal(upcall_pids_for_hash(&p, 3), 0);
	assert_int_equal(upcall_pids_any(&p), 0);
	/* Empty, or not a whole number of u32: -EINVAL, unchanged. */
	assert_int_equal(upcall_pids_set(&p, two, 0), -EINVAL);
	assert_int_equal(upcall_pids_set(&p, two, 5), -EINVAL);
	assert_int_equal(p.n, 0);
	assert_int_equal(upcall_pids_set(&p, two, sizeof(two)), 0);
	assert_int_equal(p.n, 2);
	assert_int_equal(upcall_pids_any(&p), 7);
	assert_int_equal(upcall_pids_set(&p, two, 3), -EINVAL);
	assert_int_equal(p.n, 2);
	upcall_pids_clear(&p);
	assert_int_equal(p.n, 0);
	assert_null(p.pids);
}

static void test_pick(void **state)
{
	struct upcall_pids p = { 0 };
	const uint32_t pids[3] = { 10, 20, 30 };

	(void)state;
	assert_int_equal(upcall_pids_set(&p, pids, sizeof(pids)), 0);
	/* Per CPU: i mod n. */
	assert_int_equal(upcall_pids_for_cpu(&p, 0), 10);
	assert_int_equal(upcall_pids_for_cpu(&p, 1), 20);
	assert_int_equal(upcall_pids_for_cpu(&p, 5), 30);
	assert_int_equal(upcall_pids_for_cpu(&p, 6), 10);
	/* Per flow: hash mod n. */
	assert_int_equal(upcall_pids_for_hash(&p, 4), 20);
	assert_int_equal(upcall_pids_for_hash(&p, 0xffffffffu), pids[0xffffffffu % 3]);
	/* One pid: always it. */
	assert_int_equal(upcall_pids_set(&p, pids + 2, 4), 0);
	assert_int_equal(upcall_pids_for_hash(&p, 12345), 30);
	upcall_pids_clear(&p);
}

/* The flow hash: the same for every packet of a flow (TCP flags, TTL and
 * TOS aside), different flows spread over the pids. */
static void test_flow_hash(void **state)
{
	struct flow_key a, b;
	unsigned int seen[4] = { 0 };

	(void)state;
	memset(&a, 0, sizeof(a));
	a.eth_type = htons(0x0800);
	a.ip_proto = 6;
	a.ipv4.src = htonl(0x0a000001);
	a.ipv4.dst = htonl(0x0a000002);
	a.tp_src = htons(1000);
	a.tp_dst = htons(80);
	b = a;
	b.tp_flags = htons(0x12);
	b.ip_ttl = 3;
	b.ip_tos = 4;
	assert_int_equal(upcall_flow_hash(&a), upcall_flow_hash(&b));
	b.tp_src = htons(1001);
	assert_int_not_equal(upcall_flow_hash(&a), upcall_flow_hash(&b));
	for (uint32_t i = 0; i < 400; i++) {
		a.ipv4.src = htonl(0x0a010000 + i);
		seen[upcall_flow_hash(&a) % 4]++;
	}
	for (int i = 0; i < 4; i++)
		assert_true(seen[i] > 50); /* 100 each on average */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_pick),
		cmocka_unit_test(test_flow_hash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
