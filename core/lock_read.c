// SPDX-License-Identifier: GPL-2.0
/* Locks collector: reads the lock, caller and waiter maps as deltas and makes the rows. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "locks.skel.h"
#include "ktop/locks.h"
#include "core/bpfutil.h"
#include "core/col_locks_int.h"
#include "core/histo.h"
#include "core/ksyms.h"
#include "core/procinfo.h"
#include "core/u64map.h"

static const void *sort_keys;		/* qsort context: key array of KEY_LEN entries */

static int cmp_order(const void *a, const void *b)
{
	return memcmp((const char *)sort_keys + *(const int *)a * KEY_LEN,
		      (const char *)sort_keys + *(const int *)b * KEY_LEN, KEY_LEN);
}

static int cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->wait_ns != y->wait_ns)
		return x->wait_ns < y->wait_ns ? 1 : -1;
	return x->ni - y->ni;
}

/* Make room for n lock entries in next/prev and n in order/cands. Returns 0 or -ENOMEM. */
static int reserve_locks(struct col_lk *c, size_t n)
{
	size_t cap;
	void *t;

	if (!n)
		n = 1;
	if (n > c->pcap) {
		cap = c->pcap;
		t = reallocarray(c->next, n, sizeof(*c->next));
		if (!t)
			return -ENOMEM;
		c->next = t;
		t = reallocarray(c->prev, n, sizeof(*c->prev));
		if (!t)
			return -ENOMEM;	/* next is bigger than needed: harmless */
		c->prev = t;
		c->pcap = n > cap ? n : cap;
	}
	if (n > c->ocap) {
		t = reallocarray(c->order, n, sizeof(*c->order));
		if (!t)
			return -ENOMEM;
		c->order = t;
		t = reallocarray(c->cands, n, sizeof(*c->cands));
		if (!t)
			return -ENOMEM;
		c->cands = t;
		c->ocap = n;
	}
	return 0;
}

/* Interval totals from candidate i (the locks in wait order), and its row
 * when it is among the first KTOP_LOCK_ROWS_MAX. */
static void fill_row(struct col_lk *c, struct ktop_lock_snap *out, size_t i)
{
	const struct lk_prev *q = &c->next[c->cands[i].ni];
	const struct lk_prev *p = c->cands[i].pi >= 0 ? &c->prev[c->cands[i].pi] : NULL;
	struct ktop_lock_row *r;
	uint64_t bound;
	size_t k;

	out->contentions += delta_u64(p ? p->contentions : 0, q->contentions);
	out->total_wait_ns += c->cands[i].wait_ns;
	if (i >= out->nrows)
		return;
	r = &out->rows[i];
	r->addr = q->key.addr;
	lk_type_name(q->key.type, r->type, sizeof(r->type));
	lk_lock_name(c, r->addr, q->class, q->owner, r->symbol, sizeof(r->symbol),
		     r->kind, sizeof(r->kind));
	if (lock_class_name(q->class))
		r->owner_pid = q->owner;
	r->contentions = delta_u64(p ? p->contentions : 0, q->contentions);
	r->total_wait_ns = c->cands[i].wait_ns;
	r->avg_wait_ns = r->total_wait_ns / r->contentions;
	hist_delta(r->hist, p ? p->hist : NULL, q->hist, KTOP_HIST_BUCKETS);
	/* The exact max is cumulative: if it grew, it happened now; else
	 * the interval's max is below the top bucket's bound. */
	bound = hist_max_bound(r->hist, KTOP_HIST_BUCKETS);
	r->max_wait_ns = !p || q->max_ns > p->max_ns ? q->max_ns :
			 (bound && bound - 1 < q->max_ns ? bound - 1 : q->max_ns);
	r->p99_ns = hist_percentile(r->hist, KTOP_HIST_BUCKETS, 99, r->max_wait_ns);
	c->rkeys[i] = q->key;
	c->rorder[i] = (int)i;
	for (k = 0; k < KTOP_LOCK_CALLERS_MAX; k++)
		c->rstack[i][k] = KTOP_LOCK_STACK_LOST;
}

/*
 * Read lock_stats, diff it against the previous reading (both in key
 * order) and turn the locks with contentions into rows, the heaviest
 * KTOP_LOCK_ROWS_MAX by wait. On a sweep, entries idle for AGE_NS are
 * deleted from the map (a later contention starts them from zero).
 * Returns 0 or -errno.
 */
