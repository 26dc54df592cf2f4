/* SPDX-License-Identifier: BSD-3-Clause */
/* A small JSON writer (see json.h). */
#include "json.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>

void json_init(struct json *j, struct strbuf *sb)
{
	j->sb = sb;
	j->depth = 0;
	j->after_key = false;
	j->has_members[0] = false;
}

static void newline(struct json *j)
{
	strbuf_addc(j->sb, '\n');
	for (int i = 0; i < j->depth; i++)
		strbuf_add(j->sb, "  ", 2);
}

/* What goes before a member or an array element: a comma after the
 * previous one, and a new indented line. */
static void member_start(struct json *j)
{
	if (j->depth == 0)
		return;
	if (j->has_members[j->depth])
		strbuf_addc(j->sb, ',');
	j->has_members[j->depth] = true;
	newline(j);
}

static void value_start(struct json *j)
{
	if (j->after_key)
		j->after_key = false;
	else
		member_start(j);
}

static void container_open(struct json *j, char c)
{
	value_start(j);
	strbuf_addc(j->sb, c);
	j->depth++;
	j->has_members[j->depth] = false;
}

static void container_close(struct json *j, char c)
{
	bool had = j->has_members[j->depth];

	j->depth--;
	if (had)
		newline(j);
	strbuf_addc(j->sb, c);
	if (j->depth == 0)
		strbuf_addc(j->sb, '\n');
}

void json_obj_begin(struct json *j)
{
	container_open(j, '{');
}

void json_obj_end(struct json *j)
{
	container_close(j, '}');
}

void json_arr_begin(struct json *j)
{
	container_open(j, '[');
}

void json_arr_end(struct json *j)
{
	container_close(j, ']');
}

static void put_string(struct strbuf *sb, const char *s)
{
	strbuf_addc(sb, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			strbuf_addc(sb, '\\');
			strbuf_addc(sb, (char)*p);
		} else if (*p == '\n') {
			strbuf_add(sb, "\\n", 2);
		} else if (*p < 0x20 || *p >= 0x80) {
			strbuf_addf(sb, "\\u%04x", *p);
		} else {
			strbuf_addc(sb, (char)*p);
		}
	}
	strbuf_addc(sb, '"');
}

void json_key(struct json *j, const char *key)
{
	member_start(j);
	put_string(j->sb, key);
	strbuf_add(j->sb, ": ", 2);
	j->after_key = true;
}

void json_str(struct json *j, const char *s)
{
	value_start(j);
	put_string(j->sb, s);
}

void json_u64(struct json *j, uint64_t v)
{
	value_start(j);
	strbuf_addf(j->sb, "%" PRIu64, v);
}

void json_i64(struct json *j, int64_t v)
{
	value_start(j);
	strbuf_addf(j->sb, "%" PRId64, v);
}

void json_double(struct json *j, double v)
{
	value_start(j);
	if (isfinite(v))
		strbuf_addf(j->sb, "%.15g", v);
	else
		strbuf_add(j->sb, "null", 4);
}

void json_bool(struct json *j, bool v)
{
	value_start(j);
	strbuf_addf(j->sb, "%s", v ? "true" : "false");
}

void json_null(struct json *j)
{
	value_start(j);
	strbuf_add(j->sb, "null", 4);
}

void json_kv_str(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_str(j, s);
}

void json_kv_u64(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	json_u64(j, v);
}

void json_kv_double(struct json *j, const char *key, double v)
{
	json_key(j, key);
	json_double(j, v);
}

void json_kv_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	json_bool(j, v);
}
