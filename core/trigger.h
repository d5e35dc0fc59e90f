/* SPDX-License-Identifier: GPL-2.0 */
/* Trigger expressions (--trigger): parse "io[vda].p99>50ms", test it on a snapshot. */
#ifndef KTOP_TRIGGER_H
#define KTOP_TRIGGER_H
#include <stddef.h>
#include "core/snapshot.h"

enum trig_op { TRIG_TRUE, TRIG_GT, TRIG_GE, TRIG_LT, TRIG_LE, TRIG_EQ, TRIG_NE };

/*
 * Parse expr into t. Returns 0, or -EINVAL with one line in err that quotes
 * the expression, gives the 1-based column of the offending character and
 * says what was expected there. Pure: no allocation, no I/O.
 */
int trigger_parse(const char *expr, struct ktop_trigger *t, char *err, size_t errlen);

/*
 * Test t on snapshot s. Returns 1 when it holds (and, when what is not
 * NULL, a line such as "syscalls[nanosleep].p99 = 201ms" in what), else 0.
 * The figure is the sum over the matching rows for counters and amounts
 * (count, bytes, time, wait, ...), the maximum for the rest (percentiles,
 * max, age, suspect). Can't fail.
 */
int trigger_eval(const struct ktop_trigger *t, const struct ktop_snapshot *s, char *what, size_t n);

/*
 * Identity of row `row` of tab's table in s (syscall name, "disk:op", lock
 * address, PID), so the same row can be found in other snapshots. Returns
 * 0, or -ERANGE when row is out of range.
 */
int trigger_row_key(int tab, const struct ktop_snapshot *s, int row, char *key, size_t n);

/*
 * How bad the row with identity key is in s, for "jump to the worst
 * interval": syscalls and io p99 (max breaks ties), locks total wait,
 * memory outstanding bytes. Returns 0 and the two figures, or -ENOENT when
 * s has no such row.
 */
int trigger_row_badness(int tab, const struct ktop_snapshot *s, const char *key,
			double *primary, double *secondary);

#endif
