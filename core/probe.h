/* SPDX-License-Identifier: GPL-2.0 */
/* What this kernel can do, and which program flavour to load: BTF, tracepoints, helpers, tp_btf or raw_tp. */
#ifndef KTOP_PROBE_H
#define KTOP_PROBE_H
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

#endif
