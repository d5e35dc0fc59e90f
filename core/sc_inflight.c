// SPDX-License-Identifier: GPL-2.0
/* Syscalls collector, in flight: the task iterator (bpf/inflight.bpf.c) that
 * lists the threads inside a syscall now, read into the snapshot. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>
#include <sys/utsname.h>
#include "inflight.skel.h"
#include "ktop/syscalls.h"
#include "core/bpfutil.h"
#include "core/ksyms.h"
#include "core/sc_inflight.h"
#include "core/util.h"

#define INFLIGHT_MIN_NS	10000000ULL	/* in-flight calls shorter than 10 ms are not listed */

/* See sc_inflight.h. */
void sc_inflight_free(struct sc_inflight *c)
{
	bpf_link__destroy(c->ifl_link);
	inflight_bpf__destroy(c->ifl);
	free(c->recs);
	ksyms__put(c->ksyms);
	memset(c, 0, sizeof(*c));
}

/*
 * See sc_inflight.h. The task iterator shares the syscalls object's map of
 * start times by fd: its sc_start task storage, or its sc_start_tid hash
 * where there is no task storage (the iterator then looks each task up by
 * thread id; the other map is not even created). Optional: on a kernel that
 * cannot load it (no iter/task, an older verifier) c->ifl stays NULL and
 * c->why says why; the Syscalls tab runs on without it.
 */
void sc_inflight_open(struct sc_inflight *c, int start_fd, bool tid_hash)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	struct bpf_map *use, *unused;
	char cfg[300];
	struct utsname u;
	int err;

	/* CONFIG_HZ converts the jiffies start of untimed calls; libbpf reads
	 * it from the kernel's config and fails the load without one, even
	 * for a __weak extern: then 0, and those calls are not listed */
	snprintf(cfg, sizeof(cfg), "/boot/config-%s", uname(&u) ? "" : u.release);
	if (access(cfg, R_OK) && access("/proc/config.gz", R_OK))
		opts.kconfig = "CONFIG_HZ=0\n";
	c->ifl = inflight_bpf__open_opts(&opts);
	if (!c->ifl) {
		err = -errno;
		goto fail;
	}
	c->ifl->rodata->targ_self = (__u32)getpid();
	c->ifl->rodata->targ_tid_hash = tid_hash;
	use = tid_hash ? c->ifl->maps.sc_start_tid : c->ifl->maps.sc_start;
	unused = tid_hash ? c->ifl->maps.sc_start : c->ifl->maps.sc_start_tid;
	bpf_map__set_autocreate(unused, false);
	err = bpf_map__reuse_fd(use, start_fd);
	if (err)
		goto fail;
	err = inflight_bpf__load(c->ifl);
	if (err)
		goto fail;
	c->ifl->bss->min_elapsed_ns = INFLIGHT_MIN_NS;
	c->ifl_link = bpf_program__attach_iter(c->ifl->progs.inflight_task, NULL);
	if (!c->ifl_link) {
		err = -errno;
		goto fail;
	}
	return;
fail:
	snprintf(c->why, sizeof(c->why),
		 "in flight: the kernel refused the task iterator: %s (iter/task needs Linux 5.8+)",
		 strerror(-err));
	bpf_link__destroy(c->ifl_link);
	c->ifl_link = NULL;
	inflight_bpf__destroy(c->ifl);
	c->ifl = NULL;
}

/* The state letter ps shows for task->__state (and 'I' for idle kernel waits). */
static char task_state_char(uint32_t st)
{
	if ((st & 0x402) == 0x402)		/* TASK_UNINTERRUPTIBLE | TASK_NOLOAD */
		return 'I';
	st &= 0x7f;				/* TASK_REPORT */
	if (!st)
		return 'R';
	if (st & 0x1)
		return 'S';
	if (st & 0x2)
		return 'D';
	if (st & 0x4)
		return 'T';
	if (st & 0x8)
		return 't';
	if (st & 0x10)
		return 'X';
	if (st & 0x20)
		return 'Z';
	if (st & 0x40)
		return 'P';
	return '?';
}

