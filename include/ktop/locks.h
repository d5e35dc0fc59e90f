/* SPDX-License-Identifier: GPL-2.0 */
/* Map keys, values and ring-buffer records of the Locks tab, shared by bpf/locks.bpf.c and core. */
#ifndef KTOP_LOCKS_H
#define KTOP_LOCKS_H
#include "ktop/hist.h"
#include "ktop/comm.h"

#define KTOP_LOCK_MAX		2048	/* (lock, type) pairs tracked at once */
#define KTOP_LOCK_CALLER_MAX	8192	/* (lock, type, stack) triples */
#define KTOP_LOCK_WAITER_MAX	8192	/* (lock, type, process) triples */
#define KTOP_LOCK_STACK_MAX	16384	/* distinct kernel stacks (fewer buckets: more collisions) */
#define KTOP_LOCK_STACK_DEPTH	16	/* frames kept per stack: ~3 tracing, ~3 locking, callers */
#define KTOP_LOCK_SLOTS		256	/* per-CPU stack-sampling slots (power of two) */
#define KTOP_LOCK_STACK_FIRST	8	/* contentions of a lock per CPU and interval with a stack */
#define KTOP_LOCK_STACK_EVERY	16	/* after those, one in this many (power of two) */
#define KTOP_LOCK_STACK_LOST	(-1)	/* caller stack_id: the walk failed */
#define KTOP_LOCK_STACK_UNSAMPLED (-2)	/* caller stack_id: waits no sample took over */
#define KTOP_LOCK_NEST		4	/* contentions a thread can be inside at once (IRQs) */
#define KTOP_LOCK_TID_MAX	16384	/* threads with a wait state, where there is no task storage */
#define KTOP_LOCK_RB_BYTES	(256 * 1024)

/*
 * The flags argument of lock:contention_begin: LCB_F_* in the kernel's
 * include/trace/events/lock.h (Linux 5.19+). A mutex that first spins and
 * then sleeps reports MUTEX|SPIN, then MUTEX: both are "mutex". A semaphore
 * (kernel/locking/semaphore.c) reports 0.
 */
#define KTOP_LCB_F_SPIN		(1U << 0)
#define KTOP_LCB_F_READ		(1U << 1)
#define KTOP_LCB_F_WRITE	(1U << 2)
#define KTOP_LCB_F_RT		(1U << 3)
#define KTOP_LCB_F_PERCPU	(1U << 4)
#define KTOP_LCB_F_MUTEX	(1U << 5)
#define KTOP_LCB_F_MASK		0x3fU

/* What BPF recognised a lock to be, from the contending task (ktop_lock_stat.class). */
#define KTOP_LOCK_CLASS_NONE		0
#define KTOP_LOCK_CLASS_MMAP		1	/* &task->mm->mmap_lock */
#define KTOP_LOCK_CLASS_MMAP_WAIT	2	/* &task->mm->mmap_lock.wait_lock */
#define KTOP_LOCK_CLASS_SIGLOCK		3	/* &task->sighand->siglock */
#define KTOP_LOCK_CLASS_FILES		4	/* &task->files->file_lock */

/* Canonical flags of a contention: the key's type. Can't fail. */
static inline __u32 ktop_lock_type_norm(__u32 flags)
{
	flags &= KTOP_LCB_F_MASK;
	if (flags & KTOP_LCB_F_MUTEX)
		return KTOP_LCB_F_MUTEX;
	return flags;
}

/* Name of a canonical type: "spinlock", "rwlock:r", "mutex", "rwsem:w", ...;
 * NULL for a combination this version does not know. Can't fail. */
static inline const char *ktop_lock_type_name(__u32 type)
{
	switch (ktop_lock_type_norm(type)) {
	case 0: return "semaphore";
	case KTOP_LCB_F_SPIN: return "spinlock";
	case KTOP_LCB_F_SPIN | KTOP_LCB_F_READ: return "rwlock:r";
	case KTOP_LCB_F_SPIN | KTOP_LCB_F_WRITE: return "rwlock:w";
	case KTOP_LCB_F_MUTEX: return "mutex";
	case KTOP_LCB_F_READ: return "rwsem:r";
	case KTOP_LCB_F_WRITE: return "rwsem:w";
	case KTOP_LCB_F_RT: return "rt-mutex";
	case KTOP_LCB_F_RT | KTOP_LCB_F_READ: return "rt-rwlock:r";	/* PREEMPT_RT rwsem/rwlock */
	case KTOP_LCB_F_RT | KTOP_LCB_F_WRITE: return "rt-rwlock:w";
	case KTOP_LCB_F_PERCPU | KTOP_LCB_F_READ: return "percpu-rwsem:r";
	case KTOP_LCB_F_PERCPU | KTOP_LCB_F_WRITE: return "percpu-rwsem:w";
	}
	return 0;
}

struct ktop_lock_key {
	__u64 addr;			/* the lock argument of the tracepoint */
	__u32 type;			/* ktop_lock_type_norm(flags) */
	__u32 pad;			/* zero */
};

/* Per (lock, type), cumulative since the entry was created. Updated with
 * atomic adds from every CPU; max_ns is racy (a concurrent larger value can
 * be overwritten by a smaller one, rarely). */
struct ktop_lock_stat {
	__u64 contentions;
	__u64 wait_ns;
	__u64 max_ns;
	__u32 class;			/* KTOP_LOCK_CLASS_*, from the last contention */
	__u32 owner;			/* tgid whose mm/sighand/files it is (with class) */
	__u64 hist[KTOP_HIST_BUCKETS];	/* wait, ns, log-linear */
};

struct ktop_lock_caller_key {
	__u64 addr;
	__u32 type;
	__s32 stack_id;			/* in lock_stacks; negative: KTOP_LOCK_STACK_* */
};

struct ktop_lock_waiter_key {
	__u64 addr;
	__u32 type;
	__u32 tgid;
};

/* Per caller stack or per waiting process of a lock, cumulative. */
struct ktop_lock_part {
	__u64 contentions;
	__u64 wait_ns;
};

/* Ring-buffer record of one wait longer than targ_long_ns. */
struct ktop_lock_event {
	__u64 end_ns;			/* bpf_ktime_get_ns() when the wait ended */
	__u64 wait_ns;
	__u64 addr;
	__u32 type;
	__u32 class;
	__u32 owner;
	__u32 tgid;
	__u32 tid;
	__s32 stack_id;
	char comm[KTOP_COMM_LEN];	/* of the waiting thread */
};

#endif /* KTOP_LOCKS_H */
