// SPDX-License-Identifier: GPL-2.0
/* I/O collector: per-disk latency histograms, partition and process breakdowns, slow requests. */
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

#define AGE_EVERY	10		/* polls between sweeps (exited processes, stale requests) */
/* A request not completed this long after its last event is taken as
 * abandoned (its device went away mid-flight) and its slot freed. Longer
 * than any SCSI timeout with retries. */
#define STALE_NS	(600ull * 1000000000ull)
#define FREE_NS		(60ull * 1000000000ull)	/* unused free request slots go */
#define STAT_STRIDE	((sizeof(struct ktop_io_stat) + 7) & ~(size_t)7)

struct io_cum {				/* one (disk, op), summed over CPUs */
	uint64_t count, bytes, total_ns, max_ns, queued, queue_ns, issued, device_ns;
	uint64_t noattr, errors;
	uint64_t hist[KTOP_HIST_BUCKETS];
};

struct part_cum {			/* one (partition, op) */
	uint32_t disk;
	uint64_t count, bytes;
};

struct proc_cum {			/* one (process, disk, op) */
	uint32_t tgid, disk, op;
	uint64_t count, bytes;
};

struct col_io {
	struct io_bpf *skel;
	bool have_start;		/* block_io_start exists: attribute there */
	struct ring_buffer *rb;
	struct disks disks;
	uint64_t slow_ns, flag_ns;
	struct u64map sprev, scur;	/* disk << 8 | op -> struct io_cum */
	struct u64map pprev, pcur;	/* part << 8 | op -> struct part_cum */
	struct u64map qprev, qcur;	/* tgid << 32 | disk index << 3 | op -> struct proc_cum */
	struct u64map disk_idx;		/* disk dev -> uint32_t index, for the key above */
	uint32_t ndisk_idx;
	struct u64map dead;		/* tgids found exited at the last sweep -> nothing */
	struct u64map comms;		/* tgid -> struct ktop_io_comm */
	void *statbuf;			/* one per-CPU io_stats value */
	void *pkeys, *pvals;		/* batch buffers of io_parts */
	size_t pcap;
	void *qkeys, *qvals;		/* ... of io_procs */
	size_t qcap;
	struct ktop_io_row *rtmp;	/* every (disk, op) with I/O this interval */
	size_t rtmpcap;
	struct ktop_io_proc *ptmp;	/* every (process, disk, op) with I/O this interval */
	size_t ptmpcap;
	struct ktop_io_slow recent[KTOP_IO_SLOW_MAX];	/* newest first */
	uint32_t nrecent, nnew;		/* nnew: the first nnew arrived since the last poll */
	uint64_t slow_count;		/* slow requests since the last poll */
	uint64_t polls;
	uint64_t abandoned;		/* stale requests freed by the sweep */
	struct ktop_io_drops drops_prev;	/* cumulative, at the previous poll */
	uint64_t lost_prev, untracked_prev;
	int64_t mono_to_real;		/* add to a CLOCK_MONOTONIC time for CLOCK_REALTIME */
};

static const char *const op_names[KTOP_IO_OPS] = {
	[KTOP_IO_OP_READ] = "read",
	[KTOP_IO_OP_WRITE] = "write",
	[KTOP_IO_OP_DISCARD] = "discard",
	[KTOP_IO_OP_FLUSH] = "flush",
	[KTOP_IO_OP_OTHER] = "other",
};

/* See snap_io.h. */
const char *ktop_io_op_name(uint32_t opn)
{
	return opn < KTOP_IO_OPS ? op_names[opn] : "?";
}

static void col_io_free(void *p)
{
	struct col_io *c = p;

	if (!c)
		return;
	ring_buffer__free(c->rb);
	io_bpf__destroy(c->skel);
	disks_free(&c->disks);
	u64map_free(&c->sprev);
	u64map_free(&c->scur);
	u64map_free(&c->pprev);
	u64map_free(&c->pcur);
	u64map_free(&c->qprev);
	u64map_free(&c->qcur);
	u64map_free(&c->disk_idx);
	u64map_free(&c->dead);
	u64map_free(&c->comms);
	free(c->statbuf);
	free(c->pkeys);
	free(c->pvals);
	free(c->qkeys);
	free(c->qvals);
	free(c->rtmp);
	free(c->ptmp);
	free(c);
}

