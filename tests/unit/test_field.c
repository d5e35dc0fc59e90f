// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the field tables (core/field.c): every field of every row
 * type is set to a value of its own, written with fld_put(), parsed and
 * read back with fld_get(), and must come back equal. A new row table goes
 * in tables[] below; a new FLD_FN field needs a sample in fn_sample().
 */
#include <stdarg.h>			/* cmocka 1.1 wants these four first */
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/field.h"
#include "core/snapshot.h"
#include "ktop/hist.h"
#include "ktop/io.h"

static const struct {
	const char *name;
	const struct fld *t;
	size_t size;
} tables[] = {
	{ "syscalls row", ktop_sc_row_fields, sizeof(struct ktop_sc_row) },
	{ "syscalls pair", ktop_sc_pair_fields, sizeof(struct ktop_sc_pair) },
	{ "syscalls process", ktop_sc_proc_fields, sizeof(struct ktop_sc_proc) },
	{ "syscalls in flight", ktop_sc_inflight_fields, sizeof(struct ktop_sc_inflight) },
	{ "locks row", ktop_lock_row_fields, sizeof(struct ktop_lock_row) },
	{ "locks long wait", ktop_lock_long_fields, sizeof(struct ktop_lock_long) },
	{ "io row", ktop_io_row_fields, sizeof(struct ktop_io_row) },
	{ "io partition", ktop_io_part_fields, sizeof(struct ktop_io_part) },
	{ "io process", ktop_io_proc_fields, sizeof(struct ktop_io_proc) },
	{ "io slow request", ktop_io_slow_fields, sizeof(struct ktop_io_slow) },
	{ "memory kernel row", ktop_mem_krow_fields, sizeof(struct ktop_mem_row) },
	{ "memory user row", ktop_mem_urow_fields, sizeof(struct ktop_mem_row) },
	{ "memory kernel stack", ktop_mem_kstack_fields, sizeof(struct ktop_mem_stack) },
	{ "memory user stack", ktop_mem_ustack_fields, sizeof(struct ktop_mem_stack) },
};

/* A value an FLD_FN field can carry through JSON; 0 when the name is unknown. */
static int fn_sample(const struct fld *f, void *row, unsigned seed)
{
	if (!strcmp(f->name, "state")) {
		*((char *)row + f->off) = 'D';
	} else if (!strcmp(f->name, "op")) {
		fld_set_u(f, row, KTOP_IO_OP_WRITE);
	} else if (!strcmp(f->name, "sector")) {
		fld_set_u(f, row, seed & 1 ? KTOP_IO_NO_SECTOR : 123456789);
	} else if (!strcmp(f->name, "kind") && f->size == sizeof(uint32_t)) {
		fld_set_u(f, row, 2);		/* a memory stack's: a kind and a function both */
	} else if (!strcmp(f->name, "kind")) {
		fld_set_u(f, row, KTOP_IO_SLOW_DEVFLUSH);	/* so for_more is written */
	} else if (!strcmp(f->name, "stack")) {
		fld_set_u(f, row, 3 + seed);
	} else if (!strcmp(f->name, "call_site_outstanding_bytes")) {
		struct ktop_mem_stack *k = row;	/* example or sampled, by seed */

		k->site_bytes = 4096 * seed;
		k->example = seed & 1;
		k->samples = k->example ? 0 : seed + 1;
		k->samples_site = k->example ? 0 : seed + 9;
	} else if (!strcmp(f->name, "sources")) {
		struct ktop_mem_stack *k = row;	/* frames are filled before */
		uint32_t i;

		for (i = 0; i < k->nframes; i++)
			snprintf(k->srcs[i], KTOP_SRC_LEN, "f%u.c:%u", seed, i + 1);
	} else if (!strcmp(f->name, "for_more")) {
		fld_set_u(f, row, 3 + seed);
	} else if (!strcmp(f->name, "timed")) {
		fld_set_u(f, row, 5 + seed);	/* below count (set before it), or not */
	} else if (!strcmp(f->name, "avg_ns")) {
		struct ktop_io_row *r = row;	/* count is set before it */

		r->total_ns = r->count * 1000;
	} else {
		return 0;
	}
	return 1;
}

/* Give every field of t in row a value of its own, derived from seed. */
static void fill(const struct fld *t, void *row, unsigned seed)
{
	for (; t->name; t++, seed += 7) {
		char *p = (char *)row + t->off;
		uint32_t i;

		switch (t->kind) {
		case FLD_KIND_U:
			fld_set_u(t, row, (seed * 1000 + 7) & (t->size == 1 ? 0xff : t->size == 2 ?
				  0xffff : 0xffffffffu));
			break;
		case FLD_KIND_BOOL:
			fld_set_u(t, row, 1);
			break;
		case FLD_KIND_DBL:
			*(double *)p = seed + 0.5;
			break;
		case FLD_KIND_STR:
			snprintf(p, t->size < 12 ? t->size : 12, "s%u\"\\x", seed);
			break;
		case FLD_KIND_HEX:
			fld_set_u(t, row, 0xffff888100000000ull + seed);
			break;
		case FLD_KIND_TIME:
			*(int64_t *)p = 1764096000000000000ll + seed * 1000000ll;
			break;
		case FLD_KIND_HIST:
			((uint64_t *)p)[0] = seed;
			((uint64_t *)p)[KTOP_HIST_BUCKETS / 2] = seed + 1;
			((uint64_t *)p)[KTOP_HIST_BUCKETS - 1] = seed + 2;
			break;
		case FLD_KIND_OBJ:
		case FLD_KIND_INL:
			fill(t->sub, row, seed * 3);
			break;
		case FLD_KIND_ARR:
		case FLD_KIND_STRS:
			*(uint32_t *)((char *)row + t->cnt) = t->max < 2 ? t->max : 2;
			for (i = 0; i < 2 && i < t->max; i++) {
				char *e = p + i * t->elem;

				if (t->kind == FLD_KIND_ARR)
					fill(t->sub, e, seed * 5 + i);
				else
					snprintf(e, t->elem, "frame_%u+0x%x", seed, i);
			}
			break;
		case FLD_KIND_FN:
			if (!fn_sample(t, row, seed))
				fail_msg("field '%s': no sample value in fn_sample()", t->name);
			break;
		}
	}
}

