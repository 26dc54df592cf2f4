/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpdk-switch: the daemon. Before EAL, so that a start that cannot work
 * fails (exit 2) before EAL touches a device: its own options (after EAL's
 * "--"), the --flows file, the file limit, EAL's file prefix, and the
 * control socket (bound here: a second daemon on a live path stops now).
 * Then: EAL, datapath, ports, flows from --flows, PMDs, and the main loop
 * on the main lcore (control socket, upcalls, revalidator, statistics,
 * telemetry snapshots) until a signal, --duration or --exit-idle ends it;
 * then the flow table goes to --save-flows.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_log.h>
#include <rte_pdump.h>
#include <rte_version.h>

#include "ctl.h"
#include "ctl_handlers.h"
#include "dp.h"
#include "dpsw_atomic.h"
#include "flowfile.h"
#include "options.h"
#include "preflight.h"
#include "telemetry.h"
#include "service.h"

#define EXIT_BAD_USAGE 2
#define POLL_MS 1  /* main loop wait: bounds upcall latency */
/* Upcalls taken from each queue in one round of the main loop while
 * every listener keeps up; once one is behind (an upcall lost), a round
 * takes UPCALLS_BEHIND a queue and the loop waits POLL_MS between rounds:
 * what is left queued the PMDs drop at once, on their own core, instead
 * of the control thread taking, encoding and dropping it, and recycling
 * its mbuf across cores, at the PMDs' miss rate. */
#define UPCALLS_PER_ROUND 1024
#define UPCALLS_BEHIND 256
/* Where the service's settings are (named in the hints of fatal errors). */
#define SERVICE_CONF "/etc/dpdk-switch/dpdk-switch.conf"

/* A fatal error at start-up: what failed, then what to change. */
static void fatal(const char *msg, const char *hint)
{
	fprintf(stderr, "dpdk-switch: %s\n", msg);
	fprintf(stderr, "dpdk-switch: %s\n", hint);
}

/* Set by the signal handler, polled by the main loop: an untorn flag is
 * all either needs (relaxed; the __atomic builtins on a bool are
 * lock-free, so async-signal-safe). */
static bool quit;

static void on_signal(int sig)
{
	(void)sig;
	STORE_RLX(&quit, true);
}

/* Split argv at "--": EAL gets what is before, we get what follows (with
 * argv[0] in front of both). */
static int split_args(int argc, char **argv, int *eal_argc, char ***our_argv, int *our_argc)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0)
			break;
	*eal_argc = i;
	if (i == argc) {
		*our_argc = 1;
		*our_argv = argv; /* only argv[0] is read */
		return 0;
	}
	/* Reuse the "--" slot for argv[0]. */
	argv[i] = argv[0];
	*our_argv = &argv[i];
	*our_argc = argc - i;
	return 0;
}

/* Sum of packets received on every port, to notice idleness. */
static uint64_t rx_total(const struct dp *dp)
{
	uint64_t total = 0;
	uint32_t p = 1;

	while (dp_port_next(dp, &p)) {
		struct ovs_vport_stats st;
		port_stats(dp_port(dp, p), &st);
		total += st.rx_packets;
		p++;
	}
	return total;
}

struct run_state {
	uint64_t start_ms;
	uint64_t last_rx, last_rx_change_ms;
	uint64_t next_stats_ms;
};

/* True when --duration or --exit-idle says the run is over. */
static bool run_over(const struct options *opt, const struct dp *dp, struct run_state *rs,
		     uint64_t now)
{
	if (opt->duration_s && now - rs->start_ms >= (uint64_t)opt->duration_s * 1000)
		return true;
	if (opt->exit_idle_ms) {
		uint64_t rx = rx_total(dp);
		if (rx != rs->last_rx) {
			rs->last_rx = rx;
			rs->last_rx_change_ms = now;
		} else if (now - rs->last_rx_change_ms >= opt->exit_idle_ms) {
			return true;
		}
	}
	return false;
}

static void main_loop(const struct options *opt, struct dp *dp, struct ctl_server *srv)
{
	struct run_state rs = { 0 };
	unsigned int per_round = UPCALLS_PER_ROUND;
	int wait_ms = POLL_MS;

	rs.start_ms = dp_now_ms(dp);
	rs.last_rx_change_ms = rs.start_ms;
	rs.next_stats_ms = rs.start_ms + (uint64_t)opt->stats_interval_s * 1000;
	while (!LOAD_RLX(&quit)) {
		ctl_server_poll(srv, wait_ms);
		/* While misses keep coming and their listeners keep up, the
		 * loop serves the socket without waiting: a 1 ms sleep between
		 * rounds would bound the upcall rate to a round a millisecond. */
		unsigned int lost = 0;
		unsigned int n = dp_upcalls_run(dp, ctl_upcall_deliver, srv, per_round, &lost);
		wait_ms = n && !lost ? 0 : POLL_MS;
		per_round = lost ? UPCALLS_BEHIND : UPCALLS_PER_ROUND;
		/* A round under way goes on at once: a wait between its steps
		 * would count in its duration, and the flow limit with it. */
		if (dp_revalidate(dp))
			wait_ms = 0;
		dp_ports_watch(dp);
		uint64_t now = dp_now_ms(dp);
		telemetry_refresh(dp, now);
		if (opt->stats_interval_s && now >= rs.next_stats_ms) {
			dp_print_stats(dp, stdout);
			fflush(stdout);
			rs.next_stats_ms = now + (uint64_t)opt->stats_interval_s * 1000;
		}
		if (run_over(opt, dp, &rs, now))
			break;
	}
}

