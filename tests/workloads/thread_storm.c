// SPDX-License-Identifier: GPL-2.0
/* Many short-lived threads, each making a few syscalls; or a syscall storm.
 * Usage: thread_storm threads N        — N threads created and joined, 8 at a time
 *        thread_storm storm THREADS SEC — THREADS threads calling getppid flat out for SEC s,
 *                                          then "calls N" on stdout: how many they made */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

static volatile int stop;

static void *brief(void *arg)
{
	(void)arg;
	syscall(SYS_getppid);
	syscall(SYS_getppid);
	return NULL;
}

static void *flat_out(void *arg)
{
	long *calls = arg;

	while (!stop) {
		syscall(SYS_getppid);
		(*calls)++;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[64];
	long calls[64] = { 0 }, total = 0;
	long n, i, j, k;

	if (argc >= 3 && !strcmp(argv[1], "threads")) {
		n = atol(argv[2]);
		for (i = 0; i < n; i += 8) {
			for (j = 0; j < 8 && i + j < n; j++)
				if (pthread_create(&t[j], NULL, brief, NULL))
					return 1;
			for (k = 0; k < j; k++)
				pthread_join(t[k], NULL);
		}
		return 0;
	}
	if (argc >= 4 && !strcmp(argv[1], "storm")) {
		n = atol(argv[2]);
		if (n > 64)
			n = 64;
		for (i = 0; i < n; i++)
			pthread_create(&t[i], NULL, flat_out, &calls[i]);
		sleep(atoi(argv[3]));
		stop = 1;
		for (i = 0; i < n; i++) {
			pthread_join(t[i], NULL);
			total += calls[i];
		}
		printf("calls %ld\n", total);
		return 0;
	}
	return 2;
}
