/* SPDX-License-Identifier: GPL-2.0 */
/* Core: the collectors and the two snapshots (the clock: core/tick.h). */
#ifndef KTOP_CORE_H
#define KTOP_CORE_H
#include "core/snapshot.h"
#include "core/tick.h"

/*
 * Open every collector the options ask for. A collector that fails is
 * disabled with its reason in the snapshot; the others still run.
 * Before each collector it looks at *stop (when stop is not NULL): once a
 * signal handler set it, it opens no more. Returns 0 when at least one
 * collector runs, -EINTR when *stop ended start-up (core_close() detaches
 * what was opened), -ENODEV when none runs (the reasons are stored with
 * msg_err()), -ENOMEM.
 */
int core_open(const struct ktop_opts *o, const volatile int *stop);

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

#endif
