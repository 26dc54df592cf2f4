/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpsw_bytes: unaligned loads and stores of raw fields, for packet
 * headers and netlink payloads. No byte swap: values stay in the order
 * they have in memory (network order for header fields), to be compared
 * with htons()/htonl() constants or swapped by the caller. memcpy() of a
 * constant size compiles to one move on x86-64.
 */
#ifndef DPSW_BYTES_H
#define DPSW_BYTES_H

#include <stdint.h>
#include <string.h>

static inline uint16_t rd16(const void *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t rd32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t rd64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline void st16(void *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

static inline void st32(void *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

#endif /* DPSW_BYTES_H */
