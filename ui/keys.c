// SPDX-License-Identifier: GPL-2.0
/* The dashboard's keys: a table of small actions, each saying what the loop does next. */
#include <curses.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/bpfstats.h"
#include "core/out.h"
#include "core/replay.h"
#include "core/snapfile.h"
#include "core/tabs.h"
#include "core/trigger.h"
#include "ui/ui_int.h"

#define ESC_SEQ_MS	25		/* rest of an escape sequence arrives within this */
#define src ui_src
#define screens ui_screens
#define status ui_status

static void snapshot_key(struct ui *u, const struct ktop_snapshot *s)
{
	struct ktop_view v = {
		.tab = ktop_tab_names[u->tab],
		.sort = screens[u->tab]->ncols ? screens[u->tab]->cols[u->t[u->tab].sort].title : "",
		.reverse = u->t[u->tab].reverse,
		.frozen = u->frozen,
	};
	char path[PATH_MAX + 64], msg[PATH_MAX + 160], dir[PATH_MAX], sel[32];
	const char *d = u->o->snapshot_dir ? u->o->snapshot_dir : ".";
	char *abs;
	int err;

	snprintf(sel, sizeof(sel), "%d", u->t[u->tab].sel);
	v.selected = sel;
	err = snapfile_write(d, s, &v, path, sizeof(path));
	if (!err) {		/* the absolute path: the cwd is unclear over SSH */
		abs = realpath(path, NULL);
		snprintf(msg, sizeof(msg), "snapshot written: %s (and .txt%s)", abs ? abs : path,
			 !src.r && s->rec.on ? ", .ndjson: the recorder's window" : "");
		free(abs);
		status(u, msg);
		return;
	}
	abs = realpath(d, NULL);
	if (abs)
		snprintf(dir, sizeof(dir), "%s", abs);
	else if (d[0] != '/' && getcwd(dir, sizeof(dir) - 1))
		snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/%s", d);
	else
		snprintf(dir, sizeof(dir), "%s", d);
	free(abs);
	if (err == -EACCES || err == -EPERM || err == -EROFS)
		snprintf(msg, sizeof(msg), "snapshot failed: --snapshot-dir %s is not writable (%s)",
			 dir, strerror(-err));
	else
		snprintf(msg, sizeof(msg), "snapshot failed: --snapshot-dir %s: %s", dir, strerror(-err));
	status(u, msg);
}

/* The keys of the escape sequences terminals send for Home, End and the
 * rest when the terminal description (TERM) does not list them: tmux
 * sends ESC [ 1 ~ for Home whatever TERM says, xterm ESC O H or ESC [ H,
 * rxvt ESC [ 7 ~. */
static const struct {
	const char *seq;		/* after the ESC */
	int key;
} esc_keys[] = {
	{ "[1~", KEY_HOME }, { "[7~", KEY_HOME }, { "[H", KEY_HOME }, { "OH", KEY_HOME },
	{ "[4~", KEY_END }, { "[8~", KEY_END }, { "[F", KEY_END }, { "OF", KEY_END },
	{ "[5~", KEY_PPAGE }, { "[6~", KEY_NPAGE },
	{ "[A", KEY_UP }, { "OA", KEY_UP }, { "[B", KEY_DOWN }, { "OB", KEY_DOWN },
	{ "[C", KEY_RIGHT }, { "OC", KEY_RIGHT }, { "[D", KEY_LEFT }, { "OD", KEY_LEFT },
	{ "[Z", KEY_BTAB },
};

/*
 * See ui_int.h. After getch() gave an ESC: read the rest of a sequence curses did not
 * recognise, whole (CSI: ESC [ parameters intermediates final; SS3: ESC O
 * final), so its digits are never taken for keys. Returns the key it
 * stands for, KEY_ESC for an Esc pressed alone (nothing follows within
 * ESC_SEQ_MS), or ERR for a sequence or Alt+key to ignore. Leaves the
 * input timeout at ESC_SEQ_MS; callers set their own before reading again.
 */
int ui_read_escape(void)
{
	char seq[24];
	size_t n = 0, i;
	int ch;

	timeout(ESC_SEQ_MS);
	ch = getch();
	if (ch == ERR)
		return KEY_ESC;
	if (ch == KEY_ESC) {		/* Esc twice: two backs */
		ungetch(ch);
		return KEY_ESC;
	}
	if (ch != '[' && ch != 'O')
		return ERR;		/* Alt+key: nothing is bound to it */
	seq[n++] = (char)ch;
	for (;;) {
		ch = getch();
		if (ch == ERR || ch > 0x7e || ch < 0x20)
			return ERR;	/* cut short or not a sequence: dropped */
		if (n < sizeof(seq) - 1)
			seq[n++] = (char)ch;
		/* final byte: SS3 takes one, CSI ends on 0x40-0x7e */
		if (seq[0] == 'O' || (n > 1 && ch >= 0x40))
			break;
	}
	seq[n] = 0;
	for (i = 0; i < sizeof(esc_keys) / sizeof(esc_keys[0]); i++)
		if (!strcmp(seq, esc_keys[i].seq))
			return esc_keys[i].key;
	return ERR;
}

