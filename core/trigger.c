// SPDX-License-Identifier: GPL-2.0
/* Trigger expressions: a small parser (TAB[ROW].FIELD OP VALUE[UNIT][/s]) and its test on a snapshot. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/tabs.h"
#include "core/fmt.h"
#include "core/trigger.h"

enum kind { K_TIME, K_BYTES, K_COUNT, K_BOOL };

enum field {
	F_P50, F_P95, F_P99, F_P999, F_MAX, F_AVG, F_QUEUE, F_DEVICE,
	F_COUNT, F_ERRORS, F_TIME, F_BYTES, F_WAIT, F_CONTENTIONS,
	F_SUSPECT, F_OUTSTANDING, F_ALLOCS, F_FREES, F_AGE, F_LOST,
};

/* What each tab offers. sum: summed over rows (else the maximum is taken);
 * rate: a counter of the interval, so "/s" makes sense. */
static const struct fdef {
	int tab;
	const char *name;
	int field, kind;
	bool sum, rate;
} fdefs[] = {
	{ KTOP_TAB_SYSCALLS, "p50", F_P50, K_TIME, false, false },
	{ KTOP_TAB_SYSCALLS, "p95", F_P95, K_TIME, false, false },
	{ KTOP_TAB_SYSCALLS, "p99", F_P99, K_TIME, false, false },
	{ KTOP_TAB_SYSCALLS, "max", F_MAX, K_TIME, false, false },
	{ KTOP_TAB_SYSCALLS, "count", F_COUNT, K_COUNT, true, true },
	{ KTOP_TAB_SYSCALLS, "errors", F_ERRORS, K_COUNT, true, true },
	{ KTOP_TAB_SYSCALLS, "time", F_TIME, K_TIME, true, true },
	{ KTOP_TAB_IO, "p50", F_P50, K_TIME, false, false },
	{ KTOP_TAB_IO, "p95", F_P95, K_TIME, false, false },
	{ KTOP_TAB_IO, "p99", F_P99, K_TIME, false, false },
	{ KTOP_TAB_IO, "p999", F_P999, K_TIME, false, false },
	{ KTOP_TAB_IO, "max", F_MAX, K_TIME, false, false },
	{ KTOP_TAB_IO, "queue", F_QUEUE, K_TIME, false, false },
	{ KTOP_TAB_IO, "device", F_DEVICE, K_TIME, false, false },
	{ KTOP_TAB_IO, "count", F_COUNT, K_COUNT, true, true },
	{ KTOP_TAB_IO, "errors", F_ERRORS, K_COUNT, true, true },
	{ KTOP_TAB_IO, "bytes", F_BYTES, K_BYTES, true, true },
	{ KTOP_TAB_LOCKS, "wait", F_WAIT, K_TIME, true, true },
	{ KTOP_TAB_LOCKS, "contentions", F_CONTENTIONS, K_COUNT, true, true },
	{ KTOP_TAB_LOCKS, "max", F_MAX, K_TIME, false, false },
	{ KTOP_TAB_LOCKS, "avg", F_AVG, K_TIME, false, false },
	{ KTOP_TAB_LOCKS, "p99", F_P99, K_TIME, false, false },
	{ KTOP_TAB_MEMORY, "suspect", F_SUSPECT, K_BOOL, false, false },
	{ KTOP_TAB_MEMORY, "outstanding", F_OUTSTANDING, K_BYTES, true, false },
	{ KTOP_TAB_MEMORY, "allocs", F_ALLOCS, K_COUNT, true, true },
	{ KTOP_TAB_MEMORY, "frees", F_FREES, K_COUNT, true, true },
	{ KTOP_TAB_MEMORY, "age", F_AGE, K_TIME, false, false },
	{ -1, "lost", F_LOST, K_COUNT, true, true },
};
#define NFDEFS	(sizeof(fdefs) / sizeof(fdefs[0]))

static const struct fdef *fdef_of(int tab, int field)
{
	unsigned i;

	for (i = 0; i < NFDEFS; i++)
		if (fdefs[i].tab == tab && fdefs[i].field == field)
			return &fdefs[i];
	return NULL;
}

