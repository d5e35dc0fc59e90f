/* SPDX-License-Identifier: GPL-2.0 */
/* Block device numbers to the names users know (vda, vda1, nvme0n1, loop3, dm-0), from sysfs. */
#ifndef KTOP_DISKS_H
#define KTOP_DISKS_H
#include <stdbool.h>
#include <stdint.h>
#include "core/u64map.h"

#define DISK_NAME_MAX	32

/* Kernel dev_t encoding (what BPF reads from struct block_device/gendisk):
 * 12 bits of major above 20 bits of minor. Not glibc's makedev(). */
static inline uint32_t disk_kdev(uint32_t major, uint32_t minor)
{
	return major << 20 | (minor & 0xfffff);
}
static inline uint32_t disk_major(uint32_t kdev)
{
	return kdev >> 20;
}
static inline uint32_t disk_minor(uint32_t kdev)
{
	return kdev & 0xfffff;
}

struct disk_info {
	char name[DISK_NAME_MAX];	/* the device itself: "vda1", "loop3" */
	char disk[DISK_NAME_MAX];	/* the whole disk it belongs to: "vda", "loop3" */
	uint32_t disk_dev;		/* kernel dev_t of that disk */
	bool partition;
};

/*
 * Describe block device kdev from sysroot (normally "/sys"): follows
 * sysroot/dev/block/MAJ:MIN to the device's directory, whose last path
 * component is its name; a partition has a "partition" file there and its
 * disk is the directory above it, with that disk's number in its "dev" file.
 * Returns 0 with *out filled; -ENOENT when no such device exists (then
 * out->name and out->disk are "MAJ:MIN", so the caller can still show
 * something), or another -errno. Names are copied raw: sanitize before
 * display. Can't fail otherwise.
 */
int disk_resolve(const char *sysroot, uint32_t kdev, struct disk_info *out);

/* A cache of disk_resolve() results; devices come and go, so the owner
 * calls disks_forget() now and then. */
struct disks {
	const char *sysroot;		/* borrowed; must outlive the cache */
	struct u64map map;		/* kdev -> struct disk_info */
};

/* Empty cache reading from sysroot. Can't fail (allocates on first use). */
void disks_init(struct disks *d, const char *sysroot);
/*
 * Information about kdev, cached. Never NULL: an unknown device is named
 * "MAJ:MIN". The pointer is valid until the next disks_get(),
 * disks_forget() or disks_free() on d; copy what you keep.
 */
const struct disk_info *disks_get(struct disks *d, uint32_t kdev);
/* Drop every cached entry. */
void disks_forget(struct disks *d);
/* Free the cache; NULL-safe on a zeroed struct. */
void disks_free(struct disks *d);

#endif
