// SPDX-License-Identifier: GPL-2.0
/* Command-line parsing. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/tabs.h"
#include "core/cli.h"
#include "core/listen.h"
#include "core/trigger.h"

static const char usage_fmt[] =
"Usage: ktop [OPTION]...\n"
"Live view of what the kernel is doing, measured with eBPF: system calls,\n"
"kernel and user memory leak suspects, lock contention, block I/O latency.\n"
"\n"
"  -b, --batch          no UI: write a report every interval to stdout\n"
"      --json           with -b: one JSON object per interval (JSON Lines)\n"
"  -n, --iterations N   stop after N intervals\n"
"  -d, --delay SECS     interval in seconds (default 1; fractions allowed)\n"
"  -p, --pid PID        only this process and its threads (repeatable)\n"
"  -t, --tab NAME       first tab: %s\n"
"      --panes LIST     collectors to run, comma list of the tab names (default all)\n"
"      --exact          Syscalls: time every call (default: a CPU making more than\n"
"                       20k calls/s times a random 1 in N; counts are always exact)\n"
"  -o, --output FILE    batch output to FILE instead of stdout (never through a symlink)\n"
"      --leak-age SECS  allocations older than this make a leak suspect (default 10)\n"
"      --mem-mode MODE  kernel | user (user needs -p; -p makes it the default)\n"
"      --mem-max N      outstanding allocations tracked at once (default 262144)\n"
"      --mem-stacks WHEN first (default): kernel call sites' stacks walked once;\n"
"                       always: every allocation's (one row per path, ~5x cost)\n"
"      --lock-long SECS long-wait list threshold (default 0.001)\n"
"      --io-slow SECS   slow-I/O list threshold (default 0.01)\n"
"      --io-flag SECS   flag disks whose p95 is above this (default 0.1)\n"
"      --snapshot-dir D where the w key writes (default: working directory)\n"
"      --keep DUR       flight recorder: keep the last DUR of intervals in memory\n"
"                       (default 2m; 0 = off); --keep-mem SIZE bounds it (default 64MiB)\n"
"      --trigger EXPR   save the kept window plus --after DUR (default 10s) to\n"
"                       ktop-DATE-TIME-EXPR.ndjson when EXPR holds (repeatable;\n"
"                       e.g. 'io.p99>50ms', see ktop(1)); then quiet for --cooldown\n"
"                       DUR (default 60s); never below --min-free SIZE of free disk\n"
"      --record         headless: run the triggers, print each file saved\n"
"      --replay FILE    show a file recorded with -b --json in the dashboard;\n"
"                       with -b, write each record as a report (--json: as JSON)\n"
"      --no-color       no colors (also when NO_COLOR is set)\n"
"      --listen ADDR:PORT  serve Prometheus metrics at http://ADDR:PORT/metrics next to\n"
"                       any mode (ADDR defaults to 127.0.0.1; give 0.0.0.0 or [::]\n"
"                       to be reachable from other hosts); see docs/metrics.md\n"
"      --metrics-top N  per-process and per-lock metric series: the top N (default 10, max 200)\n"
"  -q, --quiet          with -b: write no report (headless: --listen only)\n"
"      --bpf-stats      measure ktop's own BPF run time (costs ~2 clock reads per event)\n"
"  -v, --verbose        show libbpf's messages\n"
"  -h, --help           this help;  -V, --version  the version\n"
"\n"
"Keys: 1-%d Tab Shift-Tab switch tab; < > r sort; arrows PgUp PgDn Home End select;\n"
"Enter details, Esc back; f or Space freeze; w snapshot and recorder window;\n"
"/ filter; p this PID only; replay: [ ] step, W worst interval of the row;\n"
"h ? F1 help; q F10 Ctrl-C quit.\n"
"\n"
"Exit status: 0 done, 1 runtime failure, 2 bad usage (unknown option, bad value,\n"
"no such PID, a TERM the dashboard cannot drive: use -b), 3 not enough privilege.\n";

/* The tab names joined by sep, for messages (one at a time). */
static const char *tab_list(const char *sep)
{
	static char buf[128];

	return ktop_tab_list(buf, sizeof(buf), sep, 0);
}

