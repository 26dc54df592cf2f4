/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Micro-benchmark of flow_extract(): ns and TSC cycles per packet for a few
 * common frame shapes. Keys are extracted for a burst of 32 distinct
 * buffers (as the PMD does per rx burst), repeated; each shape is timed
 * over several runs and the median is reported.
 *
 * Usage: build/release/bench/bench_extract [ITERATIONS] [RUNS]
 * Build it from a release build: meson setup build-rel --buildtype=release
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define HAVE_TSC 1
#else
#define HAVE_TSC 0
#endif

#include "flow_extract.h"
#include "opts.h"

#define BURST 32
#define FRAME_MAX 128
#define MAX_RUNS 64
#define MAX_ITERS (1l << 40)     /* bursts a run; iters * BURST stays exact as a double */

struct shape {
	const char *name;
	uint8_t frame[FRAME_MAX];
	uint32_t len;
};

static void put(struct shape *s, const void *b, uint32_t n)
{
	memcpy(s->frame + s->len, b, n);
	s->len += n;
}

static void put16(struct shape *s, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	put(s, b, 2);
}

static void eth(struct shape *s, uint16_t type)
{
	static const uint8_t macs[12] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};

	put(s, macs, sizeof(macs));
	put16(s, type);
}

static void ipv4(struct shape *s, uint8_t proto)
{
	uint8_t h[20] = {0x45, 0, 0, 46, 0, 1, 0x40, 0, 64, proto, 0, 0,
			 10, 0, 0, 1, 10, 0, 0, 2};

	put(s, h, sizeof(h));
}

static void ipv6(struct shape *s, uint8_t next)
{
	uint8_t h[40] = {0x60, 0, 0, 0, 0, 8, next, 64, 0x20, 0x01, 0x0d, 0xb8};

	h[23] = 1;
	h[24] = 0x20;
	h[39] = 2;
	put(s, h, sizeof(h));
}

static void l4(struct shape *s, uint32_t n)
{
	uint8_t h[20] = {0x30, 0x39, 0, 80, [12] = 0x50, [13] = 0x10};

	put(s, h, n);
}

static void pad(struct shape *s, uint32_t to)
{
	while (s->len < to)
		s->frame[s->len++] = 0;
}

static void build(struct shape *shapes)
{
	shapes[0].name = "udp4-64B";
	eth(&shapes[0], 0x0800);
	ipv4(&shapes[0], 17);
	l4(&shapes[0], 8);
	pad(&shapes[0], 64);

	shapes[1].name = "tcp4";
	eth(&shapes[1], 0x0800);
	ipv4(&shapes[1], 6);
	l4(&shapes[1], 20);
	pad(&shapes[1], 64);

	shapes[2].name = "udp6";
	eth(&shapes[2], 0x86dd);
	ipv6(&shapes[2], 17);
	l4(&shapes[2], 8);
	pad(&shapes[2], 64);

	shapes[3].name = "vlan-udp4";
	put(&shapes[3], shapes[0].frame, 12);
	put16(&shapes[3], 0x8100);
	put16(&shapes[3], 100);
	put(&shapes[3], shapes[0].frame + 12, 64 - 12);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t tsc(void)
{
#if HAVE_TSC
	return __rdtsc();
#else
	return 0;
#endif
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Keeps the compiler from dropping the extraction. */
static volatile uint64_t sink;

static void run_shape(const struct shape *s, long iters, int runs)
{
	static uint8_t bufs[BURST][FRAME_MAX];
	static struct flow_key keys[BURST];
	struct flow_layout lays[BURST];
	const struct flow_md md = {.in_port = 1};
	double ns[MAX_RUNS], cyc[MAX_RUNS];

	for (int i = 0; i < BURST; i++) {
		memcpy(bufs[i], s->frame, s->len);
		bufs[i][s->len - 1] = (uint8_t)i; /* distinct buffers, same shape */
	}
	for (int r = 0; r < runs; r++) {
		uint64_t t0 = now_ns(), c0 = tsc(), acc = 0;

		for (long it = 0; it < iters; it++) {
			for (int i = 0; i < BURST; i++)
				flow_extract(bufs[i], s->len, &md, &keys[i], &lays[i]);
			acc += flow_key_words(&keys[it % BURST])[10] + lays[it % BURST].l4;
		}
		sink = acc;
		double pkts = (double)iters * BURST;

		ns[r] = (double)(now_ns() - t0) / pkts;
		cyc[r] = (double)(tsc() - c0) / pkts;
	}
	qsort(ns, (size_t)runs, sizeof(ns[0]), cmp_double);
	qsort(cyc, (size_t)runs, sizeof(cyc[0]), cmp_double);
	printf("%-10s %4u B  %6.2f ns/pkt  %6.1f cycles/pkt  (median of %d, min %.2f ns)\n",
	       s->name, s->len, ns[runs / 2], cyc[runs / 2], runs, ns[0]);
}

static const char usage[] = "usage: bench_extract [ITERATIONS [RUNS]]\n"
			    "  (default 200000 bursts a run, 9 runs)\n";

int main(int argc, char **argv)
{
	struct shape shapes[4] = {0};
	long iters = 200000;
	int runs = 9;
	const struct bench_opt args[] = {
		{ "ITERATIONS", BENCH_OPT_LONG, &iters, 1, MAX_ITERS },
		{ "RUNS", BENCH_OPT_INT, &runs, 1, MAX_RUNS },
		{ NULL, 0, NULL, 0, 0 },
	};
	int rc = bench_opts_parse_args("bench_extract", usage, args, argc, argv);

	if (rc != 0)
		return rc == BENCH_OPTS_HELP ? 0 : BENCH_OPTS_EXIT_USAGE;
	build(shapes);
	printf("flow_extract: burst of %d, %ld bursts per run; cycles are TSC ticks%s\n",
	       BURST, iters, HAVE_TSC ? "" : " (no TSC on this CPU: 0)");
	for (int i = 0; i < 4; i++)
		run_shape(&shapes[i], iters, runs);
	return 0;
}
