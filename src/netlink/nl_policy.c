/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Policy-table attribute parsing: the table, the strictness (unknown,
 * duplicate, wrong size) and a reason for each error. The header
 * arithmetic is nl_attr.h's, inline: every flow request runs this over
 * its key and mask, so a library call per attribute would weigh.
 */
#include "nl_policy.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static int ofs_of(const void *p, const void *origin)
{
	return (int)((const uint8_t *)p - (const uint8_t *)origin);
}

static const char *type_name(const struct nl_policy *pol, uint16_t type)
{
	if (type <= pol->max_type && pol->attrs[type].name)
		return pol->attrs[type].name;
	return "?";
}

/* nl_attr_ok() says whether the attribute fits; this says why not. */
static int header_error(const struct nl_policy *pol, const struct nlattr *nla, size_t left,
			const void *origin, struct errmsg *err)
{
	int at = ofs_of(nla, origin);

	if (left < NLA_HDRLEN)
		return errmsg_set(err, -EINVAL, at,
				  "%s attributes: %zu trailing bytes, too few for an attribute header",
				  pol->name, left);
	if (nla->nla_len < NLA_HDRLEN)
		return errmsg_set(err, -EINVAL, at,
				  "%s attributes: attribute length %u is below the %d-byte header",
				  pol->name, nla->nla_len, NLA_HDRLEN);
	return errmsg_set(err, -EINVAL, at,
			  "%s attributes: attribute length %u runs past the end (%zu bytes left)",
			  pol->name, nla->nla_len, left);
}


/* A nested payload must be empty or a stream of well-formed attributes. */
static int check_nested(const struct nl_policy *pol, const struct nlattr *outer,
			const void *origin, struct errmsg *err)
{
	const uint8_t *p = nl_attr_data(outer);
	size_t len = nl_attr_len(outer), pos = 0;

	while (pos < len) {
		const struct nlattr *nla = (const void *)(p + pos);

		if (!nl_attr_ok(nla, len - pos)) {
			errmsg_set(err, -EINVAL, ofs_of(nla, origin),
				   "%s attribute %s: nested attribute at +%zu is malformed",
				   pol->name, type_name(pol, nl_attr_type(outer)), pos);
			return -EINVAL;
		}
		pos += NLA_ALIGN(nla->nla_len);
	}
	return 0;
}

static int check_string(const struct nl_policy *pol, const struct nl_pol_attr *pa,
			const struct nlattr *nla, int at, struct errmsg *err)
{
	size_t plen = nl_attr_len(nla);
	const char *s = nl_attr_data(nla);
	const char *nul = memchr(s, '\0', plen);

	if (nul == NULL)
		return errmsg_set(err, -EINVAL, at, "%s attribute %s: string without its NUL",
				  pol->name, pa->name);
	if ((size_t)(nul - s) + 1 > pa->max)
		return errmsg_set(err, -EINVAL, at,
				  "%s attribute %s: string of %zu bytes, at most %u allowed",
				  pol->name, pa->name, (size_t)(nul - s), pa->max - 1u);
	return 0;
}

static int check_size(const struct nl_policy *pol, const struct nl_pol_attr *pa,
		      const struct nlattr *nla, int at, struct errmsg *err)
{
	unsigned int plen = (unsigned int)nl_attr_len(nla);

	if (plen >= pa->min && plen <= pa->max)
		return 0;
	if (pa->min == pa->max)
		return errmsg_set(err, -EINVAL, at, "%s attribute %s: size %u, expected %u",
				  pol->name, pa->name, plen, pa->min);
	if (pa->max == UINT16_MAX)
		return errmsg_set(err, -EINVAL, at, "%s attribute %s: size %u, expected at least %u",
				  pol->name, pa->name, plen, pa->min);
	return errmsg_set(err, -EINVAL, at, "%s attribute %s: size %u, expected %u..%u",
			  pol->name, pa->name, plen, pa->min, pa->max);
}

/* How a stream is parsed. */
struct pmode {
	bool deep;       /* check nested payloads */
	bool liberal;    /* the genl layer's GENL_DONT_VALIDATE_STRICT */
};

/*
 * Check one attribute that fits in its stream; 1: index it, 0: skip it
 * (padding; in liberal mode, a type the table does not know), or a
 * negative errno with the reason in 'err'.
 */
static int check_attr(const struct nl_policy *pol, const struct nlattr *nla,
		      const struct nlattr **tb, struct pmode mode, const void *origin,
		      struct errmsg *err)
{
	uint16_t type = nl_attr_type(nla);
	int at = ofs_of(nla, origin);
	const struct nl_pol_attr *pa = type <= pol->max_type ? &pol->attrs[type] : NULL;
	int ret = 0;

