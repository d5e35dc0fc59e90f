// SPDX-License-Identifier: GPL-2.0
/* libFuzzer harness for cli_parse(): the input, split on NUL bytes, is argv. */
// fuzz-sources: core/trig_*.c
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/cli.h"

#define MAX_ARGS	64

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "violated: %s\n", #c); abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *argv[MAX_ARGS + 2], err[256];
	struct ktop_opts o;
	size_t i, start = 0;
	int argc = 0, r;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = 0;
	argv[argc++] = "ktop";
	for (i = 0; i <= size && argc <= MAX_ARGS; i++) {
		if (buf[i])
			continue;
		argv[argc++] = buf + start;
		start = i + 1;
	}
	argv[argc] = NULL;
	cli_defaults(&o);
	memset(err, 0x5a, sizeof(err));
	r = cli_parse(argc, argv, &o, err, sizeof(err));
	CHECK(r == -EINVAL || r == CLI_RUN || r == CLI_HELP || r == CLI_VERSION);
	if (r == -EINVAL) {
		CHECK(memchr(err, 0, sizeof(err)) != NULL);	/* terminated inside errlen */
		CHECK(err[0] != 0);				/* and says something */
	}
	if (r == CLI_RUN) {
		/* what the rest of ktop relies on after a successful parse */
		CHECK(o.interval_ns >= 10000000ull && o.interval_ns <= 86400ull * 1000000000ull);
		CHECK(o.iterations >= 0);
		CHECK(o.npids >= 0 && o.npids <= KTOP_MAX_PIDS);
		for (i = 0; i < (size_t)o.npids; i++)
			CHECK(o.pids[i] > 0 && o.pids[i] <= 4194304);
		CHECK(o.first_tab >= 0 && o.first_tab < KTOP_TAB_MAX);
		CHECK(o.panes && o.panes < (1u << KTOP_TAB_MAX));
		CHECK(o.mem_mode == KTOP_MEM_KERNEL || o.mem_mode == KTOP_MEM_USER);
		CHECK(o.mem_mode != KTOP_MEM_USER || o.npids == 1);
		CHECK(!o.json || o.batch);
		CHECK(!o.output || (o.batch && o.output[0]));
		CHECK(!o.replay || o.replay[0]);
		CHECK(o.leak_age_ns > 0 && o.lock_long_ns > 0 && o.io_slow_ns > 0);
		CHECK(o.mem_max_outstanding >= 1024 && o.mem_max_outstanding <= (1u << 24));
		CHECK(o.keep_ns == 0 || (o.keep_ns >= 1000000000ull && o.keep_ns <= 86400ull * 1000000000ull));
		CHECK(o.keep_mem >= 65536 && o.after_ns > 0 && o.cooldown_ns > 0);
		CHECK(o.ntriggers >= 0 && o.ntriggers <= KTOP_TRIGGERS_MAX);
		CHECK(!o.ntriggers || o.keep_ns);
		CHECK(!o.record || (o.ntriggers && !o.batch && !o.replay));
		for (i = 0; i < (size_t)o.ntriggers; i++)
			CHECK(o.triggers[i].name[0] && !strchr(o.triggers[i].name, '/'));
	}
	free(buf);
	return 0;
}
