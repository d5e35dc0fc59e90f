// SPDX-License-Identifier: GPL-2.0
/* libFuzzer harness for json_write_string(): any bytes make one valid JSON string that decodes back. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "core/json.h"
#include "tests/unit/testutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tu_mem m;
	const char *why;
	struct jw w;
	size_t i;

	/* utf8_seq_len agrees with the standard's table at every offset */
	for (i = 0; i < size; i++)
		if (utf8_seq_len(data + i, size - i) != tu_utf8_len(data + i, size - i)) {
			fprintf(stderr, "utf8_seq_len disagrees at offset %zu\n", i);
			abort();
		}
	if (!tu_mem_open(&m))
		return 0;
	json_write_string(m.f, (const char *)data, size);
	tu_mem_close(&m);
	why = tu_json_string_violation((const char *)data, size, m.buf, m.len);
	if (why) {
		fprintf(stderr, "json_write_string: %s\n", why);
		abort();
	}
	free(m.buf);

	/* the same bytes as a key and a value inside an object */
	if (!tu_mem_open(&m))
		return 0;
	jw_init(&w, m.f);
	jw_obj(&w, NULL);
	jw_strn(&w, "k", (const char *)data, size);
	jw_arr(&w, "a");
	jw_strn(&w, NULL, (const char *)data, size);
	jw_u64(&w, NULL, size);
	jw_arr_end(&w);
	jw_obj_end(&w);
	tu_mem_close(&m);
	if (tu_json_valid(m.buf, m.len)) {
		fprintf(stderr, "jw_* wrote invalid JSON\n");
		abort();
	}
	free(m.buf);
	return 0;
}
