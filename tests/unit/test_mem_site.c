// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the Memory collector's site accounting (core/mem_site.c). */
#include <stdarg.h>			/* cmocka 1.1 wants these four first */
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "core/mem_site.h"

static void test_update_deltas_idle_and_reset(void **state)
{
	struct ktop_mem_sval v = { .allocs = 10, .frees = 4, .alloc_bytes = 1000, .free_bytes = 400,
				   .kind = 1, .call_site = 0xffff1234, .stack_id = 7 };
	struct site old, s;

	(void)state;
	mem_site_update(&s, NULL, &v);
	assert_int_equal(s.d_allocs, 10);
	assert_int_equal(s.d_frees, 4);
	assert_int_equal(s.idle, 0);
	assert_int_equal(s.stack_id, 7);
	assert_int_equal(s.call_site, 0xffff1234);
	assert_int_equal(mem_site_out_allocs(&s), 6);
	assert_int_equal(mem_site_out_bytes(&s), 600);
	s.oldest_ts = s.pass_ts = 55;
	old = s;
	mem_site_update(&s, &old, &v);		/* nothing happened: idle */
	assert_int_equal(s.d_allocs, 0);
	assert_int_equal(s.idle, 1);
	assert_int_equal(s.oldest_ts, 55);	/* still outstanding: age kept */
	old = s;
	v.frees = 10;
	v.free_bytes = 1000;
	mem_site_update(&s, &old, &v);
	assert_int_equal(s.d_frees, 6);
	assert_int_equal(s.idle, 0);
	assert_int_equal(mem_site_out_allocs(&s), 0);
	assert_int_equal(s.oldest_ts, 0);	/* nothing outstanding: no age */
	assert_int_equal(s.pass_ts, 0);
}

static void test_write_off_and_blind(void **state)
{
	struct site s = { .allocs = 100, .frees = 10, .alloc_bytes = 6400, .free_bytes = 640 };

	(void)state;
	s.wo_allocs = 30;
	s.wo_bytes = 1920;
	assert_int_equal(mem_site_out_allocs(&s), 60);
	assert_int_equal(mem_site_out_bytes(&s), 3840);
	s.missed = MEM_BLIND_MIN - 1;
	s.frees = 0;
	assert_false(mem_site_blind(&s));	/* too few to tell */
	s.missed = MEM_BLIND_MIN;
	assert_true(mem_site_blind(&s));
	s.frees = 2 * MEM_BLIND_MIN;
	assert_false(mem_site_blind(&s));	/* most frees seen */
}

static void test_proc_sums_leave_blind_sites_out_of_trend(void **state)
{
	struct site sure = { .allocs = 4, .alloc_bytes = 400, .d_allocs = 2, .kind = 0, .oldest_ts = 50 };
	struct site blind = { .allocs = 10, .alloc_bytes = 1000, .missed = 20, .kind = 1,
			      .oldest_ts = 10 };
	struct proc p;

	(void)state;
	memset(&p, 0xff, sizeof(p));
	mem_proc_reset(&p, 9);
	assert_int_equal(p.poll, 9);
	assert_int_equal(p.out_bytes, 0);
	mem_proc_add_site(&p, &sure);
	mem_proc_add_site(&p, &blind);
	assert_int_equal(p.out_bytes, 1400);
	assert_int_equal(p.out_allocs, 14);
	assert_int_equal(p.d_allocs, 2);
	assert_int_equal(p.sure_bytes, 400);
	assert_int_equal(p.oldest_ts, 50);	/* the blind site's age does not count */
	assert_int_equal(p.kind_bytes[0], 400);
	assert_int_equal(p.kind_bytes[1], 1000);
}

static void test_samples_sort_find_and_share(void **state)
{
	struct samp v[] = {
		{ mem_site_key(2, 5), 3, 1 }, { mem_site_key(1, 5), 1, 2 },
		{ mem_site_key(2, 5), 4, 9 }, { mem_site_key(2, 6), 1, 1 },
	};

	(void)state;
	qsort(v, 4, sizeof(v[0]), mem_samp_cmp);
	assert_true(v[0].site == mem_site_key(1, 5));
	assert_int_equal(v[1].out, 9);		/* most outstanding first within a site */
	assert_int_equal(v[2].out, 1);
	assert_int_equal(mem_samp_first(v, 4, mem_site_key(2, 5)), 1);
	assert_int_equal(mem_samp_first(v, 4, mem_site_key(2, 6)), 3);
	assert_int_equal(mem_samp_first(v, 4, mem_site_key(3, 1)), 4);
	assert_int_equal(mem_samp_first(v, 0, mem_site_key(1, 5)), 0);
	assert_int_equal(mem_share_of(1000, 1, 3), 333);
	assert_int_equal(mem_share_of(1000, 2, 3), 667);	/* rounded */
	assert_int_equal(mem_share_of(UINT64_MAX / 2, 3, 3), UINT64_MAX / 2);
	assert_int_equal(mem_site_key(3, -1), (3ull << 32) | 0xffffffffull);
}

static void test_row_order_and_stack_counts(void **state)
{
	struct ktop_mem_row r[4];
	struct ktop_mem_stack d;
	struct site s = { .allocs = 5, .frees = 1, .alloc_bytes = 50, .free_bytes = 10, .d_allocs = 2,
			  .missed = 3, .kind = 2, .oldest_ts = 100 };

	(void)state;
	memset(r, 0, sizeof(r));
	r[0].pid = 1, r[0].outstanding_bytes = 10;
	r[1].pid = 2, r[1].outstanding_bytes = 99;
	r[2].pid = 3, r[2].growth_bytes_per_s = 1;
	r[3].pid = 4, r[3].suspect = 1;
	qsort(r, 4, sizeof(r[0]), mem_row_cmp);
	assert_int_equal(r[0].pid, 4);
	assert_int_equal(r[1].pid, 3);
	assert_int_equal(r[2].pid, 2);
	assert_int_equal(r[3].pid, 1);
	memset(&d, 0, sizeof(d));
	mem_stack_counts(&d, &s, 42, 350);
	assert_int_equal(d.pid, 42);
	assert_int_equal(d.kind, 2);
	assert_int_equal(d.outstanding_bytes, 40);
	assert_int_equal(d.outstanding_allocs, 4);
	assert_int_equal(d.allocs, 2);
	assert_int_equal(d.missed_frees_total, 3);
	assert_int_equal(d.oldest_age_ns, 250);
	assert_int_equal(mem_age(50, 100), 0);
	assert_int_equal(mem_age(100, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_update_deltas_idle_and_reset),
		cmocka_unit_test(test_write_off_and_blind),
		cmocka_unit_test(test_proc_sums_leave_blind_sites_out_of_trend),
		cmocka_unit_test(test_samples_sort_find_and_share),
		cmocka_unit_test(test_row_order_and_stack_counts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
