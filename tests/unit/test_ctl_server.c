/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the control socket server: framing, the genl controller,
 * errors with extended acks, permission, dumps, stale sockets and slow
 * clients. The server runs in this process; the test polls it between the
 * client's sends and receives.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libmnl/libmnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctl.h"
#include "nl_msg.h"

#define TEST_CMD_ECHO 1   /* doit: replies with one message */
#define TEST_CMD_ADMIN 2  /* admin-only doit */
#define TEST_CMD_DUMP 3   /* dump of 'dump_total' messages of 1 KiB */
#define TEST_CMD_ADD 4    /* doit that needs no commit (req->no_commit) */
#define TEST_CMD_BIG 5    /* doit: replies with 1 KiB */
#define TEST_CMD_CLAIM 6  /* doit: claims upcall pid 42 */
#define TEST_CMD_BATCH 7  /* doit: claims pid 42, asks for upcall batches */
#define TEST_CMD_DGRAM 8  /* doit: records req->dgram in seen_dgram[] */

static int n_echo, n_admin, n_commit, n_big;
static uint64_t dump_total = 1000;

static int echo_doit(struct ctl_req *req)
{
	size_t m = ctl_reply_start(req, 0, TEST_CMD_ECHO);
	nlbuf_put_u32(req->out, 1, (uint32_t)req->attrs_len);
	nlbuf_msg_end(req->out, m);
	n_echo++;
	return 0;
}

static int big_doit(struct ctl_req *req)
{
	static uint8_t blob[1024];
	size_t m = ctl_reply_start(req, 0, TEST_CMD_BIG);

	nlbuf_put_attr(req->out, 2, blob, sizeof(blob));
	nlbuf_msg_end(req->out, m);
	n_big++;
	return 0;
}

static uint64_t seen_dgram[8];
static int n_seen_dgram;

static int dgram_doit(struct ctl_req *req)
{
	if (n_seen_dgram < 8)
		seen_dgram[n_seen_dgram++] = req->dgram;
	return 0;
}

static int claim_doit(struct ctl_req *req)
{
	return ctl_conn_claim_pid(req->conn, 42);
}

static int batch_doit(struct ctl_req *req)
{
	ctl_conn_set_upcall_batch(req->conn, true);
	return ctl_conn_claim_pid(req->conn, 42);
}

static int add_doit(struct ctl_req *req)
{
	req->no_commit = true;
	return 0;
}

static int admin_doit(struct ctl_req *req)
{
	(void)req;
	n_admin++;
	return 0;
}

static int dump_fill(struct ctl_req *req, void *state, size_t budget)
{
	uint64_t *next = state;
	static uint8_t blob[1024];

	while (*next < dump_total && req->out->len < budget) {
		size_t m = ctl_reply_start(req, NLM_F_MULTI, TEST_CMD_DUMP);
		nlbuf_put_u64(req->out, 1, (*next)++);
		nlbuf_put_attr(req->out, 2, blob, sizeof(blob));
		nlbuf_msg_end(req->out, m);
	}
	return *next < dump_total;
}

static void commit(void *dp)
{
	(void)dp;
	n_commit++;
}

static const struct ctl_op test_ops[] = {
	{ .family = CTL_FAMILY_FLOW, .cmd = TEST_CMD_ECHO, .doit = echo_doit },
	{ .family = CTL_FAMILY_FLOW, .cmd = TEST_CMD_ADMIN, .admin = true, .doit = admin_doit },
	{ .family = CTL_FAMILY_FLOW, .cmd = TEST_CMD_DUMP, .dumpit = dump_fill },
	{ .family = CTL_FAMILY_FLOW, .cmd = TEST_CMD_ADD, .doit = add_doit },
	{ .family = CTL_FAMILY_FLOW, .cmd = TEST_CMD_BIG, .doit = big_doit },
	{ .family = CTL_FAMILY_FLOW, .cmd = TEST_CMD_CLAIM, .doit = claim_doit },
	{ .family = CTL_FAMILY_FLOW, .cmd = TEST_CMD_BATCH, .doit = batch_doit },
	{ .family = CTL_FAMILY_FLOW, .cmd = TEST_CMD_DGRAM, .doit = dgram_doit },
};
#define N_TEST_OPS (sizeof(test_ops) / sizeof(test_ops[0]))

struct fixture {
	char path[108];
	struct ctl_server *srv;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct ctl_server_conf conf = {
		.ops = test_ops, .n_ops = N_TEST_OPS, .mode = 0666, .commit = commit,
		.dp_ifindex = 7,
	};
	struct errmsg e;

