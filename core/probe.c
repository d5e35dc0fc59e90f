// SPDX-License-Identifier: GPL-2.0
/* What this kernel can do, and which program flavour to load (see probe.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "core/probe.h"
#include "core/loaderr.h"
#include "core/msg.h"
#include "core/snapshot.h"

/* Programs that serve a tab's hooks without being one of them (cleanup,
 * attribution): left out of the attach method the tab reports. */
static bool has_aux_role(const char *name)
{
	return !strncmp(name, "sched_process_exit", 18) || !strncmp(name, "block_bio_queue", 15);
}

static struct btf *vmlinux_btf;
static int vmlinux_btf_err;

static struct btf *kernel_btf(void)
{
	if (!vmlinux_btf && !vmlinux_btf_err) {
		vmlinux_btf = btf__load_vmlinux_btf();
		if (!vmlinux_btf)
			vmlinux_btf_err = -errno ? -errno : -ENOENT;
	}
	return vmlinux_btf;
}

/* See probe.h. */
int probe_kernel_btf(char *why, size_t n)
{
	if (kernel_btf())
		return 0;
	snprintf(why, n, "the kernel has no usable BTF (/sys/kernel/btf/vmlinux %s): ktop needs "
		 "CONFIG_DEBUG_INFO_BTF=y, as Debian 11+, RHEL 8.2+ and Ubuntu 20.10+ kernels have",
		 access("/sys/kernel/btf/vmlinux", R_OK) ? "is missing" : "cannot be parsed");
	return vmlinux_btf_err;
}

/* See probe.h. */
void probe_release(void)
{
	btf__free(vmlinux_btf);
	vmlinux_btf = NULL;
	vmlinux_btf_err = 0;
}

/* See probe.h. */
bool probe_tracepoint(const char *tp)
{
	char name[128];
	struct btf *btf = kernel_btf();

	if (!btf)
		return false;
	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	return btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF) > 0;
}

/* See probe.h. */
bool probe_tp_btf_ok(const struct ktop_opts *o)
{
	return !o->force_raw_tp && kernel_btf() != NULL;
}

/* See probe.h. */
bool probe_btf_type(const char *name)
{
	struct btf *btf = kernel_btf();

	if (!btf)
		return false;
	return btf__find_by_name_kind(btf, name, BTF_KIND_STRUCT) > 0 ||
	       btf__find_by_name_kind(btf, name, BTF_KIND_UNION) > 0 ||
	       btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF) > 0;
}

/* tp_btf programs the kernel rejected in this run: their raw_tp twins load
 * instead on the next open (prog_retry_raw()). Names are unique per object
 * and a rejection is one of the kernel, so one list serves every object. */
#define RAW_FORCED_MAX	32
static char raw_forced[RAW_FORCED_MAX][64];
static int nraw_forced;

static bool is_raw_forced(const char *name)
{
	int i;

	for (i = 0; i < nraw_forced; i++)
		if (!strcmp(raw_forced[i], name))
			return true;
	return false;
}

/* See probe.h. */
void prog_choose(struct bpf_program *btf, struct bpf_program *raw, bool use_btf)
{
	if (use_btf && is_raw_forced(bpf_program__name(btf)))
		use_btf = false;
	bpf_program__set_autoload(btf, use_btf);
	bpf_program__set_autoload(raw, !use_btf);
}

/* See probe.h. */
bool prog_retry_raw(void)
{
	const char *p = msg_load_prog();
	size_t n = strlen(p);

	if (n < 5 || strcmp(p + n - 4, "_btf") || is_raw_forced(p) ||
	    nraw_forced >= RAW_FORCED_MAX || n >= sizeof(raw_forced[0]))
		return false;
	memcpy(raw_forced[nraw_forced++], p, n + 1);
	msg_debug("%s: rejected as tp_btf; trying raw_tp for it", p);
	return true;
}

/* See probe.h. */
int skel_load_retry(void *col, const struct skel_steps *s, const struct ktop_opts *o,
		    struct ktop_tab_status *st, const char *what)
{
	int err, tries;

	/* one more open and load per rejected program: bounded by the programs */
	for (tries = 0; tries <= RAW_FORCED_MAX; tries++) {
		err = s->open(col, o, st);
		if (err)
			return err;	/* reported by open */
		msg_load_reset();
		err = s->load(col);
		if (!err)
			return 0;
		if (!prog_retry_raw())
			break;
		s->destroy(col);	/* libbpf loads an object once, whole: open again */
	}
	load_error(st, what, err);
	return err;
}

/* See probe.h. */
void prog_attach_kinds(struct bpf_object *obj, char *buf, size_t n)
{
	static const char *const kinds[] = { "tp_btf", "raw_tp", "kprobe", "fentry" };
	const char *prefix[] = { "tp_btf", "raw_tp", "kprobe", "fentry" };
	struct bpf_program *p;
	bool seen[4] = { false };
	size_t len = 0, i;

	bpf_object__for_each_program(p, obj) {
		const char *sec = bpf_program__section_name(p);

		if (!bpf_program__autoload(p) || has_aux_role(bpf_program__name(p)))
			continue;
		for (i = 0; i < 4; i++)
			if (!strncmp(sec, prefix[i], strlen(prefix[i])) ||
			    (i == 2 && !strncmp(sec, "kretprobe", 9)))
				seen[i] = true;
	}
	buf[0] = 0;
	for (i = 0; i < 4 && len < n; i++)
		if (seen[i])
			len += snprintf(buf + len, n - len, "%s%s", len ? "+" : "", kinds[i]);
}

static int helper_cache[2][256];	/* 0 unknown, 1 yes, -1 no; [kprobe?][func] */

