// SPDX-License-Identifier: GPL-2.0
/* Message store: core records lines; main() or the UI decides where they go. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "core/msg.h"

#define MSG_KEEP	32

static struct {
	int level;
	char text[512];
} msgs[MSG_KEEP];
static unsigned nmsgs;			/* total ever stored; index mod MSG_KEEP */
static unsigned flushed;
static char last[512];
static int libbpf_verbose;
static char load_prog[64];		/* program libbpf last reported rejected */
static char *load_log;			/* its verifier log, whole (malloc) */
static FILE *sink;			/* -v: libbpf's messages, whole; NULL under curses */

static void store(int level, const char *fmt, va_list ap)
{
	unsigned i = nmsgs++ % MSG_KEEP;

	msgs[i].level = level;
	vsnprintf(msgs[i].text, sizeof(msgs[i].text), fmt, ap);
	if (level >= MSG_WARN)
		memcpy(last, msgs[i].text, sizeof(last));
	if (nmsgs - flushed > MSG_KEEP)
		flushed = nmsgs - MSG_KEEP;
}

void msg_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	store(MSG_ERR, fmt, ap);
	va_end(ap);
}

void msg_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	store(MSG_WARN, fmt, ap);
	va_end(ap);
}

void msg_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	store(MSG_DEBUG, fmt, ap);
	va_end(ap);
}

/* See msg.h. */
void msg_flush(FILE *f, int min)
{
	for (; flushed < nmsgs; flushed++) {
		unsigned i = flushed % MSG_KEEP;

		if (msgs[i].level >= min)
			fprintf(f, "ktop: %s\n", msgs[i].text);
	}
	fflush(f);
}

/* See msg.h. */
const char *msg_last(void)
{
	return last;
}

/*
 * Remember what libbpf says about a program the kernel rejected: its name
 * ("prog 'NAME': BPF program load failed: ...") and the verifier log that
 * follows ("prog 'NAME': -- BEGIN PROG LOAD LOG --\n...-- END PROG LOAD LOG --").
 */
static void note_load_failure(const char *m)
{
	static const char begin[] = "-- BEGIN PROG LOAD LOG --\n";
	const char *p, *q, *end;

	if (!strncmp(m, "libbpf: ", 8))
		m += 8;
	if (strncmp(m, "prog '", 6))
		return;
	p = m + 6;
	q = strchr(p, '\'');
	if (!q)
		return;
	if (strstr(q, "': BPF program load failed:") == q) {
		snprintf(load_prog, sizeof(load_prog), "%.*s", (int)(q - p), p);
		free(load_log);
		load_log = NULL;
		return;
	}
	p = strstr(q, begin);
	if (!p)
		return;
	p += sizeof(begin) - 1;
	end = strstr(p, "-- END PROG LOAD LOG --");
	free(load_log);
	load_log = strndup(p, end ? (size_t)(end - p) : strlen(p));
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char *m = NULL;
	size_t n;

	/* without -v only a warning matters: it may name a rejected program */
	if (!libbpf_verbose && level != LIBBPF_WARN)
		return 0;
	if (vasprintf(&m, fmt, ap) < 0)
		return 0;
	n = strlen(m);
	if (n && m[n - 1] == '\n')
		m[n - 1] = 0;
	if (level == LIBBPF_WARN)
		note_load_failure(m);
	if (libbpf_verbose) {
		/* whole: a verifier log is one message of many lines */
		const char *body = strncmp(m, "libbpf: ", 8) ? m : m + 8;

		msg_debug("libbpf: %s", body);
		if (sink)
			fprintf(sink, "libbpf: %s\n", body);
	}
	free(m);
	return 0;
}

/* See msg.h. */
const char *msg_load_prog(void)
{
	return load_prog;
}

/* See msg.h. */
const char *msg_load_log(void)
{
	return load_log ? load_log : "";
}

/* See msg.h. */
void msg_load_reset(void)
{
	load_prog[0] = 0;
	free(load_log);
	load_log = NULL;
}

/* See msg.h. */
void msg_hook_libbpf(int verbose)
{
	libbpf_verbose = verbose;
	sink = stderr;
	libbpf_set_print(libbpf_print);
}

/* See msg.h. */
void msg_libbpf_sink(FILE *f)
{
	sink = f;
}
