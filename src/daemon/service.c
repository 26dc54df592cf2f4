/* SPDX-License-Identifier: BSD-3-Clause */
#include "service.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_log.h>

/* syslog priorities (journald reads "<N>" at the start of a line). */
#define PRI_ERR 3
#define PRI_INFO 6

struct journal_stream {
	int fd;
	int pri;          /* fixed priority, or -1: DPDK's current message level */
	bool line_start;  /* the next byte starts a line: prefix it */
};

static struct journal_stream out_js = { STDOUT_FILENO, PRI_INFO, true };
static struct journal_stream err_js = { STDERR_FILENO, PRI_ERR, true };
static struct journal_stream eal_js = { STDERR_FILENO, -1, true };

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int current_pri(const struct journal_stream *js)
{
	if (js->pri >= 0)
		return js->pri;
	/* RTE_LOG_EMERG is 1 where syslog's LOG_EMERG is 0. */
	int lvl = rte_log_cur_msg_loglevel();
	return lvl >= 1 && lvl <= 8 ? lvl - 1 : PRI_INFO;
}

/* fopencookie write: copy the bytes through, a "<N>" before each line. */
static ssize_t js_write(void *cookie, const char *buf, size_t size)
{
	struct journal_stream *js = cookie;
	size_t done = 0;

	while (done < size) {
		if (js->line_start) {
			char pfx[4] = { '<', (char)('0' + current_pri(js)), '>', 0 };
			if (write_all(js->fd, pfx, 3) < 0)
				return done ? (ssize_t)done : -1;
			js->line_start = false;
		}
		const char *nl = memchr(buf + done, '\n', size - done);
		size_t n = nl ? (size_t)(nl - (buf + done)) + 1 : size - done;
		if (write_all(js->fd, buf + done, n) < 0)
			return done ? (ssize_t)done : -1;
		done += n;
		js->line_start = nl != NULL;
	}
	return (ssize_t)size;
}

static FILE *js_open(struct journal_stream *js)
{
	cookie_io_functions_t io = { .write = js_write };
	FILE *f = fopencookie(js, "w", io);

	if (f != NULL)
		setvbuf(f, NULL, _IOLBF, 0); /* one write (one level) per line */
	return f;
}

static bool under_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	return js != NULL && *js != '\0';
}

void service_log_init(void)
{
	if (!under_journal())
		return;
	FILE *o = js_open(&out_js), *e = js_open(&err_js);
	if (o != NULL)
		stdout = o;
	if (e != NULL)
		stderr = e;
	/* Set before rte_eal_init(), so it wins over EAL's default stream,
	 * which writes to stdout and to syslog: under the journal that would
	 * be every line twice, both at the same level. */
	FILE *d = js_open(&eal_js);
	if (d != NULL)
		rte_openlog_stream(d);
}

int service_notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	size_t len;
	int fd, ret = 0;

	if (path == NULL || *path == '\0')
		return 0;
	len = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || len >= sizeof(addr.sun_path))
		return -EINVAL;
	memcpy(addr.sun_path, path, len);
	if (path[0] == '@')
		addr.sun_path[0] = '\0'; /* abstract namespace */
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&addr,
		   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}
