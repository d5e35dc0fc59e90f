// SPDX-License-Identifier: GPL-2.0
/* Parser of /proc/PID/maps text and the choice of a process's allocator library; pure, fuzzed. */
#include <string.h>
#include "core/mem_maps.h"
#include "core/util.h"

struct cur {
	const char *p, *end;
};

/* A hex number of 1..16 digits. Returns 0 or -1. */
static int hex(struct cur *c, uint64_t *v)
{
	int n = 0, d;

	*v = 0;
	while (c->p < c->end && (d = hex_digit((unsigned char)*c->p)) >= 0) {
		if (++n > 16)
			return -1;
		*v = *v << 4 | (uint64_t)d;
		c->p++;
	}
	return n ? 0 : -1;
}

static int dec(struct cur *c, uint64_t *v)
{
	int n = 0;

	*v = 0;
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		if (++n > 20)
			return -1;
		*v = *v * 10 + (uint64_t)(*c->p - '0');
		c->p++;
	}
	return n ? 0 : -1;
}

static int lit(struct cur *c, char ch)
{
	if (c->p >= c->end || *c->p != ch)
		return -1;
	c->p++;
	return 0;
}

static int spaces(struct cur *c)
{
	const char *s = c->p;

	while (c->p < c->end && *c->p == ' ')
		c->p++;
	return c->p > s ? 0 : -1;
}

/* One line [p, end) into e. Returns 0 or -1. */
static int parse_line(const char *p, const char *end, struct maps_entry *e)
{
	static const char deleted[] = " (deleted)";
	struct cur c = { p, end };
	uint64_t dev;
	size_t n, i;

	memset(e, 0, sizeof(*e));
	if (hex(&c, &e->start) || lit(&c, '-') || hex(&c, &e->end) || spaces(&c))
		return -1;
	if (e->end < e->start || c.end - c.p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		char ch = c.p[i];

		if (ch != '-' && ch != "rwxp"[i] && !(i == 3 && ch == 's'))
			return -1;
		e->perms[i] = ch;
	}
	c.p += 4;
	if (spaces(&c) || hex(&c, &e->offset) || spaces(&c))
		return -1;
	if (hex(&c, &dev) || lit(&c, ':') || hex(&c, &dev) || spaces(&c) || dec(&c, &e->inode))
		return -1;
	while (c.p < c.end && *c.p == ' ')
		c.p++;
	n = (size_t)(c.end - c.p);
	if (n >= sizeof(deleted) - 1 &&
	    !memcmp(c.end - (sizeof(deleted) - 1), deleted, sizeof(deleted) - 1)) {
		e->deleted = true;
		n -= sizeof(deleted) - 1;
	}
	if (memchr(c.p, 0, n))
		return -1;	/* not text */
	if (n >= sizeof(e->path)) {
		e->truncated = true;
		n = sizeof(e->path) - 1;
	}
	memcpy(e->path, c.p, n);
	e->path[n] = 0;
	return 0;
}

/* See mem_maps.h. */
size_t maps_parse(const char *text, size_t len, struct maps_entry *out, size_t max)
{
	const char *p = text, *end = text + len;
	size_t n = 0;

	while (p < end && n < max) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		if (parse_line(p, le, &out[n]) == 0)
			n++;
		p = nl ? nl + 1 : end;
	}
	return n;
}

/* See mem_maps.h. */
bool maps_is_code(const struct maps_entry *e)
{
	return e->perms[2] == 'x' && e->path[0] == '/' && !e->truncated;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* See mem_maps.h. */
int maps_allocator_rank(const char *path, bool defines_malloc, bool is_exe)
{
	const char *b = base_name(path);

	if (!defines_malloc)
		return 0;
	if (is_exe)
		return 3;
	if (!strncmp(b, "ld-", 3) || !strncmp(b, "ld.so", 5))
		return 0;	/* the loader's own bootstrap malloc, if exported */
	if (!strncmp(b, "libc.", 5) || !strncmp(b, "libc-", 5))
		return 1;
	return 2;
}
