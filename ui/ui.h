/* SPDX-License-Identifier: GPL-2.0 */
/* The ncurses dashboard. */
#ifndef KTOP_UI_H
#define KTOP_UI_H
#include "core/opts.h"

/* Run the live dashboard on core's collectors (already open) until the
 * user quits or *stop becomes non-zero. Returns the exit status. */
int ui_run(const struct ktop_opts *o, volatile int *stop);

/* Restore the terminal if curses is active; async-signal tolerant, idempotent. */
void ui_restore(void);

#endif
