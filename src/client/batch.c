/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * add-flows / del-flows FILE: one flow request per line, packed many to a
 * datagram, with up to 'window' datagrams in flight.
 *
 * Completion is tracked with few acks: only the last message of each
 * datagram asks for NLM_F_ACK. The server handles a connection's messages
 * in order and always answers a failure, so the answer to a datagram's
 * last message (its ack, or its error) means the whole datagram is done,
 * and any error before it names its line by sequence number: a message's
 * sequence number is seq_base + its line number.
 *
 * Sending never blocks while replies wait: when the socket is full we
 * poll for both directions, so a daemon that pauses reading until we read
 * its answers cannot deadlock with us.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "client.h"
#include "odp_key.h"
#include "odp_text.h"

#define WINDOW_MAX 64
/* Room kept for one message's key and mask attributes, beyond actions. */
#define MATCH_ROOM 2048

struct batch {
	struct client *c;
	const char *name;
	bool del;
	size_t max_bytes;
	unsigned int window;
	struct nlbuf dgram;          /* the datagram being filled */
	size_t last_msg;             /* offset of its last message */
	unsigned int n_msgs;         /* messages in it */
	uint32_t seq_base;
	uint32_t inflight[WINDOW_MAX]; /* last sequence number of each datagram */
	unsigned int head, n_inflight;
	struct nlbuf acts;           /* one line's actions */
	struct cl_match_cache mc;
	unsigned long n_sent, n_failed, n_bad;
	uint64_t start_ns;
	int fatal;                   /* a transport error: stop */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- replies ---- */

static void report_failure(struct batch *bt, uint32_t seq, int error, const char *reason)
{
	fprintf(stderr, "%s:%lu: %s (%s)%s%s\n", bt->name, (unsigned long)(seq - bt->seq_base),
		bt->del ? "deleting flow" : "adding flow", strerror(-error), reason ? ": " : "",
		reason ? reason : "");
	bt->n_failed++;
}

/* 'a' is at or after 'b' in sequence space. */
static bool seq_after_eq(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) >= 0;
}

static void on_reply(struct batch *bt, const struct nlmsghdr *nlh)
{
	const char *reason;
	int error, offset;

	if (nlh->nlmsg_type != NLMSG_ERROR ||
	    nl_msg_read_error(nlh, &error, &reason, &offset, NULL) < 0)
		return;
	if (error < 0)
		report_failure(bt, nlh->nlmsg_seq, error, reason);
	while (bt->n_inflight && seq_after_eq(nlh->nlmsg_seq, bt->inflight[bt->head])) {
		bt->head = (bt->head + 1) % WINDOW_MAX;
		bt->n_inflight--;
	}
}

/* Read every datagram waiting, without blocking. */
static void drain(struct batch *bt)
{
	long n;

	while (!bt->fatal && (n = cl_recv(bt->c, false)) != 0) {
		const struct nlmsghdr *nlh;
		size_t ofs = 0;

		if (n < 0) {
			if (n != -EINTR)
				bt->fatal = (int)n;
			return;
		}
		while (nl_msg_next(bt->c->rx, (size_t)n, &ofs, &nlh, NULL) > 0)
			on_reply(bt, nlh);
	}
}

/* Wait until the socket can be read (or written, with 'out'), then read. */
static void pump(struct batch *bt, bool out)
{
	int rev = cl_wait(bt->c, out, -1);

	if (rev < 0 && rev != -EINTR)
		bt->fatal = rev;
	else
		drain(bt);
}

/* ---- sending ---- */

static void submit(struct batch *bt)
{
	struct nlmsghdr *last = nlbuf_at(&bt->dgram, bt->last_msg);
	int ret;

	if (bt->n_msgs == 0)
		return;
	last->nlmsg_flags |= NLM_F_ACK;
	while (!bt->fatal && bt->n_inflight >= bt->window)
		pump(bt, false);
	while (!bt->fatal && (ret = cl_send_nb(bt->c, bt->dgram.data, bt->dgram.len)) < 0) {
		if (ret != -EAGAIN && ret != -ENOBUFS)
			bt->fatal = ret;
		else
			pump(bt, true);
	}
	if (bt->fatal)
		return;
	bt->inflight[(bt->head + bt->n_inflight) % WINDOW_MAX] = last->nlmsg_seq;
	bt->n_inflight++;
	bt->n_sent += bt->n_msgs;
	bt->n_msgs = 0;
	nlbuf_reset(&bt->dgram);
	drain(bt);
}

/* Append one request: NEW (with its actions) or DEL. */
static void append(struct batch *bt, unsigned long line, const struct odp_match *m,
		   bool has_key)
{
	struct client *c = bt->c;
	uint8_t cmd = bt->del ? OVS_FLOW_CMD_DEL : OVS_FLOW_CMD_NEW;
	uint16_t flags = NLM_F_REQUEST | (bt->del ? 0 : NLM_F_CREATE);

	if (bt->n_msgs && bt->dgram.len + MATCH_ROOM + bt->acts.len > bt->max_bytes)
		submit(bt);
	bt->last_msg = nlbuf_msg_start(&bt->dgram, c->family[CL_FAM_FLOW], flags,
				       bt->seq_base + (uint32_t)line, c->pid);
	nlbuf_put_genl(&bt->dgram, cmd, OVS_FLOW_VERSION);
	nlbuf_put_ovs_header(&bt->dgram, c->dp_ifindex);
	if (m->has_ufid)
		nlbuf_put_attr(&bt->dgram, OVS_FLOW_ATTR_UFID, &m->ufid, sizeof(m->ufid));
	if (has_key && !(bt->del && m->has_ufid))
		odp_match_encode(&bt->dgram, &m->key, &m->mask);
	if (!bt->del)
		nlbuf_put_attr(&bt->dgram, OVS_FLOW_ATTR_ACTIONS, bt->acts.data, bt->acts.len);
	nlbuf_msg_end(&bt->dgram, bt->last_msg);
	bt->n_msgs++;
}

