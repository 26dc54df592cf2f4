/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Emulated NETLINK_GENERIC sockets: which fds are ours, the connection to
 * the daemon with its handshake, and the sync markers that make an answer
 * look as immediate as the kernel's. Any thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/openvswitch.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <time.h>

#include "dpsw_proto.h"
#include "nl_attr.h"
#include "preload.h"

#define DEFAULT_CTL "/run/dpdk-switch/ctl.sock"
/* How long socket() waits for the daemon's handshake replies. */
#define HANDSHAKE_MS 30000

/*
 * The marker: NLMSG_NOOP with NLM_F_ACK, sent in a datagram of its own
 * after each of the program's. The daemon serves a connection's datagrams
 * in order and reads none while a dump runs, so its ack comes after every
 * reply to the datagram before it, dump parts included. The pid and seq
 * tell its ack from anything the program could have asked for.
 */
#define SYNC_PID 0x64707377u /* "dpsw" */
#define SYNC_SEQ 0x73796e63u /* "sync" */

/* ---- fd table: two levels, pages allocated on first use ---- */

#define PAGE_FDS 1024
#define N_PAGES 1024 /* fds below 1 Mi */

static _Atomic(struct nlsock *) *_Atomic pages[N_PAGES];

static _Atomic(struct nlsock *) *slot(int fd, bool create)
{
	if (fd < 0 || fd >= PAGE_FDS * N_PAGES)
		return NULL;
	_Atomic(struct nlsock *) *page = atomic_load_explicit(&pages[fd / PAGE_FDS],
							      memory_order_acquire);
	if (page == NULL && create) {
		_Atomic(struct nlsock *) *fresh = calloc(PAGE_FDS, sizeof(*fresh));
		if (fresh == NULL)
			return NULL;
		/* Another thread may have published a page meanwhile: keep it. */
		if (atomic_compare_exchange_strong(&pages[fd / PAGE_FDS], &page, fresh))
			page = fresh;
		else
			free(fresh);
	}
	return page ? &page[fd % PAGE_FDS] : NULL;
}

struct nlsock *nlsock_get(int fd)
{
	_Atomic(struct nlsock *) *s = slot(fd, false);

	return s ? atomic_load_explicit(s, memory_order_acquire) : NULL;
}

int nlsock_attach(int fd, struct nlsock *s)
{
	_Atomic(struct nlsock *) *sl = slot(fd, true);

	if (sl == NULL) {
		errno = fd < 0 ? EBADF : EMFILE;
		return -1;
	}
	atomic_fetch_add(&s->refs, 1);
	struct nlsock *old = atomic_exchange(sl, s);
	if (old && atomic_fetch_sub(&old->refs, 1) == 1)
		free(old);
	return 0;
}

void nlsock_detach(int fd)
{
	_Atomic(struct nlsock *) *sl = slot(fd, false);
	struct nlsock *old = sl ? atomic_exchange(sl, NULL) : NULL;

	if (old && atomic_fetch_sub(&old->refs, 1) == 1)
		free(old);
}

/* ---- the connection and its handshake ---- */

