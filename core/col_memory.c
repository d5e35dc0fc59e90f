// SPDX-License-Identifier: GPL-2.0
/* memory collector: not written yet; the tab says so plainly. */
#include <errno.h>
#include <stdio.h>
#include "core/collector.h"

static int col_open(void **out, const struct ktop_opts *o, struct ktop_tab_status *st)
{
	(void)out;
	(void)o;
	snprintf(st->why, sizeof(st->why), "the memory collector is not implemented yet");
	return -ENOSYS;
}

static int col_poll(void *c, struct ktop_snapshot *snap)
{
	(void)c;
	(void)snap;
	return 0;
}

static void col_free(void *c)
{
	(void)c;
}

const struct ktop_collector col_memory = {
	.name = "memory",
	.tab = KTOP_TAB_MEMORY,
	.open = col_open,
	.poll = col_poll,
	.free = col_free,
};
