// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the Prometheus exposition: bucket mapping, format, escaping, top-N bounds, --listen. */
#include <stdarg.h>			/* cmocka 1.1 wants these four first */
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include "core/listen.h"
#include "core/metrics.h"
#include "testutil.h"

/* ---- a small parser of the exposition, written from the format spec ---- */

struct sample {
	char name[128];
	int nlabels;
	char key[8][32];
	char val[8][256];
	double v;
};

/* Parse one sample line; returns 0, or -1 when it is not well formed. */
static int parse_sample(const char *line, struct sample *s)
{
	const char *p = line;
	size_t n = 0;
	char *end;

	memset(s, 0, sizeof(*s));
	if (!(isalpha((unsigned char)*p) || *p == '_' || *p == ':'))
		return -1;
	while (isalnum((unsigned char)*p) || *p == '_' || *p == ':') {
		if (n + 1 >= sizeof(s->name))
			return -1;
		s->name[n++] = *p++;
	}
	if (*p == '{') {
		p++;
		while (*p != '}') {
			size_t k = 0, o = 0;

			if (s->nlabels == 8)
				return -1;
			while (isalnum((unsigned char)*p) || *p == '_')
				s->key[s->nlabels][k++] = *p++;
			if (!k || *p++ != '=' || *p++ != '"')
				return -1;
			while (*p != '"') {
				char c = *p++;

				if (!c || c == '\n')
					return -1;
				if (c == '\\') {
					c = *p++;
					if (c == 'n')
						c = '\n';
					else if (c != '\\' && c != '"')
						return -1;	/* no other escape exists */
				}
				if (o + 1 >= sizeof(s->val[0]))
					return -1;
				s->val[s->nlabels][o++] = c;
			}
			p++;
			s->nlabels++;
			if (*p == ',')
				p++;
			else if (*p != '}')
				return -1;
		}
		p++;
	}
	if (*p++ != ' ')
		return -1;
	if (!strcmp(p, "+Inf"))
		s->v = 1.0 / 0.0;
	else {
		s->v = strtod(p, &end);
		if (end == p || *end)
			return -1;
	}
	return 0;
}

static const char *label(const struct sample *s, const char *key)
{
	int i;

	for (i = 0; i < s->nlabels; i++)
		if (!strcmp(s->key[i], key))
			return s->val[i];
	return NULL;
}

/* Capture metrics_write() into a NUL-terminated string the caller frees. */
static char *expo(const struct ktop_prom_state *st, const struct ktop_snapshot *s, unsigned top, bool om)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(metrics_write(f, st, s, NULL, top, om), 0);
	fclose(f);
	return buf;
}

/*
 * Check every line of an exposition: comments are HELP/TYPE (and # EOF
 * last in OpenMetrics), each family has its TYPE before its samples and
 * once, samples parse, histograms' buckets rise with le and end at +Inf =
 * _count. Returns the number of samples; counts those named name_prefix*
 * into *nprefix when given.
 */
