// SPDX-License-Identifier: GPL-2.0
/* Workload for the memory benchmark: a kernel- or user-allocation-heavy loop, counted. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/*
 * Usage: mem_loop kernel|user SECS [wait]
 * kernel: pipe() + close() of both ends, over and over (each pipe is about
 * nine slab allocations and as many frees in the kernel). user: malloc()
 * and free() of 64..4096-byte blocks, eight live at a time. With "wait" it
 * prints "ready" and starts on SIGUSR1 (so a tracer can attach to it
 * first). Prints "ops N" (pipes, or malloc/free pairs) at the end.
 */

static volatile sig_atomic_t go;

static void on_usr1(int sig)
{
	(void)sig;
	go = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One malloc/free pair, not inlined, so each has a caller frame. */
__attribute__((noinline)) static void *churn(void *old, size_t size)
{
	void *p = malloc(size);

	if (!p)
		exit(1);
	*(volatile char *)p = 1;
	free(old);
	return p;
}

int main(int argc, char **argv)
{
	void *live[8] = { 0 };
	unsigned long ops = 0, i;
	double secs, end;
	int kernel, fd[2];

	if (argc < 3 || (strcmp(argv[1], "kernel") && strcmp(argv[1], "user"))) {
		fprintf(stderr, "usage: %s kernel|user SECS [wait]\n", argv[0]);
		return 2;
	}
	kernel = !strcmp(argv[1], "kernel");
	secs = atof(argv[2]);
	if (argc > 3 && !strcmp(argv[3], "wait")) {
		signal(SIGUSR1, on_usr1);
		setvbuf(stdout, NULL, _IONBF, 0);
		printf("ready\n");
		while (!go)
			pause();
	}
	end = now_s() + secs;
	do {
		for (i = 0; i < 1024; i++, ops++) {
			if (kernel) {
				if (pipe(fd))
					return 1;
				close(fd[0]);
				close(fd[1]);
			} else {
				live[ops & 7] = churn(live[ops & 7], 64 + (ops * 67) % 4033);
			}
		}
	} while (now_s() < end);
	for (i = 0; i < 8; i++)
		free(live[i]);
	printf("ops %lu\n", ops);
	return 0;
}
