// SPDX-License-Identifier: GPL-2.0
/* Soak helper: the number of entries in BPF hash maps, given by id, read with batch lookups.
 *
 * Usage: mapcount ID...   prints one count per ID, in order, space-separated
 * (-1 for a map that cannot be read). bpftool map dump walks a map with
 * get_next_key, which restarts from the first key whenever the current one
 * was deleted meanwhile: on a map that churns (ktop's allocs) that takes tens
 * of seconds and counts some keys twice. A batch lookup walks the buckets in
 * order, one syscall per few thousand entries, and never restarts.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static long count(unsigned int id)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info), batch = 0, n;
	unsigned int ncpu = 1, chunk = 4096;
	void *keys = NULL, *vals = NULL;
	long total = -1;
	int fd, err;
	bool first = true;

	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0)
		return -1;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		goto out;
	if (info.type == BPF_MAP_TYPE_PERCPU_HASH || info.type == BPF_MAP_TYPE_LRU_PERCPU_HASH) {
		int c = libbpf_num_possible_cpus();

		ncpu = c > 0 ? (unsigned int)c : 1;
	}
	for (;;) {
		size_t vs = ncpu > 1 ? ((info.value_size + 7) & ~7u) * ncpu : info.value_size;

		free(keys);
		free(vals);
		keys = calloc(chunk, info.key_size);
		vals = calloc(chunk, vs);
		if (!keys || !vals)
			goto out;
		total = 0;
		first = true;
		for (;;) {
			n = chunk;
			err = bpf_map_lookup_batch(fd, first ? NULL : &batch, &batch, keys, vals, &n, NULL);
			err = err ? -errno : 0;
			first = false;
			if (err && err != -ENOENT)
				break;
			total += n;
			if (err == -ENOENT)
				goto out;	/* end of the map */
		}
		if (err == -ENOSPC && chunk < (1u << 20)) {
			chunk *= 4;	/* one bucket held more than a chunk: again, larger */
			continue;
		}
		total = -1;
		break;
	}
out:
	free(keys);
	free(vals);
	close(fd);
	return total;
}

int main(int argc, char **argv)
{
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: mapcount ID...\n");
		return 2;
	}
	for (i = 1; i < argc; i++)
		printf("%s%ld", i > 1 ? " " : "", count((unsigned int)strtoul(argv[i], NULL, 0)));
	printf("\n");
	return 0;
}
