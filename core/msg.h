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
/* Route libbpf's own messages to msg_debug(); shown only with -v, whole
 * (a verifier log is one message). Load failures are noted either way. */
void msg_hook_libbpf(int verbose);
/* Where -v writes libbpf's messages whole: stderr (the default), or NULL
 * while the dashboard owns the terminal (they are still stored). */
void msg_libbpf_sink(FILE *f);
/* Name of the program libbpf last reported the kernel rejected, or "". */
const char *msg_load_prog(void);
/* The verifier log of that rejection, whole, or "" (none). Valid until the
 * next libbpf message or msg_load_reset(). */
const char *msg_load_log(void);
/* Forget the last rejection (before a load, so an old one is not blamed). */
void msg_load_reset(void);

#endif
