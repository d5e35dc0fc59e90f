// SPDX-License-Identifier: GPL-2.0
/* The JSON writer: one object per snapshot, for -b --json and snapshot files. */
#include <errno.h>
#include "core/tabs.h"
#include "core/out.h"
#include "core/fmt.h"

static void (*const sections[KTOP_TAB_MAX])(struct jw *, const struct ktop_snapshot *) = {
#define KTOP_TAB(id, name, title) [KTOP_TAB_##id] = out_json_##name,
#include "core/tabs.def"
#undef KTOP_TAB
};

/* See out.h. */
int out_json_write(FILE *f, const struct ktop_snapshot *s, const struct ktop_view *v)
{
	struct jw w;
	char ts[40];
	int i;

	jw_init(&w, f);
	jw_obj(&w, NULL);
	jw_str(&w, "version", s->version);
	jw_str(&w, "timestamp", fmt_iso8601(ts, sizeof(ts), s->real_ns));
	jw_u64(&w, "interval_ns", s->interval_ns);
	jw_u64(&w, "iteration", s->iteration);
	jw_u64(&w, "lost_events", s->lost_events);
	jw_str(&w, "host", s->host);
	jw_str(&w, "kernel", s->kernel);
	jw_dbl(&w, "self_cpu_pct", s->self_cpu_pct);
	jw_u64(&w, "self_rss_kb", s->self_rss_kb);
	if (s->bpf_stats) {
		jw_u64(&w, "bpf_run_ns", s->bpf_run_ns);
		jw_u64(&w, "bpf_run_cnt", s->bpf_run_cnt);
	}
	if (s->rec.on) {
		jw_obj(&w, "recorder");
		jw_u64(&w, "kept", s->rec.kept);
		jw_u64(&w, "kept_ns", s->rec.kept_ns);
		jw_u64(&w, "bytes", s->rec.bytes);
		jw_u64(&w, "keep_ns", s->rec.keep_ns);
		jw_u64(&w, "keep_mem", s->rec.keep_mem);
		jw_u64(&w, "triggers", s->rec.triggers);
		jw_u64(&w, "saving", s->rec.saving);
		jw_u64(&w, "saved", s->rec.saved);
		jw_obj_end(&w);
	}
	for (i = 0; i < KTOP_TAB_MAX; i++) {
		const struct ktop_tab_status *t = &s->tab[i];

		if (t->state != KTOP_TAB_RUNNING) {
			jw_obj(&w, ktop_tab_names[i]);
			jw_str(&w, "disabled", t->state == KTOP_TAB_OFF ?
			       "not selected with --panes" : t->why);
			jw_obj_end(&w);
			continue;
		}
		jw_obj(&w, ktop_tab_names[i]);
		jw_str(&w, "attach", t->attach);
		jw_u64(&w, "lost_events", t->lost);
		if (t->note[0])
			jw_str(&w, "note", t->note);
		sections[i](&w, s);
		jw_obj_end(&w);
	}
	if (v) {
		jw_obj(&w, "view");
		jw_str(&w, "tab", v->tab);
		jw_str(&w, "sort", v->sort);
		jw_bool(&w, "reverse", v->reverse);
		jw_bool(&w, "frozen", v->frozen);
		jw_str(&w, "selected", v->selected ? v->selected : "");
		jw_obj_end(&w);
	}
	jw_obj_end(&w);
	return ferror(f) ? -EIO : 0;
}
