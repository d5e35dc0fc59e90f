// SPDX-License-Identifier: GPL-2.0
/* Locks screen: contended kernel locks by wait, the selected lock's callers, waiters, histogram and long waits. */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "core/fmt.h"
#include "ui/ui_int.h"

enum { C_LOCK, C_TYPE, C_CONT, C_WAIT, C_AVG, C_P99, C_MAX, C_CALLER, C_WAITER, C_N };

static const struct ui_col cols[C_N] = {
	[C_LOCK] = { "LOCK", -28 }, [C_TYPE] = { "TYPE", -14 }, [C_CONT] = { "CONT/s", 7 },
	[C_WAIT] = { "WAIT ms/s", 9 }, [C_AVG] = { "AVG", 7, 1 }, [C_P99] = { "P99", 7 },
	[C_MAX] = { "MAX", 7, 2 }, [C_CALLER] = { "TOP CALLER", -20 },
	[C_WAITER] = { "TOP WAITER", -22, 3 },
};

static int sort_col;

/* The lock's name, or its address with the top caller as the hint:
 * "ffff888627d2ba80 __schedule" (no "0x": the table column is narrow). */
static void lock_label(char *buf, size_t n, const char *symbol, uint64_t addr, const char *caller)
{
	if (symbol[0])
		snprintf(buf, n, "%s", symbol);
	else if (caller[0])
		snprintf(buf, n, "%llx %s", (unsigned long long)addr, caller);
	else
		snprintf(buf, n, "%llx", (unsigned long long)addr);
}

static void comm_str(char *buf, const char *comm)
{
	memcpy(buf, comm, KTOP_COMM_LEN);
	buf[KTOP_COMM_LEN] = 0;
}

static uint64_t key(const struct ktop_lock_row *r, int col)
{
	switch (col) {
	case C_CONT: return r->contentions;
	case C_WAIT: return r->total_wait_ns;
	case C_AVG: return r->avg_wait_ns;
	case C_P99: return r->p99_ns;
	case C_MAX: return r->max_wait_ns;
	}
	return 0;
}

static int cmp(const void *ctx, int a, int b)
{
	const struct ktop_lock_snap *l = ctx;
	const struct ktop_lock_row *x = &l->rows[a], *y = &l->rows[b];
	char sx[KTOP_LOCK_NAME_LEN + KTOP_FRAME_LEN + 24], sy[sizeof(sx)];
	uint64_t kx, ky;

	switch (sort_col) {
	case C_LOCK:
		lock_label(sx, sizeof(sx), x->symbol, x->addr, x->top_caller);
		lock_label(sy, sizeof(sy), y->symbol, y->addr, y->top_caller);
		return strcmp(sx, sy);
	case C_TYPE:
		return strcmp(x->type, y->type);
	case C_CALLER:
		return strcmp(x->top_caller, y->top_caller);
	case C_WAITER:
		return strncmp(x->top_waiter_comm, y->top_waiter_comm, KTOP_COMM_LEN);
	}
	kx = key(x, sort_col);
	ky = key(y, sort_col);
	return kx == ky ? 0 : kx > ky ? -1 : 1;	/* biggest first */
}

/* Does the 'p' pivot process wait on, or own, this lock? */
static bool has_pid(const struct ktop_lock_row *r, uint32_t pid)
{
	uint32_t i;

	if (r->owner_pid == pid || r->top_waiter_pid == pid)
		return true;
	for (i = 0; i < r->nwaiters; i++)
		if (r->waiters[i].pid == pid)
			return true;
	return false;
}

/* The filter: lock name or address, type, top caller, or a process
 * waiting on it (top waiter and the waiter list: PID, name). */
static bool match(struct ui *u, const struct ktop_lock_row *r)
{
	char label[KTOP_LOCK_NAME_LEN + KTOP_FRAME_LEN + 24];
	uint32_t i;

	lock_label(label, sizeof(label), r->symbol, r->addr, r->top_caller);
	if (ui_match(u, label) || ui_match(u, r->type) || ui_match(u, r->top_caller) ||
	    ui_match_proc(u, r->top_waiter_pid, r->top_waiter_comm))
		return true;
	for (i = 0; i < r->nwaiters; i++)
		if (ui_match_proc(u, r->waiters[i].pid, r->waiters[i].comm))
			return true;
	return false;
}

