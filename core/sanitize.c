// SPDX-License-Identifier: GPL-2.0
/* Sanitizer for strings that come from the kernel or other processes. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "core/sanitize.h"
#include "core/json.h"

/* Bidirectional and line controls: they reorder or break what a terminal
 * shows (U+200E/F, U+2028..U+202E, U+2066..U+2069), so a name could make a
 * line read differently than it is. p holds a valid 3-byte sequence. */
static bool reorders(const unsigned char *p)
{
	if (p[0] != 0xe2)
		return false;
	if (p[1] == 0x80)
		return p[2] == 0x8e || p[2] == 0x8f || (p[2] >= 0xa8 && p[2] <= 0xae);
	return p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9;
}

/* See sanitize.h. */
size_t str_sanitize(char *dst, size_t n, const char *src, size_t srclen)
{
	const unsigned char *p = (const unsigned char *)src;
	size_t i = 0, o = 0, end;
	char esc[8];
	int len, el;

	if (!n)
		return 0;
	end = strnlen(src, srclen);
	while (i < end) {
		unsigned c = p[i];

		len = 1;
		if (c == '\\') {
			el = snprintf(esc, sizeof(esc), "\\\\");
		} else if (c == 0x1b) {
			el = snprintf(esc, sizeof(esc), "\\e");
		} else if (c < 0x20 || c == 0x7f) {
			el = snprintf(esc, sizeof(esc), "\\x%02x", c);
		} else if (c < 0x80) {
			esc[0] = (char)c;
			el = 1;
		} else if ((len = utf8_seq_len(p + i, end - i)) > 0 &&
			   !(len == 2 && c == 0xc2 && p[i + 1] < 0xa0) &&
			   !(len == 3 && reorders(p + i))) {
			/* valid, not a C1 control (U+0080..U+009F), not a bidi control */
			if (o + len + 1 > n)
				break;
			memcpy(dst + o, p + i, len);
			o += len;
			i += len;
			continue;
		} else {
			len = 1;
			el = snprintf(esc, sizeof(esc), "\\x%02x", c);
		}
		if (o + el + 1 > n)
			break;
		memcpy(dst + o, esc, el);
		o += el;
		i += len;
	}
	dst[o] = 0;
	return o;
}

/* See sanitize.h. */
const char *san(const char *src)
{
	static char bufs[8][256];
	static unsigned next;
	char *b = bufs[next++ % 8];

	str_sanitize(b, sizeof(bufs[0]), src ? src : "", 4096);
	return b;
}
