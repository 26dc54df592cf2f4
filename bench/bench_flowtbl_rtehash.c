/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Layout check for the flow table: one mask's subtable lookup against
 * DPDK's rte_hash in lock-free read/write mode
 * (RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF), the building block the issue
 * suggests. Same flows, same packets, bursts of 32, one thread:
 *   flowtbl: flowtbl_lookup_burst() with no cache (one subtable);
 *   rte_hash: mask each packet to the mask's significant words (32-byte
 *   key), rte_hash_lookup_bulk_data(), then the flow pointer it returns
 *   (as the classifier would, to reach the actions).
 * rte_hash needs EAL memory, so this benchmark initialises EAL
 * (--no-huge, no devices); the flow table itself does not.
 *
 * Usage: bench_flowtbl_rtehash [--runs N] [--ms MS] [--flows N]
 */
#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>

#include "flowtbl.h"
#include "flowtbl_pmd.h"
#include "opts.h"
#include "../tests/unit/flowtbl_testlib.h"

#define KEY_WORDS 4              /* in_port, eth_type+proto, ports, addresses */
#define MAX_RUNS 15
#define MAX_FLOWS 1000000        /* the largest of the default sizes */

static const uint8_t key_word_idx[KEY_WORDS] = { 4, 8, 9, 11 };

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void packet(uint32_t i, struct flow_key *k)
{
	tl_key_tcp4(k, 1, 0x0a000000 + (i << 8) + 0x5a, 0xac100000 + i, (uint16_t)(1024 + i),
		    (uint16_t)(i * 7 + 80));
	k->ip_ttl = 64;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct ctx {
	uint32_t n;
	struct flow_key mask;
	struct flowtbl *t;
	struct flowtbl_pmd *pmd;
	struct flowtbl_flow **flows;
	struct rte_hash *h;
	uint64_t rs;
};

#define CHUNK 64                 /* bursts per timed chunk */
#define MAX_CHUNKS 65536

static double chunks[MAX_CHUNKS];

/* ns per packet of one run of 'ms' milliseconds: the median chunk, since a
 * chunk during which the thread was preempted is not a lookup cost. */
static double run(struct ctx *c, int use_rte, int ms)
{
	struct flow_key keys[FLOWTBL_BURST];
	const struct flow_key *kp[FLOWTBL_BURST];
	uint64_t mk[FLOWTBL_BURST][KEY_WORDS];
	const void *mkp[FLOWTBL_BURST];
	struct flowtbl_flow *out[FLOWTBL_BURST];
	void *data[FLOWTBL_BURST];
	uint64_t end = mono_ns() + (uint64_t)ms * 1000000ull;
	const uint64_t *mw = flow_key_words(&c->mask);
	volatile uint32_t sink = 0;
	size_t n_chunks = 0;

	for (int i = 0; i < FLOWTBL_BURST; i++) {
		kp[i] = &keys[i];
		mkp[i] = mk[i];
	}
	while (mono_ns() < end && n_chunks < MAX_CHUNKS) {
		uint64_t total = 0;

		for (int r = 0; r < CHUNK; r++) {
			uint64_t t0, t1, hits = 0;

			for (int i = 0; i < FLOWTBL_BURST; i++)
				packet((uint32_t)(tl_rand(&c->rs) % c->n), &keys[i]);
			t0 = mono_ns();
			if (use_rte) {
				for (int i = 0; i < FLOWTBL_BURST; i++) {
					const uint64_t *w = flow_key_words(&keys[i]);

					for (int j = 0; j < KEY_WORDS; j++)
						mk[i][j] = w[key_word_idx[j]] & mw[key_word_idx[j]];
				}
				rte_hash_lookup_bulk_data(c->h, mkp, FLOWTBL_BURST, &hits, data);
				for (int i = 0; i < FLOWTBL_BURST; i++)
					sink += flowtbl_flow_actions(data[i])->len;
			} else {
				hits = flowtbl_lookup_burst(c->pmd, kp, NULL, FLOWTBL_BURST, out);
				for (int i = 0; i < FLOWTBL_BURST; i++)
					sink += flowtbl_flow_actions(out[i])->len;
			}
			t1 = mono_ns();
			total += t1 - t0;
			if (hits != UINT32_MAX) {
				fprintf(stderr, "bench: a lookup missed\n");
				exit(1);
			}
			flowtbl_pmd_quiescent(c->pmd);
		}
		chunks[n_chunks++] = (double)total / (CHUNK * FLOWTBL_BURST);
	}
	(void)sink;
	qsort(chunks, n_chunks, sizeof(double), cmp_double);
	return chunks[n_chunks / 2];
}

static int setup(struct ctx *c, uint32_t n)
{
	struct flowtbl_params tp = { .n_readers = 1 };
	struct flowtbl_pmd_params pp = { .slot = 0 };
	static const uint8_t act[] = { 8, 0, 1, 0, 3, 0, 0, 0 };
	char name[32];
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = n < 64 ? 64 : n + n / 4,
		.key_len = KEY_WORDS * sizeof(uint64_t),
		.hash_func = rte_hash_crc,
		.socket_id = 0,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};

	snprintf(name, sizeof(name), "ft%u", n);
	c->n = n;
	tl_mask_tcp4(&c->mask, 32, 32, 1, 1);
	c->flows = calloc(n, sizeof(*c->flows));
	c->h = rte_hash_create(&hp);
	if (!c->flows || !c->h || flowtbl_create(&tp, &c->t) < 0 ||
	    flowtbl_pmd_create(c->t, &pp, &c->pmd) < 0)
		return -1;
	flowtbl_pmd_online(c->pmd);
	for (uint32_t i = 0; i < n; i++) {
		struct flow_key k, m;
		uint64_t key[KEY_WORDS];

		packet(i, &k);
		if (flowtbl_insert(c->t, &k, &c->mask, act, sizeof(act), NULL, &c->flows[i]) < 0)
			return -1;
		flow_key_mask_apply(&m, &k, &c->mask);
		for (int j = 0; j < KEY_WORDS; j++)
			key[j] = flow_key_words(&m)[key_word_idx[j]];
		if (rte_hash_add_key_data(c->h, key, c->flows[i]) < 0)
			return -1;
	}
	return 0;
}

