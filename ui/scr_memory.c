// SPDX-License-Identifier: GPL-2.0
/* Memory screen: leak suspects by process (kernel) or by allocation stack (user), with stacks below. */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include "ktop/memory.h"
#include "core/fmt.h"
#include "ui/ui_int.h"

enum { C_PID, C_COMM, C_OUT, C_ALLOCS, C_APS, C_FPS, C_OLD, C_GROW, C_HIGHS, C_FLAGS, C_N };

/* Kernel mode: a row per process. */
static const struct ui_col cols[C_N] = {
	[C_PID] = { "PID", 7 }, [C_COMM] = { "COMM", -16 }, [C_OUT] = { "OUTSTAND", 9 },
	[C_ALLOCS] = { "ALLOCS", 8, 3 }, [C_APS] = { "ALLOC/s", 8 }, [C_FPS] = { "FREE/s", 8, 2 },
	[C_OLD] = { "OLDEST", 8 }, [C_GROW] = { "GROWTH/s", 9 }, [C_HIGHS] = { "HIGHS", 5, 1 },
	[C_FLAGS] = { "FLAGS", -15 },
};

/* User mode: a row per allocation stack of the one process; same sort keys. */
static const struct ui_col ucols[C_N] = {
	[C_PID] = { "FN", -8, 4 }, [C_COMM] = { "CALLER", -30 }, [C_OUT] = { "OUTSTAND", 9 },
	[C_ALLOCS] = { "ALLOCS", 8, 3 }, [C_APS] = { "ALLOC/s", 8 }, [C_FPS] = { "FREE/s", 8, 2 },
	[C_OLD] = { "OLDEST", 8 }, [C_GROW] = { "GROWTH/s", 9 }, [C_HIGHS] = { "HIGHS", 5, 1 },
	[C_FLAGS] = { "FLAGS", -8 },
};

static int sort_col;

static const struct ktop_mem_stack *stack_of(const struct ktop_mem_snap *m,
					     const struct ktop_mem_row *r)
{
	if (r->stack < 0 || (uint32_t)r->stack >= m->nstacks)
		return NULL;
	return &m->stacks[r->stack];
}

static const char *site_of(const struct ktop_mem_snap *m, const struct ktop_mem_row *r)
{
	const struct ktop_mem_stack *k = stack_of(m, r);

	return k && k->nframes ? k->frames[0] : "";
}

static double key(const struct ktop_mem_row *r, int col)
{
	switch (col) {
	case C_PID: return r->pid;
	case C_OUT: return (double)r->outstanding_bytes;
	case C_ALLOCS: return (double)r->outstanding_allocs;
	case C_APS: return (double)r->allocs;
	case C_FPS: return (double)r->frees;
	case C_OLD: return (double)r->oldest_age_ns;
	case C_GROW: return r->growth_bytes_per_s;
	case C_HIGHS: return r->highs;
	case C_FLAGS: return r->suspect * 4 + r->held * 2 + r->exited;
	}
	return 0;
}

static int cmp(const void *ctx, int a, int b)
{
	const struct ktop_mem_snap *m = ctx;
	const struct ktop_mem_row *x = &m->rows[a], *y = &m->rows[b];
	double kx, ky;

	if (sort_col == C_COMM)
		return m->mode == KTOP_MEM_USER ? strcmp(site_of(m, x), site_of(m, y)) :
		       strncmp(x->comm, y->comm, KTOP_COMM_LEN);
	if (sort_col == C_PID && m->mode == KTOP_MEM_USER) {
		const struct ktop_mem_stack *sx = stack_of(m, x), *sy = stack_of(m, y);

		return strcmp(sx ? sx->allocator : "", sy ? sy->allocator : "");
	}
	kx = key(x, sort_col);
	ky = key(y, sort_col);
	if (sort_col == C_PID)
		return kx == ky ? 0 : kx < ky ? -1 : 1;	/* smallest first */
	return kx == ky ? 0 : kx > ky ? -1 : 1;		/* biggest first */
}

