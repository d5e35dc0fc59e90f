// SPDX-License-Identifier: GPL-2.0
/* I/O screen: latency per disk and operation, the selected row's histogram and who does it, slow I/O. */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "core/fmt.h"
#include "ui/ui_int.h"

enum { C_DISK, C_OP, C_IOPS, C_MBS, C_AVG, C_P50, C_P95, C_P99, C_P999, C_MAX, C_QUEUE,
       C_DEVICE, C_N };

static const struct ui_col cols[C_N] = {
	[C_DISK] = { "DISK", -7 }, [C_OP] = { "OP", -7 }, [C_IOPS] = { "IOPS", 6 },
	[C_MBS] = { "MB/s", 6, 1 }, [C_AVG] = { "AVG", 6, 2 }, [C_P50] = { "P50", 6, 4 },
	[C_P95] = { "P95", 6 }, [C_P99] = { "P99", 6 }, [C_P999] = { "P99.9", 6, 3 },
	[C_MAX] = { "MAX", 6 }, [C_QUEUE] = { "QUEUE", 6 }, [C_DEVICE] = { "DEVICE", 6 },
};

static int sort_col;

static uint64_t key(const struct ktop_io_row *r, int col)
{
	switch (col) {
	case C_IOPS: return r->count;
	case C_MBS: return r->bytes;
	case C_AVG: return r->count ? r->total_ns / r->count : 0;
	case C_P50: return r->p50_ns;
	case C_P95: return r->p95_ns;
	case C_P99: return r->p99_ns;
	case C_P999: return r->p999_ns;
	case C_MAX: return r->max_ns;
	case C_QUEUE: return r->queue_avg_ns;
	case C_DEVICE: return r->device_avg_ns;
	}
	return 0;
}

static int cmp(const void *ctx, int a, int b)
{
	const struct ktop_io_snap *io = ctx;
	const struct ktop_io_row *x = &io->rows[a], *y = &io->rows[b];
	uint64_t kx, ky;

	if (sort_col == C_DISK)
		return strcmp(x->disk, y->disk);
	if (sort_col == C_OP)
		return strcmp(x->op, y->op);
	kx = key(x, sort_col);
	ky = key(y, sort_col);
	return kx == ky ? 0 : kx > ky ? -1 : 1;	/* biggest first */
}

/* Did process pid do I/O on row r's disk and operation in this interval? */
static bool pid_in_row(const struct ktop_io_snap *io, uint32_t pid, const struct ktop_io_row *r)
{
	uint32_t i;

	for (i = 0; i < io->nprocs; i++)
		if (io->procs[i].pid == pid && io->procs[i].dev == r->dev &&
		    io->procs[i].opn == r->opn)
			return true;
	return false;
}

/* The filter: disk, op, or a process doing I/O on the row (PID, name). */
static bool match(struct ui *u, const struct ktop_io_snap *io, const struct ktop_io_row *r)
{
	uint32_t i;

	if (ui_match(u, r->disk) || ui_match(u, r->op))
		return true;
	for (i = 0; i < io->nprocs; i++)
		if (io->procs[i].dev == r->dev && io->procs[i].opn == r->opn &&
		    ui_match_proc(u, io->procs[i].pid, io->procs[i].comm))
			return true;
	return false;
}

/* A disk and operation. */
static uint64_t row_id(const struct ktop_snapshot *s, int row)
{
	const struct ktop_io_row *r = &s->io.rows[row];

	return (uint64_t)r->dev << 8 | r->opn;
}

/* The heaviest process of the disk and operation. */
static uint32_t row_pid(const struct ktop_snapshot *s, int row)
{
	const struct ktop_io_row *r = &s->io.rows[row];
	uint32_t i;

	for (i = 0; i < s->io.nprocs; i++)
		if (s->io.procs[i].dev == r->dev && s->io.procs[i].opn == r->opn)
			return s->io.procs[i].pid;
	return 0;
}

static void list(struct ui *u, const struct ktop_snapshot *s)
{
	const struct ktop_io_snap *io = &s->io;
	uint32_t i;

	u->nrows = 0;
	for (i = 0; i < io->nrows && u->nrows < UI_ROWS_MAX; i++) {
		const struct ktop_io_row *r = &io->rows[i];

		if (!match(u, io, r))
			continue;
		if (u->pid && !pid_in_row(io, u->pid, r))
			continue;
		u->rows[u->nrows++] = (int)i;
	}
	sort_col = u->t[u->tab].sort;
	ui_sort_rows(u, cmp, io);
}

static void title_line(struct ui *u, int y, int x, int w, const char *text)
{
	ui_color_on(u, UI_C_TITLE);
	ui_put_fit(y, x, w, text);
	ui_color_off(u, UI_C_TITLE);
}

