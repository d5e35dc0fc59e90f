// SPDX-License-Identifier: GPL-2.0
/* Prometheus exposition: the text ktop serves at /metrics (docs/metrics.md); metrics_acc.c accumulates. */
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include "core/metrics.h"
#include "core/histo.h"
#include "core/sanitize.h"

/* See metrics.h. */
size_t metrics_label(char *dst, size_t n, const char *src, size_t srclen)
{
	char clean[256];
	size_t i, o = 0;

	if (!n)
		return 0;
	str_sanitize(clean, sizeof(clean), src, srclen);
	for (i = 0; clean[i]; i++) {
		const char *e = NULL;
		char c = clean[i];

		if (c == '\\')
			e = "\\\\";
		else if (c == '"')
			e = "\\\"";
		else if (c == '\n')	/* str_sanitize leaves none; kept for the contract */
			e = "\\n";
		if (e) {
			if (o + 3 > n)
				break;
			dst[o++] = e[0];
			dst[o++] = e[1];
		} else {
			if (o + 2 > n)
				break;
			dst[o++] = c;
		}
	}
	dst[o] = 0;
	return o;
}

/* ---- writer ------------------------------------------------------------ */

struct pw {
	FILE *f;
	bool om;
};

enum ptype { P_GAUGE, P_COUNTER, P_HIST };

/* HELP and TYPE of a family. name is the sample name without _total for a
 * counter: the text format names the family with the suffix, OpenMetrics
 * without it. */
static void fam(struct pw *w, const char *name, enum ptype t, const char *help)
{
	static const char *const tn[] = { "gauge", "counter", "histogram" };
	const char *sfx = t == P_COUNTER && !w->om ? "_total" : "";

	fprintf(w->f, "# HELP %s%s %s\n# TYPE %s%s %s\n", name, sfx, help, name, sfx, tn[t]);
}

/* ns as seconds, exactly: integer part, 9 decimals */
static void put_secs(FILE *f, uint64_t ns)
{
	fprintf(f, "%" PRIu64 ".%09" PRIu64, (uint64_t)(ns / 1000000000u), (uint64_t)(ns % 1000000000u));
}

static void sample_u(struct pw *w, const char *name, const char *sfx, const char *labels, uint64_t v)
{
	fprintf(w->f, "%s%s%s%s%s %" PRIu64 "\n", name, sfx, labels[0] ? "{" : "", labels,
		labels[0] ? "}" : "", v);
}

static void sample_d(struct pw *w, const char *name, const char *labels, double v)
{
	fprintf(w->f, "%s%s%s%s %.9g\n", name, labels[0] ? "{" : "", labels, labels[0] ? "}" : "", v);
}

static void sample_s(struct pw *w, const char *name, const char *sfx, const char *labels, uint64_t ns)
{
	fprintf(w->f, "%s%s%s%s%s ", name, sfx, labels[0] ? "{" : "", labels, labels[0] ? "}" : "");
	put_secs(w->f, ns);
	fputc('\n', w->f);
}

/* A family of one sample without labels (a counter's name without _total). */
static void single_u(struct pw *w, const char *name, enum ptype t, const char *help, uint64_t v)
{
	fam(w, name, t, help);
	sample_u(w, name, t == P_COUNTER ? "_total" : "", "", v);
}

static void single_d(struct pw *w, const char *name, enum ptype t, const char *help, double v)
{
	fam(w, name, t, help);
	fprintf(w->f, "%s%s %.6f\n", name, t == P_COUNTER ? "_total" : "", v);
}

static void hist(struct pw *w, const char *name, const char *labels, const struct ktop_prom_hist *h)
{
	uint64_t cum = 0;
	unsigned i;

	for (i = 0; i < KTOP_PROM_BUCKETS; i++) {
		cum += h->b[i];
		fprintf(w->f, "%s_bucket{%s%s", name, labels, labels[0] ? "," : "");
		if (i < KTOP_PROM_BUCKETS - 1)
			fprintf(w->f, "le=\"%.12g\"} %" PRIu64 "\n", metrics_bound_ns(i) / 1e9, cum);
		else
			fprintf(w->f, "le=\"+Inf\"} %" PRIu64 "\n", cum);
	}
	sample_s(w, name, "_sum", labels, h->sum_ns);
	sample_u(w, name, "_count", labels, cum);	/* = +Inf, whatever rounding did */
}

