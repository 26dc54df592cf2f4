/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libdpdk-switch-netlink.so: programs written for the Open vSwitch kernel
 * datapath (Debian's ovs-dpctl, ovs-vswitchd) drive dpdk-switch unchanged:
 *
 *   DPDK_SWITCH_CTL=/run/dpdk-switch/ctl.sock \
 *   LD_PRELOAD=/usr/local/lib/x86_64-linux-gnu/libdpdk-switch-netlink.so \
 *   ovs-dpctl dump-flows
 *
 * The daemon's control socket speaks the kernel datapath's generic-netlink
 * messages already; what differs is the socket. So socket(AF_NETLINK, *,
 * NETLINK_GENERIC) returns a SOCK_SEQPACKET connection to the control
 * socket (DPDK_SWITCH_CTL, default /run/dpdk-switch/ctl.sock), and every
 * other socket, rtnetlink included, is libc's. The fd the program gets IS
 * that connection, so poll, epoll, select and fork need nothing; what is
 * intercepted, and why:
 *
 *  - socket: connect, learn the netlink port id the daemon assigned to
 *    the connection, ask for the kernel's framing (each reply message in
 *    a datagram of its own, as the kernel's sk_buffs; OVS reads one
 *    message per datagram).
 *  - bind, connect, getsockname, getpeername: netlink addresses. The port
 *    id is the daemon's, so upcall pids a program takes from getsockname()
 *    reach this connection. Binding a chosen port id asks the daemon.
 *  - setsockopt, getsockopt: SOL_NETLINK options are accepted and kept
 *    (membership, ext-ack, cap-ack...: the daemon always sends extended
 *    acks and capped errors, and no multicast); SOL_SOCKET ones (buffer
 *    sizes) go to the unix socket; SO_DOMAIN/SO_PROTOCOL/SO_TYPE say
 *    netlink.
 *  - sendmsg, sendto, send: the datagram goes as it is (one or more
 *    netlink messages), then a marker (nlsock.c) whose ack closes the
 *    daemon's answer.
 *  - recvmsg, recvfrom, recv: the kernel has answered by the time sendmsg
 *    returns, and programs rely on it (OVS takes EAGAIN after a request as
 *    "no more replies", and after a dump request as its end). So while an
 *    answer is due, a receive waits for it even with MSG_DONTWAIT; marker
 *    acks are dropped; the source address is the kernel's (port 0).
 *    MSG_PEEK and MSG_TRUNC work as on netlink (SOCK_SEQPACKET keeps
 *    datagram boundaries and reports their full length).
 *  - close, dup, dup2, dup3, fcntl(F_DUPFD*): keep the fd table right.
 *
 * read(), write(), sendmmsg() and recvmmsg() on such a socket reach the
 * daemon untranslated (OVS uses none of them on netlink sockets).
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <pthread.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "preload.h"

#define EXPORT __attribute__((visibility("default")))

struct real_libc real;

static void resolve_once(void)
{
#define R(name) real.name = (__typeof__(real.name))dlsym(RTLD_NEXT, #name)
	R(socket); R(bind); R(connect); R(getsockname); R(getpeername);
	R(setsockopt); R(getsockopt); R(sendmsg); R(sendto); R(send);
	R(recvmsg); R(recvfrom); R(recv); R(close); R(dup); R(dup2); R(dup3);
	R(fcntl); R(fcntl64);
#undef R
	if (real.fcntl64 == NULL)
		real.fcntl64 = real.fcntl;
}

void real_resolve(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, resolve_once);
}

/* The socket behind fd, with libc resolved either way. */
static struct nlsock *ours(int fd)
{
	real_resolve();
	return nlsock_get(fd);
}

static int fail(int e)
{
	errno = e;
	return -1;
}

/* ---- socket, addresses ---- */

EXPORT int socket(int domain, int type, int protocol)
{
	int base = type & ~(SOCK_CLOEXEC | SOCK_NONBLOCK);
	struct nlsock *s;

	real_resolve();
	if (domain != AF_NETLINK || protocol != NETLINK_GENERIC ||
	    (base != SOCK_RAW && base != SOCK_DGRAM))
		return real.socket(domain, type, protocol);
	int fd = nlsock_open(type, &s);
	if (fd >= 0 && nlsock_attach(fd, s) < 0) {
		int e = errno;
		real.close(fd);
		return fail(e);
	}
	return fd;
}

