// SPDX-License-Identifier: GPL-2.0
/* libFuzzer harness for str_sanitize(): first byte picks the buffer size, the rest is the string. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/sanitize.h"
#include "tests/unit/testutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why;
	size_t n, ret, used, i;
	char *dst;

	if (!size)
		return 0;
	n = (size_t)data[0] + 1;		/* 1..256, as small as a comm column */
	dst = malloc(n + 8);
	if (!dst)
		return 0;
	memset(dst, 'Z', n + 8);
	/* srclen exactly the rest: no NUL needed, and none read past it */
	ret = str_sanitize(dst, n, (const char *)data + 1, size - 1);
	for (i = n; i < n + 8; i++)
		if (dst[i] != 'Z') {
			fprintf(stderr, "str_sanitize wrote past n=%zu\n", n);
			abort();
		}
	why = tu_sanitize_violation((const char *)data + 1, size - 1, n, dst, ret, &used);
	if (why) {
		fprintf(stderr, "str_sanitize(n=%zu): %s\n", n, why);
		abort();
	}
	free(dst);
	return 0;
}
