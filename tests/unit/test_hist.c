// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the log-linear bucket geometry in include/ktop/hist.h, shared with BPF. */
#include <stdarg.h>			/* cmocka 1.1 wants these four first */
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "ktop/hist.h"
#include "testutil.h"

#define TOP_VALUE	(1ull << KTOP_HIST_POW_MAX)	/* from here on: the last, open bucket */

/* floor(log2(v)) the slow, obvious way. */
static unsigned ref_log2(uint64_t v)
{
	unsigned r = 0;

	while (v >>= 1)
		r++;
	return r;
}

/* lower(index(v)) <= v < upper(index(v)) for a value below the open bucket. */
static void check_value(uint64_t v)
{
	uint32_t i = ktop_hist_index(v);

	assert_true(i < KTOP_HIST_BUCKETS);
	assert_true(ktop_hist_lower(i) <= v);
	if (v < TOP_VALUE)
		assert_true(v < ktop_hist_upper(i));
	else
		assert_int_equal(i, KTOP_HIST_BUCKETS - 1);
}

static void test_log2_matches_reference(void **state)
{
	uint64_t seed = 1, v;
	unsigned k;
	int i;

	(void)state;
	for (k = 0; k < 64; k++) {
		v = 1ull << k;
		assert_int_equal(ktop_log2(v), k);
		assert_int_equal(ktop_log2(v | (v - 1)), k);	/* all bits up to k set */
		if (k)
			assert_int_equal(ktop_log2(v - 1), k - 1);
	}
	assert_int_equal(ktop_log2(UINT64_MAX), 63);
	for (i = 0; i < 200000; i++) {
		v = tu_rand(&seed) >> (tu_rand(&seed) % 64);
		if (!v)
			continue;
		assert_int_equal(ktop_log2(v), ref_log2(v));
	}
}

/* Below KTOP_HIST_SUB every value is exact: its own bucket, width 1. */
static void test_small_values_exact(void **state)
{
	uint64_t v;

	(void)state;
	for (v = 0; v < KTOP_HIST_SUB; v++) {
		assert_int_equal(ktop_hist_index(v), v);
		assert_int_equal(ktop_hist_lower(v), v);
		assert_int_equal(ktop_hist_upper(v), v + 1);
	}
	/* the first log-linear bucket starts right after them */
	assert_int_equal(ktop_hist_index(KTOP_HIST_SUB), KTOP_HIST_SUB);
}

/* Every bucket: its bounds map back to it, it touches the next one, and it
 * is at most 1/8 of its lower bound wide (6.25% midpoint error). */
static void test_buckets_contiguous_and_narrow(void **state)
{
	uint32_t i;

	(void)state;
	assert_int_equal(ktop_hist_lower(0), 0);
	for (i = 0; i < KTOP_HIST_BUCKETS; i++) {
		uint64_t lo = ktop_hist_lower(i), hi = ktop_hist_upper(i);

		assert_true(lo < hi);
		assert_int_equal(ktop_hist_index(lo), i);
		assert_int_equal(ktop_hist_index(hi - 1), i);
		if (i + 1 < KTOP_HIST_BUCKETS)
			assert_int_equal(ktop_hist_lower(i + 1), hi);
		if (i >= KTOP_HIST_SUB)
			assert_true((hi - lo) * KTOP_HIST_SUB <= lo);
	}
}

/* The table is exactly as large as the values below 2^POW_MAX need: the
 * last bucket ends at 2^POW_MAX, and everything above shares it. */
static void test_last_bucket_is_open(void **state)
{
	uint64_t seed = 7, v;
	int i;

	(void)state;
	assert_int_equal(ktop_hist_upper(KTOP_HIST_BUCKETS - 1), TOP_VALUE);
	assert_int_equal(ktop_hist_index(TOP_VALUE - 1), KTOP_HIST_BUCKETS - 1);
	assert_int_equal(ktop_hist_index(TOP_VALUE), KTOP_HIST_BUCKETS - 1);
	assert_int_equal(ktop_hist_index(UINT64_MAX), KTOP_HIST_BUCKETS - 1);
	for (i = 0; i < 10000; i++) {
		v = TOP_VALUE + (tu_rand(&seed) >> (tu_rand(&seed) % 24));
		if (v < TOP_VALUE)
			continue;		/* wrapped */
		assert_int_equal(ktop_hist_index(v), KTOP_HIST_BUCKETS - 1);
	}
}

/* Every value from 0 to 2^20, and random values of every magnitude. */
static void test_value_in_its_bucket(void **state)
{
	uint64_t seed = 42, v;
	unsigned k;
	int i;

	(void)state;
	for (v = 0; v <= (1u << 20); v++)
		check_value(v);
	for (k = 0; k < 64; k++) {		/* both sides of every power of two */
		check_value(1ull << k);
		check_value((1ull << k) - 1);
		check_value((1ull << k) + 1);
	}
	check_value(UINT64_MAX);
	for (i = 0; i < 1000000; i++)
		check_value(tu_rand(&seed) >> (tu_rand(&seed) % 64));
}

static void test_index_monotonic(void **state)
{
	uint64_t seed = 3, a, b, t;
	uint32_t prev = 0, cur;
	int i;

	(void)state;
	for (a = 0; a < 200000; a++) {
		cur = ktop_hist_index(a);
		assert_true(cur == prev || cur == prev + 1);	/* no bucket skipped */
		prev = cur;
	}
	for (i = 0; i < 1000000; i++) {
		a = tu_rand(&seed) >> (tu_rand(&seed) % 64);
		b = tu_rand(&seed) >> (tu_rand(&seed) % 64);
		if (a > b) {
			t = a;
			a = b;
			b = t;
		}
		assert_true(ktop_hist_index(a) <= ktop_hist_index(b));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log2_matches_reference),
		cmocka_unit_test(test_small_values_exact),
		cmocka_unit_test(test_buckets_contiguous_and_narrow),
		cmocka_unit_test(test_last_bucket_is_open),
		cmocka_unit_test(test_value_in_its_bucket),
		cmocka_unit_test(test_index_monotonic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
