/* SPDX-License-Identifier: GPL-2.0 */
/* Command names of processes for the collectors' rows: BPF map, cache, /proc. */
#ifndef KTOP_COMM_H
#define KTOP_COMM_H
#include <stdint.h>

struct u64map;

/*
 * Command name of process tgid, for a collector's rows: from cache (a
 * u64map of 16-byte names), else from the collector's BPF map fd (tgid ->
 * 16-byte name, written when the process was first seen), else
 * /proc/tgid/comm, else "?". Caches what it found. Can't fail.
 */
void comm_lookup(struct u64map *cache, int fd, uint32_t tgid, char comm[16]);
/* The same without a cache: fd's entry, else /proc/tgid/comm, else "?". */
void comm_fetch(int fd, uint32_t tgid, char comm[16]);

#endif
