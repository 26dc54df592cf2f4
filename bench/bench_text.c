/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Micro-benchmark of the codec work of installing a flow (not a test: it
 * measures), one thread, no EAL, no socket:
 *
 *   parse   a flows-file line to (key, mask) and actions: the client's
 *           odp_flow_line_parse()
 *   encode  the OVS_FLOW_CMD_NEW message: header, key, mask, actions, as
 *           dpdk-switch-ctl add-flows builds it
 *   decode  the daemon's side before the table: the flow family's policy
 *           (shallow, as for NEW), odp_match_decode(), odp_actions_validate()
 *
 * over N distinct flows of a few shapes (the install benchmark's UDP
 * flow, a TCP 5-tuple, a VLAN flow, a masked IPv6 flow), each stage timed
 * over all of them; prints flows/s and ns per flow (median of --runs).
 * Every decode is checked against the parse, so a broken build cannot post
 * a fast number. With --runs 1 it runs each stage once: the work is fixed,
 * so `valgrind --tool=callgrind` gives instructions per flow.
 *
 * Usage: bench_text [--flows N] [--runs R] [--shape 0..4 (0: all)]
 * From a release build: build/release/bench/bench_text
 */
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/openvswitch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nl_msg.h"
#include "nl_policy.h"
#include "odp_actions.h"
#include "odp_key.h"
#include "odp_text.h"
#include "opts.h"

#define MAX_RUNS 15
#define MAX_FLOWS (1u << 24)     /* flow_line() makes this many distinct flows */

struct opts {
	uint32_t flows;
	int runs;
	int shape;
};

static const char *const shape_names[] = {
	"udp (bench-flow-install.py)", "tcp 5-tuple", "vlan", "ipv6 masked",
};
#define N_SHAPES 4

