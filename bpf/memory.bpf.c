// SPDX-License-Identifier: GPL-2.0
/* Memory tab, kernel mode: outstanding slab, page and percpu allocations by process and stack. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "ktop/memory.h"
#include "common.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 targ_self_tgid = 0;	/* ktop itself: not tracked */
const volatile __u64 targ_page_size = 4096;
const volatile bool targ_movable_pages = false;	/* track __GFP_MOVABLE (user, page cache) pages */
const volatile bool targ_call_sites = true;	/* slab, percpu: sites by call site, not by stack */
/* kmem_cache_alloc(call_site, ptr, bytes_req, bytes_alloc, gfp) before 6.0,
 * which added the cache as the third argument: the size is bytes_alloc. */
const volatile bool targ_cache_alloc_old = false;

#define GFP_MOVABLE		0x08u	/* __GFP_MOVABLE: bit 3 since 2.6.23 */
#define STACK_RETRY		256	/* a call site whose stack walk failed tries once per this many allocations */

/* Why a call site is on the skip list (value of skip_calls). */
#define SKIP_BLIND		1
#define SKIP_BACKING		2

#include "memory.bpf.h"

/* Command name of each process, written when one of its sites is created. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KTOP_MEM_SITES_MAX / 4);
	__type(key, __u32);
	__type(value, struct ktop_comm);
} comms SEC(".maps");

/* The last page block allocated on this CPU, to recognise the pages behind
 * a large kmalloc (it calls the page allocator, then fires kmalloc) and
 * count those bytes once, as the kmalloc object. */
struct last_page {
	__u64 key;
	__u64 ts_ns;
	__u64 size;
	__u32 tgid;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct last_page);
} last_page SEC(".maps");

/* Call sites whose allocations are not tracked, and why: SKIP_BLIND, their
 * objects are freed where no tracepoint sees it (slab sheaves, kfree_rcu()
 * batches: core adds them once most of their frees turned out missing);
 * SKIP_BACKING, the slab allocator growing a cache (the obj_exts vector of
 * a new slab: backing store of objects that are tracked themselves). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KTOP_MEM_BLIND_MAX * 2);
	__type(key, __u64);
	__type(value, __u8);
} skip_calls SEC(".maps");

/* Stacks core found to be the slab allocator growing a cache (new slab
 * pages, which have no call site): backing store of objects that are
 * tracked themselves, so not tracked again. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KTOP_MEM_BLIND_MAX * 4);
	__type(key, __u32);
	__type(value, __u8);
} skip_stacks SEC(".maps");

__u64 blind_skipped = 0;	/* allocations at blind call sites, not tracked */
__u64 backing_skipped = 0;	/* slab-growing allocations, not tracked */
__u64 large_merged = 0;		/* large kmallocs whose pages were folded into the object */

/*
 * True in hard or soft interrupt (or NMI) context, where current is only
 * whichever task was interrupted. Interrupts and softirqs served on
 * interrupt exit run on the per-CPU interrupt stacks, so the kernel stack
 * we run on is not current's own. ctx (the tracepoint's argument array)
 * lives on that kernel stack; the BPF stack may not (private per-CPU BPF
 * stacks since 6.14). The preempt count would say it directly, but it is
 * a per-CPU variable BPF can find only on CONFIG_KALLSYMS_ALL kernels.
 * Softirqs run by ksoftirqd are charged to ksoftirqd.
 */
static __always_inline bool in_irq_ctx(void *ctx)
{
	__u64 sp = 0, base, size = 0;
	void *volatile where = ctx;

	/* the address as a number: read the spilled pointer back */
	bpf_probe_read_kernel(&sp, sizeof(sp), (void *)&where);
	if (targ_task_btf) {
		struct task_struct *t = bpf_get_current_task_btf();

		base = (__u64)t->stack;		/* trusted BTF pointer: plain loads */
		if (bpf_core_field_exists(t->stack_vm_area) && t->stack_vm_area)
			size = t->stack_vm_area->size;	/* THREAD_SIZE + guard page */
	} else {
		/* before 5.11 (no bpf_get_current_task_btf()): probe reads */
		struct task_struct *t = (struct task_struct *)bpf_get_current_task();
		struct vm_struct *vm = NULL;

		base = (__u64)BPF_CORE_READ(t, stack);
		if (bpf_core_field_exists(t->stack_vm_area))
			vm = BPF_CORE_READ(t, stack_vm_area);
		if (vm)
			size = BPF_CORE_READ(vm, size);
	}
	size = size > targ_page_size ? size - targ_page_size : 16384;
	return sp - base >= size;
}

