// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the kallsyms parser and lookups in core/ksyms.c. */
#include <stdarg.h>			/* cmocka 1.1 wants these four first */
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <inttypes.h>
#include "core/ksyms.h"
#include "testutil.h"

static struct ksyms *parse_ok(const char *text)
{
	struct ksyms *k = NULL;

	assert_int_equal(ksyms__parse(&k, text, strlen(text)), 0);
	assert_non_null(k);
	return k;
}

static void expect_sym(const struct ksyms *k, uint64_t addr, const char *name, uint64_t off)
{
	uint64_t got = ~0ull;
	const char *n = ksyms__find(k, addr, &got);

	if (!n || strcmp(n, name) || got != off)
		fail_msg("0x%" PRIx64 ": got %s+0x%" PRIx64 ", expected %s+0x%" PRIx64,
			 addr, n ? n : "(null)", got, name, off);
}

/* Lines as /proc/kallsyms has them, out of order like module symbols are. */
static const char sample[] =
	"ffffffff81000000 T _stext\n"
	"ffffffff81002000 t do_one_initcall\n"
	"ffffffffc0a01000 t mod_probe\t[mymod]\n"
	"ffffffff81001000 T startup_64\n"
	"ffffffffc0a00000 t mod_init\t[mymod]\n"
	"ffffffff82000000 D jiffies\n"
	"ffffffff81100000 T schedule\n";

static void test_sorted_lookup(void **state)
{
	struct ksyms *k = parse_ok(sample);

	(void)state;
	expect_sym(k, 0xffffffff81000000ull, "_stext", 0);
	expect_sym(k, 0xffffffff81000fffull, "_stext", 0xfff);
	expect_sym(k, 0xffffffff81001000ull, "startup_64", 0);
	expect_sym(k, 0xffffffff81001abcull, "startup_64", 0xabc);
	expect_sym(k, 0xffffffff81002000ull, "do_one_initcall", 0);
	expect_sym(k, 0xffffffff81100010ull, "schedule", 0x10);
	expect_sym(k, 0xffffffff82000008ull, "jiffies", 8);
	/* module symbols: the "\t[mymod]" part is not in the name */
	expect_sym(k, 0xffffffffc0a00010ull, "mod_init", 0x10);
	expect_sym(k, 0xffffffffc0a01000ull, "mod_probe", 0);
	assert_int_equal(ksyms__addr(k, "mod_probe"), 0xffffffffc0a01000ull);
	assert_int_equal(ksyms__addr(k, "schedule"), 0xffffffff81100000ull);
	assert_int_equal(ksyms__addr(k, "no_such_symbol"), 0);
	assert_int_equal(ksyms__addr(k, "mymod"), 0);
	ksyms__free(k);
}

static void test_below_first_and_far_beyond(void **state)
{
	struct ksyms *k = parse_ok(sample);
	uint64_t off = 12345;

	(void)state;
	assert_null(ksyms__find(k, 0, &off));
	assert_null(ksyms__find(k, 0xffffffff80ffffffull, &off));
	assert_int_equal(off, 12345);			/* untouched when not found */
	expect_sym(k, 0xffffffffc0a01000ull + 0x800, "mod_probe", 0x800);
	/* a gigabyte past the last symbol is not "in" it (core caps the offset) */
	assert_null(ksyms__find(k, 0xffffffffc0a01000ull + (1ull << 30), &off));
	assert_null(ksyms__find(k, UINT64_MAX, NULL));
	expect_sym(k, 0xffffffff81000001ull, "_stext", 1);
	assert_non_null(ksyms__find(k, 0xffffffff81000001ull, NULL));	/* off may be NULL */
	ksyms__free(k);
}

static void test_fmt(void **state)
{
	struct ksyms *k = parse_ok(sample);
	char buf[64];

	(void)state;
	assert_string_equal(ksyms__fmt(k, 0xffffffff81100010ull, buf, sizeof(buf)), "schedule+0x10");
	assert_string_equal(ksyms__fmt(k, 0xffffffff81100000ull, buf, sizeof(buf)), "schedule+0x0");
	assert_string_equal(ksyms__fmt(k, 0x1000, buf, sizeof(buf)), "0x1000");
	assert_string_equal(ksyms__fmt(NULL, 0xabc, buf, sizeof(buf)), "0xabc");
	assert_string_equal(ksyms__fmt(k, 0xffffffff81100010ull, buf, 6), "sched");	/* truncated */
	ksyms__free(k);
}

