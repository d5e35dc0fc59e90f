// SPDX-License-Identifier: GPL-2.0
/* libFuzzer harness for the replay reader: json_parse() on any bytes, replay_decode(), then both writers. */
// fuzz-sources: core/trig_*.c core/out_json.c core/out_text.c core/out_syscalls.c core/out_memory.c core/out_locks.c core/out_io.c
// fuzz-args: -max_len=16384
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/jsonr.h"
#include "core/out.h"
#include "core/replay.h"
#include "tests/unit/testutil.h"

#define CHECK(c, why) do { if (!(c)) { fprintf(stderr, "violated: %s\n", why); abort(); } } while (0)

/* Walk the tree the way the decoders do, through every accessor. */
static void walk(const struct jv *v, int depth)
{
	char buf[8];
	size_t i;

	CHECK(depth <= JSONR_MAX_DEPTH + 1, "tree deeper than JSONR_MAX_DEPTH");
	switch (v->type) {
	case JV_STR:
		CHECK(v->str && v->str[v->len] == 0, "string not NUL-terminated at len");
		break;
	case JV_OBJ:
		for (i = 0; i < v->n; i++) {
			CHECK(v->keys[i] != NULL, "object key missing");
			CHECK(jv_get(v, v->keys[i]) != NULL, "jv_get misses a key the object has");
			jv_u64(v, v->keys[i]);
			jv_num(v, v->keys[i]);
			jv_bool(v, v->keys[i]);
			jv_str(v, v->keys[i], buf, sizeof(buf));
			CHECK(memchr(buf, 0, sizeof(buf)) != NULL, "jv_str left buf unterminated");
			jv_arr(v, v->keys[i]);
			walk(&v->kids[i], depth + 1);
		}
		break;
	case JV_ARR:
		for (i = 0; i < v->n; i++)
			walk(&v->kids[i], depth + 1);
		break;
	}
}

/* A text report may hold tabs and newlines, nothing else below 0x20, no DEL, no C1. */
static void check_text(const char *t, size_t n)
{
	const unsigned char *p = (const unsigned char *)t;
	size_t i;

	for (i = 0; i < n; i++) {
		CHECK(p[i] >= 0x20 || p[i] == '\n' || p[i] == '\t', "control byte in the text report");
		CHECK(p[i] != 0x7f, "DEL in the text report");
		CHECK(!(p[i] == 0xc2 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f),
		      "C1 control in the text report");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ktop_snapshot *s;
	struct jv *root = NULL;
	size_t where = (size_t)-1;
	struct tu_mem m;
	int err, valid;

	if (!s && !(s = calloc(1, sizeof(*s))))
		return 0;
	err = json_parse((const char *)data, size, &root, &where);
	CHECK(err == 0 || err == -EINVAL || err == -E2BIG || err == -ENOMEM, "unexpected error");
	valid = tu_json_valid((const char *)data, size) == 0;
	if (err) {
		CHECK(!root, "*out set on error");
		if (err == -EINVAL)
			CHECK(where <= size, "error offset past the input");
		/* an independent strict parser accepted it: only depth may differ */
		CHECK(!valid || err == -E2BIG, "valid JSON rejected");
		return 0;
	}
	walk(root, 0);
	replay_decode(root, s);

	if (!tu_mem_open(&m))
		goto out;
	out_json_write(m.f, s, NULL);
	tu_mem_close(&m);
	CHECK(tu_json_valid(m.buf, m.len) == 0, "a replayed snapshot writes invalid JSON");
	free(m.buf);

	if (!tu_mem_open(&m))
		goto out;
	out_text_write(m.f, s);
	tu_mem_close(&m);
	check_text(m.buf, m.len);
	free(m.buf);
out:
	jv_free(root);
	return 0;
}
