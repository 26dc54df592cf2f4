/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nl_attr: reading a netlink attribute, the one vocabulary for the whole
 * tree and the only place outside the codec's files (src/netlink/,
 * nlbuf) that knows NLA_HDRLEN. Everything is static inline: the PMD's
 * action walker runs these for every action of every burst.
 *
 * Fixed-size readers assume a policy (nl_policy.h) or the action
 * validator has checked the payload's size; they load unaligned-safe and
 * do not swap (a be16 field stays in network order). The walkers check
 * each header against what is left, as libmnl's mnl_attr_ok() does.
 * Thread safety: pure functions.
 */
#ifndef NL_ATTR_H
#define NL_ATTR_H

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dpsw_bytes.h"

static inline uint16_t nl_attr_type(const struct nlattr *nla)
{
	return nla->nla_type & NLA_TYPE_MASK;
}

/* The payload, e.g. of a nested attribute as a stream. */
static inline const void *nl_attr_data(const struct nlattr *nla)
{
	return (const uint8_t *)nla + NLA_HDRLEN;
}

/* The payload of an attribute the caller owns and rewrites. */
static inline void *nl_attr_data_rw(struct nlattr *nla)
{
	return (uint8_t *)nla + NLA_HDRLEN;
}

static inline size_t nl_attr_len(const struct nlattr *nla)
{
	return nla->nla_len - NLA_HDRLEN;
}

/* nla_len of an attribute with 'payload' bytes (no padding). */
static inline size_t nl_attr_size(size_t payload)
{
	return NLA_HDRLEN + payload;
}

static inline uint8_t nl_attr_u8(const struct nlattr *nla)
{
	return *(const uint8_t *)nl_attr_data(nla);
}

static inline uint16_t nl_attr_u16(const struct nlattr *nla)
{
	return rd16(nl_attr_data(nla));
}

static inline uint32_t nl_attr_u32(const struct nlattr *nla)
{
	return rd32(nl_attr_data(nla));
}

static inline uint64_t nl_attr_u64(const struct nlattr *nla)
{
	return rd64(nl_attr_data(nla));
}

/* A NL_POL_STRING attribute: the policy checked its NUL. */
static inline const char *nl_attr_str(const struct nlattr *nla)
{
	return nl_attr_data(nla);
}

/* Checks for attributes read without a policy (a nest walked by hand):
 * the exact size of a fixed-size payload, a NUL-terminated string. */
static inline bool nl_attr_is_u16(const struct nlattr *nla)
{
	return nl_attr_len(nla) == sizeof(uint16_t);
}

static inline bool nl_attr_is_u32(const struct nlattr *nla)
{
	return nl_attr_len(nla) == sizeof(uint32_t);
}

static inline bool nl_attr_is_u64(const struct nlattr *nla)
{
	return nl_attr_len(nla) == sizeof(uint64_t);
}

static inline bool nl_attr_is_str(const struct nlattr *nla)
{
	size_t len = nl_attr_len(nla);

	return len > 0 && ((const char *)nl_attr_data(nla))[len - 1] == '\0';
}

/* The header and the whole attribute fit in the 'left' bytes at 'nla'. */
static inline bool nl_attr_ok(const struct nlattr *nla, size_t left)
{
	return left >= NLA_HDRLEN && nla->nla_len >= NLA_HDRLEN && nla->nla_len <= left;
}

/* The attribute after 'nla' (its length rounded up to 4 bytes). */
static inline const struct nlattr *nl_attr_next(const struct nlattr *nla)
{
	return (const struct nlattr *)((const uint8_t *)nla + NLA_ALIGN(nla->nla_len));
}

/* Bytes from 'nla' to 'end' (0 once past it). */
static inline size_t nl_attr_left(const struct nlattr *nla, const void *end)
{
	const uint8_t *p = (const uint8_t *)nla, *e = end;

	return p < e ? (size_t)(e - p) : 0;
}

/* Each well-formed attribute of the 'len' bytes at 'data'; stops at the
 * first one that does not fit. */
#define nl_attr_for_each(pos, data, len)                                                  \
	for ((pos) = (const struct nlattr *)(data);                                       \
	     nl_attr_ok((pos), nl_attr_left((pos), (const uint8_t *)(data) + (len)));     \
	     (pos) = nl_attr_next(pos))

/* Each attribute nested in 'nest'. */
#define nl_attr_for_each_nested(pos, nest)                                                \
	nl_attr_for_each((pos), nl_attr_data(nest), nl_attr_len(nest))

#endif /* NL_ATTR_H */
