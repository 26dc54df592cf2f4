/* SPDX-License-Identifier: BSD-3-Clause */
#include "upcall_pids.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int upcall_pids_set(struct upcall_pids *p, const void *data, size_t len)
{
	uint32_t *pids;

	if (len == 0 || len % sizeof(uint32_t) || len / sizeof(uint32_t) > UPCALL_PIDS_MAX)
		return -EINVAL;
	pids = malloc(len);
	if (pids == NULL)
		return -ENOMEM;
	memcpy(pids, data, len);
	free(p->pids);
	p->pids = pids;
	p->n = (uint32_t)(len / sizeof(uint32_t));
	return 0;
}

void upcall_pids_clear(struct upcall_pids *p)
{
	free(p->pids);
	p->pids = NULL;
	p->n = 0;
}

uint32_t upcall_pids_any(const struct upcall_pids *p)
{
	for (uint32_t i = 0; i < p->n; i++)
		if (p->pids[i])
			return p->pids[i];
	return 0;
}

uint32_t upcall_pids_for_cpu(const struct upcall_pids *p, uint32_t cpu)
{
	return p->n ? p->pids[cpu % p->n] : 0;
}

uint32_t upcall_pids_for_hash(const struct upcall_pids *p, uint32_t hash)
{
	if (p->n <= 1)
		return p->n ? p->pids[0] : 0;
	return p->pids[hash % p->n];
}

static uint32_t fnv(uint32_t h, const void *data, size_t len)
{
	const uint8_t *b = data;

	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

uint32_t upcall_flow_hash(const struct flow_key *k)
{
	uint32_t h = 2166136261u;

	h = fnv(h, k->eth_dst, sizeof(k->eth_dst));
	h = fnv(h, k->eth_src, sizeof(k->eth_src));
	h = fnv(h, &k->eth_type, sizeof(k->eth_type));
	h = fnv(h, &k->vlan, sizeof(k->vlan));
	h = fnv(h, &k->ip_proto, sizeof(k->ip_proto));
	h = fnv(h, &k->tp_src, sizeof(k->tp_src));
	h = fnv(h, &k->tp_dst, sizeof(k->tp_dst));
	/* Both addresses of IPv6, or IPv4's (and ARP's) with zeros after. */
	h = fnv(h, k->ipv6.src, sizeof(k->ipv6.src));
	h = fnv(h, k->ipv6.dst, sizeof(k->ipv6.dst));
	/* FNV's low bits mix poorly; the pick takes hash % n. */
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	return h ^ (h >> 13);
}
