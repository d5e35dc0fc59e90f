// SPDX-License-Identifier: GPL-2.0
/* libFuzzer harness for trigger_parse() and trigger_eval(): the input is one --trigger expression. */
// fuzz-sources: core/trig_*.c
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/trigger.h"

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "violated: %s\n", #c); abort(); } } while (0)

static struct ktop_snapshot *snap;

/* A snapshot with a row in every tab, so evaluation walks real rows. */
static void make_snap(void)
{
	int i;

	snap = calloc(1, sizeof(*snap));
	if (!snap)
		abort();
	snap->interval_ns = 1000000000;
	snap->lost_events = 2;
	for (i = 0; i < KTOP_TAB_MAX; i++)
		snap->tab[i].state = KTOP_TAB_RUNNING;
	snap->sc.nrows = 1;
	strcpy(snap->sc.rows[0].name, "futex");
	snap->sc.rows[0].p99_ns = 5000000;
	snap->io.nrows = 1;
	strcpy(snap->io.rows[0].disk, "vda");
	strcpy(snap->io.rows[0].op, "read");
	snap->lock.nrows = 1;
	strcpy(snap->lock.rows[0].symbol, "a+0x1");
	snap->mem.nrows = 1;
	snap->mem.rows[0].pid = 7;
	snap->mem.rows[0].suspect = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ktop_trigger t;
	char *expr = malloc(size + 1), err[256], what[200], key[128];
	const char *p;
	double a, b;
	int r;

	if (!expr)
		return 0;
	if (!snap)
		make_snap();
	memcpy(expr, data, size);
	expr[size] = 0;
	memset(err, 0x5a, sizeof(err));
	r = trigger_parse(expr, &t, err, sizeof(err));
	CHECK(r == 0 || r == -EINVAL);
	if (r) {
		CHECK(memchr(err, 0, sizeof(err)) != NULL);	/* terminated inside errlen */
		CHECK(strstr(err, "column ") != NULL);		/* and says where */
	} else {
		/* the file-name part: safe characters only, never "..", never leading '.' or '-' */
		CHECK(t.name[0] && t.name[0] != '.' && t.name[0] != '-');
		CHECK(!strstr(t.name, ".."));
		for (p = t.name; *p; p++)
			CHECK(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *p));
		CHECK(t.tab >= -1 && t.tab < KTOP_TAB_MAX);
		CHECK(t.value >= 0 && t.value == t.value);	/* no NaN, no sign */
		r = trigger_eval(&t, snap, what, sizeof(what));
		CHECK(r == 0 || r == 1);
		if (r)
			CHECK(memchr(what, 0, sizeof(what)) != NULL);
		if (t.tab >= 0) {
			CHECK(trigger_row_key(t.tab, snap, 0, key, sizeof(key)) == 0);
			CHECK(trigger_row_badness(t.tab, snap, key, &a, &b) == 0);
		}
	}
	free(expr);
	return 0;
}
