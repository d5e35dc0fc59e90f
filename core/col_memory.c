// SPDX-License-Identifier: GPL-2.0
/* Memory collector: outstanding kernel (kmem tracepoints) or one process's malloc (uprobes) allocations. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "memory.skel.h"
#include "memuser.skel.h"
#include "ktop/memory.h"
#include "core/bpfutil.h"
#include "core/msg.h"
#include "core/collector.h"
#include "core/core.h"
#include "core/histo.h"
#include "core/ksyms.h"
#include "core/mem_model.h"
#include "core/mem_user.h"
#include "core/procinfo.h"
#include "core/u64map.h"
#include "core/usym.h"
#include "core/util.h"

#define LINGER_NS	(30ull * 1000000000ull)	/* an exited process's row stays this long */
#define LINGER_ZERO_NS	(5ull * 1000000000ull)	/* ... when it left nothing outstanding */
#define IDLE_POLLS	5		/* a site idle this long with nothing outstanding is swept */
#define BLIND_MIN	8		/* missed frees before a site can be called blind */
#define STACKS_PER_PROC	8		/* kernel mode: stacks kept per process */
#define KCACHE_MAX	4096		/* symbolized kernel stacks kept */
#define UCACHE_MAX	65536		/* symbolized user addresses kept */
#define COMM_EVERY	10		/* polls between re-reads of a command name */
#define GC_EVERY	10		/* polls between sweeps of unused stack ids */
#define NLINKS		(2 * KTOP_MEM_FN_MAX + 1)

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

static uint64_t site_out_allocs(const struct site *s)
{
	return mem_outstanding(s->allocs, s->frees + s->wo_allocs);
}

static uint64_t site_out_bytes(const struct site *s)
{
	return mem_outstanding(s->alloc_bytes, s->free_bytes + s->wo_bytes);
}

/*
 * A site most of whose frees were only found missing when the address was
 * allocated again (frees through paths without a tracepoint, such as
 * kfree_rcu() batches and slab sheaves): what it shows outstanding is an
 * upper bound, so it does not count towards growth and suspicion.
 */
static bool site_blind(const struct site *s)
{
	return s->missed >= BLIND_MIN && s->missed * 2 > s->frees;
}

/* One process (kernel mode), kept across polls. */
struct proc {
	struct mem_trend trend;
	uint64_t exited_ns;		/* 0 while alive */
	uint64_t comm_poll;		/* poll that last read comm */
	char comm[KTOP_COMM_MAX];
	uint64_t poll;			/* the sums below are of this poll */
	uint64_t out_bytes, out_allocs, d_allocs, d_frees, oldest_ts;
	uint64_t sure_bytes;		/* out_bytes outside blind sites: what the trend follows */
	uint64_t kind_bytes[KTOP_MEM_KINDS];
};

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
	char tgt_comm[KTOP_COMM_MAX];
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
	void *skeys, *svals;
	size_t scap;
	void *akeys, *avals;
	size_t acap;
	void *gkeys, *gvals;		/* stack map reads of gc_stacks() */
	size_t gcap;
	void *ckeys, *cvals;		/* comms map reads of comms_batch() */
	size_t ccap;
	struct u64map names;		/* tgid -> comm, from that read (or empty) */
	struct site_ref *refs;
	size_t refcap;
	int samples_fd;			/* kernel mode: sample counters by (site, stack) */
	void *pkeys, *pvals;		/* its reads */
	size_t pcap;
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

static uint64_t site_key(uint32_t tgid, int32_t stack_id)
{
	return (uint64_t)tgid << 32 | (uint32_t)stack_id;
}

/* Outstanding samples of one (site, stack). */
struct samp {
	uint64_t site;			/* site_key() */
	int32_t stack_id;
	uint64_t out;			/* sampled allocations still outstanding */
};

static int cmp_samp(const void *a, const void *b)
{
	const struct samp *x = a, *y = b;

	if (x->site != y->site)
		return x->site < y->site ? -1 : 1;
	if (x->out != y->out)
		return x->out < y->out ? 1 : -1;
	return x->stack_id < y->stack_id ? -1 : x->stack_id > y->stack_id;
}

static int cmp_key_bytes(const void *a, const void *b, void *ksize)
{
	return memcmp(a, b, *(const size_t *)ksize);
}

/* Delete the queued keys from map fd (see map_delete_keys()) and empty the
 * queue. A key queued twice (a process's name, once per site of it) is
 * deleted once: a batch delete stops at a key already gone, and each such
 * stop costs a syscall. Returns how many were deleted. */
static size_t delq_flush(struct delq *q, int fd)
{
	size_t i, n = 0, deleted;

	if (!q->n)
		return 0;	/* keys may still be NULL: qsort_r() wants a pointer */
	qsort_r(q->keys, q->n, q->ksize, cmp_key_bytes, &q->ksize);
	for (i = 0; i < q->n; i++) {
		const char *k = (const char *)q->keys + i * q->ksize;

		if (n && !memcmp(k, (const char *)q->keys + (n - 1) * q->ksize, q->ksize))
			continue;
		if (n != i)
			memcpy((char *)q->keys + n * q->ksize, k, q->ksize);
		n++;
	}
	deleted = map_delete_keys(fd, q->keys, n, q->ksize);
	q->n = 0;
	return deleted;
}

/* Queue key for deletion from map fd (deleted now if the queue cannot
 * grow). */
static void delq_push(struct delq *q, int fd, const void *key)
{
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 256;
		void *t = reallocarray(q->keys, cap, q->ksize);

		if (!t) {
			bpf_map_delete_elem(fd, key);
			return;
		}
		q->keys = t;
		q->cap = cap;
	}
	memcpy((char *)q->keys + q->n++ * q->ksize, key, q->ksize);
}

static void col_mem_free(void *p)
{
	struct col_mem *c = p;
	int i;

	if (!c)
		return;
	for (i = 0; i < c->nlinks; i++)
		bpf_link__destroy(c->links[i]);
	memuser_bpf__destroy(c->us);
	memory_bpf__destroy(c->ks);
	ksyms__put(c->ksyms);
	usym__free(c->usym);
	u64map_free(&c->sites);
	u64map_free(&c->sites_old);
	u64map_free(&c->procs);
	u64map_free(&c->procs_old);
	u64map_free(&c->dropped);
	u64map_free(&c->kcache);
	u64map_free(&c->ucache);
	u64map_free(&c->verdict);
	u64map_free(&c->unused);
	u64map_free(&c->utrend);
	u64map_free(&c->skipset);
	free(c->skeys);
	free(c->svals);
	free(c->akeys);
	free(c->avals);
	free(c->gkeys);
	free(c->gvals);
	free(c->ckeys);
	free(c->cvals);
	u64map_free(&c->names);
	free(c->refs);
	free(c->del_sites.keys);
	free(c->del_samples.keys);
	free(c->pkeys);
	free(c->pvals);
	free(c->samp);
	free(c->del_comms.keys);
	free(c->del_stacks.keys);
	free(c->tmp);
	free(c);
}

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

