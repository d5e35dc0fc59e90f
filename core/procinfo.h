/* SPDX-License-Identifier: GPL-2.0 */
/* Small readers of /proc for process identity. */
#ifndef KTOP_PROCINFO_H
#define KTOP_PROCINFO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True while process pid exists (a zombie counts as gone). */
bool proc_alive(uint32_t pid);
/* Read /proc/pid/comm into buf (raw bytes, NUL-terminated, newline removed).
 * Returns 0 or -errno. */
int proc_read_comm(uint32_t pid, char *buf, size_t n);

#endif
