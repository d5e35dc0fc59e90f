// SPDX-License-Identifier: GPL-2.0
/* BPF program run-time statistics of this process's programs. */
#include <dirent.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "core/bpfstats.h"

static int stats_fd = -1;

/* See bpfstats.h. The kernel keeps counting while any such fd is open. */
int bpfstats_set(bool on)
{
	int fd;

	if (!on) {
		if (stats_fd >= 0)
			close(stats_fd);
		stats_fd = -1;
		return 0;
	}
	if (stats_fd >= 0)
		return 0;
	fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (fd < 0)
		return -errno;
	stats_fd = fd;
	return 0;
}

/* See bpfstats.h. */
bool bpfstats_on(void)
{
	return stats_fd >= 0;
}

/* See bpfstats.h. Walks /proc/self/fd for bpf-prog descriptors. */
void bpfstats_read(uint64_t *run_ns, uint64_t *run_cnt)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	*run_ns = *run_cnt = 0;
	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[64], link[64];
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		ssize_t n;
		int fd;

		if (e->d_name[0] == '.')
			continue;
		fd = atoi(e->d_name);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = 0;
		if (strcmp(link, "anon_inode:bpf-prog"))
			continue;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len))
			continue;
		*run_ns += info.run_time_ns;
		*run_cnt += info.run_cnt;
	}
	closedir(d);
}
