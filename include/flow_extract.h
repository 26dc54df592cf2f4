/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flow_extract: parse a packet's bytes into a struct flow_key.
 *
 * Works on a plain byte buffer (no mbuf, no EAL), so unit tests and fuzzers
 * reach it directly. Hot path: no allocation, no locks, no logging.
 *
 * Never reads past pkt + len. Truncated or malformed headers leave the
 * fields that could not be read zero, as the kernel's key_extract() does.
 *
 * Thread safety: reentrant; touches only its arguments.
 */
#ifndef FLOW_EXTRACT_H
#define FLOW_EXTRACT_H

#include <stdint.h>

#include "flow_key.h"

/* Receive metadata copied into the key's metadata fields. */
struct flow_md {
	uint32_t in_port;
	uint32_t recirc_id;
	uint32_t dp_hash;
	uint32_t priority;
	uint32_t skb_mark;
};

/*
 * Where the headers start, for actions that rewrite them. An offset of
 * FLOW_OFS_NONE means the header is absent or truncated.
 */
#define FLOW_OFS_NONE 0xffff
struct flow_layout {
	uint16_t l2_5;   /* MPLS label stack */
	uint16_t l3;     /* IPv4/IPv6/ARP header */
	uint16_t l4;     /* TCP/UDP/SCTP/ICMP/ICMPv6 header (first fragment) */
};

/*
 * Fill 'key' (every byte written) from 'pkt' of 'len' bytes received with
 * metadata 'md'. 'layout' may be NULL.
 */
void flow_extract(const uint8_t *pkt, uint32_t len, const struct flow_md *md,
		  struct flow_key *key, struct flow_layout *layout);

/*
 * flow_extract() without its shortcut for untagged IPv4 UDP/TCP frames:
 * every frame goes through the general parse. Same contract; for tests
 * that hold the shortcut to the general parse.
 */
void flow_extract_general(const uint8_t *pkt, uint32_t len, const struct flow_md *md,
			  struct flow_key *key, struct flow_layout *layout);

#endif /* FLOW_EXTRACT_H */
