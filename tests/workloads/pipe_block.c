// SPDX-License-Identifier: GPL-2.0
/* A thread blocked in read() on a pipe for a known time: the in-flight test.
 * Usage: pipe_block MS GO_FIFO
 * Waits for a byte on GO_FIFO (the tracer attaches first: only calls that
 * start after it are seen), then a second thread prints "blocking TID" and
 * reads an empty pipe; after MS milliseconds main writes one byte so the
 * read returns, prints "returned" and sleeps until killed. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

static int fds[2];

static void *reader(void *arg)
{
	char c;

	(void)arg;
	printf("blocking %ld\n", (long)syscall(SYS_gettid));
	fflush(stdout);
	if (read(fds[0], &c, 1) != 1)
		exit(1);
	return NULL;
}

int main(int argc, char **argv)
{
	struct timespec ts;
	pthread_t t;
	long ms;
	char c;
	int go;

	if (argc != 3) {
		fprintf(stderr, "usage: pipe_block MS GO_FIFO\n");
		return 2;
	}
	ms = atol(argv[1]);
	go = open(argv[2], O_RDONLY);
	if (go < 0 || read(go, &c, 1) != 1)
		return 1;
	if (pipe(fds) || pthread_create(&t, NULL, reader, NULL))
		return 1;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000;
	nanosleep(&ts, NULL);
	if (write(fds[1], "x", 1) != 1)
		return 1;
	pthread_join(t, NULL);
	printf("returned\n");
	fflush(stdout);
	for (;;)
		pause();
}