/* A netlink address: 0 with *nl filled, or -1 (EINVAL as the kernel). */
static int get_addr(const struct sockaddr *a, socklen_t len, struct sockaddr_nl *nl)
{
	if (a == NULL || len < sizeof(*nl) || a->sa_family != AF_NETLINK)
		return fail(EINVAL);
	memcpy(nl, a, sizeof(*nl));
	return 0;
}

static void join_groups(struct nlsock *s, uint32_t groups)
{
	atomic_fetch_or(&s->groups, (unsigned long long)groups);
}

EXPORT int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct nlsock *s = ours(fd);
	struct sockaddr_nl nl;

	if (s == NULL)
		return real.bind(fd, addr, len);
	if (get_addr(addr, len, &nl) < 0)
		return -1;
	/* As netlink_bind(): a bound socket keeps its port id. */
	if (nl.nl_pid && nl.nl_pid != atomic_load(&s->port_id)) {
		if (atomic_load(&s->bound))
			return fail(EINVAL);
		if (nlsock_bind_port(fd, s, nl.nl_pid) < 0)
			return -1;
	}
	join_groups(s, nl.nl_groups);
	atomic_store(&s->bound, true);
	return 0;
}

EXPORT int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct nlsock *s = ours(fd);
	struct sockaddr_nl nl;

	if (s == NULL)
		return real.connect(fd, addr, len);
	if (addr && len >= sizeof(sa_family_t) && addr->sa_family == AF_UNSPEC)
		return 0; /* disconnect: the daemon stays the only peer */
	if (get_addr(addr, len, &nl) < 0)
		return -1;
	/* Only the "kernel" (port 0) answers here: no other port exists. */
	if (nl.nl_pid || nl.nl_groups)
		return fail(ECONNREFUSED);
	atomic_store(&s->bound, true); /* the kernel autobinds on connect */
	return 0;
}

static int put_name(struct sockaddr *addr, socklen_t *len, uint32_t pid, uint32_t groups)
{
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK, .nl_pid = pid, .nl_groups = groups };

	if (addr == NULL || len == NULL)
		return fail(EFAULT);
	memcpy(addr, &nl, *len < sizeof(nl) ? *len : sizeof(nl));
	*len = sizeof(nl);
	return 0;
}

EXPORT int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	struct nlsock *s = ours(fd);

	if (s == NULL)
		return real.getsockname(fd, addr, len);
	/* As netlink_getname(): port 0 until bound. */
	return put_name(addr, len, atomic_load(&s->bound) ? atomic_load(&s->port_id) : 0,
			(uint32_t)atomic_load(&s->groups));
}

EXPORT int getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	struct nlsock *s = ours(fd);

	if (s == NULL)
		return real.getpeername(fd, addr, len);
	return put_name(addr, len, 0, 0);
}

/* ---- options ---- */

static int nl_setopt(struct nlsock *s, int opt, const void *val, socklen_t len)
{
	int v;

	if (val == NULL || len < sizeof(int))
		return fail(EINVAL);
	memcpy(&v, val, sizeof(v));
	switch (opt) {
	case NETLINK_ADD_MEMBERSHIP:
	case NETLINK_DROP_MEMBERSHIP:
		/* Accepted: the daemon sends no notifications, so a member
		 * simply never hears from its group. */
		if (v <= 0)
			return fail(EINVAL);
		if (v <= 64) {
			unsigned long long bit = 1ull << (v - 1);
			if (opt == NETLINK_ADD_MEMBERSHIP)
				atomic_fetch_or(&s->groups, bit);
			else
				atomic_fetch_and(&s->groups, ~bit);
		}
		return 0;
	case NETLINK_PKTINFO:
	case NETLINK_BROADCAST_ERROR:
	case NETLINK_NO_ENOBUFS:
	case NETLINK_LISTEN_ALL_NSID:
	case NETLINK_CAP_ACK:
	case NETLINK_EXT_ACK:
	case NETLINK_GET_STRICT_CHK:
		atomic_store(&s->opt[opt], v != 0);
		return 0;
	default:
		return fail(ENOPROTOOPT);
	}
}

