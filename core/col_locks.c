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

#define AGE_NS		(30ull * 1000000000ull)	/* forget entries idle this long */
#define SWEEP_NS	(5ull * 1000000000ull)	/* between sweeps of idle entries */
#define KEY_LEN		16			/* every key here is 16 bytes */

/* One (lock, type) entry as read at the previous poll, cumulative. */
struct lk_prev {
	struct ktop_lock_key key;
	uint64_t contentions, wait_ns, max_ns;
	uint32_t class, owner;
	uint64_t changed_ns;		/* CLOCK_MONOTONIC when its count last grew */
	uint64_t hist[KTOP_HIST_BUCKETS];
};

/* One caller or waiter entry as read at the previous poll, cumulative. */
struct part_prev {
	unsigned char key[KEY_LEN];
	uint64_t contentions, wait_ns;
	uint64_t changed_ns;
};

/* A caller or waiter breakdown: its BPF map and the previous reading. */
struct parts {
	struct bpf_map *map;
	void *keys, *vals;		/* batch buffers */
	size_t cap;
	int *order;			/* entries in key order */
	size_t ocap;
	struct part_prev *prev, *next;
	size_t nprev, pcap;
};

/* A kernel stack, symbolized once and cached by stack id. */
struct stack_sym {
	uint32_t nframes;
	char frames[KTOP_LOCK_FRAMES_MAX][KTOP_FRAME_LEN];
	char top[KTOP_FRAME_LEN];	/* top caller, "" if none */
};

/* A lock with contentions in the interval, before it becomes a row. */
struct cand {
	int ni, pi;			/* index in next, in prev (-1: new) */
	uint64_t wait_ns;
};

/* Slow-path kprobes attached where lock:contention_* is missing, at most. */
#define SLOW_LINKS_MAX	24

struct col_lk {
	struct locks_bpf *skel;
	struct bpf_link *slow[SLOW_LINKS_MAX];	/* kprobe and kretprobe links */
	int nslow;
	bool tracepoints;		/* source: lock:contention_*, else slow paths */
	bool tid_hash;			/* wait state in lock_tstate_tid */
	struct ring_buffer *rb;
	struct ksyms *ksyms;		/* NULL: addresses only */
	struct ktop_lock_ranges ranges;
	char note[128];
	/* lock_stats */
	void *keys, *vals;
	size_t cap;
	int *order;			/* entries in key order */
	struct cand *cands;
	size_t ocap;
	struct lk_prev *prev, *next;
	size_t nprev, pcap;
	/* rows of this poll, by key, for attaching callers and waiters */
	struct ktop_lock_key rkeys[KTOP_LOCK_ROWS_MAX];
	int rorder[KTOP_LOCK_ROWS_MAX];
	int32_t rstack[KTOP_LOCK_ROWS_MAX][KTOP_LOCK_CALLERS_MAX];
	struct parts callers, waiters;
	struct u64map stacks;		/* stack id -> struct stack_sym */
	struct u64map comms;		/* tgid -> struct ktop_lock_comm */
	__u64 ips[KTOP_LOCK_STACK_DEPTH];
	/* long waits: the last KTOP_LOCK_LONG_MAX records of the interval */
	struct ktop_lock_event ev[KTOP_LOCK_LONG_MAX];
	uint32_t ev_head, ev_n;
	uint64_t ev_count;
	struct ktop_lock_long recent[KTOP_LOCK_LONG_MAX];
	uint32_t nrecent;
	uint64_t long_ns;
	uint64_t last_sweep_ns;
	uint64_t lost_prev;
};

/* ---- pure helpers (see snap_locks.h) ------------------------------------ */

static int has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

