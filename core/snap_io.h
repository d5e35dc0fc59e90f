/* SPDX-License-Identifier: GPL-2.0 */
/* I/O part of the snapshot: block I/O latency per disk and operation, and who issues it. */
#ifndef KTOP_SNAP_IO_H
#define KTOP_SNAP_IO_H

#define KTOP_IO_ROWS_MAX	128
#define KTOP_IO_PROCS_MAX	256
#define KTOP_IO_SLOW_MAX	32

struct ktop_io_row {
	char disk[32];
	char op[12];			/* read, write, discard, flush */
	uint32_t dev;			/* dev_t of the disk (partitions rolled up) */
	uint64_t count, bytes;
	uint64_t p50_ns, p95_ns, p99_ns, p999_ns, max_ns;
	uint64_t queue_avg_ns, device_avg_ns;
	uint64_t queued;		/* requests that went through the scheduler queue */
	int flagged;			/* p95 above the threshold */
	uint64_t hist[KTOP_HIST_BUCKETS];
};

struct ktop_io_proc {
	uint32_t pid;
	char comm[KTOP_COMM_MAX];
	char disk[32];
	uint64_t count, bytes;
};

struct ktop_io_slow {
	int64_t real_ns;
	char disk[32];
	char op[12];
	uint64_t sector, bytes, lat_ns;
	uint32_t pid;
	char comm[KTOP_COMM_MAX];
};

struct ktop_io_snap {
	uint32_t nrows;
	struct ktop_io_row rows[KTOP_IO_ROWS_MAX];
	uint32_t nprocs;
	struct ktop_io_proc procs[KTOP_IO_PROCS_MAX];
	uint32_t nslow;			/* most recent first */
	struct ktop_io_slow slow[KTOP_IO_SLOW_MAX];
};

#endif
