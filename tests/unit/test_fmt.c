// SPDX-License-Identifier: GPL-2.0
/* Unit tests of core/fmt.c: human units that read back close to the value, in a fixed width. */
#include <stdarg.h>			/* cmocka 1.1 wants these four first */
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/fmt.h"

static char buf[64];

/* Read "<number><unit>" back into the base unit. */
static double read_back(const char *s, const char *const *units, const double *mul, int nunits)
{
	char *end;
	double v = strtod(s, &end);
	int i;

	for (i = 0; i < nunits; i++)
		if (!strcmp(end, units[i]))
			return v * mul[i];
	fail_msg("'%s' has no known unit", s);
	return -1;
}

static void test_ns_examples(void **state)
{
	(void)state;
	assert_string_equal(fmt_ns(buf, sizeof(buf), 0), "0ns");
	assert_string_equal(fmt_ns(buf, sizeof(buf), 950), "950ns");
	assert_string_equal(fmt_ns(buf, sizeof(buf), 999), "999ns");
	assert_string_equal(fmt_ns(buf, sizeof(buf), 1000), "1.00us");
	assert_string_equal(fmt_ns(buf, sizeof(buf), 1234), "1.23us");
	assert_string_equal(fmt_ns(buf, sizeof(buf), 12345), "12.3us");
	assert_string_equal(fmt_ns(buf, sizeof(buf), 123456), "123us");
	assert_string_equal(fmt_ns(buf, sizeof(buf), 4560000), "4.56ms");
	assert_string_equal(fmt_ns(buf, sizeof(buf), 1200000000), "1.20s");
	assert_string_equal(fmt_ns(buf, sizeof(buf), 3600000000000ull), "3600s");
	/* just below a unit: rounds into the next unit, never "1000us" */
	assert_string_equal(fmt_ns(buf, sizeof(buf), 999999), "1.00ms");
	assert_string_equal(fmt_ns(buf, sizeof(buf), 999999999), "1.00s");
}

/* Every magnitude a latency or an interval total can have: at most 6
 * characters, three significant digits (within 0.5%), never a "1000" mantissa. */
static void test_ns_sweep(void **state)
{
	static const char *const units[] = { "ns", "us", "ms", "s" };
	static const double mul[] = { 1, 1e3, 1e6, 1e9 };
	uint64_t ns;
	double step;
	char *end;

	(void)state;
	for (step = 1; step < 99999e9; step *= 1.0007) {	/* up to 27 hours */
		double back;

		ns = (uint64_t)step;
		fmt_ns(buf, sizeof(buf), ns);
		if (strlen(buf) > 6)
			fail_msg("fmt_ns(%llu) = '%s' is wider than 6", (unsigned long long)ns, buf);
		back = read_back(buf, units, mul, 4);
		if (fabs(back - (double)ns) > (double)ns * 0.005 + 0.5)
			fail_msg("fmt_ns(%llu) = '%s' reads back as %.0f", (unsigned long long)ns, buf, back);
		if (strtod(buf, &end) >= 1000 && strcmp(end, "s"))
			fail_msg("fmt_ns(%llu) = '%s' should use the next unit", (unsigned long long)ns, buf);
	}
}

static void test_bytes(void **state)
{
	static const char *const units[] = { "B", "K", "M", "G", "T", "P" };
	static const double mul[] = { 1, 1024.0, 1048576.0, 1073741824.0, 1099511627776.0,
				      1125899906842624.0 };
	double b;

	(void)state;
	assert_string_equal(fmt_bytes(buf, sizeof(buf), 0), "0B");
	assert_string_equal(fmt_bytes(buf, sizeof(buf), 512), "512B");
	assert_string_equal(fmt_bytes(buf, sizeof(buf), 1023), "1023B");
	assert_string_equal(fmt_bytes(buf, sizeof(buf), 1024), "1.0K");
	assert_string_equal(fmt_bytes(buf, sizeof(buf), 4096), "4.0K");
	assert_string_equal(fmt_bytes(buf, sizeof(buf), 10240), "10K");
	assert_string_equal(fmt_bytes(buf, sizeof(buf), 1.5 * 1073741824.0), "1.5G");
	assert_string_equal(fmt_bytes(buf, sizeof(buf), 1048575), "1.0M");	/* not "1024K" */
	assert_string_equal(fmt_bytes(buf, sizeof(buf), 10230), "10K");	/* 9.99K: not "10.0K" */
	for (b = 1; b < 1e18; b *= 1.0011) {
		double v = floor(b), back;

		fmt_bytes(buf, sizeof(buf), v);
		back = read_back(buf, units, mul, 6);
		if (fabs(back - v) > v * 0.05)
			fail_msg("fmt_bytes(%.0f) = '%s' reads back as %.0f", v, buf, back);
		if (v < 1125899906842624.0 * 1000 && strlen(buf) > 5)
			fail_msg("fmt_bytes(%.0f) = '%s' is wider than 5", v, buf);
		if (!strncmp(buf, "1024", 4) && buf[4] != 'P')
			fail_msg("fmt_bytes(%.0f) = '%s' should use the next unit", v, buf);
	}
}