static void w_self(struct pw *w, const struct ktop_prom_state *st, const struct ktop_snapshot *s,
		   const struct ktop_prom_self *self)
{
	char l[160], v[96];
	int i;

	fam(w, "ktop_build_info", P_GAUGE, "ktop's version and the kernel it runs on (value 1).");
	metrics_label(v, sizeof(v), s->version, sizeof(s->version));
	metrics_label(l, sizeof(l), s->kernel, sizeof(s->kernel));
	fprintf(w->f, "ktop_build_info{version=\"%s\",kernel=\"%s\"} 1\n", v, l);
	fam(w, "ktop_tab_up", P_GAUGE, "1 when the tab's collector runs, 0 when it is off or disabled.");
	for (i = 0; i < KTOP_TAB_MAX; i++) {
		snprintf(l, sizeof(l), "tab=\"%s\"", ktop_tab_names[i]);
		sample_u(w, "ktop_tab_up", "", l, s->tab[i].state == KTOP_TAB_RUNNING);
	}
	fam(w, "ktop_lost_events", P_COUNTER,
	    "Events a tab lost since start (ring buffer or map full); its figures undercount by this much.");
	for (i = 0; i < KTOP_TAB_MAX; i++) {
		snprintf(l, sizeof(l), "tab=\"%s\"", ktop_tab_names[i]);
		sample_u(w, "ktop_lost_events", "_total", l, s->tab[i].lost_total);
	}
	fam(w, "ktop_interval_seconds", P_GAUGE, "Length of ktop's last collection interval.");
	sample_s(w, "ktop_interval_seconds", "", "", s->interval_ns);
	single_u(w, "ktop_scrapes", P_COUNTER, "Requests for /metrics answered since start.", s->scrapes_total);
	single_u(w, "ktop_bpf_stats_enabled", P_GAUGE,
		 "1 when kernel BPF run-time statistics are on (--bpf-stats or the s key).", s->bpf_stats ? 1 : 0);
	if (s->bpf_stats || st->bpf_run_cnt) {
		fam(w, "ktop_bpf_run_seconds", P_COUNTER,
		    "Time ktop's BPF programs ran in the kernel while statistics were on.");
		sample_s(w, "ktop_bpf_run_seconds", "_total", "", st->bpf_run_ns);
		single_u(w, "ktop_bpf_runs", P_COUNTER, "Runs of ktop's BPF programs while statistics were on.",
			 st->bpf_run_cnt);
	}
	if (!self)
		return;
	/* the process_* families of the Prometheus client libraries */
	single_d(w, "process_cpu_seconds", P_COUNTER, "Total user and system CPU time spent in seconds.",
		 self->cpu_s);
	single_u(w, "process_resident_memory_bytes", P_GAUGE, "Resident memory size in bytes.", self->rss_bytes);
	single_u(w, "process_virtual_memory_bytes", P_GAUGE, "Virtual memory size in bytes.", self->vm_bytes);
	single_d(w, "process_start_time_seconds", P_GAUGE,
		 "Start time of the process since unix epoch in seconds.", self->start_time_s);
	single_u(w, "process_open_fds", P_GAUGE, "Number of open file descriptors.", self->open_fds);
	single_u(w, "process_max_fds", P_GAUGE, "Maximum number of open file descriptors.", self->max_fds);
	single_d(w, "ktop_exposition_build_seconds", P_GAUGE,
		 "CPU time ktop took to build the previous interval's exposition (once per interval, not per scrape).",
		 self->build_cpu_s);
}

