/* SPDX-License-Identifier: BSD-3-Clause */
#include "errmsg.h"

#include <stdarg.h>
#include <stdio.h>

void errmsg_clear(struct errmsg *e)
{
	e->err = 0;
	e->offset = -1;
	e->msg[0] = '\0';
}

int errmsg_set(struct errmsg *e, int err, int offset, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL || e->err != 0)
		return err;
	e->err = err;
	e->offset = offset;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return err;
}