static int open_kernel(struct col_mem *c, const struct ktop_opts *o, struct ktop_tab_status *st)
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

static int open_user(struct col_mem *c, const struct ktop_opts *o, struct ktop_tab_status *st)
{
	struct memuser_bpf *s;
	struct {
		struct bpf_program *entry, *ret;
		const char *fn;
	} probes[NLINKS];
	int np = 0, i, err;

	err = mem_user_find_allocator(o->pids[0], &c->tgt, st->why, sizeof(st->why));
	if (err)
		return err;
	if (proc_read_comm(c->tgt.pid, c->tgt_comm, sizeof(c->tgt_comm)))
		snprintf(c->tgt_comm, sizeof(c->tgt_comm), "?");
	s = c->us = memuser_bpf__open();
	if (!s) {
		err = -errno;
		load_error(st, "memory: cannot open BPF object", err);
		return err;
	}
	s->rodata->targ_tgid = c->tgt.pid;
	s->rodata->targ_page_size = (__u64)sysconf(_SC_PAGESIZE);
	bpf_map__set_max_entries(s->maps.allocs, o->mem_max_outstanding);
	/* user mode keys sites by stack: no call-site samples (the LRU map
	 * would otherwise preallocate its 65,536 entries for nothing) */
	bpf_map__set_max_entries(s->maps.samples, 1);
	bpf_map__set_max_entries(s->maps.sampled, 64);
	err = memuser_bpf__load(s);
	if (err) {
		load_error(st, "memory: kernel refused the BPF programs", err);
		return err;
	}
#define PROBE(name) probes[np++] = (typeof(probes[0])){ s->progs.uprobe_##name, s->progs.uret_##name, #name }
	PROBE(malloc);
	PROBE(calloc);
	PROBE(realloc);
	PROBE(posix_memalign);
	PROBE(aligned_alloc);
	PROBE(memalign);
	PROBE(valloc);
	PROBE(pvalloc);
#undef PROBE
	probes[np++] = (typeof(probes[0])){ s->progs.uprobe_free, NULL, "free" };
	for (i = 0; i < np; i++) {
		bool must = !strcmp(probes[i].fn, "malloc") || !strcmp(probes[i].fn, "free");

		/* the return probe first: an entry without its return leaves a pending call */
		err = probes[i].ret ? mem_user_attach(probes[i].ret, &c->tgt, probes[i].fn, true,
						      &c->links[c->nlinks]) : 0;
		if (!err && probes[i].ret)
			c->nlinks++;
		if (!err)
			err = mem_user_attach(probes[i].entry, &c->tgt, probes[i].fn, false,
					      &c->links[c->nlinks]);
		if (!err) {
			c->nlinks++;
			continue;
		}
		if (must || err != -ENOENT) {
			snprintf(st->why, sizeof(st->why), "memory: cannot put a uprobe on %s in %.80s: %s%s",
				 probes[i].fn, c->tgt.lib, strerror(-err),
				 err == -EPERM ? " (run as root, or grant CAP_BPF and CAP_PERFMON)" : "");
			return err;
		}
	}
	c->allocs_fd = bpf_map__fd(s->maps.allocs);
	c->sites_fd = bpf_map__fd(s->maps.sites);
	c->stacks_fd = bpf_map__fd(s->maps.stacks);
	c->comms_fd = -1;
	c->skip_calls_fd = -1;
	c->skip_fd = -1;
	if (usym__open(&c->usym, c->tgt.pid))
		c->usym = NULL;		/* frames show addresses */
	snprintf(st->attach, sizeof(st->attach), "uprobe");
	return 0;
}

static int col_mem_open(void **out, const struct ktop_opts *o, struct ktop_tab_status *st)
{
	struct col_mem *c;
	int err;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->mode = o->mem_mode;
	c->capacity = o->mem_max_outstanding;
	c->leak_age_ns = o->leak_age_ns;
	c->interval_ns = o->interval_ns ? o->interval_ns : 1000000000ull;
	u64map_init(&c->sites, sizeof(struct site));
	u64map_init(&c->sites_old, sizeof(struct site));
	u64map_init(&c->procs, sizeof(struct proc));
	u64map_init(&c->procs_old, sizeof(struct proc));
	u64map_init(&c->dropped, sizeof(uint64_t));
	u64map_init(&c->names, KTOP_COMM_MAX);
	c->del_sites.ksize = sizeof(struct ktop_mem_skey);
	c->del_samples.ksize = sizeof(struct ktop_mem_samp_key);
	c->del_comms.ksize = sizeof(__u32);
	c->del_stacks.ksize = sizeof(__u32);
	c->scan_fresh = true;
	u64map_init(&c->kcache, sizeof(struct kstack));
	u64map_init(&c->ucache, sizeof(struct uframe));
	u64map_init(&c->verdict, 1);
	u64map_init(&c->unused, 1);
	u64map_init(&c->utrend, sizeof(struct mem_trend));
	u64map_init(&c->skipset, 1);
	err = c->mode == KTOP_MEM_USER ? open_user(c, o, st) : open_kernel(c, o, st);
	if (err) {
		col_mem_free(c);
		return err;
	}
	*out = c;
	return 0;
}

/* Read every site's counters into c->sites, carrying state over from the
 * previous poll; sites that vanished from the map (dropped) vanish here. */
static int read_sites(struct col_mem *c)
{
	long n, i;

	n = map_read_all(c->sites_fd, sizeof(struct ktop_mem_skey), sizeof(struct ktop_mem_sval),
			 false, &c->skeys, &c->svals, &c->scap);
	if (n < 0)
		return (int)n;
	u64map_swap(&c->sites, &c->sites_old);
	u64map_clear(&c->sites);
	for (i = 0; i < n; i++) {
		const struct ktop_mem_skey *k = (const void *)((char *)c->skeys + i * sizeof(*k));
		const struct ktop_mem_sval *v = (const void *)((char *)c->svals + i * sizeof(*v));
		uint64_t key = site_key(k->tgid, k->id);
		const struct site *old = u64map_get(&c->sites_old, key);
		struct site *s = u64map_put(&c->sites, key);

		if (!s)
			return -ENOMEM;
		if (old)
			*s = *old;
		s->d_allocs = delta_u64(s->allocs, v->allocs);
		s->d_frees = delta_u64(s->frees, v->frees);
		s->allocs = v->allocs;
		s->frees = v->frees;
		s->alloc_bytes = v->alloc_bytes;
		s->free_bytes = v->free_bytes;
		s->missed = v->missed;
		s->kind = v->kind;
		s->call_site = v->call_site;
		s->stack_id = v->stack_id;
		s->idle = s->d_allocs || s->d_frees ? 0 : s->idle + 1;
		if (!site_out_allocs(s))
			s->oldest_ts = s->pass_ts = 0;
	}
	return 0;
}

