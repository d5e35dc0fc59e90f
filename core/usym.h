/* SPDX-License-Identifier: GPL-2.0 */
/* User-space symbolizer for one process (elfutils libdwfl), and ELF symbol lookups (libelf). */
#ifndef KTOP_USYM_H
#define KTOP_USYM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct usym;

/*
 * Learn the modules process pid maps (from /proc/pid/maps) and open their
 * ELF files and debug information lazily. Returns 0 and the symbolizer in
 * *out (caller frees with usym__free()), -ENOMEM, or -errno when the
 * process's maps cannot be read (it exited, or no permission).
 */
int usym__open(struct usym **out, uint32_t pid);
/* Re-read the modules (after a dlopen). Returns 0 or -errno; on error the
 * old modules stay usable. */
int usym__refresh(struct usym *u);
void usym__free(struct usym *u);

/*
 * Symbolize addr of the process. ret_addr: addr is a return address, so
 * the call instruction before it decides the symbol and source line.
 * Writes "symbol+0xoff" (or "module+0xoff", or "0xaddr" when no module
 * maps it) into sym and "file.c:123" (or "") into src, both always
 * NUL-terminated and truncated to fit. Returns 0 when a symbol was found,
 * -ENOENT otherwise. Strings are raw (from ELF files): sanitize before
 * showing them.
 */
int usym__fmt(struct usym *u, uint64_t addr, bool ret_addr, char *sym, size_t n,
	      char *src, size_t srcn);

/*
 * Does the ELF image buf[0..len) define (not import) a global or weak
 * function named name in .dynsym or .symtab? buf is caller-owned and must
 * stay valid and writable during the call (libelf may convert in place).
 * Returns 1, 0, or -EINVAL when buf is not an ELF image. Pure: no I/O;
 * fuzzed.
 */
int usym_elf_defines(void *buf, size_t len, const char *name);
/* Same for the file at path (mapped privately). Returns 1, 0, or -errno. */
int usym_file_defines(const char *path, const char *name);

#endif
