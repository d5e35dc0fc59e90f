/* SPDX-License-Identifier: GPL-2.0 */
/* Clocks in ns and the drift-free tick schedule: no collector, no snapshot. */
#ifndef KTOP_TICK_H
#define KTOP_TICK_H
#include <stdint.h>

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