/* Everything that is not "<hex> <type> <name>" is skipped, the rest kept. */
static void test_malformed_lines_skipped(void **state)
{
	static const char text[] =
		"\n"
		"garbage\n"
		"ffffffff81000000\n"				/* address only */
		"ffffffff81000000 T\n"				/* no name */
		"ffffffff81000000 T \n"				/* empty name */
		"ffffffff81000000T glued\n"			/* no space */
		"ffffffff81000000  T twospace\n"
		"zzzzffff81000000 T badhex\n"
		" ffffffff81000000 T leadingspace\n"
		"1ffffffff81000000 T seventeen_digits\n"
		"0000000000000000 T zero_addr\n"
		"0000000000000010 A abs_const\n"		/* absolute: not an address */
		"ffffffff81000010 a abs_lower\n"
		"ffffffff81000050 T \0\0hidden_after_nul\n"	/* empty name once NUL ends it (fuzz) */
		"ffffffff81000100 T good_one\n"
		"FFFFFFFF81000200 t upper_hex\n"
		"ffffffff81000300 t with_trailing_space \n"
		"ffffffff81000400 t last_without_newline";
	struct ksyms *k = NULL;

	(void)state;
	assert_int_equal(ksyms__parse(&k, text, sizeof(text) - 1), 0);
	expect_sym(k, 0xffffffff81000100ull, "good_one", 0);
	expect_sym(k, 0xffffffff81000200ull, "upper_hex", 0);
	expect_sym(k, 0xffffffff81000300ull, "with_trailing_space", 0);
	expect_sym(k, 0xffffffff81000404ull, "last_without_newline", 4);
	assert_null(ksyms__find(k, 0xffffffff810000ffull, NULL));	/* nothing below good_one */
	assert_int_equal(ksyms__addr(k, ""), 0);
	assert_int_equal(ksyms__addr(k, "hidden_after_nul"), 0);
	assert_int_equal(ksyms__addr(k, "glued"), 0);
	assert_int_equal(ksyms__addr(k, "twospace"), 0);
	assert_int_equal(ksyms__addr(k, "T"), 0);
	assert_int_equal(ksyms__addr(k, "badhex"), 0);
	assert_int_equal(ksyms__addr(k, "leadingspace"), 0);
	assert_int_equal(ksyms__addr(k, "seventeen_digits"), 0);
	assert_int_equal(ksyms__addr(k, "abs_const"), 0);
	assert_int_equal(ksyms__addr(k, "abs_lower"), 0);
	ksyms__free(k);
}

/* Not NUL-terminated: only len bytes are read. */
static void test_len_respected(void **state)
{
	const char text[] = "ffffffff81000000 T first\nffffffff81000100 T second\n";
	struct ksyms *k = NULL;
	char *copy = malloc(30);

	(void)state;
	assert_non_null(copy);
	memcpy(copy, text, 30);				/* cuts "second"'s line after 5 hex digits */
	assert_int_equal(ksyms__parse(&k, copy, 30), 0);
	expect_sym(k, 0xffffffff81000100ull, "first", 0x100);
	assert_int_equal(ksyms__addr(k, "second"), 0);
	ksyms__free(k);
	free(copy);
}

/* kptr_restrict: every address reads as 0, so there is nothing to find. */
static void test_all_zero_is_enoent(void **state)
{
	static const char hidden[] =
		"0000000000000000 T _stext\n"
		"0000000000000000 T schedule\n"
		"0000000000000000 t mod_init\t[mymod]\n";
	struct ksyms *k = (struct ksyms *)0x1;

	(void)state;
	assert_int_equal(ksyms__parse(&k, hidden, sizeof(hidden) - 1), -ENOENT);
	assert_ptr_equal(k, (struct ksyms *)0x1);	/* *out untouched on error */
	assert_int_equal(ksyms__parse(&k, "", 0), -ENOENT);
	assert_int_equal(ksyms__parse(&k, "nonsense\n\n", 10), -ENOENT);
	ksyms__free(NULL);
	assert_null(ksyms__find(NULL, 0xffffffff81000000ull, NULL));
	assert_int_equal(ksyms__addr(NULL, "x"), 0);
}

