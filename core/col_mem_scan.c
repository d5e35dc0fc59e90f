// SPDX-License-Identifier: GPL-2.0
/* Memory collector: the scan of the outstanding map for ages, and the sweep of unused stacks. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "core/bpfutil.h"
#include "core/col_mem_int.h"
#include "core/tick.h"

/* Delete outstanding allocation key if it is still the one the scan read
 * (it may have been freed and its address reused since). Returns 0 or -errno. */
static int drop_alloc(struct col_mem *c, const void *key, const struct ktop_mem_alloc *a)
{
	struct ktop_mem_alloc now;

	if (bpf_map_lookup_elem(c->allocs_fd, key, &now) || now.ts_ns != a->ts_ns ||
	    now.id != a->id || now.tgid != a->tgid)
		return -ENOENT;
	return bpf_map_delete_elem(c->allocs_fd, key) ? -errno : 0;
}

/* Read up to max entries of the outstanding map into c->abuf.keys/c->abuf.vals,
 * from where the previous slice stopped (c->scan_cursor; from the start
 * when c->scan_fresh). Returns the count (*end set when the map has no
 * more), or -errno; -EINVAL: no batch operations in this kernel. */
static long read_slice(struct col_mem *c, size_t max, bool *end)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 count = (__u32)max;
	void *k, *v;
	int err;

	*end = false;
	if (c->abuf.cap < max) {
		k = realloc(c->abuf.keys, max * sizeof(__u64));
		if (!k)
			return -ENOMEM;
		c->abuf.keys = k;
		v = realloc(c->abuf.vals, max * sizeof(struct ktop_mem_alloc));
		if (!v)
			return -ENOMEM;
		c->abuf.vals = v;
		c->abuf.cap = max;
	}
	err = bpf_map_lookup_batch(c->allocs_fd, c->scan_fresh ? NULL : &c->scan_cursor,
				   &c->scan_cursor, c->abuf.keys, c->abuf.vals, &count, &opts);
	err = err ? -errno : 0;
	c->scan_fresh = false;
	if (err == -ENOENT) {
		*end = true;
		return count;
	}
	return err ? err : (long)count;
}

/* A pass of the scan is over: its minimums become the ages, and the
 * tgids dropped before it began are done with (it deleted what they
 * held). Can't fail; on -ENOMEM the tgids are kept for another pass. */
static void end_pass(struct col_mem *c)
{
	struct u64map keep;
	size_t j;

	for (j = 0; j < c->sites.cap; j++) {
		struct site *s = u64map_val(&c->sites, j);

		if (c->sites.used[j]) {
			s->oldest_ts = s->pass_ts;
			s->pass_ts = 0;
		}
	}
	c->scan_ts = c->pass_start;
	c->last_pass_seen = c->pass_seen;
	c->pass_seen = 0;
	u64map_init(&keep, sizeof(uint64_t));
	for (j = 0; j < c->dropped.cap; j++) {
		const uint64_t *pass = u64map_val(&c->dropped, j);
		uint64_t *v;

		if (!c->dropped.used[j] || *pass <= c->pass)
			continue;
		v = u64map_put(&keep, c->dropped.keys[j]);
		if (!v)
			goto out;
		*v = *pass;
	}
	u64map_swap(&c->dropped, &keep);
out:
	u64map_free(&keep);
	c->pass++;
	c->scan_fresh = true;
}

/*
 * Walk the outstanding map for the age of each site's oldest allocation
 * (the counters give everything else), and delete the allocations of
 * dropped processes and of blind call sites (their frees are invisible,
 * so they would stay outstanding forever; written off as freed). Reading
 * the map costs ~0.1-0.2 us an entry plus a few ns per bucket (262144 by
 * default, most of them empty), so it is not read whole every poll: each
 * poll reads one slice where the previous one stopped (mem_scan_slice()),
 * a pass taking MEM_SCAN_PASS polls, more for a large map (32 for a full
 * default one). A site's age is the oldest of its allocations seen in the
 * last full pass or so far in this one; it is reset when nothing is
 * outstanding.
 */