int lk_read_locks(struct col_lk *c, struct ktop_lock_snap *out, uint64_t now, bool sweep)
{
	int fd = bpf_map__fd(c->skel->maps.lock_stats);
	const struct ktop_lock_key *keys;
	const struct ktop_lock_stat *vals;
	size_t nnext = 0, ncand = 0, j = 0, i;
	struct lk_prev *t;
	long n;

	n = map_buf_read(fd, sizeof(struct ktop_lock_key), sizeof(struct ktop_lock_stat), false,
			 &c->buf);
	if (n < 0)
		return (int)n;
	if (reserve_locks(c, n))
		return -ENOMEM;
	keys = c->buf.keys;
	vals = c->buf.vals;
	for (i = 0; i < (size_t)n; i++)
		c->order[i] = (int)i;
	sort_keys = keys;
	qsort(c->order, n, sizeof(int), cmp_order);

	for (i = 0; i < (size_t)n; i++) {
		const struct ktop_lock_key *key = &keys[c->order[i]];
		const struct ktop_lock_stat *v = &vals[c->order[i]];
		const struct lk_prev *p = NULL;
		struct lk_prev *q = &c->next[nnext];
		uint64_t d;

		while (j < c->nprev && memcmp(&c->prev[j].key, key, KEY_LEN) < 0)
			j++;
		if (j < c->nprev && !memcmp(&c->prev[j].key, key, KEY_LEN))
			p = &c->prev[j];
		d = delta_u64(p ? p->contentions : 0, v->contentions);
		q->changed_ns = d || !p ? now : p->changed_ns;
		if (sweep && now - q->changed_ns >= AGE_NS) {
			bpf_map_delete_elem(fd, key);
			continue;
		}
		q->key = *key;
		q->contentions = v->contentions;
		q->wait_ns = v->wait_ns;
		q->max_ns = v->max_ns;
		q->class = v->class;
		q->owner = v->owner;
		memcpy(q->hist, v->hist, sizeof(q->hist));
		if (d) {
			c->cands[ncand].ni = (int)nnext;
			c->cands[ncand].pi = p ? (int)(p - c->prev) : -1;
			c->cands[ncand].wait_ns = delta_u64(p ? p->wait_ns : 0, v->wait_ns);
			ncand++;
		}
		nnext++;
	}
	qsort(c->cands, ncand, sizeof(c->cands[0]), cmp_cand);

	out->nrows = ncand < KTOP_LOCK_ROWS_MAX ? ncand : KTOP_LOCK_ROWS_MAX;
	out->nrows_dropped = ncand - out->nrows;
	for (i = 0; i < ncand; i++)
		fill_row(c, out, i);
	t = c->prev;
	c->prev = c->next;
	c->next = t;
	c->nprev = nnext;
	sort_keys = c->rkeys;
	qsort(c->rorder, out->nrows, sizeof(int), cmp_order);
	out->tracked = (uint32_t)nnext;
	out->tracked_max = KTOP_LOCK_MAX;
	return 0;
}

