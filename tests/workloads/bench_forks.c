// SPDX-License-Identifier: GPL-2.0
/* Benchmark workload: N short-lived processes, each making one getppid() call. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

/*
 * Usage: bench_forks [N [PAR]]  (defaults 10000 and 32)
 * Forks N children, at most PAR alive at a time; each makes one getppid()
 * and exits, so a tracer sees N distinct processes within a few seconds
 * without N processes ever existing at once. Prints the elapsed ms.
 * Exit status 1 if a fork fails.
 */
int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 0) : 10000;
	long par = argc > 2 ? strtol(argv[2], NULL, 0) : 32;
	struct timespec a, b;
	long started = 0, alive = 0;

	if (n <= 0 || par <= 0) {
		fprintf(stderr, "usage: bench_forks [N>0 [PAR>0]]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	while (started < n || alive > 0) {
		if (started < n && alive < par) {
			pid_t p = fork();

			if (p == 0) {
				syscall(SYS_getppid);
				_exit(0);
			}
			if (p < 0) {
				perror("bench_forks: fork");
				return 1;
			}
			started++;
			alive++;
			continue;
		}
		if (wait(NULL) > 0)
			alive--;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.0f\n", (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6);
	return 0;
}