static int check_expo(char *text, bool om, const char *prefix, int *nprefix)
{
	char types[256][128], *save = NULL, *line, last_family[128] = "";
	int ntypes = 0, nsamples = 0, i, eof = 0;
	double last_le = -1, last_cum = -1;

	if (nprefix)
		*nprefix = 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct sample s;
		bool known = false;

		assert_false(eof);		/* nothing after # EOF */
		if (!strcmp(line, "# EOF")) {
			assert_true(om);
			eof = 1;
			continue;
		}
		if (!strncmp(line, "# HELP ", 7))
			continue;
		if (!strncmp(line, "# TYPE ", 7)) {
			char name[128], type[32];

			assert_int_equal(sscanf(line + 7, "%127s %31s", name, type), 2);
			for (i = 0; i < ntypes; i++)
				assert_string_not_equal(types[i], name);	/* once */
			assert_true(ntypes < 256);
			snprintf(types[ntypes++], sizeof(types[0]), "%s", name);
			if (!strcmp(type, "counter"))
				assert_int_equal(!!strstr(name, "_total"), !om);
			snprintf(last_family, sizeof(last_family), "%s", name);
			last_le = -1;
			continue;
		}
		assert_int_not_equal(line[0], '#');
		if (parse_sample(line, &s)) {
			print_error("bad line: %s\n", line);
			fail();
		}
		nsamples++;
		if (nprefix && !strncmp(s.name, prefix, strlen(prefix)))
			(*nprefix)++;
		/* the sample belongs to the family of the last TYPE */
		known = !strncmp(s.name, last_family, strlen(last_family));
		if (!known) {
			print_error("sample %s outside its family %s\n", s.name, last_family);
			fail();
		}
		if (strstr(s.name, "_bucket")) {
			double le = label(&s, "le") ? strtod(label(&s, "le"), NULL) : -1;

			if (!strcmp(label(&s, "le"), "+Inf"))
				le = 1.0 / 0.0;
			if (last_le >= 0 && le > last_le) {
				assert_true(s.v >= last_cum);	/* cumulative */
			}
			last_le = le;
			last_cum = s.v;
		} else if (strstr(s.name, "_count") && last_le > 0) {
			assert_true(last_le > 1e300);	/* the +Inf bucket came last */
			assert_true(s.v == last_cum);
			last_le = -1;
		}
	}
	assert_int_equal(eof, om);
	return nsamples;
}

/* ---- snapshots ---------------------------------------------------------- */

static struct ktop_snapshot *snap_new(void)
{
	struct ktop_snapshot *s = calloc(1, sizeof(*s));
	int i;

	assert_non_null(s);
	s->iteration = 1;
	s->interval_ns = 1000000000;
	snprintf(s->version, sizeof(s->version), "test");
	snprintf(s->kernel, sizeof(s->kernel), "6.1.0");
	for (i = 0; i < KTOP_TAB_MAX; i++)
		s->tab[i].state = KTOP_TAB_RUNNING;
	return s;
}

static void sc_row(struct ktop_snapshot *s, uint32_t nr, const char *name, uint64_t v_ns, uint64_t n)
{
	struct ktop_sc_row *r = &s->sc.rows[s->sc.nrows++];

	memset(r, 0, sizeof(*r));
	r->nr = nr;
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->count = n;
	r->total_ns = v_ns * n;
	r->hist[ktop_hist_index(v_ns)] += n;
}

/* ---- tests -------------------------------------------------------------- */

/* Every exported bound is an edge of the native histogram, and every
 * native bucket lands in the first exported bucket whose bound covers it. */
static void test_bucket_mapping(void **state)
{
	unsigned i, idx, b;

	(void)state;
	for (i = 0; i < KTOP_PROM_BUCKETS - 1; i++) {
		uint64_t bound = metrics_bound_ns(i);

		assert_int_equal(ktop_hist_lower(ktop_hist_index(bound)), bound);
	}
	assert_int_equal(metrics_bound_ns(0), 1024);
	assert_int_equal(metrics_bound_ns(KTOP_PROM_BUCKETS - 2), 1ull << 34);
	for (idx = 0; idx < KTOP_HIST_BUCKETS; idx++) {
		b = metrics_bucket_of(idx);
		assert_true(b < KTOP_PROM_BUCKETS);
		if (b < KTOP_PROM_BUCKETS - 1)	/* all of the bucket below the bound */
			assert_true(ktop_hist_upper(idx) <= metrics_bound_ns(b));
		if (b > 0)			/* and none of it below the previous one */
			assert_true(ktop_hist_lower(idx) >= metrics_bound_ns(b - 1));
	}
	/* values either side of a bound */
	assert_int_equal(metrics_bucket_of(ktop_hist_index(1023)), 0);
	assert_int_equal(metrics_bucket_of(ktop_hist_index(1024)), 1);
	assert_int_equal(metrics_bucket_of(ktop_hist_index(0)), 0);
	assert_int_equal(metrics_bucket_of(ktop_hist_index(20000000)), 15);	/* 20 ms: (2^24, 2^25] */
	assert_int_equal(metrics_bucket_of(ktop_hist_index(1ull << 40)), KTOP_PROM_BUCKETS - 1);
}

