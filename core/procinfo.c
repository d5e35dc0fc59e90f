// SPDX-License-Identifier: GPL-2.0
/* /proc readers. */
#include <errno.h>
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