static void list(struct ui *u, const struct ktop_snapshot *s)
{
	const struct ktop_mem_snap *m = &s->mem;
	uint32_t i;

	u->nrows = 0;
	for (i = 0; i < m->nrows && u->nrows < UI_ROWS_MAX; i++) {
		const struct ktop_mem_row *r = &m->rows[i];
		char comm[KTOP_COMM_LEN + 1];
		bool ok;

		memcpy(comm, r->comm, KTOP_COMM_LEN);
		comm[KTOP_COMM_LEN] = 0;
		if (m->mode == KTOP_MEM_USER) {	/* FN and CALLER columns */
			const struct ktop_mem_stack *k = stack_of(m, r);

			ok = ui_match(u, site_of(m, r)) || (k && ui_match(u, k->allocator));
		} else {			/* PID and COMM */
			ok = ui_match_proc(u, r->pid, comm);
		}
		if (u->pid && r->pid != u->pid)
			ok = false;
		if (ok)
			u->rows[u->nrows++] = (int)i;
	}
	sort_col = u->t[u->tab].sort;
	ui_sort_rows(u, cmp, m);
}

/* A process (kernel mode) or an allocation stack: allocator and frames (user). */
static uint64_t row_id(const struct ktop_snapshot *s, int row)
{
	const struct ktop_mem_snap *m = &s->mem;
	const struct ktop_mem_row *r = &m->rows[row];
	const struct ktop_mem_stack *k = stack_of(m, r);
	uint64_t h;
	uint32_t f;

	if (m->mode != KTOP_MEM_USER || !k)
		return r->pid;
	h = ui_hash(0, k->allocator, sizeof(k->allocator));
	for (f = 0; f < k->nframes; f++)
		h = ui_hash(h, k->frames[f], KTOP_FRAME_LEN);
	return h;
}

static void growth_str(char *buf, size_t n, double g)
{
	char b[16];

	if (g > -1 && g < 1) {
		snprintf(buf, n, "0");
		return;
	}
	fmt_bytes(b, sizeof(b), g < 0 ? -g : g);
	snprintf(buf, n, "%s%s", g < 0 ? "-" : "+", b);
}

/* One part of the summary line at x, then two spaces; a part that does
 * not fit ends the line with an ellipsis (nothing after it). Returns the
 * next x, COLS when the line is full. */
static int segment(int y, int x, const char *text)
{
	int w = COLS - x;

	if (w <= 0)
		return COLS;
	if ((int)strlen(text) > w) {
		ui_put_fit(y, x, w, text);
		return COLS;
	}
	return x + ui_put(y, x, w, text) + 2;
}

static void summary(struct ui *u, const struct ktop_snapshot *s, int y)
{
	const struct ktop_mem_snap *m = &s->mem;
	char line[512], a[16], b[16], comm[KTOP_COMM_LEN + 1];
	const char *lib = strrchr(m->allocator_lib, '/');
	int x;

	fmt_bytes(a, sizeof(a), (double)m->outstanding_bytes);
	if (m->mode == KTOP_MEM_USER) {
		memcpy(comm, m->target_comm, KTOP_COMM_LEN);
		comm[KTOP_COMM_LEN] = 0;
		/* the library by its file name: the path would push the rest off */
		snprintf(line, sizeof(line), "user: %u %s%s  malloc of %s  %s in %llu allocations",
			 m->target_pid, comm, m->target_exited ? " (exited)" : "",
			 lib ? lib + 1 : m->allocator_lib, a, (unsigned long long)m->tracked);
	} else {
		snprintf(line, sizeof(line), "kernel: %s in %llu allocations", a,
			 (unsigned long long)m->tracked);
	}
	x = segment(y, 0, line);
	/* losses in the warning colour when there are any */
	snprintf(line, sizeof(line), "untracked %llu/s (%llu, map %llu/%llu)",
		 (unsigned long long)m->untracked, (unsigned long long)m->untracked_total,
		 (unsigned long long)m->tracked, (unsigned long long)m->capacity);
	if (m->untracked_total)
		ui_color_on(u, UI_C_WARN);
	x = segment(y, x, line);
	if (m->untracked_total)
		ui_color_off(u, UI_C_WARN);
	snprintf(line, sizeof(line), "lost %llu  missed frees %llu  leak age %s",
		 (unsigned long long)s->tab[KTOP_TAB_MEMORY].lost_total,
		 (unsigned long long)m->missed_frees_total, fmt_ns(b, sizeof(b), m->leak_age_ns));
	ui_color_on(u, UI_C_DIM);
	segment(y, x, line);
	ui_color_off(u, UI_C_DIM);
}

