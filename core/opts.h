/* SPDX-License-Identifier: GPL-2.0 */
/* Run-time options: what the command line decided, read by core, ui and writers. */
#ifndef KTOP_OPTS_H
#define KTOP_OPTS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KTOP_MAX_PIDS	64

enum ktop_tab_id {
	KTOP_TAB_SYSCALLS,
	KTOP_TAB_MEMORY,
	KTOP_TAB_LOCKS,
	KTOP_TAB_IO,
	KTOP_TAB_MAX
};

enum ktop_mem_mode {
	KTOP_MEM_KERNEL,
	KTOP_MEM_USER,
};

struct ktop_opts {
	uint64_t interval_ns;		/* -d, default 1 s */
	long iterations;		/* -n, 0 = until stopped */
	uint32_t pids[KTOP_MAX_PIDS];	/* -p, tgids */
	int npids;
	int first_tab;			/* -t, enum ktop_tab_id */
	unsigned panes;			/* --panes, bit (1 << enum ktop_tab_id) */
	bool batch;			/* -b */
	bool json;			/* --json */
	bool no_color;			/* --no-color or NO_COLOR */
	bool bpf_stats;			/* --bpf-stats: BPF_ENABLE_STATS from the start */
	bool force_raw_tp;		/* KTOP_FORCE_RAW_TP=1: exercise the fallback */
	int verbose;			/* -v: libbpf messages */
	const char *output;		/* -o FILE */
	const char *snapshot_dir;	/* --snapshot-dir */
	const char *replay;		/* --replay FILE */
	uint64_t leak_age_ns;		/* --leak-age, default 10 s */
	int mem_mode;			/* enum ktop_mem_mode */
	uint32_t mem_max_outstanding;	/* --mem-max: outstanding-allocation map size */
	bool mem_stacks_always;		/* --mem-stacks always: kernel sites by stack, walked per allocation */
	uint64_t lock_long_ns;		/* --lock-long: long-wait threshold, default 1 ms */
	uint64_t io_slow_ns;		/* --io-slow: slow-I/O list threshold, default 10 ms */
	uint64_t io_flag_p95_ns;	/* --io-flag: flag rows with p95 above, default 100 ms */
	bool quiet;			/* -q: with -b, write no report (a headless scrape target) */
	const char *listen;		/* --listen ADDR:PORT for /metrics, NULL = off */
	uint32_t metrics_top;		/* --metrics-top: per-process/per-lock series, default 10 */
};

/* Names of the tabs, as -t and --panes spell them. */
extern const char *const ktop_tab_names[KTOP_TAB_MAX];

#endif
