// SPDX-License-Identifier: GPL-2.0
/* Memory collector: outstanding kernel (kmem tracepoints) or one process's malloc (uprobes) allocations.
 * This room is its interface (open, poll, free) and the map reading both modes share; see col_mem_int.h for the others. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "memory.skel.h"
#include "memuser.skel.h"
#include "core/bpfutil.h"
#include "core/col_mem_int.h"
#include "core/core.h"
#include "core/histo.h"
#include "core/tick.h"

static int cmp_key_bytes(const void *a, const void *b, void *ksize)
{
	return memcmp(a, b, *(const size_t *)ksize);
}

/* Delete the queued keys from map fd (see map_delete_keys()) and empty the
 * queue. A key queued twice (a process's name, once per site of it) is
 * deleted once: a batch delete stops at a key already gone, and each such
 * stop costs a syscall. Returns how many were deleted. */
size_t mem_delq_flush(struct delq *q, int fd)
{
	size_t i, n = 0, deleted;

	if (!q->n)
		return 0;	/* keys may still be NULL: qsort_r() wants a pointer */
	qsort_r(q->keys, q->n, q->ksize, cmp_key_bytes, &q->ksize);
	for (i = 0; i < q->n; i++) {
		const char *k = (const char *)q->keys + i * q->ksize;

		if (n && !memcmp(k, (const char *)q->keys + (n - 1) * q->ksize, q->ksize))
			continue;
		if (n != i)
			memcpy((char *)q->keys + n * q->ksize, k, q->ksize);
		n++;
	}
	deleted = map_delete_keys(fd, q->keys, n, q->ksize);
	q->n = 0;
	return deleted;
}

/* Queue key for deletion from map fd (deleted now if the queue cannot
 * grow). */
void mem_delq_push(struct delq *q, int fd, const void *key)
{
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 256;
		void *t = reallocarray(q->keys, cap, q->ksize);

		if (!t) {
			bpf_map_delete_elem(fd, key);
			return;
		}
		q->keys = t;
		q->cap = cap;
	}
	memcpy((char *)q->keys + q->n++ * q->ksize, key, q->ksize);
}

static void col_mem_free(void *p)
{
	struct col_mem *c = p;
	int i;

	if (!c)
		return;
	for (i = 0; i < c->nlinks; i++)
		bpf_link__destroy(c->links[i]);
	memuser_bpf__destroy(c->us);
	memory_bpf__destroy(c->ks);
	ksyms__put(c->ksyms);
	usym__free(c->usym);
	u64map_free(&c->sites);
	u64map_free(&c->sites_old);
	u64map_free(&c->procs);
	u64map_free(&c->procs_old);
	u64map_free(&c->dropped);
	u64map_free(&c->kcache);
	u64map_free(&c->ucache);
	u64map_free(&c->verdict);
	u64map_free(&c->unused);
	u64map_free(&c->utrend);
	u64map_free(&c->skipset);
	map_buf_free(&c->sbuf);
	map_buf_free(&c->abuf);
	map_buf_free(&c->gbuf);
	map_buf_free(&c->cbuf);
	u64map_free(&c->names);
	free(c->refs);
	free(c->del_sites.keys);
	free(c->del_samples.keys);
	map_buf_free(&c->pbuf);
	free(c->samp);
	free(c->del_comms.keys);
	free(c->del_stacks.keys);
	free(c->tmp);
	free(c);
}

static int col_mem_open(void **out, const struct ktop_opts *o, struct ktop_tab_status *st)
{
	struct col_mem *c;
	int err;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->mode = o->mem_mode;
	c->capacity = o->mem_max_outstanding;
	c->leak_age_ns = o->leak_age_ns;
	c->interval_ns = o->interval_ns ? o->interval_ns : 1000000000ull;
	u64map_init(&c->sites, sizeof(struct site));
	u64map_init(&c->sites_old, sizeof(struct site));
	u64map_init(&c->procs, sizeof(struct proc));
	u64map_init(&c->procs_old, sizeof(struct proc));
	u64map_init(&c->dropped, sizeof(uint64_t));
	u64map_init(&c->names, KTOP_COMM_LEN);
	c->del_sites.ksize = sizeof(struct ktop_mem_skey);
	c->del_samples.ksize = sizeof(struct ktop_mem_samp_key);
	c->del_comms.ksize = sizeof(__u32);
	c->del_stacks.ksize = sizeof(__u32);
	c->scan_fresh = true;
	u64map_init(&c->kcache, sizeof(struct kstack));
	u64map_init(&c->ucache, sizeof(struct uframe));
	u64map_init(&c->verdict, 1);
	u64map_init(&c->unused, 1);
	u64map_init(&c->utrend, sizeof(struct mem_trend));
	u64map_init(&c->skipset, 1);
	err = c->mode == KTOP_MEM_USER ? mem_open_user(c, o, st) : mem_open_kernel(c, o, st);
	if (err) {
		col_mem_free(c);
		return err;
	}
	*out = c;
	return 0;
}

/* Read every site's counters into c->sites, carrying state over from the
 * previous poll; sites that vanished from the map (dropped) vanish here. */
static int read_sites(struct col_mem *c)
{
	long n, i;

	n = map_buf_read(c->sites_fd, sizeof(struct ktop_mem_skey), sizeof(struct ktop_mem_sval),
			 false, &c->sbuf);
	if (n < 0)
		return (int)n;
	u64map_swap(&c->sites, &c->sites_old);
	u64map_clear(&c->sites);
	for (i = 0; i < n; i++) {
		const struct ktop_mem_skey *k = (const void *)((char *)c->sbuf.keys + i * sizeof(*k));
		const struct ktop_mem_sval *v = (const void *)((char *)c->sbuf.vals + i * sizeof(*v));
		uint64_t key = mem_site_key(k->tgid, k->id);
		const struct site *old = u64map_get(&c->sites_old, key);
		struct site *s = u64map_put(&c->sites, key);

		if (!s)
			return -ENOMEM;
		mem_site_update(s, old, v);
	}
	return 0;
}

