/* SPDX-License-Identifier: BSD-3-Clause */
#include "opts.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_OPTS 31
#define HELP_VAL 'h'
#define FIRST_VAL 256             /* getopt's val of opts[i]: FIRST_VAL + i */

/* Stores option 'opt' with its value 'text' (NULL for a flag). */
static int store(const char *prog, const struct bench_opt *opt, const char *text)
{
	char *end;
	long v;

	if (opt->type == BENCH_OPT_FLAG) {
		*(int *)opt->dest = (int)opt->min;
		return 0;
	}
	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || end == text || *end || v < opt->min || v > opt->max) {
		fprintf(stderr, "%s: --%s wants a whole number in [%ld, %ld], got '%s'\n",
			prog, opt->name, opt->min, opt->max, text);
		return -EINVAL;
	}
	switch (opt->type) {
	case BENCH_OPT_INT: *(int *)opt->dest = (int)v; break;
	case BENCH_OPT_LONG: *(long *)opt->dest = v; break;
	case BENCH_OPT_U32: *(uint32_t *)opt->dest = (uint32_t)v; break;
	case BENCH_OPT_FLAG: break;
	}
	return 0;
}

/* getopt_long's table from ours: option i answers FIRST_VAL + i. */
static int build_table(const char *prog, const struct bench_opt *opts, struct option *table)
{
	int n = 0;

	for (; opts[n].name; n++) {
		if (n == MAX_OPTS) {
			fprintf(stderr, "%s: more than %d options\n", prog, MAX_OPTS);
			return -EINVAL;
		}
		table[n] = (struct option){ opts[n].name,
			opts[n].type == BENCH_OPT_FLAG ? no_argument : required_argument,
			NULL, FIRST_VAL + n };
	}
	table[n++] = (struct option){ "help", no_argument, NULL, HELP_VAL };
	table[n] = (struct option){ NULL, 0, NULL, 0 };
	return 0;
}

static int parse_table(const char *prog, const struct bench_opt *opts, const struct option *table,
		       int argc, char **argv)
{
	int c;

	while ((c = getopt_long(argc, argv, "", table, NULL)) != -1) {
		if (c == HELP_VAL)
			return BENCH_OPTS_HELP;
		if (c < FIRST_VAL)
			return -EINVAL; /* getopt said what was wrong */
		if (store(prog, &opts[c - FIRST_VAL], optarg) < 0)
			return -EINVAL;
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", prog, argv[optind]);
		return -EINVAL;
	}
	return 0;
}

int bench_opts_parse(const char *prog, const char *usage, const struct bench_opt *opts,
		     int argc, char **argv)
{
	struct option table[MAX_OPTS + 2];
	int rc = build_table(prog, opts, table);

	if (rc == 0)
		rc = parse_table(prog, opts, table, argc, argv);
	if (rc == BENCH_OPTS_HELP)
		fputs(usage, stdout);
	else if (rc < 0)
		fputs(usage, stderr);
	return rc;
}
