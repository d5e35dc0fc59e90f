// SPDX-License-Identifier: GPL-2.0
/* Flight recorder: a ring of recent intervals as JSON lines, bounded in time and bytes; trigger files. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <zstd.h>
#include "core/fmt.h"
#include "core/json.h"
#include "core/msg.h"
#include "core/out.h"
#include "core/recorder.h"
#include "core/snapfile.h"
#include "core/trigger.h"

#define ENT_OVERHEAD	48		/* the entry and the allocator's header, counted with each line */
#define SAVED_MAX	16		/* saved paths queued for --record */

struct rec_ent {
	unsigned char *z;		/* one JSON object, no newline, zstd-compressed */
	size_t zlen;
	size_t len;			/* its length uncompressed */
	uint64_t mono_ns;
	uint64_t interval_ns;
	uint64_t iteration;
};

/* A trigger file being written: the window at the firing, then --after more. */
struct capture {
	FILE *f;			/* NULL: none */
	char tmp[4096];
	uint64_t until_ns;		/* CLOCK_MONOTONIC end of --after */
	int64_t fired_real_ns;		/* names the file */
	uint32_t lines;
};

struct recorder {
	char *last;			/* the newest line uncompressed (batch output, files in flight) */
	size_t last_len, last_cap;	/* the buffer is reused: no regrowth per interval */
	int last_err;
	uint64_t last_it;
	char *scratch;			/* an older line, uncompressed to be written */
	size_t scratch_cap;
	ZSTD_CCtx *zc;			/* reused: no allocation per interval */
	unsigned char *zbuf;		/* compression output, reused */
	size_t zbuf_cap;
	struct rec_ent *ring;
	size_t cap, head, n;		/* oldest at head */
	uint64_t bytes;
	const struct ktop_opts *o;
	char dir[PATH_MAX];		/* absolute: messages name where files are */
	struct capture cap_of[KTOP_TRIGGERS_MAX];
	uint64_t quiet_until[KTOP_TRIGGERS_MAX];
	uint64_t saved_total;
	char saved[SAVED_MAX][PATH_MAX + 64];
	unsigned saved_head, saved_n;
};

struct recorder *recorder_live;

/* See recorder.h. */
uint64_t recorder_floor(uint64_t fs_bytes, uint64_t min_free)
{
	uint64_t pct = fs_bytes / 20;

	if (min_free)
		return min_free;
	return pct > (1ull << 30) ? pct : 1ull << 30;
}

/* 0 when dir has room above the floor; else -ENOSPC and a reason in why. */
static int floor_ok(const struct recorder *r, char *why, size_t n)
{
	struct statvfs sv;
	uint64_t avail, floor;
	char a[16], b[16];

	if (statvfs(r->dir, &sv))
		return 0;		/* cannot tell: the write itself will fail if full */
	avail = (uint64_t)sv.f_bavail * sv.f_frsize;
	floor = recorder_floor((uint64_t)sv.f_blocks * sv.f_frsize, r->o->min_free);
	if (avail >= floor)
		return 0;
	snprintf(why, n, "%s has %s free, below the floor of %s (--min-free)", r->dir,
		 fmt_bytes(a, sizeof(a), (double)avail), fmt_bytes(b, sizeof(b), (double)floor));
	return -ENOSPC;
}

/* See recorder.h. */
int recorder__new(struct recorder **out, const struct ktop_opts *o, char *err, size_t errlen)
{
	const char *dir = o->snapshot_dir ? o->snapshot_dir : ".";
	struct recorder *r;
	int e;

	*out = NULL;
	if (!o->keep_ns)
		return 0;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->o = o;
	if (!realpath(dir, r->dir)) {
		e = -errno;
		if (o->ntriggers) {
			snprintf(err, errlen, "--snapshot-dir %s: %s (trigger files go there; create it "
				 "or name another)", dir, strerror(-e));
			free(r);
			return e;
		}
		snprintf(r->dir, sizeof(r->dir), "%s", dir);
	}
	*out = r;
	return 0;
}

static void ent_free(struct rec_ent *e)
{
	free(e->z);
	e->z = NULL;
}