static void flow_line(char *buf, size_t cap, int shape, unsigned int i)
{
	unsigned int a = i >> 16 & 255, b = i >> 8 & 255, c = i & 255;

	switch (shape) {
	case 0:
		snprintf(buf, cap, "in_port(1),eth(),eth_type(0x0800),ipv4(src=10.%u.%u.%u,"
			 "proto=17,frag=no),udp(dst=53) 1", a, b, c);
		break;
	case 1:
		snprintf(buf, cap, "recirc_id(0),in_port(2),eth(src=00:00:00:00:00:01,"
			 "dst=00:00:00:00:%02x:%02x),eth_type(0x0800),ipv4(src=10.%u.%u.%u,"
			 "dst=192.168.0.1,proto=6,tos=0,ttl=64,frag=no),tcp(src=%u,dst=80) 3",
			 b, c, a, b, c, 1024 + (i & 0x7fff));
		break;
	case 2:
		snprintf(buf, cap, "in_port(3),eth(dst=00:00:00:%02x:%02x:%02x),"
			 "eth_type(0x8100),vlan(vid=%u,pcp=0),encap(eth_type(0x0800),"
			 "ipv4(frag=no)) pop_vlan,1", a, b, c, 1 + (i & 0xffe));
		break;
	default:
		snprintf(buf, cap, "in_port(1),eth(),eth_type(0x86dd),ipv6(src=2001:db8::%x:%x/"
			 "ffff:ffff:ffff:ffff::,proto=17,frag=no),udp(src=%u/0xff00) 2", a << 8 | b,
			 c, i & 0xffff);
		break;
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct work {
	unsigned int n;
	char **lines;
	struct odp_match *m;      /* parse results */
	struct nlbuf *acts;       /* each flow's actions */
	struct nlbuf msgs;        /* encode results, back to back */
	size_t *msg_ofs;
};

/* Not inlined: profilers (callgrind --toggle-collect=stage_*) see each stage. */
__attribute__((noinline)) static void stage_parse(struct work *w)
{
	for (unsigned int i = 0; i < w->n; i++) {
		struct errmsg err;

		nlbuf_reset(&w->acts[i]);
		if (odp_flow_line_parse(w->lines[i], &w->m[i], &w->acts[i], &err) < 0) {
			fprintf(stderr, "line %u: %s\n", i, err.msg);
			exit(1);
		}
	}
}

__attribute__((noinline)) static void stage_encode(struct work *w)
{
	nlbuf_reset(&w->msgs);
	for (unsigned int i = 0; i < w->n; i++) {
		size_t msg = nlbuf_msg_start(&w->msgs, 0x20, NLM_F_REQUEST | NLM_F_CREATE, i, 1);

		w->msg_ofs[i] = msg;
		nlbuf_put_genl(&w->msgs, OVS_FLOW_CMD_NEW, OVS_FLOW_VERSION);
		nlbuf_put_ovs_header(&w->msgs, 1);
		odp_match_encode(&w->msgs, &w->m[i].key, &w->m[i].mask);
		nlbuf_put_attr(&w->msgs, OVS_FLOW_ATTR_ACTIONS, w->acts[i].data, w->acts[i].len);
		nlbuf_msg_end(&w->msgs, msg);
	}
}

__attribute__((noinline)) static void stage_decode(struct work *w, bool check)
{
	for (unsigned int i = 0; i < w->n; i++) {
		const struct nlmsghdr *nlh = nlbuf_at(&w->msgs, w->msg_ofs[i]);
		const struct nlattr *a[OVS_FLOW_ATTR_MAX + 1];
		size_t hdr = NLMSG_HDRLEN + GENL_HDRLEN + sizeof(struct ovs_header);
		struct flow_key key, mask;
		struct errmsg err;

		errmsg_clear(&err);
		/* Shallow, as the daemon's NEW: the decoders walk each nest. */
		if (nl_policy_parse_shallow(&nl_policy_ovs_flow, (const uint8_t *)nlh + hdr,
					    nlh->nlmsg_len - hdr, a, nlh, &err) < 0 ||
		    odp_match_decode(a[OVS_FLOW_ATTR_KEY], a[OVS_FLOW_ATTR_MASK], nlh, &key, &mask,
				     &err) < 0 ||
		    odp_actions_validate(a[OVS_FLOW_ATTR_ACTIONS], &key, &mask, nlh, &err) < 0) {
			fprintf(stderr, "flow %u: %s\n", i, err.msg);
			exit(1);
		}
		if (check && !flow_match_covers(&key, &mask, &w->m[i].key, &w->m[i].mask)) {
			fprintf(stderr, "flow %u: decodes to another match\n", i);
			exit(1);
		}
	}
}

static const char usage[] =
	"usage: bench_text [--flows N] [--runs R] [--shape 0..4 (0: all)]\n";

/* Returns 0, BENCH_OPTS_HELP, or -EINVAL after saying what was wrong. */
static int parse_opts(int argc, char **argv, struct opts *o)
{
	const struct bench_opt opts[] = {
		{ "flows", BENCH_OPT_U32, &o->flows, 1, MAX_FLOWS },
		{ "runs", BENCH_OPT_INT, &o->runs, 1, MAX_RUNS },
		{ "shape", BENCH_OPT_INT, &o->shape, 0, N_SHAPES },
		{ NULL, 0, NULL, 0, 0 },
	};

	*o = (struct opts){ .flows = 100000, .runs = 5, .shape = 0 };
	return bench_opts_parse("bench_text", usage, opts, argc, argv);
}

static void run_shape(const struct opts *o, int shape)
{
	struct work w = { .n = o->flows };
	double t[3][MAX_RUNS];
	char buf[512];

	w.lines = calloc(w.n, sizeof(*w.lines));
	w.m = calloc(w.n, sizeof(*w.m));
	w.acts = calloc(w.n, sizeof(*w.acts));
	w.msg_ofs = calloc(w.n, sizeof(*w.msg_ofs));
	if (!w.lines || !w.m || !w.acts || !w.msg_ofs)
		exit(1);
	for (unsigned int i = 0; i < w.n; i++) {
		flow_line(buf, sizeof(buf), shape, i);
		w.lines[i] = strdup(buf);
		nlbuf_init(&w.acts[i], 64);
	}
	nlbuf_init(&w.msgs, (size_t)w.n * 256);
	for (int r = 0; r < o->runs; r++) {
		double t0 = now_s(), t1, t2, t3;

		stage_parse(&w);
		t1 = now_s();
		stage_encode(&w);
		t2 = now_s();
		stage_decode(&w, false);
		t3 = now_s();
		t[0][r] = t1 - t0;
		t[1][r] = t2 - t1;
		t[2][r] = t3 - t2;
	}
	stage_decode(&w, true);
	printf("%s, %u flows, %zu bytes a message:\n", shape_names[shape], w.n, w.msgs.len / w.n);
	for (int s = 0; s < 3; s++) {
		static const char *const names[] = { "parse", "encode", "decode" };
		double med;

		qsort(t[s], (size_t)o->runs, sizeof(double), cmp_double);
		med = t[s][o->runs / 2];
		printf("  %-7s %10.0f flows/s  %7.1f ns/flow\n", names[s], w.n / med, med * 1e9 / w.n);
	}
	for (unsigned int i = 0; i < w.n; i++) {
		free(w.lines[i]);
		nlbuf_free(&w.acts[i]);
	}
	nlbuf_free(&w.msgs);
	free(w.lines);
	free(w.m);
	free(w.acts);
	free(w.msg_ofs);
}

int main(int argc, char **argv)
{
	struct opts o;
	int rc = parse_opts(argc, argv, &o);

	if (rc != 0)
		return rc == BENCH_OPTS_HELP ? 0 : BENCH_OPTS_EXIT_USAGE;
	for (int s = 0; s < N_SHAPES; s++)
		if (o.shape == 0 || o.shape == s + 1)
			run_shape(&o, s);
	return 0;
}
