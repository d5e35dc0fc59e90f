// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the Memory tab's pure helpers: trend, suspect rule, frame classes, parsers. */
#include <stdarg.h>			/* cmocka 1.1 wants these four first */
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "core/mem_maps.h"
#include "core/mem_model.h"
#include "core/mem_user.h"
#include "core/usym.h"

#define S	1000000000ull

static void test_trend_steady_growth(void **state)
{
	struct mem_trend t = { 0 };
	unsigned i;

	(void)state;
	assert_int_equal(mem_trend_highs(&t), 0);
	assert_true(mem_trend_slope(&t) == 0);
	for (i = 0; i < 30; i++)
		mem_trend_push(&t, i * S, 1000 + 4096 * i);
	assert_int_equal(t.n, MEM_TREND_LEN);
	assert_int_equal(mem_trend_highs(&t), 10);	/* every interval of the window */
	assert_float_equal(mem_trend_slope(&t), 4096.0, 1e-6);
}

static void test_trend_churn_sets_few_highs(void **state)
{
	/* wandering around a level: up, down, up, down... */
	static const uint64_t v[] = { 100, 110, 90, 105, 95, 108, 92, 104, 96, 109, 91 };
	struct mem_trend t = { 0 };
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		mem_trend_push(&t, i * S, v[i]);
	assert_int_equal(mem_trend_highs(&t), 1);	/* only 110 beat what came before */
	assert_false(mem_suspect(100 * S, 10 * S, mem_trend_highs(&t)));
}

static void test_trend_flat_and_falling(void **state)
{
	struct mem_trend t = { 0 };
	unsigned i;

	(void)state;
	for (i = 0; i < 11; i++)
		mem_trend_push(&t, i * S, 5000);
	assert_int_equal(mem_trend_highs(&t), 0);
	assert_true(mem_trend_slope(&t) == 0);
	for (i = 11; i < 22; i++)
		mem_trend_push(&t, i * S, 5000 - 100 * (i - 10));
	assert_int_equal(mem_trend_highs(&t), 0);
	assert_float_equal(mem_trend_slope(&t), -100.0, 1e-6);
}

/* A leak that hits a limit: suspect while it grows, then held (flagged)
 * while it keeps what it took, forgotten once it frees at least half. */
static void test_held_after_growth_stops(void **state)
{
	struct mem_trend t = { 0 };
	uint64_t age = 20 * S, leak_age = 10 * S;
	bool sus;
	int i;

	(void)state;
	assert_false(mem_held(&t, false, age, leak_age));	/* no samples */
	for (i = 0; i < 12; i++) {
		mem_trend_push(&t, i * S, 1000 * (uint64_t)i);
		sus = mem_suspect(age, leak_age, mem_trend_highs(&t));
		assert_false(mem_held(&t, sus, age, leak_age));
	}
	assert_true(sus);			/* it grew: a suspect */
	for (i = 12; i < 40; i++) {		/* the limit: flat at 11000 */
		mem_trend_push(&t, i * S, 11000);
		sus = mem_suspect(age, leak_age, mem_trend_highs(&t));
		assert_true(sus || mem_held(&t, sus, age, leak_age));
	}
	assert_false(sus);			/* no new highs: not a suspect ... */
	assert_true(mem_held(&t, sus, age, leak_age));	/* ... but held */
	/* not old enough (the old ones freed, say): not held, not forgotten */
	assert_false(mem_held(&t, false, leak_age - 1, leak_age));
	mem_trend_push(&t, 40 * S, 6000);	/* freed a little: still held */
	assert_true(mem_held(&t, false, age, leak_age));
	mem_trend_push(&t, 41 * S, 5000);	/* below half: forgotten */
	assert_false(mem_held(&t, false, age, leak_age));
	mem_trend_push(&t, 42 * S, 11000);	/* back up, without being a suspect: not held */
	assert_false(mem_held(&t, false, age, leak_age));
}

/* Something that never was a suspect is never held, however big and old. */
static void test_held_needs_a_suspect(void **state)
{
	struct mem_trend t = { 0 };
	int i;

	(void)state;
	for (i = 0; i < 30; i++) {
		mem_trend_push(&t, i * S, 1 << 30);
		assert_false(mem_held(&t, false, 3600 * S, 10 * S));
	}
}

static void test_trend_uneven_intervals(void **state)
{
	struct mem_trend t = { 0 };

	(void)state;
	mem_trend_push(&t, 0, 0);
	mem_trend_push(&t, 2 * S, 2000);
	mem_trend_push(&t, 3 * S, 3000);
	assert_float_equal(mem_trend_slope(&t), 1000.0, 1e-6);	/* per second, not per sample */
	/* same time twice: no slope rather than a division by zero */
	memset(&t, 0, sizeof(t));
	mem_trend_push(&t, S, 1);
	mem_trend_push(&t, S, 2);
	assert_true(mem_trend_slope(&t) == 0);
}