static void teardown(struct ctx *c)
{
	flowtbl_pmd_offline(c->pmd);
	flowtbl_destroy(c->t);
	rte_hash_free(c->h);
	free(c->flows);
}

struct opts {
	int runs;
	int ms;
	uint32_t flows;          /* one table of this size; 0: each of sizes[] */
};

static const char usage[] =
	"usage: bench_flowtbl_rtehash [--runs N] [--ms MS] [--flows N]\n"
	"  --flows N: one table of N flows instead of 1000, 100000 and 1000000\n";

/* Returns 0, BENCH_OPTS_HELP, or -EINVAL after saying what was wrong. */
static int parse_opts(int argc, char **argv, struct opts *o)
{
	const struct bench_opt opts[] = {
		{ "runs", BENCH_OPT_INT, &o->runs, 1, MAX_RUNS },
		{ "ms", BENCH_OPT_INT, &o->ms, 1, 3600 * 1000 },
		{ "flows", BENCH_OPT_U32, &o->flows, 1, MAX_FLOWS },
		{ NULL, 0, NULL, 0, 0 },
	};

	*o = (struct opts){ .runs = 5, .ms = 200 };
	return bench_opts_parse("bench_flowtbl_rtehash", usage, opts, argc, argv);
}

/* Prints one row: both lookups over a table of 'n' flows. */
static int measure(const struct opts *o, uint32_t n)
{
	struct ctx c = { .rs = 99 };
	double a[MAX_RUNS], b[MAX_RUNS];

	if (setup(&c, n) < 0) {
		fprintf(stderr, "bench: setup failed\n");
		return -1;
	}
	for (int r = 0; r < o->runs; r++) {     /* interleaved: same noise */
		a[r] = run(&c, 0, o->ms);
		b[r] = run(&c, 1, o->ms);
	}
	qsort(a, (size_t)o->runs, sizeof(double), cmp_double);
	qsort(b, (size_t)o->runs, sizeof(double), cmp_double);
	printf("| %u | %.1f | %.1f |\n", n, a[o->runs / 2], b[o->runs / 2]);
	fflush(stdout);
	teardown(&c);
	return 0;
}

int main(int argc, char **argv)
{
	/* lcore 0 floats over CPUs 0-1: this box is shared, don't pin. No
	 * shared config: another DPDK process may run beside it. */
	char *eal_args[] = { argv[0], "--lcores", "0@(0-1)", "--no-huge", "-m", "2048", "--no-pci",
			     "--no-telemetry", "--log-level=error", "--no-shconf",
			     "--file-prefix=bench_flowtbl_rtehash" };
	static const uint32_t default_sizes[] = { 1000, 100000, 1000000 };
	const uint32_t *sizes = default_sizes;
	size_t n_sizes = sizeof(default_sizes) / sizeof(default_sizes[0]);
	struct opts o;
	int rc = parse_opts(argc, argv, &o);

	if (rc != 0)
		return rc == BENCH_OPTS_HELP ? 0 : BENCH_OPTS_EXIT_USAGE;
	if (o.flows) {
		sizes = &o.flows;
		n_sizes = 1;
	}
	if (rte_eal_init((int)(sizeof(eal_args) / sizeof(eal_args[0])), eal_args) < 0) {
		fprintf(stderr, "bench: EAL init failed\n");
		return 1;
	}
	printf("one 4-word mask, bursts of 32, median of %d runs x %d ms, ns/packet\n\n", o.runs,
	       o.ms);
	printf("| Flows | flowtbl subtable | rte_hash (LF RW) |\n|---:|---:|---:|\n");
	for (size_t s = 0; s < n_sizes; s++)
		if (measure(&o, sizes[s]) < 0)
			return 1;
	/* EAL leaves its runtime directory behind, empty with --no-shconf. */
	char run_dir[PATH_MAX];
	snprintf(run_dir, sizeof(run_dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	rmdir(run_dir);
	return 0;
}
