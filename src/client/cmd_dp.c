/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Commands on the datapath and its ports: show (as ovs-dpctl show, plus
 * the revalidator's state), add-if, del-if, set-flow-limit, set-max-idle.
 */
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "dpsw_proto.h"
#include "json.h"
#include "nl_policy.h"
#include "port_opts.h"

static void on_rate_drops(struct cl_dp_config *cfg, const struct nlattr *nest)
{
	const struct nlattr *a;

	nl_attr_for_each_nested(a, nest) {
		uint16_t port = nl_attr_type(a) - 1;
		if (port < CL_MAX_PORTS && nl_attr_is_u64(a))
			cfg->rate_drops[port] = nl_attr_u64(a);
	}
}

static int on_config(void *arg, const struct nl_msg *msg)
{
	struct cl_dp_config *cfg = arg;
	const struct nlattr *attr;

	nl_attr_for_each(attr, msg->attrs, msg->attrs_len) {
		uint16_t type = nl_attr_type(attr);
		if (type > DPSW_ATTR_MAX)
			continue;
		if (type == DPSW_ATTR_UPCALL_RATE_DROPS) {
			on_rate_drops(cfg, attr);
			continue;
		}
		if (nl_attr_len(attr) == 4)
			cfg->v[type] = nl_attr_u32(attr);
		else if (nl_attr_len(attr) == 8)
			cfg->v[type] = nl_attr_u64(attr);
	}
	cfg->valid = true;
	return 0;
}

int cl_dp_config_get(struct client *c, struct cl_dp_config *cfg, struct errmsg *err)
{
	struct nlbuf b;
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	if (!cl_has_family(c, CL_FAM_DPSW))
		return 0; /* an older daemon: show the OVS part only */
	nlbuf_init(&b, 128);
	nlbuf_msg_end(&b, cl_msg_start(c, &b, CL_FAM_DPSW, DPSW_CMD_CONFIG_GET, NLM_F_ACK));
	ret = cl_transact(c, &b, on_config, cfg, err);
	nlbuf_free(&b);
	return ret;
}

/* ---- show, text ---- */

static void print_stat(const char *leader, uint64_t v, bool known)
{
	if (known)
		printf("%s%" PRIu64, leader, v);
	else
		printf("%s?", leader);
}

static void print_human_size(uint64_t v)
{
	static const char *const units[] = { "TiB", "GiB", "MiB", "KiB" };

	for (int i = 0; i < 4; i++) {
		double scale = (double)(1ull << (10 * (4 - i)));
		if ((double)v >= scale) {
			printf(" (%.1f %s)", (double)v / scale, units[i]);
			return;
		}
	}
}

/* As ovs-dpctl show -s; counters the vport stats do not carry print "?". */
static void print_port_stats(const struct ovs_vport_stats *s)
{
	print_stat("    RX packets:", s->rx_packets, true);
	print_stat(" errors:", s->rx_errors, true);
	print_stat(" dropped:", s->rx_dropped, true);
	print_stat(" overruns:", 0, false);
	print_stat(" frame:", 0, false);
	print_stat("\n    TX packets:", s->tx_packets, true);
	print_stat(" errors:", s->tx_errors, true);
	print_stat(" dropped:", s->tx_dropped, true);
	print_stat(" aborted:", 0, false);
	print_stat(" carrier:", 0, false);
	print_stat("\n    collisions:", 0, false);
	print_stat("\n    RX bytes:", s->rx_bytes, true);
	print_human_size(s->rx_bytes);
	print_stat("  TX bytes:", s->tx_bytes, true);
	print_human_size(s->tx_bytes);
	printf("\n");
}

/* "rx-csum,tx-csum,tso", "none". */
static void offloads_string(uint32_t bits, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", bits & DPSW_OFFLOAD_RX_CSUM ? ",rx-csum" : "",
		 bits & DPSW_OFFLOAD_TX_CSUM ? ",tx-csum" : "",
		 bits & DPSW_OFFLOAD_TSO ? ",tso" : "");
	if (buf[0] == '\0')
		snprintf(buf, len, ",none");
}

/* What the port got: the device's MTU (and whether its driver set it or
 * has no MTU operation but takes the frames), queues, descriptors, the
 * checksum and TSO offloads it does now. */
static void print_port_config(const struct cl_vport *p)
{
	char offloads[32];

	offloads_string(p->offloads, offloads, sizeof(offloads));
	printf("    config: driver:%s mtu:%" PRIu32 " mtu_set:%s scatter:%s rxq:%" PRIu32
	       " txq:%" PRIu32 " rxd:%" PRIu32 " txd:%" PRIu32 " offloads:%s\n",
	       p->driver[0] ? p->driver : "?", p->mtu, p->mtu_set ? "yes" : "no",
	       p->scatter ? "yes" : "no", p->rxq, p->txq, p->rxd, p->txd, offloads + 1);
}

