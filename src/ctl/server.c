/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control socket: listening socket, connections, non-blocking output.
 * Message handling is in dispatch.c. Everything runs on the main thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <linux/sockios.h>

#include "ctl_internal.h"
#include "errmsg.h"
#include "nl_msg.h"
#include "nlbuf.h"

/* Replies queued for a client that does not read; past it they are
 * dropped and the client told ENOBUFS, as a netlink socket whose receive
 * buffer (about 208 KiB by default) overruns. Requests are read and served
 * whatever the client's backlog, so a client blocked in send() never waits
 * on its own unread replies. Above one reply datagram (OUT_FLUSH). */
#define REPLIES_BUDGET (256u * 1024)
/* Upcalls queued for one listener; past it they are dropped and counted
 * lost. Separate from the replies, so upcalls never stop the listener's
 * requests from being read. */
#define UPCALLS_BUDGET (1u * 1024 * 1024)
/* The socket send buffer of a listener that takes upcall batches. */
#define UPCALL_SNDBUF (4 * 1024 * 1024)
/* Connections kept for admins (uid 0, --ctl-group) at the total cap. */
#define ADMIN_RESERVE 8
/* How long accepting pauses after an error that a retry would repeat. */
#define ACCEPT_PAUSE_MS 100
/* Datagrams served per connection per poll, so one busy client cannot
 * starve the others. */
#define CONN_BURST 64
#define MAX_EVENTS 32
/* Upcall batch datagrams kept spare (ctl_server.spare). */
#define SPARE_BATCHES 16
/* Port ids are handed out downwards from here, as the kernel's
 * netlink_autobind() does for a process's later sockets; they stay clear
 * of the small positive pids that clients claim (often their getpid()). */
