// SPDX-License-Identifier: GPL-2.0
/* What the Locks tab offers to --trigger (see core/trig.h). */
#include <stdio.h>
#include <string.h>
#include "core/trig.h"

#define ROW(s, i)	(&(s)->lock.rows[i])

static double wait(const struct ktop_snapshot *s, uint32_t i) { return ROW(s, i)->total_wait_ns; }
static double contentions(const struct ktop_snapshot *s, uint32_t i) { return ROW(s, i)->contentions; }
static double max(const struct ktop_snapshot *s, uint32_t i) { return ROW(s, i)->max_wait_ns; }
static double avg(const struct ktop_snapshot *s, uint32_t i) { return ROW(s, i)->avg_wait_ns; }
static double p99(const struct ktop_snapshot *s, uint32_t i) { return ROW(s, i)->p99_ns; }
static double total_wait(const struct ktop_snapshot *s) { return (double)s->lock.total_wait_ns; }
static double total_contentions(const struct ktop_snapshot *s) { return (double)s->lock.contentions; }

static const struct trig_field fields[] = {
	{ "wait", TRIG_K_TIME, true, true, wait, total_wait },
	{ "contentions", TRIG_K_COUNT, true, true, contentions, total_contentions },
	{ "max", TRIG_K_TIME, false, false, max, NULL },
	{ "avg", TRIG_K_TIME, false, false, avg, NULL },
	{ "p99", TRIG_K_TIME, false, false, p99, NULL },
};

static uint32_t nrows(const struct ktop_snapshot *s)
{
	return s->lock.nrows < KTOP_LOCK_ROWS_MAX ? s->lock.nrows : KTOP_LOCK_ROWS_MAX;
}

/* A lock's symbol (with or without "+0xoff"), or its type. */
static bool match(const struct ktop_snapshot *s, uint32_t i, const char *sel)
{
	const char *sym = ROW(s, i)->symbol;
	size_t n = strcspn(sym, "+");

	return !strcmp(sym, sel) || (strlen(sel) == n && !strncmp(sym, sel, n)) ||
	       !strcmp(ROW(s, i)->type, sel);
}

static void key(const struct ktop_snapshot *s, uint32_t i, char *k, size_t n)
{
	if (ROW(s, i)->symbol[0])
		snprintf(k, n, "%s", ROW(s, i)->symbol);
	else
		snprintf(k, n, "0x%llx", (unsigned long long)ROW(s, i)->addr);
}

static void badness(const struct ktop_snapshot *s, uint32_t i, double *primary, double *secondary)
{
	*primary = ROW(s, i)->total_wait_ns;
	*secondary = ROW(s, i)->max_wait_ns;
}

const struct trig_tab trig_locks = TRIG_TAB(fields, nrows, match, key, badness);
