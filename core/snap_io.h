/* SPDX-License-Identifier: GPL-2.0 */
/* I/O part of the snapshot: block I/O latency per disk and operation, and who issues it. */
#ifndef KTOP_SNAP_IO_H
#define KTOP_SNAP_IO_H
#include "core/field.h"

#define KTOP_IO_ROWS_MAX	128
#define KTOP_IO_PROCS_MAX	256
#define KTOP_IO_SNAP_PARTS	64
#define KTOP_IO_SLOW_MAX	32
#define KTOP_IO_NAME		32	/* disk and partition names, NUL included */

/* One (disk, operation) pair over the interval; partitions rolled up. */
struct ktop_io_row {
	char disk[KTOP_IO_NAME];
	char op[12];			/* read, write, discard, flush, other */
	uint32_t dev;			/* kernel dev_t of the disk (major << 20 | minor) */
	uint32_t opn;			/* KTOP_IO_OP_* */
	uint64_t count, bytes;		/* requests completed, bytes transferred */
	uint64_t total_ns;		/* summed latency (first seen -> completion) */
	uint64_t p50_ns, p95_ns, p99_ns, p999_ns, max_ns;
	uint64_t queue_avg_ns;		/* insert -> issue, over the queued requests */
	uint64_t device_avg_ns;		/* issue -> completion, over the issued requests */
	uint64_t queued;		/* requests that went through the scheduler queue */
	uint64_t issued;		/* requests seen handed to the driver */
	uint64_t noattr;		/* requests with no submitting process known */
	uint64_t errors;		/* completed with an error status */
	int flagged;			/* p95 above --io-flag */
	uint64_t hist[KTOP_HIST_BUCKETS];	/* latency of this interval */
};

/* Requests per partition (or whole-disk device) and operation. */
struct ktop_io_part {
	char disk[KTOP_IO_NAME];
	char part[KTOP_IO_NAME];	/* the disk's own name for I/O to the whole disk */
	uint32_t dev, part_dev;
	uint32_t opn;
	uint64_t count, bytes;
};

/* Requests of one process on one disk and operation. */
struct ktop_io_proc {
	uint32_t pid;
	char comm[KTOP_COMM_LEN];
	char disk[KTOP_IO_NAME];
	uint32_t dev;
	uint32_t opn;
	uint64_t count, bytes;
};

#define KTOP_IO_NO_SECTOR	UINT64_MAX	/* the request has no sector: JSON null, shown "-" */
#define KTOP_IO_SLOW_PER_OP	4	/* the slow list keeps the newest 4 of each op, whatever the rest */

/* ktop_io_slow.kind: what a request is, beyond its op. */
#define KTOP_IO_SLOW_PLAIN	0
#define KTOP_IO_SLOW_PREFLUSH	1	/* a 0-byte write never issued: a process's cache-flush
					 * request (fsync, journal commit), done when the device
					 * flush it waited for is */
#define KTOP_IO_SLOW_DEVFLUSH	2	/* a device flush (op flush): issued by the block layer for
					 * the flush requests waiting; pid is one of them when seen */

/* One request slower than --io-slow. */
struct ktop_io_slow {
	int64_t real_ns;		/* completion, CLOCK_REALTIME */
	uint64_t mono_ns;		/* completion, CLOCK_MONOTONIC (pairing flushes) */
	char disk[KTOP_IO_NAME];
	char part[KTOP_IO_NAME];
	uint32_t opn;
	uint32_t kind;			/* KTOP_IO_SLOW_* */
	uint64_t sector;		/* KTOP_IO_NO_SECTOR: none (flushes, never issued) */
	uint64_t bytes, lat_ns, queue_ns, device_ns;
	uint32_t pid;			/* 0: not attributed (comm "") */
	uint32_t for_more;		/* device flush: further flush requests it served, seen slow */
	int error;
	char comm[KTOP_COMM_LEN];
};

/* Losses of this interval by cause (their sum is the tab's lost count). */
struct ktop_io_drops {
	uint64_t reqs_full;		/* request not timed: in-flight table full */
	uint64_t stats_full;		/* completion not counted: (disk, op) table full */
	uint64_t parts_full;		/* missing from the partition breakdown */
	uint64_t procs_full;		/* missing from the process breakdown */
	uint64_t slow;			/* slow request not listed: ring buffer full */
	uint64_t stale;			/* request address reused before its completion was seen */
	uint64_t abandoned;		/* in flight longer than 10 min: slot freed */
};

struct ktop_io_snap {
	uint64_t slow_threshold_ns;	/* --io-slow */
	uint64_t flag_p95_ns;		/* --io-flag */
	uint64_t untracked;		/* completions of requests that started before ktop attached */
	uint64_t slow_count;		/* slow requests completed in this interval (recorded) */
	uint64_t slow_not_kept;		/* ... of them not in the list: it keeps 32 (newest, and
					 * the newest 4 of each op); drops.slow were not even
					 * recorded (ring buffer full) */
	struct ktop_io_drops drops;
	uint32_t nrows;			/* sorted by p99, slowest first */
	struct ktop_io_row rows[KTOP_IO_ROWS_MAX];
	uint32_t nparts;		/* by bytes, most first */
	struct ktop_io_part parts[KTOP_IO_SNAP_PARTS];
	uint32_t nprocs;		/* by bytes, most first */
	struct ktop_io_proc procs[KTOP_IO_PROCS_MAX];
	uint32_t nslow;			/* most recent first */
	uint32_t nslow_new;		/* the first nslow_new of them completed in this interval */
	uint64_t lost_in_percentiles;	/* of this interval's losses, requests missing from the
					 * rows' counts and percentiles (reqs_full, stats_full,
					 * stale, abandoned); the others touch lists only */
	struct ktop_io_slow slow[KTOP_IO_SLOW_MAX];
};

#include "core/io_ops.h"		/* ktop_io_op_name() */

/* Field tables of the rows (core/out_io.c, see core/field.h). */
extern const struct fld ktop_io_row_fields[], ktop_io_part_fields[], ktop_io_proc_fields[],
	ktop_io_slow_fields[];

#endif
