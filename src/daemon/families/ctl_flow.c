/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ovs_flow family, with the kernel datapath's semantics
 * (net/openvswitch/datapath.c: ovs_flow_cmd_new/set/del/get/dump).
 * Control thread; the datapath's single writer.
 */
#include <errno.h>
#include <string.h>

#include "ctl_handlers.h"
#include "flowtbl_pmd.h"
#include "nl_policy.h"
#include "odp_actions.h"
#include "odp_key.h"

/* A flow request taken apart. */
struct flow_req {
	const struct nlattr *a[OVS_FLOW_ATTR_MAX + 1];
	struct flow_key key, mask; /* set only when has_match; key masked */
	struct flow_key ukey;      /* the key as sent: a flow's identifier */
	bool ukey_cut;             /* the mask cut bits of ukey (else ukey == key) */
	bool has_match;
	struct flow_ufid ufid;
	bool has_ufid;
	uint32_t ufid_flags;
};

/* The last flow request layout: a bulk install repeats one. */
static _Thread_local struct nl_layout_memo flow_layout;

/* Top-level attributes as the kernel's genl layer takes them
 * (nl_policy_parse_genl). 'shallow': nested attributes unchecked, for
 * flow_new(), which walks each of them and asks strict_first() on failure.
 * 'use_mask': false for GET and DEL, whose KEY names a flow by its
 * identifier and whose MASK the kernel ignores (ovs_flow_cmd_get/del parse
 * the key with a NULL mask). */
static int parse_flow_req(struct ctl_req *req, struct flow_req *fr, bool shallow, bool use_mask)
{
	int ret;

	/* Field by field, not memset: the keys are written by the decoder
	 * (zeroed when there is no key), a[] by the policy parser. */
	fr->has_match = false;
	fr->has_ufid = false;
	fr->ufid_flags = 0;
	memset(&fr->ufid, 0, sizeof(fr->ufid));
	ret = nl_policy_parse_genl_memo(&nl_policy_ovs_flow, &flow_layout, req->attrs,
					req->attrs_len, fr->a, !shallow, req->nlh, &req->err);
	if (ret < 0)
		return ret;
	if (fr->a[OVS_FLOW_ATTR_UFID]) {
		/* The kernel takes 1..16 bytes; Open vSwitch always sends 16,
		 * and so do we (docs/PROTOCOL.md). */
		if (nl_attr_len(fr->a[OVS_FLOW_ATTR_UFID]) != sizeof(fr->ufid))
			return errmsg_set(&req->err, -EINVAL,
					  ctl_attr_offset(req, fr->a[OVS_FLOW_ATTR_UFID]),
					  "OVS_FLOW_ATTR_UFID must be 16 bytes");
		memcpy(&fr->ufid, nl_attr_data(fr->a[OVS_FLOW_ATTR_UFID]), sizeof(fr->ufid));
		fr->has_ufid = true;
	}
	if (fr->a[OVS_FLOW_ATTR_UFID_FLAGS])
		fr->ufid_flags = *(const uint32_t *)nl_attr_data(fr->a[OVS_FLOW_ATTR_UFID_FLAGS]);
	if (fr->a[OVS_FLOW_ATTR_KEY]) {
		ret = odp_match_decode_unmasked(fr->a[OVS_FLOW_ATTR_KEY],
						use_mask ? fr->a[OVS_FLOW_ATTR_MASK] : NULL,
						req->nlh, &fr->ukey, &fr->mask, &req->err);
		if (ret < 0)
			return ret;
		fr->ukey_cut = flow_key_mask_apply_cut(&fr->key, &fr->ukey, &fr->mask);
		fr->has_match = true;
	}
	return 0;
}

static int validate_actions(struct ctl_req *req, const struct flow_req *fr)
{
	const struct nlattr *acts = fr->a[OVS_FLOW_ATTR_ACTIONS];

	return odp_actions_validate(acts, &fr->key, &fr->mask, req->nlh, &req->err);
}

