// SPDX-License-Identifier: GPL-2.0
/* What the Memory tab offers to --trigger (see core/trig.h). */
#include <stdio.h>
#include <string.h>
#include "core/trig.h"

#define ROW(s, i)	(&(s)->mem.rows[i])

static double suspect(const struct ktop_snapshot *s, uint32_t i) { return ROW(s, i)->suspect ? 1 : 0; }
static double outstanding(const struct ktop_snapshot *s, uint32_t i) { return ROW(s, i)->outstanding_bytes; }
static double allocs(const struct ktop_snapshot *s, uint32_t i) { return ROW(s, i)->allocs; }
static double frees(const struct ktop_snapshot *s, uint32_t i) { return ROW(s, i)->frees; }
static double age(const struct ktop_snapshot *s, uint32_t i) { return ROW(s, i)->oldest_age_ns; }
static double total_outstanding(const struct ktop_snapshot *s) { return (double)s->mem.outstanding_bytes; }

static const struct trig_field fields[] = {
	{ "suspect", TRIG_K_BOOL, false, false, suspect, NULL },
	{ "outstanding", TRIG_K_BYTES, true, false, outstanding, total_outstanding },
	{ "allocs", TRIG_K_COUNT, true, true, allocs, NULL },
	{ "frees", TRIG_K_COUNT, true, true, frees, NULL },
	{ "age", TRIG_K_TIME, false, false, age, NULL },
};

static uint32_t nrows(const struct ktop_snapshot *s)
{
	return s->mem.nrows < KTOP_MEM_ROWS_MAX ? s->mem.nrows : KTOP_MEM_ROWS_MAX;
}

/* A process by name or PID. */
static bool match(const struct ktop_snapshot *s, uint32_t i, const char *sel)
{
	unsigned long pid;

	return !strcmp(ROW(s, i)->comm, sel) || (trig_sel_is_num(sel, &pid) && pid == ROW(s, i)->pid);
}

/* User mode: the stack's first frame; kernel mode: the PID. */
static void key(const struct ktop_snapshot *s, uint32_t i, char *k, size_t n)
{
	int32_t st = ROW(s, i)->stack;

	if (s->mem.mode == KTOP_MEM_USER && st >= 0 && st < KTOP_MEM_STACKS_MAX && s->mem.stacks[st].nframes)
		snprintf(k, n, "%s", s->mem.stacks[st].frames[0]);
	else
		snprintf(k, n, "%u", ROW(s, i)->pid);
}

static void badness(const struct ktop_snapshot *s, uint32_t i, double *primary, double *secondary)
{
	*primary = ROW(s, i)->outstanding_bytes;
	*secondary = ROW(s, i)->oldest_age_ns;
}

const struct trig_tab trig_memory = TRIG_TAB(fields, nrows, match, key, badness);
