/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for flow_extract(): the input is the packet, exactly
 * sized (so ASan sees any over-read). Beyond "no crash", it traps when the
 * key is not fully defined (two different garbage fills of the output give
 * different keys), when a padding or metadata-only field is set from packet
 * bytes, or when a layout offset points outside the packet.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flow_extract.h"

static int all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

static void check(int ok)
{
	if (!ok)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct flow_md md = {.in_port = 3, .recirc_id = 5, .dp_hash = 7,
					  .priority = 11, .skb_mark = 13};
	const size_t ipv4_end = offsetof(struct flow_key, ipv4.arp_tha) + 6;
	struct flow_key a, b;
	struct flow_layout la, lb;
	uint32_t len = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;

	memset(&a, 0x00, sizeof(a));
	memset(&b, 0xff, sizeof(b));
	memset(&la, 0x00, sizeof(la));
	memset(&lb, 0xff, sizeof(lb));
	flow_extract(data, len, &md, &a, &la);
	flow_extract(data, len, &md, &b, &lb);
	check(memcmp(&a, &b, sizeof(a)) == 0 && memcmp(&la, &lb, sizeof(la)) == 0);

	check(a.in_port == md.in_port && a.recirc_id == md.recirc_id && a.dp_hash == md.dp_hash &&
	      a.priority == md.priority && a.skb_mark == md.skb_mark);
	check(all_zero(&a.tun, sizeof(a.tun)) && all_zero(a.ct_labels, sizeof(a.ct_labels)));
	check((a.ct_mark | a.ct_zone | a.ct_state | a.pad0 | a.ipv6.pad1 | a.ipv6.pad2) == 0);
	if (a.eth_type != htons(0x86dd))
		check(all_zero((const uint8_t *)&a + ipv4_end,
			       offsetof(struct flow_key, ct_labels) - ipv4_end));

	check(la.l2_5 == FLOW_OFS_NONE || la.l2_5 < len);
	check(la.l3 == FLOW_OFS_NONE || la.l3 < len);
	check(la.l4 == FLOW_OFS_NONE || (la.l3 != FLOW_OFS_NONE && la.l4 > la.l3 && la.l4 < len));
	return 0;
}
