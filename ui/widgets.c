// SPDX-License-Identifier: GPL-2.0
/* Drawing helpers: sanitized text, table rows, bars and histograms. */
#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/fmt.h"
#include "core/histo.h"
#include "core/sanitize.h"
#include "ui/ui_int.h"

static bool utf8_term;

static const struct {
	short fg, bg;
	attr_t attr;
} theme[UI_C_MAX] = {
#define THEME(name, f, b, a) [UI_C_##name] = { f, b, a },
#include "ui/theme.def"
#undef THEME
};

/* Called by ui.c once curses runs. */
void ui_widgets_init(struct ui *u)
{
	int i;

	utf8_term = u->utf8;
	if (!u->color)
		return;
	start_color();
	use_default_colors();
	for (i = 0; i < UI_C_MAX; i++)
		init_pair(i + 1, theme[i].fg, theme[i].bg);
}

void ui_color_on(struct ui *u, int c)
{
	if (u->color)
		attron(COLOR_PAIR(c + 1) | theme[c].attr);
	else if (c == UI_C_SELECTED || c == UI_C_HEADER || c == UI_C_TAB_ACTIVE ||
		 c == UI_C_COLHEAD || c == UI_C_STATUS || c == UI_C_FROZEN)
		attron(A_REVERSE);
	else if (c == UI_C_WARN || c == UI_C_TITLE || c == UI_C_SORTCOL)
		attron(A_BOLD);
}

void ui_color_off(struct ui *u, int c)
{
	if (u->color)
		attroff(COLOR_PAIR(c + 1) | theme[c].attr);
	else
		attroff(A_REVERSE | A_BOLD);
}

/* See ui_int.h. Counts one column per character (wide CJK glyphs may
 * overrun by one; names are short). */
int ui_put(int y, int x, int w, const char *s)
{
	char buf[512];
	const unsigned char *p;
	int cols = 0, i = 0;

	if (w <= 0)
		return 0;
	str_sanitize(buf, sizeof(buf), s ? s : "", sizeof(buf));
	p = (const unsigned char *)buf;
	move(y, x);
	while (p[i] && cols < w) {
		int len = 1;

		if (p[i] >= 0x80) {
			len = (p[i] >= 0xf0) ? 4 : (p[i] >= 0xe0) ? 3 : 2;
			if (utf8_term)
				addnstr((const char *)p + i, len);
			else
				addch('?');
		} else {
			addch(p[i]);
		}
		i += len;
		cols++;
	}
	return cols;
}

/* Columns a table needs: all shown ones, but a left-aligned text column at
 * the end can be cut to 12 (a cut name still tells things apart). */
static int table_need(const bool *hidden, const struct ui_col *cols, int ncols)
{
	int i, last = -1, total = -1;

	for (i = 0; i < ncols; i++)
		if (!hidden[i]) {
			total += abs(cols[i].width) + 1;
			last = i;
		}
	if (last >= 0 && cols[last].width < -12)
		total -= -cols[last].width - 12;
	return total;
}

/* Which columns fit in width: hide the one with the highest drop (never the
 * sort column, nor a column with drop 0) until the rest fit, or none is left
 * to hide. */
static void table_fit(bool *hidden, const struct ui_col *cols, int ncols, int sort, int width)
{
	int i;

	for (i = 0; i < ncols; i++)
		hidden[i] = false;
	while (table_need(hidden, cols, ncols) > width) {
		int best = -1;

		for (i = 0; i < ncols; i++)
			if (!hidden[i] && i != sort && cols[i].drop > 0 &&
			    (best < 0 || cols[i].drop > cols[best].drop))
				best = i;
		if (best < 0)
			break;
		hidden[best] = true;
	}
}

/* See ui_int.h. */
void ui_table_header(struct ui *u, int y, const struct ui_col *cols, int ncols, int sort, int rev)
{
	int i, x = 0;
	char t[64];

	if (ncols > UI_COLS_MAX)
		ncols = UI_COLS_MAX;
	table_fit(u->col_hidden, cols, ncols, sort, COLS);
	ui_color_on(u, UI_C_COLHEAD);
	mvhline(y, 0, ' ', COLS);
	for (i = 0; i < ncols && x < COLS; i++) {
		int w = abs(cols[i].width);

		if (u->col_hidden[i])
			continue;

		snprintf(t, sizeof(t), "%s%s", cols[i].title,
			 i == sort ? (rev ? (utf8_term ? "▲" : "^") : (utf8_term ? "▼" : "v")) : "");
		if (i == sort) {
			ui_color_off(u, UI_C_COLHEAD);
			ui_color_on(u, UI_C_SORTCOL);
		}
		if (cols[i].width > 0)
			mvprintw(y, x, "%*s", w + (i == sort && utf8_term ? 2 : 0), t);
		else
			mvprintw(y, x, "%-*s", w + (i == sort && utf8_term ? 2 : 0), t);
		if (i == sort) {
			ui_color_off(u, UI_C_SORTCOL);
			ui_color_on(u, UI_C_COLHEAD);
		}
		x += w + 1;
	}
	ui_color_off(u, UI_C_COLHEAD);
}

