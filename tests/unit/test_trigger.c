// SPDX-License-Identifier: GPL-2.0
/* Unit tests of core/trigger.c: the expression parser, its errors, and the test on a snapshot. */
#include <stdarg.h>			/* cmocka 1.1 wants these four first */
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/trigger.h"

static void test_parse_forms(void **state)
{
	struct ktop_trigger t;
	char err[256] = "";

	(void)state;
	assert_int_equal(trigger_parse("io.p99>50ms", &t, err, sizeof(err)), 0);
	assert_int_equal(t.tab, KTOP_TAB_IO);
	assert_string_equal(t.sel, "");
	assert_int_equal(t.op, TRIG_GT);
	assert_true(t.value == 50e6);
	assert_false(t.per_s);

	assert_int_equal(trigger_parse("io[vda].p999>200ms", &t, err, sizeof(err)), 0);
	assert_string_equal(t.sel, "vda");
	assert_true(t.value == 200e6);

	assert_int_equal(trigger_parse("syscalls[futex].p99 >= 10.5us", &t, err, sizeof(err)), 0);
	assert_int_equal(t.tab, KTOP_TAB_SYSCALLS);
	assert_string_equal(t.sel, "futex");
	assert_int_equal(t.op, TRIG_GE);
	assert_true(t.value == 10500);

	assert_int_equal(trigger_parse("locks.wait>100ms/s", &t, err, sizeof(err)), 0);
	assert_int_equal(t.tab, KTOP_TAB_LOCKS);
	assert_true(t.per_s);
	assert_true(t.value == 100e6);

	assert_int_equal(trigger_parse("memory.suspect", &t, err, sizeof(err)), 0);
	assert_int_equal(t.op, TRIG_TRUE);

	assert_int_equal(trigger_parse("lost>0", &t, err, sizeof(err)), 0);
	assert_int_equal(t.tab, -1);
	assert_true(t.value == 0);

	assert_int_equal(trigger_parse("memory.outstanding>1.5GiB", &t, err, sizeof(err)), 0);
	assert_true(t.value == 1.5 * 1073741824.0);
	assert_int_equal(trigger_parse("io[sda:write].bytes>10MB/s", &t, err, sizeof(err)), 0);
	assert_true(t.value == 10e6 && t.per_s);
	assert_int_equal(trigger_parse("syscalls.count>=2k/s", &t, err, sizeof(err)), 0);
	assert_true(t.value == 2000 && t.per_s);
	assert_int_equal(trigger_parse("syscalls[read].errors!=0", &t, err, sizeof(err)), 0);
	assert_int_equal(t.op, TRIG_NE);
	assert_int_equal(trigger_parse("io.count<1", &t, err, sizeof(err)), 0);
	assert_int_equal(t.op, TRIG_LT);
}

/* The error names the column of the offending character. */
static void expect_err(const char *expr, int col)
{
	struct ktop_trigger t;
	char err[256] = "", want[32];

	if (trigger_parse(expr, &t, err, sizeof(err)) != -EINVAL)
		fail_msg("'%s' parsed", expr);
	snprintf(want, sizeof(want), "column %d,", col);
	if (!strstr(err, want))
		fail_msg("'%s': wanted '%s' in: %s", expr, want, err);
	if (!strstr(err, "--trigger '"))
		fail_msg("'%s': the message does not quote the expression: %s", expr, err);
}

static void test_parse_errors(void **state)
{
	(void)state;
	expect_err("", 1);
	expect_err("   ", 4);
	expect_err("sys.p99>1ms", 1);
	expect_err("io", 3);
	expect_err("io.", 4);
	expect_err("io.bogus>1ms", 4);
	expect_err("io[vda.p99>1ms", 15);
	expect_err("io[].p99>1ms", 4);
	expect_err("io.p99", 7);
	expect_err("io.p99>>50ms", 8);
	expect_err("io.p99~50ms", 7);
	expect_err("io.p99>50", 10);		/* a time needs a unit */
	expect_err("io.p99>50MiB", 10);		/* wrong unit */
	expect_err("io.p99>50xs", 10);		/* unknown unit */
	expect_err("io.p99>50ms/s", 12);	/* a percentile has no rate */
	expect_err("io.count>5/m", 11);
	expect_err("io.p99>-1ms", 8);
	expect_err("io.p99>1e3ms", 9);
	expect_err("io.p99>nanms", 8);
	expect_err("io.p99>1.ms", 8);
	expect_err("io.p99>5ms and", 12);
	expect_err("memory.outstanding>1MiB/s", 24);
	expect_err("lost", 5);
	expect_err("lost.count>1", 5);
	expect_err("syscalls[a\x01].p99>1ms", 11);
	expect_err("io.p99>123456789012345678901ms", 8);
}

