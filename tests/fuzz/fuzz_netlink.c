/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the netlink codec. The first byte picks what the
 * rest is fed to: a flow message's attributes (policy, match decode,
 * action validation), a packet key, an action list against a few fixed
 * keys, another family's attributes, or a datagram of messages.
 *
 * Beyond "no crash", it checks the codec's promise: whatever decodes,
 * re-encodes to something that decodes to the same thing.
 */
#include <arpa/inet.h>
#include <linux/openvswitch.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nl_msg.h"
#include "nl_policy.h"
#include "nlbuf.h"
#include "odp_actions.h"
#include "odp_key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		abort();
}

/* Re-encode a decoded match and decode it again: it must not change. */
static void match_roundtrip(const struct flow_key *k, const struct flow_key *m)
{
	const struct nlattr *tb[OVS_FLOW_ATTR_MAX + 1];
	struct flow_key k2, m2;
	struct errmsg e;
	struct nlbuf b;

	nlbuf_init(&b, 0);
	odp_match_encode(&b, k, m);
	errmsg_clear(&e);
	check(nl_policy_parse(&nl_policy_ovs_flow, b.data, b.len, tb, NULL, &e) == 0);
	check(odp_match_decode(tb[OVS_FLOW_ATTR_KEY], tb[OVS_FLOW_ATTR_MASK], NULL, &k2, &m2,
			       &e) == 0);
	check(flow_key_equal(k, &k2) && flow_key_equal(m, &m2));
	nlbuf_free(&b);
}

static void fuzz_flow(const uint8_t *p, size_t len)
{
	const struct nlattr *tb[OVS_FLOW_ATTR_MAX + 1];
	struct flow_key k, m;
	struct errmsg e;

	errmsg_clear(&e);
	if (nl_policy_parse(&nl_policy_ovs_flow, p, len, tb, NULL, &e) < 0 ||
	    tb[OVS_FLOW_ATTR_KEY] == NULL)
		return;
	if (odp_match_decode(tb[OVS_FLOW_ATTR_KEY], tb[OVS_FLOW_ATTR_MASK], p, &k, &m, &e) < 0)
		return;
	match_roundtrip(&k, &m);
	if (tb[OVS_FLOW_ATTR_ACTIONS])
		odp_actions_validate(tb[OVS_FLOW_ATTR_ACTIONS], &k, &m, p, &e);
}

/* 'p' wrapped as one attribute of 'type' in 'buf' (room for len + 4). */
static const struct nlattr *wrap(uint8_t *buf, uint16_t type, const uint8_t *p, size_t len)
{
	struct nlattr *nla = (void *)buf;

	nla->nla_len = (uint16_t)(len + NLA_HDRLEN);
	nla->nla_type = type;
	memcpy(buf + NLA_HDRLEN, p, len);
	return nla;
}

static void fuzz_packet_key(uint8_t *buf, const uint8_t *p, size_t len)
{
	const struct nlattr *key = wrap(buf, OVS_PACKET_ATTR_KEY, p, len);
	struct flow_key k, k2, md;
	struct errmsg e;
	struct nlbuf b;

	errmsg_clear(&e);
	odp_key_decode_metadata(key, NULL, &md, &e);
	errmsg_clear(&e);
	if (odp_key_decode(key, NULL, &k, &e) < 0)
		return;
	nlbuf_init(&b, 0);
	odp_key_encode(&b, OVS_PACKET_ATTR_KEY, &k);
	check(odp_key_decode(nlbuf_at(&b, 0), NULL, &k2, &e) == 0 && flow_key_equal(&k, &k2));
	nlbuf_free(&b);
}

static struct flow_key fixed_key(uint8_t which)
{
	static const uint16_t types[] = { 0x0800, 0x86dd, 0x8847, 0x0806, 0x88cc };
	static const uint8_t protos[] = { 6, 17, 132, 1, 58 };
	struct flow_key k;

	memset(&k, 0, sizeof(k));
	k.eth_type = htons(types[which % 5]);
	k.ip_proto = protos[(which / 5) % 5];
	if (which & 0x80) {
		k.vlan.tpid = htons(0x8100);
		k.vlan.tci = htons(0x1001);
	}
	return k;
}

static void fuzz_actions(uint8_t *buf, const uint8_t *p, size_t len)
{
	struct flow_key k;
	struct errmsg e;

	if (len < 1)
		return;
	k = fixed_key(p[0]);
	errmsg_clear(&e);
	odp_actions_validate(wrap(buf, OVS_FLOW_ATTR_ACTIONS, p + 1, len - 1), &k, NULL, NULL, &e);
}

static void fuzz_families(const uint8_t *p, size_t len)
{
	static const struct nl_policy *const pols[] = {
		&nl_policy_ovs_datapath, &nl_policy_ovs_vport, &nl_policy_ovs_packet,
		&nl_policy_genl_ctrl,
	};
	const struct nlattr *tb[64];
	struct errmsg e;

	for (size_t i = 0; i < sizeof(pols) / sizeof(pols[0]); i++) {
		errmsg_clear(&e);
		nl_policy_parse(pols[i], p, len, tb, NULL, &e);
	}
}

static void fuzz_messages(const uint8_t *p, size_t len)
{
	const struct nlmsghdr *nlh;
	struct nl_msg msg;
	struct errmsg e;
	size_t ofs = 0;

	errmsg_clear(&e);
	while (nl_msg_next(p, len, &ofs, &nlh, &e) == 1) {
		const char *reason;
		int error, offset;

		if (nlh->nlmsg_type == NLMSG_ERROR) {
			if (nl_msg_read_error(nlh, &error, &reason, &offset, &e) == 0 && reason)
				check(strlen(reason) < nlh->nlmsg_len);
			continue;
		}
		if (nl_msg_parse(nlh, nlh->nlmsg_flags & 1, &msg, &e) == 0)
			fuzz_flow((const uint8_t *)msg.attrs, msg.attrs_len);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf;

	if (size < 1 || size > 60000)
		return 0;
	/* Netlink buffers are 4-byte aligned; malloc's are. */
	buf = malloc(size + NLA_HDRLEN);
	if (buf == NULL)
		return 0;
	memcpy(buf, data + 1, size - 1);
	switch (data[0] % 5) {
	case 0:
		fuzz_flow(buf, size - 1);
		break;
	case 1:
		fuzz_packet_key(buf, data + 1, size - 1);
		break;
	case 2:
		fuzz_actions(buf, data + 1, size - 1);
		break;
	case 3:
		fuzz_families(buf, size - 1);
		break;
	default:
		fuzz_messages(buf, size - 1);
		break;
	}
	free(buf);
	return 0;
}
