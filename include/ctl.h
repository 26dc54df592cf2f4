/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl: the control socket server. AF_UNIX SOCK_SEQPACKET; each datagram
 * holds one or more generic-netlink messages (nlmsghdr + genlmsghdr +
 * ovs_header + attributes), exactly as the kernel datapath's families take
 * them. See docs/PROTOCOL.md.
 *
 * The server is single-threaded: it runs on the main lcore, driven by
 * ctl_server_poll() from the daemon's main loop. Handlers run there too,
 * so they are the datapath's one writer.
 *
 * Each connection is served in order; one slow or dead client never stalls
 * the others: output is non-blocking and queued per connection, in two
 * budgets: replies (dropped past 256 KiB unread, with one ENOBUFS notice,
 * as a netlink socket overruns) and upcalls (dropped when the listener is
 * 1 MiB behind). Neither is a reason to stop reading a client's requests.
 * A dump proceeds one datagram at a time as the client reads.
 *
 * Connections are capped in total (the last few kept for admins) and per
 * uid (root excepted); running out of files never makes accept spin.
 */
#ifndef CTL_H
#define CTL_H

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/openvswitch.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "errmsg.h"
#include "nlbuf.h"

struct ctl_server;
struct ctl_conn;

/* Largest datagram the server reads or writes. */
#define CTL_MAX_DGRAM (256 * 1024)

struct ctl_op;

struct ctl_server_conf {
	const struct ctl_op *ops;  /* the OVS families' operations */
	size_t n_ops;
	const char *path;   /* socket path; its directory is created */
	uint32_t mode;      /* socket file permissions, e.g. 0666 */
	const char *group;  /* NULL, or a group whose members are admins */
	void *dp;           /* passed to handlers as req->dp */
	/* Requests to the vport, flow, packet and dpdk_switch families whose
	 * ovs_header names another dp_ifindex get -ENODEV (the datapath family
	 * checks for itself: it also takes a name). */
	int dp_ifindex;
	/* Called before replies go out, so that what the handlers changed is
	 * in force when the client reads the answer (e.g. an RCU grace period
	 * after deletes): after any request whose handler did not set
	 * req->no_commit, and before dump parts. May be NULL. */
	void (*commit)(void *dp);
	uint32_t max_conns;          /* 0: CTL_DEFAULT_MAX_CONNS */
	uint32_t max_conns_per_uid;  /* 0: CTL_DEFAULT_MAX_CONNS_PER_UID; root has no cap */
};

#define CTL_DEFAULT_MAX_CONNS 1000
#define CTL_DEFAULT_MAX_CONNS_PER_UID 32

/*
 * Create the socket. An existing socket file is replaced only if no
 * daemon answers on it (-EADDRINUSE otherwise); a non-socket file at the
 * path is never removed (-EEXIST). Returns 0 or a negative errno.
 */
int ctl_server_open(struct ctl_server **srv, const struct ctl_server_conf *conf,
		    struct errmsg *err);
void ctl_server_close(struct ctl_server *srv);

/* Set the handlers' req->dp, for a server opened before the datapath
 * existed (the daemon listens before EAL, so a second daemon on the same
 * path fails before touching any device). */
void ctl_server_attach(struct ctl_server *srv, void *dp);

/* Serve whatever is ready, waiting up to timeout_ms (0: don't wait). */
void ctl_server_poll(struct ctl_server *srv, int timeout_ms);

/* A request being handled. Handlers append reply messages to 'out'. */
struct ctl_req {
	struct ctl_server *srv;
	struct ctl_conn *conn;
	void *dp;
	const struct nlmsghdr *nlh;
	const struct genlmsghdr *genl;
	const struct ovs_header *ovs;  /* NULL for the genl controller */
	const struct nlattr *attrs;    /* first attribute */
	size_t attrs_len;
	size_t attrs_ofs;              /* offset of 'attrs' in the message */
	struct nlbuf *out;
	uint64_t dgram;                /* its datagram's number on the server
					* (from 1; 0 in dumps): one for the
					* requests of a datagram */
	struct errmsg err;             /* reason for an error reply */
	/* Set by a handler whose changes need no commit before its reply
	 * (it only added: nothing the client could see go is still in use),
	 * so that a datagram of such requests does not wait on the commit
	 * hook (a grace period waits for every PMD). False by default. */
	bool no_commit;
};

/*
 * A dump: 'fill' appends as many replies as fit (stop when out->len passes
 * 'budget') and returns 1 if more remain, 0 when done, or a negative errno.
 * 'state' is the handler's cursor, zeroed at the start of the dump.
 */
