// SPDX-License-Identifier: GPL-2.0
/* Unit tests of core/snapfile.c: mode 0600, no overwrite, no symlink following, nothing partial. */
#include <stdarg.h>			/* cmocka 1.1 wants these four first */
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <sys/capability.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "core/snapfile.h"
#include "testutil.h"

#define REAL_NS		1764096848123000000ll	/* 2025-11-25 18:54:08.123 UTC */
#define STAMP		"20251125-185408"

struct fx {
	char dir[64];			/* where snapshots go */
	char other[64];			/* somewhere a symlink may point */
	struct ktop_snapshot *s;
	struct ktop_view v;
};

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	strcpy(fx->dir, "/tmp/ktop-test-snap-XXXXXX");
	strcpy(fx->other, "/tmp/ktop-test-other-XXXXXX");
	if (!mkdtemp(fx->dir) || !mkdtemp(fx->other))
		return -1;
	fx->s = calloc(1, sizeof(*fx->s));	/* large: not on the stack */
	if (!fx->s)
		return -1;
	fx->s->iteration = 7;
	fx->s->real_ns = REAL_NS;
	fx->s->interval_ns = 1000000000;
	strcpy(fx->s->host, "testhost\x1b[2J");	/* hostile, must come out escaped */
	strcpy(fx->s->kernel, "6.18.0");
	strcpy(fx->s->version, "test");
	fx->s->tab[KTOP_TAB_LOCKS].state = KTOP_TAB_DISABLED;
	strcpy(fx->s->tab[KTOP_TAB_LOCKS].why, "lock:contention_begin missing");
	fx->v.tab = "syscalls";
	fx->v.sort = "total";
	fx->v.frozen = 1;
	fx->v.selected = "read";
	setenv("TZ", "UTC", 1);			/* the name is local time */
	tzset();
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	chmod(fx->dir, 0700);
	tu_rm_tree(fx->dir);
	tu_rm_tree(fx->other);
	free(fx->s);
	free(fx);
	return 0;
}

static void pathf(char *buf, size_t n, const struct fx *fx, const char *name)
{
	snprintf(buf, n, "%s/%s", fx->dir, name);
}

/* Names in dir (sorted, newline-separated) so a test can compare listings. */
static int list_dir(const char *dir, char *out, size_t n)
{
	struct dirent **ents;
	int k, i;

	out[0] = 0;
	k = scandir(dir, &ents, NULL, alphasort);
	if (k < 0)
		return -1;
	for (i = 0; i < k; i++) {
		if (strcmp(ents[i]->d_name, ".") && strcmp(ents[i]->d_name, "..")) {
			strncat(out, ents[i]->d_name, n - strlen(out) - 2);
			strcat(out, "\n");
		}
		free(ents[i]);
	}
	free(ents);
	return 0;
}

static void assert_no_temp_files(const char *dir)
{
	char names[8192];

	assert_int_equal(list_dir(dir, names, sizeof(names)), 0);
	if (strstr(names, ".ktop-snapshot-"))
		fail_msg("temporary file left in %s:\n%s", dir, names);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0;

	assert_non_null(f);
	*len = 0;
	for (;;) {
		size_t r;

		if (cap - *len < 4096) {
			cap = cap * 2 + 8192;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		r = fread(buf + *len, 1, cap - *len - 1, f);
		if (!r)
			break;
		*len += r;
	}
	buf[*len] = 0;
	fclose(f);
	return buf;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void assert_file_is(const char *path, const char *text)
{
	size_t len;
	char *got = slurp(path, &len);

	assert_string_equal(got, text);
	free(got);
}

static void assert_mode_0600(const char *path)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_uid, geteuid());
	assert_int_equal(st.st_nlink, 1);	/* the temporary name is gone */
}

static void test_writes_pair_0600(void **state)
{
	struct fx *fx = *state;
	char path[4200], want[4200], names[1024];
	mode_t old;
	size_t len;
	char *j;

	old = umask(0);				/* a permissive umask must not widen the mode */
	assert_int_equal(snapfile_write(fx->dir, fx->s, &fx->v, path, sizeof(path)), 0);
	umask(old);
	pathf(want, sizeof(want), fx, "ktop-" STAMP ".json");
	assert_string_equal(path, want);
	assert_mode_0600(want);
	pathf(want, sizeof(want), fx, "ktop-" STAMP ".txt");
	assert_mode_0600(want);
	assert_int_equal(list_dir(fx->dir, names, sizeof(names)), 0);
	assert_string_equal(names, "ktop-" STAMP ".json\nktop-" STAMP ".txt\n");

	/* the .json is one JSON object plus a newline, with the view */
	j = slurp(path, &len);
	assert_true(len > 2 && j[len - 1] == '\n');
	assert_int_equal(tu_json_valid(j, len - 1), 0);
	assert_non_null(strstr(j, "\"view\":{\"tab\":\"syscalls\""));
	assert_non_null(strstr(j, "\"frozen\":true"));
	assert_non_null(strstr(j, "\"iteration\":7"));
	assert_null(strchr(j, 0x1b));
	free(j);
	/* the .txt twin is the text report of the same data, escaped */
	j = slurp(want, &len);
	assert_non_null(strstr(j, "#7"));
	assert_non_null(strstr(j, "lock:contention_begin missing"));
	assert_null(strchr(j, 0x1b));
	free(j);
}

