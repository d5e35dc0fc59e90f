// SPDX-License-Identifier: GPL-2.0
/* I/O sections of the JSON and text writers. */
#include <string.h>
#include "ktop/io.h"
#include "core/io_ops.h"
#include "core/out.h"
#include "core/field.h"
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

/* The mean latency: the JSON has it, not the sum (count * avg_ns gives the
 * same mean back). Needs "count" before it in the table. */
static void put_avg(struct jw *w, const struct fld *f, const void *row)
{
	const struct ktop_io_row *r = row;

	jw_u64(w, f->name, r->count ? r->total_ns / r->count : 0);
}

static void get_avg(const struct jv *o, const struct fld *f, void *row)
{
	struct ktop_io_row *r = row;

	r->total_ns = r->count * jv_u64(o, f->name);
}

/* An operation class (uint32_t) by its name. */
static void put_op(struct jw *w, const struct fld *f, const void *row)
{
	jw_str(w, f->name, ktop_io_op_name((uint32_t)fld_u(f, row)));
}

static void get_op(const struct jv *o, const struct fld *f, void *row)
{
	char name[16];

	jv_str(o, f->name, name, sizeof(name));
	fld_set_u(f, row, ktop_io_op_of(name));
}

/* A sector, or null for a request without one. */
static void put_sector(struct jw *w, const struct fld *f, const void *row)
{
	uint64_t v = fld_u(f, row);

	if (v == KTOP_IO_NO_SECTOR)
		jw_null(w, f->name);
	else
		jw_u64(w, f->name, v);
}

static void get_sector(const struct jv *o, const struct fld *f, void *row)
{
	const struct jv *v = jv_get(o, f->name);

	fld_set_u(f, row, v && v->type == JV_NUM ? jv_u64(o, f->name) : KTOP_IO_NO_SECTOR);
}

/* What a slow request is beyond its op; absent for a plain one. */
static void put_kind(struct jw *w, const struct fld *f, const void *row)
{
	uint64_t k = fld_u(f, row);

	if (k == KTOP_IO_SLOW_PREFLUSH)
		jw_str(w, f->name, "flush_request");
	else if (k == KTOP_IO_SLOW_DEVFLUSH)
		jw_str(w, f->name, "device_flush");
}

static void get_kind(const struct jv *o, const struct fld *f, void *row)
{
	char kind[24];

	jv_str(o, f->name, kind, sizeof(kind));
	fld_set_u(f, row, !strcmp(kind, "flush_request") ? KTOP_IO_SLOW_PREFLUSH :
		  !strcmp(kind, "device_flush") ? KTOP_IO_SLOW_DEVFLUSH : KTOP_IO_SLOW_PLAIN);
}

/* A device flush: the flush requests it served, and why it may have no process. */
static void put_for_more(struct jw *w, const struct fld *f, const void *row)
{
	const struct ktop_io_slow *e = row;

	if (e->kind != KTOP_IO_SLOW_DEVFLUSH)
		return;
	jw_u64(w, f->name, e->for_more);
	if (!e->pid)
		jw_str(w, "why_no_process", flush_why);
}

static void get_for_more(const struct jv *o, const struct fld *f, void *row)
{
	fld_set_u(f, row, jv_u64(o, f->name));
}

const struct fld ktop_io_row_fields[] = {
	FLD_STR(struct ktop_io_row, disk, "disk"),
	FLD_STR(struct ktop_io_row, op, "op"),
	FLD_U(struct ktop_io_row, count, "count", "count"),
	FLD_U(struct ktop_io_row, bytes, "bytes", "bytes"),
	FLD_FN(struct ktop_io_row, total_ns, "avg_ns", "ns", put_avg, get_avg),
	FLD_U(struct ktop_io_row, p50_ns, "p50_ns", "ns"),
	FLD_U(struct ktop_io_row, p95_ns, "p95_ns", "ns"),
	FLD_U(struct ktop_io_row, p99_ns, "p99_ns", "ns"),
	FLD_U(struct ktop_io_row, p999_ns, "p999_ns", "ns"),
	FLD_U(struct ktop_io_row, max_ns, "max_ns", "ns"),
	FLD_U(struct ktop_io_row, queue_avg_ns, "queue_avg_ns", "ns"),
	FLD_U(struct ktop_io_row, device_avg_ns, "device_avg_ns", "ns"),
	FLD_U(struct ktop_io_row, queued, "queued", "count"),
	FLD_U(struct ktop_io_row, issued, "issued", "count"),
	FLD_U(struct ktop_io_row, noattr, "unattributed", "count"),
	FLD_U(struct ktop_io_row, errors, "errors", "count"),
	FLD_BOOL(struct ktop_io_row, flagged, "flagged"),
	FLD_HIST(struct ktop_io_row, hist, "hist"),	/* not in the contract: for replay's bar chart */
	FLD_END
};