static const struct fdef *fdef_named(int tab, const char *name, size_t len)
{
	unsigned i;

	for (i = 0; i < NFDEFS; i++)
		if (fdefs[i].tab == tab && strlen(fdefs[i].name) == len &&
		    !memcmp(fdefs[i].name, name, len))
			return &fdefs[i];
	return NULL;
}

/* The fields of tab, "p50, p95, ...", for error messages. */
static void field_list(int tab, char *buf, size_t n)
{
	size_t len = 0;
	unsigned i;

	buf[0] = 0;
	for (i = 0; i < NFDEFS && len < n; i++)
		if (fdefs[i].tab == tab)
			len += snprintf(buf + len, n - len, "%s%s", len ? ", " : "", fdefs[i].name);
}

static int perr(char *err, size_t n, const char *expr, const char *at, const char *fmt, ...)
{
	char why[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (*at)
		snprintf(err, n, "--trigger '%.100s': column %d, at '%.20s': %s", expr,
			 (int)(at - expr) + 1, at, why);
	else
		snprintf(err, n, "--trigger '%.100s': column %d, at the end: %s", expr,
			 (int)(at - expr) + 1, why);
	return -EINVAL;
}

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static bool is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* A plain decimal number: digits, optionally "." and digits; no sign,
 * exponent, hex, inf or nan (strtod would take all of those). */
static const char *parse_num(const char *p, double *v)
{
	double x = 0, scale = 1;
	const char *q = p;

	if (*q < '0' || *q > '9')
		return NULL;
	while (*q >= '0' && *q <= '9' && q - p < 20)
		x = x * 10 + (*q++ - '0');
	if (*q >= '0' && *q <= '9')
		return NULL;		/* more than 20 digits */
	if (*q == '.') {
		q++;
		if (*q < '0' || *q > '9')
			return NULL;
		while (*q >= '0' && *q <= '9') {
			scale /= 10;
			if (scale > 1e-12)
				x += (*q - '0') * scale;
			q++;
		}
	}
	*v = x;
	return q;
}

static const struct unit {
	const char *name;
	int kind;
	double mul;
} units[] = {
	{ "ns", K_TIME, 1 }, { "us", K_TIME, 1e3 }, { "ms", K_TIME, 1e6 }, { "s", K_TIME, 1e9 },
	{ "B", K_BYTES, 1 }, { "KiB", K_BYTES, 1024.0 }, { "MiB", K_BYTES, 1048576.0 },
	{ "GiB", K_BYTES, 1073741824.0 }, { "TiB", K_BYTES, 1099511627776.0 },
	{ "KB", K_BYTES, 1e3 }, { "kB", K_BYTES, 1e3 }, { "MB", K_BYTES, 1e6 },
	{ "GB", K_BYTES, 1e9 }, { "TB", K_BYTES, 1e12 },
	{ "k", K_COUNT, 1e3 }, { "M", K_COUNT, 1e6 },
};

static const char *const kind_units[] = {
	[K_TIME] = "ns, us, ms or s",
	[K_BYTES] = "B, KiB, MiB, GiB (or KB, MB, GB)",
	[K_COUNT] = "none, k or M",
	[K_BOOL] = "none",
};

/* The file-name part of expr: letters, digits, '.', '-', '_' only. */
static void name_of(const char *expr, char *name, size_t n)
{
	static const struct { char c; const char *s; } words[] = {
		{ '>', "gt" }, { '<', "lt" }, { '=', "eq" }, { '!', "not" }, { '/', "per" },
	};
	size_t len = 0;
	const char *p;
	unsigned i;

	for (p = expr; *p && len + 4 < n; p++) {
		const char *w = NULL;
		char c = *p;

		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			if (words[i].c == c)
				w = words[i].s;
		if (w) {
			if (len && name[len - 1] != '_')
				name[len++] = '_';
			while (*w && len + 2 < n)
				name[len++] = *w++;
			name[len++] = '_';
			continue;
		}
		if (!is_word(c) && c != '.' && c != '-')
			c = '_';
		if (c == '_' && len && name[len - 1] == '_')
			continue;
		if (c == '.' && len && name[len - 1] == '.')
			c = '_';		/* no ".." in a name */
		name[len++] = c;
	}
	while (len && (name[len - 1] == '_' || name[len - 1] == '.'))
		len--;
	name[len] = 0;
	if (!len || name[0] == '.' || name[0] == '-')
		snprintf(name, n, "trigger");
}

/* See trigger.h. */
int trigger_parse(const char *expr, struct ktop_trigger *t, char *err, size_t errlen)
{
	const char *p = expr, *w;
	const struct fdef *fd;
	char fields[160];
	double v, mul = 1;
	unsigned i;
	int tab = -2;

	memset(t, 0, sizeof(*t));
	if (strlen(expr) >= sizeof(t->expr))
		return perr(err, errlen, expr, expr + sizeof(t->expr) - 1,
			    "too long (at most %zu characters)", sizeof(t->expr) - 1);
	snprintf(t->expr, sizeof(t->expr), "%s", expr);
	p = skip_ws(p);
	for (w = p; is_word(*w); w++)
		;
	if (w == p)
		return perr(err, errlen, expr, p, "expected a tab (syscalls, memory, locks, io) or lost");
	if ((size_t)(w - p) == 4 && !memcmp(p, "lost", 4)) {
		tab = -1;
		fd = fdef_named(-1, "lost", 4);
		p = w;
		goto op;
	}
	for (i = 0; i < KTOP_TAB_MAX; i++)
		if (strlen(ktop_tab_names[i]) == (size_t)(w - p) && !memcmp(ktop_tab_names[i], p, w - p))
			tab = (int)i;
	if (tab < 0)
		return perr(err, errlen, expr, p, "unknown tab (syscalls, memory, locks, io) or lost");
	p = w;
	if (*p == '[') {
		const char *s = ++p;

		while (*p && *p != ']' && (unsigned char)*p >= 0x20 && *p != 0x7f)
			p++;
		if (*p != ']')
			return perr(err, errlen, expr, p, "expected ']' closing the row selector");
		if (p == s)
			return perr(err, errlen, expr, p, "empty row selector (a name, e.g. io[vda])");
		if ((size_t)(p - s) >= sizeof(t->sel))
			return perr(err, errlen, expr, s, "row selector longer than %zu characters",
				    sizeof(t->sel) - 1);
		memcpy(t->sel, s, p - s);
		t->sel[p - s] = 0;
		p++;
	}
	field_list(tab, fields, sizeof(fields));
	if (*p != '.')
		return perr(err, errlen, expr, p, "expected '.' and a field (%s)", fields);
	p++;
	for (w = p; is_word(*w); w++)
		;
	fd = fdef_named(tab, p, w - p);
	if (!fd)
		return perr(err, errlen, expr, p, "unknown field of %s (%s)", ktop_tab_names[tab], fields);
	p = w;
op:
	t->tab = tab;
	t->field = fd->field;
	p = skip_ws(p);
	if (!*p) {
		if (fd->kind != K_BOOL)
			return perr(err, errlen, expr, p, "expected a comparison (>, >=, <, <=, ==, !=) and a value");
		t->op = TRIG_TRUE;
		goto done;
	}
	if (p[0] == '>' && p[1] == '=')
		t->op = TRIG_GE, p += 2;
	else if (p[0] == '<' && p[1] == '=')
		t->op = TRIG_LE, p += 2;
	else if (p[0] == '=' && p[1] == '=')
		t->op = TRIG_EQ, p += 2;
	else if (p[0] == '!' && p[1] == '=')
		t->op = TRIG_NE, p += 2;
	else if (p[0] == '>')
		t->op = TRIG_GT, p++;
	else if (p[0] == '<')
		t->op = TRIG_LT, p++;
	else if (p[0] == '=')
		t->op = TRIG_EQ, p++;
	else
		return perr(err, errlen, expr, p, "expected a comparison (>, >=, <, <=, ==, !=)");
	p = skip_ws(p);
	w = parse_num(p, &v);
	if (!w)
		return perr(err, errlen, expr, p, "expected a number (digits, optionally with a '.' and decimals)");
	p = w;
	for (w = p; (*w >= 'a' && *w <= 'z') || (*w >= 'A' && *w <= 'Z'); w++)
		;
	if (w > p) {
		const struct unit *u = NULL;

		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (strlen(units[i].name) == (size_t)(w - p) && !memcmp(units[i].name, p, w - p))
				u = &units[i];
		if (!u || u->kind != fd->kind)
			return perr(err, errlen, expr, p, "%s unit for %s (units: %s)",
				    u ? "wrong" : "unknown", fd->name, kind_units[fd->kind]);
		mul = u->mul;
		p = w;
	} else if (fd->kind == K_TIME) {
		return perr(err, errlen, expr, p, "a time needs a unit (ns, us, ms or s)");
	}
	if (p[0] == '/') {
		if (p[1] != 's' || is_word(p[2]))
			return perr(err, errlen, expr, p, "expected '/s' (per second)");
		if (!fd->rate)
			return perr(err, errlen, expr, p, "%s is not a counter of the interval: no /s", fd->name);
		t->per_s = true;
		p += 2;
	}
	t->value = v * mul;
	p = skip_ws(p);
	if (*p)
		return perr(err, errlen, expr, p, "unexpected text after the value");
done:
	name_of(expr, t->name, sizeof(t->name));
	return 0;
}

static bool digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* A lock's name without "+0xoff". */
static bool sym_match(const char *sym, const char *sel)
{
	size_t n = strcspn(sym, "+");

	return !strcmp(sym, sel) || (strlen(sel) == n && !strncmp(sym, sel, n));
}

/* Does row i of tab match selector sel ("" matches every row)? */
static bool row_match(int tab, const struct ktop_snapshot *s, uint32_t i, const char *sel)
{
	char buf[64];

	if (!*sel)
		return true;
	switch (tab) {
	case KTOP_TAB_SYSCALLS:
		return !strcmp(s->sc.rows[i].name, sel) ||
		       (digits(sel) && strtoul(sel, NULL, 10) == s->sc.rows[i].nr);
	case KTOP_TAB_IO:
		snprintf(buf, sizeof(buf), "%s:%s", s->io.rows[i].disk, s->io.rows[i].op);
		return !strcmp(s->io.rows[i].disk, sel) || !strcmp(s->io.rows[i].op, sel) ||
		       !strcmp(buf, sel);
	case KTOP_TAB_LOCKS:
		return sym_match(s->lock.rows[i].symbol, sel) || !strcmp(s->lock.rows[i].type, sel);
	case KTOP_TAB_MEMORY:
		return !strcmp(s->mem.rows[i].comm, sel) ||
		       (digits(sel) && strtoul(sel, NULL, 10) == s->mem.rows[i].pid);
	}
	return false;
}

static uint32_t nrows(int tab, const struct ktop_snapshot *s)
{
	switch (tab) {
	case KTOP_TAB_SYSCALLS:
		return s->sc.nrows < KTOP_SC_ROWS_MAX ? s->sc.nrows : KTOP_SC_ROWS_MAX;
	case KTOP_TAB_IO:
		return s->io.nrows < KTOP_IO_ROWS_MAX ? s->io.nrows : KTOP_IO_ROWS_MAX;
	case KTOP_TAB_LOCKS:
		return s->lock.nrows < KTOP_LOCK_ROWS_MAX ? s->lock.nrows : KTOP_LOCK_ROWS_MAX;
	case KTOP_TAB_MEMORY:
		return s->mem.nrows < KTOP_MEM_ROWS_MAX ? s->mem.nrows : KTOP_MEM_ROWS_MAX;
	}
	return 0;
}

/* Field f of row i of tab. */
static double row_value(int tab, const struct ktop_snapshot *s, uint32_t i, int f)
{
	switch (tab) {
	case KTOP_TAB_SYSCALLS: {
		const struct ktop_sc_row *r = &s->sc.rows[i];

		switch (f) {
		case F_P50: return r->p50_ns;
		case F_P95: return r->p95_ns;
		case F_P99: return r->p99_ns;
		case F_MAX: return r->max_ns;
		case F_COUNT: return r->count;
		case F_ERRORS: return r->errors;
		case F_TIME: return r->total_ns;
		}
		break;
	}
	case KTOP_TAB_IO: {
		const struct ktop_io_row *r = &s->io.rows[i];

		switch (f) {
		case F_P50: return r->p50_ns;
		case F_P95: return r->p95_ns;
		case F_P99: return r->p99_ns;
		case F_P999: return r->p999_ns;
		case F_MAX: return r->max_ns;
		case F_QUEUE: return r->queue_avg_ns;
		case F_DEVICE: return r->device_avg_ns;
		case F_COUNT: return r->count;
		case F_ERRORS: return r->errors;
		case F_BYTES: return r->bytes;
		}
		break;
	}
	case KTOP_TAB_LOCKS: {
		const struct ktop_lock_row *r = &s->lock.rows[i];

		switch (f) {
		case F_WAIT: return r->total_wait_ns;
		case F_CONTENTIONS: return r->contentions;
		case F_MAX: return r->max_wait_ns;
		case F_AVG: return r->avg_wait_ns;
		case F_P99: return r->p99_ns;
		}
		break;
	}
	case KTOP_TAB_MEMORY: {
		const struct ktop_mem_row *r = &s->mem.rows[i];

		switch (f) {
		case F_SUSPECT: return r->suspect ? 1 : 0;
		case F_OUTSTANDING: return r->outstanding_bytes;
		case F_ALLOCS: return r->allocs;
		case F_FREES: return r->frees;
		case F_AGE: return r->oldest_age_ns;
		}
		break;
	}
	}
	return 0;
}

/* The figure t compares, and in row (when one row decides it) that row's name. */
static double figure(const struct ktop_trigger *t, const struct ktop_snapshot *s, const struct fdef *fd,
		     char *row, size_t n)
{
	double v = 0, x;
	uint32_t i, nr;
	int best = -1;

	row[0] = 0;
	if (t->tab < 0)
		return (double)s->lost_events;
	if (s->tab[t->tab].state != KTOP_TAB_RUNNING)
		return 0;
	/* totals the tab keeps beyond its row cut */
	if (!t->sel[0] && t->tab == KTOP_TAB_LOCKS && t->field == F_WAIT)
		return (double)s->lock.total_wait_ns;
	if (!t->sel[0] && t->tab == KTOP_TAB_LOCKS && t->field == F_CONTENTIONS)
		return (double)s->lock.contentions;
	if (!t->sel[0] && t->tab == KTOP_TAB_MEMORY && t->field == F_OUTSTANDING)
		return (double)s->mem.outstanding_bytes;
	nr = nrows(t->tab, s);
	for (i = 0; i < nr; i++) {
		if (!row_match(t->tab, s, i, t->sel))
			continue;
		x = row_value(t->tab, s, i, t->field);
		if (fd->sum) {
			v += x;
		} else if (best < 0 || x > v) {
			v = x;
			best = (int)i;
		}
	}
	if (best >= 0 && !t->sel[0])
		trigger_row_key(t->tab, s, best, row, n);
	return v;
}

/* See trigger.h. */
int trigger_eval(const struct ktop_trigger *t, const struct ktop_snapshot *s, char *what, size_t n)
{
	const struct fdef *fd = fdef_of(t->tab, t->field);
	char row[64], val[32];
	double v;
	int hit = 0;

	if (!fd)
		return 0;
	v = figure(t, s, fd, row, sizeof(row));
	if (t->per_s)
		v = s->interval_ns ? v * 1e9 / (double)s->interval_ns : 0;
	switch (t->op) {
	case TRIG_TRUE: hit = v != 0; break;
	case TRIG_GT: hit = v > t->value; break;
	case TRIG_GE: hit = v >= t->value; break;
	case TRIG_LT: hit = v < t->value; break;
	case TRIG_LE: hit = v <= t->value; break;
	case TRIG_EQ: hit = v == t->value; break;
	case TRIG_NE: hit = v != t->value; break;
	}
	if (!hit || !what)
		return hit;
	if (fd->kind == K_TIME)
		fmt_ns(val, sizeof(val), (uint64_t)v);
	else if (fd->kind == K_BYTES)
		fmt_bytes(val, sizeof(val), v);
	else
		fmt_count(val, sizeof(val), v);
	if (t->tab < 0)
		snprintf(what, n, "lost = %s%s", val, t->per_s ? "/s" : "");
	else
		snprintf(what, n, "%s%s%s%s.%s = %s%s", ktop_tab_names[t->tab], t->sel[0] || row[0] ? "[" : "",
			 t->sel[0] ? t->sel : row, t->sel[0] || row[0] ? "]" : "", fd->name,
			 fd->kind == K_BOOL ? (v ? "yes" : "no") : val, t->per_s ? "/s" : "");
	return 1;
}

/* See trigger.h. */
int trigger_row_key(int tab, const struct ktop_snapshot *s, int row, char *key, size_t n)
{
	if (row < 0 || (uint32_t)row >= nrows(tab, s))
		return -ERANGE;
	switch (tab) {
	case KTOP_TAB_SYSCALLS:
		snprintf(key, n, "%s", s->sc.rows[row].name);
		break;
	case KTOP_TAB_IO:
		snprintf(key, n, "%s:%s", s->io.rows[row].disk, s->io.rows[row].op);
		break;
	case KTOP_TAB_LOCKS:
		if (s->lock.rows[row].symbol[0])
			snprintf(key, n, "%s", s->lock.rows[row].symbol);
		else
			snprintf(key, n, "0x%llx", (unsigned long long)s->lock.rows[row].addr);
		break;
	case KTOP_TAB_MEMORY:
		if (s->mem.mode == KTOP_MEM_USER && s->mem.rows[row].stack >= 0 &&
		    s->mem.rows[row].stack < KTOP_MEM_STACKS_MAX &&
		    s->mem.stacks[s->mem.rows[row].stack].nframes)
			snprintf(key, n, "%s", s->mem.stacks[s->mem.rows[row].stack].frames[0]);
		else
			snprintf(key, n, "%u", s->mem.rows[row].pid);
		break;
	default:
		return -ERANGE;
	}
	return 0;
}

/* See trigger.h. */
int trigger_row_badness(int tab, const struct ktop_snapshot *s, const char *key,
			double *primary, double *secondary)
{
	char k[KTOP_FRAME_LEN + 8];
	uint32_t i, nr;

	if (tab < 0 || tab >= KTOP_TAB_MAX || s->tab[tab].state != KTOP_TAB_RUNNING)
		return -ENOENT;
	nr = nrows(tab, s);
	for (i = 0; i < nr; i++) {
		if (trigger_row_key(tab, s, (int)i, k, sizeof(k)) || strcmp(k, key))
			continue;
		switch (tab) {
		case KTOP_TAB_SYSCALLS:
			*primary = s->sc.rows[i].p99_ns;
			*secondary = s->sc.rows[i].max_ns;
			break;
		case KTOP_TAB_IO:
			*primary = s->io.rows[i].p99_ns;
			*secondary = s->io.rows[i].max_ns;
			break;
		case KTOP_TAB_LOCKS:
			*primary = s->lock.rows[i].total_wait_ns;
			*secondary = s->lock.rows[i].max_wait_ns;
			break;
		case KTOP_TAB_MEMORY:
			*primary = s->mem.rows[i].outstanding_bytes;
			*secondary = s->mem.rows[i].oldest_age_ns;
			break;
		}
		return 0;
	}
	return -ENOENT;
}
