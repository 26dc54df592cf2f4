/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nl_policy: check a netlink attribute stream against a declared table and
 * index it by type, the way the kernel's nla_parse() does with a policy:
 * strict (unknown types, duplicates and wrong sizes are errors), or
 * liberal as the genl layer's non-strict operations (nl_policy_parse_genl).
 *
 * A policy is a table indexed by attribute type. Each entry says what the
 * payload must look like (exact size, size range, flag, nested stream,
 * NUL-terminated string) or that the type is known but not implemented
 * here (-EOPNOTSUPP), or that it is padding to skip (the kernel's *_PAD).
 *
 * The OVS families' request and reply attributes are declared below as the
 * kernel's net/openvswitch/datapath.c declares them (plus the reply-only
 * attributes, with their sizes), for the control server and the client.
 *
 * Error reporting: every failure returns a negative errno and records in
 * 'err' a reason naming the attribute and the byte offset of the offending
 * attribute, counted from 'origin' (pass the nlmsghdr to get the offset the
 * extended ack wants; NULL counts from 'data').
 *
 * Buffers must be 4-byte aligned, as any netlink buffer is (-EINVAL if not).
 * Thread safety: reentrant; the tables are constant.
 */
#ifndef NL_POLICY_H
#define NL_POLICY_H

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errmsg.h"
#include "nl_attr.h"  /* the accessors: nl_attr_type(), nl_attr_u32(), ... */

enum nl_pol_kind {
	NL_POL_NONE = 0,     /* not in the table: unknown type, -EINVAL */
	NL_POL_EXACT,        /* payload of exactly 'min' bytes */
	NL_POL_RANGE,        /* payload of 'min'..'max' bytes */
	NL_POL_FLAG,         /* no payload */
	NL_POL_NESTED,       /* payload empty or a well-formed attribute stream */
	NL_POL_STRING,       /* NUL-terminated, 'max' bytes at most with the NUL */
	NL_POL_UNSUPPORTED,  /* known to the protocol, not to us: -EOPNOTSUPP */
	NL_POL_PAD,          /* padding: any size, may repeat, not indexed */
};

struct nl_pol_attr {
	uint8_t kind;        /* enum nl_pol_kind */
	uint16_t min, max;
	const char *name;    /* used in error reasons */
};

struct nl_policy {
	const char *name;    /* what the stream is, e.g. "flow" */
	uint16_t max_type;   /* the table has max_type + 1 entries */
	const struct nl_pol_attr *attrs;
};

/* Table entry initialisers. */
#define NL_POL_EXACT_LEN(n, nm) { NL_POL_EXACT, (n), (n), (nm) }
#define NL_POL_U8(nm) NL_POL_EXACT_LEN(1, nm)
#define NL_POL_U16(nm) NL_POL_EXACT_LEN(2, nm)
#define NL_POL_U32(nm) NL_POL_EXACT_LEN(4, nm)
#define NL_POL_U64(nm) NL_POL_EXACT_LEN(8, nm)
#define NL_POL_MIN_LEN(n, nm) { NL_POL_RANGE, (n), UINT16_MAX, (nm) }
#define NL_POL_RANGE_LEN(lo, hi, nm) { NL_POL_RANGE, (lo), (hi), (nm) }
#define NL_POL_FLAG_ATTR(nm) { NL_POL_FLAG, 0, 0, (nm) }
#define NL_POL_NESTED_ATTR(nm) { NL_POL_NESTED, 0, UINT16_MAX, (nm) }
#define NL_POL_STRING_ATTR(max, nm) { NL_POL_STRING, 1, (max), (nm) }
#define NL_POL_UNSUPPORTED_ATTR(nm) { NL_POL_UNSUPPORTED, 0, 0, (nm) }
/* Unsupported, with the size the protocol gives it (n bytes, or any), for
 * tables that printers read too; the parser refuses it whatever its size. */
#define NL_POL_UNSUPPORTED_LEN(n, nm) { NL_POL_UNSUPPORTED, (n), (n), (nm) }
#define NL_POL_UNSUPPORTED_VAR(nm) { NL_POL_UNSUPPORTED, 0, UINT16_MAX, (nm) }
#define NL_POL_PAD_ATTR(nm) { NL_POL_PAD, 0, UINT16_MAX, (nm) }