const struct fld ktop_io_part_fields[] = {
	FLD_STR(struct ktop_io_part, disk, "disk"),
	FLD_STR(struct ktop_io_part, part, "partition"),
	FLD_FN(struct ktop_io_part, opn, "op", NULL, put_op, get_op),
	FLD_U(struct ktop_io_part, count, "count", "count"),
	FLD_U(struct ktop_io_part, bytes, "bytes", "bytes"),
	FLD_END
};

const struct fld ktop_io_proc_fields[] = {
	FLD_U(struct ktop_io_proc, pid, "pid", NULL),
	FLD_STR(struct ktop_io_proc, comm, "comm"),
	FLD_STR(struct ktop_io_proc, disk, "disk"),
	FLD_FN(struct ktop_io_proc, opn, "op", NULL, put_op, get_op),
	FLD_U(struct ktop_io_proc, count, "count", "count"),
	FLD_U(struct ktop_io_proc, bytes, "bytes", "bytes"),
	FLD_END
};

const struct fld ktop_io_slow_fields[] = {
	FLD_TIME(struct ktop_io_slow, real_ns, "timestamp"),
	FLD_STR(struct ktop_io_slow, disk, "disk"),
	FLD_STR(struct ktop_io_slow, part, "partition"),
	FLD_FN(struct ktop_io_slow, opn, "op", NULL, put_op, get_op),
	FLD_FN(struct ktop_io_slow, sector, "sector", "sector", put_sector, get_sector),
	FLD_FN(struct ktop_io_slow, kind, "kind", NULL, put_kind, get_kind),
	FLD_U(struct ktop_io_slow, bytes, "bytes", "bytes"),
	FLD_U(struct ktop_io_slow, lat_ns, "lat_ns", "ns"),
	FLD_U(struct ktop_io_slow, queue_ns, "queue_ns", "ns"),
	FLD_U(struct ktop_io_slow, device_ns, "device_ns", "ns"),
	FLD_U(struct ktop_io_slow, pid, "pid", NULL),
	FLD_STR(struct ktop_io_slow, comm, "comm"),
	FLD_FN(struct ktop_io_slow, for_more, "for_more", "count", put_for_more, get_for_more),
	FLD_BOOL(struct ktop_io_slow, error, "error"),
	FLD_END
};

static const struct fld drops_fields[] = {
	FLD_U(struct ktop_io_snap, drops.reqs_full, "reqs_full", "count"),
	FLD_U(struct ktop_io_snap, drops.stats_full, "stats_full", "count"),
	FLD_U(struct ktop_io_snap, drops.parts_full, "parts_full", "count"),
	FLD_U(struct ktop_io_snap, drops.procs_full, "procs_full", "count"),
	FLD_U(struct ktop_io_snap, drops.slow, "slow", "count"),
	FLD_U(struct ktop_io_snap, drops.stale, "stale", "count"),
	FLD_U(struct ktop_io_snap, drops.abandoned, "abandoned", "count"),
	FLD_END
};

/* The tab's members up to the slow list (written apart: only the requests
 * of this interval). */
static const struct fld snap_fields[] = {
	FLD_U(struct ktop_io_snap, slow_threshold_ns, "slow_threshold_ns", "ns"),
	FLD_U(struct ktop_io_snap, flag_p95_ns, "flag_p95_ns", "ns"),
	FLD_U(struct ktop_io_snap, untracked, "untracked", "count"),
	FLD_OBJ("drops", drops_fields),
	FLD_ARR(struct ktop_io_snap, rows, nrows, "rows", ktop_io_row_fields),
	FLD_ARR(struct ktop_io_snap, parts, nparts, "partitions", ktop_io_part_fields),
	FLD_ARR(struct ktop_io_snap, procs, nprocs, "processes", ktop_io_proc_fields),
	FLD_U(struct ktop_io_snap, slow_count, "slow_count", "count"),
	FLD_U(struct ktop_io_snap, nslow_new, "slow_listed", "count"),
	FLD_U(struct ktop_io_snap, slow_not_kept, "slow_not_kept", "count"),
	FLD_U(struct ktop_io_snap, lost_in_percentiles, "lost_in_percentiles", "count"),
	FLD_END
};

