/* SPDX-License-Identifier: GPL-2.0 */
/* Snapshot files: the w key writes ktop-YYYYmmdd-HHMMSS.json and .txt safely. */
#ifndef KTOP_SNAPFILE_H
#define KTOP_SNAPFILE_H
#include <stddef.h>
#include "core/out.h"

/*
 * Write s (as shown, with view v) to dir (NULL: working directory) as
 * ktop-YYYYmmdd-HHMMSS.json and its .txt twin. Each file is written to a
 * temporary name created exclusively with mode 0600 (never following a
 * symlink), flushed to disk, then linked to its final name, which never
 * replaces an existing file: when the name is taken, "-1", "-2", ... is
 * appended. Nothing partial is left behind on failure. Returns 0 and the
 * .json path in path, or -errno with the failing step in path.
 */
int snapfile_write(const char *dir, const struct ktop_snapshot *s, const struct ktop_view *v,
		   char *path, size_t n);

#endif
