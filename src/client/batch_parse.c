/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flows files: lines to flow messages, in chunks, on worker threads (or in
 * the caller's thread). Parsing text is most of the client's work per flow
 * (docs/PERFORMANCE.md), so where the machine has a spare CPU the workers
 * keep the sending thread, and so the daemon, fed.
 *
 * Locking: one mutex guards the chunk queue and the free list; a chunk's
 * contents belong to the worker that took it until it is marked done, then
 * to the main thread. Messages are built from the read-only msg_conf.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "dpsw_grow.h"
#include "odp_key.h"
#include "odp_text.h"

/* What a parsing thread keeps from line to line. */
struct parse_ctx {
	struct nlbuf acts;
	struct cl_match_cache mc;
};

struct batch_parser {
	struct batch_msg_conf conf;
	unsigned int n_workers;
	pthread_t threads[BATCH_MAX_WORKERS];
	pthread_mutex_t lock;
	pthread_cond_t work;           /* a chunk to parse, or stop */
	pthread_cond_t done;           /* a chunk was parsed */
	struct batch_chunk *head, *tail; /* queued chunks, in file order */
	struct batch_chunk *todo;      /* first queued chunk no worker took */
	unsigned int n_pending;
	struct batch_chunk *free_list;
	bool stop;
	struct parse_ctx inline_px;    /* the main thread's, without workers */
	char *carry;                   /* bytes read for the next chunk (main thread) */
	size_t carry_len, carry_cap;
	bool eof;                      /* the file has been read to its end */
};

/* ---- one line ---- */

/* A del-flows line: "[ufid:UUID ]FLOW" or "ufid:UUID", anything after
 * the flow ignored, so that an add-flows file deletes what it added. */
static int parse_del_line(char *line, struct odp_match *m, bool *has_key, struct errmsg *err)
{
	size_t start = strspn(line, " \t"), end = start + strcspn(line + start, " \t");
	struct odp_match f;
	int ret;

	memset(m, 0, sizeof(*m));
	*has_key = true;
	if (end - start == 41 && strncmp(line + start, "ufid:", 5) == 0) {
		bool more = line[end] != '\0';
		line[end] = '\0';
		ret = odp_ufid_parse(line + start, &m->ufid, err);
		if (ret < 0)
			return ret;
		m->has_ufid = true;
		start = more ? end + 1 + strspn(line + end + 1, " \t") : end;
		end = start + strcspn(line + start, " \t");
		*has_key = end > start;
		if (!*has_key)
			return 0;
	}
	line[end] = '\0';
	ret = odp_flow_parse(line + start, &f, err);
	if (ret < 0) {
		if (err->offset >= 0)
			err->offset += (int)start;
		return ret;
	}
	m->key = f.key;
	m->mask = f.mask;
	return 0;
}

static void put_message(const struct batch_msg_conf *conf, struct nlbuf *out,
			unsigned long line, const struct odp_match *m, bool has_key,
			const struct parse_ctx *px)
{
	/* The three headers in one put: every line pays for each call. */
	struct {
		struct nlmsghdr nlh;
		struct genlmsghdr genl;
		struct ovs_header ovs;
	} hdr = {
		.nlh = { .nlmsg_len = sizeof(hdr), .nlmsg_type = conf->family,
			 .nlmsg_flags = NLM_F_REQUEST | (conf->del ? 0 : NLM_F_CREATE),
			 .nlmsg_seq = conf->seq_base + (uint32_t)line, .nlmsg_pid = conf->pid },
		.genl = { .cmd = conf->del ? OVS_FLOW_CMD_DEL : OVS_FLOW_CMD_NEW,
			  .version = OVS_FLOW_VERSION },
		.ovs = { .dp_ifindex = conf->dp_ifindex },
	};
	_Static_assert(sizeof(hdr) == NLMSG_HDRLEN + GENL_HDRLEN + sizeof(struct ovs_header),
		       "the headers are packed as netlink lays them out");
	size_t msg = nlbuf_put(out, &hdr, sizeof(hdr));

	if (m->has_ufid)
		nlbuf_put_attr(out, OVS_FLOW_ATTR_UFID, &m->ufid, sizeof(m->ufid));
	if (has_key && !(conf->del && m->has_ufid))
		cl_match_encode(out, m, &px->mc);
	if (!conf->del)
		nlbuf_put_attr(out, OVS_FLOW_ATTR_ACTIONS, px->acts.data, px->acts.len);
	nlbuf_msg_end(out, msg);
}

static void report_bad(const struct batch_msg_conf *conf, struct batch_chunk *ch,
		       unsigned long line, const struct errmsg *err)
{
	strbuf_addf(&ch->errors, "%s:%lu: %s", conf->name, line, err->msg);
	if (err->offset >= 0)
		strbuf_addf(&ch->errors, " (at column %d)", err->offset + 1);
	strbuf_addc(&ch->errors, '\n');
	ch->n_bad++;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* One line of 'len' bytes (the chunk knows them: no strlen per line). */
static void parse_line(const struct batch_msg_conf *conf, struct parse_ctx *px,
		       struct batch_chunk *ch, char *line, size_t len, unsigned long lineno)
{
	struct odp_match m;
	struct errmsg err;
	bool has_key = true;
	size_t lead = 0;
	int ret;

	while (line[lead] == ' ' || line[lead] == '\t')
		lead++;
	while (len && is_blank(line[len - 1]))
		line[--len] = '\0';
	if (line[lead] == '\0' || line[lead] == '#')
		return;
	errmsg_clear(&err);
	nlbuf_reset(&px->acts);
	if (conf->del)
		ret = parse_del_line(line, &m, &has_key, &err);
	else
		ret = odp_flow_line_parse(line, &m, &px->acts, &err);
	if (ret == 0 && has_key)
		ret = cl_match_check(&m, &px->mc, &err);
	if (ret < 0)
		report_bad(conf, ch, lineno, &err);
	else
		put_message(conf, &ch->msgs, lineno, &m, has_key, px);
}

static void parse_chunk(const struct batch_msg_conf *conf, struct parse_ctx *px,
			struct batch_chunk *ch)
{
	for (unsigned int i = 0; i < ch->n_lines; i++) {
		size_t end = i + 1 < ch->n_lines ? ch->line_ofs[i + 1] : ch->text_len;

		/* Each line is stored with its NUL. */
		parse_line(conf, px, ch, ch->text + ch->line_ofs[i], end - ch->line_ofs[i] - 1,
			   ch->first_line + i);
	}
}

/* ---- workers ---- */

static void *worker(void *arg)
{
	struct batch_parser *bp = arg;
	struct parse_ctx px = { 0 };
	struct batch_chunk *ch;

	nlbuf_init(&px.acts, 1024);
	pthread_mutex_lock(&bp->lock);
	for (;;) {
		while (!bp->stop && bp->todo == NULL)
			pthread_cond_wait(&bp->work, &bp->lock);
		if (bp->stop)
			break;
		ch = bp->todo;
		bp->todo = ch->next;
		pthread_mutex_unlock(&bp->lock);
		parse_chunk(&bp->conf, &px, ch);
		pthread_mutex_lock(&bp->lock);
		ch->done = true;
		pthread_cond_broadcast(&bp->done);
	}
	pthread_mutex_unlock(&bp->lock);
	nlbuf_free(&px.acts);
	return NULL;
}

unsigned int batch_default_workers(void)
{
	cpu_set_t set;
	int n;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return 0;
	n = CPU_COUNT(&set) - 1;
	return n < 0 ? 0 : n > 4 ? 4 : (unsigned int)n;
}

struct batch_parser *batch_parser_create(const struct batch_msg_conf *conf,
					 unsigned int n_workers)
{
	struct batch_parser *bp = calloc(1, sizeof(*bp));

	if (bp == NULL)
		return NULL;
	bp->conf = *conf;
	pthread_mutex_init(&bp->lock, NULL);
	pthread_cond_init(&bp->work, NULL);
	pthread_cond_init(&bp->done, NULL);
	if (n_workers > BATCH_MAX_WORKERS)
		n_workers = BATCH_MAX_WORKERS;
	for (; bp->n_workers < n_workers; bp->n_workers++)
		if (pthread_create(&bp->threads[bp->n_workers], NULL, worker, bp) != 0)
			break; /* fewer workers; with none, the caller's thread parses */
	return bp;
}

static void chunk_free(struct batch_chunk *ch)
{
	free(ch->text);
	nlbuf_free(&ch->msgs);
	strbuf_free(&ch->errors);
	free(ch);
}

void batch_parser_destroy(struct batch_parser *bp)
{
	struct batch_chunk *ch, *next;

	pthread_mutex_lock(&bp->lock);
	bp->stop = true;
	pthread_cond_broadcast(&bp->work);
	pthread_mutex_unlock(&bp->lock);
	for (unsigned int i = 0; i < bp->n_workers; i++)
		pthread_join(bp->threads[i], NULL);
	for (ch = bp->head; ch; ch = next) {
		next = ch->next;
		chunk_free(ch);
	}
	for (ch = bp->free_list; ch; ch = next) {
		next = ch->next;
		chunk_free(ch);
	}
	free(bp->carry);
	nlbuf_free(&bp->inline_px.acts);
	pthread_mutex_destroy(&bp->lock);
	pthread_cond_destroy(&bp->work);
	pthread_cond_destroy(&bp->done);
	free(bp);
}

/* ---- the main thread's side ---- */

static struct batch_chunk *chunk_get(struct batch_parser *bp)
{
	struct batch_chunk *ch;

	pthread_mutex_lock(&bp->lock);
	ch = bp->free_list;
	if (ch)
		bp->free_list = ch->next;
	pthread_mutex_unlock(&bp->lock);
	if (ch == NULL) {
		ch = calloc(1, sizeof(*ch));
		if (ch == NULL)
			abort();
		nlbuf_init(&ch->msgs, 64 * 1024);
		strbuf_init(&ch->errors);
	}
	ch->next = NULL;
	ch->n_lines = 0;
	ch->text_len = 0;
	ch->n_bad = 0;
	ch->done = false;
	nlbuf_reset(&ch->msgs);
	strbuf_reset(&ch->errors);
	return ch;
}

/* Bytes read from the file at a time. */
#define READ_BLOCK (16 * 1024)

/* Room for 'more' bytes after the chunk's text. */
static void chunk_text_reserve(struct batch_chunk *ch, size_t more)
{
	if (ch->text_len + more <= ch->text_cap)
		return;
	ch->text = dpsw_grow(ch->text, &ch->text_cap, ch->text_len + more, 2 * READ_BLOCK);
}

/*
 * Cut the chunk's text [*scan, text_len) into lines, each newline made the
 * line's NUL, until the chunk is full. *scan moves past the last line
 * taken; what follows it is a line not complete yet, or the next chunk's.
 */
static void chunk_cut_lines(struct batch_chunk *ch, size_t *scan)
{
	while (ch->n_lines < BATCH_CHUNK_LINES) {
		char *nl = memchr(ch->text + *scan, '\n', ch->text_len - *scan);

		if (nl == NULL)
			return;
		*nl = '\0';
		ch->line_ofs[ch->n_lines++] = (uint32_t)*scan;
		*scan = (size_t)(nl - ch->text) + 1;
	}
}

/*
 * Fill a chunk from the file in blocks, straight into its text: the lines
 * are cut in place, without a copy or a call per line. The bytes read
 * past the chunk's last line wait in bp->carry for the next chunk.
 */
static void chunk_fill(struct batch_parser *bp, struct batch_chunk *ch, FILE *in)
{
	size_t scan = 0;

	chunk_text_reserve(ch, bp->carry_len + READ_BLOCK);
	if (bp->carry_len) /* no carry buffer before the first one */
		memcpy(ch->text, bp->carry, bp->carry_len);
	ch->text_len = bp->carry_len;
	bp->carry_len = 0;
	chunk_cut_lines(ch, &scan);
	while (ch->n_lines < BATCH_CHUNK_LINES && !bp->eof) {
		chunk_text_reserve(ch, READ_BLOCK + 1);
		size_t n = fread(ch->text + ch->text_len, 1, READ_BLOCK, in);

		ch->text_len += n;
		if (n < READ_BLOCK)
			bp->eof = true;
		chunk_cut_lines(ch, &scan);
	}
	if (ch->n_lines < BATCH_CHUNK_LINES && scan < ch->text_len) {
		/* The file's last line, without a newline. */
		ch->text[ch->text_len++] = '\0';
		ch->line_ofs[ch->n_lines++] = (uint32_t)scan;
		scan = ch->text_len;
	}
	bp->carry_len = ch->text_len - scan;
	if (bp->carry_len > bp->carry_cap) {
		free(bp->carry);
		bp->carry = malloc(bp->carry_len);
		if (bp->carry == NULL)
			abort();
		bp->carry_cap = bp->carry_len;
	}
	if (bp->carry_len)
		memcpy(bp->carry, ch->text + scan, bp->carry_len);
	ch->text_len = scan;
}

bool batch_parser_feed(struct batch_parser *bp, FILE *in, unsigned long *lineno)
{
	struct batch_chunk *ch = chunk_get(bp);

	ch->first_line = *lineno + 1;
	chunk_fill(bp, ch, in);
	*lineno += ch->n_lines;
	if (ch->n_lines == 0) {
		batch_parser_release(bp, ch);
		return false;
	}
	pthread_mutex_lock(&bp->lock);
	*(bp->tail ? &bp->tail->next : &bp->head) = ch;
	bp->tail = ch;
	if (bp->todo == NULL)
		bp->todo = ch;
	bp->n_pending++;
	pthread_cond_signal(&bp->work);
	pthread_mutex_unlock(&bp->lock);
	return true;
}

unsigned int batch_parser_pending(const struct batch_parser *bp)
{
	return bp->n_pending; /* changed by the main thread only */
}

struct batch_chunk *batch_parser_next(struct batch_parser *bp)
{
	struct batch_chunk *ch;

	pthread_mutex_lock(&bp->lock);
	ch = bp->head;
	if (ch && bp->n_workers == 0 && !ch->done) {
		bp->todo = ch->next;
		pthread_mutex_unlock(&bp->lock);
		parse_chunk(&bp->conf, &bp->inline_px, ch);
		pthread_mutex_lock(&bp->lock);
		ch->done = true;
	}
	while (ch && !ch->done)
		pthread_cond_wait(&bp->done, &bp->lock);
	if (ch) {
		bp->head = ch->next;
		if (bp->tail == ch)
			bp->tail = NULL;
		bp->n_pending--;
	}
	pthread_mutex_unlock(&bp->lock);
	return ch;
}

void batch_parser_release(struct batch_parser *bp, struct batch_chunk *ch)
{
	pthread_mutex_lock(&bp->lock);
	ch->next = bp->free_list;
	bp->free_list = ch;
	pthread_mutex_unlock(&bp->lock);
}
