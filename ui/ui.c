// SPDX-License-Identifier: GPL-2.0
/* The dashboard: curses setup, the tick-driven loop, header, tab bar, status line (keys: keys.c). */
#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "core/tabs.h"
#include "core/core.h"
#include "core/fmt.h"
#include "core/msg.h"
#include "core/bpfstats.h"
#include "core/replay.h"
#include "core/snapfile.h"
#include "core/sanitize.h"
#include "ui/term.h"
#include "core/trigger.h"
#include "ui/ui.h"
#include "ui/ui_int.h"

#define MIN_COLS	60
#define MIN_LINES	12

void ui_widgets_init(struct ui *u);
void ui_help_draw(struct ui *u, const struct ktop_snapshot *s);

const struct screen *const ui_screens[KTOP_TAB_MAX] = {
#define KTOP_TAB(id, name, title) [KTOP_TAB_##id] = &scr_##name,
#include "core/tabs.def"
#undef KTOP_TAB
};
#define screens ui_screens

static volatile int curses_on;

struct ui_src ui_src;
#define src ui_src

static const struct ktop_snapshot *src_current(void)
{
	return src.r ? src.snap : core_snapshot();
}

/* See ui_int.h. */
uint64_t ui_src_step(long delta, uint64_t interval_ns)
{
	long i;

	if (!src.r) {
		core_poll();
		return interval_ns;
	}
	i = (long)src.idx + delta;
	if (i < 0)
		i = 0;
	if (i >= (long)src.n)
		i = (long)src.n - 1;
	src.idx = (size_t)i;
	replay__get(src.r, src.idx, src.snap);
	return src.snap->interval_ns ? src.snap->interval_ns : interval_ns;
}

/* See ui.h. */
void ui_restore(void)
{
	if (curses_on) {
		curses_on = 0;
		endwin();
		msg_libbpf_sink(stderr);
	}
}

/* See ui_int.h. */
void ui_status(struct ui *u, const char *text)
{
	snprintf(u->status, sizeof(u->status), "%.255s", text);
	u->status_until_ns = now_mono_ns() + 5000000000ull;
}

/* Health, right of the tab bar: losses, untracked allocations, BPF run time. */
static void draw_health(struct ui *u, const struct ktop_snapshot *s, int x)
{
	char line[280], bpf[48], scr[96] = "", rec[64];
	int len;

	if (s->bpf_stats)
		snprintf(bpf, sizeof(bpf), "bpf %.2fms/s", ktop_rate(s, s->bpf_run_ns) / 1e6);
	else
		snprintf(bpf, sizeof(bpf), "bpf stats off");
	if (s->listen[0])		/* --listen: being scraped, and how often */
		snprintf(scr, sizeof(scr), "  scraped %s %.1f/s", s->listen, s->scrapes_per_s);
	ui_rec_text(rec, sizeof(rec), &s->rec, false);
	len = snprintf(line, sizeof(line), "%s%slost %llu  untracked %llu  %s%s", rec, rec[0] ? "  " : "",
		       (unsigned long long)s->lost_events, (unsigned long long)s->mem.untracked, bpf, scr);
	if (scr[0] && x + len + 1 > COLS) {	/* narrow: the scrape note goes first */
		len -= (int)strlen(scr);
		line[len] = 0;
	}
	if (x + len + 1 > COLS && rec[0])	/* then the recorder's: the losses matter more */
		len = snprintf(line, sizeof(line), "lost %llu  untracked %llu  %s",
			       (unsigned long long)s->lost_events, (unsigned long long)s->mem.untracked, bpf);
	if (x + len + 1 > COLS)
		return;
	ui_color_on(u, s->lost_events || s->mem.untracked ? UI_C_WARN : UI_C_DIM);
	ui_put(1, COLS - len - 1, len, line);
	ui_color_off(u, s->lost_events || s->mem.untracked ? UI_C_WARN : UI_C_DIM);
}

