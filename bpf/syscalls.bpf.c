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
/* --exact: time every call (no sampling) */
const volatile bool targ_exact = false;
/* Untimed calls keep their start in jiffies (bpf_jiffies64(): a memory
 * read, no clock; tracing programs may not read the coarse clock) so the
 * in-flight view still lists them; off where the kernel has no
 * bpf_jiffies64() (before 5.5). */
const volatile bool targ_jiffies = false;
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

/* Per CPU sampler, see struct ktop_sc_sampler. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ktop_sc_sampler);
} sc_sampler SEC(".maps");

__u64 drops_start = 0;		/* enter not recorded: no task storage, or sc_start_tid full */
__u64 drops_proc_full = 0;	/* (process, syscall) not counted: sc_proc full */
__u64 drops_nr_range = 0;	/* syscall number outside 0..KTOP_SC_MAX-1 */

/* Calls until the next timed one when timing one in 2^shift: uniform in
 * 1..2^(shift+1)-1, mean 2^shift; random so that no periodic pattern of calls
 * lines up with it. */
static __always_inline __u32 sampler_draw(__u32 shift)
{
	__u32 span = (2U << shift) - 1;

	if (!shift)
		return 1;
	return 1 + bpf_get_prandom_u32() % span;
}

/* End of a window: the smallest shift that keeps the calls of the window
 * that passed within the budget of its length; a new window starts. */
static __always_inline void sampler_retune(struct ktop_sc_sampler *sp, __u64 now)
{
	__u64 budget = (now - sp->win_ns) / (1000000000ULL / KTOP_SC_TIMED_PER_S);
	__u64 calls = sp->calls;
	__u32 shift = 0;
	int i;

	/* no loop the oldest verifiers would have to walk, no __builtin_clz
	 * (clang 14 crashes on it in BPF) */
#pragma unroll
	for (i = 0; i < KTOP_SC_SHIFT_MAX; i++)
		if ((calls >> shift) > budget)
			shift++;
	sp->shift = shift;
	sp->win_ns = now;
	sp->calls = 0;
	sp->timed = 0;
	sp->skip = sampler_draw(shift);
}

/* Whether to time the call entering now, decided before it runs (so a slow
 * call is as likely to be timed as a fast one). Returns true with *now the
 * clock, or false with *now the jiffies (the start of an untimed call). */
static __always_inline bool sampler_pick(__u64 *now)
{
	struct ktop_sc_sampler *sp;
	__u32 zero = 0;
	__u64 j;

	if (targ_exact)
		goto timed;
	sp = bpf_map_lookup_elem(&sc_sampler, &zero);
	if (!sp)
		goto timed;
	sp->calls++;
	if (sp->skip > 1) {
		sp->skip--;
		j = bpf_jiffies64();
		*now = j;
		/* a CPU that went quiet must not keep a long period for long */
		if (j != sp->last_j) {
			sp->last_j = j;
			j = bpf_ktime_get_ns();
			if (j - sp->win_ns >= KTOP_SC_WIN_NS)
				sampler_retune(sp, j);
		}
		return false;
	}
	/* the bookkeeping before the clock read, so that it is not part of
	 * the call's time (a retune, once a window, is) */
	sp->timed++;
	sp->skip = sampler_draw(sp->shift);
	*now = bpf_ktime_get_ns();
	if (sp->timed >= KTOP_SC_WIN_TIMED || *now - sp->win_ns >= KTOP_SC_WIN_NS)
		sampler_retune(sp, *now);
	return true;
timed:
	*now = bpf_ktime_get_ns();
	return true;
}

