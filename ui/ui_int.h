/* SPDX-License-Identifier: GPL-2.0 */
/* Internals shared by the dashboard's loop, widgets and screens. */
#ifndef KTOP_UI_INT_H
#define KTOP_UI_INT_H
#include <stdbool.h>
#include <stdint.h>
#include "core/snapshot.h"

#define UI_ROWS_MAX	16384		/* rows a screen lists (sorted, filtered) */
#define UI_COLS_MAX	16		/* columns of a screen's table */

enum ui_color {
#define THEME(name, fg, bg, attr) UI_C_##name,
#include "ui/theme.def"
#undef THEME
	UI_C_MAX
};

struct ui_tab {
	int sel;			/* index into the screen's row list */
	int top;			/* first row shown */
	int sort;			/* column index */
	int reverse;
	int detail;			/* Enter pressed: details of the selected row */
};

struct ui {
	const struct ktop_opts *o;
	int tab;			/* enum ktop_tab_id */
	struct ui_tab t[KTOP_TAB_MAX];
	bool frozen, utf8, color, help;
	char filter[64];		/* '/' text filter, "" = none */
	uint32_t pid;			/* 'p' pivot: only this PID, 0 = all */
	char status[256];		/* one-off message for the status line */
	uint64_t status_until_ns;
	int rows[UI_ROWS_MAX];		/* current screen's row list, filled by list() */
	int nrows;
	bool col_hidden[UI_COLS_MAX];	/* set by ui_table_header(), for the rows after it */
};

/* A column of a screen's table. */
struct ui_col {
	const char *title;
	int width;			/* >0: right-aligned, <0: left-aligned, abs = width */
	int drop;			/* 0: always shown; else, when the table is wider than
					 * the terminal, columns go highest drop first (never
					 * the sort column), as htop and top drop fields */
};

/* One tab's screen. list() fills u->rows with indices of the rows to show,
 * in display order (filter and sort applied) and sets u->nrows; draw()
 * paints the body from line y, h lines high. */
struct screen {
	const char *title;
	const struct ui_col *cols;
	int ncols;
	int default_sort;
	void (*list)(struct ui *u, const struct ktop_snapshot *s);
	void (*draw)(struct ui *u, const struct ktop_snapshot *s, int y, int h);
};

extern const struct screen scr_syscalls, scr_memory, scr_locks, scr_io;

/* help.c: what the flight recorder keeps, for the health line (brief) and
 * the help; "" when it is off. */
void ui_rec_text(char *buf, size_t n, const struct ktop_rec_status *r, bool full);

/* widgets.c */
void ui_color_on(struct ui *u, int c);
void ui_color_off(struct ui *u, int c);
/* Sanitized, truncated text at (y, x), at most w columns; returns columns used. */
int ui_put(int y, int x, int w, const char *s);
/* Table header with the sort column marked; returns nothing. */
void ui_table_header(struct ui *u, int y, const struct ui_col *cols, int ncols, int sort, int rev);
/* One table row: cells[i] in cols[i]'s width; selected rows are highlighted.
 * The columns are those the last ui_table_header() showed. */
void ui_table_row(struct ui *u, int y, const struct ui_col *cols, int ncols,
		  char cells[][48], bool selected, int color);
/* Horizontal bar of frac (0..1) of w columns. */
void ui_bar(struct ui *u, int y, int x, int w, double frac);
/* A latency histogram as bars, h lines at most, from line y. */
void ui_hist(struct ui *u, int y, int x, int w, int h, const uint64_t *hist, const char *title);
/* Scroll u->t[tab] so the selection is visible in h lines; returns first row. */
int ui_scroll(struct ui *u, int h);
/* Case-insensitive: does s contain the filter text (or is there none)? */
bool ui_match(const struct ui *u, const char *s);
/* Insertion-free sort of u->rows with cmp(a, b) on row indices, honouring reverse. */
void ui_sort_rows(struct ui *u, int (*cmp)(const void *ctx, int a, int b), const void *ctx);

#endif
