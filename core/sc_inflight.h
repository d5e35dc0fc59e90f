/* SPDX-License-Identifier: GPL-2.0 */
/* Syscalls collector, in flight: threads inside a syscall right now. */
#ifndef KTOP_SC_INFLIGHT_H
#define KTOP_SC_INFLIGHT_H
#include <stdbool.h>
#include <stddef.h>
#include "core/snapshot.h"

struct sc_inflight {
	struct inflight_bpf *ifl;	/* in-flight task iterator, NULL when unavailable */
	struct bpf_link *ifl_link;
	char why[128];			/* why it is unavailable */
	struct ktop_inflight_rec *recs;	/* one iterator pass */
	size_t reccap;
	struct ksyms *ksyms;		/* for in-flight stacks; NULL: addresses */
	bool ksyms_tried;
};

/* Load the task iterator over the syscall start times in start_fd: the
 * task storage map, or the thread-id hash when tid_hash. Optional: on a kernel that cannot load it c->ifl stays
 * NULL and c->why says why; the Syscalls tab runs on without it. */
void sc_inflight_open(struct sc_inflight *c, int start_fd, bool tid_hash);

/* Fill the in-flight part of the snapshot; names[nr] names syscall nr
 * (nr < KTOP_SC_MAX). */
void sc_inflight_fill(struct sc_inflight *c, const char names[][32], struct ktop_sc_snap *out);

/* Detach and free; c is all zero after. */
void sc_inflight_free(struct sc_inflight *c);

#endif