/* Replay: jump to the interval where the selected row is worst. */
static void worst_key(struct ui *u)
{
	struct ktop_snapshot *tmp;
	char key[KTOP_FRAME_LEN + 8], msg[300];
	int sel = u->t[u->tab].sel;
	size_t idx;

	if (sel < 0 || sel >= u->nrows ||
	    trigger_row_key(u->tab, src.snap, u->rows[sel], key, sizeof(key))) {
		status(u, "W: select a row first");
		return;
	}
	tmp = malloc(sizeof(*tmp));
	if (!tmp) {
		status(u, "W: out of memory");
		return;
	}
	if (replay__worst(src.r, u->tab, key, tmp, &idx) == 0) {
		ui_src_step((long)idx - (long)src.idx, 0);
		u->frozen = true;
		snprintf(msg, sizeof(msg), "worst interval of %s: %zu/%zu", key, idx + 1, src.n);
	} else {
		snprintf(msg, sizeof(msg), "W: %s is in no interval of this recording", key);
	}
	status(u, msg);
	free(tmp);
}

/* Read a line of text on the status line ('/' filter). Returns 0, or -1 on Esc. */
static int prompt(struct ui *u, const char *label, char *buf, size_t n)
{
	size_t len = strlen(buf);
	int ch;

	for (;;) {
		timeout(-1);
		ui_color_on(u, UI_C_STATUS);
		mvhline(LINES - 1, 0, ' ', COLS);
		mvprintw(LINES - 1, 0, "%s", label);
		ui_put(LINES - 1, (int)strlen(label), COLS - (int)strlen(label), buf);
		ui_color_off(u, UI_C_STATUS);
		refresh();
		ch = getch();
		if (ch == KEY_ESC)
			ch = ui_read_escape();
		if (ch == KEY_ESC)
			return -1;
		if (ch == '\n' || ch == '\r' || ch == KEY_ENTER)
			return 0;
		if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && len)
			buf[--len] = 0;
		else if (ch >= 0x20 && ch < 0x7f && len + 1 < n) {
			buf[len++] = (char)ch;
			buf[len] = 0;
		}
	}
}

/* The PID of the selected row, for the 'p' pivot; 0 when the row has none. */
static uint32_t selected_pid(struct ui *u, const struct ktop_snapshot *s)
{
	int sel = u->t[u->tab].sel;

	if (sel < 0 || sel >= u->nrows || !screens[u->tab]->pid)
		return 0;
	return screens[u->tab]->pid(s, u->rows[sel]);
}

struct key_ctx {
	struct ui *u;
	struct ui_tab *t;		/* the current tab's state */
	const struct screen *sc;
	int ch;
	const struct ktop_snapshot *shown;
	struct ktop_snapshot **frozen;
};

static enum ui_next quit(struct key_ctx *k)
{
	(void)k;
	return UI_QUIT;
}

static enum ui_next tab_next(struct key_ctx *k)
{
	k->u->tab = (k->u->tab + 1) % KTOP_TAB_MAX;
	return UI_REDRAW;
}

static enum ui_next tab_prev(struct key_ctx *k)
{
	k->u->tab = (k->u->tab + KTOP_TAB_MAX - 1) % KTOP_TAB_MAX;
	return UI_REDRAW;
}

static enum ui_next sort_left(struct key_ctx *k)
{
	if (k->sc->ncols)
		k->t->sort = (k->t->sort + k->sc->ncols - 1) % k->sc->ncols;
	return UI_REDRAW;
}

static enum ui_next sort_right(struct key_ctx *k)
{
	if (k->sc->ncols)
		k->t->sort = (k->t->sort + 1) % k->sc->ncols;
	return UI_REDRAW;
}

static enum ui_next reverse(struct key_ctx *k)
{
	k->t->reverse = !k->t->reverse;
	return UI_REDRAW;
}

/* Up, Down, PgUp, PgDn, Home, End: move the selection. */
static enum ui_next move_sel(struct key_ctx *k)
{
	int page = LINES / 2 > 1 ? LINES / 2 : 1;

	switch (k->ch) {
	case KEY_UP: case 'k': k->t->sel--; break;
	case KEY_DOWN: case 'j': k->t->sel++; break;
	case KEY_PPAGE: k->t->sel -= page; break;
	case KEY_NPAGE: k->t->sel += page; break;
	case KEY_HOME: k->t->sel = 0; break;
	case KEY_END: k->t->sel = k->u->nrows - 1; break;
	}
	return UI_REDRAW;
}

static enum ui_next detail(struct key_ctx *k)
{
	k->t->detail = !k->t->detail;
	return UI_REDRAW;
}

/* Esc: out of the details, else clear the filter. */
static enum ui_next back(struct key_ctx *k)
{
	if (k->t->detail)
		k->t->detail = 0;
	else
		k->u->filter[0] = 0;
	return UI_REDRAW;
}

/* Replay: one record back or forward; stepping pauses. */
static enum ui_next step(struct key_ctx *k)
{
	if (src.r) {
		ui_src_step(k->ch == KEY_LEFT || k->ch == '[' ? -1 : 1, 0);
		k->u->frozen = true;
	}
	return UI_REDRAW;
}

