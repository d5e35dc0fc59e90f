// SPDX-License-Identifier: GPL-2.0
/* Locks tab: wait time per contended kernel lock, its caller stacks and waiting processes,
 * from lock:contention_* (5.19+) or, before them, kprobes on the locks' slow paths. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "ktop/locks.h"
#include "common.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u64 targ_long_ns = 1000000;	/* waits this long go to the ring buffer */

/* One contention a thread is inside: begin time, lock, flags, stack. */
struct lock_wait {
	__u64 ts;
	__u64 addr;
	__u32 flags;
	__s32 stack_id;
};

/*
 * Contentions of a thread, innermost last. They nest: a writer queued on an
 * rwsem contends the rwsem's wait_lock spinlock, an interrupt can contend a
 * spinlock while the task waits for another. Lives and dies with the thread.
 */
struct lock_tstate {
	struct lock_wait w[KTOP_LOCK_NEST];
	__u32 depth;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct lock_tstate);
} lock_tstate SEC(".maps");

/* The same where tracing programs have no task storage (before 5.12):
 * keyed by thread id, emptied by sched_process_exit. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KTOP_LOCK_TID_MAX);
	__type(key, __u32);
	__type(value, struct lock_tstate);
} lock_tstate_tid SEC(".maps");

/* All zero: the initial value of a new lock_tstate_tid entry. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lock_tstate);
} lock_tstate_zero SEC(".maps");

/* Big values (the histogram): allocated per lock seen, not preallocated. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, KTOP_LOCK_MAX);
	__type(key, struct ktop_lock_key);
	__type(value, struct ktop_lock_stat);
} lock_stats SEC(".maps");

/* All zero: the initial value of a new lock_stats entry (too big for the stack). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ktop_lock_stat);
} lock_zero SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KTOP_LOCK_CALLER_MAX);
	__type(key, struct ktop_lock_caller_key);
	__type(value, struct ktop_lock_part);
} lock_callers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KTOP_LOCK_WAITER_MAX);
	__type(key, struct ktop_lock_waiter_key);
	__type(value, struct ktop_lock_part);
} lock_waiters SEC(".maps");

/* Command name of each waiting process, written when it first waits on a lock. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KTOP_LOCK_WAITER_MAX);
	__type(key, __u32);
	__type(value, struct ktop_comm);
} lock_comm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, KTOP_LOCK_STACK_MAX);
	__type(key, __u32);
	__uint(value_size, KTOP_LOCK_STACK_DEPTH * sizeof(__u64));
} lock_stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, KTOP_LOCK_RB_BYTES);
} lock_events SEC(".maps");

/*
 * Caller stacks are sampled: a stack walk costs microseconds, the rest of a
 * contention's accounting a few hundred nanoseconds. Each CPU keeps one slot
 * per (lock, type) in a small direct-mapped cache: the first
 * KTOP_LOCK_STACK_FIRST contentions of a lock per interval get a stack, then
 * one in KTOP_LOCK_STACK_EVERY, chosen at random (a fixed stride would lock
 * onto call patterns, such as mmap and munmap taking turns). The waits of
 * the contentions without a stack are added up in the slot and go with the
 * next stack taken there, so caller counts still add up to the lock's: exact
 * while a lock is quiet, an estimate (each sample stands for the gap before
 * it) under a storm. Waits left in a slot that another lock takes over, or
 * at a new interval, go to the lock's "stack not sampled" caller.
 */
struct stack_slot {
	__u64 addr;
	__u32 type;
	__u32 gen;		/* stack_gen of the interval the counts are for */
	__u32 seen;		/* contentions begun on this CPU in the interval */
	__u32 wtgid;		/* the process of wcnt and wns */
	__u64 pend_cnt;		/* contentions ended without a stack, not yet attributed */
	__u64 pend_ns;
	__u64 wcnt;		/* waits of wtgid not yet in lock_waiters */
	__u64 wns;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KTOP_LOCK_SLOTS);
	__type(key, __u32);
	__type(value, struct stack_slot);
} stack_slots SEC(".maps");

__u32 stack_gen = 0;		/* core adds one per interval */

__u64 drops_state = 0;		/* begin not recorded: no task storage, or lock_tstate_tid full */
__u64 drops_nest = 0;		/* begin not recorded: KTOP_LOCK_NEST deep already */
__u64 drops_stack = 0;		/* stack not captured (collision or error); counted without it */
__u64 drops_lock_full = 0;	/* contention not counted: lock_stats full */
__u64 drops_caller_full = 0;	/* caller breakdown lost: lock_callers full */
__u64 drops_waiter_full = 0;	/* waiter breakdown lost: lock_waiters full */
__u64 drops_long = 0;		/* long wait not reported: ring buffer full */

