// SPDX-License-Identifier: GPL-2.0
/* --listen: the /metrics HTTP server (libmicrohttpd, its own thread) and the exposition it serves. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <microhttpd.h>
#include "core/histo.h"
#include "core/listen.h"
#include "core/metrics.h"
#include "core/metrics_http.h"

/*
 * Bounds on what clients can make ktop hold (docs/metrics.md): at most
 * HTTP_CONNS connections (more are accepted and closed at once), each
 * closed after HTTP_TIMEOUT_S seconds without progress, each with a
 * HTTP_MEM_LIMIT memory pool for its request (a longer request line or
 * header set is answered 431/414 and the connection closed).
 */
#define HTTP_CONNS		64
#define HTTP_TIMEOUT_S		10
#define HTTP_MEM_LIMIT		(16 * 1024)
#define HTTP_BACKLOG		16

/* One built exposition, shared by the responses that send it. */
struct expo {
	unsigned refs;			/* under srv.mu */
	size_t len;
	char *buf;
};

static struct {
	pthread_mutex_t mu;		/* guards text, om and every expo's refs */
	struct expo *text, *om;		/* the last published; NULL before the first */
	struct MHD_Daemon *d;
	int fd;
	atomic_uint_fast64_t scrapes;
	atomic_int want_om;		/* a client asked for OpenMetrics: build it too */
	struct ktop_prom_state st;	/* touched by the collecting thread only */
	uint64_t last_scrapes;
	uint64_t build_ns;		/* thread CPU of the last build */
	unsigned top;
	char addr[64];
	bool on;
} srv = { .mu = PTHREAD_MUTEX_INITIALIZER, .fd = -1 };

static void expo_put(void *cls)
{
	struct expo *e = cls;
	bool last;

	if (!e)
		return;
	pthread_mutex_lock(&srv.mu);
	last = --e->refs == 0;
	pthread_mutex_unlock(&srv.mu);
	if (last) {
		free(e->buf);
		free(e);
	}
}

/* A reference to the OpenMetrics exposition when om and it is built (then
 * *is_om), else to the text one; NULL before the first. */
static struct expo *expo_get(bool om, bool *is_om)
{
	struct expo *e;

	pthread_mutex_lock(&srv.mu);
	*is_om = om && srv.om;
	e = *is_om ? srv.om : srv.text;
	if (e)
		e->refs++;
	pthread_mutex_unlock(&srv.mu);
	return e;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned code, const char *type, const char *text)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	const char *accept;
	struct MHD_Response *r;
	enum MHD_Result ret;
	struct expo *e;
	bool om;

	(void)cls; (void)version; (void)upload;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", "ktop: only GET\n");
	if (*upload_size) {		/* a GET with a body: ignore the body */
		*upload_size = 0;
		return MHD_YES;
	}
	(void)con_cls;
	if (!strcmp(url, "/"))
		return reply(c, MHD_HTTP_OK, "text/html; charset=utf-8",
			     "<html><head><title>ktop</title></head><body><h1>ktop</h1>"
			     "<p><a href=\"/metrics\">Metrics</a></p></body></html>\n");
	if (strcmp(url, "/metrics"))
		return reply(c, MHD_HTTP_NOT_FOUND, "text/plain", "ktop: not found; try /metrics\n");
	accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	om = accept && strstr(accept, "application/openmetrics-text");
	if (om)
		atomic_store(&srv.want_om, 1);
	e = expo_get(om, &om);
	if (!e)
		return reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain", "ktop: starting, no data yet\n");
	r = MHD_create_response_from_buffer_with_free_callback_cls(e->len, e->buf, expo_put, e);
	if (!r) {
		expo_put(e);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, om ?
		"application/openmetrics-text; version=1.0.0; charset=utf-8" :
		"text/plain; version=0.0.4; charset=utf-8");
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	atomic_fetch_add(&srv.scrapes, 1);
	return ret;
}

