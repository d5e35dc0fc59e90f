// SPDX-License-Identifier: GPL-2.0
/* libFuzzer harness for the bucket geometry (ktop/hist.h) and percentiles (core/histo.c). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/histo.h"

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "violated: %s\n", #c); abort(); } } while (0)

static void check_value(uint64_t v)
{
	uint32_t i = ktop_hist_index(v);

	CHECK(i < KTOP_HIST_BUCKETS);
	CHECK(ktop_hist_lower(i) <= v);
	if (v < (1ull << KTOP_HIST_POW_MAX))
		CHECK(v < ktop_hist_upper(i));
	else
		CHECK(i == KTOP_HIST_BUCKETS - 1);
	if (i >= KTOP_HIST_SUB)			/* at most 1/8 wide */
		CHECK((ktop_hist_upper(i) - ktop_hist_lower(i)) * KTOP_HIST_SUB <= ktop_hist_lower(i));
	if (v)
		CHECK(ktop_hist_index(v - 1) <= i);
	if (v != UINT64_MAX)
		CHECK(ktop_hist_index(v + 1) >= i && ktop_hist_index(v + 1) <= i + 1);
}

/* Each 8 bytes are a value: check the geometry on each, then fold them
 * into a histogram and check its percentiles. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const double pcts[] = { 0.0001, 1, 50, 90, 99, 99.9, 100, 1000 };
	uint64_t h[KTOP_HIST_BUCKETS] = { 0 }, v, max = 0, min = UINT64_MAX, prev, p;
	size_t i, n = size / 8;

	for (i = 0; i < n; i++) {
		memcpy(&v, data + 8 * i, 8);
		check_value(v);
		h[ktop_hist_index(v)]++;
		if (v > max)
			max = v;
		if (v < min)
			min = v;
	}
	CHECK(hist_count(h, KTOP_HIST_BUCKETS) == n);
	if (!n) {
		CHECK(hist_percentile(h, KTOP_HIST_BUCKETS, 50, 0) == 0);
		CHECK(hist_max_bound(h, KTOP_HIST_BUCKETS) == 0);
		return 0;
	}
	prev = 0;
	for (i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++) {
		p = hist_percentile(h, KTOP_HIST_BUCKETS, pcts[i], max);
		CHECK(p >= prev);			/* monotonic in pct */
		CHECK(p <= max || max == 0);		/* capped by the exact max */
		CHECK(p >= ktop_hist_lower(ktop_hist_index(min)));
		prev = p;
	}
	CHECK(hist_max_bound(h, KTOP_HIST_BUCKETS) == ktop_hist_upper(ktop_hist_index(max)));
	return 0;
}
