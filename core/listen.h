/* SPDX-License-Identifier: GPL-2.0 */
/* --listen ADDR:PORT parsing. */
#ifndef KTOP_LISTEN_H
#define KTOP_LISTEN_H
#include <sys/socket.h>

/*
 * Parse --listen: "PORT", ":PORT", "ADDR:PORT" (IPv4 or "localhost") or
 * "[ADDR6]:PORT". No address means 127.0.0.1: another host can connect
 * only when an address is given. Returns 0 and fills *ss and *len, or
 * -EINVAL. Can't fail otherwise.
 */
int listen_parse(const char *s, struct sockaddr_storage *ss, socklen_t *len);

#endif