/* See cli.h. */
const char *cli_usage(void)
{
	static char buf[sizeof(usage_fmt) + 256];

	if (!buf[0])
		snprintf(buf, sizeof(buf), usage_fmt, tab_list(" | "), KTOP_TAB_MAX);
	return buf;
}

enum {
	OPT_JSON = 256, OPT_PANES, OPT_LEAK_AGE, OPT_MEM_MODE, OPT_SNAPDIR, OPT_REPLAY,
	OPT_NO_COLOR, OPT_BPF_STATS, OPT_MEM_MAX, OPT_LOCK_LONG, OPT_IO_SLOW, OPT_IO_FLAG,
	OPT_MEM_STACKS, OPT_LISTEN, OPT_METRICS_TOP, OPT_KEEP, OPT_KEEP_MEM, OPT_TRIGGER,
	OPT_AFTER, OPT_COOLDOWN, OPT_RECORD, OPT_MIN_FREE, OPT_EXACT,
};

static const struct option longopts[] = {
	{ "batch", no_argument, NULL, 'b' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "iterations", required_argument, NULL, 'n' },
	{ "delay", required_argument, NULL, 'd' },
	{ "pid", required_argument, NULL, 'p' },
	{ "tab", required_argument, NULL, 't' },
	{ "panes", required_argument, NULL, OPT_PANES },
	{ "exact", no_argument, NULL, OPT_EXACT },
	{ "output", required_argument, NULL, 'o' },
	{ "leak-age", required_argument, NULL, OPT_LEAK_AGE },
	{ "mem-mode", required_argument, NULL, OPT_MEM_MODE },
	{ "mem-max", required_argument, NULL, OPT_MEM_MAX },
	{ "mem-stacks", required_argument, NULL, OPT_MEM_STACKS },
	{ "lock-long", required_argument, NULL, OPT_LOCK_LONG },
	{ "io-slow", required_argument, NULL, OPT_IO_SLOW },
	{ "io-flag", required_argument, NULL, OPT_IO_FLAG },
	{ "snapshot-dir", required_argument, NULL, OPT_SNAPDIR },
	{ "replay", required_argument, NULL, OPT_REPLAY },
	{ "keep", required_argument, NULL, OPT_KEEP },
	{ "keep-mem", required_argument, NULL, OPT_KEEP_MEM },
	{ "trigger", required_argument, NULL, OPT_TRIGGER },
	{ "after", required_argument, NULL, OPT_AFTER },
	{ "cooldown", required_argument, NULL, OPT_COOLDOWN },
	{ "record", no_argument, NULL, OPT_RECORD },
	{ "min-free", required_argument, NULL, OPT_MIN_FREE },
	{ "no-color", no_argument, NULL, OPT_NO_COLOR },
	{ "bpf-stats", no_argument, NULL, OPT_BPF_STATS },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "metrics-top", required_argument, NULL, OPT_METRICS_TOP },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* See cli.h. */
void cli_defaults(struct ktop_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->interval_ns = 1000000000ull;
	o->first_tab = 0;		/* the first tab of the registry */
	o->panes = (1u << KTOP_TAB_MAX) - 1;
	o->leak_age_ns = 10000000000ull;
	o->mem_mode = -1;		/* decided after parsing: user with -p */
	o->mem_max_outstanding = 262144;
	o->lock_long_ns = 1000000;
	o->io_slow_ns = 10000000;
	o->io_flag_p95_ns = 100000000;
	o->metrics_top = 10;
	o->keep_ns = 120000000000ull;
	o->keep_mem = 64ull << 20;
	o->after_ns = 10000000000ull;
	o->cooldown_ns = 60000000000ull;
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *out);

/* A duration: cli_parse_secs() or "Nm" / "Nh" (whole minutes, hours), up to a day. */
static int parse_dur(const char *s, uint64_t *ns)
{
	unsigned long v;
	size_t n = strlen(s);
	char buf[24];

	if (n > 1 && n < sizeof(buf) && (s[n - 1] == 'm' || s[n - 1] == 'h')) {
		memcpy(buf, s, n - 1);
		buf[n - 1] = 0;
		if (parse_ulong(buf, s[n - 1] == 'm' ? 1440 : 24, &v))
			return -EINVAL;
		*ns = (uint64_t)v * (s[n - 1] == 'm' ? 60 : 3600) * 1000000000ull;
		return 0;
	}
	return cli_parse_secs(s, ns);
}