static void list(struct ui *u, const struct ktop_snapshot *s)
{
	const struct ktop_lock_snap *l = &s->lock;
	uint32_t i;

	u->nrows = 0;
	for (i = 0; i < l->nrows && u->nrows < UI_ROWS_MAX; i++) {
		const struct ktop_lock_row *r = &l->rows[i];

		if (u->pid && !has_pid(r, u->pid))
			continue;
		if (!match(u, r))
			continue;
		u->rows[u->nrows++] = (int)i;
	}
	sort_col = u->t[u->tab].sort;
	ui_sort_rows(u, cmp, l);
}

/* A lock: its address and type. */
static uint64_t row_id(const struct ktop_snapshot *s, int row)
{
	const struct ktop_lock_row *r = &s->lock.rows[row];

	return ui_hash(r->addr, r->type, sizeof(r->type));
}

static void title(struct ui *u, int y, int x, int w, const char *text)
{
	ui_color_on(u, UI_C_TITLE);
	ui_put_fit(y, x, w, text);
	ui_color_off(u, UI_C_TITLE);
}

static void dim(struct ui *u, int y, int x, int w, const char *text)
{
	ui_color_on(u, UI_C_DIM);
	ui_put_fit(y, x, w, text);
	ui_color_off(u, UI_C_DIM);
}

/* The selected lock's caller stacks, heaviest first, at most h lines.
 * Returns the lines used. */
static int draw_callers(struct ui *u, const struct ktop_snapshot *s, const struct ktop_lock_row *r,
			int y, int x, int w, int h, int frames)
{
	char line[160], a[16], b[16];
	uint32_t i, f;
	int n = 0;

	if (h < 1)
		return 0;
	title(u, y, x, w, "Caller stacks (innermost first)");
	n++;
	for (i = 0; i < r->ncallers && n < h; i++) {
		const struct ktop_lock_caller *c = &r->callers[i];

		snprintf(line, sizeof(line), "#%u  %s cont/s  %.2f wait ms/s  avg %s", i + 1,
			 fmt_count(a, sizeof(a), ktop_rate(s, c->contentions)), ktop_rate(s, c->wait_ns) / 1e6,
			 fmt_ns(b, sizeof(b), c->contentions ? c->wait_ns / c->contentions : 0));
		dim(u, y + n++, x, w, line);
		if (!c->nframes && n < h)
			ui_put(y + n++, x + 2, w - 2, "(stack lost: collision or unwind failure)");
		for (f = 0; f < c->nframes && (int)f < frames && n < h; f++)
			ui_put(y + n++, x + 2, w - 2, c->frames[f]);
	}
	if (!r->ncallers && n < h)
		ui_put(y + n++, x, w, "  (no caller data)");
	return n;
}

/* The selected lock's waiting processes. Returns the lines used. */
static int draw_waiters(struct ui *u, const struct ktop_snapshot *s, const struct ktop_lock_row *r,
			int y, int x, int w, int h)
{
	char line[160], a[16], comm[KTOP_COMM_LEN + 1];
	uint32_t i;
	int n = 0;

	if (h < 2)
		return 0;
	title(u, y, x, w, "Waiting processes");
	dim(u, y + 1, x, w, "    PID COMM              CONT/s WAIT ms/s");
	n = 2;
	for (i = 0; i < r->nwaiters && n < h; i++) {
		const struct ktop_lock_waiter *p = &r->waiters[i];

		comm_str(comm, p->comm);
		mvprintw(y + n, x, "%7u ", p->pid);
		ui_put(y + n, x + 8, 16, comm);
		snprintf(line, sizeof(line), "%8s %9.2f", fmt_count(a, sizeof(a), ktop_rate(s, p->contentions)),
			 ktop_rate(s, p->wait_ns) / 1e6);
		ui_put(y + n, x + 25, w - 25, line);
		n++;
	}
	if (!r->nwaiters && n < h)
		ui_put(y + n++, x, w, "  (no waiter data)");
	return n;
}