/* See probe.h. */
bool probe_helper(enum bpf_prog_type type, enum bpf_func_id fn)
{
	int *c = &helper_cache[type == BPF_PROG_TYPE_KPROBE][fn & 255];

	if (!*c)
		*c = libbpf_probe_bpf_helper(type, fn, NULL) == 1 ? 1 : -1;
	return *c > 0;
}

/* See probe.h. */
bool probe_task_storage(const struct ktop_opts *o)
{
	return !o->force_tid_hash &&
	       probe_helper(BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_FUNC_task_storage_get) &&
	       probe_helper(BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_FUNC_get_current_task_btf);
}

/* See probe.h. */
bool probe_kprobes(void)
{
	/* the kprobe PMU libbpf attaches through (4.17+) */
	return access("/sys/bus/event_source/devices/kprobe/type", R_OK) == 0;
}

/* See probe.h. */
bool probe_kernel_func(const char *name)
{
	struct btf *btf = kernel_btf();

	if (!btf)
		return true;		/* cannot tell: let the attach say */
	return btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) > 0;
}

/* See probe.h. */
void map_prealloc_for(struct bpf_map *map, const struct bpf_program *user, __u32 max_entries)
{
	struct btf *btf;

	/* tp_btf and fentry (BPF_PROG_TYPE_TRACING) were never under the rule */
	if (!bpf_program__autoload(user) || bpf_program__type(user) == BPF_PROG_TYPE_TRACING)
		return;
	/* 6.1 lifted it with the BPF memory allocator (struct bpf_mem_alloc) */
	btf = kernel_btf();
	if (btf && btf__find_by_name_kind(btf, "bpf_mem_alloc", BTF_KIND_STRUCT) > 0)
		return;
	bpf_map__set_map_flags(map, bpf_map__map_flags(map) & ~BPF_F_NO_PREALLOC);
	bpf_map__set_max_entries(map, max_entries);
}

/* See probe.h. */
void tstate_choose(struct bpf_map *tstore, struct bpf_map *thash, struct bpf_program *exit_prog,
		   bool task_storage)
{
	/* the map type does not exist before 5.11: not even created then */
	bpf_map__set_autocreate(tstore, task_storage);
	bpf_map__set_autocreate(thash, !task_storage);
	bpf_program__set_autoload(exit_prog, !task_storage);
}

/* See probe.h. */
bool probe_task_btf(const struct ktop_opts *o)
{
	return !o->force_tid_hash &&
	       probe_helper(BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_FUNC_get_current_task_btf);
}

/* Index of tracepoint tp's first `void *` argument (const or not), or -1. */
static int void_ptr_arg(struct btf *btf, int proto_id)
{
	const struct btf_type *t = btf__type_by_id(btf, proto_id), *a;
	const struct btf_param *p;
	int i, id;

	if (!t || !btf_is_func_proto(t))
		return -1;
	p = btf_params(t);
	for (i = 1; i < btf_vlen(t); i++) {
		a = btf__type_by_id(btf, p[i].type);
		if (!a || !btf_is_ptr(a))
			continue;
		id = a->type;
		while (id && (a = btf__type_by_id(btf, id)) && (btf_is_const(a) || btf_is_volatile(a)))
			id = a->type;
		if (!id)
			return i - 1;
	}
	return -1;
}

/* See probe.h. */
bool probe_tp_btf_args(const char *tp)
{
	static int void_ok;		/* 0 unknown, 1 yes, -1 no: a rule of the kernel */
	struct btf *btf = kernel_btf();
	const struct btf_type *t;
	char name[128];
	int id, arg, fd;

	if (!btf)
		return false;
	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
	if (id <= 0)
		return false;
	t = btf__type_by_id(btf, btf__resolve_type(btf, id));
	if (!t || !btf_is_ptr(t))
		return false;
	arg = void_ptr_arg(btf, t->type);
	if (arg < 0)
		return true;
	if (!void_ok) {
		/* r0 = ctx[arg]; r0 = 0; exit: refused where tp_btf may not
		 * read a `void *` argument ("arg1 type UNKNOWN is not a struct") */
		struct bpf_insn insns[] = {
			{ .code = BPF_LDX | BPF_MEM | BPF_DW, .dst_reg = BPF_REG_0,
			  .src_reg = BPF_REG_1, .off = (__s16)(arg * 8) },
			{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
			{ .code = BPF_JMP | BPF_EXIT },
		};
		LIBBPF_OPTS(bpf_prog_load_opts, po, .expected_attach_type = BPF_TRACE_RAW_TP,
			    .attach_btf_id = (__u32)id);

		fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, NULL, "GPL", insns, 3, &po);
		void_ok = fd >= 0 ? 1 : -1;
		if (fd >= 0)
			close(fd);
		msg_debug("probe: tp_btf %s read of a `void *` argument of %s",
			  void_ok > 0 ? "may" : "may not", tp);
	}
	return void_ok > 0;
}

/* See probe.h. */
int probe_tp_nargs(const char *tp)
{
	struct btf *btf = kernel_btf();
	const struct btf_type *t;
	char name[128];
	int id;

	if (!btf)
		return -ENOENT;
	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
	if (id <= 0)
		return -ENOENT;
	t = btf__type_by_id(btf, btf__resolve_type(btf, id));	/* the pointer */
	if (!t || !btf_is_ptr(t))
		return -EINVAL;
	t = btf__type_by_id(btf, t->type);
	if (!t || !btf_is_func_proto(t) || !btf_vlen(t))
		return -EINVAL;
	return btf_vlen(t) - 1;		/* the first is the tracepoint's void *__data */
}
