/* SPDX-License-Identifier: BSD-3-Clause */
#include "upcall.h"

#include <errno.h>
#include <rte_malloc.h>
#include <rte_ring.h>
#include <stdio.h>

#include "dpsw_atomic.h"

struct upcall_queue {
	struct rte_ring *free;   /* control thread -> PMD: slots given back */
	struct rte_ring *ready;  /* PMD -> control thread */
	/* The producer's own, in cache lines of their own: filled slots not
	 * yet published, and the free slots it holds, a stack whose top is
	 * the slot given back last. Each ring access moves cache lines
	 * between the two cores; a storm of misses pays for it once a burst,
	 * not a miss. A ring alone would hand out the slot given back
	 * longest ago: a storm would write every slot in turn, each one out
	 * of cache, where the stack reuses the few in flight. */
	struct upcall *unpublished[UPCALL_STASH] __rte_cache_aligned;
	unsigned int n_unpublished;
	unsigned int n_free;        /* slots on free_stack */
	unsigned int taken;         /* slots taken since the free ring was read */
	unsigned int n_slots;
	struct upcall **free_stack; /* n_slots entries, after items[] */
	/* Upcalls holding an mbuf: at most held_max out at once. The
	 * producer counts those it puts, the consumer (on a line of its own)
	 * those it gives back; the producer reads that only when its last
	 * reading, held_seen, leaves no room. */
	uint32_t held_max;
	uint32_t held_put;
	uint32_t held_seen;
	uint32_t held_back __rte_cache_aligned; /* LOAD_ACQ / STORE_REL */
	struct upcall items[] __rte_cache_aligned;   /* the queue's slots */
};

uint32_t upcall_queue_slots_inline(uint32_t held)
{
	uint64_t slots = (uint64_t)held * UPCALL_INLINE_FACTOR;

	return slots > UPCALL_QUEUE_SIZE ? UPCALL_QUEUE_SIZE : (uint32_t)slots;
}

uint32_t upcall_queue_slots(uint32_t n_mbufs, uint32_t n_queues)
{
	uint32_t slots = n_mbufs / UPCALL_POOL_SHARE / (n_queues ? n_queues : 1);

	if (slots < UPCALL_QUEUE_MIN)
		return UPCALL_QUEUE_MIN;
	return slots > UPCALL_QUEUE_SIZE ? UPCALL_QUEUE_SIZE : slots;
}

int upcall_queue_create(const char *name, int socket_id, uint32_t slots,
			struct upcall_queue **out)
{
	char rname[RTE_RING_NAMESIZE];
	struct upcall_queue *q;
	/* Ring sizes are powers of two holding size - 1 entries. */
	unsigned int ring_size = rte_align32pow2(slots + 1);

	if (slots == 0 || slots > UPCALL_QUEUE_SIZE)
		return -EINVAL;
	q = rte_zmalloc_socket(name, sizeof(*q) + slots * (sizeof(q->items[0]) + sizeof(void *)),
			       RTE_CACHE_LINE_SIZE, socket_id);
	if (q == NULL)
		return -ENOMEM;
	q->n_slots = slots;
	q->held_max = slots;
	q->free_stack = (struct upcall **)&q->items[slots];
	snprintf(rname, sizeof(rname), "%s_f", name);
	q->free = rte_ring_create(rname, ring_size, socket_id, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(rname, sizeof(rname), "%s_r", name);
	q->ready = rte_ring_create(rname, ring_size, socket_id, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (q->free == NULL || q->ready == NULL) {
		upcall_queue_destroy(q);
		return -ENOMEM;
	}
	/* Only 'slots' items circulate, so the rings never fill. They start
	 * on the producer's stack, the first item on top. */
	for (unsigned int i = 0; i < slots; i++)
		q->free_stack[i] = &q->items[slots - 1 - i];
	q->n_free = slots;
	*out = q;
	return 0;
}

void upcall_queue_destroy(struct upcall_queue *q)
{
	struct upcall *u;

	if (q == NULL)
		return;
	for (unsigned int i = 0; i < q->n_unpublished; i++)
		rte_pktmbuf_free(q->unpublished[i]->mbuf);
	while (q->ready && rte_ring_dequeue(q->ready, (void **)&u) == 0)
		rte_pktmbuf_free(u->mbuf);
	rte_ring_free(q->free);
	rte_ring_free(q->ready);
	rte_free(q);
}

void upcall_queue_limit_held(struct upcall_queue *q, uint32_t held)
{
	q->held_max = held && held < q->n_slots ? held : q->n_slots;
}

/* Hot path (PMD; misses of long packets and ACTION upcalls only). */
bool upcall_queue_may_hold(struct upcall_queue *q)
{
	if (q->held_put - q->held_seen < q->held_max)
		return true;
	/* Acquire: pairs with the consumer's release once it freed them. */
	q->held_seen = LOAD_ACQ(&q->held_back);
	return q->held_put - q->held_seen < q->held_max;
}

/* Hot path (PMD). The ring gives back the oldest first, so what it
 * holds goes onto the stack in its order: the newest ends on top. */
struct upcall *upcall_queue_get_free(struct upcall_queue *q)
{
	if (q->taken >= UPCALL_STASH || q->n_free == 0) {
		q->n_free += rte_ring_dequeue_burst(q->free, (void **)&q->free_stack[q->n_free],
						    q->n_slots - q->n_free, NULL);
		q->taken = 0;
	}
	if (q->n_free == 0)
		return NULL;
	q->taken++;
	return q->free_stack[--q->n_free];
}

/* Hot path (PMD). The ready ring has room for every item, so publishing
 * never fails. */
void upcall_queue_put(struct upcall_queue *q, struct upcall *u)
{
	q->held_put += u->mbuf != NULL;
	q->unpublished[q->n_unpublished++] = u;
	if (q->n_unpublished == UPCALL_STASH)
		upcall_queue_flush(q);
}

/* Hot path (PMD). */
void upcall_queue_flush(struct upcall_queue *q)
{
	if (q->n_unpublished == 0)
		return;
	rte_ring_enqueue_burst(q->ready, (void **)q->unpublished, q->n_unpublished, NULL);
	q->n_unpublished = 0;
}

unsigned int upcall_queue_take(struct upcall_queue *q, struct upcall **out, unsigned int max)
{
	return rte_ring_dequeue_burst(q->ready, (void **)out, max, NULL);
}

/* Consumer: 'n' upcalls that held an mbuf are back (one writer). */
static void held_back_add(struct upcall_queue *q, uint32_t n)
{
	if (n)
		STORE_REL(&q->held_back, LOAD_RLX(&q->held_back) + n);
}

/* The slots go back without a write where there is none to make: a slot
 * this thread only read stays in the PMD's cache as well (shared), so
 * the PMD's next fill of it needs no copy of the line from this core
 * (a MISS carried in its slot has no mbuf to clear). */
void upcall_queue_release(struct upcall_queue *q, struct upcall *u)
{
	if (u->mbuf != NULL) {
		held_back_add(q, 1);
		u->mbuf = NULL;
	}
	rte_ring_enqueue(q->free, u);
}

/* The free ring has room for every slot, so all go in. */
void upcall_queue_release_burst(struct upcall_queue *q, struct upcall **ups, unsigned int n)
{
	uint32_t held = 0;

	for (unsigned int i = 0; i < n; i++) {
		if (ups[i]->mbuf != NULL) {
			held++;
			ups[i]->mbuf = NULL;
		}
	}
	held_back_add(q, held);
	rte_ring_enqueue_burst(q->free, (void **)ups, n, NULL);
}
