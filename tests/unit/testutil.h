/* SPDX-License-Identifier: GPL-2.0 */
/* Test helpers written independently of core: PRNG, UTF-8 and JSON checkers, memstream capture. */
#ifndef KTOP_TESTUTIL_H
#define KTOP_TESTUTIL_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>

static inline int tu_rm_one_(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

/* Remove dir and everything below it, never following a symlink. */
static inline void tu_rm_tree(const char *dir)
{
	nftw(dir, tu_rm_one_, 8, FTW_DEPTH | FTW_PHYS);
}

/* xorshift64*: deterministic, so a failure reproduces with the same seed. */
static inline uint64_t tu_rand(uint64_t *s)
{
	uint64_t x = *s ? *s : 0x9e3779b97f4a7c15ull;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

/*
 * Length of the well-formed UTF-8 sequence at s (1..4), or 0. Written from
 * the Unicode standard's table 3-7 of well-formed byte sequences, not from
 * core/json.c, so the two can check each other.
 */
static inline int tu_utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0], lo = 0x80, hi = 0xbf;
	int len, i;

	if (c <= 0x7f)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c == 0xe0)
		len = 3, lo = 0xa0;
	else if (c == 0xed)
		len = 3, hi = 0x9f;
	else if (c >= 0xe1 && c <= 0xef)
		len = 3;
	else if (c == 0xf0)
		len = 4, lo = 0x90;
	else if (c == 0xf4)
		len = 4, hi = 0x8f;
	else if (c >= 0xf1 && c <= 0xf3)
		len = 4;
	else
		return 0;
	if ((size_t)len > n)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/* 1 when all n bytes of s are well-formed UTF-8. */
static inline int tu_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	int l;

	while (i < n) {
		l = tu_utf8_len(p + i, n - i);
		if (!l)
			return 0;
		i += l;
	}
	return 1;
}