/* ---- lines ---- */

/* A del-flows line: "[ufid:UUID ]FLOW" or "ufid:UUID", anything after
 * the flow ignored, so that an add-flows file deletes what it added. */
static int parse_del_line(char *line, struct odp_match *m, bool *has_key, struct errmsg *err)
{
	size_t start = strspn(line, " \t"), end = start + strcspn(line + start, " \t");
	int ret;

	memset(m, 0, sizeof(*m));
	if (end - start == 41 && strncmp(line + start, "ufid:", 5) == 0) {
		line[end] = '\0';
		ret = odp_ufid_parse(line + start, &m->ufid, err);
		if (ret < 0)
			return ret;
		m->has_ufid = true;
		start = end + 1 + strspn(line + end + 1, " \t");
		end = start + strcspn(line + start, " \t");
		*has_key = end > start;
		if (!*has_key)
			return 0;
	}
	*has_key = true;
	line[end] = '\0';
	struct odp_match f;
	ret = odp_flow_parse(line + start, &f, err);
	if (ret < 0) {
		err->offset += (int)start;
		return ret;
	}
	m->key = f.key;
	m->mask = f.mask;
	return 0;
}

static void one_line(struct batch *bt, char *line, unsigned long lineno)
{
	struct odp_match m;
	struct errmsg err;
	bool has_key = true;
	size_t len = strlen(line);
	int ret;

	while (len && strchr(" \t\r\n", line[len - 1]))
		line[--len] = '\0';
	if (line[strspn(line, " \t")] == '\0' || line[strspn(line, " \t")] == '#')
		return;
	errmsg_clear(&err);
	nlbuf_reset(&bt->acts);
	if (bt->del)
		ret = parse_del_line(line, &m, &has_key, &err);
	else
		ret = odp_flow_line_parse(line, &m, &bt->acts, &err);
	if (ret == 0 && has_key)
		ret = cl_match_check(&m, &bt->mc, &err);
	if (ret < 0) {
		if (err.offset >= 0)
			fprintf(stderr, "%s:%lu: %s (at column %d)\n", bt->name, lineno, err.msg,
				err.offset + 1);
		else
			fprintf(stderr, "%s:%lu: %s\n", bt->name, lineno, err.msg);
		bt->n_bad++;
		return;
	}
	append(bt, lineno, &m, has_key);
}

/* A send buffer that holds the whole window (root may pass wmem_max). */
static void size_socket(struct client *c, size_t bytes)
{
	int v = bytes > (size_t)1 << 29 ? 1 << 29 : (int)bytes;

	if (setsockopt(c->fd, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof(v)) < 0)
		setsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
}

static int finish(struct batch *bt)
{
	submit(bt);
	while (!bt->fatal && bt->n_inflight)
		pump(bt, false);
	if (bt->fatal) {
		fprintf(stderr, "%s: %s: talking to the daemon: %s\n", CL_PROG, bt->name,
			strerror(-bt->fatal));
		return CL_EXIT_FAIL;
	}
	if (bt->c->opt->stats || bt->n_failed || bt->n_bad) {
		unsigned long done = bt->n_sent - bt->n_failed;
		double secs = (double)(now_ns() - bt->start_ns) / 1e9;
		fprintf(stderr, "%s: %s: %lu flows %s, %lu failed, %lu bad lines", CL_PROG,
			bt->name, done, bt->del ? "deleted" : "added", bt->n_failed, bt->n_bad);
		if (bt->c->opt->stats)
			fprintf(stderr, " in %.3f s (%.0f flows/s)", secs,
				secs > 0 ? (double)done / secs : 0.0);
		fprintf(stderr, "\n");
	}
	if (bt->n_bad)
		return CL_EXIT_USAGE;
	return bt->n_failed ? CL_EXIT_FAIL : CL_EXIT_OK;
}

int cl_batch_run(struct client *c, FILE *in, const char *name, bool del)
{
	struct batch bt = {
		.c = c, .name = strcmp(name, "-") ? name : "<stdin>", .del = del,
		.max_bytes = c->opt->batch_bytes, .window = c->opt->window,
		.seq_base = c->seq + 1, .start_ns = now_ns(),
	};
	unsigned long lineno = 0;
	char *line = NULL;
	size_t cap = 0;
	int ret;

	if (bt.window > WINDOW_MAX)
		bt.window = WINDOW_MAX;
	size_socket(c, (size_t)bt.window * bt.max_bytes * 2);
	nlbuf_init(&bt.dgram, bt.max_bytes + MATCH_ROOM);
	nlbuf_init(&bt.acts, 1024);
	while (!bt.fatal && getline(&line, &cap, in) >= 0)
		one_line(&bt, line, ++lineno);
	ret = finish(&bt);
	c->seq = bt.seq_base + (uint32_t)lineno;
	free(line);
	nlbuf_free(&bt.acts);
	nlbuf_free(&bt.dgram);
	return ret;
}
