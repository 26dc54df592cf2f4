/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpdk-switch-ctl: what the client's files share. Not an API of the
 * project: the client is one program, EAL-free, linked with libswcore.
 *
 * Layers, one file each:
 *   transport.c  socket, datagrams, sequence numbers, family resolution,
 *                one request -> its replies (cl_transact)
 *   request.c    building the OVS messages, reading flow/dp/vport replies
 *   cmd_*.c      the commands (datapath and ports, flows, PMDs, packets)
 *   batch.c      add-flows/del-flows FILE: many messages per datagram,
 *                several datagrams in flight
 *   pktdump.c    one-line packet summaries and hex dumps (monitor)
 *   json.c       a small JSON writer (--json)
 *
 * Errors: functions return 0 or a negative errno; what the daemon said is
 * in a struct errmsg (its NLMSGERR_ATTR_MSG reason). Commands return an
 * exit status (CL_EXIT_*). Single-threaded.
 */
#ifndef CLIENT_H
#define CLIENT_H

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/openvswitch.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/uio.h>

#include "dpsw_proto.h"
#include "errmsg.h"
#include "flow_key.h"
#include "nl_msg.h"
#include "nlbuf.h"
#include "strbuf.h"

#define CL_PROG "dpdk-switch-ctl"
#define CL_DEFAULT_CTL "/run/dpdk-switch/ctl.sock"
/* Printed as the datapath's type in "TYPE@NAME" (ovs-dpctl's dpif name). */
#define CL_DP_TYPE "dpdk-switch"

/* Exit statuses. */
enum {
	CL_EXIT_OK = 0,
	CL_EXIT_FAIL = 1,   /* the daemon answered an error, or is unreachable */
	CL_EXIT_USAGE = 2,  /* bad command line or bad input text */
};

/* The families the client talks to, resolved by name at start. */
enum cl_family {
	CL_FAM_DATAPATH,
	CL_FAM_VPORT,
	CL_FAM_FLOW,
	CL_FAM_PACKET,
	CL_FAM_DPSW,
	CL_N_FAMILIES
};

struct cl_opts {
	const char *ctl_path;    /* --ctl */
	const char *dp_name;     /* --dp, or the optional DP argument */
	bool stats;              /* -s: statistics in show, mod-flow, del-flow */
	int verbosity;           /* -m, --more */
	bool json;               /* --json */
	bool clear;              /* --clear: mod-flow zeroes the stats */
	bool may_create;         /* --may-create: mod-flow creates if missing */
	long count;              /* monitor --count N (0: until a signal) */
	long in_port;            /* execute --in-port N (-1: the local port) */
	const char *key;         /* execute --key FLOW */
	size_t batch_bytes;      /* add-flows: bytes per datagram */
	unsigned int window;     /* add-flows: datagrams in flight */
	int threads;             /* add-flows: parser threads (-1: as the CPUs allow) */
	const char *output;      /* metrics --output FILE */
};

struct client {
	int fd;
	uint32_t pid;                      /* our nlmsg_pid: getpid() */
	uint32_t seq;                      /* last sequence number used */
	uint16_t family[CL_N_FAMILIES];    /* 0: the daemon lacks it */
	int dp_ifindex;
	uint8_t *rx;                       /* one datagram (CTL_MAX_DGRAM) */
	const struct cl_opts *opt;
};

/* ---- transport.c ---- */

struct cl_dp_info;
/*
 * Connect to the daemon, resolve the families, then find the datapath
 * ('dp': a name, "TYPE@NAME", or NULL for the daemon's) and its
 * dp_ifindex; *info (may be NULL) gets the datapath's GET reply. Prints
 * what went wrong and returns an exit status (CL_EXIT_OK on success).
 */
int cl_start(struct client *c, const char *dp, struct cl_dp_info *info);
void cl_close(struct client *c);
/* True once cl_start() resolved the family. */
bool cl_has_family(const struct client *c, enum cl_family fam);

/*
 * One dpdk_switch request, acked: cl_start() on 'dp', then 'cmd' with the
 * u32 attribute 'attr' = 'value' (none when 'attr' is 0). Prints what went
 * wrong ('what' failed) and returns an exit status.
 */
int cl_dpsw_ack(struct client *c, const char *dp, uint8_t cmd, uint16_t attr, uint32_t value,
		const char *what);

/* Start a request: nlmsghdr (next seq, our pid) + genl + ovs_header. */
size_t cl_msg_start(struct client *c, struct nlbuf *b, enum cl_family fam, uint8_t cmd,
		    uint16_t flags);

