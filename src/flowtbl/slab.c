/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flowtbl flow slab: flows come from 2 MB arenas (madvise(MADV_HUGEPAGE))
 * carved in 64-byte size classes, with a free list per class.
 *
 * Why not malloc: a lookup touches one flow per packet, at random over
 * the table; with a million flows in 4 KB pages almost every one of those
 * is also a TLB miss. Arenas in huge pages keep the table within the TLB's
 * reach (measured: about a quarter off the 1M-flow lookup), and carving
 * drops malloc's per-object header and alignment slack.
 *
 * Arenas go back to the system only when the table is destroyed: a
 * table keeps its peak flow memory, as a DPDK mempool does. Freed objects
 * are poisoned under ASan, so a use after the grace period is still
 * caught.
 *
 * ft_slab_reserve() maps one region and touches it ahead of need: its
 * arenas feed the slab, and runs of them the hash tables of big subtables
 * (ft_pool_alloc), so the page faults of a table's growth are paid at
 * start-up instead of during a burst of installs (on a VM whose
 * hypervisor backs each guest page at its first touch, zeroing fresh pages
 * dominates a big install; docs/PERFORMANCE.md). Region arenas given back
 * (old hash tables) go on a spare stack, which the slab takes first.
 *
 * All functions: writer only.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "flowtbl_int.h"

#if defined(__SANITIZE_ADDRESS__)
#define SLAB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLAB_ASAN 1
#endif
#endif
#ifdef SLAB_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

static uint32_t slab_class(size_t size)
{
	return (uint32_t)((size + SLAB_QUANTUM - 1) / SLAB_QUANTUM) - 1;
}

/* A 2 MB-aligned mapping of len bytes (a multiple of 2 MB), so that it
 * can be huge pages; nothing more is mapped than len. */
