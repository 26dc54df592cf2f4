/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Micro-benchmark of the flow table (not a test: it measures). One thread,
 * no EAL. For each scenario (flows over masks) it builds the table, then
 * looks up bursts of 32 packets drawn uniformly at random over the flows,
 * with and without the exact-match cache, and prints lookups/s and ns per
 * packet (median of --runs runs), the average subtables probed per packet
 * and the cache hit rate. Also: insert and remove rates, memory per flow,
 * and a masks sweep (cost against the number of masks, uniform and skewed
 * traffic).
 *
 * Only the lookup call is timed (TSC around each burst, calibrated against
 * CLOCK_MONOTONIC); building the burst's keys is not, as a PMD's keys come
 * fresh from extraction. Every lookup is checked to hit the flow it was
 * built for, so a broken build cannot post a fast number.
 *
 * Usage: bench_flowtbl [--runs N] [--ms MS] [--cache N] [--quick] [--only 1..6]
 *                      [--pct P: percentile of chunk times, default 50]
 *                      [--bursts N: fixed work per run, e.g. under valgrind]
 *                      [--pmd: packets in the forwarding benchmark's pcap order,
 *                       marked sparse as the PMD marks IPv4 UDP/TCP keys, and
 *                       the actions read and stats write of each hit timed
 *                       with the lookup; --pmd-random: the same in random order]
 *                      [--mode 1|2|3: only no cache, cache, or adaptive cache]
 *                      [--inv-prob N: cache insert probability 1/N, default 1;
 *                       the daemon uses FLOWTBL_CACHE_INV_PROB_DEFAULT]
 * From a release build: meson setup build/release --buildtype=release
 * -Dnative=true && ninja -C build/release && build/release/bench/bench_flowtbl
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flowtbl.h"
#include "flowtbl_pmd.h"
#include "opts.h"
#include "../tests/unit/flowtbl_testlib.h"

#define MAX_RUNS 15
#define N_SCENARIOS 6             /* scenarios(), --only 1..6 */
#define CHUNK_BURSTS 64          /* bursts per timed chunk */
#define MAX_CHUNKS 65536

static double chunk_cycles[MAX_CHUNKS];

struct opts {
	int runs;
	int ms;
	uint32_t cache;
	int quick;
	int only;                    /* 1-based scenario, 0: all + sweep */
	int pct;                     /* percentile of chunk times (50: median) */
	long bursts;                 /* >0: this many bursts per run, not --ms */
	int pmd;                     /* as the PMD: pcap order, actions, stats */
	int mode;                    /* 1..3: only no cache, cache, adaptive */
	uint32_t inv_prob;           /* cache insert probability 1/inv_prob */
};

struct scenario {
	const char *name;
	uint32_t n_flows;
	uint32_t n_masks;
};

struct bench {
	struct flowtbl *t;
	struct flowtbl_pmd *pmd;
	uint32_t n_flows, n_masks;
	struct flow_key masks[64];
	struct flowtbl_flow **flows;
	uint64_t rs;
	uint32_t hot;                /* skew: this share (%) of packets ... */
	uint32_t hot_masks;          /* ... go to flows in the last masks */
	uint32_t seq_stride;         /* !0: flows in bench/gen_traffic.py's order */
	uint32_t seq_n, seq_i;       /* packets in that order, next packet */
};

