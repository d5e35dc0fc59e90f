// SPDX-License-Identifier: GPL-2.0
/* Memory sections of the JSON and text writers, and the replay decoder of the JSON one. */
#include <string.h>
#include "ktop/memory.h"
#include "core/out.h"
#include "core/field.h"
#include "core/fmt.h"
#include "core/mem_model.h"
#include "core/replay.h"
#include "core/sanitize.h"

#define TEXT_ROWS	20
#define TEXT_STACK_ROWS	5		/* kernel mode: stacks printed for the first rows */
#define TEXT_FRAMES	6

static void comm_str(char out[KTOP_COMM_LEN + 1], const char *comm)
{
	memcpy(out, comm, KTOP_COMM_LEN);
	out[KTOP_COMM_LEN] = 0;
}

/* "stack": user mode's index into stacks[]; absent (-1) in kernel mode. */
static void put_stack(struct jw *w, const struct fld *f, const void *row)
{
	jw_i64(w, f->name, ((const struct ktop_mem_row *)row)->stack);
}

static void get_stack(const struct jv *o, const struct fld *f, void *row)
{
	uint64_t st = jv_get(o, f->name) ? jv_u64(o, f->name) : UINT64_MAX;

	((struct ktop_mem_row *)row)->stack = st <= INT32_MAX ? (int32_t)st : -1;
}

/* A stack's "kind": the allocator function (user mode) or the kind of memory (kernel). */
static void put_kind(struct jw *w, const struct fld *f, const void *row, const char *(*name)(unsigned))
{
	jw_str(w, f->name, name(((const struct ktop_mem_stack *)row)->kind));
}

static void get_kind(const struct jv *o, const struct fld *f, void *row, const char *(*name)(unsigned))
{
	char kind[32];
	unsigned n;

	jv_str(o, f->name, kind, sizeof(kind));
	for (n = 0; n < 8; n++)
		if (!strcmp(kind, name(n)))
			((struct ktop_mem_stack *)row)->kind = n;
}

static void put_ukind(struct jw *w, const struct fld *f, const void *row) { put_kind(w, f, row, mem_fn_name); }
static void get_ukind(const struct jv *o, const struct fld *f, void *row) { get_kind(o, f, row, mem_fn_name); }
static void put_kkind(struct jw *w, const struct fld *f, const void *row) { put_kind(w, f, row, mem_kind_name); }
static void get_kkind(const struct jv *o, const struct fld *f, void *row) { get_kind(o, f, row, mem_kind_name); }

/* A kernel call site's share: what the whole site holds and how the stack
 * stands for it (an example, or sampled with its samples). */
static void put_site(struct jw *w, const struct fld *f, const void *row)
{
	const struct ktop_mem_stack *k = row;

	if (!k->site_bytes && !k->example && !k->samples_site)
		return;
	jw_u64(w, f->name, k->site_bytes);
	if (k->example) {
		jw_str(w, "stack_is", "example: the call site's first allocation");
		return;
	}
	jw_str(w, "stack_is", "sampled: share estimated from samples");
	jw_u64(w, "samples", k->samples);
	jw_u64(w, "samples_of_call_site", k->samples_site);
}

static void get_site(const struct jv *o, const struct fld *f, void *row)
{
	struct ktop_mem_stack *k = row;
	char is[16];

	k->site_bytes = jv_u64(o, f->name);
	k->samples = (uint32_t)jv_u64(o, "samples");
	k->samples_site = (uint32_t)jv_u64(o, "samples_of_call_site");
	jv_str(o, "stack_is", is, sizeof(is));
	k->example = !strncmp(is, "example", 7);
}

/* User mode: the source line of each frame, as many as frames. */
static void put_srcs(struct jw *w, const struct fld *f, const void *row)
{
	const struct ktop_mem_stack *k = row;
	uint32_t i;

	jw_arr(w, f->name);
	for (i = 0; i < k->nframes && i < KTOP_MEM_FRAMES_MAX; i++)
		jw_strn(w, NULL, k->srcs[i], strnlen(k->srcs[i], KTOP_SRC_LEN));
	jw_arr_end(w);
}

static void get_srcs(const struct jv *o, const struct fld *f, void *row)
{
	const struct jv *src = jv_arr(o, f->name);
	struct ktop_mem_stack *k = row;
	uint32_t i;

	for (i = 0; src && i < k->nframes && i < src->n; i++)
		if (src->kids[i].type == JV_STR)
			snprintf(k->srcs[i], KTOP_SRC_LEN, "%s", src->kids[i].str);
}