/*
 * Called for each reply message of a request (not for acks, errors or
 * NLMSG_DONE) with the message taken apart. A negative return stops the
 * transaction with that error.
 */
typedef int (*cl_reply_fn)(void *arg, const struct nl_msg *msg);

/*
 * Send the one request in 'req' and read its replies: a dump until
 * NLMSG_DONE, anything else until its ack or error (the request must ask
 * for NLM_F_ACK). Returns 0, the daemon's negative errno with its reason
 * in 'err', or a transport error.
 */
int cl_transact(struct client *c, struct nlbuf *req, cl_reply_fn fn, void *arg,
		struct errmsg *err);

/* Datagrams without blocking (batch.c and monitor). */
int cl_send_nb(struct client *c, const void *buf, size_t len);
/* One datagram gathered from 'n' pieces, without blocking. */
int cl_sendv_nb(struct client *c, const struct iovec *iov, int n);
/* One datagram into c->rx; its length, 0 when none is there (nonblocking
 * only), or a negative errno (-EINTR on a signal). */
long cl_recv(struct client *c, bool block);
/* Wait for the socket: POLLIN, plus POLLOUT when 'out'. Returns revents. */
int cl_wait(struct client *c, bool out, int timeout_ms);

/* ---- request.c ---- */

struct cl_dp_info {
	char name[64];
	struct ovs_dp_stats stats;
	struct ovs_dp_megaflow_stats mstats;
	bool has_stats, has_mstats;
	uint32_t user_features;
};

struct cl_vport {
	uint32_t port_no;
	uint32_t type;          /* OVS_VPORT_TYPE_* */
	char name[64];
	struct ovs_vport_stats stats;
	bool has_stats;
	/* What a netdev port got (DPSW_VPORT_OPTION_* of the reply). */
	bool has_config;
	uint32_t mtu, rxq, txq, rxd, txd;
	bool mtu_set, scatter;
	uint32_t offloads;      /* DPSW_OFFLOAD_* */
	char driver[32];
};

/* A flow reply taken apart. Pointers are into the reply datagram. */
struct cl_flow {
	struct flow_key key, mask;
	bool has_key;
	struct flow_ufid ufid;
	bool has_ufid;
	const void *actions;
	size_t actions_len;
	bool has_actions;
	uint64_t packets, bytes, used;
	uint8_t tcp_flags;
};

/* Parse replies. Errors are -EINVAL with a reason in 'err'. */
int cl_dp_parse(const struct nl_msg *msg, struct cl_dp_info *dp, struct errmsg *err);
int cl_vport_parse(const struct nl_msg *msg, struct cl_vport *vp, struct errmsg *err);
int cl_flow_parse(const struct nl_msg *msg, struct cl_flow *f, struct errmsg *err);

/* Every port, sorted by number. Returns the count or a negative errno. */
int cl_vport_list(struct client *c, struct cl_vport **ports, struct errmsg *err);

/* A parsed flow argument: its match and/or UFID. */
struct odp_match;
/* Append OVS_FLOW_ATTR_UFID / KEY / MASK for a flow argument. */
void cl_put_match(struct nlbuf *b, const struct odp_match *m, bool with_key);

/*
 * A parsed flow is a flow_key pair; its netlink form carries only the
 * attributes eth_type, VLANs and ip proto imply. A field whose
 * prerequisite is missing (ipv4(...) without eth_type(0x0800)) would be
 * dropped without a word, and the flow would match more than it says
 * (the kernel refuses such a key; it never sees it here). This checks that
 * the match decodes back to itself: 0, or -EINVAL with what the flow
 * would become. 'mc' (may be NULL, else zeroed before first use)
 * remembers the last CL_MATCH_CACHE (mask, key shape) pairs that passed,
 * so that a file of flows of a few kinds, in any order, checks each kind
 * once (a check is an encode and a decode: more than parsing the line).
 */
#define CL_MATCH_CACHE 8
#define CL_MASK_ATTR_MAX 512
struct cl_match_cache {
	struct {
		uint64_t fp;                  /* fingerprint of mask and shape */
		struct flow_key mask, shape;
		/* The pair's OVS_FLOW_ATTR_MASK, which depends on nothing
		 * else; mask_len 0 when it did not fit. */
		uint32_t mask_len;
		uint8_t mask_attr[CL_MASK_ATTR_MAX] __attribute__((aligned(4)));
	} e[CL_MATCH_CACHE];
	unsigned int n;                       /* entries filled */
	unsigned int next;                    /* the next one to replace */
	unsigned int last;                    /* the last one that hit */
};
int cl_match_check(const struct odp_match *m, struct cl_match_cache *mc, struct errmsg *err);
/*
 * Append OVS_FLOW_ATTR_KEY and OVS_FLOW_ATTR_MASK for a match that
 * cl_match_check() just passed with 'mc' (NULL: none), as
 * odp_match_encode() does; the mask's bytes come from the cache entry.
 */
