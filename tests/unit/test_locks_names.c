// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the Locks tab's pure parts: flag decoding, frame kinds, top-caller choice, lock names. */
#include <stdarg.h>			/* cmocka 1.1 wants these four first */
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "ktop/locks.h"
#include "core/ksyms.h"
#include "core/snapshot.h"

/* The LCB_F_* values of the kernel's include/trace/events/lock.h, written
 * out here on purpose: a change to the shared header must break this test. */
#define SPIN	1u
#define READ	2u
#define WRITE	4u
#define RT	8u
#define PERCPU	16u
#define MUTEX	32u

static void test_type_names(void **state)
{
	static const struct { unsigned flags; const char *name; } t[] = {
		{ 0, "semaphore" },
		{ SPIN, "spinlock" },
		{ SPIN | READ, "rwlock:r" },
		{ SPIN | WRITE, "rwlock:w" },
		{ READ, "rwsem:r" },
		{ WRITE, "rwsem:w" },
		{ MUTEX, "mutex" },
		{ MUTEX | SPIN, "mutex" },	/* optimistic spinning, then sleeping */
		{ RT, "rt-mutex" },
		{ RT | READ, "rt-rwlock:r" },
		{ RT | WRITE, "rt-rwlock:w" },
		{ PERCPU | READ, "percpu-rwsem:r" },
		{ PERCPU | WRITE, "percpu-rwsem:w" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *n = ktop_lock_type_name(t[i].flags);

		assert_non_null(n);
		assert_string_equal(n, t[i].name);
	}
}

static void test_type_norm(void **state)
{
	(void)state;
	/* a spinning-then-sleeping mutex is one row, not two */
	assert_int_equal(ktop_lock_type_norm(MUTEX | SPIN), ktop_lock_type_norm(MUTEX));
	/* bits the kernel may add later do not change the type of the known ones */
	assert_int_equal(ktop_lock_type_norm(SPIN | 0x100), SPIN);
	assert_int_equal(ktop_lock_type_norm(WRITE), WRITE);
	/* combinations that mean nothing have no name, they are not guessed */
	assert_null(ktop_lock_type_name(SPIN | RT));
	assert_null(ktop_lock_type_name(PERCPU));
	assert_null(ktop_lock_type_name(READ | WRITE));
}

static const struct ktop_lock_ranges ranges = {
	.text_lo = 0xffffffff81000000ull, .text_hi = 0xffffffff82200000ull,
	.lock_lo = 0xffffffff82100000ull, .lock_hi = 0xffffffff82101000ull,
};

static void test_frame_kinds(void **state)
{
	static const char *const locking[] = {
		"__pv_queued_spin_lock_slowpath", "native_queued_spin_lock_slowpath",
		"queued_spin_lock_slowpath", "_raw_spin_lock_irqsave", "_raw_spin_lock",
		"_raw_read_lock", "_raw_write_lock_irq", "raw_spin_rq_lock_nested",
		"_raw_spin_rq_lock_irqsave", "do_raw_spin_lock", "rwsem_down_write_slowpath",
		"rwsem_down_read_slowpath", "rwsem_wake.isra.0", "down_write_killable", "down_read",
		"down", "__down_common", "___down_common", "up_write", "up_read", "up",
		"mutex_lock", "__mutex_lock.constprop.0", "__mutex_lock_slowpath",
		"mutex_lock_interruptible", "ww_mutex_lock", "rt_mutex_slowlock",
		"rtlock_slowlock_locked", "rwbase_read_lock", "percpu_down_write",
		"__percpu_down_read", "percpu_rwsem_wait", "osq_lock",
	};
	static const char *const tracing[] = {
		"bpf_prog_59f4a931744dcdc6_contention_begin_btf", "bpf_trace_run2",
		"__traceiter_contention_begin", "__bpf_trace_contention_begin",
		"perf_trace_contention_begin",
	};
	static const char *const callers[] = {
		"vm_mmap_pgoff", "__vm_munmap", "lock_mm_and_find_vma", "try_to_wake_up",
		"__schedule", "pipe_write", "do_exit", "block_write_begin", "unlock_page",
		"clock_gettime",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(locking) / sizeof(locking[0]); i++)
		assert_int_equal(lock_frame_kind(locking[i], 0xffffffff81234567ull, &ranges),
				 KTOP_FRAME_LOCKING);
	for (i = 0; i < sizeof(tracing) / sizeof(tracing[0]); i++)
		assert_int_equal(lock_frame_kind(tracing[i], 0xffffffff81234567ull, &ranges),
				 KTOP_FRAME_TRACING);
	for (i = 0; i < sizeof(callers) / sizeof(callers[0]); i++)
		assert_int_equal(lock_frame_kind(callers[i], 0xffffffff81234567ull, &ranges),
				 KTOP_FRAME_CALLER);
	/* unknown address: JIT code or a trampoline, not a caller */
	assert_int_equal(lock_frame_kind(NULL, 0xffffffffa0001234ull, &ranges), KTOP_FRAME_TRACING);
	/* anything in __lock_text is locking code, whatever its name */
	assert_int_equal(lock_frame_kind("some_lockfunc", 0xffffffff82100010ull, &ranges),
			 KTOP_FRAME_LOCKING);
	assert_int_equal(lock_frame_kind("some_lockfunc", 0xffffffff82100010ull, NULL),
			 KTOP_FRAME_CALLER);
}

static void test_top_caller(void **state)
{
	const int T = KTOP_FRAME_TRACING, L = KTOP_FRAME_LOCKING, C = KTOP_FRAME_CALLER;
	/* bpf_prog, bpf_trace_run2, __traceiter, slowpath, _raw_spin_lock, caller */
	const int a[] = { T, T, T, L, L, C, C };
	/* rwsem: down_write_killable's caller */
	const int b[] = { T, T, L, L, C };
	/* no tracing frames at all (another unwinder) */
	const int c[] = { L, C, C };
	/* nothing but locking code: no caller */
	const int d[] = { T, L, L };
	/* an unknown frame between the lock code and the caller is skipped */
	const int e[] = { T, L, T, C };

	(void)state;
	assert_int_equal(lock_top_caller_idx(a, 7), 5);
	assert_int_equal(lock_top_caller_idx(b, 5), 4);
	assert_int_equal(lock_top_caller_idx(c, 3), 1);
	assert_int_equal(lock_top_caller_idx(d, 3), -1);
	assert_int_equal(lock_top_caller_idx(e, 4), 3);
	assert_int_equal(lock_top_caller_idx(a, 0), -1);
}

static void test_class_names(void **state)
{
	(void)state;
	assert_string_equal(lock_class_name(KTOP_LOCK_CLASS_MMAP), "mmap_lock");
	assert_string_equal(lock_class_name(KTOP_LOCK_CLASS_MMAP_WAIT), "mmap_lock.wait_lock");
	assert_string_equal(lock_class_name(KTOP_LOCK_CLASS_SIGLOCK), "siglock");
	assert_string_equal(lock_class_name(KTOP_LOCK_CLASS_FILES), "file_lock");
	assert_null(lock_class_name(KTOP_LOCK_CLASS_NONE));
	assert_null(lock_class_name(99));
}

/* A kallsyms with data symbols (CONFIG_KALLSYMS_ALL=y) names static locks;
 * one without them must not name a lock after a section marker or a function. */
static void test_static_lock_names(void **state)
{
	static const char all[] =
		"ffffffff81000000 T _stext\n"
		"ffffffff81001000 T copy_process\n"
		"ffffffff82200000 T _etext\n"
		"ffffffff82400000 D __start_rodata\n"
		"ffffffff83000000 D __start_init_stack\n"
		"ffffffff83100000 D tasklist_lock\n"
		"ffffffff83100040 D jiffies\n"
		"ffffffff83200000 B pcpu_alloc_mutex\n";
	static const char funcs_only[] =
		"ffffffff81000000 T _stext\n"
		"ffffffff81001000 T copy_process\n"
		"ffffffff82200000 T _etext\n"
		"ffffffff82400000 D __start_rodata\n"
		"ffffffff83000000 D __start_init_stack\n";
	struct ktop_lock_ranges r = { .text_lo = 0xffffffff81000000ull, .text_hi = 0xffffffff82200000ull };
	struct ksyms *k;
	const char *name;
	uint64_t off;

	(void)state;
	assert_int_equal(ksyms__parse(&k, all, sizeof(all) - 1), 0);
	name = ksyms__find(k, 0xffffffff83100000ull, &off);
	assert_non_null(name);
	assert_string_equal(name, "tasklist_lock");
	assert_true(lock_sym_plausible(name, 0xffffffff83100000ull, &r));
	name = ksyms__find(k, 0xffffffff83200008ull, &off);
	assert_string_equal(name, "pcpu_alloc_mutex");
	assert_int_equal(off, 8);	/* a lock inside a static struct: "name+0x8" */
	assert_true(lock_sym_plausible(name, 0xffffffff83200008ull, &r));
	ksyms__free(k);

	assert_int_equal(ksyms__parse(&k, funcs_only, sizeof(funcs_only) - 1), 0);
	name = ksyms__find(k, 0xffffffff83100000ull, &off);
	assert_non_null(name);		/* the nearest symbol is a section marker */
	assert_false(lock_sym_plausible(name, 0xffffffff83100000ull, &r));
	/* an address in text is never a lock */
	name = ksyms__find(k, 0xffffffff81001010ull, &off);
	assert_false(lock_sym_plausible(name, 0xffffffff81001010ull, &r));
	ksyms__free(k);

	assert_false(lock_sym_plausible(NULL, 0xffff888100000000ull, &r));
	assert_false(lock_sym_plausible("", 0xffff888100000000ull, &r));
	assert_false(lock_sym_plausible("__stop___tracepoints_ptrs", 0xffffffff83300000ull, &r));
	assert_false(lock_sym_plausible("_edata", 0xffffffff83300000ull, &r));
	assert_true(lock_sym_plausible("some_module_lock", 0xffffffffc0001000ull, &r));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type_names),
		cmocka_unit_test(test_type_norm),
		cmocka_unit_test(test_frame_kinds),
		cmocka_unit_test(test_top_caller),
		cmocka_unit_test(test_class_names),
		cmocka_unit_test(test_static_lock_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
