// SPDX-License-Identifier: GPL-2.0
/* Loader helpers shared by the collectors. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "core/bpfutil.h"
#include "core/procinfo.h"
#include "core/snapshot.h"
#include "core/u64map.h"

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

/* See bpfutil.h. */
void prog_choose(struct bpf_program *btf, struct bpf_program *raw, bool use_btf)
{
	bpf_program__set_autoload(btf, use_btf);
	bpf_program__set_autoload(raw, !use_btf);
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

/* See bpfutil.h. */
void load_error(struct ktop_tab_status *st, const char *what, int err)
{
	const char *hint = "";

	if (err == -EPERM || err == -EACCES)
		hint = " (run as root, or grant CAP_BPF and CAP_PERFMON)";
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
		first = false;
		n += count;
		if (err == -ENOENT)
			return n;	/* end of map */
		if (err == -EINVAL && n == 0)
			break;		/* no batch ops: slow path below */
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
