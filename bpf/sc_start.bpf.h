/* SPDX-License-Identifier: GPL-2.0 */
/* The syscall start times, shared by bpf/syscalls.bpf.c (writes them) and
 * bpf/inflight.bpf.c (reads them): one definition, one map (core hands the
 * syscalls object's fd to the in-flight object before it loads). */
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

#endif /* KTOP_SC_START_BPF_H */
