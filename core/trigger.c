// SPDX-License-Identifier: GPL-2.0
/* Trigger expressions: a small parser (TAB[ROW].FIELD OP VALUE[UNIT][/s]) and its test on a snapshot. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/tabs.h"
#include "core/fmt.h"
#include "core/trig.h"
#include "core/trigger.h"

/* The tabs' trigger fields (core/trig_<name>.c), by tab id. */
static const struct trig_tab *const trig_tabs[KTOP_TAB_MAX] = {
#define KTOP_TAB(id, name, title) [KTOP_TAB_##id] = &trig_##name,
#include "core/tabs.def"
#undef KTOP_TAB
};

/* The top level's one field (tab -1). */
static const struct trig_field lost_field = { "lost", TRIG_K_COUNT, true, true, NULL, NULL };

static const struct trig_field *field_of(int tab, int field)
{
	if (tab < 0)
		return field ? NULL : &lost_field;
	if (tab >= KTOP_TAB_MAX || field < 0 || (unsigned)field >= trig_tabs[tab]->nfields)
		return NULL;
	return &trig_tabs[tab]->fields[field];
}

/* Index of the field of tab named name[0..len), or -1. */
static int field_named(int tab, const char *name, size_t len)
{
	const struct trig_tab *tt = trig_tabs[tab];
	unsigned i;

	for (i = 0; i < tt->nfields; i++)
		if (strlen(tt->fields[i].name) == len && !memcmp(tt->fields[i].name, name, len))
			return (int)i;
	return -1;
}

