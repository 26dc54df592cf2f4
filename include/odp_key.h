/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * odp_key: flow keys and masks in OVS_KEY_ATTR_* form, both ways.
 *
 * Decoding follows the kernel (net/openvswitch/flow_netlink.c:
 * ovs_nla_get_match): attribute sizes from a policy table, VLAN tags through
 * ETHERTYPE + VLAN + ENCAP nesting (802.1Q 0x8100 and 802.1ad 0x88a8, up to
 * two tags), IPv4 tunnels through TUNNEL nesting, mask attributes whose
 * payload is all zero treated as absent, and the mask rules of
 * match_validate(): a field may be unwildcarded only when its prerequisites
 * are exact (eth_type exact 0x0800 for ipv4 fields, 0x86dd for ipv6,
 * 0x0806/0x8035 for arp, 0x8847/0x8848 for mpls; ip proto exact for
 * tcp/udp/sctp/icmp/icmpv6 and not a later fragment; icmpv6 type exact
 * NS/NA for nd). The deliberate differences are listed in docs/PROTOCOL.md.
 *
 * Encoding follows the kernel's __ovs_nla_put_key(): which attributes
 * appear is implied by eth_type, ip proto and fragment type. For every key
 * (and key/mask pair) a decoder returns, decode(encode(x)) == x.
 *
 * Errors: negative errno and a reason in 'err', with the byte offset of the
 * offending attribute counted from 'origin' (the message start, for the
 * extended ack; NULL counts from the first attribute stream given).
 * -EINVAL for malformed or inconsistent input, -EOPNOTSUPP for attributes
 * the protocol has but this datapath does not (NSH, conntrack tuples,
 * IPv6/Geneve/VXLAN/ERSPAN tunnels, layer-3 keys without ETHERNET, ...).
 *
 * Buffers must be 4-byte aligned. Decoding is control-path code (the
 * exact-match mask is built in a heap copy). Encoding allocates nothing
 * into a fixed nlbuf, so an upcall can be built on a preallocated area.
 * Thread safety: reentrant.
 */
#ifndef ODP_KEY_H
#define ODP_KEY_H

#include <linux/netlink.h>
#include <stddef.h>

#include "errmsg.h"
#include "flow_key.h"
#include "nlbuf.h"

/* Port numbers are below this (the kernel's DP_MAX_PORTS); a key without
 * OVS_KEY_ATTR_IN_PORT has this in_port. */
#define ODP_PORT_NONE 65535u

/*
 * Decode a flow's match: 'key' and 'mask' are the OVS_FLOW_ATTR_KEY and
 * OVS_FLOW_ATTR_MASK attributes (containers). mask == NULL means exact
 * match on every field the key carries. On success 'out_key' is the key
 * already masked (out_key == key & mask) and every byte of both outputs is
 * defined; on error both are zeroed. The outputs are written as decoding
 * goes: they must not overlap each other.
 */
int odp_match_decode(const struct nlattr *key, const struct nlattr *mask, const void *origin,
		     struct flow_key *out_key, struct flow_key *out_mask, struct errmsg *err);

/* As odp_match_decode(), but 'out_key' is the key as sent, not masked
 * (a flow's identifier when it has no UFID). */
int odp_match_decode_unmasked(const struct nlattr *key, const struct nlattr *mask,
			      const void *origin, struct flow_key *out_key,
			      struct flow_key *out_mask, struct errmsg *err);

/* The match decoders keep the last MASK that decoded cleanly, per thread,
 * and reuse its fields when the next one has the same bytes, and the last
 * key and mask attribute layouts (nl_layout_memo); this forgets them
 * (tests compare both paths). */
void odp_mask_memo_clear(void);

/*
 * Append OVS_FLOW_ATTR_KEY and OVS_FLOW_ATTR_MASK for a (key, mask) pair as
 * the kernel puts them in flow replies. 'key' may be masked or not.
 */
void odp_match_encode(struct nlbuf *b, const struct flow_key *key, const struct flow_key *mask);
/* Each half of odp_match_encode(), for replies whose OVS_FLOW_ATTR_UFID_
 * FLAGS omit the other. */
void odp_match_encode_key(struct nlbuf *b, const struct flow_key *key,
			  const struct flow_key *mask);
void odp_match_encode_mask(struct nlbuf *b, const struct flow_key *key,
			   const struct flow_key *mask);

/*
 * Decode a packet's key (an upcall's OVS_PACKET_ATTR_KEY, or a key that
 * must describe one packet exactly): every field, kernel checks, and no
 * attribute the key's eth_type/proto do not call for (-EINVAL).
 */
int odp_key_decode(const struct nlattr *key, const void *origin, struct flow_key *out,
		   struct errmsg *err);

/*
 * Decode only the metadata of a key, as the kernel does for EXECUTE
 * (ovs_nla_get_flow_metadata): in_port (ODP_PORT_NONE when absent),
 * priority, skb_mark, recirc_id, dp_hash, tunnel, ct_*. Packet fields in
 * the key are size-checked but not used; 'out' has them zero.
 */
int odp_key_decode_metadata(const struct nlattr *key, const void *origin, struct flow_key *out,
			    struct errmsg *err);

/* Append a packet key as nested attribute 'type' (e.g. OVS_PACKET_ATTR_KEY). */
void odp_key_encode(struct nlbuf *b, uint16_t type, const struct flow_key *key);

#endif /* ODP_KEY_H */