/* The flow a request names: by UFID when it has one, else by the key it
 * was sent with, among the flows identified by their key (the kernel's
 * ovs_flow_tbl_lookup_ufid / ovs_flow_tbl_lookup_exact). */
static struct flowtbl_flow *find_flow(struct dp *dp, const struct flow_req *fr)
{
	struct flowtbl *t = dp_flowtbl(dp);

	if (fr->has_ufid)
		return flowtbl_find_ufid(t, &fr->ufid);
	return fr->has_match ? flowtbl_find_ident(t, &fr->ukey) : NULL;
}

/*
 * Append a flow as the kernel's ovs_flow_cmd_fill_info() does: its
 * identifier (ovs_nla_put_identifier: the UFID, or else the key the flow
 * was sent with), the masked key for a flow with a UFID and the mask
 * unless UFID_FLAGS omits them, stats/used/tcp_flags when non-zero (used
 * as monotonic ms, its age taken now: ovs_flow_used_time()), and the
 * actions unless omitted.
 */
void ctl_flow_put(struct ctl_req *req, struct flowtbl_flow *flow, uint8_t cmd, uint16_t flags,
		  uint32_t ufid_flags)
{
	struct dp *dp = req->dp;
	struct flowtbl_flow_stats st;
	struct flow_key key, masked, mask;
	struct flow_ufid ufid;
	bool has_ufid = flowtbl_flow_ufid(flow, &ufid);
	size_t msg = ctl_reply_start(req, flags, cmd);

	flowtbl_flow_ident_key(flow, &key);
	flowtbl_flow_key(flow, &masked);
	flowtbl_flow_mask(flow, &mask);
	if (has_ufid)
		nlbuf_put_attr(req->out, OVS_FLOW_ATTR_UFID, &ufid, sizeof(ufid));
	else
		ufid_flags &= ~(uint32_t)OVS_UFID_F_OMIT_KEY; /* the key is the identifier */
	/* The mask takes its shape from the masked key, as ovs_nla_put_mask():
	 * a header the identifier names but the mask wildcards (eth_type sent,
	 * not matched) has no mask attribute, so the pair can be sent back. */
	ctl_match_put(req->out, &key, &mask, !(ufid_flags & OVS_UFID_F_OMIT_KEY), false);
	ctl_match_put(req->out, &masked, &mask, false, !(ufid_flags & OVS_UFID_F_OMIT_MASK));
	flowtbl_flow_stats_get(dp_flowtbl(dp), flow, &st);
	if (st.packets) {
		struct ovs_flow_stats fs = { .n_packets = st.packets, .n_bytes = st.bytes };
		nlbuf_put_attr(req->out, OVS_FLOW_ATTR_STATS, &fs, sizeof(fs));
	}
	if (st.used)
		nlbuf_put_u64(req->out, OVS_FLOW_ATTR_USED, dp_used_monotonic(dp, st.used));
	if (st.tcp_flags)
		nlbuf_put_u8(req->out, OVS_FLOW_ATTR_TCP_FLAGS, (uint8_t)st.tcp_flags);
	if (!(ufid_flags & OVS_UFID_F_OMIT_ACTIONS)) {
		const struct flowtbl_actions *acts = flowtbl_flow_actions(flow);
		nlbuf_put_attr(req->out, OVS_FLOW_ATTR_ACTIONS, acts->data, acts->len);
	}
	nlbuf_msg_end(req->out, msg);
}

static void echo_flow(struct ctl_req *req, struct flowtbl_flow *flow, uint8_t cmd,
		      uint32_t ufid_flags)
{
	if (req->nlh->nlmsg_flags & NLM_F_ECHO)
		ctl_flow_put(req, flow, cmd, 0, ufid_flags);
}

