/* SPDX-License-Identifier: BSD-3-Clause */
/* Key decoding, shared between its two files; not an API. */
#ifndef ODP_KEY_INTERNAL_H
#define ODP_KEY_INTERNAL_H

#include "odp_internal.h"
#include "odp_key.h"

/* Where a decode reports from. */
struct dctx {
	const void *origin;              /* offsets count from here */
	const struct nlattr *container;  /* KEY or MASK: blamed when nothing else is */
	const char *what;                /* "key", "mask" or "implied exact mask" */
	struct errmsg *err;
};

/* A key or mask stream, indexed by type, with its VLAN layers unwrapped:
 * the attributes inside ENCAP land in a[] too (a type may appear once). */
struct kattrs {
	const struct nlattr *a[OVS_KEY_ATTR_MAX + 1];
	uint64_t bits;     /* KBIT(t) for each a[t] set */
	const struct nlattr *tpid[2], *tci[2];  /* ETHERTYPE and VLAN of each tag */
	int tags;          /* tags unwrapped, 0..2 */
	int truncated;     /* level of a cut-short tag (TCI 0), or -1 */
	bool is_mask;
};

/* Forget the key and mask stream layouts odp_kattrs_parse() keeps. */
void odp_layout_memo_clear(void);
int odp_kattrs_parse(const struct dctx *c, struct kattrs *ka, const void *data, size_t len,
		     bool is_mask);
int odp_kattrs_unwrap_key(const struct dctx *c, struct kattrs *ka);
int odp_kattrs_unwrap_mask(const struct dctx *c, struct kattrs *km, const struct kattrs *ka);

/* Fill 'k' from the attributes: metadata (in_port, ct_*, tunnel, ...),
 * then Ethernet, VLANs, eth_type, L3 and L4. For a mask, IN_PORT and
 * ETHERTYPE read as all-ones and the TCIs default to all-ones. */
int odp_fill_metadata(const struct dctx *c, const struct kattrs *ka, struct flow_key *k,
		      bool *has_ttl);
int odp_fill_packet_fields(const struct dctx *c, const struct kattrs *ka, struct flow_key *k);

#endif /* ODP_KEY_INTERNAL_H */