/*
 * Kernel mode: read the sample counters into c->samp (those with samples
 * outstanding, grouped by site, most first) and delete the counters of
 * sites that are gone (their process exited) or that hold no sample any
 * more and no longer allocate. Returns 0 or -errno.
 */
static int read_samples(struct col_mem *c)
{
	long n, i;

	c->nsamp = 0;
	n = map_read_all(c->samples_fd, sizeof(struct ktop_mem_samp_key),
			 sizeof(struct ktop_mem_samp_val), false, &c->pkeys, &c->pvals, &c->pcap);
	if (n < 0)
		return (int)n;
	if (array_reserve((void **)&c->samp, &c->sampcap, (size_t)n, sizeof(*c->samp)))
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct ktop_mem_samp_key *k = (const void *)((char *)c->pkeys + i * sizeof(*k));
		const struct ktop_mem_samp_val *v = (const void *)((char *)c->pvals + i * sizeof(*v));
		uint64_t sk = site_key(k->tgid, k->id), out = mem_outstanding(v->allocs, v->frees);
		const struct site *s = u64map_get(&c->sites, sk);

		if (!s || (!out && s->idle >= IDLE_POLLS)) {
			delq_push(&c->del_samples, c->samples_fd, k);
			continue;
		}
		if (!out)
			continue;
		c->samp[c->nsamp].site = sk;
		c->samp[c->nsamp].stack_id = k->stack_id;
		c->samp[c->nsamp].out = out;
		c->nsamp++;
	}
	delq_flush(&c->del_samples, c->samples_fd);
	if (c->nsamp)
		qsort(c->samp, c->nsamp, sizeof(*c->samp), cmp_samp);
	return 0;
}

/* Delete outstanding allocation key if it is still the one the scan read
 * (it may have been freed and its address reused since). Returns 0 or -errno. */
static int drop_alloc(struct col_mem *c, const void *key, const struct ktop_mem_alloc *a)
{
	struct ktop_mem_alloc now;

	if (bpf_map_lookup_elem(c->allocs_fd, key, &now) || now.ts_ns != a->ts_ns ||
	    now.id != a->id || now.tgid != a->tgid)
		return -ENOENT;
	return bpf_map_delete_elem(c->allocs_fd, key) ? -errno : 0;
}

/* Read up to max entries of the outstanding map into c->akeys/c->avals,
 * from where the previous slice stopped (c->scan_cursor; from the start
 * when c->scan_fresh). Returns the count (*end set when the map has no
 * more), or -errno; -EINVAL: no batch operations in this kernel. */
static long read_slice(struct col_mem *c, size_t max, bool *end)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 count = (__u32)max;
	void *k, *v;
	int err;

	*end = false;
	if (c->acap < max) {
		k = realloc(c->akeys, max * sizeof(__u64));
		if (!k)
			return -ENOMEM;
		c->akeys = k;
		v = realloc(c->avals, max * sizeof(struct ktop_mem_alloc));
		if (!v)
			return -ENOMEM;
		c->avals = v;
		c->acap = max;
	}
	err = bpf_map_lookup_batch(c->allocs_fd, c->scan_fresh ? NULL : &c->scan_cursor,
				   &c->scan_cursor, c->akeys, c->avals, &count, &opts);
	err = err ? -errno : 0;
	c->scan_fresh = false;
	if (err == -ENOENT) {
		*end = true;
		return count;
	}
	return err ? err : (long)count;
}

/* A pass of the scan is over: its minimums become the ages, and the
 * tgids dropped before it began are done with (it deleted what they
 * held). Can't fail; on -ENOMEM the tgids are kept for another pass. */
static void end_pass(struct col_mem *c)
{
	struct u64map keep;
	size_t j;

	for (j = 0; j < c->sites.cap; j++) {
		struct site *s = u64map_val(&c->sites, j);

		if (c->sites.used[j]) {
			s->oldest_ts = s->pass_ts;
			s->pass_ts = 0;
		}
	}
	c->scan_ts = c->pass_start;
	c->last_pass_seen = c->pass_seen;
	c->pass_seen = 0;
	u64map_init(&keep, sizeof(uint64_t));
	for (j = 0; j < c->dropped.cap; j++) {
		const uint64_t *pass = u64map_val(&c->dropped, j);
		uint64_t *v;

		if (!c->dropped.used[j] || *pass <= c->pass)
			continue;
		v = u64map_put(&keep, c->dropped.keys[j]);
		if (!v)
			goto out;
		*v = *pass;
	}
	u64map_swap(&c->dropped, &keep);
out:
	u64map_free(&keep);
	c->pass++;
	c->scan_fresh = true;
}

/*
 * Walk the outstanding map for the age of each site's oldest allocation
 * (the counters give everything else), and delete the allocations of
 * dropped processes and of blind call sites (their frees are invisible,
 * so they would stay outstanding forever; written off as freed). Reading
 * the map costs ~0.1-0.2 us an entry plus a few ns per bucket (262144 by
 * default, most of them empty), so it is not read whole every poll: each
 * poll reads one slice where the previous one stopped (mem_scan_slice()),
 * a pass taking MEM_SCAN_PASS polls, more for a large map (32 for a full
 * default one). A site's age is the oldest of its allocations seen in the
 * last full pass or so far in this one; it is reset when nothing is
 * outstanding.
 */
