/* SPDX-License-Identifier: GPL-2.0 */
/* Syscalls part of the snapshot. Counters are deltas over the interval. */
#ifndef KTOP_SNAP_SYSCALLS_H
#define KTOP_SNAP_SYSCALLS_H
#include "core/field.h"

#define KTOP_SC_ROWS_MAX	512
#define KTOP_SC_PROCS_MAX	512	/* processes, by total time */
#define KTOP_SC_PAIRS_MAX	4096	/* (process, syscall) pairs, by total time */

struct ktop_sc_row {
	uint32_t nr;
	char name[32];
	uint32_t ktop_probes;		/* 1: these calls are ktop's own uprobes returning (uretprobe, uprobe) */
	uint64_t count, errors, total_ns;
	uint64_t p50_ns, p95_ns, p99_ns;
	uint64_t max_ns;		/* largest timed call in the interval, from the histogram, capped by the exact max */
	uint64_t timed;			/* calls timed; < count: sampled, total_ns and hist are estimates */
	uint64_t hist[KTOP_HIST_BUCKETS];	/* each timed call weighted by its sampling period */
};

struct ktop_sc_proc {
	uint32_t pid;
	char comm[KTOP_COMM_LEN];
	uint64_t count, errors, total_ns;
};

struct ktop_sc_pair {
	uint32_t pid, nr;
	uint64_t count, errors, total_ns;
};

#define KTOP_SC_INFLIGHT_MAX	16	/* longest calls in flight listed */
#define KTOP_SC_INFLIGHT_STACKS	3	/* ... the first this many with their kernel stack */
#define KTOP_SC_INFLIGHT_FRAMES	12

/* A thread inside a syscall at the end of the interval (not yet returned). */
struct ktop_sc_inflight {
	uint32_t tid, pid, nr;
	char state;			/* R S D I T t X Z ?, as ps shows it */
	char name[32];			/* syscall */
	char comm[KTOP_COMM_LEN];	/* thread name */
	char pcomm[KTOP_COMM_LEN];	/* process name */
	uint64_t elapsed_ns;		/* in the call so far */
	uint32_t nframes;		/* kernel stack, innermost first (top few only) */
	char frames[KTOP_SC_INFLIGHT_FRAMES][64];
};

struct ktop_sc_snap {
	uint32_t nrows;			/* rows with calls in the interval, by total_ns desc */
	struct ktop_sc_row rows[KTOP_SC_ROWS_MAX];
	uint32_t nprocs;
	struct ktop_sc_proc procs[KTOP_SC_PROCS_MAX];
	uint32_t npairs;
	struct ktop_sc_pair pairs[KTOP_SC_PAIRS_MAX];
	uint64_t total_ns;		/* sum over rows: TIME% denominator */
	uint32_t exact;			/* 1: --exact, every call timed; 0: sampled when hot */
	/* in flight: calls still running, longest first */
	char inflight_why[128];		/* non-empty: not available, and why */
	uint64_t inflight_min_ns;	/* calls shorter than this are not counted */
	uint32_t inflight_total;	/* threads in a call for >= inflight_min_ns */
	uint32_t inflight_d;		/* ... of them in D state (uninterruptible) */
	uint32_t ninflight;
	struct ktop_sc_inflight inflight[KTOP_SC_INFLIGHT_MAX];
};

/* Field tables of the rows (core/out_syscalls.c, see core/field.h). */
extern const struct fld ktop_sc_row_fields[], ktop_sc_pair_fields[], ktop_sc_proc_fields[],
	ktop_sc_inflight_fields[];

#endif