/* Site id of call site addr. */
static __always_inline __s32 call_id(__u64 addr)
{
	return KTOP_MEM_SITE_CALL | (__s32)((addr * 0x9e3779b97f4a7c15ull) >> 34);
}

/*
 * The site (tgid, call site addr), created when new (*created then set).
 * The stack is walked only then (its representative, shown in the
 * details), or now and then while the site has none. NULL when the map is
 * full, or when another call site of the process holds the same id.
 */
static __always_inline struct ktop_mem_sval *call_site_get(void *ctx, __u32 tgid, __u64 addr,
							   __u32 kind, bool *created)
{
	struct ktop_mem_skey sk = { .tgid = tgid, .id = call_id(addr) };
	struct ktop_mem_sval *sv, init = { .kind = kind, .call_site = addr };
	long sid;

	*created = false;
	sv = bpf_map_lookup_elem(&sites, &sk);
	if (sv) {
		if (sv->call_site != addr)
			return NULL;
		if (sv->stack_id < 0 && !(sv->allocs % STACK_RETRY)) {
			sid = stack_id(ctx, 0);
			if (sid >= 0)
				sv->stack_id = (__s32)sid;
			else
				__sync_fetch_and_add(&drops_stack, 1);
		}
		return sv;
	}
	sid = stack_id(ctx, 0);
	if (sid < 0) {
		__sync_fetch_and_add(&drops_stack, 1);
		sid = -1 - (long)kind;
	}
	init.stack_id = (__s32)sid;
	*created = bpf_map_update_elem(&sites, &sk, &init, BPF_NOEXIST) == 0;
	sv = bpf_map_lookup_elem(&sites, &sk);	/* ours, or another CPU's */
	return sv && sv->call_site == addr ? sv : NULL;
}

/* Track allocation key of size bytes made at call_site (0: none known, as
 * for pages). Kept on the site (process, call site) when there is one,
 * else on (process, stack). */
static __always_inline void track_alloc(void *ctx, __u64 key, __u64 size, __u32 kind,
					__u64 call_site)
{
	struct ktop_mem_samp_key samp = {}, *sp = NULL;
	struct ktop_mem_sval *sv;
	struct ktop_comm c;
	bool created;
	__u32 tgid;
	long sid;

	if (in_irq_ctx(ctx)) {
		tgid = KTOP_MEM_IRQ_TGID;
		if (targ_filter)
			return;		/* -p: interrupts are nobody's */
	} else {
		tgid = bpf_get_current_pid_tgid() >> 32;
		if (tgid == targ_self_tgid || ktop_filtered_out(tgid))
			return;
	}
	if (call_site && targ_call_sites) {
		sv = call_site_get(ctx, tgid, call_site, kind, &created);
		if (sv) {
			sid = call_id(call_site);
			/* one in KTOP_MEM_SAMPLE_EVERY: which path it came by */
			if (!created && !(sv->allocs % KTOP_MEM_SAMPLE_EVERY)) {
				long st = stack_id(ctx, 0);

				if (st >= 0) {
					samp.tgid = tgid;
					samp.id = (__s32)sid;
					samp.stack_id = (__s32)st;
					sp = &samp;
				}
			}
			goto record;
		}
		/* map full, or an id collision: this one goes by its stack */
	}
	sid = stack_id(ctx, 0);
	if (sid < 0) {
		__sync_fetch_and_add(&drops_stack, 1);
		sid = -1 - (long)kind;
	} else {
		__u32 id = (__u32)sid;

		if (bpf_map_lookup_elem(&skip_stacks, &id)) {
			__sync_fetch_and_add(&backing_skipped, 1);
			return;
		}
	}
	sv = site_get(tgid, (__s32)sid, kind, &created);
	if (!sv) {
		__sync_fetch_and_add(&drops_untracked, 1);
		return;
	}
record:
	if (created && tgid != KTOP_MEM_IRQ_TGID) {
		bpf_get_current_comm(c.comm, sizeof(c.comm));
		bpf_map_update_elem(&comms, &tgid, &c, BPF_ANY);
	}
	record_alloc(key, size, tgid, (__s32)sid, sv, sp);
}

