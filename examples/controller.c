/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A batched reactive controller for dpdk-switch, in C with libc and the
 * kernel headers only: a patch panel. For every MISS upcall from an input
 * port it has a rule for (-m IN:OUT), it installs an exact-match flow (the
 * upcall's key, sent back as is, with no mask) whose action is output to
 * OUT; with -x it also sends the packet itself on (EXECUTE), so that the
 * first packet of a flow is not lost. Misses from other ports are counted
 * and ignored.
 *
 * What makes it fast, and what to keep when copying it:
 *  - it asks for many upcalls a datagram (DPSW_CMD_CONN_SET with
 *    DPSW_ATTR_CONN_UPCALL_BATCH, docs/PROTOCOL.md) and reads datagrams in
 *    bursts (recvmmsg());
 *  - it answers with many requests a datagram (flow NEWs, and EXECUTEs
 *    with -x; no acks: a failure comes back as an error message, which is
 *    counted), and writes its queued datagrams with one sendmmsg();
 *  - its socket buffer holds many datagrams, so that neither side stops
 *    for the other after every few;
 *  - the socket is non-blocking and every wait is a poll() for reading as
 *    well as writing: replies it is slow to read are dropped by the
 *    daemon (an ENOBUFS notice, counted as overruns). When its own output
 *    queue is long, misses are dropped (they come back as misses later).
 *
 * Protocol: the Open vSwitch kernel datapath's generic netlink
 * (<linux/openvswitch.h>) over an AF_UNIX SOCK_SEQPACKET socket; each
 * datagram holds netlink messages (docs/PROTOCOL.md).
 *
 * Usage: dpsw-controller [--ctl PATH] [-x] -m IN:OUT [-m IN:OUT ...]
 * Needs to be an admin of the socket (root, or the daemon's --ctl-group).
 * Prints its counts at SIGINT/SIGTERM and exits 0.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* recvmmsg(), sendmmsg() */
#endif
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/openvswitch.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* The daemon's own family (include/dpsw_proto.h). */
#define DPSW_FAMILY "dpdk_switch"
#define DPSW_CMD_CONN_SET 6
#define DPSW_ATTR_CONN_UPCALL_BATCH 22

#define DEFAULT_CTL "/run/dpdk-switch/ctl.sock"
#define DP_NAME "dpdk-switch"
#define MAX_DGRAM (256 * 1024)   /* the daemon's largest datagram */
#define OUT_DGRAM (64 * 1024)    /* our request datagrams */
#define OUT_QUEUE 128            /* request datagrams queued at most */
#define READ_BURST 16            /* datagrams read per recvmmsg() */
#define SOCK_BUF (4 * 1024 * 1024) /* our send buffer: many datagrams */
#define MAX_PORTS 256

struct ctl {
	int fd;
	uint32_t pid;
	uint32_t seq;
	int dp_ifindex;
	uint16_t fam_dp, fam_flow, fam_packet, fam_dpsw;
	/* Request datagrams, a ring: out[head..tail) full ones queued, and
	 * out[tail] filling (cur_len bytes), unless the ring is full. */
	uint8_t (*out)[OUT_DGRAM];
	size_t out_len[OUT_QUEUE];
	unsigned int head, tail;
	uint8_t *cur;
	size_t cur_len;
	bool execute;              /* -x: EXECUTE each miss's packet too */
};

struct counts {
	uint64_t misses, flows, executes, unmapped, dropped, errors, overruns, datagrams_in;
};

static volatile sig_atomic_t stop;
static uint32_t port_out[MAX_PORTS];   /* 0: no rule (port 0 is local) */
static bool port_mapped[MAX_PORTS];

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* ---- building messages ---- */

#define ALIGN4(n) (((n) + 3u) & ~3u)

/* Append an attribute to 'buf' at *len (room checked by the caller). */
static void put_attr(uint8_t *buf, size_t *len, uint16_t type, const void *data, size_t n)
{
	struct nlattr a = { .nla_len = (uint16_t)(NLA_HDRLEN + n), .nla_type = type };

	memcpy(buf + *len, &a, sizeof(a));
	memcpy(buf + *len + NLA_HDRLEN, data, n);
	memset(buf + *len + NLA_HDRLEN + n, 0, ALIGN4(n) - n);
	*len += NLA_HDRLEN + ALIGN4(n);
}

/* Start a genl message at buf[*len]; returns its offset. 'ovs': with
 * struct ovs_header (every family but the genl controller). */
static size_t msg_start(struct ctl *c, uint8_t *buf, size_t *len, uint16_t family, uint8_t cmd,
			uint8_t version, uint16_t flags, bool ovs)
{
	size_t at = *len;
	struct nlmsghdr nh = { .nlmsg_type = family, .nlmsg_flags = NLM_F_REQUEST | flags,
			       .nlmsg_seq = ++c->seq, .nlmsg_pid = c->pid };
	struct genlmsghdr gh = { .cmd = cmd, .version = version };

	memcpy(buf + at, &nh, sizeof(nh));
	memcpy(buf + at + NLMSG_HDRLEN, &gh, sizeof(gh));
	*len += NLMSG_HDRLEN + GENL_HDRLEN;
	if (ovs) {
		struct ovs_header oh = { .dp_ifindex = c->dp_ifindex };
		memcpy(buf + *len, &oh, sizeof(oh));
		*len += sizeof(oh);
	}
	return at;
}

static void msg_end(uint8_t *buf, size_t at, size_t len)
{
	uint32_t n = (uint32_t)(len - at);

	memcpy(buf + at, &n, sizeof(n)); /* nlmsg_len comes first */
}

/* Attributes of a message payload: calls fn for each. */
static void for_each_attr(const uint8_t *p, size_t n,
			  void (*fn)(void *arg, uint16_t type, const uint8_t *d, size_t len),
			  void *arg)
{
	while (n >= NLA_HDRLEN) {
		struct nlattr a;

		memcpy(&a, p, sizeof(a));
		if (a.nla_len < NLA_HDRLEN || a.nla_len > n)
			return;
		fn(arg, a.nla_type & NLA_TYPE_MASK, p + NLA_HDRLEN, a.nla_len - NLA_HDRLEN);
		if (ALIGN4(a.nla_len) >= n)
			return;
		n -= ALIGN4(a.nla_len);
		p += ALIGN4(a.nla_len);
	}
}

/* ---- the output queue (never blocks) ---- */

static bool out_full(const struct ctl *c)
{
	return c->tail - c->head >= OUT_QUEUE;
}

/* Queue the datagram being filled; the next slot is filled from now on.
 * Messages are written in place: nothing is copied to queue them. */
static void out_push(struct ctl *c)
{
	if (c->cur_len == 0 || out_full(c))
		return;
	c->out_len[c->tail % OUT_QUEUE] = c->cur_len;
	c->tail++;
	c->cur = c->out[c->tail % OUT_QUEUE];
	c->cur_len = 0;
}

/* Write queued datagrams, as many a sendmmsg() as lie in one stretch of
 * the ring, until the socket is full. -1: the daemon is gone. */
static int out_flush(struct ctl *c)
{
	struct mmsghdr msgs[OUT_QUEUE];
	struct iovec iov[OUT_QUEUE];

	while (c->head != c->tail) {
		unsigned int first = c->head % OUT_QUEUE, n = 0;

		while (c->head + n != c->tail && first + n < OUT_QUEUE) {
			iov[n] = (struct iovec){ c->out[first + n], c->out_len[first + n] };
			msgs[n] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[n], .msg_iovlen = 1 } };
			n++;
		}
		int sent = sendmmsg(c->fd, msgs, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (sent < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS ? 0 : -1;
		c->head += (unsigned int)sent;
		if ((unsigned int)sent < n)
			return 0;
	}
	return 0;
}

/* ---- set-up: one request at a time, waiting for its answer ---- */

struct reply {
	uint32_t seq;
	int error;              /* from NLMSG_ERROR */
	int ifindex;            /* the first answer's ovs_header, if any */
	bool done;
	uint8_t payload[4096];  /* the first answer's attributes */
	size_t payload_len;
};

static void parse_setup_reply(struct reply *r, const uint8_t *d, size_t n, size_t hdr)
{
	while (n >= NLMSG_HDRLEN) {
		struct nlmsghdr nh;

		memcpy(&nh, d, sizeof(nh));
		if (nh.nlmsg_len < NLMSG_HDRLEN || nh.nlmsg_len > n)
			return;
		if (nh.nlmsg_seq == r->seq) {
			if (nh.nlmsg_type == NLMSG_ERROR) {
				int32_t e;
				memcpy(&e, d + NLMSG_HDRLEN, sizeof(e));
				r->error = -e;
				r->done = true;
			} else if (nh.nlmsg_len >= NLMSG_HDRLEN + hdr && r->payload_len == 0) {
				size_t len = nh.nlmsg_len - NLMSG_HDRLEN - hdr;
				if (len > sizeof(r->payload))
					len = sizeof(r->payload);
				memcpy(r->payload, d + NLMSG_HDRLEN + hdr, len);
				r->payload_len = len;
				if (hdr > GENL_HDRLEN) {
					struct ovs_header oh;
					memcpy(&oh, d + NLMSG_HDRLEN + GENL_HDRLEN, sizeof(oh));
					r->ifindex = oh.dp_ifindex;
				}
			}
		}
		if (NLMSG_ALIGN(nh.nlmsg_len) >= n)
			return;
		n -= NLMSG_ALIGN(nh.nlmsg_len);
		d += NLMSG_ALIGN(nh.nlmsg_len);
	}
}

/* Send buf (one request with NLM_F_ACK) and wait for its ack or error;
 * upcalls meanwhile are dropped (set-up comes before we listen). */
static int transact(struct ctl *c, const uint8_t *buf, size_t len, struct reply *r, size_t hdr)
{
	static uint8_t in[MAX_DGRAM];

	memset(r, 0, sizeof(*r));
	memcpy(&r->seq, buf + offsetof(struct nlmsghdr, nlmsg_seq), sizeof(r->seq));
	if (send(c->fd, buf, len, MSG_NOSIGNAL) < 0)
		return -errno;
	while (!r->done) {
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };

		if (stop)
			return -EINTR;
		if (poll(&pfd, 1, 500) <= 0)
			continue;
		ssize_t n = recv(c->fd, in, sizeof(in), MSG_DONTWAIT);
		if (n == 0)
			return -ECONNRESET;
		if (n < 0)
			continue;
		parse_setup_reply(r, in, (size_t)n, hdr);
	}
	if (r->error == 0 && r->ifindex)
		c->dp_ifindex = r->ifindex;
	return -r->error;
}

struct family_arg {
	uint16_t id;
};

static void on_family_attr(void *arg, uint16_t type, const uint8_t *d, size_t len)
{
	struct family_arg *f = arg;

	if (type == CTRL_ATTR_FAMILY_ID && len >= 2)
		memcpy(&f->id, d, 2);
}

static int resolve(struct ctl *c, const char *name, uint16_t *id)
{
	uint8_t buf[256];
	size_t len = 0, at = msg_start(c, buf, &len, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1,
				      NLM_F_ACK, false);
	struct reply r;
	struct family_arg f = { 0 };

	put_attr(buf, &len, CTRL_ATTR_FAMILY_NAME, name, strlen(name) + 1);
	msg_end(buf, at, len);
	int ret = transact(c, buf, len, &r, GENL_HDRLEN);
	if (ret < 0)
		return ret;
	for_each_attr(r.payload, r.payload_len, on_family_attr, &f);
	*id = f.id;
	return f.id ? 0 : -ENOENT;
}

static int setup(struct ctl *c)
{
	uint8_t buf[256];
	size_t len, at;
	struct reply r;
	uint32_t one = 1;
	int ret;

	if ((ret = resolve(c, OVS_DATAPATH_FAMILY, &c->fam_dp)) < 0 ||
	    (ret = resolve(c, OVS_FLOW_FAMILY, &c->fam_flow)) < 0 ||
	    (ret = resolve(c, OVS_PACKET_FAMILY, &c->fam_packet)) < 0 ||
	    (ret = resolve(c, DPSW_FAMILY, &c->fam_dpsw)) < 0)
		return ret;
	/* The datapath's ifindex, from its GET. */
	len = 0;
	at = msg_start(c, buf, &len, c->fam_dp, OVS_DP_CMD_GET, OVS_DATAPATH_VERSION, NLM_F_ACK,
		       true);
	put_attr(buf, &len, OVS_DP_ATTR_NAME, DP_NAME, sizeof(DP_NAME));
	msg_end(buf, at, len);
	if ((ret = transact(c, buf, len, &r, GENL_HDRLEN + sizeof(struct ovs_header))) < 0)
		return ret;
	/* Many upcalls a datagram, then: every port's misses to us. */
	len = 0;
	at = msg_start(c, buf, &len, c->fam_dpsw, DPSW_CMD_CONN_SET, 1, NLM_F_ACK, true);
	put_attr(buf, &len, DPSW_ATTR_CONN_UPCALL_BATCH, &one, sizeof(one));
	msg_end(buf, at, len);
	if ((ret = transact(c, buf, len, &r, GENL_HDRLEN)) < 0)
		return ret;
	len = 0;
	at = msg_start(c, buf, &len, c->fam_dp, OVS_DP_CMD_SET, OVS_DATAPATH_VERSION, NLM_F_ACK,
		       true);
	put_attr(buf, &len, OVS_DP_ATTR_UPCALL_PID, &c->pid, sizeof(c->pid));
	msg_end(buf, at, len);
	return transact(c, buf, len, &r, GENL_HDRLEN);
}

/* ---- the reactive loop ---- */

struct upcall {
	const uint8_t *packet, *key;
	size_t packet_len, key_len;
	uint32_t in_port;
	bool has_in_port;
};

static void on_key_attr(void *arg, uint16_t type, const uint8_t *d, size_t len)
{
	struct upcall *u = arg;

	if (type == OVS_KEY_ATTR_IN_PORT && len == 4) {
		memcpy(&u->in_port, d, 4);
		u->has_in_port = true;
	}
}

static void on_upcall_attr(void *arg, uint16_t type, const uint8_t *d, size_t len)
{
	struct upcall *u = arg;

	if (type == OVS_PACKET_ATTR_PACKET) {
		u->packet = d;
		u->packet_len = len;
	} else if (type == OVS_PACKET_ATTR_KEY) {
		u->key = d;
		u->key_len = len;
	}
}

/* Room for one answer (flow NEW, EXECUTE) in the current datagram, else
 * queue it and start another; false when the queue is full. */
static bool room(struct ctl *c, size_t need)
{
	if (out_full(c))
		return false;
	if (c->cur_len + need <= OUT_DGRAM)
		return true;
	out_push(c);
	return !out_full(c) && need <= OUT_DGRAM;
}

static void answer(struct ctl *c, const struct upcall *u, struct counts *n)
{
	uint32_t out = port_out[u->in_port];
	uint8_t actions[NLA_HDRLEN + 4];
	size_t alen = 0, at;
	size_t need = NLMSG_HDRLEN + GENL_HDRLEN + sizeof(struct ovs_header) +
		      NLA_HDRLEN + ALIGN4(u->key_len) + sizeof(actions);

	if (c->execute)
		need *= 2, need += NLA_HDRLEN + ALIGN4(u->packet_len);

	put_attr(actions, &alen, OVS_ACTION_ATTR_OUTPUT, &out, sizeof(out));
	if (!room(c, need)) {
		n->dropped++;
		return;
	}
	/* The flow: the key exactly (no mask), output to 'out'. No ack. */
	at = msg_start(c, c->cur, &c->cur_len, c->fam_flow, OVS_FLOW_CMD_NEW, OVS_FLOW_VERSION, 0,
		       true);
	put_attr(c->cur, &c->cur_len, OVS_FLOW_ATTR_KEY, u->key, u->key_len);
	put_attr(c->cur, &c->cur_len, OVS_FLOW_ATTR_ACTIONS, actions, alen);
	msg_end(c->cur, at, c->cur_len);
	n->flows++;
	if (!c->execute)
		return;
	/* The packet itself, with the same actions. */
	at = msg_start(c, c->cur, &c->cur_len, c->fam_packet, OVS_PACKET_CMD_EXECUTE,
		       OVS_PACKET_VERSION, 0, true);
	put_attr(c->cur, &c->cur_len, OVS_PACKET_ATTR_PACKET, u->packet, u->packet_len);
	put_attr(c->cur, &c->cur_len, OVS_PACKET_ATTR_KEY, u->key, u->key_len);
	put_attr(c->cur, &c->cur_len, OVS_PACKET_ATTR_ACTIONS, actions, alen);
	msg_end(c->cur, at, c->cur_len);
	n->executes++;
}

/* Every message of one datagram: MISS upcalls answered, errors counted. */
static void handle_datagram(struct ctl *c, const uint8_t *d, size_t n, struct counts *cnt)
{
	size_t hdr = GENL_HDRLEN + sizeof(struct ovs_header);

	while (n >= NLMSG_HDRLEN) {
		struct nlmsghdr nh;

		memcpy(&nh, d, sizeof(nh));
		if (nh.nlmsg_len < NLMSG_HDRLEN || nh.nlmsg_len > n)
			return;
		if (nh.nlmsg_type == NLMSG_ERROR) {
			int32_t e = 0;
			memcpy(&e, d + NLMSG_HDRLEN, sizeof(e));
			/* Sequence 0 is the daemon's own notice: ENOBUFS says
			 * it dropped replies we were too slow to read. */
			if (nh.nlmsg_seq == 0 && e == -ENOBUFS)
				cnt->overruns++;
			else
				cnt->errors += e != 0;
		} else if (nh.nlmsg_type == c->fam_packet && nh.nlmsg_len >= NLMSG_HDRLEN + hdr &&
			   d[NLMSG_HDRLEN] == OVS_PACKET_CMD_MISS) {
			struct upcall u = { 0 };

			for_each_attr(d + NLMSG_HDRLEN + hdr, nh.nlmsg_len - NLMSG_HDRLEN - hdr,
				      on_upcall_attr, &u);
			if (u.key)
				for_each_attr(u.key, u.key_len, on_key_attr, &u);
			cnt->misses++;
			if (u.packet && u.key && u.has_in_port && u.in_port < MAX_PORTS &&
			    port_mapped[u.in_port])
				answer(c, &u, cnt);
			else
				cnt->unmapped++;
		}
		if (NLMSG_ALIGN(nh.nlmsg_len) >= n)
			return;
		n -= NLMSG_ALIGN(nh.nlmsg_len);
		d += NLMSG_ALIGN(nh.nlmsg_len);
	}
}

/* Read what the daemon sent, up to READ_BURST datagrams in one call.
 * 0: nothing more now, 1: read some, -1: the daemon is gone. */
static uint8_t in_bufs[READ_BURST][MAX_DGRAM];

static int read_burst(struct ctl *c, struct counts *cnt)
{
	struct mmsghdr msgs[READ_BURST];
	struct iovec iov[READ_BURST];

	for (int i = 0; i < READ_BURST; i++) {
		iov[i] = (struct iovec){ in_bufs[i], MAX_DGRAM };
		msgs[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i], .msg_iovlen = 1 } };
	}
	int n = recvmmsg(c->fd, msgs, READ_BURST, MSG_DONTWAIT, NULL);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
	for (int i = 0; i < n; i++) {
		/* A 0-byte datagram at the head: the daemon closed. */
		if (msgs[i].msg_len == 0)
			return -1;
		cnt->datagrams_in++;
		handle_datagram(c, in_bufs[i], msgs[i].msg_len, cnt);
	}
	return n > 0;
}