static double mask_hit_per_pkt(const struct cl_dp_info *dp)
{
	uint64_t n = dp->stats.n_hit + dp->stats.n_missed;

	return n ? (double)dp->mstats.n_mask_hit / (double)n : 0.0;
}

static void print_config(const struct cl_dp_config *cfg)
{
	const uint64_t *v = cfg->v;

	printf("  flow limit: %" PRIu64 " (ceiling %" PRIu64 "), ", v[DPSW_ATTR_FLOW_LIMIT_NOW],
	       v[DPSW_ATTR_FLOW_LIMIT]);
	if (v[DPSW_ATTR_MAX_IDLE])
		printf("max idle: %" PRIu64 " ms\n", v[DPSW_ATTR_MAX_IDLE]);
	else
		printf("max idle: off (flows live until deleted)\n");
	printf("  revalidator: rounds:%" PRIu64 " duration:%" PRIu64 "ms deleted:%" PRIu64
	       " flushed:%" PRIu64 " refused:%" PRIu64 "\n",
	       v[DPSW_ATTR_REVAL_ROUNDS], v[DPSW_ATTR_REVAL_DURATION], v[DPSW_ATTR_REVAL_DELETED],
	       v[DPSW_ATTR_REVAL_FLUSHED], v[DPSW_ATTR_FLOWS_REFUSED]);
	printf("  pmds: %" PRIu64 ", mbufs: %" PRIu64 "/%" PRIu64 " in use, upcalls sent: %" PRIu64
	       "\n", v[DPSW_ATTR_N_PMDS], v[DPSW_ATTR_MBUFS_IN_USE], v[DPSW_ATTR_MBUFS_TOTAL],
	       v[DPSW_ATTR_UPCALLS_SENT]);
	if (v[DPSW_ATTR_UPCALL_RATE])
		printf("  upcall rate: %" PRIu64 "/s per port\n", v[DPSW_ATTR_UPCALL_RATE]);
	else
		printf("  upcall rate: no limit\n");
	if (v[DPSW_ATTR_PMD_SLEEP_MAX])
		printf("  pmd sleep max: %" PRIu64 " us\n", v[DPSW_ATTR_PMD_SLEEP_MAX]);
}

static const char *vport_type(uint32_t type)
{
	return type == OVS_VPORT_TYPE_INTERNAL ? "internal" : "system";
}

static void show_text(const struct client *c, const struct cl_dp_info *dp,
		      const struct cl_vport *ports, int n, const struct cl_dp_config *cfg)
{
	printf("%s@%s:\n", CL_DP_TYPE, dp->name);
	printf("  lookups: hit:%" PRIu64 " missed:%" PRIu64 " lost:%" PRIu64 "\n  flows: %" PRIu64
	       "\n", (uint64_t)dp->stats.n_hit, (uint64_t)dp->stats.n_missed,
	       (uint64_t)dp->stats.n_lost, (uint64_t)dp->stats.n_flows);
	if (dp->has_mstats)
		printf("  masks: hit:%" PRIu64 " total:%" PRIu32 " hit/pkt:%.2f\n",
		       (uint64_t)dp->mstats.n_mask_hit, dp->mstats.n_masks, mask_hit_per_pkt(dp));
	if (cfg->valid)
		print_config(cfg);
	for (int i = 0; i < n; i++) {
		printf("  port %" PRIu32 ": %s", ports[i].port_no, ports[i].name);
		if (ports[i].type != OVS_VPORT_TYPE_NETDEV)
			printf(" (%s)", vport_type(ports[i].type));
		printf("\n");
		if (c->opt->stats && ports[i].has_stats)
			print_port_stats(&ports[i].stats);
		if (ports[i].port_no < CL_MAX_PORTS && cfg->rate_drops[ports[i].port_no])
			printf("    upcalls over rate: %" PRIu64 "\n",
			       cfg->rate_drops[ports[i].port_no]);
		if (c->opt->stats && ports[i].has_config)
			print_port_config(&ports[i]);
	}
}

/* ---- show, JSON ---- */

