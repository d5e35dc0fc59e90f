// SPDX-License-Identifier: GPL-2.0
/* Syscalls sections of the JSON and text writers. */
#include <string.h>
#include "core/out.h"
#include "core/field.h"
#include "core/replay.h"
#include "core/fmt.h"
#include "core/sanitize.h"
#include "ktop/syscalls.h"

#define TEXT_ROWS	20

#define ROW_PROCS	5		/* heaviest processes listed in each row */

/* "timed": the calls that were timed (the percentiles' sample), and
 * "sampled": true when that is not all of them. Recordings made before
 * sampling have no "timed": every call was timed (count is read first). */
static void put_timed(struct jw *w, const struct fld *f, const void *row)
{
	const struct ktop_sc_row *r = row;

	jw_u64(w, f->name, r->timed);
	if (r->timed < r->count)
		jw_bool(w, "sampled", true);
}

static void get_timed(const struct jv *o, const struct fld *f, void *row)
{
	struct ktop_sc_row *r = row;

	r->timed = jv_get(o, f->name) ? jv_u64(o, f->name) : r->count;
}

/* A syscall row; its "processes" are written from the pairs after it. */
const struct fld ktop_sc_row_fields[] = {
	FLD_STR(struct ktop_sc_row, name, "name"),
	FLD_U(struct ktop_sc_row, nr, "nr", NULL),
	FLD_BOOL_OMIT0(struct ktop_sc_row, ktop_probes, "ktop_probes"),
	FLD_U(struct ktop_sc_row, count, "count", "count"),
	FLD_U(struct ktop_sc_row, errors, "errors", "count"),
	FLD_U(struct ktop_sc_row, total_ns, "total_ns", "ns"),
	FLD_U(struct ktop_sc_row, p50_ns, "p50_ns", "ns"),
	FLD_U(struct ktop_sc_row, p95_ns, "p95_ns", "ns"),
	FLD_U(struct ktop_sc_row, p99_ns, "p99_ns", "ns"),
	FLD_U(struct ktop_sc_row, max_ns, "max_ns", "ns"),
	FLD_FN(struct ktop_sc_row, timed, "timed", "count", put_timed, get_timed),
	FLD_HIST(struct ktop_sc_row, hist, "hist"),
	FLD_END
};

/* A (process, syscall) pair, in its syscall's "processes". */
const struct fld ktop_sc_pair_fields[] = {
	FLD_U(struct ktop_sc_pair, pid, "pid", NULL),
	FLD_U(struct ktop_sc_pair, count, "count", "count"),
	FLD_U(struct ktop_sc_pair, errors, "errors", "count"),
	FLD_U(struct ktop_sc_pair, total_ns, "total_ns", "ns"),
	FLD_END
};

const struct fld ktop_sc_proc_fields[] = {
	FLD_U(struct ktop_sc_proc, pid, "pid", NULL),
	FLD_STR(struct ktop_sc_proc, comm, "comm"),
	FLD_U(struct ktop_sc_proc, count, "count", "count"),
	FLD_U(struct ktop_sc_proc, errors, "errors", "count"),
	FLD_U(struct ktop_sc_proc, total_ns, "total_ns", "ns"),
	FLD_END
};

/* A state letter as a one-letter string; '?' when there is none. */
static void put_state(struct jw *w, const struct fld *f, const void *row)
{
	char st[2] = { *((const char *)row + f->off), 0 };

	jw_str(w, f->name, st);
}

static void get_state(const struct jv *o, const struct fld *f, void *row)
{
	char st[4];

	jv_str(o, f->name, st, sizeof(st));
	*((char *)row + f->off) = st[0] ? st[0] : '?';
}

const struct fld ktop_sc_inflight_fields[] = {
	FLD_U(struct ktop_sc_inflight, tid, "tid", NULL),
	FLD_U(struct ktop_sc_inflight, pid, "pid", NULL),
	FLD_STR(struct ktop_sc_inflight, comm, "comm"),
	FLD_STR(struct ktop_sc_inflight, pcomm, "process"),
	FLD_STR(struct ktop_sc_inflight, name, "syscall"),
	FLD_U(struct ktop_sc_inflight, nr, "nr", NULL),
	FLD_FN(struct ktop_sc_inflight, state, "state", NULL, put_state, get_state),
	FLD_U(struct ktop_sc_inflight, elapsed_ns, "elapsed_ns", "ns"),
	FLD_STRS_OMIT0(struct ktop_sc_inflight, frames, nframes, "stack"),
	FLD_END
};

/* "in_flight" when it is available: the calls still running at the end of the interval. */
static const struct fld inflight_fields[] = {
	FLD_U(struct ktop_sc_snap, inflight_min_ns, "min_ns", "ns"),
	FLD_U(struct ktop_sc_snap, inflight_total, "total", "count"),
	FLD_U(struct ktop_sc_snap, inflight_d, "d_state", "count"),
	FLD_ARR(struct ktop_sc_snap, inflight, ninflight, "rows", ktop_sc_inflight_fields),
	FLD_END
};

