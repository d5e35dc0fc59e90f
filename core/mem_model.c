// SPDX-License-Identifier: GPL-2.0
/* Pure helpers of the Memory tab: growth history, slope, the leak-suspect rule, frame classes. */
#include <string.h>
#include "core/mem_model.h"
#include "ktop/memory.h"

/* See mem_model.h. */
void mem_trend_push(struct mem_trend *t, uint64_t t_ns, uint64_t v)
{
	t->v[t->head] = v;
	t->t_ns[t->head] = t_ns;
	t->head = (uint8_t)((t->head + 1) % MEM_TREND_LEN);
	if (t->n < MEM_TREND_LEN)
		t->n++;
}

/* i-th sample held, oldest first (i < t->n). */
static size_t idx(const struct mem_trend *t, unsigned i)
{
	return (t->head + MEM_TREND_LEN - t->n + i) % MEM_TREND_LEN;
}

/* See mem_model.h. */
unsigned mem_trend_highs(const struct mem_trend *t)
{
	unsigned i, highs = 0;
	uint64_t top;

	if (t->n < 2)
		return 0;
	top = t->v[idx(t, 0)];
	for (i = 1; i < t->n; i++) {
		uint64_t v = t->v[idx(t, i)];

		if (v > top) {
			highs++;
			top = v;
		}
	}
	return highs;
}

/* See mem_model.h. */
double mem_trend_slope(const struct mem_trend *t)
{
	double st = 0, sv = 0, stt = 0, stv = 0, n = t->n, t0, den;
	unsigned i;

	if (t->n < 2)
		return 0;
	t0 = (double)t->t_ns[idx(t, 0)];
	for (i = 0; i < t->n; i++) {
		double x = ((double)t->t_ns[idx(t, i)] - t0) / 1e9;
		double y = (double)t->v[idx(t, i)];

		st += x;
		sv += y;
		stt += x * x;
		stv += x * y;
	}
	den = n * stt - st * st;
	if (den <= 1e-12)
		return 0;
	return (n * stv - st * sv) / den;
}

/* See mem_model.h. */
bool mem_suspect(uint64_t oldest_age_ns, uint64_t leak_age_ns, unsigned highs)
{
	return oldest_age_ns >= leak_age_ns && highs * 2 > MEM_TREND_INTERVALS;
}

/* See mem_model.h. */
bool mem_held(struct mem_trend *t, bool suspect, uint64_t oldest_age_ns, uint64_t leak_age_ns)
{
	uint64_t now;

	if (!t->n)
		return false;
	now = t->v[(t->head + MEM_TREND_LEN - 1) % MEM_TREND_LEN];
	if (suspect) {
		t->leak_bytes = now ? now : 1;
		return false;
	}
	if (!t->leak_bytes)
		return false;
	if (now < t->leak_bytes - t->leak_bytes / 2) {
		t->leak_bytes = 0;	/* freed (at least half): no longer a leak */
		return false;
	}
	return oldest_age_ns >= leak_age_ns;
}

static bool has_prefix(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strncmp(s, *list, strlen(*list)))
			return true;
	return false;
}

/* See mem_model.h. */
bool mem_kframe_is_machinery(const char *sym)
{
	static const char *const p[] = {
		"bpf_", "__bpf_", "___bpf", "__traceiter_", "trace_", "__trace_",
		"perf_", "__perf_", NULL,
	};

	return sym && has_prefix(sym, p);
}

/* See mem_model.h. */
bool mem_kframe_is_allocator(const char *sym)
{
	static const char *const p[] = {
		"kmalloc", "__kmalloc", "___kmalloc", "kmem_cache_alloc", "__kmem_cache_alloc",
		"kvmalloc", "__kvmalloc", "kzalloc", "kcalloc", "krealloc", "__krealloc",
		"kmemdup", "kstrdup", "kstrndup", "kvrealloc", "kvzalloc",
		"slab_alloc", "__slab_alloc", "___slab_alloc", "allocate_slab", "new_slab",
		"alloc_slab_page", "alloc_from_pcs", "refill_objects", "__refill",
		"alloc_pages", "__alloc_pages", "alloc_frozen_pages", "__alloc_frozen_pages",
		"get_page_from_freelist", "post_alloc_hook", "prep_new_page", "rmqueue",
		"alloc_pages_mpol", "folio_alloc", "__folio_alloc", "__get_free_pages",
		"get_zeroed_page", "alloc_pages_bulk", "__alloc_pages_bulk",
		"pcpu_alloc", "__alloc_percpu", "alloc_percpu", "pcpu_alloc_noprof",
		"__alloc_reserved_percpu", NULL,
	};

	return sym && has_prefix(sym, p);
}

/* See mem_model.h. */
bool mem_kframe_is_slab_growth(const char *sym)
{
	static const char *const p[] = {
		"allocate_slab", "new_slab", "alloc_slab_page", "alloc_slab_obj_exts", NULL,
	};

	return sym && has_prefix(sym, p);
}

/* See mem_model.h. */
size_t mem_scan_slice(uint64_t n)
{
	uint64_t per = n / MEM_SCAN_PASS + (n % MEM_SCAN_PASS != 0);

	if (per < MEM_SCAN_SLICE_MIN)
		return MEM_SCAN_SLICE_MIN;
	return per > MEM_SCAN_SLICE_MAX ? MEM_SCAN_SLICE_MAX : (size_t)per;
}

/* See mem_model.h. */
const char *mem_fn_name(unsigned fn)
{
	static const char *const names[KTOP_MEM_FN_MAX] = {
		[KTOP_MEM_FN_MALLOC] = "malloc",
		[KTOP_MEM_FN_CALLOC] = "calloc",
		[KTOP_MEM_FN_REALLOC] = "realloc",
		[KTOP_MEM_FN_POSIX_MEMALIGN] = "posix_memalign",
		[KTOP_MEM_FN_ALIGNED_ALLOC] = "aligned_alloc",
		[KTOP_MEM_FN_MEMALIGN] = "memalign",
		[KTOP_MEM_FN_VALLOC] = "valloc",
		[KTOP_MEM_FN_PVALLOC] = "pvalloc",
	};

	return fn < KTOP_MEM_FN_MAX ? names[fn] : "?";
}

/* See mem_model.h. */
const char *mem_kind_name(unsigned kind)
{
	switch (kind) {
	case KTOP_MEM_KIND_SLAB: return "slab";
	case KTOP_MEM_KIND_PAGE: return "page";
	case KTOP_MEM_KIND_PERCPU: return "percpu";
	}
	return "?";
}
