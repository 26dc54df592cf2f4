/* SPDX-License-Identifier: BSD-3-Clause */
#include "preflight.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* Files the daemon holds besides control connections: EAL (memory
 * segments, sockets, interrupts), ports, the flows file. */
#define NOFILE_MARGIN 1024

int preflight_flows_file(const char *path, struct errmsg *err)
{
	struct stat st;
	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return errmsg_set(err, -errno, -1, "--flows %s: %s", path, strerror(errno));
	int ret = fstat(fd, &st);
	int saved = errno;
	close(fd);
	if (ret < 0)
		return errmsg_set(err, -saved, -1, "--flows %s: %s", path, strerror(saved));
	if (S_ISDIR(st.st_mode))
		return errmsg_set(err, -EISDIR, -1, "--flows %s: is a directory", path);
	if (!S_ISREG(st.st_mode))
		return errmsg_set(err, -EINVAL, -1, "--flows %s: not a regular file", path);
	return 0;
}

int preflight_nofile(uint32_t max_conns, struct errmsg *err)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)max_conns + NOFILE_MARGIN;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return errmsg_set(err, -errno, -1, "getrlimit: %s", strerror(errno));
	if (rl.rlim_cur >= want)
		return 0;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want ? want : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		return errmsg_set(err, -errno, -1, "setrlimit: %s", strerror(errno));
	if (rl.rlim_cur < want)
		return errmsg_set(err, -EMFILE, -1,
				  "open files limited to %llu (hard RLIMIT_NOFILE), %llu wanted "
				  "for --ctl-max-conns %u: connections past it are refused",
				  (unsigned long long)rl.rlim_cur, (unsigned long long)want,
				  max_conns);
	return 0;
}

/* The value of EAL option 'name' ("--name V" or "--name=V"), or NULL. */
static const char *eal_arg(int argc, char **argv, const char *name)
{
	size_t n = strlen(name);

	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], name, n) != 0)
			continue;
		if (argv[i][n] == '=')
			return argv[i] + n + 1;
		if (argv[i][n] == '\0')
			return i + 1 < argc ? argv[i + 1] : NULL;
	}
	return NULL;
}

static bool eal_flag(int argc, char **argv, const char *name)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return true;
	return false;
}

/* Where EAL (lib/eal/linux eal_create_runtime_dir) puts its files: under
 * /var/run for root, else $XDG_RUNTIME_DIR or /tmp. */
static void runtime_dir(const char *prefix, char *dir, size_t size)
{
	const char *base = "/var/run";

	if (getuid() != 0) {
		base = getenv("XDG_RUNTIME_DIR");
		if (base == NULL)
			base = "/tmp";
	}
	snprintf(dir, size, "%s/dpdk/%s", base, prefix);
}

/* The pid holding a write lock on EAL's config file (a live primary), or 0. */
static pid_t config_holder(const char *dir)
{
	char path[600];
	struct flock lk = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int fd;

	snprintf(path, sizeof(path), "%s/config", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fcntl(fd, F_GETLK, &lk) < 0)
		lk.l_type = F_UNLCK;
	close(fd);
	return lk.l_type == F_UNLCK ? 0 : lk.l_pid;
}

int preflight_eal(int argc, char **argv, struct preflight_eal *pe, struct errmsg *err)
{
	const char *prefix = eal_arg(argc, argv, "--file-prefix");
	const char *type = eal_arg(argc, argv, "--proc-type");
	struct stat st;

	pe->dir[0] = '\0';
	pe->existed = true;
	if (eal_flag(argc, argv, "--in-memory") || eal_flag(argc, argv, "--no-shconf") ||
	    (type && strcmp(type, "primary") != 0))
		return 0;
	if (prefix == NULL)
		prefix = "rte";
	if (strchr(prefix, '/'))
		return errmsg_set(err, -EINVAL, -1, "--file-prefix '%s': no '/' allowed", prefix);
	snprintf(pe->prefix, sizeof(pe->prefix), "%s", prefix);
	runtime_dir(prefix, pe->dir, sizeof(pe->dir));
	pe->existed = stat(pe->dir, &st) == 0;
	pid_t pid = pe->existed ? config_holder(pe->dir) : 0;
	if (pid > 0)
		return errmsg_set(err, -EADDRINUSE, -1,
				  "EAL file prefix '%s' is in use by process %d (%s): give this "
				  "daemon another --file-prefix", prefix, (int)pid, pe->dir);
	return 0;
}

/* Remove the entries of 'dir' whose name starts with 'start' ("" for all). */
static void unlink_prefixed(const char *dir, const char *start)
{
	size_t n = strlen(start);
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
		    strncmp(e->d_name, start, n) == 0)
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
}

/* EAL names its hugepage files PREFIXmap_N in the hugetlbfs mount. */
static void unlink_hugepage_files(const char *prefix)
{
	char start[160], line[1024], mnt[512], type[64];
	FILE *f = fopen("/proc/mounts", "re");

	if (f == NULL)
		return;
	snprintf(start, sizeof(start), "%smap_", prefix);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %511s %63s", mnt, type) == 2 && strcmp(type, "hugetlbfs") == 0)
			unlink_prefixed(mnt, start);
	fclose(f);
}

void preflight_eal_cleanup(const struct preflight_eal *pe)
{
	if (pe->existed || pe->dir[0] == '\0')
		return;
	/* EAL's files there are flat: config, fbarray_*, mp_socket*, ... */
	unlink_prefixed(pe->dir, "");
	rmdir(pe->dir);
	unlink_hugepage_files(pe->prefix);
}
