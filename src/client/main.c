/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpdk-switch-ctl: the command line. Options may come anywhere (as with
 * ovs-dpctl); the first non-option word is the command, the rest are its
 * arguments. Every command checks its arguments before connecting, so a
 * bad command line is exit status 2 whether or not the daemon runs.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "ctl.h"

struct command {
	const char *name;
	const char *args;
	int min_args, max_args;
	bool json;        /* takes --json */
	int (*run)(struct client *c, int argc, char **argv);
};

static const struct command commands[] = {
	{ "show", "[DP]", 0, 1, true, cmd_show },
	{ "dump-flows", "[DP]", 0, 1, true, cmd_dump_flows },
	{ "add-flow", "[DP] FLOW ACTIONS", 2, 3, false, cmd_add_flow },
	{ "mod-flow", "[DP] FLOW ACTIONS", 2, 3, false, cmd_mod_flow },
	{ "get-flow", "[DP] FLOW|ufid:UFID", 1, 2, false, cmd_get_flow },
	{ "del-flow", "[DP] FLOW|ufid:UFID", 1, 2, false, cmd_del_flow },
	{ "del-flows", "[DP] [FILE]", 0, 2, false, cmd_del_flows },
	{ "add-flows", "[DP] FILE", 1, 2, false, cmd_add_flows },
	{ "add-if", "[DP] DEVARGS [mtu=N,rxq=N,txq=N,rxd=N,txd=N,offload=0|1]", 1, 8, false, cmd_add_if },
	{ "del-if", "[DP] PORT", 1, 2, false, cmd_del_if },
	{ "set-flow-limit", "N", 1, 1, false, cmd_set_flow_limit },
	{ "set-max-idle", "MS", 1, 1, false, cmd_set_max_idle },
	{ "pmd-stats-show", "[DP]", 0, 1, true, cmd_pmd_stats_show },
	{ "pmd-stats-clear", "[DP]", 0, 1, false, cmd_pmd_stats_clear },
	{ "pmd-rxq-show", "[DP]", 0, 1, false, cmd_pmd_rxq_show },
	{ "pmd-rxq-rebalance", "[DP]", 0, 1, false, cmd_pmd_rxq_rebalance },
	{ "execute", "PACKET_HEX ACTIONS", 2, 2, false, cmd_execute },
	{ "monitor", "[DP]", 0, 1, false, cmd_monitor },
	{ "metrics", "[DP]", 0, 1, false, cmd_metrics },
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f,
		"%s: control a running dpdk-switch (the commands and output of ovs-dpctl)\n"
		"usage: %s [OPTIONS] COMMAND [ARG...]\n"
		"  show [DP]                      datapath, ports, flow limit, revalidator\n"
		"  dump-flows [DP]                every flow\n"
		"  add-flow [DP] FLOW ACTIONS     add a flow (EEXIST if it exists)\n"
		"  mod-flow [DP] FLOW ACTIONS     change a flow's actions\n"
		"  get-flow [DP] FLOW|ufid:UFID   print one flow\n"
		"  del-flow [DP] FLOW|ufid:UFID   delete one flow\n"
		"  del-flows [DP] [FILE]          delete every flow, or those of FILE\n"
		"  add-flows [DP] FILE            add the flows of FILE (\"FLOW ACTIONS\" lines)\n"
		"  add-if [DP] DEVARGS [OPTS]     hot-plug a DPDK device as a port; OPTS:\n"
		"                                 mtu=N,rxq=N,txq=N,rxd=N,txd=N,offload=0|1\n"
		"  del-if [DP] PORT               remove a port (name or number)\n"
		"  set-flow-limit N               the flow limit (its ceiling with max idle)\n"
		"  set-max-idle MS                expire flows idle MS ms (0: never, the default)\n"
		"  pmd-stats-show [DP]            PMD thread statistics\n"
		"  pmd-stats-clear [DP]           zero the PMD statistics\n"
		"  pmd-rxq-show [DP]              rx queues of each PMD thread, with their\n"
		"                                 share of its cycles\n"
		"  pmd-rxq-rebalance [DP]         reassign rx queues by measured cycles\n"
		"  execute PACKET_HEX ACTIONS     run ACTIONS on a packet\n"
		"  monitor [DP]                   print upcalls (MISS, ACTION) as they come\n"
		"  metrics [DP]                   counters in the Prometheus text format\n"
		"FILE \"-\" is standard input. DP is NAME or TYPE@NAME (default: the daemon's).\n"
		"Options:\n"
		"  --ctl PATH         control socket (default %s)\n"
		"  --dp NAME          datapath name, as the DP argument\n"
		"  -s, --statistics   port statistics in show; flow stats for mod/del-flow\n"
		"  -m, --more         dump-flows/get-flow: every field, with masks and ufid\n"
		"  --json             JSON output for show, dump-flows, pmd-stats-show\n"
		"  --clear            mod-flow: zero the flow's statistics\n"
		"  --may-create       mod-flow: create the flow if it does not exist\n"
		"  --count N          monitor: exit after N upcalls\n"
		"  --in-port N        execute: the packet's input port (default: local)\n"
		"  --key FLOW         execute: the packet's metadata as a flow\n"
		"  --output FILE      metrics: replace FILE atomically instead of printing\n"
		"  --batch-size BYTES add-flows/del-flows: bytes per datagram (default 131072)\n"
		"  --window N         add-flows/del-flows: datagrams in flight (default 8)\n"
		"  --threads N        add-flows/del-flows: parsing threads (default: the CPUs\n"
		"                     this process may use, less one, at most 4; 0: none)\n"
		"  -h, --help         this help\n"
		"  -V, --version      version\n"
		"Exit status: 0 ok, 1 the daemon answered an error (or is unreachable), 2 usage.\n",
		CL_PROG, CL_PROG, CL_DEFAULT_CTL);
}

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", CL_PROG);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", CL_PROG);
	return CL_EXIT_USAGE;
}

