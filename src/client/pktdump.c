/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packets as monitor prints them: a one-line summary of the headers
 * (Ethernet, VLAN tags, ARP, IPv4, IPv6 with its extension headers, TCP,
 * UDP, ICMP, ICMPv6) and a hex dump. Every read is bounds-checked: a
 * header cut short is said to be, never read past.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "client.h"

struct cursor {
	const uint8_t *p;
	size_t left;
};

static bool take(struct cursor *c, size_t n, const uint8_t **at)
{
	if (c->left < n)
		return false;
	*at = c->p;
	c->p += n;
	c->left -= n;
	return true;
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put_mac(struct strbuf *sb, const uint8_t *m)
{
	strbuf_addf(sb, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static void put_ip(struct strbuf *sb, int af, const uint8_t *a)
{
	char buf[INET6_ADDRSTRLEN];

	strbuf_addf(sb, "%s", inet_ntop(af, a, buf, sizeof(buf)) ? buf : "?");
}

static const char *const tcp_flag_names = "FSRPAUEC";

static void l4_tcp(struct strbuf *sb, struct cursor *c)
{
	const uint8_t *h;

	if (!take(c, 20, &h)) {
		strbuf_add(sb, ", TCP (truncated)", 17);
		return;
	}
	strbuf_addf(sb, ", TCP %u > %u [", be16(h), be16(h + 2));
	for (int i = 0; i < 8; i++)
		if (h[13] & (1u << i))
			strbuf_addc(sb, tcp_flag_names[i]);
	strbuf_addf(sb, "] seq %u", (unsigned)be16(h + 4) << 16 | be16(h + 6));
}

static void l4_udp(struct strbuf *sb, struct cursor *c)
{
	const uint8_t *h;

	if (!take(c, 8, &h))
		strbuf_add(sb, ", UDP (truncated)", 17);
	else
		strbuf_addf(sb, ", UDP %u > %u, length %u", be16(h), be16(h + 2), be16(h + 4));
}

static void l4_icmp(struct strbuf *sb, struct cursor *c, bool v6)
{
	const char *name = v6 ? "ICMPv6" : "ICMP";
	const uint8_t *h;

	if (!take(c, 4, &h)) {
		strbuf_addf(sb, ", %s (truncated)", name);
		return;
	}
	strbuf_addf(sb, ", %s type %u code %u", name, h[0], h[1]);
	if ((!v6 && h[0] == 8) || (v6 && h[0] == 128))
		strbuf_add(sb, " (echo request)", 15);
	else if ((!v6 && h[0] == 0) || (v6 && h[0] == 129))
		strbuf_add(sb, " (echo reply)", 13);
}

static void l4(struct strbuf *sb, struct cursor *c, uint8_t proto)
{
	switch (proto) {
	case 6: l4_tcp(sb, c); break;
	case 17: l4_udp(sb, c); break;
	case 1: l4_icmp(sb, c, false); break;
	case 58: l4_icmp(sb, c, true); break;
	default: strbuf_addf(sb, ", proto %u", proto); break;
	}
}

static void l3_ipv4(struct strbuf *sb, struct cursor *c)
{
	const uint8_t *h, *opts;
	size_t ihl;

	if (!take(c, 20, &h) || (ihl = (size_t)(h[0] & 0xf) * 4) < 20 ||
	    !take(c, ihl - 20, &opts)) {
		strbuf_add(sb, ", IPv4 (truncated)", 18);
		return;
	}
	uint16_t frag = be16(h + 6);
	strbuf_add(sb, ", IPv4 ", 7);
	put_ip(sb, AF_INET, h + 12);
	strbuf_add(sb, " > ", 3);
	put_ip(sb, AF_INET, h + 16);
	strbuf_addf(sb, ", tos 0x%02x, ttl %u, length %u", h[1], h[8], be16(h + 2));
	if (frag & 0x1fff) {
		strbuf_addf(sb, ", later fragment (offset %u), proto %u", (frag & 0x1fff) * 8, h[9]);
		return;
	}
	if (frag & 0x2000)
		strbuf_add(sb, ", first fragment", 16);
	l4(sb, c, h[9]);
}

static bool ipv6_ext(uint8_t nh)
{
	return nh == 0 || nh == 43 || nh == 44 || nh == 60;
}

static void l3_ipv6(struct strbuf *sb, struct cursor *c)
{
	const uint8_t *h, *e, *rest;
	uint8_t nh;

	if (!take(c, 40, &h)) {
		strbuf_add(sb, ", IPv6 (truncated)", 18);
		return;
	}
	strbuf_add(sb, ", IPv6 ", 7);
	put_ip(sb, AF_INET6, h + 8);
	strbuf_add(sb, " > ", 3);
	put_ip(sb, AF_INET6, h + 24);
	strbuf_addf(sb, ", hlim %u, payload length %u", h[7], be16(h + 4));
	for (nh = h[6]; ipv6_ext(nh); nh = e[0]) {
		if (!take(c, 8, &e)) {
			strbuf_addf(sb, ", extension header %u (truncated)", nh);
			return;
		}
		if (nh == 44 && (be16(e + 2) & 0xfff8)) {
			strbuf_addf(sb, ", later fragment, next header %u", e[0]);
			return;
		}
		size_t more = nh == 44 ? 0 : (size_t)e[1] * 8;
		if (!take(c, more, &rest)) {
			strbuf_addf(sb, ", extension header %u (truncated)", nh);
			return;
		}
	}
	l4(sb, c, nh);
}

static void l3_arp(struct strbuf *sb, struct cursor *c)
{
	const uint8_t *h;

	if (!take(c, 28, &h) || be16(h) != 1 || be16(h + 2) != 0x0800) {
		strbuf_add(sb, ", ARP (not Ethernet/IPv4, or truncated)", 39);
		return;
	}
	uint16_t op = be16(h + 6);
	if (op == 1) {
		strbuf_add(sb, ", ARP request who-has ", 22);
		put_ip(sb, AF_INET, h + 24);
		strbuf_add(sb, " tell ", 6);
		put_ip(sb, AF_INET, h + 14);
	} else if (op == 2) {
		strbuf_add(sb, ", ARP reply ", 12);
		put_ip(sb, AF_INET, h + 14);
		strbuf_add(sb, " is-at ", 7);
		put_mac(sb, h + 8);
	} else {
		strbuf_addf(sb, ", ARP op %u", op);
	}
}

void pkt_summary(struct strbuf *sb, const uint8_t *p, size_t len)
{
	struct cursor c = { p, len };
	const uint8_t *eth, *tag;
	uint16_t type;

	strbuf_addf(sb, "len %zu: ", len);
	if (!take(&c, 14, &eth)) {
		strbuf_add(sb, "truncated Ethernet header", 25);
		return;
	}
	put_mac(sb, eth + 6);
	strbuf_add(sb, " > ", 3);
	put_mac(sb, eth);
	type = be16(eth + 12);
	while ((type == 0x8100 || type == 0x88a8) && take(&c, 4, &tag)) {
		strbuf_addf(sb, ", %s vlan %u pcp %u", type == 0x8100 ? "802.1Q" : "802.1ad",
			    be16(tag) & 0xfff, be16(tag) >> 13);
		type = be16(tag + 2);
	}
	if (type < 0x600) {
		strbuf_addf(sb, ", 802.3 length %u", type);
		return;
	}
	switch (type) {
	case 0x0800: l3_ipv4(sb, &c); break;
	case 0x86dd: l3_ipv6(sb, &c); break;
	case 0x0806: l3_arp(sb, &c); break;
	default: strbuf_addf(sb, ", ethertype 0x%04x", type); break;
	}
}

void pkt_hexdump(struct strbuf *sb, const uint8_t *p, size_t len, const char *indent)
{
	for (size_t ofs = 0; ofs < len; ofs += 16) {
		size_t n = len - ofs < 16 ? len - ofs : 16;

		strbuf_addf(sb, "%s%08zx ", indent, ofs);
		for (size_t i = 0; i < 16; i++) {
			if (i < n)
				strbuf_addf(sb, "%c%02x", i == 8 ? '-' : ' ', p[ofs + i]);
			else
				strbuf_add(sb, "   ", 3);
		}
		strbuf_add(sb, "  |", 3);
		for (size_t i = 0; i < n; i++) {
			uint8_t ch = p[ofs + i];
			strbuf_addc(sb, ch >= 0x20 && ch < 0x7f ? (char)ch : '.');
		}
		strbuf_add(sb, "|\n", 2);
	}
}
