// SPDX-License-Identifier: GPL-2.0
/* I/O sections of the JSON and text writers. */
#include <string.h>
#include "ktop/io.h"
#include "core/out.h"
#include "core/replay.h"
#include "core/fmt.h"
#include "core/sanitize.h"

#define TEXT_ROWS	20
#define TEXT_PROCS	10
#define TEXT_SLOW	10

/* Why a device flush has no process (JSON why_no_process). */
static const char flush_why[] =
	"the block layer issues a device flush for every flush request waiting (fsync, journal "
	"commit); none of them was seen completing with it (below the slow threshold?)";

static void json_comm(struct jw *w, const char *key, const char comm[KTOP_COMM_MAX])
{
	jw_strn(w, key, comm, strnlen(comm, KTOP_COMM_MAX));
}

/* See out.h. Counts are of this interval; "slow" holds only the slow
 * requests that completed in it (the dashboard keeps a longer list). */
void out_json_io(struct jw *w, const struct ktop_snapshot *s)
{
	const struct ktop_io_snap *io = &s->io;
	char ts[40];
	uint32_t i;

	jw_u64(w, "slow_threshold_ns", io->slow_threshold_ns);
	jw_u64(w, "flag_p95_ns", io->flag_p95_ns);
	jw_u64(w, "untracked", io->untracked);
	jw_obj(w, "drops");
	jw_u64(w, "reqs_full", io->drops.reqs_full);
	jw_u64(w, "stats_full", io->drops.stats_full);
	jw_u64(w, "parts_full", io->drops.parts_full);
	jw_u64(w, "procs_full", io->drops.procs_full);
	jw_u64(w, "slow", io->drops.slow);
	jw_u64(w, "stale", io->drops.stale);
	jw_u64(w, "abandoned", io->drops.abandoned);
	jw_obj_end(w);
	jw_arr(w, "rows");
	for (i = 0; i < io->nrows; i++) {
		const struct ktop_io_row *r = &io->rows[i];

		jw_obj(w, NULL);
		jw_str(w, "disk", r->disk);
		jw_str(w, "op", r->op);
		jw_u64(w, "count", r->count);
		jw_u64(w, "bytes", r->bytes);
		jw_u64(w, "avg_ns", r->count ? r->total_ns / r->count : 0);
		jw_u64(w, "p50_ns", r->p50_ns);
		jw_u64(w, "p95_ns", r->p95_ns);
		jw_u64(w, "p99_ns", r->p99_ns);
		jw_u64(w, "p999_ns", r->p999_ns);
		jw_u64(w, "max_ns", r->max_ns);
		jw_u64(w, "queue_avg_ns", r->queue_avg_ns);
		jw_u64(w, "device_avg_ns", r->device_avg_ns);
		jw_u64(w, "queued", r->queued);
		jw_u64(w, "issued", r->issued);
		jw_u64(w, "unattributed", r->noattr);
		jw_u64(w, "errors", r->errors);
		jw_bool(w, "flagged", r->flagged);
		out_json_hist(w, "hist", r->hist);	/* not in the contract: for replay's bar chart */
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_arr(w, "partitions");
	for (i = 0; i < io->nparts; i++) {
		const struct ktop_io_part *p = &io->parts[i];

		jw_obj(w, NULL);
		jw_str(w, "disk", p->disk);
		jw_str(w, "partition", p->part);
		jw_str(w, "op", ktop_io_op_name(p->opn));
		jw_u64(w, "count", p->count);
		jw_u64(w, "bytes", p->bytes);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_arr(w, "processes");
	for (i = 0; i < io->nprocs; i++) {
		const struct ktop_io_proc *p = &io->procs[i];

		jw_obj(w, NULL);
		jw_u64(w, "pid", p->pid);
		json_comm(w, "comm", p->comm);
		jw_str(w, "disk", p->disk);
		jw_str(w, "op", ktop_io_op_name(p->opn));
		jw_u64(w, "count", p->count);
		jw_u64(w, "bytes", p->bytes);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_u64(w, "slow_count", io->slow_count);
	jw_u64(w, "slow_listed", io->nslow_new);
	jw_u64(w, "slow_not_kept", io->slow_not_kept);
	jw_u64(w, "lost_in_percentiles", io->lost_in_percentiles);
	jw_arr(w, "slow");
	for (i = 0; i < io->nslow_new; i++) {
		const struct ktop_io_slow *e = &io->slow[i];

		jw_obj(w, NULL);
		jw_str(w, "timestamp", fmt_iso8601(ts, sizeof(ts), e->real_ns));
		jw_str(w, "disk", e->disk);
		jw_str(w, "partition", e->part);
		jw_str(w, "op", ktop_io_op_name(e->opn));
		if (e->sector == KTOP_IO_NO_SECTOR)
			jw_null(w, "sector");
		else
			jw_u64(w, "sector", e->sector);
		if (e->kind == KTOP_IO_SLOW_PREFLUSH)
			jw_str(w, "kind", "flush_request");
		else if (e->kind == KTOP_IO_SLOW_DEVFLUSH)
			jw_str(w, "kind", "device_flush");
		jw_u64(w, "bytes", e->bytes);
		jw_u64(w, "lat_ns", e->lat_ns);
		jw_u64(w, "queue_ns", e->queue_ns);
		jw_u64(w, "device_ns", e->device_ns);
		jw_u64(w, "pid", e->pid);
		json_comm(w, "comm", e->comm);
		if (e->kind == KTOP_IO_SLOW_DEVFLUSH) {
			jw_u64(w, "for_more", e->for_more);
			if (!e->pid)
				jw_str(w, "why_no_process", flush_why);
		}
		jw_bool(w, "error", e->error);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

/* Sanitized copy of a fixed-size comm for printing. */
static const char *comm_str(const char comm[KTOP_COMM_MAX])
{
	char tmp[KTOP_COMM_MAX + 1];

	memcpy(tmp, comm, KTOP_COMM_MAX);
	tmp[KTOP_COMM_MAX] = 0;
	return san(tmp);
}

/* See out.h. */
void out_text_io(FILE *f, const struct ktop_snapshot *s)
{
	const struct ktop_io_snap *io = &s->io;
	double secs = s->interval_ns ? s->interval_ns / 1e9 : 1;
	char a[16], b[16], c[16], d[16], e[16], g[16], h[16], k[16], m[16], q[16];
	uint32_t i;

	fprintf(f, "%-10s %-7s %7s %8s %7s %7s %7s %7s %7s %7s %7s %7s\n", "DISK", "OP", "IOPS",
		"MB/s", "AVG", "P50", "P95", "P99", "P99.9", "MAX", "QUEUE", "DEVICE");
	for (i = 0; i < io->nrows && i < TEXT_ROWS; i++) {
		const struct ktop_io_row *r = &io->rows[i];

		fprintf(f, "%-10s %-7s %7s %8.2f %7s %7s %7s %7s %7s %7s %7s %7s%s\n", san(r->disk),
			r->op, fmt_count(a, sizeof(a), r->count / secs), r->bytes / secs / 1e6,
			fmt_ns(b, sizeof(b), r->count ? r->total_ns / r->count : 0),
			fmt_ns(c, sizeof(c), r->p50_ns), fmt_ns(d, sizeof(d), r->p95_ns),
			fmt_ns(e, sizeof(e), r->p99_ns), fmt_ns(g, sizeof(g), r->p999_ns),
			fmt_ns(h, sizeof(h), r->max_ns),
			r->queued ? fmt_ns(k, sizeof(k), r->queue_avg_ns) : "-",
			r->issued ? fmt_ns(m, sizeof(m), r->device_avg_ns) : "-",
			r->flagged ? "  !p95" : "");
	}
	if (io->nrows > TEXT_ROWS)
		fprintf(f, "... %u more disk/operation rows\n", io->nrows - TEXT_ROWS);
	if (!io->nrows)
		fprintf(f, "(no block I/O completed in this interval)\n");
	fprintf(f, "\n%7s %-16s %-10s %-7s %8s %8s\n", "PID", "COMM", "DISK", "OP", "IOPS", "MB/s");
	for (i = 0; i < io->nprocs && i < TEXT_PROCS; i++) {
		const struct ktop_io_proc *p = &io->procs[i];

		fprintf(f, "%7u %-16s %-10s %-7s %8s %8.2f\n", p->pid, comm_str(p->comm),
			san(p->disk), ktop_io_op_name(p->opn),
			fmt_count(a, sizeof(a), p->count / secs), p->bytes / secs / 1e6);
	}
	if (!io->nslow_new && !io->drops.slow)
		return;
	fprintf(f, "\nslow I/O (>= %s): %llu in this interval, %u listed, %llu not kept (the list "
		"keeps %d), %llu not recorded (ring buffer full)\n",
		fmt_ns(q, sizeof(q), io->slow_threshold_ns),
		(unsigned long long)(io->slow_count + io->drops.slow), io->nslow_new,
		(unsigned long long)io->slow_not_kept, KTOP_IO_SLOW_MAX,
		(unsigned long long)io->drops.slow);
	fprintf(f, "%-24s %-10s %-7s %12s %8s %8s %7s %-16s\n", "TIME", "DEVICE", "OP", "SECTOR",
		"SIZE", "LATENCY", "PID", "COMM");
	for (i = 0; i < io->nslow_new && i < TEXT_SLOW; i++) {
		const struct ktop_io_slow *ev = &io->slow[i];
		char ts[40];

		char sec[24];

		if (ev->sector == KTOP_IO_NO_SECTOR)
			snprintf(sec, sizeof(sec), "-");
		else
			snprintf(sec, sizeof(sec), "%llu", (unsigned long long)ev->sector);
		fprintf(f, "%-24s %-10s %-7s %12s %8s %8s %7u %-16s%s%s\n",
			fmt_iso8601(ts, sizeof(ts), ev->real_ns), san(ev->part),
			ktop_io_op_name(ev->opn), sec,
			fmt_bytes(a, sizeof(a), (double)ev->bytes), fmt_ns(b, sizeof(b), ev->lat_ns),
			ev->pid, ev->pid ? comm_str(ev->comm) : "-",
			ev->kind == KTOP_IO_SLOW_PREFLUSH ? "  (flush request)" :
			ev->kind == KTOP_IO_SLOW_DEVFLUSH ? (ev->pid ? "  (device flush, for this process)" :
			"  (device flush, no process: see docs/io.md)") : "",
			ev->error ? "  error" : "");
	}
}

/* Operation class of a name ktop_io_op_name() gives; KTOP_IO_OP_OTHER for any other. */
static uint32_t op_of(const struct jv *o)
{
	char name[16];
	uint32_t i;

	jv_str(o, "op", name, sizeof(name));
	for (i = 0; i < KTOP_IO_OPS; i++)
		if (!strcmp(name, ktop_io_op_name(i)))
			return i;
	return KTOP_IO_OP_OTHER;
}

/* Disk names seen in one record, so rows, partitions and processes of the
 * same disk get the same stand-in dev (the JSON names disks, the screen
 * matches them by dev). A recording has at most one disk per row. */
struct disk_ids {
	uint32_t n;
	char name[KTOP_IO_ROWS_MAX][KTOP_IO_NAME];
};

/* Copy the "disk" member of o into disk and return its stand-in dev (1..);
 * 0 once the table is full (only a file ktop did not write gets there).
 * Can't fail. */
static uint32_t disk_of(struct disk_ids *d, const struct jv *o, char disk[KTOP_IO_NAME])
{
	uint32_t i;

	jv_str(o, "disk", disk, KTOP_IO_NAME);
	for (i = 0; i < d->n; i++)
		if (!strcmp(d->name[i], disk))
			return i + 1;
	if (d->n == sizeof(d->name) / sizeof(d->name[0]))
		return 0;
	memcpy(d->name[d->n++], disk, KTOP_IO_NAME);
	return d->n;
}

/*
 * See replay.h: the inverse of out_json_io(). The JSON has the average
 * latency, not the sum: total_ns is count * avg_ns, which gives the same
 * average back. The kernel's dev numbers are not in the JSON; disks get a
 * stand-in dev per name. A line holds only the slow requests that completed
 * in its interval, so the replayed list is those. Can't fail.
 */
void replay_io(const struct jv *tab, struct ktop_snapshot *s)
{
	struct ktop_io_snap *io = &s->io;
	const struct jv *drops = jv_get(tab, "drops"), *a;
	struct disk_ids ids = { .n = 0 };
	size_t i;

	io->slow_threshold_ns = jv_u64(tab, "slow_threshold_ns");
	io->flag_p95_ns = jv_u64(tab, "flag_p95_ns");
	io->untracked = jv_u64(tab, "untracked");
	io->drops.reqs_full = jv_u64(drops, "reqs_full");
	io->drops.stats_full = jv_u64(drops, "stats_full");
	io->drops.parts_full = jv_u64(drops, "parts_full");
	io->drops.procs_full = jv_u64(drops, "procs_full");
	io->drops.slow = jv_u64(drops, "slow");
	io->drops.stale = jv_u64(drops, "stale");
	io->drops.abandoned = jv_u64(drops, "abandoned");
	a = jv_arr(tab, "rows");
	for (i = 0; a && i < a->n && io->nrows < KTOP_IO_ROWS_MAX; i++) {
		const struct jv *o = &a->kids[i];
		struct ktop_io_row *r = &io->rows[io->nrows++];

		r->dev = disk_of(&ids, o, r->disk);
		r->opn = op_of(o);
		jv_str(o, "op", r->op, sizeof(r->op));
		r->count = jv_u64(o, "count");
		r->bytes = jv_u64(o, "bytes");
		r->total_ns = r->count * jv_u64(o, "avg_ns");
		r->p50_ns = jv_u64(o, "p50_ns");
		r->p95_ns = jv_u64(o, "p95_ns");
		r->p99_ns = jv_u64(o, "p99_ns");
		r->p999_ns = jv_u64(o, "p999_ns");
		r->max_ns = jv_u64(o, "max_ns");
		r->queue_avg_ns = jv_u64(o, "queue_avg_ns");
		r->device_avg_ns = jv_u64(o, "device_avg_ns");
		r->queued = jv_u64(o, "queued");
		r->issued = jv_u64(o, "issued");
		r->noattr = jv_u64(o, "unattributed");
		r->errors = jv_u64(o, "errors");
		r->flagged = jv_bool(o, "flagged");
		replay_hist(jv_arr(o, "hist"), r->hist);
	}
	a = jv_arr(tab, "partitions");
	for (i = 0; a && i < a->n && io->nparts < KTOP_IO_SNAP_PARTS; i++) {
		const struct jv *o = &a->kids[i];
		struct ktop_io_part *p = &io->parts[io->nparts++];

		p->dev = disk_of(&ids, o, p->disk);
		jv_str(o, "partition", p->part, sizeof(p->part));
		p->opn = op_of(o);
		p->count = jv_u64(o, "count");
		p->bytes = jv_u64(o, "bytes");
	}
	a = jv_arr(tab, "processes");
	for (i = 0; a && i < a->n && io->nprocs < KTOP_IO_PROCS_MAX; i++) {
		const struct jv *o = &a->kids[i];
		struct ktop_io_proc *p = &io->procs[io->nprocs++];

		p->pid = (uint32_t)jv_u64(o, "pid");
		jv_str(o, "comm", p->comm, sizeof(p->comm));
		p->dev = disk_of(&ids, o, p->disk);
		p->opn = op_of(o);
		p->count = jv_u64(o, "count");
		p->bytes = jv_u64(o, "bytes");
	}
	io->slow_count = jv_u64(tab, "slow_count");
	io->slow_not_kept = jv_u64(tab, "slow_not_kept");
	io->lost_in_percentiles = jv_u64(tab, "lost_in_percentiles");
	a = jv_arr(tab, "slow");
	for (i = 0; a && i < a->n && io->nslow < KTOP_IO_SLOW_MAX; i++) {
		const struct jv *o = &a->kids[i];
		struct ktop_io_slow *e = &io->slow[io->nslow++];
		char ts[40], kind[24];

		jv_str(o, "timestamp", ts, sizeof(ts));
		e->real_ns = replay_time(ts);
		jv_str(o, "disk", e->disk, sizeof(e->disk));
		jv_str(o, "partition", e->part, sizeof(e->part));
		e->opn = op_of(o);
		e->sector = jv_get(o, "sector") && jv_get(o, "sector")->type == JV_NUM ?
			    jv_u64(o, "sector") : KTOP_IO_NO_SECTOR;
		jv_str(o, "kind", kind, sizeof(kind));
		e->kind = !strcmp(kind, "flush_request") ? KTOP_IO_SLOW_PREFLUSH :
			  !strcmp(kind, "device_flush") ? KTOP_IO_SLOW_DEVFLUSH : KTOP_IO_SLOW_PLAIN;
		e->for_more = (uint32_t)jv_u64(o, "for_more");
		e->bytes = jv_u64(o, "bytes");
		e->lat_ns = jv_u64(o, "lat_ns");
		e->queue_ns = jv_u64(o, "queue_ns");
		e->device_ns = jv_u64(o, "device_ns");
		e->pid = (uint32_t)jv_u64(o, "pid");
		jv_str(o, "comm", e->comm, sizeof(e->comm));
		e->error = jv_bool(o, "error");
	}
	io->nslow_new = io->nslow;
	if (!jv_get(tab, "slow_not_kept") && io->slow_count > io->nslow)	/* older recordings */
		io->slow_not_kept = io->slow_count - io->nslow;
}
