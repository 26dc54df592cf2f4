/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libdpdk-switch-netlink.so, internal: the emulated netlink sockets
 * (nlsock.c) and the real libc functions they are built on (preload.c).
 * Not an API; the library's only interface is the libc calls it replaces
 * (see the comment at the top of preload.c).
 */
#ifndef DPSW_PRELOAD_H
#define DPSW_PRELOAD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

/* libc's own functions (dlsym(RTLD_NEXT)), resolved once. */
struct real_libc {
	int (*socket)(int, int, int);
	int (*bind)(int, const struct sockaddr *, socklen_t);
	int (*connect)(int, const struct sockaddr *, socklen_t);
	int (*getsockname)(int, struct sockaddr *, socklen_t *);
	int (*getpeername)(int, struct sockaddr *, socklen_t *);
	int (*setsockopt)(int, int, int, const void *, socklen_t);
	int (*getsockopt)(int, int, int, void *, socklen_t *);
	ssize_t (*sendmsg)(int, const struct msghdr *, int);
	ssize_t (*sendto)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
	ssize_t (*send)(int, const void *, size_t, int);
	ssize_t (*recvmsg)(int, struct msghdr *, int);
	ssize_t (*recvfrom)(int, void *, size_t, int, struct sockaddr *, socklen_t *);
	ssize_t (*recv)(int, void *, size_t, int);
	int (*close)(int);
	int (*dup)(int);
	int (*dup2)(int, int);
	int (*dup3)(int, int, int);
	int (*fcntl)(int, int, ...);
	int (*fcntl64)(int, int, ...);
};
extern struct real_libc real;
void real_resolve(void);

/*
 * One emulated NETLINK_GENERIC socket: a SOCK_SEQPACKET connection to the
 * daemon's control socket, which is the fd the program holds. Shared by
 * the fds dup() made of it; freed with the last.
 */
struct nlsock {
	atomic_int refs;
	int type;                 /* SOCK_RAW or SOCK_DGRAM, as asked */
	atomic_uint port_id;      /* the daemon's port id for the connection */
	atomic_bool bound;        /* bind/connect/send done: getsockname says it */
	atomic_uint pending;      /* sync markers sent whose acks are unread */
	atomic_ullong groups;     /* multicast groups 1..64 joined (never sent) */
	atomic_int opt[16];       /* SOL_NETLINK flag options, by number */
};

/* The socket behind 'fd', or NULL when fd is not one of ours. */
struct nlsock *nlsock_get(int fd);
/* Make 'fd' name 's' (one more reference); 0 or -1 with errno. */
int nlsock_attach(int fd, struct nlsock *s);
/* 'fd' no longer names its socket (a no-op when it named none). */
void nlsock_detach(int fd);

/*
 * Open a connection to the daemon (DPDK_SWITCH_CTL, else the default
 * path), learn the port id it assigned and ask for the kernel's framing
 * (one reply message per datagram). Returns the fd, or -1 with errno.
 */
int nlsock_open(int type, struct nlsock **sp);
/* Bind to a chosen port id (-1 with EADDRINUSE when it is taken). */
int nlsock_bind_port(int fd, struct nlsock *s, uint32_t port_id);

/*
 * After the program's datagram went out: send the marker whose ack ends
 * the answer, so that receives can wait until the daemon answered, as
 * the kernel has answered before sendmsg() returns.
 */
void nlsock_sync_send(int fd, struct nlsock *s);
/*
 * Before a receive: drop marker acks at the head of the socket and wait
 * while an answer is still due. Returns 1 when a datagram is there (or the
 * daemon hung up), 0 when there is none and none is due (EAGAIN for a
 * non-blocking receive), -1 with errno.
 */
int nlsock_recv_ready(int fd, struct nlsock *s, bool wait);

#endif /* DPSW_PRELOAD_H */