/* See out.h. Counts are of this interval; "slow" holds only the slow
 * requests that completed in it (the dashboard keeps a longer list). */
void out_json_io(struct jw *w, const struct ktop_snapshot *s)
{
	const struct ktop_io_snap *io = &s->io;
	uint32_t i;

	fld_put(w, snap_fields, io);
	jw_arr(w, "slow");
	for (i = 0; i < io->nslow_new; i++) {
		jw_obj(w, NULL);
		fld_put(w, ktop_io_slow_fields, &io->slow[i]);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

/* Sanitized copy of a fixed-size comm for printing. */
static const char *comm_str(const char comm[KTOP_COMM_LEN])
{
	char tmp[KTOP_COMM_LEN + 1];

	memcpy(tmp, comm, KTOP_COMM_LEN);
	tmp[KTOP_COMM_LEN] = 0;
	return san(tmp);
}

/* See out.h. */
void out_text_io(FILE *f, const struct ktop_snapshot *s)
{
	const struct ktop_io_snap *io = &s->io;
	char a[16], b[16], c[16], d[16], e[16], g[16], h[16], k[16], m[16], q[16];
	uint32_t i;

	fprintf(f, "%-10s %-7s %7s %8s %7s %7s %7s %7s %7s %7s %7s %7s\n", "DISK", "OP", "IOPS",
		"MB/s", "AVG", "P50", "P95", "P99", "P99.9", "MAX", "QUEUE", "DEVICE");
	for (i = 0; i < io->nrows && i < TEXT_ROWS; i++) {
		const struct ktop_io_row *r = &io->rows[i];

		fprintf(f, "%-10s %-7s %7s %8.2f %7s %7s %7s %7s %7s %7s %7s %7s%s\n", san(r->disk),
			r->op, fmt_count(a, sizeof(a), ktop_rate(s, r->count)), ktop_rate(s, r->bytes) / 1e6,
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
			fmt_count(a, sizeof(a), ktop_rate(s, p->count)), ktop_rate(s, p->bytes) / 1e6);
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

/* Disk names seen in one record, so rows, partitions and processes of the
 * same disk get the same stand-in dev (the JSON names disks, the screen
 * matches them by dev). A recording has at most one disk per row. */
struct disk_ids {
	uint32_t n;
	char name[KTOP_IO_ROWS_MAX][KTOP_IO_NAME];
};

/* The stand-in dev (1..) of a disk name; 0 once the table is full (only a
 * file ktop did not write gets there). Can't fail. */
static uint32_t disk_id(struct disk_ids *d, const char disk[KTOP_IO_NAME])
{
	uint32_t i;

	for (i = 0; i < d->n; i++)
		if (!strcmp(d->name[i], disk))
			return i + 1;
	if (d->n == sizeof(d->name) / sizeof(d->name[0]))
		return 0;
	memcpy(d->name[d->n++], disk, KTOP_IO_NAME);
	return d->n;
}

/*
 * See replay.h: the inverse of out_json_io(). The kernel's dev numbers are
 * not in the JSON; disks get a stand-in dev per name, in the order rows,
 * partitions, processes name them. A line holds only the slow requests that
 * completed in its interval, so the replayed list is those. Can't fail.
 */
void replay_io(const struct jv *tab, struct ktop_snapshot *s)
{
	struct ktop_io_snap *io = &s->io;
	const struct jv *a = jv_arr(tab, "slow");
	struct disk_ids ids = { .n = 0 };
	uint32_t i;

	fld_get(tab, snap_fields, io);
	for (i = 0; i < io->nrows; i++) {
		io->rows[i].dev = disk_id(&ids, io->rows[i].disk);
		io->rows[i].opn = ktop_io_op_of(io->rows[i].op);
	}
	for (i = 0; i < io->nparts; i++)
		io->parts[i].dev = disk_id(&ids, io->parts[i].disk);
	for (i = 0; i < io->nprocs; i++)
		io->procs[i].dev = disk_id(&ids, io->procs[i].disk);
	for (i = 0; a && i < a->n && io->nslow < KTOP_IO_SLOW_MAX; i++)
		fld_get(&a->kids[i], ktop_io_slow_fields, &io->slow[io->nslow++]);
	io->nslow_new = io->nslow;
	if (!jv_get(tab, "slow_not_kept") && io->slow_count > io->nslow)	/* older recordings */
		io->slow_not_kept = io->slow_count - io->nslow;
}
