// SPDX-License-Identifier: GPL-2.0
/* Memory collector, kernel mode: the kmem tracepoint programs, and the sites it stops tracking. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "memory.skel.h"
#include "core/bpfutil.h"
#include "core/col_mem_int.h"
#include "core/msg.h"
#include "core/histo.h"
#include "core/util.h"

/* Kernel tracepoint pair: choose the flavour, or load neither when the
 * kernel lacks the tracepoint. Returns whether it will be loaded. */
static bool choose(struct bpf_program *btf, struct bpf_program *raw, const char *tp, bool use_btf)
{
	if (!probe_tracepoint(tp)) {
		bpf_program__set_autoload(btf, false);
		bpf_program__set_autoload(raw, false);
		return false;
	}
	prog_choose(btf, raw, use_btf && probe_tp_btf_args(tp));
	return true;
}

/* Open the kernel-mode BPF object and set it up for this kernel. */
static int open_kernel_skel(void *col, const struct ktop_opts *o, struct ktop_tab_status *st)
{
	struct col_mem *c = col;
	struct memory_bpf *s;
	bool btf, pages, percpu;
	unsigned i;
	int err;

	s = c->ks = memory_bpf__open();
	if (!s) {
		err = -errno;
		load_error(st, "memory: cannot open BPF object", err);
		return err;
	}
	s->rodata->targ_filter = o->npids > 0;
	s->rodata->targ_self_tgid = (__u32)getpid();
	s->rodata->targ_page_size = (__u64)sysconf(_SC_PAGESIZE);
	s->rodata->targ_call_sites = !o->mem_stacks_always;
	s->rodata->targ_task_btf = probe_task_btf(o);
	s->rodata->targ_cache_alloc_old = probe_tp_nargs("kmem_cache_alloc") == 5;
	bpf_map__set_max_entries(s->maps.allocs, o->mem_max_outstanding);
	btf = probe_tp_btf_ok(o);
	pages = probe_tracepoint("mm_page_alloc") && probe_tracepoint("mm_page_free");
	/* call_site and bytes_alloc came in 5.19 (10 arguments): not before */
	percpu = probe_tracepoint("percpu_alloc_percpu") && probe_tracepoint("percpu_free_percpu") &&
		 probe_tp_nargs("percpu_alloc_percpu") >= 10;
	{
		/* pages and percpu are tracked only when both ends are visible */
		const struct {
			struct bpf_program *btf, *raw;
			const char *tp;
		} hooks[] = {
			{ s->progs.kmalloc_btf, s->progs.kmalloc_raw, "kmalloc" },
			{ s->progs.kmem_cache_alloc_btf, s->progs.kmem_cache_alloc_raw, "kmem_cache_alloc" },
			{ s->progs.kmalloc_node_btf, s->progs.kmalloc_node_raw, "kmalloc_node" },
			{ s->progs.kmem_cache_alloc_node_btf, s->progs.kmem_cache_alloc_node_raw,
			  probe_tp_nargs("kmem_cache_alloc_node") == 6 ? "kmem_cache_alloc_node" : "" },
			{ s->progs.kfree_btf, s->progs.kfree_raw, "kfree" },
			{ s->progs.kfree2_btf, s->progs.kfree2_raw, "kfree" },
			{ s->progs.kmem_cache_free_btf, s->progs.kmem_cache_free_raw, "kmem_cache_free" },
			{ s->progs.kmem_cache_free2_btf, s->progs.kmem_cache_free2_raw, "kmem_cache_free" },
			{ s->progs.mm_page_alloc_btf, s->progs.mm_page_alloc_raw,
			  pages ? "mm_page_alloc" : "" },
			{ s->progs.mm_page_free_btf, s->progs.mm_page_free_raw,
			  pages ? "mm_page_free" : "" },
			{ s->progs.mm_page_free2_btf, s->progs.mm_page_free2_raw,
			  pages ? "mm_page_free" : "" },
			{ s->progs.mm_page_free_batched_btf, s->progs.mm_page_free_batched_raw,
			  pages ? "mm_page_free_batched" : "" },
			{ s->progs.mm_page_free_batched2_btf, s->progs.mm_page_free_batched2_raw,
			  pages ? "mm_page_free_batched" : "" },
			{ s->progs.mem_percpu_alloc_btf, s->progs.mem_percpu_alloc_raw,
			  percpu ? "percpu_alloc_percpu" : "" },
			{ s->progs.mem_percpu_free_btf, s->progs.mem_percpu_free_raw,
			  percpu ? "percpu_free_percpu" : "" },
			{ s->progs.mem_percpu_free2_btf, s->progs.mem_percpu_free2_raw,
			  percpu ? "percpu_free_percpu" : "" },
		};

		for (i = 0; i < sizeof(hooks) / sizeof(hooks[0]); i++)
			choose(hooks[i].btf, hooks[i].raw, hooks[i].tp, btf);
	}
	return 0;
}

