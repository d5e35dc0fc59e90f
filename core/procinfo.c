// SPDX-License-Identifier: GPL-2.0
/* /proc readers. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "core/procinfo.h"

/* See procinfo.h. */
bool proc_alive(uint32_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	p = strrchr(buf, ')');		/* comm may hold spaces and parens */
	return !(p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X'));
}

/* See procinfo.h. */
int proc_read_comm(uint32_t pid, char *buf, size_t n)
{
	char path[64];
	ssize_t r;
	int fd;

	if (!n)
		return -EINVAL;
	snprintf(path, sizeof(path), "/proc/%u/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = read(fd, buf, n - 1);
	close(fd);
	if (r < 0)
		return -errno;
	buf[r] = 0;
	if (r > 0 && buf[r - 1] == '\n')
		buf[r - 1] = 0;
	return 0;
}

/* A /proc entry name that is a whole decimal pid. */
static bool pid_name(const char *s, uint32_t *pid)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			return false;
	}
	*pid = (uint32_t)v;
	return true;
}

/* See procinfo.h. */
void proc_live_begin(struct proc_live *l)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	uint32_t pid;

	u64map_init(&l->seen, 1);
	u64map_init(&l->listed, 1);
	l->have_listing = false;
	if (!d)
		return;
	l->have_listing = true;
	while ((e = readdir(d)))
		if (pid_name(e->d_name, &pid) && !u64map_put(&l->listed, pid)) {
			l->have_listing = false;	/* out of memory: ask each */
			break;
		}
	closedir(d);
}

/* See procinfo.h. */
bool proc_live_alive(struct proc_live *l, uint32_t tgid)
{
	unsigned char *v = u64map_get(&l->seen, tgid);

	if (v)
		return *v == 1;
	if (l->have_listing && !u64map_get(&l->listed, tgid))
		return false;
	v = u64map_put(&l->seen, tgid);
	if (!v)
		return true;		/* out of memory: keep the entry */
	*v = proc_alive(tgid) ? 1 : 2;
	return *v == 1;
}

/* See procinfo.h. */
void proc_live_end(struct proc_live *l)
{
	u64map_free(&l->seen);
	u64map_free(&l->listed);
}
