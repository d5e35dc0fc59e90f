/* SPDX-License-Identifier: GPL-2.0 */
/* Shared loader helpers for collectors: feature probes, the -p filter, batched map reads. */
#ifndef KTOP_BPFUTIL_H
#define KTOP_BPFUTIL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>
#include "core/opts.h"

struct bpf_map;
struct bpf_object;
struct bpf_program;
struct ktop_tab_status;

/* True when the running kernel's BTF has the tracepoint tp (e.g. "sys_enter",
 * "contention_begin"), i.e. typedef btf_trace_<tp> exists, so tp_btf and
 * raw_tp can attach. Loads vmlinux BTF once. */
bool probe_tracepoint(const char *tp);
/* True when tp_btf programs can be used at all (vmlinux BTF present) and
 * KTOP_FORCE_RAW_TP is not set. */
bool probe_tp_btf_ok(const struct ktop_opts *o);
/*
 * Whether the kernel's BTF can be read: every collector needs it (CO-RE
 * relocations, tracepoint probes). Returns 0, or -errno with a one-line
 * reason the user can act on in why.
 */
int probe_kernel_btf(char *why, size_t n);
/* Free the kernel BTF the probes loaded (about 5 MB parsed); the next probe
 * loads it again. Called once every collector is open. */
void probe_release(void);
/* True when the kernel's BTF has a struct/union/typedef named name. */
bool probe_btf_type(const char *name);

/* Enable the _btf or _raw flavour of a program pair before load; the raw
 * one when the kernel rejected the _btf one earlier in this run. */
void prog_choose(struct bpf_program *btf, struct bpf_program *raw, bool use_btf);
/*
 * After a failed load: when the program the kernel rejected (msg_load_prog())
 * is a tp_btf one (NAME_btf), remember to load its raw_tp twin instead and
 * return true; the caller destroys the object, opens it again and retries
 * (libbpf loads an object once, whole). False when there is nothing to
 * retry: the failure is reported as it is.
 */
bool prog_retry_raw(void);
/* How a collector opens (and sets up for this kernel), loads and destroys
 * its skeleton, for skel_load_retry(). open reports its own failures. */
struct skel_steps {
	int (*open)(void *col, const struct ktop_opts *o, struct ktop_tab_status *st);
	int (*load)(void *col);
	void (*destroy)(void *col);	/* destroys the skeleton and forgets it */
};
/*
 * Open and load a collector's skeleton; when the kernel rejects a tp_btf
 * program, destroy, open again with its raw_tp twin and retry
 * (prog_retry_raw()). Returns 0 with the skeleton loaded, or -errno with
 * st->why set ("<what>: ..." for a load failure, see load_error()).
 */
int skel_load_retry(void *col, const struct skel_steps *s, const struct ktop_opts *o,
		    struct ktop_tab_status *st, const char *what);
/* How the loaded programs of obj attach, for the tab's status: "tp_btf",
 * "raw_tp", "tp_btf+raw_tp", "kprobe", ... Can't fail. */
void prog_attach_kinds(struct bpf_object *obj, char *buf, size_t n);

/* True when BPF programs of type may call helper fn on this kernel
 * (libbpf_probe_bpf_helper(), cached). */
bool probe_helper(enum bpf_prog_type type, enum bpf_func_id fn);
/* True when tracing programs have task-local storage and
 * bpf_get_current_task_btf() (5.12+) and KTOP_FORCE_TID_HASH is not set;
 * else per-thread state goes into a hash keyed by thread id. */
bool probe_task_storage(const struct ktop_opts *o);
/* True when kprobes can be attached (the kprobe PMU exists). */
bool probe_kprobes(void);
/* True when the kernel has function name (its BTF says; true without BTF). */
bool probe_kernel_func(const char *name);
/*
 * Before 6.1 the verifier prints a kernel WARNING (a panic where
 * panic_on_warn is set) when a kprobe, tracepoint or raw_tp program uses a
 * hash map that is not preallocated ("trace type BPF program uses run-time
 * allocation"). When user, one of map's programs, will load as such a
 * program on such a kernel, preallocate map, with max_entries entries
 * (fewer than the run-time allocated map may have: they all take memory up
 * front). Call between open and load.
 */
void map_prealloc_for(struct bpf_map *map, const struct bpf_program *user, __u32 max_entries);
/* Create the task-storage map or the tid hash of per-thread state and
 * load the sched_process_exit program that cleans the hash only with it. */
void tstate_choose(struct bpf_map *tstore, struct bpf_map *thash, struct bpf_program *exit_prog,
		   bool task_storage);
/* True when bpf_get_current_task_btf() exists (5.11+; forced off with the tid hash). */
bool probe_task_btf(const struct ktop_opts *o);
/* False when tp_btf cannot read tracepoint tp's arguments here: one is a
 * `void *`, which the kernel's tp_btf context check refused before 6.2
 * (probed once with a three-instruction program). True when it can. */
bool probe_tp_btf_args(const char *tp);
/* Number of arguments of tracepoint tp (its btf_trace_<tp> prototype, less
 * the hidden first one), or -errno. */
int probe_tp_nargs(const char *tp);

/* Put the -p tgids into the object's pid_filter map after load. Returns 0 or -errno. */
int pid_filter_fill(struct bpf_map *filter, const struct ktop_opts *o);

/*
 * One line for a load/attach failure in st->why. A verifier rejection (the
 * load failed with EACCES/EINVAL and libbpf reported a verifier log) says
 * so: the program, the kernel release and the verifier's last lines, also
 * as a warning; else "<what>: <strerror>[ (hint)]", the privilege hint only
 * for EPERM without root or CAP_BPF + CAP_PERFMON.
 */
void load_error(struct ktop_tab_status *st, const char *what, int err);
/* The verifier's last nlines lines of log (its statistics skipped), joined
 * with " | " into out. Can't fail. */
void verifier_tail(const char *log, int nlines, char *out, size_t n);

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
