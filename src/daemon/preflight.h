/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * preflight: the daemon's start-up checks that need no EAL, run before
 * rte_eal_init() so that a command line that cannot work fails (exit 2)
 * before EAL touches a device, and EAL's run-time directory is not left
 * behind by a start that failed.
 *
 * Thread safety: main thread, at start-up and exit only.
 */
#ifndef PREFLIGHT_H
#define PREFLIGHT_H

#include <stdbool.h>
#include <stdint.h>

#include "errmsg.h"

/* --flows FILE: a readable regular file (a directory or a FIFO is refused;
 * opening never blocks). 0 or -errno with a message. */
int preflight_flows_file(const char *path, struct errmsg *err);

/*
 * Raise the soft RLIMIT_NOFILE so that 'max_conns' control connections and
 * EAL's own files fit. Returns 0, or -EMFILE with a message when the hard
 * limit is too low (the daemon runs on: connections past it are refused).
 */
int preflight_nofile(uint32_t max_conns, struct errmsg *err);

/* EAL's run-time directory for the EAL arguments in argv. */
struct preflight_eal {
	char dir[512];    /* "" when EAL keeps no files (--in-memory, --no-shconf) */
	char prefix[128]; /* --file-prefix: names its hugepage files too */
	bool existed;     /* it existed before this start: never removed */
};

/*
 * Find the run-time directory EAL will use (--file-prefix, default "rte"),
 * and refuse (-EADDRINUSE, message naming the pid) when a live primary
 * process holds it: EAL's own failure there says only "Success".
 */
int preflight_eal(int argc, char **argv, struct preflight_eal *pe, struct errmsg *err);

/* After a failed start: remove the run-time directory if this start made
 * it, and the prefix's hugepage files (PREFIXmap_*, on every hugetlbfs
 * mount), which would hold their pages until a start with that prefix. */
void preflight_eal_cleanup(const struct preflight_eal *pe);

#endif /* PREFLIGHT_H */
