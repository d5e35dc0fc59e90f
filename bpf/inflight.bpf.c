// SPDX-License-Identifier: GPL-2.0
/* In flight: a task iterator that lists the threads inside a syscall right
 * now and for how long, from the start times bpf/syscalls.bpf.c keeps in
 * task storage, or in its tid hash where tracing programs have no task
 * storage (5.10, 5.11): the same map, core hands its fd over before load.
 * Calls the sampler did not time carry a coarse start time: listed too. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "ktop/syscalls.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 targ_self = 0;	/* ktop's own tgid: its waits are not news */
__u64 min_elapsed_ns = 0;		/* shorter calls are not listed */
__u64 stack_min_ns = ~0ULL;		/* calls at least this long get their kernel stack */
/* start times in sc_start_tid, not task storage: set by core before load,
 * so the verifier never sees the branch not taken (nor its helper) */
const volatile bool targ_tid_hash = false;

#include "sc_start.bpf.h"

/* The kernel's tick rate, for the start of calls the sampler did not time
 * (kept in jiffies); 0 when libbpf finds no kernel config: those are not listed. */
extern unsigned int CONFIG_HZ __kconfig __weak;

/* task_struct::state became __state in commit 2f064a59a11f ("sched: Change
 * task_struct::state"), Linux 5.14; read whichever this kernel has. */
struct task_struct___old {
	long state;
} __attribute__((preserve_access_index));

static __always_inline __u32 task_state(struct task_struct *t)
{
	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return (__u32)BPF_CORE_READ((struct task_struct___old *)t, state);
}

SEC("iter/task")
int inflight_task(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct ktop_inflight_rec r;
	struct ktop_sc_start *s;
	__u64 now, ts;
	long n;

	if (!task)
		return 0;
	if (targ_tid_hash) {
		__u32 tid = BPF_CORE_READ(task, pid);

		s = bpf_map_lookup_elem(&sc_start_tid, &tid);
	} else {
		s = bpf_task_storage_get(&sc_start, task, 0, 0);
	}
	if (!s || !s->valid)
		return 0;
	ts = s->ts;
	if (s->valid == KTOP_SC_UNTIMED) {
		/* not timed: its start in jiffies, the elapsed time to a tick */
		if (!ts || !CONFIG_HZ)
			return 0;
		now = bpf_jiffies64();
		if (now < ts)
			return 0;
		now = (now - ts) * (1000000000ULL / CONFIG_HZ);
		ts = 0;
	} else {
		now = bpf_ktime_get_ns();
	}
	if (now < ts || now - ts < min_elapsed_ns)
		return 0;
	__builtin_memset(&r, 0, sizeof(r));
	r.tgid = BPF_CORE_READ(task, tgid);
	if (targ_self && r.tgid == targ_self)
		return 0;
	r.elapsed_ns = now - ts;
	r.tid = BPF_CORE_READ(task, pid);
	r.nr = s->nr;
	r.state = task_state(task);
	BPF_CORE_READ_STR_INTO(&r.comm, task, comm);
	BPF_CORE_READ_STR_INTO(&r.pcomm, task, group_leader, comm);
	if (r.elapsed_ns >= stack_min_ns) {
		n = bpf_get_task_stack(task, r.stack, sizeof(r.stack), 0);
		r.nstack = n > 0 ? n / sizeof(__u64) : 0;
	}
	bpf_seq_write(seq, &r, sizeof(r));
	return 0;
}
