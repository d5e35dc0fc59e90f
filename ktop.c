// SPDX-License-Identifier: GPL-2.0
/* main(): parse options, check privilege, open core, hand over to the UI or the batch writer. */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "core/bpfstats.h"
#include "core/cli.h"
#include "core/core.h"
#include "core/metrics_http.h"
#include "core/msg.h"
#include "core/out.h"
#include "core/version.h"
#include "core/priv.h"
#include "core/procinfo.h"
#include "core/recorder.h"
#include "core/replay.h"
#include "core/sanitize.h"
#include "ui/term.h"
#include "ui/ui.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_PRIV = 3 };

static volatile int stop_sig;

static void on_stop(int sig)
{
	stop_sig = sig;
}

/* A crash inside ktop: give the terminal back, then die of the same signal.
 * BPF links are file descriptors and go away with the process. */
static void on_fatal(int sig)
{
	ui_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void setup_signals(void)
{
	struct sigaction sa;
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	unsigned i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;	/* no SA_RESTART: sleeps and getch() return */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);	/* a closed pipe shows up as EPIPE on write */
	sa.sa_handler = on_fatal;
	sa.sa_flags = SA_RESETHAND;
	for (i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		sigaction(fatal[i], &sa, NULL);
}

static FILE *open_output(const char *path)
{
	int fd;

	/* never through a symlink: documented in ktop(1) */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "ktop: -o %s: %s%s\n", path, strerror(errno),
			errno == ELOOP ? " (it is a symlink; ktop does not write through one)" : "");
		return NULL;
	}
	return fdopen(fd, "w");
}

/* --record: one line per file saved, on stdout, at once (a journal reads it). */
static void print_saved(void)
{
	char path[4096];

	while (recorder__saved(recorder_live, path, sizeof(path)))
		printf("%s\n", san(path));
	fflush(stdout);
}

/* The JSON line of s: the recorder's copy when it made one (no second rendering). */
static int write_json_line(FILE *out, const struct ktop_snapshot *s)
{
	size_t len;
	const char *l = recorder__line(recorder_live, s->iteration, &len);
	int err = 0;

	if (l)
		fwrite(l, 1, len, out);
	else
		err = out_json_write(out, s, NULL);
	fputc('\n', out);
	return err;
}