static bool parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

enum {
	OPT_CTL = 256, OPT_DP, OPT_JSON, OPT_CLEAR, OPT_MAY_CREATE, OPT_COUNT, OPT_IN_PORT,
	OPT_KEY, OPT_BATCH, OPT_WINDOW, OPT_THREADS, OPT_OUTPUT,
};

static const struct option long_opts[] = {
	{ "ctl", required_argument, NULL, OPT_CTL },
	{ "dp", required_argument, NULL, OPT_DP },
	{ "statistics", no_argument, NULL, 's' },
	{ "more", no_argument, NULL, 'm' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "clear", no_argument, NULL, OPT_CLEAR },
	{ "may-create", no_argument, NULL, OPT_MAY_CREATE },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "in-port", required_argument, NULL, OPT_IN_PORT },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "batch-size", required_argument, NULL, OPT_BATCH },
	{ "window", required_argument, NULL, OPT_WINDOW },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "output", required_argument, NULL, OPT_OUTPUT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* One option with its argument; CL_EXIT_OK, or a usage error. */
static int take_option(struct cl_opts *o, int opt, const char *arg)
{
	long v;

	switch (opt) {
	case OPT_CTL: o->ctl_path = arg; break;
	case OPT_DP: o->dp_name = arg; break;
	case 's': o->stats = true; break;
	case 'm': o->verbosity++; break;
	case OPT_JSON: o->json = true; break;
	case OPT_CLEAR: o->clear = true; break;
	case OPT_MAY_CREATE: o->may_create = true; break;
	case OPT_COUNT:
		if (!parse_long(arg, 1, LONG_MAX, &o->count))
			return usage_error("--count: '%s' is not a positive number", arg);
		break;
	case OPT_IN_PORT:
		if (!parse_long(arg, 0, 65534, &o->in_port))
			return usage_error("--in-port: '%s' is not a port number (0..65534)", arg);
		break;
	case OPT_KEY: o->key = arg; break;
	case OPT_OUTPUT:
		if (arg[0] == '\0')
			return usage_error("%s", "--output: empty file name");
		o->output = arg;
		break;
	case OPT_BATCH:
		if (!parse_long(arg, 4096, CTL_MAX_DGRAM, &v))
			return usage_error("--batch-size: '%s' is not in 4096..262144", arg);
		o->batch_bytes = (size_t)v;
		break;
	case OPT_WINDOW:
		if (!parse_long(arg, 1, 64, &v))
			return usage_error("--window: '%s' is not in 1..64", arg);
		o->window = (unsigned int)v;
		break;
	case OPT_THREADS:
		if (!parse_long(arg, 0, 8, &v))
			return usage_error("--threads: '%s' is not in 0..8", arg);
		o->threads = (int)v;
		break;
	default:
		return usage_error("%s", "bad option");
	}
	return CL_EXIT_OK;
}

static int parse_options(struct cl_opts *o, int argc, char **argv)
{
	int opt, ret;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":smhV", long_opts, NULL)) != -1) {
		if (opt == 'h') {
			usage(stdout);
			exit(CL_EXIT_OK);
		}
		if (opt == 'V') {
			printf("%s (dpdk-switch) 0.1.0\n", CL_PROG);
			exit(CL_EXIT_OK);
		}
		if (opt == '?')
			return usage_error("unknown option '%s'", argv[optind - 1]);
		if (opt == ':')
			return usage_error("option '%s' needs an argument", argv[optind - 1]);
		ret = take_option(o, opt, optarg);
		if (ret != CL_EXIT_OK)
			return ret;
	}
	return CL_EXIT_OK;
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	struct cl_opts o = {
		.ctl_path = CL_DEFAULT_CTL, .in_port = -1, .batch_bytes = 128 * 1024, .window = 8,
		.threads = -1,
	};
	struct client c = { .fd = -1, .opt = &o };
	const struct command *cmd;
	int ret = parse_options(&o, argc, argv);

	if (ret != CL_EXIT_OK)
		return ret;
	if (optind >= argc)
		return usage_error("%s", "missing command");
	cmd = find_command(argv[optind]);
	if (cmd == NULL)
		return usage_error("unknown command '%s'", argv[optind]);
	int nargs = argc - optind - 1;
	if (nargs < cmd->min_args || nargs > cmd->max_args) {
		fprintf(stderr, "%s: %s: wrong number of arguments\nusage: %s %s %s\n", CL_PROG,
			cmd->name, CL_PROG, cmd->name, cmd->args);
		return CL_EXIT_USAGE;
	}
	if (o.json && !cmd->json)
		return usage_error("--json: '%s' has no JSON output", cmd->name);
	if (o.output && cmd->run != cmd_metrics)
		return usage_error("--output: only for metrics, not '%s'", cmd->name);
	ret = cmd->run(&c, nargs + 1, argv + optind);
	cl_close(&c);
	if (fflush(stdout) != 0 && ret == CL_EXIT_OK)
		ret = CL_EXIT_FAIL;
	return ret;
}