static __always_inline int on_enter(long id)
{
	struct ktop_sc_start *s, zero = {};
	__u64 now = 0;
	bool timed;

	/* the helper call only when filtering: targ_filter is known at load,
	 * so without -p the verifier drops this branch altogether */
	if (targ_filter && ktop_filtered_out(bpf_get_current_pid_tgid() >> 32))
		return 0;
	s = ktop_tstate(&sc_start, &sc_start_tid, &zero, true);
	if (!s) {
		__sync_fetch_and_add(&drops_start, 1);
		return 0;
	}
	timed = sampler_pick(&now);
	if (!timed && !targ_jiffies)
		now = 0;
	/* valid last: the in-flight iterator must never pair it with the
	 * previous call's start time */
	s->ts = now;
	s->nr = (__u32)id;
	asm volatile("" ::: "memory");
	s->valid = timed ? KTOP_SC_TIMED : KTOP_SC_UNTIMED;
	return 0;
}

static __always_inline void count_proc(__u32 tgid, __u32 nr, __u64 dt, __u64 err, __u64 timed)
{
	struct ktop_sc_pkey key = { .tgid = tgid, .nr = nr };
	struct ktop_sc_pval init = { .count = 1, .errors = err, .total_ns = dt, .timed = timed }, *pv;
	struct ktop_comm c;
	void *v;
	int made;

	made = ktop_lookup_or_init(&sc_proc, &key, &init, &v);
	if (made < 0) {
		__sync_fetch_and_add(&drops_proc_full, 1);
		return;
	}
	if (made) {		/* a new process: its name, once */
		bpf_get_current_comm(c.comm, sizeof(c.comm));
		bpf_map_update_elem(&sc_comm, &tgid, &c, BPF_ANY);
		return;
	}
	pv = v;
	pv->count++;
	pv->errors += err;
	pv->total_ns += dt;
	pv->timed += timed;
}

/* The timing of a timed call: its histogram, total and largest. */
static __always_inline void add_timing(struct ktop_sc_stat *st, __u32 nr, __u64 dt)
{
	struct ktop_sc_hist *h = bpf_map_lookup_elem(&sc_hist, &nr);

	st->timed++;
	st->total_ns += dt;
	if (dt > st->max_ns)
		st->max_ns = dt;
	if (h)
		ktop_hist_add(h->slots, dt);
}

static __always_inline int on_exit(long ret)
{
	struct ktop_sc_start *s;
	struct ktop_sc_stat *st;
	__u64 dt = 0, err, pid_tgid;
	__u32 nr, valid;

	if (targ_test_reject)
		return *(volatile long *)ret;	/* a number used as a pointer */
	s = ktop_tstate(&sc_start, &sc_start_tid, NULL, false);
	if (!s || !s->valid)
		return 0;	/* filtered out, or the syscall began before we attached */
	valid = s->valid;
	if (valid == KTOP_SC_TIMED)
		dt = bpf_ktime_get_ns() - s->ts;
	nr = s->nr;
	s->valid = 0;
	if (nr >= KTOP_SC_MAX) {
		__sync_fetch_and_add(&drops_nr_range, 1);
		return 0;
	}
	st = bpf_map_lookup_elem(&sc_stats, &nr);
	if (!st)
		return 0;
	err = ret < 0 && ret >= -4095;
	st->count++;
	st->errors += err;
	if (valid == KTOP_SC_TIMED)
		add_timing(st, nr, dt);
	if (targ_per_proc) {
		pid_tgid = bpf_get_current_pid_tgid();
		count_proc(pid_tgid >> 32, nr, dt, err, valid == KTOP_SC_TIMED);
	}
	return 0;
}

KTOP_TP_TWIN(sys_enter, sys_enter, on_enter(id), struct pt_regs *regs, long id)
KTOP_TP_TWIN(sys_exit, sys_exit, on_exit(ret), struct pt_regs *regs, long ret)

/* Only where sc_start_tid is used: the thread's entry goes with it. */
SEC("raw_tp/sched_process_exit")
int BPF_PROG(sched_process_exit_raw, struct task_struct *p)
{
	ktop_tid_forget(&sc_start_tid);
	return 0;
}
