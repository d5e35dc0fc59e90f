/* SPDX-License-Identifier: GPL-2.0 */
/* Prometheus exposition: cumulative state built from the snapshots, and its text writer. Pure. */
#ifndef KTOP_METRICS_H
#define KTOP_METRICS_H
#include <stdbool.h>
#include <stdio.h>
#include "core/snapshot.h"

/*
 * Exported histogram buckets: powers of two from 2^10 ns (1.024 us) to
 * 2^34 ns (17.18 s), then +Inf. Every bound is a bucket edge of the
 * in-kernel log-linear histogram (include/ktop/hist.h), so the mapping
 * moves no observation across a bound. docs/metrics.md has the accuracy.
 */
#define KTOP_PROM_POW_MIN	10
#define KTOP_PROM_POW_MAX	34
#define KTOP_PROM_BUCKETS	(KTOP_PROM_POW_MAX - KTOP_PROM_POW_MIN + 2)	/* + the +Inf bucket */

#define KTOP_PROM_IO_MAX	64	/* (disk, op) pairs kept; least recently seen goes first */
#define KTOP_PROM_LOCK_TYPES	16	/* lock types kept (there are about 8) */
#define KTOP_PROM_TOP_MAX	200	/* --metrics-top ceiling */

/* One cumulative histogram: bucket counts (not yet cumulative over le), count, sum. */
struct ktop_prom_hist {
	uint64_t b[KTOP_PROM_BUCKETS];
	uint64_t count;
	uint64_t sum_ns;
};

struct ktop_prom_sc {
	bool seen;
	char name[32];
	uint64_t errors;
	uint64_t untimed;		/* calls of intervals that timed none, for the next that does */
	struct ktop_prom_hist h;
};

struct ktop_prom_io {
	bool used;
	uint32_t dev, opn;
	char disk[KTOP_IO_NAME];
	uint64_t last_seen;		/* iteration */
	uint64_t requests, bytes, errors, queue_ns, device_ns;
	struct ktop_prom_hist h;
};

struct ktop_prom_lock {
	char type[24];
	struct ktop_prom_hist h;
};

/* ktop's own process figures, read by the caller (metrics_self_read()). */
struct ktop_prom_self {
	double cpu_s;
	uint64_t rss_bytes, vm_bytes;
	double start_time_s;
	uint64_t open_fds, max_fds;
	double build_cpu_s;		/* CPU time the previous interval's exposition took to build */
};

/* Everything the exposition needs beyond the last snapshot: cumulative since start. */
struct ktop_prom_state {
	struct ktop_prom_sc sc[512];	/* by syscall number (KTOP_SC_MAX) */
	struct ktop_prom_io io[KTOP_PROM_IO_MAX];
	uint32_t nlock_types;
	struct ktop_prom_lock locks[KTOP_PROM_LOCK_TYPES];
	uint64_t bpf_run_ns, bpf_run_cnt;
	uint64_t io_evicted;		/* (disk, op) pairs dropped to make room */
};

/* Exported bucket of native bucket idx (< KTOP_HIST_BUCKETS). Can't fail. */
unsigned metrics_bucket_of(unsigned idx);

/* Upper bound, in ns, of exported bucket i (< KTOP_PROM_BUCKETS - 1). Can't fail. */
uint64_t metrics_bound_ns(unsigned i);

/* Fold a native per-interval histogram into h's buckets. Can't fail. */
void metrics_hist_add(struct ktop_prom_hist *h, const uint64_t *native);

/* Add the interval of snapshot s to st (counters are deltas in s). Can't fail:
 * a (disk, op) pair beyond KTOP_PROM_IO_MAX evicts the least recently seen. */
void metrics_accumulate(struct ktop_prom_state *st, const struct ktop_snapshot *s);

/*
 * Write the whole exposition of st and s to f: Prometheus text format 0.0.4,
 * or OpenMetrics 1.0 when om. top: series kept per per-process or per-lock
 * family (--metrics-top). self may be NULL (no process_* metrics).
 * Returns 0, or -EIO when f reports an error.
 */
int metrics_write(FILE *f, const struct ktop_prom_state *st, const struct ktop_snapshot *s,
		  const struct ktop_prom_self *self, unsigned top, bool om);

/* Escape src into dst (size n) as a label value: untrusted bytes made
 * visible by str_sanitize(), then \ " and newline escaped as the format
 * wants. Always NUL-terminates. Returns the length. Can't fail. */
size_t metrics_label(char *dst, size_t n, const char *src, size_t srclen);

/* Read ktop's own process figures (getrusage, /proc/self). Can't fail: what
 * cannot be read is 0. */
void metrics_self_read(struct ktop_prom_self *self);

#endif