static void w_syscalls(struct pw *w, const struct ktop_prom_state *st, const struct ktop_snapshot *s,
		       unsigned top)
{
	char l[160], name[80], comm[80];
	unsigned i, n = sizeof(st->sc) / sizeof(st->sc[0]);

	unsigned k;

	for (k = 0; k < 2; k++) {	/* the histogram, then the errors */
		if (k)
			fam(w, "ktop_syscall_errors", P_COUNTER,
			    "System calls that returned an error (-4095..-1) since ktop started.");
		else
			fam(w, "ktop_syscall_duration_seconds", P_HIST,
			    "System call latency, entry to exit, since ktop started (raw_syscalls:sys_enter/sys_exit).");
		for (i = 0; i < n; i++) {
			if (!st->sc[i].seen)
				continue;
			metrics_label(name, sizeof(name), st->sc[i].name, sizeof(st->sc[i].name));
			snprintf(l, sizeof(l), "syscall=\"%s\"", name);
			if (k)
				sample_u(w, "ktop_syscall_errors", "_total", l, st->sc[i].errors);
			else
				hist(w, "ktop_syscall_duration_seconds", l, &st->sc[i].h);
		}
	}
	for (k = 0; k < 2; k++) {	/* time ratio, then calls per second */
		const char *fname = k ? "ktop_top_process_syscalls_per_second" :
					"ktop_top_process_syscall_time_ratio";

		fam(w, fname, P_GAUGE, k ?
		    "Top processes by system call time: system calls per second over the last interval." :
		    "Top processes by system call time: seconds in system calls per second over the last interval "
		    "(threads summed, can exceed 1).");
		for (i = 0; i < s->sc.nprocs && i < top && i < KTOP_SC_PROCS_MAX; i++) {
			const struct ktop_sc_proc *p = &s->sc.procs[i];

			metrics_label(comm, sizeof(comm), p->comm, sizeof(p->comm));
			snprintf(l, sizeof(l), "pid=\"%u\",comm=\"%s\"", p->pid, comm);
			sample_d(w, fname, l, k ? rate_per_sec(p->count, s->interval_ns) :
						  rate_per_sec(p->total_ns, s->interval_ns) / 1e9);
		}
	}
}

static void io_labels(char *l, size_t n, const struct ktop_prom_io *e)
{
	char disk[80];

	metrics_label(disk, sizeof(disk), e->disk, sizeof(e->disk));
	snprintf(l, n, "disk=\"%s\",op=\"%s\"", disk, ktop_io_op_name(e->opn));
}

static void w_io(struct pw *w, const struct ktop_prom_state *st)
{
	static const struct {
		const char *name, *sfx, *help;
		size_t off;
		bool secs;
	} ctr[] = {
		{ "ktop_io_requests", "_total", "Block I/O requests completed (block:block_rq_complete).",
		  offsetof(struct ktop_prom_io, requests), false },
		{ "ktop_io_bytes", "_total", "Bytes transferred by completed block I/O requests.",
		  offsetof(struct ktop_prom_io, bytes), false },
		{ "ktop_io_errors", "_total", "Block I/O requests completed with an error status.",
		  offsetof(struct ktop_prom_io, errors), false },
		{ "ktop_io_queue_seconds", "_total",
		  "Time requests waited in the scheduler queue, insert to issue (block_rq_insert/issue).",
		  offsetof(struct ktop_prom_io, queue_ns), true },
		{ "ktop_io_device_seconds", "_total",
		  "Time requests spent in the driver and device, issue to completion (block_rq_issue/complete).",
		  offsetof(struct ktop_prom_io, device_ns), true },
	};
	char l[160];
	unsigned i, c;

	fam(w, "ktop_io_request_duration_seconds", P_HIST,
	    "Block I/O request latency per disk and operation, first seen to completion, since ktop started.");
	for (i = 0; i < KTOP_PROM_IO_MAX; i++) {
		if (!st->io[i].used)
			continue;
		io_labels(l, sizeof(l), &st->io[i]);
		hist(w, "ktop_io_request_duration_seconds", l, &st->io[i].h);
	}
	for (c = 0; c < sizeof(ctr) / sizeof(ctr[0]); c++) {
		fam(w, ctr[c].name, P_COUNTER, ctr[c].help);
		for (i = 0; i < KTOP_PROM_IO_MAX; i++) {
			const struct ktop_prom_io *e = &st->io[i];
			uint64_t v;

			if (!e->used)
				continue;
			v = *(const uint64_t *)((const char *)e + ctr[c].off);
			io_labels(l, sizeof(l), e);
			if (ctr[c].secs)
				sample_s(w, ctr[c].name, ctr[c].sfx, l, v);
			else
				sample_u(w, ctr[c].name, ctr[c].sfx, l, v);
		}
	}
}

static void lock_labels(char *l, size_t n, const struct ktop_lock_row *r)
{
	char name[KTOP_LOCK_NAME_LEN * 2], type[64], raw[KTOP_LOCK_NAME_LEN];

	if (r->symbol[0])
		snprintf(raw, sizeof(raw), "%s", r->symbol);
	else
		snprintf(raw, sizeof(raw), "0x%" PRIx64, r->addr);
	metrics_label(name, sizeof(name), raw, sizeof(raw));
	metrics_label(type, sizeof(type), r->type, sizeof(r->type));
	snprintf(l, n, "lock=\"%s\",type=\"%s\"", name, type);
}

