// SPDX-License-Identifier: GPL-2.0
/* I/O collector: reads the stats, partition and process maps as deltas into rows; sweeps. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "io.skel.h"
#include "ktop/io.h"
#include "core/bpfutil.h"
#include "core/msg.h"
#include "core/collector.h"
#include "core/core.h"
#include "core/disks.h"
#include "core/histo.h"
#include "core/procinfo.h"
#include "core/u64map.h"
#include "core/util.h"

#include "core/col_io_int.h"

/* Read every (disk, op) of io_stats, summed over CPUs, into c->scur. The
 * map holds a handful of keys with big values, so one lookup per key keeps
 * the buffer at one value instead of max_entries of them. */
int io_read_stats(struct col_io *c)
{
	int fd = bpf_map__fd(c->skel->maps.io_stats), ncpu = ncpus_possible(), cpu;
	struct ktop_io_key key, next, *prev = NULL;
	unsigned b;

	u64map_clear(&c->scur);
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		struct io_cum *s;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, c->statbuf))
			continue;	/* cannot vanish: io_stats is never deleted from */
		s = u64map_put(&c->scur, (uint64_t)key.disk << 8 | key.op);
		if (!s)
			return -ENOMEM;
		for (cpu = 0; cpu < ncpu; cpu++) {
			const struct ktop_io_stat *v = (const void *)((char *)c->statbuf +
							cpu * STAT_STRIDE);

			if (!v->count)
				continue;
			s->count += v->count;
			s->bytes += v->bytes;
			s->total_ns += v->total_ns;
			s->queued += v->queued;
			s->queue_ns += v->queue_ns;
			s->issued += v->issued;
			s->device_ns += v->device_ns;
			s->noattr += v->noattr;
			s->errors += v->errors;
			if (v->max_ns > s->max_ns)
				s->max_ns = v->max_ns;
			for (b = 0; b < KTOP_HIST_BUCKETS; b++)
				s->hist[b] += v->hist[b];
		}
	}
	return 0;
}

static uint64_t avg(uint64_t sum, uint64_t n)
{
	return n ? sum / n : 0;
}

static int cmp_row(const void *a, const void *b)
{
	const struct ktop_io_row *x = a, *y = b;

	if (x->p99_ns != y->p99_ns)
		return x->p99_ns < y->p99_ns ? 1 : -1;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->opn < y->opn ? -1 : x->opn > y->opn;
}

/* One row per (disk, op) with requests in this interval; the slowest
 * KTOP_IO_ROWS_MAX when there are more. Returns 0 or -ENOMEM. */
int io_fill_rows(struct col_io *c, struct ktop_io_snap *out)
{
	struct ktop_io_row *rows;
	size_t i, n = 0;

	if (c->scur.n > c->rtmpcap) {
		rows = reallocarray(c->rtmp, c->scur.n, sizeof(*rows));
		if (!rows)
			return -ENOMEM;
		c->rtmp = rows;
		c->rtmpcap = c->scur.n;
	}
	rows = c->rtmp;
	for (i = 0; i < c->scur.cap && n < c->rtmpcap; i++) {
		const struct io_cum *q, *p;
		struct ktop_io_row *r;
		uint64_t key, bound;

		if (!c->scur.used[i])
			continue;
		key = c->scur.keys[i];
		q = u64map_val(&c->scur, i);
		p = u64map_get(&c->sprev, key);
		if (q->count <= (p ? p->count : 0))
			continue;
		r = &rows[n++];
		memset(r, 0, sizeof(*r));
		r->dev = (uint32_t)(key >> 8);
		r->opn = (uint32_t)(key & 0xff);
		snprintf(r->disk, sizeof(r->disk), "%s", disks_get(&c->disks, r->dev)->name);
		snprintf(r->op, sizeof(r->op), "%s", ktop_io_op_name(r->opn));
		r->count = q->count - (p ? p->count : 0);
		r->bytes = delta_u64(p ? p->bytes : 0, q->bytes);
		r->total_ns = delta_u64(p ? p->total_ns : 0, q->total_ns);
		r->queued = delta_u64(p ? p->queued : 0, q->queued);
		r->issued = delta_u64(p ? p->issued : 0, q->issued);
		r->noattr = delta_u64(p ? p->noattr : 0, q->noattr);
		r->errors = delta_u64(p ? p->errors : 0, q->errors);
		r->queue_avg_ns = avg(delta_u64(p ? p->queue_ns : 0, q->queue_ns), r->queued);
		r->device_avg_ns = avg(delta_u64(p ? p->device_ns : 0, q->device_ns), r->issued);
		hist_delta(r->hist, p ? p->hist : NULL, q->hist, KTOP_HIST_BUCKETS);
		/* The exact max is cumulative: if it grew, it happened now; else
		 * the interval's max is below its top bucket's bound. */
		bound = hist_max_bound(r->hist, KTOP_HIST_BUCKETS);
		if (!p || q->max_ns > p->max_ns)
			r->max_ns = q->max_ns;
		else
			r->max_ns = bound && bound - 1 < q->max_ns ? bound - 1 : q->max_ns;
		r->p50_ns = hist_percentile(r->hist, KTOP_HIST_BUCKETS, 50, r->max_ns);
		r->p95_ns = hist_percentile(r->hist, KTOP_HIST_BUCKETS, 95, r->max_ns);
		r->p99_ns = hist_percentile(r->hist, KTOP_HIST_BUCKETS, 99, r->max_ns);
		r->p999_ns = hist_percentile(r->hist, KTOP_HIST_BUCKETS, 99.9, r->max_ns);
		r->flagged = c->flag_ns && r->p95_ns > c->flag_ns;
	}
	if (n)
		qsort(rows, n, sizeof(rows[0]), cmp_row);
	out->nrows = n < KTOP_IO_ROWS_MAX ? (uint32_t)n : KTOP_IO_ROWS_MAX;
	if (out->nrows)
		memcpy(out->rows, rows, out->nrows * sizeof(rows[0]));
	return 0;
}

