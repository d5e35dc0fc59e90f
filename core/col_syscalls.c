// SPDX-License-Identifier: GPL-2.0
/* Syscalls collector: reads per-syscall histograms and per-process counters, computes deltas. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>
#include "syscalls.skel.h"
#include "ktop/syscalls.h"
#include "core/bpfutil.h"
#include "core/collector.h"
#include "core/histo.h"
#include "core/msg.h"
#include "core/procinfo.h"
#include "core/sc_inflight.h"
#include "core/syscall_names.h"
#include "core/u64map.h"
#include "core/util.h"

#define AGE_EVERY	10	/* polls between sweeps of exited processes */

struct sc_cum {				/* one syscall, summed over CPUs */
	uint64_t count, errors, total_ns, max_ns, timed;
};

struct col_sc {
	struct syscalls_bpf *skel;
	bool tid_hash;			/* start times in sc_start_tid, not task storage */
	bool exact;			/* --exact: every call timed */
	struct sc_inflight ifl;		/* the in-flight view */
	struct sc_cum *prev, *cur;	/* [KTOP_SC_MAX] */
	struct ktop_sc_hist *hist;	/* [KTOP_SC_MAX], cumulative as last read */
	void *hbuf;			/* one syscall's per-CPU histograms */
	struct u64map pprev, pcur;	/* (tgid << 32 | nr) -> struct ktop_sc_pval */
	struct map_buf stats;		/* batch buffers of sc_stats */
	struct map_buf pairs;		/* ... of sc_proc */
	struct ktop_sc_pair *tmp;	/* every pair with calls this interval */
	size_t tmpcap;
	struct ktop_sc_proc *ptmp;	/* every process with calls this interval */
	size_t ptmpcap;
	struct u64map comms;		/* tgid -> struct ktop_comm */
	struct ktop_sc_pkey *dead;	/* keys of exited processes, per sweep */
	size_t deadcap;
	__u32 *dead_tgids;		/* ... and their processes, each once */
	size_t dead_tgidcap;
	struct u64map per_tgid;		/* per-process sums of a poll (kept: no regrowth) */
	char names[KTOP_SC_MAX][32];
	int own_nr[2];			/* uretprobe, uprobe numbers when ktop's uprobes are attached, else -1 */
	uint64_t polls;
	size_t fill;			/* entries in sc_proc at the last read */
	uint64_t lost_prev;
};

static void col_sc_free(void *p)
{
	struct col_sc *c = p;

	if (!c)
		return;
	sc_inflight_free(&c->ifl);
	syscalls_bpf__destroy(c->skel);
	free(c->prev);
	free(c->cur);
	free(c->hist);
	free(c->hbuf);
	u64map_free(&c->pprev);
	u64map_free(&c->pcur);
	map_buf_free(&c->stats);
	map_buf_free(&c->pairs);
	free(c->tmp);
	free(c->ptmp);
	free(c->dead);
	free(c->dead_tgids);
	u64map_free(&c->per_tgid);
	u64map_free(&c->comms);
	free(c);
}

/* Open the BPF object and set it up for this kernel (c->tid_hash). */
static int open_skel(void *col, const struct ktop_opts *o, struct ktop_tab_status *st)
{
	struct col_sc *c = col;
	struct syscalls_bpf *s;
	bool btf = probe_tp_btf_ok(o), ts = probe_task_storage(o);
	int err;

	s = c->skel = syscalls_bpf__open();
	if (!s) {
		err = -errno;
		load_error(st, "syscalls: cannot open BPF object", err);
		return err;
	}
	s->rodata->targ_filter = o->npids > 0;
	s->rodata->targ_task_storage = ts;
	s->rodata->targ_task_btf = probe_task_btf(o);
	s->rodata->targ_test_reject = o->test_reject;
	s->rodata->targ_exact = c->exact = o->sc_exact;
	/* untimed calls' start in jiffies is for the in-flight view only (it
	 * reads the task storage or, without it, the tid hash) */
	s->rodata->targ_jiffies = probe_helper(BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_FUNC_jiffies64);
	tstate_choose(s->maps.sc_start, s->maps.sc_start_tid, s->progs.sched_process_exit_raw, ts);
	c->tid_hash = !ts;
	prog_choose(s->progs.sys_enter_btf, s->progs.sys_enter_raw, btf);
	prog_choose(s->progs.sys_exit_btf, s->progs.sys_exit_raw, btf);
	return 0;
}

