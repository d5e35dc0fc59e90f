// SPDX-License-Identifier: GPL-2.0
/* Unit tests of core/histo.c: percentiles from log-linear histograms, counter deltas. */
#include <stdarg.h>			/* cmocka 1.1 wants these four first */
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include "core/histo.h"
#include "testutil.h"

#define NB	KTOP_HIST_BUCKETS

static void add(uint64_t *h, uint64_t v, uint64_t n)
{
	h[ktop_hist_index(v)] += n;
}

/* |got - want| <= want / 16: the bucket midpoint promise of hist.h. */
static void assert_close(uint64_t got, uint64_t want)
{
	double err = fabs((double)got - (double)want);

	if (err * 16 > (double)want)
		fail_msg("percentile %llu is more than 6.25%% from the true %llu",
			 (unsigned long long)got, (unsigned long long)want);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted samples: the smallest value with at
 * least pct% of the samples at or below it. */
static uint64_t true_pct(const uint64_t *sorted, size_t n, double pct)
{
	double want = (double)n * pct / 100.0;
	size_t rank = (size_t)want;

	if ((double)rank < want)
		rank++;

	if (rank < 1)
		rank = 1;
	return sorted[rank - 1];
}

static void test_empty(void **state)
{
	uint64_t h[NB] = { 0 };

	(void)state;
	assert_int_equal(hist_percentile(h, NB, 50, 0), 0);
	assert_int_equal(hist_percentile(h, NB, 99.9, 12345), 0);
	assert_int_equal(hist_percentile(h, NB, 100, 0), 0);
	assert_int_equal(hist_max_bound(h, NB), 0);
	assert_int_equal(hist_count(h, NB), 0);
}

/* One sample: every percentile is that sample's bucket; small values exact. */
static void test_one_sample(void **state)
{
	static const uint64_t vals[] = { 0, 1, 7, 8, 9, 100, 1000, 123456, 999999999, 5000000000ull };
	static const double pcts[] = { 0.001, 1, 50, 95, 99, 99.9, 100 };
	unsigned i, j;

	(void)state;
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		uint64_t h[NB] = { 0 }, v = vals[i];

		add(h, v, 1);
		for (j = 0; j < sizeof(pcts) / sizeof(pcts[0]); j++) {
			uint64_t p = hist_percentile(h, NB, pcts[j], 0);
			uint64_t pc = hist_percentile(h, NB, pcts[j], v);

			if (v < KTOP_HIST_SUB)
				assert_int_equal(p, v);
			assert_int_equal(ktop_hist_index(p), ktop_hist_index(v));
			assert_close(p, v);
			/* with the exact max known, never above it */
			assert_true(pc <= v || v == 0);
			assert_close(pc, v);
		}
		assert_int_equal(hist_max_bound(h, NB), ktop_hist_upper(ktop_hist_index(v)));
		assert_true(hist_max_bound(h, NB) > v);
	}
}

/* Nearest rank: p50 of 50 x 10 and 50 x 1000 is 10, p51 is ~1000. */
static void test_rank_boundary(void **state)
{
	uint64_t h[NB] = { 0 };

	(void)state;
	add(h, 5, 50);
	add(h, 1000, 50);
	assert_int_equal(hist_percentile(h, NB, 50, 0), 5);
	assert_close(hist_percentile(h, NB, 50.5, 0), 1000);
	assert_close(hist_percentile(h, NB, 51, 0), 1000);
	assert_int_equal(hist_percentile(h, NB, 0.0001, 0), 5);
	assert_int_equal(hist_count(h, NB), 100);
	/* pct above 100 is read as 100 */
	assert_int_equal(hist_percentile(h, NB, 250, 0), hist_percentile(h, NB, 100, 0));
}

/* The midpoint of a bucket can lie above the largest sample; max_ns caps it. */
static void test_capped_by_max(void **state)
{
	uint64_t h[NB] = { 0 };
	uint64_t v = ktop_hist_lower(100);	/* the smallest value of its bucket */
	uint64_t mid = v + (ktop_hist_upper(100) - v) / 2;

	(void)state;
	assert_true(mid > v);
	add(h, v, 10);
	assert_int_equal(hist_percentile(h, NB, 99, 0), mid);
	assert_int_equal(hist_percentile(h, NB, 99, v), v);
	assert_int_equal(hist_percentile(h, NB, 99, mid + 1000), mid);	/* cap only lowers */
}

static void check_distribution(uint64_t *samples, size_t n)
{
	static const double pcts[] = { 1, 10, 25, 50, 75, 90, 95, 99, 99.9, 100 };
	uint64_t *h = calloc(NB, sizeof(*h));
	size_t i;

	assert_non_null(h);
	for (i = 0; i < n; i++)
		add(h, samples[i], 1);
	qsort(samples, n, sizeof(*samples), cmp_u64);
	assert_int_equal(hist_count(h, NB), n);
	for (i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++) {
		uint64_t want = true_pct(samples, n, pcts[i]);

		assert_close(hist_percentile(h, NB, pcts[i], 0), want);
		assert_close(hist_percentile(h, NB, pcts[i], samples[n - 1]), want);
		assert_true(hist_percentile(h, NB, pcts[i], samples[n - 1]) <= samples[n - 1]);
	}
	assert_true(hist_max_bound(h, NB) > samples[n - 1]);
	assert_true(ktop_hist_lower(ktop_hist_index(hist_max_bound(h, NB) - 1)) <= samples[n - 1]);
	free(h);
}

