/* SPDX-License-Identifier: GPL-2.0 */
/* A small streaming JSON writer: correct escaping for every byte, commas handled. */
#ifndef KTOP_JSON_H
#define KTOP_JSON_H
#include <stdint.h>
#include <stdio.h>

#define JW_DEPTH	16

struct jw {
	FILE *f;
	int depth;
	int count[JW_DEPTH];		/* members written at each level */
};

void jw_init(struct jw *w, FILE *f);
/* key is NULL inside arrays and for the top-level value. */
void jw_obj(struct jw *w, const char *key);
void jw_obj_end(struct jw *w);
void jw_arr(struct jw *w, const char *key);
void jw_arr_end(struct jw *w);
void jw_str(struct jw *w, const char *key, const char *val);
/* A string of exactly len bytes (may hold NULs, which are escaped). */
void jw_strn(struct jw *w, const char *key, const char *val, size_t len);
void jw_u64(struct jw *w, const char *key, uint64_t v);
void jw_i64(struct jw *w, const char *key, int64_t v);
void jw_dbl(struct jw *w, const char *key, double v);
void jw_bool(struct jw *w, const char *key, int v);
/* A JSON null: a value that does not exist (an I/O request without a sector). */
void jw_null(struct jw *w, const char *key);

/*
 * Write s (len bytes) as a JSON string literal with quotes. Valid UTF-8
 * passes through; control characters, '"', '\\', DEL and every byte that is
 * not part of a valid UTF-8 sequence are written as \uXXXX escapes (a stray
 * byte 0xNN as \u00NN), so the output is valid JSON for any input. Can't fail.
 */
void json_write_string(FILE *f, const char *s, size_t len);

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if s[0..n) does
 * not start one. Used by the JSON writer and the terminal sanitizer. */
int utf8_seq_len(const unsigned char *s, size_t n);

#endif
