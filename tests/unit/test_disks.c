// SPDX-License-Identifier: GPL-2.0
/* Unit tests of core/disks.c: dev_t -> name with partition roll-up, on a fake sysfs tree. */
#include <stdarg.h>			/* cmocka 1.1 wants these four first */
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "core/disks.h"

static char root[64];

static void mkdirs(const char *rel)
{
	char path[512], *p;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (p = path + strlen(root) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		mkdir(path, 0755);
		*p = '/';
	}
	mkdir(path, 0755);
}

static void put(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void link_dev(const char *devno, const char *target)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/dev/block/%s", root, devno);
	assert_int_equal(symlink(target, path), 0);
}

/* A sysfs with a virtio disk and two partitions, a loop device, an NVMe
 * namespace with an extended minor, and a device-mapper node. */
static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/ktop-disks.XXXXXX");
	if (!mkdtemp(root))
		return -1;
	mkdirs("dev/block");
	mkdirs("devices/pci0000:00/0000:00:04.0/virtio1/block/vda/vda1");
	mkdirs("devices/pci0000:00/0000:00:04.0/virtio1/block/vda/vda15");
	put("devices/pci0000:00/0000:00:04.0/virtio1/block/vda/dev", "252:0\n");
	put("devices/pci0000:00/0000:00:04.0/virtio1/block/vda/vda1/dev", "252:1\n");
	put("devices/pci0000:00/0000:00:04.0/virtio1/block/vda/vda1/partition", "1\n");
	put("devices/pci0000:00/0000:00:04.0/virtio1/block/vda/vda15/dev", "252:15\n");
	put("devices/pci0000:00/0000:00:04.0/virtio1/block/vda/vda15/partition", "15\n");
	link_dev("252:0", "../../devices/pci0000:00/0000:00:04.0/virtio1/block/vda");
	link_dev("252:1", "../../devices/pci0000:00/0000:00:04.0/virtio1/block/vda/vda1");
	link_dev("252:15", "../../devices/pci0000:00/0000:00:04.0/virtio1/block/vda/vda15");
	mkdirs("devices/virtual/block/loop3");
	put("devices/virtual/block/loop3/dev", "7:3\n");
	link_dev("7:3", "../../devices/virtual/block/loop3");
	mkdirs("devices/pci0000:00/nvme/nvme0/nvme0n1/nvme0n1p2");
	put("devices/pci0000:00/nvme/nvme0/nvme0n1/dev", "259:0\n");
	put("devices/pci0000:00/nvme/nvme0/nvme0n1/nvme0n1p2/dev", "259:65538\n");
	put("devices/pci0000:00/nvme/nvme0/nvme0n1/nvme0n1p2/partition", "2\n");
	link_dev("259:0", "../../devices/pci0000:00/nvme/nvme0/nvme0n1");
	link_dev("259:65538", "../../devices/pci0000:00/nvme/nvme0/nvme0n1/nvme0n1p2");
	mkdirs("devices/virtual/block/dm-0");
	put("devices/virtual/block/dm-0/dev", "253:0\n");
	link_dev("253:0", "../../devices/virtual/block/dm-0/");
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_kdev_encoding(void **state)
{
	(void)state;
	assert_int_equal(disk_kdev(252, 1), (252u << 20) | 1);
	assert_int_equal(disk_major(disk_kdev(259, 65538)), 259);
	assert_int_equal(disk_minor(disk_kdev(259, 65538)), 65538);
}

static void test_whole_disk(void **state)
{
	struct disk_info di;

	(void)state;
	assert_int_equal(disk_resolve(root, disk_kdev(252, 0), &di), 0);
	assert_string_equal(di.name, "vda");
	assert_string_equal(di.disk, "vda");
	assert_false(di.partition);
	assert_int_equal(di.disk_dev, disk_kdev(252, 0));
}

static void test_partition_rolls_up(void **state)
{
	struct disk_info di;

	(void)state;
	assert_int_equal(disk_resolve(root, disk_kdev(252, 15), &di), 0);
	assert_string_equal(di.name, "vda15");
	assert_string_equal(di.disk, "vda");
	assert_true(di.partition);
	assert_int_equal(di.disk_dev, disk_kdev(252, 0));
}

static void test_extended_minor(void **state)
{
	struct disk_info di;

	(void)state;
	assert_int_equal(disk_resolve(root, disk_kdev(259, 65538), &di), 0);
	assert_string_equal(di.name, "nvme0n1p2");
	assert_string_equal(di.disk, "nvme0n1");
	assert_int_equal(di.disk_dev, disk_kdev(259, 0));
}

static void test_loop_and_trailing_slash(void **state)
{
	struct disk_info di;

	(void)state;
	assert_int_equal(disk_resolve(root, disk_kdev(7, 3), &di), 0);
	assert_string_equal(di.name, "loop3");
	assert_false(di.partition);
	assert_int_equal(disk_resolve(root, disk_kdev(253, 0), &di), 0);
	assert_string_equal(di.name, "dm-0");
	assert_string_equal(di.disk, "dm-0");
}

static void test_missing_device(void **state)
{
	struct disk_info di;

	(void)state;
	assert_int_equal(disk_resolve(root, disk_kdev(8, 5), &di), -ENOENT);
	assert_string_equal(di.name, "8:5");
	assert_string_equal(di.disk, "8:5");
	assert_int_equal(di.disk_dev, disk_kdev(8, 5));
}

static void test_cache(void **state)
{
	struct disks d;
	const struct disk_info *di;
	char path[512];

	(void)state;
	disks_init(&d, root);
	di = disks_get(&d, disk_kdev(252, 1));
	assert_string_equal(di->name, "vda1");
	assert_string_equal(di->disk, "vda");
	/* the device goes away: the cache still answers until forgotten */
	snprintf(path, sizeof(path), "%s/dev/block/252:1", root);
	assert_int_equal(unlink(path), 0);
	assert_string_equal(disks_get(&d, disk_kdev(252, 1))->name, "vda1");
	disks_forget(&d);
	assert_string_equal(disks_get(&d, disk_kdev(252, 1))->name, "252:1");
	link_dev("252:1", "../../devices/pci0000:00/0000:00:04.0/virtio1/block/vda/vda1");
	disks_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kdev_encoding),
		cmocka_unit_test(test_whole_disk),
		cmocka_unit_test(test_partition_rolls_up),
		cmocka_unit_test(test_extended_minor),
		cmocka_unit_test(test_loop_and_trailing_slash),
		cmocka_unit_test(test_missing_device),
		cmocka_unit_test(test_cache),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
