/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Key and mask attribute streams into struct flow_key fields: the VLAN
 * layers (ETHERTYPE + VLAN + ENCAP), then metadata, L2, L3 and L4 fields,
 * with the kernel's per-field checks (net/openvswitch/flow_netlink.c:
 * parse_vlan_from_nlattrs, metadata_from_nlattrs, ovs_key_from_nlattrs).
 */
#include <errno.h>
#include <netinet/in.h>

#include "odp_key_internal.h"

static bool all_zero(const struct nlattr *nla)
{
	return odp_bytes_zero(nl_attr_data(nla), nl_attr_len(nla));
}

static void kattrs_drop(struct kattrs *ka, unsigned int type)
{
	ka->a[type] = NULL;
	ka->bits &= ~KBIT(type);
}

/* Index one stream's attributes into 'ka', refusing a type seen at an
 * outer level too. Mask attributes that are all zero count as absent, as
 * in the kernel (parse_flow_mask_nlattrs). Only the types present are
 * visited, in increasing order (the first duplicate reported is the
 * lowest type). */
static int parse_stream(const struct dctx *c, struct kattrs *ka, const void *data, size_t len)
{
	const struct nlattr *tb[OVS_KEY_ATTR_MAX + 1];
	uint64_t present;
	int ret = nl_policy_parse_bits(&odp_key_policy, data, len, tb, &present, c->origin,
				       c->err);

	if (ret < 0)
		return ret;
	for (; present; present &= present - 1) {
		unsigned int t = (unsigned int)__builtin_ctzll(present);

		/* An empty ENCAP still says "this tag's inside is wildcarded". */
		if (ka->is_mask && t != OVS_KEY_ATTR_ENCAP && all_zero(tb[t]))
			continue;
		if (ka->a[t])
			return errmsg_set(c->err, -EINVAL, odp_ofs(tb[t], c->origin),
					  "%s attribute %s appears twice (inside and outside encap)",
					  c->what, odp_key_attr_name(t));
		ka->a[t] = tb[t];
		ka->bits |= KBIT(t);
	}
	return 0;
}

/* The last outermost key and mask stream layouts of this thread: the
 * flows of a bulk install, and a controller's megaflows, share a few. */
static _Thread_local struct nl_layout_memo layout_memo[2];

void odp_layout_memo_clear(void)
{
	memset(layout_memo, 0, sizeof(layout_memo));
}

/*
 * The outermost stream is indexed straight into ka->a (nothing can be
 * there twice yet). No memset of the struct: GCC's corei7 tuning inlines
 * a constant-size memset of this size as "rep stos", which costs 3-4
 * times a call on current CPUs, twice for every flow request.
 */
int odp_kattrs_parse(const struct dctx *c, struct kattrs *ka, const void *data, size_t len,
		     bool is_mask)
{
	uint64_t present;
	int ret;

	_Static_assert(OVS_KEY_ATTR_MAX < 64, "key attribute types fit a 64-bit set");
	ka->tpid[0] = ka->tpid[1] = ka->tci[0] = ka->tci[1] = NULL;
	ka->tags = 0;
	ka->truncated = -1;
	ka->is_mask = is_mask;
	ret = nl_policy_parse_bits_memo(&odp_key_policy, &layout_memo[is_mask], data, len, ka->a,
					&present, c->origin, c->err);
	if (ret < 0)
		return ret;
	/* A key's attributes all count; a mask's that are all zero do not. */
	ka->bits = is_mask ? 0 : present;
	for (uint64_t p = is_mask ? present : 0; p; p &= p - 1) {
		unsigned int t = (unsigned int)__builtin_ctzll(p);

		/* As parse_stream(): all-zero mask attributes are absent. */
		if (is_mask && t != OVS_KEY_ATTR_ENCAP && all_zero(ka->a[t]))
			ka->a[t] = NULL;
		else
			ka->bits |= KBIT(t);
	}
	return 0;
}

static void consume_tag(struct kattrs *ka, int level)
{
	ka->tpid[level] = ka->a[OVS_KEY_ATTR_ETHERTYPE];
	ka->tci[level] = ka->a[OVS_KEY_ATTR_VLAN];
	ka->tags++;
	kattrs_drop(ka, OVS_KEY_ATTR_ETHERTYPE);
	kattrs_drop(ka, OVS_KEY_ATTR_VLAN);
	kattrs_drop(ka, OVS_KEY_ATTR_ENCAP);
}

