/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The slow-spell probe of the forwarding benchmark (not a test: it
 * measures). The VM this project is benchmarked on has spells of minutes in
 * which the same code takes much longer, whatever program runs;
 * bench/run.sh runs this probe right before and right after each system's
 * measurement, so bench/report.py can tell which measurements a spell
 * covered.
 *
 * The work is fixed: BLOCKS blocks of STEPS steps of a dependent chain (a
 * load from a 16 KiB table that stays in L1, a multiply, an xor; each step
 * needs the one before, so neither the compiler nor the CPU can overlap
 * them). The probe pins itself to one CPU (the PMDs' CPU 1 by default) and
 * times the whole job and each block. Then a second, memory-bound job:
 * MEM_STEPS dependent loads, each from a random 64-byte line of a MEM_KIB
 * table (the size of a last-level cache slice or more, where the
 * forwarding benchmark's mbufs and flows live, and where another tenant of
 * the host can crowd us out), in MEM_BLOCKS timed blocks. It prints one
 * line per run:
 *
 *   us=WALL cpu_us=CPU best_us=BEST mem_cpu_us=MEM mem_best_us=MEMBEST
 *
 * us: wall-clock microseconds for the whole job (CLOCK_MONOTONIC); cpu_us:
 * the time this guest's kernel ran the probe meanwhile (its thread CPU
 * clock), which leaves out other work of this guest on the CPU but not a
 * host's: a host that slows or preempts this vCPU stretches both, another
 * process on the CPU only us. best_us: the fastest block times BLOCKS, the
 * job with no interruption at all (it grows only when each step is slower:
 * host contention, frequency); bench/report.py flags on it. mem_cpu_us: the
 * memory job's CPU time; mem_best_us: its fastest block times MEM_BLOCKS,
 * the memory's speed without the bursts of other work's traffic. Both are
 * recorded to study spells with; report.py only shows them, as they swing
 * with other work's memory traffic more than spells move them.
 *
 * Usage: cpu_probe [--cpu N] [--nice N] [--blocks N] [--steps N] [--runs N]
 *                  [--mem-kib N] [--mem-steps N]
 *   --cpu     CPU to pin to (default 1; -1: do not pin)
 *   --nice    niceness, also given to the probe's own autogroup (it starts a
 *             new session for that), as bench/lib.sh prioritize() does for
 *             the switches: the probe then sees the CPU as they would
 *   --blocks  timed blocks (default 64), --steps: steps a block (default 65536)
 *   --runs    lines to print, one job each (default 1)
 *   --mem-kib memory job's table (default 8192), --mem-steps: its loads
 *             (default 65536; under 8: no memory job, mem_*=0)
 * Exit status 0; 2 with a message on stderr for a bad option (an unknown
 * one, a value that is not a number in its range); 1 for other failures
 * (CPU not allowed, no memory).
 * Needs _GNU_SOURCE (sched_setaffinity), which meson.build defines.
 */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "opts.h"

#define TABLE_WORDS 4096u        /* 16 KiB of uint32_t: L1-resident */

#define LINE_WORDS 16u           /* uint32_t in a 64-byte line */
#define MEM_BLOCKS 8

struct opts {
	int cpu;
	int nice;                    /* NICE_UNSET: leave it */
	long blocks;
	long steps;
	int runs;
	long mem_kib;
	long mem_steps;
};

struct reading {
	double wall_us;
	double cpu_us;
	double best_us;
	double mem_cpu_us;
	double mem_best_us;
};

static uint32_t table[TABLE_WORDS];
/* Where the chain's result goes, so the compiler must compute it. */
static volatile uint64_t chain_result;

/* One cycle through all slots in a scrambled order, so the next slot's
 * address is known only once the load before it is done. */
