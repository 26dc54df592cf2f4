/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the text format. The input is tried three ways:
 *  - as a flow string: on success the printed flow (plain and -m) must
 *    parse again, and from then on print and parse are exact inverses
 *    (the first print may drop what the text cannot show, e.g. ports
 *    matched without an exact ip proto, as OVS's printer does);
 *  - as an action string: on success, printing then parsing must give
 *    the same bytes, and printing those the same text;
 *  - as raw bytes: an action attribute stream and a (key, mask) pair,
 *    which the printers must show without crashing or over-reading.
 * Errors must be -EINVAL with an offset inside the string.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "odp_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(const char *s, const struct errmsg *e, int rc)
{
	if (rc != -EINVAL || e->err != -EINVAL || e->offset < 0 || (size_t)e->offset > strlen(s) ||
	    e->msg[0] == '\0') {
		fprintf(stderr, "bad error for '%s': rc %d offset %d '%s'\n", s, rc, e->offset, e->msg);
		abort();
	}
}

static char *print_flow(const struct odp_match *m, bool verbose)
{
	struct strbuf sb;

	strbuf_init(&sb);
	odp_flow_format(&sb, &m->key, &m->mask, verbose);
	return sb.s;
}

static void fuzz_flow(const char *s)
{
	struct odp_match m1, m2, m3;
	struct errmsg e;
	int rc = odp_flow_parse(s, &m1, &e);

	if (rc) {
		check_error(s, &e, rc);
		return;
	}
	for (int verbose = 0; verbose < 2; verbose++) {
		char *p1 = print_flow(&m1, verbose), *p2;

		if (odp_flow_parse(p1, &m2, &e)) {
			fprintf(stderr, "'%s' printed '%s', which fails: %s\n", s, p1, e.msg);
			abort();
		}
		p2 = print_flow(&m2, verbose);
		if (strcmp(p1, p2) || odp_flow_parse(p2, &m3, &e) ||
		    !flow_key_equal(&m2.key, &m3.key) || !flow_key_equal(&m2.mask, &m3.mask)) {
			fprintf(stderr, "'%s': print/parse not stable:\n  %s\n  %s\n", s, p1, p2);
			abort();
		}
		free(p1);
		free(p2);
	}
}

static void fuzz_actions(const char *s)
{
	struct nlbuf a, b;
	struct strbuf p1, p2;
	struct errmsg e;
	int rc;

	nlbuf_init(&a, 0);
	nlbuf_init(&b, 0);
	rc = odp_actions_parse(s, &a, &e);
	if (rc) {
		check_error(s, &e, rc);
		if (a.len)
			abort(); /* a failed parse appends nothing */
		goto out;
	}
	strbuf_init(&p1);
	strbuf_init(&p2);
	odp_actions_format(&p1, a.data, a.len);
	if (odp_actions_parse(p1.s, &b, &e)) {
		fprintf(stderr, "'%s' printed '%s', which fails: %s\n", s, p1.s, e.msg);
		abort();
	}
	odp_actions_format(&p2, b.data, b.len);
	if (a.len != b.len || (a.len && memcmp(a.data, b.data, a.len)) || strcmp(p1.s, p2.s)) {
		fprintf(stderr, "'%s': actions not stable:\n  %s\n  %s\n", s, p1.s, p2.s);
		abort();
	}
	strbuf_free(&p1);
	strbuf_free(&p2);
out:
	nlbuf_free(&a);
	nlbuf_free(&b);
}

static void fuzz_raw(const uint8_t *data, size_t size)
{
	struct flow_key k, m;
	struct strbuf sb;
	uint8_t *copy = malloc(size ? size : 1);

	/* An exact-size copy, so that ASan sees any read past the end. */
	memcpy(copy, data, size);
	strbuf_init(&sb);
	odp_actions_format(&sb, copy, size);
	free(copy);
	if (size >= 2 * sizeof(k)) {
		memcpy(&k, data, sizeof(k));
		memcpy(&m, data + sizeof(k), sizeof(m));
		flow_key_mask_apply(&k, &k, &m);
		strbuf_reset(&sb);
		odp_flow_format(&sb, &k, &m, false);
		strbuf_reset(&sb);
		odp_flow_format(&sb, &k, &m, true);
	}
	strbuf_free(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0'; /* an embedded NUL just ends the string early */
	fuzz_flow(s);
	fuzz_actions(s);
	free(s);
	fuzz_raw(data, size);
	return 0;
}
