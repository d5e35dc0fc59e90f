/* SPDX-License-Identifier: GPL-2.0 */
/* Locks part of the snapshot: contended kernel locks, their callers and waiters. */
#ifndef KTOP_SNAP_LOCKS_H
#define KTOP_SNAP_LOCKS_H

#define KTOP_LOCK_ROWS_MAX	256
#define KTOP_LOCK_CALLERS_MAX	4
#define KTOP_LOCK_WAITERS_MAX	4
#define KTOP_LOCK_FRAMES_MAX	8
#define KTOP_LOCK_LONG_MAX	32

struct ktop_lock_caller {
	uint64_t contentions, wait_ns;
	uint32_t nframes;
	char frames[KTOP_LOCK_FRAMES_MAX][KTOP_FRAME_LEN];
};

struct ktop_lock_waiter {
	uint32_t pid;
	char comm[KTOP_COMM_MAX];
	uint64_t contentions, wait_ns;
};

struct ktop_lock_row {
	uint64_t addr;
	char symbol[96];		/* "name+0xoff", "mmap_lock (pid 12)", or "" */
	char type[24];			/* spinlock, rwlock:r, mutex, rwsem:w, ... */
	uint64_t contentions, total_wait_ns, avg_wait_ns, max_wait_ns, p99_ns;
	char top_caller[KTOP_FRAME_LEN];
	uint32_t top_waiter_pid;
	char top_waiter_comm[KTOP_COMM_MAX];
	uint32_t ncallers;
	struct ktop_lock_caller callers[KTOP_LOCK_CALLERS_MAX];
	uint32_t nwaiters;
	struct ktop_lock_waiter waiters[KTOP_LOCK_WAITERS_MAX];
	uint64_t hist[KTOP_HIST_BUCKETS];
};

struct ktop_lock_long {
	int64_t real_ns;		/* when it ended */
	uint64_t addr, wait_ns;
	char symbol[96];
	char type[24];
	uint32_t pid;
	char comm[KTOP_COMM_MAX];
	char caller[KTOP_FRAME_LEN];
};

struct ktop_lock_snap {
	uint32_t nrows;
	struct ktop_lock_row rows[KTOP_LOCK_ROWS_MAX];
	uint32_t nlong;			/* most recent first */
	struct ktop_lock_long longw[KTOP_LOCK_LONG_MAX];
};

#endif