static int wait_in(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n;

	do
		n = poll(&p, 1, timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		errno = ETIMEDOUT;
	return n > 0 ? 0 : -1;
}

/* Send one request, receive one datagram that answers it. */
static int transact(int fd, const void *req, size_t len, void *reply, size_t size)
{
	ssize_t n;

	if (real.send(fd, req, len, MSG_NOSIGNAL) < 0 || wait_in(fd, HANDSHAKE_MS) < 0)
		return -1;
	n = real.recv(fd, reply, size, MSG_DONTWAIT);
	if (n < (ssize_t)NLMSG_HDRLEN) {
		if (n >= 0)
			errno = ECONNRESET;
		return -1;
	}
	const struct nlmsghdr *h = reply;
	if (h->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(h);
		errno = (size_t)n >= NLMSG_HDRLEN + sizeof(*e) && e->error < 0 ? -e->error : EPROTO;
		return -1;
	}
	return (int)n;
}

/* The first attribute of type 'type' after 'hdr' bytes of payload. */
static const struct nlattr *find_attr(const void *msg, size_t len, size_t hdr, uint16_t type)
{
	size_t ofs = NLMSG_HDRLEN + hdr;
	const struct nlattr *a;

	if (ofs > len)
		return NULL;
	nl_attr_for_each(a, (const uint8_t *)msg + ofs, len - ofs)
		if (nl_attr_type(a) == type)
			return a;
	return NULL;
}

/* A request of the dpdk_switch family or the genl controller. */
struct req {
	struct nlmsghdr nlh;
	struct genlmsghdr genl;
	struct ovs_header ovs;     /* dpdk_switch only */
	uint8_t attrs[64];
};

static size_t put_attr(struct req *r, size_t ofs, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = (void *)((uint8_t *)r + ofs);

	a->nla_type = type;
	a->nla_len = (uint16_t)nl_attr_size(len);
	memcpy(nl_attr_data_rw(a), data, len);
	return (size_t)((const uint8_t *)nl_attr_next(a) - (const uint8_t *)r);
}

/* The dpdk_switch family's id, by name, once per process. */
static int dpsw_family(int fd)
{
	static atomic_int id;
	uint8_t reply[4096];
	struct req r = {
		.nlh = { .nlmsg_type = GENL_ID_CTRL, .nlmsg_flags = NLM_F_REQUEST, .nlmsg_seq = 1 },
		.genl = { .cmd = CTRL_CMD_GETFAMILY, .version = 1 },
	};
	size_t len = put_attr(&r, NLMSG_HDRLEN + GENL_HDRLEN, CTRL_ATTR_FAMILY_NAME, DPSW_FAMILY,
			      sizeof(DPSW_FAMILY));
	int n;

	if (atomic_load(&id))
		return atomic_load(&id);
	r.nlh.nlmsg_len = (uint32_t)len;
	n = transact(fd, &r, len, reply, sizeof(reply));
	if (n < 0)
		return -1;
	const struct nlattr *a = find_attr(reply, (size_t)n, GENL_HDRLEN, CTRL_ATTR_FAMILY_ID);
	if (a == NULL || nl_attr_len(a) < sizeof(uint16_t)) {
		errno = EPROTO;
		return -1;
	}
	atomic_store(&id, nl_attr_u16(a));
	return atomic_load(&id);
}

/* DPSW_CMD_CONN_SET with 'attr' (a u32), echoed: the port id it reports. */
static int conn_set(int fd, uint16_t attr, uint32_t value, uint32_t *port_id)
{
	uint8_t reply[512];
	int family = dpsw_family(fd);

	if (family < 0)
		return -1;
	struct req r = {
		.nlh = { .nlmsg_type = (uint16_t)family, .nlmsg_seq = 2,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_ECHO },
		.genl = { .cmd = DPSW_CMD_CONN_SET, .version = DPSW_VERSION },
	};
	size_t len = put_attr(&r, sizeof(r.nlh) + sizeof(r.genl) + sizeof(r.ovs), attr, &value,
			      sizeof(value));
	r.nlh.nlmsg_len = (uint32_t)len;
	int n = transact(fd, &r, len, reply, sizeof(reply));
	if (n < 0)
		return -1;
	const struct nlattr *a = find_attr(reply, (size_t)n, GENL_HDRLEN + sizeof(struct ovs_header),
					   DPSW_ATTR_CONN_PORT_ID);
	if (a == NULL || nl_attr_len(a) < sizeof(uint32_t)) {
		errno = EPROTO;
		return -1;
	}
	*port_id = nl_attr_u32(a);
	return 0;
}

static const char *ctl_path(void)
{
	const char *p = getenv("DPDK_SWITCH_CTL");

	return p && *p ? p : DEFAULT_CTL;
}

/* Said once per process: a program that only reports EPROTONOSUPPORT or
 * ECONNREFUSED leaves its user guessing which socket was meant. */
static void say_failed(const char *what, const char *path)
{
	static atomic_bool said;
	int e = errno;

	if (!atomic_exchange(&said, true))
		fprintf(stderr, "libdpdk-switch-netlink: %s %s: %s\n", what, path, strerror(e));
	errno = e;
}

int nlsock_open(int type, struct nlsock **sp)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	const char *path = ctl_path();
	struct nlsock *s;
	uint32_t port_id;
	int fd, e;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		errno = ENAMETOOLONG;
		say_failed("socket path", path);
		return -1;
	}
	strcpy(addr.sun_path, path);
	fd = real.socket(AF_UNIX, SOCK_SEQPACKET | (type & SOCK_CLOEXEC), 0);
	if (fd < 0)
		return -1;
	if (real.connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		say_failed("connect", path);
		goto fail;
	}
	if (conn_set(fd, DPSW_ATTR_CONN_FRAMING, DPSW_FRAMING_KERNEL, &port_id) < 0) {
		say_failed("handshake on", path);
		goto fail;
	}
	if ((type & SOCK_NONBLOCK) && real.fcntl(fd, F_SETFL, O_NONBLOCK) < 0)
		goto fail;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		goto fail;
	s->type = type & ~(SOCK_CLOEXEC | SOCK_NONBLOCK);
	atomic_init(&s->port_id, port_id);
	*sp = s;
	return fd;
