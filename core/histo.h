/* SPDX-License-Identifier: GPL-2.0 */
/* Histogram and counter math on plain arrays: pure, unit-tested. */
#ifndef KTOP_HISTO_H
#define KTOP_HISTO_H
#include <stdint.h>
#include "ktop/hist.h"

/*
 * Value at percentile pct (0 < pct <= 100) of a log-linear histogram of
 * nb buckets: the midpoint of the bucket holding the rank, capped at max_ns
 * when max_ns is non-zero. Returns 0 for an empty histogram. Can't fail.
 */
uint64_t hist_percentile(const uint64_t *hist, unsigned nb, double pct, uint64_t max_ns);

/* Upper bound (exclusive) of the highest non-empty bucket, or 0. Can't fail. */
uint64_t hist_max_bound(const uint64_t *hist, unsigned nb);

/* Sum of all buckets. Can't fail. */
uint64_t hist_count(const uint64_t *hist, unsigned nb);

/*
 * Delta of a cumulative counter. Returns cur - prev, or 0 when the counter
 * went backwards (map entry recreated, collector reloaded) so the caller
 * never shows a huge spike. Can't fail.
 */
static inline uint64_t delta_u64(uint64_t prev, uint64_t cur)
{
	return cur >= prev ? cur - prev : 0;
}

/* dst[i] = delta_u64(prev[i], cur[i]) for i < n; prev may be NULL (all zero). */
void hist_delta(uint64_t *dst, const uint64_t *prev, const uint64_t *cur, unsigned n);

/* Per-second rate of a delta over dt_ns; 0 when dt_ns is 0. Can't fail. */
double rate_per_sec(uint64_t delta, uint64_t dt_ns);

/* out = hist scaled to hold n values in all (n >= hist_count(): e.g. the
 * timed calls of a sampled row scaled to all calls), each bucket's share
 * rounded by largest remainder so the buckets add up to n exactly.
 * Returns 0, or -1 (out untouched) when hist is empty. */
int hist_scale(const uint64_t *hist, unsigned nb, uint64_t n, uint64_t *out);

#endif
