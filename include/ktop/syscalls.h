/* SPDX-License-Identifier: GPL-2.0 */
/* Map keys and values of the Syscalls tab, shared by bpf/syscalls.bpf.c and core. */
#ifndef KTOP_SYSCALLS_H
#define KTOP_SYSCALLS_H
#include "ktop/hist.h"

#define KTOP_SC_MAX		512	/* syscall numbers 0..511 (x86_64 and arm64 are < 470) */
#define KTOP_SC_PROC_MAX	32768	/* (process, syscall) pairs tracked at once */
#define KTOP_SC_TID_MAX		32768	/* threads with a start time, where there is no task storage */
#define KTOP_COMM_LEN		16

/* Per syscall, per CPU, cumulative since load. Kept apart from the
 * histogram so core reads 32 bytes per syscall per CPU every interval and
 * the 2.4 KB histogram only of syscalls that were called. */
struct ktop_sc_stat {
	__u64 count;
	__u64 errors;			/* returns in -4095..-1 */
	__u64 total_ns;
	__u64 max_ns;			/* largest single call on this CPU */
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
	__u64 total_ns;
};

struct ktop_comm {
	char comm[KTOP_COMM_LEN];
};

/* Start of the syscall a thread is in (the value of the sc_start task
 * storage, shared by bpf/syscalls.bpf.c and bpf/inflight.bpf.c). valid is
 * written last on entry and cleared first on exit. */
struct ktop_sc_start {
	__u64 ts;			/* bpf_ktime_get_ns() at sys_enter */
	__u32 nr;
	__u32 valid;			/* 1 while the thread is in the syscall */
};

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
