// SPDX-License-Identifier: GPL-2.0
/* Percentiles from log-linear histograms, and counter deltas. */
#include "core/histo.h"

/* See histo.h. */
uint64_t hist_count(const uint64_t *hist, unsigned nb)
{
	uint64_t n = 0;
	unsigned i;

	for (i = 0; i < nb; i++)
		n += hist[i];
	return n;
}

/* See histo.h. */
uint64_t hist_percentile(const uint64_t *hist, unsigned nb, double pct, uint64_t max_ns)
{
	uint64_t total = hist_count(hist, nb), rank, seen = 0, lo, hi, mid;
	unsigned i;

	if (!total)
		return 0;
	if (pct > 100)
		pct = 100;
	/* smallest rank r (1-based) with r >= pct% of total */
	rank = (uint64_t)((double)total * pct / 100.0);
	if ((double)rank < (double)total * pct / 100.0)
		rank++;
	if (rank < 1)
		rank = 1;
	for (i = 0; i < nb; i++) {
		seen += hist[i];
		if (seen >= rank)
			break;
	}
	if (i >= nb)
		i = nb - 1;
	lo = ktop_hist_lower(i);
	hi = ktop_hist_upper(i);
	mid = i < KTOP_HIST_SUB ? lo : lo + (hi - lo) / 2;
	if (max_ns && mid > max_ns)
		mid = max_ns;
	return mid;
}

/* See histo.h. */
uint64_t hist_max_bound(const uint64_t *hist, unsigned nb)
{
	unsigned i = nb;

	while (i > 0) {
		i--;
		if (hist[i])
			return ktop_hist_upper(i);
	}
	return 0;
}

/* See histo.h. */
void hist_delta(uint64_t *dst, const uint64_t *prev, const uint64_t *cur, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		dst[i] = delta_u64(prev ? prev[i] : 0, cur[i]);
}

/* See histo.h. */
double rate_per_sec(uint64_t delta, uint64_t dt_ns)
{
	if (!dt_ns)
		return 0;
	return (double)delta * 1e9 / (double)dt_ns;
}

/* See histo.h. */
int hist_scale(const uint64_t *hist, unsigned nb, uint64_t n, uint64_t *out)
{
	uint64_t total = hist_count(hist, nb), sum = 0;
	double rem[KTOP_HIST_BUCKETS], x;
	unsigned i, best;

	if (!total || nb > KTOP_HIST_BUCKETS)
		return -1;
	for (i = 0; i < nb; i++) {
		x = (double)hist[i] * n / total;
		out[i] = (uint64_t)x;
		rem[i] = hist[i] ? x - out[i] : -1;
		sum += out[i];
	}
	while (sum < n) {	/* short by less than one a bucket: rounded up by remainder */
		for (best = 0, i = 1; i < nb; i++)
			if (rem[i] > rem[best])
				best = i;
		out[best]++;
		rem[best] = -1;
		sum++;
	}
	return 0;
}
