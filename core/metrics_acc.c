// SPDX-License-Identifier: GPL-2.0
/* Prometheus accumulation: the counters and histograms /metrics serves, summed over the snapshots (docs/metrics.md). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "core/metrics.h"
#include "core/histo.h"

/* See metrics.h. */
uint64_t metrics_bound_ns(unsigned i)
{
	return 1ull << (KTOP_PROM_POW_MIN + i);
}

/* See metrics.h. */
unsigned metrics_bucket_of(unsigned idx)
{
	uint64_t hi = ktop_hist_upper(idx);	/* one past the bucket's largest value */
	unsigned i;

	if (idx >= KTOP_HIST_BUCKETS - 1)
		return KTOP_PROM_BUCKETS - 1;	/* the open last bucket */
	/* The first bound >= every value of the bucket. Native edges include
	 * every power of two, so a bucket never straddles a bound. A value
	 * equal to a bound (2^k ns exactly) counts above it: 1 ns off. */
	for (i = 0; i < KTOP_PROM_BUCKETS - 1; i++)
		if (hi <= metrics_bound_ns(i))
			return i;
	return KTOP_PROM_BUCKETS - 1;
}

/* See metrics.h. */
void metrics_hist_add(struct ktop_prom_hist *h, const uint64_t *native)
{
	static unsigned map[KTOP_HIST_BUCKETS];
	static int mapped;
	unsigned i;

	if (!mapped) {			/* idempotent: a race only writes the same values */
		for (i = 0; i < KTOP_HIST_BUCKETS; i++)
			map[i] = metrics_bucket_of(i);
		mapped = 1;
	}
	for (i = 0; i < KTOP_HIST_BUCKETS; i++) {
		if (!native[i])
			continue;
		h->b[map[i]] += native[i];
		h->count += native[i];
	}
}

/* The entry of r's (disk, op); a new one takes a free slot or the one seen least recently. */
static struct ktop_prom_io *io_slot(struct ktop_prom_state *st, const struct ktop_io_row *r)
{
	struct ktop_prom_io *e, *old = NULL;
	unsigned i;

	for (i = 0; i < KTOP_PROM_IO_MAX; i++) {
		e = &st->io[i];
		if (e->used && e->dev == r->dev && e->opn == r->opn)
			return e;
		if (!old || !e->used || (old->used && e->last_seen < old->last_seen))
			old = e;
	}
	if (old->used)
		st->io_evicted++;
	memset(old, 0, sizeof(*old));
	old->used = true;
	old->dev = r->dev;
	old->opn = r->opn;
	return old;
}

static struct ktop_prom_lock *lock_slot(struct ktop_prom_state *st, const char *type)
{
	struct ktop_prom_lock *e;
	uint32_t i;

	for (i = 0; i < st->nlock_types; i++)
		if (!strcmp(st->locks[i].type, type))
			return &st->locks[i];
	if (st->nlock_types == KTOP_PROM_LOCK_TYPES)
		return &st->locks[KTOP_PROM_LOCK_TYPES - 1];	/* "other" (see below) */
	e = &st->locks[st->nlock_types++];
	snprintf(e->type, sizeof(e->type), "%s",
		 st->nlock_types == KTOP_PROM_LOCK_TYPES ? "other" : type);
	return e;
}

/* A sampled row's histogram holds its timed calls only: scaled to all of
 * its calls (and to those of earlier intervals that timed none), so that
 * _count stays the exact number of calls and the buckets an estimate. */
static void sc_hist_add(struct ktop_prom_sc *e, const struct ktop_sc_row *r)
{
	uint64_t scaled[KTOP_HIST_BUCKETS];

	if (hist_scale(r->hist, KTOP_HIST_BUCKETS, r->count + e->untimed, scaled)) {
		e->untimed += r->count;		/* none timed: counted with the next */
		return;
	}
	metrics_hist_add(&e->h, scaled);
	e->untimed = 0;
}

/* See metrics.h. */
void metrics_accumulate(struct ktop_prom_state *st, const struct ktop_snapshot *s)
{
	uint32_t i;

	for (i = 0; i < s->sc.nrows && i < KTOP_SC_ROWS_MAX; i++) {
		const struct ktop_sc_row *r = &s->sc.rows[i];
		struct ktop_prom_sc *e;

		if (r->nr >= sizeof(st->sc) / sizeof(st->sc[0]))
			continue;
		e = &st->sc[r->nr];
		e->seen = true;
		snprintf(e->name, sizeof(e->name), "%s", r->name);
		e->errors += r->errors;
		e->h.sum_ns += r->total_ns;
		sc_hist_add(e, r);
	}
	for (i = 0; i < s->io.nrows && i < KTOP_IO_ROWS_MAX; i++) {
		const struct ktop_io_row *r = &s->io.rows[i];
		struct ktop_prom_io *e = io_slot(st, r);

		snprintf(e->disk, sizeof(e->disk), "%s", r->disk);
		e->last_seen = s->iteration;
		e->requests += r->count;
		e->bytes += r->bytes;
		e->errors += r->errors;
		/* the snapshot has averages: avg * n is the sum to within n ns */
		e->queue_ns += r->queue_avg_ns * r->queued;
		e->device_ns += r->device_avg_ns * r->issued;
		e->h.sum_ns += r->total_ns;
		metrics_hist_add(&e->h, r->hist);
	}
	for (i = 0; i < s->lock.nrows && i < KTOP_LOCK_ROWS_MAX; i++) {
		const struct ktop_lock_row *r = &s->lock.rows[i];
		struct ktop_prom_lock *e = lock_slot(st, r->type[0] ? r->type : "unknown");

		e->h.sum_ns += r->total_wait_ns;
		metrics_hist_add(&e->h, r->hist);
	}
	if (s->bpf_stats) {
		st->bpf_run_ns += s->bpf_run_ns;
		st->bpf_run_cnt += s->bpf_run_cnt;
	}
}