#define ROW	struct ktop_mem_row
static const struct fld row_common[] = {
	FLD_U(ROW, pid, "pid", NULL),
	FLD_STR(ROW, comm, "comm"),
	FLD_U(ROW, outstanding_bytes, "outstanding_bytes", "bytes"),
	FLD_U(ROW, outstanding_allocs, "outstanding_allocs", "count"),
	FLD_U(ROW, allocs, "allocs", "count"),
	FLD_U(ROW, frees, "frees", "count"),
	FLD_U(ROW, oldest_age_ns, "oldest_age_ns", "ns"),
	FLD_BOOL(ROW, suspect, "suspect"),
	FLD_BOOL(ROW, held, "held"),
	FLD_DBL(ROW, growth_bytes_per_s, "growth_bytes_per_s", "bytes/s"),
	FLD_U(ROW, highs, "highs", "count"),
	FLD_BOOL(ROW, exited, "exited"),
	FLD_END
};

/* See snap_memory.h. */
const struct fld ktop_mem_urow_fields[] = {
	FLD_INL(row_common),
	FLD_FN(ROW, stack, "stack", NULL, put_stack, get_stack),
	FLD_END
};

const struct fld ktop_mem_krow_fields[] = {
	FLD_INL(row_common),
	FLD_U(ROW, kind_bytes[KTOP_MEM_KIND_SLAB], "slab_bytes", "bytes"),
	FLD_U(ROW, kind_bytes[KTOP_MEM_KIND_PAGE], "page_bytes", "bytes"),
	FLD_U(ROW, kind_bytes[KTOP_MEM_KIND_PERCPU], "percpu_bytes", "bytes"),
	FLD_END
};
#undef ROW

#define STK	struct ktop_mem_stack
static const struct fld stack_counts[] = {
	FLD_U(STK, pid, "pid", NULL),
	FLD_U(STK, outstanding_bytes, "outstanding_bytes", "bytes"),
	FLD_U(STK, outstanding_allocs, "outstanding_allocs", "count"),
	FLD_U(STK, allocs, "allocs", "count"),
	FLD_U(STK, frees, "frees", "count"),
	FLD_U(STK, missed_frees_total, "missed_frees_total", "count"),
	FLD_U(STK, oldest_age_ns, "oldest_age_ns", "ns"),
	FLD_END
};

/* See snap_memory.h. */
const struct fld ktop_mem_ustack_fields[] = {
	FLD_INL(stack_counts),
	FLD_FN(STK, kind, "kind", NULL, put_ukind, get_ukind),
	FLD_STR(STK, allocator, "allocator"),
	FLD_FN(STK, site_bytes, "call_site_outstanding_bytes", "bytes", put_site, get_site),
	FLD_STRS(STK, frames, nframes, "frames"),
	FLD_FN(STK, srcs, "sources", NULL, put_srcs, get_srcs),
	FLD_END
};

const struct fld ktop_mem_kstack_fields[] = {
	FLD_INL(stack_counts),
	FLD_FN(STK, kind, "kind", NULL, put_kkind, get_kkind),
	FLD_STR(STK, allocator, "allocator"),
	FLD_FN(STK, site_bytes, "call_site_outstanding_bytes", "bytes", put_site, get_site),
	FLD_STRS(STK, frames, nframes, "frames"),
	FLD_END
};
#undef STK

static void put_mode(struct jw *w, const struct fld *f, const void *row)
{
	jw_str(w, f->name, *(const int *)((const char *)row + f->off) == KTOP_MEM_USER ? "user" : "kernel");
}

static void get_mode(const struct jv *o, const struct fld *f, void *row)
{
	char mode[16];

	jv_str(o, f->name, mode, sizeof(mode));
	*(int *)((char *)row + f->off) = strcmp(mode, "user") ? KTOP_MEM_KERNEL : KTOP_MEM_USER;
}

#define SNAP	struct ktop_mem_snap
static const struct fld snap_drops[] = {
	FLD_U(SNAP, leak_age_ns, "leak_age_ns", "ns"),
	FLD_U(SNAP, untracked, "untracked", "count"),
	FLD_U(SNAP, untracked_total, "untracked_total", "count"),
	FLD_U(SNAP, missed_frees, "missed_frees", "count"),
	FLD_U(SNAP, missed_frees_total, "missed_frees_total", "count"),
	FLD_U(SNAP, no_stack_total, "no_stack_total", "count"),
	FLD_END
};

