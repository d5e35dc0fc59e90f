/* SPDX-License-Identifier: GPL-2.0 */
/* Locks part of the snapshot: contended kernel locks, their callers and waiters. */
#ifndef KTOP_SNAP_LOCKS_H
#define KTOP_SNAP_LOCKS_H
#include "core/field.h"

#define KTOP_LOCK_ROWS_MAX	256	/* locks with contentions in the interval, by wait */
#define KTOP_LOCK_CALLERS_MAX	4	/* caller stacks per lock, by wait */
#define KTOP_LOCK_WAITERS_MAX	4	/* waiting processes per lock, by wait */
#define KTOP_LOCK_FRAMES_MAX	8	/* frames shown per stack, from the lock call on */
#define KTOP_LOCK_LONG_MAX	32	/* recent long waits kept */
#define KTOP_LOCK_NAME_LEN	96

struct ktop_lock_caller {
	uint64_t contentions, wait_ns;	/* in the interval */
	uint32_t nframes;		/* 0: the stack was lost (see lost) */
	char frames[KTOP_LOCK_FRAMES_MAX][KTOP_FRAME_LEN];	/* "symbol+0xoff", innermost first */
};

struct ktop_lock_waiter {
	uint32_t pid;			/* tgid */
	char comm[KTOP_COMM_LEN];
	uint64_t contentions, wait_ns;	/* in the interval */
};

struct ktop_lock_row {
	uint64_t addr;
	char symbol[KTOP_LOCK_NAME_LEN];/* "name+0xoff", "mmap_lock (pid 12)", or "" when unknown */
	char kind[24];			/* how it was named: "symbol", "mmap_lock", "siglock", ... or "" */
	uint32_t owner_pid;		/* process whose mm/sighand/files it is (kind), else 0 */
	char type[24];			/* spinlock, rwlock:r, mutex, rwsem:w, ... */
	uint64_t contentions, total_wait_ns;	/* in the interval */
	uint64_t avg_wait_ns, max_wait_ns, p99_ns;
	char top_caller[KTOP_FRAME_LEN];/* first function outside the locking code, or "" */
	uint32_t top_waiter_pid;	/* process that waited longest in the interval */
	char top_waiter_comm[KTOP_COMM_LEN];
	uint32_t ncallers;
	struct ktop_lock_caller callers[KTOP_LOCK_CALLERS_MAX];
	uint32_t nwaiters;
	struct ktop_lock_waiter waiters[KTOP_LOCK_WAITERS_MAX];
	uint64_t hist[KTOP_HIST_BUCKETS];	/* waits of the interval, ns */
};

struct ktop_lock_long {
	int64_t real_ns;		/* CLOCK_REALTIME when the wait ended */
	uint64_t addr, wait_ns;
	char symbol[KTOP_LOCK_NAME_LEN];/* as in ktop_lock_row */
	char type[24];
	uint32_t pid, tid;
	char comm[KTOP_COMM_LEN];	/* of the waiting thread */
	char caller[KTOP_FRAME_LEN];	/* its top caller, or "" */
};

struct ktop_lock_snap {
	uint32_t nrows;			/* by total wait, descending */
	struct ktop_lock_row rows[KTOP_LOCK_ROWS_MAX];
	uint32_t nrows_dropped;		/* contended locks beyond KTOP_LOCK_ROWS_MAX */
	uint64_t contentions, total_wait_ns;	/* all locks, in the interval */
	uint64_t long_threshold_ns;	/* --lock-long */
	uint64_t nlong_interval;	/* long waits that ended in the interval */
	uint32_t nlong_new;		/* longw[0..nlong_new) are from this interval */
	uint32_t nlong;			/* recent long waits, most recent first */
	struct ktop_lock_long longw[KTOP_LOCK_LONG_MAX];
	uint32_t tracked;		/* (lock, type) entries in the BPF map */
	uint32_t tracked_max;
	char source[24];		/* "tracepoints" (lock:contention_*) or "slow-path kprobes" */
};

/*
 * Pure helpers of the Locks collector (core/col_locks.c), exported for the
 * unit tests. A stack frame is one of these kinds.
 */
enum ktop_lock_frame_kind {
	KTOP_FRAME_TRACING,		/* BPF and tracepoint machinery above the lock call */
	KTOP_FRAME_LOCKING,		/* a locking primitive: spin/mutex/rwsem/down/... */
	KTOP_FRAME_CALLER,		/* everything else */
};

/* Address ranges of the kernel image that tell frames apart; 0 = unknown. */
struct ktop_lock_ranges {
	uint64_t text_lo, text_hi;	/* _stext .. _etext */
	uint64_t lock_lo, lock_hi;	/* __lock_text_start .. __lock_text_end (__lockfunc) */
};

/* Kind of the frame at addr named name (NULL: unknown symbol). Can't fail. */
int lock_frame_kind(const char *name, uint64_t addr, const struct ktop_lock_ranges *r);

/* Index of the top caller among n frame kinds, innermost first: the first
 * KTOP_FRAME_CALLER after the leading tracing frames; -1 when there is none.
 * Can't fail. */
int lock_top_caller_idx(const int *kinds, int n);

/* True when name, found for lock address addr, can name a lock: not a
 * section marker (__start_*, _edata, ...) and addr not in kernel text. Can't fail. */
int lock_sym_plausible(const char *name, uint64_t addr, const struct ktop_lock_ranges *r);

/* Name of what BPF recognised (KTOP_LOCK_CLASS_*): "mmap_lock", "siglock",
 * ...; NULL for none or an unknown value. Can't fail. */
const char *lock_class_name(uint32_t class);

/* Field tables of the rows (core/out_locks.c, see core/field.h). */
extern const struct fld ktop_lock_row_fields[], ktop_lock_long_fields[];

#endif
