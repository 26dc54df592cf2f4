/* SPDX-License-Identifier: BSD-3-Clause */
#include "port_opts.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

struct key {
	const char *name;
	uint32_t min, max;
	size_t offset;
	uint16_t bias;   /* stored as value + bias, so that 0 is "unset" */
};

static const struct key keys[] = {
	{ "mtu", PORT_OPTS_MTU_MIN, PORT_OPTS_MTU_MAX, offsetof(struct port_opts, mtu) },
	{ "rxq", 1, PORT_OPTS_QUEUES_MAX, offsetof(struct port_opts, rxq) },
	{ "txq", 1, PORT_OPTS_QUEUES_MAX, offsetof(struct port_opts, txq) },
	{ "rxd", PORT_OPTS_DESC_MIN, PORT_OPTS_DESC_MAX, offsetof(struct port_opts, rxd) },
	{ "txd", PORT_OPTS_DESC_MIN, PORT_OPTS_DESC_MAX, offsetof(struct port_opts, txd) },
	{ "offload", 0, 1, offsetof(struct port_opts, offload), PORT_OPTS_OFFLOAD_OFF },
};
#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

static const struct key *find_key(const char *s, size_t len)
{
	for (size_t i = 0; i < N_KEYS; i++)
		if (strlen(keys[i].name) == len && memcmp(keys[i].name, s, len) == 0)
			return &keys[i];
	return NULL;
}

bool port_opts_is_opts(const char *s)
{
	size_t len = strcspn(s, "=,");

	return s[len] == '=' && find_key(s, len) != NULL;
}

/* One "key=value" of 'len' bytes at 's'. */
static int parse_item(const char *s, size_t len, struct port_opts *o, struct errmsg *err)
{
	size_t klen = strcspn(s, "=");
	const struct key *k;
	char value[16], *end;
	unsigned long v;

	if (klen >= len)
		return errmsg_set(err, -EINVAL, -1, "port option '%.*s' has no '=VALUE'",
				  (int)len, s);
	k = find_key(s, klen);
	if (k == NULL)
		return errmsg_set(err, -EINVAL, -1,
				  "unknown port option '%.*s' (mtu, rxq, txq, rxd, txd, offload)",
				  (int)klen, s);
	if (len - klen - 1 == 0 || len - klen - 1 >= sizeof(value))
		goto bad;
	memcpy(value, s + klen + 1, len - klen - 1);
	value[len - klen - 1] = '\0';
	if (value[strspn(value, "0123456789")] != '\0')
		goto bad;
	errno = 0;
	v = strtoul(value, &end, 10);
	if (errno || v < k->min || v > k->max)
		goto bad;
	*(uint16_t *)((char *)o + k->offset) = (uint16_t)(v + k->bias);
	return 0;
bad:
	return errmsg_set(err, -EINVAL, -1, "port option %s: '%.*s' is not a number in %u..%u",
			  k->name, (int)(len - klen - 1), s + klen + 1, k->min, k->max);
}

int port_opts_parse(const char *s, struct port_opts *o, struct errmsg *err)
{
	struct port_opts tmp = *o;

	if (s[0] == '\0')
		return errmsg_set(err, -EINVAL, -1, "empty port options");
	for (;;) {
		size_t len = strcspn(s, ",");
		int ret;

		if (len == 0)
			return errmsg_set(err, -EINVAL, -1, "empty item in port options");
		ret = parse_item(s, len, &tmp, err);
		if (ret < 0)
			return ret;
		if (s[len] == '\0')
			break;
		s += len + 1;
	}
	*o = tmp;
	return 0;
}

void port_opts_merge(struct port_opts *o, const struct port_opts *over)
{
	if (over->mtu)
		o->mtu = over->mtu;
	if (over->rxq)
		o->rxq = over->rxq;
	if (over->txq)
		o->txq = over->txq;
	if (over->rxd)
		o->rxd = over->rxd;
	if (over->txd)
		o->txd = over->txd;
	if (over->offload)
		o->offload = over->offload;
}
