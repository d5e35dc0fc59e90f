/* SPDX-License-Identifier: GPL-2.0 */
/* A small JSON reader (DOM) for replay files: bounded depth, fuzzed. */
#ifndef KTOP_JSONR_H
#define KTOP_JSONR_H
#include <stddef.h>
#include <stdint.h>

enum jv_type { JV_NULL, JV_BOOL, JV_NUM, JV_STR, JV_ARR, JV_OBJ };

struct jv {
	int type;			/* enum jv_type */
	int boolean;
	double num;
	uint64_t u;			/* exact value of a non-negative integer literal */
	int is_uint;
	char *str;			/* JV_STR: decoded bytes, NUL-terminated (may hold NULs: see len) */
	size_t len;
	char **keys;			/* JV_OBJ: n keys */
	struct jv *kids;		/* JV_ARR, JV_OBJ: n values */
	size_t n;
};

#define JSONR_MAX_DEPTH	32

/*
 * Parse exactly one JSON value (surrounding whitespace allowed) from
 * text[0..len). Returns 0 and a tree in *out (free with jv_free()), -EINVAL
 * on malformed input (with the byte offset in *where if where is not NULL),
 * -E2BIG past JSONR_MAX_DEPTH nesting, -ENOMEM.
 */
int json_parse(const char *text, size_t len, struct jv **out, size_t *where);
void jv_free(struct jv *v);

/* Member key of object o, or NULL (also when o is NULL or not an object). */
const struct jv *jv_get(const struct jv *o, const char *key);
/* Unsigned integer member, or 0 when absent or not a non-negative integer. */
uint64_t jv_u64(const struct jv *o, const char *key);
double jv_num(const struct jv *o, const char *key);
int jv_bool(const struct jv *o, const char *key);
/* Copy a string member into buf (n bytes, NUL-terminated, truncated); "" when absent. */
void jv_str(const struct jv *o, const char *key, char *buf, size_t n);
/* Array member, or NULL. */
const struct jv *jv_arr(const struct jv *o, const char *key);

#endif
