/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Field tables: what a snapshot row holds, written once. One table per row
 * type lists each JSON member in the order the writer puts it: its name,
 * kind, where it is in the row (offset, size) and its unit. fld_put()
 * writes a row's members from the table and fld_get() reads them back, so
 * a member written is a member replayed, by construction.
 *
 * Adding a field to a row: the member in the row's struct, and one line in
 * the row's table, e.g.
 *	FLD_U(struct ktop_sc_row, p999_ns, "p999_ns", "ns"),
 */
#ifndef KTOP_FIELD_H
#define KTOP_FIELD_H
#include <stddef.h>
#include <stdint.h>
#include "core/json.h"
#include "core/jsonr.h"

enum fld_kind {
	FLD_KIND_U,		/* unsigned integer of 1, 2, 4 or 8 bytes */
	FLD_KIND_BOOL,		/* unsigned integer, written true/false */
	FLD_KIND_DBL,		/* double */
	FLD_KIND_STR,		/* char[size]: up to the first NUL, or size bytes (comm) */
	FLD_KIND_HEX,		/* uint64_t written as "0x..." */
	FLD_KIND_TIME,		/* int64_t CLOCK_REALTIME ns, written ISO-8601 UTC */
	FLD_KIND_HIST,		/* uint64_t[KTOP_HIST_BUCKETS], sparse [[lower_ns, count], ...] */
	FLD_KIND_OBJ,		/* a nested object: sub's members, in this same row */
	FLD_KIND_ARR,		/* array of sub rows: elem bytes each, uint32_t count at cnt */
	FLD_KIND_STRS,		/* array of strings: char[max][elem], uint32_t count at cnt */
	FLD_KIND_FN,		/* written and read by put/get (derived or encoded values) */
	FLD_KIND_INL,		/* sub's members inline, in this same object: a shared part */
};

#define FLD_OMIT0	1	/* not written when zero (or "", false) */

struct fld;
typedef void fld_put_fn(struct jw *w, const struct fld *f, const void *row);
typedef void fld_get_fn(const struct jv *o, const struct fld *f, void *row);

struct fld {
	const char *name;		/* JSON member; NULL ends a table */
	const char *unit;		/* "ns", "bytes", "count", ... or NULL */
	unsigned char kind;		/* enum fld_kind */
	unsigned char flags;		/* FLD_OMIT0 */
	uint32_t size;			/* bytes of the member */
	size_t off;			/* of the member in the row */
	const struct fld *sub;		/* OBJ, ARR: the members' table */
	size_t cnt;			/* ARR, STRS: offset of the uint32_t count */
	size_t elem;			/* ARR: bytes a row; STRS: bytes a string */
	uint32_t max;			/* ARR, STRS: capacity */
	fld_put_fn *put;		/* FN */
	fld_get_fn *get;		/* FN */
};

#define FLD_SZ(st, m)	sizeof(((st *)0)->m)
#define FLD_(k, st, m, name, unit, fl) \
	{ name, unit, FLD_KIND_##k, fl, FLD_SZ(st, m), offsetof(st, m), NULL, 0, 0, 0, NULL, NULL }
#define FLD_U(st, m, name, unit)	FLD_(U, st, m, name, unit, 0)
#define FLD_U_OMIT0(st, m, name, unit)	FLD_(U, st, m, name, unit, FLD_OMIT0)
#define FLD_BOOL(st, m, name)		FLD_(BOOL, st, m, name, NULL, 0)
#define FLD_BOOL_OMIT0(st, m, name)	FLD_(BOOL, st, m, name, NULL, FLD_OMIT0)
#define FLD_DBL(st, m, name, unit)	FLD_(DBL, st, m, name, unit, 0)
#define FLD_STR(st, m, name)		FLD_(STR, st, m, name, NULL, 0)
#define FLD_STR_OMIT0(st, m, name)	FLD_(STR, st, m, name, NULL, FLD_OMIT0)
#define FLD_HEX(st, m, name)		FLD_(HEX, st, m, name, "address", 0)
#define FLD_TIME(st, m, name)		FLD_(TIME, st, m, name, "ns", 0)
#define FLD_HIST(st, m, name)		FLD_(HIST, st, m, name, "ns", 0)
#define FLD_OBJ(name, sub) \
	{ name, NULL, FLD_KIND_OBJ, 0, 0, 0, sub, 0, 0, 0, NULL, NULL }
#define FLD_INL(sub) \
	{ "", NULL, FLD_KIND_INL, 0, 0, 0, sub, 0, 0, 0, NULL, NULL }
#define FLD_SEQ_(k, st, m, n, name, sub, fl) \
	{ name, NULL, FLD_KIND_##k, fl, FLD_SZ(st, m), offsetof(st, m), sub, offsetof(st, n), \
	  FLD_SZ(st, m[0]), FLD_SZ(st, m) / FLD_SZ(st, m[0]), NULL, NULL }
#define FLD_ARR(st, m, n, name, sub)	FLD_SEQ_(ARR, st, m, n, name, sub, 0)
#define FLD_STRS(st, m, n, name)	FLD_SEQ_(STRS, st, m, n, name, NULL, 0)
#define FLD_STRS_OMIT0(st, m, n, name)	FLD_SEQ_(STRS, st, m, n, name, NULL, FLD_OMIT0)
#define FLD_FN(st, m, name, unit, put, get) \
	{ name, unit, FLD_KIND_FN, 0, FLD_SZ(st, m), offsetof(st, m), NULL, 0, 0, 0, put, get }
#define FLD_END		{ NULL, NULL, 0, 0, 0, 0, NULL, 0, 0, 0, NULL, NULL }

/* Write row's members listed in t (the caller opens and closes the object). */
void fld_put(struct jw *w, const struct fld *t, const void *row);
/* Read them back from object o into row (missing members read as zero or
 * ""; arrays stop at their capacity). Never fails. */
void fld_get(const struct jv *o, const struct fld *t, void *row);
/* An unsigned member of row by its field (any size). */
uint64_t fld_u(const struct fld *f, const void *row);
void fld_set_u(const struct fld *f, void *row, uint64_t v);

/* Sparse histogram [[lower_ns, count], ...] back into buckets. */
void replay_hist(const struct jv *arr, uint64_t *hist);
/* Sparse histogram writer, the inverse of replay_hist(). */
void out_json_hist(struct jw *w, const char *key, const uint64_t *hist);
/* CLOCK_REALTIME ns of an ISO-8601 UTC time as fmt_iso8601() writes it
 * ("2026-01-02T03:04:05.678Z"); 0 when it does not parse or is out of
 * range. Can't fail. */
int64_t replay_time(const char *iso);

#endif
