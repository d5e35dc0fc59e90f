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