/* See ui_int.h. */
void ui_table_row(struct ui *u, int y, const struct ui_col *cols, int ncols,
		  char cells[][48], bool selected, int color)
{
	int i, x = 0;

	if (selected)
		ui_color_on(u, UI_C_SELECTED);
	else if (color >= 0)
		ui_color_on(u, color);
	mvhline(y, 0, ' ', COLS);
	if (ncols > UI_COLS_MAX)
		ncols = UI_COLS_MAX;
	for (i = 0; i < ncols && x < COLS; i++) {
		int w = abs(cols[i].width), len;
		char s[64];

		if (u->col_hidden[i])
			continue;

		str_sanitize(s, sizeof(s), cells[i], 48);
		len = (int)strlen(s);
		if (cols[i].width > 0 && len < w) {
			if (x + w <= COLS)	/* right-aligned, and fits: never wrap */
				ui_put(y, x + w - len, len, s);
		} else {
			ui_put(y, x, w < COLS - x ? w : COLS - x, s);
		}
		x += w + 1;
	}
	if (selected)
		ui_color_off(u, UI_C_SELECTED);
	else if (color >= 0)
		ui_color_off(u, color);
}

/* See ui_int.h. */
void ui_bar(struct ui *u, int y, int x, int w, double frac)
{
	static const char *const part[8] = { "", "▏", "▎", "▍", "▌", "▋", "▊", "▉" };
	int eighths, i;

	if (frac < 0)
		frac = 0;
	if (frac > 1)
		frac = 1;
	eighths = (int)(frac * w * 8 + 0.5);
	ui_color_on(u, UI_C_BAR);
	move(y, x);
	for (i = 0; i < eighths / 8; i++)
		addstr(utf8_term ? "█" : "#");
	if (utf8_term && eighths % 8)
		addstr(part[eighths % 8]);
	ui_color_off(u, UI_C_BAR);
}

/* See ui_int.h. Buckets from the first to the last non-empty one, merged
 * into at most h - 1 lines, each "[low, high) count bar". */
void ui_hist(struct ui *u, int y, int x, int w, int h, const uint64_t *hist, const char *title)
{
	unsigned first = KTOP_HIST_BUCKETS, last = 0, i, per, lines, l;
	uint64_t maxc = 0, sums[64];
	char lo[16], hi[16], cnt[16], line[64];

	ui_color_on(u, UI_C_TITLE);
	ui_put(y, x, w, title);
	ui_color_off(u, UI_C_TITLE);
	if (h < 2)
		return;
	for (i = 0; i < KTOP_HIST_BUCKETS; i++) {
		if (hist[i]) {
			if (first == KTOP_HIST_BUCKETS)
				first = i;
			last = i;
		}
	}
	if (first == KTOP_HIST_BUCKETS) {
		ui_put(y + 1, x, w, "  (no samples)");
		return;
	}
	lines = (unsigned)(h - 1) < 64 ? (unsigned)(h - 1) : 64;
	per = (last - first + lines) / lines;
	if (!per)
		per = 1;
	lines = (last - first) / per + 1;
	for (l = 0; l < lines; l++) {
		sums[l] = 0;
		for (i = first + l * per; i < first + (l + 1) * per && i <= last; i++)
			sums[l] += hist[i];
		if (sums[l] > maxc)
			maxc = sums[l];
	}
	for (l = 0; l < lines; l++) {
		unsigned b0 = first + l * per, b1 = b0 + per - 1;

		if (b1 > last)
			b1 = last;
		fmt_ns(lo, sizeof(lo), ktop_hist_lower(b0));
		fmt_ns(hi, sizeof(hi), ktop_hist_upper(b1));
		fmt_count(cnt, sizeof(cnt), (double)sums[l]);
		snprintf(line, sizeof(line), "%8s - %-8s %7s  ", lo, hi, cnt);
		ui_put(y + 1 + l, x, w, line);
		if (w > 30)
			ui_bar(u, y + 1 + l, x + 29, w - 30, maxc ? (double)sums[l] / maxc : 0);
	}
}

/* See ui_int.h. */
int ui_scroll(struct ui *u, int h)
{
	struct ui_tab *t = &u->t[u->tab];

	if (t->sel >= u->nrows)
		t->sel = u->nrows - 1;
	if (t->sel < 0)
		t->sel = 0;
	if (h < 1)
		h = 1;
	if (t->sel < t->top)
		t->top = t->sel;
	if (t->sel >= t->top + h)
		t->top = t->sel - h + 1;
	if (t->top > u->nrows - h)
		t->top = u->nrows - h;
	if (t->top < 0)
		t->top = 0;
	return t->top;
}

/* See ui_int.h. */
bool ui_match(const struct ui *u, const char *s)
{
	return !u->filter[0] || (s && strcasestr(s, u->filter));
}

static int (*sort_cmp)(const void *, int, int);
static const void *sort_ctx;
static int sort_rev;

static int qcmp(const void *a, const void *b)
{
	int r = sort_cmp(sort_ctx, *(const int *)a, *(const int *)b);

	if (!r)
		r = *(const int *)a - *(const int *)b;	/* stable on equal keys */
	return sort_rev ? -r : r;
}

/* See ui_int.h. */
void ui_sort_rows(struct ui *u, int (*cmp)(const void *ctx, int a, int b), const void *ctx)
{
	sort_cmp = cmp;
	sort_ctx = ctx;
	sort_rev = u->t[u->tab].reverse;
	qsort(u->rows, u->nrows, sizeof(u->rows[0]), qcmp);
}
