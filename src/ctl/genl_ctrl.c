/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The generic netlink controller (GENL_ID_CTRL): resolves the OVS family
 * names to our family ids, so a client written for the kernel datapath
 * finds them the way it always does.
 */
#include <errno.h>
#include <string.h>

#include "ctl_internal.h"
#include "dpsw_proto.h"
#include "nl_policy.h"

struct family {
	const char *name;
	uint16_t id;
	uint32_t version;
	uint32_t maxattr;
	const char *mcgroup;   /* multicast group the kernel family declares */
};

static const struct family families[] = {
	{ OVS_DATAPATH_FAMILY, CTL_FAMILY_DATAPATH, OVS_DATAPATH_VERSION, OVS_DP_ATTR_MAX, NULL },
	{ OVS_VPORT_FAMILY, CTL_FAMILY_VPORT, OVS_VPORT_VERSION, OVS_VPORT_ATTR_MAX,
	  OVS_VPORT_MCGROUP },
	{ OVS_FLOW_FAMILY, CTL_FAMILY_FLOW, OVS_FLOW_VERSION, OVS_FLOW_ATTR_MAX, NULL },
	{ OVS_PACKET_FAMILY, CTL_FAMILY_PACKET, OVS_PACKET_VERSION, OVS_PACKET_ATTR_MAX, NULL },
	{ DPSW_FAMILY, CTL_FAMILY_DPSW, DPSW_VERSION, DPSW_ATTR_MAX, NULL },
};
#define N_FAMILIES (sizeof(families) / sizeof(families[0]))

/* Multicast group ids: one past the family ids, never delivered to (we
 * send no notifications yet), but present so clients that look them up
 * (OVS looks up "ovs_vport") find them. */
#define MCGROUP_ID_BASE 0x100

static void put_ops(const struct ctl_server *srv, struct nlbuf *out, uint16_t family)
{
	const struct ctl_op *ops = srv->ops;

	size_t nest = nlbuf_nest_start(out, CTRL_ATTR_OPS);
	uint16_t idx = 1;

	for (size_t i = 0; i < srv->n_ops; i++) {
		if (ops[i].family != family)
			continue;
		uint32_t flags = (ops[i].admin ? GENL_ADMIN_PERM : 0) |
				 (ops[i].doit ? GENL_CMD_CAP_DO : 0) |
				 (ops[i].dumpit ? GENL_CMD_CAP_DUMP : 0);
		size_t op = nlbuf_nest_start(out, idx++);
		nlbuf_put_u32(out, CTRL_ATTR_OP_ID, ops[i].cmd);
		nlbuf_put_u32(out, CTRL_ATTR_OP_FLAGS, flags);
		nlbuf_nest_end(out, op);
	}
	nlbuf_nest_end(out, nest);
}

static void put_family(struct ctl_req *req, const struct family *f, uint16_t flags)
{
	size_t msg = ctl_reply_start(req, flags, CTRL_CMD_NEWFAMILY);

	nlbuf_put_u16(req->out, CTRL_ATTR_FAMILY_ID, f->id);
	nlbuf_put_string(req->out, CTRL_ATTR_FAMILY_NAME, f->name);
	nlbuf_put_u32(req->out, CTRL_ATTR_VERSION, f->version);
	nlbuf_put_u32(req->out, CTRL_ATTR_HDRSIZE, sizeof(struct ovs_header));
	nlbuf_put_u32(req->out, CTRL_ATTR_MAXATTR, f->maxattr);
	put_ops(req->srv, req->out, f->id);
	if (f->mcgroup) {
		size_t grps = nlbuf_nest_start(req->out, CTRL_ATTR_MCAST_GROUPS);
		size_t grp = nlbuf_nest_start(req->out, 1);
		nlbuf_put_string(req->out, CTRL_ATTR_MCAST_GRP_NAME, f->mcgroup);
		nlbuf_put_u32(req->out, CTRL_ATTR_MCAST_GRP_ID, MCGROUP_ID_BASE + f->id);
		nlbuf_nest_end(req->out, grp);
		nlbuf_nest_end(req->out, grps);
	}
	nlbuf_msg_end(req->out, msg);
}

/* CTRL_CMD_GETFAMILY by CTRL_ATTR_FAMILY_NAME or CTRL_ATTR_FAMILY_ID. */
int ctl_genl_getfamily(struct ctl_req *req)
{
	const uint8_t *base = (const uint8_t *)req->attrs, *end = base + req->attrs_len;
	const struct nlattr *a = (const void *)base;
	const char *name = NULL;
	int id = -1;

	/* Walked by hand rather than with a policy: the controller takes
	 * either attribute and says which one is wrong. */
	for (; nl_attr_left(a, end) >= sizeof(*a); a = nl_attr_next(a)) {
		int ofs = (int)(req->attrs_ofs + (size_t)((const uint8_t *)a - base));
		if (!nl_attr_ok(a, nl_attr_left(a, end)))
			return errmsg_set(&req->err, -EINVAL, ofs,
					  "attribute length %u runs past the message", a->nla_len);
		uint16_t type = nl_attr_type(a);
		if (type == CTRL_ATTR_FAMILY_NAME) {
			if (!nl_attr_is_str(a))
				return errmsg_set(&req->err, -EINVAL, ofs,
						  "CTRL_ATTR_FAMILY_NAME is not a string");
			name = nl_attr_str(a);
		} else if (type == CTRL_ATTR_FAMILY_ID) {
			if (!nl_attr_is_u16(a))
				return errmsg_set(&req->err, -EINVAL, ofs,
						  "CTRL_ATTR_FAMILY_ID is not a u16");
			id = nl_attr_u16(a);
		}
	}
	if (name == NULL && id < 0)
		return errmsg_set(&req->err, -EINVAL, -1, "no family name or id given");
	for (size_t i = 0; i < N_FAMILIES; i++) {
		if ((name && strcmp(name, families[i].name) == 0) ||
		    (name == NULL && id == families[i].id)) {
			put_family(req, &families[i], 0);
			return 0;
		}
	}
	return errmsg_set(&req->err, -ENOENT, -1, "no family %s", name ? name : "with that id");
}

/* Dump of every family; state[0] is the next family index. */
int ctl_genl_dumpfamily(struct ctl_req *req, void *state, size_t budget)
{
	uint64_t *next = state;

	(void)budget;
	while (*next < N_FAMILIES)
		put_family(req, &families[(*next)++], NLM_F_MULTI);
	return 0;
}
