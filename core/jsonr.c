// SPDX-License-Identifier: GPL-2.0
/* Recursive-descent JSON parser with a depth bound. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "core/jsonr.h"

struct p {
	const char *s;
	size_t i, len;
	int depth;
};

static void ws(struct p *p)
{
	while (p->i < p->len && (p->s[p->i] == ' ' || p->s[p->i] == '\t' ||
				 p->s[p->i] == '\n' || p->s[p->i] == '\r'))
		p->i++;
}

static int lit(struct p *p, const char *w)
{
	size_t n = strlen(w);

	if (p->len - p->i < n || memcmp(p->s + p->i, w, n))
		return -EINVAL;
	p->i += n;
	return 0;
}

static int hex4(struct p *p, unsigned *out)
{
	unsigned v = 0;
	int k;

	if (p->len - p->i < 4)
		return -EINVAL;
	for (k = 0; k < 4; k++) {
		char c = p->s[p->i++];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -EINVAL;
	}
	*out = v;
	return 0;
}

static size_t put_utf8(char *d, unsigned cp)
{
	if (cp < 0x80) {
		d[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		d[0] = (char)(0xc0 | cp >> 6);
		d[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		d[0] = (char)(0xe0 | cp >> 12);
		d[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		d[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	d[0] = (char)(0xf0 | cp >> 18);
	d[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	d[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	d[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Decode a string literal at p->i (the opening quote) into a new buffer. */
static int string(struct p *p, char **out, size_t *olen)
{
	size_t start, cap, o = 0;
	char *d;

	if (p->i >= p->len || p->s[p->i] != '"')
		return -EINVAL;
	start = ++p->i;
	/* decoded text is never longer than the literal */
	while (p->i < p->len && p->s[p->i] != '"')
		p->i += p->s[p->i] == '\\' ? 2 : 1;
	if (p->i >= p->len) {
		p->i = p->len;		/* a final backslash skipped past the end */
		return -EINVAL;
	}
	cap = p->i - start + 1;
	d = malloc(cap);
	if (!d)
		return -ENOMEM;
	p->i = start;
	while (p->s[p->i] != '"') {
		unsigned char c = (unsigned char)p->s[p->i++];
		unsigned cp, lo;

		if (c < 0x20)
			goto bad;		/* raw control characters are not allowed */
		if (c != '\\') {
			d[o++] = (char)c;
			continue;
		}
		c = (unsigned char)p->s[p->i++];
		switch (c) {
		case '"': case '\\': case '/': d[o++] = (char)c; break;
		case 'b': d[o++] = '\b'; break;
		case 'f': d[o++] = '\f'; break;
		case 'n': d[o++] = '\n'; break;
		case 'r': d[o++] = '\r'; break;
		case 't': d[o++] = '\t'; break;
		case 'u':
			if (hex4(p, &cp))
				goto bad;
			if (cp >= 0xd800 && cp <= 0xdbff && p->len - p->i >= 6 &&
			    p->s[p->i] == '\\' && p->s[p->i + 1] == 'u') {
				p->i += 2;
				if (hex4(p, &lo) || lo < 0xdc00 || lo > 0xdfff)
					goto bad;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xd800 && cp <= 0xdfff) {
				cp = 0xfffd;	/* lone surrogate */
			}
			if (o + 4 >= cap)
				goto bad;	/* cannot happen: \uXXXX is 6 bytes */
			o += put_utf8(d + o, cp);
			break;
		default:
			goto bad;
		}
	}
	p->i++;
	d[o] = 0;
	*out = d;
	*olen = o;
	return 0;
bad:
	free(d);
	return -EINVAL;
}

static int value(struct p *p, struct jv *v);

static int number(struct p *p, struct jv *v)
{
	size_t st = p->i, k;
	char buf[64];
	int digits = 0, integer = 1;

	if (p->i < p->len && p->s[p->i] == '-')
		p->i++, integer = 0;
	while (p->i < p->len && p->s[p->i] >= '0' && p->s[p->i] <= '9')
		p->i++, digits++;
	if (!digits)
		return -EINVAL;
	if (p->i < p->len && p->s[p->i] == '.') {
		integer = 0;
		p->i++;
		digits = 0;
		while (p->i < p->len && p->s[p->i] >= '0' && p->s[p->i] <= '9')
			p->i++, digits++;
		if (!digits)
			return -EINVAL;
	}
	if (p->i < p->len && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
		integer = 0;
		p->i++;
		if (p->i < p->len && (p->s[p->i] == '+' || p->s[p->i] == '-'))
			p->i++;
		digits = 0;
		while (p->i < p->len && p->s[p->i] >= '0' && p->s[p->i] <= '9')
			p->i++, digits++;
		if (!digits)
			return -EINVAL;
	}
	k = p->i - st;
	if (k >= sizeof(buf))
		k = sizeof(buf) - 1;	/* precision beyond 63 characters is not needed */
	memcpy(buf, p->s + st, k);
	buf[k] = 0;
	v->type = JV_NUM;
	v->num = strtod(buf, NULL);
	if (integer && p->i - st <= 20) {
		errno = 0;
		v->u = strtoull(buf, NULL, 10);
		v->is_uint = errno == 0;
	}
	return 0;
}