/* Every value 1..100000 once: uniform. */
static void test_uniform(void **state)
{
	size_t n = 100000, i;
	uint64_t *s = malloc(n * sizeof(*s));

	(void)state;
	assert_non_null(s);
	for (i = 0; i < n; i++)
		s[i] = i + 1;
	check_distribution(s, n);
	free(s);
}

/* Exponential latencies (mean 50 us) and a heavy tail of rare slow calls. */
static void test_exponential_and_tail(void **state)
{
	size_t n = 200000, i;
	uint64_t *s = malloc(n * sizeof(*s)), seed = 11;

	(void)state;
	assert_non_null(s);
	for (i = 0; i < n; i++) {
		double u = ((double)(tu_rand(&seed) >> 11) + 0.5) / 9007199254740992.0;

		s[i] = (uint64_t)(-log(u) * 50000.0);
		if (i % 700 == 0)
			s[i] = 10000000 + (tu_rand(&seed) % 90000000);	/* 10..100 ms */
	}
	check_distribution(s, n);
	free(s);
}

/* Log-uniform over 1 ns .. 100 s: exercises every magnitude. */
static void test_log_uniform(void **state)
{
	size_t n = 100000, i;
	uint64_t *s = malloc(n * sizeof(*s)), seed = 5;

	(void)state;
	assert_non_null(s);
	for (i = 0; i < n; i++) {
		double u = (double)(tu_rand(&seed) >> 11) / 9007199254740992.0;

		s[i] = (uint64_t)pow(10.0, u * 11.0);
	}
	check_distribution(s, n);
	free(s);
}

static void test_max_bound(void **state)
{
	uint64_t h[NB] = { 0 };

	(void)state;
	add(h, 3, 1);
	assert_int_equal(hist_max_bound(h, NB), 4);
	add(h, 1000000, 1);
	assert_true(hist_max_bound(h, NB) > 1000000);
	assert_true(hist_max_bound(h, NB) <= 1000000 + 1000000 / 8);
	/* only the first nb buckets are looked at */
	assert_int_equal(hist_max_bound(h, ktop_hist_index(1000000)), 4);
}

static void test_delta_u64(void **state)
{
	(void)state;
	assert_int_equal(delta_u64(3, 5), 2);
	assert_int_equal(delta_u64(5, 5), 0);
	assert_int_equal(delta_u64(5, 3), 0);		/* went backwards: no spike */
	assert_int_equal(delta_u64(0, UINT64_MAX), UINT64_MAX);
	assert_int_equal(delta_u64(UINT64_MAX, 0), 0);
}

static void test_hist_delta(void **state)
{
	uint64_t prev[4] = { 1, 5, 10, 0 }, cur[4] = { 4, 5, 7, 9 }, d[4];

	(void)state;
	hist_delta(d, prev, cur, 4);
	assert_int_equal(d[0], 3);
	assert_int_equal(d[1], 0);
	assert_int_equal(d[2], 0);			/* 10 -> 7: reset, not 2^64 - 3 */
	assert_int_equal(d[3], 9);
	hist_delta(d, NULL, cur, 4);			/* no previous reading */
	assert_memory_equal(d, cur, sizeof(cur));
	d[3] = 77;
	hist_delta(d, prev, cur, 3);			/* n respected */
	assert_int_equal(d[3], 77);
}

static void test_rate(void **state)
{
	(void)state;
	assert_float_equal(rate_per_sec(500, 500000000), 1000.0, 1e-9);
	assert_float_equal(rate_per_sec(3, 1000000000), 3.0, 1e-12);
	assert_float_equal(rate_per_sec(7, 0), 0.0, 0);
	assert_float_equal(rate_per_sec(0, 1000), 0.0, 0);
}

/* hist_scale: the timed calls of a sampled row scaled to all its calls */
static void test_scale(void **state)
{
	uint64_t h[KTOP_HIST_BUCKETS] = { 0 }, out[KTOP_HIST_BUCKETS];

	(void)state;
	assert_int_equal(hist_scale(h, KTOP_HIST_BUCKETS, 10, out), -1);	/* nothing timed */
	h[10] = 1;
	h[20] = 1;
	h[30] = 1;
	assert_int_equal(hist_scale(h, KTOP_HIST_BUCKETS, 10, out), 0);
	assert_int_equal(hist_count(out, KTOP_HIST_BUCKETS), 10);	/* exactly the calls */
	assert_true(out[10] >= 3 && out[10] <= 4);			/* 3.33 each, one rounded up */
	assert_true(out[20] >= 3 && out[20] <= 4);
	assert_true(out[30] >= 3 && out[30] <= 4);
	assert_int_equal(out[0] + out[11], 0);				/* no bucket made up */
	h[30] = 98;							/* 1:1:98 of 100, to 1000 */
	assert_int_equal(hist_scale(h, KTOP_HIST_BUCKETS, 1000, out), 0);
	assert_int_equal(out[10], 10);
	assert_int_equal(out[30], 980);
	assert_int_equal(hist_scale(h, KTOP_HIST_BUCKETS, 100, out), 0);	/* all timed: as is */
	assert_int_equal(out[30], 98);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_one_sample),
		cmocka_unit_test(test_rank_boundary),
		cmocka_unit_test(test_capped_by_max),
		cmocka_unit_test(test_uniform),
		cmocka_unit_test(test_exponential_and_tail),
		cmocka_unit_test(test_log_uniform),
		cmocka_unit_test(test_max_bound),
		cmocka_unit_test(test_delta_u64),
		cmocka_unit_test(test_hist_delta),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_scale),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