	snprintf(f->path, sizeof(f->path), "/tmp/dpsw-test-%d/sub/ctl.sock", getpid());
	conf.path = f->path;
	errmsg_clear(&e);
	if (ctl_server_open(&f->srv, &conf, &e) < 0) {
		fprintf(stderr, "open: %s\n", e.msg);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char dir[128];

	ctl_server_close(f->srv);
	snprintf(dir, sizeof(dir), "/tmp/dpsw-test-%d/sub", getpid());
	rmdir(dir);
	snprintf(dir, sizeof(dir), "/tmp/dpsw-test-%d", getpid());
	rmdir(dir);
	free(f);
	return 0;
}

static int client(const struct fixture *f)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	struct timeval tv = { .tv_sec = 5 };

	strcpy(addr.sun_path, f->path);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* Poll the server until the client has a datagram, then read it. */
static ssize_t roundtrip_recv(struct fixture *f, int fd, void *buf, size_t len)
{
	for (int i = 0; i < 200; i++) {
		ssize_t n = recv(fd, buf, len, MSG_DONTWAIT);
		if (n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
			return n;
		ctl_server_poll(f->srv, 10);
	}
	return -1;
}

static size_t build_msg(uint8_t *buf, size_t cap, uint16_t family, uint8_t cmd, uint16_t flags,
			uint32_t seq)
{
	struct nlbuf b;

	nlbuf_init_fixed(&b, buf, cap);
	size_t m = nlbuf_msg_start(&b, family, NLM_F_REQUEST | flags, seq, 77);
	nlbuf_put_genl(&b, cmd, 1);
	if (family != GENL_ID_CTRL)
		nlbuf_put_ovs_header(&b, 7);
	nlbuf_msg_end(&b, m);
	return b.len;
}

/* Expect one NLMSG_ERROR with 'err'; returns its extack message or "". */
static const char *expect_error(const uint8_t *buf, ssize_t n, int err, uint32_t seq)
{
	static char msg[256];
	const struct nlmsghdr *nlh = (const void *)buf;

	assert_true(n >= (ssize_t)NLMSG_HDRLEN);
	assert_true(mnl_nlmsg_ok(nlh, (int)n));
	assert_int_equal(nlh->nlmsg_type, NLMSG_ERROR);
	assert_int_equal(nlh->nlmsg_seq, seq);
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(e->error, err);
	msg[0] = '\0';
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		const struct nlattr *a;
		mnl_attr_for_each(a, nlh, sizeof(*e)) {
			if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG)
				snprintf(msg, sizeof(msg), "%s", mnl_attr_get_str(a));
		}
	}
	return msg;
}

static void test_getfamily(void **state)
{
	struct fixture *f = *state;
	static const char *names[] = { "ovs_datapath", "ovs_vport", "ovs_flow", "ovs_packet",
				       "dpdk_switch" };
	uint8_t buf[8192];
	int fd = client(f);

	for (int i = 0; i < 5; i++) {
		struct nlbuf b;
		nlbuf_init_fixed(&b, buf, sizeof(buf));
		size_t m = nlbuf_msg_start(&b, GENL_ID_CTRL, NLM_F_REQUEST, (uint32_t)i, 0);
		nlbuf_put_genl(&b, CTRL_CMD_GETFAMILY, 1);
		nlbuf_put_string(&b, CTRL_ATTR_FAMILY_NAME, names[i]);
		nlbuf_msg_end(&b, m);
		assert_int_equal(send(fd, buf, b.len, 0), (ssize_t)b.len);
		ssize_t n = roundtrip_recv(f, fd, buf, sizeof(buf));
		const struct nlmsghdr *nlh = (const void *)buf;
		assert_true(n > 0);
		assert_int_equal(nlh->nlmsg_type, GENL_ID_CTRL);
		const struct nlattr *a;
		int id = -1;
		char name[32] = "";
		mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
			if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
				id = mnl_attr_get_u16(a);
			if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_NAME)
				snprintf(name, sizeof(name), "%s", mnl_attr_get_str(a));
		}
		assert_int_equal(id, CTL_FAMILY_DATAPATH + i);
		assert_string_equal(name, names[i]);
	}

	/* An unknown family name: ENOENT with a reason. */
	struct nlbuf b;
	nlbuf_init_fixed(&b, buf, sizeof(buf));
	size_t m = nlbuf_msg_start(&b, GENL_ID_CTRL, NLM_F_REQUEST, 9, 0);
	nlbuf_put_genl(&b, CTRL_CMD_GETFAMILY, 1);
	nlbuf_put_string(&b, CTRL_ATTR_FAMILY_NAME, "ovs_meter");
	nlbuf_msg_end(&b, m);
	send(fd, buf, b.len, 0);
	ssize_t n = roundtrip_recv(f, fd, buf, sizeof(buf));
	assert_non_null(strstr(expect_error(buf, n, -ENOENT, 9), "ovs_meter"));
	close(fd);
}

