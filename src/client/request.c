/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Replies of the datapath, vport and flow families taken apart (checked
 * against the codec's policy tables), and the match attributes of flow
 * requests.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "nl_policy.h"
#include "odp_key.h"
#include "odp_text.h"

static void copy_string(char *dst, size_t cap, const struct nlattr *a)
{
	snprintf(dst, cap, "%s", a ? (const char *)nl_attr_data(a) : "");
}

int cl_dp_parse(const struct nl_msg *msg, struct cl_dp_info *dp, struct errmsg *err)
{
	const struct nlattr *a[OVS_DP_ATTR_MAX + 1];
	int ret = nl_policy_parse(&nl_policy_ovs_datapath, msg->attrs, msg->attrs_len, a, NULL,
				  err);

	memset(dp, 0, sizeof(*dp));
	if (ret < 0)
		return ret;
	copy_string(dp->name, sizeof(dp->name), a[OVS_DP_ATTR_NAME]);
	if (a[OVS_DP_ATTR_STATS]) {
		memcpy(&dp->stats, nl_attr_data(a[OVS_DP_ATTR_STATS]), sizeof(dp->stats));
		dp->has_stats = true;
	}
	if (a[OVS_DP_ATTR_MEGAFLOW_STATS]) {
		memcpy(&dp->mstats, nl_attr_data(a[OVS_DP_ATTR_MEGAFLOW_STATS]),
		       sizeof(dp->mstats));
		dp->has_mstats = true;
	}
	if (a[OVS_DP_ATTR_USER_FEATURES])
		dp->user_features = nl_attr_u32(a[OVS_DP_ATTR_USER_FEATURES]);
	return 0;
}

/* DPSW_VPORT_OPTION_* of a netdev vport reply; anything else is ignored
 * (a newer daemon may say more). */
static void parse_port_config(const struct nlattr *opts, struct cl_vport *vp)
{
	const struct nlattr *o;

	nl_attr_for_each_nested(o, opts) {
		uint16_t type = nl_attr_type(o);
		uint32_t v;

		if (type == DPSW_VPORT_OPTION_DRIVER) {
			if (nl_attr_is_str(o))
				snprintf(vp->driver, sizeof(vp->driver), "%s", nl_attr_str(o));
			continue;
		}
		if (!nl_attr_is_u32(o))
			continue;
		v = nl_attr_u32(o);
		switch (type) {
		case DPSW_VPORT_OPTION_MTU: vp->mtu = v; break;
		case DPSW_VPORT_OPTION_RXQ: vp->rxq = v; break;
		case DPSW_VPORT_OPTION_TXQ: vp->txq = v; break;
		case DPSW_VPORT_OPTION_RXD: vp->rxd = v; break;
		case DPSW_VPORT_OPTION_TXD: vp->txd = v; break;
		case DPSW_VPORT_OPTION_MTU_SET: vp->mtu_set = v != 0; break;
		case DPSW_VPORT_OPTION_SCATTER: vp->scatter = v != 0; break;
		case DPSW_VPORT_OPTION_OFFLOADS: vp->offloads = v; break;
		default: continue;
		}
		vp->has_config = true;
	}
}

int cl_vport_parse(const struct nl_msg *msg, struct cl_vport *vp, struct errmsg *err)
{
	const struct nlattr *a[OVS_VPORT_ATTR_MAX + 1];
	int ret = nl_policy_parse(&nl_policy_ovs_vport, msg->attrs, msg->attrs_len, a, NULL, err);

	memset(vp, 0, sizeof(*vp));
	if (ret < 0)
		return ret;
	if (a[OVS_VPORT_ATTR_PORT_NO] == NULL || a[OVS_VPORT_ATTR_NAME] == NULL)
		return errmsg_set(err, -EINVAL, -1, "vport reply without a number or a name");
	vp->port_no = nl_attr_u32(a[OVS_VPORT_ATTR_PORT_NO]);
	if (a[OVS_VPORT_ATTR_TYPE])
		vp->type = nl_attr_u32(a[OVS_VPORT_ATTR_TYPE]);
	copy_string(vp->name, sizeof(vp->name), a[OVS_VPORT_ATTR_NAME]);
	if (a[OVS_VPORT_ATTR_STATS]) {
		memcpy(&vp->stats, nl_attr_data(a[OVS_VPORT_ATTR_STATS]), sizeof(vp->stats));
		vp->has_stats = true;
	}
	if (a[OVS_VPORT_ATTR_OPTIONS])
		parse_port_config(a[OVS_VPORT_ATTR_OPTIONS], vp);
	return 0;
}

int cl_flow_parse(const struct nl_msg *msg, struct cl_flow *f, struct errmsg *err)
{
	const struct nlattr *a[OVS_FLOW_ATTR_MAX + 1];
	int ret = nl_policy_parse(&nl_policy_ovs_flow, msg->attrs, msg->attrs_len, a, NULL, err);

	memset(f, 0, sizeof(*f));
	if (ret < 0)
		return ret;
	if (a[OVS_FLOW_ATTR_KEY]) {
		ret = odp_match_decode(a[OVS_FLOW_ATTR_KEY], a[OVS_FLOW_ATTR_MASK], NULL, &f->key,
				       &f->mask, err);
		if (ret < 0)
			return ret;
		f->has_key = true;
	}
	if (a[OVS_FLOW_ATTR_UFID] && nl_attr_len(a[OVS_FLOW_ATTR_UFID]) == sizeof(f->ufid)) {
		memcpy(&f->ufid, nl_attr_data(a[OVS_FLOW_ATTR_UFID]), sizeof(f->ufid));
		f->has_ufid = true;
	}
	if (a[OVS_FLOW_ATTR_ACTIONS]) {
		f->actions = nl_attr_data(a[OVS_FLOW_ATTR_ACTIONS]);
		f->actions_len = nl_attr_len(a[OVS_FLOW_ATTR_ACTIONS]);
		f->has_actions = true;
	}
	if (a[OVS_FLOW_ATTR_STATS]) {
		struct ovs_flow_stats st;
		memcpy(&st, nl_attr_data(a[OVS_FLOW_ATTR_STATS]), sizeof(st));
		f->packets = st.n_packets;
		f->bytes = st.n_bytes;
	}
	if (a[OVS_FLOW_ATTR_USED])
		f->used = nl_attr_u64(a[OVS_FLOW_ATTR_USED]);
	if (a[OVS_FLOW_ATTR_TCP_FLAGS])
		f->tcp_flags = nl_attr_u8(a[OVS_FLOW_ATTR_TCP_FLAGS]);
	return 0;
}

/* ---- the port list ---- */

struct vport_list {
	struct cl_vport *v;
	int n, cap;
	struct errmsg *err;
};

static int on_vport(void *arg, const struct nl_msg *msg)
{
	struct vport_list *l = arg;

	if (l->n == l->cap) {
		int cap = l->cap ? 2 * l->cap : 16;
		struct cl_vport *v = realloc(l->v, (size_t)cap * sizeof(*v));
		if (v == NULL)
			return errmsg_set(l->err, -ENOMEM, -1, "out of memory");
		l->v = v;
		l->cap = cap;
	}
	int ret = cl_vport_parse(msg, &l->v[l->n], l->err);
	if (ret == 0)
		l->n++;
	return ret;
}

static int by_port_no(const void *a, const void *b)
{
	const struct cl_vport *x = a, *y = b;

	return x->port_no < y->port_no ? -1 : x->port_no > y->port_no;
}

int cl_vport_list(struct client *c, struct cl_vport **ports, struct errmsg *err)
{
	struct vport_list l = { .err = err };
	struct nlbuf b;
	int ret;

	nlbuf_init(&b, 128);
	nlbuf_msg_end(&b, cl_msg_start(c, &b, CL_FAM_VPORT, OVS_VPORT_CMD_GET, NLM_F_DUMP));
	ret = cl_transact(c, &b, on_vport, &l, err);
	nlbuf_free(&b);
	if (ret < 0) {
		free(l.v);
		return ret;
	}
	qsort(l.v, (size_t)l.n, sizeof(*l.v), by_port_no);
	*ports = l.v;
	return l.n;
}

void cl_put_match(struct nlbuf *b, const struct odp_match *m, bool with_key)
{
	if (m->has_ufid)
		nlbuf_put_attr(b, OVS_FLOW_ATTR_UFID, &m->ufid, sizeof(m->ufid));
	if (with_key)
		odp_match_encode(b, &m->key, &m->mask);
}

/* ---- does the match survive encoding? ---- */

/*
 * The fields that decide which key attributes odp_match_encode() writes
 * (the kernel's __ovs_nla_put_key() follows eth_type, VLAN tags, ip proto
 * and fragment type, and the ICMPv6 type for ND).
 */
static void shape_of(const struct flow_key *key, struct flow_key *shape)
{
	flow_key_zero(shape);
	shape->eth_type = key->eth_type;
	shape->vlan = key->vlan;
	shape->cvlan = key->cvlan;
	shape->ip_proto = key->ip_proto;
	shape->ip_frag = key->ip_frag;
	if (key->ip_proto == 58)
		shape->tp_src = key->tp_src;
}

/* A cheap summary of the pair, so that most entries are told apart
 * without comparing two keys. */
static uint64_t fingerprint(const struct flow_key *mask, const struct flow_key *shape)
{
	const flow_word_t *m = flow_key_words(mask), *s = flow_key_words(shape);
	uint64_t h = 0;

	for (unsigned int i = 0; i < FLOW_KEY_WORDS; i++) {
		unsigned int r = i & 31; /* each word rotated by its index */

		h += ((m[i] << r) | (m[i] >> ((64 - r) & 63))) ^ s[i];
	}
	return h;
}

static bool entry_hit(const struct cl_match_cache *mc, unsigned int i, uint64_t fp,
		      const struct odp_match *m, const struct flow_key *shape)
{
	return mc->e[i].fp == fp && flow_key_equal(&mc->e[i].mask, &m->mask) &&
	       flow_key_equal(&mc->e[i].shape, shape);
}

/* The last entry that hit first: a file of one kind costs one compare. */
static bool cache_hit(struct cl_match_cache *mc, const struct odp_match *m,
		      const struct flow_key *shape, uint64_t fp)
{
	if (mc == NULL || mc->n == 0)
		return false;
	if (entry_hit(mc, mc->last, fp, m, shape))
		return true;
	for (unsigned int i = 0; i < mc->n; i++) {
		if (i != mc->last && entry_hit(mc, i, fp, m, shape)) {
			mc->last = i;
			return true;
		}
	}
	return false;
}

static void cache_add(struct cl_match_cache *mc, const struct odp_match *m,
		      const struct flow_key *shape, uint64_t fp)
{
	unsigned int i = mc->next;

	struct nlbuf b;

	mc->e[i].fp = fp;
	mc->e[i].mask = m->mask;
	mc->e[i].shape = *shape;
	nlbuf_init_fixed(&b, mc->e[i].mask_attr, sizeof(mc->e[i].mask_attr));
	odp_match_encode_mask(&b, &m->key, &m->mask);
	mc->e[i].mask_len = b.overflow ? 0 : (uint32_t)b.len;
	mc->last = i;
	mc->next = (i + 1) % CL_MATCH_CACHE;
	if (mc->n < CL_MATCH_CACHE)
		mc->n++;
}

/* The last entry that hit, for the same mask and a key of its shape: the
 * common case (a file of one kind), told without building the shape or
 * the fingerprint. */
static bool last_hit(const struct cl_match_cache *mc, const struct odp_match *m)
{
	const struct flow_key *s = &mc->e[mc->last].shape, *k = &m->key;

	return s->eth_type == k->eth_type && s->ip_proto == k->ip_proto &&
	       s->ip_frag == k->ip_frag && (k->ip_proto != 58 || s->tp_src == k->tp_src) &&
	       memcmp(&s->vlan, &k->vlan, sizeof(k->vlan)) == 0 &&
	       memcmp(&s->cvlan, &k->cvlan, sizeof(k->cvlan)) == 0 &&
	       flow_key_equal(&mc->e[mc->last].mask, &m->mask);
}

int cl_match_check(const struct odp_match *m, struct cl_match_cache *mc, struct errmsg *err)
{
	struct flow_key shape;
	uint64_t fp;
	int ret;

	if (mc && mc->n && last_hit(mc, m))
		return 0;
	shape_of(&m->key, &shape);
	fp = fingerprint(&m->mask, &shape);
	if (cache_hit(mc, m, &shape, fp))
		return 0;
	ret = odp_match_check(m, NULL, NULL, err);
	if (ret == 0 && mc)
		cache_add(mc, m, &shape, fp);
	return ret;
}

void cl_match_encode(struct nlbuf *b, const struct odp_match *m,
		     const struct cl_match_cache *mc)
{
	odp_match_encode_key(b, &m->key, &m->mask);
	if (mc && mc->n && mc->e[mc->last].mask_len)
		nlbuf_put(b, mc->e[mc->last].mask_attr, mc->e[mc->last].mask_len);
	else
		odp_match_encode_mask(b, &m->key, &m->mask);
}
