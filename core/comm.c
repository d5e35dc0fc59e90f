// SPDX-License-Identifier: GPL-2.0
/* Command names of processes for the collectors' rows (see comm.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "core/comm.h"
#include "core/procinfo.h"
#include "core/u64map.h"

/* See comm.h. */
void comm_fetch(int fd, uint32_t tgid, char comm[16])
{
	if (bpf_map_lookup_elem(fd, &tgid, comm) && proc_read_comm(tgid, comm, 16))
		snprintf(comm, 16, "?");
	comm[15] = 0;
}

/* See comm.h. */
void comm_lookup(struct u64map *cache, int fd, uint32_t tgid, char comm[16])
{
	char *cached = u64map_get(cache, tgid);

	if (cached) {
		memcpy(comm, cached, 16);
		return;
	}
	comm_fetch(fd, tgid, comm);
	cached = u64map_put(cache, tgid);
	if (cached)
		memcpy(cached, comm, 16);
}
