/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for the daemon's command line. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <rte_log.h>
#include <string.h>

#include "options.h"

#define ARGV(...) ((char *[]){ "dpdk-switch", __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ "dpdk-switch", __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(o, e, ...) options_parse(o, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), e)

static void test_defaults(void **state)
{
	struct options o;
	struct errmsg e;

	(void)state;
	options_init(&o);
	errmsg_clear(&e);
	char *argv[] = { "dpdk-switch", NULL };
	assert_int_equal(options_parse(&o, 1, argv, &e), 0);
	assert_string_equal(o.ctl_path, "/run/dpdk-switch/ctl.sock");
	assert_int_equal(o.flow_limit, 200000);
	/* Flows live until deleted, as in the kernel datapath. */
	assert_int_equal(o.max_idle_ms, 0);
	assert_string_equal(o.dp_name, "dpdk-switch");
	assert_int_equal(o.ctl_mode, 0666);
	assert_int_equal(o.n_pmd_lcores, 0);
	assert_int_equal(o.ctl_max_conns, 1000);
	assert_int_equal(o.ctl_max_conns_per_uid, 32);
	assert_false(o.help);
}

/* The longest path a socket address holds is accepted. */
static void test_ctl_path_limit(void **state)
{
	char path[108];
	struct options o;
	struct errmsg e;

	(void)state;
	memset(path, 'a', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	options_init(&o);
	errmsg_clear(&e);
	assert_int_equal(PARSE(&o, &e, "--ctl", path), 0);
	path[sizeof(path) - 2] = '\0';
	assert_int_equal(PARSE(&o, &e, "--ctl", path, "--ctl-max-conns", "16",
			       "--ctl-max-conns-per-uid", "65536"), 0);
	assert_int_equal(o.ctl_max_conns, 16);
	assert_int_equal(o.ctl_max_conns_per_uid, 65536);
}

static void test_all_options(void **state)
{
	struct options o;
	struct errmsg e;

	(void)state;
	options_init(&o);
	errmsg_clear(&e);
	assert_int_equal(PARSE(&o, &e, "--ctl", "/tmp/x.sock", "--ctl-group", "wheel",
			       "--ctl-mode", "0660", "--pmd-cores", "1,3-4", "--flows", "f.txt", "--save-flows", "s.txt",
			       "--flow-limit", "5000", "--reserve-flows", "4000", "--max-idle",
			       "250", "--rxq", "2", "--upcall-rate", "5000", "--pmd-sleep-max", "300",
			       "--rxd", "512", "--txd", "2048", "--mbufs", "65536", "--mbuf-size", "9216", "--mtu", "9000",
			       "--log-level", "debug", "--exit-idle", "300", "--duration", "5",
			       "--stats-interval", "1", "--dp-name", "ovs-system", "--version"),
			 0);
	assert_string_equal(o.ctl_path, "/tmp/x.sock");
	assert_string_equal(o.ctl_group, "wheel");
	assert_int_equal(o.ctl_mode, 0660);
	assert_int_equal(o.n_pmd_lcores, 3);
	assert_int_equal(o.pmd_lcores[0], 1);
	assert_int_equal(o.pmd_lcores[1], 3);
	assert_int_equal(o.pmd_lcores[2], 4);
	assert_string_equal(o.flows_file, "f.txt");
	assert_string_equal(o.save_flows_file, "s.txt");
	assert_int_equal(o.flow_limit, 5000);
	assert_int_equal(o.reserve_flows, 4000);
	assert_int_equal(o.max_idle_ms, 250);
	assert_int_equal(o.rxq, 2);
	assert_int_equal(o.upcall_rate, 5000);
	assert_int_equal(o.pmd_sleep_max_us, 300);
	assert_int_equal(o.rxd, 512);
	assert_int_equal(o.txd, 2048);
	assert_int_equal(o.mbufs, 65536);
	assert_int_equal(o.mbuf_size, 9216);
	assert_int_equal(o.mtu, 9000);
	assert_int_equal(o.log_level, RTE_LOG_DEBUG);
	assert_int_equal(o.exit_idle_ms, 300);
	assert_int_equal(o.duration_s, 5);
	assert_int_equal(o.stats_interval_s, 1);
	assert_string_equal(o.dp_name, "ovs-system");
	assert_true(o.version);
	/* The parser can run twice (getopt state is reset). */
	assert_int_equal(PARSE(&o, &e, "--help"), 0);
	assert_true(o.help);
}

struct bad_case {
	const char *args[4];
	const char *msg_part;
};

static void test_bad_options(void **state)
{
	static const struct bad_case cases[] = {
		{ { "--bogus" }, "unknown option '--bogus'" },
		{ { "--rxq" }, "needs a value" },
		{ { "--rxq", "0" }, "--rxq: '0' is not a number in 1..64" },
		{ { "--rxq", "65" }, "1..64" },
		{ { "--rxd", "12x" }, "--rxd: '12x'" },
		{ { "--flow-limit", "999" }, "1000..100000000" },
		{ { "--flow-limit", "-5" }, "'-5'" },
		{ { "--reserve-flows", "1e6" }, "--reserve-flows: '1e6'" },
		{ { "--reserve-flows", "100000001" }, "0..100000000" },
		{ { "--max-idle", "" }, "--max-idle" },
		{ { "--mtu", "99999" }, "--mtu" },
		{ { "--mbuf-size", "1024" }, "--mbuf-size: '1024' is not a number in 2048..16384" },
		{ { "--mbuf-size", "16385" }, "2048..16384" },
		{ { "--port-opts", "mtu=9000" }, "is not NAME:OPTS" },
		{ { "--port-opts", ":mtu=9000" }, "is not NAME:OPTS" },
		{ { "--port-opts", "net_vhost0:" }, "--port-opts net_vhost0: empty port options" },
		{ { "--port-opts", "net_vhost0:mtu=9601" },
		  "port option mtu: '9601' is not a number in 68..9600" },
		{ { "--port-opts", "net_vhost0:speed=10" }, "unknown port option 'speed'" },
		{ { "--port-opts", "net_vhost0:rxq=2,,txq=2" }, "empty item" },
		{ { "--log-level", "loud" }, "--log-level: 'loud'" },
		{ { "--ctl-mode", "0999" }, "not an octal mode" },
		{ { "--ctl", "" }, "empty path" },
		{ { "--save-flows", "" }, "--save-flows: empty path" },
		{ { "--pmd-cores", "" }, "empty lcore list" },
		{ { "--pmd-cores", "1,,2" }, "bad lcore list" },
		{ { "--pmd-cores", "3-1" }, "bad lcore list" },
		{ { "--pmd-cores", "1,1" }, "listed twice" },
		{ { "--pmd-cores", "0-100" }, "more than 64" },
		{ { "--pmd-cores", "a" }, "bad lcore list" },
		{ { "stray" }, "unexpected argument 'stray'" },
		{ { "--dp-name", "" }, "--dp-name: '' is not 1..15 bytes" },
		{ { "--dp-name", "a-name-too-long-x" }, "1..15 bytes" },
		{ { "--dp-name", "a/b" }, "not a device name" },
		{ { "--dp-name", "a b" }, "not a device name" },
		{ { "--dp-name", ".." }, "not a device name" },
		{ { "--max-idle", "0" }, "--max-idle: '0' is not a number in 1..3600000" },
		{ { "--upcall-rate", "-1" }, "--upcall-rate: '-1' is not a number in 0..100000000" },
		{ { "--upcall-rate", "100000001" }, "0..100000000" },
		{ { "--upcall-rate", "fast" }, "--upcall-rate: 'fast'" },
		{ { "--pmd-sleep-max", "10001" }, "--pmd-sleep-max: '10001' is not a number in 0..10000" },
		{ { "--pmd-sleep-max", "" }, "--pmd-sleep-max" },
		/* Options that do not fit together (checked before EAL). */
		{ { "--reserve-flows", "5000", "--flow-limit", "1000" },
		  "--reserve-flows 5000 is more than the flow limit 1000: lower --reserve-flows "
		  "or raise --flow-limit" },
		{ { "--reserve-flows", "200001" }, "raise --flow-limit" },
		{ { "--ctl", "/tmp/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock" },
		  "is 113 bytes, a socket path holds at most 107" },
		{ { "--ctl-max-conns", "15" }, "--ctl-max-conns: '15' is not a number in 16..65536" },
		{ { "--ctl-max-conns-per-uid", "0" }, "1..65536" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct options o;
		struct errmsg e;
		char *argv[5] = { "dpdk-switch" };
		int argc = 1;

		for (int j = 0; j < 4 && cases[i].args[j]; j++)
			argv[argc++] = (char *)cases[i].args[j];
		options_init(&o);
		errmsg_clear(&e);
		int ret = options_parse(&o, argc, argv, &e);
		if (ret >= 0 || strstr(e.msg, cases[i].msg_part) == NULL)
			fail_msg("case %zu (%s): ret %d, msg '%s'", i, cases[i].args[0], ret, e.msg);
		assert_true(ret == -EINVAL || ret == -E2BIG);
	}
}

/* --port-opts: repeatable; a name given again adds to its options; names
 * may hold ':' (PCI addresses). */
static void test_port_opts(void **state)
{
	const struct port_opts *p;
	struct options o;
	struct errmsg e;

	(void)state;
	options_init(&o);
	errmsg_clear(&e);
	assert_int_equal(PARSE(&o, &e, "--port-opts", "net_vhost0:mtu=9000,rxq=2",
			       "--port-opts", "0000:01:00.0:rxd=2048,txd=512",
			       "--port-opts", "net_vhost0:txq=3,mtu=1500"), 0);
	assert_int_equal(o.n_ports, 2);
	p = options_port_opts(&o, "net_vhost0");
	assert_non_null(p);
	assert_int_equal(p->mtu, 1500);
	assert_int_equal(p->rxq, 2);
	assert_int_equal(p->txq, 3);
	assert_int_equal(p->rxd, 0);
	p = options_port_opts(&o, "0000:01:00.0");
	assert_non_null(p);
	assert_int_equal(p->rxd, 2048);
	assert_int_equal(p->txd, 512);
	assert_int_equal(p->mtu, 0);
	assert_null(options_port_opts(&o, "net_vhost"));
	assert_null(options_port_opts(&o, "net_vhost00"));
}

/* The option words of add-if and --port-opts. */
static void test_port_opts_parse(void **state)
{
	struct port_opts p = { 0 }, over = { .rxq = 4 };
	struct errmsg e;

	(void)state;
	errmsg_clear(&e);
	assert_int_equal(port_opts_parse("mtu=68,rxq=64,txq=1,rxd=32,txd=32768", &p, &e), 0);
	assert_int_equal(p.mtu, 68);
	assert_int_equal(p.rxq, 64);
	assert_int_equal(p.txq, 1);
	assert_int_equal(p.rxd, 32);
	assert_int_equal(p.txd, 32768);
	/* Nothing changes on an error, even after good items. */
	errmsg_clear(&e);
	assert_int_equal(port_opts_parse("mtu=9000,rxd=31", &p, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "port option rxd: '31' is not a number in 32..32768"));
	assert_int_equal(p.mtu, 68);
	errmsg_clear(&e);
	assert_int_equal(port_opts_parse("mtu", &p, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "'mtu' has no '=VALUE'"));
	errmsg_clear(&e);
	assert_int_equal(port_opts_parse("mtu=", &p, &e), -EINVAL);
	errmsg_clear(&e);
	assert_int_equal(port_opts_parse("mtu=+900", &p, &e), -EINVAL);
	errmsg_clear(&e);
	assert_int_equal(port_opts_parse("mtu=12345678901234567890", &p, &e), -EINVAL);
	errmsg_clear(&e);
	assert_int_equal(port_opts_parse("rxq=2,", &p, &e), -EINVAL);
	errmsg_clear(&e);
	assert_int_equal(port_opts_parse("", &p, &e), -EINVAL);
	errmsg_clear(&e);
	assert_int_equal(port_opts_parse("txq=0", &p, &e), -EINVAL);
	errmsg_clear(&e);
	assert_int_equal(port_opts_parse("txq=65", &p, &e), -EINVAL);
	/* offload=0|1, stored one up: 0 stays "not set". */
	assert_int_equal(p.offload, 0);
	errmsg_clear(&e);
	assert_int_equal(port_opts_parse("offload=0", &p, &e), 0);
	assert_int_equal(p.offload, PORT_OPTS_OFFLOAD_OFF);
	assert_int_equal(port_opts_parse("offload=1", &p, &e), 0);
	assert_int_equal(p.offload, PORT_OPTS_OFFLOAD_ON);
	errmsg_clear(&e);
	assert_int_equal(port_opts_parse("offload=2", &p, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "port option offload: '2' is not a number in 0..1"));
	assert_true(port_opts_is_opts("offload=0"));
	p.offload = 0;

	/* Options, not devargs: a known key and '=' first. */
	assert_true(port_opts_is_opts("mtu=9000"));
	assert_true(port_opts_is_opts("rxq=2,txq=2"));
	assert_false(port_opts_is_opts("net_vhost0,iface=/tmp/s,queues=2"));
	assert_false(port_opts_is_opts("mtu"));
	assert_false(port_opts_is_opts("mtux=1"));
	assert_false(port_opts_is_opts("net_null0"));

	port_opts_merge(&p, &over);
	assert_int_equal(p.rxq, 4);
	assert_int_equal(p.mtu, 68);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_all_options),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_ctl_path_limit),
		cmocka_unit_test(test_port_opts),
		cmocka_unit_test(test_port_opts_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
