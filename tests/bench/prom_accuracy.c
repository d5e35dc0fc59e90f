// SPDX-License-Identifier: GPL-2.0
/* What the /metrics buckets cost in accuracy: histogram_quantile() on the exported power-of-two
 * buckets vs ktop's own percentile on the native log-linear histogram (docs/metrics.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/histo.h"
#include "core/metrics.h"

/* Prometheus's histogram_quantile(): linear inside the bucket holding the
 * rank, the first bucket starting at 0, the +Inf bucket answering its lower bound. */
static double prom_quantile(double q, const struct ktop_prom_hist *h)
{
	double rank, cum = 0, total = 0, lo;
	unsigned i;

	for (i = 0; i < KTOP_PROM_BUCKETS; i++)
		total += (double)h->b[i];
	rank = q * total;
	for (i = 0; i < KTOP_PROM_BUCKETS; i++) {
		if (cum + (double)h->b[i] >= rank) {
			lo = i ? (double)metrics_bound_ns(i - 1) : 0;
			if (i == KTOP_PROM_BUCKETS - 1)
				return lo;
			return lo + ((double)metrics_bound_ns(i) - lo) * (rank - cum) / (double)h->b[i];
		}
		cum += (double)h->b[i];
	}
	return 0;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static uint64_t seed = 42;

static double uniform(void)
{
	seed = seed * 6364136223846793005ull + 1442695040888963407ull;
	return ((seed >> 11) + 0.5) / 9007199254740992.0;
}

static double gauss(void)
{
	return sqrt(-2 * log(uniform())) * cos(2 * M_PI * uniform());
}

int main(void)
{
	static uint64_t nat[KTOP_HIST_BUCKETS];
	static double xs[200000];
	static const double meds[] = { 5e3, 3e4, 2e5, 1e6, 2e7 }, sig[] = { 0.1, 0.5, 1.0 },
		qs[] = { 0.5, 0.9, 0.99 };
	double lo = 1e9, hi = -1e9, worst_nat = 0, worst[3] = { 0 }, v, e;
	struct ktop_prom_hist h;
	int a, b, c, i, n = 200000;

	for (v = 1100; v < 1.7e10; v *= 1.01) {	/* point masses, 1.1 us .. 17 s */
		memset(&h, 0, sizeof(h));
		memset(nat, 0, sizeof(nat));
		nat[ktop_hist_index((uint64_t)v)] = 100;
		metrics_hist_add(&h, nat);
		e = prom_quantile(0.5, &h) / v - 1;
		lo = e < lo ? e : lo;
		hi = e > hi ? e : hi;
		e = fabs((double)hist_percentile(nat, KTOP_HIST_BUCKETS, 50, 0) / v - 1);
		worst_nat = e > worst_nat ? e : worst_nat;
	}
	printf("one latency (point mass) 1.1 us..17 s, p50: Prometheus %+.1f%%..%+.1f%%, native within %.2f%%\n\n",
	       lo * 100, hi * 100, worst_nat * 100);
	printf("| median | sigma | q | true | native | histogram_quantile |\n|---|---|---|---|---|---|\n");
	for (a = 0; a < 5; a++) {
		for (b = 0; b < 3; b++) {
			memset(&h, 0, sizeof(h));
			memset(nat, 0, sizeof(nat));
			for (i = 0; i < n; i++) {	/* lognormal latencies */
				xs[i] = meds[a] * exp(sig[b] * gauss());
				nat[ktop_hist_index((uint64_t)xs[i])]++;
			}
			metrics_hist_add(&h, nat);
			qsort(xs, n, sizeof(double), cmp);
			for (c = 0; c < 3; c++) {
				double t = xs[(int)(qs[c] * n) - 1];
				double nv = (double)hist_percentile(nat, KTOP_HIST_BUCKETS, qs[c] * 100, 0);
				double pv = prom_quantile(qs[c], &h);

				e = fabs(pv / t - 1);
				worst[c] = e > worst[c] ? e : worst[c];
				printf("| %.0f us | %.1f | p%g | %.1f us | %+.1f%% | %+.1f%% |\n", meds[a] / 1e3,
				       sig[b], qs[c] * 100, t / 1e3, (nv / t - 1) * 100, (pv / t - 1) * 100);
			}
		}
	}
	printf("\nworst |error| of histogram_quantile on these: p50 %.1f%%, p90 %.1f%%, p99 %.1f%%\n",
	       worst[0] * 100, worst[1] * 100, worst[2] * 100);
	return 0;
}
