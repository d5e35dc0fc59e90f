// SPDX-License-Identifier: GPL-2.0
/* Locks: pure helpers on frames, symbols and lock classes (see snap_locks.h), unit-tested. */
#include <string.h>
#include "ktop/locks.h"
#include "core/snapshot.h"

static int has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

/* See snap_locks.h. */
int lock_frame_kind(const char *name, uint64_t addr, const struct ktop_lock_ranges *r)
{
	static const char *const tracing[] = {
		"bpf_", "__bpf_", "___bpf_", "__traceiter_", "trace_contention",
		"perf_", "__perf_", "stack_trace_", "arch_stack_walk",
	};
	/* compared after the leading underscores are dropped */
	static const char *const locking[] = {
		"raw_spin_", "raw_read_", "raw_write_", "spin_lock", "spin_unlock",
		"read_lock", "read_unlock", "write_lock", "write_unlock",
		"queued_", "native_queued_", "pv_queued_", "do_raw_", "mutex_",
		"ww_mutex", "rt_mutex", "rt_spin", "rtlock", "rwbase_", "rwsem_",
		"down", "up_read", "up_write", "percpu_down", "percpu_up",
		"percpu_rwsem", "osq_", "lock_acquire", "lock_contended",
	};
	const char *n;
	size_t i;

	if (!name)
		return KTOP_FRAME_TRACING;	/* JIT code, trampolines */
	for (i = 0; i < sizeof(tracing) / sizeof(tracing[0]); i++)
		if (has_prefix(name, tracing[i]))
			return KTOP_FRAME_TRACING;
	/* Not __sched_text: __schedule() there takes the run-queue lock and
	 * is the caller that matters for it; mutex and rwsem code is named. */
	if (r && r->lock_lo && addr >= r->lock_lo && addr < r->lock_hi)
		return KTOP_FRAME_LOCKING;	/* __lockfunc: the spinlock API */
	for (n = name; *n == '_'; n++)
		;
	if (!strcmp(n, "up"))
		return KTOP_FRAME_LOCKING;
	for (i = 0; i < sizeof(locking) / sizeof(locking[0]); i++)
		if (has_prefix(n, locking[i]))
			return KTOP_FRAME_LOCKING;
	return KTOP_FRAME_CALLER;
}

/* See snap_locks.h. */
int lock_top_caller_idx(const int *kinds, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (kinds[i] == KTOP_FRAME_CALLER)
			return i;
	return -1;
}

/* See snap_locks.h. */
int lock_sym_plausible(const char *name, uint64_t addr, const struct ktop_lock_ranges *r)
{
	static const char *const marker_prefix[] = {
		"__start_", "__stop_", "__end_", "__init_", "__bss_", "__brk_", "__per_cpu_",
	};
	static const char *const marker[] = {
		"_text", "_stext", "_etext", "_sdata", "_edata", "_end", "_sinittext",
		"_einittext", "__init_begin", "__init_end",
	};
	size_t i;

	if (!name || !*name)
		return 0;
	if (r && r->text_lo && addr >= r->text_lo && addr < r->text_hi)
		return 0;		/* a lock is data; the nearest symbol is a function */
	for (i = 0; i < sizeof(marker_prefix) / sizeof(marker_prefix[0]); i++)
		if (has_prefix(name, marker_prefix[i]))
			return 0;
	for (i = 0; i < sizeof(marker) / sizeof(marker[0]); i++)
		if (!strcmp(name, marker[i]))
			return 0;
	return 1;
}

/* See snap_locks.h. */
const char *lock_class_name(uint32_t class)
{
	switch (class) {
	case KTOP_LOCK_CLASS_MMAP: return "mmap_lock";
	case KTOP_LOCK_CLASS_MMAP_WAIT: return "mmap_lock.wait_lock";
	case KTOP_LOCK_CLASS_SIGLOCK: return "siglock";
	case KTOP_LOCK_CLASS_FILES: return "file_lock";
	}
	return NULL;
}
