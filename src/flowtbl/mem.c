/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flowtbl heap helpers: every allocation of a table goes through here so
 * that flowtbl_memory() can report what the table really holds (malloc's
 * usable size, i.e. including the allocator's rounding). Writer only.
 */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "flowtbl_int.h"

void *ft_tbl_alloc(struct flowtbl *t, size_t align, size_t size, bool zero)
{
	void *p;

	/* Big blocks (the hash tables of large subtables) are read at random
	 * by every lookup: put them in huge pages, as the flow slab is. */
	if (size >= SLAB_ARENA && align)
		align = SLAB_ARENA;

	if (align <= 16) {
		p = zero ? calloc(1, size) : malloc(size);
	} else {
		/* C11 aligned_alloc wants a multiple of the alignment. */
		size = (size + align - 1) & ~(align - 1);
		p = aligned_alloc(align, size);
		if (p && align == SLAB_ARENA)
			madvise(p, size, MADV_HUGEPAGE);   /* advice only */
		if (p && zero)
			memset(p, 0, size);
	}
	if (p && t)
		t->mem += malloc_usable_size(p);
	return p;
}

void ft_tbl_free(struct flowtbl *t, void *p)
{
	if (!p)
		return;
	if (t)
		t->mem -= malloc_usable_size(p);
	free(p);
}

/* Grow a writer-side vector to hold 'need' elements (doubling). */
int ft_vec_reserve(struct flowtbl *t, void **v, uint32_t *cap, uint32_t need, size_t esize)
{
	uint32_t ncap = *cap ? *cap : 16;
	size_t old = *v ? malloc_usable_size(*v) : 0;
	void *nv;

	if (need <= *cap)
		return 0;
	while (ncap < need) {
		if (ncap > UINT32_MAX / 2)
			return -ENOMEM;
		ncap *= 2;
	}
	nv = realloc(*v, (size_t)ncap * esize);
	if (!nv)
		return -ENOMEM;
	t->mem += malloc_usable_size(nv) - old;
	*v = nv;
	*cap = ncap;
	return 0;
}
