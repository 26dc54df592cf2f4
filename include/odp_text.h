/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * odp_text: the ovs-dpctl text format of flows and actions, shared by the
 * daemon (--flows FILE) and the client (add-flow, dump-flows).
 *
 * The syntax and the printing are those of Open vSwitch 3.1's
 * `ovs-dpctl add-flow` / `ovs-appctl dpctl/dump-flows`, e.g.
 *   in_port(1),eth(src=00:01:02:03:04:05,dst=ff:ff:ff:ff:ff:ff),
 *   eth_type(0x0800),ipv4(src=10.0.0.0/255.0.0.0,proto=17,frag=no),udp(dst=53)
 * A flow parses into a (key, mask) pair of struct flow_key with the key
 * pre-masked; fields the string leaves out are wildcarded. Printing follows
 * OVS (docs/text-format.md lists the few places where it cannot).
 * Actions parse into, and print from, a stream of OVS_ACTION_ATTR_*
 * netlink attributes as the kernel datapath takes them.
 *
 * Only syntax and value ranges are checked here; whether a flow's fields
 * respect their prerequisites, or an action fits a flow, is the netlink
 * codec's call.
 *
 * Errors: every parser returns 0 or -EINVAL and, when 'err' is not NULL,
 * records in it a message naming the offending token and its byte offset
 * in the input string. Parsers never read past the string's NUL.
 *
 * Thread safety: all functions are reentrant; they touch only their
 * arguments. Not for the packet path (they allocate).
 */
#ifndef ODP_TEXT_H
#define ODP_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errmsg.h"
#include "flow_key.h"
#include "nlbuf.h"
#include "strbuf.h"

/* A parsed flow: match plus the optional leading "ufid:UUID". */
struct odp_match {
	struct flow_key key;  /* pre-masked: key & mask == key */
	struct flow_key mask;
	struct flow_ufid ufid;
	bool has_ufid;
};

/*
 * Parse a flow string, with an optional leading "ufid:UUID" and the
 * attributes separated by commas or blanks. The whole of 's' must be used.
 * Returns 0 or -EINVAL (unknown keyword, bad number or address, value or
 * mask out of range, duplicate attribute, unbalanced parentheses,
 * trailing garbage, empty string, nesting too deep).
 */
int odp_flow_parse(const char *s, struct odp_match *m, struct errmsg *err);

/*
 * Append the flow as dpctl/dump-flows prints it: wildcarded attributes
 * left out, or with 'verbose' (dump-flows -m) every attribute with its
 * mask. 'key' must be pre-masked.
 */
void odp_flow_format(struct strbuf *sb, const struct flow_key *key,
		     const struct flow_key *mask, bool verbose);

/*
 * The match as the netlink codec carries it (the kernel's rules, which
 * the text parser does not apply): encoded and decoded again, it must
 * still match every field 'm' matches. A field whose prerequisites are
 * missing would be dropped (the kernel refuses its attribute), so the
 * flow would match more than it says: -EINVAL, with the prerequisite and
 * the flow as it would be. The codec's own errors pass through. On
 * success '*out_key' (the key as sent, unmasked) and '*out_mask' (each
 * may be NULL) are the codec's pair, e.g. the VLAN TCI made exact.
 */
int odp_match_check(const struct odp_match *m, struct flow_key *out_key,
		    struct flow_key *out_mask, struct errmsg *err);

/* "ufid:UUID" (the "ufid:" prefix included); 0 or -EINVAL. */
int odp_ufid_parse(const char *s, struct flow_ufid *ufid, struct errmsg *err);
/* Append "ufid:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx". */
void odp_ufid_format(struct strbuf *sb, const struct flow_ufid *ufid);

/*
 * Parse an action list ("1,2", "drop", "set(ipv4(ttl=63)),pop_vlan,3")
 * and append its OVS_ACTION_ATTR_* attributes to 'out'. On error nothing
 * is appended. Returns 0 or -EINVAL (also when the list would not fit in
 * one netlink attribute, or nests deeper than ODP_TEXT_MAX_DEPTH).
 */
#define ODP_TEXT_MAX_DEPTH 32
int odp_actions_parse(const char *s, struct nlbuf *out, struct errmsg *err);
/* odp_actions_parse() keeps, per thread, the last list that parsed
 * cleanly and appends its bytes again for the same text; this forgets it
 * (tests compare both paths). */
void odp_actions_memo_clear(void);

/*
 * Append the actions in the 'len' bytes at 'actions' as OVS prints them
 * ("drop" for an empty list). Malformed attributes are printed the way
 * OVS prints them ("bad length ...", "***N leftover bytes***"), never
 * read past 'len'.
 */
void odp_actions_format(struct strbuf *sb, const void *actions, size_t len);

/* One line of dump-flows output. */
struct odp_dump_flow {
	const struct flow_ufid *ufid; /* printed in verbose mode; NULL: none */
	const struct flow_key *key;   /* pre-masked */
	const struct flow_key *mask;
	const void *actions;          /* OVS_ACTION_ATTR_* stream */
	size_t actions_len;
	uint64_t packets;
	uint64_t bytes;
	uint64_t used_ms;             /* last use, in the clock of 'now_ms'; 0: never */
	uint16_t tcp_flags;           /* TCP flags seen, host order */
	const char *dp_layer;         /* verbose "dp:" field (e.g. "system"); NULL: none */
};

/*
 * Append "[ufid:U, ]FLOW, packets:N, bytes:N, used:never|S.SSSs
 * [, flags:F][, dp:L], actions:ACTIONS" (no newline), with 'used' printed
 * relative to 'now_ms' as OVS does.
 */
void odp_dump_flow_format(struct strbuf *sb, const struct odp_dump_flow *f,
			  uint64_t now_ms, bool verbose);

/* Append TCP flags in tcpdump letters ("S", "SF.", "none"), as OVS. */
void odp_tcp_flags_format(struct strbuf *sb, uint16_t tcp_flags);

/*
 * Parse one line of a flows file: "[ufid:UUID ]FLOW ACTIONS", the flow
 * and the actions separated by blanks (the ovs-dpctl add-flows format).
 * Appends the actions to 'actions'. Offsets in 'err' count from the start
 * of 'line'. Blank lines and lines starting with '#' are the caller's to
 * skip. Returns 0 or -EINVAL.
 */
int odp_flow_line_parse(const char *line, struct odp_match *m, struct nlbuf *actions,
			struct errmsg *err);

/*
 * odp_flow_line_parse()'s fast path, for the common IPv4 shape
 * (src/text/flow_fast.c): the flow of 'line' into 'm' exactly as the
 * general parser would, and the offset of the actions; 0 for any line it
 * does not take, errors included (the general parser words those).
 */
size_t odp_flow_line_fast(const char *line, struct odp_match *m);

#endif /* ODP_TEXT_H */