static void test_name_is_safe(void **state)
{
	static const char *const exprs[] = {
		"io[../../etc/passwd].p99>1ms", "syscalls[a b/c].count>1/s", "io[.].p99>1ms",
		"io[-rf].p99>1ms", "memory[\xc3\xa9t\xc3\xa9].suspect", "locks[x\\y].wait>1ms/s",
	};
	struct ktop_trigger t;
	char err[256];
	unsigned i;
	const char *p;

	(void)state;
	assert_int_equal(trigger_parse("syscalls[nanosleep].p99>50ms", &t, err, sizeof(err)), 0);
	assert_string_equal(t.name, "syscalls_nanosleep_.p99_gt_50ms");
	for (i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++) {
		assert_int_equal(trigger_parse(exprs[i], &t, err, sizeof(err)), 0);
		assert_true(t.name[0] && t.name[0] != '.' && t.name[0] != '-');
		assert_null(strstr(t.name, ".."));
		for (p = t.name; *p; p++)
			if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *p))
				fail_msg("'%s' names a file '%s'", exprs[i], t.name);
	}
}

static struct ktop_snapshot *snap(void)
{
	struct ktop_snapshot *s = calloc(1, sizeof(*s));
	int i;

	assert_non_null(s);
	s->interval_ns = 500000000;		/* rates are per second: x2 */
	for (i = 0; i < KTOP_TAB_MAX; i++)
		s->tab[i].state = KTOP_TAB_RUNNING;
	s->sc.nrows = 2;
	strcpy(s->sc.rows[0].name, "futex");
	s->sc.rows[0].nr = 202;
	s->sc.rows[0].count = 100;
	s->sc.rows[0].p99_ns = 20000000;
	s->sc.rows[0].max_ns = 30000000;
	strcpy(s->sc.rows[1].name, "read");
	s->sc.rows[1].count = 50;
	s->sc.rows[1].p99_ns = 1000;
	s->io.nrows = 2;
	strcpy(s->io.rows[0].disk, "vda");
	strcpy(s->io.rows[0].op, "write");
	s->io.rows[0].p999_ns = 300000000;
	s->io.rows[0].count = 10;
	strcpy(s->io.rows[1].disk, "vdb");
	strcpy(s->io.rows[1].op, "read");
	s->io.rows[1].p999_ns = 1000000;
	s->io.rows[1].count = 30;
	s->lock.nrows = 1;
	strcpy(s->lock.rows[0].symbol, "jiffies_lock+0x0");
	strcpy(s->lock.rows[0].type, "spinlock");
	s->lock.rows[0].total_wait_ns = 10000000;
	s->lock.total_wait_ns = 60000000;		/* more locks than rows */
	s->mem.nrows = 2;
	s->mem.rows[0].pid = 42;
	strcpy(s->mem.rows[0].comm, "hoard");
	s->mem.rows[1].pid = 43;
	strcpy(s->mem.rows[1].comm, "fine");
	return s;
}

static int holds(const char *expr, const struct ktop_snapshot *s, char *what, size_t n)
{
	struct ktop_trigger t;
	char err[256];

	if (trigger_parse(expr, &t, err, sizeof(err)))
		fail_msg("%s", err);
	return trigger_eval(&t, s, what, n);
}

