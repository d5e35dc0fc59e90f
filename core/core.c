// SPDX-License-Identifier: GPL-2.0
/* Core: opens the collectors, swaps the two snapshots, measures ktop itself. */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include "core/core.h"
#include "core/collector.h"
#include "core/histo.h"
#include "core/bpfstats.h"
#include "core/bpfutil.h"
#include "core/metrics_http.h"
#include "core/msg.h"
#include "core/procinfo.h"
#include "core/recorder.h"
#include "core/version.h"

static const struct ktop_collector *const collectors[KTOP_TAB_MAX] = {
#define KTOP_TAB(id, name, title) [KTOP_TAB_##id] = &col_##name,
#include "core/tabs.def"
#undef KTOP_TAB
};

static struct {
	void *state[KTOP_TAB_MAX];
	struct ktop_snapshot *snap[2];
	int cur;			/* index of the current snapshot */
	struct ktop_tab_status status[KTOP_TAB_MAX];
	uint64_t iteration;
	uint64_t last_mono_ns;
	uint64_t last_cpu_ns;
	const struct ktop_opts *o;
	uint64_t bpf_run_ns, bpf_run_cnt;	/* previous reading */
	bool open;
} core;

static uint64_t self_cpu_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ull +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ull;
}

static uint64_t self_rss_kb(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
		rss = 0;
	fclose(f);
	return (uint64_t)rss * (uint64_t)sysconf(_SC_PAGESIZE) / 1024;
}

/* See core.h. */
int core_open(const struct ktop_opts *o, const volatile int *stop)
{
	int i, err, running = 0;

	/*
	 * Opening parses the kernel's BTF (5 MB) once per collector and frees it.
	 * glibc would raise its mmap threshold after the first such free and
	 * serve the next ones from the heap, where the freed space stays
	 * resident for the whole run: a fixed threshold keeps big buffers
	 * mmap()ed, so freeing them gives the memory back.
	 */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	core.snap[0] = calloc(1, sizeof(struct ktop_snapshot));
	core.snap[1] = calloc(1, sizeof(struct ktop_snapshot));
	if (!core.snap[0] || !core.snap[1])
		return -ENOMEM;
	core.open = true;
	core.o = o;
	for (i = 0; i < KTOP_TAB_MAX; i++) {
		struct ktop_tab_status *st = &core.status[i];

		/* a collector can take tens of seconds to load (a slow
		 * verifier, an emulator): a stop request ends start-up here */
		if (stop && *stop) {
			probe_release();
			return -EINTR;
		}
		memset(st, 0, sizeof(*st));
		if (!(o->panes & (1u << i))) {
			st->state = KTOP_TAB_OFF;
			continue;
		}
		/* without BTF every tab would blame its own tracepoints */
		err = probe_kernel_btf(st->why, sizeof(st->why));
		if (!err)
			err = collectors[i]->open(&core.state[i], o, st);
		if (err) {
			core.state[i] = NULL;
			st->state = KTOP_TAB_DISABLED;
			if (!st->why[0])
				snprintf(st->why, sizeof(st->why), "%s", strerror(-err));
			msg_warn("%s tab disabled: %s", ktop_tab_names[i], st->why);
			continue;
		}
		st->state = KTOP_TAB_RUNNING;
		running++;
	}
	probe_release();		/* the probes are done: give back the parsed BTF */
	malloc_trim(0);			/* and what opening freed inside the heap */
	core.last_mono_ns = now_mono_ns();
	core.last_cpu_ns = self_cpu_ns();
	return running ? 0 : -ENODEV;
}

/* -p processes that have exited: the run goes on and says so. */
static void exited_note(struct ktop_snapshot *s)
{
	size_t len = 0;
	int i;

	s->exited[0] = 0;
	for (i = 0; core.o && i < core.o->npids; i++) {
		if (proc_alive(core.o->pids[i]))
			continue;
		len += snprintf(s->exited + len, sizeof(s->exited) - len, "%s%u",
				len ? ", " : "-p process exited: ", core.o->pids[i]);
		if (len >= sizeof(s->exited))
			break;
	}
}

/* See core.h. */
int core_poll(void)
{
	struct ktop_snapshot *s = core.snap[!core.cur];
	struct utsname u;
	uint64_t mono, cpu;
	int i;

	memset(s, 0, sizeof(*s));
	mono = now_mono_ns();
	cpu = self_cpu_ns();
	s->iteration = core.iteration++;
	s->mono_ns = mono;
	s->real_ns = now_real_ns();
	s->interval_ns = mono - core.last_mono_ns;
	s->self_cpu_pct = s->interval_ns ? 100.0 * (double)(cpu - core.last_cpu_ns) /
					   (double)s->interval_ns : 0;
	s->self_rss_kb = self_rss_kb();
	snprintf(s->version, sizeof(s->version), "%s", ktop_version);
	if (uname(&u) == 0) {
		snprintf(s->host, sizeof(s->host), "%.63s", u.nodename);
		snprintf(s->kernel, sizeof(s->kernel), "%.63s", u.release);
	}
	exited_note(s);
	if (bpfstats_on()) {
		uint64_t ns, cnt;

		bpfstats_read(&ns, &cnt);
		s->bpf_stats = 1;
		s->bpf_run_ns = delta_u64(core.bpf_run_ns, ns);
		s->bpf_run_cnt = delta_u64(core.bpf_run_cnt, cnt);
		core.bpf_run_ns = ns;
		core.bpf_run_cnt = cnt;
	}
	for (i = 0; i < KTOP_TAB_MAX; i++) {
		struct ktop_tab_status *st = &core.status[i];

		st->lost = 0;
		if (st->state == KTOP_TAB_RUNNING && core.state[i]) {
			s->tab[i] = *st;
			collectors[i]->poll(core.state[i], s);
			/* the collector may update lost/lost_total/note */
			st->lost_total = s->tab[i].lost_total;
			snprintf(st->note, sizeof(st->note), "%s", s->tab[i].note);
		} else {
			s->tab[i] = *st;
		}
		s->lost_events += s->tab[i].lost;
		if (s->exited[0] && s->tab[i].state == KTOP_TAB_RUNNING && !s->tab[i].note[0])
			snprintf(s->tab[i].note, sizeof(s->tab[i].note), "%s", s->exited);
	}
	metrics_http_update(s);		/* --listen: publish the exposition of s */
	core.last_mono_ns = mono;
	core.last_cpu_ns = cpu;
	core.cur = !core.cur;
	/* the recorder keeps every interval after the baseline (no deltas there) */
	recorder__status(recorder_live, &s->rec);
	if (s->iteration)
		return recorder__push(recorder_live, s);
	return 0;
}

/* See core.h. */
const struct ktop_snapshot *core_snapshot(void)
{
	return core.snap[core.cur];
}

/* See core.h. */
void core_close(void)
{
	int i;

	if (!core.open)
		return;
	metrics_http_stop();
	for (i = 0; i < KTOP_TAB_MAX; i++) {
		if (core.state[i])
			collectors[i]->free(core.state[i]);
		core.state[i] = NULL;
	}
	recorder__free(recorder_live);	/* saves the trigger files in flight */
	recorder_live = NULL;
	free(core.snap[0]);
	free(core.snap[1]);
	core.snap[0] = core.snap[1] = NULL;
	core.open = false;
}
