// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the generated syscall-name tables and their lookups (core/syscall_names.c). */
#include <stdarg.h>			/* cmocka 1.1 wants these four first */
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <sys/syscall.h>
#include "core/syscall_names.h"

struct known {
	int nr;
	const char *name;
};

/* From the kernel's arch/x86/entry/syscalls/syscall_64.tbl. */
static const struct known x86_64[] = {
	{ 0, "read" }, { 1, "write" }, { 2, "open" }, { 3, "close" }, { 39, "getpid" },
	{ 57, "fork" }, { 59, "execve" }, { 60, "exit" }, { 110, "getppid" },
	{ 202, "futex" }, { 230, "clock_nanosleep" }, { 231, "exit_group" },
	{ 257, "openat" }, { 435, "clone3" },
	/* newer than Debian 12's headers: named from the committed kernel table */
	{ 335, "uretprobe" }, { 336, "uprobe" }, { 451, "cachestat" }, { 452, "fchmodat2" },
	{ 454, "futex_wake" }, { 455, "futex_wait" }, { 456, "futex_requeue" },
	{ 457, "statmount" }, { 458, "listmount" }, { 459, "lsm_get_self_attr" },
	{ 461, "lsm_list_modules" }, { 462, "mseal" }, { 463, "setxattrat" },
	{ 467, "open_tree_attr" }, { 469, "file_setattr" },
};

/* From include/uapi/asm-generic/unistd.h, which arm64 uses. */
static const struct known arm64[] = {
	{ 56, "openat" }, { 57, "close" }, { 63, "read" }, { 64, "write" },
	{ 80, "fstat" }, { 93, "exit" }, { 94, "exit_group" }, { 98, "futex" },
	{ 115, "clock_nanosleep" }, { 172, "getpid" }, { 173, "getppid" },
	{ 220, "clone" }, { 221, "execve" }, { 435, "clone3" },
	/* these three exist only because of arm64's __ARCH_WANT_* choices */
	{ 38, "renameat" }, { 163, "getrlimit" }, { 447, "memfd_secret" },
	/* the same numbers as x86_64 from 424 on */
	{ 451, "cachestat" }, { 452, "fchmodat2" }, { 455, "futex_wait" },
	{ 457, "statmount" }, { 458, "listmount" }, { 462, "mseal" }, { 463, "setxattrat" },
};

static void check_known(const char *arch, const struct known *k, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *name = syscall_name(arch, k[i].nr);

		if (!name || strcmp(name, k[i].name))
			fail_msg("%s: syscall %d is '%s', expected '%s'", arch, k[i].nr,
				 name ? name : "(null)", k[i].name);
		assert_int_equal(syscall_nr(arch, k[i].name), k[i].nr);
	}
}

static void test_x86_64_known(void **state)
{
	(void)state;
	check_known("x86_64", x86_64, sizeof(x86_64) / sizeof(x86_64[0]));
}

static void test_arm64_known(void **state)
{
	(void)state;
	check_known("arm64", arm64, sizeof(arm64) / sizeof(arm64[0]));
	check_known("aarch64", arm64, 3);	/* uname's spelling works too */
	/* the generic table has no legacy calls */
	assert_int_equal(syscall_nr("arm64", "open"), -1);
	assert_int_equal(syscall_nr("arm64", "fork"), -1);
	assert_int_equal(syscall_nr("arm64", "getpgrp"), -1);
	assert_int_equal(syscall_nr("arm64", "uretprobe"), -1);	/* x86 only */
	assert_int_equal(syscall_nr("arm64", "nfsservctl"), -1);	/* gone from the table */
	assert_int_equal(syscall_nr("arm64", "fstatat64"), -1);	/* 32-bit ABI row */
}

static void test_unknown(void **state)
{
	(void)state;
	assert_null(syscall_name("x86_64", -1));
	assert_null(syscall_name("x86_64", 100000));
	assert_null(syscall_name("x86_64", 400));	/* 387..423 are x32-only numbers */
	assert_null(syscall_name("arm64", -1));
	assert_null(syscall_name("arm64", 244));	/* arch-specific range, unused on arm64 */
	assert_null(syscall_name("arm64", 5000));
	assert_null(syscall_name("mips", 0));
	assert_null(syscall_name("", 0));
	assert_int_equal(syscall_nr("x86_64", "no_such_call"), -1);
	assert_int_equal(syscall_nr("x86_64", ""), -1);
	assert_int_equal(syscall_nr("x86_64", "__NR_read"), -1);
	assert_int_equal(syscall_nr("mips", "read"), -1);
}

/* NULL means this machine: must agree with libc's numbers. */
static void test_host_matches_libc(void **state)
{
	(void)state;
	assert_string_equal(syscall_name(NULL, SYS_getppid), "getppid");
	assert_string_equal(syscall_name(NULL, SYS_read), "read");
	assert_string_equal(syscall_name(NULL, SYS_write), "write");
	assert_string_equal(syscall_name(NULL, SYS_clock_nanosleep), "clock_nanosleep");
	assert_string_equal(syscall_name(NULL, SYS_openat), "openat");
	assert_int_equal(syscall_nr(NULL, "exit_group"), SYS_exit_group);
	assert_int_equal(syscall_nr(NULL, "futex"), SYS_futex);
}

/* Whole tables: plausible size, unique numbers and names, clean names. */
static void check_table(const struct ktop_syscall_name *t, unsigned len, unsigned min,
			const char *arch)
{
	unsigned i, j;
	const char *c;

	assert_true(len >= min);
	for (i = 0; i < len; i++) {
		assert_true(t[i].nr >= 0 && t[i].nr < 1024);
		assert_non_null(t[i].name);
		assert_true(t[i].name[0] != 0);
		for (c = t[i].name; *c; c++)
			assert_true((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_');
		assert_null(strstr(t[i].name, "syscalls"));	/* __NR_syscalls is a count */
		for (j = 0; j < i; j++) {
			assert_int_not_equal(t[i].nr, t[j].nr);
			assert_string_not_equal(t[i].name, t[j].name);
		}
		assert_string_equal(syscall_name(arch, t[i].nr), t[i].name);
		assert_int_equal(syscall_nr(arch, t[i].name), t[i].nr);
	}
}

static void test_tables_consistent(void **state)
{
	(void)state;
	/* Linux 6.x: x86_64 has about 370 calls, the generic table about 310 */
	check_table(ktop_syscalls_x86_64, ktop_syscalls_x86_64_len, 330, "x86_64");
	check_table(ktop_syscalls_arm64, ktop_syscalls_arm64_len, 280, "arm64");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_x86_64_known),
		cmocka_unit_test(test_arm64_known),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_host_matches_libc),
		cmocka_unit_test(test_tables_consistent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