/* A port's "stats" object: the kernel's struct ovs_vport_stats, in order. */
static const struct {
	const char *name;
	size_t ofs;
} vport_counters[] = {
	{ "rx_packets", offsetof(struct ovs_vport_stats, rx_packets) },
	{ "rx_bytes", offsetof(struct ovs_vport_stats, rx_bytes) },
	{ "rx_errors", offsetof(struct ovs_vport_stats, rx_errors) },
	{ "rx_dropped", offsetof(struct ovs_vport_stats, rx_dropped) },
	{ "tx_packets", offsetof(struct ovs_vport_stats, tx_packets) },
	{ "tx_bytes", offsetof(struct ovs_vport_stats, tx_bytes) },
	{ "tx_errors", offsetof(struct ovs_vport_stats, tx_errors) },
	{ "tx_dropped", offsetof(struct ovs_vport_stats, tx_dropped) },
};

static void json_port(struct json *j, const struct cl_vport *p, const struct cl_dp_config *cfg)
{
	const struct ovs_vport_stats *s = &p->stats;

	json_obj_begin(j);
	json_kv_u64(j, "port_no", p->port_no);
	json_kv_u64(j, "upcalls_over_rate",
		    p->port_no < CL_MAX_PORTS ? cfg->rate_drops[p->port_no] : 0);
	json_kv_str(j, "name", p->name);
	json_kv_str(j, "type", vport_type(p->type));
	if (p->has_config) {
		json_key(j, "config");
		json_obj_begin(j);
		json_kv_str(j, "driver", p->driver);
		json_kv_u64(j, "mtu", p->mtu);
		json_kv_bool(j, "mtu_set", p->mtu_set);
		json_kv_bool(j, "scatter", p->scatter);
		json_kv_bool(j, "rx_csum", p->offloads & DPSW_OFFLOAD_RX_CSUM);
		json_kv_bool(j, "tx_csum", p->offloads & DPSW_OFFLOAD_TX_CSUM);
		json_kv_bool(j, "tso", p->offloads & DPSW_OFFLOAD_TSO);
		json_kv_u64(j, "rxq", p->rxq);
		json_kv_u64(j, "txq", p->txq);
		json_kv_u64(j, "rxd", p->rxd);
		json_kv_u64(j, "txd", p->txd);
		json_obj_end(j);
	}
	if (p->has_stats) {
		json_key(j, "stats");
		json_obj_begin(j);
		for (size_t k = 0; k < sizeof(vport_counters) / sizeof(vport_counters[0]); k++) {
			uint64_t v;

			memcpy(&v, (const uint8_t *)s + vport_counters[k].ofs, sizeof(v));
			json_kv_u64(j, vport_counters[k].name, v);
		}
		json_obj_end(j);
	}
	json_obj_end(j);
}

static void json_config(struct json *j, const struct cl_dp_config *cfg)
{
	const uint64_t *v = cfg->v;

	json_key(j, "flow_limit");
	json_obj_begin(j);
	json_kv_u64(j, "dynamic", v[DPSW_ATTR_FLOW_LIMIT_NOW]);
	json_kv_u64(j, "ceiling", v[DPSW_ATTR_FLOW_LIMIT]);
	json_obj_end(j);
	json_kv_u64(j, "max_idle_ms", v[DPSW_ATTR_MAX_IDLE]);
	json_kv_u64(j, "n_flows", v[DPSW_ATTR_N_FLOWS]);
	json_key(j, "revalidator");
	json_obj_begin(j);
	json_kv_u64(j, "rounds", v[DPSW_ATTR_REVAL_ROUNDS]);
	json_kv_u64(j, "duration_ms", v[DPSW_ATTR_REVAL_DURATION]);
	json_kv_u64(j, "deleted", v[DPSW_ATTR_REVAL_DELETED]);
	json_kv_u64(j, "flushed", v[DPSW_ATTR_REVAL_FLUSHED]);
	json_kv_u64(j, "refused", v[DPSW_ATTR_FLOWS_REFUSED]);
	json_obj_end(j);
	json_kv_u64(j, "n_pmds", v[DPSW_ATTR_N_PMDS]);
	json_kv_u64(j, "mbufs_in_use", v[DPSW_ATTR_MBUFS_IN_USE]);
	json_kv_u64(j, "mbufs_total", v[DPSW_ATTR_MBUFS_TOTAL]);
	json_kv_u64(j, "upcalls_sent", v[DPSW_ATTR_UPCALLS_SENT]);
	json_kv_u64(j, "upcall_rate", v[DPSW_ATTR_UPCALL_RATE]);
	json_kv_u64(j, "pmd_sleep_max_us", v[DPSW_ATTR_PMD_SLEEP_MAX]);
}