static void w_locks(struct pw *w, const struct ktop_prom_state *st, const struct ktop_snapshot *s,
		    unsigned top)
{
	char l[400], type[64];
	unsigned i, k;

	fam(w, "ktop_lock_wait_seconds", P_HIST,
	    "Kernel lock contention wait time per lock type since ktop started "
	    "(lock:contention_begin/contention_end).");
	for (i = 0; i < st->nlock_types; i++) {
		metrics_label(type, sizeof(type), st->locks[i].type, sizeof(st->locks[i].type));
		snprintf(l, sizeof(l), "type=\"%s\"", type);
		hist(w, "ktop_lock_wait_seconds", l, &st->locks[i].h);
	}
	for (k = 0; k < 2; k++) {
		const char *name = k ? "ktop_top_lock_wait_seconds_per_second" :
				       "ktop_top_lock_contentions_per_second";

		fam(w, name, P_GAUGE, k ?
		    "Top locks by wait: seconds waited per second over the last interval, all waiters summed." :
		    "Top locks by wait: contentions per second over the last interval.");
		for (i = 0; i < s->lock.nrows && i < top && i < KTOP_LOCK_ROWS_MAX; i++) {
			const struct ktop_lock_row *r = &s->lock.rows[i];
			unsigned j;
			bool dup = false;

			/* two addresses can share a name (the same lock of two
			 * objects): the first, by wait, keeps the series */
			for (j = 0; j < i && !dup; j++)
				dup = !strcmp(s->lock.rows[j].symbol, r->symbol) && r->symbol[0] &&
				      !strcmp(s->lock.rows[j].type, r->type);
			if (dup)
				continue;
			lock_labels(l, sizeof(l), r);
			sample_d(w, name, l, k ? rate_per_sec(r->total_wait_ns, s->interval_ns) / 1e9 :
						  rate_per_sec(r->contentions, s->interval_ns));
		}
	}
}

/* Indices of the top rows by outstanding bytes, largest first; suspects
 * only when only_suspects. Returns how many (<= top). */
static unsigned mem_top(const struct ktop_mem_snap *m, unsigned top, bool only_suspects, uint32_t *idx)
{
	unsigned n = 0, i, j;

	for (i = 0; i < m->nrows && i < KTOP_MEM_ROWS_MAX; i++) {
		const struct ktop_mem_row *r = &m->rows[i];

		if (only_suspects && !r->suspect)
			continue;
		if (n == top && m->rows[idx[n - 1]].outstanding_bytes >= r->outstanding_bytes)
			continue;
		j = n < top ? n++ : n - 1;
		while (j > 0 && m->rows[idx[j - 1]].outstanding_bytes < r->outstanding_bytes) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = i;
	}
	return n;
}

