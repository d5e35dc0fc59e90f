// SPDX-License-Identifier: GPL-2.0
/* Locks collector: per-lock wait statistics, caller stacks and waiters as deltas, lock names, long waits. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "locks.skel.h"
#include "ktop/locks.h"
#include "core/bpfutil.h"
#include "core/msg.h"
#include "core/collector.h"
#include "core/histo.h"
#include "core/ksyms.h"
#include "core/procinfo.h"
#include "core/u64map.h"
#include "core/col_locks_int.h"

/* Ring-buffer callback: keep the last KTOP_LOCK_LONG_MAX records of the interval. */
static int on_event(void *ctx, void *data, size_t len)
{
	struct col_lk *c = ctx;

	if (len < sizeof(struct ktop_lock_event))
		return 0;
	memcpy(&c->ev[c->ev_head], data, sizeof(c->ev[0]));
	c->ev_head = (c->ev_head + 1) % KTOP_LOCK_LONG_MAX;
	if (c->ev_n < KTOP_LOCK_LONG_MAX)
		c->ev_n++;
	c->ev_count++;
	return 0;
}

/* Drain the long waits of the interval into the recent list (newest first). */
static void read_long(struct col_lk *c, struct ktop_snapshot *snap)
{
	struct ktop_lock_snap *out = &snap->lock;
	struct ktop_lock_long fresh[KTOP_LOCK_LONG_MAX];
	uint32_t i, n, keep;
	char kind[24];

	c->ev_n = 0;
	c->ev_count = 0;
	ring_buffer__consume(c->rb);
	n = c->ev_n;
	for (i = 0; i < n; i++) {
		const struct ktop_lock_event *e =
			&c->ev[(c->ev_head + 2 * KTOP_LOCK_LONG_MAX - 1 - i) % KTOP_LOCK_LONG_MAX];
		struct ktop_lock_long *l = &fresh[i];
		const struct stack_sym *s = lk_stack_of(c, e->stack_id);

		memset(l, 0, sizeof(*l));
		l->real_ns = snap->real_ns - (int64_t)(snap->mono_ns - e->end_ns);
		l->addr = e->addr;
		l->wait_ns = e->wait_ns;
		lk_lock_name(c, e->addr, e->class, e->owner, l->symbol, sizeof(l->symbol),
			  kind, sizeof(kind));
		lk_type_name(e->type, l->type, sizeof(l->type));
		l->pid = e->tgid;
		l->tid = e->tid;
		memcpy(l->comm, e->comm, KTOP_COMM_LEN);
		l->comm[KTOP_COMM_LEN - 1] = 0;
		if (s)
			memcpy(l->caller, s->top, KTOP_FRAME_LEN);
	}
	keep = c->nrecent + n > KTOP_LOCK_LONG_MAX ? KTOP_LOCK_LONG_MAX - n : c->nrecent;
	memmove(&c->recent[n], &c->recent[0], keep * sizeof(c->recent[0]));
	memcpy(&c->recent[0], fresh, n * sizeof(fresh[0]));
	c->nrecent = n + keep;
	out->nlong_interval = c->ev_count;
	out->nlong_new = n;
	out->nlong = c->nrecent;
	memcpy(out->longw, c->recent, c->nrecent * sizeof(c->recent[0]));
	out->long_threshold_ns = c->long_ns;
}