/* Index of the entry to drop from the full recent list for a new one of op
 * opn: the oldest whose op has more than KTOP_IO_SLOW_PER_OP entries (so a
 * bulk writer's slow writes cannot push out the few flushes), else the
 * oldest of opn itself, else the oldest. */
static uint32_t slow_victim(const struct col_io *c, uint32_t opn)
{
	uint32_t per_op[KTOP_IO_OPS + 1] = { 0 }, i, o;

	for (i = 0; i < c->nrecent; i++)
		per_op[c->recent[i].opn < KTOP_IO_OPS ? c->recent[i].opn : KTOP_IO_OPS]++;
	for (i = c->nrecent; i-- > 0;) {
		o = c->recent[i].opn < KTOP_IO_OPS ? c->recent[i].opn : KTOP_IO_OPS;
		if (per_op[o] > KTOP_IO_SLOW_PER_OP)
			return i;
	}
	for (i = c->nrecent; i-- > 0;)
		if (c->recent[i].opn == opn)
			return i;
	return c->nrecent - 1;
}

/*
 * A flush request (0-byte preflush write) completes right after the device
 * flush it waited for, in the same completion context (blk-flush.c ends the
 * waiting requests from the flush's end_io). The device flush has no
 * process (the block layer issues it); the kernel tells who asked for it
 * only this way: name the first requester on the flush, count the others.
 */
static void pair_flush(struct col_io *c, const struct ktop_io_slow *req)
{
	uint32_t i;

	for (i = 0; i < c->nrecent; i++) {
		struct ktop_io_slow *f = &c->recent[i];

		if (req->mono_ns - f->mono_ns > 2000000)	/* 2 ms: not the same completion */
			return;
		if (f->kind != KTOP_IO_SLOW_DEVFLUSH || strcmp(f->disk, req->disk))
			continue;
		if (!f->pid) {
			f->pid = req->pid;
			memcpy(f->comm, req->comm, sizeof(f->comm));
		} else {
			f->for_more++;
		}
		return;
	}
}

/* Ring-buffer callback: one slow request into the recent list. */
static int on_slow(void *ctx, void *data, size_t len)
{
	struct col_io *c = ctx;
	const struct ktop_io_event *e = data;
	struct ktop_io_slow s;
	uint32_t at;

	if (len < sizeof(*e))
		return 0;
	c->slow_count++;
	memset(&s, 0, sizeof(s));
	s.real_ns = (int64_t)e->ts_ns + c->mono_to_real;
	s.mono_ns = e->ts_ns;
	snprintf(s.disk, sizeof(s.disk), "%s", disks_get(&c->disks, e->disk)->name);
	snprintf(s.part, sizeof(s.part), "%s", disks_get(&c->disks, e->part)->name);
	s.opn = e->op;
	/* the sector is read at issue: a request never issued (a flush request
	 * the flush machinery ended) has none, nor has a device flush (-1) */
	s.sector = (e->flags & KTOP_IO_F_ISSUE) && e->op != KTOP_IO_OP_FLUSH &&
		   e->sector != ~0ULL ? e->sector : KTOP_IO_NO_SECTOR;
	if (e->op == KTOP_IO_OP_FLUSH)
		s.kind = KTOP_IO_SLOW_DEVFLUSH;
	else if (e->op == KTOP_IO_OP_WRITE && !e->bytes && !(e->flags & KTOP_IO_F_ISSUE))
		s.kind = KTOP_IO_SLOW_PREFLUSH;
	s.bytes = e->bytes;
	s.lat_ns = e->lat_ns;
	s.queue_ns = e->queue_ns;
	s.device_ns = e->device_ns;
	s.pid = e->tgid;
	s.error = (int)e->error;
	if (e->flags & KTOP_IO_F_ATTR) {
		memcpy(s.comm, e->comm, sizeof(s.comm));
		s.comm[sizeof(s.comm) - 1] = 0;
	}
	if (s.kind == KTOP_IO_SLOW_PREFLUSH && s.pid)
		pair_flush(c, &s);
	/* newest first: make room at the front */
	at = c->nrecent < KTOP_IO_SLOW_MAX ? c->nrecent++ : slow_victim(c, s.opn);
	if (at < c->nnew)
		c->nnew--;			/* one of this interval's made way */
	memmove(&c->recent[1], &c->recent[0], at * sizeof(c->recent[0]));
	c->recent[0] = s;
	c->nnew++;
	return 0;
}

