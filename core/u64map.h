/* SPDX-License-Identifier: GPL-2.0 */
/* Open-addressing hash table from a 64-bit key to a fixed-size value, for diffing map reads. */
#ifndef KTOP_U64MAP_H
#define KTOP_U64MAP_H
#include <stddef.h>
#include <stdint.h>

struct u64map {
	uint64_t *keys;
	unsigned char *used;
	unsigned char *vals;
	size_t vsize, cap, n;
};

/* Empty map of values of vsize bytes. Can't fail (allocates on first put). */
void u64map_init(struct u64map *m, size_t vsize);
/* Value of key, or NULL. */
void *u64map_get(const struct u64map *m, uint64_t key);
/* Value slot of key, zero-filled when new; NULL on -ENOMEM (map unchanged). */
void *u64map_put(struct u64map *m, uint64_t key);
/* Forget every key, keep the memory. */
void u64map_clear(struct u64map *m);
void u64map_free(struct u64map *m);
/* Exchange the contents of two maps (current reading becomes previous). */
void u64map_swap(struct u64map *a, struct u64map *b);
/* Iterate: for (i = 0; i < m->cap; i++) if (m->used[i]) use m->keys[i], u64map_val(m, i). */
static inline void *u64map_val(const struct u64map *m, size_t i)
{
	return m->vals + i * m->vsize;
}

#endif