static int col_lk_poll(void *p, struct ktop_snapshot *snap)
{
	struct col_lk *c = p;
	struct ktop_tab_status *st = &snap->tab[KTOP_TAB_LOCKS];
	struct ktop_lock_snap *out = &snap->lock;
	struct locks_bpf__bss *b = c->skel->bss;
	uint64_t now = snap->mono_ns, lost;
	bool sweep = now - c->last_sweep_ns >= SWEEP_NS;
	int err, e2;

	if (sweep)
		c->last_sweep_ns = now;
	snprintf(out->source, sizeof(out->source), "%s",
		 c->tracepoints ? "tracepoints" : "slow-path kprobes");
	if (c->tracepoints)
		snprintf(st->note, sizeof(st->note), "%s", c->note);
	else if (snprintf(st->note, sizeof(st->note), "source: kprobes on the lock slow paths "
			  "(no lock:contention_* before 5.19)%s%s", c->note[0] ? "; " : "",
			  c->note) >= (int)sizeof(st->note))
		st->note[sizeof(st->note) - 1] = 0;	/* cut: the symbols note is the tail */
	err = lk_read_locks(c, out, now, sweep);
	if (err) {
		snprintf(st->note, sizeof(st->note), "cannot read lock statistics: %s",
			 strerror(-err));
		out->nrows = 0;
	} else {
		err = lk_read_parts(c, &c->callers, out, now, sweep, lk_take_caller);
		e2 = lk_read_parts(c, &c->waiters, out, now, sweep, lk_take_waiter);
		if (err || e2)
			snprintf(st->note, sizeof(st->note), "cannot read lock callers/waiters: %s",
				 strerror(-(err ? err : e2)));
		err = err ? err : e2;
		lk_finish_rows(c, out);
	}
	/* A new interval: each lock's first contentions on each CPU get a
	 * stack again and hand over the waits held since the last sample. */
	b->stack_gen++;
	read_long(c, snap);
	if (sweep) {
		lk_sweep_stacks(c);
		lk_sweep_comms(c);
	}
	lost = b->drops_state + b->drops_nest + b->drops_stack + b->drops_lock_full +
	       b->drops_caller_full + b->drops_waiter_full + b->drops_long;
	st->lost = delta_u64(c->lost_prev, lost);
	st->lost_total = lost;
	c->lost_prev = lost;
	return err;
}

static void parts_free(struct parts *pt)
{
	map_buf_free(&pt->buf);
	free(pt->order);
	free(pt->prev);
	free(pt->next);
}

static void col_lk_free(void *p)
{
	struct col_lk *c = p;

	int i;

	if (!c)
		return;
	ring_buffer__free(c->rb);
	for (i = 0; i < c->nslow; i++)
		bpf_link__destroy(c->slow[i]);
	locks_bpf__destroy(c->skel);
	ksyms__put(c->ksyms);
	map_buf_free(&c->buf);
	free(c->order);
	free(c->cands);
	free(c->prev);
	free(c->next);
	parts_free(&c->callers);
	parts_free(&c->waiters);
	u64map_free(&c->stacks);
	u64map_free(&c->comms);
	free(c);
}

/* Kernel symbols, and the ranges that tell locking code and data apart.
 * Without them ktop still runs and shows addresses; c->note says why. */
static void load_symbols(struct col_lk *c)
{
	struct ktop_lock_ranges *r = &c->ranges;
	int err;

	err = ksyms__get(&c->ksyms);
	if (err) {
		c->ksyms = NULL;
		snprintf(c->note, sizeof(c->note),
			 "no kernel symbols (%s%s): locks and callers show as addresses",
			 strerror(-err), err == -ENOENT ? ", kptr_restrict? needs CAP_SYSLOG" : "");
		return;
	}
	r->text_lo = ksyms__addr(c->ksyms, "_stext");
	r->text_hi = ksyms__addr(c->ksyms, "_etext");
	r->lock_lo = ksyms__addr(c->ksyms, "__lock_text_start");
	r->lock_hi = ksyms__addr(c->ksyms, "__lock_text_end");
	if (!r->text_lo || r->text_hi <= r->text_lo)
		r->text_lo = r->text_hi = 0;
	if (!r->lock_lo || r->lock_hi <= r->lock_lo)
		r->lock_lo = r->lock_hi = 0;
	/* jiffies is data in every kernel: without it kallsyms lists functions only */
	if (!ksyms__addr(c->ksyms, "jiffies") && !ksyms__addr(c->ksyms, "jiffies_64"))
		snprintf(c->note, sizeof(c->note), "static locks show as addresses: this kernel's "
			 "kallsyms has no data symbols (CONFIG_KALLSYMS_ALL=n)");
}

