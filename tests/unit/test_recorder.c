// SPDX-License-Identifier: GPL-2.0
/* Unit tests of core/recorder.c: the time and byte bounds, trigger files, cooldown, the disk floor. */
#include <stdarg.h>			/* cmocka 1.1 wants these four first */
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/cli.h"
#include "core/jsonr.h"
#include "core/msg.h"
#include "core/recorder.h"
#include "core/snapfile.h"
#include "core/trigger.h"
#include "testutil.h"

#define SEC	1000000000ull

struct fx {
	char dir[64];
	struct ktop_opts o;
	struct ktop_snapshot *s;
	struct recorder *r;
};

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	strcpy(fx->dir, "/tmp/ktop-test-rec-XXXXXX");
	if (!mkdtemp(fx->dir))
		return -1;
	cli_defaults(&fx->o);
	fx->o.snapshot_dir = fx->dir;
	fx->o.min_free = 1;			/* the test machine's disk is not the subject */
	fx->s = calloc(1, sizeof(*fx->s));
	if (!fx->s)
		return -1;
	strcpy(fx->s->version, "test");
	fx->s->interval_ns = SEC;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	recorder__free(fx->r);
	tu_rm_tree(fx->dir);
	free(fx->s);
	free(fx);
	return 0;
}

/* Push interval i (1-based, 1 s each) with lost_events lost. */
static void push(struct fx *fx, uint64_t i, uint64_t lost)
{
	fx->s->iteration = i;
	fx->s->mono_ns = 1000 * SEC + i * SEC;
	fx->s->real_ns = (int64_t)(1764096848 + i) * (int64_t)SEC;
	fx->s->lost_events = lost;
	assert_int_equal(recorder__push(fx->r, fx->s), 0);
}

static int count_files(const char *dir, const char *suffix, char *first, size_t n)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int k = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name), sl = strlen(suffix);

		if (l > sl && !strcmp(e->d_name + l - sl, suffix) && e->d_name[0] != '.') {
			if (!k && first)
				snprintf(first, n, "%s/%s", dir, e->d_name);
			k++;
		}
	}
	closedir(d);
	return k;
}

static void test_off(void **state)
{
	struct fx *fx = *state;
	struct ktop_rec_status st;
	char err[256];

	fx->o.keep_ns = 0;
	assert_int_equal(recorder__new(&fx->r, &fx->o, err, sizeof(err)), 0);
	assert_null(fx->r);
	assert_int_equal(recorder__push(NULL, fx->s), 0);
	recorder__status(NULL, &st);
	assert_int_equal(st.on, 0);
	assert_int_equal(recorder__kept(NULL), 0);
}

static void test_time_bound(void **state)
{
	struct fx *fx = *state;
	struct ktop_rec_status st;
	char err[256];
	size_t len;
	uint64_t i;

	fx->o.keep_ns = 10 * SEC;
	assert_int_equal(recorder__new(&fx->r, &fx->o, err, sizeof(err)), 0);
	for (i = 1; i <= 30; i++) {
		push(fx, i, 0);
		recorder__status(fx->r, &st);
		assert_int_equal(st.kept, i < 10 ? i : 10);
		assert_true(st.kept_ns <= 10 * SEC);
	}
	assert_true(st.kept_ns == 10 * SEC);
	assert_non_null(recorder__line(fx->r, 30, &len));
	assert_null(recorder__line(fx->r, 29, &len));	/* only the newest */
}

static void test_byte_bound(void **state)
{
	struct fx *fx = *state;
	struct ktop_rec_status st;
	char err[256];
	size_t len;
	uint64_t i, one;

	fx->o.keep_mem = 4096;
	assert_int_equal(recorder__new(&fx->r, &fx->o, err, sizeof(err)), 0);
	push(fx, 1, 0);
	recorder__status(fx->r, &st);
	one = st.bytes;
	assert_non_null(recorder__line(fx->r, 1, &len));
	assert_true(one > 0 && one < len);	/* compressed */
	for (i = 2; i <= 100; i++) {
		push(fx, i, 0);
		recorder__status(fx->r, &st);
		assert_true(st.bytes <= 4096);
	}
	/* as many as fit (each line compresses to about the same), oldest dropped first */
	assert_true(st.kept + 1 >= 4096 / one && st.kept <= 4096 / one + 1);
	assert_true(st.kept < 100);
	/* a line bigger than the bound: only the newest stays */
	fx->o.keep_mem = 1;
	push(fx, 101, 0);
	recorder__status(fx->r, &st);
	assert_int_equal(st.kept, 1);
}

/* The window, as written: one JSON object per line, each led by "window". */
static void test_write_window(void **state)
{
	struct fx *fx = *state;
	char err[256], *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *f;
	int n = 0;

	assert_int_equal(recorder__new(&fx->r, &fx->o, err, sizeof(err)), 0);
	push(fx, 1, 0);
	push(fx, 2, 0);
	push(fx, 3, 0);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(recorder__write(fx->r, f, "w", 1, "why \"quoted\""), 0);
	fclose(f);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++) {
		struct jv *v = NULL;
		char s[64];

		assert_int_equal(json_parse(line, strlen(line), &v, NULL), 0);
		jv_str(v, "window", s, sizeof(s));
		assert_string_equal(s, "w");
		assert_int_equal(jv_u64(v, "iteration"), n + 1);
		if (n == 1) {
			jv_str(v, "fired", s, sizeof(s));
			assert_string_equal(s, "why \"quoted\"");
		} else {
			assert_null(jv_get(v, "fired"));
		}
		jv_free(v);
	}
	assert_int_equal(n, 3);
	free(buf);
}

