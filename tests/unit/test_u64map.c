// SPDX-License-Identifier: GPL-2.0
/* Unit tests of core/u64map.c: the hash table the collectors diff map reads with. */
#include <stdarg.h>			/* cmocka 1.1 wants these four first */
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "core/u64map.h"
#include "testutil.h"

struct val {
	uint64_t a, b;
	char tag[8];
};

/* Keys that defeat a weak hash: multiples of big powers of two, neighbours,
 * the extremes, and 0 (often a sentinel). */
static uint64_t key_of(size_t i)
{
	switch (i % 4) {
	case 0:
		return (uint64_t)i << 32;
	case 1:
		return i;
	case 2:
		return UINT64_MAX - i;
	default:
		return (uint64_t)i * 0x100000000000ull + 7;
	}
}

static size_t count_used(const struct u64map *m)
{
	size_t i, n = 0;

	for (i = 0; i < m->cap; i++)
		n += m->used[i] != 0;
	return n;
}

static void test_empty(void **state)
{
	struct u64map m;

	(void)state;
	u64map_init(&m, sizeof(struct val));
	assert_null(u64map_get(&m, 0));
	assert_null(u64map_get(&m, 12345));
	assert_int_equal(m.n, 0);
	u64map_clear(&m);			/* on a map that never allocated */
	u64map_free(&m);
	u64map_free(&m);			/* twice is fine */
}

static void test_put_get(void **state)
{
	struct u64map m;
	struct val *v, *w;

	(void)state;
	u64map_init(&m, sizeof(struct val));
	v = u64map_put(&m, 0);
	assert_non_null(v);
	assert_int_equal(v->a, 0);			/* new slots are zeroed */
	assert_int_equal(v->b, 0);
	v->a = 11;
	strcpy(v->tag, "zero");
	w = u64map_put(&m, UINT64_MAX);
	assert_non_null(w);
	w->a = 22;
	assert_int_equal(m.n, 2);
	/* put of an existing key returns its value, not a fresh one */
	v = u64map_put(&m, 0);
	assert_int_equal(v->a, 11);
	assert_string_equal(v->tag, "zero");
	assert_int_equal(m.n, 2);
	assert_int_equal(((struct val *)u64map_get(&m, UINT64_MAX))->a, 22);
	assert_null(u64map_get(&m, 1));
	u64map_free(&m);
}

/* Many keys through several grows: every value survives, nothing extra appears. */
static void test_thousands(void **state)
{
	const size_t n = 50000;
	struct u64map m;
	struct val *v;
	uint64_t seed = 5;
	size_t i;

	(void)state;
	u64map_init(&m, sizeof(struct val));
	for (i = 0; i < n; i++) {
		v = u64map_put(&m, key_of(i));
		assert_non_null(v);
		assert_int_equal(v->a, 0);
		v->a = key_of(i) ^ 0x5555;
		v->b = i;
		assert_int_equal(m.n, i + 1);
		/* load stays at most 3/4, so probes end */
		assert_true(m.n * 4 <= m.cap * 3);
	}
	assert_int_equal(count_used(&m), n);
	for (i = 0; i < n; i++) {
		v = u64map_get(&m, key_of(i));
		assert_non_null(v);
		assert_int_equal(v->a, key_of(i) ^ 0x5555);
		assert_int_equal(v->b, i);
	}
	for (i = 0; i < 100000; i++) {
		/* never put: bit 15 and 62 set rules out every key_of() but the
		 * UINT64_MAX - i ones, which a random draw hits with p ~ 2^-48 */
		uint64_t k = tu_rand(&seed) | 1ull << 62 | 0x8000;

		assert_null(u64map_get(&m, k));
	}
	/* iteration visits each key exactly once */
	{
		size_t seen = 0, j;

		for (j = 0; j < m.cap; j++) {
			if (!m.used[j])
				continue;
			v = u64map_val(&m, j);
			assert_int_equal(key_of(v->b), m.keys[j]);
			seen++;
		}
		assert_int_equal(seen, n);
	}
	u64map_free(&m);
	assert_int_equal(m.n, 0);
	assert_int_equal(m.cap, 0);
	assert_null(u64map_get(&m, key_of(3)));
}

/* clear forgets keys, keeps memory; the map is fully usable again. */
static void test_clear_reuse(void **state)
{
	struct u64map m;
	struct val *v;
	size_t i, cap;

	(void)state;
	u64map_init(&m, sizeof(struct val));
	for (i = 0; i < 3000; i++)
		((struct val *)u64map_put(&m, key_of(i)))->a = 1;
	cap = m.cap;
	u64map_clear(&m);
	assert_int_equal(m.n, 0);
	assert_int_equal(m.cap, cap);
	assert_int_equal(count_used(&m), 0);
	for (i = 0; i < 3000; i++)
		assert_null(u64map_get(&m, key_of(i)));
	for (i = 0; i < 3000; i += 2) {
		v = u64map_put(&m, key_of(i));
		assert_int_equal(v->a, 0);		/* old value does not come back */
		v->a = 2;
	}
	assert_int_equal(m.n, 1500);
	assert_int_equal(m.cap, cap);			/* no grow needed */
	for (i = 0; i < 3000; i++) {
		v = u64map_get(&m, key_of(i));
		if (i % 2)
			assert_null(v);
		else
			assert_int_equal(v->a, 2);
	}
	u64map_free(&m);
}

/* The collector pattern: read into cur, diff against prev, swap, clear. */
static void test_swap(void **state)
{
	struct u64map prev, cur;
	size_t i;

	(void)state;
	u64map_init(&prev, sizeof(uint64_t));
	u64map_init(&cur, sizeof(uint64_t));
	for (i = 0; i < 2000; i++)
		*(uint64_t *)u64map_put(&cur, key_of(i)) = i;
	u64map_swap(&prev, &cur);
	assert_int_equal(prev.n, 2000);
	assert_int_equal(cur.n, 0);
	assert_null(u64map_get(&cur, key_of(1)));
	for (i = 0; i < 10; i++)
		*(uint64_t *)u64map_put(&cur, key_of(i)) = 100 + i;
	for (i = 0; i < 10; i++) {
		assert_int_equal(*(uint64_t *)u64map_get(&prev, key_of(i)), i);
		assert_int_equal(*(uint64_t *)u64map_get(&cur, key_of(i)), 100 + i);
	}
	u64map_swap(&prev, &cur);
	assert_int_equal(prev.n, 10);
	assert_int_equal(cur.n, 2000);
	u64map_clear(&cur);
	assert_int_equal(cur.n, 0);
	assert_int_equal(*(uint64_t *)u64map_get(&prev, key_of(9)), 109);
	u64map_free(&prev);
	u64map_free(&cur);
}

/* A set: values of size 0 still work as presence markers. */
static void test_zero_size_values(void **state)
{
	struct u64map m;
	size_t i;

	(void)state;
	u64map_init(&m, 0);
	for (i = 0; i < 1000; i++)
		assert_non_null(u64map_put(&m, key_of(i)));
	assert_int_equal(m.n, 1000);
	for (i = 0; i < 1000; i++)
		assert_non_null(u64map_get(&m, key_of(i)));
	assert_null(u64map_get(&m, 0xdeadbeefcafeull));
	u64map_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_put_get),
		cmocka_unit_test(test_thousands),
		cmocka_unit_test(test_clear_reuse),
		cmocka_unit_test(test_swap),
		cmocka_unit_test(test_zero_size_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
