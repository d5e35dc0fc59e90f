// SPDX-License-Identifier: GPL-2.0
/* What the Syscalls tab offers to --trigger (see core/trig.h). */
#include <stdio.h>
#include <string.h>
#include "core/trig.h"

#define ROW(s, i)	(&(s)->sc.rows[i])

static double p50(const struct ktop_snapshot *s, uint32_t i) { return ROW(s, i)->p50_ns; }
static double p95(const struct ktop_snapshot *s, uint32_t i) { return ROW(s, i)->p95_ns; }
static double p99(const struct ktop_snapshot *s, uint32_t i) { return ROW(s, i)->p99_ns; }
static double max(const struct ktop_snapshot *s, uint32_t i) { return ROW(s, i)->max_ns; }
static double count(const struct ktop_snapshot *s, uint32_t i) { return ROW(s, i)->count; }
static double errors(const struct ktop_snapshot *s, uint32_t i) { return ROW(s, i)->errors; }
static double time_ns(const struct ktop_snapshot *s, uint32_t i) { return ROW(s, i)->total_ns; }

static const struct trig_field fields[] = {
	{ "p50", TRIG_K_TIME, false, false, p50, NULL },
	{ "p95", TRIG_K_TIME, false, false, p95, NULL },
	{ "p99", TRIG_K_TIME, false, false, p99, NULL },
	{ "max", TRIG_K_TIME, false, false, max, NULL },
	{ "count", TRIG_K_COUNT, true, true, count, NULL },
	{ "errors", TRIG_K_COUNT, true, true, errors, NULL },
	{ "time", TRIG_K_TIME, true, true, time_ns, NULL },
};

static uint32_t nrows(const struct ktop_snapshot *s)
{
	return s->sc.nrows < KTOP_SC_ROWS_MAX ? s->sc.nrows : KTOP_SC_ROWS_MAX;
}

/* A syscall by name or number. */
static bool match(const struct ktop_snapshot *s, uint32_t i, const char *sel)
{
	unsigned long nr;

	return !strcmp(ROW(s, i)->name, sel) || (trig_sel_is_num(sel, &nr) && nr == ROW(s, i)->nr);
}

static void key(const struct ktop_snapshot *s, uint32_t i, char *k, size_t n)
{
	snprintf(k, n, "%s", ROW(s, i)->name);
}

static void badness(const struct ktop_snapshot *s, uint32_t i, double *primary, double *secondary)
{
	*primary = ROW(s, i)->p99_ns;
	*secondary = ROW(s, i)->max_ns;
}

const struct trig_tab trig_syscalls = TRIG_TAB(fields, nrows, match, key, badness);