static void test_trigger_files(void **state)
{
	struct fx *fx = *state;
	char err[256], path[4200], first[4200];
	struct stat st;
	uint64_t i;

	fx->o.after_ns = 3 * SEC;
	fx->o.cooldown_ns = 10 * SEC;
	assert_int_equal(trigger_parse("lost>0", &fx->o.triggers[0], err, sizeof(err)), 0);
	fx->o.ntriggers = 1;
	assert_int_equal(recorder__new(&fx->r, &fx->o, err, sizeof(err)), 0);
	for (i = 1; i <= 20; i++)
		push(fx, i, 0);
	push(fx, 21, 5);				/* fires */
	assert_int_equal(count_files(fx->dir, ".ndjson", NULL, 0), 0);	/* not yet: --after */
	push(fx, 22, 5);
	push(fx, 23, 5);
	assert_int_equal(recorder__saved(fx->r, path, sizeof(path)), 0);
	push(fx, 24, 0);				/* 3 s after: done */
	assert_int_equal(count_files(fx->dir, ".ndjson", first, sizeof(first)), 1);
	assert_int_equal(recorder__saved(fx->r, path, sizeof(path)), 1);
	assert_string_equal(path, first);
	assert_non_null(strstr(path, "-lost_gt_0.ndjson"));
	assert_int_equal(path[0], '/');			/* absolute */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(recorder__saved(fx->r, path, sizeof(path)), 0);
	{	/* 24 intervals: 21 before and at the firing, 3 after */
		FILE *f = fopen(first, "r");
		int lines = 0, c;

		assert_non_null(f);
		while ((c = fgetc(f)) != EOF)
			lines += c == '\n';
		fclose(f);
		assert_int_equal(lines, 24);
	}
	/* cooldown: still firing, no new file until 10 s after the firing */
	for (i = 25; i <= 30; i++)
		push(fx, i, 1);
	assert_int_equal(count_files(fx->dir, ".ndjson", NULL, 0), 1);
	push(fx, 31, 1);				/* 10 s after 21: fires again */
	for (i = 32; i <= 34; i++)
		push(fx, i, 0);
	assert_int_equal(count_files(fx->dir, ".ndjson", NULL, 0), 2);
	/* a file in flight is saved when the recorder stops */
	for (i = 35; i <= 41; i++)
		push(fx, i, 0);
	push(fx, 42, 1);
	recorder__free(fx->r);
	fx->r = NULL;
	assert_int_equal(count_files(fx->dir, ".ndjson", NULL, 0), 3);
	assert_int_equal(count_files(fx->dir, "", NULL, 0), 3);	/* no temporaries left */
}

static void test_disk_floor(void **state)
{
	struct fx *fx = *state;
	char err[256];

	(void)state;
	assert_int_equal(recorder_floor(100ull << 30, 0), 5ull << 30);	/* 5% */
	assert_int_equal(recorder_floor(4ull << 30, 0), 1ull << 30);	/* 1 GiB */
	assert_int_equal(recorder_floor(4ull << 30, 7), 7);		/* --min-free */
	fx->o.min_free = 1ull << 60;			/* more than any disk has */
	assert_int_equal(trigger_parse("lost>0", &fx->o.triggers[0], err, sizeof(err)), 0);
	fx->o.ntriggers = 1;
	assert_int_equal(recorder__new(&fx->r, &fx->o, err, sizeof(err)), 0);
	push(fx, 1, 1);
	push(fx, 2, 1);
	assert_int_equal(count_files(fx->dir, "", NULL, 0), 0);
	assert_non_null(strstr(msg_last(), "below the floor"));
}

static void test_bad_dir(void **state)
{
	struct fx *fx = *state;
	char err[256] = "";

	fx->o.snapshot_dir = "/nonexistent/ktop-test";
	assert_int_equal(trigger_parse("lost>0", &fx->o.triggers[0], err, sizeof(err)), 0);
	fx->o.ntriggers = 1;
	assert_int_equal(recorder__new(&fx->r, &fx->o, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "--snapshot-dir /nonexistent/ktop-test"));
	fx->o.ntriggers = 0;			/* without triggers nothing is written there */
	assert_int_equal(recorder__new(&fx->r, &fx->o, err, sizeof(err)), 0);
}

/* The w key writes the window next to the snapshot pair when the recorder keeps some. */
static void test_snapfile_window(void **state)
{
	struct fx *fx = *state;
	char err[256], path[4200];

	assert_int_equal(recorder__new(&fx->r, &fx->o, err, sizeof(err)), 0);
	push(fx, 1, 0);
	push(fx, 2, 0);
	recorder_live = fx->r;
	assert_int_equal(snapfile_write(fx->dir, fx->s, NULL, path, sizeof(path)), 0);
	recorder_live = NULL;
	assert_int_equal(count_files(fx->dir, ".json", NULL, 0), 1);
	assert_int_equal(count_files(fx->dir, ".txt", NULL, 0), 1);
	assert_int_equal(count_files(fx->dir, ".ndjson", NULL, 0), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_time_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_byte_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trigger_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disk_floor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snapfile_window, setup, teardown),
	};

	setenv("TZ", "UTC", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
