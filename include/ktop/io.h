/* SPDX-License-Identifier: GPL-2.0 */
/* Map keys, values and ring-buffer records of the I/O tab, shared by bpf/io.bpf.c and core. */
#ifndef KTOP_IO_H
#define KTOP_IO_H
#include "ktop/hist.h"
#include "ktop/comm.h"

#define KTOP_IO_REQS_MAX	32768	/* requests tracked between start and completion */
#define KTOP_IO_BIO_MAX		8192	/* bios submitted, not yet seen in a request (before 6.5) */
#define KTOP_IO_STATS_MAX	1024	/* (disk, op) pairs */
#define KTOP_IO_PARTS_MAX	1024	/* (disk, partition, op) triples */
#define KTOP_IO_PROC_MAX	8192	/* (process, disk, op) triples */
#define KTOP_IO_RINGBUF_BYTES	(256 * 1024)

/* Operation classes; they follow /sys/block/DEV/stat's grouping so the
 * counts can be checked against it (write zeroes and secure erase count as
 * writes there too). OTHER is driver-private passthrough, which stat skips. */
#define KTOP_IO_OP_READ		0
#define KTOP_IO_OP_WRITE	1
#define KTOP_IO_OP_DISCARD	2
#define KTOP_IO_OP_FLUSH	3
#define KTOP_IO_OP_OTHER	4
#define KTOP_IO_OPS		5

/* Flags of a tracked request. */
#define KTOP_IO_F_ATTR		1	/* tgid/comm captured at submission */
#define KTOP_IO_F_INSERT	2	/* went through the scheduler/software queue */
#define KTOP_IO_F_ISSUE		4	/* handed to the driver */
#define KTOP_IO_F_LIVE		8	/* in flight; without it the slot is free for reuse */

/*
 * One request between its first sighting and its final completion, keyed
 * by the address of its struct request. Devices are kernel dev_t values
 * (major << 20 | minor).
 */
struct ktop_io_req {
	__u64 first_ns;			/* first seen: io_start, insert or issue */
	__u64 insert_ns;		/* last insert (0: none) */
	__u64 issue_ns;			/* last issue to the driver (0: none yet) */
	__u64 sector;			/* start sector, at issue */
	__u64 done_bytes;		/* bytes completed so far (partial completions) */
	__u32 part;			/* partition (or whole disk) the bio was sent to */
	__u32 tgid;			/* submitter, valid with KTOP_IO_F_ATTR */
	__u32 flags;			/* KTOP_IO_F_* */
	__u32 error;			/* a completion reported a non-zero status */
	__u32 disk;			/* rq_disk() when first seen: not read again at completion */
	__u32 pad;
	char comm[KTOP_COMM_LEN];
};

struct ktop_io_key {
	__u32 disk;			/* whole disk, partitions rolled up */
	__u32 op;			/* KTOP_IO_OP_* */
};

/* Per (disk, op), per CPU, cumulative since load. */
struct ktop_io_stat {
	__u64 count;			/* requests completed */
	__u64 bytes;
	__u64 total_ns;			/* first seen -> final completion */
	__u64 max_ns;			/* largest single request on this CPU */
	__u64 queued;			/* requests with an insert before issue */
	__u64 queue_ns;			/* their insert -> issue time */
	__u64 issued;			/* requests seen issued */
	__u64 device_ns;		/* their issue -> completion time */
	__u64 noattr;			/* requests with no submitting process known */
	__u64 errors;			/* completed with a non-zero status */
	__u64 hist[KTOP_HIST_BUCKETS];	/* total latency, ns, log-linear */
};

struct ktop_io_pkey {
	__u32 disk;
	__u32 part;
	__u32 op;
	__u32 pad;
};

struct ktop_io_proc_key {
	__u32 tgid;
	__u32 disk;
	__u32 op;
	__u32 pad;
};

/* Per partition or per process, per CPU, cumulative. */
struct ktop_io_cnt {
	__u64 count;
	__u64 bytes;
};

/* A slow request, through the ring buffer. */
struct ktop_io_event {
	__u64 ts_ns;			/* completion, CLOCK_MONOTONIC */
	__u64 lat_ns;			/* first seen -> completion */
	__u64 queue_ns;			/* 0 when not queued */
	__u64 device_ns;		/* 0 when never seen issued */
	__u64 sector;
	__u64 bytes;
	__u32 disk;
	__u32 part;
	__u32 tgid;			/* 0 with flags lacking KTOP_IO_F_ATTR */
	__u32 op;
	__u32 flags;
	__u32 error;
	char comm[KTOP_COMM_LEN];
};

#endif /* KTOP_IO_H */
