// SPDX-License-Identifier: GPL-2.0
/* Locks sections of the JSON and text writers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/out.h"
#include "core/replay.h"
#include "core/fmt.h"
#include "core/sanitize.h"

#define TEXT_ROWS	20
#define TEXT_LONG	10

static void hex(char *buf, size_t n, uint64_t addr)
{
	snprintf(buf, n, "0x%llx", (unsigned long long)addr);
}

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

static void json_row(struct jw *w, const struct ktop_lock_row *r)
{
	char a[24];
	uint32_t i, f;

	jw_obj(w, NULL);
	hex(a, sizeof(a), r->addr);
	jw_str(w, "addr", a);
	jw_str(w, "symbol", r->symbol);
	jw_str(w, "kind", r->kind);
	if (r->owner_pid)
		jw_u64(w, "owner_pid", r->owner_pid);
	jw_str(w, "type", r->type);
	jw_u64(w, "contentions", r->contentions);
	jw_u64(w, "total_wait_ns", r->total_wait_ns);
	jw_u64(w, "avg_wait_ns", r->avg_wait_ns);
	jw_u64(w, "p99_ns", r->p99_ns);
	jw_u64(w, "max_wait_ns", r->max_wait_ns);
	jw_str(w, "top_caller", r->top_caller);
	jw_obj(w, "top_waiter");
	jw_u64(w, "pid", r->top_waiter_pid);
	jw_strn(w, "comm", r->top_waiter_comm, strnlen(r->top_waiter_comm, KTOP_COMM_MAX));
	jw_obj_end(w);
	jw_arr(w, "callers");
	for (i = 0; i < r->ncallers; i++) {
		const struct ktop_lock_caller *c = &r->callers[i];

		jw_obj(w, NULL);
		jw_u64(w, "contentions", c->contentions);
		jw_u64(w, "wait_ns", c->wait_ns);
		jw_arr(w, "frames");
		for (f = 0; f < c->nframes; f++)
			jw_str(w, NULL, c->frames[f]);
		jw_arr_end(w);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_arr(w, "waiters");
	for (i = 0; i < r->nwaiters; i++) {
		const struct ktop_lock_waiter *p = &r->waiters[i];

		jw_obj(w, NULL);
		jw_u64(w, "pid", p->pid);
		jw_strn(w, "comm", p->comm, strnlen(p->comm, KTOP_COMM_MAX));
		jw_u64(w, "contentions", p->contentions);
		jw_u64(w, "wait_ns", p->wait_ns);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	out_json_hist(w, "hist", r->hist);	/* not in the contract: for replay's bar chart */
	jw_obj_end(w);
}

/* See out.h. Long waits: only those that ended in this interval, so a
 * reader of successive lines sees each once. */