static void print_ctl_stats(const struct ctl_server *srv)
{
	struct ctl_server_stats st;

	ctl_server_get_stats(srv, &st);
	printf("dpdk-switch: control: %" PRIu64 " connections, %" PRIu64 " refused, %" PRIu64
	       " accept errors, %" PRIu64 " replies dropped (client behind), %" PRIu64
	       " upcalls sent, %" PRIu64 " dropped (listener behind)\n",
	       st.conns_accepted, st.conns_refused, st.accept_errors, st.replies_dropped,
	       st.upcalls_sent, st.upcalls_dropped);
}

/* Write the flow table to --save-flows. The PMDs still forward while it
 * is written (this thread, the table's only writer, changes nothing), so
 * a restart loses no packets to it. */
static int save_flows(const struct options *opt, struct dp *dp)
{
	uint64_t t0 = dp_now_ms(dp);
	struct errmsg err;
	int n;

	errmsg_clear(&err);
	n = flowfile_save(dp_flowtbl(dp), opt->save_flows_file, &err);
	if (n < 0) {
		fprintf(stderr, "dpdk-switch: --save-flows: %s\n", err.msg);
		return n;
	}
	printf("dpdk-switch: %d flow(s) saved to %s in %" PRIu64 " ms\n", n,
	       opt->save_flows_file, dp_now_ms(dp) - t0);
	return 0;
}

/* The first start of a daemon that keeps its flows in one file
 * (--flows FILE --save-flows FILE) finds no FILE yet: it starts empty,
 * so that a service can always be started with the same command line. */
static bool no_saved_flows_yet(const struct options *opt)
{
	return opt->save_flows_file && strcmp(opt->flows_file, opt->save_flows_file) == 0 &&
	       access(opt->flows_file, F_OK) != 0 && errno == ENOENT;
}

static int run(const struct options *opt, struct ctl_server *srv)
{
	struct dp *dp = NULL;
	struct errmsg err;
	int ret, status = EXIT_FAILURE;

	errmsg_clear(&err);
	ret = dp_create(opt, &dp, &err);
	if (ret < 0) {
		fatal(err.msg, ret == -EINVAL ? "change the option named above (EAL_ARGS or OPTIONS in "
			SERVICE_CONF " for the service)"
			: "give it memory: more hugepages (HUGEPAGES in " SERVICE_CONF
			", dpdk-hugepages.py -s shows them) or lower --mbufs/--reserve-flows");
		return ret == -EINVAL ? EXIT_BAD_USAGE : EXIT_FAILURE;
	}
	if (telemetry_init(dp, &err) < 0)
		fprintf(stderr, "dpdk-switch: %s (continuing without it)\n", err.msg);
	int n_ports = dp_open_eal_ports(dp);
	printf("dpdk-switch: %d port(s), %u PMD thread(s)\n", n_ports, dp_n_pmds(dp));
	/* Now, not with "forwarding": a big --flows takes a while, and who
	 * attaches to the ports (taps) may do it meanwhile. */
	fflush(stdout);
	if (opt->flows_file && no_saved_flows_yet(opt)) {
		printf("dpdk-switch: no %s yet: starting with no flows\n", opt->flows_file);
	} else if (opt->flows_file) {
		uint64_t t0 = dp_now_ms(dp);
		ret = dp_flows_load(dp, opt->flows_file, &err);
		if (ret < 0) {
			fatal(err.msg, "fix the flow file at the line named above, or start "
			      "without --flows");
			status = EXIT_BAD_USAGE;
			goto out;
		}
		printf("dpdk-switch: %u flow(s) from %s in %" PRIu64 " ms\n",
		       flowtbl_count(dp_flowtbl(dp)), opt->flows_file, dp_now_ms(dp) - t0);
	}
	ctl_server_attach(srv, dp);
	ret = dp_start(dp, &err);
	if (ret < 0) {
		fatal(err.msg, "check the port (dpdk-devbind.py --status) and --rxq, --rxd, "
		      "--txd, --mtu");
		goto out;
	}
	printf("dpdk-switch: forwarding; control socket %s\n", opt->ctl_path);
	fflush(stdout);
	service_notify("READY=1\nSTATUS=forwarding");
	main_loop(opt, dp, srv);
	service_notify("STOPPING=1\nSTATUS=stopping");
	int saved = opt->save_flows_file ? save_flows(opt, dp) : 0;
	dp_stop(dp);
	/* What the PMDs queued last still reaches its listeners (or is
	 * counted lost), all of it: a round takes a batch per queue, and an
	 * upcall left queued would hold its mbuf past the check below. With
	 * the PMDs stopped nothing refills the queues. */
	unsigned int lost = 0;
	while (dp_upcalls_run(dp, ctl_upcall_deliver, srv, UPCALLS_PER_ROUND, &lost) > 0)
		;
	printf("dpdk-switch: stopping\n");
	dp_print_stats(dp, stdout);
	print_ctl_stats(srv);
	/* With the ports closed every mbuf is back in the pool unless one
	 * leaked: the end-to-end tests check this line. */
	dp_close_ports(dp);
	printf("dpdk-switch: mbufs in use: %u (after closing the ports)\n", dp_mbufs_in_use(dp));
	status = saved < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
out:
	telemetry_fini();
	dp_destroy(dp);
	return status;
}

