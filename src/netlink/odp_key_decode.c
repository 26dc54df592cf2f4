/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow matches and packet keys from netlink: the kernel's
 * ovs_nla_get_match() (key, then mask or an exact mask built from the key,
 * then match_validate()) and ovs_nla_get_flow_metadata().
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>

#include "odp_key_internal.h"

/* Attributes that are not packet headers: allowed in any key. */
#define META_BITS (KBIT(OVS_KEY_ATTR_PRIORITY) | KBIT(OVS_KEY_ATTR_IN_PORT) | \
		   KBIT(OVS_KEY_ATTR_SKB_MARK) | KBIT(OVS_KEY_ATTR_TUNNEL) | \
		   KBIT(OVS_KEY_ATTR_DP_HASH) | KBIT(OVS_KEY_ATTR_RECIRC_ID) | \
		   KBIT(OVS_KEY_ATTR_CT_STATE) | KBIT(OVS_KEY_ATTR_CT_ZONE) | \
		   KBIT(OVS_KEY_ATTR_CT_MARK) | KBIT(OVS_KEY_ATTR_CT_LABELS))
/* Header attributes whose mask needs prerequisites (match_validate). */
#define L3L4_BITS (KBIT(OVS_KEY_ATTR_IPV4) | KBIT(OVS_KEY_ATTR_IPV6) | \
		   KBIT(OVS_KEY_ATTR_TCP) | KBIT(OVS_KEY_ATTR_TCP_FLAGS) | \
		   KBIT(OVS_KEY_ATTR_UDP) | KBIT(OVS_KEY_ATTR_SCTP) | \
		   KBIT(OVS_KEY_ATTR_ICMP) | KBIT(OVS_KEY_ATTR_ICMPV6) | \
		   KBIT(OVS_KEY_ATTR_ARP) | KBIT(OVS_KEY_ATTR_ND) | KBIT(OVS_KEY_ATTR_MPLS))

static unsigned int first_bit(uint64_t bits)
{
	return (unsigned int)__builtin_ctzll(bits);
}

/* Attributes an IP key's L4 needs, from its protocol (ND aside). */
static uint64_t l4_bits(const struct flow_key *k, bool ipv4)
{
	switch (k->ip_proto) {
	case IPPROTO_TCP:
		return KBIT(OVS_KEY_ATTR_TCP) | KBIT(OVS_KEY_ATTR_TCP_FLAGS);
	case IPPROTO_UDP:
		return KBIT(OVS_KEY_ATTR_UDP);
	case IPPROTO_SCTP:
		return KBIT(OVS_KEY_ATTR_SCTP);
	case IPPROTO_ICMP:
		return ipv4 ? KBIT(OVS_KEY_ATTR_ICMP) : 0;
	case IPPROTO_ICMPV6:
		return ipv4 ? 0 : KBIT(OVS_KEY_ATTR_ICMPV6);
	default:
		return 0;
	}
}

/*
 * The kernel's match_validate() rules: '*expected' gets the header
 * attributes key 'k' must carry, '*allowed' those whose mask 'm' (NULL for
 * a packet key) may be non-zero because their prerequisites are exact.
 */
static void prerequisites(const struct flow_key *k, const struct flow_key *m, uint64_t *expected,
			  uint64_t *allowed)
{
	bool eth_exact = m && m->eth_type == 0xffff;
	bool proto_exact = m && m->ip_proto == 0xff;
	bool ipv4 = k->eth_type == htons(ETH_P_IP), ipv6 = k->eth_type == htons(ETH_P_IPV6);
	uint64_t exp = 0, allow = 0, l3 = 0, l4;

	if (k->eth_type == htons(ETH_P_ARP) || k->eth_type == htons(ETH_P_RARP))
		l3 = KBIT(OVS_KEY_ATTR_ARP);
	else if (eth_type_is_mpls(k->eth_type))
		l3 = KBIT(OVS_KEY_ATTR_MPLS);
	else if (ipv4)
		l3 = KBIT(OVS_KEY_ATTR_IPV4);
	else if (ipv6)
		l3 = KBIT(OVS_KEY_ATTR_IPV6);
	exp |= l3;
	if (eth_exact)
		allow |= l3;
	if ((ipv4 || ipv6) && k->ip_frag != OVS_FRAG_TYPE_LATER) {
		l4 = l4_bits(k, ipv4);
		exp |= l4;
		if (proto_exact)
			allow |= l4;
		if (ipv6 && k->ip_proto == IPPROTO_ICMPV6 &&
		    (k->tp_src == htons(ND_NS) || k->tp_src == htons(ND_NA))) {
			exp |= KBIT(OVS_KEY_ATTR_ND);
			if (m && m->tp_src == htons(0xff))
				allow |= KBIT(OVS_KEY_ATTR_ND);
		}
	}
	*expected = exp;
	*allowed = allow;
}