void out_json_locks(struct jw *w, const struct ktop_snapshot *s)
{
	const struct ktop_lock_snap *l = &s->lock;
	char a[24], ts[40];
	uint32_t i;

	jw_u64(w, "contentions", l->contentions);
	jw_u64(w, "total_wait_ns", l->total_wait_ns);
	if (l->source[0])
		jw_str(w, "source", l->source);
	jw_u64(w, "tracked", l->tracked);
	jw_u64(w, "rows_dropped", l->nrows_dropped);
	jw_arr(w, "rows");
	for (i = 0; i < l->nrows; i++)
		json_row(w, &l->rows[i]);
	jw_arr_end(w);
	jw_u64(w, "long_threshold_ns", l->long_threshold_ns);
	jw_u64(w, "long_waits_in_interval", l->nlong_interval);
	jw_arr(w, "long_waits");
	for (i = 0; i < l->nlong_new && i < l->nlong; i++) {
		const struct ktop_lock_long *e = &l->longw[i];

		jw_obj(w, NULL);
		jw_str(w, "timestamp", fmt_iso8601(ts, sizeof(ts), e->real_ns));
		jw_u64(w, "wait_ns", e->wait_ns);
		hex(a, sizeof(a), e->addr);
		jw_str(w, "addr", a);
		jw_str(w, "symbol", e->symbol);
		jw_str(w, "type", e->type);
		jw_u64(w, "pid", e->pid);
		jw_u64(w, "tid", e->tid);
		jw_strn(w, "comm", e->comm, strnlen(e->comm, KTOP_COMM_MAX));
		jw_str(w, "caller", e->caller);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

/* See out.h. */
void out_text_locks(FILE *f, const struct ktop_snapshot *s)
{
	const struct ktop_lock_snap *l = &s->lock;
	double secs = s->interval_ns ? s->interval_ns / 1e9 : 1;
	char name[160], a[16], b[16], c[16], d[16], comm[KTOP_COMM_MAX + 1], tbuf[40];
	uint32_t i;

	fprintf(f, "%-40s %-14s %8s %9s %8s %8s %8s  %-24s %s\n", "LOCK", "TYPE", "CONT/s",
		"WAIT ms/s", "AVG", "P99", "MAX", "TOP CALLER", "TOP WAITER");
	for (i = 0; i < l->nrows && i < TEXT_ROWS; i++) {
		const struct ktop_lock_row *r = &l->rows[i];

		display_name(name, sizeof(name), r->symbol, r->addr, r->top_caller);
		memcpy(comm, r->top_waiter_comm, KTOP_COMM_MAX);
		comm[KTOP_COMM_MAX] = 0;
		fprintf(f, "%-40.40s %-14s %8s %9.2f %8s %8s %8s  %-24s ", san(name), san(r->type),
			fmt_count(a, sizeof(a), r->contentions / secs),
			r->total_wait_ns / secs / 1e6, fmt_ns(b, sizeof(b), r->avg_wait_ns),
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
		memcpy(comm, e->comm, KTOP_COMM_MAX);
		comm[KTOP_COMM_MAX] = 0;
		fmt_iso8601(tbuf, sizeof(tbuf), e->real_ns);
		fprintf(f, "  %s %8s %-40.40s %-14s %u/%u %s  from %s\n", tbuf + 11,
			fmt_ns(b, sizeof(b), e->wait_ns), san(name), san(e->type), e->pid, e->tid,
			san(comm), san(e->caller[0] ? e->caller : "-"));
	}
}

/* "0xffff..." as json_row() writes it back into an address; 0 when it is not one. */
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

static void replay_row(const struct jv *o, struct ktop_lock_row *r)
{
	const struct jv *callers = jv_arr(o, "callers"), *waiters = jv_arr(o, "waiters");
	const struct jv *tw = jv_get(o, "top_waiter");
	size_t i, f;

	r->addr = unhex(o, "addr");
	jv_str(o, "symbol", r->symbol, sizeof(r->symbol));
	jv_str(o, "kind", r->kind, sizeof(r->kind));
	r->owner_pid = (uint32_t)jv_u64(o, "owner_pid");
	jv_str(o, "type", r->type, sizeof(r->type));
	r->contentions = jv_u64(o, "contentions");
	r->total_wait_ns = jv_u64(o, "total_wait_ns");
	r->avg_wait_ns = jv_u64(o, "avg_wait_ns");
	r->p99_ns = jv_u64(o, "p99_ns");
	r->max_wait_ns = jv_u64(o, "max_wait_ns");
	jv_str(o, "top_caller", r->top_caller, sizeof(r->top_caller));
	r->top_waiter_pid = (uint32_t)jv_u64(tw, "pid");
	jv_str(tw, "comm", r->top_waiter_comm, sizeof(r->top_waiter_comm));
	for (i = 0; callers && i < callers->n && r->ncallers < KTOP_LOCK_CALLERS_MAX; i++) {
		const struct jv *co = &callers->kids[i], *fr = jv_arr(co, "frames");
		struct ktop_lock_caller *c = &r->callers[r->ncallers++];

		c->contentions = jv_u64(co, "contentions");
		c->wait_ns = jv_u64(co, "wait_ns");
		for (f = 0; fr && f < fr->n && c->nframes < KTOP_LOCK_FRAMES_MAX; f++) {
			const struct jv *fv = &fr->kids[f];
			size_t k;

			if (fv->type != JV_STR)
				continue;
			k = fv->len < KTOP_FRAME_LEN - 1 ? fv->len : KTOP_FRAME_LEN - 1;
			memcpy(c->frames[c->nframes], fv->str, k);
			c->frames[c->nframes++][k] = 0;
		}
	}
	for (i = 0; waiters && i < waiters->n && r->nwaiters < KTOP_LOCK_WAITERS_MAX; i++) {
		const struct jv *wo = &waiters->kids[i];
		struct ktop_lock_waiter *p = &r->waiters[r->nwaiters++];

		p->pid = (uint32_t)jv_u64(wo, "pid");
		jv_str(wo, "comm", p->comm, sizeof(p->comm));
		p->contentions = jv_u64(wo, "contentions");
		p->wait_ns = jv_u64(wo, "wait_ns");
	}
	replay_hist(jv_arr(o, "hist"), r->hist);
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
	const struct jv *rows = jv_arr(tab, "rows"), *longw = jv_arr(tab, "long_waits");
	size_t i;

	l->contentions = jv_u64(tab, "contentions");
	l->total_wait_ns = jv_u64(tab, "total_wait_ns");
	l->tracked = (uint32_t)jv_u64(tab, "tracked");
	jv_str(tab, "source", l->source, sizeof(l->source));
	l->nrows_dropped = (uint32_t)jv_u64(tab, "rows_dropped");
	for (i = 0; rows && i < rows->n && l->nrows < KTOP_LOCK_ROWS_MAX; i++)
		replay_row(&rows->kids[i], &l->rows[l->nrows++]);
	l->long_threshold_ns = jv_u64(tab, "long_threshold_ns");
	l->nlong_interval = jv_u64(tab, "long_waits_in_interval");
	for (i = 0; longw && i < longw->n && l->nlong < KTOP_LOCK_LONG_MAX; i++) {
		const struct jv *o = &longw->kids[i];
		struct ktop_lock_long *e = &l->longw[l->nlong++];
		char ts[40];

		jv_str(o, "timestamp", ts, sizeof(ts));
		e->real_ns = replay_time(ts);
		e->wait_ns = jv_u64(o, "wait_ns");
		e->addr = unhex(o, "addr");
		jv_str(o, "symbol", e->symbol, sizeof(e->symbol));
		jv_str(o, "type", e->type, sizeof(e->type));
		e->pid = (uint32_t)jv_u64(o, "pid");
		e->tid = (uint32_t)jv_u64(o, "tid");
		jv_str(o, "comm", e->comm, sizeof(e->comm));
		jv_str(o, "caller", e->caller, sizeof(e->caller));
	}
	l->nlong_new = l->nlong;
}
