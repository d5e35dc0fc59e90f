/* SPDX-License-Identifier: GPL-2.0 */
/* Writers: the one text report and the one JSON object per snapshot. */
#ifndef KTOP_OUT_H
#define KTOP_OUT_H
#include <stdio.h>
#include "core/snapshot.h"
#include "core/json.h"

/* What the dashboard showed, for snapshot files; NULL in batch mode. */
struct ktop_view {
	const char *tab;
	const char *sort;
	int reverse;
	int frozen;
	const char *selected;		/* key of the selected row, or NULL */
};

/* One JSON object (no trailing newline) for snapshot s. Returns 0, or
 * -EIO when the stream reports an error (disk full, closed pipe). */
int out_json_write(FILE *f, const struct ktop_snapshot *s, const struct ktop_view *v);
/* The top -b style report of snapshot s. Same returns. */
int out_text_write(FILE *f, const struct ktop_snapshot *s);

/* Per-tab sections; each is given a running tab (disabled/off is handled by the caller). */
void out_json_syscalls(struct jw *w, const struct ktop_snapshot *s);
void out_json_memory(struct jw *w, const struct ktop_snapshot *s);
void out_json_locks(struct jw *w, const struct ktop_snapshot *s);
void out_json_io(struct jw *w, const struct ktop_snapshot *s);
void out_text_syscalls(FILE *f, const struct ktop_snapshot *s);
void out_text_memory(FILE *f, const struct ktop_snapshot *s);
void out_text_locks(FILE *f, const struct ktop_snapshot *s);
void out_text_io(FILE *f, const struct ktop_snapshot *s);

#endif
