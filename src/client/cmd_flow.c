/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow commands, as ovs-dpctl runs them against the kernel datapath
 * (lib/dpctl.c + lib/dpif-netlink.c): add-flow is NEW with NLM_F_CREATE,
 * mod-flow SET (or NEW without NLM_F_CREATE under --may-create), get-flow
 * and del-flow by UFID when given, else by key and mask, del-flows
 * without a file is DEL without a key (flush), dump-flows a GET dump.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "json.h"
#include "odp_text.h"

/* stdio reads a flows file in blocks of this size (its default is a page). */
#define FLOWS_READ_BUF (1 << 20)

/* ---- arguments ---- */

static void print_parse_error(const char *what, const char *input, const struct errmsg *err)
{
	fprintf(stderr, "%s: %s: %s", CL_PROG, what, err->msg);
	if (err->offset >= 0 && (size_t)err->offset <= strlen(input))
		fprintf(stderr, " (at offset %d)\n  %s\n  %*s^\n", err->offset, input, err->offset,
			"");
	else
		fprintf(stderr, "\n");
}

/* True for "ufid:UUID" alone: no key attribute (they all have "(") follows. */
static bool ufid_only(const char *s)
{
	s += strspn(s, " \t");
	return strncmp(s, "ufid:", 5) == 0 && strchr(s, '(') == NULL;
}

/*
 * FLOW, ufid:UUID or "ufid:UUID,FLOW". *has_key says whether a match was
 * given. Returns CL_EXIT_OK, or prints the offending token and returns
 * CL_EXIT_USAGE.
 */
static int parse_flow_arg(const char *s, struct odp_match *m, bool *has_key)
{
	struct errmsg err;
	int ret;

	errmsg_clear(&err);
	memset(m, 0, sizeof(*m));
	*has_key = !ufid_only(s);
	if (*has_key) {
		ret = odp_flow_parse(s, m, &err);
		if (ret == 0 && (ret = cl_match_check(m, NULL, &err)) < 0) {
			fprintf(stderr, "%s: flow key: %s\n", CL_PROG, err.msg);
			return CL_EXIT_USAGE;
		}
	} else if ((ret = odp_ufid_parse(s + strspn(s, " \t"), &m->ufid, &err)) == 0)
		m->has_ufid = true;
	if (ret < 0) {
		print_parse_error(*has_key ? "parsing flow key" : "parsing flow ufid", s, &err);
		return CL_EXIT_USAGE;
	}
	return CL_EXIT_OK;
}

static int parse_actions_arg(const char *s, struct nlbuf *acts)
{
	struct errmsg err;

	errmsg_clear(&err);
	if (odp_actions_parse(s, acts, &err) < 0) {
		print_parse_error("parsing actions", s, &err);
		return CL_EXIT_USAGE;
	}
	return CL_EXIT_OK;
}

/* ---- printing flows ---- */

static void format_flow(const struct client *c, const struct cl_flow *f, uint64_t now,
			struct strbuf *sb)
{
	struct odp_dump_flow d = {
		.ufid = f->has_ufid ? &f->ufid : NULL, .key = &f->key, .mask = &f->mask,
		.actions = f->actions, .actions_len = f->actions_len, .packets = f->packets,
		.bytes = f->bytes, .used_ms = f->used, .tcp_flags = f->tcp_flags, .dp_layer = "ovs",
	};

	odp_dump_flow_format(sb, &d, now, c->opt->verbosity > 0);
}

/* The statistics part of a dump line, as ovs-dpctl -s prints it after
 * mod-flow and del-flow: "packets:N, bytes:N, used:T[, flags:F]". */
static void format_stats(struct strbuf *sb, const struct cl_flow *f, uint64_t now)
{
	strbuf_addf(sb, "packets:%llu, bytes:%llu, used:", (unsigned long long)f->packets,
		    (unsigned long long)f->bytes);
	if (f->used)
		strbuf_addf(sb, "%.3fs", (double)(int64_t)(now - f->used) / 1000.0);
	else
		strbuf_add(sb, "never", 5);
	if (f->tcp_flags) {
		strbuf_add(sb, ", flags:", 8);
		odp_tcp_flags_format(sb, f->tcp_flags);
	}
}

static void json_flow(struct json *j, const struct client *c, const struct cl_flow *f,
		      uint64_t now)
{
	struct strbuf sb;

	strbuf_init(&sb);
	json_obj_begin(j);
	if (f->has_ufid) {
		odp_ufid_format(&sb, &f->ufid);
		json_kv_str(j, "ufid", sb.s + 5); /* without "ufid:" */
		strbuf_reset(&sb);
	}
	odp_flow_format(&sb, &f->key, &f->mask, c->opt->verbosity > 0);
	json_kv_str(j, "flow", sb.s);
	json_kv_u64(j, "packets", f->packets);
	json_kv_u64(j, "bytes", f->bytes);
	json_key(j, "used_ms_ago");
	if (f->used)
		json_i64(j, (int64_t)(now - f->used));
	else
		json_null(j);
	strbuf_reset(&sb);
	odp_tcp_flags_format(&sb, f->tcp_flags);
	json_kv_str(j, "tcp_flags", sb.s);
	strbuf_reset(&sb);
	odp_actions_format(&sb, f->actions, f->actions_len);
	json_kv_str(j, "actions", sb.s);
	json_obj_end(j);
	strbuf_free(&sb);
}

