// SPDX-License-Identifier: GPL-2.0
/* Syscalls screen: table of syscalls by time, histogram and top processes of the selected one. */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include "core/fmt.h"
#include "ui/ui_int.h"

enum { C_NAME, C_CALLS, C_ERR, C_TIME, C_AVG, C_P50, C_P95, C_P99, C_MAX, C_N };

static const struct ui_col cols[C_N] = {
	[C_NAME] = { "SYSCALL", -16 }, [C_CALLS] = { "CALLS/s", 8 }, [C_ERR] = { "ERR/s", 7 },
	[C_TIME] = { "TIME%", 6 }, [C_AVG] = { "AVG", 7 }, [C_P50] = { "P50", 7 },
	[C_P95] = { "P95", 7 }, [C_P99] = { "P99", 7 }, [C_MAX] = { "MAX", 7 },
};

static int sort_col;
static uint32_t pivot_pid;		/* 'p': the rows show this process's share */
static const struct ktop_sc_snap *cur;

/* This process's (pid, syscall) pair for the row, or NULL. */
static const struct ktop_sc_pair *pair_of(const struct ktop_sc_snap *sc, uint32_t pid, uint32_t nr)
{
	uint32_t j;

	for (j = 0; j < sc->npairs; j++)
		if (sc->pairs[j].pid == pid && sc->pairs[j].nr == nr)
			return &sc->pairs[j];
	return NULL;
}

static uint64_t key(const struct ktop_sc_row *r, int col)
{
	const struct ktop_sc_pair *p = pivot_pid ? pair_of(cur, pivot_pid, r->nr) : NULL;

	if (p) {		/* pivoted: counts and time of this process only */
		switch (col) {
		case C_CALLS: return p->count;
		case C_ERR: return p->errors;
		case C_TIME: return p->total_ns;
		case C_AVG: return p->count ? p->total_ns / p->count : 0;
		default: return 0;	/* percentiles: not collected per process */
		}
	}
	switch (col) {
	case C_CALLS: return r->count;
	case C_ERR: return r->errors;
	case C_TIME: return r->total_ns;
	case C_AVG: return r->count ? r->total_ns / r->count : 0;
	case C_P50: return r->p50_ns;
	case C_P95: return r->p95_ns;
	case C_P99: return r->p99_ns;
	case C_MAX: return r->max_ns;
	}
	return 0;
}

static int cmp(const void *ctx, int a, int b)
{
	const struct ktop_sc_snap *sc = ctx;
	const struct ktop_sc_row *x = &sc->rows[a], *y = &sc->rows[b];
	uint64_t kx, ky;

	if (sort_col == C_NAME)
		return strcmp(x->name, y->name);
	kx = key(x, sort_col);
	ky = key(y, sort_col);
	return kx == ky ? 0 : kx > ky ? -1 : 1;	/* biggest first */
}

static const char *comm_of(const struct ktop_sc_snap *sc, uint32_t pid)
{
	uint32_t i;

	for (i = 0; i < sc->nprocs; i++)
		if (sc->procs[i].pid == pid)
			return sc->procs[i].comm;
	return "";
}

/* The filter: the syscall's name, or a process that made it (PID, name). */
static bool match(struct ui *u, const struct ktop_sc_snap *sc, const struct ktop_sc_row *r)
{
	uint32_t j;

	if (ui_match(u, r->name))
		return true;
	for (j = 0; j < sc->npairs; j++)
		if (sc->pairs[j].nr == r->nr &&
		    ui_match_proc(u, sc->pairs[j].pid, comm_of(sc, sc->pairs[j].pid)))
			return true;
	return false;
}