/* " pid 1234 only " (or "pids 12,34 only") for -p. */
static void pid_badge(char *buf, size_t n, const struct ktop_opts *o)
{
	size_t len;
	int i;

	len = (size_t)snprintf(buf, n, " pid%s ", o->npids > 1 ? "s" : "");
	for (i = 0; i < o->npids && len + 24 < n; i++)
		len += (size_t)snprintf(buf + len, n - len, "%s%u", i ? "," : "", o->pids[i]);
	snprintf(buf + len, n - len, " only ");
}

static void draw_header(struct ui *u, const struct ktop_snapshot *s)
{
	char line[512], tbuf[16], iv[16], rss[16];
	time_t t = (time_t)(s->real_ns / 1000000000);
	struct tm tm;
	int x, i;

	localtime_r(&t, &tm);
	strftime(tbuf, sizeof(tbuf), "%H:%M:%S", &tm);
	fmt_ns(iv, sizeof(iv), src.r ? s->interval_ns : u->o->interval_ns);
	fmt_bytes(rss, sizeof(rss), s->self_rss_kb * 1024.0);
	ui_color_on(u, UI_C_HEADER);
	mvhline(0, 0, ' ', COLS);
	snprintf(line, sizeof(line), " ktop %s ", s->version);
	x = ui_put(0, 0, COLS, line);
	ui_color_off(u, UI_C_HEADER);
	/* badges first, so a narrow terminal never hides them */
	if (src.r && x < COLS) {
		snprintf(line, sizeof(line), " REPLAY %zu/%zu ", src.idx + 1, src.n);
		ui_color_on(u, UI_C_TAB_ACTIVE);
		x += ui_put(0, x, COLS - x, line);
		ui_color_off(u, UI_C_TAB_ACTIVE);
	}
	if (u->frozen && x < COLS) {
		ui_color_on(u, UI_C_FROZEN);
		x += ui_put(0, x, COLS - x, src.r ? " PAUSED " : " FROZEN ");
		ui_color_off(u, UI_C_FROZEN);
	}
	if (u->o->npids && !src.r && x < COLS) {	/* -p: the whole view is filtered */
		pid_badge(line, sizeof(line), u->o);
		ui_color_on(u, UI_C_FROZEN);
		x += ui_put(0, x, COLS - x, line);
		ui_color_off(u, UI_C_FROZEN);
	}
	if (u->pid && x < COLS) {
		snprintf(line, sizeof(line), " PID %u ", u->pid);
		ui_color_on(u, UI_C_FROZEN);
		x += ui_put(0, x, COLS - x, line);
		ui_color_off(u, UI_C_FROZEN);
	}
	if (u->filter[0] && x < COLS) {
		snprintf(line, sizeof(line), " /%s ", u->filter);
		ui_color_on(u, UI_C_FROZEN);
		x += ui_put(0, x, COLS - x, line);
		ui_color_off(u, UI_C_FROZEN);
	}
	snprintf(line, sizeof(line), " %s  %s  %s  every %s  ktop cpu %.1f%% rss %s",
		 s->host, s->kernel, tbuf, iv, s->self_cpu_pct, rss);
	ui_color_on(u, UI_C_HEADER);
	if (x < COLS)
		ui_put(0, x, COLS - x, line);
	ui_color_off(u, UI_C_HEADER);
	/* tab bar */
	move(1, 0);
	clrtoeol();
	x = 0;
	for (i = 0; i < KTOP_TAB_MAX && x < COLS; i++) {
		int c = i == u->tab ? UI_C_TAB_ACTIVE :
			s->tab[i].state == KTOP_TAB_RUNNING ? UI_C_TAB : UI_C_TAB_OFF;

		snprintf(line, sizeof(line), " %d %s ", i + 1, ktop_tab_titles[i]);
		ui_color_on(u, c);
		x += ui_put(1, x, COLS - x, line);
		ui_color_off(u, c);
		x++;
	}
	draw_health(u, s, x);
}