/* Row of the lock in the first 12 bytes (addr, type) of a caller or waiter key; -1 if none. */
static int row_of(const struct col_lk *c, uint32_t nrows, const void *pkey)
{
	struct ktop_lock_key k;
	size_t lo = 0, hi = nrows;

	memcpy(&k, pkey, 12);
	k.pad = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = memcmp(&c->rkeys[c->rorder[mid]], &k, KEY_LEN);

		if (!r)
			return c->rorder[mid];
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Put a caller stack of row ri into its top list (by wait, descending). */
void lk_take_caller(struct col_lk *c, struct ktop_lock_row *r, int ri, const void *key,
			uint64_t cont, uint64_t wait)
{
	const struct ktop_lock_caller_key *k = key;
	uint32_t n = r->ncallers, at = n, i;

	while (at > 0 && r->callers[at - 1].wait_ns < wait)
		at--;
	if (at >= KTOP_LOCK_CALLERS_MAX)
		return;
	if (n == KTOP_LOCK_CALLERS_MAX)
		n--;
	for (i = n; i > at; i--) {
		r->callers[i].contentions = r->callers[i - 1].contentions;
		r->callers[i].wait_ns = r->callers[i - 1].wait_ns;
		c->rstack[ri][i] = c->rstack[ri][i - 1];
	}
	r->callers[at].contentions = cont;
	r->callers[at].wait_ns = wait;
	c->rstack[ri][at] = k->stack_id;
	r->ncallers = n + 1;
}

/* Put a waiting process of a row into its top list (by wait, descending). */
void lk_take_waiter(struct col_lk *c, struct ktop_lock_row *r, int ri, const void *key,
			uint64_t cont, uint64_t wait)
{
	const struct ktop_lock_waiter_key *k = key;
	uint32_t n = r->nwaiters, at = n, i;

	(void)c;
	(void)ri;
	while (at > 0 && r->waiters[at - 1].wait_ns < wait)
		at--;
	if (at >= KTOP_LOCK_WAITERS_MAX)
		return;
	if (n == KTOP_LOCK_WAITERS_MAX)
		n--;
	for (i = n; i > at; i--)
		r->waiters[i] = r->waiters[i - 1];
	memset(&r->waiters[at], 0, sizeof(r->waiters[at]));
	r->waiters[at].pid = k->tgid;
	r->waiters[at].contentions = cont;
	r->waiters[at].wait_ns = wait;
	r->nwaiters = n + 1;
}

/*
 * Read a caller or waiter map, diff it against the previous reading and
 * hand each entry with waits in the interval to take() for its row. On a
 * sweep, entries idle for AGE_NS are deleted. Returns 0 or -errno.
 */
int lk_read_parts(struct col_lk *c, struct parts *pt, struct ktop_lock_snap *out,
		      uint64_t now, bool sweep, lk_take_fn take)
{
	int fd = bpf_map__fd(pt->map);
	const struct ktop_lock_part *vals;
	const unsigned char *keys;
	size_t nnext = 0, j = 0, i, want;
	struct part_prev *t;
	long n;

	n = map_buf_read(fd, KEY_LEN, sizeof(struct ktop_lock_part), false, &pt->buf);
	if (n < 0)
		return (int)n;
	want = n ? (size_t)n : 1;
	if (want > pt->pcap) {
		t = reallocarray(pt->next, want, sizeof(*t));
		if (!t)
			return -ENOMEM;
		pt->next = t;
		t = reallocarray(pt->prev, want, sizeof(*t));
		if (!t)
			return -ENOMEM;
		pt->prev = t;
		pt->pcap = want;
	}
	if (want > pt->ocap) {
		int *o = reallocarray(pt->order, want, sizeof(int));

		if (!o)
			return -ENOMEM;
		pt->order = o;
		pt->ocap = want;
	}
	keys = pt->buf.keys;
	vals = pt->buf.vals;
	for (i = 0; i < (size_t)n; i++)
		pt->order[i] = (int)i;
	sort_keys = keys;
	qsort(pt->order, n, sizeof(int), cmp_order);

	for (i = 0; i < (size_t)n; i++) {
		const unsigned char *key = keys + (size_t)pt->order[i] * KEY_LEN;
		const struct ktop_lock_part *v = &vals[pt->order[i]];
		const struct part_prev *p = NULL;
		struct part_prev *q = &pt->next[nnext];
		uint64_t d;
		int ri;

		while (j < pt->nprev && memcmp(pt->prev[j].key, key, KEY_LEN) < 0)
			j++;
		if (j < pt->nprev && !memcmp(pt->prev[j].key, key, KEY_LEN))
			p = &pt->prev[j];
		d = delta_u64(p ? p->contentions : 0, v->contentions);
		q->changed_ns = d || !p ? now : p->changed_ns;
		if (sweep && now - q->changed_ns >= AGE_NS) {
			bpf_map_delete_elem(fd, key);
			continue;
		}
		memcpy(q->key, key, KEY_LEN);
		q->contentions = v->contentions;
		q->wait_ns = v->wait_ns;
		nnext++;
		if (!d)
			continue;
		ri = row_of(c, out->nrows, key);
		if (ri >= 0)
			take(c, &out->rows[ri], ri, key, d, delta_u64(p ? p->wait_ns : 0, v->wait_ns));
	}
	t = pt->prev;
	pt->prev = pt->next;
	pt->next = t;
	pt->nprev = nnext;
	return 0;
}

/* Symbolize the kept callers and name the waiters of every row. */
void lk_finish_rows(struct col_lk *c, struct ktop_lock_snap *out)
{
	uint32_t i, k, f;

	for (i = 0; i < out->nrows; i++) {
		struct ktop_lock_row *r = &out->rows[i];

		for (k = 0; k < r->ncallers; k++) {
			const struct stack_sym *s = lk_stack_of(c, c->rstack[i][k]);

			if (!s)
				continue;
			r->callers[k].nframes = s->nframes;
			for (f = 0; f < s->nframes; f++)
				memcpy(r->callers[k].frames[f], s->frames[f], KTOP_FRAME_LEN);
			if (!r->top_caller[0] && s->top[0])
				memcpy(r->top_caller, s->top, KTOP_FRAME_LEN);
		}
		for (k = 0; k < r->nwaiters; k++)
			lk_comm_of(c, r->waiters[k].pid, r->waiters[k].comm);
		if (r->nwaiters) {
			r->top_waiter_pid = r->waiters[0].pid;
			memcpy(r->top_waiter_comm, r->waiters[0].comm, KTOP_COMM_LEN);
		}
	}
}
