// SPDX-License-Identifier: GPL-2.0
/* libFuzzer harness for ksyms__parse() on arbitrary /proc/kallsyms text, then lookups. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/ksyms.h"

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "violated: %s\n", #c); abort(); } } while (0)

static void check_find(const struct ksyms *k, uint64_t addr)
{
	uint64_t off = 0, a;
	const char *name = ksyms__find(k, addr, &off);
	char buf[300];

	ksyms__fmt(k, addr, buf, sizeof(buf));
	ksyms__fmt(k, addr, buf, 8);		/* truncating is fine, overflowing is not */
	if (!name)
		return;
	CHECK(off <= addr);
	CHECK(name[0] && strlen(name) <= 255);
	CHECK(!strpbrk(name, " \t\n"));		/* a name is one field */
	a = ksyms__addr(k, name);
	CHECK(a != 0);
	CHECK(ksyms__find(k, addr - off, NULL) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ksyms *k = NULL;
	uint64_t v;
	size_t i;
	int err;

	/* the input is not NUL-terminated: ASan catches any read past size */
	err = ksyms__parse(&k, (const char *)data, size);
	CHECK(err == 0 || err == -ENOENT || err == -ENOMEM);
	if (err) {
		CHECK(k == NULL);
		return 0;
	}
	CHECK(k != NULL);
	check_find(k, 0);
	check_find(k, UINT64_MAX);
	for (i = 0; i + 8 <= size && i < 64 * 8; i += 8) {	/* addresses taken from the input */
		memcpy(&v, data + i, 8);
		check_find(k, v);
	}
	for (i = 0; i + 16 <= size && i < 4096; i += 17) {	/* and hex runs in it */
		char hex[17];

		memcpy(hex, data + i, 16);
		hex[16] = 0;
		v = strtoull(hex, NULL, 16);
		check_find(k, v);
		check_find(k, v + 1);
		check_find(k, v - 1);
	}
	ksyms__free(k);
	return 0;
}
