/* SPDX-License-Identifier: GPL-2.0 */
/* BPF side of the Memory tab shared by kernel and user mode: outstanding map, sites, stacks. */
#ifndef KTOP_MEMORY_BPF_H
#define KTOP_MEMORY_BPF_H

#include "common.bpf.h"		/* errno values, ktop_lookup_or_init() */

/* Outstanding allocations: (tagged) address -> allocation. Preallocated,
 * so the handlers never allocate (and never recurse into kmalloc). Core
 * sets max_entries from --mem-max. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 262144);
	__type(key, __u64);
	__type(value, struct ktop_mem_alloc);
} allocs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KTOP_MEM_SITES_MAX);
	__type(key, struct ktop_mem_skey);
	__type(value, struct ktop_mem_sval);
} sites SEC(".maps");

/*
 * Stacks by id. Not a BPF_MAP_TYPE_STACK_TRACE: that map refuses a stack
 * whose bucket another stack holds, and a hot stack that collides then
 * fails on every call. Here the id is a 30-bit hash of the frames and the
 * full 64-bit hash is stored, so a collision needs two stacks equal in 30
 * bits and is detected, not merged.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KTOP_MEM_NSTACKS);
	__type(key, __u32);
	__type(value, struct ktop_mem_stack_val);
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ktop_mem_stack_val);
} stack_scratch SEC(".maps");

/* Sample counters, and the sampled allocations still outstanding (address
 * -> its sample key). LRU: an entry pushed out only means that sample's
 * free is not subtracted (its path's share is then a little high). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KTOP_MEM_SAMPLES_MAX);
	__type(key, struct ktop_mem_samp_key);
	__type(value, struct ktop_mem_samp_val);
} samples SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, KTOP_MEM_SAMPLED_MAX);
	__type(key, __u64);
	__type(value, struct ktop_mem_samp_key);
} sampled SEC(".maps");

__u64 drops_untracked = 0;	/* allocations not tracked: outstanding or sites map full */
__u64 drops_stack = 0;		/* stack walks that gave no stack id (map full, collision) */
__u64 stale_replaced = 0;	/* address allocated again before its free was seen */

/* Id of the current stack (flags: 0 kernel, BPF_F_USER_STACK), or a
 * negative errno. */
static __always_inline long stack_id(void *ctx, __u64 flags)
{
	struct ktop_mem_stack_val *sc, *old;
	__u32 zero = 0, id;
	__u64 h = 0xcbf29ce484222325ull;	/* FNV-1a over the frames */
	long n;
	int i;

	sc = bpf_map_lookup_elem(&stack_scratch, &zero);
	if (!sc)
		return -ENOENT;
	n = bpf_get_stack(ctx, sc->ips, sizeof(sc->ips), flags);	/* zero-fills the rest */
	if (n <= 0)
		return n < 0 ? n : -ENOENT;
	for (i = 0; i < KTOP_MEM_STACK_DEPTH; i++) {
		if (!sc->ips[i])
			break;
		h = (h ^ sc->ips[i]) * 0x100000001b3ull;
	}
	id = (__u32)(h ^ (h >> 32)) & KTOP_MEM_ID_MASK;
	old = bpf_map_lookup_elem(&stacks, &id);
	if (old)
		return old->hash == h ? id : -EEXIST;
	sc->hash = h;
	if (bpf_map_update_elem(&stacks, &id, sc, BPF_NOEXIST)) {
		old = bpf_map_lookup_elem(&stacks, &id);	/* another CPU, same stack? */
		return old && old->hash == h ? id : -ENOSPC;
	}
	return id;
}

/* Count the free of sampled allocation key against its sample. */
static __always_inline void sample_free(__u64 key)
{
	struct ktop_mem_samp_key *k = bpf_map_lookup_elem(&sampled, &key);
	struct ktop_mem_samp_val *v;

	if (!k)
		return;
	v = bpf_map_lookup_elem(&samples, k);
	if (v)
		__sync_fetch_and_add(&v->frees, 1);
	bpf_map_delete_elem(&sampled, &key);
}

/* Count the free of a (formerly) outstanding allocation at key against its
 * site; missed: the free was never seen, the address came back. */
