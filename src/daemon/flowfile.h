/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flowfile: writing the flow table to a file that --flows reads back
 * (--save-flows). One flow a line, "ufid:UUID FLOW ACTIONS" (no ufid:
 * for a flow installed without one), in the ovs-dpctl syntax of
 * odp_text.h, in flow-id order (the order they were installed), so a
 * daemon started with --flows FILE dumps the same table.
 *
 * The file is replaced atomically: written to a temporary file in the
 * same directory, synced, then renamed over FILE; a failure leaves FILE
 * as it was.
 *
 * EAL-free. Errors: negative errno with a reason naming the file.
 */
#ifndef FLOWFILE_H
#define FLOWFILE_H

#include "errmsg.h"
#include "flowtbl.h"

/* Check that 'path' can be saved to (a temporary file can be made in its
 * directory, and 'path' is not a directory), leaving nothing behind: so
 * that a bad path fails at start, not at the stop. Any thread. */
int flowfile_check(const char *path, struct errmsg *err);

/* Write every flow of 't' to 'path' atomically. Returns the number of
 * flows written, or a negative errno. The table's writer thread. */
int flowfile_save(const struct flowtbl *t, const char *path, struct errmsg *err);

#endif /* FLOWFILE_H */