#define CTL_PORT_ID_TOP 0xfffff000u
#define CTL_PORT_ID_BOTTOM 0x80000000u

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int mkdir_parent(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Remove a stale socket file, but only if nobody answers on it. */
static int clear_stale(const struct sockaddr_un *addr, struct errmsg *err)
{
	struct stat st;
	int fd, ret;

	if (lstat(addr->sun_path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return errmsg_set(err, -EEXIST, -1, "%s exists and is not a socket",
				  addr->sun_path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = connect(fd, (const struct sockaddr *)addr, sizeof(*addr));
	close(fd);
	if (ret == 0)
		return errmsg_set(err, -EADDRINUSE, -1, "a daemon already answers on %s",
				  addr->sun_path);
	if (unlink(addr->sun_path) < 0 && errno != ENOENT)
		return errmsg_set(err, -errno, -1, "cannot remove stale %s: %s", addr->sun_path,
				  strerror(errno));
	return 0;
}

static int set_owner(struct ctl_server *srv, const struct ctl_server_conf *conf,
		     struct errmsg *err)
{
	if (chmod(conf->path, conf->mode) < 0)
		return errmsg_set(err, -errno, -1, "chmod %s: %s", conf->path, strerror(errno));
	if (conf->group == NULL)
		return 0;
	struct group *gr = getgrnam(conf->group);
	if (gr == NULL)
		return errmsg_set(err, -ENOENT, -1, "no group '%s'", conf->group);
	srv->admin_gid = gr->gr_gid;
	srv->has_admin_gid = true;
	if (chown(conf->path, (uid_t)-1, gr->gr_gid) < 0)
		return errmsg_set(err, -errno, -1, "chown %s: %s", conf->path, strerror(errno));
	return 0;
}

static int listen_on(struct ctl_server *srv, const struct ctl_server_conf *conf,
		     struct errmsg *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int ret;

	if (strlen(conf->path) >= sizeof(addr.sun_path))
		return errmsg_set(err, -ENAMETOOLONG, -1, "socket path too long: %s", conf->path);
	strcpy(addr.sun_path, conf->path);
	ret = mkdir_parent(conf->path);
	if (ret < 0)
		return errmsg_set(err, ret, -1, "cannot create the directory of %s: %s",
				  conf->path, strerror(-ret));
	ret = clear_stale(&addr, err);
	if (ret < 0)
		return errmsg_set(err, ret, -1, "%s: %s", conf->path, strerror(-ret));
	srv->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (srv->listen_fd < 0)
		return errmsg_set(err, -errno, -1, "socket: %s", strerror(errno));
	if (bind(srv->listen_fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return errmsg_set(err, -errno, -1, "bind %s: %s", conf->path, strerror(errno));
	srv->bound = true;
	if (listen(srv->listen_fd, 128) < 0)
		return errmsg_set(err, -errno, -1, "listen %s: %s", conf->path, strerror(errno));
	return set_owner(srv, conf, err);
}

int ctl_server_open(struct ctl_server **srvp, const struct ctl_server_conf *conf,
		    struct errmsg *err)
{
	struct ctl_server *srv = calloc(1, sizeof(*srv));
	struct epoll_event ev = { .events = EPOLLIN };
	int ret;

	if (srv == NULL)
		return -ENOMEM;
	srv->listen_fd = -1;
	srv->next_port_id = CTL_PORT_ID_TOP;
	srv->max_conns = conf->max_conns ? conf->max_conns : CTL_DEFAULT_MAX_CONNS;
	srv->max_conns_per_uid = conf->max_conns_per_uid ? conf->max_conns_per_uid
							 : CTL_DEFAULT_MAX_CONNS_PER_UID;
	/* Given up at EMFILE to accept (and close) the connection waiting,
	 * so that a full table never makes the listening socket spin. */
	srv->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	srv->dp = conf->dp;
	srv->commit = conf->commit;
	srv->dp_ifindex = conf->dp_ifindex;
	srv->ops = conf->ops;
	srv->n_ops = conf->n_ops;
	snprintf(srv->path, sizeof(srv->path), "%s", conf->path);
	srv->rxbuf = malloc(CTL_MAX_DGRAM);
	srv->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (srv->rxbuf == NULL || srv->epoll_fd < 0) {
		ret = errmsg_set(err, -ENOMEM, -1, "control server: out of memory");
		goto fail;
	}
	ret = listen_on(srv, conf, err);
	if (ret < 0)
		goto fail;
	ev.data.ptr = NULL; /* NULL marks the listening socket */
	if (epoll_ctl(srv->epoll_fd, EPOLL_CTL_ADD, srv->listen_fd, &ev) < 0) {
		ret = errmsg_set(err, -errno, -1, "epoll: %s", strerror(errno));
		goto fail;
	}
	*srvp = srv;
	return 0;
fail:
	ctl_server_close(srv);
	return ret;
}

static void outq_free(struct ctl_outq *q)
{
	struct ctl_out *o, *next;

	for (o = q->head; o; o = next) {
		next = o->next;
		free(o);
	}
	q->head = q->tail = NULL;
	q->bytes = 0;
}

static void conn_free(struct ctl_server *srv, struct ctl_conn *conn)
{
	ctl_dump_abort(conn);
	epoll_ctl(srv->epoll_fd, EPOLL_CTL_DEL, conn->fd, NULL);
	close(conn->fd);
	outq_free(&conn->replies);
	outq_free(&conn->upcalls);
	*conn->pprev = conn->next;
	if (conn->next)
		conn->next->pprev = conn->pprev;
	free(conn);
	srv->n_conns--;
	/* A file is free again: accepting may resume. */
	srv->accept_resume_ms = 0;
}

void ctl_server_close(struct ctl_server *srv)
{
	if (srv == NULL)
		return;
	while (srv->conns)
		conn_free(srv, srv->conns);
	while (srv->spare) {
		struct ctl_out *o = srv->spare;
		srv->spare = o->next;
		free(o);
	}
	if (srv->listen_fd >= 0)
		close(srv->listen_fd);
	if (srv->bound)
		unlink(srv->path);
	if (srv->epoll_fd >= 0)
		close(srv->epoll_fd);
	if (srv->reserve_fd >= 0)
		close(srv->reserve_fd);
	free(srv->rxbuf);
	free(srv);
}

void ctl_server_attach(struct ctl_server *srv, void *dp)
{
	srv->dp = dp;
}

/* Admin: uid 0, or a member (primary or supplementary) of the admin group. */
static bool peer_is_admin(const struct ctl_server *srv, int fd, const struct ucred *cred)
{
	gid_t groups[256];
	socklen_t len = sizeof(groups);

	if (cred->uid == 0)
		return true;
	if (!srv->has_admin_gid)
		return false;
	if (cred->gid == srv->admin_gid)
		return true;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0)
		return false;
	for (size_t i = 0; i < len / sizeof(gid_t); i++)
		if (groups[i] == srv->admin_gid)
			return true;
	return false;
}

static struct ctl_conn *conn_by_pid(struct ctl_server *srv, uint32_t pid);

/* A free port id for a new connection (the kernel's autobind). */
static uint32_t alloc_port_id(struct ctl_server *srv)
{
	for (;;) {
		uint32_t id = srv->next_port_id--;
		if (srv->next_port_id < CTL_PORT_ID_BOTTOM)
			srv->next_port_id = CTL_PORT_ID_TOP;
		if (conn_by_pid(srv, id) == NULL)
			return id;
	}
}

static uint32_t conns_of_uid(const struct ctl_server *srv, uid_t uid)
{
	uint32_t n = 0;

	for (const struct ctl_conn *c = srv->conns; c; c = c->next)
		n += c->uid == uid;
	return n;
}

/* The caps: a total, of which the last ADMIN_RESERVE are for admins, and
 * one per uid (root has none). Why a connection is refused, or NULL. */
static const char *conn_refusal(const struct ctl_server *srv, uid_t uid, bool admin)
{
	uint32_t reserve = srv->max_conns > 2 * ADMIN_RESERVE ? ADMIN_RESERVE : srv->max_conns / 2;

	if (srv->n_conns >= srv->max_conns)
		return "too many connections (--ctl-max-conns)";
	if (!admin && srv->n_conns >= srv->max_conns - reserve)
		return "too many connections (--ctl-max-conns; the last ones are kept for admins)";
	if (uid != 0 && conns_of_uid(srv, uid) >= srv->max_conns_per_uid)
		return "too many connections from this user (--ctl-max-conns-per-uid)";
	return NULL;
}

static void put_notice(struct nlbuf *b, int error, const char *why);

/* Tell a connection why it is refused, then close it: a client reads the
 * notice instead of a bare "connection reset". */
static void refuse(struct ctl_server *srv, int fd, const char *why)
{
	struct nlbuf b;

	nlbuf_init(&b, 256);
	put_notice(&b, -ECONNREFUSED, why);
	(void)!send(fd, b.data, b.len, MSG_DONTWAIT | MSG_NOSIGNAL);
	nlbuf_free(&b);
	/* Closing a unix socket with unread data resets the peer, which then
	 * loses the notice: stop its sends, drop what it sent, then close. */
	shutdown(fd, SHUT_RDWR);
	while (recv(fd, srv->rxbuf, CTL_MAX_DGRAM, MSG_DONTWAIT) > 0)
		;
	close(fd);
	srv->stats.conns_refused++;
}

static void accept_pause(struct ctl_server *srv)
{
	struct epoll_event ev = { .events = 0, .data.ptr = NULL };

	epoll_ctl(srv->epoll_fd, EPOLL_CTL_MOD, srv->listen_fd, &ev);
	srv->accept_paused = true;
	srv->accept_resume_ms = now_ms() + ACCEPT_PAUSE_MS;
}

static void accept_maybe_resume(struct ctl_server *srv)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };

	if (!srv->accept_paused || now_ms() < srv->accept_resume_ms)
		return;
	epoll_ctl(srv->epoll_fd, EPOLL_CTL_MOD, srv->listen_fd, &ev);
	srv->accept_paused = false;
}

/* accept() failed. Out of files, the waiting connection stays queued and
 * the listening socket stays readable: shed it with the reserve file, or
 * stop listening for a while, rather than retry at once (a spin). */
static void accept_failed(struct ctl_server *srv, int err)
{
	if (err == EAGAIN || err == EWOULDBLOCK || err == EINTR || err == ECONNABORTED)
		return;
	srv->stats.accept_errors++;
	if ((err == EMFILE || err == ENFILE) && srv->reserve_fd >= 0) {
		close(srv->reserve_fd);
		int fd = accept4(srv->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			refuse(srv, fd, "the daemon is out of files");
		srv->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && srv->reserve_fd >= 0)
			return;
	}
	accept_pause(srv);
}

static void conn_link(struct ctl_server *srv, struct ctl_conn *conn)
{
	conn->next = srv->conns;
	conn->pprev = &srv->conns;
	if (srv->conns)
		srv->conns->pprev = &conn->next;
	srv->conns = conn;
	srv->n_conns++;
	srv->stats.conns_accepted++;
}

static void accept_one(struct ctl_server *srv)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct ctl_conn *conn;
	int fd;

	fd = accept4(srv->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		accept_failed(srv, errno);
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		close(fd);
		return;
	}
	bool admin = peer_is_admin(srv, fd, &cred);
	const char *why = conn_refusal(srv, cred.uid, admin);
	if (why) {
		refuse(srv, fd, why);
		return;
	}
	conn = calloc(1, sizeof(*conn));
	if (conn == NULL) {
		close(fd);
		return;
	}
	conn->fd = fd;
	conn->srv = srv;
	conn->uid = cred.uid;
	conn->admin = admin;
	conn->id = ++srv->next_conn_id;
	conn->port_id = alloc_port_id(srv);
	conn->events = EPOLLIN;
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = conn };
	if (epoll_ctl(srv->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		free(conn);
		close(fd);
		return;
	}
	conn_link(srv, conn);
}

/* Requests are served except while a dump runs: it continues as the
 * client reads, and what the client sends next is answered after it. */
static bool reading_paused(const struct ctl_conn *conn)
{
	return ctl_dump_active(conn);
}

static void conn_update_events(struct ctl_conn *conn)
{
	uint32_t want = 0;

	if (!reading_paused(conn))
		want |= EPOLLIN;
	if (conn->replies.head || conn->upcalls.head || ctl_dump_active(conn))
		want |= EPOLLOUT;
	if (want == conn->events)
		return;
	struct epoll_event ev = { .events = want, .data.ptr = conn };
	epoll_ctl(conn->srv->epoll_fd, EPOLL_CTL_MOD, conn->fd, &ev);
	conn->events = want;
}

/* Queue a datagram with room for 'cap' bytes (at least len). */
static int outq_put_cap(struct ctl_outq *q, const void *data, size_t len, size_t cap)
{
	struct ctl_out *o = malloc(sizeof(*o) + (cap > len ? cap : len));

	if (o == NULL)
		return -ENOMEM;
	o->next = NULL;
	o->len = len;
	o->cap = cap > len ? cap : len;
	memcpy(o->data, data, len);
	*(q->head ? &q->tail->next : &q->head) = o;
	q->tail = o;
	q->bytes += len;
	return 0;
}

static int outq_put(struct ctl_outq *q, const void *data, size_t len)
{
	return outq_put_cap(q, data, len, len);
}

/* Batched upcalls: append to the last queued datagram (not sent yet:
 * datagrams leave whole) while it has room, else start another. Sent by
 * flush_out() when the socket is writable, which the next poll finds at
 * once: one poll round's upcalls share datagrams. */
static int outq_append(struct ctl_server *srv, struct ctl_outq *q, const void *data, size_t len)
{
	struct ctl_out *t = q->tail;

	if (t && t->cap - t->len >= len) {
		memcpy(t->data + t->len, data, len);
		t->len += len;
		q->bytes += len;
		return 0;
	}
	if (srv->spare == NULL || len > CTL_UPCALL_BATCH_BYTES)
		return outq_put_cap(q, data, len, CTL_UPCALL_BATCH_BYTES);
	t = srv->spare;
	srv->spare = t->next;
	srv->n_spare--;
	t->next = NULL;
	t->len = len;
	memcpy(t->data, data, len);
	*(q->head ? &q->tail->next : &q->head) = t;
	q->tail = t;
	q->bytes += len;
	return 0;
}

/* A sent datagram: kept spare if it is a batch's, else freed. */
static void out_done(struct ctl_server *srv, struct ctl_out *o)
{
	if (o->cap != CTL_UPCALL_BATCH_BYTES || srv->n_spare >= SPARE_BATCHES) {
		free(o);
		return;
	}
	o->next = srv->spare;
	srv->spare = o;
	srv->n_spare++;
}

/* Send now when nothing of the queue waits (order within a queue is kept),
 * else queue. 1: sent, 0: queued, or a negative errno (the peer is gone). */
static int send_or_queue(struct ctl_conn *conn, struct ctl_outq *q, const void *data,
			 size_t len)
{
	if (q->head == NULL) {
		ssize_t n = send(conn->fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n >= 0)
			return 1;
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS) {
			conn->dead = true;
			return -errno;
		}
	}
	return outq_put(q, data, len);
}

/* A message from the daemon itself, not a reply: NLMSG_ERROR with an
 * all-zero request header, sequence 0 (docs/PROTOCOL.md, "Notices"). */
static void put_notice(struct nlbuf *b, int error, const char *why)
{
	const struct nlmsghdr none = { 0 };
	struct errmsg msg;

	errmsg_clear(&msg);
	if (why)
		errmsg_set(&msg, error, -1, "%s", why);
	nl_msg_put_error(b, &none, error, &msg);
}

/* Replies over the budget are dropped; the first drop queues one ENOBUFS
 * notice after what the client has still to read (the kernel reports it
 * on the next recvmsg). Another comes only once the client has caught up. */
static int replies_overrun(struct ctl_conn *conn)
{
	struct nlbuf b;

	conn->srv->stats.replies_dropped++;
	if (conn->overrun)
		return -ENOBUFS;
	nlbuf_init(&b, 64);
	put_notice(&b, -ENOBUFS, NULL);
	if (outq_put(&conn->replies, b.data, b.len) == 0)
		conn->overrun = true;
	nlbuf_free(&b);
	conn_update_events(conn);
	return -ENOBUFS;
}

int ctl_conn_send(struct ctl_conn *conn, const void *data, size_t len)
{
	if (conn->dead)
		return -EPIPE;
	if (conn->replies.bytes + len > REPLIES_BUDGET)
		return replies_overrun(conn);
	int ret = send_or_queue(conn, &conn->replies, data, len);
	conn_update_events(conn);
	return ret < 0 ? ret : 0;
}

/* Send the head of 'q'. 1: sent, 0: the socket is full, -1: dead. */
static int outq_send_one(struct ctl_conn *conn, struct ctl_outq *q)
{
	struct ctl_out *o = q->head;
	ssize_t n = send(conn->fd, o->data, o->len, MSG_DONTWAIT | MSG_NOSIGNAL);

	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
			return 0;
		conn->dead = true;
		return -1;
	}
	q->head = o->next;
	if (q->head == NULL)
		q->tail = NULL;
	q->bytes -= o->len;
	out_done(conn->srv, o);
	if (q == &conn->replies && q->head == NULL)
		conn->overrun = false; /* its notice is out: caught up */
	return 1;
}

