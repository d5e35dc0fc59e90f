// SPDX-License-Identifier: GPL-2.0
/* The tabs' names and titles, from the registry core/tabs.def; no collector here. */
#include <stdio.h>
#include <string.h>
#include "core/tabs.h"

const char *const ktop_tab_names[KTOP_TAB_MAX] = {
#define KTOP_TAB(id, name, title) [KTOP_TAB_##id] = #name,
#include "core/tabs.def"
#undef KTOP_TAB
};

const char *const ktop_tab_titles[KTOP_TAB_MAX] = {
#define KTOP_TAB(id, name, title) [KTOP_TAB_##id] = title,
#include "core/tabs.def"
#undef KTOP_TAB
};

/* See tabs.h. */
int ktop_tab_of(const char *name)
{
	int i;

	for (i = 0; i < KTOP_TAB_MAX; i++)
		if (!strcmp(name, ktop_tab_names[i]))
			return i;
	return -1;
}

/* See tabs.h. */
const char *ktop_tab_list(char *buf, size_t n, const char *sep, int titles)
{
	size_t len = 0;
	int i;

	if (!n)
		return buf;
	buf[0] = 0;
	for (i = 0; i < KTOP_TAB_MAX && len < n; i++)
		len += snprintf(buf + len, n - len, "%s%s", i ? sep : "",
				titles ? ktop_tab_titles[i] : ktop_tab_names[i]);
	return buf;
}