/* Open the BPF object and set it up: tracepoints or slow paths, task
 * storage or the tid hash. */
static int open_skel(void *col, const struct ktop_opts *o, struct ktop_tab_status *st)
{
	struct col_lk *c = col;
	struct locks_bpf *s;
	bool btf = probe_tp_btf_ok(o), ts = probe_task_storage(o), tp = c->tracepoints;
	struct bpf_program *p;
	int err;

	s = c->skel = locks_bpf__open();
	if (!s) {
		err = -errno;
		load_error(st, "locks: cannot open BPF object", err);
		return err;
	}
	s->rodata->targ_filter = o->npids > 0;
	s->rodata->targ_long_ns = c->long_ns;
	s->rodata->targ_task_storage = ts;
	s->rodata->targ_task_btf = probe_task_btf(o);
	tstate_choose(s->maps.lock_tstate, s->maps.lock_tstate_tid,
		      s->progs.sched_process_exit_raw, ts);
	bpf_map__set_autocreate(s->maps.lock_tstate_zero, !ts);
	c->tid_hash = !ts;
	bpf_object__for_each_program(p, s->obj) {
		const char *sec = bpf_program__section_name(p);

		if (!strncmp(sec, "kprobe", 6) || !strncmp(sec, "kretprobe", 9))
			bpf_program__set_autoload(p, !tp);
	}
	prog_choose(s->progs.contention_begin_btf, s->progs.contention_begin_raw, btf);
	prog_choose(s->progs.contention_end_btf, s->progs.contention_end_raw, btf);
	/* the same for the raw_tp tracepoints on 5.19 and 6.0 */
	map_prealloc_for(s->maps.lock_stats, s->progs.contention_end_raw, KTOP_LOCK_MAX);
	if (!tp) {
		/* kprobes before 5.13 may use only preallocated hashes (a kernel
		 * WARN otherwise): 2048 histograms, 5 MB, allocated up front */
		bpf_map__set_map_flags(s->maps.lock_stats, 0);
		bpf_program__set_autoload(s->progs.contention_begin_btf, false);
		bpf_program__set_autoload(s->progs.contention_begin_raw, false);
		bpf_program__set_autoload(s->progs.contention_end_btf, false);
		bpf_program__set_autoload(s->progs.contention_end_raw, false);
	}
	return 0;
}

static int load_skel(void *col)
{
	return locks_bpf__load(((struct col_lk *)col)->skel);
}

static void destroy_skel(void *col)
{
	struct col_lk *c = col;

	locks_bpf__destroy(c->skel);
	c->skel = NULL;
}

static const struct skel_steps steps = { open_skel, load_skel, destroy_skel };

/*
 * Before lock:contention_* (5.19): kprobe and kretprobe on each slow path
 * this kernel has. The symbols: kernel/locking/{mutex,rwsem,qspinlock,
 * qrwlock}.c; the spinlock one is native_ or __pv_ with paravirt spinlocks.
 * Returns how many slow paths are attached.
 */
