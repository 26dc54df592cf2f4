/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared between the control server's files; not an API. */
#ifndef CTL_INTERNAL_H
#define CTL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/un.h>

#include "ctl.h"

/* One queued outgoing datagram. */
struct ctl_out {
	struct ctl_out *next;
	size_t len;
	size_t cap;                /* room in data[] (batched upcalls grow len) */
	uint8_t data[];
};

/* Datagrams waiting for room in the client's socket, oldest first. */
struct ctl_outq {
	struct ctl_out *head, *tail;
	size_t bytes;
};

/* A dump in progress on a connection (at most one, as on netlink). */
struct ctl_dump {
	const struct ctl_op *op;
	uint8_t *request;          /* copy of the request message */
	size_t request_len;
	uint64_t state[32];        /* handler's cursor, zeroed at start */
};

struct ctl_conn {
	struct ctl_conn *next, **pprev;
	struct ctl_server *srv;
	int fd;
	uid_t uid;
	bool admin;
	bool dead;                 /* freed at the end of this poll round */
	uint32_t id;
	uint32_t port_id;          /* its netlink port id (ctl_conn_port_id) */
	uint32_t claimed_pid;      /* upcall pid this connection listens on */
	bool framing_kernel;       /* one reply message per datagram */
	bool upcall_batch;         /* many upcalls a datagram (opted in) */
	uint32_t events;           /* epoll interest currently set */
	/* Two budgets, replies to this client's requests and upcalls: past
	 * either, what comes is dropped (as the kernel drops what overruns a
	 * netlink socket's receive buffer), never a reason to stop reading
	 * the client's requests. Flushed alternately. */
	struct ctl_outq replies;
	struct ctl_outq upcalls;
	bool upcall_turn;          /* the next flush starts with an upcall */
	bool overrun;              /* replies dropped; ENOBUFS notice queued */
	struct ctl_dump *dump;
};

struct ctl_server {
	int listen_fd;
	int epoll_fd;
	bool bound;
	bool has_admin_gid;
	gid_t admin_gid;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	void *dp;
	void (*commit)(void *dp);
	int dp_ifindex;
	const struct ctl_op *ops;
	size_t n_ops;
	const struct ctl_op *last_op; /* the op find_op() found last, or NULL */
	uint8_t *rxbuf;            /* one datagram being served */
	struct ctl_conn *conns;
	uint32_t n_conns;
	uint32_t max_conns, max_conns_per_uid;
	int reserve_fd;            /* given up to shed a connection at EMFILE */
	bool accept_paused;        /* listening socket out of epoll until ... */
	uint64_t accept_resume_ms; /* ... this time, or a connection closes */
	uint32_t next_conn_id;
	uint32_t next_port_id;     /* counts down from CTL_PORT_ID_TOP */
	struct ctl_server_stats stats;
	uint64_t n_dgrams;             /* datagrams of requests dispatched */
	/* Sent upcall batch datagrams kept for the next batches: a storm of
	 * misses would otherwise malloc and free 64 KiB each time, and the
	 * heap, trimmed and grown again, faults its pages in anew. */
	struct ctl_out *spare;
	uint32_t n_spare;
};

/* server.c */
/* Send or queue a reply datagram (the replies' budget). */
int ctl_conn_send(struct ctl_conn *conn, const void *data, size_t len);

/* genl_ctrl.c: the generic netlink controller, always served. */
int ctl_genl_getfamily(struct ctl_req *req);
int ctl_genl_dumpfamily(struct ctl_req *req, void *state, size_t budget);

/* dispatch.c */
/* Serve every message of a datagram. */
void ctl_dispatch_datagram(struct ctl_server *srv, struct ctl_conn *conn, const uint8_t *data,
			     size_t len);
bool ctl_dump_active(const struct ctl_conn *conn);
void ctl_dump_continue(struct ctl_server *srv, struct ctl_conn *conn);
void ctl_dump_abort(struct ctl_conn *conn);

#endif /* CTL_INTERNAL_H */
