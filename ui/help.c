// SPDX-License-Identifier: GPL-2.0
/* Help screen: keys, what each tab measures and from which hook, and each tab's status. */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include "core/tabs.h"
#include "core/fmt.h"
#include "ui/ui_int.h"

static const char *const keys[] = {	/* each fits 80 columns; the first is tab_keys() */
	"< >  r                   sort column left/right, reverse order",
	"Up Down PgUp PgDn Home End  select;  Enter: details;  Esc: back, clear filter",
	"/                        filter: text in any column, or a process PID or name",
	"p                        only the selected row's process (p again: all)",
	"f or Space               freeze/unfreeze (collection goes on); replay: pause",
	"Left Right  [ ]   W      replay: step back/forward one record; W: the row's worst",
	"w                        snapshot: .json, .txt and the recorder window .ndjson (0600)",
	"s                        BPF run-time stats on/off (~2 clock reads per event)",
	"h ? F1                   this help;   q F10 Ctrl-C: quit",
};

static const char suspect_rule[] =
	"Leak suspect: holds allocations older than --leak-age (default 10 s) and its outstanding "
	"bytes reached a new high in more than half (6+) of the last 10 intervals. Held: a suspect "
	"that stopped growing stays flagged while its oldest allocation is older than --leak-age "
	"and it still holds at least half of what it held as a suspect.";

/* See ui_int.h. */
void ui_rec_text(char *buf, size_t n, const struct ktop_rec_status *r, bool full)
{
	char span[16], bytes[16], keep[16], mem[16];

	buf[0] = 0;
	if (!r->on)
		return;
	fmt_ns(span, sizeof(span), r->kept_ns);
	fmt_bytes(bytes, sizeof(bytes), (double)r->bytes);
	if (!full) {
		snprintf(buf, n, "kept %u/%s %s%s", r->kept, span, bytes, r->saving ? " SAVING" : "");
		return;
	}
	fmt_ns(keep, sizeof(keep), r->keep_ns);
	fmt_bytes(mem, sizeof(mem), (double)r->keep_mem);
	snprintf(buf, n, "Recorder: keeps %u intervals (%s) in %s; bounds --keep %s, --keep-mem %s; "
		 "%u trigger(s), %u file(s) being written, %llu saved", r->kept, span, bytes, keep, mem,
		 r->triggers, r->saving, (unsigned long long)r->saved);
}

/* "1 2 3 4, Tab, Shift-Tab  switch tab (Syscalls, Memory, Locks, I/O)" */
static void tab_keys(char *buf, size_t n)
{
	char nums[4 * KTOP_TAB_MAX + 16], titles[128];
	size_t len = 0;
	int i;

	for (i = 0; i < KTOP_TAB_MAX; i++)
		len += snprintf(nums + len, sizeof(nums) - len, "%s%d", i ? " " : "", i + 1);
	snprintf(nums + len, sizeof(nums) - len, ", Tab, Shift-Tab");
	snprintf(buf, n, "%-24s switch tab (%s)", nums,
		 ktop_tab_list(titles, sizeof(titles), ", ", 1));
}

/* Draw the help over the body: keys, each tab (what it measures and its
 * status; on a short terminal only the status), the leak-suspect rule
 * wrapped to the width, the recorder's bounds. */
void ui_help_draw(struct ui *u, const struct ktop_snapshot *s)
{
	static const char *const state[] = { "off (--panes)", "disabled", "running" };
	const int nkeys = sizeof(keys) / sizeof(keys[0]);
	char line[400], what_st[420];
	int i, y = 2, w = COLS - 3;
	bool compact;

	ui_color_on(u, UI_C_TITLE);
	ui_put(y++, 1, COLS - 2, "ktop help - any key to go back");
	ui_color_off(u, UI_C_TITLE);
	tab_keys(line, sizeof(line));
	ui_put_fit(y++, 2, w, line);
	for (i = 0; i < nkeys && y < LINES - 2; i++)
		ui_put_fit(y++, 2, w, keys[i]);
	y++;
	/* room for two lines a tab, a blank and the rule (3 lines)? */
	compact = y + 2 * KTOP_TAB_MAX + 1 + 3 > LINES - 2;
	for (i = 0; i < KTOP_TAB_MAX && y < LINES - 2; i++) {
		const struct ktop_tab_status *t = &s->tab[i];

		if (t->state == KTOP_TAB_RUNNING)
			snprintf(line, sizeof(line), "status: running, attached via %s; lost %llu",
				 t->attach, (unsigned long long)t->lost_total);
		else
			snprintf(line, sizeof(line), "status: %s%s%s", state[t->state],
				 t->why[0] ? ": " : "", t->why);
		if (compact) {
			snprintf(what_st, sizeof(what_st), "%.*s %s",
				 (int)strcspn(ui_screens[i]->what, ":") + 1, ui_screens[i]->what, line);
		} else {
			ui_put_fit(y++, 2, w, ui_screens[i]->what);
			snprintf(what_st, sizeof(what_st), "    %s", line);
		}
		if (y < LINES - 2) {
			ui_color_on(u, t->state == KTOP_TAB_RUNNING ? UI_C_DIM : UI_C_WARN);
			ui_put_fit(y++, 2, w, what_st);
			ui_color_off(u, t->state == KTOP_TAB_RUNNING ? UI_C_DIM : UI_C_WARN);
		}
	}
	if (y + 1 < LINES - 2)		/* wrapped: the rule is read whole */
		y += 1 + ui_wrap(y + 1, 2, w, LINES - 2 - (y + 1), suspect_rule);
	ui_rec_text(line, sizeof(line), &s->rec, true);
	if (line[0] && y < LINES - 2)
		y += ui_wrap(y, 2, w, LINES - 2 - y, line);
}
