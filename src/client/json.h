/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * json: a small writer of JSON documents into a strbuf, for --json.
 * Commas, nesting and indentation (two spaces) are tracked here; callers
 * say what comes next. Strings are escaped so that the document is valid
 * whatever the bytes (bytes >= 0x80 are written as \u00XX: names here are
 * ASCII). Non-finite doubles are written as null.
 *
 * Misuse (a value where a key is due, more than JSON_MAX_DEPTH levels) is
 * a programming error: it is not checked. Thread safety: touches only its
 * argument.
 */
#ifndef CL_JSON_H
#define CL_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include "strbuf.h"

#define JSON_MAX_DEPTH 16

struct json {
	struct strbuf *sb;
	int depth;
	bool after_key;                     /* a key was written, its value is due */
	bool has_members[JSON_MAX_DEPTH + 1];
};

void json_init(struct json *j, struct strbuf *sb);

/* Containers, each a value. */
void json_obj_begin(struct json *j);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j);
void json_arr_end(struct json *j);

/* Inside an object: the member's name, then exactly one value. */
void json_key(struct json *j, const char *key);

/* Values. */
void json_str(struct json *j, const char *s);
void json_u64(struct json *j, uint64_t v);
void json_i64(struct json *j, int64_t v);
void json_double(struct json *j, double v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);

/* key + value in one call. */
void json_kv_str(struct json *j, const char *key, const char *s);
void json_kv_u64(struct json *j, const char *key, uint64_t v);
void json_kv_double(struct json *j, const char *key, double v);
void json_kv_bool(struct json *j, const char *key, bool v);

#endif /* CL_JSON_H */
