// SPDX-License-Identifier: GPL-2.0
/* Memory tab, user mode: find the allocator a process really maps and put uprobes on it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "core/mem_user.h"
#include "core/procinfo.h"
#include "core/usym.h"

#define MAPS_MAX	4096		/* mappings read from /proc/pid/maps */
#define FILE_MAX	(8u << 20)	/* /proc/pid/maps larger than this is cut */

/* Read a whole (proc) file into a malloc'd buffer. Returns its length or -errno. */
static long slurp(const char *path, char **out, size_t max)
{
	size_t cap = 16384, len = 0;
	char *buf = malloc(cap), *t;
	ssize_t r;
	int fd;

	if (!buf)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return -errno;
	}
	for (;;) {
		if (len == cap) {
			if (cap >= max)
				break;
			t = realloc(buf, cap * 2);
			if (!t) {
				close(fd);
				free(buf);
				return -ENOMEM;
			}
			buf = t;
			cap *= 2;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = -errno;
			close(fd);
			free(buf);
			return r;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	*out = buf;
	return (long)len;
}

/* See mem_user.h. */
uint64_t procstat_starttime(const char *text, size_t len)
{
	const char *p = NULL, *end = text + len;
	uint64_t v = 0;
	int field = 2, digits = 0;
	size_t i;

	for (i = len; i > 0; i--)
		if (text[i - 1] == ')') {
			p = text + i;	/* after the command name */
			break;
		}
	if (!p)
		return 0;
	/* fields 3.. are separated by single spaces; starttime is field 22 */
	while (p < end && field < 22) {
		if (*p == ' ')
			field++;
		else if (*p == '\n' || *p == 0)
			return 0;
		p++;
	}
	if (field != 22)
		return 0;
	while (p < end && *p >= '0' && *p <= '9' && digits < 20) {
		v = v * 10 + (uint64_t)(*p - '0');
		p++;
		digits++;
	}
	return digits ? v : 0;
}

static uint64_t start_time_of(uint32_t pid)
{
	char path[64], *buf = NULL;
	uint64_t t;
	long n;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	n = slurp(path, &buf, 4096);
	if (n <= 0)
		return 0;
	t = procstat_starttime(buf, (size_t)n);
	free(buf);
	return t;
}

/* See mem_user.h. */
bool mem_target_alive(const struct mem_target *t)
{
	return proc_alive(t->pid) && start_time_of(t->pid) == t->start_time;
}

/* See mem_user.h. */
int mem_user_find_allocator(uint32_t pid, struct mem_target *t, char *why, size_t n)
{
	struct maps_entry *e = NULL;
	char path[64], exe[MAPS_PATH_MAX], full[MAPS_PATH_MAX + 32], *text = NULL;
	int best = 0, err = 0;
	ssize_t xl;
	size_t ne, i, j;
	long len;

	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->start_time = start_time_of(pid);
	snprintf(path, sizeof(path), "/proc/%u/maps", pid);
	len = slurp(path, &text, FILE_MAX);
	if (len < 0 || !t->start_time) {
		err = len < 0 ? (int)len : -ESRCH;
		if (err == -ENOENT)
			err = -ESRCH;
		snprintf(why, n, "memory: cannot read %s: %s", path, strerror(-err));
		return err;
	}
	snprintf(path, sizeof(path), "/proc/%u/exe", pid);
	xl = readlink(path, exe, sizeof(exe) - 1);
	exe[xl > 0 ? xl : 0] = 0;
	e = calloc(MAPS_MAX, sizeof(*e));
	if (!e) {
		free(text);
		return -ENOMEM;
	}
	ne = maps_parse(text, (size_t)len, e, MAPS_MAX);
	for (i = 0; i < ne; i++) {
		bool seen = false;
		int r, rank;

		if (!maps_is_code(&e[i]) || e[i].deleted)
			continue;
		for (j = 0; j < i && !seen; j++)
			seen = maps_is_code(&e[j]) && !strcmp(e[j].path, e[i].path);
		if (seen)
			continue;
		snprintf(full, sizeof(full), "/proc/%u/root%s", pid, e[i].path);
		r = usym_file_defines(full, "malloc");
		rank = maps_allocator_rank(e[i].path, r == 1, !strcmp(e[i].path, exe));
		if (rank > best) {
			best = rank;
			snprintf(t->lib, sizeof(t->lib), "%s", e[i].path);
			snprintf(t->attach_path, sizeof(t->attach_path), "%s", full);
		}
	}
	free(e);
	free(text);
	if (!best) {
		snprintf(why, n, "memory: process %u maps no file that defines malloc "
			 "(statically linked and stripped?)", pid);
		return -ENOENT;
	}
	return 0;
}

/* See mem_user.h. */
int mem_user_attach(struct bpf_program *prog, const struct mem_target *t, const char *fn,
		    bool ret, struct bpf_link **link)
{
	LIBBPF_OPTS(bpf_uprobe_opts, opts, .func_name = fn, .retprobe = ret);
	struct bpf_link *l;

	if (usym_file_defines(t->attach_path, fn) != 1)
		return -ENOENT;
	l = bpf_program__attach_uprobe_opts(prog, (pid_t)t->pid, t->attach_path, 0, &opts);
	if (!l)
		return -errno ? -errno : -EINVAL;
	*link = l;
	return 0;
}