struct result {
	double ns_pkt;
	double probes;               /* subtables probed per packet */
	double cache_rate;           /* share of packets answered by the cache */
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* This thread's CPU time (user + kernel): what the work cost, without the
 * time slices other processes took on this shared machine. */
static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline uint64_t ticks(void)
{
#if defined(__x86_64__)
	return __builtin_ia32_rdtsc();
#else
	return mono_ns();
#endif
}

/* Mask j: in_port (its own value per mask: no two masks' flows overlap),
 * eth_type, ip proto, and a different mix of address prefixes and ports
 * for each j: 4 significant words, like a typical 5-tuple megaflow. */
static void make_mask(struct flow_key *m, uint32_t j)
{
	static const unsigned int plen[] = { 32, 24, 16, 28, 20, 30, 26, 22 };

	tl_mask_tcp4(m, plen[j % 8], plen[(j / 8) % 8], (j / 64) % 2 == 0, 1);
	if (j >= 32)
		m->ip_ttl = 0xff;
}

/* Flow i's packet: in mask i % n_masks, fields from i (distinct per flow
 * under its mask); the bits the mask ignores are set too, as in traffic. */
static void flow_packet(const struct bench *b, uint32_t i, struct flow_key *k)
{
	uint32_t j = i % b->n_masks, n = i / b->n_masks;

	tl_key_tcp4(k, 1 + j, 0x0a000000 + (n << 8), 0xac100000 + (n << 10) + (n & 0x3ff),
		    (uint16_t)(1024 + n), (uint16_t)(n * 7 + 80));
	k->ipv4.src |= htonl(0x5a);
	k->ip_ttl = 64;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

#define OP_CHUNK 4096             /* inserts/removes per timed chunk */

/* Median ns per operation over chunks of OP_CHUNK, from ns per chunk. */
static double chunk_median(double *ns, size_t n)
{
	qsort(ns, n, sizeof(double), cmp_double);
	return ns[n / 2] / OP_CHUNK;
}

/* Build the table. *insert_ns (if set): median ns per insert over chunks
 * of OP_CHUNK inserts; *insert_cpu_ns: thread CPU time per insert over the
 * whole build (hash table rebuilds and page faults included). */
static int build(struct bench *b, uint32_t n_flows, uint32_t n_masks, double *insert_ns,
		 double *insert_cpu_ns)
{
	struct flowtbl_params tp = { .n_readers = 1 };
	static const uint8_t act[] = { 8, 0, 1, 0, 3, 0, 0, 0 }; /* output:3 */
	uint64_t t0, tc;
	size_t nc = 0;

	b->n_flows = n_flows;
	b->n_masks = n_masks;
	b->flows = calloc(n_flows, sizeof(*b->flows));
	if (!b->flows || flowtbl_create(&tp, &b->t) < 0)
		return -1;
	for (uint32_t j = 0; j < n_masks; j++)
		make_mask(&b->masks[j], j);
	t0 = cpu_ns();
	tc = mono_ns();
	for (uint32_t i = 0; i < n_flows; i++) {
		struct flow_key k;

		flow_packet(b, i, &k);
		if (flowtbl_insert(b->t, &k, &b->masks[i % n_masks], act, sizeof(act), NULL,
				   &b->flows[i]) < 0) {
			fprintf(stderr, "bench: insert %u failed\n", i);
			return -1;
		}
		if ((i + 1) % OP_CHUNK == 0 && nc < MAX_CHUNKS) {
			uint64_t now = mono_ns();

			chunk_cycles[nc++] = (double)(now - tc);
			tc = now;
		}
	}
	if (insert_cpu_ns)
		*insert_cpu_ns = (double)(cpu_ns() - t0) / n_flows;
	if (insert_ns)
		*insert_ns = nc ? chunk_median(chunk_cycles, nc) : 0;
	return 0;
}

static void destroy(struct bench *b)
{
	flowtbl_destroy(b->t);
	free(b->flows);
	b->t = NULL;
	b->flows = NULL;
}

static uint32_t gcd(uint32_t a, uint32_t b)
{
	while (b) {
		uint32_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* --pmd: the packets of bench/gen_traffic.py's pcap, in its order: one a
 * flow up to 100k flows, else 65536 spread at a stride coprime to F. */
static void seq_init(struct bench *b)
{
	uint32_t f = b->n_flows, p = f <= 100000 ? f : 65536;
	uint32_t s = p >= f ? 1 : f / p;

	while (gcd(s, f) != 1)
		s++;
	b->seq_stride = s;
	b->seq_n = p;
	b->seq_i = 0;
}

static uint32_t pick(struct bench *b)
{
	uint64_t r = tl_rand(&b->rs);

	if (b->seq_stride) {
		uint32_t g = (uint32_t)((uint64_t)b->seq_i * b->seq_stride % b->n_flows);

		b->seq_i = b->seq_i + 1 == b->seq_n ? 0 : b->seq_i + 1;
		return g;
	}

	/* Skew: hot% of packets to flows of the last hot_masks masks, which
	 * sit at the back until a rerank moves them forward. */
	if (b->hot && (r >> 32) % 100 < b->hot) {
		uint32_t per = b->n_flows / b->n_masks;
		uint32_t j = b->n_masks - 1 - (uint32_t)(r % b->hot_masks);

		return (uint32_t)((r >> 8) % per) * b->n_masks + j;
	}
	return (uint32_t)(r % b->n_flows);
}

/* Keeps --pmd's reads of the actions from being optimised away. */
static volatile uint64_t bench_sink;

/* --pmd: what the PMD does with each hit after the lookup, as in
 * src/pmd/pmd.c: read the flow's output port (or else its actions),
 * count the packet. */
static __attribute__((noinline)) void pmd_work(struct flowtbl_pmd *pmd, struct flowtbl_flow *const out[], uint64_t *sink)
{
	for (int i = 0; i < FLOWTBL_BURST; i++) {
		uint32_t out1 = flowtbl_flow_out1(out[i]);

		if (out1) {
			*sink += out1;
		} else {
			const struct flowtbl_actions *a = flowtbl_flow_actions(out[i]);

			*sink += a->len + a->data[0];
		}
		flowtbl_pmd_stats_update(pmd, out[i], 1, 64, 0, 1);
	}
}

/* Look up bursts for 'ms' milliseconds; returns the result of this run. */
static int run(struct bench *b, uint32_t cache, bool adaptive, const struct opts *o,
	       struct result *res)
{
	struct flowtbl_pmd_params pp = { .slot = 0, .cache_entries = cache, .insert_inv_prob = o->inv_prob,
					 .cache_adaptive = adaptive };
	struct flow_key keys[FLOWTBL_BURST];
	const struct flow_key *kp[FLOWTBL_BURST];
	struct flowtbl_flow *out[FLOWTBL_BURST];
	uint32_t idx[FLOWTBL_BURST];
	struct flowtbl_counters c0, c1;
	uint64_t w0, c_start, deadline;
	size_t n_chunks = 0;
	uint64_t sink = 0;
	int bad = 0;

	if (flowtbl_pmd_create(b->t, &pp, &b->pmd) < 0)
		return -1;
	flowtbl_pmd_online(b->pmd);
	for (int i = 0; i < FLOWTBL_BURST; i++)
		kp[i] = &keys[i];
	/* Warm up: fill the cache, fault in the table. */
	for (uint32_t n = 0; n < (b->n_flows < 100000 ? b->n_flows : 100000) / 8 + 1000; n++) {
		for (int i = 0; i < FLOWTBL_BURST; i++)
			flow_packet(b, pick(b), &keys[i]);
		flowtbl_lookup_burst(b->pmd, kp, NULL, FLOWTBL_BURST, out);
	}
	flowtbl_pmd_counters_get(b->pmd, &c0);
	w0 = mono_ns();
	c_start = ticks();
	deadline = w0 + (uint64_t)o->ms * 1000000ull;
	while (!bad && n_chunks < MAX_CHUNKS) {
		uint64_t cycles = 0;

		for (int r = 0; r < CHUNK_BURSTS; r++) {
			uint64_t t0, t1;
			uint32_t found;

			for (int i = 0; i < FLOWTBL_BURST; i++) {
				idx[i] = pick(b);
				flow_packet(b, idx[i], &keys[i]);
			}
			t0 = ticks();
			/* --pmd: the keys are IPv4 TCP ones, sparse as the PMD
			 * marks the ones its IPv4 UDP/TCP shortcut writes. */
			found = flowtbl_lookup_burst_dup(b->pmd, kp, NULL, FLOWTBL_BURST, 0,
							 o->pmd ? UINT32_MAX : 0, out);
			if (o->pmd)
				pmd_work(b->pmd, out, &sink);
			t1 = ticks();
			cycles += t1 - t0;
			bad |= found != UINT32_MAX;
			for (int i = 0; i < FLOWTBL_BURST; i++)
				bad |= out[i] != b->flows[idx[i]];
			flowtbl_pmd_quiescent(b->pmd);
		}
		chunk_cycles[n_chunks++] = (double)cycles;
		if (o->bursts ? (long)n_chunks * CHUNK_BURSTS >= o->bursts : mono_ns() >= deadline)
			break;
	}
	/* The median chunk: this machine is shared, and a chunk during which
	 * the thread was preempted is an outlier, not a lookup cost. TSC ->
	 * ns calibrated over this run. */
	qsort(chunk_cycles, n_chunks, sizeof(double), cmp_double);
	res->ns_pkt = chunk_cycles[n_chunks * (size_t)o->pct / 100] * (double)(mono_ns() - w0) /
		      (double)(ticks() - c_start) / (CHUNK_BURSTS * FLOWTBL_BURST);
	flowtbl_pmd_counters_get(b->pmd, &c1);
	res->probes = (double)(c1.mask_hit - c0.mask_hit) / (double)(c1.hit - c0.hit);
	res->cache_rate = (double)(c1.cache_hit - c0.cache_hit) / (double)(c1.hit - c0.hit);
	flowtbl_pmd_offline(b->pmd);
	flowtbl_pmd_destroy(b->pmd);
	if (bad) {
		fprintf(stderr, "bench: a lookup missed or returned the wrong flow\n");
		return -1;
	}
	bench_sink = sink;
	return 0;
}

/* Median over runs (of ns/pkt; the other fields from the same runs' medians). */
static int measure(struct bench *b, uint32_t cache, bool adaptive, const struct opts *o,
		   struct result *med)
{
	double ns[MAX_RUNS], pr[MAX_RUNS], cr[MAX_RUNS];
	struct result r;

	for (int i = 0; i < o->runs; i++) {
		if (run(b, cache, adaptive, o, &r) < 0)
			return -1;
		ns[i] = r.ns_pkt;
		pr[i] = r.probes;
		cr[i] = r.cache_rate;
	}
	qsort(ns, (size_t)o->runs, sizeof(double), cmp_double);
	qsort(pr, (size_t)o->runs, sizeof(double), cmp_double);
	qsort(cr, (size_t)o->runs, sizeof(double), cmp_double);
	med->ns_pkt = ns[o->runs / 2];
	med->probes = pr[o->runs / 2];
	med->cache_rate = cr[o->runs / 2];
	return 0;
}

static long rss_kb(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * 4;
}

static int scenarios(const struct opts *o)
{
	static const struct scenario sc[N_SCENARIOS] = {
		{ "1 flow / 1 mask", 1, 1 },
		{ "1k flows / 1 mask", 1000, 1 },
		{ "100k flows / 1 mask", 100000, 1 },
		{ "10k flows / 8 masks", 10000, 8 },
		{ "10k flows / 32 masks", 10000, 32 },
		{ "1M flows / 4 masks", 1000000, 4 },
	};

	printf("| Scenario | no cache: Mlookups/s | ns/pkt | masks probed/pkt "
	       "| cache: Mlookups/s | ns/pkt | cache hits | adaptive cache: Mlookups/s | ns/pkt |\n");
	printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	for (size_t s = 0; s < sizeof(sc) / sizeof(sc[0]); s++) {
		struct bench b = { .rs = 12345 };
		struct result nc = { 0 }, wc = { 0 }, ad = { 0 };

		if ((o->quick && sc[s].n_flows > 100000) || (o->only && o->only != (int)s + 1))
			continue;
		if (build(&b, sc[s].n_flows, sc[s].n_masks, NULL, NULL) < 0)
			return -1;
		if (o->pmd == 1)
			seq_init(&b);
		if ((!o->mode || o->mode == 1) && measure(&b, 0, false, o, &nc) < 0)
			return -1;
		if ((!o->mode || o->mode == 2) && measure(&b, o->cache, false, o, &wc) < 0)
			return -1;
		if ((!o->mode || o->mode == 3) && measure(&b, o->cache, true, o, &ad) < 0)
			return -1;
		printf("| %s | %.1f | %.1f | %.2f | %.1f | %.1f | %.0f%% | %.1f | %.1f |\n",
		       sc[s].name, 1e3 / nc.ns_pkt, nc.ns_pkt, nc.probes, 1e3 / wc.ns_pkt, wc.ns_pkt,
		       wc.cache_rate * 100, 1e3 / ad.ns_pkt, ad.ns_pkt);
		fflush(stdout);
		destroy(&b);
	}
	return 0;
}

/* Cost against the number of masks, 10k flows: uniform traffic (every
 * mask equally busy: probes grow as (M+1)/2), and 90% of traffic on the
 * last 2 masks, before and after a rerank. */
static int masks_sweep(const struct opts *o)
{
	static const uint32_t nm[] = { 1, 2, 4, 8, 16, 32 };

	printf("\n| Masks | uniform, no cache: ns/pkt | probes/pkt | uniform, cache: ns/pkt "
	       "| skewed, no cache, unranked: ns/pkt | probes/pkt | skewed, ranked: ns/pkt "
	       "| probes/pkt |\n");
	printf("|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	for (size_t s = 0; s < sizeof(nm) / sizeof(nm[0]); s++) {
		struct bench b = { .rs = 777 };
		struct result u, uc, sk, rk;

		if (build(&b, 10000, nm[s], NULL, NULL) < 0 || measure(&b, 0, false, o, &u) < 0 ||
		    measure(&b, o->cache, false, o, &uc) < 0)
			return -1;
		b.hot = 90;
		b.hot_masks = nm[s] < 2 ? 1 : 2;
		if (measure(&b, 0, false, o, &sk) < 0)
			return -1;
		flowtbl_rerank(b.t);              /* ranks by the hits just seen */
		if (measure(&b, 0, false, o, &rk) < 0)
			return -1;
		printf("| %u | %.1f | %.2f | %.1f | %.1f | %.2f | %.1f | %.2f |\n", nm[s], u.ns_pkt,
		       u.probes, uc.ns_pkt, sk.ns_pkt, sk.probes, rk.ns_pkt, rk.probes);
		fflush(stdout);
		destroy(&b);
	}
	return 0;
}

/* Remove every other flow (every 2nd if 'half', else all that are left)
 * in timed chunks; returns the median ns per remove. */
static double remove_timed(struct bench *b, bool half)
{
	uint64_t tc = mono_ns();
	uint32_t done = 0;
	size_t nc = 0;

	for (uint32_t i = half ? 0 : 1; i < b->n_flows; i += 2) {
		flowtbl_remove(b->t, b->flows[i]);
		if (++done % OP_CHUNK == 0 && nc < MAX_CHUNKS) {
			uint64_t now = mono_ns();

			chunk_cycles[nc++] = (double)(now - tc);
			tc = now;
		}
	}
	flowtbl_synchronize(b->t);
	return nc ? chunk_median(chunk_cycles, nc) : 0;
}

/* Control-plane rates and memory at 1M flows over 4 masks. */
static int control_plane(const struct opts *o)
{
	struct bench b = { .rs = 1 };
	uint32_t n = o->quick ? 100000 : 1000000;
	long rss0 = rss_kb(), rss1;
	double ins, ins_cpu, rm;
	size_t mem;

	if (build(&b, n, 4, &ins, &ins_cpu) < 0)
		return -1;
	/* Hash tables replaced while growing wait for a grace period. */
	flowtbl_synchronize(b.t);
	rss1 = rss_kb();
	mem = flowtbl_memory(b.t);
	rm = remove_timed(&b, true);
	printf("\n%u flows / 4 masks, 1 reader slot: insert %.0f ns/flow (%.2f M/s), remove %.0f "
	       "ns/flow (medians of %d-op chunks); whole build: %.0f ns/flow of CPU time "
	       "(%.2f M/s)\n", n, ins, 1e3 / ins, rm, OP_CHUNK, ins_cpu, 1e3 / ins_cpu);
	printf("memory: table %.0f bytes/flow (flowtbl_memory), process RSS +%.0f bytes/flow "
	       "(+32 bytes/flow per extra reader slot)\n", (double)mem / n,
	       (double)(rss1 - rss0) * 1024 / n);
	destroy(&b);
	return 0;
}

static const char usage[] =
	"usage: bench_flowtbl [--runs N] [--ms MS] [--cache ENTRIES] [--quick] [--only 1-6]\n"
	"                     [--pct P] [--bursts N] [--pmd] [--pmd-random] [--mode 1-3]\n"
	"                     [--inv-prob N]\n";

/* Returns 0, BENCH_OPTS_HELP, or -EINVAL after saying what was wrong. */
static int parse_opts(int argc, char **argv, struct opts *o)
{
	const struct bench_opt opts[] = {
		{ "runs", BENCH_OPT_INT, &o->runs, 1, MAX_RUNS },
		{ "ms", BENCH_OPT_INT, &o->ms, 1, 3600 * 1000 },
		{ "cache", BENCH_OPT_U32, &o->cache, 1, FLOWTBL_CACHE_MAX },
		{ "quick", BENCH_OPT_FLAG, &o->quick, 1, 1 },
		{ "bursts", BENCH_OPT_LONG, &o->bursts, 1, LONG_MAX },
		{ "pct", BENCH_OPT_INT, &o->pct, 0, 99 },
		{ "mode", BENCH_OPT_INT, &o->mode, 1, 3 },
		{ "inv-prob", BENCH_OPT_U32, &o->inv_prob, 1, UINT32_MAX },
		{ "pmd", BENCH_OPT_FLAG, &o->pmd, 1, 1 },
		{ "pmd-random", BENCH_OPT_FLAG, &o->pmd, 2, 2 },
		{ "only", BENCH_OPT_INT, &o->only, 1, N_SCENARIOS },
		{ NULL, 0, NULL, 0, 0 },
	};
	int rc = bench_opts_parse("bench_flowtbl", usage, opts, argc, argv);

	/* The cache is indexed by a hash's low bits. */
	if (rc == 0 && (o->cache & (o->cache - 1))) {
		fprintf(stderr, "bench_flowtbl: --cache wants a power of two, got %u\n", o->cache);
		fputs(usage, stderr);
		rc = -EINVAL;
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o = { .runs = 5, .ms = 200, .cache = FLOWTBL_CACHE_DEFAULT, .pct = 50,
			  .inv_prob = 1 };

	int rc = parse_opts(argc, argv, &o);

	if (rc != 0)
		return rc == BENCH_OPTS_HELP ? 0 : BENCH_OPTS_EXIT_USAGE;
	printf("flowtbl micro-benchmark: bursts of %d, %d runs x %d ms (median), cache %u entries\n\n",
	       FLOWTBL_BURST, o.runs, o.ms, o.cache);
	if (scenarios(&o) < 0)
		return 1;
	if (!o.only && (masks_sweep(&o) < 0 || control_plane(&o) < 0))
		return 1;
	return 0;
}