static int load_kernel_skel(void *col)
{
	return memory_bpf__load(((struct col_mem *)col)->ks);
}

static void destroy_kernel_skel(void *col)
{
	struct col_mem *c = col;

	memory_bpf__destroy(c->ks);
	c->ks = NULL;
}

static const struct skel_steps kernel_steps = { open_kernel_skel, load_kernel_skel,
						 destroy_kernel_skel };

int mem_open_kernel(struct col_mem *c, const struct ktop_opts *o, struct ktop_tab_status *st)
{
	static const char *const need[] = { "kmalloc", "kfree", "kmem_cache_alloc", "kmem_cache_free" };
	struct memory_bpf *s;
	unsigned i;
	int err;

	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (!probe_tracepoint(need[i])) {
			snprintf(st->why, sizeof(st->why),
				 "memory: kernel has no kmem:%s tracepoint (CONFIG_TRACEPOINTS?)", need[i]);
			return -ENOENT;
		}
	err = skel_load_retry(c, &kernel_steps, o, st, "memory: kernel refused the BPF programs");
	if (err)
		return err;
	s = c->ks;
	err = pid_filter_fill(s->maps.pid_filter, o);
	if (err) {
		load_error(st, "memory: cannot set the -p filter", err);
		return err;
	}
	err = memory_bpf__attach(s);
	if (err) {
		load_error(st, "memory: cannot attach to the kmem tracepoints", err);
		return err;
	}
	c->allocs_fd = bpf_map__fd(s->maps.allocs);
	c->sites_fd = bpf_map__fd(s->maps.sites);
	c->stacks_fd = bpf_map__fd(s->maps.stacks);
	c->samples_fd = bpf_map__fd(s->maps.samples);
	c->comms_fd = bpf_map__fd(s->maps.comms);
	c->skip_calls_fd = bpf_map__fd(s->maps.skip_calls);
	c->skip_fd = bpf_map__fd(s->maps.skip_stacks);
	if (ksyms__get(&c->ksyms))
		c->ksyms = NULL;	/* stacks show addresses */
	prog_attach_kinds(s->obj, st->attach, sizeof(st->attach));
	return 0;
}

/* The allocating call site of kernel stack stack_id: the first return
 * address past the tracing machinery and the allocator, which is the
 * kmem tracepoints' call_site. Returns it, or 0. */
static uint64_t call_site_of(struct col_mem *c, int32_t stack_id)
{
	__u64 ips[KTOP_MEM_STACK_DEPTH];
	unsigned i;

	memset(ips, 0, sizeof(ips));
	if (!c->ksyms || stack_id < 0 || mem_read_stack(c, stack_id, ips))
		return 0;
	for (i = 0; i < KTOP_MEM_STACK_DEPTH && ips[i]; i++) {
		const char *name = ksyms__find(c->ksyms, ips[i], NULL);

		if (!mem_kframe_is_machinery(name) && !mem_kframe_is_allocator(name))
			return i > 0 ? ips[i] : 0;
	}
	return 0;
}

/* Cached slab-growth verdict of key (stack id or call-site address), or
 * -1 when there is none yet. */
static int verdict_get(struct col_mem *c, uint64_t key)
{
	const unsigned char *v = u64map_get(&c->verdict, key);

	return v ? *v == 1 : -1;
}

static bool verdict_put(struct col_mem *c, uint64_t key, bool backing)
{
	unsigned char *v;

	if (c->verdict.n >= KCACHE_MAX * 4)
		u64map_clear(&c->verdict);
	v = u64map_put(&c->verdict, key);
	if (v)
		*v = backing ? 1 : 2;
	return backing;
}

/* Is kernel stack stack_id the slab allocator growing a cache (new slab
 * pages and their metadata)? Cached per stack id. */
