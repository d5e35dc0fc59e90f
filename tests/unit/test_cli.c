// SPDX-License-Identifier: GPL-2.0
/* Unit tests of core/cli.c: every documented option, and a clear message for every bad one. */
#include <stdarg.h>			/* cmocka 1.1 wants these four first */
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include "core/cli.h"

#define S	1000000000ull

static char err[256];

/* cli_defaults + cli_parse on "ktop" followed by the NULL-terminated args. */
static int parse(struct ktop_opts *o, ...)
{
	char *argv[80];
	int argc = 0;
	va_list ap;

	argv[argc++] = "ktop";
	va_start(ap, o);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	cli_defaults(o);
	memset(err, 0, sizeof(err));
	return cli_parse(argc, argv, o, err, sizeof(err));
}

/* The call fails with -EINVAL and its one-line message contains what. */
#define bad(what, ...) do {						\
	struct ktop_opts o_;						\
	int r_ = parse(&o_, __VA_ARGS__, NULL);				\
	if (r_ != -EINVAL)						\
		fail_msg("expected -EINVAL, got %d for '%s'", r_, what);	\
	if (!strstr(err, what))						\
		fail_msg("message '%s' does not name '%s'", err, what);	\
	assert_null(strchr(err, '\n'));					\
} while (0)

static void test_defaults(void **state)
{
	struct ktop_opts o;

	(void)state;
	assert_int_equal(parse(&o, NULL), CLI_RUN);
	assert_int_equal(o.interval_ns, 1 * S);
	assert_int_equal(o.iterations, 0);
	assert_int_equal(o.npids, 0);
	assert_int_equal(o.first_tab, KTOP_TAB_SYSCALLS);
	assert_int_equal(o.panes, (1u << KTOP_TAB_MAX) - 1);	/* all four */
	assert_false(o.batch);
	assert_false(o.json);
	assert_null(o.output);
	assert_null(o.snapshot_dir);
	assert_null(o.replay);
	assert_int_equal(o.leak_age_ns, 10 * S);
	assert_int_equal(o.mem_mode, KTOP_MEM_KERNEL);	/* no -p: kernel */
}

static void test_batch_json_iterations_delay(void **state)
{
	struct ktop_opts o;

	(void)state;
	assert_int_equal(parse(&o, "-b", "--json", "-n", "5", "-d", "0.5", NULL), CLI_RUN);
	assert_true(o.batch);
	assert_true(o.json);
	assert_int_equal(o.iterations, 5);
	assert_int_equal(o.interval_ns, S / 2);
	assert_int_equal(parse(&o, "--batch", "--iterations=3", "--delay", "2", NULL), CLI_RUN);
	assert_true(o.batch);
	assert_false(o.json);
	assert_int_equal(o.iterations, 3);
	assert_int_equal(o.interval_ns, 2 * S);
	assert_int_equal(parse(&o, "-bn2", "-d250ms", NULL), CLI_RUN);	/* clustered, attached */
	assert_int_equal(o.iterations, 2);
	assert_int_equal(o.interval_ns, S / 4);
	assert_int_equal(parse(&o, "-d", "0.01", NULL), CLI_RUN);		/* the minimum */
	assert_int_equal(o.interval_ns, S / 100);
}