static void drop_oldest(struct recorder *r)
{
	struct rec_ent *e = &r->ring[r->head];

	r->bytes -= e->zlen + ENT_OVERHEAD;
	ent_free(e);
	r->head = (r->head + 1) % r->cap;
	r->n--;
}

static struct rec_ent *ent_at(const struct recorder *r, size_t i)
{
	return &r->ring[(r->head + i) % r->cap];
}

/* Time the kept intervals cover: from the start of the oldest to the end of the newest. */
static uint64_t span(const struct recorder *r)
{
	const struct rec_ent *a, *b;

	if (!r->n)
		return 0;
	a = ent_at(r, 0);
	b = ent_at(r, r->n - 1);
	return b->mono_ns - a->mono_ns + a->interval_ns;
}

/* One kept line to f, led by the window members. */
static int write_line(FILE *f, const char *line, size_t len, const char *reason, const char *what)
{
	fputs("{\"window\":", f);
	json_write_string(f, reason, strlen(reason));
	if (what) {
		fputs(",\"fired\":", f);
		json_write_string(f, what, strlen(what));
	}
	if (len > 2)
		fputc(',', f);
	fwrite(line + 1, 1, len - 1, f);
	fputc('\n', f);
	return ferror(f) ? -EIO : 0;
}

/* Kept line i uncompressed: the newest as it is, others into the scratch
 * buffer. Returns NULL when out of memory or the data is damaged. */
static const char *ent_line(struct recorder *r, size_t i, size_t *len)
{
	const struct rec_ent *e = ent_at(r, i);
	size_t n;

	if (i == r->n - 1 && r->last && r->last_it && r->last_it == e->iteration) {
		*len = r->last_len;
		return r->last;
	}
	if (r->scratch_cap < e->len) {
		char *tmp = realloc(r->scratch, e->len);

		if (!tmp)
			return NULL;
		r->scratch = tmp;
		r->scratch_cap = e->len;
	}
	n = ZSTD_decompress(r->scratch, e->len, e->z, e->zlen);
	if (ZSTD_isError(n) || n != e->len)
		return NULL;
	*len = e->len;
	return r->scratch;
}

/* See recorder.h. */
int recorder__write(struct recorder *r, FILE *f, const char *reason, long fired, const char *what)
{
	const char *line;
	size_t i, len;

	if (!r)
		return 0;
	for (i = 0; i < r->n; i++) {
		line = ent_line(r, i, &len);
		if (!line)
			return -ENOMEM;
		if (write_line(f, line, len, reason, (long)i == fired ? what : NULL))
			return -EIO;
	}
	return 0;
}

static void saved_push(struct recorder *r, const char *path)
{
	if (r->saved_n == SAVED_MAX) {		/* nobody reads them: keep the newest */
		r->saved_head = (r->saved_head + 1) % SAVED_MAX;
		r->saved_n--;
	}
	snprintf(r->saved[(r->saved_head + r->saved_n) % SAVED_MAX], sizeof(r->saved[0]), "%s", path);
	r->saved_n++;
}

/* See recorder.h. */
int recorder__saved(struct recorder *r, char *path, size_t n)
{
	if (!r || !r->saved_n)
		return 0;
	snprintf(path, n, "%s", r->saved[r->saved_head]);
	r->saved_head = (r->saved_head + 1) % SAVED_MAX;
	r->saved_n--;
	return 1;
}

/* Close trigger i's file and give it its name; why: "" or why it was cut short. */
static void finish(struct recorder *r, int i, const char *why)
{
	static const char *const ext[] = { ".ndjson" };
	struct capture *c = &r->cap_of[i];
	const struct ktop_trigger *t = &r->o->triggers[i];
	char path[PATH_MAX + 64];
	int err;

	err = snapfile_close(c->f, c->tmp);
	c->f = NULL;
	if (!err)
		err = snapfile_link(r->dir, c->fired_real_ns, t->name, 1, &c->tmp, ext, path, sizeof(path));
	if (err) {
		msg_warn("recorder: trigger '%s': cannot save its file in %s: %s", t->expr, r->dir,
			 strerror(-err));
		return;
	}
	r->saved_total++;
	saved_push(r, path);
	/* the path first: a status line cut at the terminal's width keeps it */
	msg_warn("recorder: saved %s (trigger '%s', %u intervals%s%s)", path, t->expr, c->lines,
		 why[0] ? "; cut short: " : "", why);
}

