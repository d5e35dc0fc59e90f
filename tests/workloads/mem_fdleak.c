// SPDX-License-Identifier: GPL-2.0
/* Workload: leaks pipes (pipe2) and eventfds at a steady rate until a limit, then holds them.
 * Usage: mem_fdleak PAIRS PER_S
 * Prints "ready" and waits for SIGUSR1; then execs itself (so, as in a
 * real program started under the tracer, its first kernel allocations are
 * the exec path's) and makes one pipe2() and one eventfd() PER_S times a
 * second, never closing them, until PAIRS pairs or the fd limit (EMFILE).
 * Prints "done N" (pairs) and holds them; on the next SIGUSR1 closes them
 * all, prints "closed" and sleeps until killed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/resource.h>

static volatile sig_atomic_t go;

static void on_usr1(int sig)
{
	(void)sig;
	go++;
}

int main(int argc, char **argv)
{
	struct timespec ts;
	long pairs, per_s, n = 0, fd;
	int p[2];

	bool execed = argc == 4 && !strcmp(argv[3], "execed");

	if (argc != 3 && !execed) {
		fprintf(stderr, "usage: mem_fdleak PAIRS PER_S\n");
		return 2;
	}
	pairs = atol(argv[1]);
	per_s = atol(argv[2]);
	if (per_s <= 0)
		per_s = 100;
	ts.tv_sec = 0;
	ts.tv_nsec = 1000000000L / per_s;
	signal(SIGUSR1, on_usr1);
	if (!execed) {
		char *args[] = { argv[0], argv[1], argv[2], "execed", NULL };

		printf("ready\n");
		fflush(stdout);
		while (!go)
			pause();
		execv("/proc/self/exe", args);
		return 1;
	}
	go = 1;
	while (n < pairs) {
		if (pipe2(p, O_CLOEXEC))
			break;
		fd = eventfd(0, EFD_CLOEXEC);
		if (fd < 0)
			break;
		n++;
		nanosleep(&ts, NULL);
	}
	printf("done %ld%s\n", n, n < pairs ? " (fd limit)" : "");
	fflush(stdout);
	while (go < 2)
		pause();
	for (fd = 3; fd < 1 << 20; fd++)
		if (close(fd) && errno == EBADF && fd > 3 * n + 16)
			break;
	printf("closed\n");
	fflush(stdout);
	for (;;)
		pause();
}