/* See trig.h. */
bool trig_sel_is_num(const char *sel, unsigned long *v)
{
	const char *p;

	if (!*sel)
		return false;
	for (p = sel; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	*v = strtoul(sel, NULL, 10);
	return true;
}

/* The fields of tab, "p50, p95, ...", for error messages. */
static void field_list(int tab, char *buf, size_t n)
{
	size_t len = 0;
	unsigned i;

	buf[0] = 0;
	for (i = 0; i < trig_tabs[tab]->nfields && len < n; i++)
		len += snprintf(buf + len, n - len, "%s%s", len ? ", " : "", trig_tabs[tab]->fields[i].name);
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
	{ "ns", TRIG_K_TIME, 1 }, { "us", TRIG_K_TIME, 1e3 }, { "ms", TRIG_K_TIME, 1e6 }, { "s", TRIG_K_TIME, 1e9 },
	{ "B", TRIG_K_BYTES, 1 }, { "KiB", TRIG_K_BYTES, 1024.0 }, { "MiB", TRIG_K_BYTES, 1048576.0 },
	{ "GiB", TRIG_K_BYTES, 1073741824.0 }, { "TiB", TRIG_K_BYTES, 1099511627776.0 },
	{ "KB", TRIG_K_BYTES, 1e3 }, { "kB", TRIG_K_BYTES, 1e3 }, { "MB", TRIG_K_BYTES, 1e6 },
	{ "GB", TRIG_K_BYTES, 1e9 }, { "TB", TRIG_K_BYTES, 1e12 },
	{ "k", TRIG_K_COUNT, 1e3 }, { "M", TRIG_K_COUNT, 1e6 },
};

static const char *const kind_units[] = {
	[TRIG_K_TIME] = "ns, us, ms or s",
	[TRIG_K_BYTES] = "B, KiB, MiB, GiB (or KB, MB, GB)",
	[TRIG_K_COUNT] = "none, k or M",
	[TRIG_K_BOOL] = "none",
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

/* TAB[ROW].FIELD (or lost) at the start of expr into t; returns where it
 * ends and the field in *fd, or NULL with err set. */
static const char *parse_target(const char *expr, struct ktop_trigger *t,
				const struct trig_field **fd, char *err, size_t errlen)
{
	const char *p = skip_ws(expr), *w;
	char fields[160], tabs[64];
	int i, tab = -2;

	for (w = p; is_word(*w); w++)
		;
	ktop_tab_list(tabs, sizeof(tabs), ", ", 0);
	if (w == p)
		return perr(err, errlen, expr, p, "expected a tab (%s) or lost", tabs), NULL;
	if ((size_t)(w - p) == 4 && !memcmp(p, "lost", 4)) {
		t->tab = -1;
		*fd = &lost_field;
		return w;
	}
	for (i = 0; i < KTOP_TAB_MAX; i++)
		if (strlen(ktop_tab_names[i]) == (size_t)(w - p) && !memcmp(ktop_tab_names[i], p, w - p))
			tab = i;
	if (tab < 0)
		return perr(err, errlen, expr, p, "unknown tab (%s) or lost", tabs), NULL;
	p = w;
	if (*p == '[') {
		const char *s = ++p;

		while (*p && *p != ']' && (unsigned char)*p >= 0x20 && *p != 0x7f)
			p++;
		if (*p != ']')
			return perr(err, errlen, expr, p, "expected ']' closing the row selector"), NULL;
		if (p == s)
			return perr(err, errlen, expr, p, "empty row selector (a name, e.g. io[vda])"), NULL;
		if ((size_t)(p - s) >= sizeof(t->sel))
			return perr(err, errlen, expr, s, "row selector longer than %zu characters",
				    sizeof(t->sel) - 1), NULL;
		memcpy(t->sel, s, p - s);
		t->sel[p - s] = 0;
		p++;
	}
	field_list(tab, fields, sizeof(fields));
	if (*p != '.')
		return perr(err, errlen, expr, p, "expected '.' and a field (%s)", fields), NULL;
	p++;
	for (w = p; is_word(*w); w++)
		;
	t->tab = tab;
	t->field = field_named(tab, p, w - p);
	*fd = field_of(tab, t->field);
	if (!*fd)
		return perr(err, errlen, expr, p, "unknown field of %s (%s)", ktop_tab_names[tab], fields), NULL;
	return w;
}

/* The comparison after the target, at p: OP VALUE[UNIT][/s] (or nothing
 * for a yes/no field). Returns 0 or -EINVAL with err set. */
static int parse_test(const char *expr, const char *p, struct ktop_trigger *t,
		      const struct trig_field *fd, char *err, size_t errlen)
{
	const char *w;
	double v, mul = 1;
	unsigned i;

	p = skip_ws(p);
	if (!*p) {
		if (fd->kind != TRIG_K_BOOL)
			return perr(err, errlen, expr, p, "expected a comparison (>, >=, <, <=, ==, !=) and a value");
		t->op = TRIG_TRUE;
		return 0;
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
	} else if (fd->kind == TRIG_K_TIME) {
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
	return 0;
}

/* See trigger.h. */
int trigger_parse(const char *expr, struct ktop_trigger *t, char *err, size_t errlen)
{
	const struct trig_field *fd;
	const char *p;
	int e;

	memset(t, 0, sizeof(*t));
	if (strlen(expr) >= sizeof(t->expr))
		return perr(err, errlen, expr, expr + sizeof(t->expr) - 1,
			    "too long (at most %zu characters)", sizeof(t->expr) - 1);
	snprintf(t->expr, sizeof(t->expr), "%s", expr);
	p = parse_target(expr, t, &fd, err, errlen);
	if (!p)
		return -EINVAL;
	e = parse_test(expr, p, t, fd, err, errlen);
	if (e)
		return e;
	name_of(expr, t->name, sizeof(t->name));
	return 0;
}

/* The figure t compares, and in row (when one row decides it) that row's name. */
static double figure(const struct ktop_trigger *t, const struct ktop_snapshot *s,
		     const struct trig_field *fd, char *row, size_t n)
{
	const struct trig_tab *tt;
	double v = 0, x;
	uint32_t i, nr;
	int best = -1;

	row[0] = 0;
	if (t->tab < 0)
		return (double)s->lost_events;
	if (s->tab[t->tab].state != KTOP_TAB_RUNNING)
		return 0;
	if (!t->sel[0] && fd->total)
		return fd->total(s);	/* a total the tab keeps beyond its row cut */
	tt = trig_tabs[t->tab];
	nr = tt->nrows(s);
	for (i = 0; i < nr; i++) {
		if (t->sel[0] && !tt->match(s, i, t->sel))
			continue;
		x = fd->get(s, i);
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
	const struct trig_field *fd = field_of(t->tab, t->field);
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
	if (fd->kind == TRIG_K_TIME)
		fmt_ns(val, sizeof(val), (uint64_t)v);
	else if (fd->kind == TRIG_K_BYTES)
		fmt_bytes(val, sizeof(val), v);
	else
		fmt_count(val, sizeof(val), v);
	if (t->tab < 0)
		snprintf(what, n, "lost = %s%s", val, t->per_s ? "/s" : "");
	else
		snprintf(what, n, "%s%s%s%s.%s = %s%s", ktop_tab_names[t->tab], t->sel[0] || row[0] ? "[" : "",
			 t->sel[0] ? t->sel : row, t->sel[0] || row[0] ? "]" : "", fd->name,
			 fd->kind == TRIG_K_BOOL ? (v ? "yes" : "no") : val, t->per_s ? "/s" : "");
	return 1;
}

/* See trigger.h. */
int trigger_row_key(int tab, const struct ktop_snapshot *s, int row, char *key, size_t n)
{
	if (tab < 0 || tab >= KTOP_TAB_MAX || row < 0 || (uint32_t)row >= trig_tabs[tab]->nrows(s))
		return -ERANGE;
	trig_tabs[tab]->key(s, (uint32_t)row, key, n);
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
	nr = trig_tabs[tab]->nrows(s);
	for (i = 0; i < nr; i++) {
		if (trigger_row_key(tab, s, (int)i, k, sizeof(k)) || strcmp(k, key))
			continue;
		trig_tabs[tab]->badness(s, i, primary, secondary);
		return 0;
	}
	return -ENOENT;
}
