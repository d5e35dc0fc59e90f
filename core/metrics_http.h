/* SPDX-License-Identifier: GPL-2.0 */
/* --listen: serve /metrics from a thread of its own, from the exposition core publishes each interval. */
#ifndef KTOP_METRICS_HTTP_H
#define KTOP_METRICS_HTTP_H
#include <stddef.h>
#include "core/snapshot.h"

/*
 * Bind o->listen and start the server thread (libmicrohttpd). Before the
 * first metrics_http_update() it answers 503. Returns 0, or a negative
 * errno with one line in err naming the address and what to do.
 */
int metrics_http_start(const struct ktop_opts *o, char *err, size_t n);

/*
 * Called by core_poll() with each new snapshot (no-op when not serving):
 * fill s's scrape figures, add the interval to the cumulative state, build
 * the exposition(s) and publish them by pointer swap. A scrape in progress
 * keeps the one it started with. Can't fail: out of memory keeps the last.
 */
void metrics_http_update(struct ktop_snapshot *s);

/* Stop the thread, close the socket, free the expositions. Safe to call twice. */
void metrics_http_stop(void);

#endif