/*
 * A key's VLAN layers: an Ethernet key whose ETHERTYPE is 0x8100/0x88a8
 * carries the tag's TCI in VLAN and the rest in ENCAP. A TCI of zero with
 * an empty ENCAP is a frame whose tag was cut short: its eth_type stays
 * the TPID, as packet extraction leaves it.
 */
int odp_kattrs_unwrap_key(const struct dctx *c, struct kattrs *ka)
{
	for (int level = 0; level < 2; level++) {
		const struct nlattr *et = ka->a[OVS_KEY_ATTR_ETHERTYPE];
		const struct nlattr *vl = ka->a[OVS_KEY_ATTR_VLAN];
		const struct nlattr *en = ka->a[OVS_KEY_ATTR_ENCAP];
		uint16_t tci;

		if (!ka->a[OVS_KEY_ATTR_ETHERNET] || !et || !eth_type_is_vlan(nl_attr_u16(et)))
			return 0;
		if (!vl || !en)
			return errmsg_set(c->err, -EINVAL, odp_ofs(et, c->origin),
					  "key: VLAN eth_type 0x%04x needs vlan and encap attributes",
					  ntohs(nl_attr_u16(et)));
		tci = nl_attr_u16(vl);
		if (!(tci & htons(VLAN_CFI))) {
			if (tci)
				return errmsg_set(c->err, -EINVAL, odp_ofs(vl, c->origin),
						  "key: VLAN TCI 0x%04x lacks the tag-present bit 0x1000",
						  ntohs(tci));
			if (nl_attr_len(en))
				return errmsg_set(c->err, -EINVAL, odp_ofs(en, c->origin),
						  "key: truncated VLAN tag (TCI 0) with a non-empty encap");
			ka->truncated = level;
			kattrs_drop(ka, OVS_KEY_ATTR_VLAN);
			kattrs_drop(ka, OVS_KEY_ATTR_ENCAP);
			return 0;
		}
		consume_tag(ka, level);
		int ret = parse_stream(c, ka, nl_attr_data(en), nl_attr_len(en));
		if (ret < 0)
			return ret;
	}
	/* A third tag is only its eth_type: a key holds two. */
	if (ka->a[OVS_KEY_ATTR_ENCAP])
		return errmsg_set(c->err, -EINVAL, odp_ofs(ka->a[OVS_KEY_ATTR_ENCAP], c->origin),
				  "key: encap nested deeper than two VLAN tags");
	return 0;
}

/*
 * A mask's VLAN layers follow the key's: each tag of the key needs an
 * ENCAP in the mask, with the TPID matched exactly and the tag-present bit
 * in the TCI mask (the kernel's validate_vlan_mask_from_nlattrs).
 */
int odp_kattrs_unwrap_mask(const struct dctx *c, struct kattrs *km, const struct kattrs *ka)
{
	int level;

	for (level = 0; level < ka->tags; level++) {
		const struct nlattr *et = km->a[OVS_KEY_ATTR_ETHERTYPE];
		const struct nlattr *vl = km->a[OVS_KEY_ATTR_VLAN];
		const struct nlattr *en = km->a[OVS_KEY_ATTR_ENCAP];

		if (!en)
			return errmsg_set(c->err, -EINVAL, odp_ofs(c->container, c->origin),
					  "%s: a VLAN flow's mask needs an encap attribute", c->what);
		if (!et || nl_attr_u16(et) != 0xffff)
			return errmsg_set(c->err, -EINVAL, odp_ofs(et ? et : en, c->origin),
					  "%s: the VLAN TPID must be matched exactly (eth_type 0xffff)",
					  c->what);
		if (!vl || !(nl_attr_u16(vl) & htons(VLAN_CFI)))
			return errmsg_set(c->err, -EINVAL, odp_ofs(vl ? vl : en, c->origin),
					  "%s: the VLAN TCI mask must include the tag-present bit 0x1000",
					  c->what);
		consume_tag(km, level);
		int ret = parse_stream(c, km, nl_attr_data(en), nl_attr_len(en));
		if (ret < 0)
			return ret;
	}
	if (km->a[OVS_KEY_ATTR_ENCAP] && nl_attr_len(km->a[OVS_KEY_ATTR_ENCAP]))
		return errmsg_set(c->err, -EINVAL, odp_ofs(km->a[OVS_KEY_ATTR_ENCAP], c->origin),
				  "%s: encap attribute for a frame without a VLAN tag", c->what);
	kattrs_drop(km, OVS_KEY_ATTR_ENCAP);
	/* A cut-short tag has TCI 0 in every packet: nothing to mask there. */
	if (ka->truncated == level)
		kattrs_drop(km, OVS_KEY_ATTR_VLAN);
	return 0;
}

