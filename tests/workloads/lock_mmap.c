// SPDX-License-Identifier: GPL-2.0
/* Lock workload: threads of one process contend their mm's mmap_lock with mmap/munmap.
 * Usage: lock_mmap THREADS SECONDS [GO_FIFO DONE_FILE]
 * Each thread maps a small anonymous region, touches it and unmaps it in a
 * loop: mmap and munmap take the mmap_lock for writing, so the threads queue
 * on it (rwsem, write side). With GO_FIFO it waits for a byte there first
 * (so a tracer attaches before the load starts); at the end it prints
 * "ops N" (mmap+munmap pairs done, the throughput figure of the bench),
 * creates DONE_FILE if given and exits. */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#define REGION	(64 * 1024)

static atomic_int stop;
static atomic_long ops;

static void *work(void *arg)
{
	long n = 0;

	(void)arg;
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		char *p = mmap(NULL, REGION, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			continue;
		p[0] = 1;			/* fault in one page */
		p[REGION / 2] = 1;
		munmap(p, REGION);
		n++;
	}
	atomic_fetch_add(&ops, n);
	return NULL;
}

int main(int argc, char **argv)
{
	struct timespec ts;
	pthread_t *t;
	long nthr, secs, i;
	char c;
	int fd;

	if (argc != 3 && argc != 5) {
		fprintf(stderr, "usage: lock_mmap THREADS SECONDS [GO_FIFO DONE_FILE]\n");
		return 2;
	}
	nthr = atol(argv[1]);
	secs = atol(argv[2]);
	if (nthr < 1 || nthr > 256 || secs < 1)
		return 2;
	if (argc == 5) {
		fd = open(argv[3], O_RDONLY);
		if (fd < 0 || read(fd, &c, 1) != 1)
			return 1;
		close(fd);
	}
	t = calloc(nthr, sizeof(*t));
	if (!t)
		return 1;
	for (i = 0; i < nthr; i++)
		if (pthread_create(&t[i], NULL, work, NULL))
			return 1;
	ts.tv_sec = secs;
	ts.tv_nsec = 0;
	nanosleep(&ts, NULL);
	atomic_store(&stop, 1);
	for (i = 0; i < nthr; i++)
		pthread_join(t[i], NULL);
	printf("ops %ld\n", atomic_load(&ops));
	fflush(stdout);
	if (argc == 5) {
		fd = open(argv[4], O_WRONLY | O_CREAT, 0600);
		if (fd < 0)
			return 1;
		close(fd);
	}
	free(t);
	return 0;
}
