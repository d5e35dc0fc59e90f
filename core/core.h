/* SPDX-License-Identifier: GPL-2.0 */
/* Core: the collectors, the two snapshots, and the tick clock. */
#ifndef KTOP_CORE_H
#define KTOP_CORE_H
#include "core/snapshot.h"

/*
 * Open every collector the options ask for. A collector that fails is
 * disabled with its reason in the snapshot; the others still run.
 * Returns 0 when at least one collector runs, -ENODEV when none does (the
 * reasons are stored with msg_err()), -ENOMEM.
 */
int core_open(const struct ktop_opts *o);

/*
 * Poll every running collector into the next snapshot and make it current.
 * The first call after core_open() primes the counters (deltas start there)
 * and returns the baseline snapshot with iteration 0. Returns 0, or -ENOMEM
 * when the flight recorder could not keep the snapshot (it is current all
 * the same, and the run goes on); a collector's failure is not returned but
 * told in its tab's status.
 */
int core_poll(void);

/* The current snapshot, valid until the next core_poll(); never NULL after core_open(). */
const struct ktop_snapshot *core_snapshot(void);

/* Detach and free every collector. Safe to call twice, and from an
 * atexit() handler after a fatal error. */
void core_close(void);

/* CLOCK_MONOTONIC / CLOCK_REALTIME in ns. */
uint64_t now_mono_ns(void);
int64_t now_real_ns(void);

/*
 * Fixed-rate tick clock. tick_next() returns the absolute CLOCK_MONOTONIC
 * time of the next tick: start + k * interval, so ticks do not drift. When
 * the caller fell behind by more than one interval (suspend, slow poll),
 * the schedule moves forward instead of firing a burst of catch-up ticks.
 */
struct tick {
	uint64_t start_ns, interval_ns, k;
};
void tick_init(struct tick *t, uint64_t start_ns, uint64_t interval_ns);
uint64_t tick_next(struct tick *t, uint64_t now_ns);

#endif
