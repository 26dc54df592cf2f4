/* SPDX-License-Identifier: BSD-3-Clause */
#include "flowfile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "odp_text.h"
#include "strbuf.h"

#define DUMP_BATCH 256

/* "DIR/.BASE.XXXXXX" for mkstemp(), in 'tmpl' of PATH_MAX bytes; and
 * the directory in 'dir'. -ENAMETOOLONG. */
static int temp_name(const char *path, char *tmpl, char *dir, struct errmsg *err)
{
	char a[PATH_MAX], b[PATH_MAX];

	if (snprintf(a, sizeof(a), "%s", path) >= (int)sizeof(a))
		return errmsg_set(err, -ENAMETOOLONG, -1, "%s: path too long", path);
	memcpy(b, a, sizeof(b));
	snprintf(dir, PATH_MAX, "%s", dirname(a));
	if (snprintf(tmpl, PATH_MAX, "%s/.%s.XXXXXX", dir, basename(b)) >= PATH_MAX)
		return errmsg_set(err, -ENAMETOOLONG, -1, "%s: path too long", path);
	return 0;
}

static int open_temp(const char *path, char *tmpl, char *dir, struct errmsg *err)
{
	struct stat st;
	int fd, ret;

	if (path[0] == '\0')
		return errmsg_set(err, -EINVAL, -1, "empty file name");
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return errmsg_set(err, -EISDIR, -1, "%s: is a directory", path);
	ret = temp_name(path, tmpl, dir, err);
	if (ret < 0)
		return ret;
	fd = mkstemp(tmpl);
	if (fd < 0)
		return errmsg_set(err, -errno, -1, "%s: cannot create a file in %s: %s", path, dir,
				  strerror(errno));
	/* mkstemp() makes it 0600: keep the mode of the file it replaces,
	 * else make it readable as a configuration file is. */
	fchmod(fd, stat(path, &st) == 0 ? st.st_mode & 07777 : 0644);
	return fd;
}

int flowfile_check(const char *path, struct errmsg *err)
{
	char tmpl[PATH_MAX], dir[PATH_MAX];
	int fd = open_temp(path, tmpl, dir, err);

	if (fd < 0)
		return fd;
	close(fd);
	unlink(tmpl);
	return 0;
}

static void format_flow(struct strbuf *sb, const struct flowtbl_flow *f)
{
	const struct flowtbl_actions *a = flowtbl_flow_actions(f);
	struct flow_key key, mask;
	struct flow_ufid ufid;

	flowtbl_flow_key(f, &key);
	flowtbl_flow_mask(f, &mask);
	if (flowtbl_flow_ufid(f, &ufid)) {
		odp_ufid_format(sb, &ufid);
		strbuf_addc(sb, ' ');
	}
	odp_flow_format(sb, &key, &mask, false);
	strbuf_addc(sb, ' ');
	odp_actions_format(sb, a->data, a->len);
	strbuf_addc(sb, '\n');
}

/* Every flow to 'out', a batch of lines at a time. Returns the count. */
static int write_flows(const struct flowtbl *t, FILE *out)
{
	struct flowtbl_flow *batch[DUMP_BATCH];
	uint64_t cursor = 0;
	struct strbuf sb;
	size_t n;
	int count = 0;

	strbuf_init(&sb);
	fprintf(out, "# dpdk-switch flows (--save-flows): [ufid:UUID] FLOW ACTIONS\n");
	while ((n = flowtbl_dump(t, &cursor, batch, DUMP_BATCH)) > 0) {
		strbuf_reset(&sb);
		for (size_t i = 0; i < n; i++)
			format_flow(&sb, batch[i]);
		fputs(sb.s, out);
		count += (int)n;
	}
	strbuf_free(&sb);
	return count;
}

/* Flush and sync what 'out' holds, then close it: 0 or -errno. */
static int finish(FILE *out)
{
	int ret = 0;

	if (fflush(out) != 0 || ferror(out) || fsync(fileno(out)) != 0)
		ret = -(errno ? errno : EIO);
	if (fclose(out) != 0 && ret == 0)
		ret = -errno;
	return ret;
}

int flowfile_save(const struct flowtbl *t, const char *path, struct errmsg *err)
{
	char tmpl[PATH_MAX], dir[PATH_MAX];
	int fd = open_temp(path, tmpl, dir, err), count, ret, dfd;
	FILE *out;

	if (fd < 0)
		return fd;
	out = fdopen(fd, "w");
	if (out == NULL) {
		ret = errmsg_set(err, -errno, -1, "%s: %s", tmpl, strerror(errno));
		close(fd);
		goto fail;
	}
	errno = 0;
	count = write_flows(t, out);
	ret = finish(out);
	if (ret < 0) {
		errmsg_set(err, ret, -1, "%s: writing: %s", tmpl, strerror(-ret));
		goto fail;
	}
	if (rename(tmpl, path) != 0) {
		ret = errmsg_set(err, -errno, -1, "renaming %s to %s: %s", tmpl, path,
				 strerror(errno));
		goto fail;
	}
	/* The rename itself reaches the disk with the directory. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return count;
fail:
	unlink(tmpl);
	return ret;
}