static void scan_ages(struct col_mem *c)
{
	uint64_t now = now_mono_ns();
	bool end = false;
	long n, i;

	if (c->scan_fresh)
		c->pass_start = now;
	n = c->slices_off ? -EINVAL :
	    read_slice(c, mem_scan_slice(c->last_pass_seen > c->tracked ? c->last_pass_seen : c->tracked),
		       &end);
	if (n == -EINVAL) {
		/* no batch operations: the whole map each poll, as one pass */
		if (!c->slices_off)
			c->acap = 0;	/* map_read_all() sizes the buffers to the map */
		c->slices_off = true;
		n = map_read_all(c->allocs_fd, sizeof(__u64), sizeof(struct ktop_mem_alloc), false,
				 &c->akeys, &c->avals, &c->acap);
		end = true;
	}
	if (n < 0) {
		c->scan_fresh = true;	/* start over next poll */
		c->pass_seen = 0;
		return;
	}
	c->pass_seen += (uint64_t)n;
	for (i = 0; i < n; i++) {
		const struct ktop_mem_alloc *a = (const void *)((char *)c->avals + i * sizeof(*a));
		struct site *s = u64map_get(&c->sites, site_key(a->tgid, a->id));
		const void *key = (char *)c->akeys + i * sizeof(__u64);

		if (s && s->blinded) {
			if (drop_alloc(c, key, a) == 0) {
				s->wo_allocs++;
				s->wo_bytes += KTOP_MEM_SIZE(a);
			}
		} else if (s) {
			if (!s->pass_ts || a->ts_ns < s->pass_ts)
				s->pass_ts = a->ts_ns;
			if (!s->oldest_ts || a->ts_ns < s->oldest_ts)
				s->oldest_ts = a->ts_ns;
		} else if (u64map_get(&c->dropped, a->tgid)) {
			drop_alloc(c, key, a);
		}
	}
	if (end)
		end_pass(c);
}

/* Frames of stack id into ips (KTOP_MEM_STACK_DEPTH, 0-padded). Returns 0
 * or -errno (-ENOENT: no such stack). */
static int read_stack(struct col_mem *c, int32_t id, __u64 *ips)
{
	struct ktop_mem_stack_val v;

	if (id < 0)
		return -ENOENT;
	if (bpf_map_lookup_elem(c->stacks_fd, &id, &v))
		return -errno;
	memcpy(ips, v.ips, sizeof(v.ips));
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
	if (!c->ksyms || stack_id < 0 || read_stack(c, stack_id, ips))
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
	if (!c->ksyms || read_stack(c, stack_id, ips))
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
static void classify_sites(struct col_mem *c)
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
		} else if (s->kind == KTOP_MEM_KIND_SLAB && site_blind(s)) {
			s->blinded = true;
			addr = s->call_site ? s->call_site : call_site_of(c, id);
			if (addr && bpf_map_update_elem(c->skip_calls_fd, &addr, &blind, BPF_NOEXIST) == 0)
				c->nblind++;
		}
	}
}

/*
 * Kernel mode: the stack map keeps every stack ever seen, and a full map
 * refuses new ones (collisions), so stacks no site uses go. A stack
 * unused at two sweeps in a row is deleted (a site created between our
 * read and the delete would then show another stack: the two-sweep wait
 * makes that rare). Symbolization caches are dropped with them.
 */
static void gc_stacks(struct col_mem *c)
{
	struct u64map used, next;
	size_t j;
	long n, i;

	if (c->polls % GC_EVERY)
		return;
	n = map_read_all(c->stacks_fd, sizeof(__u32), sizeof(struct ktop_mem_stack_val), false,
			 &c->gkeys, &c->gvals, &c->gcap);
	if (n < 0)
		return;
	u64map_init(&used, 1);
	u64map_init(&next, 1);
	for (j = 0; j < c->sites.cap; j++) {
		const struct site *s = u64map_val(&c->sites, j);

		if (c->sites.used[j] && s->stack_id >= 0 && !u64map_put(&used, (uint32_t)s->stack_id))
			goto out;
	}
	for (j = 0; j < c->nsamp; j++)
		if (c->samp[j].stack_id >= 0 && !u64map_put(&used, (uint32_t)c->samp[j].stack_id))
			goto out;
	for (i = 0; i < n; i++) {
		__u32 key = ((__u32 *)c->gkeys)[i];

		if (u64map_get(&used, key) || u64map_get(&c->skipset, key))
			continue;
		if (u64map_get(&c->unused, key))
			delq_push(&c->del_stacks, c->stacks_fd, &key);
		else if (!u64map_put(&next, key))
			goto out;
	}
	u64map_swap(&c->unused, &next);
	if (delq_flush(&c->del_stacks, c->stacks_fd)) {
		u64map_clear(&c->kcache);
		u64map_clear(&c->verdict);
	}
out:
	u64map_free(&used);
	u64map_free(&next);
}

static void comm_of(struct col_mem *c, uint32_t tgid, char comm[KTOP_COMM_MAX])
{
	const char *name;

	if (tgid == KTOP_MEM_IRQ_TGID) {
		snprintf(comm, KTOP_COMM_MAX, "[interrupt]");
		return;
	}
	/* the name the program recorded at the process's newest call site
	 * first (from comms_batch() when it ran): one syscall, and it works for
	 * processes that have exited, where /proc costs three and fails */
	name = c->names.n ? u64map_get(&c->names, tgid) : NULL;
	if (name) {
		memcpy(comm, name, KTOP_COMM_MAX);
		comm[KTOP_COMM_MAX - 1] = 0;
	} else {
		comm_fetch(c->comms_fd, tgid, comm);
	}
}

/* Is process p's name due for a (re-)read this poll? */
static bool comm_due(const struct col_mem *c, const struct proc *p)
{
	return !p->comm_poll || c->polls - p->comm_poll >= COMM_EVERY;
}

/*
 * After a fork storm thousands of processes need a name in one poll: then
 * one batch read of the comms map into c->names beats a lookup each. Leaves
 * c->names empty (comm_of() looks up one by one) when few need one or the
 * read fails.
 */
#define COMMS_BATCH_MIN	64
static void comms_batch(struct col_mem *c)
{
	size_t j, need = 0;
	long n, i;

	u64map_clear(&c->names);
	for (j = 0; j < c->procs.cap && need < COMMS_BATCH_MIN; j++) {
		const struct proc *p = u64map_val(&c->procs, j);

		if (c->procs.used[j] && !p->exited_ns && comm_due(c, p))
			need++;
	}
	if (need < COMMS_BATCH_MIN)
		return;
	n = map_read_all(c->comms_fd, sizeof(__u32), sizeof(struct ktop_mem_comm), false,
			 &c->ckeys, &c->cvals, &c->ccap);
	for (i = 0; i < n; i++) {
		char *name = u64map_put(&c->names, ((__u32 *)c->ckeys)[i]);

		if (!name) {
			u64map_clear(&c->names);
			return;
		}
		memcpy(name, ((struct ktop_mem_comm *)c->cvals)[i].comm, KTOP_COMM_MAX);
	}
}

static uint64_t age(uint64_t now, uint64_t ts)
{
	return ts && now > ts ? now - ts : 0;
}

/* Has process tgid exited? kill(0) tells a reaped one for a syscall;
 * proc_alive() reads /proc/PID/stat (ten times dearer, and there can be
 * thousands of processes) to tell a zombie, so it runs every COMM_EVERY
 * polls per process. */
