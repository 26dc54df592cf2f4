/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * storm_gen: a paced miss storm for bench/reactive.py. It sends 64-byte
 * UDP packets of 'flows' distinct 5-tuples (source address 10.0.0.0 + i,
 * i = 0..flows-1, then again from 0: the storm replayed) at 'rate'
 * packets a second on the one port EAL gives it (a net_memif server),
 * from SIGUSR1 on (the peer connected before: its port is in place and
 * polled when the storm starts), so that the switch under test sees a
 * known number of new 5-tuples a second whatever its own speed.
 *
 * Pacing: each wake-up sends everything due, in bursts of 32, then
 * sleeps 1 ms, so the generator costs a few percent of its core, not all
 * of it: it shares the core with the switch's control thread, and each
 * wake-up (a timer, which in a VM is an exit to the host) preempts that
 * thread. A millisecond of the storm (600 packets at 600k/s) fits the
 * port's ring many times over. Frames are copied from one template with
 * two fields set.
 * A packet the port cannot take now is sent later; the backlog is capped
 * at 20 ms worth (past it the schedule skips ahead, counted), so a
 * stalled peer does not get one huge burst after.
 *
 * The storm lasts until SIGINT or SIGTERM, or until the peer leaves (its
 * link goes down), whichever comes first.
 *
 * Usage: storm_gen EAL-ARGS -- --rate N --flows M
 * Prints "storm_gen: connected" when the peer is there, "storm_gen:
 * sending" at SIGUSR1, and at SIGINT or
 * SIGTERM one line: packets sent, seconds the storm lasted, rate achieved
 * over them, packets skipped,
 * seconds the first pass over the flows took, and the CPU seconds the
 * process used while sending (what it took from the core it shares).
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#define BURST 32
#define RX_QUEUES 8     /* accept a client's tx rings, however many it proposes */
#define RING 2048
#define POOL 8191
#define FRAME 60        /* without the FCS: 64 on the wire */
#define SLEEP_NS 1000000
#define BACKLOG_MS 20

static volatile sig_atomic_t stop, go;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		go = 1;
	else
		stop = 1;
}

/* The frame every packet starts from: all but the IPv4 source address,
 * the IPv4 checksum and the UDP source port, which are set per flow. */
static uint8_t frame[FRAME];

static void frame_init(void)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)frame;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

	memcpy(eth->dst_addr.addr_bytes, "\x02\x00\x00\x00\x00\x02", 6);
	memcpy(eth->src_addr.addr_bytes, "\x02\x00\x00\x00\x00\x01", 6);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(FRAME - sizeof(*eth));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->dst_addr = rte_cpu_to_be_32(0xc0a80001u);
	udp->dst_port = rte_cpu_to_be_16(80);
	udp->dgram_len = rte_cpu_to_be_16(FRAME - sizeof(*eth) - sizeof(*ip));
}

/* The frame of flow 'i' into 'm': source 10.0.0.0 + i, port 1024 + i % 60000. */
static void fill(struct rte_mbuf *m, uint32_t i)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(p + sizeof(struct rte_ether_hdr));
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

	memcpy(p, frame, FRAME);
	ip->src_addr = rte_cpu_to_be_32(0x0a000000u + i);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(1024 + i % 60000);
	m->data_len = m->pkt_len = FRAME;
}