static void draw_status(struct ui *u, const struct ktop_snapshot *s)
{
	static char seen[256];
	const char *text = NULL;
	char buf[256];

	(void)s;
	if (strcmp(seen, msg_last())) {		/* a new warning: show it for a while */
		snprintf(seen, sizeof(seen), "%s", msg_last());
		ui_status(u, seen);
	}
	if (u->status[0] && now_mono_ns() < u->status_until_ns)
		text = u->status;
	if (!text) {
		if (src.r)	/* replay: its own keys first */
			snprintf(buf, sizeof(buf), "h:help Left/Right:step f:pause 1-%d:tab <>:sort "
				 "Enter:detail /:filter q:quit", KTOP_TAB_MAX);
		else
			snprintf(buf, sizeof(buf), "h:help 1-%d:tab <>:sort r:rev Enter:detail f:freeze "
				 "w:snapshot /:filter q:quit", KTOP_TAB_MAX);
		text = buf;
	}
	ui_color_on(u, UI_C_STATUS);
	mvhline(LINES - 1, 0, ' ', COLS);
	ui_put_fit(LINES - 1, 0, COLS, text);
	ui_color_off(u, UI_C_STATUS);
}

static void draw_body(struct ui *u, const struct ktop_snapshot *s)
{
	const struct ktop_tab_status *st = &s->tab[u->tab];
	int y = 2, h = LINES - 3;
	char line[320];

	if (st->state == KTOP_TAB_OFF) {
		ui_put(y + 1, 2, COLS - 4, "This tab is off: not selected with --panes.");
		return;
	}
	if (st->state == KTOP_TAB_DISABLED) {
		ui_color_on(u, UI_C_WARN);
		ui_put(y + 1, 2, COLS - 4, "This tab is disabled:");
		ui_color_off(u, UI_C_WARN);
		ui_put(y + 2, 4, COLS - 6, st->why);
		return;
	}
	if (st->note[0]) {
		snprintf(line, sizeof(line), "note: %s", st->note);
		ui_color_on(u, UI_C_WARN);
		ui_put(y, 0, COLS, line);
		ui_color_off(u, UI_C_WARN);
		y++;
		h--;
	}
	screens[u->tab]->draw(u, s, y, h);
}

/* Keep the selection on the same row (by its identity) across refreshes
 * and re-sorts, as htop follows a PID. When the row is gone, the selection
 * stays at its position (the nearest row) and adopts that row; details
 * open on the gone row close, saying so, rather than show another row. */
static void follow(struct ui *u, const struct ktop_snapshot *s)
{
	const struct screen *sc = screens[u->tab];
	struct ui_tab *t = &u->t[u->tab];
	int i;

	if (!u->nrows || !sc->row_id)
		return;		/* keep the identity: the row may come back */
	if (t->has_id) {
		for (i = 0; i < u->nrows; i++) {
			if (sc->row_id(s, u->rows[i]) == t->sel_id) {
				t->sel = i;
				return;
			}
		}
		if (t->detail) {
			t->detail = 0;
			ui_status(u, "the row in details is gone from this interval; back to the list");
		}
	}
	if (t->sel >= u->nrows)
		t->sel = u->nrows - 1;
	if (t->sel < 0)
		t->sel = 0;
	t->sel_id = sc->row_id(s, u->rows[t->sel]);
	t->has_id = true;
}

static void draw(struct ui *u, const struct ktop_snapshot *s)
{
	erase();			/* only changed cells reach the terminal on refresh() */
	if (COLS < MIN_COLS || LINES < MIN_LINES) {
		mvprintw(0, 0, "ktop needs %dx%d, this terminal is %dx%d", MIN_COLS, MIN_LINES,
			 COLS, LINES);
		refresh();
		return;
	}
	screens[u->tab]->list(u, s);
	follow(u, s);
	draw_header(u, s);
	if (u->help)
		ui_help_draw(u, s);
	else
		draw_body(u, s);
	draw_status(u, s);
	refresh();
}