/* See snap_locks.h. */
int lock_frame_kind(const char *name, uint64_t addr, const struct ktop_lock_ranges *r)
{
	static const char *const tracing[] = {
		"bpf_", "__bpf_", "___bpf_", "__traceiter_", "trace_contention",
		"perf_", "__perf_", "stack_trace_", "arch_stack_walk",
	};
	/* compared after the leading underscores are dropped */
	static const char *const locking[] = {
		"raw_spin_", "raw_read_", "raw_write_", "spin_lock", "spin_unlock",
		"read_lock", "read_unlock", "write_lock", "write_unlock",
		"queued_", "native_queued_", "pv_queued_", "do_raw_", "mutex_",
		"ww_mutex", "rt_mutex", "rt_spin", "rtlock", "rwbase_", "rwsem_",
		"down", "up_read", "up_write", "percpu_down", "percpu_up",
		"percpu_rwsem", "osq_", "lock_acquire", "lock_contended",
	};
	const char *n;
	size_t i;

	if (!name)
		return KTOP_FRAME_TRACING;	/* JIT code, trampolines */
	for (i = 0; i < sizeof(tracing) / sizeof(tracing[0]); i++)
		if (has_prefix(name, tracing[i]))
			return KTOP_FRAME_TRACING;
	/* Not __sched_text: __schedule() there takes the run-queue lock and
	 * is the caller that matters for it; mutex and rwsem code is named. */
	if (r && r->lock_lo && addr >= r->lock_lo && addr < r->lock_hi)
		return KTOP_FRAME_LOCKING;	/* __lockfunc: the spinlock API */
	for (n = name; *n == '_'; n++)
		;
	if (!strcmp(n, "up"))
		return KTOP_FRAME_LOCKING;
	for (i = 0; i < sizeof(locking) / sizeof(locking[0]); i++)
		if (has_prefix(n, locking[i]))
			return KTOP_FRAME_LOCKING;
	return KTOP_FRAME_CALLER;
}

/* See snap_locks.h. */
int lock_top_caller_idx(const int *kinds, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (kinds[i] == KTOP_FRAME_CALLER)
			return i;
	return -1;
}

/* See snap_locks.h. */
int lock_sym_plausible(const char *name, uint64_t addr, const struct ktop_lock_ranges *r)
{
	static const char *const marker_prefix[] = {
		"__start_", "__stop_", "__end_", "__init_", "__bss_", "__brk_", "__per_cpu_",
	};
	static const char *const marker[] = {
		"_text", "_stext", "_etext", "_sdata", "_edata", "_end", "_sinittext",
		"_einittext", "__init_begin", "__init_end",
	};
	size_t i;

	if (!name || !*name)
		return 0;
	if (r && r->text_lo && addr >= r->text_lo && addr < r->text_hi)
		return 0;		/* a lock is data; the nearest symbol is a function */
	for (i = 0; i < sizeof(marker_prefix) / sizeof(marker_prefix[0]); i++)
		if (has_prefix(name, marker_prefix[i]))
			return 0;
	for (i = 0; i < sizeof(marker) / sizeof(marker[0]); i++)
		if (!strcmp(name, marker[i]))
			return 0;
	return 1;
}

/* See snap_locks.h. */
const char *lock_class_name(uint32_t class)
{
	switch (class) {
	case KTOP_LOCK_CLASS_MMAP: return "mmap_lock";
	case KTOP_LOCK_CLASS_MMAP_WAIT: return "mmap_lock.wait_lock";
	case KTOP_LOCK_CLASS_SIGLOCK: return "siglock";
	case KTOP_LOCK_CLASS_FILES: return "file_lock";
	}
	return NULL;
}

/* ---- naming ------------------------------------------------------------- */

static void type_name(__u32 type, char *buf, size_t n)
{
	const char *t = ktop_lock_type_name(type);

	if (t)
		snprintf(buf, n, "%s", t);
	else
		snprintf(buf, n, "flags:0x%x", type);
}

/* Name of the lock at addr into sym ("" when unknown) and how it was named into kind. */
static void lock_name(struct col_lk *c, uint64_t addr, uint32_t class, uint32_t owner,
		      char *sym, size_t symlen, char *kind, size_t kindlen)
{
	const char *cn = lock_class_name(class), *name;
	uint64_t off = 0;

	sym[0] = 0;
	kind[0] = 0;
	if (cn) {
		snprintf(sym, symlen, "%s (pid %u)", cn, owner);
		snprintf(kind, kindlen, "%s", cn);
		return;
	}
	name = ksyms__find(c->ksyms, addr, &off);
	if (!lock_sym_plausible(name, addr, &c->ranges))
		return;
	if (off)
		snprintf(sym, symlen, "%s+0x%llx", name, (unsigned long long)off);
	else
		snprintf(sym, symlen, "%s", name);
	snprintf(kind, kindlen, "symbol");
}

