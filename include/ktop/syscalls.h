/* SPDX-License-Identifier: GPL-2.0 */
/* Map keys and values of the Syscalls tab, shared by bpf/syscalls.bpf.c and core. */
#ifndef KTOP_SYSCALLS_H
#define KTOP_SYSCALLS_H
#include "ktop/hist.h"
#include "ktop/comm.h"

#define KTOP_SC_MAX		512	/* syscall numbers 0..511 (x86_64 and arm64 are < 470) */
#define KTOP_SC_PROC_MAX	32768	/* (process, syscall) pairs tracked at once */
#define KTOP_SC_TID_MAX		32768	/* threads with a start time, where there is no task storage */

/* Per syscall, per CPU, cumulative since load. Kept apart from the
 * histogram so core reads 32 bytes per syscall per CPU every interval and
 * the 2.4 KB histogram only of syscalls that were called. */
struct ktop_sc_stat {
	__u64 count;			/* every call (exact) */
	__u64 errors;			/* returns in -4095..-1 (exact) */
	__u64 total_ns;			/* of the timed calls */
	__u64 max_ns;			/* largest single timed call on this CPU */
	__u64 timed;			/* calls timed (all of them with --exact) */
};

/*
 * Sampled timing (issue 17): each CPU times every call while it makes at most
 * KTOP_SC_TIMED_PER_S calls a second, else one call in about 2^shift, the
 * choice made at sys_enter by a random countdown (so it cannot favour fast or
 * slow calls, nor alias with a periodic pattern). Every KTOP_SC_WIN_NS (or at
 * once when the budget of a window is spent) the CPU picks the smallest shift
 * that keeps its timed calls within the budget; untimed calls look at the
 * clock only when jiffies moved, so a CPU that goes quiet is back to timing
 * every call within a window or two.
 */
#define KTOP_SC_TIMED_PER_S	20000
#define KTOP_SC_WIN_NS		100000000ULL	/* 100 ms */
#define KTOP_SC_WIN_TIMED	(KTOP_SC_TIMED_PER_S / 10)	/* budget of one window */
#define KTOP_SC_SHIFT_MAX	20	/* at most one call in 2^20 timed */

/* Per CPU sampler state (sc_sampler). */
struct ktop_sc_sampler {
	__u64 win_ns;			/* window start, bpf_ktime_get_ns() */
	__u64 last_j;			/* jiffies when the clock was last looked at */
	__u32 calls;			/* calls entered in this window */
	__u32 timed;			/* ... of them timed */
	__u32 shift;			/* sampling period 2^shift */
	__u32 skip;			/* calls until the next timed one (1: this one) */
};

struct ktop_sc_hist {
	__u64 slots[KTOP_HIST_BUCKETS];	/* latency, ns, log-linear */
};

struct ktop_sc_pkey {
	__u32 tgid;
	__u32 nr;
};

/* Per (process, syscall), per CPU, cumulative since first seen. */
struct ktop_sc_pval {
	__u64 count;
	__u64 errors;
	__u64 total_ns;			/* of the timed calls */
	__u64 timed;
};

/* Start of the syscall a thread is in (the value of the sc_start task
 * storage, shared by bpf/syscalls.bpf.c and bpf/inflight.bpf.c). valid is
 * written last on entry and cleared first on exit. */
struct ktop_sc_start {
	__u64 ts;			/* bpf_ktime_get_ns() at sys_enter; untimed: jiffies (0: none) */
	__u32 nr;
	__u32 valid;			/* while the thread is in the syscall: KTOP_SC_TIMED or KTOP_SC_UNTIMED */
};

#define KTOP_SC_TIMED	1		/* valid: ts is exact, the call is timed */
#define KTOP_SC_UNTIMED	2		/* valid: counted only; ts is jiffies64 (0: none) */

#define KTOP_INFLIGHT_STACK	16	/* kernel frames kept of a long-running call */

/* One thread in a syscall, written by the in-flight task iterator
 * (bpf/inflight.bpf.c) to its seq_file; core reads these records back. */
struct ktop_inflight_rec {
	__u64 elapsed_ns;		/* in the syscall so far */
	__u32 tid, tgid;
	__u32 nr;
	__u32 state;			/* task->__state: 0 running, 1 S, 2 D, 0x402 idle... */
	__u32 nstack;			/* frames in stack[] (0: not taken) */
	__u32 pad;
	char comm[KTOP_COMM_LEN];	/* thread name */
	char pcomm[KTOP_COMM_LEN];	/* process (group leader) name */
	__u64 stack[KTOP_INFLIGHT_STACK];
};

#endif /* KTOP_SYSCALLS_H */
