/* SPDX-License-Identifier: GPL-2.0 */
/* Small readers of /proc for process identity. */
#ifndef KTOP_PROCINFO_H
#define KTOP_PROCINFO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/u64map.h"

/* True while process pid exists (a zombie counts as gone). */
bool proc_alive(uint32_t pid);
/* Read /proc/pid/comm into buf (raw bytes, NUL-terminated, newline removed).
 * Returns 0 or -errno. */
int proc_read_comm(uint32_t pid, char *buf, size_t n);

/*
 * Liveness for a sweep over many processes. proc_alive() costs an open and
 * a read; after 10,000 short-lived processes a sweep would make 10,000 of
 * them. proc_live_begin() lists /proc once (its root holds one entry per
 * process); a tgid not listed has exited, one listed is asked proc_alive()
 * once (a zombie is listed too). Take the listing after reading the map whose
 * entries are checked: then a missing tgid was in the map and is gone.
 */
struct proc_live {
	struct u64map seen;		/* tgid -> 1 alive, 2 gone (asked) */
	struct u64map listed;		/* tgids in /proc */
	bool have_listing;		/* else every tgid is asked */
};
void proc_live_begin(struct proc_live *l);
bool proc_live_alive(struct proc_live *l, uint32_t tgid);
void proc_live_end(struct proc_live *l);

#endif
