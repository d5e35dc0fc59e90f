// SPDX-License-Identifier: GPL-2.0
/* Replay of recordings: line index over a mapped file, records decoded on demand. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/out.h"
#include "core/field.h"
#include "core/replay.h"
#include "core/trigger.h"

struct replay {
	const char *map;
	size_t size;
	size_t *off, *len;		/* each record's line */
	size_t n;
	size_t start;			/* where the dashboard opens */
	int window;			/* a recorder window: records carry "window" */
};

static void (*const decoders[KTOP_TAB_MAX])(const struct jv *, struct ktop_snapshot *) = {
#define KTOP_TAB(id, name, title) [KTOP_TAB_##id] = replay_##name,
#include "core/tabs.def"
#undef KTOP_TAB
};

/* See replay.h. */
void replay_decode(const struct jv *root, struct ktop_snapshot *s)
{
	char ts[64];
	int i;

	memset(s, 0, sizeof(*s));
	jv_str(root, "version", s->version, sizeof(s->version));
	jv_str(root, "host", s->host, sizeof(s->host));
	jv_str(root, "kernel", s->kernel, sizeof(s->kernel));
	s->interval_ns = jv_u64(root, "interval_ns");
	s->iteration = jv_u64(root, "iteration");
	s->lost_events = jv_u64(root, "lost_events");
	s->self_cpu_pct = jv_num(root, "self_cpu_pct");
	s->self_rss_kb = jv_u64(root, "self_rss_kb");
	s->bpf_stats = jv_get(root, "bpf_run_ns") != NULL;
	s->bpf_run_ns = jv_u64(root, "bpf_run_ns");
	s->bpf_run_cnt = jv_u64(root, "bpf_run_cnt");
	{
		const struct jv *rec = jv_get(root, "recorder");

		if (rec && rec->type == JV_OBJ) {
			s->rec.on = 1;
			s->rec.kept = (uint32_t)jv_u64(rec, "kept");
			s->rec.kept_ns = jv_u64(rec, "kept_ns");
			s->rec.bytes = jv_u64(rec, "bytes");
			s->rec.keep_ns = jv_u64(rec, "keep_ns");
			s->rec.keep_mem = jv_u64(rec, "keep_mem");
			s->rec.triggers = (uint32_t)jv_u64(rec, "triggers");
			s->rec.saving = (uint32_t)jv_u64(rec, "saving");
			s->rec.saved = jv_u64(rec, "saved");
		}
	}
	jv_str(root, "timestamp", ts, sizeof(ts));
	s->real_ns = replay_time(ts);
	for (i = 0; i < KTOP_TAB_MAX; i++) {
		const struct jv *t = jv_get(root, ktop_tab_names[i]);
		struct ktop_tab_status *st = &s->tab[i];

		if (!t || t->type != JV_OBJ) {
			st->state = KTOP_TAB_OFF;
			continue;
		}
		if (jv_get(t, "disabled")) {
			st->state = KTOP_TAB_DISABLED;
			jv_str(t, "disabled", st->why, sizeof(st->why));
			continue;
		}
		st->state = KTOP_TAB_RUNNING;
		jv_str(t, "attach", st->attach, sizeof(st->attach));
		jv_str(t, "note", st->note, sizeof(st->note));
		st->lost = jv_u64(t, "lost_events");
		decoders[i](t, s);
	}
}

/* The record that fired (its "fired" member leads the line, after
 * "window"), or the newest. */
static size_t window_start(const struct replay *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		size_t k = r->len[i] < 400 ? r->len[i] : 400;

		if (memmem(r->map + r->off[i], k, "\"fired\":", 8))
			return i;
	}
	return r->n - 1;
}

/* Map path into r (r->map, r->size). Returns 0 or -errno with err set. */
static int map_file(struct replay *r, const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd, e;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		e = -errno;
		snprintf(err, errlen, "--replay %s: %s", path, strerror(-e));
		return e;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size == 0) {
		e = S_ISREG(st.st_mode) ? -ENODATA : -EINVAL;
		snprintf(err, errlen, "--replay %s: %s", path,
			 e == -ENODATA ? "empty file" : "not a regular file");
		close(fd);
		return e;
	}
	r->size = st.st_size;
	r->map = mmap(NULL, r->size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (r->map == MAP_FAILED) {
		e = -errno;
		snprintf(err, errlen, "--replay %s: %s", path, strerror(-e));
		return e;
	}
	return 0;
}

