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
#include "core/io_ops.h"
#include "core/procinfo.h"
#include "core/u64map.h"
#include "core/util.h"

#include "core/col_io_int.h"

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
	map_buf_free(&c->parts);
	map_buf_free(&c->procs);
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

#define IO_STATS_PREALLOC	256	/* (disk, op) pairs where io_stats is preallocated */

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
	/* io_stats as raw_tp before 6.1: preallocated, 2.5 KB per CPU each */
	map_prealloc_for(s->maps.io_stats, s->progs.block_rq_complete_raw, IO_STATS_PREALLOC);
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
	u64map_init(&c->comms, sizeof(struct ktop_comm));
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
	err = io_read_stats(c);
	if (err) {
		snprintf(st->note, sizeof(st->note), "cannot read I/O stats: %s", strerror(-err));
		return err;
	}
	err = io_fill_rows(c, out);
	if (err) {
		snprintf(st->note, sizeof(st->note), "cannot build I/O rows: %s", strerror(-err));
		return err;	/* keep the previous reading: the next delta covers both */
	}
	u64map_swap(&c->sprev, &c->scur);
	e2 = io_read_parts(c, out);
	if (e2) {
		snprintf(st->note, sizeof(st->note), "cannot read partition stats: %s",
			 strerror(-e2));
		err = e2;
	}
	e2 = io_read_procs(c, out, sweep);
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
		c->abandoned += io_sweep_stale(c);
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
