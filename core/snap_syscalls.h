/* SPDX-License-Identifier: GPL-2.0 */
/* Syscalls part of the snapshot. Counters are deltas over the interval. */
#ifndef KTOP_SNAP_SYSCALLS_H
#define KTOP_SNAP_SYSCALLS_H

#define KTOP_SC_ROWS_MAX	512
#define KTOP_SC_PROCS_MAX	512	/* processes, by total time */
#define KTOP_SC_PAIRS_MAX	4096	/* (process, syscall) pairs, by total time */

struct ktop_sc_row {
	uint32_t nr;
	char name[32];
	uint32_t ktop_probes;		/* 1: these calls are ktop's own uprobes returning (uretprobe, uprobe) */
	uint64_t count, errors, total_ns;
	uint64_t p50_ns, p95_ns, p99_ns;
	uint64_t max_ns;		/* largest in the interval, from the histogram, capped by the exact max */
	uint64_t hist[KTOP_HIST_BUCKETS];
};

struct ktop_sc_proc {
	uint32_t pid;
	char comm[KTOP_COMM_MAX];
	uint64_t count, errors, total_ns;
};

struct ktop_sc_pair {
	uint32_t pid, nr;
	uint64_t count, errors, total_ns;
};

struct ktop_sc_snap {
	uint32_t nrows;			/* rows with calls in the interval, by total_ns desc */
	struct ktop_sc_row rows[KTOP_SC_ROWS_MAX];
	uint32_t nprocs;
	struct ktop_sc_proc procs[KTOP_SC_PROCS_MAX];
	uint32_t npairs;
	struct ktop_sc_pair pairs[KTOP_SC_PAIRS_MAX];
	uint64_t total_ns;		/* sum over rows: TIME% denominator */
};

#endif
