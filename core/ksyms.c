// SPDX-License-Identifier: GPL-2.0
/* Kernel symbol table from /proc/kallsyms: one load, sorted array, binary search. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/ksyms.h"
#include "core/util.h"

#define KSYM_MAX_OFF	(16u << 20)	/* farther than this from a symbol: not it */

struct ksym {
	uint64_t addr;
	uint32_t name;			/* offset into names */
};

struct ksyms {
	struct ksym *syms;
	size_t n, cap;
	char *names;
	size_t names_len, names_cap;
};

static int cmp_ksym(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int add(struct ksyms *k, uint64_t addr, const char *name, size_t len)
{
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 4096;
		struct ksym *t = reallocarray(k->syms, cap, sizeof(*t));

		if (!t)
			return -ENOMEM;
		k->syms = t;
		k->cap = cap;
	}
	if (k->names_len + len + 1 > k->names_cap) {
		size_t cap = k->names_cap ? k->names_cap * 2 : 65536;
		char *t;

		while (cap < k->names_len + len + 1)
			cap *= 2;
		t = realloc(k->names, cap);
		if (!t)
			return -ENOMEM;
		k->names = t;
		k->names_cap = cap;
	}
	if (k->names_len > UINT32_MAX - len - 1)
		return -ENOMEM;
	memcpy(k->names + k->names_len, name, len);
	k->names[k->names_len + len] = 0;
	k->syms[k->n].addr = addr;
	k->syms[k->n].name = (uint32_t)k->names_len;
	k->names_len += len + 1;
	k->n++;
	return 0;
}

/* Give back the doubling slack: the table lives as long as ktop. */
static void shrink(struct ksyms *k)
{
	struct ksym *t = reallocarray(k->syms, k->n, sizeof(*t));
	char *names = realloc(k->names, k->names_len);

	if (t) {
		k->syms = t;
		k->cap = k->n;
	}
	if (names) {
		k->names = names;
		k->names_cap = k->names_len;
	}
}

/* See ksyms.h. Line: "<hex addr> <type> <name>[\t[module]]". */
int ksyms__parse(struct ksyms **out, const char *text, size_t len)
{
	struct ksyms *k = calloc(1, sizeof(*k));
	const char *p = text, *end = text + len;
	int err = 0;

	if (!k)
		return -ENOMEM;
	while (p < end) {
		const char *eol = memchr(p, '\n', end - p), *q, *name;
		uint64_t addr = 0;
		int digits = 0, h;
		char type;
		size_t nlen;

		if (!eol)
			eol = end;
		q = p;
		while (q < eol && (h = hex_digit((unsigned char)*q)) >= 0 && digits < 16) {
			addr = addr << 4 | (uint64_t)h;
			q++;
			digits++;
		}
		if (!digits || q + 3 > eol || q[0] != ' ' || q[2] != ' ')
			goto next;
		type = q[1];
		name = q + 3;
		nlen = 0;
		/* a NUL ends the name too: text after it would be invisible */
		while (name + nlen < eol && name[nlen] != '\t' && name[nlen] != ' ' && name[nlen])
			nlen++;
		/* absolute symbols (per-CPU offsets, constants) are not addresses */
		if (!addr || !nlen || type == 'a' || type == 'A' || nlen > 255)
			goto next;
		err = add(k, addr, name, nlen);
		if (err)
			break;
next:
		p = eol + 1;
	}
	if (!err && !k->n)
		err = -ENOENT;
	if (err) {
		ksyms__free(k);
		return err;
	}
	qsort(k->syms, k->n, sizeof(k->syms[0]), cmp_ksym);
	shrink(k);
	*out = k;
	return 0;
}

/* See ksyms.h. */
int ksyms__load(struct ksyms **out)
{
	size_t cap = 1 << 24, len = 0;
	char *buf = malloc(cap), *t;
	ssize_t r;
	int fd, err;

	if (!buf)
		return -ENOMEM;
	fd = open("/proc/kallsyms", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		free(buf);
		return err;
	}
	for (;;) {
		if (len == cap) {
			t = realloc(buf, cap * 2);
			if (!t) {
				err = -ENOMEM;
				goto out;
			}
			buf = t;
			cap *= 2;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			goto out;
		}
		if (!r)
			break;
		len += r;
	}
	err = ksyms__parse(out, buf, len);
out:
	close(fd);
	free(buf);
	return err;
}

static struct {
	struct ksyms *k;
	int refs;
} shared;

/* See ksyms.h. */
int ksyms__get(struct ksyms **out)
{
	if (!shared.k) {
		int err = ksyms__load(&shared.k);

		if (err)
			return err;
	}
	shared.refs++;
	*out = shared.k;
	return 0;
}

/* See ksyms.h. */
void ksyms__put(struct ksyms *k)
{
	if (!k || k != shared.k || --shared.refs > 0)
		return;
	ksyms__free(shared.k);
	shared.k = NULL;
}

/* See ksyms.h. */
void ksyms__free(struct ksyms *k)
{
	if (!k)
		return;
	free(k->syms);
	free(k->names);
	free(k);
}

/* See ksyms.h. */
const char *ksyms__find(const struct ksyms *k, uint64_t addr, uint64_t *off)
{
	size_t lo = 0, hi;

	if (!k || !k->n || addr < k->syms[0].addr)
		return NULL;
	hi = k->n;
	while (hi - lo > 1) {		/* invariant: syms[lo].addr <= addr */
		size_t mid = lo + (hi - lo) / 2;

		if (k->syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (addr - k->syms[lo].addr > KSYM_MAX_OFF)
		return NULL;
	if (off)
		*off = addr - k->syms[lo].addr;
	return k->names + k->syms[lo].name;
}

/* See ksyms.h. */
uint64_t ksyms__addr(const struct ksyms *k, const char *name)
{
	size_t i;

	if (!k)
		return 0;
	for (i = 0; i < k->n; i++)
		if (!strcmp(k->names + k->syms[i].name, name))
			return k->syms[i].addr;
	return 0;
}

/* See ksyms.h. */
char *ksyms__fmt(const struct ksyms *k, uint64_t addr, char *buf, size_t n)
{
	uint64_t off = 0;
	const char *name = ksyms__find(k, addr, &off);

	if (name)
		snprintf(buf, n, "%s+0x%llx", name, (unsigned long long)off);
	else
		snprintf(buf, n, "0x%llx", (unsigned long long)addr);
	return buf;
}