/* Every check that needs no EAL, and the control socket. Exit status, or
 * -1 to go on. */
static int preflight(const struct options *opt, int eal_argc, char **argv,
		     struct preflight_eal *pe, struct ctl_server **srv)
{
	struct errmsg err;

	errmsg_clear(&err);
	if (opt->flows_file && !no_saved_flows_yet(opt) &&
	    preflight_flows_file(opt->flows_file, &err) < 0)
		goto bad;
	/* A flow file that cannot be written must not be found out at the
	 * stop, with the flows about to go. */
	if (opt->save_flows_file && flowfile_check(opt->save_flows_file, &err) < 0) {
		fprintf(stderr, "dpdk-switch: --save-flows: %s\n", err.msg);
		return EXIT_BAD_USAGE;
	}
	if (preflight_nofile(opt->ctl_max_conns, &err) < 0) {
		fprintf(stderr, "dpdk-switch: warning: %s\n", err.msg);
		errmsg_clear(&err);
	}
	if (ctl_open(opt, srv, &err) < 0) {
		fprintf(stderr, "dpdk-switch: control socket: %s\n", err.msg);
		fprintf(stderr, "dpdk-switch: change --ctl (its directory must be writable, no "
			"other daemon on it) or --ctl-group (the group must exist: addgroup "
			"--system NAME)\n");
		return EXIT_BAD_USAGE;
	}
	if (preflight_eal(eal_argc, argv, pe, &err) < 0) {
		ctl_server_close(*srv);
		goto bad;
	}
	return -1;
bad:
	fprintf(stderr, "dpdk-switch: %s\n", err.msg);
	return EXIT_BAD_USAGE;
}

int main(int argc, char **argv)
{
	struct options opt;
	struct errmsg err;
	struct preflight_eal pe;
	struct ctl_server *srv = NULL;
	char **our_argv;
	int eal_argc, our_argc, status;

	service_log_init();
	split_args(argc, argv, &eal_argc, &our_argv, &our_argc);
	options_init(&opt);
	errmsg_clear(&err);
	if (options_parse(&opt, our_argc, our_argv, &err) < 0) {
		fprintf(stderr, "dpdk-switch: %s\n", err.msg);
		fprintf(stderr, "Try '%s -- --help'.\n", argv[0]);
		return EXIT_BAD_USAGE;
	}
	if (opt.help) {
		options_usage(stdout, argv[0]);
		return EXIT_SUCCESS;
	}
	if (opt.version) {
		printf("dpdk-switch %s (%s)\n", DPDK_SWITCH_VERSION, rte_version());
		return EXIT_SUCCESS;
	}
	/* From here a signal asks for a clean stop, even one that comes
	 * during EAL's start: the main loop then ends at once. */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	status = preflight(&opt, eal_argc, argv, &pe, &srv);
	if (status >= 0)
		return status;
	if (rte_eal_init(eal_argc, argv) < 0) {
		/* EAL does not always set rte_errno; its own log says why. */
		fprintf(stderr, "dpdk-switch: EAL initialisation failed: %s\n",
			rte_errno ? rte_strerror(rte_errno) : "see EAL's messages above");
		fprintf(stderr, "dpdk-switch: check the EAL arguments before '--' (EAL_ARGS in "
			SERVICE_CONF " for the service): -l with lcores that exist, free "
			"hugepages (dpdk-hugepages.py -s) or --no-huge, the devices of -a and "
			"--vdev, a --file-prefix no other DPDK process uses\n");
		ctl_server_close(srv);
		preflight_eal_cleanup(&pe);
		return EXIT_BAD_USAGE;
	}
	rte_log_set_global_level(opt.log_level);
	/* Let dpdk-dumpcap capture on our ports (DPDK's secondary process). */
	rte_pdump_init();

	status = run(&opt, srv);
	ctl_server_close(srv);
	rte_pdump_uninit();
	rte_eal_cleanup();
	if (status != EXIT_SUCCESS)
		preflight_eal_cleanup(&pe);
	return status;
}