static int load_skel(void *col)
{
	return syscalls_bpf__load(((struct col_sc *)col)->skel);
}

static void destroy_skel(void *col)
{
	struct col_sc *c = col;

	syscalls_bpf__destroy(c->skel);
	c->skel = NULL;
}

static const struct skel_steps steps = { open_skel, load_skel, destroy_skel };

static int col_sc_open(void **out, const struct ktop_opts *o, struct ktop_tab_status *st)
{
	struct col_sc *c;
	int err, i;

	if (!probe_tracepoint("sys_enter") || !probe_tracepoint("sys_exit")) {
		snprintf(st->why, sizeof(st->why),
			 "syscalls: kernel has no raw_syscalls tracepoints (CONFIG_FTRACE_SYSCALLS?)");
		return -ENOENT;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->prev = calloc(KTOP_SC_MAX, sizeof(*c->prev));
	c->cur = calloc(KTOP_SC_MAX, sizeof(*c->cur));
	c->hist = calloc(KTOP_SC_MAX, sizeof(*c->hist));
	c->hbuf = calloc(ncpus_possible(), sizeof(struct ktop_sc_hist));
	u64map_init(&c->pprev, sizeof(struct ktop_sc_pval));
	u64map_init(&c->pcur, sizeof(struct ktop_sc_pval));
	u64map_init(&c->comms, sizeof(struct ktop_comm));
	u64map_init(&c->per_tgid, sizeof(struct ktop_sc_proc));
	if (!c->prev || !c->cur || !c->hist || !c->hbuf) {
		err = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < KTOP_SC_MAX; i++) {
		const char *n = syscall_name(NULL, i);

		if (n)
			snprintf(c->names[i], sizeof(c->names[i]), "%s", n);
		else
			snprintf(c->names[i], sizeof(c->names[i]), "syscall_%d", i);
	}
	/* With user-mode Memory, ktop's uprobes on the target enter the kernel
	 * through these syscalls (x86_64, Linux 6.11+): label them, or a user
	 * chases ktop's own traffic as the application's behaviour. */
	c->own_nr[0] = c->own_nr[1] = -1;
	if (o->own_uprobes) {
		c->own_nr[0] = syscall_nr(NULL, "uretprobe");
		c->own_nr[1] = syscall_nr(NULL, "uprobe");
	}
	err = skel_load_retry(c, &steps, o, st, "syscalls: kernel refused the BPF programs");
	if (err)
		goto fail;
	err = pid_filter_fill(c->skel->maps.pid_filter, o);
	if (err) {
		load_error(st, "syscalls: cannot set the -p filter", err);
		goto fail;
	}
	/* the iterator reads the start times where this object keeps them */
	sc_inflight_open(&c->ifl, bpf_map__fd(c->tid_hash ? c->skel->maps.sc_start_tid :
					      c->skel->maps.sc_start), c->tid_hash);
	err = syscalls_bpf__attach(c->skel);
	if (err) {
		load_error(st, "syscalls: cannot attach to raw_syscalls", err);
		goto fail;
	}
	prog_attach_kinds(c->skel->obj, st->attach, sizeof(st->attach));
	if (c->tid_hash)
		snprintf(st->note, sizeof(st->note),
			 "start times in a thread-id hash (no task storage for tracing programs, or KTOP_FORCE_TID_HASH)");
	*out = c;
	return 0;
fail:
	col_sc_free(c);
	return err;
}


static int cmp_row(const void *a, const void *b)
{
	const struct ktop_sc_row *x = a, *y = b;

	if (x->total_ns != y->total_ns)
		return x->total_ns < y->total_ns ? 1 : -1;
	return x->nr < y->nr ? -1 : x->nr > y->nr;
}

static int cmp_proc(const void *a, const void *b)
{
	const struct ktop_sc_proc *x = a, *y = b;

	if (x->total_ns != y->total_ns)
		return x->total_ns < y->total_ns ? 1 : -1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static int cmp_pair(const void *a, const void *b)
{
	const struct ktop_sc_pair *x = a, *y = b;

	if (x->total_ns != y->total_ns)
		return x->total_ns < y->total_ns ? 1 : -1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->nr < y->nr ? -1 : x->nr > y->nr;
}

/* Sum the per-CPU copies of every syscall into c->cur. */
static int read_stats(struct col_sc *c)
{
	int ncpu = ncpus_possible(), cpu;
	long n, i;

	n = map_buf_read(bpf_map__fd(c->skel->maps.sc_stats), sizeof(__u32),
			 sizeof(struct ktop_sc_stat), true, &c->stats);
	if (n < 0)
		return (int)n;
	memset(c->cur, 0, KTOP_SC_MAX * sizeof(*c->cur));
	for (i = 0; i < n; i++) {
		__u32 nr = ((__u32 *)c->stats.keys)[i];
		struct sc_cum *s;

		if (nr >= KTOP_SC_MAX)
			continue;
		s = &c->cur[nr];
		for (cpu = 0; cpu < ncpu; cpu++) {
			const struct ktop_sc_stat *v = percpu_val(c->stats.vals, sizeof(*v), ncpu, i, cpu);

			if (!v->count)
				continue;
			s->count += v->count;
			s->errors += v->errors;
			s->total_ns += v->total_ns;
			s->timed += v->timed;
			if (v->max_ns > s->max_ns)
				s->max_ns = v->max_ns;
		}
	}
	return 0;
}

/* Histogram of syscall nr in this interval: read its per-CPU copies, sum,
 * subtract the previous reading (which it then replaces). Returns 0 or -errno.
 * One lookup per syscall called in the interval (a few dozen), not a batch
 * read: that would copy all 512 histograms, 2.4 KiB per CPU each. */
static int hist_interval(struct col_sc *c, uint32_t nr, uint64_t *out)
{
	struct ktop_sc_hist *cum = &c->hist[nr];
	int ncpu = ncpus_possible(), cpu;
	unsigned b;

	if (bpf_map_lookup_elem(bpf_map__fd(c->skel->maps.sc_hist), &nr, c->hbuf))
		return -errno;
	for (b = 0; b < KTOP_HIST_BUCKETS; b++) {
		uint64_t sum = 0;

		for (cpu = 0; cpu < ncpu; cpu++)
			sum += ((const struct ktop_sc_hist *)c->hbuf)[cpu].slots[b];
		out[b] = delta_u64(cum->slots[b], sum);
		cum->slots[b] = sum;
	}
	return 0;
}

/* The time of count calls from the timed_ns of the timed ones among them
 * (the ratio estimator; exact when every call was timed). */
static uint64_t sc_estimate(uint64_t timed_ns, uint64_t count, uint64_t timed)
{
	if (timed >= count)
		return timed_ns;
	return timed ? (uint64_t)((double)timed_ns * count / timed) : 0;
}

static void fill_rows(struct col_sc *c, struct ktop_sc_snap *out)
{
	unsigned nr;

	out->nrows = 0;
	out->total_ns = 0;
	out->exact = c->exact;
	for (nr = 0; nr < KTOP_SC_MAX; nr++) {
		const struct sc_cum *p = &c->prev[nr], *q = &c->cur[nr];
		struct ktop_sc_row *r;
		uint64_t bound;

		if (q->count <= p->count)
			continue;
		r = &out->rows[out->nrows++];
		r->nr = nr;
		memcpy(r->name, c->names[nr], sizeof(r->name));
		r->ktop_probes = (int)nr == c->own_nr[0] || (int)nr == c->own_nr[1];
		r->count = q->count - p->count;
		r->errors = delta_u64(p->errors, q->errors);
		r->timed = delta_u64(p->timed, q->timed);
		r->total_ns = sc_estimate(delta_u64(p->total_ns, q->total_ns), r->count, r->timed);
		if (hist_interval(c, nr, r->hist))
			memset(r->hist, 0, sizeof(r->hist));
		/* The exact max is cumulative: if it grew, it happened now; else
		 * the interval's max is below the top bucket's bound and below it. */
		bound = hist_max_bound(r->hist, KTOP_HIST_BUCKETS);
		r->max_ns = !r->timed ? 0 : q->max_ns > p->max_ns ? q->max_ns :
			    (bound && bound - 1 < q->max_ns ? bound - 1 : q->max_ns);
		r->p50_ns = hist_percentile(r->hist, KTOP_HIST_BUCKETS, 50, r->max_ns);
		r->p95_ns = hist_percentile(r->hist, KTOP_HIST_BUCKETS, 95, r->max_ns);
		r->p99_ns = hist_percentile(r->hist, KTOP_HIST_BUCKETS, 99, r->max_ns);
		out->total_ns += r->total_ns;
	}
	qsort(out->rows, out->nrows, sizeof(out->rows[0]), cmp_row);
}

/* Remember key k of an exited process for deletion (the dead array has room
 * for every key read). Returns 1, or 0 when it could not be remembered. */
static size_t dead_key(struct col_sc *c, const struct ktop_sc_pkey *k, size_t n)
{
	if (array_reserve((void **)&c->dead, &c->deadcap, n + 1, sizeof(*c->dead)))
		return 0;
	c->dead[n] = *k;
	return 1;
}

static int cmp_pkey_tgid(const void *a, const void *b)
{
	const struct ktop_sc_pkey *x = a, *y = b;

	return x->tgid < y->tgid ? -1 : x->tgid > y->tgid;
}

/* Delete the entries of exited processes: one batch call when the kernel
 * has batch ops, else one call per key; and their names, once per process
 * (keys are grouped by process first: a process has one key per syscall). */
static void forget_dead(struct col_sc *c, size_t n)
{
	int cfd = bpf_map__fd(c->skel->maps.sc_comm);
	size_t i, ntgid = 0;

	map_delete_keys(bpf_map__fd(c->skel->maps.sc_proc), c->dead, n, sizeof(c->dead[0]));
	qsort(c->dead, n, sizeof(c->dead[0]), cmp_pkey_tgid);
	for (i = 0; i < n; i++) {
		if (i && c->dead[i].tgid == c->dead[i - 1].tgid)
			continue;
		if (array_reserve((void **)&c->dead_tgids, &c->dead_tgidcap, ntgid + 1,
				  sizeof(*c->dead_tgids)))
			bpf_map_delete_elem(cfd, &c->dead[i].tgid);
		else
			c->dead_tgids[ntgid++] = c->dead[i].tgid;
	}
	map_delete_keys(cfd, c->dead_tgids, ntgid, sizeof(*c->dead_tgids));
}

/* Keep the heaviest of the interval's npairs pairs (in c->tmp), and fold
 * every pair, not only the kept ones, per process. */
static void keep_pairs(struct col_sc *c, size_t npairs, struct ktop_sc_snap *out)
{
	struct u64map *per_tgid = &c->per_tgid;
	size_t nprocs = 0, j;

	u64map_clear(per_tgid);
	for (j = 0; j < npairs; j++) {
		struct ktop_sc_proc *pp = u64map_put(per_tgid, c->tmp[j].pid);

		if (!pp)
			continue;
		pp->pid = c->tmp[j].pid;
		pp->count += c->tmp[j].count;
		pp->errors += c->tmp[j].errors;
		pp->total_ns += c->tmp[j].total_ns;
	}
	/* c->tmp and c->ptmp stay NULL until the map first holds an entry, and
	 * qsort()/memcpy() need a valid pointer even for zero elements */
	out->npairs = npairs < KTOP_SC_PAIRS_MAX ? npairs : KTOP_SC_PAIRS_MAX;
	if (npairs) {
		qsort(c->tmp, npairs, sizeof(c->tmp[0]), cmp_pair);
		memcpy(out->pairs, c->tmp, out->npairs * sizeof(out->pairs[0]));
	}

	if (array_reserve((void **)&c->ptmp, &c->ptmpcap, per_tgid->n, sizeof(*c->ptmp)) == 0) {
		for (j = 0; j < per_tgid->cap; j++)
			if (per_tgid->used[j])
				c->ptmp[nprocs++] = *(struct ktop_sc_proc *)u64map_val(per_tgid, j);
		out->nprocs = nprocs < KTOP_SC_PROCS_MAX ? nprocs : KTOP_SC_PROCS_MAX;
		if (nprocs) {
			qsort(c->ptmp, nprocs, sizeof(c->ptmp[0]), cmp_proc);
			memcpy(out->procs, c->ptmp, out->nprocs * sizeof(out->procs[0]));
		}
		for (j = 0; j < out->nprocs; j++)
			comm_lookup(&c->comms, bpf_map__fd(c->skel->maps.sc_comm), out->procs[j].pid,
				    out->procs[j].comm);
	}
}

/* Read (process, syscall) counters, diff them against the previous reading,
 * keep the heaviest pairs and fold them per process. On a sweep, entries of
 * processes that have exited are deleted from the BPF maps after their last
 * delta was counted, so the map holds live processes only. */
static int read_procs(struct col_sc *c, struct ktop_sc_snap *out, bool sweep)
{
	int fd = bpf_map__fd(c->skel->maps.sc_proc);
	int ncpu = ncpus_possible(), cpu;
	size_t npairs = 0, ndead = 0;
	struct proc_live live;
	long n, i;

	n = map_buf_read(fd, sizeof(struct ktop_sc_pkey), sizeof(struct ktop_sc_pval), true,
			 &c->pairs);
	if (n < 0)
		return (int)n;
	if (array_reserve((void **)&c->tmp, &c->tmpcap, n, sizeof(*c->tmp)))
		return -ENOMEM;
	if (sweep) {
		u64map_clear(&c->comms);	/* tgids get reused: re-learn names */
		proc_live_begin(&live);		/* after the read: see procinfo.h */
	}
	u64map_clear(&c->pcur);
	for (i = 0; i < n; i++) {
		const struct ktop_sc_pkey *k = (const void *)((char *)c->pairs.keys + i * sizeof(*k));
		uint64_t key = (uint64_t)k->tgid << 32 | k->nr;
		struct ktop_sc_pval sum = { 0 }, *prev, *slot;
		struct ktop_sc_pair *d = &c->tmp[npairs];

		for (cpu = 0; cpu < ncpu; cpu++) {
			const struct ktop_sc_pval *v = percpu_val(c->pairs.vals, sizeof(*v), ncpu, i, cpu);

			sum.count += v->count;
			sum.errors += v->errors;
			sum.total_ns += v->total_ns;
			sum.timed += v->timed;
		}
		slot = u64map_put(&c->pcur, key);
		if (slot)
			*slot = sum;
		prev = u64map_get(&c->pprev, key);
		d->pid = k->tgid;
		d->nr = k->nr;
		d->count = delta_u64(prev ? prev->count : 0, sum.count);
		d->errors = delta_u64(prev ? prev->errors : 0, sum.errors);
		d->total_ns = sc_estimate(delta_u64(prev ? prev->total_ns : 0, sum.total_ns), d->count,
					  delta_u64(prev ? prev->timed : 0, sum.timed));
		if (sweep && !proc_live_alive(&live, k->tgid))
			ndead += dead_key(c, k, ndead);
		if (d->count)
			npairs++;
	}
	if (sweep)
		proc_live_end(&live);
	if (ndead)
		forget_dead(c, ndead);
	u64map_swap(&c->pprev, &c->pcur);
	c->fill = (size_t)n;

	keep_pairs(c, npairs, out);
	return 0;
}

static int col_sc_poll(void *p, struct ktop_snapshot *snap)
{
	struct col_sc *c = p;
	struct ktop_tab_status *st = &snap->tab[KTOP_TAB_SYSCALLS];
	struct sc_cum *t;
	uint64_t lost;
	int err;

	err = read_stats(c);
	if (err) {
		snprintf(st->note, sizeof(st->note), "cannot read syscall stats: %s", strerror(-err));
		return err;
	}
	fill_rows(c, &snap->sc);
	t = c->prev;
	c->prev = c->cur;
	c->cur = t;
	/* sweep out exited processes every AGE_EVERY polls, or at once when the
	 * map is three quarters full (a fork storm) */
	err = read_procs(c, &snap->sc, ++c->polls % AGE_EVERY == 0 ||
			 c->fill * 4 >= (size_t)KTOP_SC_PROC_MAX * 3);
	if (err)
		snprintf(st->note, sizeof(st->note), "cannot read per-process stats: %s",
			 strerror(-err));
	sc_inflight_fill(&c->ifl, (const char (*)[32])c->names, &snap->sc);
	lost = c->skel->bss->drops_start + c->skel->bss->drops_proc_full +
	       c->skel->bss->drops_nr_range;
	st->lost = delta_u64(c->lost_prev, lost);
	st->lost_total = lost;
	c->lost_prev = lost;
	return err;
}

const struct ktop_collector col_syscalls = {
	.name = "syscalls",
	.tab = KTOP_TAB_SYSCALLS,
	.open = col_sc_open,
	.poll = col_sc_poll,
	.free = col_sc_free,
};
