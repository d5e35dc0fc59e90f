/* SPDX-License-Identifier: GPL-2.0 */
/* Memory part of the snapshot: outstanding allocations by process and by stack. */
#ifndef KTOP_SNAP_MEMORY_H
#define KTOP_SNAP_MEMORY_H
#include "core/field.h"

#define KTOP_MEM_ROWS_MAX	10240	/* processes: a big server has thousands */
#define KTOP_MEM_STACKS_MAX	256
#define KTOP_MEM_FRAMES_MAX	16
#define KTOP_FRAME_LEN		112
#define KTOP_SRC_LEN		48
#define KTOP_MEM_KINDS		3	/* slab, page, percpu */

/*
 * Kernel mode: one row per process (pid KTOP_MEM_IRQ_TGID, comm
 * "[interrupt]", for allocations made in interrupt context). User mode:
 * one row per allocation stack of the target process, rows[i] describing
 * stacks[rows[i].stack].
 */
struct ktop_mem_row {
	uint32_t pid;
	int32_t stack;			/* user mode: index into stacks[]; kernel mode: -1 */
	char comm[KTOP_COMM_LEN];
	uint64_t outstanding_bytes;	/* state at the end of the interval */
	uint64_t outstanding_allocs;
	uint64_t allocs, frees;		/* in the interval */
	uint64_t oldest_age_ns;		/* age of the oldest outstanding allocation, 0 = none */
	double growth_bytes_per_s;	/* least-squares slope over the last 10 intervals */
	uint32_t highs;			/* of the last 10 intervals, how many set a new high */
	int suspect;			/* see docs/memory.md for the rule */
	int held;			/* was a suspect, stopped growing, still holds it (docs/memory.md) */
	int exited;			/* process gone (kept for a while) */
	uint64_t kind_bytes[KTOP_MEM_KINDS];	/* kernel mode: outstanding slab, page, percpu */
};

struct ktop_mem_stack {
	uint32_t pid;
	uint32_t kind;			/* KTOP_MEM_KIND_* (kernel) or KTOP_MEM_FN_* (user) */
	uint64_t outstanding_bytes, outstanding_allocs;
	uint64_t allocs, frees;		/* in the interval */
	uint64_t missed_frees_total;	/* frees found missing (address came back) since start */
	uint64_t oldest_age_ns;
	char allocator[32];		/* allocator entry: "kmem_cache_alloc_noprof", "malloc" */
	/* Kernel call sites serve many paths: the outstanding figures above
	 * are then this stack's share of the call site's, estimated from
	 * sampled allocations (1 in 64) still outstanding: samples of
	 * samples_site. With no sample outstanding yet the stack is only an
	 * example, that of the call site's first allocation (example = 1). */
	uint64_t site_bytes;		/* what the whole call site holds; 0: not a call site */
	uint32_t samples, samples_site;
	uint32_t example;
	uint32_t nframes;		/* frames[0] is the allocating call site */
	char frames[KTOP_MEM_FRAMES_MAX][KTOP_FRAME_LEN];	/* "symbol+0xoff", raw */
	char srcs[KTOP_MEM_FRAMES_MAX][KTOP_SRC_LEN];		/* "file.c:42" or "" (user mode) */
};

struct ktop_mem_snap {
	int mode;			/* enum ktop_mem_mode */
	uint32_t target_pid;		/* user mode */
	char target_comm[KTOP_COMM_LEN];
	int target_exited;
	char allocator_lib[128];	/* user mode: the file the uprobes are on */
	uint64_t leak_age_ns;		/* --leak-age, for the screen */
	uint64_t untracked;		/* allocations not tracked (a map full), in the interval */
	uint64_t untracked_total;
	uint64_t missed_frees;		/* frees found missing when the address came back, interval */
	uint64_t missed_frees_total;
	uint64_t no_stack_total;	/* tracked without a stack since start */
	uint32_t blind_sites;		/* kernel call sites whose frees are invisible: not tracked */
	uint64_t blind_skipped_total;	/* allocations at them, not tracked */
	uint32_t backing_stacks;	/* kernel stacks that grow slab caches: not tracked */
	uint64_t backing_skipped_total;	/* allocations on them, not tracked */
	uint64_t tracked;		/* outstanding allocations being tracked now */
	uint64_t capacity;		/* --mem-max */
	uint64_t outstanding_bytes;	/* sum over all rows (not only those shown) */
	uint64_t scan_age_ns;		/* how old the ages are (scan of the outstanding map) */
	uint32_t nrows_total;		/* rows before the KTOP_MEM_ROWS_MAX cut */
	uint32_t nrows;
	struct ktop_mem_row rows[KTOP_MEM_ROWS_MAX];
	uint32_t nstacks;
	struct ktop_mem_stack stacks[KTOP_MEM_STACKS_MAX];
};

/* Field tables of the rows (core/out_memory.c, see core/field.h): kernel
 * and user mode rows and stacks differ, sharing a common part. */
extern const struct fld ktop_mem_krow_fields[], ktop_mem_urow_fields[], ktop_mem_kstack_fields[],
	ktop_mem_ustack_fields[];

#endif
