/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Revalidator round time: how long one round (walk every flow, read its
 * stats summed over the PMD slots, decide) takes over N flows, on the
 * real flow table with the real clock. Nothing expires (max-idle far
 * away), so the round walks everything, which is the cost that feeds the
 * flow limit. Also: one round that expires every flow.
 *
 * Usage: bench_revalidator [FLOWS [MASKS [PMDS [RUNS]]]]
 *        (default 1000000 flows over 4 masks, 1 PMD slot, 5 runs)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flowtbl.h"
#include "flowtbl_pmd.h"
#include "opts.h"
#include "revalidator.h"

static uint64_t now_ms(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Flow i under mask i % n_masks: masks differ in the UDP port bits they
 * match (mask m matches the m low bits of the UDP source port), all match
 * the IPv4 destination, which makes flow i unique. */
static void make_flow(uint32_t i, uint32_t n_masks, struct flow_key *key, struct flow_key *mask)
{
	uint32_t m = i % n_masks;

	memset(key, 0, sizeof(*key));
	memset(mask, 0, sizeof(*mask));
	mask->in_port = UINT32_MAX;
	mask->eth_type = 0xffff;
	mask->ip_proto = 0xff;
	mask->ipv4.dst = UINT32_MAX;
	mask->tp_src = __builtin_bswap16((uint16_t)((1u << m) - 1));
	key->in_port = 1;
	key->eth_type = __builtin_bswap16(0x0800);
	key->ip_proto = 17;
	key->ipv4.dst = __builtin_bswap32(10u << 24 | i);
	key->tp_src = __builtin_bswap16(1000);
	flow_key_mask_apply(key, key, mask);
}

#define MAX_FLOWS (1u << 24)     /* make_flow() makes this many distinct flows */
#define MAX_MASKS 16             /* make_flow()'s masks: 0 to 15 port bits */
#define MAX_RUNS 64

struct opts {
	uint32_t flows;
	uint32_t masks;
	uint32_t pmds;           /* reader slots of the table */
	int runs;
};

static const char usage[] =
	"usage: bench_revalidator [FLOWS [MASKS [PMDS [RUNS]]]]\n"
	"  (default 1000000 flows over 4 masks, 1 PMD slot, 5 runs)\n";

/* Returns 0, BENCH_OPTS_HELP, or -EINVAL after saying what was wrong. */
static int parse_opts(int argc, char **argv, struct opts *o)
{
	const struct bench_opt args[] = {
		{ "FLOWS", BENCH_OPT_U32, &o->flows, 1, MAX_FLOWS },
		{ "MASKS", BENCH_OPT_U32, &o->masks, 1, MAX_MASKS },
		{ "PMDS", BENCH_OPT_U32, &o->pmds, 1, FLOWTBL_READERS_MAX },
		{ "RUNS", BENCH_OPT_INT, &o->runs, 1, MAX_RUNS },
		{ NULL, 0, NULL, 0, 0 },
	};

	*o = (struct opts){ .flows = 1000000, .masks = 4, .pmds = 1, .runs = 5 };
	return bench_opts_parse_args("bench_revalidator", usage, args, argc, argv);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct opts o;
	int rc = parse_opts(argc, argv, &o);
	uint32_t n = o.flows, n_masks = o.masks, n_pmds = o.pmds;
	int runs = o.runs;
	struct flowtbl_params tp = { .n_readers = n_pmds };
	struct flowtbl *t;
	struct flow_key key, mask;
	struct revalidator r;
	double ms[MAX_RUNS];
	uint32_t added = 0;

	if (rc != 0)
		return rc == BENCH_OPTS_HELP ? 0 : BENCH_OPTS_EXIT_USAGE;
	if (flowtbl_create(&tp, &t) < 0) {
		fprintf(stderr, "bench_revalidator: no flow table\n");
		return 1;
	}
	double t0 = now_s();
	for (uint32_t i = 0; i < n; i++) {
		struct flowtbl_flow *f;

		make_flow(i, n_masks, &key, &mask);
		if (flowtbl_insert(t, &key, &mask, NULL, 0, NULL, &f) == 0) {
			flowtbl_flow_set_created(f, now_ms(NULL));
			added++;
		}
	}
	double t_ins = now_s() - t0;
	revalidator_init(&r, 100000000, 3600 * 1000);
	revalidator_set_limit(&r, 100000000);
	for (int i = 0; i < runs; i++) {
		double s = now_s();
		revalidator_round(&r, t, now_ms, NULL);
		ms[i] = (now_s() - s) * 1000;
	}
	qsort(ms, (size_t)runs, sizeof(ms[0]), cmp_double);
	printf("flows %u (of %u), masks %u, pmd slots %u\n", added, n, flowtbl_mask_count(t),
	       n_pmds);
	printf("insert: %.0f ns/flow (%.2f M flows/s)\n", t_ins * 1e9 / added, added / t_ins / 1e6);
	printf("round, nothing expires: median %.1f ms [%.1f-%.1f] over %d runs = %.2f ms per 100k "
	       "flows\n", ms[runs / 2], ms[0], ms[runs - 1], runs, ms[runs / 2] * 100000.0 / added);
	printf("memory: %zu bytes/flow in the table\n", flowtbl_memory(t) / (added ? added : 1));

	/* Everything expires: the round deletes every flow. */
	revalidator_set_max_idle(&r, 1);
	struct timespec pause = { .tv_nsec = 5 * 1000 * 1000 };
	nanosleep(&pause, NULL);
	double s = now_s();
	uint32_t deleted = revalidator_round(&r, t, now_ms, NULL);
	double del_ms = (now_s() - s) * 1000;
	s = now_s();
	flowtbl_synchronize(t);
	printf("round, everything expires: %u deleted in %.1f ms (%.2f ms per 100k), "
	       "then %.1f ms to free them\n", deleted, del_ms, del_ms * 100000.0 / deleted,
	       (now_s() - s) * 1000);
	flowtbl_destroy(t);
	return 0;
}