/* A size: a whole number of bytes, or with K/KiB, M/MiB, G/GiB (powers of 1024). */
static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	int sh = 0;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || v == 0)
		return -EINVAL;
	if (*end && strchr("KMG", *end)) {
		sh = *end == 'K' ? 10 : *end == 'M' ? 20 : 30;
		end++;
		if (!strcmp(end, "iB"))
			end += 2;
	}
	if (!strcmp(end, "B"))
		end++;
	if (*end || v > (1ull << 50) >> sh)
		return -EINVAL;
	*out = (uint64_t)v << sh;
	return 0;
}

static int fail(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* See cli.h. */
int cli_parse_secs(const char *s, uint64_t *ns)
{
	char *end;
	double v, mul = 1;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s)
		return -EINVAL;
	if (!strcmp(end, "ms"))
		mul = 1e-3;
	else if (!strcmp(end, "us"))
		mul = 1e-6;
	else if (!strcmp(end, "s"))
		mul = 1;
	else if (*end)
		return -EINVAL;
	v *= mul;
	if (!(v > 0) || v > 86400)	/* also rejects NaN */
		return -EINVAL;
	*ns = (uint64_t)(v * 1e9);
	if (!*ns)
		return -EINVAL;
	return 0;
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;		/* no sign, no space */
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v == 0 || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_panes(const char *list, unsigned *panes, char *err, size_t n)
{
	char buf[128], *tok, *save = NULL;
	int t;

	if (strlen(list) >= sizeof(buf) || !*list)
		return fail(err, n, "--panes: bad list '%.40s' (comma list of %s)", list,
			    tab_list(","));
	strcpy(buf, list);
	*panes = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "all")) {
			*panes = (1u << KTOP_TAB_MAX) - 1;
			continue;
		}
		t = ktop_tab_of(tok);
		if (t < 0)
			return fail(err, n, "--panes: unknown pane '%.40s' (%s)", tok,
				    tab_list(", "));
		*panes |= 1u << t;
	}
	if (!*panes)
		return fail(err, n, "--panes: empty list");
	return 0;
}

/* The recorder's and replay's options with a value (see value_opt()). */
static int record_opt(int ch, struct ktop_opts *o, char *err, size_t errlen)
{
	switch (ch) {
	case OPT_SNAPDIR:
		if (!*optarg)
			return fail(err, errlen, "--snapshot-dir: empty directory name");
		o->snapshot_dir = optarg;
		return 0;
	case OPT_REPLAY:
		if (!*optarg)
			return fail(err, errlen, "--replay: empty file name");
		o->replay = optarg;
		return 0;
	case OPT_KEEP:
		if (!strcmp(optarg, "0"))
			o->keep_ns = 0;
		else if (parse_dur(optarg, &o->keep_ns) || o->keep_ns < 1000000000ull)
			return fail(err, errlen, "--keep: '%.40s' is not a duration from 1s to 24h "
				    "(e.g. 2m, 90s; 0 = off)", optarg);
		return 0;
	case OPT_KEEP_MEM:
		if (parse_size(optarg, &o->keep_mem) || o->keep_mem < (64u << 10))
			return fail(err, errlen, "--keep-mem: '%.40s' is not a size of at least 64KiB "
				    "(e.g. 64MiB)", optarg);
		return 0;
	case OPT_MIN_FREE:
		if (parse_size(optarg, &o->min_free))
			return fail(err, errlen, "--min-free: '%.40s' is not a size (e.g. 2GiB)", optarg);
		return 0;
	case OPT_AFTER:
	case OPT_COOLDOWN:
		if (parse_dur(optarg, ch == OPT_AFTER ? &o->after_ns : &o->cooldown_ns))
			return fail(err, errlen, "--%s: '%.40s' is not a duration (e.g. 10s, 2m)",
				    ch == OPT_AFTER ? "after" : "cooldown", optarg);
		return 0;
	case OPT_TRIGGER:
		if (o->ntriggers >= KTOP_TRIGGERS_MAX)
			return fail(err, errlen, "--trigger: at most %d", KTOP_TRIGGERS_MAX);
		if (trigger_parse(optarg, &o->triggers[o->ntriggers], err, errlen))
			return -EINVAL;
		o->ntriggers++;
		return 0;
	}
	return 1;
}