struct dump {
	struct client *c;
	struct strbuf sb;
	struct json j;
	struct errmsg *err;
	uint64_t n;
};

static int on_dump_flow(void *arg, const struct nl_msg *msg)
{
	struct dump *d = arg;
	struct cl_flow f;
	int ret = cl_flow_parse(msg, &f, d->err);
	/* Read after the reply, as ovs-dpctl formats each flow: a clock read
	 * before the request went out is earlier than the use of a flow
	 * with traffic, which would print a negative age. */
	uint64_t now = cl_now_ms();

	if (ret < 0)
		return ret;
	d->n++;
	if (d->c->opt->json) {
		json_flow(&d->j, d->c, &f, now);
		return 0;
	}
	strbuf_reset(&d->sb);
	format_flow(d->c, &f, now, &d->sb);
	strbuf_addc(&d->sb, '\n');
	fwrite(d->sb.s, 1, d->sb.len, stdout);
	return 0;
}

int cmd_dump_flows(struct client *c, int argc, char **argv)
{
	struct errmsg err;
	struct dump d = { .c = c, .err = &err };
	struct strbuf js;
	struct nlbuf b;
	int ret = cl_start(c, argc > 1 ? argv[1] : NULL, NULL);

	if (ret != CL_EXIT_OK)
		return ret;
	errmsg_clear(&err);
	strbuf_init(&d.sb);
	strbuf_init(&js);
	json_init(&d.j, &js);
	if (c->opt->json) {
		json_obj_begin(&d.j);
		json_key(&d.j, "flows");
		json_arr_begin(&d.j);
	}
	nlbuf_init(&b, 128);
	nlbuf_msg_end(&b, cl_msg_start(c, &b, CL_FAM_FLOW, OVS_FLOW_CMD_GET, NLM_F_DUMP));
	ret = cl_transact(c, &b, on_dump_flow, &d, &err);
	nlbuf_free(&b);
	if (ret < 0) {
		cl_report("dumping flows", ret, &err);
	} else if (c->opt->json) {
		json_arr_end(&d.j);
		json_obj_end(&d.j);
		fputs(js.s, stdout);
	}
	strbuf_free(&d.sb);
	strbuf_free(&js);
	return cl_exit_status(ret);
}

/* ---- one flow ---- */

struct one_flow {
	const struct client *c;
	bool print_stats;   /* -s: "packets:N, bytes:N, used:..." */
	bool print_flow;    /* get-flow: the whole dump line */
	struct errmsg *err;
};

static int on_flow_reply(void *arg, const struct nl_msg *msg)
{
	struct one_flow *o = arg;
	struct cl_flow f;
	struct strbuf sb;
	int ret = cl_flow_parse(msg, &f, o->err);

	if (ret < 0)
		return ret;
	strbuf_init(&sb);
	if (o->print_flow) {
		format_flow(o->c, &f, cl_now_ms(), &sb);
	} else if (o->print_stats) {
		format_stats(&sb, &f, cl_now_ms());
	}
	if (sb.len)
		printf("%s\n", sb.s);
	strbuf_free(&sb);
	return 0;
}

/* Send one flow request built in 'b' and report its error as 'what'. */
static int flow_transact(struct client *c, struct nlbuf *b, struct one_flow *o, const char *what)
{
	struct errmsg err;
	int ret;

	errmsg_clear(&err);
	o->c = c;
	o->err = &err;
	ret = cl_transact(c, b, on_flow_reply, o, &err);
	if (ret < 0)
		cl_report(what, ret, &err);
	return cl_exit_status(ret);
}

