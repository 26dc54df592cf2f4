/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A parsed match through the netlink codec, as a flow from a client would
 * come (include/odp_text.h: odp_match_check): the client before it sends
 * a flow, the daemon for each line of a --flows file.
 */
#include <errno.h>
#include <stddef.h>

#include "odp_key.h"
#include "odp_text.h"

/* What a field needs before it may be matched, by key offset (first byte
 * of each range), for the reason of a match that loses a field. */
static const struct {
	uint16_t start;
	const char *need;
} prereqs[] = {
	{ offsetof(struct flow_key, ip_proto),
	  "IP and ARP fields need eth_type matched exactly (0x0800, 0x86dd, 0x0806)" },
	{ offsetof(struct flow_key, tp_flags),
	  "TCP/UDP/SCTP/ICMP fields need eth_type and ip proto matched exactly" },
	{ offsetof(struct flow_key, vlan), "vlan() needs its eth_type and an encap()" },
	{ offsetof(struct flow_key, ipv4),
	  "addresses need eth_type matched exactly (nd() also icmpv6 type 135/136)" },
	{ offsetof(struct flow_key, ct_labels), "ct_label is not supported here" },
};

/* The prerequisite of the first byte the codec's (key, mask) does not
 * match as the parsed one did. */
static const char *lost_field(const struct odp_match *m, const struct flow_key *key,
			      const struct flow_key *mask)
{
	const uint8_t *wm = (const uint8_t *)&m->mask, *wk = (const uint8_t *)&m->key;
	const uint8_t *gm = (const uint8_t *)mask, *gk = (const uint8_t *)key;
	const char *need = "a field lacks what it depends on";

	for (size_t i = 0; i < sizeof(*mask); i++) {
		for (size_t r = 0; r < sizeof(prereqs) / sizeof(prereqs[0]); r++)
			if (i == prereqs[r].start)
				need = prereqs[r].need;
		if ((wm[i] & ~gm[i]) || ((wk[i] ^ gk[i]) & wm[i]))
			return need;
	}
	return need;
}

static int lost_error(const struct odp_match *m, const struct flow_key *key,
		      const struct flow_key *mask, struct errmsg *err)
{
	struct flow_key masked;
	struct strbuf sb;
	int ret;

	flow_key_mask_apply(&masked, key, mask);
	strbuf_init(&sb);
	odp_flow_format(&sb, &masked, mask, false);
	ret = errmsg_set(err, -EINVAL, -1,
			 "prerequisites missing: %s; the flow would be %s",
			 lost_field(m, key, mask), sb.s);
	strbuf_free(&sb);
	return ret;
}

int odp_match_check(const struct odp_match *m, struct flow_key *out_key,
		    struct flow_key *out_mask, struct errmsg *err)
{
	struct flow_key key, mask;
	struct nlbuf b;
	int ret;

	nlbuf_init(&b, 512);
	size_t key_ofs = b.len;
	odp_match_encode_key(&b, &m->key, &m->mask);
	size_t mask_ofs = b.len;
	odp_match_encode_mask(&b, &m->key, &m->mask);
	ret = odp_match_decode_unmasked(nlbuf_at(&b, key_ofs), nlbuf_at(&b, mask_ofs), NULL, &key,
					&mask, err);
	nlbuf_free(&b);
	if (ret < 0)
		return ret;
	if (!flow_match_covers(&key, &mask, &m->key, &m->mask))
		return lost_error(m, &key, &mask, err);
	if (out_key)
		*out_key = key;
	if (out_mask)
		*out_mask = mask;
	return 0;
}