/* The tabs' options with a value (see value_opt()). */
static int tab_opt(int ch, struct ktop_opts *o, char *err, size_t errlen)
{
	unsigned long v;

	switch (ch) {
	case OPT_LEAK_AGE:
		if (cli_parse_secs(optarg, &o->leak_age_ns))
			return fail(err, errlen, "--leak-age: '%.40s' is not a duration in seconds", optarg);
		return 0;
	case OPT_MEM_MODE:
		if (!strcmp(optarg, "kernel"))
			o->mem_mode = KTOP_MEM_KERNEL;
		else if (!strcmp(optarg, "user"))
			o->mem_mode = KTOP_MEM_USER;
		else
			return fail(err, errlen, "--mem-mode: '%.40s' is not kernel or user", optarg);
		return 0;
	case OPT_MEM_MAX:
		if (parse_ulong(optarg, 1ul << 24, &v) || v < 1024)
			return fail(err, errlen, "--mem-max: '%.40s' is not a count from 1024 to 16777216", optarg);
		o->mem_max_outstanding = (uint32_t)v;
		return 0;
	case OPT_MEM_STACKS:
		if (!strcmp(optarg, "first"))
			o->mem_stacks_always = false;
		else if (!strcmp(optarg, "always"))
			o->mem_stacks_always = true;
		else
			return fail(err, errlen, "--mem-stacks: '%.40s' is not first or always", optarg);
		return 0;
	case OPT_LOCK_LONG:
		if (cli_parse_secs(optarg, &o->lock_long_ns))
			return fail(err, errlen, "--lock-long: '%.40s' is not a duration in seconds", optarg);
		return 0;
	case OPT_IO_SLOW:
		if (cli_parse_secs(optarg, &o->io_slow_ns))
			return fail(err, errlen, "--io-slow: '%.40s' is not a duration in seconds", optarg);
		return 0;
	case OPT_IO_FLAG:
		if (cli_parse_secs(optarg, &o->io_flag_p95_ns))
			return fail(err, errlen, "--io-flag: '%.40s' is not a duration in seconds", optarg);
		return 0;
	}
	return record_opt(ch, o, err, errlen);
}

/* Option ch, one that takes a value (optarg), into o. Returns 0, 1 when ch
 * is not such an option, or -EINVAL with the reason in err. */
static int value_opt(int ch, struct ktop_opts *o, char *err, size_t errlen)
{
	unsigned long v;
	int t;

	switch (ch) {
	case OPT_LISTEN: {
		struct sockaddr_storage ss;
		socklen_t sl;

		if (listen_parse(optarg, &ss, &sl))
			return fail(err, errlen, "--listen: '%.40s' is not ADDR:PORT (e.g. 127.0.0.1:9580)", optarg);
		o->listen = optarg;
		return 0;
	}
	case OPT_METRICS_TOP:
		if (parse_ulong(optarg, 200, &v))
			return fail(err, errlen, "--metrics-top: '%.40s' is not a count from 1 to 200", optarg);
		o->metrics_top = (uint32_t)v;
		return 0;
	case 'n':
		if (parse_ulong(optarg, 1000000000ul, &v))
			return fail(err, errlen, "-n: '%.40s' is not a positive number of intervals", optarg);
		o->iterations = (long)v;
		return 0;
	case 'd':
		if (cli_parse_secs(optarg, &o->interval_ns))
			return fail(err, errlen, "-d: '%.40s' is not an interval in seconds (> 0, e.g. 1 or 0.5)", optarg);
		if (o->interval_ns < 10000000)
			return fail(err, errlen, "-d: %.40s is below the 0.01 s minimum", optarg);
		return 0;
	case 'p':
		if (parse_ulong(optarg, 4194304ul, &v))
			return fail(err, errlen, "-p: '%.40s' is not a process ID", optarg);
		if (o->npids >= KTOP_MAX_PIDS)
			return fail(err, errlen, "-p: at most %d processes", KTOP_MAX_PIDS);
		o->pids[o->npids++] = (uint32_t)v;
		return 0;
	case 't':
		t = ktop_tab_of(optarg);
		if (t < 0)
			return fail(err, errlen, "-t: unknown tab '%.40s' (%s)", optarg, tab_list(", "));
		o->first_tab = t;
		return 0;
	case OPT_PANES:
		if (parse_panes(optarg, &o->panes, err, errlen))
			return -EINVAL;
		return 0;
	case 'o':
		if (!*optarg)
			return fail(err, errlen, "-o: empty file name");
		o->output = optarg;
		return 0;
	}
	return tab_opt(ch, o, err, errlen);
}

