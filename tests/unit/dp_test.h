/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp_test: shared helpers for the unit tests of the EAL datapath (libswdp).
 *
 * EAL runs without hugepages, PCI or shared files, so these tests need no
 * privileges and run in parallel with each other and under ASan:
 *   --no-huge -m 256 --no-pci --no-shconf --no-telemetry --file-prefix=<unique>
 * (--in-memory is refused together with --no-huge, which implies legacy
 * memory; --no-shconf gives the same "no files" effect.)
 *
 * Packets are built as bytes from a spec with every checksum computed from
 * scratch, independently of the code under test, so an expected packet is
 * "the spec after the action", built again.
 */
#ifndef DP_TEST_H
#define DP_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "actions.h"
#include "flow_extract.h"
#include "flow_key.h"
#include "nlbuf.h"

#define PKT_MAX 2048

/* What to build. Multi-byte fields in host order unless named _be. */
struct pkt_spec {
	uint8_t dst[6], src[6];
	int n_vlans;                 /* outer first */
	uint16_t vlan_tpid[2], vlan_tci[2];
	int n_mpls;                  /* top first; BOS set on the last */
	uint32_t mpls[3];            /* label stack entries without BOS */
	uint16_t eth_type;           /* 0x0800, 0x86dd or anything else */
	uint8_t proto;               /* IPPROTO_TCP/UDP/SCTP/ICMP/ICMPV6 */
	uint32_t ip4_src, ip4_dst;
	uint8_t tos, ttl;
	uint16_t frag;               /* IPv4 flags+offset field */
	uint8_t ip6_src[16], ip6_dst[16];
	uint32_t label;
	uint8_t tclass, hlimit;
	bool ip6_routing;            /* a routing header, segments left 1,
	                                final destination fixed */
	uint16_t sport, dport;       /* ICMP: type, code */
	bool udp_no_csum;            /* UDP checksum 0 */
	bool bad_sctp_crc;           /* store a wrong CRC (off by one) */
	uint16_t payload;            /* bytes after the L4 header */
	uint16_t pad_to;             /* Ethernet padding up to this length */
};

/* A TCP/IPv4 spec with fixed addresses; tests change fields from here. */
void spec_default(struct pkt_spec *s, uint16_t eth_type, uint8_t proto);
/* Builds the packet into buf (PKT_MAX), returns its length; fills 'l'. */
size_t pkt_build(const struct pkt_spec *s, uint8_t *buf, struct flow_layout *l);
/* The key a flow_extract() would give for the spec (the fields used here). */
void spec_key(const struct pkt_spec *s, struct flow_key *k);

/* Checksums from scratch; true when the packet's are right. */
bool csum_ipv4_ok(const uint8_t *pkt, const struct flow_layout *l);
bool csum_l4_ok(const uint8_t *pkt, size_t len, const struct flow_layout *l, uint16_t eth_type,
		uint8_t proto);
uint32_t crc32c_ref(const uint8_t *d, size_t n);

/* EAL, one mbuf pool for the process. */
extern struct rte_mempool *dp_pool;
void dp_eal_init(const char *prog);
void dp_eal_fini(void);

struct rte_mbuf *mbuf_from(const uint8_t *buf, size_t len);
/* Same, in two segments split at 'split'. */
struct rte_mbuf *mbuf_from_2seg(const uint8_t *buf, size_t len, size_t split);
/* Copies the whole packet out; returns its length. */
size_t mbuf_bytes(const struct rte_mbuf *m, uint8_t *out);
/* Asserts that 'm' is 'len' bytes long (pkt_len and its segments) and
 * holds 'want'. */
void assert_mbuf_bytes(const struct rte_mbuf *m, const uint8_t *want, size_t len);

/* Tx hook that keeps what it is given (up to 'limit' per call if set). */
#define CAP_MAX 8192
struct capture {
	struct rte_mbuf *pkts[CAP_MAX];
	uint32_t port[CAP_MAX];
	uint32_t n;
	uint32_t calls;
	uint16_t limit;              /* 0: take everything */
};
uint16_t capture_tx(void *arg, uint32_t port, struct rte_mbuf **pkts, uint16_t n);
uint32_t capture_count(const struct capture *c, uint32_t port);
/* The i-th packet sent to 'port', or NULL. */
struct rte_mbuf *capture_get(const struct capture *c, uint32_t port, uint32_t i);
void capture_free(struct capture *c);

/* A context on dp_pool with ports 0..7 existing, sending into 'cap'. */
struct actions_ctx *ctx_new(struct capture *cap, uint64_t seed);

/* Runs 'acts' on one packet built from 's' (key and layout from the spec). */
void run_spec(struct actions_ctx *ctx, const struct pkt_spec *s, const struct nlbuf *acts);
/* Action list builders. */
void act_output(struct nlbuf *b, uint32_t port);
void act_set(struct nlbuf *b, uint16_t type, const void *val, size_t len);
void act_set_masked(struct nlbuf *b, uint16_t type, const void *val, const void *mask, size_t len);

uint64_t drops_of(const struct actions_ctx *ctx, enum actions_drop reason);

/*
 * What every action test starts from: a context (ctx_new() with 'seed')
 * sending into 'cap', an empty action list, and the mbufs in use then.
 * The teardown flushes, frees the captured packets, the context and the
 * list, and asserts that the pool is back where it began (no leak, no
 * double free of a shared mbuf).
 */
struct actions_fixture {
	struct capture cap;
	struct actions_ctx *ctx;
	struct nlbuf acts;
	unsigned int pool_baseline;
};
int actions_fixture_setup(struct actions_fixture *f, uint64_t seed);
int actions_fixture_teardown(struct actions_fixture *f);

#endif /* DP_TEST_H */
