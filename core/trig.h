/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a tab offers to --trigger: its fields, how its rows are found by a
 * selector, named and ranked. Each tab defines trig_<name> in its own
 * core/trig_<name>.c; core/trigger.c reaches them through core/tabs.def
 * and names no tab.
 */
#ifndef KTOP_TRIG_H
#define KTOP_TRIG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/snapshot.h"
#include "core/tabs.h"

enum trig_kind { TRIG_K_TIME, TRIG_K_BYTES, TRIG_K_COUNT, TRIG_K_BOOL };

/* One field. sum: summed over rows (else the maximum is taken); rate: a
 * counter of the interval, so "/s" makes sense. */
struct trig_field {
	const char *name;
	int kind;			/* enum trig_kind */
	bool sum, rate;
	double (*get)(const struct ktop_snapshot *s, uint32_t row);
	/* the tab's total beyond its row cut, when no selector is given; NULL: the rows' */
	double (*total)(const struct ktop_snapshot *s);
};

struct trig_tab {
	const struct trig_field *fields;
	unsigned nfields;
	uint32_t (*nrows)(const struct ktop_snapshot *s);	/* rows held, within the cut */
	/* does row match selector sel (not "")? */
	bool (*match)(const struct ktop_snapshot *s, uint32_t row, const char *sel);
	/* the row's identity across snapshots (trigger_row_key()) */
	void (*key)(const struct ktop_snapshot *s, uint32_t row, char *key, size_t n);
	/* how bad the row is (trigger_row_badness()) */
	void (*badness)(const struct ktop_snapshot *s, uint32_t row, double *primary, double *secondary);
};

/* trig_<name> of each tab in core/tabs.def */
#define KTOP_TAB(id, name, title) extern const struct trig_tab trig_##name;
#include "core/tabs.def"
#undef KTOP_TAB

/* Helpers the tabs share: sel all digits (a number)? sel as that number. */
bool trig_sel_is_num(const char *sel, unsigned long *v);

#define TRIG_TAB(f, nr, m, k, b) { f, sizeof(f) / sizeof((f)[0]), nr, m, k, b }

#endif
