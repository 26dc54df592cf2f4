/* SPDX-License-Identifier: BSD-3-Clause */
#include "strbuf.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dpsw_grow.h"

static void reserve(struct strbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;

	if (need <= sb->cap)
		return;
	bool empty = sb->cap == 0; /* 's' is the static "" */

	sb->s = dpsw_grow(empty ? NULL : sb->s, &sb->cap, need, 64);
	if (empty)
		sb->s[0] = '\0';
}

void strbuf_init(struct strbuf *sb)
{
	sb->s = "";
	sb->len = 0;
	sb->cap = 0;
}

void strbuf_free(struct strbuf *sb)
{
	if (sb->cap)
		free(sb->s);
	strbuf_init(sb);
}

void strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->cap)
		sb->s[0] = '\0';
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	reserve(sb, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(sb->s + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

void strbuf_add(struct strbuf *sb, const char *s, size_t n)
{
	reserve(sb, n);
	memcpy(sb->s + sb->len, s, n);
	sb->len += n;
	sb->s[sb->len] = '\0';
}

void strbuf_addc(struct strbuf *sb, char c)
{
	strbuf_add(sb, &c, 1);
}

void strbuf_trim_end(struct strbuf *sb, const char *chars)
{
	while (sb->len && strchr(chars, sb->s[sb->len - 1]))
		sb->s[--sb->len] = '\0';
}