static void dim_line(struct ui *u, int y, int x, int w, const char *text)
{
	ui_color_on(u, UI_C_DIM);
	ui_put(y, x, w, text);
	ui_color_off(u, UI_C_DIM);
}

/* The selected row's processes, then (details) its partitions and timing
 * breakdown. Returns the number of lines used. */
static int draw_who(struct ui *u, const struct ktop_snapshot *s, const struct ktop_io_row *r,
		    int y, int x, int w, int h, bool detail)
{
	const struct ktop_io_snap *io = &s->io;
	char line[160], a[16], b[16], c[16], comm[KTOP_COMM_LEN + 1];
	uint32_t i;
	int n = 0, procs_h = detail ? h / 2 : h;

	snprintf(line, sizeof(line), "Top processes on %s %s", r->disk, r->op);
	title_line(u, y, x, w, line);
	dim_line(u, y + 1, x, w, "    PID COMM               IOPS    MB/s   SHARE");
	for (i = 0; i < io->nprocs; i++) {
		const struct ktop_io_proc *p = &io->procs[i];

		if (p->dev != r->dev || p->opn != r->opn)
			continue;
		if (n >= procs_h - 3 || (u->pid && p->pid != u->pid))
			continue;
		snprintf(comm, sizeof(comm), "%.*s", KTOP_COMM_LEN, p->comm);
		mvprintw(y + 2 + n, x, "%7u ", p->pid);
		ui_put(y + 2 + n, x + 8, 16, comm);
		snprintf(line, sizeof(line), "%8s %7.2f %6.1f%%",
			 fmt_count(a, sizeof(a), ktop_rate(s, p->count)), ktop_rate(s, p->bytes) / 1e6,
			 ktop_pct(p->count, r->count));
		ui_put(y + 2 + n, x + 25, w - 25, line);
		n++;
	}
	if (r->noattr && n < procs_h - 2) {
		snprintf(line, sizeof(line), "        (no process known: %s/s, e.g. flushes the block "
			 "layer issues itself)", fmt_count(a, sizeof(a), ktop_rate(s, r->noattr)));
		ui_put_fit(y + 2 + n, x, w, line);
		n++;
	}
	if (!n)
		ui_put(y + 2 + n++, x, w, "  (no per-process data)");
	n += 2;
	if (!detail)
		return n;

	/* partitions of this disk, then where the time went */
	if (n + 3 < h) {
		int m = 0;

		title_line(u, y + n + 1, x, w, "Partitions");
		for (i = 0; i < io->nparts && n + 2 + m < h - 4; i++) {
			const struct ktop_io_part *p = &io->parts[i];

			if (p->dev != r->dev || p->opn != r->opn)
				continue;
			snprintf(line, sizeof(line), "  %-12.12s %8s/s %8.2f MB/s", p->part,
				 fmt_count(a, sizeof(a), ktop_rate(s, p->count)), ktop_rate(s, p->bytes) / 1e6);
			ui_put(y + n + 2 + m++, x, w, line);
		}
		if (!m)
			ui_put(y + n + 2 + m++, x, w, "  (none in this interval)");
		n += m + 2;
	}
	if (n + 4 <= h) {
		snprintf(line, sizeof(line), "  queue  avg %-7s over %llu of %llu (others skip the queue)",
			 fmt_ns(a, sizeof(a), r->queue_avg_ns), (unsigned long long)r->queued,
			 (unsigned long long)r->count);
		ui_put_fit(y + n + 1, x, w, line);
		snprintf(line, sizeof(line), "  device avg %-7s over %llu issued; total avg %s",
			 fmt_ns(b, sizeof(b), r->device_avg_ns), (unsigned long long)r->issued,
			 fmt_ns(c, sizeof(c), r->count ? r->total_ns / r->count : 0));
		ui_put_fit(y + n + 2, x, w, line);
		snprintf(line, sizeof(line), "  %llu errors, %llu with no process known",
			 (unsigned long long)r->errors, (unsigned long long)r->noattr);
		ui_put_fit(y + n + 3, x, w, line);
		n += 4;
	}
	return n;
}

/* A request's sector in the 12 columns of the slow list: "-" for none
 * (a flush carries sector ~0, which would print as 18446744073709551615),
 * and beyond 12 digits (512 PB in) in short scientific form, so the
 * columns after it stay aligned. */
static void sector_str(char *buf, size_t n, uint64_t sector)
{
	if (sector == UINT64_MAX)
		snprintf(buf, n, "-");
	else if (sector > 999999999999ull)
		snprintf(buf, n, "%.5e", (double)sector);
	else
		snprintf(buf, n, "%llu", (unsigned long long)sector);
}

