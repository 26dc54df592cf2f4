/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * odp_actions: validation of OVS_ACTION_ATTR_* lists against the flow they
 * belong to, as the kernel's __ovs_nla_copy_actions()/validate_set() do
 * (net/openvswitch/flow_netlink.c). Lists are kept and run as sent: there
 * is no conversion step (the kernel's set -> set_masked rewrite).
 *
 * Contract with the executor (src/pmd/actions.c). The executor runs byte
 * for byte a list that odp_actions_validate() accepted for the flow's key
 * (or, for EXECUTE, the packet's key), and may rely on the following
 * without checking again:
 *   - Every attribute, at every depth, has nla_len >= 4 and lies within its
 *     parent; read types with nl_attr_type() (flag bits masked).
 *   - Nested action lists are at most ODP_ACTIONS_MAX_DEPTH deep.
 *   - Only these actions appear, with exactly this payload:
 *     OUTPUT        u32 port, below ODP_PORT_NONE.
 *     USERSPACE     nested OVS_USERSPACE_ATTR_*: PID (u32, non-zero) always;
 *                   USERDATA (any size), EGRESS_TUN_PORT (u32), ACTIONS
 *                   (flag) optional; each at most once, nothing else.
 *     SET           one nested OVS_KEY_ATTR_* filling the payload exactly:
 *                   ETHERNET, IPV4, IPV6, TCP, UDP, SCTP, ICMP, ICMPV6,
 *                   MPLS, PRIORITY, SKB_MARK at their key sizes, or TUNNEL
 *                   (IPv4 tunnel attributes, non-zero dst, ttl present).
 *                   IPV4/IPV6 proto and frag equal the flow's: never write
 *                   them. The IPv6 label fits in 20 bits.
 *     SET_MASKED    the same minus TUNNEL, at twice the size: value then
 *                   mask, value bits outside the mask zero, IPV4/IPV6 proto
 *                   and frag masks zero, IPv6 label mask within 20 bits.
 *     PUSH_VLAN     struct ovs_action_push_vlan, TPID 0x8100 or 0x88a8, TCI
 *                   with 0x1000 set (clear it in the pushed header).
 *     POP_VLAN      no payload.
 *     SAMPLE        nested: PROBABILITY (u32) and ACTIONS (a list), each
 *                   exactly once, nothing else.
 *     RECIRC        u32.
 *     HASH          struct ovs_action_hash, hash_alg OVS_HASH_ALG_L4.
 *     PUSH_MPLS     struct ovs_action_push_mpls, ethertype 0x8847/0x8848.
 *     POP_MPLS      be16 ethertype, not 0x6558.
 *     TRUNC         struct ovs_action_trunc, max_len >= 14.
 *     CLONE         the payload is an action list.
 *     CHECK_PKT_LEN nested: PKT_LEN (u16, non-zero), ACTIONS_IF_GREATER and
 *                   ACTIONS_IF_LESS_EQUAL (lists), each exactly once.
 *     DEC_TTL       nested: exactly one OVS_DEC_TTL_ATTR_ACTION (a list).
 *   - A set()/set_masked() names a header the flow's key has (eth_type,
 *     and ip proto matched exactly for L4), tracking push/pop of VLAN and
 *     MPLS along the list as the kernel does.
 * The executor must still check the packet itself: a header the key
 * proves may be cut short in a packet, or absent in a later fragment.
 *
 * Rejected: unknown types, wrong sizes, malformed nesting (-EINVAL); lists
 * nested deeper than ODP_ACTIONS_MAX_DEPTH (-EOVERFLOW); lists longer than
 * ODP_ACTIONS_MAX_LEN (-EMSGSIZE); ct, ct_clear, meter, push_nsh, pop_nsh,
 * push_eth, pop_eth, add_mpls and set of ct_mark/ct_labels/nsh
 * (-EOPNOTSUPP: this datapath has no conntrack, meters, NSH or layer-3
 * ports). set/set_masked of ICMP/ICMPv6 type and code is an extension
 * (the kernel refuses it). See docs/PROTOCOL.md.
 *
 * Not for the hot path. Thread safety: reentrant.
 */
#ifndef ODP_ACTIONS_H
#define ODP_ACTIONS_H

#include <linux/netlink.h>

#include "errmsg.h"
#include "flow_key.h"

#define ODP_ACTIONS_MAX_DEPTH 16          /* the kernel's OVS_COPY_ACTIONS_MAX_DEPTH */
#define ODP_ACTIONS_MAX_LEN (32 * 1024)   /* the kernel's MAX_ACTIONS_BUFSIZE */

/*
 * Validate 'actions' (OVS_FLOW_ATTR_ACTIONS or OVS_PACKET_ATTR_ACTIONS,
 * the container attribute) for a flow with masked key 'key' and 'mask',
 * or for a packet with key 'key' (mask NULL: every field exact). Returns 0
 * or a negative errno with a reason and the offending action's offset
 * from 'origin' (NULL: from 'actions') in 'err'.
 */
int odp_actions_validate(const struct nlattr *actions, const struct flow_key *key,
			 const struct flow_key *mask, const void *origin, struct errmsg *err);

#endif /* ODP_ACTIONS_H */