static void test_bad_framing(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[4096];
	int fd = client(f);
	ssize_t n;

	/* Shorter than a netlink header. */
	send(fd, "abc", 3, 0);
	n = roundtrip_recv(f, fd, buf, sizeof(buf));
	expect_error(buf, n, -EINVAL, 0);

	/* nlmsg_len past the end of the datagram. */
	size_t len = build_msg(buf, sizeof(buf), CTL_FAMILY_FLOW, TEST_CMD_ECHO, 0, 5);
	((struct nlmsghdr *)buf)->nlmsg_len = 4000;
	send(fd, buf, len, 0);
	n = roundtrip_recv(f, fd, buf, sizeof(buf));
	assert_non_null(strstr(expect_error(buf, n, -EINVAL, 5), "runs past"));

	/* Unknown family, unknown command, message without its ovs_header. */
	len = build_msg(buf, sizeof(buf), 0x7777, 1, 0, 6);
	send(fd, buf, len, 0);
	n = roundtrip_recv(f, fd, buf, sizeof(buf));
	expect_error(buf, n, -ENOENT, 6);

	len = build_msg(buf, sizeof(buf), CTL_FAMILY_FLOW, 99, 0, 7);
	send(fd, buf, len, 0);
	n = roundtrip_recv(f, fd, buf, sizeof(buf));
	expect_error(buf, n, -EOPNOTSUPP, 7);

	len = build_msg(buf, sizeof(buf), CTL_FAMILY_FLOW, TEST_CMD_ECHO, 0, 8);
	((struct nlmsghdr *)buf)->nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN; /* no ovs_header */
	send(fd, buf, NLMSG_HDRLEN + GENL_HDRLEN, 0);
	n = roundtrip_recv(f, fd, buf, sizeof(buf));
	assert_non_null(strstr(expect_error(buf, n, -EINVAL, 8), "ovs_header"));

	/* A datapath that is not ours. */
	len = build_msg(buf, sizeof(buf), CTL_FAMILY_FLOW, TEST_CMD_ECHO, 0, 9);
	((struct ovs_header *)(buf + NLMSG_HDRLEN + GENL_HDRLEN))->dp_ifindex = 8;
	send(fd, buf, len, 0);
	n = roundtrip_recv(f, fd, buf, sizeof(buf));
	assert_non_null(strstr(expect_error(buf, n, -ENODEV, 9), "ifindex 8"));

	/* The connection still works after all that. */
	int before = n_echo;
	len = build_msg(buf, sizeof(buf), CTL_FAMILY_FLOW, TEST_CMD_ECHO, 0, 10);
	send(fd, buf, len, 0);
	n = roundtrip_recv(f, fd, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(((struct nlmsghdr *)buf)->nlmsg_type, CTL_FAMILY_FLOW);
	assert_int_equal(n_echo, before + 1);
	close(fd);
}

/* Several messages in one datagram: every one answered, in order, and the
 * commit hook runs before the replies leave. */
static void test_batch_and_ack(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[65536];
	int fd = client(f);
	size_t len = 0;

	for (uint32_t i = 0; i < 100; i++)
		len += build_msg(buf + len, sizeof(buf) - len, CTL_FAMILY_FLOW, TEST_CMD_ECHO,
				 NLM_F_ACK, 100 + i);
	int commits = n_commit;
	send(fd, buf, len, 0);
	ssize_t n = roundtrip_recv(f, fd, buf, sizeof(buf));
	assert_true(n > 0);
	assert_true(n_commit > commits);
	uint32_t expect = 100;
	int replies = 0, acks = 0;
	const struct nlmsghdr *nlh = (const void *)buf;
	for (int left = (int)n; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			assert_int_equal(((const struct nlmsgerr *)mnl_nlmsg_get_payload(nlh))->error, 0);
			assert_int_equal(nlh->nlmsg_seq, expect++);
			acks++;
		} else {
			assert_int_equal(nlh->nlmsg_seq, expect);
			replies++;
		}
	}
	assert_int_equal(replies, 100);
	assert_int_equal(acks, 100);
	close(fd);
}

/* The commit hook runs for a datagram unless every request in it said it
 * needs none (req->no_commit); the replies come either way. */