/* Write queued datagrams until the socket is full, replies and upcalls
 * in turn so that neither starves the other. */
static void flush_out(struct ctl_conn *conn)
{
	while (conn->replies.head || conn->upcalls.head) {
		bool up = conn->upcalls.head && (conn->upcall_turn || !conn->replies.head);
		if (outq_send_one(conn, up ? &conn->upcalls : &conn->replies) <= 0)
			return;
		conn->upcall_turn = !up;
	}
}

/* recv() returned 0: a 0-length datagram, or the peer closed. A closed
 * peer shows RDHUP; with nothing left to read it is the end. */
static bool peer_closed(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLRDHUP };
	int inq = 0;

	if (poll(&p, 1, 0) <= 0 || !(p.revents & (POLLRDHUP | POLLHUP | POLLERR)))
		return false;
	return ioctl(fd, SIOCINQ, &inq) < 0 || inq == 0;
}

static void read_requests(struct ctl_server *srv, struct ctl_conn *conn)
{
	for (int i = 0; i < CONN_BURST && !conn->dead && !reading_paused(conn); i++) {
		ssize_t n = recv(conn->fd, srv->rxbuf, CTL_MAX_DGRAM, MSG_DONTWAIT | MSG_TRUNC);
		if (n == 0) {
			/* An empty datagram holds no message: nothing to answer
			 * (docs/PROTOCOL.md), and the connection stays. */
			if (peer_closed(conn->fd))
				conn->dead = true;
			else
				srv->stats.empty_dgrams++;
			continue;
		}
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				conn->dead = true;
			break;
		}
		ctl_dispatch_datagram(srv, conn, srv->rxbuf, (size_t)n);
	}
}