/* Interval histograms add up: two intervals give the cumulative sum, the
 * text shows it with le in seconds, _sum exact. */
static void test_accumulate_syscalls(void **state)
{
	struct ktop_prom_state *st = calloc(1, sizeof(*st));
	struct ktop_snapshot *s = snap_new();
	char *t;

	(void)state;
	sc_row(s, 39, "getppid", 300, 1000);
	sc_row(s, 230, "clock_nanosleep", 20000000, 3);
	s->sc.rows[1].errors = 1;
	metrics_accumulate(st, s);
	s->sc.nrows = 0;
	sc_row(s, 39, "getppid", 300, 500);
	metrics_accumulate(st, s);
	assert_int_equal(st->sc[39].h.count, 1500);
	assert_int_equal(st->sc[39].h.b[0], 1500);
	assert_int_equal(st->sc[39].h.sum_ns, 450000);
	assert_int_equal(st->sc[230].h.count, 3);
	assert_int_equal(st->sc[230].errors, 1);
	t = expo(st, s, 10, false);
	assert_non_null(strstr(t, "ktop_syscall_duration_seconds_bucket{syscall=\"getppid\",le=\"1.024e-06\"} 1500\n"));
	assert_non_null(strstr(t, "ktop_syscall_duration_seconds_sum{syscall=\"getppid\"} 0.000450000\n"));
	assert_non_null(strstr(t, "ktop_syscall_duration_seconds_count{syscall=\"getppid\"} 1500\n"));
	assert_non_null(strstr(t, "ktop_syscall_duration_seconds_bucket{syscall=\"clock_nanosleep\",le=\"0.016777216\"} 0\n"));
	assert_non_null(strstr(t, "ktop_syscall_duration_seconds_bucket{syscall=\"clock_nanosleep\",le=\"0.033554432\"} 3\n"));
	assert_non_null(strstr(t, "ktop_syscall_errors_total{syscall=\"clock_nanosleep\"} 1\n"));
	check_expo(t, false, NULL, NULL);
	free(t);
	t = expo(st, s, 10, true);
	assert_non_null(strstr(t, "# TYPE ktop_syscall_errors counter\n"));
	check_expo(t, true, NULL, NULL);
	free(t);
	free(s);
	free(st);
}

/* A comm made to break the format: quotes, backslashes, newline, ESC,
 * invalid UTF-8, and a try at a label of its own. Each sample still has
 * exactly its two labels, and the comm is visible, escaped. */
