// SPDX-License-Identifier: GPL-2.0
/* What the I/O tab offers to --trigger (see core/trig.h). */
#include <stdio.h>
#include <string.h>
#include "core/trig.h"

#define ROW(s, i)	(&(s)->io.rows[i])

static double p50(const struct ktop_snapshot *s, uint32_t i) { return ROW(s, i)->p50_ns; }
static double p95(const struct ktop_snapshot *s, uint32_t i) { return ROW(s, i)->p95_ns; }
static double p99(const struct ktop_snapshot *s, uint32_t i) { return ROW(s, i)->p99_ns; }
static double p999(const struct ktop_snapshot *s, uint32_t i) { return ROW(s, i)->p999_ns; }
static double max(const struct ktop_snapshot *s, uint32_t i) { return ROW(s, i)->max_ns; }
static double queue(const struct ktop_snapshot *s, uint32_t i) { return ROW(s, i)->queue_avg_ns; }
static double device(const struct ktop_snapshot *s, uint32_t i) { return ROW(s, i)->device_avg_ns; }
static double count(const struct ktop_snapshot *s, uint32_t i) { return ROW(s, i)->count; }
static double errors(const struct ktop_snapshot *s, uint32_t i) { return ROW(s, i)->errors; }
static double bytes(const struct ktop_snapshot *s, uint32_t i) { return ROW(s, i)->bytes; }

static const struct trig_field fields[] = {
	{ "p50", TRIG_K_TIME, false, false, p50, NULL },
	{ "p95", TRIG_K_TIME, false, false, p95, NULL },
	{ "p99", TRIG_K_TIME, false, false, p99, NULL },
	{ "p999", TRIG_K_TIME, false, false, p999, NULL },
	{ "max", TRIG_K_TIME, false, false, max, NULL },
	{ "queue", TRIG_K_TIME, false, false, queue, NULL },
	{ "device", TRIG_K_TIME, false, false, device, NULL },
	{ "count", TRIG_K_COUNT, true, true, count, NULL },
	{ "errors", TRIG_K_COUNT, true, true, errors, NULL },
	{ "bytes", TRIG_K_BYTES, true, true, bytes, NULL },
};

static uint32_t nrows(const struct ktop_snapshot *s)
{
	return s->io.nrows < KTOP_IO_ROWS_MAX ? s->io.nrows : KTOP_IO_ROWS_MAX;
}

static void key(const struct ktop_snapshot *s, uint32_t i, char *k, size_t n)
{
	snprintf(k, n, "%s:%s", ROW(s, i)->disk, ROW(s, i)->op);
}

/* A disk, an operation, or "disk:op". */
static bool match(const struct ktop_snapshot *s, uint32_t i, const char *sel)
{
	char buf[64];

	key(s, i, buf, sizeof(buf));
	return !strcmp(ROW(s, i)->disk, sel) || !strcmp(ROW(s, i)->op, sel) || !strcmp(buf, sel);
}

static void badness(const struct ktop_snapshot *s, uint32_t i, double *primary, double *secondary)
{
	*primary = ROW(s, i)->p99_ns;
	*secondary = ROW(s, i)->max_ns;
}

const struct trig_tab trig_io = TRIG_TAB(fields, nrows, match, key, badness);
