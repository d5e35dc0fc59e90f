// SPDX-License-Identifier: GPL-2.0
/* Capability checks with libcap. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include "core/priv.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON	38
#endif
#ifndef CAP_BPF
#define CAP_BPF		39
#endif

static int have(cap_t caps, cap_value_t v)
{
	cap_flag_value_t f = CAP_CLEAR;

	if (cap_get_flag(caps, v, CAP_EFFECTIVE, &f))
		return 0;
	return f == CAP_SET;
}

/* See priv.h. */
int priv_check(char *why, size_t n)
{
	cap_t caps = cap_get_proc();
	int admin, bpf, perfmon, ok;

	if (!caps) {
		snprintf(why, n, "cannot read own capabilities: %s", strerror(errno));
		return -EPERM;
	}
	admin = have(caps, CAP_SYS_ADMIN);
	bpf = have(caps, CAP_BPF);
	perfmon = have(caps, CAP_PERFMON);
	cap_free(caps);
	ok = admin || (bpf && perfmon);
	if (ok)
		return 0;
	snprintf(why, n, "not enough privilege: run as root, or grant CAP_BPF and CAP_PERFMON "
		 "(missing:%s%s; CAP_SYSLOG too, to read kernel addresses in /proc/kallsyms)",
		 bpf ? "" : " CAP_BPF", perfmon ? "" : " CAP_PERFMON");
	return -EPERM;
}

/*
 * See priv.h. Kept: CAP_SYS_ADMIN/CAP_BPF/CAP_PERFMON (reading maps,
 * BPF_ENABLE_STATS, attaching uprobes to a new target), CAP_SYSLOG
 * (kallsyms addresses), CAP_DAC_READ_SEARCH and CAP_SYS_PTRACE
 * (/proc/PID/maps and ELF files of other users' processes), CAP_DAC_OVERRIDE
 * (snapshots into the directory root was started in, e.g. a user's home under
 * sudo). Everything else
 * (CAP_NET_*, CAP_CHOWN, CAP_SETUID, CAP_SYS_MODULE, ...) goes.
 */
int priv_drop(void)
{
	static const cap_value_t keep[] = {
		CAP_SYS_ADMIN, CAP_BPF, CAP_PERFMON, CAP_SYSLOG, CAP_DAC_READ_SEARCH,
		CAP_SYS_PTRACE, CAP_DAC_OVERRIDE,
	};
	cap_t now = cap_get_proc(), caps = cap_init();
	int err = 0;
	unsigned i;

	if (!now || !caps) {
		err = -errno;
		goto out;
	}
	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		cap_flag_value_t f = CAP_CLEAR;

		if (cap_get_flag(now, keep[i], CAP_PERMITTED, &f) || f != CAP_SET)
			continue;
		cap_set_flag(caps, CAP_PERMITTED, 1, &keep[i], CAP_SET);
		cap_set_flag(caps, CAP_EFFECTIVE, 1, &keep[i], CAP_SET);
	}
	if (cap_set_proc(caps))
		err = -errno;
	/* no new privileges through exec, and drop the bounding set too */
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
out:
	if (now)
		cap_free(now);
	if (caps)
		cap_free(caps);
	return err;
}
