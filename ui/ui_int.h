/* SPDX-License-Identifier: GPL-2.0 */
/* Internals shared by the dashboard's loop, widgets and screens. */
#ifndef KTOP_UI_INT_H
#define KTOP_UI_INT_H
#include <stdbool.h>
#include <stdint.h>
#include "core/snapshot.h"

#define UI_ROWS_MAX	16384		/* rows a screen lists (sorted, filtered) */
#define UI_COLS_MAX	16		/* columns of a screen's table */
#define UI_CELL		48		/* bytes of one table cell's text, NUL included */

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
	uint64_t sel_id;		/* identity of the selected row (screen's row_id) */
	bool has_id;			/* sel_id is set: follow that row, not the position */
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

/* One tab's screen (scr_<name> of each tab in core/tabs.def; its title is
 * the registry's). list() fills u->rows with indices of the rows to show,
 * in display order (filter and sort applied) and sets u->nrows; row_id()
 * names a row across refreshes and re-sorts (syscall, PID, lock, disk and
 * op), so the selection follows it; draw() paints the body from line y, h
 * lines high; pid() is the process of row (the 'p' pivot), 0 when it has
 * none; key(), when set, sees each key first and returns true when it
 * handled it. what is the help's line about the tab. */
struct screen {
	const char *what;
	const struct ui_col *cols;
	int ncols;
	int default_sort;
	void (*list)(struct ui *u, const struct ktop_snapshot *s);
	uint64_t (*row_id)(const struct ktop_snapshot *s, int row);
	void (*draw)(struct ui *u, const struct ktop_snapshot *s, int y, int h);
	uint32_t (*pid)(const struct ktop_snapshot *s, int row);
	bool (*key)(struct ui *u, int ch, const struct ktop_snapshot *s);
};

#define KTOP_TAB(id, name, title) extern const struct screen scr_##name;
#include "core/tabs.def"
#undef KTOP_TAB
/* The screens, in the registry's order (ui.c). */
extern const struct screen *const ui_screens[KTOP_TAB_MAX];

/* Where snapshots come from: core's collectors (live) or a recording (ui.c). */
struct ui_src {
	struct replay *r;		/* NULL: live */
	size_t idx, n;
	struct ktop_snapshot *snap;	/* replay: the decoded current record */
	int window;			/* replay of a recorder window: opens paused */
};
extern struct ui_src ui_src;
/* Next snapshot: poll the collectors, or step the recording by delta
 * records (clamped at both ends). Returns the interval until the next step. */
uint64_t ui_src_step(long delta, uint64_t interval_ns);
/* A one-off message on the status line, for 5 s. */
void ui_status(struct ui *u, const char *text);

/* What the loop does after a key (keys.c). */
enum ui_next {
	UI_REDRAW,			/* draw the view again */
	UI_QUIT,
};
#define KEY_ESC		27
/* Handle one key: the key table, after the help and the screen's own keys. */
enum ui_next ui_key(struct ui *u, int ch, const struct ktop_snapshot *shown,
		    struct ktop_snapshot **frozen);
/* After getch() gave an ESC: the key the rest of the sequence stands for,
 * KEY_ESC for Esc alone, ERR for something to ignore. */
int ui_read_escape(void);

/* help.c: what the flight recorder keeps, for the health line (brief) and
 * the help; "" when it is off. */
void ui_rec_text(char *buf, size_t n, const struct ktop_rec_status *r, bool full);

/* widgets.c */
void ui_color_on(struct ui *u, int c);
void ui_color_off(struct ui *u, int c);
/* Sanitized, truncated text at (y, x), at most w columns; returns columns used. */
int ui_put(int y, int x, int w, const char *s);
/* As ui_put, but text longer than w ends in an ellipsis at a word break
 * when one is near, so a cut is visible. Returns columns used. */
int ui_put_fit(int y, int x, int w, const char *s);
/* Text wrapped at spaces into at most h lines of w columns (the last one
 * ends in an ellipsis when text is left). Returns lines used. */
int ui_wrap(int y, int x, int w, int h, const char *s);
/* The first of n texts that fits in w columns, else the last one fitted
 * with an ellipsis, at (y, x). */
void ui_put_first_fit(int y, int x, int w, const char *const *texts, int n);
/* Table header with the sort column marked; returns nothing. */
void ui_table_header(struct ui *u, int y, const struct ui_col *cols, int ncols, int sort, int rev);
/* One table row: cells[i] in cols[i]'s width; selected rows are highlighted.
 * The columns are those the last ui_table_header() showed. */
void ui_table_row(struct ui *u, int y, const struct ui_col *cols, int ncols,
		  char cells[][UI_CELL], bool selected, int color);
/* Horizontal bar of frac (0..1) of w columns. */
void ui_bar(struct ui *u, int y, int x, int w, double frac);
/* A latency histogram as bars, h lines at most, from line y, under the
 * first of ntitles titles that fits (longest first). Line edges come from
 * a fixed grid, so they do not move between refreshes. */
void ui_hist(struct ui *u, int y, int x, int w, int h, const uint64_t *hist,
	     const char *const *titles, int ntitles);
/* Scroll u->t[tab] so the selection is visible in h lines; returns first row. */
int ui_scroll(struct ui *u, int h);
/* Case-insensitive: does s contain the filter text (or is there none)? */
bool ui_match(const struct ui *u, const char *s);
/* Does the filter text match a process on a row, by PID or name (comm
 * need not be NUL-terminated within KTOP_COMM_LEN)? The '/' rule, the same
 * on every tab: a row is kept when the text is in any of its text columns
 * or in the PID or name of a process listed for it. */
bool ui_match_proc(const struct ui *u, uint32_t pid, const char *comm);
/* The line for an empty table at (y, 1): collecting, no rows matching the
 * filter or pivot, or none (what the tab has nothing of). */
void ui_empty(struct ui *u, const struct ktop_snapshot *s, int y, const char *none);
/* 64-bit FNV-1a of a string, folded into h (start with 0): row identities. */
uint64_t ui_hash(uint64_t h, const char *s, size_t n);
/* Insertion-free sort of u->rows with cmp(a, b) on row indices, honouring reverse. */
void ui_sort_rows(struct ui *u, int (*cmp)(const void *ctx, int a, int b), const void *ctx);

#endif