static void table_init(void)
{
	uint32_t order[TABLE_WORDS];
	uint64_t rs = 0x2545f4914f6cdd1dull;

	for (uint32_t i = 0; i < TABLE_WORDS; i++)
		order[i] = i;
	for (uint32_t i = TABLE_WORDS - 1; i > 0; i--) {
		rs ^= rs << 13; rs ^= rs >> 7; rs ^= rs << 17;
		uint32_t j = (uint32_t)(rs % (i + 1));
		uint32_t t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (uint32_t i = 0; i < TABLE_WORDS; i++)
		table[order[i]] = order[(i + 1) % TABLE_WORDS];
}

/* The memory job's table: the first word of each 64-byte line holds the
 * next line's index, all lines in one cycle of random order (Sattolo's
 * shuffle), so the hardware prefetchers cannot guess the next line. */
static uint32_t *mem_table_new(long kib)
{
	uint32_t lines = (uint32_t)(kib * 1024 / 64);
	uint32_t *t = malloc((size_t)lines * 64);
	uint64_t rs = 0x9e3779b97f4a7c15ull;

	if (!t)
		return NULL;
	for (uint32_t i = 0; i < lines; i++)
		t[(size_t)i * LINE_WORDS] = i;
	for (uint32_t i = lines - 1; i > 0; i--) {
		rs ^= rs << 13; rs ^= rs >> 7; rs ^= rs << 17;
		uint32_t j = (uint32_t)(rs % i);
		uint32_t tmp = t[(size_t)i * LINE_WORDS];
		t[(size_t)i * LINE_WORDS] = t[(size_t)j * LINE_WORDS];
		t[(size_t)j * LINE_WORDS] = tmp;
	}
	return t;
}

static uint32_t mem_chase(const uint32_t *t, long steps, uint32_t line)
{
	for (long i = 0; i < steps; i++)
		line = t[(size_t)line * LINE_WORDS];
	return line;
}

static double now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* The chain: the slot loaded decides the next slot (through the running
 * product too), so every step waits for the one before. */
static uint64_t chain(long steps, uint64_t acc)
{
	uint32_t slot = (uint32_t)acc % TABLE_WORDS;

	for (long i = 0; i < steps; i++) {
		slot = table[slot];
		acc = acc * 0x9e3779b97f4a7c15ull + slot;
		slot = (slot ^ (uint32_t)(acc >> 52)) % TABLE_WORDS;
	}
	return acc;
}

static void mem_job(const struct opts *o, const uint32_t *mem, uint64_t *sink,
		    struct reading *r)
{
	uint32_t line = (uint32_t)*sink % 64;
	double best = -1, c0, prev;

	c0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	prev = now_ns(CLOCK_MONOTONIC);
	for (int b = 0; b < MEM_BLOCKS; b++) {
		line = mem_chase(mem, o->mem_steps / MEM_BLOCKS, line);
		double t = now_ns(CLOCK_MONOTONIC);
		if (best < 0 || t - prev < best)
			best = t - prev;
		prev = t;
	}
	r->mem_cpu_us = (now_ns(CLOCK_THREAD_CPUTIME_ID) - c0) / 1e3;
	r->mem_best_us = best * MEM_BLOCKS / 1e3;
	*sink += line;
}

static struct reading probe_once(const struct opts *o, const uint32_t *mem, uint64_t *sink)
{
	struct reading r;
	double best = -1, t0, c0, prev;

	/* The CPU clock read inside the wall clock's interval, so the job's
	 * CPU time cannot come out longer than its wall time. */
	t0 = now_ns(CLOCK_MONOTONIC);
	c0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	prev = t0;
	for (long b = 0; b < o->blocks; b++) {
		*sink = chain(o->steps, *sink);
		double t = now_ns(CLOCK_MONOTONIC);
		if (best < 0 || t - prev < best)
			best = t - prev;
		prev = t;
	}
	r.cpu_us = (now_ns(CLOCK_THREAD_CPUTIME_ID) - c0) / 1e3;
	r.wall_us = (now_ns(CLOCK_MONOTONIC) - t0) / 1e3;
	r.best_us = best * (double)o->blocks / 1e3;
	r.mem_cpu_us = 0;
	r.mem_best_us = 0;
	if (mem)
		mem_job(o, mem, sink, &r);
	return r;
}

static int pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0) {
		fprintf(stderr, "cpu_probe: cannot pin to CPU %d: %s\n", cpu, strerror(errno));
		return -errno;
	}
	return 0;
}

