// SPDX-License-Identifier: GPL-2.0
/* --listen ADDR:PORT: parsing only (no socket), so the command-line parser and its fuzzer stay pure. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include "core/listen.h"

/* See listen.h. */
int listen_parse(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[64], *end;
	const char *colon, *port_s;
	unsigned long port;

	memset(ss, 0, sizeof(*ss));
	if (!s || !*s)
		return -EINVAL;
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (!rb || rb[1] != ':' || (size_t)(rb - s - 1) >= sizeof(host))
			return -EINVAL;
		memcpy(host, s + 1, rb - s - 1);
		host[rb - s - 1] = 0;
		port_s = rb + 2;
	} else if ((colon = strrchr(s, ':'))) {
		if (strchr(s, ':') != colon || (size_t)(colon - s) >= sizeof(host))
			return -EINVAL;	/* a bare IPv6 address needs brackets */
		memcpy(host, s, colon - s);
		host[colon - s] = 0;
		port_s = colon + 1;
	} else {
		host[0] = 0;
		port_s = s;
	}
	if (*port_s < '0' || *port_s > '9')
		return -EINVAL;
	errno = 0;
	port = strtoul(port_s, &end, 10);
	if (errno || *end || port == 0 || port > 65535)
		return -EINVAL;
	if (s[0] == '[') {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, host, &a6->sin6_addr) != 1)
			return -EINVAL;
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a6);
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)ss;

		if (!host[0] || !strcmp(host, "localhost"))
			strcpy(host, "127.0.0.1");
		if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
			return -EINVAL;
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		*len = sizeof(*a4);
	}
	return 0;
}
