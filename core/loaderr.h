/* SPDX-License-Identifier: GPL-2.0 */
/* Load and attach failures in one line the user can act on: verifier rejections, privilege hints. */
#ifndef KTOP_LOADERR_H
#define KTOP_LOADERR_H
#include <stddef.h>

struct ktop_tab_status;

/*
 * One line for a load/attach failure in st->why. A verifier rejection (the
 * load failed with EACCES/EINVAL and libbpf reported a verifier log) says
 * so: the program, the kernel release and the verifier's last lines, also
 * as a warning; else "<what>: <strerror>[ (hint)]", the privilege hint only
 * for EPERM without root or CAP_BPF + CAP_PERFMON.
 */
void load_error(struct ktop_tab_status *st, const char *what, int err);
/* The verifier's last nlines lines of log (its statistics skipped), joined
 * with " | " into out. Can't fail. */
void verifier_tail(const char *log, int nlines, char *out, size_t n);

#endif