static int run(struct ctl *c, struct counts *cnt)
{
	while (!stop) {
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };

		if (c->head != c->tail)
			pfd.events |= POLLOUT;
		if (poll(&pfd, 1, 200) < 0 && errno != EINTR)
			return -1;
		if (pfd.revents & (POLLERR | POLLHUP))
			return -1;
		/* A burst of datagrams, then the answers go out together. */
		if ((pfd.revents & POLLIN) && read_burst(c, cnt) < 0)
			return -1;
		out_push(c);
		if (out_flush(c) < 0)
			return -1;
	}
	return 0;
}

/* A send buffer of SOCK_BUF (root may pass wmem_max). */
static void size_socket(int fd)
{
	int bytes = SOCK_BUF;

	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &bytes, sizeof(bytes)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof(bytes));
}

static int parse_map(const char *s)
{
	char *end;
	unsigned long in = strtoul(s, &end, 10), out;

	if (end == s || *end != ':')
		return -1;
	s = end + 1;
	out = strtoul(s, &end, 10);
	if (end == s || *end || in >= MAX_PORTS || out >= MAX_PORTS)
		return -1;
	port_out[in] = (uint32_t)out;
	port_mapped[in] = true;
	return 0;
}

/* A write to every page (volatile: a compiler may drop a memset of zeros
 * over memory it knows calloc() zeroed). */