/* The symbolized stack of id, from the cache or the stack map; NULL when
 * the stack is lost or unreadable. Owned by c->stacks until the next sweep. */
static const struct stack_sym *stack_of(struct col_lk *c, int32_t id)
{
	int kinds[KTOP_LOCK_STACK_DEPTH];
	struct stack_sym *s;
	uint64_t off;
	static const struct stack_sym unsampled = {
		.nframes = 1, .frames = { "(waits no stack sample stood for)" },
	};
	int n, i, top, start;

	if (id == KTOP_LOCK_STACK_UNSAMPLED)
		return &unsampled;
	if (id < 0)
		return NULL;
	s = u64map_get(&c->stacks, (uint64_t)id);
	if (s)
		return s;
	memset(c->ips, 0, sizeof(c->ips));
	if (bpf_map_lookup_elem(bpf_map__fd(c->skel->maps.lock_stacks), &id, c->ips))
		return NULL;
	s = u64map_put(&c->stacks, (uint64_t)id);
	if (!s)
		return NULL;
	for (n = 0; n < KTOP_LOCK_STACK_DEPTH && c->ips[n]; n++)
		kinds[n] = lock_frame_kind(ksyms__find(c->ksyms, c->ips[n], NULL), c->ips[n],
					   &c->ranges);
	top = lock_top_caller_idx(kinds, n);
	/* show from the innermost locking frame before the caller, for context */
	for (start = 0; start < n && kinds[start] == KTOP_FRAME_TRACING; start++)
		;
	if (top > start)
		start = top - 1;
	s->nframes = 0;
	for (i = start; i < n && s->nframes < KTOP_LOCK_FRAMES_MAX; i++)
		ksyms__fmt(c->ksyms, c->ips[i], s->frames[s->nframes++], KTOP_FRAME_LEN);
	s->top[0] = 0;
	if (top >= 0) {
		const char *name = ksyms__find(c->ksyms, c->ips[top], &off);

		if (name)
			snprintf(s->top, sizeof(s->top), "%s", name);
	}
	return s;
}

/* Command name of tgid: from the BPF map (seen at its first wait), else /proc, cached. */
static void comm_of(struct col_lk *c, uint32_t tgid, char comm[KTOP_COMM_MAX])
{
	struct ktop_lock_comm *cached = u64map_get(&c->comms, tgid), k;

	if (!cached) {
		if (bpf_map_lookup_elem(bpf_map__fd(c->skel->maps.lock_comm), &tgid, &k) &&
		    proc_read_comm(tgid, k.comm, sizeof(k.comm)))
			snprintf(k.comm, sizeof(k.comm), "?");
		k.comm[KTOP_LOCK_COMM_LEN - 1] = 0;
		cached = u64map_put(&c->comms, tgid);
		if (cached)
			*cached = k;
		else
			cached = &k;
	}
	memcpy(comm, cached->comm, KTOP_COMM_MAX);
	comm[KTOP_COMM_MAX - 1] = 0;
}

/* ---- reading ------------------------------------------------------------ */

static const void *sort_keys;		/* qsort context: key array of KEY_LEN entries */

static int cmp_order(const void *a, const void *b)
{
	return memcmp((const char *)sort_keys + *(const int *)a * KEY_LEN,
		      (const char *)sort_keys + *(const int *)b * KEY_LEN, KEY_LEN);
}

static int cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->wait_ns != y->wait_ns)
		return x->wait_ns < y->wait_ns ? 1 : -1;
	return x->ni - y->ni;
}

/* Make room for n lock entries in next/prev and n in order/cands. Returns 0 or -ENOMEM. */
static int reserve_locks(struct col_lk *c, size_t n)
{
	size_t cap;
	void *t;

	if (!n)
		n = 1;
	if (n > c->pcap) {
		cap = c->pcap;
		t = reallocarray(c->next, n, sizeof(*c->next));
		if (!t)
			return -ENOMEM;
		c->next = t;
		t = reallocarray(c->prev, n, sizeof(*c->prev));
		if (!t)
			return -ENOMEM;	/* next is bigger than needed: harmless */
		c->prev = t;
		c->pcap = n > cap ? n : cap;
	}
	if (n > c->ocap) {
		t = reallocarray(c->order, n, sizeof(*c->order));
		if (!t)
			return -ENOMEM;
		c->order = t;
		t = reallocarray(c->cands, n, sizeof(*c->cands));
		if (!t)
			return -ENOMEM;
		c->cands = t;
		c->ocap = n;
	}
	return 0;
}