static const struct fld snap_totals[] = {
	FLD_U(SNAP, tracked, "tracked", "count"),
	FLD_U(SNAP, capacity, "capacity", "count"),
	FLD_U(SNAP, outstanding_bytes, "outstanding_bytes", "bytes"),
	FLD_U(SNAP, nrows_total, "rows_total", "count"),
	FLD_END
};

static const struct fld user_snap[] = {
	FLD_FN(SNAP, mode, "mode", NULL, put_mode, get_mode),
	FLD_U(SNAP, target_pid, "target_pid", NULL),
	FLD_STR(SNAP, target_comm, "target_comm"),
	FLD_BOOL(SNAP, target_exited, "target_exited"),
	FLD_STR(SNAP, allocator_lib, "allocator_lib"),
	FLD_INL(snap_drops),
	FLD_INL(snap_totals),
	FLD_ARR(SNAP, rows, nrows, "rows", ktop_mem_urow_fields),
	FLD_ARR(SNAP, stacks, nstacks, "stacks", ktop_mem_ustack_fields),
	FLD_END
};

static const struct fld kernel_snap[] = {
	FLD_FN(SNAP, mode, "mode", NULL, put_mode, get_mode),
	FLD_INL(snap_drops),
	FLD_U(SNAP, blind_sites, "blind_sites", "count"),
	FLD_U(SNAP, blind_skipped_total, "blind_skipped_total", "count"),
	FLD_U(SNAP, backing_stacks, "backing_stacks", "count"),
	FLD_U(SNAP, backing_skipped_total, "backing_skipped_total", "count"),
	FLD_INL(snap_totals),
	FLD_ARR(SNAP, rows, nrows, "rows", ktop_mem_krow_fields),
	FLD_ARR(SNAP, stacks, nstacks, "stacks", ktop_mem_kstack_fields),
	FLD_END
};
#undef SNAP

/* See out.h. */
void out_json_memory(struct jw *w, const struct ktop_snapshot *s)
{
	fld_put(w, s->mem.mode == KTOP_MEM_USER ? user_snap : kernel_snap, &s->mem);
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

/* The stacks of the first rows. */
static void text_stacks(FILE *f, const struct ktop_mem_snap *m)
{
	char a[16], g[24], comm[KTOP_COMM_LEN + 1];
	bool user = m->mode == KTOP_MEM_USER;
	uint32_t i, j, shown = 0;

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

/* See out.h. */
void out_text_memory(FILE *f, const struct ktop_snapshot *s)
{
	const struct ktop_mem_snap *m = &s->mem;
	char a[16], b[16], c[16], d[16], g[24], comm[KTOP_COMM_LEN + 1];
	bool user = m->mode == KTOP_MEM_USER;
	uint32_t i;

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
			fmt_count(b, sizeof(b), ktop_rate(s, r->allocs)), fmt_count(c, sizeof(c), ktop_rate(s, r->frees)),
			r->oldest_age_ns ? fmt_ns(d, sizeof(d), r->oldest_age_ns) : "-", g,
			r->suspect ? "SUSPECT " : r->held ? "HELD " : "", r->exited ? "EXITED " : "", san(site));
	}
	if (m->nrows_total > TEXT_ROWS)
		fprintf(f, "... %u more rows\n", m->nrows_total - (m->nrows < TEXT_ROWS ? m->nrows : TEXT_ROWS));
	text_stacks(f, m);
}

/* See replay.h: the inverse of out_json_memory(). */
void replay_memory(const struct jv *tab, struct ktop_snapshot *s)
{
	struct ktop_mem_snap *m = &s->mem;
	uint32_t i;

	get_mode(tab, &user_snap[0], m);
	fld_get(tab, m->mode == KTOP_MEM_USER ? user_snap : kernel_snap, m);
	for (i = 0; i < m->nrows; i++)	/* a stack index must name a stack */
		if (m->mode != KTOP_MEM_USER || m->rows[i].stack < 0 ||
		    (uint32_t)m->rows[i].stack >= m->nstacks)
			m->rows[i].stack = -1;
	if (m->mode == KTOP_MEM_USER && m->nrows > KTOP_MEM_STACKS_MAX)
		m->nrows = KTOP_MEM_STACKS_MAX;
}
