// SPDX-License-Identifier: GPL-2.0
/* Unit tests of core/sanitize.c: nothing a terminal acts on survives, and the escape is reversible. */
#include <stdarg.h>			/* cmocka 1.1 wants these four first */
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/sanitize.h"
#include "testutil.h"

/* One call through the shared checker; returns how many input bytes the
 * output stands for. Also: nothing written past n. */
static size_t check(const char *src, size_t srclen, size_t n)
{
	char *dst = malloc(n + 8);
	const char *why;
	size_t ret, i, used;

	assert_non_null(dst);
	memset(dst, 'Z', n + 8);
	ret = str_sanitize(dst, n, src, srclen);
	for (i = n; i < n + 8; i++)
		assert_int_equal(dst[i], 'Z');
	why = tu_sanitize_violation(src, srclen, n, dst, ret, &used);
	if (why)
		fail_msg("str_sanitize(n=%zu) of %zu bytes: %s", n, srclen, why);
	free(dst);
	return used;
}

static void expect(const char *src, const char *want)
{
	char buf[256];

	assert_int_equal(str_sanitize(buf, sizeof(buf), src, strlen(src)), strlen(want));
	assert_string_equal(buf, want);
	assert_int_equal(check(src, strlen(src), sizeof(buf)), strlen(src));
}

/* Bidirectional overrides and line separators would let a name reorder or
 * split what the terminal shows: escaped like any other control. */
static void test_bidi_controls(void **state)
{
	(void)state;
	expect("evil\xe2\x80\xae" "gnp.exe", "evil\\xe2\\x80\\xae" "gnp.exe");	/* U+202E RLO */
	expect("a\xe2\x81\xa6" "b", "a\\xe2\\x81\\xa6" "b");			/* U+2066 LRI */
	expect("a\xe2\x80\xa8" "b", "a\\xe2\\x80\\xa8" "b");			/* U+2028 LINE SEPARATOR */
	expect("\xe2\x80\x94", "\xe2\x80\x94");				/* U+2014 EM DASH passes */
}

static void test_every_byte_alone(void **state)
{
	char want[8], src[2] = { 0, 0 };
	unsigned b;

	(void)state;
	for (b = 1; b < 256; b++) {
		src[0] = (char)b;
		if (b == '\\')
			strcpy(want, "\\\\");
		else if (b == 0x1b)
			strcpy(want, "\\e");
		else if (b < 0x20 || b >= 0x7f)	/* controls, DEL, and no lone byte >= 0x80 is UTF-8 */
			snprintf(want, sizeof(want), "\\x%02x", b);
		else
			snprintf(want, sizeof(want), "%c", b);
		expect(src, want);
	}
	expect("", "");
}

static void test_every_byte_pair(void **state)
{
	unsigned a, b;
	size_t n;

	(void)state;
	for (a = 0; a < 256; a++)
		for (b = 0; b < 256; b++) {
			char s[2] = { (char)a, (char)b };

			for (n = 1; n <= 12; n += 11)
				check(s, 2, n);
		}
}

static void test_random_and_every_size(void **state)
{
	static const unsigned char interesting[] = {
		0x00, 0x07, 0x08, 0x0a, 0x0d, 0x1b, '[', ']', '\\', 'a', 0x7f, 0x80, 0x9b,
		0x9d, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xe2, 0xed, 0xef, 0xf0,
		0xf4, 0xf5, 0xff,
	};
	uint64_t seed = 17;
	char s[32];
	int i;
	size_t len, j, n;

	(void)state;
	for (i = 0; i < 30000; i++) {
		len = tu_rand(&seed) % sizeof(s);
		for (j = 0; j < len; j++) {
			uint64_t r = tu_rand(&seed);

			s[j] = r & 1 ? interesting[(r >> 8) % sizeof(interesting)] : (char)(r >> 16);
		}
		for (n = 1; n < 4 * sizeof(s) + 2; n += 1 + (tu_rand(&seed) % 5))
			check(s, len, n);
	}
}

