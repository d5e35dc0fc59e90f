// SPDX-License-Identifier: GPL-2.0
/* Workload: nanosleep(2) of known lengths in timed phases, for the flight recorder's triggers. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

/*
 * Usage: sleep_phases MS:SECS...
 * Prints "ready" and waits for SIGUSR1; then, phase by phase, sleeps MS
 * milliseconds at a time (the nanosleep system call itself, not glibc's
 * nanosleep(), which is clock_nanosleep on current glibc) for SECS
 * seconds. Prints "phase I start" (CLOCK_REALTIME, ns) as each phase
 * begins, "done" at the end, and exits 0.
 */

static volatile sig_atomic_t go;

static void on_usr1(int sig)
{
	(void)sig;
	go = 1;
}

static double now_s(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: sleep_phases MS:SECS...\n");
		return 2;
	}
	signal(SIGUSR1, on_usr1);
	printf("ready\n");
	fflush(stdout);
	while (!go)
		pause();
	for (i = 1; i < argc; i++) {
		double ms, secs, end;
		struct timespec ts;

		if (sscanf(argv[i], "%lf:%lf", &ms, &secs) != 2 || ms <= 0 || secs <= 0) {
			fprintf(stderr, "sleep_phases: bad phase '%s' (MS:SECS)\n", argv[i]);
			return 2;
		}
		ts.tv_sec = (time_t)(ms / 1000);
		ts.tv_nsec = (long)((ms - ts.tv_sec * 1000.0) * 1e6);
		printf("phase %d start %.0f\n", i, now_s(CLOCK_REALTIME) * 1e9);
		fflush(stdout);
		end = now_s(CLOCK_MONOTONIC) + secs;
		while (now_s(CLOCK_MONOTONIC) < end)
			syscall(SYS_nanosleep, &ts, NULL);
	}
	printf("done\n");
	fflush(stdout);
	return 0;
}
