/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel symbols from /proc/kallsyms: loaded once, sorted, binary-searched. */
#ifndef KTOP_KSYMS_H
#define KTOP_KSYMS_H
#include <stddef.h>
#include <stdint.h>

struct ksyms;

/*
 * Parse kallsyms text (the contents of /proc/kallsyms, len bytes; need not
 * be NUL-terminated). Lines that do not parse are skipped. Returns 0 and a
 * table in *out, -ENOMEM, or -ENOENT when no symbol has a non-zero address
 * (kptr_restrict hides them: ktop needs CAP_SYSLOG). Pure: no I/O; fuzzed.
 */
int ksyms__parse(struct ksyms **out, const char *text, size_t len);
/* Read /proc/kallsyms and parse it. Same returns, or -errno of the read. */
int ksyms__load(struct ksyms **out);
void ksyms__free(struct ksyms *k);
/* The process's one table of /proc/kallsyms, loaded on first use and shared
 * by the collectors (it is ~5 MB): ksyms__load()'s returns. Each successful
 * get is paired with a put; the last put frees it. */
int ksyms__get(struct ksyms **out);
void ksyms__put(struct ksyms *k);

/* Symbol containing addr (the last symbol at or below it), and the offset.
 * Returns the name (owned by k), or NULL when addr is below every symbol or
 * more than 16 MiB past the one below it (heap addresses are not symbols). */
const char *ksyms__find(const struct ksyms *k, uint64_t addr, uint64_t *off);
/* Address of symbol name, or 0 (linear scan: for tests and setup only). */
uint64_t ksyms__addr(const struct ksyms *k, const char *name);

/* "name+0xoff" (or "0xaddr" when unknown) into buf. Returns buf. */
char *ksyms__fmt(const struct ksyms *k, uint64_t addr, char *buf, size_t n);

#endif