/*
 * Read lock_stats, diff it against the previous reading (both in key
 * order) and turn the locks with contentions into rows, the heaviest
 * KTOP_LOCK_ROWS_MAX by wait. On a sweep, entries idle for AGE_NS are
 * deleted from the map (a later contention starts them from zero).
 * Returns 0 or -errno.
 */
static int read_locks(struct col_lk *c, struct ktop_lock_snap *out, uint64_t now, bool sweep)
{
	int fd = bpf_map__fd(c->skel->maps.lock_stats);
	const struct ktop_lock_key *keys;
	const struct ktop_lock_stat *vals;
	size_t nnext = 0, ncand = 0, j = 0, i, k;
	struct lk_prev *t;
	long n;

	n = map_read_all(fd, sizeof(struct ktop_lock_key), sizeof(struct ktop_lock_stat), false,
			 &c->keys, &c->vals, &c->cap);
	if (n < 0)
		return (int)n;
	if (reserve_locks(c, n))
		return -ENOMEM;
	keys = c->keys;
	vals = c->vals;
	for (i = 0; i < (size_t)n; i++)
		c->order[i] = (int)i;
	sort_keys = keys;
	qsort(c->order, n, sizeof(int), cmp_order);

	for (i = 0; i < (size_t)n; i++) {
		const struct ktop_lock_key *key = &keys[c->order[i]];
		const struct ktop_lock_stat *v = &vals[c->order[i]];
		const struct lk_prev *p = NULL;
		struct lk_prev *q = &c->next[nnext];
		uint64_t d;

		while (j < c->nprev && memcmp(&c->prev[j].key, key, KEY_LEN) < 0)
			j++;
		if (j < c->nprev && !memcmp(&c->prev[j].key, key, KEY_LEN))
			p = &c->prev[j];
		d = delta_u64(p ? p->contentions : 0, v->contentions);
		q->changed_ns = d || !p ? now : p->changed_ns;
		if (sweep && now - q->changed_ns >= AGE_NS) {
			bpf_map_delete_elem(fd, key);
			continue;
		}
		q->key = *key;
		q->contentions = v->contentions;
		q->wait_ns = v->wait_ns;
		q->max_ns = v->max_ns;
		q->class = v->class;
		q->owner = v->owner;
		memcpy(q->hist, v->hist, sizeof(q->hist));
		if (d) {
			c->cands[ncand].ni = (int)nnext;
			c->cands[ncand].pi = p ? (int)(p - c->prev) : -1;
			c->cands[ncand].wait_ns = delta_u64(p ? p->wait_ns : 0, v->wait_ns);
			ncand++;
		}
		nnext++;
	}
	qsort(c->cands, ncand, sizeof(c->cands[0]), cmp_cand);

	out->nrows = ncand < KTOP_LOCK_ROWS_MAX ? ncand : KTOP_LOCK_ROWS_MAX;
	out->nrows_dropped = ncand - out->nrows;
	for (i = 0; i < ncand; i++) {
		const struct lk_prev *q = &c->next[c->cands[i].ni];
		const struct lk_prev *p = c->cands[i].pi >= 0 ? &c->prev[c->cands[i].pi] : NULL;
		struct ktop_lock_row *r;
		uint64_t bound;

		out->contentions += delta_u64(p ? p->contentions : 0, q->contentions);
		out->total_wait_ns += c->cands[i].wait_ns;
		if (i >= out->nrows)
			continue;
		r = &out->rows[i];
		r->addr = q->key.addr;
		type_name(q->key.type, r->type, sizeof(r->type));
		lock_name(c, r->addr, q->class, q->owner, r->symbol, sizeof(r->symbol),
			  r->kind, sizeof(r->kind));
		if (lock_class_name(q->class))
			r->owner_pid = q->owner;
		r->contentions = delta_u64(p ? p->contentions : 0, q->contentions);
		r->total_wait_ns = c->cands[i].wait_ns;
		r->avg_wait_ns = r->total_wait_ns / r->contentions;
		hist_delta(r->hist, p ? p->hist : NULL, q->hist, KTOP_HIST_BUCKETS);
		/* The exact max is cumulative: if it grew, it happened now; else
		 * the interval's max is below the top bucket's bound. */
		bound = hist_max_bound(r->hist, KTOP_HIST_BUCKETS);
		r->max_wait_ns = !p || q->max_ns > p->max_ns ? q->max_ns :
				 (bound && bound - 1 < q->max_ns ? bound - 1 : q->max_ns);
		r->p99_ns = hist_percentile(r->hist, KTOP_HIST_BUCKETS, 99, r->max_wait_ns);
		c->rkeys[i] = q->key;
		c->rorder[i] = (int)i;
		for (k = 0; k < KTOP_LOCK_CALLERS_MAX; k++)
			c->rstack[i][k] = -1;
	}
	t = c->prev;
	c->prev = c->next;
	c->next = t;
	c->nprev = nnext;
	sort_keys = c->rkeys;
	qsort(c->rorder, out->nrows, sizeof(int), cmp_order);
	out->tracked = (uint32_t)nnext;
	out->tracked_max = KTOP_LOCK_MAX;
	return 0;
}

