/* SPDX-License-Identifier: GPL-2.0 */
/* Syscall number to name, from the kernel syscall tables committed in scripts/syscalls/. */
#ifndef KTOP_SYSCALL_NAMES_H
#define KTOP_SYSCALL_NAMES_H

struct ktop_syscall_name {
	int nr;
	const char *name;
};

extern const struct ktop_syscall_name ktop_syscalls_x86_64[];
extern const unsigned ktop_syscalls_x86_64_len;
extern const struct ktop_syscall_name ktop_syscalls_arm64[];
extern const unsigned ktop_syscalls_arm64_len;

/*
 * Name of syscall nr on arch ("x86_64" or "arm64"; NULL means the machine
 * ktop runs on). Returns a static string, or NULL when the number is not in
 * the table (newer than scripts/syscalls/ARCH.tbl, or a bad number).
 */
const char *syscall_name(const char *arch, int nr);

/* Number of syscall name on arch (NULL: this machine), or -1. */
int syscall_nr(const char *arch, const char *name);

#endif
