// SPDX-License-Identifier: GPL-2.0
/* Linear-probing hash table keyed by u64. */
#include <stdlib.h>
#include <string.h>
#include "core/u64map.h"

static size_t slot(uint64_t key, size_t cap)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdull;
	key ^= key >> 33;
	return key & (cap - 1);
}

/* See u64map.h. */
void u64map_init(struct u64map *m, size_t vsize)
{
	memset(m, 0, sizeof(*m));
	m->vsize = vsize;
}

/* See u64map.h. */
void *u64map_get(const struct u64map *m, uint64_t key)
{
	size_t i;

	if (!m->cap)
		return NULL;
	for (i = slot(key, m->cap); m->used[i]; i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == key)
			return u64map_val(m, i);
	return NULL;
}

static int grow(struct u64map *m)
{
	struct u64map n;
	size_t i;

	u64map_init(&n, m->vsize);
	n.cap = m->cap ? m->cap * 2 : 64;
	n.keys = calloc(n.cap, sizeof(*n.keys));
	n.used = calloc(n.cap, 1);
	n.vals = calloc(n.cap, m->vsize ? m->vsize : 1);
	if (!n.keys || !n.used || !n.vals) {
		u64map_free(&n);
		return -1;
	}
	for (i = 0; i < m->cap; i++) {
		if (m->used[i]) {
			size_t j = slot(m->keys[i], n.cap);

			while (n.used[j])
				j = (j + 1) & (n.cap - 1);
			n.used[j] = 1;
			n.keys[j] = m->keys[i];
			memcpy(u64map_val(&n, j), u64map_val(m, i), m->vsize);
		}
	}
	n.n = m->n;
	u64map_free(m);
	*m = n;
	return 0;
}

/* See u64map.h. */
void *u64map_put(struct u64map *m, uint64_t key)
{
	size_t i;
	void *v = u64map_get(m, key);

	if (v)
		return v;
	if ((m->n + 1) * 4 > m->cap * 3 && grow(m))
		return NULL;
	for (i = slot(key, m->cap); m->used[i]; i = (i + 1) & (m->cap - 1))
		;
	m->used[i] = 1;
	m->keys[i] = key;
	m->n++;
	v = u64map_val(m, i);
	memset(v, 0, m->vsize);
	return v;
}

/* See u64map.h. */
void u64map_clear(struct u64map *m)
{
	if (m->cap)
		memset(m->used, 0, m->cap);
	m->n = 0;
}

/* See u64map.h. */
void u64map_free(struct u64map *m)
{
	free(m->keys);
	free(m->used);
	free(m->vals);
	m->keys = NULL;
	m->used = NULL;
	m->vals = NULL;
	m->cap = m->n = 0;
}

/* See u64map.h. */
void u64map_swap(struct u64map *a, struct u64map *b)
{
	struct u64map t = *a;

	*a = *b;
	*b = t;
}
