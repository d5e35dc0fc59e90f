/* SPDX-License-Identifier: GPL-2.0 */
/* Map keys and values of the Memory tab, shared by bpf/memory.bpf.c, bpf/memuser.bpf.c and core. */
#ifndef KTOP_MEMORY_H
#define KTOP_MEMORY_H
#ifndef __VMLINUX_H__
#include <linux/types.h>		/* userspace; BPF gets __u64 from vmlinux.h */
#endif
#include "ktop/comm.h"

#define KTOP_MEM_STACK_DEPTH	24	/* frames kept per stack (innermost first) */
#define KTOP_MEM_NSTACKS	32768	/* stack-trace map entries */
#define KTOP_MEM_SITES_MAX	65536	/* (process, call site or stack) counters tracked at once */
#define KTOP_MEM_THREADS_MAX	16384	/* user mode: threads inside an allocator call */
#define KTOP_MEM_BLIND_MAX	1024	/* kernel call sites whose frees are invisible */

/*
 * Kinds of kernel allocation. The outstanding map is keyed by address with
 * the kind in the two low bits: slab objects are at least 8-byte aligned,
 * struct page 64-byte aligned and percpu pointers 4-byte aligned, so the
 * bits are free. Pages are keyed by their struct page, which is as unique
 * as the pfn and needs no vmemmap arithmetic in BPF.
 */
#define KTOP_MEM_KIND_SLAB	0	/* kmalloc, kmem_cache_alloc */
#define KTOP_MEM_KIND_PAGE	1	/* mm_page_alloc */
#define KTOP_MEM_KIND_PERCPU	2	/* percpu_alloc_percpu */
#define KTOP_MEM_KIND_MASK	3ull

/* User mode: the allocator function, stored as the kind. */
#define KTOP_MEM_FN_MALLOC		0
#define KTOP_MEM_FN_CALLOC		1
#define KTOP_MEM_FN_REALLOC		2
#define KTOP_MEM_FN_POSIX_MEMALIGN	3
#define KTOP_MEM_FN_ALIGNED_ALLOC	4
#define KTOP_MEM_FN_MEMALIGN		5
#define KTOP_MEM_FN_VALLOC		6
#define KTOP_MEM_FN_PVALLOC		7
#define KTOP_MEM_FN_MAX			8

/*
 * Allocations in hard or soft interrupt context belong to no process: they
 * are counted under this pseudo tgid (0, the idle task, which allocates
 * nothing itself) and shown as "[interrupt]".
 */
#define KTOP_MEM_IRQ_TGID	0

/*
 * Site ids. A site is where a process allocates: in kernel mode its call
 * site (the kmem tracepoints' call_site, no stack walk per allocation),
 * else its stack. A call-site id is KTOP_MEM_SITE_CALL | 30 bits of a hash
 * of the address (the site's value holds the full address, so two call
 * sites of one process that collide are told apart, and the second is
 * keyed by its stack); a stack id is the stack map key (30 bits). Negative:
 * no stack, -(1 + kind).
 */
#define KTOP_MEM_SITE_CALL	0x40000000
#define KTOP_MEM_ID_MASK	0x3fffffff

/*
 * Kernel call-site sites: where a call site is shared by many paths
 * (alloc_empty_file() serves exec, open, pipe2, eventfd...), the stack of
 * its first allocation says nothing about the others. So one allocation in
 * KTOP_MEM_SAMPLE_EVERY of each call site has its stack walked and is
 * tracked as a sample of (process, site, stack) until freed: the samples
 * still outstanding give each path's share of what the site holds.
 */
#define KTOP_MEM_SAMPLE_EVERY	64
#define KTOP_MEM_SAMPLES_MAX	16384	/* (process, site, stack) sample counters */
#define KTOP_MEM_SAMPLED_MAX	65536	/* outstanding sampled allocations (LRU) */
#define KTOP_MEM_SAMPLED	(1ull << 63)	/* in ktop_mem_alloc.size: a sample */
#define KTOP_MEM_SIZE(a)	((a)->size & ~KTOP_MEM_SAMPLED)

/* One outstanding allocation (value of the outstanding map). */
struct ktop_mem_alloc {
	__u64 size;			/* bytes; KTOP_MEM_SAMPLED set on samples */
	__u64 ts_ns;			/* bpf_ktime_get_ns() at allocation */
	__u32 tgid;			/* allocating process (KTOP_MEM_IRQ_TGID in irq) */
	__s32 id;			/* its site: call-site id, stack id, or < 0 (above) */
};

/* Key of the per-site counters: one allocating process and site. */
struct ktop_mem_skey {
	__u32 tgid;
	__s32 id;			/* as in ktop_mem_alloc */
};

/*
 * Counters of one site, cumulative since the entry was created, never
 * reset: outstanding = allocs - frees (wrap-safe; a free counted before
 * its alloc on another CPU makes it briefly negative, which core clamps).
 */
struct ktop_mem_sval {
	__u64 allocs;
	__u64 frees;
	__u64 alloc_bytes;
	__u64 free_bytes;
	__u64 missed;			/* of the frees, those found missing when the address came back */
	__u64 call_site;		/* call-site sites: the address; 0 for stack sites */
	__s32 stack_id;			/* the stack to show: the key's for stack sites, a call
					 * site's first allocation's; < 0 none (walk failed) */
	__u32 kind;			/* KTOP_MEM_KIND_* or KTOP_MEM_FN_*, set at creation */
};

/* Key of the sample counters: a site and one of the stacks it was reached by. */
struct ktop_mem_samp_key {
	__u32 tgid;
	__s32 id;			/* the site (a call-site id) */
	__s32 stack_id;
	__u32 pad;
};

/* Sampled allocations of a (site, stack), cumulative; outstanding =
 * allocs - frees. */
struct ktop_mem_samp_val {
	__u64 allocs;
	__u64 frees;
};

/* A stack (value of the stacks map): frames innermost first, 0-padded. */
struct ktop_mem_stack_val {
	__u64 hash;			/* 64-bit hash of ips; the map key is 31 bits of it */
	__u64 ips[KTOP_MEM_STACK_DEPTH];
};

#endif /* KTOP_MEMORY_H */
