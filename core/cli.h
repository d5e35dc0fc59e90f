/* SPDX-License-Identifier: GPL-2.0 */
/* Command-line parsing into struct ktop_opts: pure, no I/O, fuzzed. */
#ifndef KTOP_CLI_H
#define KTOP_CLI_H
#include <stddef.h>
#include "core/opts.h"

enum cli_result {
	CLI_RUN = 0,
	CLI_HELP = 1,			/* -h: print help, exit 0 */
	CLI_VERSION = 2,		/* -V */
};

/* Defaults before parsing: 1 s interval, all panes, kernel memory mode, ... */
void cli_defaults(struct ktop_opts *o);

/*
 * Parse argv into o (which cli_defaults() filled). Returns enum cli_result,
 * or -EINVAL with one line in err saying which option and value is wrong.
 * Resets getopt itself, so it may be called more than once.
 */
int cli_parse(int argc, char **argv, struct ktop_opts *o, char *err, size_t errlen);

/* Parse a duration in seconds ("1", "0.25", "2s", "500ms"); > 0 and <= 1 day. */
int cli_parse_secs(const char *s, uint64_t *ns);

/* The --help text. */
const char *cli_usage(void);

#endif
