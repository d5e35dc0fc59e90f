// SPDX-License-Identifier: GPL-2.0
/* Memory collector, kernel mode: the stacks shown for each process, symbolized. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/col_mem_int.h"

static int cmp_ref(const void *a, const void *b)
{
	const struct site_ref *x = a, *y = b;
	uint64_t bx = mem_site_out_bytes(x->s);
	uint64_t by = mem_site_out_bytes(y->s);

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	if (bx != by)
		return bx < by ? 1 : -1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Symbolized kernel stack stack_id, from the cache or the stack map,
 * starting at call_site when it is one of its frames (0: at the first
 * frame past the tracing machinery and the allocator); NULL when it cannot
 * be read. A stack is read for one call site only: the one it was walked
 * at, which is one of its frames. */
static const struct kstack *kstack_get(struct col_mem *c, int32_t stack_id, uint64_t call_site)
{
	__u64 ips[KTOP_MEM_STACK_DEPTH];
	struct kstack *k, tmp;
	unsigned i, first;

	k = u64map_get(&c->kcache, (uint32_t)stack_id);
	if (k)
		return k;
	memset(&tmp, 0, sizeof(tmp));
	memset(ips, 0, sizeof(ips));
	if (mem_read_stack(c, stack_id, ips))
		return NULL;
	/* skip the tracing machinery, then the allocator: the first frame
	 * past them is the call site; the last allocator frame names the
	 * allocator entry point */
	for (first = 0; first < KTOP_MEM_STACK_DEPTH && ips[first]; first++) {
		const char *name = ksyms__find(c->ksyms, ips[first], NULL);

		if (call_site && ips[first] == call_site) {
			tmp.at_call = true;
			break;
		}
		if (mem_kframe_is_machinery(name))
			continue;
		if (!mem_kframe_is_allocator(name))
			break;
		snprintf(tmp.allocator, sizeof(tmp.allocator), "%s", name);
	}
	if (first == KTOP_MEM_STACK_DEPTH || !ips[first])
		first = 0;	/* nothing but allocator: show it all */
	for (i = first; i < KTOP_MEM_STACK_DEPTH && ips[i] && tmp.nframes < KTOP_MEM_FRAMES_MAX; i++)
		ksyms__fmt(c->ksyms, ips[i], tmp.frames[tmp.nframes++], KTOP_FRAME_LEN);
	if (c->kcache.n >= KCACHE_MAX)
		u64map_clear(&c->kcache);
	k = u64map_put(&c->kcache, (uint32_t)stack_id);
	if (!k)
		return NULL;
	*k = tmp;
	return k;
}

/* Frames of site s: its stack (a call site's: the stack of one of its
 * allocations), call site first. */
static void fill_kstack(struct col_mem *c, struct ktop_mem_stack *d, const struct site *s)
{
	const struct kstack *k = s->stack_id >= 0 ? kstack_get(c, s->stack_id, s->call_site) : NULL;
	uint32_t n = 0;

	if (s->call_site && (!k || !k->at_call))
		ksyms__fmt(c->ksyms, s->call_site, d->frames[n++], KTOP_FRAME_LEN);
	if (!k) {
		snprintf(d->frames[n++], KTOP_FRAME_LEN, "[no stack]");
		d->nframes = n;
		snprintf(d->allocator, sizeof(d->allocator), "%s", mem_kind_name(s->kind));
		return;
	}
	if (k->nframes > KTOP_MEM_FRAMES_MAX - n)
		d->nframes = KTOP_MEM_FRAMES_MAX;
	else
		d->nframes = n + k->nframes;
	memcpy(d->frames[n], k->frames, (d->nframes - n) * sizeof(d->frames[0]));
	snprintf(d->allocator, sizeof(d->allocator), "%s", k->allocator[0] ? k->allocator :
		 mem_kind_name(s->kind));
}

