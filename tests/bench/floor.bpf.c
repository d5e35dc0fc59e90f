// SPDX-License-Identifier: GPL-2.0
/* Benchmark floor: empty sys_enter/sys_exit programs, attached as ktop attaches (tp_btf). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

/*
 * The cost of these two is the least any raw_syscalls BPF tracer can add:
 * the syscall tracepoints switched on (the slow syscall entry/exit path),
 * the raw-tracepoint dispatch and two program calls. Whatever ktop adds
 * above it is ktop's own work.
 */
SEC("tp_btf/sys_enter")
int BPF_PROG(floor_enter, struct pt_regs *regs, long id)
{
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(floor_exit, struct pt_regs *regs, long ret)
{
	return 0;
}

/*
 * The clock floor (floor --clock): the least an exact per-call latency
 * tracer does -- a start time in task storage, two clock reads and one
 * per-CPU add per call. ktop --exact does this plus its counting; by
 * default ktop reads the clock for a sample of calls only, so it can come
 * in below this floor.
 */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} clock_start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} clock_sum SEC(".maps");

SEC("tp_btf/sys_enter")
int BPF_PROG(clock_enter, struct pt_regs *regs, long id)
{
	__u64 *ts = bpf_task_storage_get(&clock_start, bpf_get_current_task_btf(), 0,
					 BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (ts)
		*ts = bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(clock_exit, struct pt_regs *regs, long ret)
{
	__u64 *ts = bpf_task_storage_get(&clock_start, bpf_get_current_task_btf(), 0, 0);
	__u32 zero = 0;
	__u64 *sum;

	if (!ts || !*ts)
		return 0;
	sum = bpf_map_lookup_elem(&clock_sum, &zero);
	if (sum)
		*sum += bpf_ktime_get_ns() - *ts;
	*ts = 0;
	return 0;
}
