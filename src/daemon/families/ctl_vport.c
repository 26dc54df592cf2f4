/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ovs_vport family: ports are DPDK ethdevs. NEW hot-plugs devargs
 * (from OVS_VPORT_ATTR_OPTIONS' DPSW_VPORT_OPTION_DEVARGS, else the name)
 * with the MTU, queues and descriptors given there,
 * DEL stops and detaches, GET/dump report number, type, name, upcall pid
 * and statistics (and, in OPTIONS, what the port got: MTU, queues,
 * descriptors, driver), SET changes the upcall pid. Control thread.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "ctl_handlers.h"
#include "dpsw_proto.h"
#include "nl_policy.h"

/* What a netdev port got: OVS_VPORT_ATTR_OPTIONS of replies (the kernel
 * puts a tunnel's options there; ours are dpsw_proto.h's). */
static void put_port_options(struct ctl_req *req, const struct port *port)
{
	size_t nest = nlbuf_nest_start(req->out, OVS_VPORT_ATTR_OPTIONS);

	nlbuf_put_u32(req->out, DPSW_VPORT_OPTION_MTU, port->mtu);
	nlbuf_put_u32(req->out, DPSW_VPORT_OPTION_RXQ, port->n_rxq);
	nlbuf_put_u32(req->out, DPSW_VPORT_OPTION_TXQ, port->n_txq);
	nlbuf_put_u32(req->out, DPSW_VPORT_OPTION_RXD, port->rxd);
	nlbuf_put_u32(req->out, DPSW_VPORT_OPTION_TXD, port->txd);
	nlbuf_put_string(req->out, DPSW_VPORT_OPTION_DRIVER, port->driver);
	nlbuf_put_u32(req->out, DPSW_VPORT_OPTION_MTU_SET, port->mtu_by_driver);
	nlbuf_put_u32(req->out, DPSW_VPORT_OPTION_SCATTER, port->scatter);
	nlbuf_put_u32(req->out, DPSW_VPORT_OPTION_OFFLOADS, port_offloads(port));
	nlbuf_nest_end(req->out, nest);
}

static void put_vport(struct ctl_req *req, uint32_t port_no, uint8_t cmd, uint16_t flags)
{
	const struct port *port = dp_port(req->dp, port_no);
	struct ovs_vport_stats st;
	uint32_t pid = dp_port_upcall_pid(req->dp, port_no), n;
	const uint32_t *pids = dp_port_upcall_pids(req->dp, port_no, &n);
	/* The datapath's ifindex, also to a request by name with 0. */
	size_t msg = nlbuf_msg_start(req->out, req->nlh->nlmsg_type, flags, req->nlh->nlmsg_seq,
				     req->nlh->nlmsg_pid);

	nlbuf_put_genl(req->out, cmd, OVS_VPORT_VERSION);
	nlbuf_put_ovs_header(req->out, DP_IFINDEX);

	nlbuf_put_u32(req->out, OVS_VPORT_ATTR_PORT_NO, port_no);
	nlbuf_put_u32(req->out, OVS_VPORT_ATTR_TYPE,
		      port_no == PORT_LOCAL ? OVS_VPORT_TYPE_INTERNAL : OVS_VPORT_TYPE_NETDEV);
	nlbuf_put_string(req->out, OVS_VPORT_ATTR_NAME, port->name);
	/* As ovs_vport_get_upcall_portids(): the array under OVS_DP_F_VPORT_PIDS,
	 * else its first pid. */
	if (pids && (ctl_dp_user_features() & OVS_DP_F_VPORT_PIDS))
		nlbuf_put_attr(req->out, OVS_VPORT_ATTR_UPCALL_PID, pids, n * sizeof(*pids));
	else
		nlbuf_put_attr(req->out, OVS_VPORT_ATTR_UPCALL_PID, &pid, sizeof(pid));
	if (port_no != PORT_LOCAL)
		put_port_options(req, port);
	port_stats(port, &st);
	st.tx_dropped += dp_port_tx_dropped(req->dp, port_no);
	nlbuf_put_attr(req->out, OVS_VPORT_ATTR_STATS, &st, sizeof(st));
	nlbuf_msg_end(req->out, msg);
}

static int no_dp(struct ctl_req *req)
{
	return errmsg_set(&req->err, -ENODEV, -1, "no datapath with ifindex %d",
			  req->ovs->dp_ifindex);
}

/* The kernel's lookup_vport(): by name when given (in any datapath when
 * dp_ifindex is 0), else by port number in the datapath of dp_ifindex. */
static int find_vport(struct ctl_req *req, const struct nlattr **a, uint32_t *port_no)
{
	int dp_ifindex = req->ovs->dp_ifindex;

	if (dp_ifindex != DP_IFINDEX && (dp_ifindex != 0 || a[OVS_VPORT_ATTR_NAME] == NULL))
		return no_dp(req);
	if (a[OVS_VPORT_ATTR_NAME]) {
		const char *name = nl_attr_data(a[OVS_VPORT_ATTR_NAME]);
		const struct port *port = dp_port_by_name(req->dp, name);
		if (port == NULL)
			return errmsg_set(&req->err, -ENODEV, ctl_attr_offset(req, a[OVS_VPORT_ATTR_NAME]),
					  "no port named '%s'", name);
		*port_no = port->port_no;
		return 0;
	}
	if (a[OVS_VPORT_ATTR_PORT_NO]) {
		*port_no = *(const uint32_t *)nl_attr_data(a[OVS_VPORT_ATTR_PORT_NO]);
		if (dp_port(req->dp, *port_no) == NULL)
			return errmsg_set(&req->err, -ENODEV,
					  ctl_attr_offset(req, a[OVS_VPORT_ATTR_PORT_NO]),
					  "no port %u", *port_no);
		return 0;
	}
	return errmsg_set(&req->err, -EINVAL, -1, "give a port name or number");
}

static int parse(struct ctl_req *req, const struct nlattr **a)
{
	return nl_policy_parse_genl(&nl_policy_ovs_vport, req->attrs, req->attrs_len, a, true,
				    req->nlh, &req->err);
}

/* OVS_VPORT_ATTR_UPCALL_PID, an array of u32: the requesting connection
 * claims its first pid; *any says whether one of them is not 0. */
static int upcall_pid(struct ctl_req *req, const struct nlattr *attr, bool *any)
{
	const uint32_t *pids = nl_attr_data(attr);
	size_t n = nl_attr_len(attr) / sizeof(uint32_t);

	if (nl_attr_len(attr) < sizeof(uint32_t) || nl_attr_len(attr) % sizeof(uint32_t))
		return errmsg_set(&req->err, -EINVAL, ctl_attr_offset(req, attr),
				  "OVS_VPORT_ATTR_UPCALL_PID is not an array of u32");
	*any = false;
	for (size_t i = 0; i < n; i++)
		*any |= pids[i] != 0;
	return ctl_claim_pid(req, pids[0]);
}

/* Misses of the port go to the array's pids (by flow hash when several). */
static int set_pids(struct ctl_req *req, uint32_t port_no, const struct nlattr *attr)
{
	int ret = dp_port_set_upcall_pids(req->dp, port_no, nl_attr_data(attr), nl_attr_len(attr));

	if (ret < 0)
		return errmsg_set(&req->err, ret, ctl_attr_offset(req, attr),
				  "cannot set the port's upcall pids");
	return 0;
}

/* One numeric option of a vport NEW: a u32 within the port_opts range. */
static int number_option(struct ctl_req *req, const struct nlattr *opt, struct port_opts *o)
{
	static const struct {
		const char *name;
		uint32_t min, max;
		size_t offset;
		uint16_t bias;
	} nums[] = {
		[DPSW_VPORT_OPTION_MTU] = { "MTU", PORT_OPTS_MTU_MIN, PORT_OPTS_MTU_MAX,
					    offsetof(struct port_opts, mtu) },
		[DPSW_VPORT_OPTION_RXQ] = { "RXQ", 1, PORT_OPTS_QUEUES_MAX,
					    offsetof(struct port_opts, rxq) },
		[DPSW_VPORT_OPTION_TXQ] = { "TXQ", 1, PORT_OPTS_QUEUES_MAX,
					    offsetof(struct port_opts, txq) },
		[DPSW_VPORT_OPTION_RXD] = { "RXD", PORT_OPTS_DESC_MIN, PORT_OPTS_DESC_MAX,
					    offsetof(struct port_opts, rxd) },
		[DPSW_VPORT_OPTION_TXD] = { "TXD", PORT_OPTS_DESC_MIN, PORT_OPTS_DESC_MAX,
					    offsetof(struct port_opts, txd) },
		[DPSW_VPORT_OPTION_OFFLOAD] = { "OFFLOAD", 0, 1, offsetof(struct port_opts, offload),
						PORT_OPTS_OFFLOAD_OFF },
	};
	uint16_t type = nl_attr_type(opt);
	uint32_t v;

	if (!nl_attr_is_u32(opt))
		return errmsg_set(&req->err, -EINVAL, ctl_attr_offset(req, opt),
				  "DPSW_VPORT_OPTION_%s is not a u32", nums[type].name);
	v = nl_attr_u32(opt);
	if (v < nums[type].min || v > nums[type].max)
		return errmsg_set(&req->err, -EINVAL, ctl_attr_offset(req, opt),
				  "DPSW_VPORT_OPTION_%s %u is not in %u..%u", nums[type].name, v,
				  nums[type].min, nums[type].max);
	*(uint16_t *)((char *)o + nums[type].offset) = (uint16_t)(v + nums[type].bias);
	return 0;
}

/* Devargs from OPTIONS (ours, see dpsw_proto.h), else the name; the
 * port's own MTU, queues and descriptors. */
static int options_of(struct ctl_req *req, const struct nlattr **a, const char **devargs,
		      struct port_opts *o)
{
	const struct nlattr *opt;
	int ret;

	memset(o, 0, sizeof(*o));
	*devargs = nl_attr_data(a[OVS_VPORT_ATTR_NAME]);
	if (a[OVS_VPORT_ATTR_OPTIONS] == NULL)
		return 0;
	nl_attr_for_each_nested(opt, a[OVS_VPORT_ATTR_OPTIONS]) {
		switch (nl_attr_type(opt)) {
		case DPSW_VPORT_OPTION_DEVARGS:
			if (!nl_attr_is_str(opt))
				return errmsg_set(&req->err, -EINVAL, ctl_attr_offset(req, opt),
						  "DPSW_VPORT_OPTION_DEVARGS is not a string");
			*devargs = nl_attr_str(opt);
			break;
		case DPSW_VPORT_OPTION_MTU:
		case DPSW_VPORT_OPTION_RXQ:
		case DPSW_VPORT_OPTION_TXQ:
		case DPSW_VPORT_OPTION_RXD:
		case DPSW_VPORT_OPTION_TXD:
		case DPSW_VPORT_OPTION_OFFLOAD:
			ret = number_option(req, opt, o);
			if (ret < 0)
				return ret;
			break;
		default:
			return errmsg_set(&req->err, -EINVAL, ctl_attr_offset(req, opt),
					  "netdev vport options take devargs, MTU, RXQ, TXQ, "
					  "RXD, TXD and OFFLOAD only");
		}
	}
	return 0;
}

static int vport_new(struct ctl_req *req)
{
	const struct nlattr *a[OVS_VPORT_ATTR_MAX + 1];
	const char *devargs = NULL;
	struct port_opts opts;
	uint32_t port_no;
	bool pid = false;
	int ret = parse(req, a);

	if (ret < 0)
		return ret;
	if (!a[OVS_VPORT_ATTR_NAME] || !a[OVS_VPORT_ATTR_TYPE] || !a[OVS_VPORT_ATTR_UPCALL_PID])
		return errmsg_set(&req->err, -EINVAL, -1,
				  "vport NEW needs a name, a type and an upcall pid");
	if (*(const uint32_t *)nl_attr_data(a[OVS_VPORT_ATTR_TYPE]) != OVS_VPORT_TYPE_NETDEV)
		return errmsg_set(&req->err, -EOPNOTSUPP, ctl_attr_offset(req, a[OVS_VPORT_ATTR_TYPE]),
				  "only netdev vports (DPDK ethdevs) are supported");
	ret = upcall_pid(req, a[OVS_VPORT_ATTR_UPCALL_PID], &pid);
	if (ret == 0)
		ret = options_of(req, a, &devargs, &opts);
	if (ret < 0)
		return ret;
	if (dp_port_by_name(req->dp, nl_attr_data(a[OVS_VPORT_ATTR_NAME])))
		return errmsg_set(&req->err, -EEXIST, -1, "port '%s' exists",
				  (const char *)nl_attr_data(a[OVS_VPORT_ATTR_NAME]));
	ret = dp_port_add(req->dp, devargs, &opts, &port_no, &req->err);
	if (ret < 0)
		return ret;
	if (a[OVS_VPORT_ATTR_PORT_NO] &&
	    *(const uint32_t *)nl_attr_data(a[OVS_VPORT_ATTR_PORT_NO]) != port_no) {
		/* Port numbers follow ethdev ids; a request for another number
		 * cannot be honoured, and the port must not stay half-made. */
		dp_port_del(req->dp, port_no, NULL);
		return errmsg_set(&req->err, -EBUSY, -1,
				  "port numbers follow ethdev ids: this device would be port %u",
				  port_no);
	}
	if (pid)
		ret = set_pids(req, port_no, a[OVS_VPORT_ATTR_UPCALL_PID]);
	if (ret < 0)
		return ret;
	if (req->nlh->nlmsg_flags & NLM_F_ECHO)
		put_vport(req, port_no, OVS_VPORT_CMD_NEW, 0);
	return 0;
}

static int vport_del(struct ctl_req *req)
{
	const struct nlattr *a[OVS_VPORT_ATTR_MAX + 1];
	uint32_t port_no;
	int ret = parse(req, a);

	if (ret == 0)
		ret = find_vport(req, a, &port_no);
	if (ret < 0)
		return ret;
	if (port_no == PORT_LOCAL)
		return errmsg_set(&req->err, -EINVAL, -1, "the local port cannot be deleted");
	if (req->nlh->nlmsg_flags & NLM_F_ECHO)
		put_vport(req, port_no, OVS_VPORT_CMD_DEL, 0);
	return dp_port_del(req->dp, port_no, &req->err);
}

static int vport_get(struct ctl_req *req)
{
	const struct nlattr *a[OVS_VPORT_ATTR_MAX + 1];
	uint32_t port_no;
	int ret = parse(req, a);

	if (ret == 0)
		ret = find_vport(req, a, &port_no);
	if (ret < 0)
		return ret;
	put_vport(req, port_no, OVS_VPORT_CMD_GET, 0);
	return 0;
}

static int vport_set(struct ctl_req *req)
{
	const struct nlattr *a[OVS_VPORT_ATTR_MAX + 1];
	uint32_t port_no;
	bool pid;
	int ret = parse(req, a);

	if (ret == 0)
		ret = find_vport(req, a, &port_no);
	if (ret < 0)
		return ret;
	if (a[OVS_VPORT_ATTR_TYPE]) {
		uint32_t type = *(const uint32_t *)nl_attr_data(a[OVS_VPORT_ATTR_TYPE]);
		uint32_t have = port_no == PORT_LOCAL ? OVS_VPORT_TYPE_INTERNAL : OVS_VPORT_TYPE_NETDEV;
		if (type != have)
			return errmsg_set(&req->err, -EINVAL, ctl_attr_offset(req, a[OVS_VPORT_ATTR_TYPE]),
					  "a vport's type cannot change");
	}
	if (a[OVS_VPORT_ATTR_UPCALL_PID]) {
		ret = upcall_pid(req, a[OVS_VPORT_ATTR_UPCALL_PID], &pid);
		if (ret == 0)
			ret = set_pids(req, port_no, a[OVS_VPORT_ATTR_UPCALL_PID]);
		if (ret < 0)
			return ret;
	}
	if (req->nlh->nlmsg_flags & NLM_F_ECHO)
		put_vport(req, port_no, OVS_VPORT_CMD_SET, 0);
	return 0;
}

/* Dump cursor: state[0] is the next port number to report. */
static int vport_dump(struct ctl_req *req, void *state, size_t budget)
{
	uint64_t *next = state;
	uint32_t p = (uint32_t)*next;

	while (req->out->len < budget && dp_port_next(req->dp, &p)) {
		put_vport(req, p, OVS_VPORT_CMD_GET, NLM_F_MULTI);
		*next = ++p;
	}
	return dp_port_next(req->dp, &p) ? 1 : 0;
}

const struct ctl_op ctl_vport_ops[] = {
	{ CTL_FAMILY_VPORT, OVS_VPORT_CMD_NEW, true, vport_new, NULL, NULL },
	/* find_vport() checks dp_ifindex: by name, 0 is any datapath. */
	{ CTL_FAMILY_VPORT, OVS_VPORT_CMD_DEL, true, vport_del, NULL, NULL, true },
	{ CTL_FAMILY_VPORT, OVS_VPORT_CMD_GET, false, vport_get, vport_dump, NULL, true },
	{ CTL_FAMILY_VPORT, OVS_VPORT_CMD_SET, true, vport_set, NULL, NULL, true },
};
const size_t ctl_n_vport_ops = sizeof(ctl_vport_ops) / sizeof(ctl_vport_ops[0]);