static bool is_backing(struct col_mem *c, int32_t stack_id)
{
	__u64 ips[KTOP_MEM_STACK_DEPTH];
	bool backing = false;
	unsigned i;
	int v = verdict_get(c, (uint32_t)stack_id);

	if (v >= 0)
		return v;
	memset(ips, 0, sizeof(ips));
	if (!c->ksyms || mem_read_stack(c, stack_id, ips))
		return false;
	for (i = 0; i < KTOP_MEM_STACK_DEPTH && ips[i] && !backing; i++)
		backing = mem_kframe_is_slab_growth(ksyms__find(c->ksyms, ips[i], NULL));
	return verdict_put(c, (uint32_t)stack_id, backing);
}

/* Is call site addr in the slab allocator growing a cache (the obj_exts
 * vector of a new slab)? Cached per address (kernel addresses are far
 * above any stack id, so both share the cache). */
static bool is_backing_call(struct col_mem *c, uint64_t addr)
{
	int v = verdict_get(c, addr);

	if (v >= 0)
		return v;
	if (!c->ksyms)
		return false;
	return verdict_put(c, addr, mem_kframe_is_slab_growth(ksyms__find(c->ksyms, addr, NULL)));
}

/*
 * Kernel mode: stop tracking what would only mislead. Slab sites that
 * turned blind put their call site on the skip list; sites that grow a
 * slab cache put their call site, or their stack when they have none
 * (pages), on a skip list. Either way what they hold is written off at
 * the next scan.
 */
void mem_classify_sites(struct col_mem *c)
{
	__u8 blind = 1, backing = 2, one = 1;	/* values of skip_calls (memory.bpf.c) */
	size_t j;

	for (j = 0; j < c->sites.cap; j++) {
		struct site *s = u64map_val(&c->sites, j);
		int32_t id = (int32_t)(uint32_t)c->sites.keys[j];
		uint64_t addr;

		if (!c->sites.used[j] || s->blinded || id < 0)
			continue;
		if (s->call_site && is_backing_call(c, s->call_site)) {
			s->blinded = true;
			if (bpf_map_update_elem(c->skip_calls_fd, &s->call_site, &backing, BPF_NOEXIST) == 0)
				c->nbacking++;
		} else if (!s->call_site && is_backing(c, id)) {
			s->blinded = true;
			if (bpf_map_update_elem(c->skip_fd, &id, &one, BPF_NOEXIST) == 0) {
				c->nbacking++;
				u64map_put(&c->skipset, (uint32_t)id);
			}
		} else if (s->kind == KTOP_MEM_KIND_SLAB && mem_site_blind(s)) {
			s->blinded = true;
			addr = s->call_site ? s->call_site : call_site_of(c, id);
			if (addr && bpf_map_update_elem(c->skip_calls_fd, &addr, &blind, BPF_NOEXIST) == 0)
				c->nblind++;
		}
	}
}

/*
 * Kernel mode: read the sample counters into c->samp (those with samples
 * outstanding, grouped by site, most first) and delete the counters of
 * sites that are gone (their process exited) or that hold no sample any
 * more and no longer allocate. Returns 0 or -errno.
 */
int mem_read_samples(struct col_mem *c)
{
	long n, i;

	c->nsamp = 0;
	n = map_buf_read(c->samples_fd, sizeof(struct ktop_mem_samp_key),
			 sizeof(struct ktop_mem_samp_val), false, &c->pbuf);
	if (n < 0)
		return (int)n;
	if (array_reserve((void **)&c->samp, &c->sampcap, (size_t)n, sizeof(*c->samp)))
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct ktop_mem_samp_key *k = (const void *)((char *)c->pbuf.keys + i * sizeof(*k));
		const struct ktop_mem_samp_val *v = (const void *)((char *)c->pbuf.vals + i * sizeof(*v));
		uint64_t sk = mem_site_key(k->tgid, k->id), out = mem_outstanding(v->allocs, v->frees);
		const struct site *s = u64map_get(&c->sites, sk);

		if (!s || (!out && s->idle >= IDLE_POLLS)) {
			mem_delq_push(&c->del_samples, c->samples_fd, k);
			continue;
		}
		if (!out)
			continue;
		c->samp[c->nsamp].site = sk;
		c->samp[c->nsamp].stack_id = k->stack_id;
		c->samp[c->nsamp].out = out;
		c->nsamp++;
	}
	mem_delq_flush(&c->del_samples, c->samples_fd);
	if (c->nsamp)
		qsort(c->samp, c->nsamp, sizeof(*c->samp), mem_samp_cmp);
	return 0;
}