/* The row's heaviest processes, from the (process, syscall) pairs (sorted by time). */
static void top_procs(struct jw *w, const struct ktop_sc_snap *sc, uint32_t nr)
{
	uint32_t i, n = 0;

	jw_arr(w, "processes");
	for (i = 0; i < sc->npairs && n < ROW_PROCS; i++) {
		if (sc->pairs[i].nr != nr)
			continue;
		jw_obj(w, NULL);
		fld_put(w, ktop_sc_pair_fields, &sc->pairs[i]);
		jw_obj_end(w);
		n++;
	}
	jw_arr_end(w);
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
		jw_obj(w, NULL);
		fld_put(w, ktop_sc_row_fields, &sc->rows[i]);
		top_procs(w, sc, sc->rows[i].nr);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_arr(w, "processes");
	for (i = 0; i < sc->nprocs; i++) {
		jw_obj(w, NULL);
		fld_put(w, ktop_sc_proc_fields, &sc->procs[i]);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj(w, "in_flight");
	if (sc->inflight_why[0])
		jw_str(w, "unavailable", sc->inflight_why);
	else
		fld_put(w, inflight_fields, sc);
	jw_obj_end(w);
}

/* See out.h. */
void out_text_syscalls(FILE *f, const struct ktop_snapshot *s)
{
	const struct ktop_sc_snap *sc = &s->sc;
	char a[16], b[16], c[16], d[16], e[16], g[16], h[16];
	uint32_t i;

	fprintf(f, "%-22s %9s %8s %6s %9s %9s %9s %9s %9s\n", "SYSCALL", "CALLS/s", "ERR/s",
		"TIME%", "AVG", "P50", "P95", "P99", "MAX");
	for (i = 0; i < sc->nrows && i < TEXT_ROWS; i++) {
		const struct ktop_sc_row *r = &sc->rows[i];

		char name[48];

		snprintf(name, sizeof(name), "%s%s", r->name, r->ktop_probes ? " (ktop's probes)" : "");
		fmt_ns(c, sizeof(c), r->count ? r->total_ns / r->count : 0);
		fmt_ns(d, sizeof(d), r->p50_ns), fmt_ns(e, sizeof(e), r->p95_ns);
		fmt_ns(g, sizeof(g), r->p99_ns), fmt_ns(h, sizeof(h), r->max_ns);
		if (!r->timed)	/* counted, none timed: no latencies to show */
			strcpy(c, "-"), strcpy(d, "-"), strcpy(e, "-"), strcpy(g, "-"), strcpy(h, "-");
		fprintf(f, "%-22s %9s %8s %6.1f %9s %9s %9s %9s %9s\n", san(name),
			fmt_count(a, sizeof(a), ktop_rate(s, r->count)),
			fmt_count(b, sizeof(b), ktop_rate(s, r->errors)),
			ktop_pct(r->total_ns, sc->total_ns), c, d, e, g, h);
	}
	if (sc->nrows > TEXT_ROWS)
		fprintf(f, "... %u more syscalls\n", sc->nrows - TEXT_ROWS);
	fprintf(f, "\n%7s %-16s %9s %8s %10s\n", "PID", "COMM", "CALLS/s", "ERR/s", "TIME");
	for (i = 0; i < sc->nprocs && i < TEXT_ROWS / 2; i++) {
		const struct ktop_sc_proc *p = &sc->procs[i];
		char comm[KTOP_COMM_LEN + 1];

		memcpy(comm, p->comm, KTOP_COMM_LEN);
		comm[KTOP_COMM_LEN] = 0;
		fprintf(f, "%7u %-16s %9s %8s %10s\n", p->pid, san(comm),
			fmt_count(a, sizeof(a), ktop_rate(s, p->count)),
			fmt_count(b, sizeof(b), ktop_rate(s, p->errors)),
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
		char comm[KTOP_COMM_LEN + 1], pcomm[KTOP_COMM_LEN + 1];
		uint32_t j;

		snprintf(comm, sizeof(comm), "%.*s", KTOP_COMM_LEN, q->comm);
		snprintf(pcomm, sizeof(pcomm), "%.*s", KTOP_COMM_LEN, q->pcomm);
		fprintf(f, "%9s %-20s %c %7u %-16s %7u %-16s\n", fmt_ns(a, sizeof(a), q->elapsed_ns),
			san(q->name), q->state, q->tid, san(comm), q->pid, san(pcomm));
		for (j = 0; j < q->nframes; j++)
			fprintf(f, "%12s%s\n", "", san(q->frames[j]));
	}
}

/* See replay.h: the inverse of out_json_syscalls(). */
void replay_syscalls(const struct jv *tab, struct ktop_snapshot *s)
{
	struct ktop_sc_snap *sc = &s->sc;
	const struct jv *rows = jv_arr(tab, "rows"), *procs = jv_arr(tab, "processes");
	const struct jv *inflight = jv_get(tab, "in_flight");
	char mode[16] = "exact";	/* recordings before sampling timed every call */
	size_t i, j;

	jv_str(jv_get(tab, "timing"), "mode", mode, sizeof(mode));
	sc->exact = strcmp(mode, "sampled") != 0;
	for (i = 0; rows && i < rows->n && sc->nrows < KTOP_SC_ROWS_MAX; i++) {
		const struct jv *o = &rows->kids[i], *pp = jv_arr(o, "processes");
		struct ktop_sc_row *r = &sc->rows[sc->nrows++];

		fld_get(o, ktop_sc_row_fields, r);
		sc->total_ns += r->total_ns;
		for (j = 0; pp && j < pp->n && sc->npairs < KTOP_SC_PAIRS_MAX; j++) {
			struct ktop_sc_pair *q = &sc->pairs[sc->npairs++];

			fld_get(&pp->kids[j], ktop_sc_pair_fields, q);
			q->nr = r->nr;
		}
	}
	for (i = 0; procs && i < procs->n && sc->nprocs < KTOP_SC_PROCS_MAX; i++)
		fld_get(&procs->kids[i], ktop_sc_proc_fields, &sc->procs[sc->nprocs++]);
	if (inflight) {
		jv_str(inflight, "unavailable", sc->inflight_why, sizeof(sc->inflight_why));
		fld_get(inflight, inflight_fields, sc);
	}
}
