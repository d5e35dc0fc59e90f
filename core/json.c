// SPDX-License-Identifier: GPL-2.0
/* Streaming JSON writer. */
#include <math.h>
#include <string.h>
#include <inttypes.h>
#include "core/json.h"

/* See json.h. Rejects overlong forms, surrogates and values past U+10FFFF. */
int utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0], cp;
	int len, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if ((size_t)len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	if (cp >= 0xd800 && cp <= 0xdfff)
		return 0;
	return len;
}

/* See json.h. Runs of plain printable ASCII go out in one fwrite(). */
void json_write_string(FILE *f, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run;
	int n;

	fputc('"', f);
	while (i < len) {
		unsigned c = p[i];

		for (run = i; run < len && p[run] >= 0x20 && p[run] < 0x7f &&
			      p[run] != '"' && p[run] != '\\'; run++)
			;
		if (run > i) {
			fwrite(p + i, 1, run - i, f);
			i = run;
			continue;
		}
		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
			i++;
		} else if (c == '\n') {
			fputs("\\n", f);
			i++;
		} else if (c == '\t') {
			fputs("\\t", f);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
			i++;
		} else if ((n = utf8_seq_len(p + i, len - i)) > 0) {
			fwrite(p + i, 1, n, f);
			i += n;
		} else {
			fprintf(f, "\\u%04x", c);	/* stray byte: keep its value visible */
			i++;
		}
	}
	fputc('"', f);
}

/* Decimal digits of v, without printf: the writers emit ~10 numbers a row. */
static void put_u64(FILE *f, uint64_t v)
{
	char buf[24];
	int i = sizeof(buf);

	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	fwrite(buf + i, 1, sizeof(buf) - i, f);
}

static void sep(struct jw *w, const char *key)
{
	/* count[] covers JW_DEPTH levels; deeper members get no comma rather
	 * than a write past the struct (no writer nests that deep) */
	if (w->depth > 0 && w->depth <= JW_DEPTH && w->count[w->depth - 1]++)
		fputc(',', w->f);
	if (key) {
		json_write_string(w->f, key, strlen(key));
		fputc(':', w->f);
	}
}

void jw_init(struct jw *w, FILE *f)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
}

static void open_(struct jw *w, const char *key, int ch)
{
	sep(w, key);
	fputc(ch, w->f);
	if (w->depth < JW_DEPTH)
		w->count[w->depth] = 0;
	w->depth++;
}

static void close_(struct jw *w, int ch)
{
	if (w->depth > 0)
		w->depth--;
	fputc(ch, w->f);
}

void jw_obj(struct jw *w, const char *key) { open_(w, key, '{'); }
void jw_obj_end(struct jw *w) { close_(w, '}'); }
void jw_arr(struct jw *w, const char *key) { open_(w, key, '['); }
void jw_arr_end(struct jw *w) { close_(w, ']'); }

void jw_str(struct jw *w, const char *key, const char *val)
{
	sep(w, key);
	json_write_string(w->f, val ? val : "", val ? strlen(val) : 0);
}

void jw_strn(struct jw *w, const char *key, const char *val, size_t len)
{
	sep(w, key);
	json_write_string(w->f, val, len);
}

void jw_u64(struct jw *w, const char *key, uint64_t v)
{
	sep(w, key);
	put_u64(w->f, v);
}

void jw_i64(struct jw *w, const char *key, int64_t v)
{
	sep(w, key);
	fprintf(w->f, "%" PRId64, v);
}

void jw_dbl(struct jw *w, const char *key, double v)
{
	sep(w, key);
	if (isfinite(v))
		fprintf(w->f, "%.6g", v);
	else
		fputs("null", w->f);	/* JSON has no NaN or infinity */
}

void jw_bool(struct jw *w, const char *key, int v)
{
	sep(w, key);
	fputs(v ? "true" : "false", w->f);
}

/* See json.h. */
void jw_null(struct jw *w, const char *key)
{
	sep(w, key);
	fputs("null", w->f);
}
