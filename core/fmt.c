// SPDX-License-Identifier: GPL-2.0
/* Unit formatting. */
#include <stdio.h>
#include <time.h>
#include "core/fmt.h"

/* Three significant digits in at most 6 characters: 999ns 1.23us 12.3us 123us. */
static char *fmt_unit(char *buf, size_t n, double v, const char *unit)
{
	if (v < 9.995)
		snprintf(buf, n, "%.2f%s", v, unit);
	else if (v < 99.95)
		snprintf(buf, n, "%.1f%s", v, unit);
	else
		snprintf(buf, n, "%.0f%s", v, unit);
	return buf;
}

/* See fmt.h. */
char *fmt_ns(char *buf, size_t n, uint64_t ns)
{
	if (ns < 1000)
		snprintf(buf, n, "%uns", (unsigned)ns);
	else if (ns < 999500)
		fmt_unit(buf, n, ns / 1e3, "us");
	else if (ns < 999500000)
		fmt_unit(buf, n, ns / 1e6, "ms");
	else
		fmt_unit(buf, n, ns / 1e9, "s");
	return buf;
}

/* See fmt.h. */
char *fmt_bytes(char *buf, size_t n, double b)
{
	static const char units[] = "BKMGTP";
	int u = 0;

	while (b >= 1023.5 && u < 5) {	/* what would print as "1024" moves up a unit */
		b /= 1024;
		u++;
	}
	if (!u)
		snprintf(buf, n, "%.0fB", b);
	else
		snprintf(buf, n, b < 9.95 ? "%.1f%c" : "%.0f%c", b, units[u]);
	return buf;
}

/* See fmt.h. */
char *fmt_count(char *buf, size_t n, double v)
{
	if (!(v > 0))			/* negative, or NaN */
		v = 0;
	/* thresholds by the rounded value: 999999 is "1.0M", not "1000.0k" */
	if (v < 9.95 && v != (double)(uint64_t)v)
		snprintf(buf, n, "%.1f", v);
	else if (v < 9999.5)
		snprintf(buf, n, "%.0f", v);
	else if (v < 999950)
		snprintf(buf, n, "%.1fk", v / 1e3);
	else if (v < 999950000)
		snprintf(buf, n, "%.1fM", v / 1e6);
	else
		snprintf(buf, n, "%.1fG", v / 1e9);
	return buf;
}

/* See fmt.h. */
char *fmt_iso8601(char *buf, size_t n, int64_t real_ns)
{
	/* floor division, so an instant before 1970 does not print ".-01" */
	int64_t ms = real_ns / 1000000 - (real_ns % 1000000 < 0);
	time_t t = (time_t)(ms / 1000 - (ms % 1000 < 0));
	struct tm tm;
	char tmp[32];

	gmtime_r(&t, &tm);
	strftime(tmp, sizeof(tmp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, n, "%s.%03dZ", tmp, (int)(ms - (int64_t)t * 1000));
	return buf;
}
