/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers every ktop BPF object shares: errno values, lookup-or-init, tp_btf/raw_tp twins,
 * the -p process filter, histogram slots, per-thread state. */
#ifndef KTOP_COMMON_BPF_H
#define KTOP_COMMON_BPF_H
#include <asm-generic/errno-base.h>	/* the kernel's errno values: EEXIST, ENOENT, ENOSPC */
#include "ktop/hist.h"

/*
 * The entry of key in map into *out, made from *init when there is none.
 * Returns 0 (it was there, or another CPU made it meanwhile), 1 (this call
 * made it: *init is already counted in it), or -ENOMEM / -E2BIG (the map
 * is full, or any other failure to make it; *out untouched). out must point to a void * variable:
 * through a cast &typed_ptr, -O2 may assume the store never happened
 * (strict aliasing) and keep the variable's old value.
 */
static __always_inline int ktop_lookup_or_init(void *map, const void *key, const void *init, void **out)
{
	long err;
	void *v;

	v = bpf_map_lookup_elem(map, key);
	if (v) {
		*out = v;
		return 0;
	}
	err = bpf_map_update_elem(map, key, init, BPF_NOEXIST);
	/* Constants, not (int)err: the verifier does not know a helper's
	 * error is small, and a truncated 64-bit err may be 0 or positive to
	 * it -- a path where the caller uses *out that was never set. */
	if (err && err != -EEXIST)
		return err == -ENOMEM ? -ENOMEM : -E2BIG;
	v = bpf_map_lookup_elem(map, key);	/* ours, or another CPU's */
	if (!v)
		return -ENOENT;			/* made and deleted meanwhile */
	*out = v;
	return err ? 0 : 1;
}

/*
 * One tracepoint's two entry points, name##_btf (tp_btf: typed arguments,
 * 5.5+) and name##_raw (raw_tp: the same arguments, read from the raw
 * context), with the same body; core loads one of them (prog_choose()).
 * args: the tracepoint's arguments, as far as the body uses them.
 */
#define KTOP_TP_TWIN(name, tp, call, args...)					\
	SEC("tp_btf/" #tp) int BPF_PROG(name##_btf, args) { return call; }	\
	SEC("raw_tp/" #tp) int BPF_PROG(name##_raw, args) { return call; }

#define KTOP_PID_FILTER_MAX	64

/*
 * -p filter: targ_filter is set before load when the user named processes;
 * the tgids themselves go into pid_filter after load. Each object that
 * includes this header gets its own copy of both.
 */
const volatile __u32 targ_filter = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KTOP_PID_FILTER_MAX);
	__type(key, __u32);
	__type(value, __u8);
} pid_filter SEC(".maps");

/* True when the event of process tgid must be dropped by the -p filter. */
static __always_inline bool ktop_filtered_out(__u32 tgid)
{
	if (!targ_filter)
		return false;
	return !bpf_map_lookup_elem(&pid_filter, &tgid);
}

/*
 * Slot idx of a histogram of KTOP_HIST_BUCKETS counters, or NULL when idx
 * is out of range (never, for ktop_hist_index(); the check is for the
 * verifier). The bound check and the index must be one register: left to
 * itself clang 14 checks one zero-extended copy of idx and indexes with
 * another, which 6.18's verifier follows and 6.1's rejects ("R0 unbounded
 * memory access"). barrier_var() pins the value in one register that the
 * compiler must treat as changed, so both uses read it.
 */
static __always_inline __u64 *ktop_hist_slot(__u64 *slots, __u32 idx)
{
	__u64 i = idx;

	barrier_var(i);
	if (i >= KTOP_HIST_BUCKETS)
		return NULL;
	barrier_var(i);
	return slots + i;
}

/* One more value v in a per-CPU histogram (no other CPU writes it). */
static __always_inline void ktop_hist_add(__u64 *slots, __u64 v)
{
	__u64 *slot = ktop_hist_slot(slots, ktop_hist_index(v));

	if (slot)
		(*slot)++;
}

/* One more value v in a histogram shared by all CPUs. */
static __always_inline void ktop_hist_add_atomic(__u64 *slots, __u64 v)
{
	__u64 *slot = ktop_hist_slot(slots, ktop_hist_index(v));

	if (slot)
		__sync_fetch_and_add(slot, 1);
}

/*
 * Per-thread state: task-local storage where the kernel lets tracing
 * programs use it (5.12+; bpf_get_current_task_btf() is 5.11+), else a hash
 * keyed by thread id that the object's sched_process_exit program cleans
 * (ktop_tid_forget()). Core probes the helpers and sets targ_task_storage
 * before load, and leaves the unused map uncreated; the branch not taken
 * is dead code the verifier never looks at, so the helpers it calls need
 * not exist. With create, a missing entry is made all zero from *zero;
 * NULL when that fails (map full) -- the caller counts the loss.
 */
const volatile bool targ_task_storage = true;

static __always_inline void *ktop_tstate(void *tstore, void *thash, const void *zero, bool create)
{
	__u32 tid;
	void *v;

	if (targ_task_storage)
		return bpf_task_storage_get(tstore, bpf_get_current_task_btf(), 0,
					    create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
	tid = (__u32)bpf_get_current_pid_tgid();
	v = bpf_map_lookup_elem(thash, &tid);
	if (v || !create)
		return v;
	bpf_map_update_elem(thash, &tid, zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(thash, &tid);
}

/* The exiting thread's entry of a tid hash goes (sched_process_exit). */
static __always_inline void ktop_tid_forget(void *thash)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	if (!targ_task_storage)
		bpf_map_delete_elem(thash, &tid);
}

/*
 * The current task for BPF_CORE_READ(): the BTF-typed pointer where the
 * kernel has bpf_get_current_task_btf() (5.11+), else the untyped one.
 * Core clears targ_task_btf when the probe says the helper is missing.
 */
const volatile bool targ_task_btf = true;

static __always_inline struct task_struct *ktop_current(void)
{
	if (targ_task_btf)
		return bpf_get_current_task_btf();
	return (struct task_struct *)bpf_get_current_task();
}

#endif /* KTOP_COMMON_BPF_H */
