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

/* Per-tab sections (out_json_<name>, out_text_<name> of each tab in
 * core/tabs.def); each is given a running tab (disabled/off is handled by
 * the caller). */
#define KTOP_TAB(id, name, title) \
	void out_json_##name(struct jw *w, const struct ktop_snapshot *s); \
	void out_text_##name(FILE *f, const struct ktop_snapshot *s);
#include "core/tabs.def"
#undef KTOP_TAB

#endif