static void show_json(const struct cl_dp_info *dp, const struct cl_vport *ports, int n,
		      const struct cl_dp_config *cfg)
{
	struct strbuf sb;
	struct json j;

	strbuf_init(&sb);
	json_init(&j, &sb);
	json_obj_begin(&j);
	json_kv_str(&j, "name", dp->name);
	json_kv_str(&j, "type", CL_DP_TYPE);
	json_key(&j, "lookups");
	json_obj_begin(&j);
	json_kv_u64(&j, "hit", dp->stats.n_hit);
	json_kv_u64(&j, "missed", dp->stats.n_missed);
	json_kv_u64(&j, "lost", dp->stats.n_lost);
	json_obj_end(&j);
	json_kv_u64(&j, "flows", dp->stats.n_flows);
	json_key(&j, "masks");
	json_obj_begin(&j);
	json_kv_u64(&j, "hit", dp->mstats.n_mask_hit);
	json_kv_u64(&j, "total", dp->mstats.n_masks);
	json_kv_double(&j, "hit_per_pkt", mask_hit_per_pkt(dp));
	json_obj_end(&j);
	if (cfg->valid)
		json_config(&j, cfg);
	json_key(&j, "ports");
	json_arr_begin(&j);
	for (int i = 0; i < n; i++)
		json_port(&j, &ports[i], cfg);
	json_arr_end(&j);
	json_obj_end(&j);
	fputs(sb.s, stdout);
	strbuf_free(&sb);
}

int cmd_show(struct client *c, int argc, char **argv)
{
	struct cl_dp_info dp;
	struct cl_vport *ports = NULL;
	struct cl_dp_config cfg;
	struct errmsg err;
	int ret, n;

	errmsg_clear(&err);
	ret = cl_start(c, argc > 1 ? argv[1] : NULL, &dp);
	if (ret != CL_EXIT_OK)
		return ret;
	n = cl_vport_list(c, &ports, &err);
	if (n < 0) {
		cl_report("dumping ports", n, &err);
		return CL_EXIT_FAIL;
	}
	ret = cl_dp_config_get(c, &cfg, &err);
	if (ret < 0) {
		cl_report("reading the datapath's configuration", ret, &err);
		free(ports);
		return CL_EXIT_FAIL;
	}
	if (c->opt->json)
		show_json(&dp, ports, n, &cfg);
	else
		show_text(c, &dp, ports, n, &cfg);
	free(ports);
	return CL_EXIT_OK;
}

/* ---- ports ---- */

/* The vport's name: the device name of the devargs ("net_tap1" of
 * "net_tap1,iface=t1"), cut to what a vport name holds. */
static void devargs_name(const char *devargs, char *name, size_t cap)
{
	size_t n = strcspn(devargs, ",");

	if (n >= cap)
		n = cap - 1;
	memcpy(name, devargs, n);
	name[n] = '\0';
}

static void put_port_opts(struct nlbuf *b, const struct port_opts *o)
{
	static const struct {
		uint16_t type;
		size_t offset;
	} fields[] = {
		{ DPSW_VPORT_OPTION_MTU, offsetof(struct port_opts, mtu) },
		{ DPSW_VPORT_OPTION_RXQ, offsetof(struct port_opts, rxq) },
		{ DPSW_VPORT_OPTION_TXQ, offsetof(struct port_opts, txq) },
		{ DPSW_VPORT_OPTION_RXD, offsetof(struct port_opts, rxd) },
		{ DPSW_VPORT_OPTION_TXD, offsetof(struct port_opts, txd) },
	};

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		uint16_t v = *(const uint16_t *)((const char *)o + fields[i].offset);
		if (v)
			nlbuf_put_u32(b, fields[i].type, v);
	}
	if (o->offload)
		nlbuf_put_u32(b, DPSW_VPORT_OPTION_OFFLOAD, o->offload == PORT_OPTS_OFFLOAD_ON);
}

/* add-if [DP] DEVARGS [OPTS...]: the trailing words that start with a port
 * option key ("mtu=9000,rxq=2" or "mtu=9000 rxq=2") are options; devargs
 * start with a device name. */
static int add_if_args(int *argc, char **argv, struct port_opts *o)
{
	struct errmsg err;

	memset(o, 0, sizeof(*o));
	while (*argc > 2 && port_opts_is_opts(argv[*argc - 1])) {
		errmsg_clear(&err);
		if (port_opts_parse(argv[*argc - 1], o, &err) < 0) {
			fprintf(stderr, "%s: %s\n", CL_PROG, err.msg);
			return CL_EXIT_USAGE;
		}
		(*argc)--;
	}
	if (*argc > 3 || (*argc == 2 && port_opts_is_opts(argv[1]))) {
		fprintf(stderr, "%s: add-if: give [DP] DEVARGS, then the options\n", CL_PROG);
		return CL_EXIT_USAGE;
	}
	return CL_EXIT_OK;
}

