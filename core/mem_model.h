/* SPDX-License-Identifier: GPL-2.0 */
/* Pure helpers of the Memory tab: growth history, slope, the leak-suspect rule, frame classes. */
#ifndef KTOP_MEM_MODEL_H
#define KTOP_MEM_MODEL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MEM_TREND_INTERVALS	10	/* the suspect rule looks at this many intervals */
#define MEM_TREND_LEN		(MEM_TREND_INTERVALS + 1)	/* samples bounding them */

/* Outstanding bytes at the end of the last MEM_TREND_LEN intervals. */
struct mem_trend {
	uint64_t v[MEM_TREND_LEN];	/* outstanding bytes, ring */
	uint64_t t_ns[MEM_TREND_LEN];	/* CLOCK_MONOTONIC of each sample */
	uint8_t n;			/* samples held, <= MEM_TREND_LEN */
	uint8_t head;			/* index of the next write */
	uint64_t leak_bytes;		/* outstanding when last a suspect; 0: not a leak (any more) */
};

/* Append a sample (time t_ns, outstanding bytes v); the oldest drops out
 * when the ring is full. Can't fail. */
void mem_trend_push(struct mem_trend *t, uint64_t t_ns, uint64_t v);

/*
 * Number of the last (up to) MEM_TREND_INTERVALS intervals in which the
 * outstanding bytes grew to a new high: above every earlier sample of the
 * window. A process that allocates and frees at the same rate wanders
 * around a level and rarely sets a new high; one that keeps memory sets
 * one nearly every interval. Can't fail.
 */
unsigned mem_trend_highs(const struct mem_trend *t);

/* Least-squares slope of outstanding bytes over the samples held, in bytes
 * per second; 0 with fewer than two samples or no time between them.
 * Can't fail. */
double mem_trend_slope(const struct mem_trend *t);

/*
 * The leak-suspect rule (docs/memory.md, help screen): the oldest
 * outstanding allocation is at least leak_age_ns old and the outstanding
 * bytes set a new high in more than half of the last MEM_TREND_INTERVALS
 * intervals. Can't fail.
 */
bool mem_suspect(uint64_t oldest_age_ns, uint64_t leak_age_ns, unsigned highs);

/*
 * The held rule (docs/memory.md, help screen): a leak that stopped growing
 * (it hit a limit, or the leaking path went quiet) is still a leak. Call it
 * once per interval after mem_trend_push(), with that interval's verdict of
 * mem_suspect(). A suspect remembers what it held (t->leak_bytes); once it
 * is no longer a suspect it is **held** while its oldest allocation is
 * still at least leak_age_ns old and it still holds at least half of what
 * it held as a suspect. Below half (freed), it is forgotten. Returns true
 * when held (never for a suspect). Can't fail.
 */
bool mem_held(struct mem_trend *t, bool suspect, uint64_t oldest_age_ns, uint64_t leak_age_ns);

/*
 * True when kernel symbol sym is tracing machinery (BPF, perf, the
 * tracepoint) or part of an allocator (slab, page or percpu allocator
 * internals) rather than the code that asked for memory. The first frame
 * of a stack for which this is false is the allocating call site.
 * Can't fail.
 */
bool mem_kframe_is_machinery(const char *sym);
bool mem_kframe_is_allocator(const char *sym);
/* True when kernel symbol sym is the slab allocator growing a cache (a
 * stack through it allocates slab pages or their metadata, the backing
 * store of objects tracked themselves). Can't fail. */
bool mem_kframe_is_slab_growth(const char *sym);

/* Outstanding value of a cumulative (allocs, frees) pair: allocs - frees,
 * or 0 when a free was counted before its allocation became visible.
 * Can't fail. */
static inline uint64_t mem_outstanding(uint64_t allocs, uint64_t frees)
{
	return allocs > frees ? allocs - frees : 0;
}

#define MEM_SCAN_PASS		4	/* polls a pass of the scan of ages is spread over ... */
#define MEM_SCAN_SLICE_MIN	1024	/* ... reading at least this many entries a poll ... */
#define MEM_SCAN_SLICE_MAX	8192	/* ... and at most this many */

/* Entries of the outstanding map the scan of ages reads in one poll when
 * the map holds about n: n spread over MEM_SCAN_PASS polls, within
 * [MEM_SCAN_SLICE_MIN, MEM_SCAN_SLICE_MAX]. Can't fail. */
size_t mem_scan_slice(uint64_t n);

/* Name of a user allocator function (KTOP_MEM_FN_*), or "?". Can't fail. */
const char *mem_fn_name(unsigned fn);
/* Name of a kernel allocation kind (KTOP_MEM_KIND_*): "slab", "page", "percpu". */
const char *mem_kind_name(unsigned kind);

#endif