static const char *prereq_text(unsigned int type)
{
	switch (type) {
	case OVS_KEY_ATTR_IPV4:
		return "needs eth_type 0x0800 matched exactly";
	case OVS_KEY_ATTR_IPV6:
		return "needs eth_type 0x86dd matched exactly";
	case OVS_KEY_ATTR_ARP:
		return "needs eth_type 0x0806 or 0x8035 matched exactly";
	case OVS_KEY_ATTR_MPLS:
		return "needs eth_type 0x8847 or 0x8848 matched exactly";
	case OVS_KEY_ATTR_TCP:
	case OVS_KEY_ATTR_TCP_FLAGS:
		return "needs an IP flow, not a later fragment, with ip proto 6 matched exactly";
	case OVS_KEY_ATTR_UDP:
		return "needs an IP flow, not a later fragment, with ip proto 17 matched exactly";
	case OVS_KEY_ATTR_SCTP:
		return "needs an IP flow, not a later fragment, with ip proto 132 matched exactly";
	case OVS_KEY_ATTR_ICMP:
		return "needs an IPv4 flow, not a later fragment, with ip proto 1 matched exactly";
	case OVS_KEY_ATTR_ICMPV6:
		return "needs an IPv6 flow, not a later fragment, with ip proto 58 matched exactly";
	case OVS_KEY_ATTR_ND:
		return "needs an ICMPv6 flow with icmp type 135 or 136 matched exactly";
	default:
		return "the key has no such attribute";
	}
}

static int check_expected(const struct dctx *c, const struct flow_key *k, uint64_t key_bits,
			  uint64_t expected)
{
	uint64_t missing = expected & ~key_bits;

	if (missing == 0)
		return 0;
	return errmsg_set(c->err, -EINVAL, odp_ofs(c->container, c->origin),
			  "key with eth_type 0x%04x, ip proto %u lacks the %s attribute",
			  ntohs(k->eth_type), k->ip_proto, odp_key_attr_name(first_bit(missing)));
}

/* The attributes a mask may set: the key's metadata and L2, and the L3/L4
 * headers whose prerequisites are exact ('allowed'). */
static uint64_t mask_bits_ok(uint64_t key_bits, uint64_t allowed)
{
	return (key_bits & ~L3L4_BITS) | allowed | KBIT(OVS_KEY_ATTR_TUNNEL) |
	       KBIT(OVS_KEY_ATTR_IN_PORT) | KBIT(OVS_KEY_ATTR_ETHERTYPE);
}

static int check_mask_allowed(const struct dctx *c, const struct kattrs *km, uint64_t key_bits,
			      uint64_t allowed)
{
	uint64_t bad = km->bits & ~mask_bits_ok(key_bits, allowed);
	unsigned int t;

	if (bad == 0)
		return 0;
	t = first_bit(bad);
	return errmsg_set(c->err, -EINVAL, odp_ofs(km->a[t], c->origin),
			  "%s attribute %s is not allowed: %s", c->what, odp_key_attr_name(t),
			  prereq_text(t));
}

/* Decode and check a key stream into 'k' ('ka' keeps its attributes). */
static int decode_key(const struct dctx *c, const struct nlattr *nla, struct kattrs *ka,
		      struct flow_key *k, bool *has_ttl)
{
	int ret = odp_kattrs_parse(c, ka, nl_attr_data(nla), nl_attr_len(nla), false);

	if (ret == 0)
		ret = odp_kattrs_unwrap_key(c, ka);
	if (ret == 0)
		ret = odp_fill_metadata(c, ka, k, has_ttl);
	if (ret == 0)
		ret = odp_fill_packet_fields(c, ka, k);
	return ret;
}