static void touch(void *p, size_t len)
{
	for (size_t off = 0; off < len; off += 4096)
		((volatile uint8_t *)p)[off] = 0;
}

int main(int argc, char **argv)
{
	const char *path = DEFAULT_CTL;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ctl *c = calloc(1, sizeof(*c));
	struct counts cnt = { 0 };
	int nmaps = 0, ret;

	if (c == NULL || (c->out = calloc(OUT_QUEUE, OUT_DGRAM)) == NULL) {
		fprintf(stderr, "controller: no memory\n");
		return 1;
	}
	c->cur = c->out[0];
	/* Touch the buffers now: their first use is the first burst of
	 * misses, when a page fault per 4 KiB would make us fall behind the
	 * daemon (which then drops upcalls) just as the storm begins. */
	touch(c->out, (size_t)OUT_QUEUE * OUT_DGRAM);
	touch(in_bufs, sizeof(in_bufs));

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--ctl") && i + 1 < argc) {
			path = argv[++i];
		} else if (!strcmp(argv[i], "-x")) {
			c->execute = true;
		} else if (!strcmp(argv[i], "-m") && i + 1 < argc && parse_map(argv[i + 1]) == 0) {
			i++;
			nmaps++;
		} else {
			fprintf(stderr, "usage: %s [--ctl PATH] [-x] -m IN:OUT [-m IN:OUT ...]\n"
				"  (IN, OUT: port numbers below %d; -x: EXECUTE each miss's "
				"packet too; bad argument '%s')\n",
				argv[0], MAX_PORTS, argv[i]);
			return 2;
		}
	}
	if (nmaps == 0 || strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "%s: give at least one -m IN:OUT (and a --ctl path under %zu "
			"bytes)\n", argv[0], sizeof(sa.sun_path));
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	strcpy(sa.sun_path, path);
	c->pid = (uint32_t)getpid();
	c->fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "controller: %s: %s\n", path, strerror(errno));
		return 1;
	}
	size_socket(c->fd);
	ret = setup(c);
	if (ret < 0) {
		fprintf(stderr, "controller: %s: set-up failed: %s%s\n", path, strerror(-ret),
			ret == -EPERM ? " (needs root or the daemon's --ctl-group)" : "");
		return 1;
	}
	printf("controller: listening for misses on %s\n", path);
	fflush(stdout);
	ret = run(c, &cnt);
	printf("controller: misses %llu, flows %llu, executes %llu, unmapped %llu, dropped %llu, "
	       "errors %llu, overruns %llu, datagrams %llu\n", (unsigned long long)cnt.misses,
	       (unsigned long long)cnt.flows, (unsigned long long)cnt.executes,
	       (unsigned long long)cnt.unmapped,
	       (unsigned long long)cnt.dropped, (unsigned long long)cnt.errors,
	       (unsigned long long)cnt.overruns, (unsigned long long)cnt.datagrams_in);
	fflush(stdout);
	close(c->fd);
	return ret < 0 && !stop ? 1 : 0;
}