static int fill_in_port(const struct dctx *c, const struct kattrs *ka, struct flow_key *k)
{
	const struct nlattr *nla = ka->a[OVS_KEY_ATTR_IN_PORT];

	if (nla == NULL) {
		if (!ka->is_mask)
			k->in_port = ODP_PORT_NONE;
		return 0;
	}
	if (ka->is_mask) {
		k->in_port = UINT32_MAX; /* always an exact match, as the kernel */
		return 0;
	}
	k->in_port = nl_attr_u32(nla);
	if (k->in_port >= ODP_PORT_NONE)
		return errmsg_set(c->err, -EINVAL, odp_ofs(nla, c->origin),
				  "key: in_port %u is not below %u", k->in_port, ODP_PORT_NONE);
	return 0;
}

static int fill_ct(const struct dctx *c, const struct kattrs *ka, struct flow_key *k)
{
	const struct nlattr *const *a = ka->a;

	if (a[OVS_KEY_ATTR_CT_STATE]) {
		uint32_t st = nl_attr_u32(a[OVS_KEY_ATTR_CT_STATE]);

		if (st > 0xff)
			return errmsg_set(c->err, -EINVAL, odp_ofs(a[OVS_KEY_ATTR_CT_STATE], c->origin),
					  "%s: ct_state 0x%x has bits beyond the OVS_CS_F_* flags",
					  c->what, st);
		k->ct_state = (uint8_t)st;
	}
	if (a[OVS_KEY_ATTR_CT_ZONE])
		k->ct_zone = nl_attr_u16(a[OVS_KEY_ATTR_CT_ZONE]);
	if (a[OVS_KEY_ATTR_CT_MARK])
		k->ct_mark = nl_attr_u32(a[OVS_KEY_ATTR_CT_MARK]);
	if (a[OVS_KEY_ATTR_CT_LABELS])
		memcpy(k->ct_labels, nl_attr_data(a[OVS_KEY_ATTR_CT_LABELS]), sizeof(k->ct_labels));
	return 0;
}

int odp_fill_metadata(const struct dctx *c, const struct kattrs *ka, struct flow_key *k,
		      bool *has_ttl)
{
	const struct nlattr *const *a = ka->a;
	int ret;

	if (a[OVS_KEY_ATTR_PRIORITY])
		k->priority = nl_attr_u32(a[OVS_KEY_ATTR_PRIORITY]);
	if (a[OVS_KEY_ATTR_SKB_MARK])
		k->skb_mark = nl_attr_u32(a[OVS_KEY_ATTR_SKB_MARK]);
	if (a[OVS_KEY_ATTR_RECIRC_ID])
		k->recirc_id = nl_attr_u32(a[OVS_KEY_ATTR_RECIRC_ID]);
	if (a[OVS_KEY_ATTR_DP_HASH])
		k->dp_hash = nl_attr_u32(a[OVS_KEY_ATTR_DP_HASH]);
	ret = fill_in_port(c, ka, k);
	if (ret == 0)
		ret = fill_ct(c, ka, k);
	*has_ttl = false;
	if (ret == 0 && a[OVS_KEY_ATTR_TUNNEL])
		ret = odp_tunnel_decode(a[OVS_KEY_ATTR_TUNNEL], c->origin, &k->tun, has_ttl, c->err);
	return ret;
}

static void fill_vlans(const struct kattrs *ka, struct flow_key *k)
{
	struct flow_vlan *tag[2] = { &k->vlan, &k->cvlan };

	if (ka->is_mask) /* the kernel always matches the TCI: 0 means untagged */
		k->vlan.tci = k->cvlan.tci = 0xffff;
	for (int i = 0; i < ka->tags; i++) {
		tag[i]->tpid = nl_attr_u16(ka->tpid[i]);
		tag[i]->tci = nl_attr_u16(ka->tci[i]);
	}
}