static void abandon(struct recorder *r, int i, int err)
{
	struct capture *c = &r->cap_of[i];

	fclose(c->f);
	unlink(c->tmp);
	c->f = NULL;
	msg_warn("recorder: trigger '%s': writing its file in %s failed: %s; nothing saved",
		 r->o->triggers[i].expr, r->dir, strerror(-err));
}

static void fire(struct recorder *r, int i, const struct ktop_snapshot *s, const char *what)
{
	const struct ktop_trigger *t = &r->o->triggers[i];
	struct capture *c = &r->cap_of[i];
	char why[PATH_MAX + 100], kept[16], after[16];
	int err;

	r->quiet_until[i] = s->mono_ns + r->o->cooldown_ns;
	if (floor_ok(r, why, sizeof(why))) {
		msg_warn("recorder: trigger '%s' fired (%s), not saved: %s", t->expr, what, why);
		return;
	}
	errno = 0;
	c->f = snapfile_tmp(r->dir, c->tmp, sizeof(c->tmp));
	if (!c->f) {
		msg_warn("recorder: trigger '%s' fired (%s), not saved: %s: %s", t->expr, what, r->dir,
			 strerror(errno));
		return;
	}
	c->until_ns = s->mono_ns + r->o->after_ns;
	c->fired_real_ns = s->real_ns;
	c->lines = (uint32_t)r->n;
	err = recorder__write(r, c->f, "trigger", (long)r->n - 1, what);
	if (err) {
		abandon(r, i, err);
		return;
	}
	fflush(c->f);
	msg_warn("recorder: trigger '%s' fired (%s): saving the last %s and the next %s in %s",
		 t->expr, what, fmt_ns(kept, sizeof(kept), span(r)),
		 fmt_ns(after, sizeof(after), r->o->after_ns), r->dir);
}

/* fopencookie() writer appending to r->last, growing it by doubling. */
static ssize_t last_write(void *cookie, const char *buf, size_t n)
{
	struct recorder *r = cookie;

	if (r->last_len + n > r->last_cap) {
		size_t cap = r->last_cap ? r->last_cap : 65536;
		char *tmp;

		while (cap < r->last_len + n)
			cap *= 2;
		tmp = realloc(r->last, cap);
		if (!tmp) {
			r->last_err = -ENOMEM;
			return 0;
		}
		r->last = tmp;
		r->last_cap = cap;
	}
	memcpy(r->last + r->last_len, buf, n);
	r->last_len += n;
	return (ssize_t)n;
}

/* The JSON line of s, in r->last; then kept compressed in e: zstd level 1
 * shrinks JSON lines ~12x (a busy machine's 400 KB line to 31 KB) in ~4 ms
 * on the shared test machine, where zlib's fastest level took 18 ms for
 * 10x. Returns 0 or -ENOMEM. */
static int render(struct recorder *r, const struct ktop_snapshot *s, struct rec_ent *e)
{
	static const cookie_io_functions_t io = { .write = last_write };
	static char iobuf[65536];
	unsigned char *z, *tmp;
	size_t zlen;
	FILE *f;
	int err;

	r->last_len = 0;
	r->last_err = 0;
	r->last_it = 0;
	f = fopencookie(r, "w", io);
	if (!f)
		return -ENOMEM;
	setvbuf(f, iobuf, _IOFBF, sizeof(iobuf));
	err = out_json_write(f, s, NULL);
	if (fclose(f) || err || r->last_err)
		return -ENOMEM;
	if (!r->zc)
		r->zc = ZSTD_createCCtx();
	/* into a reused buffer of the bound's size (a fresh one would be
	 * mmap()ed and faulted in every interval), then an exact copy */
	zlen = ZSTD_compressBound(r->last_len);
	if (zlen > r->zbuf_cap) {
		tmp = realloc(r->zbuf, zlen);
		if (!tmp)
			return -ENOMEM;
		r->zbuf = tmp;
		r->zbuf_cap = zlen;
	}
	if (!r->zc)
		return -ENOMEM;
	zlen = ZSTD_compressCCtx(r->zc, r->zbuf, r->zbuf_cap, r->last, r->last_len, 1);
	if (ZSTD_isError(zlen))
		return -ENOMEM;
	z = malloc(zlen);
	if (!z)
		return -ENOMEM;
	memcpy(z, r->zbuf, zlen);
	e->z = z;
	e->zlen = zlen;
	e->len = r->last_len;
	r->last_it = s->iteration;
	return 0;
}