static int cmp_rec(const void *a, const void *b)
{
	const struct ktop_inflight_rec *x = a, *y = b;

	if (x->elapsed_ns != y->elapsed_ns)
		return x->elapsed_ns < y->elapsed_ns ? 1 : -1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

/* Run one pass of the task iterator into c->recs. Returns the number of
 * records, or -errno. */
static long inflight_read(struct sc_inflight *c)
{
	const size_t rsz = sizeof(*c->recs);
	size_t have = 0;			/* bytes read */
	ssize_t r;
	int fd;

	fd = bpf_iter_create(bpf_link__fd(c->ifl_link));
	if (fd < 0)
		return -errno;
	for (;;) {
		if (have + rsz > c->reccap * rsz &&
		    array_reserve((void **)&c->recs, &c->reccap, have / rsz + 1, rsz)) {
			close(fd);
			return -ENOMEM;
		}
		r = read(fd, (char *)c->recs + have, c->reccap * rsz - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		have += (size_t)r;
	}
	if (r < 0)
		r = -errno;
	close(fd);
	return r < 0 ? (long)r : (long)(have / rsz);
}

/* See sc_inflight.h. The longest calls still running, the longest calls still running,
 * the first few with their kernel stack. Stacks cost a walk each, so the
 * iterator takes them only of calls at least as long as the last of the top
 * few in the previous pass (they can only have grown since). */
void sc_inflight_fill(struct sc_inflight *c, const char names[][32], struct ktop_sc_snap *out)
{
	long n, i;
	uint32_t k;

	out->ninflight = out->inflight_total = out->inflight_d = 0;
	out->inflight_min_ns = INFLIGHT_MIN_NS;
	if (!c->ifl) {
		snprintf(out->inflight_why, sizeof(out->inflight_why), "%s", c->why);
		return;
	}
	out->inflight_why[0] = 0;
	n = inflight_read(c);
	if (n < 0) {
		snprintf(out->inflight_why, sizeof(out->inflight_why),
			 "in flight: cannot read the task iterator: %s", strerror((int)-n));
		return;
	}
	if (n)
		qsort(c->recs, (size_t)n, sizeof(*c->recs), cmp_rec);
	for (i = 0; i < n; i++)
		out->inflight_d += task_state_char(c->recs[i].state) == 'D';
	out->inflight_total = (uint32_t)n;
	out->ninflight = n < KTOP_SC_INFLIGHT_MAX ? (uint32_t)n : KTOP_SC_INFLIGHT_MAX;
	if (out->ninflight && !c->ksyms_tried) {
		c->ksyms_tried = true;
		if (ksyms__get(&c->ksyms))
			c->ksyms = NULL;
	}
	for (k = 0; k < out->ninflight; k++) {
		const struct ktop_inflight_rec *r = &c->recs[k];
		struct ktop_sc_inflight *f = &out->inflight[k];
		uint32_t j;

		f->tid = r->tid;
		f->pid = r->tgid;
		f->nr = r->nr;
		f->state = task_state_char(r->state);
		f->elapsed_ns = r->elapsed_ns;
		if (r->nr < KTOP_SC_MAX)
			memcpy(f->name, names[r->nr], sizeof(f->name));
		else
			snprintf(f->name, sizeof(f->name), "syscall_%u", r->nr);
		memcpy(f->comm, r->comm, sizeof(f->comm));
		memcpy(f->pcomm, r->pcomm, sizeof(f->pcomm));
		f->comm[sizeof(f->comm) - 1] = f->pcomm[sizeof(f->pcomm) - 1] = 0;
		f->nframes = 0;
		for (j = 0; k < KTOP_SC_INFLIGHT_STACKS && j < r->nstack &&
			    f->nframes < KTOP_SC_INFLIGHT_FRAMES; j++)
			ksyms__fmt(c->ksyms, r->stack[j], f->frames[f->nframes++],
				   sizeof(f->frames[0]));
	}
	/* next pass: stacks of calls at least as long as the top few now */
	c->ifl->data->stack_min_ns = n >= KTOP_SC_INFLIGHT_STACKS ?
		c->recs[KTOP_SC_INFLIGHT_STACKS - 1].elapsed_ns : INFLIGHT_MIN_NS;
}