static int cmp_part(const void *a, const void *b)
{
	const struct ktop_io_part *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	if (x->part_dev != y->part_dev)
		return x->part_dev < y->part_dev ? -1 : 1;
	return x->opn < y->opn ? -1 : x->opn > y->opn;
}

/* Per partition: read, diff, keep the busiest. */
int io_read_parts(struct col_io *c, struct ktop_io_snap *out)
{
	int ncpu = ncpus_possible(), cpu;
	struct ktop_io_part tmp[KTOP_IO_SNAP_PARTS * 4];
	size_t n = 0;
	long m, i;

	m = map_buf_read(bpf_map__fd(c->skel->maps.io_parts), sizeof(struct ktop_io_pkey),
			 sizeof(struct ktop_io_cnt), true, &c->parts);
	if (m < 0)
		return (int)m;
	u64map_clear(&c->pcur);
	for (i = 0; i < m; i++) {
		const struct ktop_io_pkey *k = (const void *)((char *)c->parts.keys + i * sizeof(*k));
		uint64_t key = (uint64_t)k->part << 8 | k->op;
		struct part_cum sum = { .disk = k->disk }, *prev, *slot;
		struct ktop_io_part *d;

		for (cpu = 0; cpu < ncpu; cpu++) {
			const struct ktop_io_cnt *v = percpu_val(c->parts.vals, sizeof(*v), ncpu, i, cpu);

			sum.count += v->count;
			sum.bytes += v->bytes;
		}
		slot = u64map_put(&c->pcur, key);
		if (slot)
			*slot = sum;
		prev = u64map_get(&c->pprev, key);
		if (sum.count <= (prev ? prev->count : 0) || n >= sizeof(tmp) / sizeof(tmp[0]))
			continue;
		d = &tmp[n++];
		memset(d, 0, sizeof(*d));
		d->dev = k->disk;
		d->part_dev = k->part;
		d->opn = k->op;
		d->count = sum.count - (prev ? prev->count : 0);
		d->bytes = delta_u64(prev ? prev->bytes : 0, sum.bytes);
	}
	u64map_swap(&c->pprev, &c->pcur);
	qsort(tmp, n, sizeof(tmp[0]), cmp_part);
	out->nparts = n < KTOP_IO_SNAP_PARTS ? (uint32_t)n : KTOP_IO_SNAP_PARTS;
	for (i = 0; i < (long)out->nparts; i++) {
		snprintf(tmp[i].disk, sizeof(tmp[i].disk), "%s", disks_get(&c->disks, tmp[i].dev)->name);
		snprintf(tmp[i].part, sizeof(tmp[i].part), "%s",
			 disks_get(&c->disks, tmp[i].part_dev)->name);
		out->parts[i] = tmp[i];
	}
	return 0;
}

/* Small index of a disk dev_t, so (tgid, disk, op) fits a 64-bit key. */
static int disk_index(struct col_io *c, uint32_t dev, uint32_t *idx)
{
	uint32_t *v = u64map_get(&c->disk_idx, dev);

	if (v) {
		*idx = *v;
		return 0;
	}
	v = u64map_put(&c->disk_idx, dev);
	if (!v)
		return -ENOMEM;
	*v = c->ndisk_idx++;
	*idx = *v;
	return 0;
}

static int cmp_proc(const void *a, const void *b)
{
	const struct ktop_io_proc *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->opn < y->opn ? -1 : x->opn > y->opn;
}

/*
 * Per (process, disk, op): read, diff, keep the heaviest. On a sweep, the
 * entries of a process found exited at the previous sweep too are deleted
 * (after their last delta was counted): requests it submitted may still
 * complete after it exits, so one sweep of grace.
 */
