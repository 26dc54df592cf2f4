/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared helpers for the libswdp unit tests: see dp_test.h. */
#include "dp_test.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/openvswitch.h>
#include <rte_eal.h>
#include <rte_mempool.h>

struct rte_mempool *dp_pool;
static char runtime_dir[512];

/* ---- Building packets --------------------------------------------------- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Plain RFC 1071 sum, big-endian words. */
static uint32_t sum_words(uint32_t sum, const uint8_t *d, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)d[i] << 8 | d[i + 1];
	if (n & 1)
		sum += (uint32_t)d[n - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* Bitwise CRC32c (Castagnoli, reflected), final value as SCTP defines it. */
uint32_t crc32c_ref(const uint8_t *d, size_t n)
{
	uint32_t crc = 0xffffffff;

	for (size_t i = 0; i < n; i++) {
		crc ^= d[i];
		for (int b = 0; b < 8; b++)
			crc = (crc >> 1) ^ (0x82f63b78 & (0u - (crc & 1)));
	}
	return ~crc;
}

void spec_default(struct pkt_spec *s, uint16_t eth_type, uint8_t proto)
{
	static const uint8_t dst[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
	static const uint8_t src[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

	memset(s, 0, sizeof(*s));
	memcpy(s->dst, dst, 6);
	memcpy(s->src, src, 6);
	s->eth_type = eth_type;
	s->proto = proto;
	s->ip4_src = 0x0a000001;
	s->ip4_dst = 0xc0a80102;
	s->tos = 0x10;
	s->ttl = 64;
	for (int i = 0; i < 16; i++) {
		s->ip6_src[i] = (uint8_t)(0x20 + i);
		s->ip6_dst[i] = (uint8_t)(0xf0 - 3 * i);
	}
	s->label = 0x12345;
	s->tclass = 0x28;
	s->hlimit = 64;
	s->sport = proto == IPPROTO_ICMP ? 8 : proto == IPPROTO_ICMPV6 ? 128 : 1234;
	s->dport = proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6 ? 0 : 80;
	s->payload = 26;
}

/* The L4 header length the builder uses for 'proto'. */
static size_t l4_hdr_len(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return 20;
	case IPPROTO_UDP:
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return 8;
	case IPPROTO_SCTP:
		return 12;
	default:
		return 0;
	}
}

/* Pseudo-header sum; 'dst' is the final destination. */
static uint32_t pseudo_sum(uint16_t eth_type, const uint8_t *src, const uint8_t *dst,
			   uint8_t proto, size_t l4len)
{
	size_t alen = eth_type == 0x0800 ? 4 : 16;
	uint32_t sum = sum_words(0, src, alen);

	sum = sum_words(sum, dst, alen);
	return sum + proto + (uint32_t)(l4len >> 16) + (uint32_t)(l4len & 0xffff);
}

static void l4_build(const struct pkt_spec *s, uint8_t *th, size_t l4len)
{
	switch (s->proto) {
	case IPPROTO_TCP:
		put16(th, s->sport);
		put16(th + 2, s->dport);
		put32(th + 4, 0x01020304);
		th[12] = 0x50;
		th[13] = 0x18;
		put16(th + 14, 0xffff);
		break;
	case IPPROTO_UDP:
		put16(th, s->sport);
		put16(th + 2, s->dport);
		put16(th + 4, (uint16_t)l4len);
		break;
	case IPPROTO_SCTP:
		put16(th, s->sport);
		put16(th + 2, s->dport);
		put32(th + 4, 0xdeadbeef);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		th[0] = (uint8_t)s->sport;
		th[1] = (uint8_t)s->dport;
		put32(th + 4, 0x00420007);
		break;
	}
}

/* Fills the L4 checksum of 'th' (l4len bytes) from scratch. */
static void l4_csum(const struct pkt_spec *s, uint8_t *th, size_t l4len, const uint8_t *src,
		    const uint8_t *dst)
{
	uint32_t crc;
	uint16_t c;

	switch (s->proto) {
	case IPPROTO_SCTP:
		crc = crc32c_ref(th, l4len) + (s->bad_sctp_crc ? 1 : 0);
		th[8] = (uint8_t)crc;
		th[9] = (uint8_t)(crc >> 8);
		th[10] = (uint8_t)(crc >> 16);
		th[11] = (uint8_t)(crc >> 24);
		return;
	case IPPROTO_ICMP:
		put16(th + 2, (uint16_t)~fold(sum_words(0, th, l4len)));
		return;
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_ICMPV6:
		if (s->proto == IPPROTO_UDP && s->udp_no_csum)
			return;
		c = (uint16_t)~fold(sum_words(pseudo_sum(s->eth_type, src, dst, s->proto, l4len),
					      th, l4len));
		if (s->proto == IPPROTO_UDP && c == 0)
			c = 0xffff;
		put16(th + (s->proto == IPPROTO_TCP ? 16 : s->proto == IPPROTO_UDP ? 6 : 2), c);
		return;
	}
}

static size_t l2_build(const struct pkt_spec *s, uint8_t *buf, struct flow_layout *l)
{
	size_t off = 12;

	memcpy(buf, s->dst, 6);
	memcpy(buf + 6, s->src, 6);
	for (int i = 0; i < s->n_vlans; i++, off += 4) {
		put16(buf + off, s->vlan_tpid[i]);
		put16(buf + off + 2, s->vlan_tci[i]);
	}
	if (!s->n_mpls) {
		put16(buf + off, s->eth_type);
		return off + 2;
	}
	put16(buf + off, 0x8847);
	off += 2;
	l->l2_5 = (uint16_t)off;
	for (int i = 0; i < s->n_mpls; i++, off += 4)
		put32(buf + off, s->mpls[i] | (i == s->n_mpls - 1 ? 0x100 : 0));
	return off;
}

size_t pkt_build(const struct pkt_spec *s, uint8_t *buf, struct flow_layout *l)
{
	size_t hlen = l4_hdr_len(s->proto), off, l4len, len;
	uint8_t src[16], dst[16], *ip;

	memset(buf, 0, PKT_MAX);
	*l = (struct flow_layout){ FLOW_OFS_NONE, FLOW_OFS_NONE, FLOW_OFS_NONE };
	off = l2_build(s, buf, l);
	ip = buf + off;
	if (s->eth_type == 0x0800) {
		size_t l4 = off + 20;

		if (s->frag & 0x1fff)
			hlen = 0; /* a later fragment: payload only */

		l4len = hlen + s->payload;
		ip[0] = 0x45;
		ip[1] = s->tos;
		put16(ip + 2, (uint16_t)(20 + l4len));
		put16(ip + 4, 0x1234);
		put16(ip + 6, s->frag);
		ip[8] = s->ttl;
		ip[9] = s->proto;
		put32(ip + 12, s->ip4_src);
		put32(ip + 16, s->ip4_dst);
		put16(ip + 10, (uint16_t)~fold(sum_words(0, ip, 20)));
		memcpy(src, ip + 12, 4);
		memcpy(dst, ip + 16, 4);
		if (!s->n_mpls) {
			l->l3 = (uint16_t)off;
			if (!(s->frag & 0x1fff))
				l->l4 = (uint16_t)l4;
		}
		off = l4;
	} else if (s->eth_type == 0x86dd) {
		size_t rh = s->ip6_routing ? 24 : 0;

		l4len = hlen + s->payload;
		put32(ip, 6u << 28 | (uint32_t)s->tclass << 20 | (s->label & 0xfffff));
		put16(ip + 4, (uint16_t)(rh + l4len));
		ip[6] = s->ip6_routing ? IPPROTO_ROUTING : s->proto;
		ip[7] = s->hlimit;
		memcpy(ip + 8, s->ip6_src, 16);
		memcpy(ip + 24, s->ip6_dst, 16);
		memcpy(src, s->ip6_src, 16);
		memcpy(dst, s->ip6_dst, 16);
		if (rh) {
			uint8_t *r = ip + 40;

			r[0] = s->proto;
			r[1] = 2;      /* 24 bytes */
			r[3] = 1;      /* segments left: dst is not the final one */
			/* The final destination: fixed, whatever ip6_dst says. */
			for (int i = 0; i < 16; i++)
				r[8 + i] = dst[i] = (uint8_t)(0x55 + i);
		}
		if (!s->n_mpls) {
			l->l3 = (uint16_t)off;
			l->l4 = (uint16_t)(off + 40 + rh);
		}
		off += 40 + rh;
	} else {
		l4len = s->payload;
		hlen = 0;
	}
	for (size_t i = 0; i < s->payload; i++)
		buf[off + hlen + i] = (uint8_t)(i * 7 + 3);
	if (hlen) {
		l4_build(s, buf + off, l4len);
		l4_csum(s, buf + off, l4len, src, dst);
	}
	len = off + l4len;
	if (len < s->pad_to)
		len = s->pad_to; /* zero padding after the IP packet */
	return len;
}

void spec_key(const struct pkt_spec *s, struct flow_key *k)
{
	memset(k, 0, sizeof(*k));
	k->in_port = 3;
	memcpy(k->eth_dst, s->dst, 6);
	memcpy(k->eth_src, s->src, 6);
	if (s->n_vlans) {
		k->vlan.tpid = htons(s->vlan_tpid[0]);
		k->vlan.tci = htons(s->vlan_tci[0] | FLOW_VLAN_PRESENT);
	}
	if (s->n_vlans > 1) {
		k->cvlan.tpid = htons(s->vlan_tpid[1]);
		k->cvlan.tci = htons(s->vlan_tci[1] | FLOW_VLAN_PRESENT);
	}
	if (s->n_mpls) {
		k->eth_type = htons(0x8847);
		k->mpls_lse = htonl(s->mpls[0] | (s->n_mpls == 1 ? 0x100 : 0));
		return;
	}
	k->eth_type = htons(s->eth_type);
	if (s->eth_type != 0x0800 && s->eth_type != 0x86dd)
		return;
	k->ip_proto = s->proto;
	if (s->eth_type == 0x0800) {
		k->ipv4.src = htonl(s->ip4_src);
		k->ipv4.dst = htonl(s->ip4_dst);
		k->ip_tos = s->tos;
		k->ip_ttl = s->ttl;
	} else {
		memcpy(k->ipv6.src, s->ip6_src, 16);
		memcpy(k->ipv6.dst, s->ip6_dst, 16);
		k->ipv6.label = htonl(s->label);
		k->ip_tos = s->tclass;
		k->ip_ttl = s->hlimit;
	}
	k->tp_src = htons(s->sport);
	k->tp_dst = htons(s->dport);
}

/* ---- Checking checksums from scratch ------------------------------------ */

bool csum_ipv4_ok(const uint8_t *pkt, const struct flow_layout *l)
{
	return fold(sum_words(0, pkt + l->l3, 20)) == 0xffff;
}

bool csum_l4_ok(const uint8_t *pkt, size_t len, const struct flow_layout *l, uint16_t eth_type,
		uint8_t proto)
{
	const uint8_t *ip = pkt + l->l3, *th = pkt + l->l4;
	const uint8_t *src = eth_type == 0x0800 ? ip + 12 : ip + 8;
	const uint8_t *dst = eth_type == 0x0800 ? ip + 16 : ip + 24;
	uint8_t tmp[PKT_MAX], final_dst[16];
	size_t end = eth_type == 0x0800 ? l->l3 + get16(ip + 2) : l->l3 + 40u + get16(ip + 4);
	size_t l4len = end - l->l4;
	uint32_t crc;

	if (end > len)
		return false;
	if (eth_type == 0x86dd && ip[6] == IPPROTO_ROUTING) {
		memcpy(final_dst, ip + 48, 16);
		dst = final_dst;
	}
	switch (proto) {
	case IPPROTO_SCTP:
		memcpy(tmp, th, l4len);
		memset(tmp + 8, 0, 4);
		crc = crc32c_ref(tmp, l4len);
		return th[8] == (uint8_t)crc && th[9] == (uint8_t)(crc >> 8) &&
		       th[10] == (uint8_t)(crc >> 16) && th[11] == (uint8_t)(crc >> 24);
	case IPPROTO_ICMP:
		return fold(sum_words(0, th, l4len)) == 0xffff;
	case IPPROTO_UDP:
		if (get16(th + 6) == 0)
			return true; /* no checksum */
		/* fall through */
	case IPPROTO_TCP:
	case IPPROTO_ICMPV6:
		return fold(sum_words(pseudo_sum(eth_type, src, dst, proto, l4len), th, l4len)) ==
		       0xffff;
	default:
		return false;
	}
}

/* ---- EAL, mbufs --------------------------------------------------------- */

void dp_eal_init(const char *prog)
{
	char prefix[96];
	char *argv[] = {
		(char *)prog, "--no-huge", "-m", "256", "--no-pci", "--no-shconf",
		"--no-telemetry", "--log-level=warning", prefix, NULL,
	};

	snprintf(prefix, sizeof(prefix), "--file-prefix=%s_%d", prog, (int)getpid());
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0]) - 1), argv) < 0) {
		fprintf(stderr, "dp_test: rte_eal_init failed\n");
		exit(1);
	}
	snprintf(runtime_dir, sizeof(runtime_dir), "%s", rte_eal_get_runtime_dir());
	dp_pool = rte_pktmbuf_pool_create("dp_test", 8191, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					  SOCKET_ID_ANY);
	if (!dp_pool) {
		fprintf(stderr, "dp_test: no mbuf pool\n");
		exit(1);
	}
}

