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
 *
 * Lines become messages in batch_parse.c, on worker threads where there
 * are spare CPUs; this file is the sending thread.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "batch.h"

#define WINDOW_MAX 64

struct batch {
	struct client *c;
	const char *name;
	bool del;
	size_t max_bytes;
	unsigned int window;
	uint32_t seq_base;
	uint32_t inflight[WINDOW_MAX]; /* last sequence number of each datagram */
	unsigned int head, n_inflight;
	unsigned long n_sent, n_failed, n_bad;
	uint64_t start_ns;
	int fatal;                   /* a transport error: stop */
	struct batch_parser *bp;
	/* A chunk's last messages, held to lead the next chunk's datagram: */
	struct batch_chunk *held;    /* their chunk, given back once they are sent */
	const uint8_t *pend;
	size_t pend_len;
	struct nlmsghdr *pend_last;
	unsigned int pend_n;
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
	if (nl_msg_is_notice(nlh)) {
		/* Replies were lost (or the connection refused): which
		 * flows made it is unknown, so the batch cannot go on. */
		bt->fatal = error;
		return;
	}
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

/* The held chunk's messages are gone: give the chunk back. */
static void drop_pending(struct batch *bt)
{
	if (bt->held)
		batch_parser_release(bt->bp, bt->held);
	bt->held = NULL;
	bt->pend = NULL;
	bt->pend_len = 0;
	bt->pend_last = NULL;
	bt->pend_n = 0;
}

/* One datagram: the pending messages, if any, then 'len' bytes of
 * 'data'; 'n_msgs' messages in all, 'last' the last of them, which asks
 * for the ack that tells the whole datagram is done. */
static void submit(struct batch *bt, const uint8_t *data, size_t len, struct nlmsghdr *last,
		   unsigned int n_msgs)
{
	struct iovec iov[2] = { { (void *)(uintptr_t)bt->pend, bt->pend_len },
				{ (void *)(uintptr_t)data, len } };
	int first = bt->pend_len ? 0 : 1;
	int ret;

	last->nlmsg_flags |= NLM_F_ACK;
	while (!bt->fatal && bt->n_inflight >= bt->window)
		pump(bt, false);
	while (!bt->fatal && (ret = cl_sendv_nb(bt->c, iov + first, 2 - first)) < 0) {
		if (ret != -EAGAIN && ret != -ENOBUFS)
			bt->fatal = ret;
		else
			pump(bt, true);
	}
	drop_pending(bt);
	if (bt->fatal)
		return;
	bt->inflight[(bt->head + bt->n_inflight) % WINDOW_MAX] = last->nlmsg_seq;
	bt->n_inflight++;
	bt->n_sent += n_msgs;
	drain(bt);
}

/*
 * A parsed chunk: its bad lines reported, its messages sent. They lie
 * back to back in the chunk, as a datagram holds them: each datagram is
 * sent from there, without a copy. The chunk's last messages, short of a
 * full datagram, are held (with their chunk) to be sent with the next
 * chunk's first ones, gathered into one datagram, so that datagrams stay
 * full. The parser made the messages, so their lengths need no check.
 */
static void take_chunk(struct batch *bt, struct batch_chunk *ch)
{
	uint8_t *base = ch->msgs.data;
	size_t start = 0, ofs = 0, size = bt->pend_len;
	struct nlmsghdr *last = bt->pend_last;
	unsigned int n = bt->pend_n;

	fputs(ch->errors.s, stderr);
	bt->n_bad += ch->n_bad;
	while (!bt->fatal && ofs < ch->msgs.len) {
		size_t len = NLMSG_ALIGN(((const struct nlmsghdr *)(base + ofs))->nlmsg_len);

		if (n && size + len > bt->max_bytes) {
			submit(bt, base + start, ofs - start, last, n);
			start = ofs;
			size = 0;
			n = 0;
		}
		last = (struct nlmsghdr *)(base + ofs);
		ofs += len;
		size += len;
		n++;
	}
	if (bt->fatal || ofs == start) {
		batch_parser_release(bt->bp, ch);
		return;
	}
	if (bt->pend_len) {
		/* The whole chunk fit beside the held messages (the input's
		 * end): sent now rather than held over a third chunk. */
		submit(bt, base + start, ofs - start, last, n);
		batch_parser_release(bt->bp, ch);
		return;
	}
	bt->held = ch;
	bt->pend = base + start;
	bt->pend_len = ofs - start;
	bt->pend_last = last;
	bt->pend_n = n;
}

/* Send what is held, before the parser and its chunks go. */
static void flush_pending(struct batch *bt)
{
	if (bt->pend_len && !bt->fatal)
		submit(bt, NULL, 0, bt->pend_last, bt->pend_n);
	drop_pending(bt);
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

static int run(struct batch *bt, FILE *in, unsigned long *lineno)
{
	const struct client *c = bt->c;
	struct batch_msg_conf conf = {
		.del = bt->del, .family = c->family[CL_FAM_FLOW], .pid = c->pid,
		.dp_ifindex = c->dp_ifindex, .seq_base = bt->seq_base, .name = bt->name,
	};
	unsigned int workers = c->opt->threads >= 0 ? (unsigned int)c->opt->threads
						    : batch_default_workers();
	struct batch_parser *bp = batch_parser_create(&conf, workers);
	struct batch_chunk *ch;
	bool eof = false;

	if (bp == NULL) {
		fprintf(stderr, "%s: out of memory\n", CL_PROG);
		return CL_EXIT_FAIL;
	}
	bt->bp = bp;
	/* Keep every worker busy, and one chunk ready beyond. */
	while (!bt->fatal) {
		while (!eof && batch_parser_pending(bp) < 2 * workers + 1)
			eof = !batch_parser_feed(bp, in, lineno);
		ch = batch_parser_next(bp);
		if (ch == NULL)
			break;
		take_chunk(bt, ch); /* gives the chunk back, now or once sent */
	}
	flush_pending(bt);
	batch_parser_destroy(bp);
	return finish(bt);
}

int cl_batch_run(struct client *c, FILE *in, const char *name, bool del)
{
	struct batch bt = {
		.c = c, .name = strcmp(name, "-") ? name : "<stdin>", .del = del,
		.max_bytes = c->opt->batch_bytes, .window = c->opt->window,
		.seq_base = c->seq + 1, .start_ns = now_ns(),
	};
	unsigned long lineno = 0;
	int ret;

	if (bt.window > WINDOW_MAX)
		bt.window = WINDOW_MAX;
	size_socket(c, (size_t)bt.window * bt.max_bytes * 2);
	ret = run(&bt, in, &lineno);
	c->seq = bt.seq_base + (uint32_t)lineno;
	return ret;
}