	if (pa == NULL || pa->kind == NL_POL_NONE) {
		if (mode.liberal)
			return 0;
		return errmsg_set(err, -EINVAL, at, "%s attributes: unknown attribute type %u",
				  pol->name, type);
	}
	switch (pa->kind) {
	case NL_POL_PAD:
		return 0;
	case NL_POL_UNSUPPORTED:
		return errmsg_set(err, -EOPNOTSUPP, at, "%s attribute %s (%u) is not supported",
				  pol->name, pa->name, type);
	case NL_POL_EXACT:
		/* Liberal: a longer payload is taken, as the kernel's
		 * validate_nla() does without NL_VALIDATE_STRICT_ATTRS. */
		if (mode.liberal && nl_attr_len(nla) > pa->min)
			break;
		/* fall through */
	case NL_POL_FLAG:
	case NL_POL_RANGE:
		ret = check_size(pol, pa, nla, at, err);
		break;
	case NL_POL_STRING:
		ret = check_string(pol, pa, nla, at, err);
		break;
	case NL_POL_NESTED:
		ret = mode.deep ? check_nested(pol, nla, origin, err) : 0;
		break;
	}
	if (ret < 0)
		return ret;
	if (tb[type] && !mode.liberal)
		return errmsg_set(err, -EINVAL, at, "%s attribute %s (%u) appears twice",
				  pol->name, pa->name, type);
	return 1;
}

/* What most attributes are: a size the table allows, seen once. Anything
 * else takes check_attr(), which says why it is wrong (or that it is fine). */
static inline bool plain_ok(const struct nl_policy *pol, uint16_t type, uint16_t nla_len,
			    const struct nlattr **tb)
{
	unsigned int plen = nla_len - NLA_HDRLEN;
	const struct nl_pol_attr *pa;

	if (type > pol->max_type)
		return false;
	pa = &pol->attrs[type];
	return (pa->kind == NL_POL_EXACT || pa->kind == NL_POL_RANGE || pa->kind == NL_POL_FLAG) &&
	       plen >= pa->min && plen <= pa->max && tb[type] == NULL;
}

static int parse(const struct nl_policy *pol, const void *data, size_t len,
		 const struct nlattr **tb, uint64_t *present, struct pmode mode, const void *origin,
		 struct errmsg *err)
{
	const uint8_t *p = data;
	uint64_t bits = 0;
	size_t pos = 0;

	if (origin == NULL)
		origin = data;
	memset(tb, 0, (pol->max_type + 1u) * sizeof(*tb));
	*present = 0;
	if ((uintptr_t)p % NLA_ALIGNTO != 0)
		return errmsg_set(err, -EINVAL, ofs_of(p, origin),
				  "%s attributes: buffer is not 4-byte aligned", pol->name);
	while (pos < len) {
		const struct nlattr *nla = (const void *)(p + pos);
		uint16_t type;

		if (!nl_attr_ok(nla, len - pos))
			return header_error(pol, nla, len - pos, origin, err);
		type = nl_attr_type(nla);
		if (!plain_ok(pol, type, nla->nla_len, tb)) {
			int ret = check_attr(pol, nla, tb, mode, origin, err);

			if (ret < 0)
				return ret;
			if (ret == 0)
				goto next;
		}
		tb[type] = nla;
		bits |= (uint64_t)(type < 64) << (type & 63);
next:
		/* The last attribute's padding may be missing, as in the kernel. */
		pos += NLA_ALIGN(nla->nla_len);
	}
	*present = bits;
	return 0;
}

/* ---- the layout memo ---- */

static uint8_t mode_bits(struct pmode mode)
{
	return (uint8_t)(1u | (mode.deep ? 2u : 0u) | (mode.liberal ? 4u : 0u));
}

static uint32_t header_word(const struct nlattr *nla)
{
	uint32_t w;

	memcpy(&w, nla, sizeof(w));
	return w;
}

/* Index a stream whose length and headers are the memo's, as parse()
 * did for the stream the memo was taken from; false when they are not.
 * Headers are checked and indexed in one pass: on a mismatch tb[] is
 * half filled, and parse(), which the caller runs then, clears it first. */
static bool memo_replay(const struct nl_layout_memo *lm, const struct nl_policy *pol,
			struct pmode mode, const uint8_t *p, size_t len, const struct nlattr **tb,
			uint64_t *present)
{
	if (len == 0 || lm->len != len || lm->pol != pol || lm->mode != mode_bits(mode) ||
	    (uintptr_t)p % NLA_ALIGNTO != 0)
		return false;
	memset(tb, 0, (pol->max_type + 1u) * sizeof(*tb));
	for (unsigned int i = 0; i < lm->n; i++) {
		const struct nlattr *nla = (const void *)(p + lm->ofs[i]);

		if (header_word(nla) != lm->hdr[i])
			return false;
		if (lm->idx[i] != NL_LAYOUT_SKIPPED)
			tb[lm->idx[i]] = nla;
	}
	*present = lm->present;
	return true;
}

