// SPDX-License-Identifier: GPL-2.0
/* Workload: keep_block() keeps every 4 KiB block it allocates, churn_block() frees each one. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/*
 * Usage: mem_leaky N [PERIOD_MS]
 * Prints "ready" and waits for SIGUSR1; then, every PERIOD_MS (default 100)
 * milliseconds, keep_block() and churn_block() each run once, until each
 * has run N times; prints "done N" and sleeps until killed. A second
 * SIGUSR1 after that frees every kept block and prints "freed N".
 */

#define BLOCK	4096

static volatile sig_atomic_t go;
static void **kept;

static void on_usr1(int sig)
{
	(void)sig;
	go++;
}

/* Allocates one block and keeps it. */
__attribute__((noinline)) void keep_block(size_t i)
{
	char *p = malloc(BLOCK);

	if (!p)
		exit(1);
	memset(p, (int)i, BLOCK);
	kept[i] = p;
}

/* Allocates one block, uses it, frees it. */
__attribute__((noinline)) void churn_block(size_t i)
{
	char *volatile p = malloc(BLOCK);

	if (!p)
		exit(1);
	memset(p, (int)i, BLOCK);
	free(p);
}

int main(int argc, char **argv)
{
	struct timespec ts;
	long n, period_ms, i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s N [PERIOD_MS]\n", argv[0]);
		return 2;
	}
	n = atol(argv[1]);
	period_ms = argc > 2 ? atol(argv[2]) : 100;
	kept = calloc((size_t)n + 1, sizeof(*kept));
	if (n <= 0 || !kept)
		return 2;
	signal(SIGUSR1, on_usr1);
	setvbuf(stdout, NULL, _IONBF, 0);
	printf("ready\n");
	while (!go)
		pause();
	ts.tv_sec = period_ms / 1000;
	ts.tv_nsec = (period_ms % 1000) * 1000000L;
	for (i = 0; i < n; i++) {
		keep_block((size_t)i);
		churn_block((size_t)i);
		if (period_ms)
			nanosleep(&ts, NULL);
	}
	printf("done %ld\n", n);
	while (go < 2)
		pause();
	for (i = 0; i < n; i++)
		free(kept[i]);
	printf("freed %ld\n", n);
	for (;;)
		pause();
}
