// SPDX-License-Identifier: GPL-2.0
/* Benchmark floor loader: attaches floor.bpf.o's empty (or, with --clock,
 * its clock-floor) programs until SIGINT/SIGTERM, then detaches. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/*
 * Usage: floor [--clock] [OBJECT]   (default: floor.bpf.o next to this binary)
 * --clock: the clock floor (task storage, two clock reads, a per-CPU add).
 * Prints "attached" on stdout once both programs are attached, so a script
 * can wait for it. Exit status 0 after a clean detach, 1 on any failure.
 */
int main(int argc, char **argv)
{
	struct bpf_link *links[2] = { NULL, NULL };
	static const char *const pairs[2][2] = {
		{ "floor_enter", "floor_exit" }, { "clock_enter", "clock_exit" },
	};
	const char *const *names = pairs[0];
	struct bpf_program *p;
	char path[PATH_MAX], self[PATH_MAX];
	struct bpf_object *obj;
	struct sigaction sa;
	sigset_t mask, old;
	int i, err, rc = 1;
	ssize_t n;

	if (argc > 1 && !strcmp(argv[1], "--clock")) {
		names = pairs[1];
		argc--;
		argv++;
	}
	if (argc > 1) {
		snprintf(path, sizeof(path), "%s", argv[1]);
	} else {
		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n < 0) {
			perror("floor: /proc/self/exe");
			return 1;
		}
		self[n] = 0;
		snprintf(path, sizeof(path), "%s/floor.bpf.o", dirname(self));
	}

	/* Signals are blocked until we wait for them, so one that arrives
	 * while attaching is not lost and still detaches cleanly. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, &old);

	obj = bpf_object__open_file(path, NULL);
	err = libbpf_get_error(obj);
	if (err) {
		fprintf(stderr, "floor: cannot open %s: %s\n", path, strerror(-err));
		return 1;
	}
	/* load only the pair asked for (the clock floor needs task storage) */
	bpf_object__for_each_program(p, obj)
		bpf_program__set_autoload(p, !strcmp(bpf_program__name(p), names[0]) ||
					     !strcmp(bpf_program__name(p), names[1]));
	if (names == pairs[0])
		bpf_map__set_autocreate(bpf_object__find_map_by_name(obj, "clock_start"), false);
	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "floor: cannot load %s: %s\n", path, strerror(-err));
		goto out;
	}
	for (i = 0; i < 2; i++) {
		p = bpf_object__find_program_by_name(obj, names[i]);
		if (!p) {
			fprintf(stderr, "floor: %s has no program %s\n", path, names[i]);
			goto out;
		}
		links[i] = bpf_program__attach(p);
		err = libbpf_get_error(links[i]);
		if (err) {
			links[i] = NULL;
			fprintf(stderr, "floor: cannot attach %s: %s\n", names[i], strerror(-err));
			goto out;
		}
	}
	printf("attached\n");
	fflush(stdout);
	while (!stop)
		sigsuspend(&old);
	rc = 0;
out:
	for (i = 0; i < 2; i++)
		bpf_link__destroy(links[i]);
	bpf_object__close(obj);
	return rc;
}