/* add-flow and mod-flow. */
static int put_flow(struct client *c, int argc, char **argv, bool modify)
{
	struct odp_match m;
	struct nlbuf acts, b;
	struct one_flow o = { .print_stats = c->opt->stats };
	bool has_key;
	uint8_t cmd = OVS_FLOW_CMD_NEW;
	uint16_t flags = NLM_F_ACK | (c->opt->stats ? NLM_F_ECHO : 0);
	int ret;

	nlbuf_init(&acts, 256);
	ret = parse_flow_arg(argv[argc - 2], &m, &has_key);
	if (ret == CL_EXIT_OK && !has_key) {
		fprintf(stderr, "%s: %s needs a flow, not only a ufid\n", CL_PROG, argv[0]);
		ret = CL_EXIT_USAGE;
	}
	if (ret == CL_EXIT_OK)
		ret = parse_actions_arg(argv[argc - 1], &acts);
	if (ret == CL_EXIT_OK)
		ret = cl_start(c, argc > 3 ? argv[1] : NULL, NULL);
	if (ret != CL_EXIT_OK) {
		nlbuf_free(&acts);
		return ret;
	}
	if (!modify)
		flags |= NLM_F_CREATE;
	else if (!c->opt->may_create)
		cmd = OVS_FLOW_CMD_SET;
	nlbuf_init(&b, 1024);
	size_t msg = cl_msg_start(c, &b, CL_FAM_FLOW, cmd, flags);
	cl_put_match(&b, &m, true);
	nlbuf_put_attr(&b, OVS_FLOW_ATTR_ACTIONS, acts.data, acts.len);
	if (modify && c->opt->clear)
		nlbuf_put_flag(&b, OVS_FLOW_ATTR_CLEAR);
	nlbuf_msg_end(&b, msg);
	ret = flow_transact(c, &b, &o, "updating flow table");
	nlbuf_free(&b);
	nlbuf_free(&acts);
	return ret;
}

int cmd_add_flow(struct client *c, int argc, char **argv)
{
	return put_flow(c, argc, argv, false);
}

int cmd_mod_flow(struct client *c, int argc, char **argv)
{
	return put_flow(c, argc, argv, true);
}

/* get-flow and del-flow: by UFID when there is one, else by key+mask. */
static int flow_by_id(struct client *c, int argc, char **argv, uint8_t cmd, struct one_flow *o,
		      const char *what)
{
	struct odp_match m;
	struct nlbuf b;
	bool has_key;
	int ret = parse_flow_arg(argv[argc - 1], &m, &has_key);

	if (ret == CL_EXIT_OK)
		ret = cl_start(c, argc > 2 ? argv[1] : NULL, NULL);
	if (ret != CL_EXIT_OK)
		return ret;
	nlbuf_init(&b, 1024);
	size_t msg = cl_msg_start(c, &b, CL_FAM_FLOW, cmd,
				  NLM_F_ACK | (o->print_stats ? NLM_F_ECHO : 0));
	cl_put_match(&b, &m, has_key && !m.has_ufid);
	nlbuf_msg_end(&b, msg);
	ret = flow_transact(c, &b, o, what);
	nlbuf_free(&b);
	return ret;
}

int cmd_get_flow(struct client *c, int argc, char **argv)
{
	struct one_flow o = { .print_flow = true };

	return flow_by_id(c, argc, argv, OVS_FLOW_CMD_GET, &o, "getting flow");
}

int cmd_del_flow(struct client *c, int argc, char **argv)
{
	struct one_flow o = { .print_stats = c->opt->stats };

	return flow_by_id(c, argc, argv, OVS_FLOW_CMD_DEL, &o, "deleting flow");
}

static int flush_flows(struct client *c, const char *dp)
{
	struct one_flow o = { 0 };
	struct nlbuf b;
	int ret = cl_start(c, dp, NULL);

	if (ret != CL_EXIT_OK)
		return ret;
	nlbuf_init(&b, 128);
	nlbuf_msg_end(&b, cl_msg_start(c, &b, CL_FAM_FLOW, OVS_FLOW_CMD_DEL, NLM_F_ACK));
	ret = flow_transact(c, &b, &o, "deleting all flows");
	nlbuf_free(&b);
	return ret;
}

/* A file argument: "-" or a file that exists (else it names a DP, as
 * ovs-dpctl tells a DP from a FILE by whether the DP exists). */
static bool is_file_arg(const char *s)
{
	return strcmp(s, "-") == 0 || access(s, F_OK) == 0;
}

/* Open a flows file before connecting, so that a bad name needs no daemon. */
static FILE *open_flows_file(const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");

	if (f == NULL)
		fprintf(stderr, "%s: %s: %s\n", CL_PROG, path, strerror(errno));
	else
		setvbuf(f, NULL, _IOFBF, FLOWS_READ_BUF); /* fewer read() calls a flow */
	return f;
}

static int run_file(struct client *c, const char *dp, const char *path, bool del)
{
	FILE *in = open_flows_file(path);
	int ret;

	if (in == NULL)
		return CL_EXIT_FAIL;
	ret = cl_start(c, dp, NULL);
	if (ret == CL_EXIT_OK)
		ret = cl_batch_run(c, in, path, del);
	if (in != stdin)
		fclose(in);
	return ret;
}

int cmd_del_flows(struct client *c, int argc, char **argv)
{
	const char *dp = NULL, *file = NULL;

	if (argc == 3) {
		dp = argv[1];
		file = argv[2];
	} else if (argc == 2) {
		*(is_file_arg(argv[1]) ? &file : &dp) = argv[1];
	}
	return file ? run_file(c, dp, file, true) : flush_flows(c, dp);
}

int cmd_add_flows(struct client *c, int argc, char **argv)
{
	return run_file(c, argc > 2 ? argv[1] : NULL, argv[argc - 1], false);
}
