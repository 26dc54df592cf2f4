/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packet family: execute (OVS_PACKET_CMD_EXECUTE) and monitor, which
 * takes the datapath's upcall pid and prints each MISS and ACTION upcall
 * as it arrives.
 */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "nl_policy.h"
#include "odp_key.h"
#include "odp_text.h"

/* ---- execute ---- */

static int hex_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = (char)tolower((unsigned char)ch);
	return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/* Hex digits, blanks and ':' ignored between bytes. Returns the length, or
 * -1 after printing where the text went wrong. */
static long parse_hex(const char *s, struct nlbuf *out)
{
	size_t n = 0;

	for (const char *p = s; *p;) {
		if (isspace((unsigned char)*p) || *p == ':') {
			p++;
			continue;
		}
		int hi = hex_value(p[0]), lo = hi < 0 ? -1 : hex_value(p[1]);
		if (lo < 0) {
			fprintf(stderr, "%s: packet: bad hex at offset %td: '%.8s'\n", CL_PROG,
				p - s + (hi < 0 ? 0 : 1), p);
			return -1;
		}
		uint8_t byte = (uint8_t)(hi << 4 | lo);
		nlbuf_put(out, &byte, 1);
		out->len = ++n; /* nlbuf_put pads to 4; keep the exact length */
		p += 2;
	}
	return (long)n;
}

/* The packet's metadata: --key FLOW and/or --in-port N; without either,
 * no in_port (the daemon takes the local port). */
static int execute_key(const struct cl_opts *o, struct flow_key *key)
{
	struct odp_match m;
	struct errmsg err;

	memset(key, 0, sizeof(*key));
	key->in_port = ODP_PORT_NONE;
	if (o->key) {
		errmsg_clear(&err);
		if (odp_flow_parse(o->key, &m, &err) < 0) {
			fprintf(stderr, "%s: parsing --key: %s (at offset %d)\n", CL_PROG, err.msg,
				err.offset);
			return CL_EXIT_USAGE;
		}
		*key = m.key;
		if (m.mask.in_port == 0)
			key->in_port = ODP_PORT_NONE;
	}
	if (o->in_port >= 0)
		key->in_port = (uint32_t)o->in_port;
	return CL_EXIT_OK;
}

static void put_execute_key(struct nlbuf *b, const struct flow_key *key, bool full)
{
	if (full) {
		odp_key_encode(b, OVS_PACKET_ATTR_KEY, key);
		return;
	}
	size_t nest = nlbuf_nest_start(b, OVS_PACKET_ATTR_KEY);
	if (key->in_port != ODP_PORT_NONE)
		nlbuf_put_u32(b, OVS_KEY_ATTR_IN_PORT, key->in_port);
	nlbuf_nest_end(b, nest);
}

int cmd_execute(struct client *c, int argc, char **argv)
{
	struct nlbuf pkt, acts, b;
	struct flow_key key;
	struct errmsg err;
	bool full = c->opt->key != NULL;
	int ret;

	(void)argc;
	nlbuf_init(&pkt, 2048);
	nlbuf_init(&acts, 256);
	errmsg_clear(&err);
	ret = parse_hex(argv[1], &pkt) < 0 ? CL_EXIT_USAGE : CL_EXIT_OK;
	if (ret == CL_EXIT_OK && odp_actions_parse(argv[2], &acts, &err) < 0) {
		fprintf(stderr, "%s: parsing actions: %s (at offset %d)\n", CL_PROG, err.msg,
			err.offset);
		ret = CL_EXIT_USAGE;
	}
	if (ret == CL_EXIT_OK)
		ret = execute_key(c->opt, &key);
	if (ret == CL_EXIT_OK)
		ret = cl_start(c, NULL, NULL);
	if (ret == CL_EXIT_OK) {
		nlbuf_init(&b, pkt.len + acts.len + 1024);
		size_t m = cl_msg_start(c, &b, CL_FAM_PACKET, OVS_PACKET_CMD_EXECUTE, NLM_F_ACK);
		nlbuf_put_attr(&b, OVS_PACKET_ATTR_PACKET, pkt.data, pkt.len);
		put_execute_key(&b, &key, full);
		nlbuf_put_attr(&b, OVS_PACKET_ATTR_ACTIONS, acts.data, acts.len);
		nlbuf_msg_end(&b, m);
		ret = cl_transact(c, &b, NULL, NULL, &err);
		if (ret < 0)
			cl_report("executing actions", ret, &err);
		ret = cl_exit_status(ret);
		nlbuf_free(&b);
	}
	nlbuf_free(&pkt);
	nlbuf_free(&acts);
	return ret;
}