/*
 * A new flow's creation time (what an idle flow's age counts from): the
 * clock read once a datagram, and again every STAMP_FLOWS flows in it,
 * not for every flow. Reading the TSC took 2.5% of CPU 0 in a bulk
 * install (perf, 1M flows); a stamp is now at most one datagram's
 * handling early (up to 256 KiB of requests, well under the clock's ms).
 */
#define STAMP_FLOWS 64
static uint64_t created_ms(struct ctl_req *req)
{
	static _Thread_local struct {
		const struct ctl_server *srv;
		uint64_t dgram, ms;
		unsigned int n;
	} stamp;

	if (req->srv != stamp.srv || req->dgram != stamp.dgram || ++stamp.n == STAMP_FLOWS) {
		stamp.srv = req->srv;
		stamp.dgram = req->dgram;
		stamp.n = 0;
		stamp.ms = dp_now_ms(req->dp);
	}
	return stamp.ms;
}

/* A flow the new key would hit, as the kernel's ovs_flow_tbl_lookup():
 * the writer's lookup, which needs no reader slot and overlaps the cache
 * misses of a table of many masks. */
static struct flowtbl_flow *lookup_by_key(struct dp *dp, const struct flow_key *key,
					  const struct flowtbl_prep *prep)
{
	return flowtbl_lookup_key_prep(dp_flowtbl(dp), key, prep);
}

/* Whether a NEW names the flow it hit (the kernel's ovs_flow_cmp()): a
 * flow identified by its key, by that key as sent; one with a UFID, by
 * its masked key and mask. */
static bool same_flow(const struct flowtbl_flow *flow, const struct flow_req *fr)
{
	struct flow_key fkey, fmask;

	if (!flowtbl_flow_ufid(flow, NULL))
		return flowtbl_flow_ident_equal(flow, &fr->ukey);
	flowtbl_flow_key(flow, &fkey);
	flowtbl_flow_mask(flow, &fmask);
	return flow_key_equal(&fkey, &fr->key) && flow_key_equal(&fmask, &fr->mask);
}

/*
 * A NEW's attributes are parsed shallow: its key, mask and actions are
 * each walked by their decoder anyway, so a NEW that succeeds has had
 * every nested stream checked. One that fails asks the full policy check,
 * whose reason, if it has one, comes first as it always did.
 */
static int strict_first(struct ctl_req *req, int ret)
{
	const struct nlattr *a[OVS_FLOW_ATTR_MAX + 1];
	struct errmsg strict;

	errmsg_clear(&strict);
	if (nl_policy_parse_genl(&nl_policy_ovs_flow, req->attrs, req->attrs_len, a, true, req->nlh,
				 &strict) < 0) {
		req->err = strict;
		return strict.err;
	}
	return ret;
}