/* Is call_site on the skip list? Counts the skip. */
static __always_inline bool skipped(__u64 call_site)
{
	__u8 *why = bpf_map_lookup_elem(&skip_calls, &call_site);

	if (!why)
		return false;
	if (*why == SKIP_BACKING)
		__sync_fetch_and_add(&backing_skipped, 1);
	else
		__sync_fetch_and_add(&blind_skipped, 1);
	return true;
}

static __always_inline int on_kmalloc(void *ctx, __u64 call_site, const void *ptr, __u64 bytes_alloc)
{
	__u64 key = (__u64)ptr;
	struct last_page *lp;
	__u32 zero = 0;

	if (key <= 4096)
		return 0;	/* NULL, ZERO_SIZE_PTR: nothing to track */
	if (skipped(call_site))
		return 0;
	track_alloc(ctx, key, bytes_alloc, KTOP_MEM_KIND_SLAB, call_site);
	if (bytes_alloc <= 2 * targ_page_size)
		return 0;
	/* Larger than the biggest kmalloc cache: its pages were just
	 * allocated on this CPU by this task; keep only the object. */
	lp = bpf_map_lookup_elem(&last_page, &zero);
	if (lp && lp->key && lp->size == bytes_alloc &&
	    lp->tgid == (__u32)(bpf_get_current_pid_tgid() >> 32) &&
	    bpf_ktime_get_ns() - lp->ts_ns < 1000000) {
		track_free(lp->key);
		lp->key = 0;
		__sync_fetch_and_add(&large_merged, 1);
	}
	return 0;
}

static __always_inline __u64 arg_u64(void *ctx, int i);

static __always_inline int on_cache_alloc(void *ctx, __u64 call_site, const void *ptr,
					  struct kmem_cache *s)
{
	__u64 key = (__u64)ptr, bytes;

	if (key <= 4096 || skipped(call_site))
		return 0;
	bytes = targ_cache_alloc_old ? arg_u64(ctx, 3) : BPF_CORE_READ(s, size);
	track_alloc(ctx, key, bytes, KTOP_MEM_KIND_SLAB, call_site);
	return 0;
}

static __always_inline int on_slab_free(const void *ptr)
{
	__u64 key = (__u64)ptr;

	if (key > 4096)
		track_free(key);
	return 0;
}

/* Argument i of the tracepoint as a number. Under tp_btf a struct page *
 * is a typed pointer the verifier will not let us tag with |; the helper
 * copies its bits into a plain integer. */
static __always_inline __u64 arg_u64(void *ctx, int i)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), (__u64 *)ctx + i);
	return v;
}

static __always_inline int on_page_alloc(void *ctx, __u64 page, unsigned int order, __u64 gfp)
{
	__u64 key = page | KTOP_MEM_KIND_PAGE;
	__u64 size = targ_page_size << (order & 31);
	struct last_page *lp;
	__u32 zero = 0;

	if (!page)
		return 0;	/* failed */
	if ((gfp & GFP_MOVABLE) && !targ_movable_pages)
		return 0;	/* anon and page-cache pages: user data, not kernel objects */
	track_alloc(ctx, key, size, KTOP_MEM_KIND_PAGE, 0);
	lp = bpf_map_lookup_elem(&last_page, &zero);
	if (lp) {
		lp->key = key;
		lp->size = size;
		lp->ts_ns = bpf_ktime_get_ns();
		lp->tgid = bpf_get_current_pid_tgid() >> 32;
	}
	return 0;
}