static int nl_getopt(struct nlsock *s, int opt, void *val, socklen_t *len)
{
	if (val == NULL || len == NULL)
		return fail(EFAULT);
	if (opt == NETLINK_LIST_MEMBERSHIPS) {
		unsigned long long g = atomic_load(&s->groups);
		socklen_t want = sizeof(g);
		memcpy(val, &g, *len < want ? *len : want);
		*len = want;
		return 0;
	}
	if (opt <= NETLINK_DROP_MEMBERSHIP || opt >= 16 || opt == NETLINK_RX_RING ||
	    opt == NETLINK_TX_RING)
		return fail(ENOPROTOOPT);
	if (*len < sizeof(int))
		return fail(EINVAL);
	int v = atomic_load(&s->opt[opt]);
	memcpy(val, &v, sizeof(v));
	*len = sizeof(v);
	return 0;
}

EXPORT int setsockopt(int fd, int level, int opt, const void *val, socklen_t len)
{
	struct nlsock *s = ours(fd);

	if (s == NULL || level == SOL_SOCKET)
		return real.setsockopt(fd, level, opt, val, len);
	if (level != SOL_NETLINK)
		return fail(ENOPROTOOPT);
	return nl_setopt(s, opt, val, len);
}

EXPORT int getsockopt(int fd, int level, int opt, void *val, socklen_t *len)
{
	struct nlsock *s = ours(fd);
	int v;

	if (s == NULL)
		return real.getsockopt(fd, level, opt, val, len);
	if (level == SOL_NETLINK)
		return nl_getopt(s, opt, val, len);
	if (level != SOL_SOCKET)
		return fail(ENOPROTOOPT);
	switch (opt) {
	case SO_DOMAIN: v = AF_NETLINK; break;
	case SO_PROTOCOL: v = NETLINK_GENERIC; break;
	case SO_TYPE: v = s->type; break;
	default: return real.getsockopt(fd, level, opt, val, len);
	}
	if (val == NULL || len == NULL || *len < sizeof(v))
		return fail(EINVAL);
	memcpy(val, &v, sizeof(v));
	*len = sizeof(v);
	return 0;
}

/* ---- sending ---- */

static ssize_t nl_sendmsg(int fd, struct nlsock *s, const struct msghdr *msg, int flags)
{
	struct msghdr m = *msg;
	struct sockaddr_nl nl;

	if (msg->msg_name && msg->msg_namelen) {
		if (get_addr(msg->msg_name, msg->msg_namelen, &nl) < 0)
			return -1;
		if (nl.nl_pid || nl.nl_groups)
			return fail(ECONNREFUSED);
	}
	/* The unix socket takes no netlink address nor netlink ancillary data. */
	m.msg_name = NULL;
	m.msg_namelen = 0;
	m.msg_control = NULL;
	m.msg_controllen = 0;
	ssize_t n = real.sendmsg(fd, &m, flags | MSG_NOSIGNAL);
	if (n < 0)
		return n;
	atomic_store(&s->bound, true); /* as the kernel's autobind on send */
	nlsock_sync_send(fd, s);
	return n;
}

EXPORT ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	struct nlsock *s = ours(fd);

	if (s == NULL)
		return real.sendmsg(fd, msg, flags);
	if (msg == NULL)
		return fail(EFAULT);
	return nl_sendmsg(fd, s, msg, flags);
}

EXPORT ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
		      socklen_t tolen)
{
	struct nlsock *s = ours(fd);

	if (s == NULL)
		return real.sendto(fd, buf, len, flags, to, tolen);
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr m = { .msg_name = (void *)to, .msg_namelen = to ? tolen : 0,
			    .msg_iov = &iov, .msg_iovlen = 1 };
	return nl_sendmsg(fd, s, &m, flags);
}

EXPORT ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	struct nlsock *s = ours(fd);

	if (s == NULL)
		return real.send(fd, buf, len, flags);
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	return nl_sendmsg(fd, s, &m, flags);
}

/* ---- receiving ---- */

static bool fd_nonblocking(int fd)
{
	int fl = real.fcntl(fd, F_GETFL);

	return fl >= 0 && (fl & O_NONBLOCK);
}