static void cells_of(const struct ktop_mem_snap *m, const struct ktop_mem_row *r, double secs,
		     char cells[C_N][UI_CELL])
{
	const struct ktop_mem_stack *k = stack_of(m, r);

	if (m->mode == KTOP_MEM_USER) {
		snprintf(cells[C_PID], UI_CELL, "%s", k ? k->allocator : "?");
		snprintf(cells[C_COMM], UI_CELL, "%s", site_of(m, r));
	} else {
		snprintf(cells[C_PID], UI_CELL, "%u", r->pid);
		snprintf(cells[C_COMM], UI_CELL, "%.*s", KTOP_COMM_LEN, r->comm);
	}
	fmt_bytes(cells[C_OUT], UI_CELL, (double)r->outstanding_bytes);
	fmt_count(cells[C_ALLOCS], UI_CELL, (double)r->outstanding_allocs);
	fmt_count(cells[C_APS], UI_CELL, r->allocs / secs);
	fmt_count(cells[C_FPS], UI_CELL, r->frees / secs);
	if (r->oldest_age_ns)
		fmt_ns(cells[C_OLD], UI_CELL, r->oldest_age_ns);
	else
		snprintf(cells[C_OLD], UI_CELL, "-");
	growth_str(cells[C_GROW], UI_CELL, r->growth_bytes_per_s);
	snprintf(cells[C_HIGHS], UI_CELL, "%u/10", r->highs);
	snprintf(cells[C_FLAGS], UI_CELL, "%s%s", r->suspect ? "SUSPECT " : r->held ? "HELD " : "",
		 r->exited ? "EXITED" : "");
}

/* One stack as a line: "12.3K  45  oldest 12s  allocator <- site <- caller ...". */
static void stack_line(int y, int x, int w, const struct ktop_mem_stack *k)
{
	char line[1024], a[16], b[16];
	size_t len;
	uint32_t f;

	fmt_bytes(a, sizeof(a), (double)k->outstanding_bytes);
	if (k->oldest_age_ns)
		fmt_ns(b, sizeof(b), k->oldest_age_ns);
	else
		snprintf(b, sizeof(b), "-");
	/* call-site stacks: an estimated share of the site, or only an example */
	len = (size_t)snprintf(line, sizeof(line), "%8s %7llu %7s  %s%s", a,
			       (unsigned long long)k->outstanding_allocs, b,
			       k->example ? "(example stack) " : k->samples_site ? "(est. share) " : "",
			       k->allocator);
	for (f = 0; f < k->nframes && len < sizeof(line) - 8; f++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, " <- %.*s",
					KTOP_FRAME_LEN, k->frames[f]);
	ui_put(y, x, w, line);
}

/* All frames of a stack, one per line; returns lines used. */
static int stack_frames(int y, int x, int w, int h, const struct ktop_mem_stack *k)
{
	char line[256];
	uint32_t f;
	int n = 0;

	for (f = 0; f < k->nframes && n < h; f++, n++) {
		snprintf(line, sizeof(line), "#%-2u %.*s%s%.*s%s", f, KTOP_FRAME_LEN, k->frames[f],
			 k->srcs[f][0] ? "  (" : "", KTOP_SRC_LEN, k->srcs[f], k->srcs[f][0] ? ")" : "");
		ui_put(y + n, x, w, line);
	}
	return n;
}

/* Kernel mode: the selected process's stacks, by outstanding bytes. */
static void draw_kstacks(struct ui *u, const struct ktop_snapshot *s, const struct ktop_mem_row *r,
			 int y, int h, bool full)
{
	const struct ktop_mem_snap *m = &s->mem;
	char line[256], a[16], b[16], c[16], comm[KTOP_COMM_LEN + 1];
	uint32_t i;
	int n = 0;

	memcpy(comm, r->comm, KTOP_COMM_LEN);
	comm[KTOP_COMM_LEN] = 0;
	snprintf(line, sizeof(line), "%sStacks of %u %s: slab %s  page %s  percpu %s%s",
		 full ? "Details: " : "", r->pid, comm,
		 fmt_bytes(a, sizeof(a), (double)r->kind_bytes[KTOP_MEM_KIND_SLAB]),
		 fmt_bytes(b, sizeof(b), (double)r->kind_bytes[KTOP_MEM_KIND_PAGE]),
		 fmt_bytes(c, sizeof(c), (double)r->kind_bytes[KTOP_MEM_KIND_PERCPU]),
		 r->exited ? "  (exited)" : "");
	ui_color_on(u, UI_C_TITLE);
	ui_put_fit(y, 0, COLS, line);
	ui_color_off(u, UI_C_TITLE);
	ui_color_on(u, UI_C_DIM);
	ui_put(y + 1, 0, COLS, "OUTSTAND  ALLOCS  OLDEST  ALLOCATOR <- CALL SITE <- CALLERS");
	ui_color_off(u, UI_C_DIM);
	n = 2;
	for (i = 0; i < m->nstacks && n < h; i++) {
		const struct ktop_mem_stack *k = &m->stacks[i];

		if (k->pid != r->pid)
			continue;
		stack_line(y + n++, 0, COLS, k);
		if (full && n < h && (k->example || k->samples_site)) {
			fmt_bytes(a, sizeof(a), (double)k->site_bytes);
			if (k->example)
				snprintf(line, sizeof(line), "example stack: the first allocation of a "
					 "call site holding %s (none of its 1-in-64 samples outstanding)", a);
			else
				snprintf(line, sizeof(line), "estimated share: %u of %u sampled "
					 "allocations (1 in 64) of a call site holding %s", k->samples,
					 k->samples_site, a);
			ui_put(y + n++, 6, COLS - 6, line);
		}
		if (full && n < h)
			n += stack_frames(y + n, 6, COLS - 6, h - n, k);
	}
	if (n == 2)
		ui_put(y + 2, 2, COLS - 4, r->outstanding_allocs ?
		       "(stacks not in this snapshot: only the first processes' stacks are kept)" :
		       "(nothing outstanding)");
}

