/* SPDX-License-Identifier: GPL-2.0 */
/* Shared loader helpers for collectors: feature probes, the -p filter, batched map reads. */
#ifndef KTOP_BPFUTIL_H
#define KTOP_BPFUTIL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/opts.h"

struct bpf_map;
struct bpf_program;
struct ktop_tab_status;

/* True when the running kernel's BTF has the tracepoint tp (e.g. "sys_enter",
 * "contention_begin"), i.e. typedef btf_trace_<tp> exists, so tp_btf and
 * raw_tp can attach. Loads vmlinux BTF once. */
bool probe_tracepoint(const char *tp);
/* True when tp_btf programs can be used at all (vmlinux BTF present) and
 * KTOP_FORCE_RAW_TP is not set. */
bool probe_tp_btf_ok(const struct ktop_opts *o);
/* Free the kernel BTF the probes loaded (about 5 MB parsed); the next probe
 * loads it again. Called once every collector is open. */
void probe_release(void);
/* True when the kernel's BTF has a struct/union/typedef named name. */
bool probe_btf_type(const char *name);

/* Enable the _btf or _raw flavour of a program pair before load. */
void prog_choose(struct bpf_program *btf, struct bpf_program *raw, bool use_btf);

/* Put the -p tgids into the object's pid_filter map after load. Returns 0 or -errno. */
int pid_filter_fill(struct bpf_map *filter, const struct ktop_opts *o);

/* One line for a load/attach failure: "<what>: <strerror>[ (hint)]". */
void load_error(struct ktop_tab_status *st, const char *what, int err);

/*
 * Delete n keys of ksize bytes from map fd: one syscall for all where the
 * kernel has batch operations (a key already gone is skipped, the batch
 * resumes after it), else one per key. Per-key syscalls add up: each copies
 * its key through a kmalloc that allocation tracers (ktop's own Memory tab in
 * another instance, memleak) trace. Returns how many were deleted.
 */
size_t map_delete_keys(int fd, const void *keys, size_t n, size_t ksize);

/*
 * Read every entry of a (per-CPU or not) hash or array map in batches.
 * keys/vals are grown as needed (caller frees). For a per-CPU map each value
 * is ncpus * round_up(value_size, 8) bytes. Falls back to get_next_key +
 * lookup when the kernel has no batch ops. Returns the number of entries,
 * or -errno.
 */
long map_read_all(int fd, size_t key_size, size_t val_size, bool percpu,
		  void **keys, void **vals, size_t *cap);

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

/* Number of possible CPUs (size of per-CPU values), cached. */
int ncpus_possible(void);

#endif
