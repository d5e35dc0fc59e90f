// SPDX-License-Identifier: GPL-2.0
/* Unit tests of core/json.c: string escaping for every byte, UTF-8 validation, the jw_* writer. */
#include <stdarg.h>			/* cmocka 1.1 wants these four first */
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include "core/json.h"
#include "testutil.h"

/* Write s through the shared checker; returns the literal (caller frees). */
static char *check_string(const void *s, size_t n)
{
	struct tu_mem m;
	const char *why;

	assert_non_null(tu_mem_open(&m));
	json_write_string(m.f, s, n);
	tu_mem_close(&m);
	why = tu_json_string_violation(s, n, m.buf, m.len);
	if (why)
		fail_msg("json_write_string of %zu bytes gave '%s': %s", n, m.buf, why);
	return m.buf;
}

static void expect_literal(const char *s, size_t n, const char *lit)
{
	char *out = check_string(s, n);

	assert_string_equal(out, lit);
	free(out);
}

/* Every byte value on its own. */
static void test_every_byte_alone(void **state)
{
	unsigned b;

	(void)state;
	for (b = 0; b < 256; b++) {
		unsigned char c = b;
		char *out = check_string(&c, 1);
		char raw[4] = { '"', (char)c, '"', 0 };

		if (b >= 0x20 && b < 0x7f && b != '"' && b != '\\')
			assert_string_equal(out, raw);	/* printable ASCII as is */
		else
			assert_int_equal(out[1], '\\');	/* everything else escaped */
		if (b >= 0x80)				/* a lone high byte is never valid */
			assert_int_equal(strlen(out), 8);	/* "\u00NN" */
		free(out);
	}
	expect_literal("\"", 1, "\"\\\"\"");
	expect_literal("\\", 1, "\"\\\\\"");
	expect_literal("\n", 1, "\"\\n\"");
	expect_literal("\t", 1, "\"\\t\"");
	expect_literal("", 0, "\"\"");
}

/* Every pair of bytes: 65536 literals, each valid and decoding to the model. */
static void test_every_byte_pair(void **state)
{
	unsigned a, b;

	(void)state;
	for (a = 0; a < 256; a++)
		for (b = 0; b < 256; b++) {
			unsigned char s[2] = { a, b };

			free(check_string(s, 2));
		}
}

/* Random strings drawn mostly from the bytes that matter to UTF-8. */
static void test_random_sequences(void **state)
{
	static const unsigned char interesting[] = {
		0x00, 0x01, 0x09, 0x0a, 0x1b, 0x1f, '"', '\\', '/', 'a', 0x7f,
		0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf,
		0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff,
	};
	uint64_t seed = 99;
	unsigned char s[24];
	int i;
	size_t n, j;

	(void)state;
	for (i = 0; i < 200000; i++) {
		n = tu_rand(&seed) % sizeof(s);
		for (j = 0; j < n; j++) {
			uint64_t r = tu_rand(&seed);

			s[j] = r & 1 ? interesting[(r >> 8) % sizeof(interesting)] : (unsigned char)(r >> 16);
		}
		free(check_string(s, n));
	}
}

/* Valid UTF-8 passes through raw; broken forms come out byte by byte. */
static void test_utf8_cases(void **state)
{
	(void)state;
	expect_literal("\xc3\xa9", 2, "\"\xc3\xa9\"");			/* é */
	expect_literal("\xe2\x82\xac", 3, "\"\xe2\x82\xac\"");		/* € */
	expect_literal("\xf0\x9f\x98\x80", 4, "\"\xf0\x9f\x98\x80\"");	/* U+1F600 */
	expect_literal("\xf4\x8f\xbf\xbf", 4, "\"\xf4\x8f\xbf\xbf\"");	/* U+10FFFF, the last */
	expect_literal("\xc2\x80", 2, "\"\xc2\x80\"");			/* U+0080 is legal JSON */
	/* overlong '/' (the classic path-traversal smuggle) */
	free(check_string("\xc0\xaf", 2));
	free(check_string("\xe0\x80\xaf", 3));
	free(check_string("\xf0\x80\x80\xaf", 4));
	/* UTF-16 surrogates encoded in UTF-8 (CESU) */
	free(check_string("\xed\xa0\x80", 3));
	free(check_string("\xed\xbf\xbf", 3));
	/* past U+10FFFF, and lead bytes that never start anything */
	free(check_string("\xf4\x90\x80\x80", 4));
	free(check_string("\xf5\x80\x80\x80", 4));
	free(check_string("\xff\xfe", 2));
	/* truncated sequences, at the end and before ASCII */
	free(check_string("\xe2\x82", 2));
	free(check_string("\xe2\x82x", 3));
	free(check_string("a\xf0\x9f\x98", 4));
	/* NUL inside a counted string */
	expect_literal("a\0b", 3, "\"a\\u0000b\"");
	expect_literal("\x1b[31m", 5, "\"\\u001b[31m\"");
	expect_literal("\x7f", 1, "\"\\u007f\"");
}

/* utf8_seq_len agrees with the standard's table on every 1-, 2- and 3-byte
 * input and on the 4-byte ones that matter. */