void mem_scan_ages(struct col_mem *c)
{
	uint64_t now = now_mono_ns();
	bool end = false;
	long n, i;

	if (c->scan_fresh)
		c->pass_start = now;
	n = c->slices_off ? -EINVAL :
	    read_slice(c, mem_scan_slice(c->last_pass_seen > c->tracked ? c->last_pass_seen : c->tracked),
		       &end);
	if (n == -EINVAL) {
		/* no batch operations: the whole map each poll, as one pass */
		if (!c->slices_off)
			c->abuf.cap = 0;	/* map_read_all() sizes the buffers to the map */
		c->slices_off = true;
		n = map_buf_read(c->allocs_fd, sizeof(__u64), sizeof(struct ktop_mem_alloc), false,
				 &c->abuf);
		end = true;
	}
	if (n < 0) {
		c->scan_fresh = true;	/* start over next poll */
		c->pass_seen = 0;
		return;
	}
	c->pass_seen += (uint64_t)n;
	for (i = 0; i < n; i++) {
		const struct ktop_mem_alloc *a = (const void *)((char *)c->abuf.vals + i * sizeof(*a));
		struct site *s = u64map_get(&c->sites, mem_site_key(a->tgid, a->id));
		const void *key = (char *)c->abuf.keys + i * sizeof(__u64);

		if (s && s->blinded) {
			if (drop_alloc(c, key, a) == 0) {
				s->wo_allocs++;
				s->wo_bytes += KTOP_MEM_SIZE(a);
			}
		} else if (s) {
			if (!s->pass_ts || a->ts_ns < s->pass_ts)
				s->pass_ts = a->ts_ns;
			if (!s->oldest_ts || a->ts_ns < s->oldest_ts)
				s->oldest_ts = a->ts_ns;
		} else if (u64map_get(&c->dropped, a->tgid)) {
			drop_alloc(c, key, a);
		}
	}
	if (end)
		end_pass(c);
}

/*
 * Kernel mode: the stack map keeps every stack ever seen, and a full map
 * refuses new ones (collisions), so stacks no site uses go. A stack
 * unused at two sweeps in a row is deleted (a site created between our
 * read and the delete would then show another stack: the two-sweep wait
 * makes that rare). Symbolization caches are dropped with them.
 */
void mem_gc_stacks(struct col_mem *c)
{
	struct u64map used, next;
	size_t j;
	long n, i;

	if (c->polls % GC_EVERY)
		return;
	n = map_buf_read(c->stacks_fd, sizeof(__u32), sizeof(struct ktop_mem_stack_val), false,
			 &c->gbuf);
	if (n < 0)
		return;
	u64map_init(&used, 1);
	u64map_init(&next, 1);
	for (j = 0; j < c->sites.cap; j++) {
		const struct site *s = u64map_val(&c->sites, j);

		if (c->sites.used[j] && s->stack_id >= 0 && !u64map_put(&used, (uint32_t)s->stack_id))
			goto out;
	}
	for (j = 0; j < c->nsamp; j++)
		if (c->samp[j].stack_id >= 0 && !u64map_put(&used, (uint32_t)c->samp[j].stack_id))
			goto out;
	for (i = 0; i < n; i++) {
		__u32 key = ((__u32 *)c->gbuf.keys)[i];

		if (u64map_get(&used, key) || u64map_get(&c->skipset, key))
			continue;
		if (u64map_get(&c->unused, key))
			mem_delq_push(&c->del_stacks, c->stacks_fd, &key);
		else if (!u64map_put(&next, key))
			goto out;
	}
	u64map_swap(&c->unused, &next);
	if (mem_delq_flush(&c->del_stacks, c->stacks_fd)) {
		u64map_clear(&c->kcache);
		u64map_clear(&c->verdict);
	}
out:
	u64map_free(&used);
	u64map_free(&next);
}
