// SPDX-License-Identifier: GPL-2.0
/* Locks sections of the JSON and text writers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/out.h"
#include "core/field.h"
#include "core/replay.h"
#include "core/fmt.h"
#include "core/sanitize.h"

#define TEXT_ROWS	20
#define TEXT_LONG	10

/* What the text report calls a lock: its name, or its address with the top caller as the hint. */
static void display_name(char *buf, size_t n, const char *symbol, uint64_t addr,
			 const char *caller)
{
	if (symbol[0])
		snprintf(buf, n, "%s", symbol);
	else if (caller[0])
		snprintf(buf, n, "0x%llx (%s)", (unsigned long long)addr, caller);
	else
		snprintf(buf, n, "0x%llx", (unsigned long long)addr);
}

static const struct fld caller_fields[] = {
	FLD_U(struct ktop_lock_caller, contentions, "contentions", "count"),
	FLD_U(struct ktop_lock_caller, wait_ns, "wait_ns", "ns"),
	FLD_STRS(struct ktop_lock_caller, frames, nframes, "frames"),
	FLD_END
};

static const struct fld waiter_fields[] = {
	FLD_U(struct ktop_lock_waiter, pid, "pid", NULL),
	FLD_STR(struct ktop_lock_waiter, comm, "comm"),
	FLD_U(struct ktop_lock_waiter, contentions, "contentions", "count"),
	FLD_U(struct ktop_lock_waiter, wait_ns, "wait_ns", "ns"),
	FLD_END
};

static const struct fld top_waiter_fields[] = {
	FLD_U(struct ktop_lock_row, top_waiter_pid, "pid", NULL),
	FLD_STR(struct ktop_lock_row, top_waiter_comm, "comm"),
	FLD_END
};

const struct fld ktop_lock_row_fields[] = {
	FLD_HEX(struct ktop_lock_row, addr, "addr"),
	FLD_STR(struct ktop_lock_row, symbol, "symbol"),
	FLD_STR(struct ktop_lock_row, kind, "kind"),
	FLD_U_OMIT0(struct ktop_lock_row, owner_pid, "owner_pid", NULL),
	FLD_STR(struct ktop_lock_row, type, "type"),
	FLD_U(struct ktop_lock_row, contentions, "contentions", "count"),
	FLD_U(struct ktop_lock_row, total_wait_ns, "total_wait_ns", "ns"),
	FLD_U(struct ktop_lock_row, avg_wait_ns, "avg_wait_ns", "ns"),
	FLD_U(struct ktop_lock_row, p99_ns, "p99_ns", "ns"),
	FLD_U(struct ktop_lock_row, max_wait_ns, "max_wait_ns", "ns"),
	FLD_STR(struct ktop_lock_row, top_caller, "top_caller"),
	FLD_OBJ("top_waiter", top_waiter_fields),
	FLD_ARR(struct ktop_lock_row, callers, ncallers, "callers", caller_fields),
	FLD_ARR(struct ktop_lock_row, waiters, nwaiters, "waiters", waiter_fields),
	FLD_HIST(struct ktop_lock_row, hist, "hist"),	/* not in the contract: for replay's bar chart */
	FLD_END
};

const struct fld ktop_lock_long_fields[] = {
	FLD_TIME(struct ktop_lock_long, real_ns, "timestamp"),
	FLD_U(struct ktop_lock_long, wait_ns, "wait_ns", "ns"),
	FLD_HEX(struct ktop_lock_long, addr, "addr"),
	FLD_STR(struct ktop_lock_long, symbol, "symbol"),
	FLD_STR(struct ktop_lock_long, type, "type"),
	FLD_U(struct ktop_lock_long, pid, "pid", NULL),
	FLD_U(struct ktop_lock_long, tid, "tid", NULL),
	FLD_STR(struct ktop_lock_long, comm, "comm"),
	FLD_STR(struct ktop_lock_long, caller, "caller"),
	FLD_END
};

/* The tab's members up to the long waits (which are written apart: only
 * those of this interval). */
static const struct fld snap_fields[] = {
	FLD_U(struct ktop_lock_snap, contentions, "contentions", "count"),
	FLD_U(struct ktop_lock_snap, total_wait_ns, "total_wait_ns", "ns"),
	FLD_STR_OMIT0(struct ktop_lock_snap, source, "source"),
	FLD_U(struct ktop_lock_snap, tracked, "tracked", "count"),
	FLD_U(struct ktop_lock_snap, nrows_dropped, "rows_dropped", "count"),
	FLD_ARR(struct ktop_lock_snap, rows, nrows, "rows", ktop_lock_row_fields),
	FLD_U(struct ktop_lock_snap, long_threshold_ns, "long_threshold_ns", "ns"),
	FLD_U(struct ktop_lock_snap, nlong_interval, "long_waits_in_interval", "count"),
	FLD_END
};