void dp_eal_fini(void)
{
	rte_mempool_free(dp_pool);
	rte_eal_cleanup();
	rmdir(runtime_dir); /* EAL leaves its empty runtime directory */
}

struct rte_mbuf *mbuf_from(const uint8_t *buf, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp_pool);

	if (!m)
		return NULL;
	memcpy(rte_pktmbuf_append(m, (uint16_t)len), buf, len);
	return m;
}

struct rte_mbuf *mbuf_from_2seg(const uint8_t *buf, size_t len, size_t split)
{
	struct rte_mbuf *a = mbuf_from(buf, split), *b = mbuf_from(buf + split, len - split);

	rte_pktmbuf_chain(a, b);
	return a;
}

size_t mbuf_bytes(const struct rte_mbuf *m, uint8_t *out)
{
	size_t n = 0;

	for (; m; m = m->next) {
		memcpy(out + n, rte_pktmbuf_mtod(m, const uint8_t *), m->data_len);
		n += m->data_len;
	}
	return n;
}

void assert_mbuf_bytes(const struct rte_mbuf *m, const uint8_t *want, size_t len)
{
	uint8_t got[PKT_MAX];

	assert_non_null(m);
	assert_int_equal(m->pkt_len, len);
	assert_int_equal(mbuf_bytes(m, got), len);
	assert_memory_equal(got, want, len);
}