static void test_name_lengths(void **state)
{
	char text[1024], name[300];
	struct ksyms *k;

	(void)state;
	memset(name, 'n', 255);
	name[255] = 0;
	snprintf(text, sizeof(text), "ffffffff81000000 T %s\nffffffff81000100 T short\n", name);
	k = parse_ok(text);
	expect_sym(k, 0xffffffff81000001ull, name, 1);	/* KSYM_NAME_LEN - 1 fits */
	ksyms__free(k);
	memset(name, 'n', 256);
	name[256] = 0;
	snprintf(text, sizeof(text), "ffffffff81000000 T %s\nffffffff81000100 T short\n", name);
	k = parse_ok(text);
	assert_null(ksyms__find(k, 0xffffffff81000001ull, NULL));	/* longer: skipped */
	ksyms__free(k);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* A kallsyms-sized table in random order against a linear reference. */
static void test_many_symbols(void **state)
{
	const size_t n = 150000;
	uint64_t *addrs = malloc(n * sizeof(*addrs)), seed = 77, off;
	char *text = malloc(n * 48), *p = text;
	struct ksyms *k;
	size_t i;

	(void)state;
	assert_non_null(addrs);
	assert_non_null(text);
	for (i = 0; i < n; i++) {			/* distinct addresses, 16-byte aligned */
		addrs[i] = 0xffffffff81000000ull + (uint64_t)i * 64 + (tu_rand(&seed) % 3) * 16;
	}
	for (i = n - 1; i > 0; i--) {			/* shuffle */
		size_t j = tu_rand(&seed) % (i + 1);
		uint64_t t = addrs[i];

		addrs[i] = addrs[j];
		addrs[j] = t;
	}
	for (i = 0; i < n; i++)
		p += sprintf(p, "%016" PRIx64 " t s_%" PRIx64 "\n", addrs[i], addrs[i]);
	assert_int_equal(ksyms__parse(&k, text, p - text), 0);
	qsort(addrs, n, sizeof(*addrs), cmp_u64);
	for (i = 0; i < 200000; i++) {
		size_t r = tu_rand(&seed) % n;
		uint64_t a = addrs[r] + tu_rand(&seed) % (r + 1 < n ? addrs[r + 1] - addrs[r] : 4096);
		char want[32];
		const char *got = ksyms__find(k, a, &off);

		snprintf(want, sizeof(want), "s_%" PRIx64, addrs[r]);
		assert_non_null(got);
		assert_string_equal(got, want);
		assert_int_equal(off, a - addrs[r]);
	}
	ksyms__free(k);
	free(text);
	free(addrs);
}

/* The real file: only when this process may see addresses. */
static void test_load_real_kallsyms(void **state)
{
	struct ksyms *k = NULL;
	uint64_t a, off;
	int err;

	(void)state;
	err = ksyms__load(&k);
	if (err == -ENOENT || err == -EACCES || err == -EPERM)
		skip();		/* SKIP: kallsyms addresses hidden (kptr_restrict, no CAP_SYSLOG) */
	assert_int_equal(err, 0);
	a = ksyms__addr(k, "schedule");
	assert_int_not_equal(a, 0);
	assert_string_equal(ksyms__find(k, a, &off), "schedule");
	assert_int_equal(off, 0);
	ksyms__free(k);
}

/* The collectors share one table: a second get is the same table, the last
 * put frees it, and a get after that loads it again. */
static void test_shared_get_put(void **state)
{
	struct ksyms *a = NULL, *b = NULL, *c = NULL;
	int err;

	(void)state;
	err = ksyms__get(&a);
	if (err == -ENOENT || err == -EACCES || err == -EPERM)
		skip();		/* SKIP: kallsyms addresses hidden (kptr_restrict, no CAP_SYSLOG) */
	assert_int_equal(err, 0);
	assert_int_equal(ksyms__get(&b), 0);
	assert_ptr_equal(a, b);
	ksyms__put(b);
	assert_int_not_equal(ksyms__addr(a, "schedule"), 0);	/* still there for a */
	ksyms__put(a);
	ksyms__put(NULL);
	assert_int_equal(ksyms__get(&c), 0);
	assert_non_null(c);
	assert_int_not_equal(ksyms__addr(c, "schedule"), 0);
	ksyms__put(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sorted_lookup),
		cmocka_unit_test(test_below_first_and_far_beyond),
		cmocka_unit_test(test_fmt),
		cmocka_unit_test(test_malformed_lines_skipped),
		cmocka_unit_test(test_len_respected),
		cmocka_unit_test(test_all_zero_is_enoent),
		cmocka_unit_test(test_name_lengths),
		cmocka_unit_test(test_many_symbols),
		cmocka_unit_test(test_load_real_kallsyms),
		cmocka_unit_test(test_shared_get_put),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