/* See out.h. Long waits: only those that ended in this interval, so a
 * reader of successive lines sees each once. */
void out_json_locks(struct jw *w, const struct ktop_snapshot *s)
{
	const struct ktop_lock_snap *l = &s->lock;
	uint32_t i;

	fld_put(w, snap_fields, l);
	jw_arr(w, "long_waits");
	for (i = 0; i < l->nlong_new && i < l->nlong; i++) {
		jw_obj(w, NULL);
		fld_put(w, ktop_lock_long_fields, &l->longw[i]);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

/* See out.h. */
void out_text_locks(FILE *f, const struct ktop_snapshot *s)
{
	const struct ktop_lock_snap *l = &s->lock;
	char name[160], a[16], b[16], c[16], d[16], comm[KTOP_COMM_LEN + 1], tbuf[40];
	uint32_t i;

	fprintf(f, "%-40s %-14s %8s %9s %8s %8s %8s  %-24s %s\n", "LOCK", "TYPE", "CONT/s",
		"WAIT ms/s", "AVG", "P99", "MAX", "TOP CALLER", "TOP WAITER");
	for (i = 0; i < l->nrows && i < TEXT_ROWS; i++) {
		const struct ktop_lock_row *r = &l->rows[i];

		display_name(name, sizeof(name), r->symbol, r->addr, r->top_caller);
		memcpy(comm, r->top_waiter_comm, KTOP_COMM_LEN);
		comm[KTOP_COMM_LEN] = 0;
		fprintf(f, "%-40.40s %-14s %8s %9.2f %8s %8s %8s  %-24s ", san(name), san(r->type),
			fmt_count(a, sizeof(a), ktop_rate(s, r->contentions)),
			ktop_rate(s, r->total_wait_ns) / 1e6, fmt_ns(b, sizeof(b), r->avg_wait_ns),
			fmt_ns(c, sizeof(c), r->p99_ns), fmt_ns(d, sizeof(d), r->max_wait_ns),
			san(r->top_caller[0] ? r->top_caller : "-"));
		if (r->top_waiter_pid)
			fprintf(f, "%u %s\n", r->top_waiter_pid, san(comm));
		else
			fprintf(f, "-\n");
	}
	if (l->nrows > TEXT_ROWS)
		fprintf(f, "... %u more locks\n", l->nrows - TEXT_ROWS);
	if (!l->nrows)
		fprintf(f, "(no lock contention in this interval)\n");
	fprintf(f, "\nlong waits (> %s) in this interval: %llu\n",
		fmt_ns(a, sizeof(a), l->long_threshold_ns), (unsigned long long)l->nlong_interval);
	for (i = 0; i < l->nlong_new && i < l->nlong && i < TEXT_LONG; i++) {
		const struct ktop_lock_long *e = &l->longw[i];

		display_name(name, sizeof(name), e->symbol, e->addr, e->caller);
		memcpy(comm, e->comm, KTOP_COMM_LEN);
		comm[KTOP_COMM_LEN] = 0;
		fmt_iso8601(tbuf, sizeof(tbuf), e->real_ns);
		fprintf(f, "  %s %8s %-40.40s %-14s %u/%u %s  from %s\n", tbuf + 11,
			fmt_ns(b, sizeof(b), e->wait_ns), san(name), san(e->type), e->pid, e->tid,
			san(comm), san(e->caller[0] ? e->caller : "-"));
	}
}

/*
 * See replay.h: the inverse of out_json_locks(). A line holds only the long
 * waits that ended in its interval, so the replayed list is those (the live
 * tab also keeps older ones). Rows beyond KTOP_LOCK_ROWS_MAX, callers and
 * waiters beyond their bounds are left out. Can't fail.
 */
void replay_locks(const struct jv *tab, struct ktop_snapshot *s)
{
	struct ktop_lock_snap *l = &s->lock;
	const struct jv *longw = jv_arr(tab, "long_waits");
	size_t i;

	fld_get(tab, snap_fields, l);
	for (i = 0; longw && i < longw->n && l->nlong < KTOP_LOCK_LONG_MAX; i++)
		fld_get(&longw->kids[i], ktop_lock_long_fields, &l->longw[l->nlong++]);
	l->nlong_new = l->nlong;
}
