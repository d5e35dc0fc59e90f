// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the tick schedule in core/tick.c: no drift, no catch-up burst. */
#include <stdarg.h>			/* cmocka 1.1 wants these four first */
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <time.h>
#include "core/core.h"
#include "testutil.h"

#define S	1000000000ull
#define T0	(12345ull * S + 678)	/* an arbitrary CLOCK_MONOTONIC start */

/* A caller that wakes exactly on time: deadlines are start + k * interval. */
static void test_on_time_no_drift(void **state)
{
	struct tick t;
	uint64_t k, d = T0;

	(void)state;
	tick_init(&t, T0, S);
	for (k = 1; k <= 1000000; k++) {
		d = tick_next(&t, d);
		assert_int_equal(d, T0 + k * S);
	}
}

/* Waking late by up to an interval (scheduler, slow poll) does not shift
 * the schedule: lateness is not accumulated. */
static void test_jitter_no_drift(void **state)
{
	const uint64_t iv = 250000000;		/* -d 0.25 */
	struct tick t;
	uint64_t k, d = T0, seed = 3, late;

	(void)state;
	tick_init(&t, T0, iv);
	for (k = 1; k <= 200000; k++) {
		late = tu_rand(&seed) % iv;	/* anything below one interval */
		d = tick_next(&t, d + late);
		assert_int_equal(d, T0 + k * iv);
	}
}

/*
 * Simulate the UI loop: sleep until the deadline (or not at all when it has
 * passed), then ask for the next one. After the clock jumps (suspend, a
 * stalled poll) count the ticks that fire without any wait: a catch-up burst
 * would be many. Allowed: the one deadline that was merely late, plus one
 * that lands exactly on "now".
 */
static void test_no_burst_after_jump(void **state)
{
	const uint64_t iv = S;
	uint64_t jump;

	(void)state;
	for (jump = 0; jump <= 20 * iv; jump += iv / 8) {
		struct tick t;
		uint64_t now = T0, d;
		int immediate = 0, i;

		tick_init(&t, T0, iv);
		d = tick_next(&t, now);
		for (i = 0; i < 5; i++) {		/* settle on the schedule */
			now = d;
			d = tick_next(&t, now);
		}
		now = d + jump;				/* woke up this late */
		for (i = 0; i < 50; i++) {
			d = tick_next(&t, now);
			if (d > now)
				break;
			immediate++;
		}
		if (immediate > 2)
			fail_msg("%d ticks at once after a %.3f s jump", immediate, (double)jump / S);
		if (jump > 2 * iv)
			assert_int_equal(immediate, 0);	/* far behind: straight to now + interval */
		/* and from then on a steady grid again */
		{
			uint64_t base = d;

			for (i = 1; i <= 100; i++) {
				now = d;
				d = tick_next(&t, now);
				assert_int_equal(d, base + (uint64_t)i * iv);
			}
		}
	}
}

/* Far behind: the next deadline is one interval from now, not in the past. */
static void test_far_behind(void **state)
{
	struct tick t;
	uint64_t d;

	(void)state;
	tick_init(&t, T0, S);
	d = tick_next(&t, T0);
	assert_int_equal(d, T0 + S);
	d = tick_next(&t, T0 + 3600 * S);		/* an hour of suspend */
	assert_int_equal(d, T0 + 3601 * S);
	d = tick_next(&t, d);
	assert_int_equal(d, T0 + 3602 * S);
}

/* A zero interval cannot make the loop spin on one deadline. */
static void test_zero_interval(void **state)
{
	struct tick t;
	uint64_t d, prev = T0;
	int i;

	(void)state;
	tick_init(&t, T0, 0);
	for (i = 0; i < 1000; i++) {
		d = tick_next(&t, prev);
		assert_true(d > prev);
		prev = d;
	}
}

static void test_clocks(void **state)
{
	uint64_t a, b;
	int64_t r;
	struct timespec ts;
	int i;

	(void)state;
	a = now_mono_ns();
	for (i = 0; i < 1000; i++) {
		b = now_mono_ns();
		assert_true(b >= a);
		a = b;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	r = now_real_ns();
	assert_true(r / 1000000000 - ts.tv_sec <= 1 && r / 1000000000 - ts.tv_sec >= 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_on_time_no_drift),
		cmocka_unit_test(test_jitter_no_drift),
		cmocka_unit_test(test_no_burst_after_jump),
		cmocka_unit_test(test_far_behind),
		cmocka_unit_test(test_zero_interval),
		cmocka_unit_test(test_clocks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
