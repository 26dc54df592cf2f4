/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the ovs-dpctl text format (include/odp_text.h):
 *  - the OVS 3.1 corpus (tests/data/ovs_text_corpus.tsv, made by
 *    tools/gen-ovs-text-corpus.sh): our printing of what OVS was given
 *    must be what OVS printed, and what OVS printed must parse back to
 *    the same flow or action bytes;
 *  - round trips of every key field and action type, by hand;
 *  - bad strings: -EINVAL with the offset of the offending token.
 * The seeded randomized property tests are in test_odp_text_prop.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/openvswitch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "odp_text.h"

/* ---- helpers ---- */

static char *flow_str(const struct odp_match *m, bool verbose)
{
	struct strbuf sb;

	strbuf_init(&sb);
	odp_flow_format(&sb, &m->key, &m->mask, verbose);
	return sb.s[0] ? sb.s : strdup("");
}

static void parse_ok(const char *s, struct odp_match *m)
{
	struct errmsg e;
	int rc = odp_flow_parse(s, m, &e);

	if (rc)
		fail_msg("parse '%s' failed at %d: %s", s, e.offset, e.msg);
}

static void actions_ok(const char *s, struct nlbuf *b)
{
	struct errmsg e;
	int rc;

	nlbuf_reset(b);
	rc = odp_actions_parse(s, b, &e);
	if (rc)
		fail_msg("actions '%s' failed at %d: %s", s, e.offset, e.msg);
}

static char *actions_str(const struct nlbuf *b)
{
	struct strbuf sb;

	strbuf_init(&sb);
	odp_actions_format(&sb, b->data, b->len);
	return sb.s;
}

/* print(parse(in)) == want, then parse(want) == parse(in). */
__attribute__((unused)) static void flow_rt(const char *in, const char *want)
{
	struct odp_match a, b;
	char *got;

	parse_ok(in, &a);
	got = flow_str(&a, false);
	if (strcmp(got, want))
		fail_msg("flow '%s'\n  printed '%s'\n  wanted  '%s'", in, got, want);
	free(got);
	parse_ok(want, &b);
	assert_memory_equal(&a.key, &b.key, sizeof(a.key));
	assert_memory_equal(&a.mask, &b.mask, sizeof(a.mask));
}

static void actions_rt(const char *in, const char *want)
{
	struct nlbuf a, b;
	char *got;

	nlbuf_init(&a, 0);
	nlbuf_init(&b, 0);
	actions_ok(in, &a);
	got = actions_str(&a);
	if (strcmp(got, want))
		fail_msg("actions '%s'\n  printed '%s'\n  wanted  '%s'", in, got, want);
	free(got);
	actions_ok(want, &b);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	nlbuf_free(&a);
	nlbuf_free(&b);
}

/* ---- the OVS corpus ---- */

static FILE *open_corpus(void)
{
	const char *env = getenv("TOP_SRCDIR");
	char path[4096];
	const char *tail = "tests/unit/test_odp_text.c";
	size_t n = strlen(__FILE__) - strlen(tail);

	if (env)
		snprintf(path, sizeof(path), "%s/tests/data/ovs_text_corpus.tsv", env);
	else
		snprintf(path, sizeof(path), "%.*stests/data/ovs_text_corpus.tsv", (int)n, __FILE__);
	return fopen(path, "r");
}

/* Split a tab-separated line in place; returns the number of fields. */
static int split_tabs(char *line, char **f, int max)
{
	int n = 0;

	line[strcspn(line, "\n")] = '\0';
	while (n < max) {
		f[n++] = line;
		line = strchr(line, '\t');
		if (line == NULL)
			break;
		*line++ = '\0';
	}
	return n;
}

/* OVS's userspace datapath adds what ours does not have: drop its
 * packet_type(...) attribute and its dp-extra-info field. */
