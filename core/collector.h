/* SPDX-License-Identifier: GPL-2.0 */
/* The collector interface: one per tab, each owning its BPF skeleton. */
#ifndef KTOP_COLLECTOR_H
#define KTOP_COLLECTOR_H
#include "core/snapshot.h"

/*
 * open(): open the skeleton, choose program flavours (tp_btf or raw_tp),
 * size maps, load, attach, and set st->attach. Returns 0 and the state in
 * *out, or a negative errno with st->why set to one line the user can act
 * on; the tab is then disabled and the others run.
 * poll(): read the maps, turn cumulative counters into deltas against the
 * collector's own previous reading, drain its ring buffer, and fill its part
 * of snap (and snap->tab[id].lost/lost_total). Returns 0 or a negative
 * errno (not fatal: st->why/note tell the user).
 * free(): detach and destroy everything; NULL-safe.
 */
struct ktop_collector {
	const char *name;
	int tab;			/* enum ktop_tab_id */
	int (*open)(void **out, const struct ktop_opts *o, struct ktop_tab_status *st);
	int (*poll)(void *c, struct ktop_snapshot *snap);
	void (*free)(void *c);
};

/* col_<name> of each tab in core/tabs.def */
#define KTOP_TAB(id, name, title) extern const struct ktop_collector col_##name;
#include "core/tabs.def"
#undef KTOP_TAB

#endif
