/* SPDX-License-Identifier: GPL-2.0 */
/* The flight recorder: recent intervals kept in memory as JSON lines; triggers save them to files. */
#ifndef KTOP_RECORDER_H
#define KTOP_RECORDER_H
#include <stddef.h>
#include <stdio.h>
#include "core/snapshot.h"

struct recorder;

/* The live run's recorder (core_poll() feeds it, the w key saves it);
 * NULL when off (--keep 0, replay). */
extern struct recorder *recorder_live;

/*
 * A recorder with o's bounds (--keep, --keep-mem) and triggers (--trigger,
 * --after, --cooldown, --min-free). Trigger files go to --snapshot-dir,
 * resolved to an absolute path here. Returns 0 and *out (NULL when --keep
 * is 0), -ENOENT/-ENOTDIR/... with one line in err when triggers are given
 * and the directory is not usable, -ENOMEM.
 */
int recorder__new(struct recorder **out, const struct ktop_opts *o, char *err, size_t errlen);

/* Finish the trigger files in flight: what they hold so far is saved
 * under their final names. NULL-safe. */
void recorder__finish(struct recorder *r);
/* recorder__finish(), then free everything. NULL-safe. */
void recorder__free(struct recorder *r);

/*
 * Keep snapshot s (its JSON line, zstd-compressed), drop what falls out of the bounds
 * (oldest first), append s to the trigger files being written, finish those
 * whose --after has passed, and test the triggers on s. Messages (fired,
 * saved, disk floor) go through msg_warn(). Returns 0, or -ENOMEM (s is
 * not kept; the recorder goes on).
 */
int recorder__push(struct recorder *r, const struct ktop_snapshot *s);

/* The JSON line (no newline) kept for the snapshot of iteration it, when it
 * is the newest; NULL otherwise. Valid until the next push. */
const char *recorder__line(const struct recorder *r, uint64_t it, size_t *len);

/* Intervals kept (0 for NULL). */
uint32_t recorder__kept(const struct recorder *r);

/* The figures for the health line, help and JSON. Can't fail. */
void recorder__status(const struct recorder *r, struct ktop_rec_status *st);

/*
 * Write every kept interval to f as JSON Lines, each object led by
 * "window": reason; the interval at index fired (-1: none) also gets
 * "fired": what. Returns 0, -EIO, or -ENOMEM (uncompressing).
 */
int recorder__write(struct recorder *r, FILE *f, const char *reason, long fired, const char *what);

/* Pop the oldest "file saved" record: 1 and its absolute path in path, or
 * 0 when there is none. For --record, which prints one line per file. */
int recorder__saved(struct recorder *r, char *path, size_t n);

/*
 * Disk floor: free bytes below which nothing is written. min_free when not
 * 0, else the larger of 1 GiB and 5% of the file system's size. Can't fail.
 */
uint64_t recorder_floor(uint64_t fs_bytes, uint64_t min_free);

#endif