static __always_inline int on_page_free(__u64 page)
{
	if (page)
		track_free(page | KTOP_MEM_KIND_PAGE);
	return 0;
}

static __always_inline int on_percpu_alloc(void *ctx, __u64 call_site, void *ptr, __u64 bytes_alloc)
{
	if (ptr)
		track_alloc(ctx, (__u64)ptr | KTOP_MEM_KIND_PERCPU, bytes_alloc, KTOP_MEM_KIND_PERCPU,
			    call_site);
	return 0;
}

static __always_inline int on_percpu_free(void *ptr)
{
	if (ptr)
		track_free((__u64)ptr | KTOP_MEM_KIND_PERCPU);
	return 0;
}

/* One thin entry point per hook and attach flavour; core picks the flavour. */

/*
 * Frees get two identical programs per hook. The kernel skips a program
 * that is already running on this CPU (prog->active), so a free in an
 * interrupt or in the softirq (RCU callbacks!) that runs on interrupt exit
 * while one copy handles a free would be lost. The other copy is not
 * running then and sees it. Without nesting both run: the second finds
 * the address gone, which costs a lookup.
 */
#define FREE_TWINS(name, tp, call, args...)	\
	KTOP_TP_TWIN(name, tp, call, args)	\
	KTOP_TP_TWIN(name##2, tp, call, args)

FREE_TWINS(kfree, kfree, on_slab_free(ptr), unsigned long call_site, const void *ptr)
FREE_TWINS(kmem_cache_free, kmem_cache_free, on_slab_free(ptr), unsigned long call_site,
	   const void *ptr, const struct kmem_cache *s)
FREE_TWINS(mm_page_free, mm_page_free, on_page_free(arg_u64(ctx, 0)), struct page *page,
	   unsigned int order)
FREE_TWINS(mm_page_free_batched, mm_page_free_batched, on_page_free(arg_u64(ctx, 0)),
	   struct page *page)
FREE_TWINS(mem_percpu_free, percpu_free_percpu, on_percpu_free(ptr), void *base_addr, int off,
	   void *ptr)

KTOP_TP_TWIN(kmalloc, kmalloc, on_kmalloc(ctx, call_site, ptr, bytes_alloc),
	     unsigned long call_site, const void *ptr, size_t bytes_req, size_t bytes_alloc,
	     gfp_t gfp, int node)
KTOP_TP_TWIN(kmem_cache_alloc, kmem_cache_alloc, on_cache_alloc(ctx, call_site, ptr, s),
	     unsigned long call_site, const void *ptr, struct kmem_cache *s, gfp_t gfp, int node)

/* Before 6.0 the NUMA-node allocations had tracepoints of their own,
 * with the arguments of kmalloc and of the old kmem_cache_alloc. */
KTOP_TP_TWIN(kmalloc_node, kmalloc_node, on_kmalloc(ctx, call_site, ptr, bytes_alloc),
	     unsigned long call_site, const void *ptr, size_t bytes_req, size_t bytes_alloc)
KTOP_TP_TWIN(kmem_cache_alloc_node, kmem_cache_alloc_node, on_cache_alloc(ctx, call_site, ptr, NULL),
	     unsigned long call_site, const void *ptr)
KTOP_TP_TWIN(mm_page_alloc, mm_page_alloc, on_page_alloc(ctx, arg_u64(ctx, 0), order, gfp),
	     struct page *page, unsigned int order, gfp_t gfp, int mt)
KTOP_TP_TWIN(mem_percpu_alloc, percpu_alloc_percpu, on_percpu_alloc(ctx, call_site, ptr, bytes_alloc),
	     unsigned long call_site, bool reserved, bool is_atomic, size_t size, size_t align,
	     void *base_addr, int off, void *ptr, size_t bytes_alloc, gfp_t gfp)
