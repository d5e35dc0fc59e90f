/* SPDX-License-Identifier: GPL-2.0 */
/* Terminal start-up: is $TERM one the dashboard can drive, and the built-in
 * terminfo fallback for hosts without an entry for it. */
#ifndef KTOP_UI_TERM_H
#define KTOP_UI_TERM_H
#include <stddef.h>

/* A compiled terminfo entry built into ktop (generated: gen/terminfo.c). */
struct term_builtin {
	const char *name;
	const unsigned char *data;
	size_t len;
};
extern const struct term_builtin term_builtins[];	/* ends with { 0 } */

/*
 * Before curses starts: check that $TERM names a terminal the dashboard can
 * drive. When the host has no terminfo entry for it and ktop has one built
 * in (the name itself, or an xterm-like one, see ui_term_builtin_for()),
 * write that entry to a private 0700 directory and point TERMINFO (and TERM,
 * for an xterm-like alias) at it, with a warning through msg_warn().
 * Returns 0, or -EINVAL with one line in err saying what to do: TERM unset,
 * unknown, or unable to address the cursor (dumb); -errno when the built-in
 * entry cannot be written (err says where). Touches no tty modes.
 */
int ui_term_check(char *err, size_t errlen);

/* The built-in entry for terminal type term: the same name, else a close
 * relative for an xterm-like name (xterm-kitty: xterm-256color); NULL. */
const char *ui_term_builtin_for(const char *term);

/* Remove the private terminfo directory, if any: once curses has read the
 * entry, and at exit. Idempotent. */
void ui_term_cleanup(void);

#endif
