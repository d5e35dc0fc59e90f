// SPDX-License-Identifier: GPL-2.0
/* Field tables: one generic JSON writer and reader for every snapshot row. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/field.h"
#include "core/fmt.h"
#include "ktop/hist.h"

#define AT(row, off)	((char *)(row) + (off))
#define CAT(row, off)	((const char *)(row) + (off))

/* See field.h. */
uint64_t fld_u(const struct fld *f, const void *row)
{
	const char *p = CAT(row, f->off);

	switch (f->size) {
	case 1: return *(const uint8_t *)p;
	case 2: return *(const uint16_t *)p;
	case 4: return *(const uint32_t *)p;
	default: return *(const uint64_t *)p;
	}
}

/* See field.h. */
void fld_set_u(const struct fld *f, void *row, uint64_t v)
{
	char *p = AT(row, f->off);

	switch (f->size) {
	case 1: *(uint8_t *)p = (uint8_t)v; break;
	case 2: *(uint16_t *)p = (uint16_t)v; break;
	case 4: *(uint32_t *)p = (uint32_t)v; break;
	default: *(uint64_t *)p = v; break;
	}
}

static uint32_t count_of(const struct fld *f, const void *row)
{
	uint32_t n = *(const uint32_t *)CAT(row, f->cnt);

	return n < f->max ? n : f->max;
}

static int is_zero(const struct fld *f, const void *row)
{
	const char *p = CAT(row, f->off);

	if (f->kind == FLD_KIND_ARR || f->kind == FLD_KIND_STRS)
		return !count_of(f, row);
	if (f->kind == FLD_KIND_STR)
		return !p[0];
	if (f->kind == FLD_KIND_DBL)
		return *(const double *)p == 0;
	return !fld_u(f, row);
}

static void put_arr(struct jw *w, const struct fld *f, const void *row)
{
	uint32_t i, n = count_of(f, row);

	jw_arr(w, f->name);
	for (i = 0; i < n; i++) {
		const char *e = CAT(row, f->off + i * f->elem);

		if (f->kind == FLD_KIND_STRS) {
			jw_strn(w, NULL, e, strnlen(e, f->elem));
			continue;
		}
		jw_obj(w, NULL);
		fld_put(w, f->sub, e);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void put_one(struct jw *w, const struct fld *f, const void *row)
{
	const char *p = CAT(row, f->off);
	char buf[40];

	switch (f->kind) {
	case FLD_KIND_U:
		jw_u64(w, f->name, fld_u(f, row));
		break;
	case FLD_KIND_BOOL:
		jw_bool(w, f->name, fld_u(f, row) != 0);
		break;
	case FLD_KIND_DBL:
		jw_dbl(w, f->name, *(const double *)p);
		break;
	case FLD_KIND_STR:
		jw_strn(w, f->name, p, strnlen(p, f->size));
		break;
	case FLD_KIND_HEX:
		snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)fld_u(f, row));
		jw_str(w, f->name, buf);
		break;
	case FLD_KIND_TIME:
		jw_str(w, f->name, fmt_iso8601(buf, sizeof(buf), *(const int64_t *)p));
		break;
	case FLD_KIND_HIST:
		out_json_hist(w, f->name, (const uint64_t *)p);
		break;
	case FLD_KIND_OBJ:
		jw_obj(w, f->name);
		fld_put(w, f->sub, row);
		jw_obj_end(w);
		break;
	case FLD_KIND_ARR:
	case FLD_KIND_STRS:
		put_arr(w, f, row);
		break;
	case FLD_KIND_FN:
		f->put(w, f, row);
		break;
	case FLD_KIND_INL:
		fld_put(w, f->sub, row);
		break;
	}
}

/* See field.h. */
void fld_put(struct jw *w, const struct fld *t, const void *row)
{
	for (; t->name; t++)
		if (!(t->flags & FLD_OMIT0) || !is_zero(t, row))
			put_one(w, t, row);
}

/* "0xffff..." back into a number; 0 when it is not one. */
static uint64_t unhex(const struct jv *o, const char *key)
{
	char buf[24], *end;
	unsigned long long v;

	jv_str(o, key, buf, sizeof(buf));
	if (buf[0] != '0' || (buf[1] != 'x' && buf[1] != 'X'))
		return 0;
	v = strtoull(buf + 2, &end, 16);
	return *end ? 0 : v;
}