static bool proc_gone(const struct col_mem *c, uint32_t tgid)
{
	if (kill((pid_t)tgid, 0) && errno == ESRCH)
		return true;
	return (c->polls + tgid) % COMM_EVERY == 0 && !proc_alive(tgid);
}

/* Entry of process tgid in this poll's c->procs, carried over from the
 * previous poll with its sums zeroed; NULL on -ENOMEM. */
static struct proc *proc_of(struct col_mem *c, uint64_t tgid)
{
	const struct proc *old;
	struct proc *p = u64map_get(&c->procs, tgid);

	if (p)
		return p;
	old = u64map_get(&c->procs_old, tgid);
	p = u64map_put(&c->procs, tgid);
	if (!p)
		return NULL;
	if (old)
		*p = *old;
	p->poll = c->polls;
	p->out_bytes = p->out_allocs = p->d_allocs = p->d_frees = p->oldest_ts = 0;
	p->sure_bytes = 0;
	memset(p->kind_bytes, 0, sizeof(p->kind_bytes));
	return p;
}

/* Kernel mode: sum sites per process, follow each process's trend and
 * life, drop processes gone for longer than LINGER_NS. */
static int fold_procs(struct col_mem *c, uint64_t now)
{
	size_t j;

	u64map_swap(&c->procs, &c->procs_old);
	u64map_clear(&c->procs);
	for (j = 0; j < c->sites.cap; j++) {
		const struct site *s = u64map_val(&c->sites, j);
		uint32_t tgid = (uint32_t)(c->sites.keys[j] >> 32);
		uint64_t bytes;
		struct proc *p;

		if (!c->sites.used[j])
			continue;
		p = proc_of(c, tgid);
		if (!p)
			return -ENOMEM;
		bytes = site_out_bytes(s);
		p->out_bytes += bytes;
		p->out_allocs += site_out_allocs(s);
		p->d_allocs += s->d_allocs;
		p->d_frees += s->d_frees;
		if (!s->blinded && !site_blind(s)) {
			p->sure_bytes += bytes;
			if (s->oldest_ts && (!p->oldest_ts || s->oldest_ts < p->oldest_ts))
				p->oldest_ts = s->oldest_ts;
		}
		if (s->kind < KTOP_MEM_KINDS)
			p->kind_bytes[s->kind] += bytes;
	}
	/* An exited process's sites go once nothing is outstanding on them
	 * (below); its row stays for LINGER_ZERO_NS all the same. */
	for (j = 0; j < c->procs_old.cap; j++) {
		const struct proc *old = u64map_val(&c->procs_old, j);
		uint32_t tgid = (uint32_t)c->procs_old.keys[j];

		if (!c->procs_old.used[j] || !old->exited_ns || u64map_get(&c->procs, tgid))
			continue;
		if (now - old->exited_ns > LINGER_ZERO_NS) {
			delq_push(&c->del_comms, c->comms_fd, &tgid);	/* its row's time is up */
			continue;
		}
		if (!proc_of(c, tgid))
			return -ENOMEM;
	}
	comms_batch(c);
	for (j = 0; j < c->procs.cap; j++) {
		struct proc *p = u64map_val(&c->procs, j);
		uint32_t tgid = (uint32_t)c->procs.keys[j];

		if (!c->procs.used[j])
			continue;
		mem_trend_push(&p->trend, now, p->sure_bytes);
		if (comm_due(c, p)) {
			if (!p->exited_ns)
				comm_of(c, tgid, p->comm);
			p->comm_poll = c->polls;
		}
		if (!p->exited_ns && tgid != KTOP_MEM_IRQ_TGID && proc_gone(c, tgid))
			p->exited_ns = now;
		if (p->exited_ns && now - p->exited_ns > (p->out_allocs ? LINGER_NS : LINGER_ZERO_NS) &&
		    !u64map_get(&c->dropped, tgid)) {
			uint64_t *pass = u64map_put(&c->dropped, tgid);

			if (pass)	/* a pass under way may have passed its allocations */
				*pass = c->scan_fresh ? c->pass : c->pass + 1;
		}
	}
	/*
	 * Forget in the kernel too: the sites of dropped processes, sites
	 * idle with nothing outstanding (short-lived stacks would fill the
	 * map), and at once those of exited processes with nothing
	 * outstanding (a fork storm leaves thousands: each new process
	 * allocates at some 40 call sites while it starts). A site deleted
	 * just as an allocation is counted on it can lose that count; the
	 * idle wait makes that rare, and an exited process allocates no more.
	 */
	for (j = 0; j < c->sites.cap; j++) {
		const struct site *s = u64map_val(&c->sites, j);
		struct ktop_mem_skey k;
		bool gone;

		if (!c->sites.used[j])
			continue;
		k.tgid = (uint32_t)(c->sites.keys[j] >> 32);
		k.id = (int32_t)(uint32_t)c->sites.keys[j];
		gone = c->dropped.n && u64map_get(&c->dropped, k.tgid);
		if (!gone) {
			const struct proc *p = u64map_get(&c->procs, k.tgid);

			/* an exited process keeps the sites with something
			 * outstanding until it is dropped */
			if (site_out_allocs(s) || (s->idle < IDLE_POLLS && !(p && p->exited_ns)))
				continue;
		}
		delq_push(&c->del_sites, c->sites_fd, &k);
		if (gone)
			delq_push(&c->del_comms, c->comms_fd, &k.tgid);
	}
	delq_flush(&c->del_sites, c->sites_fd);
	delq_flush(&c->del_comms, c->comms_fd);
	return 0;
}

static int grow_tmp(struct col_mem *c, size_t want)
{
	struct ktop_mem_row *t;
	size_t cap = c->tmpcap ? c->tmpcap : 256;

	if (want <= c->tmpcap)
		return 0;
	while (cap < want)
		cap *= 2;
	t = reallocarray(c->tmp, cap, sizeof(*t));
	if (!t)
		return -ENOMEM;
	c->tmp = t;
	c->tmpcap = cap;
	return 0;
}

/* Growth first, then outstanding bytes, then pid: the default order. */
static int cmp_row(const void *a, const void *b)
{
	const struct ktop_mem_row *x = a, *y = b;

	if (x->suspect != y->suspect)
		return y->suspect - x->suspect;
	if (x->held != y->held)
		return y->held - x->held;
	if (x->growth_bytes_per_s != y->growth_bytes_per_s)
		return x->growth_bytes_per_s < y->growth_bytes_per_s ? 1 : -1;
	if (x->outstanding_bytes != y->outstanding_bytes)
		return x->outstanding_bytes < y->outstanding_bytes ? 1 : -1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->stack < y->stack ? -1 : x->stack > y->stack;
}

