/* SPDX-License-Identifier: GPL-2.0 */
/* Messages from core: stored, never printed by core itself. */
#ifndef KTOP_MSG_H
#define KTOP_MSG_H
#include <stdio.h>

enum msg_level { MSG_DEBUG, MSG_WARN, MSG_ERR };

void msg_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print and forget every stored message of at least level min to f. */
void msg_flush(FILE *f, int min);
/* The newest stored warning or error, or "" (for the status line). Can't fail. */
const char *msg_last(void);
/* Route libbpf's own messages to msg_debug(); shown only with -v. */
void msg_hook_libbpf(int verbose);

#endif