static void test_no_commit(void **state)
{
	static const struct {
		uint8_t cmds[3];
		int n;
		bool commit;
	} cases[] = {
		{ { TEST_CMD_ADD, TEST_CMD_ADD, TEST_CMD_ADD }, 3, false },
		{ { TEST_CMD_ADD, TEST_CMD_ECHO, TEST_CMD_ADD }, 3, true },
		{ { TEST_CMD_ECHO }, 1, true },
		{ { TEST_CMD_ADD, 99 }, 2, true }, /* an error reply commits */
	};
	struct fixture *f = *state;
	uint8_t buf[4096];
	int fd = client(f);

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		size_t len = 0;
		int commits = n_commit, acks = 0;

		for (int i = 0; i < cases[c].n; i++)
			len += build_msg(buf + len, sizeof(buf) - len, CTL_FAMILY_FLOW,
					 cases[c].cmds[i], NLM_F_ACK, (uint32_t)i);
		send(fd, buf, len, 0);
		ssize_t n = roundtrip_recv(f, fd, buf, sizeof(buf));
		assert_true(n > 0);
		const struct nlmsghdr *nlh = (const void *)buf;
		for (int left = (int)n; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left))
			acks += nlh->nlmsg_type == NLMSG_ERROR;
		assert_int_equal(acks, cases[c].n);
		assert_int_equal(n_commit - commits, cases[c].commit ? 1 : 0);
	}
	close(fd);
}

/* The requests of one datagram share its number (what a flow NEW's
 * creation stamp is read once for); the next datagram has the next. */
static void test_dgram_number(void **state)
{
	static const int per_dgram[] = { 3, 1, 2 };
	struct fixture *f = *state;
	uint8_t buf[4096];
	int fd = client(f);

	n_seen_dgram = 0;
	for (size_t d = 0; d < 3; d++) {
		size_t len = 0;

		for (int i = 0; i < per_dgram[d]; i++)
			len += build_msg(buf + len, sizeof(buf) - len, CTL_FAMILY_FLOW,
					 TEST_CMD_DGRAM, i == per_dgram[d] - 1 ? NLM_F_ACK : 0,
					 (uint32_t)i);
		send(fd, buf, len, 0);
		assert_true(roundtrip_recv(f, fd, buf, sizeof(buf)) > 0);
	}
	assert_int_equal(n_seen_dgram, 6);
	assert_true(seen_dgram[0] > 0);
	assert_true(seen_dgram[1] == seen_dgram[0] && seen_dgram[2] == seen_dgram[0]);
	assert_true(seen_dgram[3] == seen_dgram[0] + 1);
	assert_true(seen_dgram[4] == seen_dgram[0] + 2 && seen_dgram[5] == seen_dgram[4]);
	close(fd);
}

static void test_dump(void **state)
{
	struct fixture *f = *state;
	static uint8_t buf[CTL_MAX_DGRAM];
	int fd = client(f);
	uint64_t next = 0;
	bool done = false;

	dump_total = 1000;
	size_t len = build_msg(buf, sizeof(buf), CTL_FAMILY_FLOW, TEST_CMD_DUMP, NLM_F_DUMP, 42);
	send(fd, buf, len, 0);
	while (!done) {
		ssize_t n = roundtrip_recv(f, fd, buf, sizeof(buf));
		assert_true(n > 0);
		const struct nlmsghdr *nlh = (const void *)buf;
		for (int left = (int)n; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
			assert_int_equal(nlh->nlmsg_seq, 42);
			if (nlh->nlmsg_type == NLMSG_DONE) {
				done = true;
				continue;
			}
			assert_true(nlh->nlmsg_flags & NLM_F_MULTI);
			const struct nlattr *a;
			mnl_attr_for_each(a, nlh, GENL_HDRLEN + sizeof(struct ovs_header)) {
				if (mnl_attr_get_type(a) == 1)
					assert_int_equal(mnl_attr_get_u64(a), next++);
			}
		}
	}
	assert_int_equal(next, 1000);

	/* A dump of a command that has none is refused. */
	len = build_msg(buf, sizeof(buf), CTL_FAMILY_FLOW, TEST_CMD_ADMIN, NLM_F_DUMP, 43);
	send(fd, buf, len, 0);
	ssize_t n = roundtrip_recv(f, fd, buf, sizeof(buf));
	assert_non_null(strstr(expect_error(buf, n, -EOPNOTSUPP, 43), "does not dump"));
	close(fd);
}

/* A client that starts a huge dump and never reads, then disconnects,
 * does not keep another client from being served. */
