/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * options: the daemon's own command line (everything after EAL's "--").
 *
 * Parsed before rte_eal_init() so that --help, --version and bad options
 * need no EAL. EAL-free; unit-tested.
 *
 * Thread safety: main thread, at start-up only.
 */
#ifndef OPTIONS_H
#define OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "errmsg.h"
#include "port_opts.h"

#define OPTIONS_MAX_PMDS 64
#define OPTIONS_DEFAULT_CTL "/run/dpdk-switch/ctl.sock"
#define OPTIONS_DEFAULT_FLOW_LIMIT 200000
#define OPTIONS_DEFAULT_DP_NAME "dpdk-switch"
/* Names as the kernel's dev_valid_name(): 1..15 bytes (IFNAMSIZ - 1). */
#define OPTIONS_DP_NAME_MAX 15
#define OPTIONS_DEFAULT_MAX_CONNS 1000
#define OPTIONS_DEFAULT_MAX_CONNS_PER_UID 32
/* The longest idle sleep of a PMD: a conf hand-over (add-if, del-if)
 * waits for the PMD's next iteration, so this bounds that wait. */
#define OPTIONS_PMD_SLEEP_MAX_US 10000
#define OPTIONS_MAX_PORT_OPTS 32
/* --mbuf-size: from DPDK's default data room up to one that holds the
 * largest frame --mtu allows in a single mbuf. */
#define OPTIONS_MBUF_SIZE_MIN 2048
#define OPTIONS_MBUF_SIZE_MAX 16384

/* --port-opts NAME:OPTS: one port's own settings. */
struct options_port {
	const char *name;          /* the ethdev name, as rte_eth_dev_get_name_by_port() */
	size_t name_len;
	struct port_opts opts;
};

struct options {
	const char *ctl_path;      /* --ctl PATH */
	const char *ctl_group;     /* --ctl-group GROUP: its members are admins too */
	const char *dp_name;       /* --dp-name NAME: the datapath's name */
	uint32_t ctl_mode;         /* --ctl-mode MODE (octal), default 0666 */
	uint32_t ctl_max_conns;    /* --ctl-max-conns N: connections in all */
	uint32_t ctl_max_conns_per_uid; /* --ctl-max-conns-per-uid N (root: no cap) */
	uint16_t pmd_lcores[OPTIONS_MAX_PMDS]; /* --pmd-cores LIST */
	uint16_t n_pmd_lcores;     /* 0: every worker lcore of -l */
	const char *flows_file;    /* --flows FILE */
	const char *save_flows_file; /* --save-flows FILE: written at a clean stop */
	uint32_t flow_limit;       /* --flow-limit N */
	bool flow_limit_given;     /* --flow-limit was on the command line */
	uint32_t reserve_flows;    /* --reserve-flows N: flow memory touched at start */
	uint32_t max_idle_ms;      /* --max-idle MS; 0: flows live until deleted */
	uint32_t upcall_rate;      /* --upcall-rate N: MISS upcalls/s per port (0: any) */
	uint32_t pmd_sleep_max_us; /* --pmd-sleep-max US (0: never sleep) */
	uint16_t rxq;              /* --rxq N, rx queues per port (0: one per PMD) */
	uint16_t rxd;              /* --rxd N, rx descriptors per queue */
	uint16_t txd;              /* --txd N, tx descriptors per queue */
	uint32_t mbufs;            /* --mbufs N, mbufs per NUMA socket (0: sized from ports) */
	uint16_t mbuf_size;        /* --mbuf-size N, frame bytes an mbuf holds (0: 2048) */
	uint16_t mtu;              /* --mtu N (0: leave the device's default) */
	struct options_port ports[OPTIONS_MAX_PORT_OPTS]; /* --port-opts, repeatable */
	uint16_t n_ports;
	uint32_t log_level;        /* --log-level LEVEL, RTE_LOG_* */
	uint32_t exit_idle_ms;     /* --exit-idle MS: exit once every port was idle MS ms */
	uint32_t duration_s;       /* --duration S: exit after S seconds */
	uint32_t stats_interval_s; /* --stats-interval S: print statistics every S s */
	bool help;                 /* --help */
	bool version;              /* --version */
};

/* Fill 'o' with the defaults. */
void options_init(struct options *o);

/*
 * Parse argv[0..argc) (argv[0] is the program name) into 'o', which must
 * have been initialised. Returns 0, or -EINVAL with a message in 'err'
 * naming the option and the problem. Also checks what the options say
 * together (--reserve-flows within the flow limit, --ctl short enough for
 * a socket address).
 */
int options_parse(struct options *o, int argc, char **argv, struct errmsg *err);

void options_usage(FILE *f, const char *prog);

/* The --port-opts of the port named 'name', or NULL. */
const struct port_opts *options_port_opts(const struct options *o, const char *name);

/*
 * Parse an lcore list "1,3-5" into ids[] (at most max). Returns the count,
 * or -EINVAL/-E2BIG with a message.
 */
int options_parse_cpulist(const char *s, uint16_t *ids, int max, struct errmsg *err);

#endif /* OPTIONS_H */