/* ---- Hooks and contexts ------------------------------------------------- */

uint16_t capture_tx(void *arg, uint32_t port, struct rte_mbuf **pkts, uint16_t n)
{
	struct capture *c = arg;
	uint16_t take = c->limit && c->limit < n ? c->limit : n;

	c->calls++;
	for (uint16_t i = 0; i < take && c->n < CAP_MAX; i++) {
		c->pkts[c->n] = pkts[i];
		c->port[c->n++] = port;
	}
	return take;
}

uint32_t capture_count(const struct capture *c, uint32_t port)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < c->n; i++)
		n += c->port[i] == port;
	return n;
}

struct rte_mbuf *capture_get(const struct capture *c, uint32_t port, uint32_t idx)
{
	for (uint32_t i = 0; i < c->n; i++)
		if (c->port[i] == port && idx-- == 0)
			return c->pkts[i];
	return NULL;
}

void capture_free(struct capture *c)
{
	for (uint32_t i = 0; i < c->n; i++)
		rte_pktmbuf_free(c->pkts[i]);
	c->n = 0;
	c->calls = 0;
}

struct actions_ctx *ctx_new(struct capture *cap, uint64_t seed)
{
	struct actions_params p = {
		.max_ports = 16,
		.pool = dp_pool,
		.socket_id = SOCKET_ID_ANY,
		.seed = seed,
		.tx = capture_tx,
		.tx_arg = cap,
	};
	struct actions_ctx *ctx;