typedef int (*ctl_dump_fn)(struct ctl_req *req, void *state, size_t budget);
typedef void (*ctl_dump_done_fn)(struct ctl_req *req, void *state);
typedef int (*ctl_doit_fn)(struct ctl_req *req);

struct ctl_op {
	uint16_t family;          /* CTL_FAMILY_* */
	uint8_t cmd;
	bool admin;               /* the seed's GENL_ADMIN_PERM */
	ctl_doit_fn doit;         /* NULL: dump only */
	ctl_dump_fn dumpit;       /* NULL: no dump */
	ctl_dump_done_fn dump_done; /* may be NULL */
	/* The doit checks ovs_header's dp_ifindex itself (a vport by name
	 * takes 0, the connection commands any); dumps are checked here. */
	bool own_dp_check;
};

/* Family ids the generic-netlink controller hands out. */
enum {
	CTL_FAMILY_DATAPATH = GENL_MIN_ID + 0x10,
	CTL_FAMILY_VPORT,
	CTL_FAMILY_FLOW,
	CTL_FAMILY_PACKET,
	CTL_FAMILY_DPSW,     /* "dpdk_switch": ours, see dpsw_proto.h */
};

/* Start a reply message like the request's: same seq/pid, given cmd. */
size_t ctl_reply_start(struct ctl_req *req, uint16_t flags, uint8_t cmd);

/* Connection facts for handlers. */
bool ctl_conn_is_admin(const struct ctl_conn *conn);

/*
 * Netlink port ids: every connection has one from its accept on, as a
 * kernel netlink socket has after autobind: unique among live
 * connections, never 0, counting down from 0xfffff000 (the kernel's
 * range for a process's second and later sockets). set_port_id (a
 * client's bind() to a chosen id) gives -EADDRINUSE when another live
 * connection has that id as port id or claim, -EINVAL for 0.
 */
uint32_t ctl_conn_port_id(const struct ctl_conn *conn);
int ctl_conn_set_port_id(struct ctl_conn *conn, uint32_t port_id);

/* Reply framing (enum dpsw_framing in dpsw_proto.h): true = one reply
 * message per datagram, as the kernel's sk_buffs. */
bool ctl_conn_framing_kernel(const struct ctl_conn *conn);
void ctl_conn_set_framing_kernel(struct ctl_conn *conn, bool on);

/* Upcall batching (DPSW_ATTR_CONN_UPCALL_BATCH): false, the default, one
 * upcall per datagram as the kernel sends them; true, upcalls waiting for
 * the connection are packed into datagrams of up to CTL_UPCALL_BATCH_BYTES
 * (one bigger upcall travels alone). */
#define CTL_UPCALL_BATCH_BYTES (64u * 1024)
bool ctl_conn_upcall_batch(const struct ctl_conn *conn);
void ctl_conn_set_upcall_batch(struct ctl_conn *conn, bool on);

/*
 * Upcall listeners: upcalls for a pid go to the connection whose port id
 * it is, as in the kernel, whoever named the pid. A pid that is no
 * connection's port id is claimed by the connection that sets it
 * (OVS_DP_ATTR_UPCALL_PID, OVS_VPORT_ATTR_UPCALL_PID). Returns 0, or
 * -EBUSY when another live connection claimed it.
 */
int ctl_conn_claim_pid(struct ctl_conn *conn, uint32_t pid);

/*
 * Send one unsolicited datagram (an upcall) to the connection that has
 * 'pid' as port id or claim. Never blocks: -ENOTCONN when nobody has it, -ENOBUFS when that
 * listener's upcall budget (1 MiB queued) is full (counted in
 * upcalls_dropped; the caller counts it lost). Never stops the listener's
 * requests from being read.
 */
int ctl_server_send_to_pid(struct ctl_server *srv, uint32_t pid, const void *data, size_t len);

/* Counters, for `show` and tests. */
struct ctl_server_stats {
	uint64_t conns_accepted;
	uint64_t msgs_ok;
	uint64_t msgs_err;
	uint64_t replies_dropped;      /* over a client's reply budget (ENOBUFS) */
	uint64_t upcalls_sent;
	uint64_t upcalls_dropped;      /* the listener's upcall budget was full */
	uint64_t conns_refused;        /* over a connection cap, or shed at EMFILE */
	uint64_t accept_errors;
	uint64_t empty_dgrams;         /* 0-length datagrams (ignored) */
};
void ctl_server_get_stats(const struct ctl_server *srv, struct ctl_server_stats *st);

#endif /* CTL_H */