/* Row of the lock in the first 12 bytes (addr, type) of a caller or waiter key; -1 if none. */
static int row_of(const struct col_lk *c, uint32_t nrows, const void *pkey)
{
	struct ktop_lock_key k;
	size_t lo = 0, hi = nrows;

	memcpy(&k, pkey, 12);
	k.pad = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = memcmp(&c->rkeys[c->rorder[mid]], &k, KEY_LEN);

		if (!r)
			return c->rorder[mid];
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Put a caller stack of row ri into its top list (by wait, descending). */
static void take_caller(struct col_lk *c, struct ktop_lock_row *r, int ri, const void *key,
			uint64_t cont, uint64_t wait)
{
	const struct ktop_lock_caller_key *k = key;
	uint32_t n = r->ncallers, at = n, i;

	while (at > 0 && r->callers[at - 1].wait_ns < wait)
		at--;
	if (at >= KTOP_LOCK_CALLERS_MAX)
		return;
	if (n == KTOP_LOCK_CALLERS_MAX)
		n--;
	for (i = n; i > at; i--) {
		r->callers[i].contentions = r->callers[i - 1].contentions;
		r->callers[i].wait_ns = r->callers[i - 1].wait_ns;
		c->rstack[ri][i] = c->rstack[ri][i - 1];
	}
	r->callers[at].contentions = cont;
	r->callers[at].wait_ns = wait;
	c->rstack[ri][at] = k->stack_id;
	r->ncallers = n + 1;
}

/* Put a waiting process of a row into its top list (by wait, descending). */
static void take_waiter(struct col_lk *c, struct ktop_lock_row *r, int ri, const void *key,
			uint64_t cont, uint64_t wait)
{
	const struct ktop_lock_waiter_key *k = key;
	uint32_t n = r->nwaiters, at = n, i;

	(void)c;
	(void)ri;
	while (at > 0 && r->waiters[at - 1].wait_ns < wait)
		at--;
	if (at >= KTOP_LOCK_WAITERS_MAX)
		return;
	if (n == KTOP_LOCK_WAITERS_MAX)
		n--;
	for (i = n; i > at; i--)
		r->waiters[i] = r->waiters[i - 1];
	memset(&r->waiters[at], 0, sizeof(r->waiters[at]));
	r->waiters[at].pid = k->tgid;
	r->waiters[at].contentions = cont;
	r->waiters[at].wait_ns = wait;
	r->nwaiters = n + 1;
}

typedef void (*take_fn)(struct col_lk *c, struct ktop_lock_row *r, int ri, const void *key,
			uint64_t cont, uint64_t wait);

/*
 * Read a caller or waiter map, diff it against the previous reading and
 * hand each entry with waits in the interval to take() for its row. On a
 * sweep, entries idle for AGE_NS are deleted. Returns 0 or -errno.
 */
static int read_parts(struct col_lk *c, struct parts *pt, struct ktop_lock_snap *out,
		      uint64_t now, bool sweep, take_fn take)
{
	int fd = bpf_map__fd(pt->map);
	const struct ktop_lock_part *vals;
	const unsigned char *keys;
	size_t nnext = 0, j = 0, i, want;
	struct part_prev *t;
	long n;

	n = map_read_all(fd, KEY_LEN, sizeof(struct ktop_lock_part), false, &pt->keys,
			 &pt->vals, &pt->cap);
	if (n < 0)
		return (int)n;
	want = n ? (size_t)n : 1;
	if (want > pt->pcap) {
		t = reallocarray(pt->next, want, sizeof(*t));
		if (!t)
			return -ENOMEM;
		pt->next = t;
		t = reallocarray(pt->prev, want, sizeof(*t));
		if (!t)
			return -ENOMEM;
		pt->prev = t;
		pt->pcap = want;
	}
	if (want > pt->ocap) {
		int *o = reallocarray(pt->order, want, sizeof(int));

		if (!o)
			return -ENOMEM;
		pt->order = o;
		pt->ocap = want;
	}
	keys = pt->keys;
	vals = pt->vals;
	for (i = 0; i < (size_t)n; i++)
		pt->order[i] = (int)i;
	sort_keys = keys;
	qsort(pt->order, n, sizeof(int), cmp_order);

	for (i = 0; i < (size_t)n; i++) {
		const unsigned char *key = keys + (size_t)pt->order[i] * KEY_LEN;
		const struct ktop_lock_part *v = &vals[pt->order[i]];
		const struct part_prev *p = NULL;
		struct part_prev *q = &pt->next[nnext];
		uint64_t d;
		int ri;

		while (j < pt->nprev && memcmp(pt->prev[j].key, key, KEY_LEN) < 0)
			j++;
		if (j < pt->nprev && !memcmp(pt->prev[j].key, key, KEY_LEN))
			p = &pt->prev[j];
		d = delta_u64(p ? p->contentions : 0, v->contentions);
		q->changed_ns = d || !p ? now : p->changed_ns;
		if (sweep && now - q->changed_ns >= AGE_NS) {
			bpf_map_delete_elem(fd, key);
			continue;
		}
		memcpy(q->key, key, KEY_LEN);
		q->contentions = v->contentions;
		q->wait_ns = v->wait_ns;
		nnext++;
		if (!d)
			continue;
		ri = row_of(c, out->nrows, key);
		if (ri >= 0)
			take(c, &out->rows[ri], ri, key, d, delta_u64(p ? p->wait_ns : 0, v->wait_ns));
	}
	t = pt->prev;
	pt->prev = pt->next;
	pt->next = t;
	pt->nprev = nnext;
	return 0;
}

/* Symbolize the kept callers and name the waiters of every row. */
static void finish_rows(struct col_lk *c, struct ktop_lock_snap *out)
{
	uint32_t i, k, f;

	for (i = 0; i < out->nrows; i++) {
		struct ktop_lock_row *r = &out->rows[i];

		for (k = 0; k < r->ncallers; k++) {
			const struct stack_sym *s = stack_of(c, c->rstack[i][k]);

			if (!s)
				continue;
			r->callers[k].nframes = s->nframes;
			for (f = 0; f < s->nframes; f++)
				memcpy(r->callers[k].frames[f], s->frames[f], KTOP_FRAME_LEN);
			if (!r->top_caller[0] && s->top[0])
				memcpy(r->top_caller, s->top, KTOP_FRAME_LEN);
		}
		for (k = 0; k < r->nwaiters; k++)
			comm_of(c, r->waiters[k].pid, r->waiters[k].comm);
		if (r->nwaiters) {
			r->top_waiter_pid = r->waiters[0].pid;
			memcpy(r->top_waiter_comm, r->waiters[0].comm, KTOP_COMM_MAX);
		}
	}
}

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
		const struct stack_sym *s = stack_of(c, e->stack_id);

		memset(l, 0, sizeof(*l));
		l->real_ns = snap->real_ns - (int64_t)(snap->mono_ns - e->end_ns);
		l->addr = e->addr;
		l->wait_ns = e->wait_ns;
		lock_name(c, e->addr, e->class, e->owner, l->symbol, sizeof(l->symbol),
			  kind, sizeof(kind));
		type_name(e->type, l->type, sizeof(l->type));
		l->pid = e->tgid;
		l->tid = e->tid;
		memcpy(l->comm, e->comm, KTOP_COMM_MAX);
		l->comm[KTOP_COMM_MAX - 1] = 0;
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

/* Delete the stacks no caller entry refers to any more from the stack map
 * and the cache, so neither grows without bound. A wait in flight whose
 * stack is deleted is counted under the id it got (rare; see docs/locks.md). */
static void sweep_stacks(struct col_lk *c)
{
	int fd = bpf_map__fd(c->skel->maps.lock_stacks);
	struct u64map used, kept;
	__u32 id, next;
	bool first = true;
	size_t i;

	u64map_init(&used, 1);
	u64map_init(&kept, sizeof(struct stack_sym));
	for (i = 0; i < c->callers.nprev; i++) {
		const struct ktop_lock_caller_key *k = (const void *)c->callers.prev[i].key;

		if (k->stack_id >= 0 && !u64map_put(&used, (uint64_t)k->stack_id))
			goto out;	/* no memory: keep everything this time */
	}
	/* a deleted cursor restarts the walk: step past a key, then delete it */
	while (!bpf_map_get_next_key(fd, first ? NULL : &id, &next)) {
		if (!first && !u64map_get(&used, id))
			bpf_map_delete_elem(fd, &id);
		id = next;
		first = false;
	}
	if (!first && !u64map_get(&used, id))
		bpf_map_delete_elem(fd, &id);
	for (i = 0; i < c->stacks.cap; i++) {
		struct stack_sym *s;

		if (!c->stacks.used[i] || !u64map_get(&used, c->stacks.keys[i]))
			continue;
		s = u64map_put(&kept, c->stacks.keys[i]);
		if (!s)
			goto out;
		*s = *(struct stack_sym *)u64map_val(&c->stacks, i);
	}
	u64map_swap(&c->stacks, &kept);
out:
	u64map_free(&kept);
	u64map_free(&used);
}

/* Delete the command names of processes no waiter entry refers to any more,
 * so lock_comm holds live waiters only and never fills up. */
static void sweep_comms(struct col_lk *c)
{
	int fd = bpf_map__fd(c->skel->maps.lock_comm);
	struct u64map used;
	__u32 tgid, next;
	bool first = true;
	size_t i;

	u64map_init(&used, 1);
	for (i = 0; i < c->waiters.nprev; i++) {
		const struct ktop_lock_waiter_key *k = (const void *)c->waiters.prev[i].key;

		if (!u64map_put(&used, k->tgid))
			goto out;
	}
	/* a deleted cursor restarts the walk: step past a key, then delete it */
	while (!bpf_map_get_next_key(fd, first ? NULL : &tgid, &next)) {
		if (!first && !u64map_get(&used, tgid))
			bpf_map_delete_elem(fd, &tgid);
		tgid = next;
		first = false;
	}
	if (!first && !u64map_get(&used, tgid))
		bpf_map_delete_elem(fd, &tgid);
out:
	u64map_free(&used);
	u64map_clear(&c->comms);	/* tgids get reused: re-learn names */
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
	err = read_locks(c, out, now, sweep);
	if (err) {
		snprintf(st->note, sizeof(st->note), "cannot read lock statistics: %s",
			 strerror(-err));
		out->nrows = 0;
	} else {
		err = read_parts(c, &c->callers, out, now, sweep, take_caller);
		e2 = read_parts(c, &c->waiters, out, now, sweep, take_waiter);
		if (err || e2)
			snprintf(st->note, sizeof(st->note), "cannot read lock callers/waiters: %s",
				 strerror(-(err ? err : e2)));
		err = err ? err : e2;
		finish_rows(c, out);
	}
	/* A new interval: each lock's first contentions on each CPU get a
	 * stack again and hand over the waits held since the last sample. */
	b->stack_gen++;
	read_long(c, snap);
	if (sweep) {
		sweep_stacks(c);
		sweep_comms(c);
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
	free(pt->keys);
	free(pt->vals);
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
	free(c->keys);
	free(c->vals);
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
	u64map_init(&c->comms, sizeof(struct ktop_lock_comm));
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
