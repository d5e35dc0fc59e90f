// SPDX-License-Identifier: GPL-2.0
/* Memory tab, user mode: one process's outstanding malloc-family allocations by stack, from uprobes. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "ktop/memory.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 targ_tgid = 0;		/* the one process (-p) */
const volatile __u64 targ_page_size = 4096;	/* pvalloc rounds up to it */

#define PENDING_STALE_NS	(10ull * 1000000000ull)

#include "memory.bpf.h"

/*
 * The allocator call a thread is in, from entry to return. Allocators call
 * each other (realloc(NULL, n) and memalign with a small alignment call
 * malloc; glibc's internal calls hit the same addresses), so only the
 * outermost call is recorded: an entry with a lower stack pointer than
 * the pending one is nested in it and only bumps the depth.
 */
struct pending {
	__u64 size;
	__u64 memptr;			/* posix_memalign: where the pointer is stored */
	__u64 old;			/* realloc: the block being resized */
	__u64 sp;			/* stack pointer at the outermost entry */
	__u64 ts_ns;
	__u32 depth;
	__u32 fn;			/* KTOP_MEM_FN_* */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KTOP_MEM_THREADS_MAX);
	__type(key, __u32);
	__type(value, struct pending);
} pending SEC(".maps");

static __always_inline void track_alloc(void *ctx, __u64 key, __u64 size, __u32 fn, __u32 tgid)
{
	struct ktop_mem_sval *sv;
	bool created;
	long sid;

	/* On return from the allocator the frame-pointer walk starts in
	 * its caller, so the direct caller is the first frame. */
	sid = stack_id(ctx, BPF_F_USER_STACK);
	if (sid < 0) {
		__sync_fetch_and_add(&drops_stack, 1);
		sid = -1 - (long)fn;
	}
	sv = site_get(tgid, (__s32)sid, fn, &created);
	if (!sv) {
		__sync_fetch_and_add(&drops_untracked, 1);
		return;
	}
	record_alloc(key, size, tgid, (__s32)sid, sv, NULL);
}

static __always_inline int enter(struct pt_regs *ctx, __u32 fn, __u64 size, __u64 memptr, __u64 old)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	__u64 sp = PT_REGS_SP(ctx), now = bpf_ktime_get_ns();
	struct pending *p, init = {};

	if ((__u32)(id >> 32) != targ_tgid)
		return 0;
	p = bpf_map_lookup_elem(&pending, &tid);
	if (p && p->depth && sp < p->sp && now - p->ts_ns < PENDING_STALE_NS) {
		p->depth++;	/* nested in an allocator call already pending */
		return 0;
	}
	init.size = size;
	init.memptr = memptr;
	init.old = old;
	init.sp = sp;
	init.ts_ns = now;
	init.depth = 1;
	init.fn = fn;
	if (bpf_map_update_elem(&pending, &tid, &init, BPF_ANY))
		__sync_fetch_and_add(&drops_untracked, 1);
	return 0;
}

static __always_inline int leave(struct pt_regs *ctx, __u64 ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct pending *p, c;
	__u64 ptr = ret;

	p = bpf_map_lookup_elem(&pending, &tid);
	if (!p || !p->depth)
		return 0;
	if (--p->depth)
		return 0;	/* a nested call returned; the outer one records */
	c = *p;
	bpf_map_delete_elem(&pending, &tid);
	if (c.fn == KTOP_MEM_FN_POSIX_MEMALIGN) {
		if (ret != 0 || bpf_probe_read_user(&ptr, sizeof(ptr), (void *)c.memptr))
			return 0;	/* failed: nothing allocated */
	}
	if (c.fn == KTOP_MEM_FN_REALLOC && c.old && (ptr || c.size == 0))
		track_free(c.old);	/* moved, resized in place, or freed by size 0 */
	if (ptr)
		track_alloc(ctx, ptr, c.size, c.fn, (__u32)(id >> 32));
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(uprobe_malloc, size_t size)
{
	return enter(ctx, KTOP_MEM_FN_MALLOC, size, 0, 0);
}

SEC("uretprobe")
int BPF_KRETPROBE(uret_malloc, void *ret)
{
	return leave(ctx, (__u64)ret);
}

SEC("uprobe")
int BPF_KPROBE(uprobe_calloc, size_t n, size_t size)
{
	/* an overflowing n * size fails and returns NULL: nothing recorded */
	return enter(ctx, KTOP_MEM_FN_CALLOC, (__u64)n * size, 0, 0);
}

SEC("uretprobe")
int BPF_KRETPROBE(uret_calloc, void *ret)
{
	return leave(ctx, (__u64)ret);
}

SEC("uprobe")
int BPF_KPROBE(uprobe_realloc, void *old, size_t size)
{
	return enter(ctx, KTOP_MEM_FN_REALLOC, size, 0, (__u64)old);
}

SEC("uretprobe")
int BPF_KRETPROBE(uret_realloc, void *ret)
{
	return leave(ctx, (__u64)ret);
}

SEC("uprobe")
int BPF_KPROBE(uprobe_posix_memalign, void **memptr, size_t align, size_t size)
{
	return enter(ctx, KTOP_MEM_FN_POSIX_MEMALIGN, size, (__u64)memptr, 0);
}

SEC("uretprobe")
int BPF_KRETPROBE(uret_posix_memalign, int ret)
{
	return leave(ctx, (__u64)(__s64)ret);
}

SEC("uprobe")
int BPF_KPROBE(uprobe_aligned_alloc, size_t align, size_t size)
{
	return enter(ctx, KTOP_MEM_FN_ALIGNED_ALLOC, size, 0, 0);
}

SEC("uretprobe")
int BPF_KRETPROBE(uret_aligned_alloc, void *ret)
{
	return leave(ctx, (__u64)ret);
}

SEC("uprobe")
int BPF_KPROBE(uprobe_memalign, size_t align, size_t size)
{
	return enter(ctx, KTOP_MEM_FN_MEMALIGN, size, 0, 0);
}

SEC("uretprobe")
int BPF_KRETPROBE(uret_memalign, void *ret)
{
	return leave(ctx, (__u64)ret);
}

SEC("uprobe")
int BPF_KPROBE(uprobe_valloc, size_t size)
{
	return enter(ctx, KTOP_MEM_FN_VALLOC, size, 0, 0);
}

SEC("uretprobe")
int BPF_KRETPROBE(uret_valloc, void *ret)
{
	return leave(ctx, (__u64)ret);
}

SEC("uprobe")
int BPF_KPROBE(uprobe_pvalloc, size_t size)
{
	__u64 ps = targ_page_size;

	return enter(ctx, KTOP_MEM_FN_PVALLOC, size ? (size + ps - 1) & ~(ps - 1) : ps, 0, 0);
}

SEC("uretprobe")
int BPF_KRETPROBE(uret_pvalloc, void *ret)
{
	return leave(ctx, (__u64)ret);
}

SEC("uprobe")
int BPF_KPROBE(uprobe_free, void *ptr)
{
	if ((__u32)(bpf_get_current_pid_tgid() >> 32) != targ_tgid || !ptr)
		return 0;
	track_free((__u64)ptr);
	return 0;
}