static void test_count(void **state)
{
	static const char *const units[] = { "", "k", "M", "G" };
	static const double mul[] = { 1, 1e3, 1e6, 1e9 };
	double v;

	(void)state;
	assert_string_equal(fmt_count(buf, sizeof(buf), 0), "0");
	assert_string_equal(fmt_count(buf, sizeof(buf), 12), "12");
	assert_string_equal(fmt_count(buf, sizeof(buf), 2.5), "2.5");
	assert_string_equal(fmt_count(buf, sizeof(buf), 9999), "9999");
	assert_string_equal(fmt_count(buf, sizeof(buf), 12345), "12.3k");
	assert_string_equal(fmt_count(buf, sizeof(buf), 3.4e6), "3.4M");
	assert_string_equal(fmt_count(buf, sizeof(buf), 2e9), "2.0G");
	assert_string_equal(fmt_count(buf, sizeof(buf), 999999), "1.0M");	/* not "1000.0k" */
	assert_string_equal(fmt_count(buf, sizeof(buf), -5), "0");		/* a rate never shows < 0 */
	assert_string_equal(fmt_count(buf, sizeof(buf), NAN), "0");
	for (v = 0.01; v < 1e12; v *= 1.0013) {
		double back;

		fmt_count(buf, sizeof(buf), v);
		back = read_back(buf, units, mul, 4);
		/* one decimal on a mantissa >= 1: within 5% (0.05 absolute below 10) */
		if (fabs(back - v) > (v < 10 ? 0.05 + 1e-9 : v * 0.05))
			fail_msg("fmt_count(%g) = '%s' reads back as %g", v, buf, back);
		if (strlen(buf) > 6)
			fail_msg("fmt_count(%g) = '%s' is wider than 6", v, buf);
		if (!strncmp(buf, "1000.", 5) || !strcmp(buf, "10000") || !strcmp(buf, "10.0"))
			fail_msg("fmt_count(%g) = '%s' should use the next unit or width", v, buf);
	}
}

static void test_iso8601(void **state)
{
	(void)state;
	setenv("TZ", "America/New_York", 1);	/* output is UTC whatever the local zone */
	tzset();
	assert_string_equal(fmt_iso8601(buf, sizeof(buf), 0), "1970-01-01T00:00:00.000Z");
	assert_string_equal(fmt_iso8601(buf, sizeof(buf), 1000000000123456789ll),
			    "2001-09-09T01:46:40.123Z");
	assert_string_equal(fmt_iso8601(buf, sizeof(buf), 951782400999999999ll),
			    "2000-02-29T00:00:00.999Z");		/* leap day; truncated, not rounded */
	assert_string_equal(fmt_iso8601(buf, sizeof(buf), 1999999999), "1970-01-01T00:00:01.999Z");
	/* before the epoch (a clock set back): still a valid timestamp */
	assert_string_equal(fmt_iso8601(buf, sizeof(buf), -1000000), "1969-12-31T23:59:59.999Z");
	assert_string_equal(fmt_iso8601(buf, sizeof(buf), -1), "1969-12-31T23:59:59.999Z");
	assert_string_equal(fmt_iso8601(buf, sizeof(buf), -1000000000ll), "1969-12-31T23:59:59.000Z");
	unsetenv("TZ");
	tzset();
}

/* Short buffers: truncated, always terminated, nothing written past n. */
static void test_short_buffers(void **state)
{
	char b[8];

	(void)state;
	memset(b, 'X', sizeof(b));
	fmt_ns(b, 3, 123456);
	assert_string_equal(b, "12");
	assert_int_equal(b[3], 'X');
	memset(b, 'X', sizeof(b));
	fmt_bytes(b, 2, 4096);
	assert_string_equal(b, "4");
	assert_int_equal(b[2], 'X');
	memset(b, 'X', sizeof(b));
	fmt_count(b, 1, 12345);
	assert_string_equal(b, "");
	assert_int_equal(b[1], 'X');
	memset(b, 'X', sizeof(b));
	fmt_iso8601(b, 5, 0);
	assert_string_equal(b, "1970");
	assert_int_equal(b[5], 'X');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ns_examples),
		cmocka_unit_test(test_ns_sweep),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_iso8601),
		cmocka_unit_test(test_short_buffers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
