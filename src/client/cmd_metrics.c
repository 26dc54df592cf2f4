/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * metrics: the datapath's counters in the Prometheus text exposition
 * format (version 0.0.4), for node_exporter's textfile collector or any
 * scraper that runs a command. One family per counter, "# HELP" and
 * "# TYPE" before its samples, counters named *_total, labels for ports
 * and PMDs. Read with the same messages as show and pmd-stats-show.
 *
 * --output FILE replaces FILE atomically (a temporary file in the same
 * directory, renamed over it), so a collector never reads half a file.
 * When the daemon cannot be reached the output is still written, with
 * dpdk_switch_up 0 alone, and the exit status is 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client.h"

#define NS "dpdk_switch_"

/* One family: its header, then samples with metric(). */
static void family(struct strbuf *sb, const char *name, const char *type, const char *help)
{
	strbuf_addf(sb, "# HELP " NS "%s %s\n# TYPE " NS "%s %s\n", name, help, name, type);
}

static void sample(struct strbuf *sb, const char *name, const char *labels, uint64_t v)
{
	strbuf_addf(sb, NS "%s%s %" PRIu64 "\n", name, labels, v);
}

/* A label value, escaped as the format wants (\\, \", \n). */
static void label_value(struct strbuf *sb, const char *s)
{
	strbuf_addc(sb, '"');
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			strbuf_addc(sb, '\\');
		if (*s == '\n')
			strbuf_add(sb, "\\n", 2);
		else
			strbuf_addc(sb, *s);
	}
	strbuf_addc(sb, '"');
}

/* ---- datapath totals ---- */

static void put_dp(struct strbuf *sb, const struct cl_dp_info *dp)
{
	family(sb, "lookup_hits_total", "counter", "Packets that found a flow.");
	sample(sb, "lookup_hits_total", "", dp->stats.n_hit);
	family(sb, "lookup_misses_total", "counter", "Packets that found no flow.");
	sample(sb, "lookup_misses_total", "", dp->stats.n_missed);
	family(sb, "lookup_lost_total", "counter",
	       "Upcalls lost: no listener, a full queue, a refused userspace action.");
	sample(sb, "lookup_lost_total", "", dp->stats.n_lost);
	family(sb, "flows", "gauge", "Flows in the table.");
	sample(sb, "flows", "", dp->stats.n_flows);
	if (!dp->has_mstats)
		return;
	family(sb, "masks", "gauge", "Distinct flow masks (classifier subtables).");
	sample(sb, "masks", "", dp->mstats.n_masks);
	family(sb, "mask_hits_total", "counter",
	       "Subtables probed by packets that found a flow (n_mask_hit).");
	sample(sb, "mask_hits_total", "", dp->mstats.n_mask_hit);
	family(sb, "cache_hits_total", "counter", "Packets found in the exact-match cache.");
	sample(sb, "cache_hits_total", "", dp->mstats.n_cache_hit);
}

/* ---- the dpdk_switch family's settings and state ---- */

static const struct {
	uint16_t attr;
	const char *name, *type, *help;
} config_metrics[] = {
	{ DPSW_ATTR_FLOW_LIMIT_NOW, "flow_limit", "gauge", "The dynamic flow limit." },
	{ DPSW_ATTR_FLOW_LIMIT, "flow_limit_ceiling", "gauge", "The flow limit's ceiling." },
	{ DPSW_ATTR_REVAL_ROUNDS, "revalidator_rounds_total", "counter", "Revalidator rounds." },
	{ DPSW_ATTR_REVAL_DELETED, "revalidator_expired_flows_total", "counter",
	  "Flows deleted idle." },
	{ DPSW_ATTR_REVAL_FLUSHED, "revalidator_flushed_flows_total", "counter",
	  "Flows deleted because the table held twice the limit." },
	{ DPSW_ATTR_FLOWS_REFUSED, "flows_refused_total", "counter",
	  "Flows refused at the flow limit." },
	{ DPSW_ATTR_MBUFS_IN_USE, "mbufs_in_use", "gauge", "Packet buffers in use." },
	{ DPSW_ATTR_MBUFS_TOTAL, "mbufs", "gauge", "Packet buffers in the pools." },
	{ DPSW_ATTR_N_PMDS, "pmds", "gauge", "PMD threads." },
	{ DPSW_ATTR_UPCALLS_SENT, "upcalls_sent_total", "counter",
	  "Upcalls delivered to listeners." },
};