/*
 * The stacks of one site into the snapshot, at most max; returns how many.
 * A stack site is its stack. A kernel call site is shown by the paths its
 * outstanding samples came by, each with its estimated share; with no
 * sample outstanding (fewer than KTOP_MEM_SAMPLE_EVERY allocations), by
 * the stack of its first allocation, marked as only an example.
 */
static uint32_t site_stacks(struct col_mem *c, struct ktop_mem_snap *m, const struct site_ref *r,
			    uint64_t now, uint32_t max)
{
	const struct site *s = r->s;
	uint64_t sk = mem_site_key(r->tgid, r->id), total = 0;
	size_t i, first = s->call_site ? mem_samp_first(c->samp, c->nsamp, sk) : c->nsamp;
	struct ktop_mem_stack *d;
	uint32_t k = 0;

	for (i = first; i < c->nsamp && c->samp[i].site == sk; i++)
		total += c->samp[i].out;
	if (!total) {
		d = &m->stacks[m->nstacks++];
		memset(d, 0, sizeof(*d));
		mem_stack_counts(d, s, r->tgid, now);
		fill_kstack(c, d, s);
		if (s->call_site) {
			d->site_bytes = mem_site_out_bytes(s);
			d->example = 1;
		}
		return 1;
	}
	for (i = first; i < c->nsamp && c->samp[i].site == sk && k < max &&
		    m->nstacks < KTOP_MEM_STACKS_MAX; i++, k++) {
		struct site one = *s;

		one.stack_id = c->samp[i].stack_id;
		d = &m->stacks[m->nstacks++];
		memset(d, 0, sizeof(*d));
		mem_stack_counts(d, s, r->tgid, now);
		d->outstanding_bytes = mem_share_of(d->outstanding_bytes, c->samp[i].out, total);
		d->outstanding_allocs = mem_share_of(d->outstanding_allocs, c->samp[i].out, total);
		d->allocs = mem_share_of(d->allocs, c->samp[i].out, total);
		d->frees = mem_share_of(d->frees, c->samp[i].out, total);
		fill_kstack(c, d, &one);
		d->site_bytes = mem_site_out_bytes(s);
		d->samples = (uint32_t)c->samp[i].out;
		d->samples_site = (uint32_t)total;
	}
	return k;
}

/* Kernel mode: up to STACKS_PER_PROC stacks of each shown process, heaviest
 * first, in row order, until the snapshot is full. */
int mem_kernel_stacks(struct col_mem *c, struct ktop_mem_snap *m, uint64_t now)
{
	size_t j, n = 0, lo, hi, mid;
	uint32_t r;

	if (c->refcap < c->sites.n) {
		struct site_ref *t = reallocarray(c->refs, c->sites.n, sizeof(*t));

		if (!t)
			return -ENOMEM;
		c->refs = t;
		c->refcap = c->sites.n;
	}
	for (j = 0; j < c->sites.cap; j++) {
		const struct site *s = u64map_val(&c->sites, j);

		if (!c->sites.used[j] || !mem_site_out_allocs(s))
			continue;
		c->refs[n].tgid = (uint32_t)(c->sites.keys[j] >> 32);
		c->refs[n].id = (int32_t)(uint32_t)c->sites.keys[j];
		c->refs[n].s = s;
		n++;
	}
	if (n)
		qsort(c->refs, n, sizeof(c->refs[0]), cmp_ref);
	for (r = 0; r < m->nrows && m->nstacks < KTOP_MEM_STACKS_MAX; r++) {
		uint32_t pid = m->rows[r].pid, k;

		lo = 0;
		hi = n;
		while (lo < hi) {		/* first ref of pid */
			mid = lo + (hi - lo) / 2;
			if (c->refs[mid].tgid < pid)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (k = 0; lo < n && c->refs[lo].tgid == pid && k < STACKS_PER_PROC &&
			    m->nstacks < KTOP_MEM_STACKS_MAX; lo++)
			k += site_stacks(c, m, &c->refs[lo], now, STACKS_PER_PROC - k);
	}
	return 0;
}