static void test_suspect_rule(void **state)
{
	(void)state;
	/* more than half of 10 intervals: 6 is, 5 is not */
	assert_true(mem_suspect(10 * S, 10 * S, 6));
	assert_false(mem_suspect(10 * S, 10 * S, 5));
	/* young allocations are not a leak, however steady the growth */
	assert_false(mem_suspect(10 * S - 1, 10 * S, 10));
	assert_true(mem_suspect(11 * S, 10 * S, 10));
}

static void test_outstanding_clamps(void **state)
{
	(void)state;
	assert_int_equal(mem_outstanding(10, 3), 7);
	assert_int_equal(mem_outstanding(3, 10), 0);	/* free counted first: never negative */
}

static void test_kernel_frames(void **state)
{
	(void)state;
	assert_true(mem_kframe_is_machinery("bpf_trace_run5"));
	assert_true(mem_kframe_is_machinery("__traceiter_kmalloc"));
	assert_false(mem_kframe_is_machinery("alloc_pipe_info"));
	assert_false(mem_kframe_is_machinery(NULL));
	assert_true(mem_kframe_is_allocator("__kmalloc_noprof"));
	assert_true(mem_kframe_is_allocator("kmem_cache_alloc_lru_noprof"));
	assert_true(mem_kframe_is_allocator("alloc_pages_mpol"));
	assert_false(mem_kframe_is_allocator("alloc_pipe_info"));
	assert_false(mem_kframe_is_allocator("create_pipe_files"));
	assert_true(mem_kframe_is_slab_growth("allocate_slab"));
	assert_true(mem_kframe_is_slab_growth("alloc_slab_obj_exts"));
	assert_false(mem_kframe_is_slab_growth("alloc_inode"));
	assert_string_equal(mem_fn_name(0), "malloc");
	assert_string_equal(mem_fn_name(99), "?");
	assert_string_equal(mem_kind_name(1), "page");
}

static void test_maps_parse(void **state)
{
	static const char text[] =
		"55d0c7a00000-55d0c7a02000 r--p 00000000 fd:01 1234567                    /usr/bin/cat\n"
		"55d0c7a02000-55d0c7a07000 r-xp 00002000 fd:01 1234567                    /usr/bin/cat\n"
		"55d0c8c4e000-55d0c8c6f000 rw-p 00000000 00:00 0                          [heap]\n"
		"garbage line\n"
		"7f1b2c000000-7f1b2c021000 rw-p 00000000 00:00 0 \n"
		"7f1b2e200000-7f1b2e228000 r-xp 00028000 08:01 42    /opt/my lib/libjemalloc.so.2 (deleted)\n"
		"7ffd1e9e2000-7ffd1e9e4000 r-xp 00000000 00:00 0                          [vdso]";
	struct maps_entry e[8];
	size_t n;

	(void)state;
	n = maps_parse(text, sizeof(text) - 1, e, 8);
	assert_int_equal(n, 6);
	assert_true(e[1].start == 0x55d0c7a02000ull && e[1].end == 0x55d0c7a07000ull);
	assert_true(e[1].offset == 0x2000 && e[1].inode == 1234567);
	assert_string_equal(e[1].perms, "r-xp");
	assert_string_equal(e[1].path, "/usr/bin/cat");
	assert_true(maps_is_code(&e[1]));
	assert_false(maps_is_code(&e[0]));		/* not executable */
	assert_string_equal(e[2].path, "[heap]");
	assert_string_equal(e[3].path, "");		/* anonymous */
	assert_string_equal(e[4].path, "/opt/my lib/libjemalloc.so.2");	/* spaces kept */
	assert_true(e[4].deleted);
	assert_false(maps_is_code(&e[5]));		/* [vdso]: no file */
	/* max respected; not NUL-terminated input is fine */
	assert_int_equal(maps_parse(text, sizeof(text) - 1, e, 2), 2);
	assert_int_equal(maps_parse(text, 10, e, 8), 0);
	assert_int_equal(maps_parse("", 0, e, 8), 0);
}

static void test_maps_long_path(void **state)
{
	char text[600];
	struct maps_entry e;
	int n;

	(void)state;
	n = snprintf(text, sizeof(text), "1000-2000 r-xp 00000000 00:01 7 /");
	memset(text + n, 'a', 400);
	assert_int_equal(maps_parse(text, (size_t)n + 400, &e, 1), 1);
	assert_true(e.truncated);
	assert_int_equal(strlen(e.path), MAPS_PATH_MAX - 1);
	assert_false(maps_is_code(&e));			/* never attach to a cut path */
}