/* A second snapshot in the same second gets "-1", then "-2"; the first stays. */
static void test_never_overwrites(void **state)
{
	struct fx *fx = *state;
	char path[4200], want[4200];

	assert_int_equal(snapfile_write(fx->dir, fx->s, NULL, path, sizeof(path)), 0);
	pathf(want, sizeof(want), fx, "ktop-" STAMP ".json");
	write_file(want, "precious\n");		/* mark the first */
	assert_int_equal(snapfile_write(fx->dir, fx->s, NULL, path, sizeof(path)), 0);
	pathf(want, sizeof(want), fx, "ktop-" STAMP "-1.json");
	assert_string_equal(path, want);
	assert_mode_0600(want);
	pathf(want, sizeof(want), fx, "ktop-" STAMP "-1.txt");
	assert_mode_0600(want);
	assert_int_equal(snapfile_write(fx->dir, fx->s, NULL, path, sizeof(path)), 0);
	pathf(want, sizeof(want), fx, "ktop-" STAMP "-2.json");
	assert_string_equal(path, want);
	pathf(want, sizeof(want), fx, "ktop-" STAMP ".json");
	assert_file_is(want, "precious\n");
	assert_no_temp_files(fx->dir);
}

/* Only the .txt name is taken: the pair moves to "-1" together, and no
 * lone .json is left under the taken name. */
static void test_pair_stays_together(void **state)
{
	struct fx *fx = *state;
	char path[4200], p[4200], names[1024];

	pathf(p, sizeof(p), fx, "ktop-" STAMP ".txt");
	write_file(p, "someone else's\n");
	assert_int_equal(snapfile_write(fx->dir, fx->s, NULL, path, sizeof(path)), 0);
	pathf(p, sizeof(p), fx, "ktop-" STAMP "-1.json");
	assert_string_equal(path, p);
	assert_int_equal(list_dir(fx->dir, names, sizeof(names)), 0);
	assert_string_equal(names, "ktop-" STAMP "-1.json\nktop-" STAMP "-1.txt\nktop-" STAMP ".txt\n");
	pathf(p, sizeof(p), fx, "ktop-" STAMP ".txt");
	assert_file_is(p, "someone else's\n");
}

/* A symlink planted at the final name (say, to /etc/shadow) is neither
 * followed nor replaced; a dangling one does not get its target created. */
static void test_refuses_symlink(void **state)
{
	struct fx *fx = *state;
	char path[4200], link1[4200], link2[4200], victim[4200], ghost[4200], lt[4200];
	ssize_t r;

	snprintf(victim, sizeof(victim), "%s/victim", fx->other);
	snprintf(ghost, sizeof(ghost), "%s/ghost", fx->other);
	write_file(victim, "do not touch\n");
	chmod(victim, 0644);
	pathf(link1, sizeof(link1), fx, "ktop-" STAMP ".json");
	pathf(link2, sizeof(link2), fx, "ktop-" STAMP "-1.txt");
	assert_int_equal(symlink(victim, link1), 0);
	assert_int_equal(symlink(ghost, link2), 0);	/* dangling */

	assert_int_equal(snapfile_write(fx->dir, fx->s, NULL, path, sizeof(path)), 0);
	pathf(lt, sizeof(lt), fx, "ktop-" STAMP "-2.json");
	assert_string_equal(path, lt);			/* skipped both planted names */
	assert_file_is(victim, "do not touch\n");
	{
		struct stat st;

		assert_int_equal(stat(victim, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0644);
		assert_int_equal(st.st_nlink, 1);
		assert_int_equal(lstat(ghost, &st), -1);	/* never created */
		assert_int_equal(errno, ENOENT);
		assert_int_equal(lstat(link1, &st), 0);
		assert_true(S_ISLNK(st.st_mode));
	}
	r = readlink(link1, lt, sizeof(lt) - 1);
	assert_true(r > 0);
	lt[r] = 0;
	assert_string_equal(lt, victim);
	pathf(lt, sizeof(lt), fx, "ktop-" STAMP "-1.json");
	assert_int_equal(access(lt, F_OK), -1);		/* the pair did not split */
	assert_no_temp_files(fx->dir);
}

static void test_missing_dir(void **state)
{
	struct fx *fx = *state;
	char path[4200], dir[4200], file[4200];

	snprintf(dir, sizeof(dir), "%s/does/not/exist", fx->dir);
	assert_int_equal(snapfile_write(dir, fx->s, NULL, path, sizeof(path)), -ENOENT);
	assert_non_null(strstr(path, dir));		/* the message names the directory */
	pathf(file, sizeof(file), fx, "plain-file");
	write_file(file, "x");
	assert_int_equal(snapfile_write(file, fx->s, NULL, path, sizeof(path)), -ENOTDIR);
	assert_no_temp_files(fx->dir);
}

/* In a child: lose the capabilities that let root ignore permissions,
 * so a read-only directory really is read-only. */
static int drop_dac_override(void)
{
	cap_value_t v[] = { CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER };
	cap_t c = cap_get_proc();
	int err;

	if (!c)
		return -1;
	err = cap_set_flag(c, CAP_EFFECTIVE, 3, v, CAP_CLEAR) ||
	      cap_set_flag(c, CAP_PERMITTED, 3, v, CAP_CLEAR) || cap_set_proc(c);
	cap_free(c);
	return err ? -1 : 0;
}

static void test_read_only_dir(void **state)
{
	struct fx *fx = *state;
	char names[1024];
	pid_t pid;
	int st;

	assert_int_equal(chmod(fx->dir, 0500), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		char path[4200];

		if (drop_dac_override() || faccessat(AT_FDCWD, fx->dir, W_OK, AT_EACCESS) == 0)
			_exit(200);			/* cannot make it read-only */
		_exit(-snapfile_write(fx->dir, fx->s, NULL, path, sizeof(path)));
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	chmod(fx->dir, 0700);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) == 200)
		skip();		/* SKIP: cannot drop CAP_DAC_OVERRIDE here, the dir stays writable */
	assert_int_equal(WEXITSTATUS(st), EACCES);
	assert_int_equal(list_dir(fx->dir, names, sizeof(names)), 0);
	assert_string_equal(names, "");
}

