/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Site accounting of the Memory collector, pure (no BPF, no clock): a
 * site's counters as read from the kernel and what they add up to, a
 * process's sums, the samples of a call site and their shares, row order.
 * Unit-tested in tests/unit/test_mem_site.c.
 */
#ifndef KTOP_MEM_SITE_H
#define KTOP_MEM_SITE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ktop/memory.h"
#include "core/mem_model.h"
#include "core/snapshot.h"

#define MEM_BLIND_MIN	8	/* missed frees before a site can be called blind */

/* One (process, call site or stack): its counters as last read, kept across polls. */
struct site {
	uint64_t allocs, frees, alloc_bytes, free_bytes, missed;	/* cumulative */
	uint64_t d_allocs, d_frees;	/* in this interval */
	uint64_t oldest_ts;		/* oldest outstanding allocation known (scan); 0 none */
	uint64_t pass_ts;		/* oldest seen so far in this pass of the scan; 0 none */
	uint64_t call_site;		/* kernel call-site sites: the address; else 0 */
	int32_t stack_id;		/* the stack to show; < 0 none */
	uint32_t kind;
	uint32_t idle;			/* polls without allocations or frees */
	bool blinded;			/* kernel mode: no longer tracked (blind or slab backing) */
	uint64_t wo_allocs, wo_bytes;	/* written off: blind allocations dropped by the scan */
};

/* One process (kernel mode), kept across polls. */
struct proc {
	struct mem_trend trend;
	uint64_t exited_ns;		/* 0 while alive */
	uint64_t comm_poll;		/* poll that last read comm */
	char comm[KTOP_COMM_LEN];
	uint64_t poll;			/* the sums below are of this poll */
	uint64_t out_bytes, out_allocs, d_allocs, d_frees, oldest_ts;
	uint64_t sure_bytes;		/* out_bytes outside blind sites: what the trend follows */
	uint64_t kind_bytes[KTOP_MEM_KINDS];
};

/* Outstanding samples of one (site, stack). */
struct samp {
	uint64_t site;			/* mem_site_key() */
	int32_t stack_id;
	uint64_t out;			/* sampled allocations still outstanding */
};

/* Key of a site in the collector's maps: process and call-site or stack id. */
static inline uint64_t mem_site_key(uint32_t tgid, int32_t id)
{
	return (uint64_t)tgid << 32 | (uint32_t)id;
}

/* Age at now of something born at ts (0: unknown, age 0). */
static inline uint64_t mem_age(uint64_t now, uint64_t ts)
{
	return ts && now > ts ? now - ts : 0;
}

uint64_t mem_site_out_allocs(const struct site *s);
uint64_t mem_site_out_bytes(const struct site *s);
bool mem_site_blind(const struct site *s);

/* Site s takes the kernel's counters v: old (NULL: a new site) is its
 * state at the previous poll; the interval's deltas and idle count follow. */
void mem_site_update(struct site *s, const struct site *old, const struct ktop_mem_sval *v);

/* Zero process p's sums for poll. */
void mem_proc_reset(struct proc *p, uint64_t poll);

/* Add site s to process p's sums of this poll. */
void mem_proc_add_site(struct proc *p, const struct site *s);

/* qsort() order of samples: by site, most outstanding first, then stack. */
int mem_samp_cmp(const void *a, const void *b);

/* First sample of site key sk in samp[0..n) (sorted by mem_samp_cmp()), or n. */
size_t mem_samp_first(const struct samp *samp, size_t n, uint64_t sk);

/* a * k / n, rounded, without overflow for the sizes here (n > 0). */
uint64_t mem_share_of(uint64_t a, uint64_t k, uint64_t n);

/* qsort() order of rows: suspects, held, growth, outstanding bytes, pid, stack. */
int mem_row_cmp(const void *a, const void *b);

/* Stack d's counts from site s of process tgid, at now. */
void mem_stack_counts(struct ktop_mem_stack *d, const struct site *s, uint32_t tgid, uint64_t now);

#endif
