// SPDX-License-Identifier: GPL-2.0
/* Syscall workload with exactly known counts: N getppid, K sleeps of L ms, M failing close(-1).
 * Usage: sc_known N K L_MS M GO_FIFO DONE_FILE
 * Waits until a byte arrives on GO_FIFO (so the tracer attaches first), does
 * the calls from a second thread too (half each) to cover -p's all-threads
 * rule, creates DONE_FILE, then sleeps until killed. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

static long n, k, l_ms, m;

static void *work(void *arg)
{
	long share = (long)arg, i;
	struct timespec ts = { .tv_sec = l_ms / 1000, .tv_nsec = (l_ms % 1000) * 1000000 };

	for (i = 0; i < n / 2 + (share ? n % 2 : 0); i++)
		syscall(SYS_getppid);
	for (i = 0; i < k / 2 + (share ? k % 2 : 0); i++)
		syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &ts, NULL);
	for (i = 0; i < m / 2 + (share ? m % 2 : 0); i++)
		syscall(SYS_close, -1);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;
	char c;
	int fd;

	if (argc != 7) {
		fprintf(stderr, "usage: sc_known N K L_MS M GO_FIFO DONE_FILE\n");
		return 2;
	}
	n = atol(argv[1]);
	k = atol(argv[2]);
	l_ms = atol(argv[3]);
	m = atol(argv[4]);
	fd = open(argv[5], O_RDONLY);
	if (fd < 0 || read(fd, &c, 1) != 1)
		return 1;
	if (pthread_create(&t, NULL, work, (void *)1L))
		return 1;
	work((void *)0L);
	pthread_join(t, NULL);
	if (open(argv[6], O_WRONLY | O_CREAT, 0600) < 0)	/* left open: no extra close() */
		return 1;
	for (;;)
		pause();
}
