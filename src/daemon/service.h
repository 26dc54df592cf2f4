/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * service: what the daemon does differently when systemd runs it.
 *
 * - Readiness: sd_notify(3)'s datagram protocol, written here (a few lines
 *   on a Unix datagram socket) rather than linking libsystemd into the
 *   datapath for one function: READY=1 once ports are started and PMDs
 *   forward, STOPPING=1 when a stop begins, STATUS= lines for
 *   `systemctl status`. No-ops when NOTIFY_SOCKET is unset.
 * - Journal levels: when stdout/stderr go to the journal (JOURNAL_STREAM is
 *   set), every line the daemon or DPDK writes gets a "<N>" syslog priority
 *   prefix, which journald strips and keeps as the entry's level: DPDK's
 *   messages at their own level, stderr at err, stdout at info.
 *
 * Thread safety: main thread, at start-up and stop only.
 */
#ifndef SERVICE_H
#define SERVICE_H

/* Under the journal, prefix stdout/stderr lines with their level, and
 * DPDK's with theirs. Call first thing in main(), before rte_eal_init(). */
void service_log_init(void);

/* Send "STATE" (e.g. "READY=1\nSTATUS=forwarding") to systemd's notify
 * socket. Returns 0, or a negative errno (nothing listens, bad address);
 * 0 too when the daemon does not run under systemd. */
int service_notify(const char *state);

#endif /* SERVICE_H */