/* User mode: the selected allocation stack, frame by frame. */
static void draw_ustack(struct ui *u, const struct ktop_snapshot *s, const struct ktop_mem_row *r,
			int y, int h)
{
	const struct ktop_mem_stack *k = stack_of(&s->mem, r);
	char line[256], a[16], b[16];

	if (!k)
		return;
	snprintf(line, sizeof(line), "%s in %llu allocations from %s, oldest %s, %u of the last 10 "
		 "intervals set a new high%s", fmt_bytes(a, sizeof(a), (double)r->outstanding_bytes),
		 (unsigned long long)r->outstanding_allocs, k->allocator,
		 r->oldest_age_ns ? fmt_ns(b, sizeof(b), r->oldest_age_ns) : "-", r->highs,
		 r->suspect ? "  LEAK SUSPECT" : r->held ? "  HELD (a leak that stopped growing)" : "");
	ui_color_on(u, UI_C_TITLE);
	ui_put_fit(y, 0, COLS, line);
	ui_color_off(u, UI_C_TITLE);
	stack_frames(y + 1, 2, COLS - 2, h - 1, k);
}

static void draw(struct ui *u, const struct ktop_snapshot *s, int y, int h)
{
	const struct ktop_mem_snap *m = &s->mem;
	const struct ui_col *cl = m->mode == KTOP_MEM_USER ? ucols : cols;
	struct ui_tab *t = &u->t[u->tab];
	double secs = ktop_secs(s);
	char cells[C_N][UI_CELL];
	const struct ktop_mem_row *sel = NULL;
	int th, top, i;

	summary(u, s, y);
	y++;
	h--;
	if (t->detail && u->nrows) {
		th = 0;			/* details: the whole body */
	} else {
		th = u->nrows + 1;
		if (th > h / 2)
			th = h / 2;
		if (th < 3)
			th = 3;
	}
	if (th) {
		ui_table_header(u, y, cl, C_N, t->sort, t->reverse);
		top = ui_scroll(u, th - 1);
		for (i = 0; i < th - 1 && top + i < u->nrows; i++) {
			const struct ktop_mem_row *r = &m->rows[u->rows[top + i]];

			cells_of(m, r, secs, cells);
			ui_table_row(u, y + 1 + i, cl, C_N, cells, top + i == t->sel,
				     r->suspect || r->held ? UI_C_WARN : r->exited ? UI_C_DIM : -1);
		}
		if (!u->nrows)
			ui_empty(u, s, y + 1, "no outstanding allocations tracked yet");
	}
	if (u->nrows && t->sel < u->nrows)
		sel = &m->rows[u->rows[t->sel]];
	if (!sel || h - th < 3)
		return;
	if (m->mode == KTOP_MEM_USER)
		draw_ustack(u, s, sel, y + th + 1, h - th - 1);
	else
		draw_kstacks(u, s, sel, y + th + 1, h - th - 1, t->detail);
}

static uint32_t row_pid(const struct ktop_snapshot *s, int row)
{
	return s->mem.rows[row].pid;
}

const struct screen scr_memory = {
	.what = "Memory: outstanding allocations by process and stack (kmem:* tracepoints; -p: libc uprobes)",
	.cols = cols,
	.ncols = C_N,
	.default_sort = C_GROW,
	.list = list,
	.row_id = row_id,
	.draw = draw,
	.pid = row_pid,
};