/* ---- monitor ---- */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* No SA_RESTART: a signal ends the blocking recv() with EINTR. */
static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static int claim_upcalls(struct client *c)
{
	struct errmsg err;
	struct nlbuf b;
	int ret;

	errmsg_clear(&err);
	nlbuf_init(&b, 128);
	size_t m = cl_msg_start(c, &b, CL_FAM_DATAPATH, OVS_DP_CMD_SET, NLM_F_ACK);
	nlbuf_put_u32(&b, OVS_DP_ATTR_UPCALL_PID, c->pid);
	nlbuf_msg_end(&b, m);
	ret = cl_transact(c, &b, NULL, NULL, &err);
	nlbuf_free(&b);
	if (ret < 0)
		cl_report("setting the upcall pid", ret, &err);
	return cl_exit_status(ret);
}

/* The key as a flow with every field it carries matched exactly. */
static void format_upcall_key(struct strbuf *sb, const struct nlattr *key)
{
	struct flow_key k, m;
	struct errmsg err;

	errmsg_clear(&err);
	if (key == NULL) {
		strbuf_addf(sb, "(no key)");
		return;
	}
	if (odp_match_decode(key, NULL, NULL, &k, &m, &err) < 0) {
		strbuf_addf(sb, "(key not decoded: %s)", err.msg);
		return;
	}
	odp_flow_format(sb, &k, &m, false);
}

static void format_upcall(struct strbuf *sb, uint8_t cmd, const struct nlattr **a)
{
	strbuf_addf(sb, "%s: ", cmd == OVS_PACKET_CMD_MISS ? "MISS" : "ACTION");
	format_upcall_key(sb, a[OVS_PACKET_ATTR_KEY]);
	strbuf_addc(sb, '\n');
	if (a[OVS_PACKET_ATTR_USERDATA]) {
		strbuf_add(sb, "  userdata:", 11);
		const uint8_t *u = nl_attr_data(a[OVS_PACKET_ATTR_USERDATA]);
		for (size_t i = 0; i < nl_attr_len(a[OVS_PACKET_ATTR_USERDATA]); i++)
			strbuf_addf(sb, " %02x", u[i]);
		strbuf_addc(sb, '\n');
	}
	if (a[OVS_PACKET_ATTR_PACKET] == NULL)
		return;
	const uint8_t *p = nl_attr_data(a[OVS_PACKET_ATTR_PACKET]);
	size_t len = nl_attr_len(a[OVS_PACKET_ATTR_PACKET]);
	strbuf_add(sb, "  packet: ", 10);
	pkt_summary(sb, p, len);
	/* The kernel sends LEN only for a packet cut short by trunc(). */
	if (a[OVS_PACKET_ATTR_LEN] && nl_attr_u32(a[OVS_PACKET_ATTR_LEN]) != len)
		strbuf_addf(sb, " (truncated from %u bytes)", nl_attr_u32(a[OVS_PACKET_ATTR_LEN]));
	strbuf_addc(sb, '\n');
	pkt_hexdump(sb, p, len, "  ");
}

/* One message of an incoming datagram: 1 when it was an upcall. */
static int on_upcall(struct client *c, const struct nlmsghdr *nlh)
{
	const struct nlattr *a[OVS_PACKET_ATTR_MAX + 1];
	struct nl_msg msg;
	struct errmsg err;
	struct strbuf sb;

	errmsg_clear(&err);
	if (nlh->nlmsg_type != c->family[CL_FAM_PACKET] ||
	    nl_msg_parse(nlh, true, &msg, &err) < 0)
		return 0;
	if (msg.genl->cmd != OVS_PACKET_CMD_MISS && msg.genl->cmd != OVS_PACKET_CMD_ACTION)
		return 0;
	strbuf_init(&sb);
	if (nl_policy_parse(&nl_policy_ovs_packet, msg.attrs, msg.attrs_len, a, NULL, &err) < 0)
		strbuf_addf(&sb, "upcall not decoded: %s\n", err.msg);
	else
		format_upcall(&sb, msg.genl->cmd, a);
	fputs(sb.s, stdout);
	fflush(stdout);
	strbuf_free(&sb);
	return 1;
}

int cmd_monitor(struct client *c, int argc, char **argv)
{
	long seen = 0, limit = c->opt->count;
	int ret = cl_start(c, argc > 1 ? argv[1] : NULL, NULL);

	if (ret == CL_EXIT_OK)
		ret = claim_upcalls(c);
	if (ret != CL_EXIT_OK)
		return ret;
	catch_signals();
	fprintf(stderr, "%s: monitoring upcalls (pid %u)\n", CL_PROG, c->pid);
	while (!stop && (limit == 0 || seen < limit)) {
		long n = cl_recv(c, true);
		const struct nlmsghdr *nlh;
		size_t ofs = 0;

		if (n == -EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "%s: reading upcalls: %s\n", CL_PROG, strerror((int)-n));
			return CL_EXIT_FAIL;
		}
		while ((limit == 0 || seen < limit) &&
		       nl_msg_next(c->rx, (size_t)n, &ofs, &nlh, NULL) > 0)
			seen += on_upcall(c, nlh);
	}
	return CL_EXIT_OK;
}
