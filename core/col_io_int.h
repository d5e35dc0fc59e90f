/* SPDX-License-Identifier: GPL-2.0 */
/* I/O collector, inside: its state, shared by col_io.c (interface, attachment,
 * slow requests) and io_read.c (map reading, rows, sweeps). */
#ifndef KTOP_COL_IO_INT_H
#define KTOP_COL_IO_INT_H
#include <stdbool.h>
#include <stdint.h>
#include <bpf/libbpf.h>
#include "ktop/io.h"
#include "core/mapio.h"
#include "core/disks.h"
#include "core/snapshot.h"
#include "core/u64map.h"

#define AGE_EVERY	10		/* polls between sweeps (exited processes, stale requests) */
/* A request not completed this long after its last event is taken as
 * abandoned (its device went away mid-flight) and its slot freed. Longer
 * than any SCSI timeout with retries. */
#define STALE_NS	(600ull * 1000000000ull)
#define FREE_NS		(60ull * 1000000000ull)	/* unused free request slots go */
#define STAT_STRIDE	percpu_stride(sizeof(struct ktop_io_stat))

struct io_cum {				/* one (disk, op), summed over CPUs */
	uint64_t count, bytes, total_ns, max_ns, queued, queue_ns, issued, device_ns;
	uint64_t noattr, errors;
	uint64_t hist[KTOP_HIST_BUCKETS];
};

struct part_cum {			/* one (partition, op) */
	uint32_t disk;
	uint64_t count, bytes;
};

struct proc_cum {			/* one (process, disk, op) */
	uint32_t tgid, disk, op;
	uint64_t count, bytes;
};

struct col_io {
	struct io_bpf *skel;
	bool have_start;		/* block_io_start exists: attribute there */
	struct ring_buffer *rb;
	struct disks disks;
	uint64_t slow_ns, flag_ns;
	struct u64map sprev, scur;	/* disk << 8 | op -> struct io_cum */
	struct u64map pprev, pcur;	/* part << 8 | op -> struct part_cum */
	struct u64map qprev, qcur;	/* tgid << 32 | disk index << 3 | op -> struct proc_cum */
	struct u64map disk_idx;		/* disk dev -> uint32_t index, for the key above */
	uint32_t ndisk_idx;
	struct u64map dead;		/* tgids found exited at the last sweep -> nothing */
	struct u64map comms;		/* tgid -> struct ktop_comm */
	void *statbuf;			/* one per-CPU io_stats value */
	struct map_buf parts;		/* batch buffers of io_parts */
	struct map_buf procs;		/* ... of io_procs */
	struct ktop_io_row *rtmp;	/* every (disk, op) with I/O this interval */
	size_t rtmpcap;
	struct ktop_io_proc *ptmp;	/* every (process, disk, op) with I/O this interval */
	size_t ptmpcap;
	struct ktop_io_slow recent[KTOP_IO_SLOW_MAX];	/* newest first */
	uint32_t nrecent, nnew;		/* nnew: the first nnew arrived since the last poll */
	uint64_t slow_count;		/* slow requests since the last poll */
	uint64_t polls;
	uint64_t abandoned;		/* stale requests freed by the sweep */
	struct ktop_io_drops drops_prev;	/* cumulative, at the previous poll */
	uint64_t lost_prev, untracked_prev;
	int64_t mono_to_real;		/* add to a CLOCK_MONOTONIC time for CLOCK_REALTIME */
};

/* io_read.c */
int io_read_stats(struct col_io *c);
int io_fill_rows(struct col_io *c, struct ktop_io_snap *out);
int io_read_parts(struct col_io *c, struct ktop_io_snap *out);
int io_read_procs(struct col_io *c, struct ktop_io_snap *out, bool sweep);
uint64_t io_sweep_stale(struct col_io *c);

#endif
