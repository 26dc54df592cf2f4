/* SPDX-License-Identifier: BSD-3-Clause */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <rte_log.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/un.h>

enum {
	OPT_CTL = 256, OPT_CTL_GROUP, OPT_CTL_MODE, OPT_CTL_MAX_CONNS, OPT_CTL_MAX_CONNS_PER_UID, OPT_PMD_CORES, OPT_FLOWS,
	OPT_SAVE_FLOWS,
	OPT_FLOW_LIMIT, OPT_RESERVE_FLOWS, OPT_MAX_IDLE, OPT_UPCALL_RATE, OPT_PMD_SLEEP_MAX, OPT_RXQ, OPT_RXD,
	OPT_TXD, OPT_MBUFS, OPT_MBUF_SIZE, OPT_MTU, OPT_PORT_OPTS, OPT_LOG_LEVEL, OPT_EXIT_IDLE, OPT_DURATION,
	OPT_STATS_INTERVAL,
	OPT_HELP, OPT_VERSION, OPT_DP_NAME,
};

static const struct option long_options[] = {
	{ "ctl", required_argument, NULL, OPT_CTL },
	{ "ctl-group", required_argument, NULL, OPT_CTL_GROUP },
	{ "ctl-mode", required_argument, NULL, OPT_CTL_MODE },
	{ "ctl-max-conns", required_argument, NULL, OPT_CTL_MAX_CONNS },
	{ "ctl-max-conns-per-uid", required_argument, NULL, OPT_CTL_MAX_CONNS_PER_UID },
	{ "pmd-cores", required_argument, NULL, OPT_PMD_CORES },
	{ "flows", required_argument, NULL, OPT_FLOWS },
	{ "save-flows", required_argument, NULL, OPT_SAVE_FLOWS },
	{ "flow-limit", required_argument, NULL, OPT_FLOW_LIMIT },
	{ "reserve-flows", required_argument, NULL, OPT_RESERVE_FLOWS },
	{ "max-idle", required_argument, NULL, OPT_MAX_IDLE },
	{ "upcall-rate", required_argument, NULL, OPT_UPCALL_RATE },
	{ "pmd-sleep-max", required_argument, NULL, OPT_PMD_SLEEP_MAX },
	{ "rxq", required_argument, NULL, OPT_RXQ },
	{ "rxd", required_argument, NULL, OPT_RXD },
	{ "txd", required_argument, NULL, OPT_TXD },
	{ "mbufs", required_argument, NULL, OPT_MBUFS },
	{ "mbuf-size", required_argument, NULL, OPT_MBUF_SIZE },
	{ "mtu", required_argument, NULL, OPT_MTU },
	{ "port-opts", required_argument, NULL, OPT_PORT_OPTS },
	{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
	{ "exit-idle", required_argument, NULL, OPT_EXIT_IDLE },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "stats-interval", required_argument, NULL, OPT_STATS_INTERVAL },
	{ "dp-name", required_argument, NULL, OPT_DP_NAME },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

void options_init(struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->ctl_path = OPTIONS_DEFAULT_CTL;
	o->ctl_mode = 0666;
	o->ctl_max_conns = OPTIONS_DEFAULT_MAX_CONNS;
	o->ctl_max_conns_per_uid = OPTIONS_DEFAULT_MAX_CONNS_PER_UID;
	o->flow_limit = OPTIONS_DEFAULT_FLOW_LIMIT;
	o->dp_name = OPTIONS_DEFAULT_DP_NAME;
	o->rxd = 1024;
	o->txd = 1024;
	o->log_level = RTE_LOG_NOTICE;
}

void options_usage(FILE *f, const char *prog)
{
	fprintf(f,
		"Usage: %s [EAL options] -- [options]\n"
		"\n"
		"Every ethdev EAL probes (PCI NICs, --vdev net_tap0,..., net_pcap0,...)\n"
		"becomes a datapath port numbered ethdev port id + 1; port 0 is the\n"
		"local port.\n"
		"\n"
		"Options:\n"
		"  --ctl PATH           control socket (default %s)\n"
		"  --ctl-group GROUP    members of GROUP may change the datapath too\n"
		"  --ctl-mode MODE      control socket permissions, octal (default 0666)\n"
		"  --ctl-max-conns N    control connections in all (default %d; the\n"
		"                       last 8 only for root and --ctl-group members)\n"
		"  --ctl-max-conns-per-uid N\n"
		"                       control connections per user, root excepted\n"
		"                       (default %d)\n"
		"  --pmd-cores LIST     lcores that run PMD threads, e.g. 1,3-4\n"
		"                       (default: every worker lcore of -l)\n"
		"  --flows FILE         install the flows of FILE (ovs-dpctl syntax, one\n"
		"                       '[ufid:UUID] FLOW ACTIONS' a line) before any port\n"
		"                       receives\n"
		"  --save-flows FILE    at a clean stop, write the flow table to FILE (as\n"
		"                       --flows reads it; replaced atomically). With\n"
		"                       --flows FILE too, a missing FILE is an empty table\n"
		"  --dp-name NAME       the datapath's name (default %s); Open vSwitch's\n"
		"                       ovs-vswitchd opens 'ovs-system'\n"
		"  --flow-limit N       most flows at once: NEW beyond is refused (default\n"
		"                       %d); with --max-idle, the ceiling of a limit that\n"
		"                       starts at 10000 and follows the revalidator\n"
		"  --reserve-flows N    allocate and touch memory for N flows at start-up\n"
		"                       (at most the flow limit), so that installing\n"
		"                       them takes no page faults (default 0)\n"
		"  --max-idle MS        manage the table as a cache: expire flows idle for\n"
		"                       MS ms, dynamic flow limit, flush past twice it\n"
		"                       (default: flows live until deleted, as in the\n"
		"                       kernel datapath)\n"
		"  --upcall-rate N      most MISS upcalls a second from one input port;\n"
		"                       those beyond are dropped and counted per port\n"
		"                       (default 0: no limit)\n"
		"  --pmd-sleep-max US   an idle PMD sleeps, backing off up to US us\n"
		"                       (at most %d; default 0: it always polls)\n"
		"  --rxq N              rx queues per port (default: one per PMD)\n"
		"  --rxd N, --txd N     descriptors per rx/tx queue (default 1024)\n"
		"  --mbufs N            mbufs per NUMA socket (default: sized from ports)\n"
		"  --mbuf-size N        frame bytes one mbuf holds (%d..%d, default %d)\n"
		"  --mtu N              set every port's MTU\n"
		"  --port-opts NAME:OPTS  one port's own mtu=N,rxq=N,txq=N,rxd=N,txd=N,\n"
		"                       offload=0|1 (checksum/TSO offloads, default 1)\n"
		"                       (repeatable; NAME as the port's name in show)\n"
		"  --log-level LEVEL    emerg|alert|crit|err|warning|notice|info|debug\n"
		"  --exit-idle MS       exit once no port received for MS ms\n"
		"  --duration S         exit after S seconds\n"
		"  --stats-interval S   print port and PMD statistics every S seconds\n"
		"  --help               this text\n"
		"  --version            the version\n"
		"\n"
		"Exit status: 0 on a clean stop (SIGINT, SIGTERM, --duration,\n"
		"--exit-idle), 1 on a run-time failure, 2 on bad options or flows.\n",
		prog, OPTIONS_DEFAULT_CTL, OPTIONS_DEFAULT_MAX_CONNS, OPTIONS_DEFAULT_MAX_CONNS_PER_UID,
		OPTIONS_DEFAULT_DP_NAME, OPTIONS_DEFAULT_FLOW_LIMIT, OPTIONS_PMD_SLEEP_MAX_US,
		OPTIONS_MBUF_SIZE_MIN, OPTIONS_MBUF_SIZE_MAX, OPTIONS_MBUF_SIZE_MIN);
}

/* Parse an unsigned decimal in [min, max]. */
static int parse_uint(const char *name, const char *s, uint32_t min, uint32_t max,
		      uint32_t *out, struct errmsg *err)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (s[0] == '-' || s[0] == '+' || s[0] == '\0')
		goto bad;
	v = strtoull(s, &end, 10);
	if (errno || *end != '\0' || v < min || v > max)
		goto bad;
	*out = (uint32_t)v;
	return 0;
bad:
	return errmsg_set(err, -EINVAL, -1, "--%s: '%s' is not a number in %u..%u", name, s,
			  min, max);
}