static void get_arr(const struct jv *o, const struct fld *f, void *row)
{
	const struct jv *a = jv_arr(o, f->name);
	uint32_t *n = (uint32_t *)AT(row, f->cnt);
	size_t i;

	for (i = 0; a && i < a->n && *n < f->max; i++) {
		char *e = AT(row, f->off + *n * f->elem);
		const struct jv *v = &a->kids[i];

		if (f->kind == FLD_KIND_ARR) {
			fld_get(v, f->sub, e);
			(*n)++;
		} else if (v->type == JV_STR) {
			size_t k = v->len < f->elem - 1 ? v->len : f->elem - 1;

			memcpy(e, v->str, k);
			e[k] = 0;
			(*n)++;
		}
	}
}

static void get_one(const struct jv *o, const struct fld *f, void *row)
{
	char *p = AT(row, f->off), buf[40];

	switch (f->kind) {
	case FLD_KIND_U:
		fld_set_u(f, row, jv_u64(o, f->name));
		break;
	case FLD_KIND_BOOL:
		fld_set_u(f, row, jv_bool(o, f->name) != 0);
		break;
	case FLD_KIND_DBL:
		*(double *)p = jv_num(o, f->name);
		break;
	case FLD_KIND_STR:
		jv_str(o, f->name, p, f->size);
		break;
	case FLD_KIND_HEX:
		fld_set_u(f, row, unhex(o, f->name));
		break;
	case FLD_KIND_TIME:
		jv_str(o, f->name, buf, sizeof(buf));
		*(int64_t *)p = replay_time(buf);
		break;
	case FLD_KIND_HIST:
		replay_hist(jv_arr(o, f->name), (uint64_t *)p);
		break;
	case FLD_KIND_OBJ:
		fld_get(jv_get(o, f->name), f->sub, row);
		break;
	case FLD_KIND_ARR:
	case FLD_KIND_STRS:
		get_arr(o, f, row);
		break;
	case FLD_KIND_FN:
		f->get(o, f, row);
		break;
	case FLD_KIND_INL:
		fld_get(o, f->sub, row);
		break;
	}
}

/* See field.h. */
void fld_get(const struct jv *o, const struct fld *t, void *row)
{
	for (; t->name; t++)
		get_one(o, t, row);
}

/* See field.h. */
void replay_hist(const struct jv *arr, uint64_t *hist)
{
	size_t i;

	memset(hist, 0, KTOP_HIST_BUCKETS * sizeof(*hist));
	if (!arr || arr->type != JV_ARR)
		return;
	for (i = 0; i < arr->n; i++) {
		const struct jv *pair = &arr->kids[i];

		if (pair->type != JV_ARR || pair->n != 2 || !pair->kids[0].is_uint ||
		    !pair->kids[1].is_uint)
			continue;
		hist[ktop_hist_index(pair->kids[0].u)] += pair->kids[1].u;
	}
}

/* See field.h. */
void out_json_hist(struct jw *w, const char *key, const uint64_t *hist)
{
	unsigned i;

	jw_arr(w, key);
	for (i = 0; i < KTOP_HIST_BUCKETS; i++) {
		if (!hist[i])
			continue;
		jw_arr(w, NULL);
		jw_u64(w, NULL, ktop_hist_lower(i));
		jw_u64(w, NULL, hist[i]);
		jw_arr_end(w);
	}
	jw_arr_end(w);
}

/* See field.h. */
int64_t replay_time(const char *iso)
{
	struct tm tm;
	long ms = 0;
	time_t t;
	char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(iso, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end)
		return 0;
	if (*end == '.')
		ms = strtol(end + 1, NULL, 10);
	t = timegm(&tm);
	/* int64 ns end in 2262: a time past that (a hostile or broken file)
	 * stays 0 rather than overflowing */
	if (t > -9223372036ll && t < 9223372035ll && ms >= 0 && ms < 1000)
		return (int64_t)t * 1000000000ll + (int64_t)ms * 1000000;
	return 0;
}

