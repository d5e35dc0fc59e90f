// SPDX-License-Identifier: GPL-2.0
/* Growable arrays. */
#include <errno.h>
#include <stdlib.h>
#include "core/util.h"

/* See util.h. */
int array_reserve(void **arr, size_t *cap, size_t want, size_t elem)
{
	size_t n = *cap ? *cap : 64;
	void *t;

	if (want <= *cap)
		return 0;
	while (n < want)
		n *= 2;
	t = reallocarray(*arr, n, elem);
	if (!t)
		return -ENOMEM;
	*arr = t;
	*cap = n;
	return 0;
}
