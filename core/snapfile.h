/* SPDX-License-Identifier: GPL-2.0 */
/* Snapshot files: the w key writes ktop-YYYYmmdd-HHMMSS.json and .txt safely. */
#ifndef KTOP_SNAPFILE_H
#define KTOP_SNAPFILE_H
#include <stddef.h>
#include <stdio.h>
#include "core/out.h"

/*
 * Write s (as shown, with view v) to dir (NULL: working directory) as
 * ktop-YYYYmmdd-HHMMSS.json and its .txt twin, and, when the recorder
 * (core/recorder.h) keeps intervals, the kept window as .ndjson next to
 * them. Each file is written to a temporary name created exclusively with
 * mode 0600 (never following a symlink), flushed to disk, then linked to
 * its final name, which never replaces an existing file: when the name is
 * taken, "-1", "-2", ... is appended. Nothing partial is left behind on
 * failure. Returns 0 and the .json path in path, or -errno with the failing
 * step in path.
 */
int snapfile_write(const char *dir, const struct ktop_snapshot *s, const struct ktop_view *v,
		   char *path, size_t n);

/*
 * The steps, for other writers (the recorder's trigger files).
 * snapfile_tmp: create dir/.ktop-snapshot-XXXXXX exclusively, mode 0600,
 * the name in tmp; returns the stream, or NULL with errno set.
 * snapfile_close: flush, fsync and close f; on failure unlink tmp. Returns
 * 0 or -errno.
 * snapfile_link: link the k closed temporaries tmps[i] to
 * dir/ktop-YYYYmmdd-HHMMSS[-tag][-N]exts[i] (local time of real_ns) with the
 * first free N, all or none; the temporaries are unlinked either way.
 * Returns 0 and the first final name in path, or -errno with a reason in path.
 */
FILE *snapfile_tmp(const char *dir, char *tmp, size_t n);
int snapfile_close(FILE *f, const char *tmp);
int snapfile_link(const char *dir, int64_t real_ns, const char *tag, int k,
		  char (*tmps)[4096], const char *const *exts, char *path, size_t n);

#endif