/* See metrics_http.h. */
int metrics_http_start(const struct ktop_opts *o, char *err, size_t n)
{
	struct sockaddr_storage ss;
	sigset_t all, old;
	socklen_t sl;
	char host[INET6_ADDRSTRLEN];
	int one = 1, e;
	unsigned port;

	if (listen_parse(o->listen, &ss, &sl)) {
		snprintf(err, n, "--listen %s: not ADDR:PORT", o->listen);
		return -EINVAL;
	}
	if (ss.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host, sizeof(host));
		port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
		snprintf(srv.addr, sizeof(srv.addr), "[%s]:%u", host, port);
	} else {
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host, sizeof(host));
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		snprintf(srv.addr, sizeof(srv.addr), "%s:%u", host, port);
	}
	/* bind here, not in libmicrohttpd, to tell the user why it failed */
	srv.fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (srv.fd < 0) {
		e = -errno;
		snprintf(err, n, "--listen %s: cannot create a socket: %s", srv.addr, strerror(-e));
		return e;
	}
	setsockopt(srv.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(srv.fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(srv.fd, (struct sockaddr *)&ss, sl) || listen(srv.fd, HTTP_BACKLOG)) {
		e = -errno;
		snprintf(err, n, "--listen %s: cannot listen: %s%s", srv.addr, strerror(-e),
			 e == -EADDRINUSE ? " (another program has that port: choose another)" :
			 e == -EADDRNOTAVAIL ? " (no interface of this machine has that address)" : "");
		goto fail;
	}
	srv.top = o->metrics_top;
	/* the server thread takes no signals: SIGINT must reach the main loop */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	srv.d = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD | (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
				 0, NULL, NULL, on_request, NULL,
				 MHD_OPTION_LISTEN_SOCKET, srv.fd,
				 MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_CONNS,
				 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_TIMEOUT_S,
				 MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_MEM_LIMIT,
				 MHD_OPTION_END);
	e = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!srv.d) {
		e = e ? -e : -ENOMEM;
		snprintf(err, n, "--listen %s: libmicrohttpd could not start its thread: %s",
			 srv.addr, strerror(-e));
		goto fail;
	}
	srv.fd = -1;			/* libmicrohttpd closes it when it stops */
	srv.on = true;
	return 0;
fail:
	close(srv.fd);
	srv.fd = -1;
	return e;
}

static struct expo *build(const struct ktop_snapshot *s, const struct ktop_prom_self *self, bool om)
{
	struct expo *e = calloc(1, sizeof(*e));
	FILE *f;

	if (!e)
		return NULL;
	f = open_memstream(&e->buf, &e->len);
	if (!f) {
		free(e);
		return NULL;
	}
	if (metrics_write(f, &srv.st, s, self, srv.top, om) | fclose(f)) {
		free(e->buf);
		free(e);
		return NULL;
	}
	e->refs = 1;			/* the published reference */
	return e;
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* See metrics_http.h. */
void metrics_http_update(struct ktop_snapshot *s)
{
	struct ktop_prom_self self;
	struct expo *text, *om = NULL, *old_text, *old_om;
	uint64_t scrapes, t0;

	if (!srv.on)
		return;
	scrapes = atomic_load(&srv.scrapes);
	snprintf(s->listen, sizeof(s->listen), "%s", srv.addr);
	s->scrapes_total = scrapes;
	s->scrapes_per_s = rate_per_sec(scrapes - srv.last_scrapes, s->interval_ns);
	srv.last_scrapes = scrapes;
	metrics_accumulate(&srv.st, s);
	metrics_self_read(&self);
	self.build_cpu_s = srv.build_ns / 1e9;
	t0 = thread_cpu_ns();
	text = build(s, &self, false);
	if (atomic_load(&srv.want_om))
		om = build(s, &self, true);
	srv.build_ns = thread_cpu_ns() - t0;
	if (!text)
		return;			/* out of memory: the previous one stays */
	pthread_mutex_lock(&srv.mu);
	old_text = srv.text;
	old_om = srv.om;
	srv.text = text;
	srv.om = om;
	pthread_mutex_unlock(&srv.mu);
	expo_put(old_text);
	expo_put(old_om);
}

/* See metrics_http.h. */
void metrics_http_stop(void)
{
	if (srv.d)
		MHD_stop_daemon(srv.d);
	srv.d = NULL;
	if (srv.fd >= 0)
		close(srv.fd);
	srv.fd = -1;
	srv.on = false;
	pthread_mutex_lock(&srv.mu);
	if (srv.text && --srv.text->refs == 0) {
		free(srv.text->buf);
		free(srv.text);
	}
	if (srv.om && --srv.om->refs == 0) {
		free(srv.om->buf);
		free(srv.om);
	}
	srv.text = srv.om = NULL;
	pthread_mutex_unlock(&srv.mu);
}
