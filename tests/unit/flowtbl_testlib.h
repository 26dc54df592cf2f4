/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers shared by the flow table tests and benchmark: key/mask builders
 * and a seeded PRNG. Header-only, test code.
 */
#ifndef FLOWTBL_TESTLIB_H
#define FLOWTBL_TESTLIB_H

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "flow_key.h"

/* splitmix64: seeded, reproducible. */
static inline uint64_t tl_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline uint32_t tl_below(uint64_t *s, uint32_t n)
{
	return (uint32_t)(tl_rand(s) % n);
}

/* An IPv4/TCP key. */
static inline void tl_key_tcp4(struct flow_key *k, uint32_t in_port, uint32_t src, uint32_t dst,
			       uint16_t sport, uint16_t dport)
{
	memset(k, 0, sizeof(*k));
	k->in_port = in_port;
	k->eth_type = htons(0x0800);
	k->ip_proto = 6;
	k->ip_ttl = 64;
	k->ipv4.src = htonl(src);
	k->ipv4.dst = htonl(dst);
	k->tp_src = htons(sport);
	k->tp_dst = htons(dport);
	k->eth_src[5] = (uint8_t)src;
	k->eth_dst[5] = (uint8_t)dst;
}

static inline uint32_t tl_prefix(unsigned int len)
{
	return len ? htonl(~0u << (32 - len)) : 0;
}

/* A mask: in_port + eth_type + ip proto, IPv4 src/dst prefixes, ports. */
static inline void tl_mask_tcp4(struct flow_key *m, unsigned int src_len, unsigned int dst_len,
				int sport, int dport)
{
	memset(m, 0, sizeof(*m));
	m->in_port = UINT32_MAX;
	m->eth_type = 0xffff;
	m->ip_proto = 0xff;
	m->ipv4.src = tl_prefix(src_len);
	m->ipv4.dst = tl_prefix(dst_len);
	m->tp_src = sport ? 0xffff : 0;
	m->tp_dst = dport ? 0xffff : 0;
}

#endif /* FLOWTBL_TESTLIB_H */
