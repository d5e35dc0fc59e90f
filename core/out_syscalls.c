// SPDX-License-Identifier: GPL-2.0
/* Syscalls sections of the JSON and text writers. */
#include <string.h>
#include "core/out.h"
#include "core/replay.h"
#include "core/fmt.h"
#include "core/sanitize.h"
#include "ktop/syscalls.h"

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

	jw_obj(w, "timing");
	jw_str(w, "mode", sc->exact ? "exact" : "sampled");
	if (!sc->exact)
		jw_u64(w, "max_timed_per_s_per_cpu", KTOP_SC_TIMED_PER_S);
	jw_obj_end(w);
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
		jw_u64(w, "timed", r->timed);
		if (r->timed < r->count)
			jw_bool(w, "sampled", true);
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
	if (sc->inflight_why[0]) {
		fprintf(f, "\n%s\n", san(sc->inflight_why));
		return;
	}
	fprintf(f, "\nIN FLIGHT: %u calls running for >= %s (%u in D state)\n", sc->inflight_total,
		fmt_ns(a, sizeof(a), sc->inflight_min_ns), sc->inflight_d);
	if (sc->ninflight)
		fprintf(f, "%9s %-20s %1s %7s %-16s %7s %-16s\n", "ELAPSED", "SYSCALL", "S", "TID",
			"THREAD", "PID", "PROCESS");
	for (i = 0; i < sc->ninflight && i < TEXT_ROWS / 2; i++) {
		const struct ktop_sc_inflight *q = &sc->inflight[i];
		char comm[KTOP_COMM_MAX + 1], pcomm[KTOP_COMM_MAX + 1];
		uint32_t j;

		snprintf(comm, sizeof(comm), "%.*s", KTOP_COMM_MAX, q->comm);
		snprintf(pcomm, sizeof(pcomm), "%.*s", KTOP_COMM_MAX, q->pcomm);
		fprintf(f, "%9s %-20s %c %7u %-16s %7u %-16s\n", fmt_ns(a, sizeof(a), q->elapsed_ns),
			san(q->name), q->state, q->tid, san(comm), q->pid, san(pcomm));
		for (j = 0; j < q->nframes; j++)
			fprintf(f, "%12s%s\n", "", san(q->frames[j]));
	}
}

/* The inverse of json_inflight(). */
static void replay_inflight(const struct jv *o, struct ktop_sc_snap *sc)
{
	const struct jv *rows = o ? jv_arr(o, "rows") : NULL;
	size_t i, j;

	if (!o)
		return;
	jv_str(o, "unavailable", sc->inflight_why, sizeof(sc->inflight_why));
	sc->inflight_min_ns = jv_u64(o, "min_ns");
	sc->inflight_total = (uint32_t)jv_u64(o, "total");
	sc->inflight_d = (uint32_t)jv_u64(o, "d_state");
	for (i = 0; rows && i < rows->n && sc->ninflight < KTOP_SC_INFLIGHT_MAX; i++) {
		const struct jv *r = &rows->kids[i], *st = jv_arr(r, "stack");
		struct ktop_sc_inflight *f = &sc->inflight[sc->ninflight++];
		char state[4];

		f->tid = (uint32_t)jv_u64(r, "tid");
		f->pid = (uint32_t)jv_u64(r, "pid");
		f->nr = (uint32_t)jv_u64(r, "nr");
		jv_str(r, "comm", f->comm, sizeof(f->comm));
		jv_str(r, "process", f->pcomm, sizeof(f->pcomm));
		jv_str(r, "syscall", f->name, sizeof(f->name));
		jv_str(r, "state", state, sizeof(state));
		f->state = state[0] ? state[0] : '?';
		f->elapsed_ns = jv_u64(r, "elapsed_ns");
		for (j = 0; st && j < st->n && f->nframes < KTOP_SC_INFLIGHT_FRAMES; j++)
			if (st->kids[j].type == JV_STR)
				snprintf(f->frames[f->nframes++], sizeof(f->frames[0]), "%.*s",
					 (int)st->kids[j].len, st->kids[j].str);
	}
}

/* See replay.h: the inverse of out_json_syscalls(). */
void replay_syscalls(const struct jv *tab, struct ktop_snapshot *s)
{
	struct ktop_sc_snap *sc = &s->sc;
	const struct jv *rows = jv_arr(tab, "rows"), *procs = jv_arr(tab, "processes");
	char mode[16] = "exact";	/* recordings before sampling timed every call */
	size_t i, j;

	jv_str(jv_get(tab, "timing"), "mode", mode, sizeof(mode));
	sc->exact = strcmp(mode, "sampled") != 0;
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
		r->timed = jv_get(o, "timed") ? jv_u64(o, "timed") : r->count;
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
	replay_inflight(jv_get(tab, "in_flight"), sc);
}
