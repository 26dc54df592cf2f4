/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared between the codec's files (keys, tunnels, actions); not an API. */
#ifndef ODP_INTERNAL_H
#define ODP_INTERNAL_H

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/openvswitch.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "errmsg.h"
#include "flow_key.h"
#include "nl_policy.h"
#include "odp_attr_info.h"

/* The kernel's VLAN_CFI_MASK: set in a key's TCI when a tag is present. */
#define VLAN_CFI 0x1000
/* eth_type in the flow key of a frame whose length field is < 0x600 (no
 * ethertype): the kernel's ETH_P_802_2, which flow_extract() and the text
 * format use too. (OVS userspace's own value, 0x05ff, never reaches the
 * datapath: on the wire such a key has no ETHERTYPE attribute.) */
#define ETH_TYPE_802_2 ETH_P_802_2
#define ETH_TYPE_MIN 0x0600
/* FLOW_TNL_F_* that a netlink tunnel key can carry. */
#define TNL_FLAGS_ALL (FLOW_TNL_F_DONT_FRAGMENT | FLOW_TNL_F_CSUM | FLOW_TNL_F_OAM | FLOW_TNL_F_KEY)
/* ICMPv6 neighbour solicitation / advertisement. */
#define ND_NS 135
#define ND_NA 136

/* Bits of a set of OVS_KEY_ATTR_* types. */
#define KBIT(t) (UINT64_C(1) << (t))

/* The key attributes: odp_key_attr_info's policy column (odp_attr_info.c). */
extern const struct nl_policy odp_key_policy;

/* Offsets in error reasons count from 'origin'. */
static inline int odp_ofs(const void *p, const void *origin)
{
	return (int)((const uint8_t *)p - (const uint8_t *)origin);
}

/* All 'n' bytes zero, a word at a time: every mask attribute of every
 * decoded flow, and the tunnel and ct_labels of every encoded one, are
 * checked. */
static inline bool odp_bytes_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t acc = 0, w;
	size_t i = 0;

	for (; i + sizeof(w) <= n; i += sizeof(w)) {
		memcpy(&w, b + i, sizeof(w));
		acc |= w;
	}
	for (; i < n; i++)
		acc |= b[i];
	return acc == 0;
}

static inline bool eth_type_is_vlan(uint16_t be_type)
{
	return be_type == htons(ETH_P_8021Q) || be_type == htons(ETH_P_8021AD);
}

static inline bool eth_type_is_mpls(uint16_t be_type)
{
	return be_type == htons(ETH_P_MPLS_UC) || be_type == htons(ETH_P_MPLS_MC);
}

/* A container attribute handed to a public function: 4-byte aligned and
 * at least its header long (-EINVAL otherwise). */
int odp_check_container(const struct nlattr *nla, const void *origin, const char *what,
			struct errmsg *err);

/* Name of an OVS_KEY_ATTR_* type, for reasons. */
const char *odp_key_attr_name(unsigned int type);

/*
 * Decode OVS_KEY_ATTR_TUNNEL 'nla' into 'tun' (zeroed first). Flag
 * attributes set FLOW_TNL_F_*, ID sets FLOW_TNL_F_KEY too; in a mask that
 * reads as "match that flag". '*has_ttl' says whether TTL was there.
 */
int odp_tunnel_decode(const struct nlattr *nla, const void *origin, struct flow_tunnel *tun,
		      bool *has_ttl, struct errmsg *err);

/* The kernel's rules for a tunnel that packets are sent with (set(tunnel),
 * packet keys): a non-zero IPv4 destination and a TTL. */
int odp_tunnel_check_egress(const struct nlattr *nla, const void *origin,
			    const struct flow_tunnel *tun, bool has_ttl, struct errmsg *err);

#endif /* ODP_INTERNAL_H */