/* Whether parse()'s verdict on this attribute reads its payload: strings
 * always, nested streams when deep. */
static bool payload_decides(const struct nl_policy *pol, uint16_t type, struct pmode mode)
{
	uint8_t kind = type <= pol->max_type ? pol->attrs[type].kind : NL_POL_NONE;

	return kind == NL_POL_STRING || (kind == NL_POL_NESTED && mode.deep);
}

/* Keep the layout of a stream parse() just accepted into tb[], unless
 * its verdict read a payload or it has too many attributes. */
static void memo_take(struct nl_layout_memo *lm, const struct nl_policy *pol, struct pmode mode,
		      const uint8_t *p, size_t len, const struct nlattr **tb, uint64_t present)
{
	size_t pos = 0;
	unsigned int n = 0;

	lm->len = 0;
	if (len == 0 || len > UINT32_MAX)
		return;
	while (pos < len) {
		const struct nlattr *nla = (const void *)(p + pos);
		uint16_t type = nl_attr_type(nla);

		if (n == NL_LAYOUT_MAX || payload_decides(pol, type, mode))
			return;
		lm->ofs[n] = (uint32_t)pos;
		lm->hdr[n] = header_word(nla);
		/* Not indexed: skipped, or a repeat that a later one
		 * replaced (liberal mode); the later one is indexed. */
		lm->idx[n] = type <= pol->max_type && tb[type] == nla ? type : NL_LAYOUT_SKIPPED;
		n++;
		pos += NLA_ALIGN(nla->nla_len);
	}
	lm->n = (uint8_t)n;
	lm->pol = pol;
	lm->mode = mode_bits(mode);
	lm->present = present;
	lm->len = (uint32_t)len;
}

static int parse_memo(const struct nl_policy *pol, struct nl_layout_memo *lm, const void *data,
		      size_t len, const struct nlattr **tb, uint64_t *present, struct pmode mode,
		      const void *origin, struct errmsg *err)
{
	int ret;

	if (memo_replay(lm, pol, mode, data, len, tb, present))
		return 0;
	ret = parse(pol, data, len, tb, present, mode, origin, err);
	if (ret == 0)
		memo_take(lm, pol, mode, data, len, tb, *present);
	return ret;
}

int nl_policy_parse_bits_memo(const struct nl_policy *pol, struct nl_layout_memo *memo,
			      const void *data, size_t len, const struct nlattr **tb,
			      uint64_t *present, const void *origin, struct errmsg *err)
{
	return parse_memo(pol, memo, data, len, tb, present, (struct pmode){ .deep = true },
			  origin, err);
}

int nl_policy_parse_genl_memo(const struct nl_policy *pol, struct nl_layout_memo *memo,
			      const void *data, size_t len, const struct nlattr **tb, bool deep,
			      const void *origin, struct errmsg *err)
{
	uint64_t present;

	return parse_memo(pol, memo, data, len, tb, &present,
			  (struct pmode){ .deep = deep, .liberal = true }, origin, err);
}

/* ---- entry points ---- */

int nl_policy_parse(const struct nl_policy *pol, const void *data, size_t len,
		    const struct nlattr **tb, const void *origin, struct errmsg *err)
{
	uint64_t present;

	return parse(pol, data, len, tb, &present, (struct pmode){ .deep = true }, origin, err);
}

int nl_policy_parse_genl(const struct nl_policy *pol, const void *data, size_t len,
			 const struct nlattr **tb, bool deep, const void *origin, struct errmsg *err)
{
	uint64_t present;

	return parse(pol, data, len, tb, &present, (struct pmode){ .deep = deep, .liberal = true },
		     origin, err);
}

int nl_policy_parse_bits(const struct nl_policy *pol, const void *data, size_t len,
			 const struct nlattr **tb, uint64_t *present, const void *origin,
			 struct errmsg *err)
{
	return parse(pol, data, len, tb, present, (struct pmode){ .deep = true }, origin, err);
}

int nl_policy_parse_shallow(const struct nl_policy *pol, const void *data, size_t len,
			    const struct nlattr **tb, const void *origin, struct errmsg *err)
{
	uint64_t present;

	return parse(pol, data, len, tb, &present, (struct pmode){ .deep = false }, origin, err);
}
