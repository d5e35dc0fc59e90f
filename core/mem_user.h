/* SPDX-License-Identifier: GPL-2.0 */
/* Memory tab, user mode: find the allocator a process really maps and put uprobes on it. */
#ifndef KTOP_MEM_USER_H
#define KTOP_MEM_USER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/mem_maps.h"

struct bpf_program;
struct bpf_link;

struct mem_target {
	uint32_t pid;
	uint64_t start_time;		/* /proc/pid/stat starttime: tells a reused pid apart */
	char lib[MAPS_PATH_MAX];	/* allocator file, as the process sees it */
	char attach_path[MAPS_PATH_MAX + 32];	/* the same file through /proc/pid/root */
};

/*
 * Choose the file whose malloc process pid really calls: among the ELF
 * files it maps executable, the one defining malloc with the best
 * maps_allocator_rank() (static or malloc-exporting executable, then a
 * preloaded allocator, then the C library). Fills t. Returns 0, -ESRCH
 * when the process is gone, -ENOENT when nothing it maps defines malloc,
 * or -errno; why gets one line for the user on error.
 */
int mem_user_find_allocator(uint32_t pid, struct mem_target *t, char *why, size_t n);

/*
 * Attach prog to function fn of the allocator file of t, for process t->pid
 * only (a uretprobe when ret). Returns 0 and the link in *link (caller
 * destroys it), -ENOENT when the file has no such function, or -errno.
 */
int mem_user_attach(struct bpf_program *prog, const struct mem_target *t, const char *fn,
		    bool ret, struct bpf_link **link);

/* True while the process of t runs (same pid and start time, not a zombie). */
bool mem_target_alive(const struct mem_target *t);

/*
 * Start time (field 22, clock ticks since boot) from the text of
 * /proc/PID/stat, len bytes; the command name may hold spaces and ')'.
 * Returns it, or 0 when the text does not parse. Pure; fuzzed.
 */
uint64_t procstat_starttime(const char *text, size_t len);

#endif
