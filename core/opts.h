/* SPDX-License-Identifier: GPL-2.0 */
/* Run-time options: what the command line decided, read by core, ui and writers. */
#ifndef KTOP_OPTS_H
#define KTOP_OPTS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/tabs.h"

#define KTOP_MAX_PIDS	64


enum ktop_mem_mode {
	KTOP_MEM_KERNEL,
	KTOP_MEM_USER,
};

#define KTOP_TRIGGERS_MAX	16

/* One --trigger expression, parsed (core/trigger.c): plain data. */
struct ktop_trigger {
	char expr[128];			/* as typed */
	char name[64];			/* file-name part: [A-Za-z0-9._-] only */
	int tab;			/* enum ktop_tab_id, or -1: top level (lost) */
	char sel[64];			/* row selector between [ ], "" = every row */
	int field;			/* index in the tab's trigger fields (core/trig.h) */
	int op;				/* enum trig_op */
	double value;			/* ns, bytes or a count; per second when per_s */
	bool per_s;			/* compare the field's rate over the interval */
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
	bool sc_exact;			/* --exact: time every syscall (default: sampled when hot) */
	bool force_raw_tp;		/* KTOP_FORCE_RAW_TP=1: exercise the fallback */
	bool force_tid_hash;		/* KTOP_FORCE_TID_HASH=1: per-thread state in tid hashes */
	bool test_reject;		/* KTOP_TEST_VERIFIER_REJECT=1: tests only, see syscalls.bpf.c */
	int verbose;			/* -v: libbpf messages */
	const char *output;		/* -o FILE */
	const char *snapshot_dir;	/* --snapshot-dir */
	const char *replay;		/* --replay FILE */
	uint64_t leak_age_ns;		/* --leak-age, default 10 s */
	int mem_mode;			/* enum ktop_mem_mode */
	bool own_uprobes;		/* ktop puts uprobes in the -p target (user-mode Memory) */
	uint32_t mem_max_outstanding;	/* --mem-max: outstanding-allocation map size */
	bool mem_stacks_always;		/* --mem-stacks always: kernel sites by stack, walked per allocation */
	uint64_t lock_long_ns;		/* --lock-long: long-wait threshold, default 1 ms */
	uint64_t io_slow_ns;		/* --io-slow: slow-I/O list threshold, default 10 ms */
	uint64_t io_flag_p95_ns;	/* --io-flag: flag rows with p95 above, default 100 ms */
	bool quiet;			/* -q: with -b, write no report (a headless scrape target) */
	const char *listen;		/* --listen ADDR:PORT for /metrics, NULL = off */
	uint32_t metrics_top;		/* --metrics-top: per-process/per-lock series, default 10 */
	uint64_t keep_ns;		/* --keep: recorder window, default 2 min, 0 = off */
	uint64_t keep_mem;		/* --keep-mem: recorder byte bound, default 64 MiB */
	uint64_t after_ns;		/* --after: what a trigger file holds after the firing */
	uint64_t cooldown_ns;		/* --cooldown: quiet time of a trigger after it fired */
	uint64_t min_free;		/* --min-free: disk floor in bytes, 0 = max(1 GiB, 5%) */
	bool record;			/* --record: headless, print only the files saved */
	int ntriggers;
	struct ktop_trigger triggers[KTOP_TRIGGERS_MAX];	/* --trigger */
};

#endif
