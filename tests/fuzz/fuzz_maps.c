// SPDX-License-Identifier: GPL-2.0
/* libFuzzer harness for maps_parse() on arbitrary /proc/PID/maps text, and the allocator choice. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/mem_maps.h"

#define MAX	64

#define CHECK(c, why) do { if (!(c)) { fprintf(stderr, "violated: %s\n", why); abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct maps_entry out[MAX + 1];
	size_t n, i, j, lines = 1, len;

	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	memset(&out[MAX], 0x5a, sizeof(out[MAX]));
	/* not NUL-terminated: ASan catches a read past size */
	n = maps_parse((const char *)data, size, out, MAX);
	CHECK(n <= MAX, "more entries than max");
	CHECK(n <= lines, "more entries than lines");
	CHECK(((unsigned char *)&out[MAX])[0] == 0x5a, "wrote past out[max - 1]");
	for (i = 0; i < n; i++) {
		const struct maps_entry *e = &out[i];

		CHECK(e->start <= e->end, "start above end");
		CHECK(memchr(e->perms, 0, sizeof(e->perms)) != NULL, "perms not terminated");
		CHECK(strlen(e->perms) == 4, "perms not 4 characters");
		for (j = 0; j < 4; j++)
			CHECK(e->perms[j] == '-' || e->perms[j] == "rwxp"[j] || (j == 3 && e->perms[j] == 's'),
			      "perms character out of place");
		CHECK(memchr(e->path, 0, sizeof(e->path)) != NULL, "path not terminated");
		len = strlen(e->path);
		CHECK(!memchr(e->path, '\n', len), "newline in a path");
		CHECK(!e->truncated || len == MAPS_PATH_MAX - 1, "truncated but short");
		CHECK(!maps_is_code(e) || (e->perms[2] == 'x' && e->path[0] == '/'), "code map without x or /");
		for (j = 0; j < 4; j++) {
			int r = maps_allocator_rank(e->path, j & 1, j & 2);

			CHECK(r >= 0 && r <= 3, "rank out of range");
			CHECK((j & 1) || r == 0, "rank without malloc");
			CHECK(!(j & 1) || !(j & 2) || r == 3, "executable defining malloc not 3");
		}
	}
	return 0;
}