static void list(struct ui *u, const struct ktop_snapshot *s)
{
	const struct ktop_sc_snap *sc = &s->sc;
	uint32_t i;

	u->nrows = 0;
	for (i = 0; i < sc->nrows && u->nrows < UI_ROWS_MAX; i++) {
		const struct ktop_sc_row *r = &sc->rows[i];

		/* pivot: only the syscalls this process made */
		if (match(u, sc, r) && (!u->pid || pair_of(sc, u->pid, r->nr)))
			u->rows[u->nrows++] = (int)i;
	}
	sort_col = u->t[u->tab].sort;
	pivot_pid = u->pid;
	cur = sc;
	ui_sort_rows(u, cmp, sc);
}

static uint64_t row_id(const struct ktop_snapshot *s, int row)
{
	return s->sc.rows[row].nr;
}

/* The top process of the syscall. */
static uint32_t row_pid(const struct ktop_snapshot *s, int row)
{
	uint32_t i;

	for (i = 0; i < s->sc.npairs; i++)
		if (s->sc.pairs[i].nr == s->sc.rows[row].nr)
			return s->sc.pairs[i].pid;
	return 0;
}

/* The pivot process's own syscall time (the TIME% denominator when
 * pivoted), from its row in the snapshot's process list; 0 if not there. */
static uint64_t proc_total(const struct ktop_sc_snap *sc, uint32_t pid)
{
	uint32_t i;

	for (i = 0; i < sc->nprocs; i++)
		if (sc->procs[i].pid == pid)
			return sc->procs[i].total_ns;
	return 0;
}

/* The selected syscall's heaviest processes, from the (pid, syscall) pairs. */
static void draw_procs(struct ui *u, const struct ktop_snapshot *s, const struct ktop_sc_row *r,
		       int y, int x, int w, int h)
{
	const struct ktop_sc_snap *sc = &s->sc;
	char line[128], a[16], b[16], c[16], comm[KTOP_COMM_LEN + 1];
	uint32_t i;
	int n = 0;

	ui_color_on(u, UI_C_TITLE);
	snprintf(line, sizeof(line), "Top processes in %s", r->name);
	ui_put(y, x, w, line);
	ui_color_off(u, UI_C_TITLE);
	ui_color_on(u, UI_C_DIM);
	ui_put(y + 1, x, w, "    PID COMM             CALLS/s  ERR/s     TIME");
	ui_color_off(u, UI_C_DIM);
	for (i = 0; i < sc->npairs && n < h - 2; i++) {
		const struct ktop_sc_pair *p = &sc->pairs[i];

		if (p->nr != r->nr || (u->pid && p->pid != u->pid))
			continue;
		snprintf(comm, sizeof(comm), "%.*s", KTOP_COMM_LEN, comm_of(sc, p->pid));
		ui_put(y + 2 + n, x, w, "");
		mvprintw(y + 2 + n, x, "%7u ", p->pid);
		ui_put(y + 2 + n, x + 8, 16, comm);
		snprintf(line, sizeof(line), "%8s %6s %8s", fmt_count(a, sizeof(a), ktop_rate(s, p->count)),
			 fmt_count(b, sizeof(b), ktop_rate(s, p->errors)), fmt_ns(c, sizeof(c), p->total_ns));
		ui_put(y + 2 + n, x + 25, w - 25, line);
		n++;
	}
	if (!n)
		ui_put(y + 2, x, w, "  (no per-process data)");
}

/* In flight: the longest calls still running (h lines, title included). */
static void draw_inflight(struct ui *u, const struct ktop_sc_snap *sc, int y, int x, int w, int h)
{
	char line[160], a[16], comm[KTOP_COMM_LEN + 1];
	uint32_t i;

	ui_color_on(u, UI_C_TITLE);
	if (sc->inflight_why[0])
		snprintf(line, sizeof(line), "%s", sc->inflight_why);
	else
		snprintf(line, sizeof(line), "In flight: %u running >= %s, %u in D", sc->inflight_total,
			 fmt_ns(a, sizeof(a), sc->inflight_min_ns), sc->inflight_d);
	ui_put(y, x, w, line);
	ui_color_off(u, UI_C_TITLE);
	for (i = 0; i < sc->ninflight && (int)i < h - 1; i++) {
		const struct ktop_sc_inflight *f = &sc->inflight[i];

		snprintf(comm, sizeof(comm), "%.*s", KTOP_COMM_LEN, f->pcomm);
		snprintf(line, sizeof(line), "%7s %-14.14s %c %7u %s", fmt_ns(a, sizeof(a), f->elapsed_ns),
			 f->name, f->state, f->tid, comm);
		ui_put(y + 1 + (int)i, x, w, line);
	}
}