/*
 * Walk the 'len' bytes at 'data' as attributes, check each against 'pol'
 * and store a pointer to each in tb[type] (tb has pol->max_type + 1
 * entries, all set by this call; absent types are NULL).
 *
 * Errors, all -EINVAL unless noted: buffer misaligned; trailing bytes too
 * few for an attribute header; nla_len < 4; nla_len past the end; type
 * unknown (0, above max_type, or not in the table); type seen twice; size
 * not what the table says; string without its NUL or too long; nested
 * payload that is not an attribute stream; type known but unsupported
 * (-EOPNOTSUPP).
 */
int nl_policy_parse(const struct nl_policy *pol, const void *data, size_t len,
		    const struct nlattr **tb, const void *origin, struct errmsg *err);

/* nl_policy_parse(), and '*present' gets bit t for each type t < 64 that
 * tb[] holds (so that a caller walks what is there, not the whole table). */
int nl_policy_parse_bits(const struct nl_policy *pol, const void *data, size_t len,
			 const struct nlattr **tb, uint64_t *present, const void *origin,
			 struct errmsg *err);

/*
 * nl_policy_parse() without looking inside nested attributes (their
 * payload is not checked to be an attribute stream). For a caller that
 * walks every nested attribute it goes on to use, and that on any later
 * failure asks nl_policy_parse() first, whose reason then wins: errors
 * come out as with nl_policy_parse(), and a request that succeeds reads
 * each nested stream once instead of twice.
 */
int nl_policy_parse_shallow(const struct nl_policy *pol, const void *data, size_t len,
			    const struct nlattr **tb, const void *origin, struct errmsg *err);

/*
 * A generic-netlink family's top-level attributes, as the kernel's genl
 * layer parses them for operations marked GENL_DONT_VALIDATE_STRICT (every
 * OVS family's): a type the table does not know (above max_type, or no
 * entry) is skipped, a type given twice is indexed at its last occurrence,
 * a fixed-size type takes a longer payload. Sizes below what the table
 * says, broken headers, strings and (when 'deep') nested streams are
 * checked as by nl_policy_parse(); NL_POL_UNSUPPORTED types stay
 * -EOPNOTSUPP. Key and action streams are not top-level: they are parsed
 * strictly, as the kernel's flow_netlink.c does.
 */
int nl_policy_parse_genl(const struct nl_policy *pol, const void *data, size_t len,
			 const struct nlattr **tb, bool deep, const void *origin, struct errmsg *err);

/*
 * The layout of the last stream a memo parse accepted: its length and its
 * attributes' headers. Whether a stream passes a policy, and which
 * attribute lands in which tb[] entry, follows from those alone unless
 * the policy reads a payload (a string; a nested stream when deep), so a
 * stream with the same length and the same headers at the same places is
 * indexed from the memo, without the per-attribute checks: bulk requests
 * repeat one layout with other values. Only accepted streams whose
 * payloads did not decide are kept, so every error still comes from the
 * full parse. Zero-initialise it (static storage is); zeroing forgets.
 * Not shared between threads.
 */
#define NL_LAYOUT_MAX 16
#define NL_LAYOUT_SKIPPED UINT16_MAX
struct nl_layout_memo {
	const struct nl_policy *pol;  /* what it was parsed with */
	uint32_t len;                 /* the stream's bytes; 0: empty memo */
	uint8_t mode;
	uint8_t n;                    /* attributes */
	uint64_t present;
	uint32_t hdr[NL_LAYOUT_MAX];  /* each attribute's header, as a word */
	uint32_t ofs[NL_LAYOUT_MAX];  /* and its offset in the stream */
	uint16_t idx[NL_LAYOUT_MAX];  /* the tb[] entry it fills, or SKIPPED */
};

/* nl_policy_parse_bits() and nl_policy_parse_genl() through 'memo': the
 * same outcome, errors included. */
int nl_policy_parse_bits_memo(const struct nl_policy *pol, struct nl_layout_memo *memo,
			      const void *data, size_t len, const struct nlattr **tb,
			      uint64_t *present, const void *origin, struct errmsg *err);
int nl_policy_parse_genl_memo(const struct nl_policy *pol, struct nl_layout_memo *memo,
			      const void *data, size_t len, const struct nlattr **tb, bool deep,
			      const void *origin, struct errmsg *err);

/* The OVS generic-netlink families (request and reply attributes) and the
 * generic-netlink controller's. */
extern const struct nl_policy nl_policy_ovs_datapath;
extern const struct nl_policy nl_policy_ovs_vport;
extern const struct nl_policy nl_policy_ovs_flow;
extern const struct nl_policy nl_policy_ovs_packet;
extern const struct nl_policy nl_policy_genl_ctrl;

#endif /* NL_POLICY_H */