static int decode_mask(const struct dctx *c, const void *data, size_t len, const struct kattrs *ka,
		       struct kattrs *km, struct flow_key *m)
{
	bool unused_ttl;
	int ret = odp_kattrs_parse(c, km, data, len, true);

	if (ret == 0)
		ret = odp_kattrs_unwrap_mask(c, km, ka);
	if (ret == 0)
		ret = odp_fill_metadata(c, km, m, &unused_ttl);
	if (ret == 0)
		ret = odp_fill_packet_fields(c, km, m);
	return ret;
}

/* Set every payload byte of a (validated) key stream to 0xff: the mask the
 * kernel builds when no MASK is given (mask_set_nlattr). */
static void set_all_ones(uint8_t *p, size_t len, bool tunnel)
{
	size_t pos = 0;

	while (pos + NLA_HDRLEN <= len) {
		struct nlattr *nla = (void *)(p + pos);
		uint16_t type = nl_attr_type(nla);

		if (nla->nla_len < NLA_HDRLEN || nla->nla_len > len - pos)
			return;
		if (!tunnel && type == OVS_KEY_ATTR_ENCAP)
			set_all_ones(nl_attr_data_rw(nla), nl_attr_len(nla), false);
		else if (!tunnel && type == OVS_KEY_ATTR_TUNNEL)
			set_all_ones(nl_attr_data_rw(nla), nl_attr_len(nla), true);
		else if (!tunnel && type == OVS_KEY_ATTR_CT_STATE)
			memcpy(nl_attr_data_rw(nla), &(uint32_t){ 0xff }, sizeof(uint32_t));
		else
			memset(nl_attr_data_rw(nla), 0xff, nl_attr_len(nla));
		pos += NLA_ALIGN(nla->nla_len);
	}
}

/*
 * The mask the kernel builds when no MASK is given: a copy of the KEY
 * attribute (header included, so offsets into it map back onto the key)
 * with every payload byte set. NULL when out of memory.
 */
static struct nlattr *exact_mask_copy(const struct nlattr *key)
{
	struct nlattr *copy = malloc(key->nla_len);

	if (copy == NULL)
		return NULL;
	memcpy(copy, key, key->nla_len);
	set_all_ones(nl_attr_data_rw(copy), nl_attr_len(copy), false);
	return copy;
}

/* What the implied mask adds to what its attributes say. */
static void exact_mask_fixup(const struct kattrs *ka, struct flow_key *m)
{
	if (ka->a[OVS_KEY_ATTR_TUNNEL]) {
		/* Tunnel fields the key leaves out are zero, and exact too. */
		memset(&m->tun, 0xff, sizeof(m->tun));
		m->tun.flags = TNL_FLAGS_ALL;
	}
	/* An 802.2 frame's eth_type is implied, yet exact (the kernel leaves
	 * it wildcarded; see docs/PROTOCOL.md). */
	m->eth_type = 0xffff;
}

/* The tunnel a flow matches: a key TUNNEL needs a TTL, and a destination
 * matched exactly must not be zero. */
static int check_tunnel_match(const struct dctx *c, const struct kattrs *ka,
			      const struct flow_key *k, const struct flow_key *m, bool has_ttl)
{
	const struct nlattr *nla = ka->a[OVS_KEY_ATTR_TUNNEL];

	if (nla == NULL)
		return 0;
	if (!has_ttl)
		return errmsg_set(c->err, -EINVAL, odp_ofs(nla, c->origin),
				  "tunnel: ttl not specified");
	if (m->tun.ipv4_dst == UINT32_MAX && k->tun.ipv4_dst == 0)
		return errmsg_set(c->err, -EINVAL, odp_ofs(nla, c->origin),
				  "tunnel: IPv4 destination missing or zero");
	return 0;
}

/*
 * The last mask decoded in this thread. Flows installed in bulk, and the
 * megaflows a controller sends, share a few masks, and a mask's decoding
 * (policy checks, all-zero attributes, fields) depends only on its bytes
 * once the key has no VLAN tag (the tags are what odp_kattrs_unwrap_mask()
 * reads from the key). Only masks that decoded without error are kept, so
 * a hit reproduces a success and every error comes from the full path.
 */