static void test_slow_client(void **state)
{
	struct fixture *f = *state;
	static uint8_t buf[CTL_MAX_DGRAM];
	int slow = client(f), fast = client(f);

	dump_total = 1000000; /* ~1 GB if it were all produced */
	size_t len = build_msg(buf, sizeof(buf), CTL_FAMILY_FLOW, TEST_CMD_DUMP, NLM_F_DUMP, 1);
	send(slow, buf, len, 0);
	for (int i = 0; i < 50; i++)
		ctl_server_poll(f->srv, 1);
	for (int i = 0; i < 20; i++) {
		len = build_msg(buf, sizeof(buf), CTL_FAMILY_FLOW, TEST_CMD_ECHO, 0, 500 + i);
		send(fast, buf, len, 0);
		ssize_t n = roundtrip_recv(f, fast, buf, sizeof(buf));
		assert_true(n > 0);
		assert_int_equal(((struct nlmsghdr *)buf)->nlmsg_seq, 500 + i);
	}
	close(slow); /* mid-dump */
	for (int i = 0; i < 10; i++)
		ctl_server_poll(f->srv, 1);
	len = build_msg(buf, sizeof(buf), CTL_FAMILY_FLOW, TEST_CMD_ECHO, 0, 999);
	send(fast, buf, len, 0);
	assert_true(roundtrip_recv(f, fast, buf, sizeof(buf)) > 0);
	close(fast);
	dump_total = 1000;
}

/* A 0-length datagram holds no message: no reply, and the connection
 * stays open (it used to be taken for end-of-file). */
static void test_empty_datagram(void **state)
{
	struct fixture *f = *state;
	static uint8_t buf[CTL_MAX_DGRAM];
	int fd = client(f);

	for (int i = 0; i < 3; i++)
		assert_int_equal(send(fd, "", 0, 0), 0);
	for (int i = 0; i < 20; i++)
		ctl_server_poll(f->srv, 1);
	assert_int_equal(recv(fd, buf, sizeof(buf), MSG_DONTWAIT), -1);
	assert_int_equal(errno, EAGAIN);
	size_t len = build_msg(buf, sizeof(buf), CTL_FAMILY_FLOW, TEST_CMD_ECHO, 0, 5);
	assert_int_equal(send(fd, buf, len, 0), (ssize_t)len);
	assert_true(roundtrip_recv(f, fd, buf, sizeof(buf)) > 0);
	assert_int_equal(((struct nlmsghdr *)buf)->nlmsg_seq, 5);
	struct ctl_server_stats st;
	ctl_server_get_stats(f->srv, &st);
	assert_int_equal(st.empty_dgrams, 3);
	close(fd);
}

/* Upcalls have their own budget: a listener that does not read loses
 * upcalls (counted), and its requests are still read and answered. */
static void test_upcalls_do_not_stop_requests(void **state)
{
	struct fixture *f = *state;
	static uint8_t buf[CTL_MAX_DGRAM], blob[64 * 1024];
	int fd = client(f), sent = 0;

	size_t len = build_msg(buf, sizeof(buf), CTL_FAMILY_FLOW, TEST_CMD_CLAIM, NLM_F_ACK, 1);
	send(fd, buf, len, 0);
	assert_true(roundtrip_recv(f, fd, buf, sizeof(buf)) > 0);
	while (ctl_server_send_to_pid(f->srv, 42, blob, sizeof(blob)) == 0)
		sent++;
	/* The budget (1 MiB) plus what the socket took. */
	assert_true(sent >= 16 && sent < 40);
	struct ctl_server_stats st;
	ctl_server_get_stats(f->srv, &st);
	assert_int_equal(st.upcalls_dropped, 1);
	int before = n_echo;
	for (int i = 0; i < 10; i++) {
		len = build_msg(buf, sizeof(buf), CTL_FAMILY_FLOW, TEST_CMD_ECHO, 0, 100 + i);
		assert_int_equal(send(fd, buf, len, MSG_DONTWAIT), (ssize_t)len);
		ctl_server_poll(f->srv, 1);
		ctl_server_poll(f->srv, 1);
	}
	assert_int_equal(n_echo - before, 10);
	close(fd);
}

/* A listener that asks for batches gets many upcalls a datagram, in
 * order, and a socket that holds well past the default send buffer
 * (about 208 KiB) before the server has to queue: of 3000 upcalls of
 * 300 bytes (900 KB), 2000 or more are in the socket while the listener
 * reads nothing. Sent batch datagrams are reused; a second storm is
 * delivered the same. */
