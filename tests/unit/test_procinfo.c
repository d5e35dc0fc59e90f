// SPDX-License-Identifier: GPL-2.0
/* Unit tests of core/procinfo.c: process liveness, one by one and per sweep. */
#include <stdarg.h>			/* cmocka 1.1 wants these four first */
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "core/procinfo.h"
#include "testutil.h"

/* A child that has exited and been reaped: its pid is free (for now). */
static pid_t reaped_child(void)
{
	pid_t p = fork();

	assert_true(p >= 0);
	if (p == 0)
		_exit(0);
	assert_int_equal(waitpid(p, NULL, 0), p);
	return p;
}

/* A child that has exited and not been reaped: a zombie, listed in /proc. */
static pid_t zombie_child(void)
{
	pid_t p = fork();
	siginfo_t si;

	assert_true(p >= 0);
	if (p == 0)
		_exit(0);
	memset(&si, 0, sizeof(si));
	assert_int_equal(waitid(P_PID, (id_t)p, &si, WEXITED | WNOWAIT), 0);
	return p;
}

static void test_alive_one_by_one(void **state)
{
	pid_t gone = reaped_child(), z = zombie_child();

	(void)state;
	assert_true(proc_alive((uint32_t)getpid()));
	assert_true(proc_alive(1));
	assert_false(proc_alive((uint32_t)gone));
	assert_false(proc_alive((uint32_t)z));		/* a zombie counts as gone */
	assert_false(proc_alive(UINT32_MAX));
	waitpid(z, NULL, 0);
}

/* The sweep's answers agree with proc_alive(), and a tgid is asked once. */
static void test_live_set(void **state)
{
	pid_t gone = reaped_child(), z = zombie_child();
	struct proc_live l;
	int i;

	(void)state;
	proc_live_begin(&l);
	assert_true(l.have_listing);
	assert_non_null(u64map_get(&l.listed, (uint64_t)getpid()));
	assert_non_null(u64map_get(&l.listed, (uint64_t)z));	/* zombies are listed */
	assert_null(u64map_get(&l.listed, (uint64_t)gone));
	for (i = 0; i < 2; i++) {			/* the second round is cached */
		assert_true(proc_live_alive(&l, (uint32_t)getpid()));
		assert_true(proc_live_alive(&l, 1));
		assert_false(proc_live_alive(&l, (uint32_t)gone));
		assert_false(proc_live_alive(&l, (uint32_t)z));
		assert_false(proc_live_alive(&l, UINT32_MAX));
	}
	/* not listed: settled without asking /proc/PID/stat */
	assert_null(u64map_get(&l.seen, (uint64_t)gone));
	assert_non_null(u64map_get(&l.seen, (uint64_t)z));
	assert_int_equal(l.seen.n, 3);			/* getpid, 1, the zombie */
	proc_live_end(&l);
	waitpid(z, NULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alive_one_by_one),
		cmocka_unit_test(test_live_set),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