static int attach_slow_paths(struct col_lk *c)
{
	struct locks_bpf *s = c->skel;
	const struct {
		const char *sym;
		struct bpf_program *kp, *kret;
	} paths[] = {
		{ "__mutex_lock_slowpath", s->progs.slow_mutex_kp, s->progs.slow_mutex_kret },
		{ "__mutex_lock_killable_slowpath", s->progs.slow_mutex_kp, s->progs.slow_mutex_kret },
		{ "__mutex_lock_interruptible_slowpath", s->progs.slow_mutex_kp,
		  s->progs.slow_mutex_kret },
		{ "rwsem_down_read_slowpath", s->progs.slow_rwsem_r_kp, s->progs.slow_rwsem_r_kret },
		{ "rwsem_down_write_slowpath", s->progs.slow_rwsem_w_kp, s->progs.slow_rwsem_w_kret },
		{ "native_queued_spin_lock_slowpath", s->progs.slow_spin_kp, s->progs.slow_spin_kret },
		{ "__pv_queued_spin_lock_slowpath", s->progs.slow_spin_kp, s->progs.slow_spin_kret },
		{ "queued_spin_lock_slowpath", s->progs.slow_spin_kp, s->progs.slow_spin_kret },
		{ "queued_read_lock_slowpath", s->progs.slow_rwlock_r_kp, s->progs.slow_rwlock_r_kret },
		{ "queued_write_lock_slowpath", s->progs.slow_rwlock_w_kp,
		  s->progs.slow_rwlock_w_kret },
	};
	size_t i;
	int n = 0;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]) && c->nslow + 2 <= SLOW_LINKS_MAX; i++) {
		struct bpf_link *kp, *kret;

		if (!probe_kernel_func(paths[i].sym))
			continue;
		/* the return first: an entry without its return would stay open */
		kret = bpf_program__attach_kprobe(paths[i].kret, true, paths[i].sym);
		if (!kret) {
			msg_debug("locks: no kretprobe on %s: %s", paths[i].sym, strerror(errno));
			continue;
		}
		kp = bpf_program__attach_kprobe(paths[i].kp, false, paths[i].sym);
		if (!kp) {
			msg_debug("locks: no kprobe on %s: %s", paths[i].sym, strerror(errno));
			bpf_link__destroy(kret);
			continue;
		}
		c->slow[c->nslow++] = kret;
		c->slow[c->nslow++] = kp;
		n++;
	}
	return n;
}

static int col_lk_open(void **out, const struct ktop_opts *o, struct ktop_tab_status *st)
{
	struct col_lk *c;
	bool tp;
	int err;

	tp = probe_tracepoint("contention_begin") && probe_tracepoint("contention_end");
	if (!tp && !probe_kprobes()) {
		snprintf(st->why, sizeof(st->why),
			 "locks: kernel has neither lock:contention_begin/end tracepoints "
			 "(Linux 5.19 or later) nor kprobes for the lock slow paths (CONFIG_KPROBES)");
		return -ENOENT;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	u64map_init(&c->stacks, sizeof(struct stack_sym));
	u64map_init(&c->comms, sizeof(struct ktop_comm));
	c->long_ns = o->lock_long_ns ? o->lock_long_ns : 1000000;
	c->tracepoints = tp;
	err = skel_load_retry(c, &steps, o, st, "locks: kernel refused the BPF programs");
	if (err)
		goto fail;
	err = pid_filter_fill(c->skel->maps.pid_filter, o);
	if (err) {
		load_error(st, "locks: cannot set the -p filter", err);
		goto fail;
	}
	c->callers.map = c->skel->maps.lock_callers;
	c->waiters.map = c->skel->maps.lock_waiters;
	c->rb = ring_buffer__new(bpf_map__fd(c->skel->maps.lock_events), on_event, c, NULL);
	if (!c->rb) {
		err = -errno;
		load_error(st, "locks: cannot open the long-wait ring buffer", err);
		goto fail;
	}
	load_symbols(c);
	err = locks_bpf__attach(c->skel);
	if (err) {
		load_error(st, tp ? "locks: cannot attach to lock:contention_begin/end" :
			   "locks: cannot attach to sched_process_exit", err);
		goto fail;
	}
	if (!tp && !attach_slow_paths(c)) {
		err = -ENOENT;
		snprintf(st->why, sizeof(st->why), "locks: no lock:contention_* tracepoints "
			 "(Linux 5.19 or later) and no lock slow path took a kprobe "
			 "(ktop -v says why)");
		goto fail;
	}
	prog_attach_kinds(c->skel->obj, st->attach, sizeof(st->attach));
	*out = c;
	return 0;
fail:
	col_lk_free(c);
	return err;
}

const struct ktop_collector col_locks = {
	.name = "locks",
	.tab = KTOP_TAB_LOCKS,
	.open = col_lk_open,
	.poll = col_lk_poll,
	.free = col_lk_free,
};