static void test_pids_and_mem_mode(void **state)
{
	struct ktop_opts o;

	(void)state;
	assert_int_equal(parse(&o, "-p", "42", NULL), CLI_RUN);
	assert_int_equal(o.npids, 1);
	assert_int_equal(o.pids[0], 42);
	assert_int_equal(o.mem_mode, KTOP_MEM_USER);		/* -p makes user the default */
	assert_true(o.own_uprobes);		/* ... so Syscalls labels ktop's uprobe syscalls */
	assert_int_equal(parse(&o, "-p", "42", "--panes", "syscalls", NULL), CLI_RUN);
	assert_false(o.own_uprobes);		/* no Memory tab, no uprobes */
	assert_int_equal(parse(&o, "-p", "1", "--pid=4194304", NULL), CLI_RUN);	/* repeatable; pid_max */
	assert_int_equal(o.npids, 2);
	assert_int_equal(o.pids[1], 4194304);
	assert_int_equal(o.mem_mode, KTOP_MEM_KERNEL);		/* two PIDs: kernel */
	assert_false(o.own_uprobes);
	assert_int_equal(parse(&o, "-p", "7", "--mem-mode", "kernel", NULL), CLI_RUN);
	assert_int_equal(o.mem_mode, KTOP_MEM_KERNEL);		/* explicit wins */
	assert_int_equal(parse(&o, "-p", "7", "--mem-mode=user", NULL), CLI_RUN);
	assert_int_equal(o.mem_mode, KTOP_MEM_USER);
}

static void test_tabs_and_panes(void **state)
{
	static const char *const names[] = { "syscalls", "memory", "locks", "io" };
	struct ktop_opts o;
	int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		assert_int_equal(parse(&o, "-t", names[i], NULL), CLI_RUN);
		assert_int_equal(o.first_tab, i);
		assert_int_equal(parse(&o, "--panes", names[i], NULL), CLI_RUN);
		assert_int_equal(o.panes, 1u << i);
		assert_string_equal(ktop_tab_names[i], names[i]);
	}
	assert_int_equal(parse(&o, "--tab=io", "--panes=syscalls,io", NULL), CLI_RUN);
	assert_int_equal(o.first_tab, KTOP_TAB_IO);
	assert_int_equal(o.panes, 1u << KTOP_TAB_SYSCALLS | 1u << KTOP_TAB_IO);
	assert_int_equal(parse(&o, "--panes", "locks,locks", NULL), CLI_RUN);
	assert_int_equal(o.panes, 1u << KTOP_TAB_LOCKS);
	assert_int_equal(parse(&o, "--panes", "all", NULL), CLI_RUN);
	assert_int_equal(o.panes, 0xfu);
}

static void test_files_and_durations(void **state)
{
	struct ktop_opts o;

	(void)state;
	assert_int_equal(parse(&o, "-b", "-o", "out.txt", "--snapshot-dir", "/tmp/s",
			       "--leak-age", "30", NULL), CLI_RUN);
	assert_string_equal(o.output, "out.txt");
	assert_string_equal(o.snapshot_dir, "/tmp/s");
	assert_int_equal(o.leak_age_ns, 30 * S);
	assert_int_equal(parse(&o, "--output=x.json", "-b", "--json", NULL), CLI_RUN);
	assert_string_equal(o.output, "x.json");
	assert_int_equal(parse(&o, "--replay", "rec.ndjson", "--no-color", "-v", "-v", NULL), CLI_RUN);
	assert_string_equal(o.replay, "rec.ndjson");
	assert_true(o.no_color);
	assert_int_equal(o.verbose, 2);
	/* a recording as reports: --replay with -b (and --json, -o) */
	assert_int_equal(parse(&o, "--replay", "rec.ndjson", "-b", "--json", "-o", "x", NULL), CLI_RUN);
	assert_true(o.batch && o.json);
	assert_string_equal(o.replay, "rec.ndjson");
	assert_int_equal(parse(&o, "--mem-max", "1024", "--lock-long", "2ms", "--io-slow", "0.5",
			       "--io-flag", "250ms", NULL), CLI_RUN);
	assert_int_equal(o.mem_max_outstanding, 1024);
	assert_int_equal(o.lock_long_ns, 2000000);
	assert_int_equal(o.io_slow_ns, S / 2);
	assert_int_equal(o.io_flag_p95_ns, S / 4);
}