static void serve_conn(struct ctl_server *srv, struct ctl_conn *conn, uint32_t events)
{
	if (events & (EPOLLERR | EPOLLHUP) && !(events & EPOLLIN))
		conn->dead = true;
	if (!conn->dead && (events & EPOLLOUT)) {
		flush_out(conn);
		if (conn->replies.head == NULL && ctl_dump_active(conn))
			ctl_dump_continue(srv, conn);
	}
	if (!conn->dead && (events & EPOLLIN))
		read_requests(srv, conn);
	if (conn->dead)
		conn_free(srv, conn);
	else
		conn_update_events(conn);
}

void ctl_server_poll(struct ctl_server *srv, int timeout_ms)
{
	struct epoll_event events[MAX_EVENTS];
	int n;

	accept_maybe_resume(srv);
	n = epoll_wait(srv->epoll_fd, events, MAX_EVENTS, timeout_ms);

	for (int i = 0; i < n; i++) {
		if (events[i].data.ptr == NULL)
			accept_one(srv);
		else
			serve_conn(srv, events[i].data.ptr, events[i].events);
	}
}

uint32_t ctl_conn_port_id(const struct ctl_conn *conn)
{
	return conn->port_id;
}

bool ctl_conn_framing_kernel(const struct ctl_conn *conn)
{
	return conn->framing_kernel;
}

