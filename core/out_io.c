// SPDX-License-Identifier: GPL-2.0
/* I/O sections of the JSON and text writers. */
#include <string.h>
#include "core/out.h"
#include "core/fmt.h"
#include "core/sanitize.h"

#define TEXT_ROWS	20
#define TEXT_PROCS	10
#define TEXT_SLOW	10

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
	jw_arr(w, "slow");
	for (i = 0; i < io->nslow_new; i++) {
		const struct ktop_io_slow *e = &io->slow[i];

		jw_obj(w, NULL);
		jw_str(w, "timestamp", fmt_iso8601(ts, sizeof(ts), e->real_ns));
		jw_str(w, "disk", e->disk);
		jw_str(w, "partition", e->part);
		jw_str(w, "op", ktop_io_op_name(e->opn));
		jw_u64(w, "sector", e->sector);
		jw_u64(w, "bytes", e->bytes);
		jw_u64(w, "lat_ns", e->lat_ns);
		jw_u64(w, "queue_ns", e->queue_ns);
		jw_u64(w, "device_ns", e->device_ns);
		jw_u64(w, "pid", e->pid);
		json_comm(w, "comm", e->comm);
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
	if (!io->nslow_new)
		return;
	fprintf(f, "\nslow I/O (>= %s): %llu in this interval\n",
		fmt_ns(q, sizeof(q), io->slow_threshold_ns), (unsigned long long)io->slow_count);
	fprintf(f, "%-24s %-10s %-7s %12s %8s %8s %7s %-16s\n", "TIME", "DEVICE", "OP", "SECTOR",
		"SIZE", "LATENCY", "PID", "COMM");
	for (i = 0; i < io->nslow_new && i < TEXT_SLOW; i++) {
		const struct ktop_io_slow *ev = &io->slow[i];
		char ts[40];

		fprintf(f, "%-24s %-10s %-7s %12llu %8s %8s %7u %-16s%s\n",
			fmt_iso8601(ts, sizeof(ts), ev->real_ns), san(ev->part),
			ktop_io_op_name(ev->opn), (unsigned long long)ev->sector,
			fmt_bytes(a, sizeof(a), (double)ev->bytes), fmt_ns(b, sizeof(b), ev->lat_ns),
			ev->pid, ev->pid ? comm_str(ev->comm) : "-", ev->error ? "  error" : "");
	}
}