static void test_allocator_rank(void **state)
{
	(void)state;
	assert_int_equal(maps_allocator_rank("/usr/bin/app", true, true), 3);
	assert_int_equal(maps_allocator_rank("/usr/lib/libjemalloc.so.2", true, false), 2);
	assert_int_equal(maps_allocator_rank("/usr/lib/x86_64-linux-gnu/libc.so.6", true, false), 1);
	assert_int_equal(maps_allocator_rank("/lib/libc-2.31.so", true, false), 1);
	assert_int_equal(maps_allocator_rank("/lib64/ld-linux-x86-64.so.2", true, false), 0);
	assert_int_equal(maps_allocator_rank("/usr/lib/libz.so.1", false, false), 0);
}

static void test_procstat_starttime(void **state)
{
	/* field 22 after a command name holding spaces and ')' */
	static const char stat[] = "1234 (a) b) c) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 "
				   "1 0 987654 12345678 100 18446744073709551615";
	static const char cut[] = "1234 (x) S 1 2 3";

	(void)state;
	assert_int_equal(procstat_starttime(stat, sizeof(stat) - 1), 987654);
	assert_int_equal(procstat_starttime(cut, sizeof(cut) - 1), 0);
	assert_int_equal(procstat_starttime("no paren", 8), 0);
	assert_int_equal(procstat_starttime("", 0), 0);
}

static void *read_self(size_t *len)
{
	struct stat st;
	void *buf;
	int fd = open("/proc/self/exe", O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size);
	assert_non_null(buf);
	assert_int_equal(read(fd, buf, (size_t)st.st_size), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

static void test_elf_defines(void **state)
{
	char junk[64] = "not an ELF image at all";
	size_t len;
	void *self = read_self(&len);

	(void)state;
	/* this test binary defines main and imports malloc */
	assert_int_equal(usym_elf_defines(self, len, "main"), 1);
	assert_int_equal(usym_elf_defines(self, len, "malloc"), 0);
	assert_int_equal(usym_elf_defines(self, len, "no_such_function_here"), 0);
	assert_int_equal(usym_elf_defines(junk, sizeof(junk), "main"), -EINVAL);
	assert_int_equal(usym_elf_defines(self, 16, "main"), -EINVAL);	/* cut header */
	free(self);
	assert_int_equal(usym_file_defines("/proc/self/exe", "main"), 1);
	assert_true(usym_file_defines("/nonexistent/file", "main") < 0);
}

static void test_slab_growth_call_sites(void **state)
{
	(void)state;
	/* kernel mode skips a slab site by its call site: the obj_exts
	 * vector of a new slab is allocated from alloc_slab_obj_exts() */
	assert_true(mem_kframe_is_slab_growth("alloc_slab_obj_exts"));
	assert_true(mem_kframe_is_slab_growth("allocate_slab"));
	assert_false(mem_kframe_is_slab_growth("alloc_pipe_info"));
	assert_false(mem_kframe_is_slab_growth("alloc_empty_file"));
	assert_false(mem_kframe_is_slab_growth(NULL));
}

static void test_scan_slice(void **state)
{
	(void)state;
	/* a small map: at least the minimum, so a pass is quick */
	assert_int_equal(mem_scan_slice(0), MEM_SCAN_SLICE_MIN);
	assert_int_equal(mem_scan_slice(MEM_SCAN_SLICE_MIN * MEM_SCAN_PASS), MEM_SCAN_SLICE_MIN);
	/* in between: spread over MEM_SCAN_PASS polls, rounded up */
	assert_int_equal(mem_scan_slice(20000), 20000 / MEM_SCAN_PASS);
	assert_int_equal(mem_scan_slice(20001), 20000 / MEM_SCAN_PASS + 1);
	/* a full default map: capped, the pass takes longer */
	assert_int_equal(mem_scan_slice(262144), MEM_SCAN_SLICE_MAX);
	assert_int_equal(mem_scan_slice(UINT64_MAX), MEM_SCAN_SLICE_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trend_steady_growth),
		cmocka_unit_test(test_held_after_growth_stops),
		cmocka_unit_test(test_held_needs_a_suspect),
		cmocka_unit_test(test_trend_churn_sets_few_highs),
		cmocka_unit_test(test_trend_flat_and_falling),
		cmocka_unit_test(test_trend_uneven_intervals),
		cmocka_unit_test(test_suspect_rule),
		cmocka_unit_test(test_outstanding_clamps),
		cmocka_unit_test(test_kernel_frames),
		cmocka_unit_test(test_slab_growth_call_sites),
		cmocka_unit_test(test_scan_slice),
		cmocka_unit_test(test_maps_parse),
		cmocka_unit_test(test_maps_long_path),
		cmocka_unit_test(test_allocator_rank),
		cmocka_unit_test(test_procstat_starttime),
		cmocka_unit_test(test_elf_defines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
