/* SPDX-License-Identifier: GPL-2.0 */
/* Replay: read a JSON Lines recording (ktop -b --json) or a snapshot file back into snapshots. */
#ifndef KTOP_REPLAY_H
#define KTOP_REPLAY_H
#include <stddef.h>
#include "core/snapshot.h"
#include "core/json.h"
#include "core/jsonr.h"
#include "core/field.h"

struct replay;

/*
 * Map path and index its lines. Returns 0 and *out, or -errno with one line
 * in err (file unreadable, empty, or no line that parses as a ktop record).
 */
int replay__open(struct replay **out, const char *path, char *err, size_t errlen);
void replay__free(struct replay *r);
/* Record the dashboard opens at: 0, or for a recorder window (records
 * carry "window"; *window set to 1 when window is not NULL) the record
 * that fired, else the newest. */
size_t replay__start(const struct replay *r, int *window);
/*
 * The record where the row with identity key (trigger_row_key()) of tab
 * is worst (trigger_row_badness()), decoding each record into tmp. Returns
 * 0 and *idx, or -ENOENT when no record has that row.
 */
int replay__worst(struct replay *r, int tab, const char *key, struct ktop_snapshot *tmp, size_t *idx);
/* Number of records (non-empty lines). */
size_t replay__count(const struct replay *r);
/*
 * Decode record i into s (all of it is overwritten). Returns 0, or -EINVAL
 * when that line is not valid JSON (s then says so in every tab's note),
 * -ERANGE for i out of range.
 */
int replay__get(struct replay *r, size_t i, struct ktop_snapshot *s);

/* Decode one parsed record (also used by the fuzzer). Missing members read
 * as zero or empty; never fails on well-formed but unexpected content. */
void replay_decode(const struct jv *root, struct ktop_snapshot *s);

/* Per-tab decoders (replay_<name> of each tab in core/tabs.def), next to
 * each tab's JSON writer. */
#define KTOP_TAB(id, name, title) void replay_##name(const struct jv *tab, struct ktop_snapshot *s);
#include "core/tabs.def"
#undef KTOP_TAB

#endif
