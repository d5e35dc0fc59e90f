/* SPDX-License-Identifier: GPL-2.0 */
/* Map I/O of the collectors: batched reads and deletes, the -p filter, per-CPU value sizes. */
#ifndef KTOP_MAPIO_H
#define KTOP_MAPIO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/opts.h"

struct bpf_map;

/* Put the -p tgids into the object's pid_filter map after load. Returns 0 or -errno. */
int pid_filter_fill(struct bpf_map *filter, const struct ktop_opts *o);

/*
 * Delete n keys of ksize bytes from map fd: one syscall for all where the
 * kernel has batch operations (a key already gone is skipped, the batch
 * resumes after it), else one per key. Per-key syscalls add up: each copies
 * its key through a kmalloc that allocation tracers (ktop's own Memory tab in
 * another instance, memleak) trace. Returns how many were deleted.
 */
size_t map_delete_keys(int fd, const void *keys, size_t n, size_t ksize);

/*
 * Read every entry of a (per-CPU or not) hash or array map in batches.
 * keys/vals are grown as needed (caller frees). For a per-CPU map each value
 * is ncpus * round_up(value_size, 8) bytes. Falls back to get_next_key +
 * lookup when the kernel has no batch ops. Returns the number of entries,
 * or -errno.
 */
long map_read_all(int fd, size_t key_size, size_t val_size, bool percpu,
		  void **keys, void **vals, size_t *cap);

/* Number of possible CPUs (size of per-CPU values), cached. */
int ncpus_possible(void);

/* A collector's buffers for one map's reads, grown as needed. */
struct map_buf {
	void *keys, *vals;
	size_t cap;			/* entries both hold */
};

/* map_read_all() into b. */
static inline long map_buf_read(int fd, size_t key_size, size_t val_size, bool percpu,
				struct map_buf *b)
{
	return map_read_all(fd, key_size, val_size, percpu, &b->keys, &b->vals, &b->cap);
}

/* The bytes one CPU's copy takes in a per-CPU map's value: size rounded to 8. */
static inline size_t percpu_stride(size_t val_size)
{
	return (val_size + 7) & ~(size_t)7;
}

/* CPU cpu's copy of entry i in vals read by map_read_all() from a per-CPU map. */
static inline const void *percpu_val(const void *vals, size_t val_size, int ncpu, long i, int cpu)
{
	return (const char *)vals + ((size_t)i * ncpu + cpu) * percpu_stride(val_size);
}

/* Free b's buffers; b is empty again. */
void map_buf_free(struct map_buf *b);

#endif
