// SPDX-License-Identifier: GPL-2.0
/* Site accounting of the Memory collector: pure (see mem_site.h). */
#include <string.h>
#include "core/mem_site.h"
#include "core/histo.h"

uint64_t mem_site_out_allocs(const struct site *s)
{
	return mem_outstanding(s->allocs, s->frees + s->wo_allocs);
}

uint64_t mem_site_out_bytes(const struct site *s)
{
	return mem_outstanding(s->alloc_bytes, s->free_bytes + s->wo_bytes);
}

/*
 * A site most of whose frees were only found missing when the address was
 * allocated again (frees through paths without a tracepoint, such as
 * kfree_rcu() batches and slab sheaves): what it shows outstanding is an
 * upper bound, so it does not count towards growth and suspicion.
 */
bool mem_site_blind(const struct site *s)
{
	return s->missed >= MEM_BLIND_MIN && s->missed * 2 > s->frees;
}

void mem_site_update(struct site *s, const struct site *old, const struct ktop_mem_sval *v)
{
	if (old)
		*s = *old;
	else
		memset(s, 0, sizeof(*s));
	s->d_allocs = delta_u64(s->allocs, v->allocs);
	s->d_frees = delta_u64(s->frees, v->frees);
	s->allocs = v->allocs;
	s->frees = v->frees;
	s->alloc_bytes = v->alloc_bytes;
	s->free_bytes = v->free_bytes;
	s->missed = v->missed;
	s->kind = v->kind;
	s->call_site = v->call_site;
	s->stack_id = v->stack_id;
	s->idle = s->d_allocs || s->d_frees ? 0 : s->idle + 1;
	if (!mem_site_out_allocs(s))
		s->oldest_ts = s->pass_ts = 0;
}

void mem_proc_reset(struct proc *p, uint64_t poll)
{
	p->poll = poll;
	p->out_bytes = p->out_allocs = p->d_allocs = p->d_frees = p->oldest_ts = 0;
	p->sure_bytes = 0;
	memset(p->kind_bytes, 0, sizeof(p->kind_bytes));
}

void mem_proc_add_site(struct proc *p, const struct site *s)
{
	uint64_t bytes = mem_site_out_bytes(s);

	p->out_bytes += bytes;
	p->out_allocs += mem_site_out_allocs(s);
	p->d_allocs += s->d_allocs;
	p->d_frees += s->d_frees;
	if (!s->blinded && !mem_site_blind(s)) {
		p->sure_bytes += bytes;
		if (s->oldest_ts && (!p->oldest_ts || s->oldest_ts < p->oldest_ts))
			p->oldest_ts = s->oldest_ts;
	}
	if (s->kind < KTOP_MEM_KINDS)
		p->kind_bytes[s->kind] += bytes;
}

int mem_samp_cmp(const void *a, const void *b)
{
	const struct samp *x = a, *y = b;

	if (x->site != y->site)
		return x->site < y->site ? -1 : 1;
	if (x->out != y->out)
		return x->out < y->out ? 1 : -1;
	return x->stack_id < y->stack_id ? -1 : x->stack_id > y->stack_id;
}

size_t mem_samp_first(const struct samp *samp, size_t n, uint64_t sk)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (samp[mid].site < sk)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && samp[lo].site == sk ? lo : n;
}

uint64_t mem_share_of(uint64_t a, uint64_t k, uint64_t n)
{
	return (uint64_t)((long double)a * k / n + 0.5L);
}

int mem_row_cmp(const void *a, const void *b)
{
	const struct ktop_mem_row *x = a, *y = b;

	if (x->suspect != y->suspect)
		return y->suspect - x->suspect;
	if (x->held != y->held)
		return y->held - x->held;
	if (x->growth_bytes_per_s != y->growth_bytes_per_s)
		return x->growth_bytes_per_s < y->growth_bytes_per_s ? 1 : -1;
	if (x->outstanding_bytes != y->outstanding_bytes)
		return x->outstanding_bytes < y->outstanding_bytes ? 1 : -1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->stack < y->stack ? -1 : x->stack > y->stack;
}

void mem_stack_counts(struct ktop_mem_stack *d, const struct site *s, uint32_t tgid, uint64_t now)
{
	d->pid = tgid;
	d->kind = s->kind;
	d->outstanding_bytes = mem_site_out_bytes(s);
	d->outstanding_allocs = mem_site_out_allocs(s);
	d->allocs = s->d_allocs;
	d->frees = s->d_frees;
	d->missed_frees_total = s->missed;
	d->oldest_age_ns = d->outstanding_allocs ? mem_age(now, s->oldest_ts) : 0;
}
