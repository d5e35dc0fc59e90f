// SPDX-License-Identifier: GPL-2.0
/* Workload: hoards kernel objects (pipes it never closes), or creates and closes them at the same rate. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>

/*
 * Usage: mem_hoard hoard|churn N [PERIOD_MS]
 * Prints "ready" and waits for SIGUSR1; then makes one pipe every
 * PERIOD_MS (default 50) milliseconds, N in all. "hoard" keeps every pipe
 * open; "churn" closes each one a period later, so at most one is open.
 * Prints "done N", waits for another SIGUSR1, closes whatever it holds,
 * prints "closed N" and sleeps until killed.
 */

static volatile sig_atomic_t go;

static void on_usr1(int sig)
{
	(void)sig;
	go++;
}

int main(int argc, char **argv)
{
	struct rlimit rl;
	struct timespec ts;
	int (*fds)[2], hoard;
	long n, period_ms, i, open_now = 0;

	if (argc < 3 || (strcmp(argv[1], "hoard") && strcmp(argv[1], "churn"))) {
		fprintf(stderr, "usage: %s hoard|churn N [PERIOD_MS]\n", argv[0]);
		return 2;
	}
	hoard = !strcmp(argv[1], "hoard");
	n = atol(argv[2]);
	period_ms = argc > 3 ? atol(argv[3]) : 50;
	fds = calloc((size_t)n + 1, sizeof(*fds));
	if (n <= 0 || !fds)
		return 2;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)(2 * n + 64)) {
		rl.rlim_cur = rl.rlim_max < (rlim_t)(2 * n + 64) ? rl.rlim_max : (rlim_t)(2 * n + 64);
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGUSR1, on_usr1);
	setvbuf(stdout, NULL, _IONBF, 0);
	printf("ready\n");
	while (!go)
		pause();
	ts.tv_sec = period_ms / 1000;
	ts.tv_nsec = (period_ms % 1000) * 1000000L;
	for (i = 0; i < n; i++) {
		if (pipe(fds[i])) {
			perror("pipe");
			return 1;
		}
		open_now++;
		if (!hoard && i > 0) {
			close(fds[i - 1][0]);
			close(fds[i - 1][1]);
			open_now--;
		}
		nanosleep(&ts, NULL);
	}
	printf("done %ld\n", n);
	while (go < 2)
		pause();
	for (i = hoard ? 0 : n - 1; i < n; i++) {
		close(fds[i][0]);
		close(fds[i][1]);
	}
	printf("closed %ld\n", open_now);
	for (;;)
		pause();
}