/* The histogram's titles, longest first: the row's calls, how many were
 * timed when not every call was, and (pivoted) that it is every process's. */
static void hist_titles(const struct ui *u, const struct ui_tab *t,
			const struct ktop_sc_row *sel, char title[3][200])
{
	char sampled[48] = "";

	if (sel->timed < sel->count)	/* a rounded "1 in N" would say "1 in 1" at 34 of 30 */
		snprintf(sampled, sizeof(sampled), ", %llu timed", (unsigned long long)sel->timed);
	snprintf(title[0], 200, "%s%s latency (%llu calls%s%s)",
		 t->detail ? "Details: " : "", sel->name, (unsigned long long)sel->count,
		 sampled, u->pid ? " by all processes, not only this one" : "");
	snprintf(title[1], 200, "%s%s latency (%llu calls%s%s)",
		 t->detail ? "Details: " : "", sel->name, (unsigned long long)sel->count,
		 sampled, u->pid ? ", all processes" : "");
	snprintf(title[2], 200, "%s%s (%llu%s)", t->detail ? "Details: " : "",
		 sel->name, (unsigned long long)sel->count, u->pid ? ", all PIDs" : " calls");
}

/* A row's cells; pivoted (p set), the counts are the process's own. */
static void row_cells(const struct ui *u, const struct ktop_snapshot *s,
		      const struct ktop_sc_row *r, uint64_t denom, char cells[C_N][UI_CELL])
{
	const struct ktop_sc_pair *p = u->pid ? pair_of(&s->sc, u->pid, r->nr) : NULL;
	uint64_t n = p ? p->count : r->count, e = p ? p->errors : r->errors;
	uint64_t tot = p ? p->total_ns : r->total_ns;
	/* ~: timing sampled (AVG, TIME% and P50-MAX are estimates); a long
	 * name is cut to keep it in the column */
	const char *mark = r->timed < r->count ? " ~" : "";
	int room = -cols[C_NAME].width - (int)strlen(mark);
	char name[64];

	snprintf(name, sizeof(name), "%s%s", r->name, r->ktop_probes ? " (ktop's probes)" : "");
	snprintf(cells[C_NAME], UI_CELL, "%.*s%s", room, name, mark);
	fmt_count(cells[C_CALLS], UI_CELL, ktop_rate(s, n));
	fmt_count(cells[C_ERR], UI_CELL, ktop_rate(s, e));
	if (denom)
		snprintf(cells[C_TIME], UI_CELL, "%.1f", ktop_pct(tot, denom));
	else
		snprintf(cells[C_TIME], UI_CELL, u->pid ? "-" : "0.0");
	fmt_ns(cells[C_AVG], UI_CELL, n ? tot / n : 0);
	fmt_ns(cells[C_P50], UI_CELL, r->p50_ns);
	fmt_ns(cells[C_P95], UI_CELL, r->p95_ns);
	fmt_ns(cells[C_P99], UI_CELL, r->p99_ns);
	fmt_ns(cells[C_MAX], UI_CELL, r->max_ns);
	/* histograms are per syscall, over all processes; and a row none of
	 * whose calls was timed has no latencies at all */
	if (p || !r->timed)
		strcpy(cells[C_P50], "-"), strcpy(cells[C_P95], "-"),
		strcpy(cells[C_P99], "-"), strcpy(cells[C_MAX], "-");
	if (!r->timed)
		strcpy(cells[C_AVG], "-");
}

