/* SPDX-License-Identifier: GPL-2.0 */
/* The snapshot: plain data the UI and the writers read; nothing points into BPF or curses. */
#ifndef KTOP_SNAPSHOT_H
#define KTOP_SNAPSHOT_H
#include <stdint.h>
#include "core/opts.h"
#include "ktop/hist.h"
#include "ktop/comm.h"

enum ktop_tab_state {
	KTOP_TAB_OFF,			/* not asked for (--panes) */
	KTOP_TAB_DISABLED,		/* asked for, cannot run: see why */
	KTOP_TAB_RUNNING,
};

struct ktop_tab_status {
	int state;			/* enum ktop_tab_state */
	char why[320];			/* disabled: one line the user can act on */
	char attach[16];		/* how it is attached: "tp_btf", "raw_tp", "uprobe" */
	char note[128];			/* running: something the user should know (target exited, ...) */
	uint64_t lost_total;		/* events lost since start (ring buffer, full maps) */
	uint64_t lost;			/* ... in this interval */
};

#include "core/snap_syscalls.h"
#include "core/snap_memory.h"
#include "core/snap_locks.h"
#include "core/snap_io.h"

/* The flight recorder (core/recorder.c) as it was when the snapshot was taken. */
struct ktop_rec_status {
	int on;				/* 0: --keep 0, or a replay without the figures */
	uint32_t kept;			/* intervals kept in memory */
	uint64_t kept_ns;		/* time they span */
	uint64_t bytes;			/* memory they take */
	uint64_t keep_ns, keep_mem;	/* the bounds: --keep, --keep-mem */
	uint32_t triggers;		/* --trigger expressions */
	uint32_t saving;		/* trigger files being written now */
	uint64_t saved;			/* trigger files saved since start */
};

struct ktop_snapshot {
	uint64_t iteration;		/* 1 for the first interval */
	uint64_t mono_ns;		/* CLOCK_MONOTONIC at poll */
	int64_t real_ns;		/* CLOCK_REALTIME at poll, display only */
	uint64_t interval_ns;		/* actual length of this interval */
	uint64_t lost_events;		/* sum of the tabs' lost in this interval */
	double self_cpu_pct;		/* ktop's own CPU over the interval, % of one core */
	uint64_t self_rss_kb;
	char host[64];
	char kernel[64];
	char version[32];
	int bpf_stats;			/* 1 when BPF run-time statistics are on */
	uint64_t bpf_run_ns;		/* ktop's BPF programs' run time in the interval */
	uint64_t bpf_run_cnt;		/* ... and their number of runs */
	char listen[64];		/* --listen: address /metrics is served on, or "" */
	uint64_t scrapes_total;		/* /metrics requests answered since start */
	double scrapes_per_s;		/* ... over this interval */
	char exited[128];		/* "-p process exited: 123, 456", or "" */
	struct ktop_rec_status rec;
	struct ktop_tab_status tab[KTOP_TAB_MAX];
	struct ktop_sc_snap sc;
	struct ktop_mem_snap mem;
	struct ktop_lock_snap lock;
	struct ktop_io_snap io;
};

/* The interval in seconds (a snapshot without one counts as 1 s), and a
 * per-second rate over it: the one formula every writer and screen uses. */
static inline double ktop_secs(const struct ktop_snapshot *s)
{
	return s->interval_ns ? s->interval_ns / 1e9 : 1;
}

static inline double ktop_rate(const struct ktop_snapshot *s, double n)
{
	return n / ktop_secs(s);
}

/* part as a percentage of whole; 0 when whole is 0 */
static inline double ktop_pct(double part, double whole)
{
	return whole ? 100.0 * part / whole : 0.0;
}

#endif
