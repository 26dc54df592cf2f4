/* SPDX-License-Identifier: BSD-3-Clause */
#include "nlbuf.h"

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/openvswitch.h>
#include <stdlib.h>
#include <string.h>

#include "dpsw_grow.h"

void nlbuf_init(struct nlbuf *b, size_t cap)
{
	b->data = cap ? malloc(cap) : NULL;
	if (cap && b->data == NULL)
		abort();
	b->len = 0;
	b->cap = cap;
	b->fixed = false;
	b->overflow = false;
}

void nlbuf_init_fixed(struct nlbuf *b, void *mem, size_t cap)
{
	b->data = mem;
	b->len = 0;
	b->cap = cap;
	b->fixed = true;
	b->overflow = false;
}

void nlbuf_free(struct nlbuf *b)
{
	if (!b->fixed)
		free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void nlbuf_reset(struct nlbuf *b)
{
	b->len = 0;
	b->overflow = false;
}

static bool reserve(struct nlbuf *b, size_t extra)
{
	size_t need = b->len + extra;

	if (b->overflow)
		return false;
	if (need <= b->cap)
		return true;
	if (b->fixed) {
		b->overflow = true;
		return false;
	}
	b->data = dpsw_grow(b->data, &b->cap, need, 256);
	return true;
}

/*
 * Copy 'len' bytes (zeros when data is NULL) to 'dst' and zero the padding
 * up to 'padded'. The padding is cleared with one fixed 4-byte store before
 * the copy (it is less than 4 bytes, and the copy overwrites what the store
 * put before 'len'), so small writes cost no memset call: flow messages are
 * made of dozens of small attributes.
 */
static void put_padded(uint8_t *dst, const void *data, size_t len, size_t padded)
{
	if (padded != len)
		memset(dst + padded - 4, 0, 4);
	if (data)
		memcpy(dst, data, len);
	else
		memset(dst, 0, len);
}

size_t nlbuf_put(struct nlbuf *b, const void *data, size_t len)
{
	size_t padded = NLA_ALIGN(len), ofs = b->len;

	if (!reserve(b, padded))
		return (size_t)-1;
	put_padded(b->data + ofs, data, len, padded);
	b->len += padded;
	return ofs;
}

void nlbuf_put_attr(struct nlbuf *b, uint16_t type, const void *data, size_t len)
{
	struct nlattr nla = { .nla_len = (uint16_t)(NLA_HDRLEN + len), .nla_type = type };
	size_t padded = NLA_ALIGN(len);

	if (len > UINT16_MAX - NLA_HDRLEN || !reserve(b, NLA_HDRLEN + padded)) {
		b->overflow = true;
		return;
	}
	memcpy(b->data + b->len, &nla, sizeof(nla));
	put_padded(b->data + b->len + NLA_HDRLEN, data, len, padded);
	b->len += NLA_HDRLEN + padded;
}

void nlbuf_put_flag(struct nlbuf *b, uint16_t type)
{
	nlbuf_put_attr(b, type, NULL, 0);
}

/*
 * A fixed-size attribute of up to 8 bytes: the header and the value (in
 * the low-addressed bytes of 'v', zero-extended, so the padding is zero)
 * stored with two fixed-size copies and no call.
 */
static void put_small(struct nlbuf *b, uint16_t type, uint64_t v, size_t len)
{
	struct nlattr nla = { .nla_len = (uint16_t)(NLA_HDRLEN + len), .nla_type = type };
	size_t padded = NLA_ALIGN(len);

	if (!reserve(b, NLA_HDRLEN + padded)) {
		b->overflow = true;
		return;
	}
	memcpy(b->data + b->len, &nla, sizeof(nla));
	if (padded == 8)
		memcpy(b->data + b->len + NLA_HDRLEN, &v, 8);
	else
		memcpy(b->data + b->len + NLA_HDRLEN, &v, 4);
	b->len += NLA_HDRLEN + padded;
}

void nlbuf_put_u8(struct nlbuf *b, uint16_t type, uint8_t v)
{
	uint64_t x = 0;

	memcpy(&x, &v, sizeof(v)); /* the value's bytes first, whatever the byte order */
	put_small(b, type, x, sizeof(v));
}

void nlbuf_put_u16(struct nlbuf *b, uint16_t type, uint16_t v)
{
	uint64_t x = 0;

	memcpy(&x, &v, sizeof(v));
	put_small(b, type, x, sizeof(v));
}

void nlbuf_put_u32(struct nlbuf *b, uint16_t type, uint32_t v)
{
	uint64_t x = 0;

	memcpy(&x, &v, sizeof(v));
	put_small(b, type, x, sizeof(v));
}

void nlbuf_put_u64(struct nlbuf *b, uint16_t type, uint64_t v)
{
	put_small(b, type, v, sizeof(v));
}

void nlbuf_put_string(struct nlbuf *b, uint16_t type, const char *s)
{
	nlbuf_put_attr(b, type, s, strlen(s) + 1);
}

size_t nlbuf_nest_start(struct nlbuf *b, uint16_t type)
{
	struct nlattr nla = { .nla_len = NLA_HDRLEN, .nla_type = type | NLA_F_NESTED };

	return nlbuf_put(b, &nla, sizeof(nla));
}

void nlbuf_nest_end(struct nlbuf *b, size_t nest_ofs)
{
	if (b->overflow || nest_ofs == (size_t)-1)
		return;
	size_t len = b->len - nest_ofs;
	struct nlattr *nla = nlbuf_at(b, nest_ofs);

	if (len > UINT16_MAX) {
		b->overflow = true;
		return;
	}
	nla->nla_len = (uint16_t)len;
}

size_t nlbuf_msg_start(struct nlbuf *b, uint16_t type, uint16_t flags, uint32_t seq,
		       uint32_t pid)
{
	struct nlmsghdr nlh = {
		.nlmsg_len = NLMSG_HDRLEN,
		.nlmsg_type = type,
		.nlmsg_flags = flags,
		.nlmsg_seq = seq,
		.nlmsg_pid = pid,
	};

	return nlbuf_put(b, &nlh, sizeof(nlh));
}

void nlbuf_put_genl(struct nlbuf *b, uint8_t cmd, uint8_t version)
{
	struct genlmsghdr genl = { .cmd = cmd, .version = version };

	nlbuf_put(b, &genl, sizeof(genl));
}

void nlbuf_put_ovs_header(struct nlbuf *b, int dp_ifindex)
{
	struct ovs_header ovs = { .dp_ifindex = dp_ifindex };

	nlbuf_put(b, &ovs, sizeof(ovs));
}

void nlbuf_msg_end(struct nlbuf *b, size_t msg_ofs)
{
	if (b->overflow || msg_ofs == (size_t)-1)
		return;
	struct nlmsghdr *nlh = nlbuf_at(b, msg_ofs);

	nlh->nlmsg_len = (uint32_t)(b->len - msg_ofs);
}