/* Pivoted: one line saying which figures are the process's own. */
static int pivot_note(struct ui *u, int y)
{
	char note[2][200];

	if (!u->pid)
		return 0;
	snprintf(note[0], sizeof(note[0]), "PID %u only: CALLS/s ERR/s AVG are its own, TIME%% "
		 "is of its syscall time; P50-MAX are not collected per process", u->pid);
	snprintf(note[1], sizeof(note[1]), "PID %u only: TIME%% of its syscall time; P50-MAX "
		 "not collected per process", u->pid);
	ui_color_on(u, UI_C_DIM);
	ui_put_first_fit(y, 0, COLS, (const char *const[]){ note[0], note[1] }, 2);
	ui_color_off(u, UI_C_DIM);
	return 1;
}

/* The table's height: the whole body in details, else up to 3/5 of it. */
static int table_height(const struct ui *u, int h)
{
	int th;

	if (u->t[u->tab].detail && u->nrows)
		return 0;
	th = u->nrows + 1;
	if (th > h * 3 / 5)
		th = h * 3 / 5;
	return th < 3 ? 3 : th;
}

static void draw(struct ui *u, const struct ktop_snapshot *s, int y, int h)
{
	const struct ktop_sc_snap *sc = &s->sc;
	struct ui_tab *t = &u->t[u->tab];
	uint64_t denom = u->pid ? proc_total(sc, u->pid) : sc->total_ns;
	char cells[C_N][UI_CELL], title[3][200];
	const struct ktop_sc_row *sel = NULL;
	const char *titles[3];
	int th, top, i, lw, ih, dy = pivot_note(u, y);

	y += dy;
	h -= dy;
	th = table_height(u, h);
	if (th) {
		ui_table_header(u, y, cols, C_N, t->sort, t->reverse);
		top = ui_scroll(u, th - 1);
		for (i = 0; i < th - 1 && top + i < u->nrows; i++) {
			row_cells(u, s, &sc->rows[u->rows[top + i]], denom, cells);
			ui_table_row(u, y + 1 + i, cols, C_N, cells, top + i == t->sel, -1);
		}
		if (!u->nrows)
			ui_empty(u, s, y + 1, "no system calls in this interval");
	}
	if (u->nrows && t->sel < u->nrows)
		sel = &sc->rows[u->rows[t->sel]];
	if (!sel) {
		/* nothing returned (all hung?): what is still running */
		if ((sc->ninflight || sc->inflight_why[0]) && h - th - 1 >= 2)
			draw_inflight(u, sc, y + th + 1, 1, COLS - 2, h - th - 1);
		return;
	}
	if (h - th < 4)
		return;
	lw = COLS / 2;
	hist_titles(u, t, sel, title);
	for (i = 0; i < 3; i++)
		titles[i] = title[i];
	ui_hist(u, y + th + 1, 0, lw - 1, h - th - 1, sel->hist, titles, 3);
	/* in flight under the top processes, when both fit */
	ih = sc->inflight_why[0] ? 1 : sc->ninflight ? 1 + (sc->ninflight < 3 ? (int)sc->ninflight : 3) : 0;
	if (h - th - 1 - ih < 5)
		ih = 0;
	draw_procs(u, s, sel, y + th + 1, lw + 1, COLS - lw - 1, h - th - 1 - ih);
	if (ih)
		draw_inflight(u, sc, y + h - ih, lw + 1, COLS - lw - 1, ih);
}

const struct screen scr_syscalls = {
	.what = "Syscalls: latency per system call (raw_syscalls:sys_enter/sys_exit), errors, top processes",
	.cols = cols,
	.ncols = C_N,
	.default_sort = C_TIME,
	.list = list,
	.row_id = row_id,
	.draw = draw,
	.pid = row_pid,
};