static int new_flow(struct ctl_req *req)
{
	struct dp *dp = req->dp;
	struct flowtbl_flow *flow = NULL;
	struct flowtbl_prep prep;
	struct flow_req fr;
	int ret;

	/* Adding a flow takes nothing from the PMDs: its reply needs no grace
	 * period (only the replace below does). */
	req->no_commit = true;
	ret = parse_flow_req(req, &fr, true, true);
	if (ret < 0)
		return ret;
	if (!fr.has_match)
		return errmsg_set(&req->err, -EINVAL, -1, "flow key attribute not present in new flow");
	if (fr.a[OVS_FLOW_ATTR_ACTIONS] == NULL)
		return errmsg_set(&req->err, -EINVAL, -1,
				  "flow actions attribute not present in new flow");
	/* The new flow's bucket is a cache miss in a big table: start it now,
	 * so that it overlaps the actions' checks and the lookups. Nothing
	 * changes the table before the insert, so the lookup and the insert
	 * take the subtable and hash found here. */
	flowtbl_insert_prepare(dp_flowtbl(dp), &fr.key, &fr.mask, &prep);
	ret = validate_actions(req, &fr);
	if (ret < 0)
		return ret;
	const void *acts = nl_attr_data(fr.a[OVS_FLOW_ATTR_ACTIONS]);
	size_t acts_len = nl_attr_len(fr.a[OVS_FLOW_ATTR_ACTIONS]);

	if (fr.has_ufid)
		flow = flowtbl_find_ufid(dp_flowtbl(dp), &fr.ufid);
	if (flow == NULL)
		flow = lookup_by_key(dp, &fr.ukey, &prep);
	if (flow == NULL) {
		/* A key sent masked is passed as prep's own masked key, which
		 * tells the insert that the identifier needs no copy. */
		ret = dp_flow_insert(dp, &prep, fr.ukey_cut ? &fr.ukey : &fr.key, &fr.mask, acts,
				     acts_len, fr.has_ufid ? &fr.ufid : NULL, created_ms(req), &flow,
				     &req->err);
		if (ret < 0)
			return ret;
		echo_flow(req, flow, OVS_FLOW_CMD_NEW, fr.ufid_flags);
		return 0;
	}
	/* A flow is there: modify it only when allowed and when it is the
	 * same flow (same identifier, same match). */
	if (req->nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL))
		return errmsg_set(&req->err, -EEXIST, -1, "flow already exists");
	if (!same_flow(flow, &fr)) {
		flow = flowtbl_flow_ufid(flow, NULL) ? NULL
						     : flowtbl_find_ident(dp_flowtbl(dp), &fr.ukey);
		if (flow == NULL)
			return errmsg_set(&req->err, -ENOENT, -1,
					  "a different flow overlaps this one");
	}
	req->no_commit = false; /* the old actions wait out a grace period */
	ret = flowtbl_actions_replace(dp_flowtbl(dp), flow, acts, acts_len);
	if (ret < 0)
		return errmsg_set(&req->err, ret, -1, "cannot replace the actions");
	echo_flow(req, flow, OVS_FLOW_CMD_NEW, fr.ufid_flags);
	return 0;
}

static int flow_new(struct ctl_req *req)
{
	int ret = new_flow(req);

	return ret < 0 ? strict_first(req, ret) : ret;
}

static int flow_set(struct ctl_req *req)
{
	struct dp *dp = req->dp;
	struct flowtbl_flow *flow;
	struct flow_req fr;
	int ret;

	ret = parse_flow_req(req, &fr, false, true);
	if (ret < 0)
		return ret;
	if (!fr.has_match && !fr.has_ufid)
		return errmsg_set(&req->err, -EINVAL, -1, "flow set needs a key or a UFID");
	if (fr.a[OVS_FLOW_ATTR_ACTIONS]) {
		if (!fr.has_match)
			return errmsg_set(&req->err, -EINVAL, -1,
					  "flow key attribute not present in set flow");
		ret = validate_actions(req, &fr);
		if (ret < 0)
			return ret;
	}
	flow = find_flow(dp, &fr);
	if (flow == NULL)
		return errmsg_set(&req->err, -ENOENT, -1, "no such flow");
	/* Cleared first: a clear that fails (ENOMEM) leaves the flow as it
	 * was; a replace that fails after it leaves cleared stats, which the
	 * same request, retried, clears again anyway. */
	if (fr.a[OVS_FLOW_ATTR_CLEAR]) {
		ret = flowtbl_stats_clear(dp_flowtbl(dp), flow);
		if (ret < 0)
			return errmsg_set(&req->err, ret, -1, "cannot clear the stats");
	}
	if (fr.a[OVS_FLOW_ATTR_ACTIONS]) {
		ret = flowtbl_actions_replace(dp_flowtbl(dp), flow,
					      nl_attr_data(fr.a[OVS_FLOW_ATTR_ACTIONS]),
					      nl_attr_len(fr.a[OVS_FLOW_ATTR_ACTIONS]));
		if (ret < 0)
			return errmsg_set(&req->err, ret, -1, "cannot replace the actions");
	}
	echo_flow(req, flow, OVS_FLOW_CMD_SET, fr.ufid_flags);
	return 0;
}

