// SPDX-License-Identifier: GPL-2.0
/* Memory sections of the JSON and text writers, and the replay decoder of the JSON one. */
#include <string.h>
#include "ktop/memory.h"
#include "core/out.h"
#include "core/fmt.h"
#include "core/mem_model.h"
#include "core/replay.h"
#include "core/sanitize.h"

#define TEXT_ROWS	20
#define TEXT_STACK_ROWS	5		/* kernel mode: stacks printed for the first rows */
#define TEXT_FRAMES	6

static void comm_str(char out[KTOP_COMM_MAX + 1], const char *comm)
{
	memcpy(out, comm, KTOP_COMM_MAX);
	out[KTOP_COMM_MAX] = 0;
}

/* See out.h. */
void out_json_memory(struct jw *w, const struct ktop_snapshot *s)
{
	const struct ktop_mem_snap *m = &s->mem;
	bool user = m->mode == KTOP_MEM_USER;
	uint32_t i, f;

	jw_str(w, "mode", user ? "user" : "kernel");
	if (user) {
		jw_u64(w, "target_pid", m->target_pid);
		jw_strn(w, "target_comm", m->target_comm, strnlen(m->target_comm, KTOP_COMM_MAX));
		jw_bool(w, "target_exited", m->target_exited);
		jw_str(w, "allocator_lib", m->allocator_lib);
	}
	jw_u64(w, "leak_age_ns", m->leak_age_ns);
	jw_u64(w, "untracked", m->untracked);
	jw_u64(w, "untracked_total", m->untracked_total);
	jw_u64(w, "missed_frees", m->missed_frees);
	jw_u64(w, "missed_frees_total", m->missed_frees_total);
	jw_u64(w, "no_stack_total", m->no_stack_total);
	if (!user) {
		jw_u64(w, "blind_sites", m->blind_sites);
		jw_u64(w, "blind_skipped_total", m->blind_skipped_total);
		jw_u64(w, "backing_stacks", m->backing_stacks);
		jw_u64(w, "backing_skipped_total", m->backing_skipped_total);
	}
	jw_u64(w, "tracked", m->tracked);
	jw_u64(w, "capacity", m->capacity);
	jw_u64(w, "outstanding_bytes", m->outstanding_bytes);
	jw_u64(w, "rows_total", m->nrows_total);
	jw_arr(w, "rows");
	for (i = 0; i < m->nrows; i++) {
		const struct ktop_mem_row *r = &m->rows[i];

		jw_obj(w, NULL);
		jw_u64(w, "pid", r->pid);
		jw_strn(w, "comm", r->comm, strnlen(r->comm, KTOP_COMM_MAX));
		jw_u64(w, "outstanding_bytes", r->outstanding_bytes);
		jw_u64(w, "outstanding_allocs", r->outstanding_allocs);
		jw_u64(w, "allocs", r->allocs);
		jw_u64(w, "frees", r->frees);
		jw_u64(w, "oldest_age_ns", r->oldest_age_ns);
		jw_bool(w, "suspect", r->suspect);
		jw_bool(w, "held", r->held);
		jw_dbl(w, "growth_bytes_per_s", r->growth_bytes_per_s);
		jw_u64(w, "highs", r->highs);
		jw_bool(w, "exited", r->exited);
		if (user) {
			jw_i64(w, "stack", r->stack);
		} else {
			jw_u64(w, "slab_bytes", r->kind_bytes[KTOP_MEM_KIND_SLAB]);
			jw_u64(w, "page_bytes", r->kind_bytes[KTOP_MEM_KIND_PAGE]);
			jw_u64(w, "percpu_bytes", r->kind_bytes[KTOP_MEM_KIND_PERCPU]);
		}
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_arr(w, "stacks");
	for (i = 0; i < m->nstacks; i++) {
		const struct ktop_mem_stack *k = &m->stacks[i];

		jw_obj(w, NULL);
		jw_u64(w, "pid", k->pid);
		jw_u64(w, "outstanding_bytes", k->outstanding_bytes);
		jw_u64(w, "outstanding_allocs", k->outstanding_allocs);
		jw_u64(w, "allocs", k->allocs);
		jw_u64(w, "frees", k->frees);
		jw_u64(w, "missed_frees_total", k->missed_frees_total);
		jw_u64(w, "oldest_age_ns", k->oldest_age_ns);
		jw_str(w, "kind", user ? mem_fn_name(k->kind) : mem_kind_name(k->kind));
		jw_str(w, "allocator", k->allocator);
		if (k->site_bytes || k->example || k->samples_site) {
			jw_u64(w, "call_site_outstanding_bytes", k->site_bytes);
			if (k->example)
				jw_str(w, "stack_is", "example: the call site's first allocation");
			else {
				jw_str(w, "stack_is", "sampled: share estimated from samples");
				jw_u64(w, "samples", k->samples);
				jw_u64(w, "samples_of_call_site", k->samples_site);
			}
		}
		jw_arr(w, "frames");
		for (f = 0; f < k->nframes && f < KTOP_MEM_FRAMES_MAX; f++)
			jw_strn(w, NULL, k->frames[f], strnlen(k->frames[f], KTOP_FRAME_LEN));
		jw_arr_end(w);
		if (user) {
			jw_arr(w, "sources");
			for (f = 0; f < k->nframes && f < KTOP_MEM_FRAMES_MAX; f++)
				jw_strn(w, NULL, k->srcs[f], strnlen(k->srcs[f], KTOP_SRC_LEN));
			jw_arr_end(w);
		}
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void text_frames(FILE *f, const struct ktop_mem_stack *k, const char *indent)
{
	uint32_t i;

	for (i = 0; i < k->nframes && i < TEXT_FRAMES; i++) {
		char fr[KTOP_FRAME_LEN + 1], src[KTOP_SRC_LEN + 1];

		memcpy(fr, k->frames[i], KTOP_FRAME_LEN);
		fr[KTOP_FRAME_LEN] = 0;
		memcpy(src, k->srcs[i], KTOP_SRC_LEN);
		src[KTOP_SRC_LEN] = 0;
		fprintf(f, "%s%s%s%s%s\n", indent, san(fr), src[0] ? " (" : "", san(src),
			src[0] ? ")" : "");
	}
	if (k->nframes > TEXT_FRAMES)
		fprintf(f, "%s... %u more frames\n", indent, k->nframes - TEXT_FRAMES);
}

/* See out.h. */
void out_text_memory(FILE *f, const struct ktop_snapshot *s)
{
	const struct ktop_mem_snap *m = &s->mem;
	double secs = s->interval_ns ? s->interval_ns / 1e9 : 1;
	char a[16], b[16], c[16], d[16], g[24], comm[KTOP_COMM_MAX + 1];
	bool user = m->mode == KTOP_MEM_USER;
	uint32_t i, j, shown = 0;

	if (user) {
		comm_str(comm, m->target_comm);
		fprintf(f, "mode user: process %u (%s)%s, uprobes on %s\n", m->target_pid, san(comm),
			m->target_exited ? " EXITED" : "", san(m->allocator_lib));
	} else {
		fprintf(f, "mode kernel: not tracked: %llu allocations at %u blind call sites (frees "
			"invisible), %llu growing slab caches (%u stacks)\n",
			(unsigned long long)m->blind_skipped_total, m->blind_sites,
			(unsigned long long)m->backing_skipped_total, m->backing_stacks);
	}
	fprintf(f, "outstanding %s in %llu allocations (capacity %llu)  untracked %llu (total %llu)"
		"  missed frees %llu  leak age %s\n",
		fmt_bytes(a, sizeof(a), (double)m->outstanding_bytes),
		(unsigned long long)m->tracked, (unsigned long long)m->capacity,
		(unsigned long long)m->untracked, (unsigned long long)m->untracked_total,
		(unsigned long long)m->missed_frees_total, fmt_ns(b, sizeof(b), m->leak_age_ns));
	fprintf(f, "%7s %-16s %10s %9s %8s %8s %9s %10s %s\n", "PID", "COMM", "OUTSTAND",
		"ALLOCS", "ALLOC/s", "FREE/s", "OLDEST", "GROWTH/s", user ? "SITE" : "FLAGS");
	for (i = 0; i < m->nrows && i < TEXT_ROWS; i++) {
		const struct ktop_mem_row *r = &m->rows[i];
		const char *site = "";

		if (user && r->stack >= 0 && (uint32_t)r->stack < m->nstacks)
			site = m->stacks[r->stack].frames[0];
		comm_str(comm, r->comm);
		snprintf(g, sizeof(g), "%s", r->growth_bytes_per_s < 0 ? "-" : "");
		fmt_bytes(g + strlen(g), sizeof(g) - strlen(g), r->growth_bytes_per_s < 0 ?
			  -r->growth_bytes_per_s : r->growth_bytes_per_s);
		fprintf(f, "%7u %-16s %10s %9llu %8s %8s %9s %10s %s%s%s\n", r->pid, san(comm),
			fmt_bytes(a, sizeof(a), (double)r->outstanding_bytes),
			(unsigned long long)r->outstanding_allocs,
			fmt_count(b, sizeof(b), r->allocs / secs), fmt_count(c, sizeof(c), r->frees / secs),
			r->oldest_age_ns ? fmt_ns(d, sizeof(d), r->oldest_age_ns) : "-", g,
			r->suspect ? "SUSPECT " : r->held ? "HELD " : "", r->exited ? "EXITED " : "", san(site));
	}
	if (m->nrows_total > TEXT_ROWS)
		fprintf(f, "... %u more rows\n", m->nrows_total - (m->nrows < TEXT_ROWS ? m->nrows : TEXT_ROWS));
	/* the stacks of the first rows */
	for (i = 0; i < m->nrows && shown < TEXT_STACK_ROWS; i++) {
		const struct ktop_mem_row *r = &m->rows[i];

		if (user) {
			if (r->stack < 0 || (uint32_t)r->stack >= m->nstacks)
				continue;
			fprintf(f, "\nstack %u: %s in %llu allocations from %s\n", i + 1,
				fmt_bytes(a, sizeof(a), (double)r->outstanding_bytes),
				(unsigned long long)r->outstanding_allocs,
				san(m->stacks[r->stack].allocator));
			text_frames(f, &m->stacks[r->stack], "    ");
			shown++;
			continue;
		}
		comm_str(comm, r->comm);
		fprintf(f, "\nstacks of %u %s:\n", r->pid, san(comm));
		for (j = 0; j < m->nstacks; j++) {
			const struct ktop_mem_stack *k = &m->stacks[j];

			if (k->pid != r->pid)
				continue;
			fprintf(f, "  %s in %llu allocations from %s, oldest %s\n",
				fmt_bytes(a, sizeof(a), (double)k->outstanding_bytes),
				(unsigned long long)k->outstanding_allocs, san(k->allocator),
				fmt_ns(g, sizeof(g), k->oldest_age_ns));
			if (k->example)
				fprintf(f, "    (example stack: the first allocation of a call site "
					"holding %s)\n", fmt_bytes(a, sizeof(a), (double)k->site_bytes));
			else if (k->samples_site)
				fprintf(f, "    (estimated share: %u of %u sampled allocations of a call "
					"site holding %s)\n", k->samples, k->samples_site,
					fmt_bytes(a, sizeof(a), (double)k->site_bytes));
			text_frames(f, k, "      ");
		}
		shown++;
	}
}

/* See replay.h: the inverse of out_json_memory(). */
void replay_memory(const struct jv *tab, struct ktop_snapshot *s)
{
	struct ktop_mem_snap *m = &s->mem;
	const struct jv *rows = jv_arr(tab, "rows"), *stacks = jv_arr(tab, "stacks");
	char mode[16];
	size_t i, f;

	jv_str(tab, "mode", mode, sizeof(mode));
	m->mode = strcmp(mode, "user") ? KTOP_MEM_KERNEL : KTOP_MEM_USER;
	m->target_pid = (uint32_t)jv_u64(tab, "target_pid");
	jv_str(tab, "target_comm", m->target_comm, sizeof(m->target_comm));
	m->target_exited = jv_bool(tab, "target_exited");
	jv_str(tab, "allocator_lib", m->allocator_lib, sizeof(m->allocator_lib));
	m->leak_age_ns = jv_u64(tab, "leak_age_ns");
	m->untracked = jv_u64(tab, "untracked");
	m->untracked_total = jv_u64(tab, "untracked_total");
	m->missed_frees = jv_u64(tab, "missed_frees");
	m->missed_frees_total = jv_u64(tab, "missed_frees_total");
	m->no_stack_total = jv_u64(tab, "no_stack_total");
	m->blind_sites = (uint32_t)jv_u64(tab, "blind_sites");
	m->blind_skipped_total = jv_u64(tab, "blind_skipped_total");
	m->backing_stacks = (uint32_t)jv_u64(tab, "backing_stacks");
	m->backing_skipped_total = jv_u64(tab, "backing_skipped_total");
	m->tracked = jv_u64(tab, "tracked");
	m->capacity = jv_u64(tab, "capacity");
	m->outstanding_bytes = jv_u64(tab, "outstanding_bytes");
	m->nrows_total = (uint32_t)jv_u64(tab, "rows_total");
	for (i = 0; stacks && i < stacks->n && m->nstacks < KTOP_MEM_STACKS_MAX; i++) {
		const struct jv *o = &stacks->kids[i];
		const struct jv *fr = jv_arr(o, "frames"), *src = jv_arr(o, "sources");
		struct ktop_mem_stack *k = &m->stacks[m->nstacks++];
		char kind[32];
		unsigned n;

		memset(k, 0, sizeof(*k));
		k->pid = (uint32_t)jv_u64(o, "pid");
		k->outstanding_bytes = jv_u64(o, "outstanding_bytes");
		k->outstanding_allocs = jv_u64(o, "outstanding_allocs");
		k->allocs = jv_u64(o, "allocs");
		k->frees = jv_u64(o, "frees");
		k->missed_frees_total = jv_u64(o, "missed_frees_total");
		k->oldest_age_ns = jv_u64(o, "oldest_age_ns");
		jv_str(o, "kind", kind, sizeof(kind));
		for (n = 0; n < 8; n++)
			if (!strcmp(kind, m->mode == KTOP_MEM_USER ? mem_fn_name(n) : mem_kind_name(n)))
				k->kind = n;
		jv_str(o, "allocator", k->allocator, sizeof(k->allocator));
		k->site_bytes = jv_u64(o, "call_site_outstanding_bytes");
		k->samples = (uint32_t)jv_u64(o, "samples");
		k->samples_site = (uint32_t)jv_u64(o, "samples_of_call_site");
		jv_str(o, "stack_is", kind, sizeof(kind));
		k->example = !strncmp(kind, "example", 7);
		for (f = 0; fr && f < fr->n && k->nframes < KTOP_MEM_FRAMES_MAX; f++) {
			const struct jv *v = &fr->kids[f];

			if (v->type == JV_STR)
				snprintf(k->frames[f], KTOP_FRAME_LEN, "%s", v->str);
			if (src && f < src->n && src->kids[f].type == JV_STR)
				snprintf(k->srcs[f], KTOP_SRC_LEN, "%s", src->kids[f].str);
			k->nframes++;
		}
	}
	for (i = 0; rows && i < rows->n && m->nrows < KTOP_MEM_ROWS_MAX; i++) {
		const struct jv *o = &rows->kids[i];
		struct ktop_mem_row *r = &m->rows[m->nrows++];

		memset(r, 0, sizeof(*r));
		r->pid = (uint32_t)jv_u64(o, "pid");
		jv_str(o, "comm", r->comm, sizeof(r->comm));
		r->outstanding_bytes = jv_u64(o, "outstanding_bytes");
		r->outstanding_allocs = jv_u64(o, "outstanding_allocs");
		r->allocs = jv_u64(o, "allocs");
		r->frees = jv_u64(o, "frees");
		r->oldest_age_ns = jv_u64(o, "oldest_age_ns");
		r->suspect = jv_bool(o, "suspect");
		r->held = jv_bool(o, "held");
		r->growth_bytes_per_s = jv_num(o, "growth_bytes_per_s");
		r->highs = (uint32_t)jv_u64(o, "highs");
		r->exited = jv_bool(o, "exited");
		r->kind_bytes[KTOP_MEM_KIND_SLAB] = jv_u64(o, "slab_bytes");
		r->kind_bytes[KTOP_MEM_KIND_PAGE] = jv_u64(o, "page_bytes");
		r->kind_bytes[KTOP_MEM_KIND_PERCPU] = jv_u64(o, "percpu_bytes");
		r->stack = -1;
		if (m->mode == KTOP_MEM_USER && jv_get(o, "stack")) {
			uint64_t st = jv_u64(o, "stack");

			if (st < m->nstacks)
				r->stack = (int32_t)st;
		}
	}
	if (m->mode == KTOP_MEM_USER && m->nrows > KTOP_MEM_STACKS_MAX)
		m->nrows = KTOP_MEM_STACKS_MAX;
}