/* Recent long waits, newest first; only those on lock `only` when it is
 * set. Returns the lines used. */
static int draw_long(struct ui *u, const struct ktop_snapshot *s, const struct ktop_lock_row *only,
		     int y, int x, int w, int h)
{
	const struct ktop_lock_snap *l = &s->lock;
	char line[320], label[KTOP_LOCK_NAME_LEN + KTOP_FRAME_LEN + 24], a[24], b[16], tb[16];
	char comm[KTOP_COMM_LEN + 1];
	uint32_t i;
	int n = 0;

	if (h < 1)
		return 0;
	snprintf(line, sizeof(line), "Recent long waits (> %s): %llu in the last interval",
		 fmt_ns(a, sizeof(a), l->long_threshold_ns), (unsigned long long)l->nlong_interval);
	title(u, y, x, w, line);
	n++;
	for (i = 0; i < l->nlong && n < h; i++) {
		const struct ktop_lock_long *e = &l->longw[i];
		time_t t = (time_t)(e->real_ns / 1000000000);
		struct tm tm;

		if (only && (e->addr != only->addr || strcmp(e->type, only->type)))
			continue;
		localtime_r(&t, &tm);
		strftime(tb, sizeof(tb), "%H:%M:%S", &tm);
		comm_str(comm, e->comm);
		if (only) {		/* the lock is known: show who and from where */
			snprintf(a, sizeof(a), "%u/%u", e->pid, e->tid);
			snprintf(line, sizeof(line), "%s %8s %-13s %-15s %s", tb,
				 fmt_ns(b, sizeof(b), e->wait_ns), a, comm,
				 e->caller[0] ? e->caller : "-");
		} else {	/* numbers first, names last: a cut never splits a PID */
			lock_label(label, sizeof(label), e->symbol, e->addr, e->caller);
			if (w >= 80)
				snprintf(line, sizeof(line), "%s %8s %7u %-15s %-9s %s", tb,
					 fmt_ns(b, sizeof(b), e->wait_ns), e->pid, comm, e->type, label);
			else	/* narrow: the lock before who waited */
				snprintf(line, sizeof(line), "%s %7s %7u %s %s", tb,
					 fmt_ns(b, sizeof(b), e->wait_ns), e->pid, label, comm);
		}
		ui_put_fit(y + n++, x, w, line);
	}
	if (n == 1 && n < h)
		ui_put(y + n++, x, w, "  (none)");
	return n;
}

/* Enter: everything about the selected lock on the whole body. */
static void draw_detail(struct ui *u, const struct ktop_snapshot *s, const struct ktop_lock_row *r,
			int y, int h)
{
	char line[400], label[KTOP_LOCK_NAME_LEN + KTOP_FRAME_LEN + 24], a[16], b[16], c[16], d[16];
	int lw = COLS / 2, used, lh;

	lock_label(label, sizeof(label), r->symbol, r->addr, r->top_caller);
	snprintf(line, sizeof(line), "Details: %s  %s  at 0x%llx%s%s", label, r->type,
		 (unsigned long long)r->addr, r->kind[0] ? "  named by " : "", r->kind);
	title(u, y, 0, COLS, line);	/* (fitted with an ellipsis) */
	snprintf(line, sizeof(line), "%llu contentions, %s waited, avg %s, p99 %s, max %s",
		 (unsigned long long)r->contentions, fmt_ns(a, sizeof(a), r->total_wait_ns),
		 fmt_ns(b, sizeof(b), r->avg_wait_ns), fmt_ns(c, sizeof(c), r->p99_ns),
		 fmt_ns(d, sizeof(d), r->max_wait_ns));
	ui_put(y + 1, 0, COLS, line);
	lh = (h - 2) / 2;
	ui_hist(u, y + 3, 0, lw - 1, lh - 1, r->hist, (const char *const[]){ "Wait time" }, 1);
	draw_waiters(u, s, r, y + 3 + lh, 0, lw - 1, h - 3 - lh);
	used = draw_callers(u, s, r, y + 3, lw + 1, COLS - lw - 1, h - 3 - 6, KTOP_LOCK_FRAMES_MAX);
	draw_long(u, s, r, y + 3 + used + 1, lw + 1, COLS - lw - 1, h - 3 - used - 1);
}

