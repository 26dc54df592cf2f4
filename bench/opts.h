/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Command-line options of the benchmark programs, from a table: each
 * program lists its long options or its positional arguments (name, where
 * the value goes, the range of a number) and bench_opts_parse() or
 * bench_opts_parse_args() does the rest, so that every number is checked
 * the same way (bench_opts_number()): a value that is not a whole decimal
 * number, has anything after it, or lies outside its range is an error
 * that names the option or argument, never a silent 0.
 */
#ifndef BENCH_OPTS_H
#define BENCH_OPTS_H

#include <stdint.h>

enum bench_opt_type {
	BENCH_OPT_FLAG,   /* no value: stores 'min' in an int */
	BENCH_OPT_INT,    /* a number in [min, max] into an int */
	BENCH_OPT_LONG,   /* ... into a long */
	BENCH_OPT_U32,    /* ... into a uint32_t (min >= 0) */
};

struct bench_opt {
	const char *name;             /* the long option, without "--"; or the
				       * positional argument, as the usage names it */
	enum bench_opt_type type;
	void *dest;                   /* int, long or uint32_t, as 'type' says */
	long min, max;                /* a number's range; a flag's value in min */
};

/* What bench_opts_parse() returns after --help printed the usage. */
#define BENCH_OPTS_HELP 1

/* Exit status of a program whose options were wrong (as getopt's usage
 * errors in most tools). */
#define BENCH_OPTS_EXIT_USAGE 2

/*
 * Parses argv by 'opts' (ended by an entry with a NULL name; at most 31
 * entries) and --help. Returns 0; BENCH_OPTS_HELP after printing 'usage'
 * on stdout; or -EINVAL after a message that starts with 'prog' on stderr
 * (an unknown option, a missing value, a bad number, a stray argument),
 * with the usage. Values before the bad one may already be stored.
 */
int bench_opts_parse(const char *prog, const char *usage, const struct bench_opt *opts,
		     int argc, char **argv);

/*
 * The same for positional arguments: argv[1], argv[2]... go to args[0],
 * args[1]... in order (no flags in 'args'); those not given keep their
 * defaults. Also --help; more arguments than entries is an error.
 */
int bench_opts_parse_args(const char *prog, const char *usage, const struct bench_opt *args,
			  int argc, char **argv);

/*
 * Reads 'text' as a whole decimal number in [min, max] into *out. Returns
 * 0, or -EINVAL after a message on stderr that starts with 'prog' and
 * names 'what' (the option or argument), its range and 'text'.
 */
int bench_opts_number(const char *prog, const char *what, const char *text, long min, long max,
		      long *out);

#endif