static __always_inline struct stack_slot *slot_of(__u64 addr, __u32 type)
{
	/* Fibonacci hashing: a rwsem and its wait_lock (8 bytes apart), and its
	 * readers and writers (same address, other type) part ways */
	__u32 i = (__u32)(((addr ^ type) * 0x9E3779B97F4A7C15ULL) >> 32) & (KTOP_LOCK_SLOTS - 1);

	return bpf_map_lookup_elem(&stack_slots, &i);
}

static __always_inline void caller_add(__u64 addr, __u32 type, __s32 stack_id, __u64 n, __u64 dt);
static __always_inline void waiter_add(__u64 addr, __u32 type, __u32 tgid, __u64 n, __u64 dt);

/* Hand the waits a slot holds for its lock to that lock's unsampled caller
 * and to the waiting process. */
static __always_inline void slot_flush(struct stack_slot *sl)
{
	if (sl->pend_cnt)
		caller_add(sl->addr, sl->type, KTOP_LOCK_STACK_UNSAMPLED, sl->pend_cnt, sl->pend_ns);
	if (sl->wcnt)
		waiter_add(sl->addr, sl->type, sl->wtgid, sl->wcnt, sl->wns);
	sl->pend_cnt = 0;
	sl->pend_ns = 0;
	sl->wcnt = 0;
	sl->wns = 0;
}

/* Whether this contention of (addr, type) gets its caller stack walked. */
static __always_inline bool want_stack(__u64 addr, __u32 type)
{
	struct stack_slot *sl = slot_of(addr, type);
	__u32 gen = stack_gen;

	if (!sl)
		return true;
	if (sl->addr != addr || sl->type != type || sl->gen != gen) {
		slot_flush(sl);
		sl->addr = addr;
		sl->type = type;
		sl->gen = gen;
		sl->seen = 0;
	}
	if (sl->seen < KTOP_LOCK_STACK_FIRST) {
		sl->seen++;
		return true;
	}
	return bpf_get_prandom_u32() % KTOP_LOCK_STACK_EVERY == 0;
}

static __always_inline int on_begin(void *ctx, __u64 addr, __u32 flags)
{
	struct lock_tstate *s;
	struct lock_wait *w;
	__u64 now = bpf_ktime_get_ns();
	__u32 d, zero = 0;
	void *init = NULL;

	if (ktop_filtered_out(bpf_get_current_pid_tgid() >> 32))
		return 0;
	if (!targ_task_storage) {
		init = bpf_map_lookup_elem(&lock_tstate_zero, &zero);
		if (!init)
			return 0;
	}
	s = ktop_tstate(&lock_tstate, &lock_tstate_tid, init, true);
	if (!s) {
		__sync_fetch_and_add(&drops_state, 1);
		return 0;
	}
	d = s->depth;
	if (d > 0 && d <= KTOP_LOCK_NEST && s->w[(d - 1) & (KTOP_LOCK_NEST - 1)].addr == addr) {
		/* same lock again: a mutex that stopped spinning and sleeps now */
		s->w[(d - 1) & (KTOP_LOCK_NEST - 1)].flags = flags;
		return 0;
	}
	if (d >= KTOP_LOCK_NEST) {
		/* Only when ends went missing (attached mid-wait, recursion
		 * guard): start over rather than stay full. */
		__sync_fetch_and_add(&drops_nest, 1);
		d = 0;
	}
	w = &s->w[d & (KTOP_LOCK_NEST - 1)];
	w->ts = now;
	w->addr = addr;
	w->flags = flags;
	/* The stack walk runs while the task waits anyway, not while it holds the lock. */
	w->stack_id = KTOP_LOCK_STACK_UNSAMPLED;
	if (want_stack(addr, ktop_lock_type_norm(flags))) {
		w->stack_id = bpf_get_stackid(ctx, &lock_stacks, 0);
		if (w->stack_id < 0) {
			__sync_fetch_and_add(&drops_stack, 1);
			w->stack_id = KTOP_LOCK_STACK_LOST;
		}
	}
	s->depth = d + 1;
	return 0;
}

/* What the lock is to the task that waited for it, if BPF can tell. */
static __always_inline __u32 classify(__u64 addr)
{
	struct task_struct *task = ktop_current();
	struct sighand_struct *sighand;
	struct files_struct *files;
	struct mm_struct *mm;

	mm = BPF_CORE_READ(task, mm);
	if (mm) {
		if (addr == (__u64)&mm->mmap_lock)
			return KTOP_LOCK_CLASS_MMAP;
		if (addr == (__u64)&mm->mmap_lock.wait_lock)
			return KTOP_LOCK_CLASS_MMAP_WAIT;
	}
	sighand = BPF_CORE_READ(task, sighand);
	if (sighand && addr == (__u64)&sighand->siglock)
		return KTOP_LOCK_CLASS_SIGLOCK;
	files = BPF_CORE_READ(task, files);
	if (files && addr == (__u64)&files->file_lock)
		return KTOP_LOCK_CLASS_FILES;
	return KTOP_LOCK_CLASS_NONE;
}