static ssize_t nl_recvmsg(int fd, struct nlsock *s, struct msghdr *msg, int flags)
{
	bool wait = !(flags & MSG_DONTWAIT) && !fd_nonblocking(fd);
	int ready = (flags & MSG_ERRQUEUE) ? 1 : nlsock_recv_ready(fd, s, wait);

	if (ready < 0)
		return -1;
	if (ready == 0)
		return fail(EAGAIN);
	struct msghdr m = *msg;
	m.msg_name = NULL;
	m.msg_namelen = 0;
	ssize_t n = real.recvmsg(fd, &m, flags | MSG_DONTWAIT);
	if (n < 0)
		return n;
	msg->msg_flags = m.msg_flags;
	msg->msg_controllen = m.msg_controllen;
	if (msg->msg_name) {
		/* From the kernel: port 0, no group. */
		socklen_t len = msg->msg_namelen;
		put_name(msg->msg_name, &len, 0, 0);
		msg->msg_namelen = len;
	}
	return n;
}

EXPORT ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	struct nlsock *s = ours(fd);

	if (s == NULL)
		return real.recvmsg(fd, msg, flags);
	if (msg == NULL)
		return fail(EFAULT);
	return nl_recvmsg(fd, s, msg, flags);
}

EXPORT ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from,
			socklen_t *fromlen)
{
	struct nlsock *s = ours(fd);

	if (s == NULL)
		return real.recvfrom(fd, buf, len, flags, from, fromlen);
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr m = { .msg_name = from, .msg_namelen = from && fromlen ? *fromlen : 0,
			    .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n = nl_recvmsg(fd, s, &m, flags);
	if (n >= 0 && from && fromlen)
		*fromlen = m.msg_namelen;
	return n;
}

EXPORT ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	return recvfrom(fd, buf, len, flags, NULL, NULL);
}

/* ---- the fd table ---- */

EXPORT int close(int fd)
{
	real_resolve();
	nlsock_detach(fd);
	return real.close(fd);
}

/* After a successful dup to 'newfd': it names what 'oldfd' named. */
static int dup_done(int oldfd, int newfd)
{
	struct nlsock *s;

	if (newfd < 0 || newfd == oldfd)
		return newfd;
	s = nlsock_get(oldfd);
	if (s == NULL) {
		nlsock_detach(newfd); /* dup2 over one of ours closed it */
		return newfd;
	}
	if (nlsock_attach(newfd, s) < 0) {
		int e = errno;
		real.close(newfd);
		return fail(e);
	}
	return newfd;
}

EXPORT int dup(int fd)
{
	real_resolve();
	return dup_done(fd, real.dup(fd));
}

EXPORT int dup2(int oldfd, int newfd)
{
	real_resolve();
	return dup_done(oldfd, real.dup2(oldfd, newfd));
}

EXPORT int dup3(int oldfd, int newfd, int flags)
{
	real_resolve();
	return dup_done(oldfd, real.dup3(oldfd, newfd, flags));
}

static int any_fcntl(int (*fn)(int, int, ...), int fd, int cmd, va_list ap)
{
	/* Every fcntl argument is an int or a pointer: both pass as one. */
	void *arg = va_arg(ap, void *);
	int ret = fn(fd, cmd, arg);

	if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
		return dup_done(fd, ret);
	return ret;
}

/* Both symbols, by their link names: with _FILE_OFFSET_BITS=64 the
 * header maps the C name fcntl to fcntl64, and programs call either. */
EXPORT int preload_fcntl(int fd, int cmd, ...) __asm__("fcntl");
EXPORT int preload_fcntl64(int fd, int cmd, ...) __asm__("fcntl64");

int preload_fcntl(int fd, int cmd, ...)
{
	va_list ap;
	int ret;

	real_resolve();
	va_start(ap, cmd);
	ret = any_fcntl(real.fcntl, fd, cmd, ap);
	va_end(ap);
	return ret;
}

int preload_fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	int ret;

	real_resolve();
	va_start(ap, cmd);
	ret = any_fcntl(real.fcntl64, fd, cmd, ap);
	va_end(ap);
	return ret;
}