static int kernel_rows(struct col_mem *c, struct ktop_mem_snap *m, uint64_t now)
{
	size_t j, n = 0;

	if (grow_tmp(c, c->procs.n))
		return -ENOMEM;
	for (j = 0; j < c->procs.cap; j++) {
		struct proc *p = u64map_val(&c->procs, j);
		struct ktop_mem_row *r;

		if (!c->procs.used[j] || u64map_get(&c->dropped, c->procs.keys[j]))
			continue;
		m->outstanding_bytes += p->out_bytes;
		m->tracked += p->out_allocs;
		if (!p->out_allocs && !p->d_allocs && !p->d_frees && !p->exited_ns)
			continue;
		r = &c->tmp[n++];
		memset(r, 0, sizeof(*r));
		r->pid = (uint32_t)c->procs.keys[j];
		r->stack = -1;
		memcpy(r->comm, p->comm, KTOP_COMM_MAX);
		r->outstanding_bytes = p->out_bytes;
		r->outstanding_allocs = p->out_allocs;
		r->allocs = p->d_allocs;
		r->frees = p->d_frees;
		r->oldest_age_ns = p->out_allocs ? age(now, p->oldest_ts) : 0;
		r->growth_bytes_per_s = mem_trend_slope(&p->trend);
		r->highs = mem_trend_highs(&p->trend);
		r->suspect = mem_suspect(r->oldest_age_ns, c->leak_age_ns, r->highs);
		r->held = mem_held(&p->trend, r->suspect, r->oldest_age_ns, c->leak_age_ns);
		r->exited = p->exited_ns != 0;
		memcpy(r->kind_bytes, p->kind_bytes, sizeof(r->kind_bytes));
	}
	m->nrows_total = (uint32_t)n;
	m->nrows = n < KTOP_MEM_ROWS_MAX ? (uint32_t)n : KTOP_MEM_ROWS_MAX;
	if (n) {			/* c->tmp may still be NULL */
		qsort(c->tmp, n, sizeof(c->tmp[0]), cmp_row);
		memcpy(m->rows, c->tmp, m->nrows * sizeof(m->rows[0]));
	}
	return 0;
}