static void test_upcall_batches(void **state)
{
	struct fixture *f = *state;
	static uint8_t buf[CTL_MAX_DGRAM];
	uint8_t up[300];
	int fd = client(f);

	size_t len = build_msg(buf, sizeof(buf), CTL_FAMILY_FLOW, TEST_CMD_BATCH, NLM_F_ACK, 1);
	send(fd, buf, len, 0);
	assert_true(roundtrip_recv(f, fd, buf, sizeof(buf)) > 0);
	for (int round = 0; round < 2; round++) {
		int dgrams = 0;
		uint32_t next = 0;

		for (uint32_t i = 0; i < 3000; i++) {
			size_t n = build_msg(up, sizeof(up), CTL_FAMILY_PACKET, 1, 0, i);
			struct nlmsghdr *nlh = (struct nlmsghdr *)up;

			nlh->nlmsg_len = sizeof(up);
			assert_true(n <= sizeof(up));
			assert_int_equal(ctl_server_send_to_pid(f->srv, 42, up, sizeof(up)), 0);
			if (i % 200 == 199)
				ctl_server_poll(f->srv, 0);
		}
		for (int i = 0; i < 20; i++)
			ctl_server_poll(f->srv, 0);
		/* What the socket holds, read without serving the server. */
		for (;;) {
			ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
			size_t ofs = 0;
			const struct nlmsghdr *nlh;

			if (n <= 0)
				break;
			dgrams++;
			while (nl_msg_next(buf, (size_t)n, &ofs, &nlh, NULL) > 0)
				assert_int_equal(nlh->nlmsg_seq, next++);
		}
		/* Root may pass wmem_max: then most of it was in the socket
		 * (with the default send buffer, 200 to 400 upcalls). */
		if (geteuid() == 0)
			assert_true(next >= 2000);
		while (next < 3000) {
			ssize_t n = roundtrip_recv(f, fd, buf, sizeof(buf));
			size_t ofs = 0;
			const struct nlmsghdr *nlh;

			assert_true(n > 0);
			dgrams++;
			while (nl_msg_next(buf, (size_t)n, &ofs, &nlh, NULL) > 0)
				assert_int_equal(nlh->nlmsg_seq, next++);
		}
		struct ctl_server_stats st;
		ctl_server_get_stats(f->srv, &st);
		assert_int_equal(st.upcalls_dropped, 0);
		assert_int_equal(next, 3000);
		/* 64 KiB datagrams: about 218 upcalls each. */
		assert_true(dgrams <= 3000 / 200 + 1);
	}
	close(fd);
}

/* Replies the client does not read never stop its requests (as the
 * kernel's netlink sockets): one datagram asking for 2 MB of replies is
 * served whole; past the reply budget they are dropped, counted, and one
 * ENOBUFS notice follows those kept (netlink_overrun()). The connection
 * then serves as before. */
static void test_replies_overrun(void **state)
{
	struct fixture *f = *state;
	static uint8_t buf[CTL_MAX_DGRAM];
	int fd = client(f);
	size_t len = 0;
	uint32_t next = 0;
	int notices = 0;

	n_big = 0;
	for (uint32_t i = 1; i <= 2000; i++)
		len += build_msg(buf + len, sizeof(buf) - len, CTL_FAMILY_FLOW, TEST_CMD_BIG, 0, i);
	assert_int_equal(send(fd, buf, len, 0), (ssize_t)len);
	for (int i = 0; i < 50; i++)
		ctl_server_poll(f->srv, 1);
	assert_int_equal(n_big, 2000);
	for (;;) {
		ssize_t n = roundtrip_recv(f, fd, buf, sizeof(buf));
		if (n < 0)
			break; /* nothing more */
		const struct nlmsghdr *nlh = (const void *)buf;
		for (int left = (int)n; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
			if (nl_msg_is_notice(nlh)) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
				assert_int_equal(e->error, -ENOBUFS);
				notices++;
				continue;
			}
			assert_int_equal(notices, 0); /* the notice comes last */
			assert_int_equal(nlh->nlmsg_seq, ++next);
		}
	}
	assert_int_equal(notices, 1);
	assert_true(next > 0 && next < 2000);
	struct ctl_server_stats st;
	ctl_server_get_stats(f->srv, &st);
	assert_true(st.replies_dropped > 0);
	len = build_msg(buf, sizeof(buf), CTL_FAMILY_FLOW, TEST_CMD_ECHO, 0, 4000);
	assert_int_equal(send(fd, buf, len, 0), (ssize_t)len);
	assert_true(roundtrip_recv(f, fd, buf, sizeof(buf)) > 0);
	assert_int_equal(((const struct nlmsghdr *)buf)->nlmsg_seq, 4000);
	close(fd);
}

/* Connection caps: past the per-uid cap (not for root) or the total, a
 * connection is closed at once; closing one makes room again. */
