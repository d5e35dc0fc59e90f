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

	while (b >= 1024 && u < 5) {
		b /= 1024;
		u++;
	}
	if (!u)
		snprintf(buf, n, "%.0fB", b);
	else
		snprintf(buf, n, b < 10 ? "%.1f%c" : "%.0f%c", b, units[u]);
	return buf;
}

/* See fmt.h. */
char *fmt_count(char *buf, size_t n, double v)
{
	if (v < 0)
		v = 0;
	if (v < 10 && v != (double)(uint64_t)v)
		snprintf(buf, n, "%.1f", v);
	else if (v < 10000)
		snprintf(buf, n, "%.0f", v);
	else if (v < 1e6)
		snprintf(buf, n, "%.1fk", v / 1e3);
	else if (v < 1e9)
		snprintf(buf, n, "%.1fM", v / 1e6);
	else
		snprintf(buf, n, "%.1fG", v / 1e9);
	return buf;
}

/* See fmt.h. */
char *fmt_iso8601(char *buf, size_t n, int64_t real_ns)
{
	time_t t = (time_t)(real_ns / 1000000000);
	struct tm tm;
	char tmp[32];

	gmtime_r(&t, &tm);
	strftime(tmp, sizeof(tmp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, n, "%s.%03dZ", tmp, (int)((real_ns / 1000000) % 1000));
	return buf;
}