/* Recent slow requests (of row r only when r is not NULL), newest first. */
static void draw_slow(struct ui *u, const struct ktop_snapshot *s, const struct ktop_io_row *r,
		      int y, int h)
{
	const struct ktop_io_snap *io = &s->io;
	const struct ktop_tab_status *st = &s->tab[KTOP_TAB_IO];
	char line[200], a[16], b[16], c[16], d[16], tbuf[16], comm[KTOP_COMM_LEN + 1], sec[24];
	bool wide = COLS >= 110;
	uint32_t i;
	int n = 0;

	if (h < 2)
		return;
	/* honest counts: slow in the interval = listed + not kept (the list
	 * holds 32) + not recorded (ring buffer full) */
	snprintf(line, sizeof(line), "Recent slow I/O (>= %s): %llu this interval, %u listed, "
		 "%llu not kept, %llu dropped", fmt_ns(a, sizeof(a), io->slow_threshold_ns),
		 (unsigned long long)(io->slow_count + io->drops.slow), io->nslow_new,
		 (unsigned long long)io->slow_not_kept, (unsigned long long)io->drops.slow);
	title_line(u, y, 0, COLS, line);
	/* losses: say whether they touch the percentiles (issue 18: a
	 * bare "lost" had users guessing) */
	if (io->lost_in_percentiles && COLS > 100) {
		snprintf(line, sizeof(line), " %llu request%s not in percentiles",
			 (unsigned long long)io->lost_in_percentiles,
			 io->lost_in_percentiles == 1 ? "" : "s");
		ui_color_on(u, UI_C_WARN);
		ui_put(y, COLS - 34, 34, line);
		ui_color_off(u, UI_C_WARN);
	} else if (st->lost_total && COLS > 100) {
		snprintf(line, sizeof(line), " lost since start: %llu", (unsigned long long)st->lost_total);
		ui_put(y, COLS - 30, 30, line);
	}
	/* narrower than the full line: without the queue/device split, so
	 * PID and COMM stay on screen */
	dim_line(u, y + 1, 0, COLS, wide ?
		 "TIME          DEVICE     OP         SECTOR     SIZE  LATENCY   QUEUE  DEVICE     PID COMM" :
		 "TIME          DEVICE   OP         SECTOR     SIZE  LATENCY     PID COMM");
	for (i = 0; i < io->nslow && n < h - 2; i++) {
		const struct ktop_io_slow *e = &io->slow[i];
		time_t t = (time_t)(e->real_ns / 1000000000);
		struct tm tm;

		if (r && (strcmp(e->disk, r->disk) || e->opn != r->opn))
			continue;
		if (u->pid && e->pid != u->pid)
			continue;
		localtime_r(&t, &tm);
		strftime(tbuf, sizeof(tbuf), "%H:%M:%S", &tm);
		snprintf(comm, sizeof(comm), "%.*s", KTOP_COMM_LEN, e->pid ? e->comm : "-");
		sector_str(sec, sizeof(sec), e->sector);
		/* ui_put sanitizes the whole line, comm included */
		if (wide)
			snprintf(line, sizeof(line), "%s.%03d  %-10.10s %-7s %12s %8s %8s %7s %7s %7u %-16s%s",
				 tbuf, (int)(e->real_ns / 1000000 % 1000), e->part,
				 ktop_io_op_name(e->opn), sec, fmt_bytes(a, sizeof(a), (double)e->bytes),
				 fmt_ns(b, sizeof(b), e->lat_ns),
				 e->queue_ns ? fmt_ns(c, sizeof(c), e->queue_ns) : "-",
				 e->device_ns ? fmt_ns(d, sizeof(d), e->device_ns) : "-", e->pid, comm,
				 e->error ? " ERROR" : "");
		else
			snprintf(line, sizeof(line), "%s.%03d  %-8.8s %-7s %12s %8s %8s %7u %s%s",
				 tbuf, (int)(e->real_ns / 1000000 % 1000), e->part,
				 ktop_io_op_name(e->opn), sec, fmt_bytes(a, sizeof(a), (double)e->bytes),
				 fmt_ns(b, sizeof(b), e->lat_ns), e->pid, comm, e->error ? " ERROR" : "");
		if (i < io->nslow_new)
			ui_color_on(u, UI_C_WARN);
		ui_put_fit(y + 2 + n, 0, COLS, line);
		if (i < io->nslow_new)
			ui_color_off(u, UI_C_WARN);
		n++;
	}
	if (!n)
		ui_put(y + 2, 2, COLS - 4, "(none yet)");
}