static int grow(struct jv *v, size_t *cap, int obj)
{
	size_t nc = *cap ? *cap * 2 : 8;
	struct jv *k;

	k = realloc(v->kids, nc * sizeof(*k));
	if (!k)
		return -ENOMEM;
	v->kids = k;
	if (obj) {
		char **ks = realloc(v->keys, nc * sizeof(*ks));

		if (!ks)
			return -ENOMEM;
		v->keys = ks;
	}
	*cap = nc;
	return 0;
}

static int container(struct p *p, struct jv *v, int obj)
{
	size_t cap = 0;
	int err;

	if (++p->depth > JSONR_MAX_DEPTH)
		return -E2BIG;
	v->type = obj ? JV_OBJ : JV_ARR;
	p->i++;
	ws(p);
	if (p->i < p->len && p->s[p->i] == (obj ? '}' : ']')) {
		p->i++;
		p->depth--;
		return 0;
	}
	for (;;) {
		char *key = NULL;
		size_t klen;

		if (v->n == cap && (err = grow(v, &cap, obj)))
			return err;
		if (obj) {
			ws(p);
			err = string(p, &key, &klen);
			if (err)
				return err;
			v->keys[v->n] = key;
			ws(p);
			if (p->i >= p->len || p->s[p->i] != ':') {
				memset(&v->kids[v->n], 0, sizeof(v->kids[0]));
				v->n++;
				return -EINVAL;
			}
			p->i++;
		}
		memset(&v->kids[v->n], 0, sizeof(v->kids[0]));
		v->n++;
		err = value(p, &v->kids[v->n - 1]);
		if (err)
			return err;
		ws(p);
		if (p->i < p->len && p->s[p->i] == ',') {
			p->i++;
			continue;
		}
		if (p->i < p->len && p->s[p->i] == (obj ? '}' : ']')) {
			p->i++;
			p->depth--;
			return 0;
		}
		return -EINVAL;
	}
}

static int value(struct p *p, struct jv *v)
{
	ws(p);
	if (p->i >= p->len)
		return -EINVAL;
	switch (p->s[p->i]) {
	case '{':
		return container(p, v, 1);
	case '[':
		return container(p, v, 0);
	case '"':
		v->type = JV_STR;
		return string(p, &v->str, &v->len);
	case 't':
		v->type = JV_BOOL;
		v->boolean = 1;
		return lit(p, "true");
	case 'f':
		v->type = JV_BOOL;
		return lit(p, "false");
	case 'n':
		v->type = JV_NULL;
		return lit(p, "null");
	default:
		return number(p, v);
	}
}

static void release(struct jv *v)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		release(&v->kids[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->kids);
	free(v->keys);
	free(v->str);
}

/* See jsonr.h. */
void jv_free(struct jv *v)
{
	if (!v)
		return;
	release(v);
	free(v);
}

/* See jsonr.h. */
int json_parse(const char *text, size_t len, struct jv **out, size_t *where)
{
	struct p p = { .s = text, .len = len };
	struct jv *v = calloc(1, sizeof(*v));
	int err;

	if (!v)
		return -ENOMEM;
	err = value(&p, v);
	if (!err) {
		ws(&p);
		if (p.i != p.len)
			err = -EINVAL;	/* trailing garbage */
	}
	if (err) {
		if (where)
			*where = p.i;
		jv_free(v);
		return err;
	}
	*out = v;
	return 0;
}

/* See jsonr.h. */
const struct jv *jv_get(const struct jv *o, const char *key)
{
	size_t i;

	if (!o || o->type != JV_OBJ)
		return NULL;
	for (i = 0; i < o->n; i++)
		if (!strcmp(o->keys[i], key))
			return &o->kids[i];
	return NULL;
}

/* See jsonr.h. */
uint64_t jv_u64(const struct jv *o, const char *key)
{
	const struct jv *v = jv_get(o, key);

	return v && v->type == JV_NUM && v->is_uint ? v->u : 0;
}

/* See jsonr.h. */
double jv_num(const struct jv *o, const char *key)
{
	const struct jv *v = jv_get(o, key);

	return v && v->type == JV_NUM ? v->num : 0;
}

/* See jsonr.h. */
int jv_bool(const struct jv *o, const char *key)
{
	const struct jv *v = jv_get(o, key);

	return v && v->type == JV_BOOL && v->boolean;
}

/* See jsonr.h. */
void jv_str(const struct jv *o, const char *key, char *buf, size_t n)
{
	const struct jv *v = jv_get(o, key);
	size_t k;

	if (!n)
		return;
	buf[0] = 0;
	if (!v || v->type != JV_STR)
		return;
	k = v->len < n - 1 ? v->len : n - 1;
	memcpy(buf, v->str, k);
	buf[k] = 0;
}

/* See jsonr.h. */
const struct jv *jv_arr(const struct jv *o, const char *key)
{
	const struct jv *v = jv_get(o, key);

	return v && v->type == JV_ARR ? v : NULL;
}
