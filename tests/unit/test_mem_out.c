// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the Memory sections of the JSON and text writers and of their replay decoder. */
#include <stdarg.h>			/* cmocka 1.1 wants these four first */
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "ktop/memory.h"
#include "core/jsonr.h"
#include "core/out.h"
#include "core/replay.h"
#include "testutil.h"

/* Kernel mode: a suspect process with two stacks, an exited one with a
 * hostile comm; or user mode: two stacks of one process as rows. */
static struct ktop_snapshot *make_snap(int mode)
{
	struct ktop_snapshot *s = calloc(1, sizeof(*s));
	struct ktop_mem_snap *m;
	struct ktop_mem_row *r;
	struct ktop_mem_stack *k;

	assert_non_null(s);
	s->interval_ns = 1000000000;
	s->real_ns = 1764096000000000000ll;
	s->tab[KTOP_TAB_MEMORY].state = KTOP_TAB_RUNNING;
	m = &s->mem;
	m->mode = mode;
	m->leak_age_ns = 10000000000ull;
	m->untracked = 3;
	m->untracked_total = 7;
	m->tracked = 1090;
	m->capacity = 262144;
	m->outstanding_bytes = 300000;
	m->nrows = m->nrows_total = 2;
	r = &m->rows[0];
	r->pid = 4242;
	memcpy(r->comm, "hoarder", 8);
	r->outstanding_bytes = 299520;
	r->outstanding_allocs = 1080;
	r->allocs = 90;
	r->frees = 1;
	r->oldest_age_ns = 12000000000ull;
	r->growth_bytes_per_s = 24960.5;
	r->highs = 10;
	r->suspect = 1;
	r->stack = mode == KTOP_MEM_USER ? 0 : -1;
	r->kind_bytes[KTOP_MEM_KIND_SLAB] = 299520;
	r = &m->rows[1];
	r->pid = mode == KTOP_MEM_USER ? 4242 : 77;
	memcpy(r->comm, "ev\033[2Jil\xff", 10);
	r->outstanding_bytes = 480;
	r->outstanding_allocs = 1;
	r->exited = 1;
	r->stack = mode == KTOP_MEM_USER ? 1 : -1;
	m->nstacks = 2;
	k = &m->stacks[0];
	k->pid = 4242;
	k->outstanding_bytes = 138000;
	k->outstanding_allocs = 120;
	k->oldest_age_ns = 12000000000ull;
	snprintf(k->allocator, sizeof(k->allocator), mode == KTOP_MEM_USER ? "malloc" : "__kmalloc_noprof");
	k->nframes = 2;
	snprintf(k->frames[0], KTOP_FRAME_LEN, mode == KTOP_MEM_USER ? "keep_block+0x16" : "alloc_pipe_info+0xd7");
	snprintf(k->frames[1], KTOP_FRAME_LEN, mode == KTOP_MEM_USER ? "main+0x13b" : "create_pipe_files+0x3f");
	if (mode == KTOP_MEM_USER)
		snprintf(k->srcs[0], KTOP_SRC_LEN, "mem_leaky.c:32");
	k = &m->stacks[1];
	k->pid = mode == KTOP_MEM_USER ? 4242 : 4242;
	k->outstanding_bytes = 480;
	k->outstanding_allocs = 1;
	snprintf(k->allocator, sizeof(k->allocator), "page");
	k->kind = KTOP_MEM_KIND_PAGE;
	k->nframes = 1;
	memcpy(k->frames[0], "sym\033]0;x\007+0x1", sizeof("sym\033]0;x\007+0x1"));
	if (mode == KTOP_MEM_USER) {
		m->target_pid = 4242;
		memcpy(m->target_comm, "hoarder", 8);
		snprintf(m->allocator_lib, sizeof(m->allocator_lib), "/usr/lib/x86_64-linux-gnu/libc.so.6");
	}
	return s;
}

static char *json_of(const struct ktop_snapshot *s, size_t *len)
{
	struct tu_mem m;
	struct jw w;

	assert_non_null(tu_mem_open(&m));
	jw_init(&w, m.f);
	jw_obj(&w, NULL);
	out_json_memory(&w, s);
	jw_obj_end(&w);
	tu_mem_close(&m);
	*len = m.len;
	return m.buf;
}