int io_read_procs(struct col_io *c, struct ktop_io_snap *out, bool sweep)
{
	size_t n = 0, j;
	int fd = bpf_map__fd(c->skel->maps.io_procs), ncpu = ncpus_possible(), cpu;
	struct u64map dead_now;
	struct proc_live live;
	long m, i;

	m = map_buf_read(fd, sizeof(struct ktop_io_proc_key), sizeof(struct ktop_io_cnt), true,
			 &c->procs);
	if (m < 0)
		return (int)m;
	if (array_reserve((void **)&c->ptmp, &c->ptmpcap, m ? (size_t)m : 1, sizeof(*c->ptmp)))
		return -ENOMEM;
	u64map_init(&dead_now, 1);
	if (sweep) {
		u64map_clear(&c->comms);	/* tgids get reused: re-learn names */
		proc_live_begin(&live);		/* after the read: see procinfo.h */
	}
	u64map_clear(&c->qcur);
	for (i = 0; i < m; i++) {
		const struct ktop_io_proc_key *k = (const void *)((char *)c->procs.keys + i * sizeof(*k));
		struct proc_cum sum = { .tgid = k->tgid, .disk = k->disk, .op = k->op };
		struct proc_cum *prev, *slot;
		struct ktop_io_proc *d;
		uint32_t idx;
		uint64_t key;

		if (disk_index(c, k->disk, &idx))
			continue;
		key = (uint64_t)k->tgid << 32 | (uint64_t)idx << 3 | (k->op & 7);
		for (cpu = 0; cpu < ncpu; cpu++) {
			const struct ktop_io_cnt *v = percpu_val(c->procs.vals, sizeof(*v), ncpu, i, cpu);

			sum.count += v->count;
			sum.bytes += v->bytes;
		}
		slot = u64map_put(&c->qcur, key);
		if (slot)
			*slot = sum;
		prev = u64map_get(&c->qprev, key);
		if (sweep && !proc_live_alive(&live, k->tgid)) {
			if (u64map_get(&c->dead, k->tgid)) {
				bpf_map_delete_elem(fd, k);
				bpf_map_delete_elem(bpf_map__fd(c->skel->maps.io_comm), &k->tgid);
			} else {
				u64map_put(&dead_now, k->tgid);
			}
		}
		if (sum.count <= (prev ? prev->count : 0))
			continue;
		d = &c->ptmp[n++];
		memset(d, 0, sizeof(*d));
		d->pid = k->tgid;
		d->dev = k->disk;
		d->opn = k->op;
		d->count = sum.count - (prev ? prev->count : 0);
		d->bytes = delta_u64(prev ? prev->bytes : 0, sum.bytes);
	}
	u64map_swap(&c->qprev, &c->qcur);
	if (sweep) {
		proc_live_end(&live);
		u64map_swap(&c->dead, &dead_now);
	}
	u64map_free(&dead_now);
	qsort(c->ptmp, n, sizeof(c->ptmp[0]), cmp_proc);
	out->nprocs = n < KTOP_IO_PROCS_MAX ? (uint32_t)n : KTOP_IO_PROCS_MAX;
	for (j = 0; j < out->nprocs; j++) {
		struct ktop_io_proc *d = &out->procs[j];

		*d = c->ptmp[j];
		comm_lookup(&c->comms, bpf_map__fd(c->skel->maps.io_comm), d->pid, d->comm);
		snprintf(d->disk, sizeof(d->disk), "%s", disks_get(&c->disks, d->dev)->name);
	}
	return 0;
}

/* A request whose completion will not come (last event STALE_NS ago), or
 * the free slot of a completed one that no request has reused for FREE_NS
 * (the BPF side keeps slots for the next life of a request address; a
 * device that went away must not keep them forever). */
static bool req_stale(const struct ktop_io_req *r, uint64_t now)
{
	uint64_t last = r->first_ns;

	if (r->insert_ns > last)
		last = r->insert_ns;
	if (r->issue_ns > last)
		last = r->issue_ns;
	return now > last && now - last > (r->flags & KTOP_IO_F_LIVE ? STALE_NS : FREE_NS);
}

/*
 * Free the slots of requests whose completion will never come (device
 * removed mid-flight): their last event is older than STALE_NS. Each is
 * looked up again right before deletion so a slot reused meanwhile by a
 * new request is left alone. Returns how many were freed.
 */
uint64_t io_sweep_stale(struct col_io *c)
{
	int fd = bpf_map__fd(c->skel->maps.io_reqs);
	uint64_t now = now_mono_ns(), freed = 0, key, next, *prev = NULL;
	uint64_t stale[256];
	size_t ns = 0, i;

	while (ns < sizeof(stale) / sizeof(stale[0]) &&
	       bpf_map_get_next_key(fd, prev, &next) == 0) {
		struct ktop_io_req r;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &r) == 0 && req_stale(&r, now))
			stale[ns++] = key;
	}
	for (i = 0; i < ns; i++) {
		struct ktop_io_req r;

		if (bpf_map_lookup_elem(fd, &stale[i], &r) == 0 && req_stale(&r, now) &&
		    bpf_map_delete_elem(fd, &stale[i]) == 0 && (r.flags & KTOP_IO_F_LIVE))
			freed++;
	}
	return freed;
}