#define MASK_MEMO_MAX 256
struct mask_memo {
	uint32_t len;                /* payload bytes; 0: empty memo */
	uint64_t bits;               /* the decoded attributes' KBIT()s */
	struct flow_key m;
	uint8_t payload[MASK_MEMO_MAX];
};
static _Thread_local struct mask_memo mask_memo;

static bool memo_applies(const struct kattrs *ka, size_t len)
{
	return ka->tags == 0 && ka->truncated < 0 && len > 0 && len <= MASK_MEMO_MAX;
}

/* The memo's decoded mask when its bytes are these, else NULL. */
static const struct mask_memo *memo_find(const struct kattrs *ka, const void *data, size_t len)
{
	if (!memo_applies(ka, len) || mask_memo.len != len || memcmp(mask_memo.payload, data, len))
		return NULL;
	return &mask_memo;
}

static void memo_store(const struct kattrs *ka, const void *data, size_t len,
		       const struct flow_key *m, uint64_t bits)
{
	if (!memo_applies(ka, len))
		return;
	memcpy(mask_memo.payload, data, len);
	mask_memo.len = (uint32_t)len;
	mask_memo.m = *m;
	mask_memo.bits = bits;
}

void odp_mask_memo_clear(void)
{
	mask_memo.len = 0;
	odp_layout_memo_clear();
}

/* A given mask whose bytes match the memo: its decoded fields, and the
 * prerequisite check, which depends on the key (*expected: the header
 * attributes the key must carry). Returns 1 when the memo answered, 0
 * when the full path must run (a miss, or a check that fails, whose error
 * the full path words). */
static int mask_from_memo(const struct nlattr *mask, const struct kattrs *ka,
			  const struct flow_key *k, struct flow_key *m, uint64_t *expected)
{
	const struct mask_memo *memo = memo_find(ka, nl_attr_data(mask), nl_attr_len(mask));
	uint64_t allowed;

	if (memo == NULL)
		return 0;
	prerequisites(k, &memo->m, expected, &allowed);
	if (memo->bits & ~mask_bits_ok(ka->bits, allowed))
		return 0;
	*m = memo->m;
	return 1;
}

/* Decode and check the mask (given, or implied by the key when NULL);
 * *expected: the header attributes the key must carry. */
static int mask_phase(const struct dctx *kc, const struct nlattr *key, const struct nlattr *mask,
		      const struct kattrs *ka, const struct flow_key *k, struct flow_key *m,
		      uint64_t *expected)
{
	struct nlattr *copy = mask ? NULL : exact_mask_copy(key);
	const struct nlattr *nla = mask ? mask : copy;
	struct dctx mc = { .origin = kc->origin, .container = mask, .what = "mask", .err = kc->err };
	bool had_error = kc->err && kc->err->err;
	uint64_t allowed;
	struct kattrs km;
	int ret;

	if (nla == NULL)
		return errmsg_set(kc->err, -ENOMEM, -1, "out of memory for the exact mask");
	if (copy) {
		mc.origin = copy;
		mc.container = copy;
		mc.what = "implied exact mask";
	}
	ret = decode_mask(&mc, nl_attr_data(nla), nl_attr_len(nla), ka, &km, m);
	if (ret == 0 && copy)
		exact_mask_fixup(ka, m);
	if (ret == 0) {
		prerequisites(k, m, expected, &allowed);
		ret = check_mask_allowed(&mc, &km, ka->bits, allowed);
	}
	if (ret == 0 && mask)
		memo_store(ka, nl_attr_data(mask), nl_attr_len(mask), m, km.bits);
	/* Errors in the implied mask are the key's: point at its bytes. */
	if (ret < 0 && copy && kc->err && !had_error && kc->err->offset >= 0)
		kc->err->offset += odp_ofs(key, kc->origin);
	free(copy);
	return ret;
}

static int match_decode(const struct nlattr *key, const struct nlattr *mask, const void *origin,
			struct flow_key *k, struct flow_key *m, struct errmsg *err)
{
	struct dctx kc = { .origin = origin ? origin : (const void *)key, .container = key,
			   .what = "key", .err = err };
	struct kattrs ka;
	uint64_t expected;
	bool has_ttl;
	int ret = decode_key(&kc, key, &ka, k, &has_ttl);