static int flow_del(struct ctl_req *req)
{
	struct dp *dp = req->dp;
	struct flowtbl_flow *flow;
	struct flow_req fr;
	int ret;

	ret = parse_flow_req(req, &fr, false, false);
	if (ret < 0)
		return ret;
	if (!fr.has_match && !fr.has_ufid) {
		flowtbl_flush(dp_flowtbl(dp));
		return 0;
	}
	flow = find_flow(dp, &fr);
	if (flow == NULL)
		return errmsg_set(&req->err, -ENOENT, -1, "no such flow");
	/* The reply is built before the removal, while the stats are there. */
	echo_flow(req, flow, OVS_FLOW_CMD_DEL, fr.ufid_flags);
	flowtbl_remove(dp_flowtbl(dp), flow);
	return 0;
}

static int flow_get(struct ctl_req *req)
{
	struct flowtbl_flow *flow;
	struct flow_req fr;
	int ret;

	ret = parse_flow_req(req, &fr, false, false);
	if (ret < 0)
		return ret;
	if (!fr.has_match && !fr.has_ufid)
		return errmsg_set(&req->err, -EINVAL, -1, "flow get needs a key or a UFID");
	flow = find_flow(req->dp, &fr);
	if (flow == NULL)
		return errmsg_set(&req->err, -ENOENT, -1, "no such flow");
	ctl_flow_put(req, flow, OVS_FLOW_CMD_GET, 0, fr.ufid_flags);
	return 0;
}

/* Dump cursor: state[0] is flowtbl's (the last flow id sent). As the
 * kernel's ovs_flow_cmd_dump(), only UFID_FLAGS is used: a KEY, MASK or
 * UFID in the request is checked against the policy, not decoded. */
static int flow_dump(struct ctl_req *req, void *state, size_t budget)
{
	struct flowtbl *t = dp_flowtbl(req->dp);
	struct flowtbl_flow *batch[64];
	uint64_t *cursor = state;
	struct flow_req fr;
	size_t n;
	int ret;

	ret = nl_policy_parse_genl(&nl_policy_ovs_flow, req->attrs, req->attrs_len, fr.a, true,
				   req->nlh, &req->err);
	if (ret < 0)
		return ret;
	fr.ufid_flags = fr.a[OVS_FLOW_ATTR_UFID_FLAGS] ?
				*(const uint32_t *)nl_attr_data(fr.a[OVS_FLOW_ATTR_UFID_FLAGS]) : 0;
	while (req->out->len < budget) {
		uint64_t start = *cursor;
		n = flowtbl_dump(t, cursor, batch, 64);
		if (n == 0)
			return 0;
		for (size_t i = 0; i < n; i++) {
			if (req->out->len >= budget) {
				/* Resume after the last flow sent. */
				*cursor = i ? flowtbl_flow_id(batch[i - 1]) : start;
				return 1;
			}
			ctl_flow_put(req, batch[i], OVS_FLOW_CMD_GET, NLM_F_MULTI, fr.ufid_flags);
		}
	}
	return 1;
}

const struct ctl_op ctl_flow_ops[] = {
	{ CTL_FAMILY_FLOW, OVS_FLOW_CMD_NEW, true, flow_new, NULL, NULL },
	{ CTL_FAMILY_FLOW, OVS_FLOW_CMD_DEL, true, flow_del, NULL, NULL },
	{ CTL_FAMILY_FLOW, OVS_FLOW_CMD_GET, false, flow_get, flow_dump, NULL },
	{ CTL_FAMILY_FLOW, OVS_FLOW_CMD_SET, true, flow_set, NULL, NULL },
};
const size_t ctl_n_flow_ops = sizeof(ctl_flow_ops) / sizeof(ctl_flow_ops[0]);