int cmd_add_if(struct client *c, int argc, char **argv)
{
	struct port_opts popts;
	int ret = add_if_args(&argc, argv, &popts);
	const char *devargs = argv[argc - 1];
	char name[IFNAMSIZ];
	uint32_t pid = 0; /* misses go where the datapath's go */
	struct errmsg err;
	struct nlbuf b;
	size_t m, opts;

	if (ret != CL_EXIT_OK)
		return ret;
	devargs_name(devargs, name, sizeof(name));
	if (name[0] == '\0') {
		fprintf(stderr, "%s: %s is not a valid network device name\n", CL_PROG, devargs);
		return CL_EXIT_USAGE;
	}
	ret = cl_start(c, argc > 2 ? argv[1] : NULL, NULL);
	if (ret != CL_EXIT_OK)
		return ret;
	errmsg_clear(&err);
	nlbuf_init(&b, 256);
	m = cl_msg_start(c, &b, CL_FAM_VPORT, OVS_VPORT_CMD_NEW, NLM_F_ACK);
	nlbuf_put_string(&b, OVS_VPORT_ATTR_NAME, name);
	nlbuf_put_u32(&b, OVS_VPORT_ATTR_TYPE, OVS_VPORT_TYPE_NETDEV);
	nlbuf_put_attr(&b, OVS_VPORT_ATTR_UPCALL_PID, &pid, sizeof(pid));
	opts = nlbuf_nest_start(&b, OVS_VPORT_ATTR_OPTIONS);
	nlbuf_put_string(&b, DPSW_VPORT_OPTION_DEVARGS, devargs);
	put_port_opts(&b, &popts);
	nlbuf_nest_end(&b, opts);
	nlbuf_msg_end(&b, m);
	ret = cl_transact(c, &b, NULL, NULL, &err);
	nlbuf_free(&b);
	if (ret < 0) {
		char what[300];
		snprintf(what, sizeof(what), "adding %s to %s failed", devargs, CL_DP_TYPE);
		cl_report(what, ret, &err);
	}
	return cl_exit_status(ret);
}

int cmd_del_if(struct client *c, int argc, char **argv)
{
	const char *port = argv[argc - 1];
	bool by_number = port[0] && port[strspn(port, "0123456789")] == '\0';
	struct errmsg err;
	struct nlbuf b;
	size_t m;
	int ret;

	if (by_number && strlen(port) > 9) {
		fprintf(stderr, "%s: no port %s\n", CL_PROG, port);
		return CL_EXIT_USAGE;
	}
	ret = cl_start(c, argc > 2 ? argv[1] : NULL, NULL);
	if (ret != CL_EXIT_OK)
		return ret;
	errmsg_clear(&err);
	nlbuf_init(&b, 128);
	m = cl_msg_start(c, &b, CL_FAM_VPORT, OVS_VPORT_CMD_DEL, NLM_F_ACK);
	if (by_number)
		nlbuf_put_u32(&b, OVS_VPORT_ATTR_PORT_NO, (uint32_t)strtoul(port, NULL, 10));
	else
		nlbuf_put_string(&b, OVS_VPORT_ATTR_NAME, port);
	nlbuf_msg_end(&b, m);
	ret = cl_transact(c, &b, NULL, NULL, &err);
	nlbuf_free(&b);
	if (ret < 0) {
		char what[300];
		snprintf(what, sizeof(what), "deleting port %s from %s failed", port, CL_DP_TYPE);
		cl_report(what, ret, &err);
	}
	return cl_exit_status(ret);
}

/* ---- revalidator settings ---- */

static int config_set(struct client *c, uint16_t attr, const char *what, const char *arg)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || v > UINT32_MAX) {
		fprintf(stderr, "%s: %s: '%s' is not a number\n", CL_PROG, what, arg);
		return CL_EXIT_USAGE;
	}
	return cl_dpsw_ack(c, NULL, DPSW_CMD_CONFIG_SET, attr, (uint32_t)v, what);
}

int cmd_set_flow_limit(struct client *c, int argc, char **argv)
{
	(void)argc;
	return config_set(c, DPSW_ATTR_FLOW_LIMIT, "setting the flow limit", argv[1]);
}

int cmd_set_max_idle(struct client *c, int argc, char **argv)
{
	(void)argc;
	return config_set(c, DPSW_ATTR_MAX_IDLE, "setting max idle", argv[1]);
}
