// SPDX-License-Identifier: GPL-2.0
/* Message store: core records lines; main() or the UI decides where they go. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "core/msg.h"

#define MSG_KEEP	32

static struct {
	int level;
	char text[256];
} msgs[MSG_KEEP];
static unsigned nmsgs;			/* total ever stored; index mod MSG_KEEP */
static unsigned flushed;
static char last[256];
static int libbpf_verbose;

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

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[256];
	size_t n;

	if (!libbpf_verbose && level == LIBBPF_DEBUG)
		return 0;
	if (!libbpf_verbose)
		return 0;	/* warnings too: our own messages say what failed */
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = 0;
	msg_debug("libbpf: %s", buf);
	if (libbpf_verbose)
		fprintf(stderr, "libbpf: %s\n", buf);
	return 0;
}

/* See msg.h. */
void msg_hook_libbpf(int verbose)
{
	libbpf_verbose = verbose;
	libbpf_set_print(libbpf_print);
}
