// SPDX-License-Identifier: GPL-2.0
/* Memory collector, kernel mode: sites folded into processes, their life, names and rows. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include "core/bpfutil.h"
#include "core/col_mem_int.h"
#include "core/procinfo.h"

static void comm_of(struct col_mem *c, uint32_t tgid, char comm[KTOP_COMM_LEN])
{
	const char *name;

	if (tgid == KTOP_MEM_IRQ_TGID) {
		snprintf(comm, KTOP_COMM_LEN, "[interrupt]");
		return;
	}
	/* the name the program recorded at the process's newest call site
	 * first (from comms_batch() when it ran): one syscall, and it works for
	 * processes that have exited, where /proc costs three and fails */
	name = c->names.n ? u64map_get(&c->names, tgid) : NULL;
	if (name) {
		memcpy(comm, name, KTOP_COMM_LEN);
		comm[KTOP_COMM_LEN - 1] = 0;
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
	n = map_buf_read(c->comms_fd, sizeof(__u32), sizeof(struct ktop_comm), false,
			 &c->cbuf);
	for (i = 0; i < n; i++) {
		char *name = u64map_put(&c->names, ((__u32 *)c->cbuf.keys)[i]);

		if (!name) {
			u64map_clear(&c->names);
			return;
		}
		memcpy(name, ((struct ktop_comm *)c->cbuf.vals)[i].comm, KTOP_COMM_LEN);
	}
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
	mem_proc_reset(p, c->polls);
	return p;
}

/* This poll's processes: the sums of their sites, and those exited
 * lately that still show. Returns 0 or -ENOMEM. */
static int sum_procs(struct col_mem *c, uint64_t now)
{
	size_t j;

	u64map_swap(&c->procs, &c->procs_old);
	u64map_clear(&c->procs);
	for (j = 0; j < c->sites.cap; j++) {
		struct proc *p;

		if (!c->sites.used[j])
			continue;
		p = proc_of(c, (uint32_t)(c->sites.keys[j] >> 32));
		if (!p)
			return -ENOMEM;
		mem_proc_add_site(p, u64map_val(&c->sites, j));
	}
	/* An exited process's sites go once nothing is outstanding on them
	 * (below); its row stays for LINGER_ZERO_NS all the same. */
	for (j = 0; j < c->procs_old.cap; j++) {
		const struct proc *old = u64map_val(&c->procs_old, j);
		uint32_t tgid = (uint32_t)c->procs_old.keys[j];

		if (!c->procs_old.used[j] || !old->exited_ns || u64map_get(&c->procs, tgid))
			continue;
		if (now - old->exited_ns > LINGER_ZERO_NS) {
			mem_delq_push(&c->del_comms, c->comms_fd, &tgid);	/* its row's time is up */
			continue;
		}
		if (!proc_of(c, tgid))
			return -ENOMEM;
	}
	return 0;
}

/* Follow each process's trend, name and life; drop processes gone for
 * longer than LINGER_NS. */
static void follow_procs(struct col_mem *c, uint64_t now)
{
	size_t j;

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
static void forget_sites(struct col_mem *c)
{
	size_t j;

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
			if (mem_site_out_allocs(s) || (s->idle < IDLE_POLLS && !(p && p->exited_ns)))
				continue;
		}
		mem_delq_push(&c->del_sites, c->sites_fd, &k);
		if (gone)
			mem_delq_push(&c->del_comms, c->comms_fd, &k.tgid);
	}
	mem_delq_flush(&c->del_sites, c->sites_fd);
	mem_delq_flush(&c->del_comms, c->comms_fd);
}

/* Kernel mode: sum sites per process, follow each process's trend and
 * life, drop processes gone for longer than LINGER_NS. */
int mem_fold_procs(struct col_mem *c, uint64_t now)
{
	int err = sum_procs(c, now);

	if (err)
		return err;
	comms_batch(c);
	follow_procs(c, now);
	forget_sites(c);
	return 0;
}

int mem_kernel_rows(struct col_mem *c, struct ktop_mem_snap *m, uint64_t now)
{
	size_t j, n = 0;

	if (mem_grow_tmp(c, c->procs.n))
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
		memcpy(r->comm, p->comm, KTOP_COMM_LEN);
		r->outstanding_bytes = p->out_bytes;
		r->outstanding_allocs = p->out_allocs;
		r->allocs = p->d_allocs;
		r->frees = p->d_frees;
		r->oldest_age_ns = p->out_allocs ? mem_age(now, p->oldest_ts) : 0;
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
		qsort(c->tmp, n, sizeof(c->tmp[0]), mem_row_cmp);
		memcpy(m->rows, c->tmp, m->nrows * sizeof(m->rows[0]));
	}
	return 0;
}