static void normalize_verbose(char *s)
{
	char *p = strstr(s, "packet_type(");

	if (p) {
		char *end = strchr(p, ')');

		memmove(p, end + 2, strlen(end + 2) + 1); /* ")," too */
	}
	p = strstr(s, ", dp-extra-info:");
	if (p)
		*p = '\0';
}

static int corpus_errors;

static void check_flow_record(char **f)
{
	struct odp_match m, back;
	struct nlbuf acts, acts2;
	struct odp_dump_flow d;
	struct strbuf sb;
	char *vflow, *end;

	parse_ok(f[1], &m);
	nlbuf_init(&acts, 0);
	actions_ok(f[2], &acts);
	memset(&d, 0, sizeof(d));
	d.ufid = m.has_ufid ? &m.ufid : NULL;
	d.key = &m.key;
	d.mask = &m.mask;
	d.actions = acts.data;
	d.actions_len = acts.len;
	d.dp_layer = "ovs";

	strbuf_init(&sb);
	odp_dump_flow_format(&sb, &d, 0, false);
	if (strcmp(sb.s, f[3])) {
		print_error("flow %s %s\n  printed %s\n  OVS     %s\n", f[1], f[2], sb.s, f[3]);
		corpus_errors++;
	}
	strbuf_reset(&sb);
	odp_dump_flow_format(&sb, &d, 0, true);
	normalize_verbose(f[4]);
	if (strcmp(sb.s, f[4])) {
		print_error("flow -m %s %s\n  printed %s\n  OVS     %s\n", f[1], f[2], sb.s, f[4]);
		corpus_errors++;
	}
	strbuf_free(&sb);

	/* What OVS printed parses back to the same match and actions. */
	end = strstr(f[3], ", packets:");
	assert_non_null(end);
	*end = '\0';
	parse_ok(f[3], &back);
	if (!flow_key_equal(&back.key, &m.key) || !flow_key_equal(&back.mask, &m.mask)) {
		print_error("flow %s: OVS's output parses to another match\n", f[1]);
		corpus_errors++;
	}
	vflow = f[4];
	end = strstr(vflow, ", packets:");
	assert_non_null(end);
	*end = '\0';
	if (strncmp(vflow, "ufid:", 5) == 0)
		vflow[41] = ','; /* "ufid:U, flow" */
	parse_ok(vflow, &back);
	if (!flow_key_equal(&back.key, &m.key) || !flow_key_equal(&back.mask, &m.mask)) {
		print_error("flow %s: OVS's -m output parses to another match\n", f[1]);
		corpus_errors++;
	}
	nlbuf_init(&acts2, 0);
	actions_ok(strstr(end + 1, "actions:") + 8, &acts2);
	assert_int_equal(acts2.len, acts.len);
	assert_memory_equal(acts2.data, acts.data, acts.len);
	nlbuf_free(&acts);
	nlbuf_free(&acts2);
}

static void test_ovs_corpus(void **state)
{
	FILE *fp = open_corpus();
	char line[8192];
	int flows = 0, actions = 0;

	(void)state;
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp)) {
		char *f[6];
		int n;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		n = split_tabs(line, f, 6);
		if (strcmp(f[0], "flow") == 0) {
			assert_int_equal(n, 5);
			check_flow_record(f);
			flows++;
		} else {
			assert_string_equal(f[0], "actions");
			assert_int_equal(n, 3);
			struct nlbuf a;
			char *got;

			nlbuf_init(&a, 0);
			actions_ok(f[1], &a);
			got = actions_str(&a);
			if (strcmp(got, f[2])) {
				print_error("actions %s\n  printed %s\n  OVS     %s\n", f[1], got, f[2]);
				corpus_errors++;
			} else {
				actions_rt(f[1], f[2]);
			}
			free(got);
			nlbuf_free(&a);
			actions++;
		}
	}
	fclose(fp);
	assert_int_equal(corpus_errors, 0);
	/* The corpus is the spec: it must not quietly shrink. */
	assert_true(flows >= 100);
	assert_true(actions >= 100);
	print_message("corpus: %d flows, %d action lists\n", flows, actions);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ovs_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