static void draw(struct ui *u, const struct ktop_snapshot *s, int y, int h)
{
	const struct ktop_lock_snap *l = &s->lock;
	struct ui_tab *t = &u->t[u->tab];
	char cells[C_N][UI_CELL], comm[KTOP_COMM_LEN + 1];
	const struct ktop_lock_row *sel = NULL;
	struct ui_col lc[C_N];
	int th, top, i, lw, used, bh;

	if (u->nrows && t->sel < u->nrows)
		sel = &l->rows[u->rows[t->sel < 0 ? 0 : t->sel]];
	if (t->detail && sel) {
		draw_detail(u, s, sel, y, h);
		return;
	}
	/* narrow terminal: shorter names, so the numbers stay on screen */
	memcpy(lc, cols, sizeof(lc));
	if (COLS < 90) {
		lc[C_LOCK].width = -22;
		lc[C_TYPE].width = -9;
	}
	th = u->nrows + 1;
	if (th > h / 2)
		th = h / 2;
	if (th < 3)
		th = 3;
	ui_table_header(u, y, lc, C_N, t->sort, t->reverse);
	top = ui_scroll(u, th - 1);
	for (i = 0; i < th - 1 && top + i < u->nrows; i++) {
		const struct ktop_lock_row *r = &l->rows[u->rows[top + i]];

		lock_label(cells[C_LOCK], UI_CELL, r->symbol, r->addr, r->top_caller);
		snprintf(cells[C_TYPE], UI_CELL, "%s", r->type);
		fmt_count(cells[C_CONT], UI_CELL, ktop_rate(s, r->contentions));
		snprintf(cells[C_WAIT], UI_CELL, "%.2f", ktop_rate(s, r->total_wait_ns) / 1e6);
		fmt_ns(cells[C_AVG], UI_CELL, r->avg_wait_ns);
		fmt_ns(cells[C_P99], UI_CELL, r->p99_ns);
		fmt_ns(cells[C_MAX], UI_CELL, r->max_wait_ns);
		snprintf(cells[C_CALLER], UI_CELL, "%s", r->top_caller[0] ? r->top_caller : "-");
		comm_str(comm, r->top_waiter_comm);
		if (r->top_waiter_pid)
			snprintf(cells[C_WAITER], UI_CELL, "%u %s", r->top_waiter_pid, comm);
		else
			snprintf(cells[C_WAITER], UI_CELL, "-");
		ui_table_row(u, y + 1 + i, lc, C_N, cells, top + i == t->sel, -1);
	}
	if (!u->nrows)
		ui_empty(u, s, y + 1, "no lock contention in this interval");
	bh = h - th - 1;
	if (bh < 3)
		return;
	lw = COLS / 2;
	if (sel) {
		draw_callers(u, s, sel, y + th + 1, 0, lw - 1, bh, 4);
		used = draw_waiters(u, s, sel, y + th + 1, lw + 1, COLS - lw - 1, bh / 2);
	} else {
		used = 0;
	}
	draw_long(u, s, NULL, y + th + 1 + used + (used ? 1 : 0), sel ? lw + 1 : 0,
		  sel ? COLS - lw - 1 : COLS, bh - used - (used ? 1 : 0));
}

static uint32_t row_pid(const struct ktop_snapshot *s, int row)
{
	return s->lock.rows[row].top_waiter_pid;
}

const struct screen scr_locks = {
	.what = "Locks: contended kernel locks, wait time, callers (lock:contention_begin/end)",
	.cols = cols,
	.ncols = C_N,
	.default_sort = C_WAIT,
	.list = list,
	.row_id = row_id,
	.draw = draw,
	.pid = row_pid,
};
