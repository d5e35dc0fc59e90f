// SPDX-License-Identifier: GPL-2.0
/* Lookups in the generated syscall-name tables. */
#include <string.h>
#include <sys/utsname.h>
#include "core/syscall_names.h"

static const struct ktop_syscall_name *table_of(const char *arch, unsigned *len)
{
	struct utsname u;

	if (!arch) {
		arch = "x86_64";
		if (uname(&u) == 0 && !strcmp(u.machine, "aarch64"))
			arch = "arm64";
	}
	if (!strcmp(arch, "arm64") || !strcmp(arch, "aarch64")) {
		*len = ktop_syscalls_arm64_len;
		return ktop_syscalls_arm64;
	}
	if (!strcmp(arch, "x86_64")) {
		*len = ktop_syscalls_x86_64_len;
		return ktop_syscalls_x86_64;
	}
	*len = 0;
	return NULL;
}

/* See syscall_names.h. Linear scan: tables are ~450 entries and the caller caches. */
const char *syscall_name(const char *arch, int nr)
{
	const struct ktop_syscall_name *t;
	unsigned len, i;

	t = table_of(arch, &len);
	for (i = 0; i < len; i++)
		if (t[i].nr == nr)
			return t[i].name;
	return NULL;
}

/* See syscall_names.h. */
int syscall_nr(const char *arch, const char *name)
{
	const struct ktop_syscall_name *t;
	unsigned len, i;

	t = table_of(arch, &len);
	for (i = 0; i < len; i++)
		if (!strcmp(t[i].name, name))
			return t[i].nr;
	return -1;
}