static void test_recorder_options(void **state)
{
	struct ktop_opts o;

	(void)state;
	assert_int_equal(parse(&o, NULL), CLI_RUN);
	assert_true(o.keep_ns == 120 * S && o.keep_mem == 64ull << 20);	/* on by default */
	assert_true(o.after_ns == 10 * S && o.cooldown_ns == 60 * S && o.ntriggers == 0);
	assert_int_equal(parse(&o, "--keep", "10m", "--keep-mem", "8MiB", "--after", "5s",
			       "--cooldown", "1h", "--min-free", "2G", NULL), CLI_RUN);
	assert_true(o.keep_ns == 600 * S && o.keep_mem == 8ull << 20);
	assert_true(o.after_ns == 5 * S && o.cooldown_ns == 3600 * S && o.min_free == 2ull << 30);
	assert_int_equal(parse(&o, "--keep", "0", "--keep-mem", "65536", NULL), CLI_RUN);
	assert_true(o.keep_ns == 0 && o.keep_mem == 65536);
	assert_int_equal(parse(&o, "--record", "--trigger", "lost>0", "--trigger=io.p99>50ms", NULL),
			 CLI_RUN);
	assert_true(o.record && o.ntriggers == 2);
	assert_string_equal(o.triggers[1].expr, "io.p99>50ms");
	bad("--keep", "--keep", "0.5");
	bad("--keep", "--keep", "25h");
	bad("--keep-mem", "--keep-mem", "1KiB");
	bad("--keep-mem", "--keep-mem", "12XB");
	bad("--after", "--after", "-1");
	bad("column 8", "--trigger", "io.p99>>50ms");
	bad("--record needs", "--record");
	bad("not with -b", "--record", "-b", "--trigger", "lost>0");
	bad("--keep 0", "--keep", "0", "--trigger", "lost>0");
}

static void test_help_version(void **state)
{
	struct ktop_opts o;

	(void)state;
	assert_int_equal(parse(&o, "-h", NULL), CLI_HELP);
	assert_int_equal(parse(&o, "--help", NULL), CLI_HELP);
	assert_int_equal(parse(&o, "-V", NULL), CLI_VERSION);
	assert_int_equal(parse(&o, "--version", NULL), CLI_VERSION);
	assert_int_equal(parse(&o, "-V", "-h", NULL), CLI_HELP);	/* help wins */
	assert_int_equal(parse(&o, "--json", "-h", NULL), CLI_HELP);	/* no -b needed to ask for help */
	/* but a bad value is still reported */
	bad("-d", "-h", "-d", "x");
}