static __always_inline void site_free(__u64 key, const struct ktop_mem_alloc *a, bool missed)
{
	struct ktop_mem_skey sk = { .tgid = a->tgid, .id = a->id };
	struct ktop_mem_sval *sv;

	if (a->size & KTOP_MEM_SAMPLED)
		sample_free(key);
	sv = bpf_map_lookup_elem(&sites, &sk);
	if (!sv)
		return;		/* site dropped by core after its process exited */
	__sync_fetch_and_add(&sv->frees, 1);
	__sync_fetch_and_add(&sv->free_bytes, KTOP_MEM_SIZE(a));
	if (missed)
		__sync_fetch_and_add(&sv->missed, 1);
}

/* The site (tgid, stack sid), created when new (*created then set); NULL
 * when the map is full. */
static __always_inline struct ktop_mem_sval *site_get(__u32 tgid, __s32 sid, __u32 kind, bool *created)
{
	struct ktop_mem_skey sk = { .tgid = tgid, .id = sid };
	struct ktop_mem_sval init = { .kind = kind, .stack_id = sid };
	void *sv = NULL;
	int err = ktop_lookup_or_init(&sites, &sk, &init, &sv);

	*created = err == 1;
	return err < 0 ? NULL : sv;
}

/* Count a new sampled allocation at key under sample sk. */
static __always_inline void sample_alloc(__u64 key, const struct ktop_mem_samp_key *sk)
{
	struct ktop_mem_samp_val init = { .allocs = 1 };
	void *v = NULL;		/* void *, not a cast &v: strict aliasing */
	int err = ktop_lookup_or_init(&samples, sk, &init, &v);

	if (err < 0 || !v)	/* !v never, but the verifier cannot know */
		return;			/* full: not a sample after all */
	if (err == 0)		/* a new one starts at 1 */
		__sync_fetch_and_add(&((struct ktop_mem_samp_val *)v)->allocs, 1);
	bpf_map_update_elem(&sampled, &key, sk, BPF_ANY);
}

/* Record allocation key (size bytes) of site sv, (tgid, site id sid);
 * samp: the sample it is, or NULL. */
static __always_inline void record_alloc(__u64 key, __u64 size, __u32 tgid, __s32 sid,
					 struct ktop_mem_sval *sv,
					 const struct ktop_mem_samp_key *samp)
{
	struct ktop_mem_alloc a, *old;
	long err;

	a.size = size | (samp ? KTOP_MEM_SAMPLED : 0);
	a.ts_ns = bpf_ktime_get_ns();
	a.tgid = tgid;
	a.id = sid;
	err = bpf_map_update_elem(&allocs, &key, &a, BPF_NOEXIST);
	if (err == -EEXIST) {
		/* The entry already at this address lost its free (a free
		 * path without a tracepoint or probe): it is gone, count it
		 * freed. Looked for only now: an insert that works (nearly
		 * all) costs no lookup. */
		old = bpf_map_lookup_elem(&allocs, &key);
		if (old) {
			struct ktop_mem_alloc prev = *old;

			if (bpf_map_delete_elem(&allocs, &key) == 0) {
				site_free(key, &prev, true);
				__sync_fetch_and_add(&stale_replaced, 1);
			}
		}
		err = bpf_map_update_elem(&allocs, &key, &a, BPF_NOEXIST);
	}
	if (err) {
		__sync_fetch_and_add(&drops_untracked, 1);
		return;
	}
	if (samp)
		sample_alloc(key, samp);
	__sync_fetch_and_add(&sv->allocs, 1);
	__sync_fetch_and_add(&sv->alloc_bytes, size);
}

/* Frees are never filtered by process or context: whoever frees it, in
 * whatever context (softirq, RCU callback, another thread), the allocation
 * is gone. An address not in the map was allocated before ktop started,
 * or untracked: ignored, so nothing goes negative. */
static __always_inline void track_free(__u64 key)
{
	struct ktop_mem_alloc *p, a;

	p = bpf_map_lookup_elem(&allocs, &key);
	if (!p)
		return;
	a = *p;
	if (bpf_map_delete_elem(&allocs, &key))
		return;		/* another CPU got there first */
	site_free(key, &a, false);
}

#endif /* KTOP_MEMORY_BPF_H */
