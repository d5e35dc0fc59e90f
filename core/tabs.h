/* SPDX-License-Identifier: GPL-2.0 */
/* The tabs, as the registry core/tabs.def lists them: ids, names, titles. */
#ifndef KTOP_TABS_H
#define KTOP_TABS_H
#include <stddef.h>

enum ktop_tab_id {
#define KTOP_TAB(id, name, title) KTOP_TAB_##id,
#include "core/tabs.def"
#undef KTOP_TAB
	KTOP_TAB_MAX
};

/* Names of the tabs, as -t and --panes spell them. */
extern const char *const ktop_tab_names[KTOP_TAB_MAX];
/* Their headings: tab bar, text report. */
extern const char *const ktop_tab_titles[KTOP_TAB_MAX];

/* The tab named name, or -1. */
int ktop_tab_of(const char *name);
/* The tabs' names (titles when titles is set) joined by sep into buf of n
 * bytes ("syscalls | memory | locks | io"); returns buf, cut to fit. */
const char *ktop_tab_list(char *buf, size_t n, const char *sep, int titles);

#endif
