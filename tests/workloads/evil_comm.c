// SPDX-License-Identifier: GPL-2.0
/* A process whose name attacks terminals: ESC sequences, BEL, invalid UTF-8.
 * Usage: evil_comm SECONDS — renames itself, then makes syscalls until the time is up. */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	/* OSC title change + BEL, then an SGR color, then bytes that are not UTF-8 */
	static const char name[16] = "\x1b]0;pwn\x07\x1b[31m\xff\xfe!";
	time_t end = time(NULL) + (argc > 1 ? atoi(argv[1]) : 5);

	prctl(PR_SET_NAME, name, 0, 0, 0);
	while (time(NULL) < end) {
		syscall(SYS_getppid);
		usleep(1000);
	}
	return 0;
}