/* Index the non-empty lines of the mapped file. Returns 0 or -ENOMEM. */
static int index_lines(struct replay *r)
{
	size_t i, start, cap = 0;

	for (start = 0, i = 0; i <= r->size; i++) {
		if (i < r->size && r->map[i] != '\n')
			continue;
		if (i > start) {
			if (r->n == cap) {
				size_t nc = cap ? cap * 2 : 256;
				size_t *o = realloc(r->off, nc * sizeof(*o)), *l;

				if (!o)
					return -ENOMEM;
				r->off = o;
				l = realloc(r->len, nc * sizeof(*l));
				if (!l)
					return -ENOMEM;
				r->len = l;
				cap = nc;
			}
			r->off[r->n] = start;
			r->len[r->n] = i - start;
			r->n++;
		}
		start = i + 1;
	}
	return 0;
}

/* The first record must be a ktop record; a recorder window opens where it
 * fired, else at its newest. Returns 0 or -EINVAL with err set. */
static int check_first(struct replay *r, const char *path, char *err, size_t errlen)
{
	struct jv *v = NULL;

	if (json_parse(r->map + r->off[0], r->len[0], &v, NULL) || !jv_get(v, "interval_ns")) {
		jv_free(v);
		snprintf(err, errlen, "--replay %s: not a ktop JSON recording (ktop -b --json)", path);
		return -EINVAL;
	}
	if (jv_get(v, "window")) {
		r->window = 1;
		r->start = window_start(r);
	}
	jv_free(v);
	return 0;
}

/* See replay.h. */
int replay__open(struct replay **out, const char *path, char *err, size_t errlen)
{
	struct replay *r = calloc(1, sizeof(*r));
	int e;

	if (!r)
		return -ENOMEM;
	e = map_file(r, path, err, errlen);
	if (!e)
		e = index_lines(r);
	if (!e && !r->n) {
		snprintf(err, errlen, "--replay %s: no records", path);
		e = -ENODATA;
	}
	if (!e)
		e = check_first(r, path, err, errlen);
	if (e) {
		replay__free(r);
		return e;
	}
	*out = r;
	return 0;
}

/* See replay.h. */
void replay__free(struct replay *r)
{
	if (!r)
		return;
	if (r->map && r->map != MAP_FAILED)
		munmap((void *)r->map, r->size);
	free(r->off);
	free(r->len);
	free(r);
}

/* See replay.h. */
size_t replay__start(const struct replay *r, int *window)
{
	if (window)
		*window = r ? r->window : 0;
	return r ? r->start : 0;
}

/* See replay.h. */
int replay__worst(struct replay *r, int tab, const char *key, struct ktop_snapshot *tmp, size_t *idx)
{
	double best1 = -1, best2 = -1, p1, p2;
	size_t i;
	int found = -ENOENT;

	for (i = 0; i < r->n; i++) {
		if (replay__get(r, i, tmp) || trigger_row_badness(tab, tmp, key, &p1, &p2))
			continue;
		if (p1 > best1 || (p1 == best1 && p2 > best2)) {
			best1 = p1;
			best2 = p2;
			*idx = i;
			found = 0;
		}
	}
	return found;
}

/* See replay.h. */
size_t replay__count(const struct replay *r)
{
	return r ? r->n : 0;
}

/* See replay.h. */
int replay__get(struct replay *r, size_t i, struct ktop_snapshot *s)
{
	struct jv *v = NULL;
	size_t where = 0;
	int err, t;

	if (i >= r->n)
		return -ERANGE;
	err = json_parse(r->map + r->off[i], r->len[i], &v, &where);
	if (err) {
		memset(s, 0, sizeof(*s));
		for (t = 0; t < KTOP_TAB_MAX; t++) {
			s->tab[t].state = KTOP_TAB_DISABLED;
			snprintf(s->tab[t].why, sizeof(s->tab[t].why),
				 "record %zu is not valid JSON (byte %zu)", i + 1, where);
		}
		return err;
	}
	replay_decode(v, s);
	jv_free(v);
	return 0;
}

