// SPDX-License-Identifier: GPL-2.0
/* Benchmark workload: N getppid() system calls in a tight loop, prints ns per call. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

static clockid_t clk = CLOCK_MONOTONIC;

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/*
 * Usage: getppid_loop [N [cpu]]  (default 2,000,000)
 * Prints one line: the mean ns per call, with two decimals. With "cpu" the
 * thread's CPU time is measured instead of the wall clock: on a shared
 * machine that leaves out the time other tasks ran on the CPU (the kernel
 * and BPF time of each call are the thread's and still count). syscall(2) is
 * used so that no libc can answer from a cache; the vDSO has no getppid.
 */
int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 0) : 2000000;
	unsigned long long t0, t1;
	long i;

	if (argc > 2 && !strcmp(argv[2], "cpu"))
		clk = CLOCK_THREAD_CPUTIME_ID;
	if (n <= 0 || (argc > 2 && clk == CLOCK_MONOTONIC)) {
		fprintf(stderr, "usage: getppid_loop [N>0 [cpu]]\n");
		return 2;
	}
	t0 = now_ns();
	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
	t1 = now_ns();
	printf("%.2f\n", (double)(t1 - t0) / (double)n);
	return 0;
}
