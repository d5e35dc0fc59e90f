// SPDX-License-Identifier: GPL-2.0
/* locks collector: not written yet; the tab says so plainly. */
#include <errno.h>
#include <stdio.h>
#include "core/collector.h"

static int col_open(void **out, const struct ktop_opts *o, struct ktop_tab_status *st)
{
	(void)out;
	(void)o;
	snprintf(st->why, sizeof(st->why), "the locks collector is not implemented yet");
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

const struct ktop_collector col_locks = {
	.name = "locks",
	.tab = KTOP_TAB_LOCKS,
	.open = col_open,
	.poll = col_poll,
	.free = col_free,
};