/* Every field of t equal in a and b; names the first that is not. */
static void compare(const char *what, const struct fld *t, const void *a, const void *b)
{
	for (; t->name; t++) {
		const char *pa = (const char *)a + t->off, *pb = (const char *)b + t->off;
		uint32_t i, n;

		switch (t->kind) {
		case FLD_KIND_OBJ:
		case FLD_KIND_INL:
			compare(what, t->sub, a, b);
			continue;
		case FLD_KIND_FN:
			if (!strcmp(t->name, "call_site_outstanding_bytes")) {
				const struct ktop_mem_stack *x = a, *y = b;

				if (x->site_bytes != y->site_bytes || x->example != y->example ||
				    x->samples != y->samples || x->samples_site != y->samples_site)
					fail_msg("%s.%s: the call site's share differs", what, t->name);
				continue;
			}
			break;
		case FLD_KIND_ARR:
		case FLD_KIND_STRS:
			n = *(const uint32_t *)((const char *)a + t->cnt);
			if (n != *(const uint32_t *)((const char *)b + t->cnt))
				fail_msg("%s.%s: %u elements back, %u written", what, t->name,
					 *(const uint32_t *)((const char *)b + t->cnt), n);
			for (i = 0; i < n; i++) {
				if (t->kind == FLD_KIND_ARR)
					compare(what, t->sub, pa + i * t->elem, pb + i * t->elem);
				else if (strcmp(pa + i * t->elem, pb + i * t->elem))
					fail_msg("%s.%s[%u] differs", what, t->name, i);
			}
			continue;
		case FLD_KIND_STR:
			if (strncmp(pa, pb, t->size))
				fail_msg("%s.%s: '%s' back, '%s' written", what, t->name, pb, pa);
			continue;
		default:
			break;
		}
		if (memcmp(pa, pb, t->size))
			fail_msg("%s.%s differs after the round trip", what, t->name);
	}
}

static void round_trip(const char *what, const struct fld *t, size_t size, unsigned seed)
{
	char *a = calloc(1, size), *b = calloc(1, size), *text = NULL;
	size_t len = 0;
	struct jv *v = NULL;
	struct jw w;
	FILE *f;

	assert_non_null(a);
	assert_non_null(b);
	fill(t, a, seed);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	jw_init(&w, f);
	jw_obj(&w, NULL);
	fld_put(&w, t, a);
	jw_obj_end(&w);
	fclose(f);
	if (json_parse(text, len, &v, NULL))
		fail_msg("%s: the writer's JSON does not parse: %s", what, text);
	fld_get(v, t, b);
	compare(what, t, a, b);
	jv_free(v);
	free(text);
	free(a);
	free(b);
}

/* Every field of every row type comes back as it was written. */
static void test_every_field_round_trips(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		round_trip(tables[i].name, tables[i].t, tables[i].size, 1);
		round_trip(tables[i].name, tables[i].t, tables[i].size, 2);
	}
}

/* FLD_OMIT0 members are left out when zero and read back as zero. */
static void test_omit_zero(void **state)
{
	struct ktop_lock_row *r = calloc(1, sizeof(*r));
	char *text = NULL;
	size_t len = 0;
	struct jw w;
	FILE *f;

	(void)state;
	assert_non_null(r);
	f = open_memstream(&text, &len);
	jw_init(&w, f);
	jw_obj(&w, NULL);
	fld_put(&w, ktop_lock_row_fields, r);
	jw_obj_end(&w);
	fclose(f);
	assert_null(strstr(text, "owner_pid"));
	assert_non_null(strstr(text, "\"contentions\":0"));
	free(text);
	free(r);
}

/* Every table member has a name and a kind the walker knows; sizes fit the row. */
static void test_tables_well_formed(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		const struct fld *t;

		for (t = tables[i].t; t->name; t++) {
			assert_true(t->kind <= FLD_KIND_INL);
			if (t->kind != FLD_KIND_OBJ && t->kind != FLD_KIND_INL)
				assert_true(t->off + t->size <= tables[i].size);
			if (t->kind == FLD_KIND_U || t->kind == FLD_KIND_BOOL || t->kind == FLD_KIND_HEX)
				assert_true(t->size == 1 || t->size == 2 || t->size == 4 || t->size == 8);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_field_round_trips),
		cmocka_unit_test(test_omit_zero),
		cmocka_unit_test(test_tables_well_formed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
