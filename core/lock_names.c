// SPDX-License-Identifier: GPL-2.0
/* Locks collector: names of locks, symbolized stacks and command names, and the
 * sweeps that keep their caches and maps bounded. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "locks.skel.h"
#include "ktop/locks.h"
#include "core/bpfutil.h"
#include "core/col_locks_int.h"
#include "core/histo.h"
#include "core/ksyms.h"
#include "core/procinfo.h"
#include "core/u64map.h"

void lk_type_name(__u32 type, char *buf, size_t n)
{
	const char *t = ktop_lock_type_name(type);

	if (t)
		snprintf(buf, n, "%s", t);
	else
		snprintf(buf, n, "flags:0x%x", type);
}

/* Name of the lock at addr into sym ("" when unknown) and how it was named into kind. */
void lk_lock_name(struct col_lk *c, uint64_t addr, uint32_t class, uint32_t owner,
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
const struct stack_sym *lk_stack_of(struct col_lk *c, int32_t id)
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
void lk_comm_of(struct col_lk *c, uint32_t tgid, char comm[KTOP_COMM_LEN])
{
	struct ktop_comm *cached = u64map_get(&c->comms, tgid), k;

	if (!cached) {
		if (bpf_map_lookup_elem(bpf_map__fd(c->skel->maps.lock_comm), &tgid, &k) &&
		    proc_read_comm(tgid, k.comm, sizeof(k.comm)))
			snprintf(k.comm, sizeof(k.comm), "?");
		k.comm[KTOP_COMM_LEN - 1] = 0;
		cached = u64map_put(&c->comms, tgid);
		if (cached)
			*cached = k;
		else
			cached = &k;
	}
	memcpy(comm, cached->comm, KTOP_COMM_LEN);
	comm[KTOP_COMM_LEN - 1] = 0;
}

/* Delete the stacks no caller entry refers to any more from the stack map
 * and the cache, so neither grows without bound. A wait in flight whose
 * stack is deleted is counted under the id it got (rare; see docs/locks.md). */
void lk_sweep_stacks(struct col_lk *c)
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
void lk_sweep_comms(struct col_lk *c)
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