/* See ui.h. */
int ui_bench_draw(const struct ktop_opts *o, const struct ktop_snapshot *s, int tab, int n)
{
	static struct ui u;
	int i;

	memset(&u, 0, sizeof(u));
	u.o = o;
	u.tab = tab;
	for (i = 0; i < KTOP_TAB_MAX; i++)
		u.t[i].sort = screens[i]->default_sort;
	for (i = 0; i < n; i++)
		draw(&u, s);
	return 0;
}

/* See ui.h. */
int ui_replay(const struct ktop_opts *o, volatile int *stop, char *err, size_t errlen)
{
	int rc;

	rc = replay__open(&src.r, o->replay, err, errlen);
	if (rc)
		return rc;
	src.n = replay__count(src.r);
	src.idx = replay__start(src.r, &src.window);
	src.snap = calloc(1, sizeof(*src.snap));
	if (!src.snap) {
		replay__free(src.r);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = ui_run(o, stop);
	free(src.snap);
	replay__free(src.r);
	src.r = NULL;
	return rc;
}

/* Curses on stdout (the locale decides UTF-8), keys, colors. Returns 0, or
 * -ENOMEM (said through msg_err()). */
static int curses_start(struct ui *u)
{
	const char *cs;

	setlocale(LC_ALL, "");
	cs = nl_langinfo(CODESET);
	u->utf8 = cs && !strcmp(cs, "UTF-8");
	/* newterm, not initscr: initscr exits the process when it fails. main()
	 * has checked TERM (ui_term_check), so this fails only on memory. */
	if (!newterm(NULL, stdout, stdin)) {
		ui_term_cleanup();
		msg_err("cannot start the terminal UI for TERM=%s", san(getenv("TERM") ? getenv("TERM") : ""));
		return -ENOMEM;
	}
	ui_term_cleanup();	/* a built-in terminfo entry has been read */
	curses_on = 1;
	msg_libbpf_sink(NULL);	/* stderr is the screen now */
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	u->color = !u->o->no_color && has_colors();
	ui_widgets_init(u);
	return 0;
}

/* See ui.h. */
int ui_run(const struct ktop_opts *o, volatile int *stop)
{
	static struct ui u;
	struct ktop_snapshot *frozen = NULL;
	const struct ktop_snapshot *shown;
	struct tick t;
	long refreshes = 0;
	int i, ch;

	memset(&u, 0, sizeof(u));
	u.o = o;
	u.tab = o->first_tab;
	u.frozen = src.r && src.window;	/* a window opens where it matters, paused */
	for (i = 0; i < KTOP_TAB_MAX; i++)
		u.t[i].sort = screens[i]->default_sort;
	if (curses_start(&u))
		return 1;
	uint64_t step = ui_src_step(0, o->interval_ns);	/* live: the baseline, drawn at once */
	draw(&u, src_current());
	tick_init(&t, now_mono_ns(), o->interval_ns);
	uint64_t next = src.r ? now_mono_ns() + step : tick_next(&t, now_mono_ns());

	while (!*stop) {
		uint64_t now = now_mono_ns();
		int ms;

		if (now >= next) {
			if (src.r) {	/* replay: the recorded interval of the next record */
				if (!u.frozen && src.idx + 1 < src.n)
					step = ui_src_step(1, o->interval_ns);
				next = now + step;
			} else {
				ui_src_step(0, 0);	/* collection goes on while frozen */
				next = tick_next(&t, now_mono_ns());
			}
			shown = frozen ? frozen : src_current();
			draw(&u, shown);
			if (o->iterations && ++refreshes >= o->iterations)
				break;	/* -n N: as top, N refreshes, then out */
			continue;
		}
		ms = (int)((next - now + 999999) / 1000000);
		timeout(ms);
		ch = getch();
		if (ch == KEY_ESC)
			ch = ui_read_escape();
		if (ch == ERR)
			continue;
		shown = frozen ? frozen : src_current();
		if (ch == KEY_RESIZE) {
			clear();	/* a resize needs the full repaint */
		} else if (ui_key(&u, ch, shown, &frozen) == UI_QUIT) {
			break;
		}
		shown = frozen ? frozen : src_current();
		draw(&u, shown);
	}
	free(frozen);
	ui_restore();
	return 0;
}
