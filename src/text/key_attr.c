/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow key attributes in text: "ipv4(src=10.0.0.1,ttl=64/0xf0)" <->
 * (struct ovs_key_ipv4 key, struct ovs_key_ipv4 mask). The field tables
 * below list, per attribute, the fields in the order OVS prints them and
 * how each is written (decimal, hex, address, enum); parsing
 * (key_attr_parse.c) and printing (key_attr_format.c) both walk the same
 * table so they cannot drift apart. Also the name and type index, and
 * OVS's rules for a wildcard or exact mask.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/openvswitch.h>
#include <stddef.h>
#include <string.h>

#include "key_attr_int.h"
#include "odp_attr_info.h"

#define F(n, t, s, m) { n, t, offsetof(struct s, m), sizeof(n) - 1 }

static const struct kfield eth_fields[] = {
	F("src", FT_ETH, ovs_key_ethernet, eth_src),
	F("dst", FT_ETH, ovs_key_ethernet, eth_dst),
	{ NULL, 0, 0, 0 },
};
static const struct kfield ipv4_fields[] = {
	F("src", FT_IPV4, ovs_key_ipv4, ipv4_src),
	F("dst", FT_IPV4, ovs_key_ipv4, ipv4_dst),
	F("proto", FT_U8U, ovs_key_ipv4, ipv4_proto),
	F("tos", FT_U8X, ovs_key_ipv4, ipv4_tos),
	F("ttl", FT_U8U, ovs_key_ipv4, ipv4_ttl),
	F("frag", FT_FRAG, ovs_key_ipv4, ipv4_frag),
	{ NULL, 0, 0, 0 },
};
static const struct kfield ipv6_fields[] = {
	F("src", FT_IN6, ovs_key_ipv6, ipv6_src),
	F("dst", FT_IN6, ovs_key_ipv6, ipv6_dst),
	F("label", FT_LABEL, ovs_key_ipv6, ipv6_label),
	F("proto", FT_U8U, ovs_key_ipv6, ipv6_proto),
	F("tclass", FT_U8X, ovs_key_ipv6, ipv6_tclass),
	F("hlimit", FT_U8U, ovs_key_ipv6, ipv6_hlimit),
	F("frag", FT_FRAG, ovs_key_ipv6, ipv6_frag),
	{ NULL, 0, 0, 0 },
};
/* tcp, udp and sctp share one layout. */
static const struct kfield tp_fields[] = {
	F("src", FT_BE16, ovs_key_tcp, tcp_src),
	F("dst", FT_BE16, ovs_key_tcp, tcp_dst),
	{ NULL, 0, 0, 0 },
};
static const struct kfield icmp_fields[] = {
	F("type", FT_U8U, ovs_key_icmp, icmp_type),
	F("code", FT_U8U, ovs_key_icmp, icmp_code),
	{ NULL, 0, 0, 0 },
};
static const struct kfield arp_fields[] = {
	F("sip", FT_IPV4, ovs_key_arp, arp_sip),
	F("tip", FT_IPV4, ovs_key_arp, arp_tip),
	F("op", FT_BE16, ovs_key_arp, arp_op),
	F("sha", FT_ETH, ovs_key_arp, arp_sha),
	F("tha", FT_ETH, ovs_key_arp, arp_tha),
	{ NULL, 0, 0, 0 },
};
static const struct kfield nd_fields[] = {
	F("target", FT_IN6, ovs_key_nd, nd_target),
	F("sll", FT_ETH, ovs_key_nd, nd_sll),
	F("tll", FT_ETH, ovs_key_nd, nd_tll),
	{ NULL, 0, 0, 0 },
};

/* How the text writes an attribute; its name and size are
 * odp_key_attr_info[]'s. */
struct ktext {
	enum kkind kind;
	const struct kfield *fields;
};

