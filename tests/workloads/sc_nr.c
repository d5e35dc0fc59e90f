// SPDX-License-Identifier: GPL-2.0
/* Calls syscall number NR COUNT times with invalid arguments (all -1), so a
 * syscall newer than the build machine's headers can be exercised by number.
 * Usage: sc_nr NR COUNT GO_FIFO DONE_FILE
 * Waits until a byte arrives on GO_FIFO (the tracer attaches first), makes
 * the calls, creates DONE_FILE, then sleeps until killed. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	long nr, count, i;
	char c;
	int fd;

	if (argc != 5) {
		fprintf(stderr, "usage: sc_nr NR COUNT GO_FIFO DONE_FILE\n");
		return 2;
	}
	nr = atol(argv[1]);
	count = atol(argv[2]);
	fd = open(argv[3], O_RDONLY);
	if (fd < 0 || read(fd, &c, 1) != 1)
		return 1;
	for (i = 0; i < count; i++)
		syscall(nr, -1L, -1L, -1L, -1L, -1L, -1L);
	if (open(argv[4], O_WRONLY | O_CREAT, 0600) < 0)
		return 1;
	for (;;)
		pause();
}