static void put_config(struct strbuf *sb, const struct cl_dp_config *cfg)
{
	if (!cfg->valid)
		return;
	for (size_t i = 0; i < sizeof(config_metrics) / sizeof(config_metrics[0]); i++) {
		family(sb, config_metrics[i].name, config_metrics[i].type, config_metrics[i].help);
		sample(sb, config_metrics[i].name, "", cfg->v[config_metrics[i].attr]);
	}
	/* Durations in seconds, as Prometheus wants base units. */
	family(sb, "max_idle_seconds", "gauge", "Idle time after which flows expire.");
	strbuf_addf(sb, NS "max_idle_seconds %.3f\n", (double)cfg->v[DPSW_ATTR_MAX_IDLE] / 1000);
	family(sb, "revalidator_duration_seconds", "gauge", "The last revalidator round's length.");
	strbuf_addf(sb, NS "revalidator_duration_seconds %.3f\n",
		    (double)cfg->v[DPSW_ATTR_REVAL_DURATION] / 1000);
}

/* ---- ports ---- */

#define PORT_STAT(field, name, help) { offsetof(struct ovs_vport_stats, field), name, help }
static const struct {
	size_t ofs;
	const char *name, *help;
} port_metrics[] = {
	PORT_STAT(rx_packets, "port_rx_packets_total", "Packets received."),
	PORT_STAT(rx_bytes, "port_rx_bytes_total", "Bytes received."),
	PORT_STAT(rx_errors, "port_rx_errors_total", "Receive errors."),
	PORT_STAT(rx_dropped, "port_rx_dropped_total", "Packets the device dropped on receive."),
	PORT_STAT(tx_packets, "port_tx_packets_total", "Packets sent."),
	PORT_STAT(tx_bytes, "port_tx_bytes_total", "Bytes sent."),
	PORT_STAT(tx_errors, "port_tx_errors_total", "Transmit errors."),
	PORT_STAT(tx_dropped, "port_tx_dropped_total", "Packets dropped on transmit."),
};

static void port_labels(struct strbuf *l, const struct cl_vport *p)
{
	strbuf_reset(l);
	strbuf_addf(l, "{port_no=\"%" PRIu32 "\",port=", p->port_no);
	label_value(l, p->name);
	strbuf_addc(l, '}');
}

static void put_ports(struct strbuf *sb, const struct cl_vport *ports, int n)
{
	struct strbuf l;

	strbuf_init(&l);
	for (size_t m = 0; m < sizeof(port_metrics) / sizeof(port_metrics[0]); m++) {
		family(sb, port_metrics[m].name, "counter", port_metrics[m].help);
		for (int i = 0; i < n; i++) {
			uint64_t v;

			if (!ports[i].has_stats)
				continue;
			memcpy(&v, (const uint8_t *)&ports[i].stats + port_metrics[m].ofs, sizeof(v));
			port_labels(&l, &ports[i]);
			sample(sb, port_metrics[m].name, l.s, v);
		}
	}
	strbuf_free(&l);
}

/* ---- PMDs ---- */

static const struct {
	uint16_t stat;
	const char *name, *help;
} pmd_metrics[] = {
	{ DPSW_STAT_RX_PACKETS, "pmd_rx_packets_total", "Packets the PMD received." },
	{ DPSW_STAT_HIT, "pmd_hits_total", "Packets that found a flow." },
	{ DPSW_STAT_CACHE_HIT, "pmd_cache_hits_total", "Packets found in the exact-match cache." },
	{ DPSW_STAT_MASK_HIT, "pmd_mask_hits_total", "Subtables probed by packets that hit." },
	{ DPSW_STAT_MISSED, "pmd_misses_total", "Packets that found no flow." },
	{ DPSW_STAT_UPCALLS, "pmd_upcalls_total", "Misses and userspace actions queued." },
	{ DPSW_STAT_LOST, "pmd_lost_total", "Upcalls dropped: no listener or a full queue." },
	{ DPSW_STAT_RECIRC, "pmd_recirculations_total", "Recirculated lookups." },
	{ DPSW_STAT_RUNTS, "pmd_runts_total", "Frames under 14 bytes, dropped." },
	{ DPSW_STAT_DROPPED, "pmd_action_drops_total", "Packets dropped by actions." },
	{ DPSW_STAT_ITERATIONS, "pmd_iterations_total", "Poll loop iterations." },
	{ DPSW_STAT_BUSY_CYCLES, "pmd_busy_cycles_total", "TSC cycles of iterations with packets." },
	{ DPSW_STAT_IDLE_CYCLES, "pmd_idle_cycles_total", "TSC cycles of idle iterations." },
};

