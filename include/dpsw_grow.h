/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpsw_grow: the one way the control side's heap buffers (strbuf, nlbuf,
 * the client's chunk text) grow. Capacity doubles, so appending n bytes
 * one piece at a time costs O(n) copies; running out of memory aborts,
 * as these buffers hold a message or a line being built and have no
 * partial state worth keeping.
 */
#ifndef DPSW_GROW_H
#define DPSW_GROW_H

#include <stdlib.h>

/*
 * Reallocates 'buf' (NULL when it owns nothing yet) to at least 'need'
 * bytes: '*cap' doubled as often as needed, from 'first' when '*cap' is 0.
 * Updates '*cap' and returns the new buffer. The caller checks first that
 * 'need' exceeds '*cap'.
 */
static inline void *dpsw_grow(void *buf, size_t *cap, size_t need, size_t first)
{
	size_t n = *cap ? *cap : first;

	while (n < need)
		n *= 2;
	buf = realloc(buf, n);
	if (buf == NULL)
		abort();
	*cap = n;
	return buf;
}

#endif