/* Append code point cp as UTF-8 to out (room for 4 more bytes needed). */
static inline size_t tu_put_utf8(unsigned char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = 0xc0 | cp >> 6;
		out[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = 0xe0 | cp >> 12;
		out[1] = 0x80 | (cp >> 6 & 0x3f);
		out[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	out[0] = 0xf0 | cp >> 18;
	out[1] = 0x80 | (cp >> 12 & 0x3f);
	out[2] = 0x80 | (cp >> 6 & 0x3f);
	out[3] = 0x80 | (cp & 0x3f);
	return 4;
}

/* ---- a strict RFC 8259 checker ------------------------------------------ */

struct tu_json {
	const unsigned char *p, *end;
	unsigned char *out;		/* decoded string bytes, or NULL */
	size_t outlen, outcap;
	int depth;
};

static inline void tu_ws(struct tu_json *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static inline int tu_hex4(struct tu_json *j, uint32_t *v)
{
	int i;

	*v = 0;
	if (j->end - j->p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		unsigned c = *j->p++;

		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			*v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			*v |= c - 'A' + 10;
		else
			return -1;
	}
	return 0;
}

static inline void tu_emit(struct tu_json *j, const unsigned char *b, size_t n)
{
	if (!j->out || j->outlen + n > j->outcap)
		return;
	memcpy(j->out + j->outlen, b, n);
	j->outlen += n;
}

/* A string literal; decodes into j->out when set. Lone surrogates are rejected. */
static inline int tu_jstring(struct tu_json *j)
{
	unsigned char buf[4];
	uint32_t cp, lo;
	int l;

	if (j->p >= j->end || *j->p != '"')
		return -1;
	j->p++;
	for (;;) {
		if (j->p >= j->end)
			return -1;
		if (*j->p == '"') {
			j->p++;
			return 0;
		}
		if (*j->p < 0x20)
			return -1;		/* raw control byte */
		if (*j->p != '\\') {
			l = tu_utf8_len(j->p, j->end - j->p);
			if (!l)
				return -1;	/* JSON text must be UTF-8 */
			tu_emit(j, j->p, l);
			j->p += l;
			continue;
		}
		j->p++;
		if (j->p >= j->end)
			return -1;
		switch (*j->p++) {
		case '"': buf[0] = '"'; break;
		case '\\': buf[0] = '\\'; break;
		case '/': buf[0] = '/'; break;
		case 'b': buf[0] = '\b'; break;
		case 'f': buf[0] = '\f'; break;
		case 'n': buf[0] = '\n'; break;
		case 'r': buf[0] = '\r'; break;
		case 't': buf[0] = '\t'; break;
		case 'u':
			if (tu_hex4(j, &cp))
				return -1;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return -1;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (j->end - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u')
					return -1;
				j->p += 2;
				if (tu_hex4(j, &lo) || lo < 0xdc00 || lo > 0xdfff)
					return -1;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			tu_emit(j, buf, tu_put_utf8(buf, cp));
			continue;
		default:
			return -1;
		}
		tu_emit(j, buf, 1);
	}
}

static inline int tu_digits(struct tu_json *j)
{
	const unsigned char *s = j->p;

	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > s ? 0 : -1;
}

static inline int tu_jnumber(struct tu_json *j)
{
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0')
		j->p++;
	else if (tu_digits(j))
		return -1;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (tu_digits(j))
			return -1;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (tu_digits(j))
			return -1;
	}
	return 0;
}

static inline int tu_jlit(struct tu_json *j, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n))
		return -1;
	j->p += n;
	return 0;
}

static inline int tu_jvalue(struct tu_json *j)
{
	unsigned char close;

	tu_ws(j);
	if (j->p >= j->end)
		return -1;
	switch (*j->p) {
	case '"':
		return tu_jstring(j);
	case 't':
		return tu_jlit(j, "true");
	case 'f':
		return tu_jlit(j, "false");
	case 'n':
		return tu_jlit(j, "null");
	case '{':
	case '[':
		if (++j->depth > 64)
			return -1;
		close = *j->p == '{' ? '}' : ']';
		j->p++;
		tu_ws(j);
		if (j->p < j->end && *j->p == close) {
			j->p++;
			j->depth--;
			return 0;
		}
		for (;;) {
			if (close == '}') {
				tu_ws(j);
				if (tu_jstring(j))
					return -1;
				tu_ws(j);
				if (j->p >= j->end || *j->p++ != ':')
					return -1;
			}
			if (tu_jvalue(j))
				return -1;
			tu_ws(j);
			if (j->p >= j->end)
				return -1;
			if (*j->p == ',') {
				j->p++;
				continue;
			}
			if (*j->p++ != close)
				return -1;
			j->depth--;
			return 0;
		}
	default:
		return tu_jnumber(j);
	}
}

/* 0 when s[0..n) is exactly one JSON value (surrounding white space allowed), else -1. */
static inline int tu_json_valid(const char *s, size_t n)
{
	struct tu_json j = { (const unsigned char *)s, (const unsigned char *)s + n, NULL, 0, 0, 0 };

	if (tu_jvalue(&j))
		return -1;
	tu_ws(&j);
	return j.p == j.end ? 0 : -1;
}

/*
 * Decode s[0..n), which must be exactly one JSON string literal, into out
 * (cap bytes). Returns the decoded length, or -1 when s is not a valid
 * literal or out is too small.
 */
static inline long tu_json_decode_string(const char *s, size_t n, char *out, size_t cap)
{
	struct tu_json j = { (const unsigned char *)s, (const unsigned char *)s + n,
			     (unsigned char *)out, 0, cap, 0 };

	if (tu_jstring(&j) || j.p != j.end)
		return -1;
	if (j.outlen == cap)
		return -1;		/* possibly truncated */
	return (long)j.outlen;
}

/* ---- capture ------------------------------------------------------------ */

struct tu_mem {
	FILE *f;
	char *buf;
	size_t len;
};

static inline FILE *tu_mem_open(struct tu_mem *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	return m->f;
}

/* Flush and close; m->buf (NUL-terminated, m->len bytes) is the caller's to free. */
static inline void tu_mem_close(struct tu_mem *m)
{
	fclose(m->f);
	m->f = NULL;
}

/* ---- checkers shared by the unit tests and the fuzz harnesses ------------ */

/*
 * What a JSON reader must get back from json_write_string(s, n): well-formed
 * UTF-8 sequences unchanged (NUL and control bytes included, escaped on the
 * wire), and each byte that starts no well-formed sequence as the code point
 * U+00NN (the \u00NN escape of json.h). out needs room for 2 * n bytes.
 */
static inline size_t tu_json_model(const unsigned char *in, size_t n, unsigned char *out)
{
	size_t i = 0, o = 0;
	int l;

	while (i < n) {
		l = tu_utf8_len(in + i, n - i);
		if (l) {
			memcpy(out + o, in + i, l);
			o += l;
			i += l;
		} else {
			o += tu_put_utf8(out + o, in[i]);
			i++;
		}
	}
	return o;
}

/*
 * NULL when lit[0..litlen) is what json_write_string(s, n) must write: one
 * valid RFC 8259 string literal with no raw control byte or DEL that decodes
 * to tu_json_model(s). Otherwise a static description of what is wrong.
 */
static inline const char *tu_json_string_violation(const char *s, size_t n,
						    const char *lit, size_t litlen)
{
	unsigned char *want = malloc(2 * n + 1);
	char *got = malloc(litlen + 1);
	const char *why = NULL;
	size_t wlen, i;
	long glen;

	if (!want || !got) {
		why = "out of memory in the checker";
		goto out;
	}
	for (i = 0; i < litlen; i++)
		if ((unsigned char)lit[i] < 0x20 || lit[i] == 0x7f) {
			why = "raw control byte or DEL in the literal";
			goto out;
		}
	if (tu_json_valid(lit, litlen)) {
		why = "not a valid JSON value";
		goto out;
	}
	glen = tu_json_decode_string(lit, litlen, got, litlen + 1);
	if (glen < 0) {
		why = "not exactly one JSON string literal";
		goto out;
	}
	wlen = tu_json_model((const unsigned char *)s, n, want);
	if ((size_t)glen != wlen || memcmp(got, want, wlen))
		why = "decodes to something other than the input";
out:
	free(want);
	free(got);
	return why;
}

static inline int tu_hexv(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * NULL when dst, returned as ret by str_sanitize(dst, n, src, srclen), keeps
 * every promise of sanitize.h: NUL-terminated at ret < n; no C0 byte, DEL,
 * ESC or C1 control (C2 80..9F); valid UTF-8; a backslash only in "\\",
 * "\e" or "\xNN"; decodes back to a prefix of src that ends on a character
 * boundary and is shorter than src only when the next unit could not fit.
 * *used gets the length of that prefix. Otherwise what is wrong.
 */
static inline const char *tu_sanitize_violation(const char *src, size_t srclen, size_t n,
						 const char *dst, size_t ret, size_t *used)
{
	const unsigned char *o = (const unsigned char *)dst;
	size_t i, d = 0, end = strnlen(src, srclen);
	char *dec;
	const char *why = NULL;
	int h1, h2;

	*used = 0;
	if (ret >= n || dst[ret] || strlen(dst) != ret)
		return "not NUL-terminated at the returned length inside n";
	if (!tu_utf8_valid(dst, ret))
		return "output is not valid UTF-8";
	dec = malloc(ret + 1);
	if (!dec)
		return "out of memory in the checker";
	for (i = 0; i < ret && !why; i++) {
		if (o[i] < 0x20 || o[i] == 0x7f) {
			why = "control byte, ESC or DEL in the output";
		} else if (o[i] == 0xc2 && i + 1 < ret && o[i + 1] >= 0x80 && o[i + 1] <= 0x9f) {
			why = "C1 control in the output";
		} else if (o[i] != '\\') {
			dec[d++] = dst[i];
		} else if (i + 1 >= ret) {
			why = "lone backslash at the end";
		} else if (o[i + 1] == '\\') {
			dec[d++] = '\\';
			i += 1;
		} else if (o[i + 1] == 'e') {
			dec[d++] = 0x1b;
			i += 1;
		} else if (o[i + 1] != 'x' || i + 3 >= ret ||
			   (h1 = tu_hexv(o[i + 2])) < 0 || (h2 = tu_hexv(o[i + 3])) < 0) {
			why = "backslash not followed by \\, e or xNN";
		} else {
			dec[d++] = (char)(h1 << 4 | h2);
			i += 3;
		}
	}
	if (!why && (d > end || memcmp(dec, src, d)))
		why = "does not decode to a prefix of the input";
	/* cut only for lack of room: the next unit (at most 4 bytes out) did not fit */
	if (!why && d < end && ret + 4 + 1 <= n)
		why = "stopped early with room left";
	/* the cut is on a character boundary: a well-formed sequence of the
	 * input (other than a C1 control, which is escaped byte by byte) is
	 * either wholly in the output or wholly out of it */
	if (!why) {
		for (i = 0; i < d; ) {
			const unsigned char *u = (const unsigned char *)src + i;
			int l = tu_utf8_len(u, end - i);

			/* C1 and bidi/line controls are escaped byte by byte */
			if (l < 1 || (l == 2 && u[0] == 0xc2 && u[1] < 0xa0) ||
			    (l == 3 && u[0] == 0xe2 &&
			     ((u[1] == 0x80 && (u[2] == 0x8e || u[2] == 0x8f ||
						(u[2] >= 0xa8 && u[2] <= 0xae))) ||
			      (u[1] == 0x81 && u[2] >= 0xa6 && u[2] <= 0xa9))))
				l = 1;
			i += l;
		}
		if (i != d)
			why = "cut inside a character";
	}
	free(dec);
	*used = d;
	return why;
}

#endif /* KTOP_TESTUTIL_H */
