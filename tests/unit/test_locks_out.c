// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the Locks sections of the JSON and text writers, on a hand-made snapshot. */
#include <stdarg.h>			/* cmocka 1.1 wants these four first */
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "core/out.h"
#include "testutil.h"

/* Two rows (one named, one not), three recent long waits of which two are
 * from this interval, and kernel strings with bytes a terminal must not see. */
static struct ktop_snapshot *make_snap(void)
{
	struct ktop_snapshot *s = calloc(1, sizeof(*s));
	struct ktop_lock_snap *l;
	struct ktop_lock_row *r;

	assert_non_null(s);
	s->interval_ns = 1000000000;
	s->real_ns = 1764096000000000000ll;
	l = &s->lock;
	l->nrows = 2;
	r = &l->rows[0];
	r->addr = 0xffff888100001000ull;
	snprintf(r->symbol, sizeof(r->symbol), "mmap_lock (pid 42)");
	snprintf(r->kind, sizeof(r->kind), "mmap_lock");
	r->owner_pid = 42;
	snprintf(r->type, sizeof(r->type), "rwsem:w");
	r->contentions = 1000;
	r->total_wait_ns = 900000000;
	r->avg_wait_ns = 900000;
	r->p99_ns = 8000000;
	r->max_wait_ns = 9000000;
	snprintf(r->top_caller, sizeof(r->top_caller), "vm_mmap_pgoff");
	r->top_waiter_pid = 42;
	memcpy(r->top_waiter_comm, "evil\033[2Jcomm", 13);
	r->ncallers = 1;
	r->callers[0].contentions = 1000;
	r->callers[0].wait_ns = 900000000;
	r->callers[0].nframes = 2;
	snprintf(r->callers[0].frames[0], KTOP_FRAME_LEN, "down_write_killable+0x5c");
	snprintf(r->callers[0].frames[1], KTOP_FRAME_LEN, "vm_mmap_pgoff+0xe0");
	r->nwaiters = 1;
	r->waiters[0].pid = 42;
	memcpy(r->waiters[0].comm, "evil\033[2Jcomm", 13);
	r->waiters[0].contentions = 1000;
	r->waiters[0].wait_ns = 900000000;
	r = &l->rows[1];
	r->addr = 0xffff888627d2ba80ull;
	snprintf(r->type, sizeof(r->type), "spinlock");
	r->contentions = 10;
	r->total_wait_ns = 100000;
	snprintf(r->top_caller, sizeof(r->top_caller), "__schedule");
	l->long_threshold_ns = 1000000;
	l->nlong_interval = 250;
	l->nlong = 3;
	l->nlong_new = 2;
	l->longw[0].wait_ns = 4000000;
	l->longw[0].pid = 42;
	snprintf(l->longw[0].symbol, KTOP_LOCK_NAME_LEN, "mmap_lock (pid 42)");
	l->longw[1].wait_ns = 3000000;
	l->longw[1].addr = 0xffff888627d2ba80ull;
	snprintf(l->longw[1].caller, KTOP_FRAME_LEN, "__schedule");
	l->longw[2].wait_ns = 7777777;	/* from an earlier interval */
	return s;
}

static char *json_of(const struct ktop_snapshot *s, size_t *len)
{
	struct tu_mem m;
	struct jw w;

	assert_non_null(tu_mem_open(&m));
	jw_init(&w, m.f);
	jw_obj(&w, NULL);
	out_json_locks(&w, s);
	jw_obj_end(&w);
	tu_mem_close(&m);
	*len = m.len;
	return m.buf;
}

static void test_json_contract(void **state)
{
	struct ktop_snapshot *s = make_snap();
	size_t len;
	char *j = json_of(s, &len);

	(void)state;
	assert_int_equal(tu_json_valid(j, len), 0);
	/* the fields the contract names, and addresses as strings (2^64 > 2^53) */
	assert_non_null(strstr(j, "\"rows\":[{\"addr\":\"0xffff888100001000\",\"symbol\":\"mmap_lock (pid 42)\""));
	assert_non_null(strstr(j, "\"type\":\"rwsem:w\""));
	assert_non_null(strstr(j, "\"contentions\":1000,\"total_wait_ns\":900000000,\"avg_wait_ns\":900000"));
	assert_non_null(strstr(j, "\"max_wait_ns\":9000000"));
	assert_non_null(strstr(j, "\"top_caller\":\"vm_mmap_pgoff\""));
	assert_non_null(strstr(j, "\"p99_ns\":8000000"));
	assert_non_null(strstr(j, "\"frames\":[\"down_write_killable+0x5c\",\"vm_mmap_pgoff+0xe0\"]"));
	assert_non_null(strstr(j, "\"top_waiter\":{\"pid\":42,\"comm\":\"evil\\u001b[2Jcomm\"}"));
	/* the unnamed lock: empty symbol, the address is there */
	assert_non_null(strstr(j, "{\"addr\":\"0xffff888627d2ba80\",\"symbol\":\"\",\"kind\":\"\""));
	/* only this interval's long waits: a reader of successive lines sees each once */
	assert_non_null(strstr(j, "\"long_waits_in_interval\":250"));
	assert_non_null(strstr(j, "\"wait_ns\":4000000"));
	assert_non_null(strstr(j, "\"wait_ns\":3000000"));
	assert_null(strstr(j, "7777777"));
	free(j);
	free(s);
}

static void test_json_empty(void **state)
{
	struct ktop_snapshot *s = calloc(1, sizeof(*s));
	size_t len;
	char *j;

	(void)state;
	assert_non_null(s);
	j = json_of(s, &len);
	assert_int_equal(tu_json_valid(j, len), 0);
	assert_non_null(strstr(j, "\"rows\":[]"));
	assert_non_null(strstr(j, "\"long_waits\":[]"));
	free(j);
	free(s);
}

static void test_text(void **state)
{
	struct ktop_snapshot *s = make_snap();
	struct tu_mem m;

	(void)state;
	assert_non_null(tu_mem_open(&m));
	out_text_locks(m.f, s);
	tu_mem_close(&m);
	assert_null(strchr(m.buf, '\033'));		/* sanitized */
	assert_non_null(strstr(m.buf, "mmap_lock (pid 42)"));
	assert_non_null(strstr(m.buf, "0xffff888627d2ba80 (__schedule)"));	/* address + hint */
	assert_non_null(strstr(m.buf, "vm_mmap_pgoff"));
	assert_non_null(strstr(m.buf, "in this interval: 250"));
	assert_null(strstr(m.buf, "7.78ms"));		/* the old long wait is not repeated */
	free(m.buf);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_contract),
		cmocka_unit_test(test_json_empty),
		cmocka_unit_test(test_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
