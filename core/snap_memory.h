/* SPDX-License-Identifier: GPL-2.0 */
/* Memory part of the snapshot: outstanding allocations by process and by stack. */
#ifndef KTOP_SNAP_MEMORY_H
#define KTOP_SNAP_MEMORY_H

#define KTOP_MEM_ROWS_MAX	2048
#define KTOP_MEM_STACKS_MAX	256
#define KTOP_MEM_FRAMES_MAX	16
#define KTOP_FRAME_LEN		112

struct ktop_mem_row {
	uint32_t pid;
	char comm[KTOP_COMM_MAX];
	uint64_t outstanding_bytes;	/* state at the end of the interval */
	uint64_t outstanding_allocs;
	uint64_t allocs, frees;		/* in the interval */
	uint64_t oldest_age_ns;
	double growth_bytes_per_s;	/* slope of outstanding bytes over recent intervals */
	int suspect;			/* see docs/memory.md for the rule */
	int exited;
};

struct ktop_mem_stack {
	uint32_t pid;
	uint64_t outstanding_bytes, outstanding_allocs;
	uint64_t allocs, frees;		/* in the interval */
	uint64_t oldest_age_ns;
	uint32_t nframes;
	char frames[KTOP_MEM_FRAMES_MAX][KTOP_FRAME_LEN];	/* "symbol+0xoff" */
};

struct ktop_mem_snap {
	int mode;			/* enum ktop_mem_mode */
	uint32_t target_pid;		/* user mode */
	int target_exited;
	uint64_t untracked;		/* allocations not tracked (map full), in the interval */
	uint64_t untracked_total;
	uint32_t nrows;
	struct ktop_mem_row rows[KTOP_MEM_ROWS_MAX];
	uint32_t nstacks;
	struct ktop_mem_stack stacks[KTOP_MEM_STACKS_MAX];
};

#endif
