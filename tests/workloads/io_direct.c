// SPDX-License-Identifier: GPL-2.0
/* Block I/O workload with exactly known requests: W 4 KiB O_DIRECT writes, then R reads.
 * Usage: io_direct DEVICE_OR_FILE W R [SPAN_BLOCKS [PAUSE_US]]
 * Offsets are 4 KiB-aligned and pseudo-random (fixed seed) within the first
 * SPAN_BLOCKS blocks (0 or absent: the whole device or file), one request at
 * a time, so nothing can merge: each call is exactly one 4096-byte request.
 * PAUSE_US sleeps between requests to cap the rate. Exits 0 when every call
 * transferred 4096 bytes, 1 otherwise. */
#define _GNU_SOURCE			/* O_DIRECT */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/fs.h>

#define BS	4096

static uint64_t next(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 33;
}

int main(int argc, char **argv)
{
	uint64_t seed = 42, size = 0, span;
	struct timespec pause = { 0 };
	long w, r, i, us;
	struct stat st;
	void *buf;
	int fd;

	if (argc < 4) {
		fprintf(stderr, "usage: %s DEVICE_OR_FILE WRITES READS [SPAN_BLOCKS]\n", argv[0]);
		return 2;
	}
	w = atol(argv[2]);
	r = atol(argv[3]);
	fd = open(argv[1], O_RDWR | O_DIRECT);
	if (fd < 0) {
		fprintf(stderr, "io_direct: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (fstat(fd, &st) == 0 && S_ISBLK(st.st_mode))
		ioctl(fd, BLKGETSIZE64, &size);
	else
		size = (uint64_t)st.st_size;
	span = argc > 4 ? strtoull(argv[4], NULL, 0) : 0;
	if (!span)
		span = size / BS;
	us = argc > 5 ? atol(argv[5]) : 0;
	pause.tv_sec = us / 1000000;
	pause.tv_nsec = us % 1000000 * 1000;
	if (!span) {
		fprintf(stderr, "io_direct: %s is empty\n", argv[1]);
		return 1;
	}
	if (posix_memalign(&buf, BS, BS))
		return 1;
	memset(buf, 0xa5, BS);
	for (i = 0; i < w; i++) {
		if (pwrite(fd, buf, BS, (off_t)(next(&seed) % span) * BS) != BS) {
			perror("io_direct: pwrite");
			return 1;
		}
		if (us)
			nanosleep(&pause, NULL);
	}
	seed = 42;
	for (i = 0; i < r; i++) {
		if (pread(fd, buf, BS, (off_t)(next(&seed) % span) * BS) != BS) {
			perror("io_direct: pread");
			return 1;
		}
		if (us)
			nanosleep(&pause, NULL);
	}
	close(fd);
	free(buf);
	return 0;
}