static int parse_u16(const char *name, const char *s, uint32_t min, uint32_t max,
		     uint16_t *out, struct errmsg *err)
{
	uint32_t v = 0;
	int ret = parse_uint(name, s, min, max, &v, err);

	if (ret == 0)
		*out = (uint16_t)v;
	return ret;
}

static int parse_log_level(const char *s, uint32_t *out, struct errmsg *err)
{
	static const char *const names[] = {
		[RTE_LOG_EMERG] = "emerg", [RTE_LOG_ALERT] = "alert",
		[RTE_LOG_CRIT] = "crit", [RTE_LOG_ERR] = "err",
		[RTE_LOG_WARNING] = "warning", [RTE_LOG_NOTICE] = "notice",
		[RTE_LOG_INFO] = "info", [RTE_LOG_DEBUG] = "debug",
	};

	for (uint32_t i = RTE_LOG_EMERG; i <= RTE_LOG_DEBUG; i++) {
		if (strcasecmp(s, names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	return parse_uint("log-level", s, RTE_LOG_EMERG, RTE_LOG_DEBUG, out, err);
}

static int parse_mode(const char *s, uint32_t *out, struct errmsg *err)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 8);
	if (errno || *s == '\0' || *end != '\0' || v > 0777)
		return errmsg_set(err, -EINVAL, -1, "--ctl-mode: '%s' is not an octal mode", s);
	*out = (uint32_t)v;
	return 0;
}

int options_parse_cpulist(const char *s, uint16_t *ids, int max, struct errmsg *err)
{
	int n = 0;
	const char *p = s;

	if (*p == '\0')
		return errmsg_set(err, -EINVAL, 0, "empty lcore list");
	while (*p) {
		char *end;
		unsigned long lo, hi;

		if (*p < '0' || *p > '9')
			goto bad;
		lo = strtoul(p, &end, 10);
		hi = lo;
		if (*end == '-') {
			p = end + 1;
			if (*p < '0' || *p > '9')
				goto bad;
			hi = strtoul(p, &end, 10);
		}
		if (hi < lo || hi >= 1024)
			goto bad;
		for (unsigned long id = lo; id <= hi; id++) {
			for (int i = 0; i < n; i++)
				if (ids[i] == id)
					return errmsg_set(err, -EINVAL, (int)(p - s),
							  "lcore %lu listed twice in '%s'", id, s);
			if (n == max)
				return errmsg_set(err, -E2BIG, (int)(p - s),
						  "more than %d lcores in '%s'", max, s);
			ids[n++] = (uint16_t)id;
		}
		p = end;
		if (*p == ',')
			p++;
		else if (*p != '\0')
			goto bad;
		else
			break;
	}
	return n;
bad:
	return errmsg_set(err, -EINVAL, (int)(p - s), "bad lcore list '%s' at '%s'", s, p);
}

/* A datapath name the kernel would take for its local port's netdev
 * (dev_valid_name()): 1..15 bytes, not "." or "..", no '/', ':' or space. */
static int parse_dp_name(const char *s, const char **out, struct errmsg *err)
{
	size_t n = strlen(s);

	if (n == 0 || n > OPTIONS_DP_NAME_MAX)
		return errmsg_set(err, -EINVAL, -1, "--dp-name: '%s' is not 1..%d bytes", s,
				  OPTIONS_DP_NAME_MAX);
	if (!strcmp(s, ".") || !strcmp(s, "..") || strpbrk(s, "/: \t\n\r\v\f"))
		return errmsg_set(err, -EINVAL, -1,
				  "--dp-name: '%s' is not a device name (no '/', ':', space)", s);
	*out = s;
	return 0;
}

/* --port-opts NAME:OPTS; NAME may hold ':' (PCI addresses), OPTS cannot. */
static int parse_port_opts(struct options *o, const char *arg, struct errmsg *err)
{
	const char *colon = strrchr(arg, ':');
	struct options_port *p = NULL;
	struct errmsg why;
	size_t len;
	int ret;

	if (colon == NULL || colon == arg)
		return errmsg_set(err, -EINVAL, -1,
				  "--port-opts: '%s' is not NAME:OPTS (e.g. net_vhost0:mtu=9000)", arg);
	len = (size_t)(colon - arg);
	for (uint16_t i = 0; i < o->n_ports; i++)
		if (o->ports[i].name_len == len && memcmp(o->ports[i].name, arg, len) == 0)
			p = &o->ports[i];
	if (p == NULL) {
		if (o->n_ports == OPTIONS_MAX_PORT_OPTS)
			return errmsg_set(err, -EINVAL, -1, "--port-opts: more than %d ports",
					  OPTIONS_MAX_PORT_OPTS);
		p = &o->ports[o->n_ports];
		memset(p, 0, sizeof(*p));
		p->name = arg;
		p->name_len = len;
	}
	errmsg_clear(&why);
	ret = port_opts_parse(colon + 1, &p->opts, &why);
	if (ret < 0)
		return errmsg_set(err, ret, -1, "--port-opts %.*s: %s", (int)len, arg, why.msg);
	if (p == &o->ports[o->n_ports])
		o->n_ports++;
	return 0;
}

const struct port_opts *options_port_opts(const struct options *o, const char *name)
{
	for (uint16_t i = 0; i < o->n_ports; i++)
		if (strlen(name) == o->ports[i].name_len &&
		    memcmp(name, o->ports[i].name, o->ports[i].name_len) == 0)
			return &o->ports[i].opts;
	return NULL;
}

static int parse_one(struct options *o, int opt, const char *arg, struct errmsg *err)
{
	int n;

	switch (opt) {
	case OPT_CTL:
		if (arg[0] == '\0')
			return errmsg_set(err, -EINVAL, -1, "--ctl: empty path");
		o->ctl_path = arg;
		return 0;
	case OPT_CTL_GROUP: o->ctl_group = arg; return 0;
	case OPT_CTL_MODE: return parse_mode(arg, &o->ctl_mode, err);
	case OPT_CTL_MAX_CONNS:
		return parse_uint("ctl-max-conns", arg, 16, 65536, &o->ctl_max_conns, err);
	case OPT_CTL_MAX_CONNS_PER_UID:
		return parse_uint("ctl-max-conns-per-uid", arg, 1, 65536,
				  &o->ctl_max_conns_per_uid, err);
	case OPT_PMD_CORES:
		n = options_parse_cpulist(arg, o->pmd_lcores, OPTIONS_MAX_PMDS, err);
		if (n < 0)
			return n;
		o->n_pmd_lcores = (uint16_t)n;
		return 0;
	case OPT_FLOWS: o->flows_file = arg; return 0;
	case OPT_SAVE_FLOWS:
		if (arg[0] == '\0')
			return errmsg_set(err, -EINVAL, -1, "--save-flows: empty path");
		o->save_flows_file = arg;
		return 0;
	case OPT_FLOW_LIMIT:
		o->flow_limit_given = true;
		return parse_uint("flow-limit", arg, 1000, 100000000, &o->flow_limit, err);
	case OPT_RESERVE_FLOWS:
		return parse_uint("reserve-flows", arg, 0, 100000000, &o->reserve_flows, err);
	case OPT_MAX_IDLE:
		return parse_uint("max-idle", arg, 1, 3600 * 1000, &o->max_idle_ms, err);
	case OPT_UPCALL_RATE:
		return parse_uint("upcall-rate", arg, 0, 100000000, &o->upcall_rate, err);
	case OPT_PMD_SLEEP_MAX:
		return parse_uint("pmd-sleep-max", arg, 0, OPTIONS_PMD_SLEEP_MAX_US,
				  &o->pmd_sleep_max_us, err);
	case OPT_RXQ: return parse_u16("rxq", arg, 1, 64, &o->rxq, err);
	case OPT_RXD: return parse_u16("rxd", arg, 32, 32768, &o->rxd, err);
	case OPT_TXD: return parse_u16("txd", arg, 32, 32768, &o->txd, err);
	case OPT_MBUFS: return parse_uint("mbufs", arg, 1024, 16 * 1024 * 1024, &o->mbufs, err);
	case OPT_MBUF_SIZE:
		return parse_u16("mbuf-size", arg, OPTIONS_MBUF_SIZE_MIN, OPTIONS_MBUF_SIZE_MAX,
				 &o->mbuf_size, err);
	case OPT_MTU:
		return parse_u16("mtu", arg, PORT_OPTS_MTU_MIN, PORT_OPTS_MTU_MAX, &o->mtu, err);
	case OPT_PORT_OPTS: return parse_port_opts(o, arg, err);
	case OPT_LOG_LEVEL: return parse_log_level(arg, &o->log_level, err);
	case OPT_EXIT_IDLE:
		return parse_uint("exit-idle", arg, 1, UINT32_MAX, &o->exit_idle_ms, err);
	case OPT_DURATION: return parse_uint("duration", arg, 1, UINT32_MAX, &o->duration_s, err);
	case OPT_STATS_INTERVAL:
		return parse_uint("stats-interval", arg, 1, 86400, &o->stats_interval_s, err);
	case OPT_DP_NAME: return parse_dp_name(arg, &o->dp_name, err);
	case OPT_HELP: o->help = true; return 0;
	case OPT_VERSION: o->version = true; return 0;
	default: return -EINVAL;
	}
}

/* What no single option can check alone. */
static int check_together(const struct options *o, struct errmsg *err)
{
	size_t path_max = sizeof(((struct sockaddr_un *)0)->sun_path) - 1;

	if (strlen(o->ctl_path) > path_max)
		return errmsg_set(err, -EINVAL, -1,
				  "--ctl: '%s' is %zu bytes, a socket path holds at most %zu",
				  o->ctl_path, strlen(o->ctl_path), path_max);
	if (o->reserve_flows > o->flow_limit)
		return errmsg_set(err, -EINVAL, -1,
				  "--reserve-flows %u is more than the flow limit %u: lower "
				  "--reserve-flows or raise --flow-limit", o->reserve_flows,
				  o->flow_limit);
	return 0;
}

int options_parse(struct options *o, int argc, char **argv, struct errmsg *err)
{
	int opt, ret;

	/* getopt keeps global state; reset it so the parser can run again
	 * (unit tests call it many times). Errors are reported through 'err'. */
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":", long_options, NULL)) != -1) {
		if (opt == '?')
			return errmsg_set(err, -EINVAL, optind - 1, "unknown option '%s'",
					  argv[optind - 1]);
		if (opt == ':')
			return errmsg_set(err, -EINVAL, optind - 1, "option '%s' needs a value",
					  argv[optind - 1]);
		ret = parse_one(o, opt, optarg, err);
		if (ret < 0)
			return ret;
	}
	if (optind < argc)
		return errmsg_set(err, -EINVAL, optind, "unexpected argument '%s'", argv[optind]);
	return check_together(o, err);
}
