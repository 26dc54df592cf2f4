/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * errmsg: a negative errno plus a human-readable reason and the position of
 * the offending input. Used by the netlink codec (the reason travels back
 * as the extended-ack message), the text parser (the position points at
 * the bad token) and command-line parsing.
 *
 * Not for the hot path. Thread safety: touches only its argument.
 */
#ifndef ERRMSG_H
#define ERRMSG_H

#include <stddef.h>

#define ERRMSG_LEN 192

struct errmsg {
	int err;            /* negative errno, 0 when no error was recorded */
	int offset;         /* byte offset of the bad input, -1 if unknown */
	char msg[ERRMSG_LEN];
};

void errmsg_clear(struct errmsg *e);

/*
 * Record an error and return 'err' (a negative errno), so callers can write
 * "return errmsg_set(e, -EINVAL, ofs, "...", ...);". 'e' may be NULL. The
 * first error recorded wins: later calls keep the earlier, more precise one.
 */
int errmsg_set(struct errmsg *e, int err, int offset, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif /* ERRMSG_H */