static void put_pmds(struct strbuf *sb, const struct cl_pmd_list *pl)
{
	char labels[96];

	for (size_t m = 0; m < sizeof(pmd_metrics) / sizeof(pmd_metrics[0]); m++) {
		family(sb, pmd_metrics[m].name, "counter", pmd_metrics[m].help);
		for (unsigned int i = 0; i < pl->n; i++) {
			const struct cl_pmd_info *p = &pl->p[i];

			snprintf(labels, sizeof(labels),
				 "{pmd=\"%" PRIu32 "\",core_id=\"%" PRIu32 "\",numa_id=\"%" PRIu32 "\"}",
				 p->id, p->lcore, p->numa);
			sample(sb, pmd_metrics[m].name, labels, p->st[pmd_metrics[m].stat]);
		}
	}
}

/* ---- collecting and writing ---- */

/* Everything into 'sb' after dpdk_switch_up 1; an exit status. */
static int collect(struct client *c, const char *dp_name, struct strbuf *sb)
{
	struct cl_pmd_list pl = { 0 };
	struct cl_vport *ports = NULL;
	struct cl_dp_config cfg;
	struct cl_dp_info dp;
	struct errmsg err;
	int ret, n;

	errmsg_clear(&err);
	ret = cl_start(c, dp_name, &dp);
	if (ret != CL_EXIT_OK)
		return ret;
	n = cl_vport_list(c, &ports, &err);
	if (n < 0) {
		cl_report("dumping ports", n, &err);
		return CL_EXIT_FAIL;
	}
	ret = cl_dp_config_get(c, &cfg, &err);
	if (ret == 0 && cfg.valid)
		ret = cl_pmd_list_get(c, &pl, &err);
	if (ret < 0) {
		cl_report("reading the dpdk_switch statistics", ret, &err);
		free(ports);
		free(pl.p);
		return CL_EXIT_FAIL;
	}
	family(sb, "up", "gauge", "1 when the daemon answered.");
	sample(sb, "up", "", 1);
	put_dp(sb, &dp);
	put_config(sb, &cfg);
	put_ports(sb, ports, n);
	put_pmds(sb, &pl);
	free(ports);
	free(pl.p);
	return CL_EXIT_OK;
}

/* Replace 'path' with 'text': a temporary file beside it, then rename. */
static int write_atomic(const char *path, const char *text)
{
	char a[PATH_MAX], b[PATH_MAX], tmp[PATH_MAX];
	size_t len = strlen(text);
	int fd;

	snprintf(a, sizeof(a), "%s", path);
	snprintf(b, sizeof(b), "%s", path);
	if (snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dirname(a), basename(b)) >=
	    (int)sizeof(tmp)) {
		fprintf(stderr, "%s: --output %s: path too long\n", CL_PROG, path);
		return CL_EXIT_USAGE;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		fprintf(stderr, "%s: --output %s: cannot create %s: %s\n", CL_PROG, path, tmp,
			strerror(errno));
		return CL_EXIT_FAIL;
	}
	/* mkstemp() makes it 0600; the collector may run as another user. */
	if (fchmod(fd, 0644) != 0 || write(fd, text, len) != (ssize_t)len || close(fd) != 0 ||
	    rename(tmp, path) != 0) {
		fprintf(stderr, "%s: --output %s: %s\n", CL_PROG, path, strerror(errno));
		unlink(tmp);
		return CL_EXIT_FAIL;
	}
	return CL_EXIT_OK;
}

int cmd_metrics(struct client *c, int argc, char **argv)
{
	struct strbuf sb;
	int ret, wret;

	strbuf_init(&sb);
	ret = collect(c, argc > 1 ? argv[1] : NULL, &sb);
	if (ret != CL_EXIT_OK) {
		/* Say so in the file too: a collector would otherwise keep
		 * serving the last numbers as current. */
		strbuf_reset(&sb);
		family(&sb, "up", "gauge", "1 when the daemon answered.");
		sample(&sb, "up", "", 0);
	}
	if (c->opt->output) {
		wret = write_atomic(c->opt->output, sb.s);
	} else {
		fputs(sb.s, stdout);
		wret = CL_EXIT_OK;
	}
	strbuf_free(&sb);
	return ret != CL_EXIT_OK ? ret : wret;
}
