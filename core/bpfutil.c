// SPDX-License-Identifier: GPL-2.0
/* Loader helpers shared by the collectors. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#ifndef ENOTSUPP
#define ENOTSUPP	524		/* the kernel's own, not in userspace errno.h */
#endif
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "core/bpfutil.h"
#include "core/msg.h"
#include "core/priv.h"
#include "core/procinfo.h"
#include "core/snapshot.h"
#include "core/u64map.h"

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

/* See bpfutil.h. */
int probe_kernel_btf(char *why, size_t n)
{
	if (kernel_btf())
		return 0;
	snprintf(why, n, "the kernel has no usable BTF (/sys/kernel/btf/vmlinux %s): ktop needs "
		 "CONFIG_DEBUG_INFO_BTF=y, as Debian 11+, RHEL 8.2+ and Ubuntu 20.10+ kernels have",
		 access("/sys/kernel/btf/vmlinux", R_OK) ? "is missing" : "cannot be parsed");
	return vmlinux_btf_err;
}

/* See bpfutil.h. */
void probe_release(void)
{
	btf__free(vmlinux_btf);
	vmlinux_btf = NULL;
	vmlinux_btf_err = 0;
}

/* See bpfutil.h. */
bool probe_tracepoint(const char *tp)
{
	char name[128];
	struct btf *btf = kernel_btf();

	if (!btf)
		return false;
	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	return btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF) > 0;
}

/* See bpfutil.h. */
bool probe_tp_btf_ok(const struct ktop_opts *o)
{
	return !o->force_raw_tp && kernel_btf() != NULL;
}

/* See bpfutil.h. */
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

/* See bpfutil.h. */
void prog_choose(struct bpf_program *btf, struct bpf_program *raw, bool use_btf)
{
	if (use_btf && is_raw_forced(bpf_program__name(btf)))
		use_btf = false;
	bpf_program__set_autoload(btf, use_btf);
	bpf_program__set_autoload(raw, !use_btf);
}

/* See bpfutil.h. */
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

/* See bpfutil.h. */
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

/* See bpfutil.h. */
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

/* See bpfutil.h. */
bool probe_helper(enum bpf_prog_type type, enum bpf_func_id fn)
{
	int *c = &helper_cache[type == BPF_PROG_TYPE_KPROBE][fn & 255];

	if (!*c)
		*c = libbpf_probe_bpf_helper(type, fn, NULL) == 1 ? 1 : -1;
	return *c > 0;
}

/* See bpfutil.h. */
bool probe_task_storage(const struct ktop_opts *o)
{
	return !o->force_tid_hash &&
	       probe_helper(BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_FUNC_task_storage_get) &&
	       probe_helper(BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_FUNC_get_current_task_btf);
}

/* See bpfutil.h. */
bool probe_kprobes(void)
{
	/* the kprobe PMU libbpf attaches through (4.17+) */
	return access("/sys/bus/event_source/devices/kprobe/type", R_OK) == 0;
}

/* See bpfutil.h. */
bool probe_kernel_func(const char *name)
{
	struct btf *btf = kernel_btf();

	if (!btf)
		return true;		/* cannot tell: let the attach say */
	return btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) > 0;
}

/* See bpfutil.h. */
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

/* See bpfutil.h. */
void tstate_choose(struct bpf_map *tstore, struct bpf_map *thash, struct bpf_program *exit_prog,
		   bool task_storage)
{
	/* the map type does not exist before 5.11: not even created then */
	bpf_map__set_autocreate(tstore, task_storage);
	bpf_map__set_autocreate(thash, !task_storage);
	bpf_program__set_autoload(exit_prog, !task_storage);
}

/* See bpfutil.h. */
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

/* See bpfutil.h. */
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

/* See bpfutil.h. */
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

/* See bpfutil.h. */
int pid_filter_fill(struct bpf_map *filter, const struct ktop_opts *o)
{
	__u8 one = 1;
	int i;

	for (i = 0; i < o->npids; i++) {
		__u32 tgid = o->pids[i];

		if (bpf_map__update_elem(filter, &tgid, sizeof(tgid), &one, sizeof(one), BPF_ANY))
			return -errno;
	}
	return 0;
}

/*
 * The verifier's last words in log: up to nlines lines from the end,
 * skipping its statistics ("processed N insns", "verification time"),
 * joined with " | " into out. Can't fail.
 */
void verifier_tail(const char *log, int nlines, char *out, size_t n)
{
	const char *end = log + strlen(log), *p, *lines[8];
	int k = 0, i;
	size_t len = 0;

	if (nlines > 8)
		nlines = 8;
	while (end > log && k < nlines) {
		while (end > log && end[-1] == '\n')
			end--;
		for (p = end; p > log && p[-1] != '\n'; p--)
			;
		if (p == end)
			break;
		if (strncmp(p, "processed ", 10) && strncmp(p, "verification time", 17) &&
		    strncmp(p, "stack depth", 11) && strncmp(p, "-- ", 3))
			lines[k++] = p;
		end = p;
	}
	out[0] = 0;
	for (i = k - 1; i >= 0 && len < n; i--) {
		const char *e = strchr(lines[i], '\n');
		int l = e ? (int)(e - lines[i]) : (int)strlen(lines[i]);

		len += snprintf(out + len, n - len, "%s%.*s", len ? " | " : "", l, lines[i]);
	}
	for (len = 0; out[len]; len++)	/* the kernel's text: no control characters */
		if ((unsigned char)out[len] < 0x20 || out[len] == 0x7f)
			out[len] = ' ';
}