static int cmp_ref(const void *a, const void *b)
{
	const struct site_ref *x = a, *y = b;
	uint64_t bx = site_out_bytes(x->s);
	uint64_t by = site_out_bytes(y->s);

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	if (bx != by)
		return bx < by ? 1 : -1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Symbolized kernel stack stack_id, from the cache or the stack map,
 * starting at call_site when it is one of its frames (0: at the first
 * frame past the tracing machinery and the allocator); NULL when it cannot
 * be read. A stack is read for one call site only: the one it was walked
 * at, which is one of its frames. */
static const struct kstack *kstack_get(struct col_mem *c, int32_t stack_id, uint64_t call_site)
{
	__u64 ips[KTOP_MEM_STACK_DEPTH];
	struct kstack *k, tmp;
	unsigned i, first;

	k = u64map_get(&c->kcache, (uint32_t)stack_id);
	if (k)
		return k;
	memset(&tmp, 0, sizeof(tmp));
	memset(ips, 0, sizeof(ips));
	if (read_stack(c, stack_id, ips))
		return NULL;
	/* skip the tracing machinery, then the allocator: the first frame
	 * past them is the call site; the last allocator frame names the
	 * allocator entry point */
	for (first = 0; first < KTOP_MEM_STACK_DEPTH && ips[first]; first++) {
		const char *name = ksyms__find(c->ksyms, ips[first], NULL);

		if (call_site && ips[first] == call_site) {
			tmp.at_call = true;
			break;
		}
		if (mem_kframe_is_machinery(name))
			continue;
		if (!mem_kframe_is_allocator(name))
			break;
		snprintf(tmp.allocator, sizeof(tmp.allocator), "%s", name);
	}
	if (first == KTOP_MEM_STACK_DEPTH || !ips[first])
		first = 0;	/* nothing but allocator: show it all */
	for (i = first; i < KTOP_MEM_STACK_DEPTH && ips[i] && tmp.nframes < KTOP_MEM_FRAMES_MAX; i++)
		ksyms__fmt(c->ksyms, ips[i], tmp.frames[tmp.nframes++], KTOP_FRAME_LEN);
	if (c->kcache.n >= KCACHE_MAX)
		u64map_clear(&c->kcache);
	k = u64map_put(&c->kcache, (uint32_t)stack_id);
	if (!k)
		return NULL;
	*k = tmp;
	return k;
}

/* Frames of site s: its stack (a call site's: the stack of one of its
 * allocations), call site first. */
static void fill_kstack(struct col_mem *c, struct ktop_mem_stack *d, const struct site *s)
{
	const struct kstack *k = s->stack_id >= 0 ? kstack_get(c, s->stack_id, s->call_site) : NULL;
	uint32_t n = 0;

	if (s->call_site && (!k || !k->at_call))
		ksyms__fmt(c->ksyms, s->call_site, d->frames[n++], KTOP_FRAME_LEN);
	if (!k) {
		snprintf(d->frames[n++], KTOP_FRAME_LEN, "[no stack]");
		d->nframes = n;
		snprintf(d->allocator, sizeof(d->allocator), "%s", mem_kind_name(s->kind));
		return;
	}
	if (k->nframes > KTOP_MEM_FRAMES_MAX - n)
		d->nframes = KTOP_MEM_FRAMES_MAX;
	else
		d->nframes = n + k->nframes;
	memcpy(d->frames[n], k->frames, (d->nframes - n) * sizeof(d->frames[0]));
	snprintf(d->allocator, sizeof(d->allocator), "%s", k->allocator[0] ? k->allocator :
		 mem_kind_name(s->kind));
}

static void fill_stack_counts(struct ktop_mem_stack *d, const struct site *s, uint32_t tgid,
			      uint64_t now)
{
	d->pid = tgid;
	d->kind = s->kind;
	d->outstanding_bytes = site_out_bytes(s);
	d->outstanding_allocs = site_out_allocs(s);
	d->allocs = s->d_allocs;
	d->frees = s->d_frees;
	d->missed_frees_total = s->missed;
	d->oldest_age_ns = d->outstanding_allocs ? age(now, s->oldest_ts) : 0;
}

/* First sample of site key sk in c->samp (sorted by site), or c->nsamp. */
static size_t samp_first(const struct col_mem *c, uint64_t sk)
{
	size_t lo = 0, hi = c->nsamp, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (c->samp[mid].site < sk)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->nsamp && c->samp[lo].site == sk ? lo : c->nsamp;
}

/* a * k / n without overflow for the sizes here (n > 0). */
static uint64_t share_of(uint64_t a, uint64_t k, uint64_t n)
{
	return (uint64_t)((long double)a * k / n + 0.5L);
}

/*
 * The stacks of one site into the snapshot, at most max; returns how many.
 * A stack site is its stack. A kernel call site is shown by the paths its
 * outstanding samples came by, each with its estimated share; with no
 * sample outstanding (fewer than KTOP_MEM_SAMPLE_EVERY allocations), by
 * the stack of its first allocation, marked as only an example.
 */
static uint32_t site_stacks(struct col_mem *c, struct ktop_mem_snap *m, const struct site_ref *r,
			    uint64_t now, uint32_t max)
{
	const struct site *s = r->s;
	uint64_t sk = site_key(r->tgid, r->id), total = 0;
	size_t i, first = s->call_site ? samp_first(c, sk) : c->nsamp;
	struct ktop_mem_stack *d;
	uint32_t k = 0;

	for (i = first; i < c->nsamp && c->samp[i].site == sk; i++)
		total += c->samp[i].out;
	if (!total) {
		d = &m->stacks[m->nstacks++];
		memset(d, 0, sizeof(*d));
		fill_stack_counts(d, s, r->tgid, now);
		fill_kstack(c, d, s);
		if (s->call_site) {
			d->site_bytes = site_out_bytes(s);
			d->example = 1;
		}
		return 1;
	}
	for (i = first; i < c->nsamp && c->samp[i].site == sk && k < max &&
		    m->nstacks < KTOP_MEM_STACKS_MAX; i++, k++) {
		struct site one = *s;

		one.stack_id = c->samp[i].stack_id;
		d = &m->stacks[m->nstacks++];
		memset(d, 0, sizeof(*d));
		fill_stack_counts(d, s, r->tgid, now);
		d->outstanding_bytes = share_of(d->outstanding_bytes, c->samp[i].out, total);
		d->outstanding_allocs = share_of(d->outstanding_allocs, c->samp[i].out, total);
		d->allocs = share_of(d->allocs, c->samp[i].out, total);
		d->frees = share_of(d->frees, c->samp[i].out, total);
		fill_kstack(c, d, &one);
		d->site_bytes = site_out_bytes(s);
		d->samples = (uint32_t)c->samp[i].out;
		d->samples_site = (uint32_t)total;
	}
	return k;
}

/* Kernel mode: up to STACKS_PER_PROC stacks of each shown process, heaviest
 * first, in row order, until the snapshot is full. */
static int kernel_stacks(struct col_mem *c, struct ktop_mem_snap *m, uint64_t now)
{
	size_t j, n = 0, lo, hi, mid;
	uint32_t r;

	if (c->refcap < c->sites.n) {
		struct site_ref *t = reallocarray(c->refs, c->sites.n, sizeof(*t));

		if (!t)
			return -ENOMEM;
		c->refs = t;
		c->refcap = c->sites.n;
	}
	for (j = 0; j < c->sites.cap; j++) {
		const struct site *s = u64map_val(&c->sites, j);

		if (!c->sites.used[j] || !site_out_allocs(s))
			continue;
		c->refs[n].tgid = (uint32_t)(c->sites.keys[j] >> 32);
		c->refs[n].id = (int32_t)(uint32_t)c->sites.keys[j];
		c->refs[n].s = s;
		n++;
	}
	if (n)
		qsort(c->refs, n, sizeof(c->refs[0]), cmp_ref);
	for (r = 0; r < m->nrows && m->nstacks < KTOP_MEM_STACKS_MAX; r++) {
		uint32_t pid = m->rows[r].pid, k;

		lo = 0;
		hi = n;
		while (lo < hi) {		/* first ref of pid */
			mid = lo + (hi - lo) / 2;
			if (c->refs[mid].tgid < pid)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (k = 0; lo < n && c->refs[lo].tgid == pid && k < STACKS_PER_PROC &&
			    m->nstacks < KTOP_MEM_STACKS_MAX; lo++)
			k += site_stacks(c, m, &c->refs[lo], now, STACKS_PER_PROC - k);
	}
	return 0;
}

/* Symbolize one user address, cached. */
static void ufmt(struct col_mem *c, uint64_t addr, char *sym, char *src)
{
	struct uframe *f = u64map_get(&c->ucache, addr), tmp;
	int err;

	if (f) {
		memcpy(sym, f->sym, KTOP_FRAME_LEN);
		memcpy(src, f->src, KTOP_SRC_LEN);
		return;
	}
	if (!c->usym) {
		snprintf(sym, KTOP_FRAME_LEN, "0x%llx", (unsigned long long)addr);
		src[0] = 0;
		return;
	}
	err = usym__fmt(c->usym, addr, true, tmp.sym, sizeof(tmp.sym), tmp.src, sizeof(tmp.src));
	if (err && !strncmp(tmp.sym, "0x", 2) && !c->usym_refreshed && !c->tgt_exited) {
		/* in no module we know: perhaps dlopen()ed since */
		c->usym_refreshed = true;
		if (usym__refresh(c->usym) == 0)
			err = usym__fmt(c->usym, addr, true, tmp.sym, sizeof(tmp.sym), tmp.src,
					sizeof(tmp.src));
	}
	memcpy(sym, tmp.sym, KTOP_FRAME_LEN);
	memcpy(src, tmp.src, KTOP_SRC_LEN);
	if (err && !strncmp(tmp.sym, "0x", 2))
		return;		/* not cached: may resolve later */
	if (c->ucache.n >= UCACHE_MAX)
		u64map_clear(&c->ucache);
	f = u64map_put(&c->ucache, addr);
	if (f)
		*f = tmp;
}

static void fill_ustack(struct col_mem *c, struct ktop_mem_stack *d, int32_t stack_id)
{
	__u64 ips[KTOP_MEM_STACK_DEPTH];
	unsigned i;

	snprintf(d->allocator, sizeof(d->allocator), "%s", mem_fn_name(d->kind));
	memset(ips, 0, sizeof(ips));
	if (stack_id < 0 || read_stack(c, stack_id, ips)) {
		d->nframes = 1;
		snprintf(d->frames[0], KTOP_FRAME_LEN, "[no stack]");
		return;
	}
	for (i = 0; i < KTOP_MEM_STACK_DEPTH && ips[i] && d->nframes < KTOP_MEM_FRAMES_MAX; i++) {
		ufmt(c, ips[i], d->frames[d->nframes], d->srcs[d->nframes]);
		d->nframes++;
	}
}

/* User mode: every site is a row (its stack alongside), target's pid. */
static int user_rows(struct col_mem *c, struct ktop_mem_snap *m, uint64_t now)
{
	size_t j, n = 0;
	uint32_t i;

	if (grow_tmp(c, c->sites.n))
		return -ENOMEM;
	for (j = 0; j < c->sites.cap; j++) {
		struct site *s = u64map_val(&c->sites, j);
		struct ktop_mem_row *r;
		struct mem_trend *tr;
		uint64_t bytes;

		if (!c->sites.used[j])
			continue;
		bytes = site_out_bytes(s);
		tr = u64map_put(&c->utrend, c->sites.keys[j]);
		if (!tr)
			return -ENOMEM;
		mem_trend_push(tr, now, site_blind(s) ? 0 : bytes);
		m->outstanding_bytes += bytes;
		m->tracked += site_out_allocs(s);
		r = &c->tmp[n++];
		memset(r, 0, sizeof(*r));
		r->pid = c->tgt.pid;
		r->stack = (int32_t)(uint32_t)c->sites.keys[j];	/* stack id until placed */
		memcpy(r->comm, c->tgt_comm, KTOP_COMM_MAX);
		r->outstanding_bytes = bytes;
		r->outstanding_allocs = site_out_allocs(s);
		r->allocs = s->d_allocs;
		r->frees = s->d_frees;
		r->oldest_age_ns = r->outstanding_allocs ? age(now, s->oldest_ts) : 0;
		r->growth_bytes_per_s = mem_trend_slope(tr);
		r->highs = mem_trend_highs(tr);
		r->suspect = mem_suspect(r->oldest_age_ns, c->leak_age_ns, r->highs);
		r->held = mem_held(tr, r->suspect, r->oldest_age_ns, c->leak_age_ns);
		r->exited = c->tgt_exited;
	}
	m->nrows_total = (uint32_t)n;
	m->nrows = n < KTOP_MEM_STACKS_MAX ? (uint32_t)n : KTOP_MEM_STACKS_MAX;
	if (n) {			/* c->tmp may still be NULL */
		qsort(c->tmp, n, sizeof(c->tmp[0]), cmp_row);
		memcpy(m->rows, c->tmp, m->nrows * sizeof(m->rows[0]));
	}
	for (i = 0; i < m->nrows; i++) {
		struct ktop_mem_row *r = &m->rows[i];
		struct ktop_mem_stack *d = &m->stacks[i];
		const struct site *s = u64map_get(&c->sites, site_key(c->tgt.pid, r->stack));

		memset(d, 0, sizeof(*d));
		if (s)
			fill_stack_counts(d, s, c->tgt.pid, now);
		fill_ustack(c, d, r->stack);
		r->stack = (int32_t)i;
	}
	m->nstacks = m->nrows;
	return 0;
}

/* Sum of the kernel's per-program recursion misses: events a program did
 * not see because it was already running on that CPU (an interrupt that
 * allocates while the allocation program runs). Counted as lost. Free
 * programs come in twins that cover each other's misses, so theirs are
 * not losses (a free both miss shows up later as a missed free). */
static uint64_t recursion_misses(struct col_mem *c)
{
	struct bpf_object *obj = c->ks ? c->ks->obj : c->us->obj;
	struct bpf_program *p;
	uint64_t sum = 0;

	bpf_object__for_each_program(p, obj) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(p);

		if (fd < 0 || (c->ks && strstr(bpf_program__name(p), "free")))
			continue;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0)
			sum += info.recursion_misses;
	}
	return sum;
}

