/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nlbuf: a buffer that netlink messages and attribute streams are written
 * into (reading them: nl_attr.h and nl_policy.h). libmnl, which the unit
 * tests use, writes only into a fixed buffer behind a struct nlmsghdr, while we
 * also build bare attribute streams (action lists, keys) and large dumps,
 * hence this small writer.
 *
 * A growable buffer (nlbuf_init) reallocates as needed; a fixed one
 * (nlbuf_init_fixed, e.g. for upcalls on a preallocated area) never does:
 * a write that does not fit sets 'overflow', writes nothing, and every
 * later write is dropped too, so callers check once at the end.
 *
 * Offsets, not pointers, name positions (nests, message starts): a growable
 * buffer may move.
 *
 * Thread safety: touches only its argument.
 */
#ifndef NLBUF_H
#define NLBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nlbuf {
	uint8_t *data;
	size_t len;
	size_t cap;
	bool fixed;
	bool overflow;
};

void nlbuf_init(struct nlbuf *b, size_t cap);
void nlbuf_init_fixed(struct nlbuf *b, void *mem, size_t cap);
void nlbuf_free(struct nlbuf *b);
void nlbuf_reset(struct nlbuf *b);

static inline void *nlbuf_at(const struct nlbuf *b, size_t ofs)
{
	return b->data + ofs;
}

/* Append 'len' bytes (zeroed when data is NULL), padded to NLA_ALIGNTO.
 * Returns the offset of the copy, or (size_t)-1 on overflow. */
size_t nlbuf_put(struct nlbuf *b, const void *data, size_t len);

/* Attributes. */
void nlbuf_put_attr(struct nlbuf *b, uint16_t type, const void *data, size_t len);
void nlbuf_put_flag(struct nlbuf *b, uint16_t type);
void nlbuf_put_u8(struct nlbuf *b, uint16_t type, uint8_t v);
void nlbuf_put_u16(struct nlbuf *b, uint16_t type, uint16_t v);
void nlbuf_put_u32(struct nlbuf *b, uint16_t type, uint32_t v);
void nlbuf_put_u64(struct nlbuf *b, uint16_t type, uint64_t v);
void nlbuf_put_string(struct nlbuf *b, uint16_t type, const char *s);
/* Nests: start returns the nest's offset, end fixes its length. */
size_t nlbuf_nest_start(struct nlbuf *b, uint16_t type);
void nlbuf_nest_end(struct nlbuf *b, size_t nest_ofs);

/*
 * Messages: nlmsghdr, then genlmsghdr and (for OVS families) ovs_header.
 * Start returns the message's offset; end sets nlmsg_len.
 */
size_t nlbuf_msg_start(struct nlbuf *b, uint16_t type, uint16_t flags, uint32_t seq,
		       uint32_t pid);
void nlbuf_put_genl(struct nlbuf *b, uint8_t cmd, uint8_t version);
void nlbuf_put_ovs_header(struct nlbuf *b, int dp_ifindex);
void nlbuf_msg_end(struct nlbuf *b, size_t msg_ofs);

#endif /* NLBUF_H */