/* See bpfutil.h. */
void load_error(struct ktop_tab_status *st, const char *what, int err)
{
	const char *hint = "";
	char why[16];
	struct utsname u;

	if ((err == -EACCES || err == -EINVAL) && msg_load_prog()[0] && msg_load_log()[0]) {
		char last[160], tail[512];
		int len;

		/* a verifier rejection, not a privilege problem */
		if (uname(&u))
			snprintf(u.release, sizeof(u.release), "?");
		verifier_tail(msg_load_log(), 1, last, sizeof(last));
		verifier_tail(msg_load_log(), 3, tail, sizeof(tail));
		len = snprintf(st->why, sizeof(st->why),
			       "%s: the verifier rejected program '%s' on Linux %s (ktop -v: whole log): %s",
			       what, msg_load_prog(), u.release, last);
		(void)len;		/* a long last line is cut; the warning has more */
		msg_warn("%s: verifier's last lines for '%s' on Linux %s: %s", what,
			 msg_load_prog(), u.release, tail);
		return;
	}
	if (err == -EPERM && priv_check(why, sizeof(why)))
		hint = " (run as root, or grant CAP_BPF and CAP_PERFMON)";
	else if (err == -EPERM)
		hint = " (refused although privileged: a security module or kernel.unprivileged_bpf_disabled? ktop -v shows libbpf's messages)";
	else if (err == -ENOENT || err == -ESRCH)
		hint = " (this kernel lacks the tracepoint)";
	else if (err == -E2BIG || err == -ENOMEM)
		hint = " (map too large for this machine's memory limits)";
	snprintf(st->why, sizeof(st->why), "%s: %s%s", what, strerror(-err), hint);
}

/* See bpfutil.h. */
void comm_fetch(int fd, uint32_t tgid, char comm[16])
{
	if (bpf_map_lookup_elem(fd, &tgid, comm) && proc_read_comm(tgid, comm, 16))
		snprintf(comm, 16, "?");
	comm[15] = 0;
}

/* See bpfutil.h. */
void comm_lookup(struct u64map *cache, int fd, uint32_t tgid, char comm[16])
{
	char *cached = u64map_get(cache, tgid);

	if (cached) {
		memcpy(comm, cached, 16);
		return;
	}
	comm_fetch(fd, tgid, comm);
	cached = u64map_put(cache, tgid);
	if (cached)
		memcpy(cached, comm, 16);
}

/* See bpfutil.h. */
int ncpus_possible(void)
{
	static int n;

	if (!n) {
		n = libbpf_num_possible_cpus();
		if (n <= 0)
			n = 1;
	}
	return n;
}

static int reserve(void **keys, void **vals, size_t *cap, size_t want, size_t ks, size_t vs)
{
	void *k, *v;

	if (want <= *cap)
		return 0;
	k = realloc(*keys, want * ks);
	if (!k)
		return -ENOMEM;
	*keys = k;
	v = realloc(*vals, want * vs);
	if (!v)
		return -ENOMEM;
	*vals = v;
	*cap = want;
	return 0;
}

/* See bpfutil.h. */
size_t map_delete_keys(int fd, const void *keys, size_t n, size_t ksize)
{
	size_t done = 0, deleted = 0;

	while (done < n) {
		LIBBPF_OPTS(bpf_map_batch_opts, opts);
		__u32 count = (__u32)(n - done);
		int err = bpf_map_delete_batch(fd, (const char *)keys + done * ksize, &count, &opts);

		err = err ? -errno : 0;
		done += count;
		deleted += count;
		if (!err)
			break;
		if (err == -ENOENT) {
			done++;		/* that one was gone already */
			continue;
		}
		for (; done < n; done++)	/* no batch operations */
			deleted += bpf_map_delete_elem(fd, (const char *)keys + done * ksize) == 0;
	}
	return deleted;
}

/* See bpfutil.h. */
long map_read_all(int fd, size_t key_size, size_t val_size, bool percpu,
		  void **keys, void **vals, size_t *cap)
{
	size_t vs = percpu ? ((val_size + 7) & ~(size_t)7) * ncpus_possible() : val_size;
	struct bpf_map_info info;
	__u32 info_len = sizeof(info);
	size_t n = 0;
	__u64 batch = 0;
	bool first = true;
	int err;

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &info_len))
		return -errno;
	if (reserve(keys, vals, cap, info.max_entries ? info.max_entries : 1, key_size, vs))
		return -ENOMEM;
	for (;;) {
		__u32 count = *cap - n;
		LIBBPF_OPTS(bpf_map_batch_opts, opts);

		if (!count)
			break;
		err = bpf_map_lookup_batch(fd, first ? NULL : &batch, &batch,
					   (char *)*keys + n * key_size,
					   (char *)*vals + n * vs, &count, &opts);
		err = err ? -errno : 0;
		/* no batch ops (per-CPU arrays before 5.11: ENOTSUPP, and count
		 * comes back as it went in): one key at a time below */
		if (first && (err == -EINVAL || err == -ENOTSUPP || err == -EOPNOTSUPP))
			break;
		first = false;
		n += count;
		if (err == -ENOENT)
			return n;	/* end of map */
		if (err)
			return err;
	}
	if (n)
		return n;
	/* fallback: one key at a time */
	{
		char prev[64], cur[64];
		bool have_prev = false;

		if (key_size > sizeof(cur))
			return -E2BIG;
		while (!bpf_map_get_next_key(fd, have_prev ? prev : NULL, cur)) {
			if (n >= *cap && reserve(keys, vals, cap, *cap * 2, key_size, vs))
				return -ENOMEM;
			if (!bpf_map_lookup_elem(fd, cur, (char *)*vals + n * vs)) {
				memcpy((char *)*keys + n * key_size, cur, key_size);
				n++;
			}
			memcpy(prev, cur, key_size);
			have_prev = true;
		}
	}
	return n;
}