void ctl_conn_set_framing_kernel(struct ctl_conn *conn, bool on)
{
	conn->framing_kernel = on;
}

bool ctl_conn_upcall_batch(const struct ctl_conn *conn)
{
	return conn->upcall_batch;
}

/* A listener that takes batches gets a socket buffer of UPCALL_SNDBUF:
 * with the default (about 208 KiB, one or two batch datagrams, as the
 * kernel charges each about twice its size) the control thread would stop
 * and wait for the listener after every datagram or two, a switch between
 * the two on a shared core each time. Root may pass wmem_max
 * (SO_SNDBUFFORCE); others get what it allows. */
void ctl_conn_set_upcall_batch(struct ctl_conn *conn, bool on)
{
	int bytes = UPCALL_SNDBUF;

	conn->upcall_batch = on;
	if (on && setsockopt(conn->fd, SOL_SOCKET, SO_SNDBUFFORCE, &bytes, sizeof(bytes)) < 0)
		(void)setsockopt(conn->fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof(bytes));
}

bool ctl_conn_is_admin(const struct ctl_conn *conn)
{
	return conn->admin;
}

/* The live connection that has 'pid' as port id, else as claim. */
static struct ctl_conn *conn_by_pid(struct ctl_server *srv, uint32_t pid)
{
	struct ctl_conn *claimer = NULL;