	if (actions_ctx_create(&p, &ctx) < 0)
		return NULL;
	for (uint32_t port = 0; port < 8; port++)
		actions_port_set(ctx, port, true);
	return ctx;
}

void run_spec(struct actions_ctx *ctx, const struct pkt_spec *s, const struct nlbuf *acts)
{
	uint8_t buf[PKT_MAX];
	struct flow_layout l;
	struct flow_key k;
	size_t len = pkt_build(s, buf, &l);

	spec_key(s, &k);
	actions_execute_one(ctx, mbuf_from(buf, len), &k, &l, (const struct nlattr *)acts->data,
			    (uint32_t)acts->len);
}

void act_output(struct nlbuf *b, uint32_t port)
{
	nlbuf_put_u32(b, OVS_ACTION_ATTR_OUTPUT, port);
}

void act_set(struct nlbuf *b, uint16_t type, const void *val, size_t len)
{
	size_t nest = nlbuf_nest_start(b, OVS_ACTION_ATTR_SET);

	nlbuf_put_attr(b, type, val, len);
	nlbuf_nest_end(b, nest);
}

void act_set_masked(struct nlbuf *b, uint16_t type, const void *val, const void *mask, size_t len)
{
	size_t nest = nlbuf_nest_start(b, OVS_ACTION_ATTR_SET_MASKED);
	uint8_t both[256];

	memcpy(both, val, len);
	memcpy(both + len, mask, len);
	nlbuf_put_attr(b, type, both, 2 * len);
	nlbuf_nest_end(b, nest);
}

uint64_t drops_of(const struct actions_ctx *ctx, enum actions_drop reason)
{
	uint64_t d[ACTIONS_DROP__MAX];

	actions_drops_get(ctx, d);
	return d[reason];
}

/* ---- The action tests' fixture ---------------------------------------- */

int actions_fixture_setup(struct actions_fixture *f, uint64_t seed)
{
	f->ctx = ctx_new(&f->cap, seed);
	nlbuf_init(&f->acts, 256);
	f->pool_baseline = rte_mempool_in_use_count(dp_pool);
	return f->ctx ? 0 : -1;
}

int actions_fixture_teardown(struct actions_fixture *f)
{
	actions_flush(f->ctx);
	capture_free(&f->cap);
	actions_ctx_destroy(f->ctx);
	nlbuf_free(&f->acts);
	assert_int_equal(rte_mempool_in_use_count(dp_pool), f->pool_baseline);
	return 0;
}