static void test_json_contract_kernel(void **state)
{
	struct ktop_snapshot *s = make_snap(KTOP_MEM_KERNEL);
	size_t len;
	char *j = json_of(s, &len);

	(void)state;
	assert_int_equal(tu_json_valid(j, len), 0);
	assert_non_null(strstr(j, "\"mode\":\"kernel\""));
	assert_non_null(strstr(j, "\"untracked\":3,\"untracked_total\":7"));
	assert_non_null(strstr(j, "\"rows\":[{\"pid\":4242,\"comm\":\"hoarder\",\"outstanding_bytes\":299520,"
			       "\"outstanding_allocs\":1080,\"allocs\":90,\"frees\":1,"
			       "\"oldest_age_ns\":12000000000,\"suspect\":true"));
	assert_non_null(strstr(j, "\"stacks\":[{\"pid\":4242,\"outstanding_bytes\":138000,"
			       "\"outstanding_allocs\":120"));
	assert_non_null(strstr(j, "\"frames\":[\"alloc_pipe_info+0xd7\",\"create_pipe_files+0x3f\"]"));
	assert_null(strstr(j, "\033"));			/* escaped, never raw */
	assert_null(strstr(j, "target_pid"));		/* user mode only */
	free(j);
	free(s);
}

static void test_json_contract_user(void **state)
{
	struct ktop_snapshot *s = make_snap(KTOP_MEM_USER);
	size_t len;
	char *j = json_of(s, &len);

	(void)state;
	assert_int_equal(tu_json_valid(j, len), 0);
	assert_non_null(strstr(j, "\"mode\":\"user\",\"target_pid\":4242"));
	assert_non_null(strstr(j, "\"stack\":0"));
	assert_non_null(strstr(j, "\"frames\":[\"keep_block+0x16\",\"main+0x13b\"],"
			       "\"sources\":[\"mem_leaky.c:32\",\"\"]"));
	free(j);
	free(s);
}

static void test_text_sanitized(void **state)
{
	struct ktop_snapshot *s;
	struct tu_mem m;
	int mode;

	(void)state;
	for (mode = KTOP_MEM_KERNEL; mode <= KTOP_MEM_USER; mode++) {
		s = make_snap(mode);
		assert_non_null(tu_mem_open(&m));
		out_text_memory(m.f, s);
		tu_mem_close(&m);
		assert_null(memchr(m.buf, '\033', m.len));
		assert_null(memchr(m.buf, '\007', m.len));
		assert_non_null(strstr(m.buf, "SUSPECT"));
		assert_non_null(strstr(m.buf, mode == KTOP_MEM_USER ? "keep_block+0x16 (mem_leaky.c:32)" :
				       "alloc_pipe_info+0xd7"));
		free(m.buf);
		free(s);
	}
}

/* JSON -> replay decoder -> JSON gives the same bytes (valid UTF-8). */
static void test_replay_round_trip(void **state)
{
	int mode;

	(void)state;
	for (mode = KTOP_MEM_KERNEL; mode <= KTOP_MEM_USER; mode++) {
		struct ktop_snapshot *s = make_snap(mode), *back = calloc(1, sizeof(*back));
		size_t len, len2;
		char *j = json_of(s, &len), *j2;
		struct jv *v;

		assert_non_null(back);
		/* a stray byte comes back as U+00NN (json.h): keep this one valid */
		memcpy(s->mem.rows[1].comm, "ev\033[2Jil", sizeof("ev\033[2Jil"));
		free(j);
		j = json_of(s, &len);
		assert_int_equal(json_parse(j, len, &v, NULL), 0);
		replay_memory(jv_get(v, "memory") ? jv_get(v, "memory") : v, back);
		back->interval_ns = s->interval_ns;
		j2 = json_of(back, &len2);
		if (len != len2 || memcmp(j, j2, len))
			fprintf(stderr, "%s\n%s\n", j, j2);
		assert_int_equal(len, len2);
		assert_memory_equal(j, j2, len);
		jv_free(v);
		free(j);
		free(j2);
		free(s);
		free(back);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_contract_kernel),
		cmocka_unit_test(test_json_contract_user),
		cmocka_unit_test(test_text_sanitized),
		cmocka_unit_test(test_replay_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