static void test_connection_caps(void **state)
{
	struct fixture *f = *state;
	struct ctl_server_conf conf = {
		.ops = test_ops, .n_ops = N_TEST_OPS, .mode = 0666, .dp_ifindex = 7,
		.max_conns = 16, .max_conns_per_uid = 4,
	};
	struct ctl_server *srv;
	struct errmsg e;
	static uint8_t buf[4096];
	int fds[20], cap = geteuid() == 0 ? 16 : 4;

	ctl_server_close(f->srv);
	conf.path = f->path;
	errmsg_clear(&e);
	assert_int_equal(ctl_server_open(&srv, &conf, &e), 0);
	f->srv = srv;
	for (int i = 0; i <= cap; i++) {
		fds[i] = client(f);
		size_t len = build_msg(buf, sizeof(buf), CTL_FAMILY_FLOW, TEST_CMD_ECHO, 0, 1);
		send(fds[i], buf, len, 0);
		ssize_t n = roundtrip_recv(f, fds[i], buf, sizeof(buf));
		if (i < cap) {
			assert_true(n > 0);
			continue;
		}
		/* Over the cap: an ECONNREFUSED notice naming it, then EOF. */
		const struct nlmsghdr *nlh = (const void *)buf;
		assert_true(n > 0 && nl_msg_is_notice(nlh));
		assert_int_equal(((const struct nlmsgerr *)mnl_nlmsg_get_payload(nlh))->error,
				 -ECONNREFUSED);
		assert_non_null(memmem(buf, (size_t)n, "--ctl-max-conns", 15));
		assert_int_equal(roundtrip_recv(f, fds[i], buf, sizeof(buf)), 0);
	}
	struct ctl_server_stats st;
	ctl_server_get_stats(srv, &st);
	assert_int_equal(st.conns_refused, 1);
	close(fds[cap]);
	close(fds[0]);
	for (int i = 0; i < 5; i++)
		ctl_server_poll(srv, 1);
	fds[0] = client(f);
	size_t len = build_msg(buf, sizeof(buf), CTL_FAMILY_FLOW, TEST_CMD_ECHO, 0, 2);
	send(fds[0], buf, len, 0);
	assert_true(roundtrip_recv(f, fds[0], buf, sizeof(buf)) > 0);
	for (int i = 0; i < cap; i++)
		close(fds[i]);
}

/* Mutating commands need an admin peer; a real unprivileged uid gets
 * EPERM and the handler never runs. */
static void test_permission(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[4096];
	int fd, status;

	fd = client(f);
	size_t len = build_msg(buf, sizeof(buf), CTL_FAMILY_FLOW, TEST_CMD_ADMIN, NLM_F_ACK, 1);
	int before = n_admin;
	send(fd, buf, len, 0);
	ssize_t n = roundtrip_recv(f, fd, buf, sizeof(buf));
	if (getuid() != 0) {
		expect_error(buf, n, -EPERM, 1);
		close(fd);
		skip(); /* the unprivileged-peer half needs root to drop to nobody */
	}
	expect_error(buf, n, 0, 1);
	assert_int_equal(n_admin, before + 1);
	close(fd);

	/* Let 'nobody' reach the socket's directories, then connect as it. */
	char dir[128];
	snprintf(dir, sizeof(dir), "/tmp/dpsw-test-%d", getpid());
	chmod(dir, 0755);
	pid_t pid = fork();
	if (pid == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(10);
		struct sockaddr_un addr = { .sun_family = AF_UNIX };
		strcpy(addr.sun_path, f->path);
		int c = socket(AF_UNIX, SOCK_SEQPACKET, 0);
		if (connect(c, (struct sockaddr *)&addr, sizeof(addr)) < 0)
			_exit(11);
		uint8_t b[4096];
		size_t l = build_msg(b, sizeof(b), CTL_FAMILY_FLOW, TEST_CMD_ADMIN, NLM_F_ACK, 2);
		send(c, b, l, 0);
		ssize_t r = recv(c, b, sizeof(b), 0);
		const struct nlmsgerr *e = mnl_nlmsg_get_payload((const void *)b);
		if (r <= 0 || e->error != -EPERM)
			_exit(12);
		/* Reading is open to anyone. */
		l = build_msg(b, sizeof(b), CTL_FAMILY_FLOW, TEST_CMD_ECHO, 0, 3);
		send(c, b, l, 0);
		r = recv(c, b, sizeof(b), 0);
		_exit(r > 0 && ((struct nlmsghdr *)b)->nlmsg_type == CTL_FAMILY_FLOW ? 0 : 13);
	}
	for (int i = 0; i < 300 && waitpid(pid, &status, WNOHANG) == 0; i++)
		ctl_server_poll(f->srv, 10);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(n_admin, before + 1); /* unchanged by the refused request */
}

/* Run an admin-only request as uid 65534 with the given primary group and
 * supplementary groups; returns the errno the server answered (0: ok). */
