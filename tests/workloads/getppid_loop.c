// SPDX-License-Identifier: GPL-2.0
/* Benchmark workload: N getppid() system calls in a tight loop, prints ns per call. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/*
 * Usage: getppid_loop [N]  (default 2,000,000)
 * Prints one line: the mean ns per call, with two decimals. syscall(2) is
 * used so that no libc can answer from a cache; the vDSO has no getppid.
 */
int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 0) : 2000000;
	unsigned long long t0, t1;
	long i;

	if (n <= 0) {
		fprintf(stderr, "usage: getppid_loop [N>0]\n");
		return 2;
	}
	t0 = now_ns();
	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
	t1 = now_ns();
	printf("%.2f\n", (double)(t1 - t0) / (double)n);
	return 0;
}
