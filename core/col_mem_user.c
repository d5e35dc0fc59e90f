// SPDX-License-Identifier: GPL-2.0
/* Memory collector, user mode: uprobes on one process's allocator, a row per allocation stack. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "memuser.skel.h"
#include "core/bpfutil.h"
#include "core/col_mem_int.h"
#include "core/msg.h"
#include "core/procinfo.h"

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
	if (stack_id < 0 || mem_read_stack(c, stack_id, ips)) {
		d->nframes = 1;
		snprintf(d->frames[0], KTOP_FRAME_LEN, "[no stack]");
		return;
	}
	for (i = 0; i < KTOP_MEM_STACK_DEPTH && ips[i] && d->nframes < KTOP_MEM_FRAMES_MAX; i++) {
		ufmt(c, ips[i], d->frames[d->nframes], d->srcs[d->nframes]);
		d->nframes++;
	}
}

int mem_open_user(struct col_mem *c, const struct ktop_opts *o, struct ktop_tab_status *st)
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

/* User mode: every site is a row (its stack alongside), target's pid. */
int mem_user_rows(struct col_mem *c, struct ktop_mem_snap *m, uint64_t now)
{
	size_t j, n = 0;
	uint32_t i;

	if (mem_grow_tmp(c, c->sites.n))
		return -ENOMEM;
	for (j = 0; j < c->sites.cap; j++) {
		struct site *s = u64map_val(&c->sites, j);
		struct ktop_mem_row *r;
		struct mem_trend *tr;
		uint64_t bytes;

		if (!c->sites.used[j])
			continue;
		bytes = mem_site_out_bytes(s);
		tr = u64map_put(&c->utrend, c->sites.keys[j]);
		if (!tr)
			return -ENOMEM;
		mem_trend_push(tr, now, mem_site_blind(s) ? 0 : bytes);
		m->outstanding_bytes += bytes;
		m->tracked += mem_site_out_allocs(s);
		r = &c->tmp[n++];
		memset(r, 0, sizeof(*r));
		r->pid = c->tgt.pid;
		r->stack = (int32_t)(uint32_t)c->sites.keys[j];	/* stack id until placed */
		memcpy(r->comm, c->tgt_comm, KTOP_COMM_LEN);
		r->outstanding_bytes = bytes;
		r->outstanding_allocs = mem_site_out_allocs(s);
		r->allocs = s->d_allocs;
		r->frees = s->d_frees;
		r->oldest_age_ns = r->outstanding_allocs ? mem_age(now, s->oldest_ts) : 0;
		r->growth_bytes_per_s = mem_trend_slope(tr);
		r->highs = mem_trend_highs(tr);
		r->suspect = mem_suspect(r->oldest_age_ns, c->leak_age_ns, r->highs);
		r->held = mem_held(tr, r->suspect, r->oldest_age_ns, c->leak_age_ns);
		r->exited = c->tgt_exited;
	}
	m->nrows_total = (uint32_t)n;
	m->nrows = n < KTOP_MEM_STACKS_MAX ? (uint32_t)n : KTOP_MEM_STACKS_MAX;
	if (n) {			/* c->tmp may still be NULL */
		qsort(c->tmp, n, sizeof(c->tmp[0]), mem_row_cmp);
		memcpy(m->rows, c->tmp, m->nrows * sizeof(m->rows[0]));
	}
	for (i = 0; i < m->nrows; i++) {
		struct ktop_mem_row *r = &m->rows[i];
		struct ktop_mem_stack *d = &m->stacks[i];
		const struct site *s = u64map_get(&c->sites, mem_site_key(c->tgt.pid, r->stack));

		memset(d, 0, sizeof(*d));
		if (s)
			mem_stack_counts(d, s, c->tgt.pid, now);
		fill_ustack(c, d, r->stack);
		r->stack = (int32_t)i;
	}
	m->nstacks = m->nrows;
	return 0;
}
