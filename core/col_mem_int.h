/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Memory collector's rooms share this: its state and the calls between
 * them. col_memory.c is the interface (open, poll, free) and the map
 * reading both modes share; col_mem_kernel.c opens kernel mode and decides
 * which sites to stop tracking; col_mem_procs.c folds sites into processes
 * and their rows; col_mem_kstack.c the kernel stacks shown; col_mem_user.c
 * user mode (uprobes on one process's allocator); col_mem_scan.c the scan
 * of the outstanding map for ages and the sweep of unused stacks;
 * mem_site.c the pure site accounting.
 */
#ifndef KTOP_COL_MEM_INT_H
#define KTOP_COL_MEM_INT_H
#include <stdbool.h>
#include <stdint.h>
#include <bpf/bpf.h>
#include "ktop/memory.h"
#include "core/collector.h"
#include "core/mapio.h"
#include "core/ksyms.h"
#include "core/mem_model.h"
#include "core/mem_site.h"
#include "core/mem_user.h"
#include "core/u64map.h"
#include "core/usym.h"

#define LINGER_NS	(30ull * 1000000000ull)	/* an exited process's row stays this long */
#define LINGER_ZERO_NS	(5ull * 1000000000ull)	/* ... when it left nothing outstanding */
#define IDLE_POLLS	5		/* a site idle this long with nothing outstanding is swept */
#define STACKS_PER_PROC	8		/* kernel mode: stacks kept per process */
#define KCACHE_MAX	4096		/* symbolized kernel stacks kept */
#define UCACHE_MAX	65536		/* symbolized user addresses kept */
#define COMM_EVERY	10		/* polls between re-reads of a command name */
#define GC_EVERY	10		/* polls between sweeps of unused stack ids */
#define NLINKS		(2 * KTOP_MEM_FN_MAX + 1)

struct kstack {
	uint32_t nframes;
	bool at_call;			/* frames[0] is the call site it was read for */
	char allocator[32];
	char frames[KTOP_MEM_FRAMES_MAX][KTOP_FRAME_LEN];
};

struct uframe {
	char sym[KTOP_FRAME_LEN];
	char src[KTOP_SRC_LEN];
};

/* Queue of keys to delete from one map, deleted in one go. */
struct delq {
	void *keys;
	size_t n, cap, ksize;
};

/* A site with something outstanding, for choosing each process's stacks. */
struct site_ref {
	uint32_t tgid;
	int32_t id;			/* the site's id (call site or stack) */
	const struct site *s;
};

struct col_mem {
	int mode;			/* enum ktop_mem_mode */
	struct memory_bpf *ks;
	struct memuser_bpf *us;
	struct bpf_link *links[NLINKS];
	int nlinks;
	int allocs_fd, sites_fd, stacks_fd, comms_fd, skip_calls_fd, skip_fd;
	uint32_t nblind;		/* call sites put on the skip list: blind */
	uint32_t nbacking;		/* call sites and stacks put on the skip lists: slab backing */
	struct u64map verdict;		/* stack id or call site -> 1 slab backing, 2 not */
	struct u64map unused;		/* stack ids no site used at the last sweep */
	struct u64map skipset;		/* stack ids on the kernel's skip list: never swept */
	uint64_t capacity, leak_age_ns, interval_ns;
	struct mem_target tgt;
	char tgt_comm[KTOP_COMM_LEN];
	bool tgt_exited;
	struct ksyms *ksyms;
	struct usym *usym;
	bool usym_refreshed;		/* this poll */
	struct u64map sites, sites_old;	/* (tgid << 32 | stack id) -> struct site */
	struct u64map procs, procs_old;	/* tgid -> struct proc */
	struct u64map utrend;		/* user mode: site key -> struct mem_trend */
	struct u64map dropped;		/* tgid dropped -> the first pass of the scan that
					 * covers the whole map after: it deletes what it holds */
	struct u64map kcache;		/* stack id -> struct kstack */
	struct u64map ucache;		/* address -> struct uframe */
	struct map_buf sbuf;		/* sites map reads */
	struct map_buf abuf;		/* outstanding map reads (the scan) */
	struct map_buf gbuf;		/* stack map reads of mem_gc_stacks() */
	struct map_buf cbuf;		/* comms map reads of comms_batch() */
	struct u64map names;		/* tgid -> comm, from that read (or empty) */
	struct site_ref *refs;
	size_t refcap;
	int samples_fd;			/* kernel mode: sample counters by (site, stack) */
	struct map_buf pbuf;		/* its reads */
	struct samp *samp;		/* outstanding samples of this poll, by site */
	size_t nsamp, sampcap;
	struct delq del_samples;
	struct delq del_sites, del_comms, del_stacks;	/* keys to delete, by map */
	struct ktop_mem_row *tmp;	/* every row of this poll, before the cut */
	size_t tmpcap;
	uint64_t polls, scan_ts;	/* scan_ts: start of the last full pass */
	uint64_t pass, pass_start;	/* the scan's pass in progress, and when it began */
	__u64 scan_cursor;		/* where the next slice starts (batch token) */
	bool scan_fresh;		/* next slice starts a pass */
	uint64_t pass_seen, last_pass_seen;	/* entries read in this pass, in the last full one */
	uint64_t tracked;		/* outstanding allocations at the last poll (site counters) */
	bool slices_off;		/* no batch reads: whole-map scans */
	uint64_t untracked_prev, stale_prev, lost_prev;
};


/* col_memory.c */
void mem_delq_push(struct delq *q, int fd, const void *key);
size_t mem_delq_flush(struct delq *q, int fd);
int mem_read_stack(struct col_mem *c, int32_t id, __u64 *ips);
int mem_grow_tmp(struct col_mem *c, size_t want);

/* col_mem_kernel.c */
int mem_open_kernel(struct col_mem *c, const struct ktop_opts *o, struct ktop_tab_status *st);
void mem_classify_sites(struct col_mem *c);
int mem_read_samples(struct col_mem *c);

/* col_mem_procs.c */
int mem_fold_procs(struct col_mem *c, uint64_t now);
int mem_kernel_rows(struct col_mem *c, struct ktop_mem_snap *m, uint64_t now);

/* col_mem_kstack.c */
int mem_kernel_stacks(struct col_mem *c, struct ktop_mem_snap *m, uint64_t now);

/* col_mem_user.c */
int mem_open_user(struct col_mem *c, const struct ktop_opts *o, struct ktop_tab_status *st);
int mem_user_rows(struct col_mem *c, struct ktop_mem_snap *m, uint64_t now);

/* col_mem_scan.c */
void mem_scan_ages(struct col_mem *c);
void mem_gc_stacks(struct col_mem *c);

#endif