/* What a hostile comm or path would try. */
static void test_attacks(void **state)
{
	(void)state;
	expect("\x1b[2J\x1b]0;pwned\x07", "\\e[2J\\e]0;pwned\\x07");	/* clear, set title */
	expect("a\rb", "a\\x0db");
	expect("x\by", "x\\x08y");
	expect("\xc2\x9b" "31m", "\\xc2\\x9b31m");		/* C1 CSI as UTF-8 */
	expect("\xc2\x9d" "0;t\xc2\x9c", "\\xc2\\x9d0;t\\xc2\\x9c");	/* C1 OSC .. ST */
	expect("\x9b" "31m", "\\x9b31m");			/* C1 CSI as a raw byte */
	expect("back\\slash", "back\\\\slash");		/* so "\x1b" typed literally stays distinguishable */
	expect("\\x1b", "\\\\x1b");
	expect("\xc0\x9b", "\\xc0\\x9b");			/* overlong */
	expect("\xed\xa0\x80", "\\xed\\xa0\\x80");		/* surrogate */
}

static void test_valid_utf8_passes(void **state)
{
	(void)state;
	expect("caf\xc3\xa9", "caf\xc3\xa9");
	expect("\xc2\xa0", "\xc2\xa0");			/* U+00A0, first after C1 */
	expect("\xe2\x82\xac 5", "\xe2\x82\xac 5");
	expect("\xf0\x9f\x90\xa7", "\xf0\x9f\x90\xa7");
	expect("kworker/0:1H-kblockd", "kworker/0:1H-kblockd");
}

static void test_truncation(void **state)
{
	char buf[16];

	(void)state;
	/* a 3-byte character that does not fit is dropped whole */
	assert_int_equal(str_sanitize(buf, 5, "ab\xe2\x82\xac", 5), 2);
	assert_string_equal(buf, "ab");
	assert_int_equal(str_sanitize(buf, 6, "ab\xe2\x82\xac", 5), 5);
	assert_string_equal(buf, "ab\xe2\x82\xac");
	/* so is an escape */
	assert_int_equal(str_sanitize(buf, 5, "a\x01", 2), 1);
	assert_string_equal(buf, "a");
	assert_int_equal(str_sanitize(buf, 6, "a\x01", 2), 5);
	assert_string_equal(buf, "a\\x01");
	assert_int_equal(str_sanitize(buf, 2, "\\", 1), 0);
	assert_string_equal(buf, "");
	/* n == 1: only the terminator */
	assert_int_equal(str_sanitize(buf, 1, "abc", 3), 0);
	assert_string_equal(buf, "");
	/* n == 0: nothing written at all */
	buf[0] = 'Q';
	assert_int_equal(str_sanitize(buf, 0, "abc", 3), 0);
	assert_int_equal(buf[0], 'Q');
	/* srclen and NUL both end the input */
	assert_int_equal(str_sanitize(buf, sizeof(buf), "abcdef", 3), 3);
	assert_string_equal(buf, "abc");
	assert_int_equal(str_sanitize(buf, sizeof(buf), "ab\0cd", 5), 2);
	assert_string_equal(buf, "ab");
	/* a comm without its NUL (exactly TASK_COMM_LEN bytes) is not over-read */
	{
		char comm[16];

		memset(comm, 'c', sizeof(comm));
		assert_int_equal(str_sanitize(buf, sizeof(buf), comm, sizeof(comm)), 15);
	}
}

static void test_san_rotates(void **state)
{
	const char *p[8];
	char big[1000];
	int i, j;

	(void)state;
	for (i = 0; i < 8; i++) {
		char s[4] = { '\x1b', (char)('0' + i), 0, 0 };

		p[i] = san(s);
	}
	for (i = 0; i < 8; i++) {			/* eight results valid at once */
		char want[4] = { '\\', 'e', (char)('0' + i), 0 };

		assert_string_equal(p[i], want);
		for (j = 0; j < i; j++)
			assert_ptr_not_equal(p[i], p[j]);
	}
	assert_string_equal(san(NULL), "");
	memset(big, 0x07, sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	assert_true(strlen(san(big)) < 256);
	assert_int_equal(strlen(san(big)) % 4, 0);	/* whole "\x07" escapes only */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_byte_alone),
		cmocka_unit_test(test_bidi_controls),
		cmocka_unit_test(test_every_byte_pair),
		cmocka_unit_test(test_random_and_every_size),
		cmocka_unit_test(test_attacks),
		cmocka_unit_test(test_valid_utf8_passes),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_san_rotates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