static const struct ktext ktexts[OVS_KEY_ATTR_MAX + 1] = {
	[OVS_KEY_ATTR_ENCAP] = { KK_ENCAP, NULL },
	[OVS_KEY_ATTR_PRIORITY] = { KK_U32, NULL },
	[OVS_KEY_ATTR_IN_PORT] = { KK_PORT, NULL },
	[OVS_KEY_ATTR_ETHERNET] = { KK_FIELDS, eth_fields },
	[OVS_KEY_ATTR_VLAN] = { KK_VLAN, NULL },
	[OVS_KEY_ATTR_ETHERTYPE] = { KK_ETHERTYPE, NULL },
	[OVS_KEY_ATTR_IPV4] = { KK_FIELDS, ipv4_fields },
	[OVS_KEY_ATTR_IPV6] = { KK_FIELDS, ipv6_fields },
	[OVS_KEY_ATTR_TCP] = { KK_FIELDS, tp_fields },
	[OVS_KEY_ATTR_UDP] = { KK_FIELDS, tp_fields },
	[OVS_KEY_ATTR_ICMP] = { KK_FIELDS, icmp_fields },
	[OVS_KEY_ATTR_ICMPV6] = { KK_FIELDS, icmp_fields },
	[OVS_KEY_ATTR_ARP] = { KK_FIELDS, arp_fields },
	[OVS_KEY_ATTR_ND] = { KK_FIELDS, nd_fields },
	[OVS_KEY_ATTR_SKB_MARK] = { KK_U32, NULL },
	[OVS_KEY_ATTR_TUNNEL] = { KK_TUNNEL, NULL },
	[OVS_KEY_ATTR_SCTP] = { KK_FIELDS, tp_fields },
	[OVS_KEY_ATTR_TCP_FLAGS] = { KK_TCP_FLAGS, NULL },
	[OVS_KEY_ATTR_DP_HASH] = { KK_U32, NULL },
	[OVS_KEY_ATTR_RECIRC_ID] = { KK_U32, NULL },
	[OVS_KEY_ATTR_MPLS] = { KK_MPLS, NULL },
	[OVS_KEY_ATTR_CT_STATE] = { KK_CT_STATE, NULL },
	[OVS_KEY_ATTR_CT_ZONE] = { KK_U16X, NULL },
	[OVS_KEY_ATTR_CT_MARK] = { KK_U32, NULL },
	[OVS_KEY_ATTR_CT_LABELS] = { KK_U128, NULL },
	/* The others OVS's text knows are not carried by struct flow_key:
	 * the codec's table marks them unsupported. */
};

struct kdesc kdescs[OVS_KEY_ATTR_MAX + 1];
uint8_t kindex_by_name[KINDEX_SLOTS];
uint8_t kindex_by_type[KTYPE_SLOTS];

static struct kdesc kdesc_make(uint16_t type, const struct odp_key_attr_info *ki)
{
	bool unsupported = ki->pol.kind == NL_POL_UNSUPPORTED;

	return (struct kdesc){
		.name = ki->text_name,
		.name_len = (uint8_t)strlen(ki->text_name),
		.type = type,
		.len = (int16_t)odp_key_attr_text_len(ki),
		.kind = unsupported ? KK_UNSUPPORTED : ktexts[type].kind,
		.fields = unsupported ? NULL : ktexts[type].fields,
	};
}

static void kindex_add(size_t i)
{
	unsigned int h = kname_hash(kdescs[i].name, kdescs[i].name_len);

	while (kindex_by_name[h])
		h = (h + 1) % KINDEX_SLOTS;
	kindex_by_name[h] = (uint8_t)(i + 1);
	kindex_by_type[kdescs[i].type] = (uint8_t)(i + 1);
}

__attribute__((constructor)) static void kindex_build(void)
{
	size_t n = 0;

	_Static_assert(OVS_KEY_ATTR_MAX + 1 < KINDEX_SLOTS / 2, "index too small");
	_Static_assert(OVS_KEY_ATTR_MAX < KTYPE_SLOTS, "type index too small");
	for (uint16_t t = 0; t <= OVS_KEY_ATTR_MAX; t++) {
		const struct odp_key_attr_info *ki = odp_key_attr_find(t);

		if (ki == NULL || ki->text_name == NULL)
			continue;
		kdescs[n] = kdesc_make(t, ki);
		kindex_add(n++);
	}
}

const char *kattr_name(uint16_t type)
{
	const struct kdesc *d = kdesc_by_type(type);

	return d ? d->name : NULL;
}

/* OVS's odp_mask_is_constant__(): which bytes count, per attribute. */
static bool mask_is_constant(uint16_t type, const void *mask, size_t len, bool ones)
{
	const uint8_t v = ones ? 0xff : 0;

	switch (type) {
	case OVS_KEY_ATTR_ENCAP:
		return false;
	case OVS_KEY_ATTR_TCP_FLAGS:
		return len == 2 && (ntohs(rd16(mask)) & 0x0fff) == (ones ? 0x0fff : 0);
	case OVS_KEY_ATTR_IPV6: {
		const struct ovs_key_ipv6 *m = mask;

		if (len != sizeof(*m))
			return false;
		return (ntohl(rd32(&m->ipv6_label)) & 0xfffff) == (ones ? 0xfffffu : 0) &&
		       m->ipv6_proto == v && m->ipv6_tclass == v && m->ipv6_hlimit == v &&
		       m->ipv6_frag == v && all_bytes(m->ipv6_src, 16, v) &&
		       all_bytes(m->ipv6_dst, 16, v);
	}
	case OVS_KEY_ATTR_ARP:
		return len >= offsetof(struct ovs_key_arp, arp_tha) + 6 &&
		       all_bytes(mask, offsetof(struct ovs_key_arp, arp_tha) + 6, v);
	default:
		return kdesc_by_type(type) != NULL && all_bytes(mask, len, v);
	}
}

bool kattr_mask_is_wildcard(uint16_t type, const void *mask, size_t len)
{
	return mask_is_constant(type, mask, len, false);
}

bool kattr_mask_is_exact(uint16_t type, const void *mask, size_t len)
{
	return mask_is_constant(type, mask, len, true);
}
