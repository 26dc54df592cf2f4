/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * actions: execute OVS_ACTION_ATTR_* lists on packets, on a PMD thread.
 *
 * Action lists reach the executor already validated (netlink codec), so it
 * does no defensive parsing and fails at packet time only for lack of a
 * resource; every such drop is counted under a named reason.
 *
 * Packets of one flow run as a group: each action is applied to the whole
 * group before the next. Packets are sent into per-port tx buffers; the
 * owner calls actions_flush() once per loop iteration, and the tx hook is
 * also called whenever a buffer fills. Packets a recirc action sends back
 * wait in a bounded queue that the owner drains with actions_recirc_dequeue().
 *
 * Non-final outputs share the mbuf (reference count) instead of copying it;
 * any later rewrite copies first (copy on write). So the ethdevs that
 * receive these packets must not use RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE.
 *
 * Thread safety: a context belongs to one thread (its owner); every function
 * on it must be called from that thread, except actions_drops_get(), which
 * any thread may call. The hooks are called on the owner thread, must not
 * block and must not call back into the context.
 */
#ifndef ACTIONS_H
#define ACTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/netlink.h>
#include <linux/openvswitch.h>
#include <rte_mbuf.h>

#include "flow_extract.h"
#include "flow_key.h"
#include "nl_attr.h"

#define ACTIONS_BATCH_MAX 32        /* packets executed together */
#define ACTIONS_TXBUF_SIZE 32       /* packets buffered per port */
#define ACTIONS_RECIRC_QUEUE 256    /* recirculated packets waiting */
#define ACTIONS_RECIRC_DEPTH_MAX 6  /* recirculations of one packet */
#define ACTIONS_NEST_MAX 16         /* clone/sample/... nesting levels */

/* Drop reasons, one counter each. */
enum actions_drop {
	ACTIONS_DROP_NO_PORT,      /* output to a port that does not exist */
	ACTIONS_DROP_TX,           /* the tx hook did not take the packet */
	ACTIONS_DROP_RECIRC_DEPTH, /* recirculated too many times */
	ACTIONS_DROP_RECIRC_FULL,  /* recirculation queue full */
	ACTIONS_DROP_NOMEM,        /* mbuf copy failed (mempool empty) */
	ACTIONS_DROP_UPCALL,       /* userspace action: no hook, or it refused */
	ACTIONS_DROP_NESTING,      /* nested action lists deeper than the limit */
	ACTIONS_DROP_NO_HEADER,    /* set/push/pop on a header the packet lacks */
	ACTIONS_DROP__MAX
};

/* One packet handed to actions_execute(). */
struct actions_pkt {
	struct rte_mbuf *mbuf;      /* ownership passes to the executor */
	struct flow_key *key;       /* updated in place as the packet changes */
	struct flow_layout *layout; /* header offsets, updated in place */
	uint8_t recirc_depth;       /* 0 from rx, else actions_recirc.depth */
};

/* A packet the recirc action sent back to lookup. */
struct actions_recirc {
	struct rte_mbuf *mbuf;      /* owned by whoever dequeued it */
	struct flow_md md;          /* metadata for flow_extract(); recirc_id set */
	struct flow_tunnel tun;     /* copy into key.tun after extraction */
	uint8_t depth;              /* pass back as actions_pkt.recirc_depth */
};

/* What the userspace action hands to the upcall hook. */
struct actions_upcall {
	struct rte_mbuf *mbuf;           /* private copy, truncated by trunc */
	uint32_t orig_len;               /* length before trunc; 0: not cut */
	uint32_t pid;                    /* OVS_USERSPACE_ATTR_PID */
	const struct flow_key *key;      /* the packet's key as actions left it */
	const struct nlattr *userdata;   /* OVS_USERSPACE_ATTR_USERDATA or NULL */
	const struct nlattr *actions;    /* list being run, if ATTR_ACTIONS; else NULL */
	uint32_t actions_len;
};

/*
 * Sends pkts[0..n) of 'port'; returns how many it took (sent or queued);
 * the executor frees the rest and counts them as ACTIONS_DROP_TX.
 */
typedef uint16_t (*actions_tx_fn)(void *arg, uint32_t port, struct rte_mbuf **pkts, uint16_t n);
/* Takes up->mbuf and returns 0, or returns a negative errno and leaves it. */
typedef int (*actions_upcall_fn)(void *arg, const struct actions_upcall *up);

struct actions_params {
	uint32_t max_ports;          /* valid ports are [0, max_ports) */
	struct rte_mempool *pool;    /* for packet copies */
	int socket_id;               /* memory for the context */
	uint64_t seed;               /* PRNG seed for sample; 0: from the TSC */
	actions_tx_fn tx;            /* required */
	void *tx_arg;
	actions_upcall_fn upcall;    /* may be NULL: userspace actions drop */
	void *upcall_arg;
};

struct actions_ctx;

/* Creates a context. -EINVAL on bad params, -ENOMEM. */
int actions_ctx_create(const struct actions_params *params, struct actions_ctx **ctxp);
/* Frees the context and every packet it still holds (without sending). */
void actions_ctx_destroy(struct actions_ctx *ctx);

/*
 * Marks 'port' as existing (output allowed) or not; disabling first flushes
 * its buffer. -EINVAL if port >= max_ports.
 */
int actions_port_set(struct actions_ctx *ctx, uint32_t port, bool exists);

/*
 * Runs the validated list 'actions' (OVS_ACTION_ATTR_* attributes, 'len'
 * bytes; 0 = drop) on pkts[0..n), packets of one flow. Takes every mbuf.
 * The keys and layouts must stay valid for the call; the array may be
 * reused afterwards. Any n; runs in groups of ACTIONS_BATCH_MAX.
 */
void actions_execute(struct actions_ctx *ctx, const struct actions_pkt *pkts, uint32_t n,
		     const struct nlattr *actions, uint32_t len);
/* Single packet (the control thread's OVS_PACKET_CMD_EXECUTE). */
void actions_execute_one(struct actions_ctx *ctx, struct rte_mbuf *m, struct flow_key *key,
			 struct flow_layout *layout, const struct nlattr *actions, uint32_t len);

/*
 * The list output(port) and nothing else, on pkts[0..n), without keys or
 * layouts: the common case, kept out of the general walker. Takes every
 * mbuf. actions_single_output() tells when a list is that case.
 */
void actions_output(struct actions_ctx *ctx, uint32_t port, struct rte_mbuf **pkts, uint32_t n);

static inline bool actions_single_output(const struct nlattr *actions, uint32_t len,
					 uint32_t *port)
{
	if (len != nl_attr_size(sizeof(uint32_t)) || nl_attr_type(actions) != OVS_ACTION_ATTR_OUTPUT)
		return false;
	*port = nl_attr_u32(actions);
	return true;
}

/* Hands every non-empty tx buffer to the tx hook. */
void actions_flush(struct actions_ctx *ctx);

/* Moves up to 'max' recirculated packets, oldest first, into 'out'. */
uint32_t actions_recirc_dequeue(struct actions_ctx *ctx, struct actions_recirc *out, uint32_t max);

/* Copies the drop counters (relaxed reads: any thread, may be stale). */
void actions_drops_get(const struct actions_ctx *ctx, uint64_t drops[ACTIONS_DROP__MAX]);
/* "no_port", "tx", ...; NULL for an unknown reason. */
const char *actions_drop_name(enum actions_drop reason);

#endif /* ACTIONS_H */