static void test_utf8_seq_len_exhaustive(void **state)
{
	static const unsigned char last[] = { 0x00, 0x7f, 0x80, 0xbf, 0xc0, 0xff };
	unsigned char s[4];
	unsigned a, b, c, d;

	(void)state;
	for (a = 0; a < 256; a++) {
		s[0] = a;
		assert_int_equal(utf8_seq_len(s, 1), tu_utf8_len(s, 1));
		for (b = 0; b < 256; b++) {
			s[1] = b;
			assert_int_equal(utf8_seq_len(s, 2), tu_utf8_len(s, 2));
			if (a < 0xe0)
				continue;
			for (c = 0; c < 256; c++) {
				s[2] = c;
				assert_int_equal(utf8_seq_len(s, 3), tu_utf8_len(s, 3));
				if (a < 0xf0)
					continue;
				for (d = 0; d < sizeof(last); d++) {
					s[3] = last[d];
					assert_int_equal(utf8_seq_len(s, 4), tu_utf8_len(s, 4));
				}
			}
		}
	}
	/* n shorter than the sequence: not valid, and nothing read past n */
	assert_int_equal(utf8_seq_len((const unsigned char *)"\xe2\x82\xac", 2), 0);
	assert_int_equal(utf8_seq_len((const unsigned char *)"\xf0\x9f\x98\x80", 3), 0);
}

static char *capture_writer(void (*fn)(struct jw *))
{
	struct tu_mem m;
	struct jw w;

	assert_non_null(tu_mem_open(&m));
	jw_init(&w, m.f);
	fn(&w);
	tu_mem_close(&m);
	return m.buf;
}

static void write_sample(struct jw *w)
{
	jw_obj(w, NULL);
	jw_str(w, "a", "x");
	jw_u64(w, "n", UINT64_MAX);
	jw_i64(w, "i", INT64_MIN);
	jw_dbl(w, "d", 0.5);
	jw_dbl(w, "nan", NAN);
	jw_dbl(w, "inf", -INFINITY);
	jw_bool(w, "t", 1);
	jw_bool(w, "f", 0);
	jw_arr(w, "l");
	jw_u64(w, NULL, 1);
	jw_obj(w, NULL);
	jw_obj_end(w);
	jw_arr(w, NULL);
	jw_arr_end(w);
	jw_str(w, NULL, "s");
	jw_arr_end(w);
	jw_obj(w, "o");
	jw_obj_end(w);
	jw_strn(w, "z", "a\0b", 3);
	jw_str(w, "null", NULL);
	jw_str(w, "k\"\n", "\x1b");
	jw_obj_end(w);
}

/* Commas, nesting, keys, numbers: exact text, and valid JSON. */
static void test_writer_exact(void **state)
{
	char *out = capture_writer(write_sample);

	(void)state;
	assert_string_equal(out,
		"{\"a\":\"x\",\"n\":18446744073709551615,\"i\":-9223372036854775808,"
		"\"d\":0.5,\"nan\":null,\"inf\":null,\"t\":true,\"f\":false,"
		"\"l\":[1,{},[],\"s\"],\"o\":{},\"z\":\"a\\u0000b\",\"null\":\"\","
		"\"k\\\"\\n\":\"\\u001b\"}");
	assert_int_equal(tu_json_valid(out, strlen(out)), 0);
	free(out);
}

static void write_doubles(struct jw *w)
{
	static const double v[] = { 0, -0.0, 1e20, -1e-20, 123456789.0, 3.14159265358979, 1e308, 5e-324 };
	unsigned i;

	jw_arr(w, NULL);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		jw_dbl(w, NULL, v[i]);
	jw_arr_end(w);
}

/* Whatever printf makes of a double must still be a JSON number. */
static void test_writer_doubles(void **state)
{
	char *out = capture_writer(write_doubles);

	(void)state;
	assert_int_equal(tu_json_valid(out, strlen(out)), 0);
	free(out);
}

static void write_deep(struct jw *w)
{
	int i;

	for (i = 0; i < JW_DEPTH; i++) {
		jw_arr(w, NULL);
		jw_u64(w, NULL, i);
	}
	for (i = 0; i < JW_DEPTH; i++) {
		jw_u64(w, NULL, i);
		jw_arr_end(w);
	}
}

/* JW_DEPTH levels of nesting with members on both sides of each child. */
static void test_writer_deep(void **state)
{
	char *out = capture_writer(write_deep);

	(void)state;
	assert_int_equal(tu_json_valid(out, strlen(out)), 0);
	assert_non_null(strstr(out, "[0,[1,[2,"));
	free(out);
}

/* Nesting deeper than JW_DEPTH must not write outside struct jw. */
static void test_writer_too_deep_stays_in_bounds(void **state)
{
	struct {
		struct jw w;
		unsigned canary[16];
	} x;
	struct tu_mem m;
	int i;

	(void)state;
	memset(x.canary, 0xa5, sizeof(x.canary));
	assert_non_null(tu_mem_open(&m));
	jw_init(&x.w, m.f);
	for (i = 0; i < JW_DEPTH + 8; i++) {
		jw_arr(&x.w, NULL);
		jw_u64(&x.w, NULL, i);
		jw_u64(&x.w, NULL, i);
	}
	for (i = 0; i < JW_DEPTH + 8; i++)
		jw_arr_end(&x.w);
	tu_mem_close(&m);
	for (i = 0; i < 16; i++)
		assert_int_equal(x.canary[i], 0xa5a5a5a5u);
	assert_int_equal(x.w.depth, 0);
	free(m.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_byte_alone),
		cmocka_unit_test(test_every_byte_pair),
		cmocka_unit_test(test_random_sequences),
		cmocka_unit_test(test_utf8_cases),
		cmocka_unit_test(test_utf8_seq_len_exhaustive),
		cmocka_unit_test(test_writer_exact),
		cmocka_unit_test(test_writer_doubles),
		cmocka_unit_test(test_writer_deep),
		cmocka_unit_test(test_writer_too_deep_stays_in_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
