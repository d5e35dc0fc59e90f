/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers every collector and parser needs: growable arrays, hex digits. */
#ifndef KTOP_UTIL_H
#define KTOP_UTIL_H
#include <stddef.h>

/*
 * Make room for want elements of elem bytes in *arr (capacity *cap), growing
 * by doubling from at least 64. Returns 0, or -ENOMEM with *arr and *cap
 * unchanged (the old buffer stays valid and must still be freed).
 */
int array_reserve(void **arr, size_t *cap, size_t want, size_t elem);

/* Value of hex digit c, or -1. Can't fail. */
static inline int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