/* Open the BPF object and set it up for this kernel (start: block_io_start exists). */
static int open_skel(void *col, const struct ktop_opts *o, struct ktop_tab_status *st)
{
	struct col_io *c = col;
	bool start = c->have_start;
	struct io_bpf *s;
	bool btf = probe_tp_btf_ok(o), qarg;
	int err;

	s = c->skel = io_bpf__open();
	if (!s) {
		err = -errno;
		load_error(st, "io: cannot open BPF object", err);
		return err;
	}
	s->rodata->targ_filter = o->npids > 0;
	s->rodata->targ_slow_ns = o->io_slow_ns;
	s->rodata->targ_have_io_start = start;
	/* block_bio_queue(q, bio) until 5.11, block_bio_queue(bio) since */
	qarg = probe_tp_nargs("block_bio_queue") >= 2;
	bpf_program__set_autoload(s->progs.block_bio_queue_raw, !start && !qarg);
	bpf_program__set_autoload(s->progs.block_bio_queue_q_raw, !start && qarg);
	bpf_map__set_autocreate(s->maps.io_bio_owner, !start);
	prog_choose(s->progs.block_io_start_btf, s->progs.block_io_start_raw, btf);
	if (!start) {
		bpf_program__set_autoload(s->progs.block_io_start_btf, false);
		bpf_program__set_autoload(s->progs.block_io_start_raw, false);
	}
	prog_choose(s->progs.block_rq_insert_btf, s->progs.block_rq_insert_raw, btf);
	prog_choose(s->progs.block_rq_issue_btf, s->progs.block_rq_issue_raw, btf);
	prog_choose(s->progs.block_rq_requeue_btf, s->progs.block_rq_requeue_raw, btf);
	prog_choose(s->progs.block_rq_merge_btf, s->progs.block_rq_merge_raw, btf);
	prog_choose(s->progs.block_rq_complete_btf, s->progs.block_rq_complete_raw, btf);
	return 0;
}

static int load_skel(void *col)
{
	return io_bpf__load(((struct col_io *)col)->skel);
}

static void destroy_skel(void *col)
{
	struct col_io *c = col;

	io_bpf__destroy(c->skel);
	c->skel = NULL;
}

static const struct skel_steps steps = { open_skel, load_skel, destroy_skel };

static int col_io_open(void **out, const struct ktop_opts *o, struct ktop_tab_status *st)
{
	static const char *const need[] = { "block_rq_insert", "block_rq_issue",
					     "block_rq_complete", "block_rq_requeue",
					     "block_rq_merge" };
	struct col_io *c;
	bool start;
	size_t i;
	int err;

	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		if (!probe_tracepoint(need[i])) {
			snprintf(st->why, sizeof(st->why),
				 "io: kernel has no block:%s tracepoint (CONFIG_BLK_DEV, BTF?)", need[i]);
			return -ENOENT;
		}
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	disks_init(&c->disks, "/sys");
	u64map_init(&c->sprev, sizeof(struct io_cum));
	u64map_init(&c->scur, sizeof(struct io_cum));
	u64map_init(&c->pprev, sizeof(struct part_cum));
	u64map_init(&c->pcur, sizeof(struct part_cum));
	u64map_init(&c->qprev, sizeof(struct proc_cum));
	u64map_init(&c->qcur, sizeof(struct proc_cum));
	u64map_init(&c->disk_idx, sizeof(uint32_t));
	u64map_init(&c->dead, 1);
	u64map_init(&c->comms, sizeof(struct ktop_io_comm));
	c->slow_ns = o->io_slow_ns;
	c->flag_ns = o->io_flag_p95_ns;
	c->mono_to_real = now_real_ns() - (int64_t)now_mono_ns();
	c->statbuf = calloc(ncpus_possible(), STAT_STRIDE);
	if (!c->statbuf) {
		err = -ENOMEM;
		goto fail;
	}
	/* block_io_start (6.5+) runs where the request is built from the bio,
	 * in the submitting task; without it, the request is attributed to
	 * the task that submitted its first bio (block_bio_queue). */
	start = probe_tracepoint("block_io_start");
	if (!start && !probe_tracepoint("block_bio_queue")) {
		snprintf(st->why, sizeof(st->why),
			 "io: kernel has neither block:block_io_start nor block:block_bio_queue");
		err = -ENOENT;
		goto fail;
	}
	c->have_start = start;
	err = skel_load_retry(c, &steps, o, st, "io: kernel refused the BPF programs");
	if (err)
		goto fail;
	err = pid_filter_fill(c->skel->maps.pid_filter, o);
	if (err) {
		load_error(st, "io: cannot set the -p filter", err);
		goto fail;
	}
	c->rb = ring_buffer__new(bpf_map__fd(c->skel->maps.io_slow), on_slow, c, NULL);
	if (!c->rb) {
		err = -errno;
		load_error(st, "io: cannot open the slow-I/O ring buffer", err);
		goto fail;
	}
	err = io_bpf__attach(c->skel);
	if (err) {
		load_error(st, "io: cannot attach to the block tracepoints", err);
		goto fail;
	}
	prog_attach_kinds(c->skel->obj, st->attach, sizeof(st->attach));
	if (!start)
		snprintf(st->note, sizeof(st->note),
			 "no block_io_start on this kernel: processes attributed at block_bio_queue");
	*out = c;
	return 0;
fail:
	col_io_free(c);
	return err;
}

