// SPDX-License-Identifier: GPL-2.0
/* libFuzzer harness for usym_elf_defines(): symbol lookup in arbitrary bytes given as an ELF image. */
// fuzz-libs: -ldw -lelf -lz
// fuzz-args: -max_len=65536
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/usym.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "malloc", "free", "" };
	void *buf;
	size_t i;
	int r;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		/* libelf may convert the image in place: a fresh writable copy each time */
		buf = malloc(size ? size : 1);
		if (!buf)
			return 0;
		memcpy(buf, data, size);
		r = usym_elf_defines(buf, size, names[i]);
		if (r != 0 && r != 1 && r != -EINVAL) {
			fprintf(stderr, "usym_elf_defines returned %d\n", r);
			abort();
		}
		free(buf);
	}
	return 0;
}
