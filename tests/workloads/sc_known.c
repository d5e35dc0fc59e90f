// SPDX-License-Identifier: GPL-2.0
/* Syscall workload with exactly known counts: N getppid, K sleeps of L ms, M failing close(-1).
 * Usage: sc_known N K L_MS M GO_FIFO DONE_FILE
 * Waits until a byte arrives on GO_FIFO (so the tracer attaches first), does
 * the calls from a second thread too (half each) to cover -p's all-threads
 * rule, creates DONE_FILE with each sleep's measured length in ns (a line
 * each: what a tracer's latencies are checked against, since a busy machine
 * wakes a sleeper late), then sleeps until killed. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

static long n, k, l_ms, m;
static long long *slept;		/* ns, one per sleep */
static long nslept;

static long long now_ns(void)	/* vDSO: no system call */
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void *work(void *arg)
{
	long share = (long)arg, i;
	struct timespec ts = { .tv_sec = l_ms / 1000, .tv_nsec = (l_ms % 1000) * 1000000 };

	for (i = 0; i < n / 2 + (share ? n % 2 : 0); i++)
		syscall(SYS_getppid);
	for (i = 0; i < k / 2 + (share ? k % 2 : 0); i++) {
		long long t0 = now_ns();

		syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &ts, NULL);
		slept[__atomic_fetch_add(&nslept, 1, __ATOMIC_RELAXED)] = now_ns() - t0;
	}
	for (i = 0; i < m / 2 + (share ? m % 2 : 0); i++)
		syscall(SYS_close, -1);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;
	FILE *done;
	char c;
	long i;
	int fd;

	if (argc != 7) {
		fprintf(stderr, "usage: sc_known N K L_MS M GO_FIFO DONE_FILE\n");
		return 2;
	}
	n = atol(argv[1]);
	k = atol(argv[2]);
	l_ms = atol(argv[3]);
	m = atol(argv[4]);
	slept = calloc(k > 0 ? k : 1, sizeof(*slept));
	if (!slept)
		return 1;
	fd = open(argv[5], O_RDONLY);
	if (fd < 0 || read(fd, &c, 1) != 1)
		return 1;
	if (pthread_create(&t, NULL, work, (void *)1L))
		return 1;
	work((void *)0L);
	pthread_join(t, NULL);
	done = fopen(argv[6], "w");	/* left open: no extra close() */
	if (!done)
		return 1;
	for (i = 0; i < nslept; i++)
		fprintf(done, "%lld\n", slept[i]);
	fflush(done);
	for (;;)
		pause();
}
