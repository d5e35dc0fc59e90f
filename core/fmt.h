/* SPDX-License-Identifier: GPL-2.0 */
/* Human units for durations, sizes and rates, shared by the text writer and the UI. */
#ifndef KTOP_FMT_H
#define KTOP_FMT_H
#include <stddef.h>
#include <stdint.h>

/* "950ns", "12.3us", "4.56ms", "1.20s": three significant digits, at most 6
 * characters below 100000 s. Returns buf. */
char *fmt_ns(char *buf, size_t n, uint64_t ns);
/* "512B", "4.0K", "12M", "3.2G" (powers of 1024; one decimal below 10). Returns buf. */
char *fmt_bytes(char *buf, size_t n, double bytes);
/* "0", "12", "1.2k", "3.4M" for rates and counts. Returns buf. */
char *fmt_count(char *buf, size_t n, double v);
/* ISO-8601 UTC with milliseconds ("2026-11-25T18:34:08.123Z"). Returns buf. */
char *fmt_iso8601(char *buf, size_t n, int64_t real_ns);

#endif