/* Add n waits of dt in all to a caller or waiter entry, creating it; returns
 * 1 when it was created, 0 when it existed, < 0 when the map is full. */
static __always_inline int part_add(void *map, const void *key, __u64 n, __u64 dt)
{
	struct ktop_lock_part init = { .contentions = n, .wait_ns = dt }, *p;
	void *v;
	int made;

	made = ktop_lookup_or_init(map, key, &init, &v);
	if (made)
		return made;
	p = v;
	__sync_fetch_and_add(&p->contentions, n);
	__sync_fetch_and_add(&p->wait_ns, dt);
	return 0;
}

static __always_inline void caller_add(__u64 addr, __u32 type, __s32 stack_id, __u64 n, __u64 dt)
{
	struct ktop_lock_caller_key ck = { .addr = addr, .type = type, .stack_id = stack_id };

	if (part_add(&lock_callers, &ck, n, dt) < 0)
		__sync_fetch_and_add(&drops_caller_full, 1);
}

/* n waits of process tgid; a new waiter's name is taken if it is current. */
static __always_inline void waiter_add(__u64 addr, __u32 type, __u32 tgid, __u64 n, __u64 dt)
{
	struct ktop_lock_waiter_key wk = { .addr = addr, .type = type, .tgid = tgid };
	struct ktop_comm c;
	int r = part_add(&lock_waiters, &wk, n, dt);

	if (r < 0) {
		__sync_fetch_and_add(&drops_waiter_full, 1);
	} else if (r > 0 && tgid == bpf_get_current_pid_tgid() >> 32 &&
		   !bpf_map_lookup_elem(&lock_comm, &tgid)) {
		bpf_get_current_comm(c.comm, sizeof(c.comm));
		bpf_map_update_elem(&lock_comm, &tgid, &c, BPF_ANY);
	}
}

/*
 * The wait's share of the caller and waiter breakdowns (see struct
 * stack_slot): held in this CPU's slot of the lock until a sampled
 * contention, so most contentions touch no shared entry.
 */
static __always_inline void account_parts(const struct lock_wait *w, __u32 type, __u32 tgid,
					  __u64 dt)
{
	struct stack_slot *sl = slot_of(w->addr, type);
	bool sampled = w->stack_id != KTOP_LOCK_STACK_UNSAMPLED;

	if (!sl || sl->addr != w->addr || sl->type != type) {
		caller_add(w->addr, type, w->stack_id, 1, dt);
		waiter_add(w->addr, type, tgid, 1, dt);
		return;
	}
	if (sampled) {
		caller_add(w->addr, type, w->stack_id, 1 + sl->pend_cnt, dt + sl->pend_ns);
		sl->pend_cnt = 0;
		sl->pend_ns = 0;
	} else {
		sl->pend_cnt++;
		sl->pend_ns += dt;
	}
	if (sl->wcnt && sl->wtgid != tgid) {
		waiter_add(w->addr, type, sl->wtgid, sl->wcnt, sl->wns);
		sl->wcnt = 0;
		sl->wns = 0;
	}
	sl->wtgid = tgid;
	sl->wcnt++;
	sl->wns += dt;
	if (sampled) {
		waiter_add(w->addr, type, tgid, sl->wcnt, sl->wns);
		sl->wcnt = 0;
		sl->wns = 0;
	}
}