fail:
	e = errno;
	real.close(fd);
	errno = e;
	return -1;
}

int nlsock_bind_port(int fd, struct nlsock *s, uint32_t port_id)
{
	uint32_t got;

	if (atomic_load(&s->pending)) {
		errno = EBUSY;
		return -1;
	}
	if (conn_set(fd, DPSW_ATTR_CONN_PORT_ID, port_id, &got) < 0)
		return -1;
	atomic_store(&s->port_id, got);
	return 0;
}

/* ---- sync markers ---- */

void nlsock_sync_send(int fd, struct nlsock *s)
{
	const struct nlmsghdr m = {
		.nlmsg_len = NLMSG_HDRLEN, .nlmsg_type = NLMSG_NOOP,
		.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK, .nlmsg_seq = SYNC_SEQ,
		.nlmsg_pid = SYNC_PID,
	};

	/* Blocks only while the daemon is not reading, as a full socket
	 * buffer makes the kernel's sendmsg() block. */
	for (;;) {
		if (real.send(fd, &m, sizeof(m), MSG_NOSIGNAL) == (ssize_t)sizeof(m)) {
			atomic_fetch_add(&s->pending, 1);
			return;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return; /* the daemon is gone: receives will say so */
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		poll(&p, 1, 100);
	}
}

static bool is_sync_ack(const uint8_t *buf, ssize_t n)
{
	const struct nlmsghdr *h = (const void *)buf;
	const struct nlmsgerr *e = NLMSG_DATA(h);

	return n == (ssize_t)(NLMSG_HDRLEN + sizeof(*e)) && h->nlmsg_type == NLMSG_ERROR &&
	       e->error == 0 && e->msg.nlmsg_type == NLMSG_NOOP &&
	       e->msg.nlmsg_pid == SYNC_PID && e->msg.nlmsg_seq == SYNC_SEQ;
}

/* The daemon's notice that it dropped replies this socket did not read
 * (nl_msg_is_notice): the kernel's netlink_overrun(). */
static bool is_overrun(const uint8_t *buf, ssize_t n)
{
	const struct nlmsghdr *h = (const void *)buf;
	const struct nlmsgerr *e = NLMSG_DATA(h);

	return n == (ssize_t)(NLMSG_HDRLEN + sizeof(*e)) && h->nlmsg_type == NLMSG_ERROR &&
	       h->nlmsg_seq == 0 && e->error == -ENOBUFS && e->msg.nlmsg_len == 0;
}

/* One marker fewer due; never below zero (after an overrun, acks of
 * markers counted off may still arrive). */
static void pending_done(struct nlsock *s)
{
	unsigned int p = atomic_load(&s->pending);

	while (p && !atomic_compare_exchange_weak(&s->pending, &p, p - 1))
		;
}

int nlsock_recv_ready(int fd, struct nlsock *s, bool wait)
{
	uint8_t head[NLMSG_HDRLEN + sizeof(struct nlmsgerr)];

	for (;;) {
		ssize_t n = real.recv(fd, head, sizeof(head), MSG_PEEK | MSG_DONTWAIT | MSG_TRUNC);
		if (n > 0 && is_sync_ack(head, n)) {
			real.recv(fd, head, sizeof(head), MSG_DONTWAIT);
			pending_done(s);
			continue;
		}
		if (n > 0 && is_overrun(head, n)) {
			/* Replies, markers' acks among them, were lost: none
			 * is due any more. The kernel reports ENOBUFS once,
			 * unless the program asked not to hear it. */
			real.recv(fd, head, sizeof(head), MSG_DONTWAIT);
			atomic_store(&s->pending, 0);
			if (atomic_load(&s->opt[NETLINK_NO_ENOBUFS]))
				continue;
			errno = ENOBUFS;
			return -1;
		}
		if (n >= 0)
			return 1; /* a datagram, or end of file */
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		bool due = atomic_load(&s->pending) > 0;
		if (!due && !wait)
			return 0;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		/* A signal ends a wait the kernel would have had too; while an
		 * answer is due, the kernel would not have waited at all. */
		if (poll(&p, 1, -1) < 0 && (errno != EINTR || !due))
			return -1;
	}
}
