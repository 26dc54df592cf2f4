/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flows files, shared by batch.c (sending, replies) and batch_parse.c
 * (lines to messages, optionally on worker threads). Not an API.
 *
 * Lines are read in chunks; each chunk is turned into complete flow
 * messages (and error lines for what did not parse) by a worker, or by the
 * main thread when there are no workers. The main thread takes chunks back
 * in file order, prints their errors and sends their messages, many to a
 * datagram straight from the chunk, so the output and the order of
 * requests do not depend on the number of workers.
 */
#ifndef CL_BATCH_H
#define CL_BATCH_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "client.h"

#define BATCH_CHUNK_LINES 1024
#define BATCH_MAX_WORKERS 8

/* What every message of the run shares; read-only once the run starts. */
struct batch_msg_conf {
	bool del;
	uint16_t family;     /* ovs_flow */
	uint32_t pid;
	int dp_ifindex;
	uint32_t seq_base;   /* a message's nlmsg_seq is seq_base + its line */
	const char *name;    /* the file's name, in error lines */
};

struct batch_chunk {
	struct batch_chunk *next;
	unsigned long first_line;  /* number of the chunk's first line */
	unsigned int n_lines;
	char *text;                /* the lines, each NUL-terminated */
	size_t text_len, text_cap;
	uint32_t line_ofs[BATCH_CHUNK_LINES];
	/* Filled by the parser: */
	struct nlbuf msgs;         /* complete messages, back to back */
	struct strbuf errors;      /* one "FILE:LINE: reason" line per bad line */
	unsigned long n_bad;
	bool done;
};

struct batch_parser;

/*
 * Start 'n_workers' threads (0: chunks are parsed by batch_parser_run()
 * in the caller's thread). Returns NULL when out of memory or threads.
 */
struct batch_parser *batch_parser_create(const struct batch_msg_conf *conf,
					 unsigned int n_workers);
/* Stop the workers and free everything, chunks included. */
void batch_parser_destroy(struct batch_parser *bp);

/*
 * Read up to BATCH_CHUNK_LINES lines from 'in' into a chunk and queue it
 * for parsing. Returns false at the end of the input (nothing queued).
 * *lineno counts the lines read so far.
 */
bool batch_parser_feed(struct batch_parser *bp, FILE *in, unsigned long *lineno);
/* Chunks queued and not yet taken back. */
unsigned int batch_parser_pending(const struct batch_parser *bp);
/* The oldest queued chunk once it is parsed (waits for it); NULL if none. */
struct batch_chunk *batch_parser_next(struct batch_parser *bp);
/* Give a chunk back once its messages are sent. */
void batch_parser_release(struct batch_parser *bp, struct batch_chunk *ch);

/* Worker threads the machine gives us: CPUs we may run on, less one for
 * the sending thread, at most 4. */
unsigned int batch_default_workers(void);

#endif /* CL_BATCH_H */