static void draw(struct ui *u, const struct ktop_snapshot *s, int y, int h)
{
	const struct ktop_io_snap *io = &s->io;
	struct ui_tab *t = &u->t[u->tab];
	char cells[C_N][UI_CELL], title[3][160], a[16];
	const struct ktop_io_row *sel = NULL;
	int th, top, i, lw, sh, mid;
	bool detail = t->detail && u->nrows;

	if (detail) {
		th = 0;			/* details: the whole body for the selected row */
	} else {
		th = u->nrows + 1;
		if (th > h * 2 / 5)
			th = h * 2 / 5;
		if (th < 3)
			th = 3;
	}
	if (th) {
		ui_table_header(u, y, cols, C_N, t->sort, t->reverse);
		top = ui_scroll(u, th - 1);
		for (i = 0; i < th - 1 && top + i < u->nrows; i++) {
			const struct ktop_io_row *r = &io->rows[u->rows[top + i]];

			snprintf(cells[C_DISK], UI_CELL, "%s", r->disk);
			snprintf(cells[C_OP], UI_CELL, "%s", r->op);
			fmt_count(cells[C_IOPS], UI_CELL, ktop_rate(s, r->count));
			snprintf(cells[C_MBS], UI_CELL, "%.1f", ktop_rate(s, r->bytes) / 1e6);
			fmt_ns(cells[C_AVG], UI_CELL, r->count ? r->total_ns / r->count : 0);
			fmt_ns(cells[C_P50], UI_CELL, r->p50_ns);
			fmt_ns(cells[C_P95], UI_CELL, r->p95_ns);
			fmt_ns(cells[C_P99], UI_CELL, r->p99_ns);
			fmt_ns(cells[C_P999], UI_CELL, r->p999_ns);
			fmt_ns(cells[C_MAX], UI_CELL, r->max_ns);
			if (r->queued)
				fmt_ns(cells[C_QUEUE], UI_CELL, r->queue_avg_ns);
			else
				snprintf(cells[C_QUEUE], UI_CELL, "-");
			if (r->issued)
				fmt_ns(cells[C_DEVICE], UI_CELL, r->device_avg_ns);
			else
				snprintf(cells[C_DEVICE], UI_CELL, "-");
			ui_table_row(u, y + 1 + i, cols, C_N, cells, top + i == t->sel,
				     r->flagged ? UI_C_WARN : -1);
		}
		if (!u->nrows)
			ui_empty(u, s, y + 1, "no block I/O completed in this interval");
	}
	if (u->nrows && t->sel < u->nrows)
		sel = &io->rows[u->rows[t->sel]];
	/* the slow list takes the bottom quarter (details: a third), or all
	 * that is left when no row is selected */
	sh = !sel ? h - th - 1 : detail ? h / 3 : h / 4;
	if (sh < 4)
		sh = h - th >= 10 ? 4 : 0;
	mid = h - th - sh;
	if (sel && mid >= 4) {
		const char *titles[3] = { title[0], title[1], title[2] };

		lw = COLS / 2;
		/* longest first; the histogram takes the first that fits its half */
		fmt_ns(a, sizeof(a), io->flag_p95_ns);
		snprintf(title[0], sizeof(title[0]), "%s%s %s latency (%llu requests%s%s)",
			 detail ? "Details: " : "", sel->disk, sel->op, (unsigned long long)sel->count,
			 sel->flagged ? ", p95 above the flag threshold " : "", sel->flagged ? a : "");
		snprintf(title[1], sizeof(title[1]), "%s%s %s latency (%llu req%s%s)",
			 detail ? "Details: " : "", sel->disk, sel->op, (unsigned long long)sel->count,
			 sel->flagged ? ", p95 > " : "", sel->flagged ? a : "");
		snprintf(title[2], sizeof(title[2]), "%s%s %s (%llu%s%s)", detail ? "Details: " : "",
			 sel->disk, sel->op, (unsigned long long)sel->count,
			 sel->flagged ? " p95>" : "", sel->flagged ? a : "");
		ui_hist(u, y + th + 1, 0, lw - 1, mid - 1, sel->hist, titles, 3);
		draw_who(u, s, sel, y + th + 1, lw + 1, COLS - lw - 1, mid - 1, detail);
	}
	if (sh)
		draw_slow(u, s, detail ? sel : NULL, y + th + (mid > 0 ? mid : 1), sh);
}

const struct screen scr_io = {
	.what = "I/O: block I/O latency per disk and op, queue vs device time (block:block_rq_*)",
	.cols = cols,
	.ncols = C_N,
	.default_sort = C_P99,
	.list = list,
	.row_id = row_id,
	.draw = draw,
	.pid = row_pid,
};
