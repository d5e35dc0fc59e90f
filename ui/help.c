// SPDX-License-Identifier: GPL-2.0
/* Help screen: keys, what each tab measures and from which hook, and each tab's status. */
#include <curses.h>
#include <stdio.h>
#include "core/fmt.h"
#include "ui/ui_int.h"

static const char *const keys[] = {
	"1 2 3 4, Tab, Shift-Tab  switch tab (Syscalls, Memory, Locks, I/O)",
	"< >  r                   sort column left/right, reverse order",
	"Up Down PgUp PgDn Home End  select a row;  Enter: details;  Esc: back / clear filter",
	"f or Space               freeze / unfreeze the display (collection goes on)",
	"w                        snapshot: ktop-YYYYmmdd-HHMMSS.json, .txt, .ndjson (recorder window)",
	"/                        filter rows by text;  p: only the selected row's PID (p again: all)",
	"s                        BPF run-time statistics on/off (health line; costs ~2 clock reads per event)",
	"h ? F1                   this help;   q F10 Ctrl-C: quit",
};

static const char *const what[KTOP_TAB_MAX] = {
	"Syscalls: latency per system call (raw_syscalls:sys_enter/sys_exit), errors, top processes",
	"Memory: outstanding allocations by process and stack (kmem:* tracepoints; -p: libc uprobes)",
	"Locks: contended kernel locks, wait time, callers (lock:contention_begin/end)",
	"I/O: block I/O latency per disk and op, queue vs device time (block:block_rq_*)",
};

static const char suspect_rule[] =
	"Leak suspect: holds allocations older than --leak-age (default 10 s) and its outstanding "
	"bytes reached a new high in more than half (6+) of the last 10 intervals.";

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

/* Draw the help over the body. */
void ui_help_draw(struct ui *u, const struct ktop_snapshot *s)
{
	static const char *const state[] = { "off (--panes)", "disabled", "running" };
	char line[400];
	unsigned i;
	int y = 2;

	ui_color_on(u, UI_C_TITLE);
	ui_put(y++, 1, COLS - 2, "ktop help - any key to go back");
	ui_color_off(u, UI_C_TITLE);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]) && y < LINES - 2; i++)
		ui_put(y++, 2, COLS - 3, keys[i]);
	y++;
	for (i = 0; i < KTOP_TAB_MAX && y < LINES - 2; i++) {
		const struct ktop_tab_status *t = &s->tab[i];

		ui_put(y++, 2, COLS - 3, what[i]);
		if (t->state == KTOP_TAB_RUNNING)
			snprintf(line, sizeof(line), "    status: running, attached via %s; lost %llu",
				 t->attach, (unsigned long long)t->lost_total);
		else
			snprintf(line, sizeof(line), "    status: %s%s%s", state[t->state],
				 t->why[0] ? ": " : "", t->why);
		if (y < LINES - 2) {
			ui_color_on(u, t->state == KTOP_TAB_RUNNING ? UI_C_DIM : UI_C_WARN);
			ui_put(y++, 2, COLS - 3, line);
			ui_color_off(u, t->state == KTOP_TAB_RUNNING ? UI_C_DIM : UI_C_WARN);
		}
	}
	if (y < LINES - 2) {
		y++;
		ui_put(y++, 2, COLS - 3, suspect_rule);
	}
	ui_rec_text(line, sizeof(line), &s->rec, true);
	if (line[0] && y < LINES - 2)
		ui_put(y++, 2, COLS - 3, line);
	if (y < LINES - 2)
		ui_put(y++, 2, COLS - 3, "Replay (--replay, a .ndjson window): Left/Right or [ ] step one interval, "
		       "W jumps to the selected row's worst interval");
}
