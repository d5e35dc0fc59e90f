// SPDX-License-Identifier: GPL-2.0
/*
 * Proof for the static link (make static-mhd-check): libmicrohttpd.a linked
 * statically with the generated gnutls stubs instead of gnutls, serving one
 * plain HTTP request on 127.0.0.1. Exits 0 when the response is right.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char body[] = "ktop_static_link_ok 1\n";

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *data,
			      size_t *len, void **state)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	(void)cls; (void)url; (void)method; (void)version; (void)data; (void)len; (void)state;
	r = MHD_create_response_from_buffer(sizeof(body) - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

int main(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	const union MHD_DaemonInfo *info;
	static const char req[] = "GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n";
	char buf[1024];
	struct MHD_Daemon *d;
	size_t got = 0;
	ssize_t n;
	int fd;

	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, answer, NULL,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_END);
	if (!d || !(info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT))) {
		fprintf(stderr, "mhd_link: cannot start the HTTP daemon on 127.0.0.1\n");
		return 1;
	}
	sa.sin_port = htons(info->port);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    write(fd, req, sizeof(req) - 1) != (ssize_t)sizeof(req) - 1) {
		perror("mhd_link: request");
		return 1;
	}
	while (got < sizeof(buf) - 1 && (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = 0;
	close(fd);
	MHD_stop_daemon(d);
	if (strncmp(buf, "HTTP/1.0 200", 12) && strncmp(buf, "HTTP/1.1 200", 12)) {
		fprintf(stderr, "mhd_link: unexpected response: %.80s\n", buf);
		return 1;
	}
	if (!strstr(buf, body)) {
		fprintf(stderr, "mhd_link: body missing from the response\n");
		return 1;
	}
	printf("mhd_link: served one request on port %u: %s", info->port, body);
	return 0;
}