static int fill_eth_type(const struct dctx *c, const struct kattrs *ka, struct flow_key *k)
{
	const struct nlattr *nla = ka->a[OVS_KEY_ATTR_ETHERTYPE];

	if (nla == NULL) {
		if (!ka->is_mask) /* no ETHERTYPE: an 802.2 frame (length field) */
			k->eth_type = htons(ETH_TYPE_802_2);
		return 0;
	}
	if (ka->is_mask) {
		k->eth_type = 0xffff; /* always an exact match, as the kernel */
		return 0;
	}
	k->eth_type = nl_attr_u16(nla);
	if (ntohs(k->eth_type) < ETH_TYPE_MIN)
		return errmsg_set(c->err, -EINVAL, odp_ofs(nla, c->origin),
				  "key: eth_type 0x%04x is below 0x0600", ntohs(k->eth_type));
	return 0;
}

static int fill_l2(const struct dctx *c, const struct kattrs *ka, struct flow_key *k)
{
	const struct nlattr *const *a = ka->a;

	if (a[OVS_KEY_ATTR_ETHERNET]) {
		struct ovs_key_ethernet eth;

		memcpy(&eth, nl_attr_data(a[OVS_KEY_ATTR_ETHERNET]), sizeof(eth));
		memcpy(k->eth_src, eth.eth_src, sizeof(k->eth_src));
		memcpy(k->eth_dst, eth.eth_dst, sizeof(k->eth_dst));
	} else if (!ka->is_mask) {
		return errmsg_set(c->err, -EOPNOTSUPP, odp_ofs(c->container, c->origin),
				  "key without an eth attribute (a layer-3 packet) is not supported");
	}
	if (a[OVS_KEY_ATTR_VLAN])
		return errmsg_set(c->err, -EINVAL, odp_ofs(a[OVS_KEY_ATTR_VLAN], c->origin),
				  "%s: vlan attribute without a VLAN eth_type before it", c->what);
	if (a[OVS_KEY_ATTR_ENCAP])
		return errmsg_set(c->err, -EINVAL, odp_ofs(a[OVS_KEY_ATTR_ENCAP], c->origin),
				  "%s: encap attribute without a VLAN eth_type before it", c->what);
	fill_vlans(ka, k);
	return fill_eth_type(c, ka, k);
}

static int check_frag(const struct dctx *c, const struct nlattr *nla, uint8_t frag)
{
	if (frag > OVS_FRAG_TYPE_MAX)
		return errmsg_set(c->err, -EINVAL, odp_ofs(nla, c->origin),
				  "key: %s frag type %u is above %u",
				  odp_key_attr_name(nl_attr_type(nla)), frag, OVS_FRAG_TYPE_MAX);
	return 0;
}

static int fill_ipv4(const struct dctx *c, const struct kattrs *ka, struct flow_key *k)
{
	const struct nlattr *nla = ka->a[OVS_KEY_ATTR_IPV4];
	struct ovs_key_ipv4 v;

	memcpy(&v, nl_attr_data(nla), sizeof(v));
	if (!ka->is_mask && check_frag(c, nla, v.ipv4_frag) < 0)
		return -EINVAL;
	k->ip_proto = v.ipv4_proto;
	k->ip_tos = v.ipv4_tos;
	k->ip_ttl = v.ipv4_ttl;
	k->ip_frag = v.ipv4_frag;
	k->ipv4.src = v.ipv4_src;
	k->ipv4.dst = v.ipv4_dst;
	return 0;
}

static int fill_ipv6(const struct dctx *c, const struct kattrs *ka, struct flow_key *k)
{
	const struct nlattr *nla = ka->a[OVS_KEY_ATTR_IPV6];
	struct ovs_key_ipv6 v;

	memcpy(&v, nl_attr_data(nla), sizeof(v));
	if (!ka->is_mask && check_frag(c, nla, v.ipv6_frag) < 0)
		return -EINVAL;
	if (!ka->is_mask && (v.ipv6_label & htonl(0xfff00000)))
		return errmsg_set(c->err, -EINVAL, odp_ofs(nla, c->origin),
				  "key: ipv6 flow label 0x%x is above 0xfffff", ntohl(v.ipv6_label));
	k->ipv6.label = v.ipv6_label;
	k->ip_proto = v.ipv6_proto;
	k->ip_tos = v.ipv6_tclass;
	k->ip_ttl = v.ipv6_hlimit;
	k->ip_frag = v.ipv6_frag;
	memcpy(k->ipv6.src, v.ipv6_src, sizeof(k->ipv6.src));
	memcpy(k->ipv6.dst, v.ipv6_dst, sizeof(k->ipv6.dst));
	return 0;
}