/* Options that do not go together, and what follows from them. Returns
 * CLI_RUN, or -EINVAL with the reason in err. */
static int check_opts(struct ktop_opts *o, char *err, size_t errlen)
{
	if (o->ntriggers && !o->keep_ns)
		return fail(err, errlen, "--trigger needs the recorder: --keep 0 turns it off");
	if (o->record && !o->ntriggers)
		return fail(err, errlen, "--record needs at least one --trigger");
	if (o->record && (o->batch || o->replay))
		return fail(err, errlen, "--record is a mode of its own: not with -b or --replay");
	if (o->json && !o->batch)
		return fail(err, errlen, "--json needs -b (batch mode)");
	if (o->output && !o->batch)
		return fail(err, errlen, "-o needs -b (batch mode)");
	if (o->quiet && !o->batch)
		return fail(err, errlen, "-q needs -b (batch mode)");
	if (o->listen && o->replay)
		return fail(err, errlen, "--listen serves live metrics; it does not work with --replay");
	if (o->mem_mode == KTOP_MEM_USER && o->npids != 1)
		return fail(err, errlen, "--mem-mode user needs exactly one -p PID");
	if (o->mem_mode < 0)
		o->mem_mode = o->npids == 1 ? KTOP_MEM_USER : KTOP_MEM_KERNEL;
	o->own_uprobes = o->mem_mode == KTOP_MEM_USER && (o->panes & (1u << KTOP_TAB_MEMORY));
	return CLI_RUN;
}

/* See cli.h. */
int cli_parse(int argc, char **argv, struct ktop_opts *o, char *err, size_t errlen)
{
	int ch, t, ret = CLI_RUN;

	optind = 0;			/* full reset, GNU getopt */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":bqn:d:p:t:o:vhV", longopts, NULL)) != -1) {
		t = value_opt(ch, o, err, errlen);
		if (t < 0)
			return t;
		if (!t)
			continue;
		switch (ch) {
		case 'b':
			o->batch = true;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case OPT_RECORD:
			o->record = true;
			break;
		case OPT_EXACT:
			o->sc_exact = true;
			break;
		case OPT_NO_COLOR:
			o->no_color = true;
			break;
		case OPT_BPF_STATS:
			o->bpf_stats = true;
			break;
		case 'v':
			o->verbose++;
			break;
		case 'h':
			ret = CLI_HELP;
			break;
		case 'V':
			if (ret != CLI_HELP)
				ret = CLI_VERSION;
			break;
		case ':':
			return fail(err, errlen, "option '%.40s' needs a value", argv[optind - 1]);
		default:
			/* getopt_long reports a known long option given a value it
			 * does not take ("--json=1") with optopt set to its val */
			if (optopt >= 256 || (optopt && strchr("bqvhV", optopt))) {
				t = (int)strcspn(argv[optind - 1], "=");
				return fail(err, errlen, "option '%.*s' takes no value",
					    t < 40 ? t : 40, argv[optind - 1]);
			}
			if (optopt)
				return fail(err, errlen, "unknown option '-%c'", optopt);
			return fail(err, errlen, "unknown option '%.40s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return fail(err, errlen, "unexpected argument '%.40s'", argv[optind]);
	if (ret != CLI_RUN)
		return ret;
	return check_opts(o, err, errlen);
}