static void w_memory(struct pw *w, const struct ktop_snapshot *s, unsigned top)
{
	const struct ktop_mem_snap *m = &s->mem;
	uint32_t idx[KTOP_PROM_TOP_MAX];
	struct ktop_mem_row agg;
	char l[160], comm[80];
	unsigned i, n, k, suspects = 0;
	const struct ktop_mem_row *r;

	if (top > KTOP_PROM_TOP_MAX)
		top = KTOP_PROM_TOP_MAX;
	for (i = 0; i < m->nrows && i < KTOP_MEM_ROWS_MAX; i++)
		suspects += m->rows[i].suspect ? 1 : 0;
	if (m->mode == KTOP_MEM_USER) {
		/* rows are allocation stacks of one process: one series for it */
		memset(&agg, 0, sizeof(agg));
		agg.pid = m->target_pid;
		memcpy(agg.comm, m->target_comm, sizeof(agg.comm));
		for (i = 0; i < m->nrows && i < KTOP_MEM_ROWS_MAX; i++) {
			agg.outstanding_bytes += m->rows[i].outstanding_bytes;
			agg.outstanding_allocs += m->rows[i].outstanding_allocs;
			agg.suspect |= m->rows[i].suspect;
		}
		suspects = suspects ? 1 : 0;
	}
	fam(w, "ktop_memory_leak_suspects", P_GAUGE,
	    "Processes (user mode: the -p process) whose outstanding memory is a leak suspect now "
	    "(docs/memory.md has the rule).");
	sample_u(w, "ktop_memory_leak_suspects", "", "", suspects);
	fam(w, "ktop_memory_tracked_bytes", P_GAUGE,
	    "Bytes of all allocations ktop tracks as outstanding (kmem:kmalloc/kmem_cache_alloc/mm_page_alloc "
	    "or the libc allocator's uprobes).");
	sample_u(w, "ktop_memory_tracked_bytes", "", "", m->outstanding_bytes);
	fam(w, "ktop_memory_untracked_allocations", P_COUNTER,
	    "Allocations not tracked since start because a map was full.");
	sample_u(w, "ktop_memory_untracked_allocations", "_total", "", m->untracked_total);
	for (k = 0; k < 3; k++) {
		static const char *const names[] = { "ktop_memory_outstanding_bytes",
			"ktop_memory_outstanding_allocations", "ktop_memory_leak_suspect" };
		static const char *const helps[] = {
			"Top processes by outstanding memory: bytes allocated and not yet freed.",
			"Top processes by outstanding memory: allocations not yet freed.",
			"Top leak suspects by outstanding memory (value 1); absent when none." };

		fam(w, names[k], P_GAUGE, helps[k]);
		if (m->mode == KTOP_MEM_USER) {
			if (!m->nrows || (k == 2 && !agg.suspect))
				continue;
			n = 1;
		} else {
			n = mem_top(m, top, k == 2, idx);
		}
		for (i = 0; i < n; i++) {
			r = m->mode == KTOP_MEM_USER ? &agg : &m->rows[idx[i]];
			metrics_label(comm, sizeof(comm), r->comm, sizeof(r->comm));
			snprintf(l, sizeof(l), "pid=\"%u\",comm=\"%s\"", r->pid, comm);
			sample_u(w, names[k], "", l, k == 0 ? r->outstanding_bytes :
						   k == 1 ? r->outstanding_allocs : 1);
		}
	}
}

/* See metrics.h. */
int metrics_write(FILE *f, const struct ktop_prom_state *st, const struct ktop_snapshot *s,
		  const struct ktop_prom_self *self, unsigned top, bool om)
{
	struct pw w = { .f = f, .om = om };

	if (top > KTOP_PROM_TOP_MAX)
		top = KTOP_PROM_TOP_MAX;
	w_self(&w, st, s, self);
	w_syscalls(&w, st, s, top);
	w_memory(&w, s, top);
	w_locks(&w, st, s, top);
	w_io(&w, st);
	if (om)
		fputs("# EOF\n", f);
	return ferror(f) ? -EIO : 0;
}

/* ---- ktop's own process ------------------------------------------------ */

/* See metrics.h. */
void metrics_self_read(struct ktop_prom_self *self)
{
	unsigned long long start_ticks = 0, btime = 0;
	long vm = 0, rss = 0, hz = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	struct rusage ru;
	struct rlimit rl;
	struct dirent *d;
	char buf[1024], *p;
	FILE *fp;
	DIR *dir;

	memset(self, 0, sizeof(*self));
	if (!getrusage(RUSAGE_SELF, &ru))
		self->cpu_s = ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
			      (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	if ((fp = fopen("/proc/self/statm", "r"))) {
		if (fscanf(fp, "%ld %ld", &vm, &rss) == 2) {
			self->vm_bytes = (uint64_t)vm * page;
			self->rss_bytes = (uint64_t)rss * page;
		}
		fclose(fp);
	}
	/* field 22 of /proc/self/stat, after the ")" that ends comm */
	if ((fp = fopen("/proc/self/stat", "r"))) {
		if (fgets(buf, sizeof(buf), fp) && (p = strrchr(buf, ')')))
			sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
			       &start_ticks);
		fclose(fp);
	}
	if ((fp = fopen("/proc/stat", "r"))) {
		while (fgets(buf, sizeof(buf), fp))
			if (sscanf(buf, "btime %llu", &btime) == 1)
				break;
		fclose(fp);
	}
	if (btime && hz > 0)
		self->start_time_s = (double)btime + (double)start_ticks / (double)hz;
	if ((dir = opendir("/proc/self/fd"))) {
		while ((d = readdir(dir)))
			if (d->d_name[0] != '.')
				self->open_fds++;
		closedir(dir);
		if (self->open_fds)
			self->open_fds--;	/* the one opendir() holds */
	}
	if (!getrlimit(RLIMIT_NOFILE, &rl))
		self->max_fds = rl.rlim_cur;
}
