// SPDX-License-Identifier: GPL-2.0
/* Map I/O of the collectors: batched reads and deletes, the -p filter (see mapio.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifndef ENOTSUPP
#define ENOTSUPP	524		/* the kernel's own, not in userspace errno.h */
#endif
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "core/mapio.h"

/* See mapio.h. */
int pid_filter_fill(struct bpf_map *filter, const struct ktop_opts *o)
{
	__u8 one = 1;
	int i;

	for (i = 0; i < o->npids; i++) {
		__u32 tgid = o->pids[i];

		if (bpf_map__update_elem(filter, &tgid, sizeof(tgid), &one, sizeof(one), BPF_ANY))
			return -errno;
	}
	return 0;
}


/* See mapio.h. */
int ncpus_possible(void)
{
	static int n;

	if (!n) {
		n = libbpf_num_possible_cpus();
		if (n <= 0)
			n = 1;
	}
	return n;
}

static int reserve(void **keys, void **vals, size_t *cap, size_t want, size_t ks, size_t vs)
{
	void *k, *v;

	if (want <= *cap)
		return 0;
	k = realloc(*keys, want * ks);
	if (!k)
		return -ENOMEM;
	*keys = k;
	v = realloc(*vals, want * vs);
	if (!v)
		return -ENOMEM;
	*vals = v;
	*cap = want;
	return 0;
}

/* See mapio.h. */
size_t map_delete_keys(int fd, const void *keys, size_t n, size_t ksize)
{
	size_t done = 0, deleted = 0;

	while (done < n) {
		LIBBPF_OPTS(bpf_map_batch_opts, opts);
		__u32 count = (__u32)(n - done);
		int err = bpf_map_delete_batch(fd, (const char *)keys + done * ksize, &count, &opts);

		err = err ? -errno : 0;
		done += count;
		deleted += count;
		if (!err)
			break;
		if (err == -ENOENT) {
			done++;		/* that one was gone already */
			continue;
		}
		for (; done < n; done++)	/* no batch operations */
			deleted += bpf_map_delete_elem(fd, (const char *)keys + done * ksize) == 0;
	}
	return deleted;
}

/* See mapio.h. */
long map_read_all(int fd, size_t key_size, size_t val_size, bool percpu,
		  void **keys, void **vals, size_t *cap)
{
	size_t vs = percpu ? percpu_stride(val_size) * ncpus_possible() : val_size;
	struct bpf_map_info info;
	__u32 info_len = sizeof(info);
	size_t n = 0;
	__u64 batch = 0;
	bool first = true;
	int err;

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &info_len))
		return -errno;
	if (reserve(keys, vals, cap, info.max_entries ? info.max_entries : 1, key_size, vs))
		return -ENOMEM;
	for (;;) {
		__u32 count = *cap - n;
		LIBBPF_OPTS(bpf_map_batch_opts, opts);

		if (!count)
			break;
		err = bpf_map_lookup_batch(fd, first ? NULL : &batch, &batch,
					   (char *)*keys + n * key_size,
					   (char *)*vals + n * vs, &count, &opts);
		err = err ? -errno : 0;
		/* no batch ops (per-CPU arrays before 5.11: ENOTSUPP, and count
		 * comes back as it went in): one key at a time below */
		if (first && (err == -EINVAL || err == -ENOTSUPP || err == -EOPNOTSUPP))
			break;
		first = false;
		n += count;
		if (err == -ENOENT)
			return n;	/* end of map */
		if (err)
			return err;
	}
	if (n)
		return n;
	/* fallback: one key at a time */
	{
		char prev[64], cur[64];
		bool have_prev = false;

		if (key_size > sizeof(cur))
			return -E2BIG;
		while (!bpf_map_get_next_key(fd, have_prev ? prev : NULL, cur)) {
			if (n >= *cap && reserve(keys, vals, cap, *cap * 2, key_size, vs))
				return -ENOMEM;
			if (!bpf_map_lookup_elem(fd, cur, (char *)*vals + n * vs)) {
				memcpy((char *)*keys + n * key_size, cur, key_size);
				n++;
			}
			memcpy(prev, cur, key_size);
			have_prev = true;
		}
	}
	return n;
}

/* See mapio.h. */
void map_buf_free(struct map_buf *b)
{
	free(b->keys);
	free(b->vals);
	b->keys = b->vals = NULL;
	b->cap = 0;
}
