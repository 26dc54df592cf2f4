/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * port_opts: the settings one port may have of its own, written as
 * "mtu=9000,rxq=2,txq=2,rxd=2048,txd=2048" (the client's add-if words and
 * the daemon's --port-opts NAME:OPTS). Unset fields are 0 and take the
 * daemon's defaults (--mtu, --rxq, --rxd, --txd).
 *
 * EAL-free; unit-tested. Any thread (no state).
 */
#ifndef PORT_OPTS_H
#define PORT_OPTS_H

#include <stdbool.h>
#include <stdint.h>

#include "errmsg.h"

#define PORT_OPTS_MTU_MIN 68
#define PORT_OPTS_MTU_MAX 9600
#define PORT_OPTS_QUEUES_MAX 64
#define PORT_OPTS_DESC_MIN 32
#define PORT_OPTS_DESC_MAX 32768

/* "offload=0" and "offload=1", stored one up so that 0 stays "unset". */
#define PORT_OPTS_OFFLOAD_OFF 1
#define PORT_OPTS_OFFLOAD_ON 2

struct port_opts {
	uint16_t mtu;        /* bytes of L3 payload; 0: the default */
	uint16_t rxq, txq;   /* queues; 0: the default */
	uint16_t rxd, txd;   /* descriptors per queue; 0: the default */
	uint16_t offload;    /* checksum/TSO offloads: PORT_OPTS_OFFLOAD_*;
			      * 0: the default (on where the device has them) */
};

/*
 * Parse "KEY=VALUE[,KEY=VALUE...]" into 'o', over what 'o' holds (a key
 * given twice keeps the last). Keys: mtu, rxq, txq, rxd, txd, offload
 * (0 or 1). Returns 0,
 * or -EINVAL with a message naming the key and its range.
 */
int port_opts_parse(const char *s, struct port_opts *o, struct errmsg *err);

/* Whether 's' starts with a port option key and '=' (so it is options,
 * not devargs, which start with a device name). */
bool port_opts_is_opts(const char *s);

/* 'over' fields that are set replace those of 'o'. */
void port_opts_merge(struct port_opts *o, const struct port_opts *over);

#endif /* PORT_OPTS_H */