static void *huge_map(size_t len)
{
	size_t over = len + SLAB_ARENA;
	char *p = mmap(NULL, over, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *a;

	if (p == MAP_FAILED)
		return NULL;
	a = (char *)(((uintptr_t)p + SLAB_ARENA - 1) & ~(uintptr_t)(SLAB_ARENA - 1));
	if (a > p)
		munmap(p, (size_t)(a - p));
	if (a + len < p + over)
		munmap(a + len, (size_t)(p + over - (a + len)));
	/* Hash table entries keep 48 bits of a flow's address (the rest is
	 * hash signature): Linux gives user space addresses above that only
	 * to mmap calls that ask for them, but check rather than assume. */
	if (((uintptr_t)a + len - 1) & ~(uintptr_t)ENT_PTR_MASK) {
		munmap(a, len);
		return NULL;
	}
	/* Advice only: without THP the memory still works, in small pages. */
	madvise(a, len, MADV_HUGEPAGE);
	return a;
}

static void *arena_map(void)
{
	return huge_map(SLAB_ARENA);
}

static int arena_add(struct flowtbl *t, struct slab_class *c)
{
	void *a;
	int err;

	err = ft_vec_reserve(t, (void **)&t->arenas, &t->cap_arenas, t->n_arenas + 1,
			  sizeof(*t->arenas));
	if (err)
		return err;
	if (t->n_spare) {
		a = t->spare[--t->n_spare];
	} else if (t->rgn_next < t->rgn_end) {
		a = t->rgn_next;
		t->rgn_next += SLAB_ARENA;
	} else {
		a = arena_map();
		if (!a)
			return -ENOMEM;
		POISON(a, SLAB_ARENA);
		t->mem += SLAB_ARENA;
	}
	t->arenas[t->n_arenas++] = a;
	c->bump = a;
	c->end = (char *)a + SLAB_ARENA;
	return 0;
}

/* A zeroed, 64-byte aligned object of 'size' bytes (<= SLAB_MAX). */
void *ft_slab_alloc(struct flowtbl *t, size_t size)
{
	struct slab_class *c = &t->slab[slab_class(size)];
	size_t osize = (slab_class(size) + 1) * SLAB_QUANTUM;
	void *p;

	if (c->free) {
		p = c->free;
		UNPOISON(p, osize);
		c->free = *(void **)p;
	} else {
		if (c->bump == c->end && arena_add(t, c) < 0)
			return NULL;
		p = c->bump;
		c->bump += osize;
		/* An arena's tail smaller than an object is left unused. */
		if ((size_t)(c->end - c->bump) < osize)
			c->bump = c->end;
		UNPOISON(p, osize);
	}
	memset(p, 0, osize);
	return p;
}

void ft_slab_free(struct flowtbl *t, void *p, size_t size)
{
	struct slab_class *c = &t->slab[slab_class(size)];

	*(void **)p = c->free;
	c->free = p;
	/* The free-list link stays readable; the rest is poisoned. */
	POISON((char *)p + sizeof(void *), (slab_class(size) + 1) * SLAB_QUANTUM - sizeof(void *));
}

static bool in_region(const struct flowtbl *t, const void *p)
{
	return t->rgn_base && (const char *)p >= t->rgn_base && (const char *)p < t->rgn_end;
}

int ft_slab_reserve(struct flowtbl *t, size_t bytes)
{
	size_t len = (bytes + SLAB_ARENA - 1) & ~(size_t)(SLAB_ARENA - 1);
	char *p, *a;
	int err;

	if (t->rgn_base || !len)
		return t->rgn_base && len ? -EBUSY : 0;
	/* Room for every arena of the region on the spare stack. */
	err = ft_vec_reserve(t, (void **)&t->spare, &t->cap_spare, (uint32_t)(len / SLAB_ARENA),
			  sizeof(*t->spare));
	if (err)
		return err;
	p = mmap(NULL, len + SLAB_ARENA, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -ENOMEM;
	a = (char *)(((uintptr_t)p + SLAB_ARENA - 1) & ~(uintptr_t)(SLAB_ARENA - 1));
	if (a > p)
		munmap(p, (size_t)(a - p));
	munmap(a + len, (size_t)(p + SLAB_ARENA - a));
	if (((uintptr_t)a + len - 1) & ~(uintptr_t)ENT_PTR_MASK) {
		munmap(a, len);
		return -ENOMEM;
	}
	madvise(a, len, MADV_HUGEPAGE);   /* advice only */
	/* The point: fault every page in now (as huge pages when THP grants
	 * them), not under the first flows carved from it. */
	memset(a, 0, len);
	POISON(a, len);
	t->rgn_base = t->rgn_next = a;
	t->rgn_end = a + len;
	t->mem += len;
	return 0;
}

/* Whether a pool block of 'size' bytes is a run of whole 2 MB pages (from
 * the region, or mapped for it) rather than a heap block. */
static bool pool_huge(size_t size)
{
	return size >= SLAB_ARENA / 2;
}

/*
 * Zeroed memory for a hash table: a run of region arenas while the region
 * lasts (page faults paid at reserve), a spare arena, else a mapping of
 * its own in 2 MB pages (lookups read big tables at random: the TLB's
 * reach matters, as for the slab), small ones from the heap. Its own
 * mapping, not an aligned heap block: the heap's alignment slack would be
 * up to 2 MB a table.
 */
void *ft_pool_alloc(struct flowtbl *t, size_t size)
{
	size_t len = (size + SLAB_ARENA - 1) & ~(size_t)(SLAB_ARENA - 1);
	char *p = NULL;

	if (!pool_huge(size))
		return ft_tbl_alloc(t, CACHE_LINE, size, true);
	if ((size_t)(t->rgn_end - t->rgn_next) >= len) {
		p = t->rgn_next;
		t->rgn_next += len;
	} else if (len == SLAB_ARENA && t->n_spare) {
		p = t->spare[--t->n_spare];
	} else {
		p = huge_map(len);
		if (!p)
			return NULL;
		t->mem += len;
	}
	UNPOISON(p, len);
	memset(p, 0, size);
	return p;
}

void ft_pool_free(struct flowtbl *t, void *p, size_t size)
{
	size_t len = (size + SLAB_ARENA - 1) & ~(size_t)(SLAB_ARENA - 1);

	if (!pool_huge(size)) {
		ft_tbl_free(t, p);
		return;
	}
	if (!in_region(t, p)) {
		munmap(p, len);
		t->mem -= len;
		return;
	}
	POISON(p, len);
	for (size_t off = 0; off < len; off += SLAB_ARENA)
		t->spare[t->n_spare++] = (char *)p + off;
}

void ft_slab_fini(struct flowtbl *t)
{
	for (uint32_t i = 0; i < t->n_spare; i++) {
		UNPOISON(t->spare[i], SLAB_ARENA);
		munmap(t->spare[i], SLAB_ARENA);
	}
	if (t->rgn_next < t->rgn_end) {
		UNPOISON(t->rgn_next, (size_t)(t->rgn_end - t->rgn_next));
		munmap(t->rgn_next, (size_t)(t->rgn_end - t->rgn_next));
	}
	t->mem -= (size_t)(t->rgn_end - t->rgn_base);
	ft_tbl_free(t, t->spare);
	t->spare = NULL;
	t->n_spare = t->cap_spare = 0;

	for (uint32_t i = 0; i < t->n_arenas; i++) {
		if (!in_region(t, t->arenas[i]))
			t->mem -= SLAB_ARENA;
		UNPOISON(t->arenas[i], SLAB_ARENA);
		munmap(t->arenas[i], SLAB_ARENA);
	}
	t->rgn_base = t->rgn_next = t->rgn_end = NULL;
	ft_tbl_free(t, t->arenas);
	t->arenas = NULL;
	t->n_arenas = t->cap_arenas = 0;
	memset(t->slab, 0, sizeof(t->slab));
}
