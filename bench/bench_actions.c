/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Micro-benchmark of the action executor: ns per packet for common action
 * lists on groups of 32 packets of one flow. Each round allocates and fills
 * 32 mbufs, executes, and the tx hook frees what it gets; the "drop" list
 * measures that harness alone, so compare the others against it.
 *
 * Usage: build/release/bench/bench_actions [ROUNDS]   (EAL --no-huge)
 */
#include <netinet/in.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/openvswitch.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_mbuf.h>

#include "actions.h"
#include "nlbuf.h"
#include "opts.h"

#define GROUP 32
#define MAX_ROUNDS (1l << 40)    /* rounds * GROUP stays exact as a double */

static uint16_t tx_free(void *arg, uint32_t port, struct rte_mbuf **pkts, uint16_t n)
{
	(void)arg;
	(void)port;
	rte_pktmbuf_free_bulk(pkts, n);
	return n;
}

/* A 64-byte TCP/IPv4 frame; checksums need not be right to be rewritten. */
static void build_frame(uint8_t *f, struct flow_key *k, struct flow_layout *l)
{
	static const uint8_t hdr[] = {
		2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00,
		0x45, 0, 0, 50, 0x12, 0x34, 0, 0, 64, 6, 0, 0, 10, 0, 0, 1, 192, 168, 1, 2,
		0x04, 0xd2, 0, 80, 1, 2, 3, 4, 0, 0, 0, 0, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0,
	};

	memset(f, 0, 64);
	memcpy(f, hdr, sizeof(hdr));
	memset(k, 0, sizeof(*k));
	k->eth_type = htons(0x0800);
	k->ip_proto = IPPROTO_TCP;
	k->ip_ttl = 64;
	*l = (struct flow_layout){ FLOW_OFS_NONE, 14, 34 };
}

static void put_set_masked(struct nlbuf *b, uint16_t type, const void *v, const void *m, size_t len)
{
	size_t nest = nlbuf_nest_start(b, OVS_ACTION_ATTR_SET_MASKED);
	uint8_t both[128];

	memcpy(both, v, len);
	memcpy(both + len, m, len);
	nlbuf_put_attr(b, type, both, 2 * len);
	nlbuf_nest_end(b, nest);
}

static void make_list(int which, struct nlbuf *b)
{
	struct ovs_key_ipv4 v4 = { .ipv4_dst = htonl(0x0a0a0a0a) }, m4 = { .ipv4_dst = UINT32_MAX };
	struct ovs_key_tcp vt = { htons(1), htons(2) }, mt = { 0xffff, 0xffff };
	struct ovs_action_push_vlan vlan = { htons(0x8100), htons(0x1000 | 100) };

	switch (which) {
	case 0: /* drop */
		break;
	case 1:
		nlbuf_put_u32(b, OVS_ACTION_ATTR_OUTPUT, 1);
		break;
	case 2:
		nlbuf_put_u32(b, OVS_ACTION_ATTR_OUTPUT, 1);
		nlbuf_put_u32(b, OVS_ACTION_ATTR_OUTPUT, 2);
		break;
	case 3:
		put_set_masked(b, OVS_KEY_ATTR_IPV4, &v4, &m4, sizeof(v4));
		nlbuf_put_u32(b, OVS_ACTION_ATTR_OUTPUT, 1);
		break;
	case 4:
		put_set_masked(b, OVS_KEY_ATTR_TCP, &vt, &mt, sizeof(vt));
		nlbuf_put_u32(b, OVS_ACTION_ATTR_OUTPUT, 1);
		break;
	case 5:
		nlbuf_put_attr(b, OVS_ACTION_ATTR_PUSH_VLAN, &vlan, sizeof(vlan));
		nlbuf_put_u32(b, OVS_ACTION_ATTR_OUTPUT, 1);
		break;
	case 6: /* the rewrite after an output copies */
		nlbuf_put_u32(b, OVS_ACTION_ATTR_OUTPUT, 1);
		put_set_masked(b, OVS_KEY_ATTR_IPV4, &v4, &m4, sizeof(v4));
		nlbuf_put_u32(b, OVS_ACTION_ATTR_OUTPUT, 2);
		break;
	}
}

static const char *const names[] = {
	"drop (harness)", "output", "output x2 (shared)", "set ipv4 dst + output",
	"set tcp ports + output", "push_vlan + output", "output, set ipv4, output (copy)",
};

static const char usage[] = "usage: bench_actions [ROUNDS]\n"
			    "  (default 200000 groups of 32 packets a list)\n";

int main(int argc, char **argv)
{
	char *eal[] = { argv[0], "--no-huge", "-m", "512", "--no-pci", "--no-shconf",
			"--no-telemetry", "--log-level=warning", "--file-prefix=bench_actions", NULL };
	long rounds = 200000;
	const struct bench_opt args[] = {
		{ "ROUNDS", BENCH_OPT_LONG, &rounds, 1, MAX_ROUNDS },
		{ NULL, 0, NULL, 0, 0 },
	};
	int rc = bench_opts_parse_args("bench_actions", usage, args, argc, argv);
	struct actions_params p = { .max_ports = 4, .socket_id = SOCKET_ID_ANY, .seed = 1,
				    .tx = tx_free };
	struct flow_key keys[GROUP], key;
	struct flow_layout lays[GROUP], lay;
	struct actions_pkt pk[GROUP];
	struct rte_mbuf *m[GROUP];
	struct actions_ctx *ctx;
	uint8_t frame[64];

	if (rc != 0)
		return rc == BENCH_OPTS_HELP ? 0 : BENCH_OPTS_EXIT_USAGE;
	if (rte_eal_init(9, eal) < 0)
		return 1;
	p.pool = rte_pktmbuf_pool_create("bench", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					 SOCKET_ID_ANY);
	if (!p.pool || actions_ctx_create(&p, &ctx) < 0)
		return 1;
	actions_port_set(ctx, 1, true);
	actions_port_set(ctx, 2, true);
	build_frame(frame, &key, &lay);
	for (size_t w = 0; w < sizeof(names) / sizeof(names[0]); w++) {
		struct nlbuf b;
		uint64_t t0, cycles;

		nlbuf_init(&b, 256);
		make_list((int)w, &b);
		t0 = rte_rdtsc_precise();
		for (long r = 0; r < rounds; r++) {
			if (rte_pktmbuf_alloc_bulk(p.pool, m, GROUP) < 0)
				return 1;
			for (int i = 0; i < GROUP; i++) {
				memcpy(rte_pktmbuf_append(m[i], 64), frame, 64);
				keys[i] = key;
				lays[i] = lay;
				pk[i] = (struct actions_pkt){ m[i], &keys[i], &lays[i], 0 };
			}
			actions_execute(ctx, pk, GROUP, (const struct nlattr *)b.data,
					(uint32_t)b.len);
			actions_flush(ctx);
		}
		cycles = rte_rdtsc_precise() - t0;
		printf("%-34s %7.1f ns/pkt\n", names[w],
		       (double)cycles * 1e9 / (double)rte_get_tsc_hz() / (double)(rounds * GROUP));
		nlbuf_free(&b);
	}
	actions_ctx_destroy(ctx);
	rte_mempool_free(p.pool);
	/* EAL leaves its runtime directory behind, empty with --no-shconf. */
	char run_dir[PATH_MAX];
	snprintf(run_dir, sizeof(run_dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	rmdir(run_dir);
	return 0;
}