static int fill_arp(const struct dctx *c, const struct kattrs *ka, struct flow_key *k)
{
	const struct nlattr *nla = ka->a[OVS_KEY_ATTR_ARP];
	struct ovs_key_arp v;

	memcpy(&v, nl_attr_data(nla), sizeof(v));
	if (!ka->is_mask && (v.arp_op & htons(0xff00)))
		return errmsg_set(c->err, -EINVAL, odp_ofs(nla, c->origin),
				  "key: arp opcode %u is above 255", ntohs(v.arp_op));
	k->ipv4.src = v.arp_sip;
	k->ipv4.dst = v.arp_tip;
	k->ip_proto = (uint8_t)ntohs(v.arp_op);
	memcpy(k->ipv4.arp_sha, v.arp_sha, sizeof(k->ipv4.arp_sha));
	memcpy(k->ipv4.arp_tha, v.arp_tha, sizeof(k->ipv4.arp_tha));
	return 0;
}

/* L3: later attributes overwrite earlier ones in the shared union, in the
 * kernel's order, so inconsistent keys decode the same as there. */
static int fill_l3(const struct dctx *c, const struct kattrs *ka, struct flow_key *k)
{
	int ret = 0;

	if (ka->a[OVS_KEY_ATTR_IPV4])
		ret = fill_ipv4(c, ka, k);
	if (ret == 0 && ka->a[OVS_KEY_ATTR_IPV6])
		ret = fill_ipv6(c, ka, k);
	if (ret == 0 && ka->a[OVS_KEY_ATTR_ARP])
		ret = fill_arp(c, ka, k);
	if (ret == 0 && ka->a[OVS_KEY_ATTR_MPLS])
		k->mpls_lse = nl_attr_u32(ka->a[OVS_KEY_ATTR_MPLS]);
	return ret;
}

/* TCP, UDP and SCTP keys are all two be16 ports. */
static void fill_ports(const struct nlattr *nla, struct flow_key *k)
{
	const uint8_t *p = nl_attr_data(nla);

	memcpy(&k->tp_src, p, sizeof(k->tp_src));
	memcpy(&k->tp_dst, p + sizeof(k->tp_src), sizeof(k->tp_dst));
}

/* ICMP and ICMPv6 keys are type and code bytes, kept as htons(byte). */
static void fill_icmp(const struct nlattr *nla, struct flow_key *k)
{
	const uint8_t *p = nl_attr_data(nla);

	k->tp_src = htons(p[0]);
	k->tp_dst = htons(p[1]);
}

static void fill_l4(const struct kattrs *ka, struct flow_key *k)
{
	const struct nlattr *const *a = ka->a;

	if (a[OVS_KEY_ATTR_TCP])
		fill_ports(a[OVS_KEY_ATTR_TCP], k);
	if (a[OVS_KEY_ATTR_TCP_FLAGS])
		k->tp_flags = nl_attr_u16(a[OVS_KEY_ATTR_TCP_FLAGS]);
	if (a[OVS_KEY_ATTR_UDP])
		fill_ports(a[OVS_KEY_ATTR_UDP], k);
	if (a[OVS_KEY_ATTR_SCTP])
		fill_ports(a[OVS_KEY_ATTR_SCTP], k);
	if (a[OVS_KEY_ATTR_ICMP])
		fill_icmp(a[OVS_KEY_ATTR_ICMP], k);
	if (a[OVS_KEY_ATTR_ICMPV6])
		fill_icmp(a[OVS_KEY_ATTR_ICMPV6], k);
	if (a[OVS_KEY_ATTR_ND]) {
		struct ovs_key_nd nd;

		memcpy(&nd, nl_attr_data(a[OVS_KEY_ATTR_ND]), sizeof(nd));
		memcpy(k->ipv6.nd_target, nd.nd_target, sizeof(k->ipv6.nd_target));
		memcpy(k->ipv6.nd_sll, nd.nd_sll, sizeof(k->ipv6.nd_sll));
		memcpy(k->ipv6.nd_tll, nd.nd_tll, sizeof(k->ipv6.nd_tll));
	}
}

int odp_fill_packet_fields(const struct dctx *c, const struct kattrs *ka, struct flow_key *k)
{
	int ret = fill_l2(c, ka, k);

	if (ret == 0)
		ret = fill_l3(c, ka, k);
	if (ret == 0)
		fill_l4(ka, k);
	return ret;
}