static int col_mem_poll(void *p, struct ktop_snapshot *snap)
{
	struct col_mem *c = p;
	struct ktop_tab_status *st = &snap->tab[KTOP_TAB_MEMORY];
	struct ktop_mem_snap *m = &snap->mem;
	uint64_t now, untracked, stale, nostack, lost;
	int err;

	c->polls++;
	c->usym_refreshed = false;
	m->mode = c->mode;
	m->leak_age_ns = c->leak_age_ns;
	m->capacity = c->capacity;
	if (c->mode == KTOP_MEM_USER) {
		m->target_pid = c->tgt.pid;
		memcpy(m->target_comm, c->tgt_comm, KTOP_COMM_MAX);
		snprintf(m->allocator_lib, sizeof(m->allocator_lib), "%.127s", c->tgt.lib);
		if (!c->tgt_exited && !mem_target_alive(&c->tgt))
			c->tgt_exited = true;
		m->target_exited = c->tgt_exited;
		if (c->tgt_exited)
			snprintf(st->note, sizeof(st->note),
				 "process %u (%s) has exited: showing its last data", c->tgt.pid,
				 c->tgt_comm);
	}
	err = read_sites(c);
	if (err) {
		snprintf(st->note, sizeof(st->note), "cannot read the allocation counters: %s",
			 strerror(-err));
		return err;
	}
	if (c->mode == KTOP_MEM_KERNEL) {
		classify_sites(c);
		if (read_samples(c))
			c->nsamp = 0;		/* stacks show examples only */
		gc_stacks(c);
	}
	scan_ages(c);
	now = now_mono_ns();
	m->scan_age_ns = age(now, c->scan_ts);
	if (c->mode == KTOP_MEM_USER) {
		err = user_rows(c, m, now);
	} else {
		err = fold_procs(c, now);
		if (!err)
			err = kernel_rows(c, m, now);
		if (!err)
			err = kernel_stacks(c, m, now);
	}
	if (err)
		snprintf(st->note, sizeof(st->note), "memory: %s", strerror(-err));
	c->tracked = m->tracked;
	if (c->ks) {
		m->blind_sites = c->nblind;
		m->blind_skipped_total = c->ks->bss->blind_skipped;
		m->backing_stacks = c->nbacking;
		m->backing_skipped_total = c->ks->bss->backing_skipped;
		untracked = c->ks->bss->drops_untracked;
		stale = c->ks->bss->stale_replaced;
		nostack = c->ks->bss->drops_stack;
	} else {
		untracked = c->us->bss->drops_untracked;
		stale = c->us->bss->stale_replaced;
		nostack = c->us->bss->drops_stack;
	}
	m->untracked = delta_u64(c->untracked_prev, untracked);
	m->untracked_total = untracked;
	m->missed_frees = delta_u64(c->stale_prev, stale);
	m->missed_frees_total = stale;
	m->no_stack_total = nostack;
	c->untracked_prev = untracked;
	c->stale_prev = stale;
	lost = untracked + recursion_misses(c);
	st->lost = delta_u64(c->lost_prev, lost);
	st->lost_total = lost;
	c->lost_prev = lost;
	return err;
}

const struct ktop_collector col_memory = {
	.name = "memory",
	.tab = KTOP_TAB_MEMORY,
	.open = col_mem_open,
	.poll = col_mem_poll,
	.free = col_mem_free,
};