static enum ui_next worst(struct key_ctx *k)
{
	if (src.r)
		worst_key(k->u);
	return UI_REDRAW;
}

/* Live: keep a copy of what is shown while collection goes on; replay: pause. */
static enum ui_next freeze(struct key_ctx *k)
{
	struct ui *u = k->u;

	if (src.r) {
		u->frozen = !u->frozen;
	} else if (u->frozen) {
		free(*k->frozen);
		*k->frozen = NULL;
		u->frozen = false;
	} else {
		*k->frozen = malloc(sizeof(**k->frozen));
		if (*k->frozen) {
			memcpy(*k->frozen, k->shown, sizeof(**k->frozen));
			u->frozen = true;
		} else {
			status(u, "cannot freeze: out of memory");
		}
	}
	return UI_REDRAW;
}

static enum ui_next snapshot(struct key_ctx *k)
{
	snapshot_key(k->u, k->shown);
	return UI_REDRAW;
}

static enum ui_next filter_key(struct key_ctx *k)
{
	if (prompt(k->u, "filter: ", k->u->filter, sizeof(k->u->filter)))
		k->u->filter[0] = 0;
	k->t->sel = 0;
	return UI_REDRAW;
}

/* 'p': only the selected row's process; again: all. */
static enum ui_next pivot(struct key_ctx *k)
{
	struct ui *u = k->u;

	if (u->pid) {
		u->pid = 0;
	} else {
		u->pid = selected_pid(u, k->shown);
		if (!u->pid)
			status(u, "no process on the selected row");
	}
	return UI_REDRAW;
}

static enum ui_next bpf_stats(struct key_ctx *k)
{
	if (src.r)
		return UI_REDRAW;
	if (bpfstats_set(!bpfstats_on()))
		status(k->u, "BPF statistics: the kernel refused BPF_ENABLE_STATS");
	else
		status(k->u, bpfstats_on() ? "BPF run-time statistics on (adds ~2 clock reads per event)"
		       : "BPF run-time statistics off");
	return UI_REDRAW;
}

static enum ui_next help(struct key_ctx *k)
{
	k->u->help = true;
	return UI_REDRAW;
}

/* The keys, as htop's Action.c binds them: each to one small action. */
static const struct {
	int keys[7];			/* 0 ends the list */
	enum ui_next (*fn)(struct key_ctx *k);
} actions[] = {
	{ { 'q', KEY_F(10), 3 }, quit },
	{ { '\t' }, tab_next },
	{ { KEY_BTAB }, tab_prev },
	{ { '<', ',' }, sort_left },
	{ { '>', '.' }, sort_right },
	{ { 'r' }, reverse },
	{ { KEY_UP, 'k', KEY_DOWN, 'j', KEY_PPAGE, KEY_NPAGE, KEY_HOME }, move_sel },
	{ { KEY_END }, move_sel },
	{ { '\n', '\r', KEY_ENTER }, detail },
	{ { KEY_ESC }, back },
	{ { KEY_LEFT, KEY_RIGHT, '[', ']' }, step },
	{ { 'W' }, worst },
	{ { 'f', ' ' }, freeze },
	{ { 'w' }, snapshot },
	{ { '/' }, filter_key },
	{ { 'p' }, pivot },
	{ { 's' }, bpf_stats },
	{ { 'h', '?', KEY_F(1) }, help },
};

/* The action bound to key ch, or NULL. */
static enum ui_next (*action_of(int ch))(struct key_ctx *k)
{
	size_t i, j;

	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		for (j = 0; j < sizeof(actions[i].keys) / sizeof(actions[i].keys[0]) &&
			    actions[i].keys[j]; j++)
			if (actions[i].keys[j] == ch)
				return actions[i].fn;
	return NULL;
}

/* See ui_int.h. */
enum ui_next ui_key(struct ui *u, int ch, const struct ktop_snapshot *shown,
		    struct ktop_snapshot **frozen)
{
	struct key_ctx k = {
		.u = u, .t = &u->t[u->tab], .sc = screens[u->tab], .ch = ch,
		.shown = shown, .frozen = frozen,
	};
	enum ui_next (*fn)(struct key_ctx *k) = action_of(ch);
	int sel = k.t->sel;

	if (u->help && ch != ERR && ch != KEY_RESIZE) {	/* any key closes the help */
		u->help = false;
		return ch == 'q' || ch == KEY_F(10) ? UI_QUIT : UI_REDRAW;
	}
	if (k.sc->key && k.sc->key(u, ch, shown))
		return UI_REDRAW;
	if (ch >= '1' && ch < '1' + KTOP_TAB_MAX) {
		u->tab = ch - '1';
		return UI_REDRAW;
	}
	if (fn && fn(&k) == UI_QUIT)
		return UI_QUIT;
	if (k.t->sel < 0)
		k.t->sel = 0;
	if (k.t->sel != sel)
		k.t->has_id = false;	/* moved: follow the row now at the new position */
	return UI_REDRAW;
}
