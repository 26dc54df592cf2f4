/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * upcall: packets going from a PMD to the control thread (OVS_PACKET_CMD_
 * MISS and OVS_PACKET_CMD_ACTION). Each PMD has its own queue: a ring of
 * ready upcalls and a ring of free, preallocated ones, both single-producer
 * single-consumer, so neither side ever waits or allocates. A PMD that
 * finds no free slot drops the packet and counts it lost; that is how a
 * slow listener is kept from slowing the datapath.
 *
 * A queued upcall may hold an mbuf of the datapath's pool, so the upcalls
 * of all queues that hold one are bounded to a share of the pool
 * (upcall_queue_slots(), upcall_queue_may_hold()): however slow the
 * listener, the rest of the pool stays for receiving and forwarding. A
 * short MISS carries its packet in its slot and holds none; a PMD's
 * queue has more slots for those (upcall_queue_slots_inline()).
 *
 * Free slots go back to use last-in first-out: the slot a PMD fills is
 * one the control thread just gave back, still in cache, not the one
 * given back longest ago (a ring would cycle through every slot).
 *
 * Threads: upcall_queue_create/destroy and the consumer side
 * (upcall_queue_take/upcall_queue_release) on the control thread;
 * upcall_queue_put* on the owning PMD.
 */
#ifndef UPCALL_H
#define UPCALL_H

#include <rte_mbuf.h>
#include <stdbool.h>
#include <stdint.h>

#include "flow_key.h"

/* Most upcalls in flight per queue: a miss storm's worth of the
 * milliseconds the control thread may be off its core. Of a PMD's queue,
 * only the pool's share (upcall_queue_slots()) may hold mbufs at once;
 * MISSes whose packet travels in the slot (UPCALL_INLINE_MAX) hold none,
 * so a PMD's queue has UPCALL_INLINE_FACTOR times that many slots for
 * them (upcall_queue_slots_inline()): at bench/reactive.py's pool, 32768
 * slots, 62 ms of a 530k/s storm, where 16384 (31 ms) lost misses in runs
 * whose control thread, at 65-90% of its core, shared it with more. A
 * slot is 592 bytes: 19 MB a queue at most, 9.7 MB more than before. */
#define UPCALL_QUEUE_SIZE 32768
#define UPCALL_INLINE_FACTOR 2
#define UPCALL_QUEUE_MIN 32      /* fewest, however small the pool */
#define UPCALL_POOL_SHARE 8      /* queues hold at most 1/8 of the pool */
#define UPCALL_USERDATA_MAX 256  /* OVS_USERSPACE_ATTR_USERDATA bytes kept */
#define UPCALL_STASH 32          /* slots the producer takes or publishes at once */
/* A MISS of a one-segment packet this short carries the bytes in its slot
 * and the PMD frees the mbuf at once: it goes back to the PMD's own
 * mempool cache, still in its cache, where one freed by the control
 * thread came back through the pool's ring with its lines on the other
 * core, for the next receive to write. 128 bytes hold a minimal frame, a
 * TCP SYN with options, most DNS queries. */
#define UPCALL_INLINE_MAX 128

struct upcall {
	uint8_t cmd;                  /* OVS_PACKET_CMD_MISS or _ACTION */
	uint16_t pkt_len;             /* bytes in pkt[] when mbuf is NULL */
	uint32_t pid;                 /* listener the upcall goes to */
	uint32_t orig_len;            /* length before trunc (0: not truncated) */
	struct rte_mbuf *mbuf;        /* the packet, owned by the upcall; NULL: in pkt[] */
	struct flow_key key;
	uint8_t pkt[UPCALL_INLINE_MAX];
	uint16_t userdata_len;        /* 0: none */
	uint8_t userdata[UPCALL_USERDATA_MAX];
};

/* The length of an upcall's packet, in its mbuf or its slot. */
static inline uint32_t upcall_pkt_len(const struct upcall *u)
{
	return u->mbuf ? rte_pktmbuf_pkt_len(u->mbuf) : u->pkt_len;
}

struct upcall_queue;

/* Slots for each of 'n_queues' queues sharing a pool of 'n_mbufs':
 * 1/UPCALL_POOL_SHARE of the pool split evenly, within
 * [UPCALL_QUEUE_MIN, UPCALL_QUEUE_SIZE]. */
uint32_t upcall_queue_slots(uint32_t n_mbufs, uint32_t n_queues);
/* Slots of a PMD's queue whose upcalls may hold 'held' mbufs at once:
 * UPCALL_INLINE_FACTOR times that, at most UPCALL_QUEUE_SIZE. */
uint32_t upcall_queue_slots_inline(uint32_t held);
/* A queue of 'slots' (<= UPCALL_QUEUE_SIZE) upcalls. -EINVAL, -ENOMEM, or
 * 0 with *out set. 'socket_id': NUMA socket of the PMD. */
int upcall_queue_create(const char *name, int socket_id, uint32_t slots,
			struct upcall_queue **out);
/* Frees queued upcalls' mbufs too (published or not). No producer may be
 * running. */
void upcall_queue_destroy(struct upcall_queue *q);
/* At most 'held' (<= the slots; 0: every slot) of its upcalls may hold
 * an mbuf at once: what upcall_queue_may_hold() answers. Before the
 * producer starts. */
void upcall_queue_limit_held(struct upcall_queue *q, uint32_t held);

/* Producer (PMD): a free upcall to fill, or NULL when all are in flight.
 * The one given back last comes first (the consumer's are looked for
 * every UPCALL_STASH slots taken, and when none other is left). */
struct upcall *upcall_queue_get_free(struct upcall_queue *q);
/* Producer: whether an upcall it fills may hold an mbuf: fewer than the
 * limit (upcall_queue_limit_held()) of those it put are still out. It
 * reads the consumer's count only when its last reading says full. */
bool upcall_queue_may_hold(struct upcall_queue *q);
/* Producer: a filled upcall, published with the next upcall_queue_flush()
 * (or at once when UPCALL_STASH wait). Never fails (it came from the
 * queue). */
void upcall_queue_put(struct upcall_queue *q, struct upcall *u);
/* Producer: publish what upcall_queue_put() holds; the PMD calls it once
 * an iteration, whoever else produces after each put. */
void upcall_queue_flush(struct upcall_queue *q);

/* Consumer (control thread): up to 'max' ready upcalls. */
unsigned int upcall_queue_take(struct upcall_queue *q, struct upcall **out, unsigned int max);
/* Consumer: give an upcall back once its mbuf is freed. */
void upcall_queue_release(struct upcall_queue *q, struct upcall *u);
/* Consumer: give 'n' back at once (one ring operation, not n). */
void upcall_queue_release_burst(struct upcall_queue *q, struct upcall **ups, unsigned int n);

#endif /* UPCALL_H */
