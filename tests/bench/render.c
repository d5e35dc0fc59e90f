// SPDX-License-Identifier: GPL-2.0
/* Self-cost bench: time to build a 10,000-row snapshot and render it (JSON, text, dashboard).
 * Usage: render [ROWS] — prints ms per step, median of 21 runs. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/cli.h"
#include "core/core.h"
#include "core/out.h"
#include "ui/ui.h"

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1e3 + (t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* A snapshot as the collectors would build it: rows processes holding memory,
 * plus full Syscalls tables. */
static void build(struct ktop_snapshot *s, unsigned rows)
{
	unsigned i, b;

	memset(s, 0, sizeof(*s));
	s->interval_ns = 1000000000;
	s->iteration = 7;
	strcpy(s->version, "bench");
	strcpy(s->host, "bench");
	for (i = 0; i < KTOP_TAB_MAX; i++) {
		s->tab[i].state = KTOP_TAB_RUNNING;
		strcpy(s->tab[i].attach, "tp_btf");
	}
	s->mem.mode = KTOP_MEM_KERNEL;
	s->mem.nrows = rows < KTOP_MEM_ROWS_MAX ? rows : KTOP_MEM_ROWS_MAX;
	for (i = 0; i < s->mem.nrows; i++) {
		struct ktop_mem_row *r = &s->mem.rows[i];

		r->pid = 1000 + i;
		r->stack = -1;
		snprintf(r->comm, sizeof(r->comm), "proc-%u", i);
		r->outstanding_bytes = (uint64_t)(i * 7919 % 100000) * 64;
		r->outstanding_allocs = i % 977;
		r->allocs = i % 131;
		r->frees = i % 127;
		r->oldest_age_ns = (uint64_t)i * 1000003;
		r->growth_bytes_per_s = (double)(i % 61) - 30;
		r->highs = i % 11;
	}
	s->sc.nrows = KTOP_SC_ROWS_MAX;
	for (i = 0; i < KTOP_SC_ROWS_MAX; i++) {
		struct ktop_sc_row *r = &s->sc.rows[i];

		r->nr = i;
		snprintf(r->name, sizeof(r->name), "syscall_%u", i);
		r->count = 1000 + i;
		r->total_ns = (uint64_t)i * 100000;
		for (b = 40; b < 120; b++)
			r->hist[b] = b;
		r->p50_ns = 1000;
		r->p95_ns = 5000;
		r->p99_ns = 9000;
		r->max_ns = 20000;
	}
	s->sc.nprocs = KTOP_SC_PROCS_MAX;
	for (i = 0; i < KTOP_SC_PROCS_MAX; i++) {
		s->sc.procs[i].pid = 1000 + i;
		snprintf(s->sc.procs[i].comm, KTOP_COMM_LEN, "proc-%u", i);
		s->sc.procs[i].count = i;
	}
}

int main(int argc, char **argv)
{
	unsigned rows = argc > 1 ? (unsigned)atoi(argv[1]) : 10000;
	struct ktop_snapshot *s = malloc(sizeof(*s));
	double t_build[21], t_json[21], t_text[21], t_ui[21];
	struct ktop_opts o;
	FILE *null = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
	struct timespec t0;
	SCREEN *scr;
	int i;

	if (!s || !null || !in)
		return 1;
	cli_defaults(&o);
	setenv("TERM", "xterm", 1);
	setenv("LINES", "50", 1);
	setenv("COLUMNS", "160", 1);
	scr = newterm("xterm", null, in);
	if (!scr)
		return 1;
	for (i = 0; i < 21; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		build(s, rows);
		t_build[i] = ms_since(&t0);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		out_json_write(null, s, NULL);
		t_json[i] = ms_since(&t0);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		out_text_write(null, s);
		t_text[i] = ms_since(&t0);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		ui_bench_draw(&o, s, KTOP_TAB_MEMORY, 1);	/* list, sort, draw, refresh */
		t_ui[i] = ms_since(&t0);
	}
	endwin();
	delscreen(scr);
	qsort(t_build, 21, sizeof(double), cmp_dbl);
	qsort(t_json, 21, sizeof(double), cmp_dbl);
	qsort(t_text, 21, sizeof(double), cmp_dbl);
	qsort(t_ui, 21, sizeof(double), cmp_dbl);
	printf("rows %u (memory tab) + %u syscalls: build %.2f ms, json %.2f ms, text %.2f ms, "
	       "dashboard draw %.2f ms; snapshot+dashboard %.2f ms (medians of 21)\n",
	       s->mem.nrows, s->sc.nrows, t_build[10], t_json[10], t_text[10], t_ui[10],
	       t_build[10] + t_ui[10]);
	free(s);
	return 0;
}