	if (ret == 0 && !(mask && mask_from_memo(mask, &ka, k, m, &expected)))
		ret = mask_phase(&kc, key, mask, &ka, k, m, &expected);
	if (ret < 0)
		return ret;
	ret = check_expected(&kc, k, ka.bits, expected);
	if (ret == 0)
		ret = check_tunnel_match(&kc, &ka, k, m, has_ttl);
	return ret;
}

int odp_match_decode(const struct nlattr *key, const struct nlattr *mask, const void *origin,
		     struct flow_key *out_key, struct flow_key *out_mask, struct errmsg *err)
{
	int ret = odp_match_decode_unmasked(key, mask, origin, out_key, out_mask, err);

	if (ret == 0)
		flow_key_mask_apply(out_key, out_key, out_mask);
	return ret;
}

int odp_match_decode_unmasked(const struct nlattr *key, const struct nlattr *mask,
			      const void *origin, struct flow_key *out_key,
			      struct flow_key *out_mask, struct errmsg *err)
{
	int ret;

	/* Straight into the outputs, not through copies (every flow request
	 * comes here): a failure zeroes them again, whatever was filled. */
	flow_key_zero(out_key);
	flow_key_zero(out_mask);
	ret = odp_check_container(key, origin, "key", err);
	if (ret == 0 && mask)
		ret = odp_check_container(mask, origin, "mask", err);
	if (ret == 0)
		ret = match_decode(key, mask, origin, out_key, out_mask, err);
	if (ret < 0) {
		flow_key_zero(out_key);
		flow_key_zero(out_mask);
	}
	return ret;
}

static int key_decode(const struct nlattr *key, const void *origin, struct flow_key *k,
		      struct errmsg *err)
{
	struct dctx c = { .origin = origin ? origin : (const void *)key, .container = key,
			  .what = "key", .err = err };
	struct kattrs ka;
	uint64_t expected, allowed, extra;
	bool has_ttl;
	int ret = decode_key(&c, key, &ka, k, &has_ttl);

	if (ret < 0)
		return ret;
	prerequisites(k, NULL, &expected, &allowed);
	ret = check_expected(&c, k, ka.bits, expected);
	if (ret < 0)
		return ret;
	/* A packet's key carries exactly the headers its types imply, so that
	 * it encodes back to the same attributes. */
	extra = ka.bits & ~(META_BITS | KBIT(OVS_KEY_ATTR_ETHERNET) |
				   KBIT(OVS_KEY_ATTR_ETHERTYPE) | expected);
	if (extra)
		return errmsg_set(err, -EINVAL, odp_ofs(ka.a[first_bit(extra)], c.origin),
				  "key attribute %s does not fit eth_type 0x%04x, ip proto %u",
				  odp_key_attr_name(first_bit(extra)), ntohs(k->eth_type), k->ip_proto);
	if (ka.a[OVS_KEY_ATTR_TUNNEL])
		ret = odp_tunnel_check_egress(ka.a[OVS_KEY_ATTR_TUNNEL], c.origin, &k->tun, has_ttl,
					      err);
	return ret;
}

int odp_key_decode(const struct nlattr *key, const void *origin, struct flow_key *out,
		   struct errmsg *err)
{
	int ret;

	memset(out, 0, sizeof(*out));
	ret = odp_check_container(key, origin, "key", err);
	if (ret == 0)
		ret = key_decode(key, origin, out, err);
	if (ret < 0)
		memset(out, 0, sizeof(*out));
	return ret;
}

int odp_key_decode_metadata(const struct nlattr *key, const void *origin, struct flow_key *out,
			    struct errmsg *err)
{
	struct dctx c = { .origin = origin ? origin : (const void *)key, .container = key,
			  .what = "key", .err = err };
	struct kattrs ka;
	bool has_ttl;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = odp_check_container(key, origin, "key", err);
	if (ret == 0)
		ret = odp_kattrs_parse(&c, &ka, nl_attr_data(key), nl_attr_len(key), false);
	if (ret == 0)
		ret = odp_fill_metadata(&c, &ka, out, &has_ttl);
	if (ret == 0 && ka.a[OVS_KEY_ATTR_TUNNEL])
		ret = odp_tunnel_check_egress(ka.a[OVS_KEY_ATTR_TUNNEL], c.origin, &out->tun,
					      has_ttl, err);
	if (ret < 0)
		memset(out, 0, sizeof(*out));
	return ret;
}
