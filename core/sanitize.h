/* SPDX-License-Identifier: GPL-2.0 */
/* Make untrusted strings (comm, paths, symbols) safe for a terminal or text file. */
#ifndef KTOP_SANITIZE_H
#define KTOP_SANITIZE_H
#include <stddef.h>

/*
 * Copy src (at most srclen bytes, stopping at NUL) to dst (size n, always
 * NUL-terminated), replacing every control byte (C0, DEL, C1 as UTF-8),
 * bidirectional/line control (U+200E/F, U+2028..202E, U+2066..2069),
 * backslash and invalid UTF-8 byte with a visible escape: "\e" for ESC,
 * "\xNN" otherwise, "\\" for a backslash. Valid printable UTF-8 passes.
 * Truncates at a character boundary. Returns the length written. Can't fail.
 */
size_t str_sanitize(char *dst, size_t n, const char *src, size_t srclen);

/* Convenience: sanitize a NUL-terminated string into a static rotating
 * buffer (8 slots of 256 bytes); for immediate printing only. */
const char *san(const char *src);

#endif
