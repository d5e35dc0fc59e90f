// SPDX-License-Identifier: GPL-2.0
/* Block device number -> name resolution through /sys/dev/block, with a small cache. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "core/disks.h"

/* Copy the last component of the first len bytes of path into dst. */
static void last_component(char *dst, size_t n, const char *path, size_t len)
{
	size_t start = len;

	while (len && path[len - 1] == '/')
		len--;
	start = len;
	while (start && path[start - 1] != '/')
		start--;
	snprintf(dst, n, "%.*s", (int)(len - start), path + start);
}

/* Read "MAJ:MIN\n" from file path into a kernel dev_t. Returns 0 or -errno. */
static int read_devno(const char *path, uint32_t *kdev)
{
	unsigned maj, min;
	char buf[32];
	ssize_t r;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r <= 0)
		return r < 0 ? -errno : -EINVAL;
	buf[r] = 0;
	if (sscanf(buf, "%u:%u", &maj, &min) != 2)
		return -EINVAL;
	*kdev = disk_kdev(maj, min);
	return 0;
}

/* See disks.h. */
int disk_resolve(const char *sysroot, uint32_t kdev, struct disk_info *out)
{
	char link[512], target[PATH_MAX], path[PATH_MAX];
	ssize_t len;
	size_t up;
	int err;

	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%u:%u", disk_major(kdev), disk_minor(kdev));
	snprintf(out->disk, sizeof(out->disk), "%s", out->name);
	out->disk_dev = kdev;
	if (snprintf(link, sizeof(link), "%s/dev/block/%u:%u", sysroot, disk_major(kdev),
		     disk_minor(kdev)) >= (int)sizeof(link))
		return -ENAMETOOLONG;
	len = readlink(link, target, sizeof(target) - 1);
	if (len < 0)
		return -errno;
	target[len] = 0;
	last_component(out->name, sizeof(out->name), target, (size_t)len);
	snprintf(path, sizeof(path), "%s/partition", link);
	if (access(path, F_OK)) {
		snprintf(out->disk, sizeof(out->disk), "%s", out->name);
		return 0;
	}
	out->partition = true;
	/* .../block/vda/vda1: the disk is the directory above */
	up = (size_t)len;
	while (up && target[up - 1] == '/')
		up--;
	while (up && target[up - 1] != '/')
		up--;
	last_component(out->disk, sizeof(out->disk), target, up);
	snprintf(path, sizeof(path), "%s/../dev", link);
	err = read_devno(path, &out->disk_dev);
	if (err)
		out->disk_dev = kdev;
	return 0;
}

/* See disks.h. */
void disks_init(struct disks *d, const char *sysroot)
{
	d->sysroot = sysroot;
	u64map_init(&d->map, sizeof(struct disk_info));
}

/* See disks.h. */
const struct disk_info *disks_get(struct disks *d, uint32_t kdev)
{
	static struct disk_info fallback;	/* only when the cache cannot grow */
	struct disk_info *di = u64map_get(&d->map, kdev), tmp;

	if (di)
		return di;
	disk_resolve(d->sysroot, kdev, &tmp);
	di = u64map_put(&d->map, kdev);
	if (!di) {
		fallback = tmp;
		return &fallback;
	}
	*di = tmp;
	return di;
}

/* See disks.h. */
void disks_forget(struct disks *d)
{
	u64map_clear(&d->map);
}

/* See disks.h. */
void disks_free(struct disks *d)
{
	u64map_free(&d->map);
}
