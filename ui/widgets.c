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

/* Columns of a sanitized string: one per character (wide CJK glyphs may
 * overrun by one; names are short). */
static int text_cols(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Byte offset of column c in a sanitized string (or its end). */
static size_t col_off(const char *s, int c)
{
	size_t i = 0;

	for (; s[i]; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && c-- == 0)
			break;
	return i;
}

/* Sanitized text (already) at (y, x), at most w columns. */
static int put_clean(int y, int x, int w, const char *buf)
{
	const unsigned char *p = (const unsigned char *)buf;
	int cols = 0, i = 0;

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

/* See ui_int.h. */
int ui_put(int y, int x, int w, const char *s)
{
	char buf[512];

	if (w <= 0)
		return 0;
	str_sanitize(buf, sizeof(buf), s ? s : "", sizeof(buf));
	return put_clean(y, x, w, buf);
}

/* Cut sanitized buf to w columns with an ellipsis: after a word when a
 * single space (not a column's padding) falls in the last 8 columns of
 * the room, else at the edge. */
static void fit(char *buf, size_t n, int w)
{
	const char *dots = utf8_term ? "\xe2\x80\xa6" : "...";
	int room = w - (utf8_term ? 1 : 3), c;
	size_t cut;

	if (text_cols(buf) <= w)
		return;
	if (room < 1) {
		buf[col_off(buf, w > 0 ? w : 0)] = 0;
		return;
	}
	cut = col_off(buf, room);
	for (c = room; c > 0 && c > room - 8; c--) {
		size_t o = col_off(buf, c);

		if (buf[o] == ' ' && o && buf[o - 1] != ' ' && buf[o + 1] != ' ') {
			cut = o;
			break;
		}
	}
	if (cut + strlen(dots) + 1 > n)
		cut = n - strlen(dots) - 1;
	strcpy(buf + cut, dots);
}

/* See ui_int.h. */
int ui_put_fit(int y, int x, int w, const char *s)
{
	char buf[520];

	if (w <= 0)
		return 0;
	str_sanitize(buf, sizeof(buf) - 8, s ? s : "", sizeof(buf));
	fit(buf, sizeof(buf), w);
	return put_clean(y, x, w, buf);
}

/* See ui_int.h. */
void ui_put_first_fit(int y, int x, int w, const char *const *texts, int n)
{
	char buf[520];
	int i;

	if (w <= 0 || n <= 0)
		return;
	for (i = 0; i < n; i++) {
		str_sanitize(buf, sizeof(buf) - 8, texts[i], sizeof(buf));
		if (text_cols(buf) <= w || i == n - 1)
			break;
	}
	fit(buf, sizeof(buf), w);
	put_clean(y, x, w, buf);
}

/* See ui_int.h. */
int ui_wrap(int y, int x, int w, int h, const char *s)
{
	char buf[1024], line[520];
	const char *p = buf;
	int n = 0;

	if (w <= 0 || h <= 0)
		return 0;
	str_sanitize(buf, sizeof(buf), s ? s : "", sizeof(buf));
	while (*p && n < h) {
		size_t end = col_off(p, w), brk = end;

		if (p[end] && n < h - 1) {	/* break at the last space that fits */
			while (brk && p[brk] != ' ')
				brk--;
			if (!brk)
				brk = end;
		} else if (p[end]) {		/* last line: the rest, cut with care */
			brk = strlen(p);
		}
		snprintf(line, sizeof(line) - 8, "%.*s", (int)brk, p);
		fit(line, sizeof(line), w);
		put_clean(y + n++, x, w, line);
		p += brk;
		while (*p == ' ')
			p++;
	}
	return n;
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
		  char cells[][UI_CELL], bool selected, int color)
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

		str_sanitize(s, sizeof(s), cells[i], UI_CELL);
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

/* See ui_int.h. Buckets from the first to the last non-empty one, in
 * lines of `per` buckets each, per a power of two and each line starting
 * at a multiple of per: the edges come from one fixed lattice, so a line's
 * bounds stay the same from refresh to refresh; they change only when the
 * range needs twice (or half) the lines, and then the coarser grid keeps
 * every other edge of the finer one. Each line is "low - high count bar". */
void ui_hist(struct ui *u, int y, int x, int w, int h, const uint64_t *hist,
	     const char *const *titles, int ntitles)
{
	unsigned first = KTOP_HIST_BUCKETS, last = 0, i, per, start, lines, l;
	uint64_t maxc = 0, sums[64];
	char lo[16], hi[16], cnt[16], line[64];

	ui_color_on(u, UI_C_TITLE);
	ui_put_first_fit(y, x, w, titles, ntitles);
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
	for (per = 1;; per *= 2) {
		start = first / per * per;
		if ((last - start) / per + 1 <= lines)
			break;
	}
	lines = (last - start) / per + 1;
	for (l = 0; l < lines; l++) {
		sums[l] = 0;
		for (i = start + l * per; i < start + (l + 1) * per && i < KTOP_HIST_BUCKETS; i++)
			sums[l] += hist[i];
		if (sums[l] > maxc)
			maxc = sums[l];
	}
	for (l = 0; l < lines; l++) {
		unsigned b0 = start + l * per, b1 = b0 + per - 1;

		if (b1 >= KTOP_HIST_BUCKETS)
			b1 = KTOP_HIST_BUCKETS - 1;
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

/* See ui_int.h. */
bool ui_match_proc(const struct ui *u, uint32_t pid, const char *comm)
{
	char c[KTOP_COMM_LEN + 1], p[16];

	if (!u->filter[0])
		return true;
	snprintf(c, sizeof(c), "%.*s", KTOP_COMM_LEN, comm ? comm : "");
	snprintf(p, sizeof(p), "%u", pid);
	return (pid && ui_match(u, p)) || (c[0] && ui_match(u, c));
}

/* See ui_int.h. */
void ui_empty(struct ui *u, const struct ktop_snapshot *s, int y, const char *none)
{
	char line[160];

	if (!s->iteration)
		snprintf(line, sizeof(line), "collecting: first figures after one interval");
	else if (u->filter[0] && u->pid)
		snprintf(line, sizeof(line), "no rows match /%s for PID %u", u->filter, u->pid);
	else if (u->filter[0])
		snprintf(line, sizeof(line), "no rows match /%s", u->filter);
	else if (u->pid)
		snprintf(line, sizeof(line), "no rows for PID %u in this interval (p: all processes)",
			 u->pid);
	else
		snprintf(line, sizeof(line), "%s", none);
	ui_put_fit(y, 1, COLS - 2, line);
}

/* See ui_int.h. */
uint64_t ui_hash(uint64_t h, const char *s, size_t n)
{
	size_t i;

	if (!h)
		h = 0xcbf29ce484222325ull;
	for (i = 0; i < n && s[i]; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
	return h;
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
