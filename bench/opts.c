/* SPDX-License-Identifier: BSD-3-Clause */
#include "opts.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_OPTS 31
#define HELP_VAL 'h'
#define FIRST_VAL 256             /* getopt's val of opts[i]: FIRST_VAL + i */
#define MAX_NAME 64               /* "--" and an option's name, in a message */

int bench_opts_number(const char *prog, const char *what, const char *text, long min, long max,
		      long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || end == text || *end || v < min || v > max) {
		fprintf(stderr, "%s: %s wants a whole number in [%ld, %ld], got '%s'\n",
			prog, what, min, max, text);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

/* Stores 'opt', called 'what' in a message, with its value 'text' (NULL
 * for a flag). */
static int store(const char *prog, const char *what, const struct bench_opt *opt,
		 const char *text)
{
	long v;

	if (opt->type == BENCH_OPT_FLAG) {
		*(int *)opt->dest = (int)opt->min;
		return 0;
	}
	if (bench_opts_number(prog, what, text, opt->min, opt->max, &v) < 0)
		return -EINVAL;
	switch (opt->type) {
	case BENCH_OPT_INT: *(int *)opt->dest = (int)v; break;
	case BENCH_OPT_LONG: *(long *)opt->dest = v; break;
	case BENCH_OPT_U32: *(uint32_t *)opt->dest = (uint32_t)v; break;
	case BENCH_OPT_FLAG: break;
	}
	return 0;
}

/* An argument that no option or position takes. */
static int stray(const char *prog, const char *arg)
{
	fprintf(stderr, "%s: unexpected argument '%s'\n", prog, arg);
	return -EINVAL;
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
	char what[MAX_NAME];
	int c;

	while ((c = getopt_long(argc, argv, "", table, NULL)) != -1) {
		if (c == HELP_VAL)
			return BENCH_OPTS_HELP;
		if (c < FIRST_VAL)
			return -EINVAL; /* getopt said what was wrong */
		snprintf(what, sizeof(what), "--%s", opts[c - FIRST_VAL].name);
		if (store(prog, what, &opts[c - FIRST_VAL], optarg) < 0)
			return -EINVAL;
	}
	return optind < argc ? stray(prog, argv[optind]) : 0;
}

/* Positional: argv[i + 1] is args[i]. --help anywhere wins, as with
 * getopt_long. */
static int parse_positional(const char *prog, const struct bench_opt *args, int argc,
			    char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0)
			return BENCH_OPTS_HELP;
	for (i = 0; i + 1 < argc && args[i].name; i++)
		if (store(prog, args[i].name, &args[i], argv[i + 1]) < 0)
			return -EINVAL;
	return i + 1 < argc ? stray(prog, argv[i + 1]) : 0;
}

/* Prints the usage where outcome 'rc' of a parse wants it; returns 'rc'. */
static int show_usage(int rc, const char *usage)
{
	if (rc == BENCH_OPTS_HELP)
		fputs(usage, stdout);
	else if (rc < 0)
		fputs(usage, stderr);
	return rc;
}

int bench_opts_parse(const char *prog, const char *usage, const struct bench_opt *opts,
		     int argc, char **argv)
{
	struct option table[MAX_OPTS + 2];
	int rc = build_table(prog, opts, table);

	if (rc == 0)
		rc = parse_table(prog, opts, table, argc, argv);
	return show_usage(rc, usage);
}

int bench_opts_parse_args(const char *prog, const char *usage, const struct bench_opt *args,
			  int argc, char **argv)
{
	return show_usage(parse_positional(prog, args, argc, argv), usage);
}
