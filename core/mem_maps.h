/* SPDX-License-Identifier: GPL-2.0 */
/* Parser of /proc/PID/maps text and the choice of a process's allocator library; pure, fuzzed. */
#ifndef KTOP_MEM_MAPS_H
#define KTOP_MEM_MAPS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAPS_PATH_MAX	256

struct maps_entry {
	uint64_t start, end;		/* [start, end) */
	uint64_t offset;		/* file offset of start */
	uint64_t inode;
	char perms[5];			/* "r-xp" */
	bool deleted;			/* path ended in " (deleted)" (removed from it) */
	bool truncated;			/* path longer than MAPS_PATH_MAX - 1: unusable */
	char path[MAPS_PATH_MAX];	/* "" for anonymous; "[heap]", "/usr/lib/..." */
};

/*
 * Parse len bytes of /proc/PID/maps text (need not be NUL-terminated) into
 * out[0..max). A line is "start-end perms offset dev inode [path]" with hex
 * numbers; lines that do not have that shape are skipped. Paths keep inner
 * spaces; a " (deleted)" suffix is removed and flagged. Returns the number
 * of entries written (at most max). Pure: no I/O, no allocation. Can't fail.
 */
size_t maps_parse(const char *text, size_t len, struct maps_entry *out, size_t max);

/* True when entry e maps a regular file executable (an ELF the process
 * runs code from): "x" permission and an absolute path. Can't fail. */
bool maps_is_code(const struct maps_entry *e);

/*
 * Rank of a file as the process's allocator, given whether it defines
 * malloc and whether it is the main executable: the executable (static
 * or exporting malloc) ranks 3, a preloaded allocator library (anything
 * but the C library and the dynamic loader) 2, the C library 1; the
 * dynamic loader and anything without malloc 0 (never chosen). The
 * highest rank wins. Can't fail.
 */
int maps_allocator_rank(const char *path, bool defines_malloc, bool is_exe);

#endif