	for (struct ctl_conn *c = srv->conns; c; c = c->next) {
		if (c->dead)
			continue;
		if (c->port_id == pid)
			return c;
		if (c->claimed_pid == pid && claimer == NULL)
			claimer = c;
	}
	return claimer;
}

int ctl_conn_set_port_id(struct ctl_conn *conn, uint32_t port_id)
{
	struct ctl_conn *holder = conn_by_pid(conn->srv, port_id);

	if (port_id == 0)
		return -EINVAL;
	if (holder && holder != conn)
		return -EADDRINUSE;
	conn->port_id = port_id;
	return 0;
}

int ctl_conn_claim_pid(struct ctl_conn *conn, uint32_t pid)
{
	struct ctl_conn *holder = conn_by_pid(conn->srv, pid);

	if (holder == conn)
		return 0;
	/* Another connection's own port id: upcalls go there, as the kernel
	 * sends them to the socket that has the id, not to whoever named it. */
	if (holder && holder->port_id == pid)
		return 0;
	if (holder)
		return -EBUSY;
	conn->claimed_pid = pid;
	return 0;
}

int ctl_server_send_to_pid(struct ctl_server *srv, uint32_t pid, const void *data, size_t len)
{
	struct ctl_conn *conn = pid ? conn_by_pid(srv, pid) : NULL;

	if (conn == NULL)
		return -ENOTCONN;
	if (conn->upcalls.bytes + len > UPCALLS_BUDGET) {
		srv->stats.upcalls_dropped++;
		return -ENOBUFS;
	}
	int ret = conn->upcall_batch ? outq_append(srv, &conn->upcalls, data, len)
				     : send_or_queue(conn, &conn->upcalls, data, len);
	if (ret < 0)
		return ret;
	conn_update_events(conn);
	srv->stats.upcalls_sent++;
	return 0;
}

void ctl_server_get_stats(const struct ctl_server *srv, struct ctl_server_stats *st)
{
	*st = srv->stats;
}
