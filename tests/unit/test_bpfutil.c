// SPDX-License-Identifier: GPL-2.0
/* Unit tests of core/bpfutil.c's pure parts: the verifier's last words, how libbpf's load failures are noted. */
#include <stdarg.h>			/* cmocka 1.1 wants these four first */
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "core/bpfutil.h"
#include "core/msg.h"
#include "core/snapshot.h"

/* The tail of a 6.1 rejection, as libbpf hands it over. */
static const char log61[] =
	"reg type unsupported for arg#0 function sys_exit_btf#57\n"
	"0: R1=ctx(off=0,imm=0) R10=fp0\n"
	"; h->slots[idx]++;\n"
	"57: (79) r1 = *(u64 *)(r0 +0)\n"
	"R0 unbounded memory access, make sure to bounds check any such access\n"
	"processed 61 insns (limit 1000000) max_states_per_insn 0 total_states 3\n"
	"\n";

static void test_tail_skips_statistics(void **state)
{
	char out[256];

	(void)state;
	verifier_tail(log61, 1, out, sizeof(out));
	assert_string_equal(out, "R0 unbounded memory access, make sure to bounds check any such access");
	verifier_tail(log61, 2, out, sizeof(out));
	assert_string_equal(out, "57: (79) r1 = *(u64 *)(r0 +0) | "
			    "R0 unbounded memory access, make sure to bounds check any such access");
}

static void test_tail_short_and_empty(void **state)
{
	char out[64];

	(void)state;
	verifier_tail("", 3, out, sizeof(out));
	assert_string_equal(out, "");
	verifier_tail("only\tline", 3, out, sizeof(out));
	assert_string_equal(out, "only line");		/* no control characters */
	verifier_tail(log61, 8, out, sizeof(out));	/* cut to the buffer, terminated */
	assert_int_equal(strlen(out), sizeof(out) - 1);
}

/* libbpf's own print callback, as msg_hook_libbpf() installs it. */
static void libbpf_says(libbpf_print_fn_t fn, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fn(LIBBPF_WARN, fmt, ap);
	va_end(ap);
}

static void test_load_failure_noted(void **state)
{
	libbpf_print_fn_t fn;
	struct ktop_tab_status st;

	(void)state;
	msg_hook_libbpf(0);
	fn = libbpf_set_print(NULL);	/* get the hook back to call it */
	msg_load_reset();
	libbpf_says(fn, "libbpf: prog '%s': BPF program load failed: %s\n", "sys_exit_btf",
		    "Permission denied");
	libbpf_says(fn, "libbpf: prog '%s': -- BEGIN PROG LOAD LOG --\n%s-- END PROG LOAD LOG --\n",
		    "sys_exit_btf", log61);
	assert_string_equal(msg_load_prog(), "sys_exit_btf");
	assert_string_equal(msg_load_log(), log61);	/* whole, not cut at 256 bytes */
	memset(&st, 0, sizeof(st));
	load_error(&st, "syscalls: kernel refused the BPF programs", -EACCES);
	assert_non_null(strstr(st.why, "verifier rejected program 'sys_exit_btf'"));
	assert_non_null(strstr(st.why, "R0 unbounded memory access"));
	assert_null(strstr(st.why, "run as root"));
	/* a rejected tp_btf program: its raw_tp twin is tried next, once */
	assert_true(prog_retry_raw());
	assert_false(prog_retry_raw());
	msg_load_reset();
	assert_string_equal(msg_load_prog(), "");
	memset(&st, 0, sizeof(st));
	load_error(&st, "syscalls: kernel refused the BPF programs", -EACCES);
	assert_null(strstr(st.why, "verifier"));	/* no log: not called one */
	assert_false(prog_retry_raw());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tail_skips_statistics),
		cmocka_unit_test(test_tail_short_and_empty),
		cmocka_unit_test(test_load_failure_noted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