/* The help text lists every option of the contract in ARCHITECTURE.md. */
static void test_usage_lists_every_option(void **state)
{
	static const char *const opts[] = {
		"-b, --batch", "--json", "-n, --iterations", "-d, --delay", "-p, --pid",
		"-t, --tab", "--panes", "-o, --output", "--leak-age", "--mem-mode",
		"--snapshot-dir", "-h, --help", "-V, --version", "--listen", "--metrics-top", "-q, --quiet",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (!strstr(cli_usage(), opts[i]))
			fail_msg("--help does not mention '%s'", opts[i]);
}

static void test_bad_delay(void **state)
{
	(void)state;
	bad("-d", "-d", "abc");
	bad("-d", "-d", "0");
	bad("-d", "-d", "-1");
	bad("-d", "-d", "");
	bad("-d", "-d", "nan");
	bad("-d", "-d", "inf");
	bad("-d", "-d", "1x");
	bad("-d", "-d", "1 s");
	bad("-d", "-d", "0.001");		/* below the 0.01 s minimum */
	bad("-d", "-d", "86401");		/* more than a day */
	bad("-d", "--delay=");
	bad("-d", "-d");			/* missing value */
	bad("--delay", "--delay");
}

static void test_bad_iterations(void **state)
{
	(void)state;
	bad("-n", "-n", "abc");
	bad("-n", "-n", "0");
	bad("-n", "-n", "-3");
	bad("-n", "-n", "+3");
	bad("-n", "-n", " 3");
	bad("-n", "-n", "3x");
	bad("-n", "-n", "1.5");
	bad("-n", "-n", "99999999999999999999999");
	bad("-n", "-n", "");
}

static void test_bad_pid(void **state)
{
	char *argv[2 * KTOP_MAX_PIDS + 4];
	struct ktop_opts o;
	int i, argc = 0;

	(void)state;
	bad("-p", "-p", "abc");
	bad("-p", "-p", "-1");
	bad("-p", "-p", "0");
	bad("-p", "-p", "12abc");
	bad("-p", "-p", "4194305");		/* above PID_MAX_LIMIT */
	bad("-p", "--pid", "");
	/* one more -p than fit */
	argv[argc++] = "ktop";
	for (i = 0; i <= KTOP_MAX_PIDS; i++) {
		argv[argc++] = "-p";
		argv[argc++] = "1";
	}
	cli_defaults(&o);
	assert_int_equal(cli_parse(argc, argv, &o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "-p"));
	assert_int_equal(o.npids, KTOP_MAX_PIDS);
}

static void test_bad_names(void **state)
{
	(void)state;
	bad("-t", "-t", "foo");
	bad("-t", "-t", "Syscalls");		/* exact spelling only */
	bad("-t", "-t", "");
	bad("--panes", "--panes", "foo");
	bad("--panes", "--panes", "syscalls,bogus");
	bad("--panes", "--panes", "");
	bad("--panes", "--panes", ",");
	bad("--panes", "--panes", "syscalls,memory,locks,io,syscalls,memory,locks,io,syscalls,"
	    "memory,locks,io,syscalls,memory,locks,io,syscalls,memory,locks,io,syscalls,memory");
	bad("--mem-mode", "--mem-mode", "both");
	bad("--mem-max", "--mem-max", "10");
	bad("--mem-max", "--mem-max", "99999999");
	bad("--leak-age", "--leak-age", "-5");
	bad("--lock-long", "--lock-long", "x");
	bad("--io-slow", "--io-slow", "0");
	bad("--io-flag", "--io-flag", "soon");
	bad("-o", "-b", "-o", "");
	bad("--snapshot-dir", "--snapshot-dir", "");
	bad("--replay", "--replay", "");
}

static void test_bad_combinations(void **state)
{
	(void)state;
	bad("--json", "--json");			/* needs -b */
	bad("-o", "-o", "f");				/* needs -b */
	bad("--mem-mode", "--mem-mode", "user");	/* needs one -p */
	bad("--mem-mode", "--mem-mode", "user", "-p", "1", "-p", "2");
	bad("foo", "foo");				/* stray argument */
	bad("foo", "-b", "--", "foo");
}

static void test_unknown_options(void **state)
{
	(void)state;
	bad("-x", "-x");
	bad("-x", "-bx");
	bad("-x", "--json", "-xb");			/* not blamed on the previous word */
	bad("--bogus", "--bogus");
	bad("--bogus", "--bogus=1");
	bad("'-'", "-");			/* a lone dash is an argument here */
}

/* A known option given a value it does not take is not "unknown", and the
 * message names the option as typed. */
static void test_flag_given_a_value(void **state)
{
	(void)state;
	bad("--batch", "--batch=1");
	bad("--json", "-b", "--json=yes");
	bad("--no-color", "--no-color=1");
	bad("--verbose", "--verbose=2");
	bad("--help", "--help=me");
}

/* getopt state is reset on every call: an error does not leak into the next parse. */
static void test_reparse(void **state)
{
	struct ktop_opts o;

	(void)state;
	bad("-x", "-bx");
	assert_int_equal(parse(&o, "-b", "-n", "1", NULL), CLI_RUN);
	assert_int_equal(o.iterations, 1);
	bad("-d", "-d");
	assert_int_equal(parse(&o, "-d", "3", NULL), CLI_RUN);
	assert_int_equal(o.interval_ns, 3 * S);
}

static void test_parse_secs(void **state)
{
	uint64_t ns = 0;

	(void)state;
	assert_int_equal(cli_parse_secs("1", &ns), 0);
	assert_int_equal(ns, S);
	assert_int_equal(cli_parse_secs("0.25", &ns), 0);
	assert_int_equal(ns, S / 4);
	assert_int_equal(cli_parse_secs("2s", &ns), 0);
	assert_int_equal(ns, 2 * S);
	assert_int_equal(cli_parse_secs("500ms", &ns), 0);
	assert_int_equal(ns, S / 2);
	assert_int_equal(cli_parse_secs("250us", &ns), 0);
	assert_int_equal(ns, 250000);
	assert_int_equal(cli_parse_secs("86400", &ns), 0);	/* one day: the limit */
	assert_int_equal(ns, 86400 * S);
	ns = 12345;
	assert_int_equal(cli_parse_secs("86401", &ns), -EINVAL);
	assert_int_equal(cli_parse_secs("0", &ns), -EINVAL);
	assert_int_equal(cli_parse_secs("-1", &ns), -EINVAL);
	assert_int_equal(cli_parse_secs("", &ns), -EINVAL);
	assert_int_equal(cli_parse_secs(NULL, &ns), -EINVAL);
	assert_int_equal(cli_parse_secs("1m", &ns), -EINVAL);	/* minutes are not a unit */
	assert_int_equal(cli_parse_secs("1 s", &ns), -EINVAL);
	assert_int_equal(cli_parse_secs("nan", &ns), -EINVAL);
	assert_int_equal(cli_parse_secs("infinity", &ns), -EINVAL);
	assert_int_equal(cli_parse_secs("1e-12", &ns), -EINVAL);	/* rounds to 0 ns */
	assert_int_equal(cli_parse_secs("1e999", &ns), -EINVAL);	/* ERANGE */
}

/* --listen, --metrics-top, -q: what they take and what they refuse. */
static void test_metrics_options(void **state)
{
	struct ktop_opts o;

	(void)state;
	assert_int_equal(parse(&o, NULL), CLI_RUN);
	assert_null(o.listen);
	assert_int_equal(o.metrics_top, 10);
	assert_false(o.quiet);
	assert_int_equal(parse(&o, "-b", "-q", "--listen", "9580", "--metrics-top", "200", NULL), CLI_RUN);
	assert_string_equal(o.listen, "9580");
	assert_int_equal(o.metrics_top, 200);
	assert_true(o.quiet);
	assert_int_equal(parse(&o, "--listen=[::1]:9580", NULL), CLI_RUN);	/* the dashboard too */
	bad("--listen", "--listen", "1.2.3.4");
	bad("--listen", "--listen", "example.com:80");
	bad("--listen", "--listen", ":0");
	bad("--metrics-top", "--metrics-top", "0");
	bad("--metrics-top", "--metrics-top", "201");
	bad("-q", "-q");
	bad("--replay", "--listen", "9580", "--replay", "x.json");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_batch_json_iterations_delay),
		cmocka_unit_test(test_pids_and_mem_mode),
		cmocka_unit_test(test_tabs_and_panes),
		cmocka_unit_test(test_files_and_durations),
		cmocka_unit_test(test_recorder_options),
		cmocka_unit_test(test_help_version),
		cmocka_unit_test(test_usage_lists_every_option),
		cmocka_unit_test(test_bad_delay),
		cmocka_unit_test(test_bad_iterations),
		cmocka_unit_test(test_bad_pid),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_bad_combinations),
		cmocka_unit_test(test_unknown_options),
		cmocka_unit_test(test_flag_given_a_value),
		cmocka_unit_test(test_reparse),
		cmocka_unit_test(test_parse_secs),
		cmocka_unit_test(test_metrics_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