static void test_eval(void **state)
{
	struct ktop_snapshot *s = snap();
	char what[200];

	(void)state;
	assert_true(holds("syscalls.p99>10ms", s, what, sizeof(what)));
	assert_string_equal(what, "syscalls[futex].p99 = 20.0ms");
	assert_false(holds("syscalls.p99>20ms", s, NULL, 0));
	assert_true(holds("syscalls.p99>=20ms", s, NULL, 0));
	assert_true(holds("syscalls[futex].max==30ms", s, NULL, 0));
	assert_false(holds("syscalls[read].p99>10ms", s, NULL, 0));
	assert_true(holds("syscalls[202].p99>10ms", s, NULL, 0));	/* by number */
	/* counters sum over the rows; per second over the 0.5 s interval */
	assert_true(holds("syscalls.count==150", s, NULL, 0));
	assert_true(holds("syscalls.count>=300/s", s, what, sizeof(what)));
	assert_string_equal(what, "syscalls.count = 300/s");
	assert_false(holds("syscalls.count>300/s", s, NULL, 0));
	/* io: by disk, by op, by disk:op */
	assert_true(holds("io[vda].p999>200ms", s, what, sizeof(what)));
	assert_string_equal(what, "io[vda].p999 = 300ms");
	assert_false(holds("io[vdb].p999>200ms", s, NULL, 0));
	assert_true(holds("io[read].count==30", s, NULL, 0));
	assert_true(holds("io[vda:write].count==10", s, NULL, 0));
	assert_true(holds("io[nvme0n1].count==0", s, NULL, 0));	/* no row: nothing counted */
	/* locks: without a selector the tab's total, beyond its rows */
	assert_true(holds("locks.wait>100ms/s", s, NULL, 0));		/* 60 ms in 0.5 s */
	assert_false(holds("locks[jiffies_lock].wait>100ms/s", s, NULL, 0));
	assert_true(holds("locks[jiffies_lock].wait>=20ms/s", s, NULL, 0));
	assert_true(holds("locks[spinlock].wait==10ms", s, NULL, 0));
	/* memory */
	assert_false(holds("memory.suspect", s, NULL, 0));
	s->mem.rows[0].suspect = 1;
	assert_true(holds("memory.suspect", s, what, sizeof(what)));
	assert_string_equal(what, "memory[42].suspect = yes");
	assert_true(holds("memory[hoard].suspect", s, NULL, 0));
	assert_false(holds("memory[fine].suspect", s, NULL, 0));
	assert_false(holds("memory[43].suspect", s, NULL, 0));
	/* lost */
	assert_false(holds("lost>0", s, NULL, 0));
	s->lost_events = 3;
	assert_true(holds("lost>0", s, what, sizeof(what)));
	assert_string_equal(what, "lost = 3");
	/* a tab that is not running never holds a figure */
	s->tab[KTOP_TAB_IO].state = KTOP_TAB_DISABLED;
	assert_false(holds("io[vda].p999>200ms", s, NULL, 0));
	free(s);
}

static void test_worst(void **state)
{
	struct ktop_snapshot *s = snap();
	double a = 0, b = 0;
	char key[64];

	(void)state;
	assert_int_equal(trigger_row_key(KTOP_TAB_IO, s, 0, key, sizeof(key)), 0);
	assert_string_equal(key, "vda:write");
	assert_int_equal(trigger_row_key(KTOP_TAB_IO, s, 2, key, sizeof(key)), -ERANGE);
	assert_int_equal(trigger_row_badness(KTOP_TAB_SYSCALLS, s, "futex", &a, &b), 0);
	assert_true(a == 20000000 && b == 30000000);
	assert_int_equal(trigger_row_badness(KTOP_TAB_LOCKS, s, "jiffies_lock+0x0", &a, &b), 0);
	assert_true(a == 10000000);
	assert_int_equal(trigger_row_key(KTOP_TAB_MEMORY, s, 1, key, sizeof(key)), 0);
	assert_string_equal(key, "43");
	assert_int_equal(trigger_row_badness(KTOP_TAB_SYSCALLS, s, "write", &a, &b), -ENOENT);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_forms),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_name_is_safe),
		cmocka_unit_test(test_eval),
		cmocka_unit_test(test_worst),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