void cl_match_encode(struct nlbuf *b, const struct odp_match *m,
		     const struct cl_match_cache *mc);

/* ---- the dpdk_switch family (cmd_dp.c, cmd_pmd.c) ---- */

/* DPSW_CMD_CONFIG_GET's reply: every attribute is a u32 or a u64. */
#define CL_MAX_PORTS 256
struct cl_dp_config {
	bool valid;                  /* false: the daemon lacks the family */
	uint64_t v[DPSW_ATTR_MAX + 1];
	uint64_t rate_drops[CL_MAX_PORTS];  /* MISS upcalls over --upcall-rate */
};
/* Read it (an older daemon without the family: 0, cfg->valid false). */
int cl_dp_config_get(struct client *c, struct cl_dp_config *cfg, struct errmsg *err);

#define CL_MAX_RXQS 256
struct cl_pmd_rxq {
	uint32_t port_no, queue;
	uint64_t cycles;             /* measured on it; 0 from older daemons */
	char name[64];
};
struct cl_pmd_info {
	uint32_t id, lcore, numa;
	uint64_t st[DPSW_STAT_MAX + 1];
	struct cl_pmd_rxq rxq[CL_MAX_RXQS];
	unsigned int n_rxq;
};
struct cl_pmd_list {
	struct cl_pmd_info *p;   /* free() it */
	unsigned int n, cap;
};
/* Dump the PMDs (DPSW_CMD_PMD_GET) into 'l' (zeroed before). -ENOTSUP
 * when the daemon lacks the family. */
int cl_pmd_list_get(struct client *c, struct cl_pmd_list *l, struct errmsg *err);

/* ---- common output ---- */

/* "dpdk-switch-ctl: WHAT (strerror)[: reason]" on stderr. */
void cl_report(const char *what, int error, const struct errmsg *why);
/* Exit status for a negative errno from cl_transact and friends. */
int cl_exit_status(int error);
/* Milliseconds on CLOCK_MONOTONIC, the daemon's clock for 'used'. */
uint64_t cl_now_ms(void);

/* ---- commands: argv[0] is the command name ---- */
int cmd_show(struct client *c, int argc, char **argv);
int cmd_add_if(struct client *c, int argc, char **argv);
int cmd_del_if(struct client *c, int argc, char **argv);
int cmd_set_flow_limit(struct client *c, int argc, char **argv);
int cmd_set_max_idle(struct client *c, int argc, char **argv);
int cmd_dump_flows(struct client *c, int argc, char **argv);
int cmd_add_flow(struct client *c, int argc, char **argv);
int cmd_mod_flow(struct client *c, int argc, char **argv);
int cmd_get_flow(struct client *c, int argc, char **argv);
int cmd_del_flow(struct client *c, int argc, char **argv);
int cmd_del_flows(struct client *c, int argc, char **argv);
int cmd_add_flows(struct client *c, int argc, char **argv);
int cmd_pmd_stats_show(struct client *c, int argc, char **argv);
int cmd_pmd_stats_clear(struct client *c, int argc, char **argv);
int cmd_pmd_rxq_rebalance(struct client *c, int argc, char **argv);
int cmd_pmd_rxq_show(struct client *c, int argc, char **argv);
int cmd_execute(struct client *c, int argc, char **argv);
int cmd_monitor(struct client *c, int argc, char **argv);
int cmd_metrics(struct client *c, int argc, char **argv);

/* ---- batch.c ---- */
/*
 * Install ('del' false) or delete the flows read from 'in' ('name' is the
 * file's name in messages), many per datagram, several datagrams in
 * flight. Reports every failing line; returns an exit status.
 */
int cl_batch_run(struct client *c, FILE *in, const char *name, bool del);

/* ---- pktdump.c ---- */
/* "len N: eth ... > ..., IPv4 a > b ..., UDP x > y" (no newline). */
void pkt_summary(struct strbuf *sb, const uint8_t *p, size_t len);
/* Lines "  00000000  xx xx ...  |ascii|\n". */
void pkt_hexdump(struct strbuf *sb, const uint8_t *p, size_t len, const char *indent);

#endif /* CLIENT_H */
