// SPDX-License-Identifier: GPL-2.0
/* Syscalls sections of the JSON and text writers. */
#include <string.h>
#include "core/out.h"
#include "core/replay.h"
#include "core/fmt.h"
#include "core/sanitize.h"

#define TEXT_ROWS	20

#define ROW_PROCS	5		/* heaviest processes listed in each row */

/* The row's heaviest processes, from the (process, syscall) pairs (sorted by time). */
static void top_procs(struct jw *w, const struct ktop_sc_snap *sc, uint32_t nr)
{
	uint32_t i, n = 0;

	jw_arr(w, "processes");
	for (i = 0; i < sc->npairs && n < ROW_PROCS; i++) {
		const struct ktop_sc_pair *p = &sc->pairs[i];

		if (p->nr != nr)
			continue;
		jw_obj(w, NULL);
		jw_u64(w, "pid", p->pid);
		jw_u64(w, "count", p->count);
		jw_u64(w, "errors", p->errors);
		jw_u64(w, "total_ns", p->total_ns);
		jw_obj_end(w);
		n++;
	}
	jw_arr_end(w);
}

/* In flight: the calls still running at the end of the interval. */
static void json_inflight(struct jw *w, const struct ktop_sc_snap *sc)
{
	uint32_t i, j;

	jw_obj(w, "in_flight");
	if (sc->inflight_why[0]) {
		jw_str(w, "unavailable", sc->inflight_why);
		jw_obj_end(w);
		return;
	}
	jw_u64(w, "min_ns", sc->inflight_min_ns);
	jw_u64(w, "total", sc->inflight_total);
	jw_u64(w, "d_state", sc->inflight_d);
	jw_arr(w, "rows");
	for (i = 0; i < sc->ninflight; i++) {
		const struct ktop_sc_inflight *f = &sc->inflight[i];
		char st[2] = { f->state, 0 };

		jw_obj(w, NULL);
		jw_u64(w, "tid", f->tid);
		jw_u64(w, "pid", f->pid);
		jw_strn(w, "comm", f->comm, strnlen(f->comm, sizeof(f->comm)));
		jw_strn(w, "process", f->pcomm, strnlen(f->pcomm, sizeof(f->pcomm)));
		jw_str(w, "syscall", f->name);
		jw_u64(w, "nr", f->nr);
		jw_str(w, "state", st);
		jw_u64(w, "elapsed_ns", f->elapsed_ns);
		if (f->nframes) {
			jw_arr(w, "stack");
			for (j = 0; j < f->nframes; j++)
				jw_str(w, NULL, f->frames[j]);
			jw_arr_end(w);
		}
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

/* See out.h. */
void out_json_syscalls(struct jw *w, const struct ktop_snapshot *s)
{
	const struct ktop_sc_snap *sc = &s->sc;
	uint32_t i;

	jw_arr(w, "rows");
	for (i = 0; i < sc->nrows; i++) {
		const struct ktop_sc_row *r = &sc->rows[i];

		jw_obj(w, NULL);
		jw_str(w, "name", r->name);
		jw_u64(w, "nr", r->nr);
		if (r->ktop_probes)
			jw_bool(w, "ktop_probes", true);
		jw_u64(w, "count", r->count);
		jw_u64(w, "errors", r->errors);
		jw_u64(w, "total_ns", r->total_ns);
		jw_u64(w, "p50_ns", r->p50_ns);
		jw_u64(w, "p95_ns", r->p95_ns);
		jw_u64(w, "p99_ns", r->p99_ns);
		jw_u64(w, "max_ns", r->max_ns);
		out_json_hist(w, "hist", r->hist);
		top_procs(w, sc, r->nr);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_arr(w, "processes");
	for (i = 0; i < sc->nprocs; i++) {
		const struct ktop_sc_proc *p = &sc->procs[i];

		jw_obj(w, NULL);
		jw_u64(w, "pid", p->pid);
		jw_strn(w, "comm", p->comm, strnlen(p->comm, sizeof(p->comm)));
		jw_u64(w, "count", p->count);
		jw_u64(w, "errors", p->errors);
		jw_u64(w, "total_ns", p->total_ns);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	json_inflight(w, sc);
}

/* See out.h. */
void out_text_syscalls(FILE *f, const struct ktop_snapshot *s)
{
	const struct ktop_sc_snap *sc = &s->sc;
	double secs = s->interval_ns ? s->interval_ns / 1e9 : 1;
	char a[16], b[16], c[16], d[16], e[16], g[16], h[16];
	uint32_t i;

	fprintf(f, "%-22s %9s %8s %6s %9s %9s %9s %9s %9s\n", "SYSCALL", "CALLS/s", "ERR/s",
		"TIME%", "AVG", "P50", "P95", "P99", "MAX");
	for (i = 0; i < sc->nrows && i < TEXT_ROWS; i++) {
		const struct ktop_sc_row *r = &sc->rows[i];

		char name[48];

		snprintf(name, sizeof(name), "%s%s", r->name, r->ktop_probes ? " (ktop's probes)" : "");
		fprintf(f, "%-22s %9s %8s %6.1f %9s %9s %9s %9s %9s\n", san(name),
			fmt_count(a, sizeof(a), r->count / secs),
			fmt_count(b, sizeof(b), r->errors / secs),
			sc->total_ns ? 100.0 * r->total_ns / sc->total_ns : 0.0,
			fmt_ns(c, sizeof(c), r->count ? r->total_ns / r->count : 0),
			fmt_ns(d, sizeof(d), r->p50_ns), fmt_ns(e, sizeof(e), r->p95_ns),
			fmt_ns(g, sizeof(g), r->p99_ns), fmt_ns(h, sizeof(h), r->max_ns));
	}
	if (sc->nrows > TEXT_ROWS)
		fprintf(f, "... %u more syscalls\n", sc->nrows - TEXT_ROWS);
	fprintf(f, "\n%7s %-16s %9s %8s %10s\n", "PID", "COMM", "CALLS/s", "ERR/s", "TIME");
	for (i = 0; i < sc->nprocs && i < TEXT_ROWS / 2; i++) {
		const struct ktop_sc_proc *p = &sc->procs[i];
		char comm[KTOP_COMM_MAX + 1];

		memcpy(comm, p->comm, KTOP_COMM_MAX);
		comm[KTOP_COMM_MAX] = 0;
		fprintf(f, "%7u %-16s %9s %8s %10s\n", p->pid, san(comm),
			fmt_count(a, sizeof(a), p->count / secs),
			fmt_count(b, sizeof(b), p->errors / secs),
			fmt_ns(c, sizeof(c), p->total_ns));
	}
}

/* See replay.h: the inverse of out_json_syscalls(). */
void replay_syscalls(const struct jv *tab, struct ktop_snapshot *s)
{
	struct ktop_sc_snap *sc = &s->sc;
	const struct jv *rows = jv_arr(tab, "rows"), *procs = jv_arr(tab, "processes");
	size_t i, j;

	for (i = 0; rows && i < rows->n && sc->nrows < KTOP_SC_ROWS_MAX; i++) {
		const struct jv *o = &rows->kids[i], *pp = jv_arr(o, "processes");
		struct ktop_sc_row *r = &sc->rows[sc->nrows++];

		jv_str(o, "name", r->name, sizeof(r->name));
		r->nr = (uint32_t)jv_u64(o, "nr");
		r->ktop_probes = jv_bool(o, "ktop_probes");
		r->count = jv_u64(o, "count");
		r->errors = jv_u64(o, "errors");
		r->total_ns = jv_u64(o, "total_ns");
		r->p50_ns = jv_u64(o, "p50_ns");
		r->p95_ns = jv_u64(o, "p95_ns");
		r->p99_ns = jv_u64(o, "p99_ns");
		r->max_ns = jv_u64(o, "max_ns");
		replay_hist(jv_arr(o, "hist"), r->hist);
		sc->total_ns += r->total_ns;
		for (j = 0; pp && j < pp->n && sc->npairs < KTOP_SC_PAIRS_MAX; j++) {
			struct ktop_sc_pair *q = &sc->pairs[sc->npairs++];

			q->nr = r->nr;
			q->pid = (uint32_t)jv_u64(&pp->kids[j], "pid");
			q->count = jv_u64(&pp->kids[j], "count");
			q->errors = jv_u64(&pp->kids[j], "errors");
			q->total_ns = jv_u64(&pp->kids[j], "total_ns");
		}
	}
	for (i = 0; procs && i < procs->n && sc->nprocs < KTOP_SC_PROCS_MAX; i++) {
		const struct jv *o = &procs->kids[i];
		struct ktop_sc_proc *p = &sc->procs[sc->nprocs++];

		p->pid = (uint32_t)jv_u64(o, "pid");
		jv_str(o, "comm", p->comm, sizeof(p->comm));
		p->count = jv_u64(o, "count");
		p->errors = jv_u64(o, "errors");
		p->total_ns = jv_u64(o, "total_ns");
	}
}