/* Frames of stack id into ips (KTOP_MEM_STACK_DEPTH, 0-padded). Returns 0
 * or -errno (-ENOENT: no such stack). */
int mem_read_stack(struct col_mem *c, int32_t id, __u64 *ips)
{
	struct ktop_mem_stack_val v;

	if (id < 0)
		return -ENOENT;
	if (bpf_map_lookup_elem(c->stacks_fd, &id, &v))
		return -errno;
	memcpy(ips, v.ips, sizeof(v.ips));
	return 0;
}

int mem_grow_tmp(struct col_mem *c, size_t want)
{
	struct ktop_mem_row *t;
	size_t cap = c->tmpcap ? c->tmpcap : 256;

	if (want <= c->tmpcap)
		return 0;
	while (cap < want)
		cap *= 2;
	t = reallocarray(c->tmp, cap, sizeof(*t));
	if (!t)
		return -ENOMEM;
	c->tmp = t;
	c->tmpcap = cap;
	return 0;
}

/* Sum of the kernel's per-program recursion misses: events a program did
 * not see because it was already running on that CPU (an interrupt that
 * allocates while the allocation program runs). Counted as lost. Free
 * programs come in twins that cover each other's misses, so theirs are
 * not losses (a free both miss shows up later as a missed free). */
static uint64_t recursion_misses(struct col_mem *c)
{
	struct bpf_object *obj = c->ks ? c->ks->obj : c->us->obj;
	struct bpf_program *p;
	uint64_t sum = 0;

	bpf_object__for_each_program(p, obj) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(p);

		if (fd < 0 || (c->ks && strstr(bpf_program__name(p), "free")))
			continue;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0)
			sum += info.recursion_misses;
	}
	return sum;
}

static int col_mem_poll(void *p, struct ktop_snapshot *snap)
{
	struct col_mem *c = p;
	struct ktop_tab_status *st = &snap->tab[KTOP_TAB_MEMORY];
	struct ktop_mem_snap *m = &snap->mem;
	uint64_t now, untracked, stale, nostack, lost;
	int err;

	c->polls++;
	c->usym_refreshed = false;
	m->mode = c->mode;
	m->leak_age_ns = c->leak_age_ns;
	m->capacity = c->capacity;
	if (c->mode == KTOP_MEM_USER) {
		m->target_pid = c->tgt.pid;
		memcpy(m->target_comm, c->tgt_comm, KTOP_COMM_LEN);
		snprintf(m->allocator_lib, sizeof(m->allocator_lib), "%.127s", c->tgt.lib);
		if (!c->tgt_exited && !mem_target_alive(&c->tgt))
			c->tgt_exited = true;
		m->target_exited = c->tgt_exited;
		if (c->tgt_exited)
			snprintf(st->note, sizeof(st->note),
				 "process %u (%s) has exited: showing its last data", c->tgt.pid,
				 c->tgt_comm);
	}
	err = read_sites(c);
	if (err) {
		snprintf(st->note, sizeof(st->note), "cannot read the allocation counters: %s",
			 strerror(-err));
		return err;
	}
	if (c->mode == KTOP_MEM_KERNEL) {
		mem_classify_sites(c);
		if (mem_read_samples(c))
			c->nsamp = 0;		/* stacks show examples only */
		mem_gc_stacks(c);
	}
	mem_scan_ages(c);
	now = now_mono_ns();
	m->scan_age_ns = mem_age(now, c->scan_ts);
	if (c->mode == KTOP_MEM_USER) {
		err = mem_user_rows(c, m, now);
	} else {
		err = mem_fold_procs(c, now);
		if (!err)
			err = mem_kernel_rows(c, m, now);
		if (!err)
			err = mem_kernel_stacks(c, m, now);
	}
	if (err)
		snprintf(st->note, sizeof(st->note), "memory: %s", strerror(-err));
	c->tracked = m->tracked;
	if (c->ks) {
		m->blind_sites = c->nblind;
		m->blind_skipped_total = c->ks->bss->blind_skipped;
		m->backing_stacks = c->nbacking;
		m->backing_skipped_total = c->ks->bss->backing_skipped;
		untracked = c->ks->bss->drops_untracked;
		stale = c->ks->bss->stale_replaced;
		nostack = c->ks->bss->drops_stack;
	} else {
		untracked = c->us->bss->drops_untracked;
		stale = c->us->bss->stale_replaced;
		nostack = c->us->bss->drops_stack;
	}
	m->untracked = delta_u64(c->untracked_prev, untracked);
	m->untracked_total = untracked;
	m->missed_frees = delta_u64(c->stale_prev, stale);
	m->missed_frees_total = stale;
	m->no_stack_total = nostack;
	c->untracked_prev = untracked;
	c->stale_prev = stale;
	lost = untracked + recursion_misses(c);
	st->lost = delta_u64(c->lost_prev, lost);
	st->lost_total = lost;
	c->lost_prev = lost;
	return err;
}

const struct ktop_collector col_memory = {
	.name = "memory",
	.tab = KTOP_TAB_MEMORY,
	.open = col_mem_open,
	.poll = col_mem_poll,
	.free = col_mem_free,
};
