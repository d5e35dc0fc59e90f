/* SPDX-License-Identifier: GPL-2.0 */
/* The ncurses dashboard. */
#ifndef KTOP_UI_H
#define KTOP_UI_H
#include <stddef.h>
#include "core/opts.h"

/* Run the live dashboard on core's collectors (already open) until the
 * user quits or *stop becomes non-zero. Returns the exit status. */
int ui_run(const struct ktop_opts *o, volatile int *stop);

/* Show the recording o->replay in the dashboard. Returns the exit status,
 * or -errno with one line in err when the file cannot be replayed (before
 * the terminal is touched). */
int ui_replay(const struct ktop_opts *o, volatile int *stop, char *err, size_t errlen);

/* Benchmark hook: draw snapshot s on tab n times on the current curses
 * screen (the caller set it up, e.g. newterm on /dev/null). Returns 0. */
int ui_bench_draw(const struct ktop_opts *o, const struct ktop_snapshot *s, int tab, int n);

/* Restore the terminal if curses is active; async-signal tolerant, idempotent. */
void ui_restore(void);

#endif
