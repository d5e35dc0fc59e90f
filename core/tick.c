// SPDX-License-Identifier: GPL-2.0
/* Clocks and the drift-free tick schedule. */
#include <time.h>
#include "core/tick.h"

uint64_t now_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int64_t now_real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

/* See tick.h. */
void tick_init(struct tick *t, uint64_t start_ns, uint64_t interval_ns)
{
	t->start_ns = start_ns;
	t->interval_ns = interval_ns ? interval_ns : 1;
	t->k = 0;
}

/* See tick.h. */
uint64_t tick_next(struct tick *t, uint64_t now_ns)
{
	uint64_t next;

	t->k++;
	next = t->start_ns + t->k * t->interval_ns;
	if (now_ns > next + t->interval_ns) {
		/* fell behind: restart the schedule from now, no burst */
		t->start_ns = now_ns;
		t->k = 1;
		next = now_ns + t->interval_ns;
	}
	return next;
}
