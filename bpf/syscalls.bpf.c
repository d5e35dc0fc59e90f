// SPDX-License-Identifier: GPL-2.0
/* Syscalls tab: per-syscall latency histograms and per-process time, from raw_syscalls. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "ktop/syscalls.h"
#include "common.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile bool targ_per_proc = true;	/* per-process breakdown */
/* Tests only (KTOP_TEST_VERIFIER_REJECT=1): leave an access the verifier
 * must refuse reachable in sys_exit, to check how a rejection is reported. */
const volatile bool targ_test_reject = false;

#include "sc_start.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KTOP_SC_MAX);
	__type(key, __u32);
	__type(value, struct ktop_sc_stat);
} sc_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KTOP_SC_MAX);
	__type(key, __u32);
	__type(value, struct ktop_sc_hist);
} sc_hist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, KTOP_SC_PROC_MAX);
	__type(key, struct ktop_sc_pkey);
	__type(value, struct ktop_sc_pval);
} sc_proc SEC(".maps");

/* Command name of each process seen, written only when a process first
 * shows up in sc_proc, so it costs nothing on the hot path. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KTOP_SC_PROC_MAX);
	__type(key, __u32);
	__type(value, struct ktop_comm);
} sc_comm SEC(".maps");

__u64 drops_start = 0;		/* enter not recorded: no task storage, or sc_start_tid full */
__u64 drops_proc_full = 0;	/* (process, syscall) not counted: sc_proc full */
__u64 drops_nr_range = 0;	/* syscall number outside 0..KTOP_SC_MAX-1 */

static __always_inline int on_enter(long id)
{
	struct ktop_sc_start *s, zero = {};

	/* the helper call only when filtering: targ_filter is known at load,
	 * so without -p the verifier drops this branch altogether */
	if (targ_filter && ktop_filtered_out(bpf_get_current_pid_tgid() >> 32))
		return 0;
	s = ktop_tstate(&sc_start, &sc_start_tid, &zero, true);
	if (!s) {
		__sync_fetch_and_add(&drops_start, 1);
		return 0;
	}
	/* valid last: the in-flight iterator must never pair it with the
	 * previous call's start time */
	s->ts = bpf_ktime_get_ns();
	s->nr = (__u32)id;
	asm volatile("" ::: "memory");
	s->valid = 1;
	return 0;
}

static __always_inline void count_proc(__u32 tgid, __u32 nr, __u64 dt, __u64 err)
{
	struct ktop_sc_pkey key = { .tgid = tgid, .nr = nr };
	struct ktop_sc_pval *pv, init;
	struct ktop_comm c;

	pv = bpf_map_lookup_elem(&sc_proc, &key);
	if (pv) {
		pv->count++;
		pv->errors += err;
		pv->total_ns += dt;
		return;
	}
	init.count = 1;
	init.errors = err;
	init.total_ns = dt;
	if (bpf_map_update_elem(&sc_proc, &key, &init, BPF_NOEXIST) == -17 /* EEXIST */) {
		/* another CPU created it between our lookup and update */
		pv = bpf_map_lookup_elem(&sc_proc, &key);
		if (pv) {
			pv->count++;
			pv->errors += err;
			pv->total_ns += dt;
			return;
		}
	} else if (!bpf_map_lookup_elem(&sc_proc, &key)) {
		__sync_fetch_and_add(&drops_proc_full, 1);
		return;
	}
	bpf_get_current_comm(c.comm, sizeof(c.comm));
	bpf_map_update_elem(&sc_comm, &tgid, &c, BPF_ANY);
}

static __always_inline int on_exit(long ret)
{
	struct ktop_sc_start *s;
	struct ktop_sc_stat *st;
	struct ktop_sc_hist *h;
	__u64 now, dt, err, pid_tgid;
	__u32 nr;

	if (targ_test_reject)
		return *(volatile long *)ret;	/* a number used as a pointer */
	s = ktop_tstate(&sc_start, &sc_start_tid, NULL, false);
	if (!s || !s->valid)
		return 0;	/* filtered out, or the syscall began before we attached */
	now = bpf_ktime_get_ns();
	dt = now - s->ts;
	nr = s->nr;
	s->valid = 0;
	if (nr >= KTOP_SC_MAX) {
		__sync_fetch_and_add(&drops_nr_range, 1);
		return 0;
	}
	st = bpf_map_lookup_elem(&sc_stats, &nr);
	h = bpf_map_lookup_elem(&sc_hist, &nr);
	if (!st || !h)
		return 0;
	err = ret < 0 && ret >= -4095;
	st->count++;
	st->errors += err;
	st->total_ns += dt;
	if (dt > st->max_ns)
		st->max_ns = dt;
	ktop_hist_add(h->slots, dt);
	if (targ_per_proc) {
		pid_tgid = bpf_get_current_pid_tgid();
		count_proc(pid_tgid >> 32, nr, dt, err);
	}
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter_btf, struct pt_regs *regs, long id)
{
	return on_enter(id);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit_btf, struct pt_regs *regs, long ret)
{
	return on_exit(ret);
}

SEC("raw_tp/sys_enter")
int BPF_PROG(sys_enter_raw, struct pt_regs *regs, long id)
{
	return on_enter(id);
}

SEC("raw_tp/sys_exit")
int BPF_PROG(sys_exit_raw, struct pt_regs *regs, long ret)
{
	return on_exit(ret);
}

/* Only where sc_start_tid is used: the thread's entry goes with it. */
SEC("raw_tp/sched_process_exit")
int BPF_PROG(sched_process_exit_raw, struct task_struct *p)
{
	ktop_tid_forget(&sc_start_tid);
	return 0;
}
