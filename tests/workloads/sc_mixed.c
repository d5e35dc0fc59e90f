// SPDX-License-Identifier: GPL-2.0
/* Syscall workload for sampled timing: one thread makes N getppid as fast as
 * it can while another makes K sleeps of L ms, at the same time.
 * Usage: sc_mixed N K L_MS GO_FIFO DONE_FILE
 * Waits for a byte on GO_FIFO (the tracer attaches first), runs both
 * threads, writes to DONE_FILE the median of the sleeps as this process
 * measured them (ns, CLOCK_MONOTONIC around each call), then sleeps until
 * killed. With two CPUs or more the threads are pinned to different ones:
 * the sleeper's CPU stays quiet, so a per-CPU sampler times all its calls. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/syscall.h>

#define K_MAX	1000

static long n, k, l_ms;
static unsigned long long slept[K_MAX];

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void pin(int cpu)
{
	cpu_set_t set;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);	/* best effort */
}

static void *hot(void *arg)
{
	long i;

	(void)arg;
	pin(0);
	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
	return NULL;
}

static int cmp_ull(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

static void sleeper(void)
{
	struct timespec ts = { .tv_sec = l_ms / 1000, .tv_nsec = (l_ms % 1000) * 1000000 };
	unsigned long long t0;
	long i;

	pin(1);
	for (i = 0; i < k; i++) {
		t0 = now_ns();
		syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &ts, NULL);
		slept[i] = now_ns() - t0;
	}
	qsort(slept, (size_t)k, sizeof(slept[0]), cmp_ull);
}

int main(int argc, char **argv)
{
	pthread_t t;
	FILE *f;
	char c;
	int fd;

	if (argc != 6) {
		fprintf(stderr, "usage: sc_mixed N K L_MS GO_FIFO DONE_FILE\n");
		return 2;
	}
	n = atol(argv[1]);
	k = atol(argv[2]);
	l_ms = atol(argv[3]);
	if (n < 0 || k < 1 || k > K_MAX || l_ms < 1) {
		fprintf(stderr, "sc_mixed: N >= 0, K in 1..%d, L_MS >= 1\n", K_MAX);
		return 2;
	}
	fd = open(argv[4], O_RDONLY);
	if (fd < 0 || read(fd, &c, 1) != 1)
		return 1;
	if (pthread_create(&t, NULL, hot, NULL))
		return 1;
	sleeper();
	pthread_join(t, NULL);
	f = fopen(argv[5], "w");
	if (!f)
		return 1;
	fprintf(f, "%llu\n", slept[(k - 1) / 2]);
	if (fclose(f))
		return 1;
	for (;;)
		pause();
}
