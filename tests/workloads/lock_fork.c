// SPDX-License-Identifier: GPL-2.0
/* Lock workload: threads of one process fork children that exit at once, contending static and per-process locks.
 * Usage: lock_fork THREADS SECONDS [GO_FIFO DONE_FILE]
 * fork() takes the static tasklist_lock for writing and the parent's
 * sighand->siglock; exit and wait take tasklist_lock too. So the Locks tab
 * shows a static rwlock (named only when kallsyms has data symbols) and
 * this process's siglock. With GO_FIFO it waits for a byte there first; at
 * the end it prints "forks N", creates DONE_FILE if given and exits. */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

static atomic_int stop;
static atomic_long forks;

static void *work(void *arg)
{
	long n = 0;
	pid_t p;

	(void)arg;
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		p = fork();
		if (p == 0)
			_exit(0);
		if (p < 0)
			continue;
		waitpid(p, NULL, 0);
		n++;
	}
	atomic_fetch_add(&forks, n);
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
		fprintf(stderr, "usage: lock_fork THREADS SECONDS [GO_FIFO DONE_FILE]\n");
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
	printf("forks %ld\n", atomic_load(&forks));
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