/* See recorder.h. */
int recorder__push(struct recorder *r, const struct ktop_snapshot *s)
{
	struct rec_ent *e;
	char what[200], why[PATH_MAX + 100];
	int i, err = 0;

	if (!r)
		return 0;
	if (r->n == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 64, k;
		struct rec_ent *ring = calloc(nc, sizeof(*ring));

		if (!ring) {
			err = -ENOMEM;
			goto triggers;
		}
		for (k = 0; k < r->n; k++)
			ring[k] = *ent_at(r, k);
		free(r->ring);
		r->ring = ring;
		r->cap = nc;
		r->head = 0;
	}
	e = &r->ring[(r->head + r->n) % r->cap];
	err = render(r, s, e);
	if (err)
		goto triggers;
	e->mono_ns = s->mono_ns;
	e->interval_ns = s->interval_ns;
	e->iteration = s->iteration;
	r->n++;
	r->bytes += e->zlen + ENT_OVERHEAD;
	/* the bounds: time and bytes, oldest first (the newest always stays) */
	while (r->n > 1 && (span(r) > r->o->keep_ns || r->bytes > r->o->keep_mem))
		drop_oldest(r);
	/* trigger files in flight: this interval, then done when --after passed */
	for (i = 0; i < r->o->ntriggers; i++) {
		struct capture *c = &r->cap_of[i];

		if (!c->f)
			continue;
		if (write_line(c->f, r->last, r->last_len, "trigger", NULL) || fflush(c->f)) {
			abandon(r, i, -(errno ? errno : EIO));
			continue;
		}
		c->lines++;
		if (floor_ok(r, why, sizeof(why)))
			finish(r, i, why);
		else if (s->mono_ns >= c->until_ns)
			finish(r, i, "");
	}
triggers:
	for (i = 0; i < r->o->ntriggers; i++) {
		if (r->cap_of[i].f || s->mono_ns < r->quiet_until[i])
			continue;
		if (!trigger_eval(&r->o->triggers[i], s, what, sizeof(what)))
			continue;
		if (err) {
			msg_warn("recorder: trigger '%s' fired (%s), not saved: out of memory",
				 r->o->triggers[i].expr, what);
			r->quiet_until[i] = s->mono_ns + r->o->cooldown_ns;
			continue;
		}
		fire(r, i, s, what);
	}
	return err;
}

/* See recorder.h. */
const char *recorder__line(const struct recorder *r, uint64_t it, size_t *len)
{
	if (!r || !r->last || !r->last_it || r->last_it != it)
		return NULL;
	*len = r->last_len;
	return r->last;
}

/* See recorder.h. */
uint32_t recorder__kept(const struct recorder *r)
{
	return r ? (uint32_t)r->n : 0;
}

/* See recorder.h. */
void recorder__status(const struct recorder *r, struct ktop_rec_status *st)
{
	int i;

	memset(st, 0, sizeof(*st));
	if (!r)
		return;
	st->on = 1;
	st->kept = (uint32_t)r->n;
	st->kept_ns = span(r);
	st->bytes = r->bytes;
	st->keep_ns = r->o->keep_ns;
	st->keep_mem = r->o->keep_mem;
	st->triggers = (uint32_t)r->o->ntriggers;
	for (i = 0; i < r->o->ntriggers; i++)
		st->saving += r->cap_of[i].f != NULL;
	st->saved = r->saved_total;
}

/* See recorder.h. */
void recorder__finish(struct recorder *r)
{
	int i;

	for (i = 0; r && i < r->o->ntriggers; i++)
		if (r->cap_of[i].f)
			finish(r, i, "ktop stopped");
}

/* See recorder.h. */
void recorder__free(struct recorder *r)
{
	if (!r)
		return;
	recorder__finish(r);
	while (r->n)
		drop_oldest(r);
	free(r->ring);
	free(r->last);
	free(r->scratch);
	ZSTD_freeCCtx(r->zc);
	free(r->zbuf);
	free(r);
}
