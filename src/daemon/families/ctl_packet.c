/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ovs_packet family: EXECUTE runs actions on a client's packet through
 * the datapath's action code; MISS and ACTION upcalls go out to the
 * connection that claimed the listener pid. Control thread.
 */
#include <errno.h>
#include <rte_mbuf.h>
#include <string.h>

#include "ctl_handlers.h"
#include "flow_extract.h"
#include "nl_policy.h"
#include "odp_actions.h"
#include "odp_key.h"

#define ETH_HLEN 14

/* The key of a packet: its headers, plus the metadata of 'md'. */
static void packet_key(const void *pkt, size_t len, const struct flow_key *md,
		       struct flow_key *key)
{
	struct flow_md fmd = {
		.in_port = md->in_port, .recirc_id = md->recirc_id, .dp_hash = md->dp_hash,
		.priority = md->priority, .skb_mark = md->skb_mark,
	};

	flow_extract(pkt, (uint32_t)len, &fmd, key, NULL);
	key->tun = md->tun;
}

static int packet_execute(struct ctl_req *req)
{
	const struct nlattr *a[OVS_PACKET_ATTR_MAX + 1];
	struct flow_key md_key;
	int ret;

	ret = nl_policy_parse_genl(&nl_policy_ovs_packet, req->attrs, req->attrs_len, a, true,
				   req->nlh, &req->err);
	if (ret < 0)
		return ret;
	if (!a[OVS_PACKET_ATTR_PACKET] || !a[OVS_PACKET_ATTR_KEY] || !a[OVS_PACKET_ATTR_ACTIONS])
		return errmsg_set(&req->err, -EINVAL, -1,
				  "EXECUTE needs a packet, a key and actions");
	if (nl_attr_len(a[OVS_PACKET_ATTR_PACKET]) < ETH_HLEN)
		return errmsg_set(&req->err, -EINVAL, ctl_attr_offset(req, a[OVS_PACKET_ATTR_PACKET]),
				  "packet shorter than an Ethernet header");
	/* As the kernel (ovs_flow_key_extract_userspace): metadata from the
	 * key, the rest from the packet; actions checked against that. */
	ret = odp_key_decode_metadata(a[OVS_PACKET_ATTR_KEY], req->nlh, &md_key, &req->err);
	if (ret < 0)
		return ret;
	if (md_key.in_port == ODP_PORT_NONE)
		md_key.in_port = PORT_LOCAL;
	struct flow_key pkt_key;
	packet_key(nl_attr_data(a[OVS_PACKET_ATTR_PACKET]),
		       nl_attr_len(a[OVS_PACKET_ATTR_PACKET]), &md_key, &pkt_key);
	ret = odp_actions_validate(a[OVS_PACKET_ATTR_ACTIONS], &pkt_key, NULL, req->nlh,
				   &req->err);
	if (ret < 0)
		return ret;
	return dp_execute(req->dp, nl_attr_data(a[OVS_PACKET_ATTR_PACKET]),
			  nl_attr_len(a[OVS_PACKET_ATTR_PACKET]), &md_key,
			  nl_attr_data(a[OVS_PACKET_ATTR_ACTIONS]),
			  nl_attr_len(a[OVS_PACKET_ATTR_ACTIONS]), &req->err);
}

/* Encode an upcall as the kernel's queue_userspace_packet() does. */
static size_t encode_upcall(uint8_t *buf, size_t cap, const struct upcall *u)
{
	struct nlbuf b;
	const struct rte_mbuf *m = u->mbuf;

	nlbuf_init_fixed(&b, buf, cap);
	size_t msg = nlbuf_msg_start(&b, CTL_FAMILY_PACKET, 0, 0, u->pid);
	nlbuf_put_genl(&b, u->cmd, OVS_PACKET_VERSION);
	nlbuf_put_ovs_header(&b, DP_IFINDEX);
	odp_key_encode(&b, OVS_PACKET_ATTR_KEY, &u->key);
	if (u->cmd == OVS_PACKET_CMD_ACTION && u->userdata_len)
		nlbuf_put_attr(&b, OVS_PACKET_ATTR_USERDATA, u->userdata, u->userdata_len);
	if (u->orig_len)
		nlbuf_put_u32(&b, OVS_PACKET_ATTR_LEN, u->orig_len);
	/* The packet last, as the kernel puts it. Multi-segment mbufs are
	 * linearised into the attribute. */
	uint32_t pkt_len = upcall_pkt_len(u);
	size_t attr = nlbuf_nest_start(&b, OVS_PACKET_ATTR_PACKET);
	size_t ofs = nlbuf_put(&b, NULL, pkt_len);
	if (!b.overflow) {
		uint8_t *dst = nlbuf_at(&b, ofs);
		/* rte_pktmbuf_read() copies only a segmented packet: a
		 * contiguous one it returns in place. */
		const void *src = m ? rte_pktmbuf_read(m, 0, pkt_len, dst) : u->pkt;
		if (src && src != dst)
			memcpy(dst, src, pkt_len);
		/* Not a nest: no nested flag, and a length without the
		 * padding nlbuf_put() added, as the kernel sends it. */
		struct nlattr *nla = nlbuf_at(&b, attr);
		nla->nla_type = OVS_PACKET_ATTR_PACKET;
		nla->nla_len = (uint16_t)nl_attr_size(pkt_len);
	}
	nlbuf_msg_end(&b, msg);
	return b.overflow ? 0 : b.len;
}

int ctl_upcall_deliver(void *arg, const struct upcall *u)
{
	static uint8_t buf[CTL_MAX_DGRAM];
	size_t len;

	/* A packet whose attribute length would not fit the 16-bit nla_len
	 * fails the upcall with -EFBIG, counted lost, as in the kernel's
	 * queue_userspace_packet() (net/openvswitch/datapath.c). */
	if (nl_attr_size(upcall_pkt_len(u)) > UINT16_MAX)
		return -EFBIG;
	len = encode_upcall(buf, sizeof(buf), u);

	if (len == 0)
		return -EMSGSIZE;
	return ctl_server_send_to_pid(arg, u->pid, buf, len);
}

const struct ctl_op ctl_packet_ops[] = {
	{ CTL_FAMILY_PACKET, OVS_PACKET_CMD_EXECUTE, true, packet_execute, NULL, NULL },
};
const size_t ctl_n_packet_ops = sizeof(ctl_packet_ops) / sizeof(ctl_packet_ops[0]);
