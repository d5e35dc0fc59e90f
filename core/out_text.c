// SPDX-License-Identifier: GPL-2.0
/* The text writer: a top -b style report per snapshot, for -b and snapshot .txt files. */
#include <errno.h>
#include "core/tabs.h"
#include "core/out.h"
#include "core/fmt.h"
#include "core/sanitize.h"

static void (*const sections[KTOP_TAB_MAX])(FILE *, const struct ktop_snapshot *) = {
#define KTOP_TAB(id, name, title) [KTOP_TAB_##id] = out_text_##name,
#include "core/tabs.def"
#undef KTOP_TAB
};

/* See out.h. */
int out_text_write(FILE *f, const struct ktop_snapshot *s)
{
	char ts[40], d[16];
	int i;

	fprintf(f, "ktop %s - %s  host %s  kernel %s  interval %s  #%llu\n",
		san(s->version), fmt_iso8601(ts, sizeof(ts), s->real_ns), san(s->host),
		san(s->kernel), fmt_ns(d, sizeof(d), s->interval_ns),
		(unsigned long long)s->iteration);
	fprintf(f, "ktop cpu %.2f%%  rss %llu KiB  lost events %llu", s->self_cpu_pct,
		(unsigned long long)s->self_rss_kb, (unsigned long long)s->lost_events);
	if (s->bpf_stats)
		fprintf(f, "  bpf %.3f ms/s (%llu runs)", s->interval_ns ?
			s->bpf_run_ns / 1e6 / (s->interval_ns / 1e9) : 0.0,
			(unsigned long long)s->bpf_run_cnt);
	fputc('\n', f);
	for (i = 0; i < KTOP_TAB_MAX; i++) {
		const struct ktop_tab_status *t = &s->tab[i];

		if (t->state == KTOP_TAB_OFF)
			continue;
		fprintf(f, "\n== %s ", ktop_tab_titles[i]);
		if (t->state != KTOP_TAB_RUNNING) {
			fprintf(f, "(disabled: %s)\n", san(t->why));
			continue;
		}
		fprintf(f, "(%s, lost %llu)%s%s\n", san(t->attach), (unsigned long long)t->lost,
			t->note[0] ? "  " : "", san(t->note));
		sections[i](f, s);
	}
	fputc('\n', f);
	return ferror(f) ? -EIO : 0;
}
