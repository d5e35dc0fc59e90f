/* SPDX-License-Identifier: GPL-2.0 */
/* Privilege: check what loading BPF needs before anything else happens, drop the rest after. */
#ifndef KTOP_PRIV_H
#define KTOP_PRIV_H
#include <stddef.h>

/* Returns 0 when this process may load and attach ktop's programs (root,
 * CAP_SYS_ADMIN, or CAP_BPF + CAP_PERFMON), else -EPERM with one line in
 * why naming what is missing. */
int priv_check(char *why, size_t n);

/* After every collector is attached: drop every capability except those
 * the rest of the run needs (see docs/security.md). Returns 0 or -errno. */
int priv_drop(void);

#endif