static void test_hostile_labels(void **state)
{
	static const char *const evil[] = {
		"a\"b\\c\nd", "\x1b]0;pwn\x07\x1b[31m\xff\xfe!", "x\",evil=\"1", "}{\" 1\n# EOF",
	};
	struct ktop_prom_state *st = calloc(1, sizeof(*st));
	struct ktop_snapshot *s = snap_new();
	char *t, *save = NULL, *line, out[128];
	unsigned i, seen = 0;

	(void)state;
	for (i = 0; i < 4; i++) {
		s->sc.procs[i].pid = 100 + i;
		memcpy(s->sc.procs[i].comm, evil[i], strnlen(evil[i], KTOP_COMM_LEN - 1));
		s->sc.procs[i].total_ns = 1000 - i;
		s->mem.rows[i].pid = 100 + i;
		memcpy(s->mem.rows[i].comm, evil[i], strnlen(evil[i], KTOP_COMM_LEN - 1));
		s->mem.rows[i].outstanding_bytes = 4096;
		s->mem.rows[i].suspect = 1;
	}
	s->sc.nprocs = s->mem.nrows = 4;
	t = expo(st, s, 10, false);
	for (line = strtok_r(t, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct sample sm;

		if (line[0] == '#')
			continue;
		assert_int_equal(parse_sample(line, &sm), 0);
		if (!label(&sm, "comm"))
			continue;
		assert_int_equal(sm.nlabels, 2);
		assert_null(label(&sm, "evil"));
		assert_null(strchr(label(&sm, "comm"), 0x1b));
		assert_null(strchr(label(&sm, "comm"), '\n'));
		for (i = 0; label(&sm, "comm")[i]; i++)	/* valid UTF-8, no control byte */
			assert_true((unsigned char)label(&sm, "comm")[i] >= 0x20 &&
				    (unsigned char)label(&sm, "comm")[i] < 0x7f);
		seen++;
	}
	assert_int_equal(seen, 4 * 2 + 4 * 3);	/* 2 process families, 3 memory ones */
	free(t);
	metrics_label(out, sizeof(out), "a\"b\\c", 16);
	assert_string_equal(out, "a\\\"b\\\\\\\\c");	/* \ made visible as \\, then escaped */
	metrics_label(out, sizeof(out), "\x1b[31m", 16);
	assert_string_equal(out, "\\\\e[31m");
	metrics_label(out, 6, "abcdefgh", 16);		/* truncates, terminated */
	assert_string_equal(out, "abcde");
	metrics_label(out, 4, "\"\"\"", 16);		/* never half an escape */
	assert_string_equal(out, "\\\"");
	free(s);
	free(st);
}

/* Per-process and per-lock families hold at most top series, whatever the
 * snapshot holds; --metrics-top above the ceiling is clamped. */
static void test_top_bounds(void **state)
{
	struct ktop_prom_state *st = calloc(1, sizeof(*st));
	struct ktop_snapshot *s = snap_new();
	unsigned i, tops[] = { 1, 10, 200, 5000 };
	unsigned long most = 0;
	int n, k;
	char *t;

	(void)state;
	s->sc.nprocs = KTOP_SC_PROCS_MAX;
	for (i = 0; i < KTOP_SC_PROCS_MAX; i++) {
		s->sc.procs[i].pid = i + 1;
		s->sc.procs[i].total_ns = 1000000 - i;
	}
	s->mem.nrows = KTOP_MEM_ROWS_MAX;
	for (i = 0; i < KTOP_MEM_ROWS_MAX; i++) {
		s->mem.rows[i].pid = i + 1;
		s->mem.rows[i].outstanding_bytes = (i * 7919u) % 100000;
		s->mem.rows[i].suspect = i % 2;
		if (s->mem.rows[i].outstanding_bytes > most)
			most = s->mem.rows[i].outstanding_bytes;
	}
	s->lock.nrows = KTOP_LOCK_ROWS_MAX;
	for (i = 0; i < KTOP_LOCK_ROWS_MAX; i++) {
		s->lock.rows[i].addr = 0x1000 + i;
		snprintf(s->lock.rows[i].type, sizeof(s->lock.rows[i].type), "spinlock");
	}
	for (k = 0; k < 4; k++) {
		unsigned want = tops[k] > KTOP_PROM_TOP_MAX ? KTOP_PROM_TOP_MAX : tops[k];

		t = expo(st, s, tops[k], false);
		check_expo(t, false, "ktop_top_", &n);
		assert_int_equal(n, 4 * want);	/* 2 process + 2 lock families */
		free(t);
		t = expo(st, s, tops[k], false);
		check_expo(t, false, "ktop_memory_outstanding_bytes", &n);
		assert_int_equal(n, want);
		free(t);
		t = expo(st, s, tops[k], false);
		check_expo(t, false, "ktop_memory_leak_suspect{", &n);
		free(t);
	}
	/* the top by bytes, largest first */
	t = expo(st, s, 3, false);
	{
		char *a = strstr(t, "ktop_memory_outstanding_bytes{");
		unsigned long v1, v2;

		assert_non_null(a);
		assert_int_equal(sscanf(strchr(a, '}') + 2, "%lu", &v1), 1);
		a = strstr(a + 1, "ktop_memory_outstanding_bytes{");
		assert_int_equal(sscanf(strchr(a, '}') + 2, "%lu", &v2), 1);
		assert_true(v1 >= v2);
		assert_int_equal(v1, most);
	}
	free(t);
	free(s);
	free(st);
}

/* (disk, op) pairs beyond the table evict the least recently seen; the
 * counters of the others keep adding up. */
static void test_io_table(void **state)
{
	struct ktop_prom_state *st = calloc(1, sizeof(*st));
	struct ktop_snapshot *s = snap_new();
	unsigned i, used = 0;
	char *t;

	(void)state;
	s->io.nrows = 1;
	snprintf(s->io.rows[0].disk, KTOP_IO_NAME, "loop0");
	s->io.rows[0].dev = 7 << 20;
	s->io.rows[0].opn = 1;
	s->io.rows[0].count = 2000;
	s->io.rows[0].bytes = 2000 * 4096;
	s->io.rows[0].hist[ktop_hist_index(50000)] = 2000;
	for (i = 0; i < 3; i++) {
		s->iteration = 1 + i;
		metrics_accumulate(st, s);
	}
	t = expo(st, s, 10, false);
	assert_non_null(strstr(t, "ktop_io_requests_total{disk=\"loop0\",op=\"write\"} 6000\n"));
	assert_non_null(strstr(t, "ktop_io_bytes_total{disk=\"loop0\",op=\"write\"} 24576000\n"));
	check_expo(t, false, NULL, NULL);
	free(t);
	for (i = 0; i < 2 * KTOP_PROM_IO_MAX; i++) {	/* loop devices come and go */
		s->iteration = 10 + i;
		s->io.rows[0].dev = (7 << 20) + 1 + i;
		snprintf(s->io.rows[0].disk, KTOP_IO_NAME, "loop%u", i + 1);
		metrics_accumulate(st, s);
	}
	for (i = 0; i < KTOP_PROM_IO_MAX; i++)
		used += st->io[i].used;
	assert_int_equal(used, KTOP_PROM_IO_MAX);
	assert_int_equal(st->io_evicted, KTOP_PROM_IO_MAX + 1);
	t = expo(st, s, 10, false);
	assert_null(strstr(t, "disk=\"loop0\""));		/* the oldest went */
	assert_non_null(strstr(t, "disk=\"loop128\""));	/* the newest is there */
	free(t);
	free(s);
	free(st);
}

static void test_parse_listen(void **state)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	static const char *const bad[] = { "", "abc", "1.2.3.4", "1.2.3.4:", "1.2.3.4:0", ":65536",
		"::1:80", "[::1]80", "[::1]", "[zz]:80", "host.example:80", "1.2.3.4:80x", "-1", "1.2.3.4:+80" };
	unsigned i;

	(void)state;
	assert_int_equal(listen_parse("9580", &ss, &len), 0);
	assert_int_equal(a4->sin_family, AF_INET);
	assert_int_equal(ntohl(a4->sin_addr.s_addr), 0x7f000001);	/* loopback by default */
	assert_int_equal(ntohs(a4->sin_port), 9580);
	assert_int_equal(listen_parse(":9580", &ss, &len), 0);
	assert_int_equal(ntohl(a4->sin_addr.s_addr), 0x7f000001);
	assert_int_equal(listen_parse("localhost:1", &ss, &len), 0);
	assert_int_equal(ntohl(a4->sin_addr.s_addr), 0x7f000001);
	assert_int_equal(listen_parse("0.0.0.0:9580", &ss, &len), 0);
	assert_int_equal(a4->sin_addr.s_addr, 0);			/* only when asked */
	assert_int_equal(listen_parse("[::1]:65535", &ss, &len), 0);
	assert_int_equal(a6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(a6->sin6_port), 65535);
	assert_int_equal(len, sizeof(*a6));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(listen_parse(bad[i], &ss, &len), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bucket_mapping),
		cmocka_unit_test(test_accumulate_syscalls),
		cmocka_unit_test(test_hostile_labels),
		cmocka_unit_test(test_top_bounds),
		cmocka_unit_test(test_io_table),
		cmocka_unit_test(test_parse_listen),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