/* A new session gets its own autogroup, whose nice value weighs this
 * process against other sessions' work (kernel.sched_autogroup_enabled).
 * Failures leave the default priority: the reading is still taken. */
static void prioritize(int nice)
{
	FILE *f;

	if (setpriority(PRIO_PROCESS, 0, nice) != 0)
		fprintf(stderr, "cpu_probe: nice %d: %s (reading taken anyway)\n",
			nice, strerror(errno));
	/* Only in a session of our own: the autogroup is the session's. */
	if (setsid() < 0)
		return;
	f = fopen("/proc/self/autogroup", "w");
	if (f) {
		fprintf(f, "%d\n", nice);
		fclose(f);
	}
}

static const char usage[] =
	"usage: cpu_probe [--cpu N] [--nice N] [--blocks N] [--steps N] [--runs N]\n"
	"                 [--mem-kib N] [--mem-steps N]\n";

/* No --nice given: a value outside nice's range. */
#define NICE_UNSET INT_MIN

/* Returns 0, BENCH_OPTS_HELP, or -EINVAL after saying what was wrong. */
static int parse_opts(int argc, char **argv, struct opts *o)
{
	const struct bench_opt opts[] = {
		{ "cpu", BENCH_OPT_INT, &o->cpu, -1, CPU_SETSIZE - 1 },
		{ "nice", BENCH_OPT_INT, &o->nice, -20, 19 },
		{ "blocks", BENCH_OPT_LONG, &o->blocks, 1, 1 << 20 },
		{ "steps", BENCH_OPT_LONG, &o->steps, 1, 1l << 30 },
		{ "runs", BENCH_OPT_INT, &o->runs, 1, 1 << 20 },
		{ "mem-kib", BENCH_OPT_LONG, &o->mem_kib, 64, 1l << 22 },
		{ "mem-steps", BENCH_OPT_LONG, &o->mem_steps, 0, 1l << 30 },
		{ NULL, 0, NULL, 0, 0 },
	};

	*o = (struct opts){ .cpu = 1, .nice = NICE_UNSET, .blocks = 64, .steps = 65536,
			    .runs = 1, .mem_kib = 8192, .mem_steps = 65536 };
	return bench_opts_parse("cpu_probe", usage, opts, argc, argv);
}

int main(int argc, char **argv)
{
	struct opts o;
	uint64_t sink = 1;
	uint32_t *mem = NULL;

	int rc = parse_opts(argc, argv, &o);

	if (rc != 0)
		return rc == BENCH_OPTS_HELP ? 0 : BENCH_OPTS_EXIT_USAGE;
	if (pin(o.cpu) != 0)
		return 1;
	if (o.nice != NICE_UNSET)
		prioritize(o.nice);
	table_init();
	if (o.mem_steps >= MEM_BLOCKS) {
		mem = mem_table_new(o.mem_kib);
		if (!mem) {
			fprintf(stderr, "cpu_probe: no memory for a %ld KiB table\n", o.mem_kib);
			return 1;
		}
	}
	/* The first call of each clock may fault in the vDSO's pages. */
	(void)now_ns(CLOCK_MONOTONIC);
	(void)now_ns(CLOCK_THREAD_CPUTIME_ID);
	for (int run = 0; run < o.runs; run++) {
		struct reading r = probe_once(&o, mem, &sink);
		printf("us=%.0f cpu_us=%.0f best_us=%.0f mem_cpu_us=%.0f mem_best_us=%.0f\n",
		       r.wall_us, r.cpu_us, r.best_us, r.mem_cpu_us, r.mem_best_us);
		fflush(stdout);
	}
	chain_result = sink;
	free(mem);
	return 0;
}