static int admin_request_as(struct ctl_server *srv, const char *path, gid_t primary,
			    const gid_t *groups, int n_groups)
{
	int status, pipefd[2];
	int32_t err = -1;

	assert_int_equal(pipe(pipefd), 0);
	pid_t pid = fork();
	if (pid == 0) {
		struct sockaddr_un addr = { .sun_family = AF_UNIX };
		uint8_t b[4096];

		close(pipefd[0]);
		if (setgroups((size_t)n_groups, groups) < 0 || setgid(primary) < 0 || setuid(65534) < 0)
			_exit(10);
		strcpy(addr.sun_path, path);
		int c = socket(AF_UNIX, SOCK_SEQPACKET, 0);
		if (connect(c, (struct sockaddr *)&addr, sizeof(addr)) < 0)
			_exit(11);
		size_t l = build_msg(b, sizeof(b), CTL_FAMILY_FLOW, TEST_CMD_ADMIN, NLM_F_ACK, 2);
		send(c, b, l, 0);
		if (recv(c, b, sizeof(b), 0) <= 0)
			_exit(12);
		const struct nlmsgerr *e = mnl_nlmsg_get_payload((const void *)b);
		int32_t got = e->error;
		if (write(pipefd[1], &got, sizeof(got)) != sizeof(got))
			_exit(13);
		_exit(0);
	}
	close(pipefd[1]);
	for (int i = 0; i < 300 && waitpid(pid, &status, WNOHANG) == 0; i++)
		ctl_server_poll(srv, 10);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(read(pipefd[0], &err, sizeof(err)), sizeof(err));
	close(pipefd[0]);
	return err;
}

/* --ctl-group: its members are admins, by primary or supplementary group;
 * others are not. */
static void test_admin_group(void **state)
{
	struct fixture *f = *state;
	struct ctl_server_conf conf = {
		.ops = test_ops, .n_ops = 3, .mode = 0666, .group = "nogroup", .dp_ifindex = 7,
	};
	struct ctl_server *srv;
	struct errmsg e;
	char path[160], dir[128];
	const gid_t member[] = { 65534 };
	const gid_t other[] = { 4242 };

	if (getuid() != 0)
		skip(); /* needs root to become another user */
	snprintf(dir, sizeof(dir), "/tmp/dpsw-test-%d", getpid());
	chmod(dir, 0755);
	snprintf(path, sizeof(path), "%s/group.sock", dir);
	conf.path = path;
	errmsg_clear(&e);
	assert_int_equal(ctl_server_open(&srv, &conf, &e), 0);
	int before = n_admin;
	assert_int_equal(admin_request_as(srv, path, 65534, NULL, 0), 0);      /* primary */
	assert_int_equal(admin_request_as(srv, path, 4242, member, 1), 0);     /* supplementary */
	assert_int_equal(admin_request_as(srv, path, 4242, other, 1), -EPERM); /* neither */
	assert_int_equal(n_admin, before + 2);
	ctl_server_close(srv);
	(void)f;

	/* A group that does not exist is an error at start-up. */
	conf.group = "no-such-group-dpsw";
	errmsg_clear(&e);
	assert_int_equal(ctl_server_open(&srv, &conf, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "no-such-group-dpsw"));
}

/* A second server on a live socket is refused; a stale one is replaced; a
 * regular file is never removed. */
static void test_socket_path(void **state)
{
	struct fixture *f = *state;
	struct ctl_server_conf conf = { .ops = test_ops, .n_ops = 3, .mode = 0600 };
	struct ctl_server *srv2;
	struct errmsg e;
	char path[128];

	conf.path = f->path;
	errmsg_clear(&e);
	assert_int_equal(ctl_server_open(&srv2, &conf, &e), -EADDRINUSE);
	assert_non_null(strstr(e.msg, "already answers"));

	snprintf(path, sizeof(path), "/tmp/dpsw-test-%d/plain", getpid());
	int fd = open(path, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	close(fd);
	conf.path = path;
	errmsg_clear(&e);
	assert_int_equal(ctl_server_open(&srv2, &conf, &e), -EEXIST);
	assert_int_equal(access(path, F_OK), 0);
	unlink(path);

	/* A stale socket: bound, then its owner went away. */
	snprintf(path, sizeof(path), "/tmp/dpsw-test-%d/stale.sock", getpid());
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	close(fd);
	errmsg_clear(&e);
	assert_int_equal(ctl_server_open(&srv2, &conf, &e), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	ctl_server_close(srv2);
	assert_int_not_equal(access(path, F_OK), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_getfamily, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_framing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_and_ack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dgram_number, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dump, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow_client, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_datagram, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upcalls_do_not_stop_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upcall_batches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replies_overrun, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connection_caps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_permission, setup, teardown),
		cmocka_unit_test_setup_teardown(test_admin_group, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_path, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
