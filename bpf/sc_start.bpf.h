/* SPDX-License-Identifier: GPL-2.0 */
/* The syscall start times, shared by bpf/syscalls.bpf.c (writes them) and
 * bpf/inflight.bpf.c (reads them): one definition, one map (core hands the
 * syscalls object's fd to the in-flight object before it loads). Only one
 * of the two maps is created: task storage where tracing programs have it,
 * else the tid hash. */
#ifndef KTOP_SC_START_BPF_H
#define KTOP_SC_START_BPF_H

/* Start of the syscall the thread is in. Lives and dies with the thread,
 * so one that exits mid-syscall leaves nothing behind. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct ktop_sc_start);
} sc_start SEC(".maps");

/* The same where tracing programs have no task storage (before 5.12):
 * keyed by thread id, emptied by sched_process_exit, sized by core. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KTOP_SC_TID_MAX);
	__type(key, __u32);
	__type(value, struct ktop_sc_start);
} sc_start_tid SEC(".maps");

#endif /* KTOP_SC_START_BPF_H */