/* Read every (disk, op) of io_stats, summed over CPUs, into c->scur. The
 * map holds a handful of keys with big values, so one lookup per key keeps
 * the buffer at one value instead of max_entries of them. */
static int read_stats(struct col_io *c)
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
static int fill_rows(struct col_io *c, struct ktop_io_snap *out)
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
static int read_parts(struct col_io *c, struct ktop_io_snap *out)
{
	size_t stride = (sizeof(struct ktop_io_cnt) + 7) & ~(size_t)7;
	int ncpu = ncpus_possible(), cpu;
	struct ktop_io_part tmp[KTOP_IO_SNAP_PARTS * 4];
	size_t n = 0;
	long m, i;

	m = map_read_all(bpf_map__fd(c->skel->maps.io_parts), sizeof(struct ktop_io_pkey),
			 sizeof(struct ktop_io_cnt), true, &c->pkeys, &c->pvals, &c->pcap);
	if (m < 0)
		return (int)m;
	u64map_clear(&c->pcur);
	for (i = 0; i < m; i++) {
		const struct ktop_io_pkey *k = (const void *)((char *)c->pkeys + i * sizeof(*k));
		uint64_t key = (uint64_t)k->part << 8 | k->op;
		struct part_cum sum = { .disk = k->disk }, *prev, *slot;
		struct ktop_io_part *d;

		for (cpu = 0; cpu < ncpu; cpu++) {
			const struct ktop_io_cnt *v = (const void *)((char *)c->pvals +
							(i * ncpu + cpu) * stride);

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
static int read_procs(struct col_io *c, struct ktop_io_snap *out, bool sweep)
{
	size_t stride = (sizeof(struct ktop_io_cnt) + 7) & ~(size_t)7, n = 0, j;
	int fd = bpf_map__fd(c->skel->maps.io_procs), ncpu = ncpus_possible(), cpu;
	struct u64map dead_now;
	struct proc_live live;
	long m, i;

	m = map_read_all(fd, sizeof(struct ktop_io_proc_key), sizeof(struct ktop_io_cnt), true,
			 &c->qkeys, &c->qvals, &c->qcap);
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
		const struct ktop_io_proc_key *k = (const void *)((char *)c->qkeys + i * sizeof(*k));
		struct proc_cum sum = { .tgid = k->tgid, .disk = k->disk, .op = k->op };
		struct proc_cum *prev, *slot;
		struct ktop_io_proc *d;
		uint32_t idx;
		uint64_t key;

		if (disk_index(c, k->disk, &idx))
			continue;
		key = (uint64_t)k->tgid << 32 | (uint64_t)idx << 3 | (k->op & 7);
		for (cpu = 0; cpu < ncpu; cpu++) {
			const struct ktop_io_cnt *v = (const void *)((char *)c->qvals +
							(i * ncpu + cpu) * stride);

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
static uint64_t sweep_stale(struct col_io *c)
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

/* Copy the recent slow requests, newest first, into the snapshot, and
 * count those of this interval that are not in it. */
static void fill_slow(struct col_io *c, struct ktop_io_snap *out)
{
	out->nslow = c->nrecent;
	out->nslow_new = c->nnew < c->nrecent ? c->nnew : c->nrecent;
	memcpy(out->slow, c->recent, c->nrecent * sizeof(c->recent[0]));
	out->slow_count = c->slow_count;
	out->slow_not_kept = c->slow_count > out->nslow_new ? c->slow_count - out->nslow_new : 0;
	c->nnew = 0;
	c->slow_count = 0;
}

static int col_io_poll(void *p, struct ktop_snapshot *snap)
{
	struct col_io *c = p;
	struct ktop_tab_status *st = &snap->tab[KTOP_TAB_IO];
	struct ktop_io_snap *out = &snap->io;
	const struct io_bpf__bss *bss = c->skel->bss;
	bool sweep = ++c->polls % AGE_EVERY == 0;
	struct ktop_io_drops cum;
	uint64_t lost;
	int err, e2;

	if (sweep)
		disks_forget(&c->disks);	/* devices come and go */
	out->slow_threshold_ns = c->slow_ns;
	out->flag_p95_ns = c->flag_ns;
	err = read_stats(c);
	if (err) {
		snprintf(st->note, sizeof(st->note), "cannot read I/O stats: %s", strerror(-err));
		return err;
	}
	err = fill_rows(c, out);
	if (err) {
		snprintf(st->note, sizeof(st->note), "cannot build I/O rows: %s", strerror(-err));
		return err;	/* keep the previous reading: the next delta covers both */
	}
	u64map_swap(&c->sprev, &c->scur);
	e2 = read_parts(c, out);
	if (e2) {
		snprintf(st->note, sizeof(st->note), "cannot read partition stats: %s",
			 strerror(-e2));
		err = e2;
	}
	e2 = read_procs(c, out, sweep);
	if (e2) {
		snprintf(st->note, sizeof(st->note), "cannot read per-process stats: %s",
			 strerror(-e2));
		err = e2;
	}
	e2 = ring_buffer__consume(c->rb);
	if (e2 < 0) {
		snprintf(st->note, sizeof(st->note), "cannot read slow I/O records: %s",
			 strerror(-e2));
		err = e2;
	}
	fill_slow(c, out);
	if (sweep)
		c->abandoned += sweep_stale(c);
	out->untracked = delta_u64(c->untracked_prev, bss->untracked);
	c->untracked_prev = bss->untracked;
	cum.reqs_full = bss->drops_reqs_full;
	cum.stats_full = bss->drops_stats_full;
	cum.parts_full = bss->drops_parts_full;
	cum.procs_full = bss->drops_proc_full;
	cum.slow = bss->drops_slow;
	cum.stale = bss->drops_stale;
	cum.abandoned = c->abandoned;
	out->drops.reqs_full = delta_u64(c->drops_prev.reqs_full, cum.reqs_full);
	out->drops.stats_full = delta_u64(c->drops_prev.stats_full, cum.stats_full);
	out->drops.parts_full = delta_u64(c->drops_prev.parts_full, cum.parts_full);
	out->drops.procs_full = delta_u64(c->drops_prev.procs_full, cum.procs_full);
	out->drops.slow = delta_u64(c->drops_prev.slow, cum.slow);
	out->drops.stale = delta_u64(c->drops_prev.stale, cum.stale);
	out->drops.abandoned = delta_u64(c->drops_prev.abandoned, cum.abandoned);
	c->drops_prev = cum;
	out->lost_in_percentiles = out->drops.reqs_full + out->drops.stats_full + out->drops.stale +
				   out->drops.abandoned;
	lost = cum.reqs_full + cum.stats_full + cum.parts_full + cum.procs_full + cum.slow +
	       cum.stale + cum.abandoned;
	st->lost = delta_u64(c->lost_prev, lost);
	st->lost_total = lost;
	c->lost_prev = lost;
	return err;
}

const struct ktop_collector col_io = {
	.name = "io",
	.tab = KTOP_TAB_IO,
	.open = col_io_open,
	.poll = col_io_poll,
	.free = col_io_free,
};