/* CPU seconds (user and system) of the whole process so far. */
static double cpu_seconds(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return 0.0;
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* Send what is due from 'pos' up to 'due', a burst at a time, until the
 * port takes no more; returns the packets sent. */
static uint64_t send_due(struct rte_mempool *pool, uint64_t pos, uint64_t due, uint32_t flows)
{
	uint64_t sent = 0;

	while (pos + sent < due) {
		struct rte_mbuf *pkts[BURST];
		uint16_t want = (uint16_t)RTE_MIN(due - pos - sent, (uint64_t)BURST);

		if (rte_pktmbuf_alloc_bulk(pool, pkts, want) < 0)
			break;
		for (uint16_t i = 0; i < want; i++)
			fill(pkts[i], (uint32_t)((pos + sent + i) % flows));
		uint16_t done = rte_eth_tx_burst(0, 0, pkts, want);
		rte_pktmbuf_free_bulk(pkts + done, want - done);
		sent += done;
		if (done < want)
			break;
	}
	return sent;
}

static int parse_args(int argc, char **argv, uint64_t *rate, uint32_t *flows)
{
	for (int i = 1; i + 1 < argc; i += 2) {
		char *end;
		unsigned long long v = strtoull(argv[i + 1], &end, 10);

		if (*end || v == 0)
			return -EINVAL;
		if (!strcmp(argv[i], "--rate"))
			*rate = v;
		else if (!strcmp(argv[i], "--flows") && v <= (1u << 24))
			*flows = (uint32_t)v;
		else
			return -EINVAL;
	}
	return argc % 2 == 1 ? 0 : -EINVAL;
}

static int port_init(uint16_t port, struct rte_mempool *pool)
{
	struct rte_eth_conf conf = { 0 };
	int ret = rte_eth_dev_configure(port, RX_QUEUES, 1, &conf);

	for (uint16_t q = 0; ret == 0 && q < RX_QUEUES; q++)
		ret = rte_eth_rx_queue_setup(port, q, RING, SOCKET_ID_ANY, NULL, pool);
	if (ret == 0)
		ret = rte_eth_tx_queue_setup(port, 0, RING, SOCKET_ID_ANY, NULL);
	return ret == 0 ? rte_eth_dev_start(port) : ret;
}

static bool link_up(uint16_t port)
{
	struct rte_eth_link link;

	return rte_eth_link_get_nowait(port, &link) == 0 && link.link_status;
}

static void nap(void)
{
	struct timespec ts = { 0, SLEEP_NS };

	nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	uint64_t rate = 0, pos = 0, sent = 0, skipped = 0, hz, start, end, backlog, pass_tsc = 0;
	uint32_t flows = 0;
	struct rte_mempool *pool;
	double cpu0, cpu_used;
	int n = rte_eal_init(argc, argv);

	if (n < 0) {
		fprintf(stderr, "storm_gen: EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	if (parse_args(argc - n, argv + n, &rate, &flows) < 0 || rate == 0 || flows == 0 ||
	    rte_eth_dev_count_avail() != 1) {
		fprintf(stderr, "usage: storm_gen EAL-ARGS (one port) -- --rate N --flows M\n");
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGUSR1, on_signal);
	frame_init();
	pool = rte_pktmbuf_pool_create("storm", POOL, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL || port_init(0, pool) < 0) {
		fprintf(stderr, "storm_gen: port: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	while (!stop && !link_up(0))
		nap();
	printf("storm_gen: connected\n");
	fflush(stdout);
	while (!stop && !go)
		nap();
	printf("storm_gen: sending\n");
	fflush(stdout);
	hz = rte_get_tsc_hz();
	backlog = rate * BACKLOG_MS / 1000 + BURST;
	cpu0 = cpu_seconds();
	start = rte_rdtsc();
	while (!stop && link_up(0)) {
		uint64_t now = rte_rdtsc();
		uint64_t due = (uint64_t)((double)(now - start) * (double)rate / (double)hz);
		uint64_t done;

		/* 'pos': packets of the schedule done, sent or skipped. */
		if (due > pos + backlog) {
			skipped += due - backlog - pos;
			pos = due - backlog;
		}
		done = send_due(pool, pos, due, flows);
		pos += done;
		sent += done;
		if (pass_tsc == 0 && pos >= flows)
			pass_tsc = rte_rdtsc();
		nap();
	}
	end = rte_rdtsc();
	cpu_used = cpu_seconds() - cpu0;
	/* The caller stops the switch before this program: the time after
	 * the peer left (nothing to send to, all skipped) is no part of the
	 * storm. */
	while (!stop)
		nap();
	double secs = (double)(end - start) / (double)hz;
	printf("storm_gen: sent %" PRIu64 " in %.3f s, %.0f/s, skipped %" PRIu64
	       ", first pass %.3f s, cpu %.3f s\n", sent, secs, secs > 0 ? (double)sent / secs : 0.0,
	       skipped, pass_tsc ? (double)(pass_tsc - start) / (double)hz : -1.0, cpu_used);
	fflush(stdout);
	rte_eth_dev_stop(0);
	rte_eth_dev_close(0);
	rte_eal_cleanup();
	return 0;
}
