// SPDX-License-Identifier: GPL-2.0
/* Hostile HTTP clients for a loopback port: many idle connections, or one huge request.
 * Usage: http_hostile PORT idle N SECONDS   open N connections, send nothing, hold them
 *        http_hostile PORT big BYTES        send one request whose header is BYTES long
 * idle prints "connected C of N" once the connects are done (2 s at most each,
 * non-blocking), then holds them SECONDS and prints "closed by peer P" (how
 * many the server had closed). big prints "sent S status X" (X: the HTTP
 * status the server answered, 0 for none) and exits 0 either way. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

static int conn(int port, int nonblock)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0), 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

static int idle(int port, int n, int secs)
{
	struct pollfd *p = calloc(n, sizeof(*p));
	int i, ok = 0, gone = 0, left;
	time_t end = time(NULL) + 3;
	char b;

	if (!p)
		return 1;
	for (i = 0; i < n; i++) {	/* all at once: the server's backlog decides */
		p[i].fd = conn(port, 1);
		p[i].events = POLLOUT;
	}
	/* wait (3 s at most) until each connect is done one way or the other */
	for (left = n; left > 0 && time(NULL) < end;) {
		if (poll(p, n, 200) < 0)
			break;
		for (i = 0, left = 0; i < n; i++) {
			if (p[i].fd < 0)
				continue;
			if (p[i].revents & (POLLERR | POLLHUP)) {
				close(p[i].fd);
				p[i].fd = -1;
			} else if (p[i].revents & POLLOUT) {
				ok++;
				p[i].events = 0;
				p[i].fd = -p[i].fd - 2;	/* done: poll ignores negative fds */
			} else {
				left++;
			}
		}
	}
	printf("connected %d of %d\n", ok, n);
	fflush(stdout);
	sleep(secs);
	for (i = 0; i < n; i++) {
		int fd = p[i].fd < -1 ? -p[i].fd - 2 : p[i].fd;

		if (fd < 0)
			continue;
		if (recv(fd, &b, 1, MSG_DONTWAIT) == 0)
			gone++;
		close(fd);
	}
	printf("closed by peer %d\n", gone);
	free(p);
	return 0;
}

static int big(int port, long bytes)
{
	static char chunk[65536];
	const char *head = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Junk: ";
	char resp[64] = "";
	long sent = 0;
	int fd = conn(port, 0), status = 0;
	struct timeval tv = { .tv_sec = 5 };

	if (fd < 0) {
		perror("connect");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	memset(chunk, 'a', sizeof(chunk));
	if (send(fd, head, strlen(head), MSG_NOSIGNAL) > 0)
		sent += (long)strlen(head);
	while (sent < bytes) {
		long want = bytes - sent < (long)sizeof(chunk) ? bytes - sent : (long)sizeof(chunk);
		ssize_t w = send(fd, chunk, want, MSG_NOSIGNAL);

		if (w <= 0)
			break;		/* the server closed or stopped reading */
		sent += w;
	}
	if (sent >= bytes)
		send(fd, "\r\n\r\n", 4, MSG_NOSIGNAL);
	if (recv(fd, resp, sizeof(resp) - 1, 0) > 0)
		sscanf(resp, "HTTP/1.%*d %d", &status);
	printf("sent %ld status %d\n", sent, status);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc == 5 && !strcmp(argv[2], "idle"))
		return idle(atoi(argv[1]), atoi(argv[3]), atoi(argv[4]));
	if (argc == 4 && !strcmp(argv[2], "big"))
		return big(atoi(argv[1]), atol(argv[3]));
	fprintf(stderr, "usage: http_hostile PORT idle N SECONDS | http_hostile PORT big BYTES\n");
	return 2;
}