static __always_inline void account(void *ctx, const struct lock_wait *w, __u64 now)
{
	struct ktop_lock_key key = { .addr = w->addr, .type = ktop_lock_type_norm(w->flags) };
	__u64 dt = now - w->ts, pid_tgid = bpf_get_current_pid_tgid();
	struct ktop_lock_stat *st;
	struct ktop_lock_event *e;
	__u32 zero = 0, class = 0;
	bool named;

	st = bpf_map_lookup_elem(&lock_stats, &key);
	if (!st) {
		void *init = bpf_map_lookup_elem(&lock_zero, &zero);

		if (init)
			bpf_map_update_elem(&lock_stats, &key, init, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&lock_stats, &key);
		if (!st) {
			__sync_fetch_and_add(&drops_lock_full, 1);
			return;
		}
	}
	__sync_fetch_and_add(&st->contentions, 1);
	__sync_fetch_and_add(&st->wait_ns, dt);
	if (dt > st->max_ns)
		st->max_ns = dt;
	ktop_hist_add_atomic(st->hist, dt);
	/* Naming reads three task pointers: only with the sampled stacks and long waits. */
	named = w->stack_id != KTOP_LOCK_STACK_UNSAMPLED || dt >= targ_long_ns;
	if (named) {
		class = classify(w->addr);
		if (st->class != class || (class && st->owner != (__u32)(pid_tgid >> 32))) {
			st->class = class;
			st->owner = class ? pid_tgid >> 32 : 0;
		}
	}

	account_parts(w, key.type, pid_tgid >> 32, dt);

	if (dt < targ_long_ns)
		return;
	e = bpf_ringbuf_reserve(&lock_events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&drops_long, 1);
		return;
	}
	e->end_ns = now;
	e->wait_ns = dt;
	e->addr = w->addr;
	e->type = key.type;
	e->class = class;
	e->owner = class ? pid_tgid >> 32 : 0;
	e->tgid = pid_tgid >> 32;
	e->tid = (__u32)pid_tgid;
	/* a long wait always shows its caller: walk now if begin did not */
	e->stack_id = w->stack_id;
	if (e->stack_id == KTOP_LOCK_STACK_UNSAMPLED)
		e->stack_id = bpf_get_stackid(ctx, &lock_stacks, 0);
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	/* user space drains once per interval: no wake-up per record */
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
}

/*
 * The end of the innermost wait on lock addr (by_addr), or of the innermost
 * wait of type flags (a kretprobe, which does not see the lock argument).
 */
static __always_inline int on_end(void *ctx, __u64 addr, __u32 flags, bool by_addr)
{
	struct lock_tstate *s;
	struct lock_wait w;
	__u64 now = bpf_ktime_get_ns();
	__u32 d, i;

	s = ktop_tstate(&lock_tstate, &lock_tstate_tid, NULL, false);
	if (!s)
		return 0;	/* filtered out, or the wait began before we attached */
	d = s->depth;
	if (d > KTOP_LOCK_NEST)
		d = KTOP_LOCK_NEST;
	/* innermost first; anything above the match lost its end: drop it */
#pragma unroll
	for (i = KTOP_LOCK_NEST; i > 0; i--) {
		if (i > d)
			continue;
		if (by_addr ? s->w[i - 1].addr != addr : s->w[i - 1].flags != flags)
			continue;
		w = s->w[i - 1];
		s->depth = i - 1;
		account(ctx, &w, now);
		return 0;
	}
	return 0;
}

KTOP_TP_TWIN(contention_begin, contention_begin, on_begin(ctx, (__u64)lock, flags),
	     void *lock, unsigned int flags)
KTOP_TP_TWIN(contention_end, contention_end, on_end(ctx, (__u64)lock, 0, true), void *lock, int ret)

/*
 * Before lock:contention_* (5.19): the slow paths, which a task enters only
 * when the lock is taken, as klockstat and the original lockstat tool do.
 * Kprobes, not fentry: a spinlock slow path is re-entered by the program's
 * own map and ring-buffer locks, and kprobes skip a program already running
 * on this CPU on every kernel, trampolines only since 5.12. Core attaches
 * each pair to the symbols this kernel has (mutex variants, the paravirt
 * and native spinlock slow paths); the flags are those contention_begin
 * would have reported, so the rows and their types stay the same.
 */
#define SLOW_PATH(name, flags)							\
	SEC("kprobe") int BPF_KPROBE(name##_kp, void *lock)			\
	{ return on_begin(ctx, (__u64)lock, flags); }				\
	SEC("kretprobe") int BPF_KRETPROBE(name##_kret)				\
	{ return on_end(ctx, 0, flags, false); }

SLOW_PATH(slow_mutex, KTOP_LCB_F_MUTEX)
SLOW_PATH(slow_rwsem_r, KTOP_LCB_F_READ)
SLOW_PATH(slow_rwsem_w, KTOP_LCB_F_WRITE)
SLOW_PATH(slow_spin, KTOP_LCB_F_SPIN)
SLOW_PATH(slow_rwlock_r, KTOP_LCB_F_SPIN | KTOP_LCB_F_READ)
SLOW_PATH(slow_rwlock_w, KTOP_LCB_F_SPIN | KTOP_LCB_F_WRITE)

/* Only where lock_tstate_tid is used: the thread's entry goes with it. */
SEC("raw_tp/sched_process_exit")
int BPF_PROG(sched_process_exit_raw, struct task_struct *p)
{
	ktop_tid_forget(&lock_tstate_tid);
	return 0;
}