static int run_batch(const struct ktop_opts *o)
{
	FILE *out = stdout;
	struct tick t;
	long done = 0;
	int rc = EXIT_OK;

	if (o->output && !(out = open_output(o->output)))
		return EXIT_FAIL;
	core_poll();			/* baseline: deltas start here */
	tick_init(&t, core_snapshot()->mono_ns, o->interval_ns);
	while (!stop_sig) {
		uint64_t next = tick_next(&t, now_mono_ns());
		struct timespec ts = { .tv_sec = next / 1000000000ull, .tv_nsec = next % 1000000000ull };
		int err = 0;

		while (!stop_sig && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
		if (stop_sig)
			break;
		core_poll();
		if (o->record)		/* headless: only the files the triggers saved */
			print_saved();
		else if (o->quiet)	/* -q: headless, only --listen serves */
			err = 0;
		else if (o->json)
			err = write_json_line(out, core_snapshot());
		else
			err = out_text_write(out, core_snapshot());
		if (!o->record && !o->quiet && (fflush(out) || err || ferror(out))) {
			if (errno != EPIPE) {
				fprintf(stderr, "ktop: cannot write the report: %s\n", strerror(errno));
				rc = EXIT_FAIL;
			}
			break;		/* reader went away: a normal end for a pipe */
		}
		msg_flush(stderr, MSG_WARN);
		if (o->iterations && ++done >= o->iterations)
			break;
	}
	if (out != stdout && fclose(out)) {
		fprintf(stderr, "ktop: -o %s: %s\n", o->output, strerror(errno));
		rc = EXIT_FAIL;
	}
	recorder__finish(recorder_live);	/* files in flight: save what they hold */
	if (o->record)
		print_saved();
	msg_flush(stderr, MSG_WARN);
	return rc;
}

/*
 * --replay FILE -b: each record of the recording, in order and at once (no
 * waiting for the recorded interval), as the text report, or with --json as
 * the JSON line the writer makes of the decoded record. -n stops after N
 * records. A record that is not valid JSON (a recording cut short) is
 * skipped with a warning. Returns an exit status; EXIT_USAGE when the file
 * cannot be opened as a recording, as for the dashboard.
 */
static int run_replay_batch(const struct ktop_opts *o)
{
	struct ktop_snapshot *s = NULL;
	struct replay *r = NULL;
	FILE *out = stdout;
	char err[256];
	size_t i, n;
	int rc = EXIT_OK;

	if (replay__open(&r, o->replay, err, sizeof(err))) {
		fprintf(stderr, "ktop: %s\n", san(err));
		return EXIT_USAGE;
	}
	s = malloc(sizeof(*s));
	if (!s) {
		fprintf(stderr, "ktop: --replay: out of memory\n");
		rc = EXIT_FAIL;
		goto out;
	}
	if (o->output && !(out = open_output(o->output))) {
		rc = EXIT_FAIL;
		goto out;
	}
	n = replay__count(r);
	if (o->iterations && (size_t)o->iterations < n)
		n = (size_t)o->iterations;
	for (i = 0; i < n && !stop_sig; i++) {
		int e;

		if (replay__get(r, i, s)) {
			fprintf(stderr, "ktop: --replay: record %zu is not valid JSON; skipped\n", i + 1);
			continue;
		}
		e = o->json ? out_json_write(out, s, NULL) : out_text_write(out, s);
		if (o->json)
			fputc('\n', out);
		if (e || ferror(out)) {
			if (errno != EPIPE) {
				fprintf(stderr, "ktop: cannot write the report: %s\n", strerror(errno));
				rc = EXIT_FAIL;
			}
			break;
		}
	}
	if (out != stdout ? fclose(out) : fflush(out)) {
		if (errno != EPIPE) {
			fprintf(stderr, "ktop: cannot write the report: %s\n", strerror(errno));
			rc = EXIT_FAIL;
		}
	}
out:
	free(s);
	replay__free(r);
	return rc;
}

/* Switches from the environment: NO_COLOR, and the test-only KTOP_* ones. */
static bool env_on(const char *name, bool any)
{
	const char *v = getenv(name);

	return v && (any ? *v != 0 : !strcmp(v, "1"));
}

static void env_flags(struct ktop_opts *o)
{
	if (env_on("NO_COLOR", true))
		o->no_color = true;
	o->force_raw_tp = env_on("KTOP_FORCE_RAW_TP", false);
	o->force_tid_hash = env_on("KTOP_FORCE_TID_HASH", false);
	o->test_reject = env_on("KTOP_TEST_VERIFIER_REJECT", false);
}

/* Live: check the -p processes and privilege, load the collectors, then the
 * dashboard or the batch loop. Returns an exit status. */
static int run_live(struct ktop_opts *o)
{
	char err[256];
	int rc, i;

	for (i = 0; i < o->npids; i++) {
		if (!proc_alive(o->pids[i])) {
			fprintf(stderr, "ktop: -p %u: no such process\n", o->pids[i]);
			return EXIT_USAGE;
		}
	}
	rc = recorder__new(&recorder_live, o, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "ktop: %s\n", rc == -ENOMEM ? "out of memory" : san(err));
		return rc == -ENOMEM ? EXIT_FAIL : EXIT_USAGE;
	}
	if (priv_check(err, sizeof(err))) {
		fprintf(stderr, "ktop: %s\n", err);
		return EXIT_PRIV;
	}
	msg_hook_libbpf(o->verbose);
	rc = core_open(o, &stop_sig);
	if (rc == -EINTR) {	/* stopped during start-up: not a failure */
		core_close();
		msg_flush(stderr, MSG_WARN);
		if (o->verbose)
			fprintf(stderr, "ktop: stopped by a signal during start-up\n");
		return EXIT_OK;
	}
	if (rc) {
		msg_flush(stderr, MSG_WARN);
		fprintf(stderr, "ktop: no collector could start%s\n",
			rc == -ENOMEM ? ": out of memory" : "");
		core_close();
		return EXIT_FAIL;
	}
	atexit(core_close);
	if (o->listen && (rc = metrics_http_start(o, err, sizeof(err)))) {
		fprintf(stderr, "ktop: %s\n", err);
		core_close();
		return rc == -EINVAL ? EXIT_USAGE : EXIT_FAIL;
	}
	if (o->bpf_stats && (rc = bpfstats_set(true)))
		msg_warn("--bpf-stats: the kernel refused BPF_ENABLE_STATS: %s", strerror(-rc));
	msg_flush(stderr, MSG_WARN);
	if (priv_drop())
		msg_warn("could not drop unneeded capabilities: %s", strerror(errno));
	rc = o->batch || o->record ? run_batch(o) : ui_run(o, &stop_sig);
	core_close();
	msg_flush(stderr, MSG_ERR);
	return rc;
}

int main(int argc, char **argv)
{
	struct ktop_opts o;
	char err[256];
	int rc;

	/* First of all: a script's `ktop &` inherits SIGINT ignored, and a
	 * SIGINT sent before our handler exists would be lost for good. */
	setup_signals();
	cli_defaults(&o);
	rc = cli_parse(argc, argv, &o, err, sizeof(err));
	if (rc < 0) {
		/* the message may quote what the user typed: escape it */
		fprintf(stderr, "ktop: %s\nTry 'ktop --help' for more information.\n", san(err));
		return EXIT_USAGE;
	}
	if (rc == CLI_HELP) {
		fputs(cli_usage(), stdout);
		return EXIT_OK;
	}
	if (rc == CLI_VERSION) {
		printf("ktop %s\n", ktop_version);
		return EXIT_OK;
	}
	env_flags(&o);
	/* The dashboard needs a terminal it can drive: say so before loading
	 * anything (ncurses would print a bare "Error opening terminal"). */
	if (!o.batch && ui_term_check(err, sizeof(err))) {
		fprintf(stderr, "ktop: %s\n", err);
		return EXIT_USAGE;
	}
	msg_flush(stderr, MSG_WARN);	/* a built-in terminfo entry in use */
	if (!o.replay)
		return run_live(&o);
	if (o.batch)		/* replays: no BPF, no privilege needed */
		return run_replay_batch(&o);
	rc = ui_replay(&o, &stop_sig, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "ktop: %s\n", err);
		return EXIT_USAGE;
	}
	return rc;
}
