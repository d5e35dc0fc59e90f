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

/* Restore the terminal if curses is active; async-signal tolerant, idempotent. */
void ui_restore(void);

#endif
