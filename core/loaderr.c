// SPDX-License-Identifier: GPL-2.0
/* Load and attach failures in one line the user can act on (see loaderr.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <bpf/libbpf.h>
#include "core/loaderr.h"
#include "core/msg.h"
#include "core/priv.h"
#include "core/snapshot.h"

/*
 * The verifier's last words in log: up to nlines lines from the end,
 * skipping its statistics ("processed N insns", "verification time"),
 * joined with " | " into out. Can't fail.
 */
void verifier_tail(const char *log, int nlines, char *out, size_t n)
{
	const char *end = log + strlen(log), *p, *lines[8];
	int k = 0, i;
	size_t len = 0;

	if (nlines > 8)
		nlines = 8;
	while (end > log && k < nlines) {
		while (end > log && end[-1] == '\n')
			end--;
		for (p = end; p > log && p[-1] != '\n'; p--)
			;
		if (p == end)
			break;
		if (strncmp(p, "processed ", 10) && strncmp(p, "verification time", 17) &&
		    strncmp(p, "stack depth", 11) && strncmp(p, "-- ", 3))
			lines[k++] = p;
		end = p;
	}
	out[0] = 0;
	for (i = k - 1; i >= 0 && len < n; i--) {
		const char *e = strchr(lines[i], '\n');
		int l = e ? (int)(e - lines[i]) : (int)strlen(lines[i]);

		len += snprintf(out + len, n - len, "%s%.*s", len ? " | " : "", l, lines[i]);
	}
	for (len = 0; out[len]; len++)	/* the kernel's text: no control characters */
		if ((unsigned char)out[len] < 0x20 || out[len] == 0x7f)
			out[len] = ' ';
}

/* See loaderr.h. */
void load_error(struct ktop_tab_status *st, const char *what, int err)
{
	const char *hint = "";
	char why[16];
	struct utsname u;

	if ((err == -EACCES || err == -EINVAL) && msg_load_prog()[0] && msg_load_log()[0]) {
		char last[160], tail[512];
		int len;

		/* a verifier rejection, not a privilege problem */
		if (uname(&u))
			snprintf(u.release, sizeof(u.release), "?");
		verifier_tail(msg_load_log(), 1, last, sizeof(last));
		verifier_tail(msg_load_log(), 3, tail, sizeof(tail));
		len = snprintf(st->why, sizeof(st->why),
			       "%s: the verifier rejected program '%s' on Linux %s (ktop -v: whole log): %s",
			       what, msg_load_prog(), u.release, last);
		(void)len;		/* a long last line is cut; the warning has more */
		msg_warn("%s: verifier's last lines for '%s' on Linux %s: %s", what,
			 msg_load_prog(), u.release, tail);
		return;
	}
	if (err == -EPERM && priv_check(why, sizeof(why)))
		hint = " (run as root, or grant CAP_BPF and CAP_PERFMON)";
	else if (err == -EPERM)
		hint = " (refused although privileged: a security module or kernel.unprivileged_bpf_disabled? ktop -v shows libbpf's messages)";
	else if (err == -ENOENT || err == -ESRCH)
		hint = " (this kernel lacks the tracepoint)";
	else if (err == -E2BIG || err == -ENOMEM)
		hint = " (map too large for this machine's memory limits)";
	snprintf(st->why, sizeof(st->why), "%s: %s%s", what, strerror(-err), hint);
}