/* Run snapfile_write in a child whose files may not grow past limit bytes;
 * returns the child's -errno. */
static int write_with_fsize_limit(struct fx *fx, rlim_t limit)
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (!pid) {
		struct rlimit rl = { limit, limit };
		char path[4200];

		signal(SIGXFSZ, SIG_IGN);		/* write() fails with EFBIG instead */
		if (setrlimit(RLIMIT_FSIZE, &rl))
			_exit(200);
		_exit(-snapfile_write(fx->dir, fx->s, NULL, path, sizeof(path)));
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_not_equal(WEXITSTATUS(st), 200);
	return -WEXITSTATUS(st);
}

/*
 * A write that fails half way (disk full, quota) leaves nothing behind: no
 * temporary file with part of the data, no final name. RLIMIT_FSIZE makes
 * the .json fail after its first bytes, or one byte before its end. (The
 * .json is always the larger file, so the .txt-fails-second path cannot be
 * reached this way.)
 */
static void test_failed_write_leaves_nothing(void **state)
{
	struct fx *fx = *state;
	char path[4200], p[4200], names[1024];
	struct stat sj;

	assert_int_equal(snapfile_write(fx->dir, fx->s, NULL, path, sizeof(path)), 0);
	assert_int_equal(stat(path, &sj), 0);
	pathf(p, sizeof(p), fx, "ktop-" STAMP ".txt");
	unlink(path);
	unlink(p);

	assert_int_equal(write_with_fsize_limit(fx, 16), -EFBIG);
	assert_int_equal(list_dir(fx->dir, names, sizeof(names)), 0);
	assert_string_equal(names, "");

	assert_int_equal(write_with_fsize_limit(fx, (rlim_t)sj.st_size - 1), -EFBIG);
	assert_int_equal(list_dir(fx->dir, names, sizeof(names)), 0);
	assert_string_equal(names, "");
}

/* All 1000 names of this second taken: -EEXIST, and nothing added. */
static void test_all_names_taken(void **state)
{
	struct fx *fx = *state;
	char path[4200], p[4200], before[65536], after[65536];
	int i;

	for (i = 0; i < 1000; i++) {
		if (i)
			snprintf(p, sizeof(p), "%s/ktop-" STAMP "-%d.json", fx->dir, i);
		else
			pathf(p, sizeof(p), fx, "ktop-" STAMP ".json");
		write_file(p, "");
	}
	assert_int_equal(list_dir(fx->dir, before, sizeof(before)), 0);
	assert_int_equal(snapfile_write(fx->dir, fx->s, NULL, path, sizeof(path)), -EEXIST);
	assert_int_equal(list_dir(fx->dir, after, sizeof(after)), 0);
	assert_string_equal(after, before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_writes_pair_0600, setup, teardown),
		cmocka_unit_test_setup_teardown(test_never_overwrites, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pair_stays_together, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_only_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_write_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_all_names_taken, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
