/* SPDX-License-Identifier: GPL-2.0 */
/* Run time of ktop's own BPF programs (BPF_ENABLE_STATS), for the health line. */
#ifndef KTOP_BPFSTATS_H
#define KTOP_BPFSTATS_H
#include <stdbool.h>
#include <stdint.h>

/*
 * Turn the kernel's per-program run-time accounting on or off. It costs two
 * clock reads per program run, so it is off unless asked for (--bpf-stats or
 * the s key). Returns 0 or -errno (e.g. an old kernel without BPF_ENABLE_STATS).
 */
int bpfstats_set(bool on);
bool bpfstats_on(void);
/* Sum run time and run count over the BPF programs this process holds. Can't fail. */
void bpfstats_read(uint64_t *run_ns, uint64_t *run_cnt);

#endif
