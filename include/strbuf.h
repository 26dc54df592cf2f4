/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strbuf: a growable, always NUL-terminated string, for the text format and
 * the client's output. Allocation failure aborts (control path only).
 *
 * Thread safety: touches only its argument.
 */
#ifndef STRBUF_H
#define STRBUF_H

#include <stddef.h>

struct strbuf {
	char *s;     /* NUL-terminated; "" after init */
	size_t len;  /* strlen(s) */
	size_t cap;
};

void strbuf_init(struct strbuf *sb);
void strbuf_free(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_add(struct strbuf *sb, const char *s, size_t n);
void strbuf_addc(struct strbuf *sb, char c);
/* Drop trailing characters found in 'chars' (e.g. ", "). */
void strbuf_trim_end(struct strbuf *sb, const char *chars);

#endif /* STRBUF_H */
