# ktop — one entry point: make, make run, make test, make bench, make install, make clean.
O           ?= build
CC          ?= cc
CLANG       ?= clang
BPFTOOL     ?= bpftool
LLVM_STRIP  ?= llvm-strip
PREFIX      ?= /usr/local
DESTDIR     ?=
ARCH        ?= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
VERSION     := $(shell git describe --always --dirty 2>/dev/null || echo 0.1)

ifneq ($(V),1)
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

WARN        := -Wall -Wextra
ifeq ($(WERROR),1)
WARN        += -Werror
endif
PKGS        := libbpf ncursesw libmicrohttpd libzstd
PKG_CFLAGS  := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS    := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lbpf -lncursesw -ltinfo -lmicrohttpd -lzstd)
CFLAGS      ?= -O2 -g
CFLAGS      += $(WARN) -std=gnu11 -D_GNU_SOURCE
CPPFLAGS    += -I. -Iinclude -I$(O)/skel $(PKG_CFLAGS)
LDLIBS      += $(PKG_LIBS) -lelf -lz -ldw -lcap -lm -lpthread
BPF_CFLAGS  := -g -O2 $(WARN) -Wno-unused-parameter --target=bpf -D__TARGET_ARCH_$(ARCH) -I$(O) -Iinclude -Ibpf

BPF_SRCS    := $(wildcard bpf/*.bpf.c)
SKELS       := $(patsubst bpf/%.bpf.c,$(O)/skel/%.skel.h,$(BPF_SRCS))
GEN_SRCS    := $(O)/gen/syscalls_x86_64.c $(O)/gen/syscalls_arm64.c $(O)/gen/version.c
CORE_SRCS   := $(wildcard core/*.c)
UI_SRCS     := $(wildcard ui/*.c)
CORE_OBJS   := $(patsubst %.c,$(O)/%.o,$(CORE_SRCS)) $(GEN_SRCS:.c=.o)
# The built-in terminfo entries (ui/term.c) are generated from the build
# machine's terminfo; the object sits with the other ui/ objects.
TERM_BUILTINS := xterm xterm-256color xterm-color screen screen-256color tmux tmux-256color \
	      linux vt100 vt220 rxvt-unicode-256color
UI_OBJS     := $(patsubst %.c,$(O)/%.o,$(UI_SRCS)) $(O)/ui/terminfo_gen.o
CORE_LIB    := $(O)/libktopcore.a

UNIT_SRCS   := $(wildcard tests/unit/test_*.c)
UNIT_BINS   := $(patsubst tests/unit/%.c,$(O)/tests/%,$(UNIT_SRCS))
WORKLOADS   := $(patsubst tests/workloads/%.c,$(O)/workloads/%,$(wildcard tests/workloads/*.c))

.PHONY: all run deps deps-test deps-bench test test-unit test-integ test-ui fuzz fuzz-smoke \
	bench install uninstall clean asan soak static static-mhd-check test-static vmtest FORCE

# The binary is ./ktop for the default build dir, $(O)/ktop for any other
# (so parallel work trees of build dirs never overwrite each other's binary).
BIN         := $(if $(filter build,$(O)),ktop,$(O)/ktop)

all: $(BIN)

deps:
	$(Q)scripts/deps.sh build
deps-test:
	$(Q)scripts/deps.sh test
deps-bench:
	$(Q)scripts/deps.sh bench

# The newcomer's first command: install what is missing, build, start the dashboard.
run: deps
	$(Q)$(MAKE) --no-print-directory all
	./$(BIN) $(ARGS)

$(BIN): $(O)/ktop.o $(UI_OBJS) $(CORE_LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(CORE_LIB): $(CORE_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(O)/vmlinux.h: | $(O)/.
	$(call msg,BTF,$@)
ifdef VMLINUX_H
	$(Q)cp "$(VMLINUX_H)" $@
else
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@ || { rm -f $@; \
	  echo "ktop: cannot read kernel BTF at $(VMLINUX_BTF); pass VMLINUX_H=<file>" >&2; exit 1; }
endif

$(O)/bpf/%.bpf.o: bpf/%.bpf.c $(O)/vmlinux.h $(wildcard include/ktop/*.h bpf/*.bpf.h) | $(O)/bpf/.
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@ && $(LLVM_STRIP) -g $@

$(O)/skel/%.skel.h: $(O)/bpf/%.bpf.o | $(O)/skel/.
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

$(O)/gen/syscalls_%.c: scripts/gen_syscalls.sh scripts/syscalls/%.tbl | $(O)/gen/.
	$(call msg,GEN,$@)
	$(Q)CC="$(CC)" scripts/gen_syscalls.sh $* > $@

# The version (git describe) in one object, rewritten only when it changes:
# a -D flag would leave every object not recompiled since with an old one.
$(O)/gen/version.c: FORCE | $(O)/gen/.
	$(Q)v='const char ktop_version[] = "$(VERSION)";'; \
	  [ "$$(cat $@ 2>/dev/null)" = "$$v" ] || echo "$$v" > $@
FORCE:

$(O)/gen/terminfo.c: scripts/gen_terminfo.sh Makefile | $(O)/gen/.
	$(call msg,GEN,$@)
	$(Q)scripts/gen_terminfo.sh $(TERM_BUILTINS) > $@

$(O)/ui/terminfo_gen.o: $(O)/gen/terminfo.c ui/term.h | $(O)/ui/.
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(O)/gen/%.o: $(O)/gen/%.c core/syscall_names.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(O)/%.o: %.c | $(SKELS)
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

# ---- static build ----------------------------------------------------------
# make static: ./ktop-static, the same objects linked with -static-pie into one
# file that needs no shared library (libbpf, libelf, libdw, zlib, libcap,
# ncursesw and glibc inside), for hosts without the build packages; Debian 11
# (glibc 2.31) and 12 alike. Why fully static and what it needs from the host:
# docs/design.md, "Static build". The libraries are those of pkg-config
# --static for PKGS plus the base set, so a library added to PKGS (e.g.
# libmicrohttpd) is linked statically with no change here. Libraries in
# STATIC_STUB_PKGS are not linked: the code that needs them is never run
# (libmicrohttpd's TLS), and scripts/static-stubs.sh generates aborting stubs
# for exactly the symbols (STATIC_STUB_RE) the linked archives reference.
STATIC_BIN  := $(if $(filter build,$(O)),ktop-static,$(O)/ktop-static)
STATIC_BASE := libbpf ncursesw libelf libdw libcap zlib
STATIC_STUB_PKGS := gnutls
STATIC_STUB_RE   := ^gnutls_
STATIC_STUB_OK   := --ok gnutls_global_init --ok gnutls_global_deinit
STATIC_WRAP := -Wl,--wrap=dlopen,--wrap=dlsym,--wrap=dlclose,--wrap=dlerror
static_libs = $(filter-out $(filter-out $(shell pkg-config --static --libs-only-l $(STATIC_BASE)),\
	$(shell pkg-config --static --libs-only-l $(STATIC_STUB_PKGS) 2>/dev/null)),\
	$(shell pkg-config --static --libs $(sort $(STATIC_BASE) $(1)))) -lm
STATIC_LIBS  = $(call static_libs,$(PKGS))

static: $(STATIC_BIN)

$(STATIC_BIN): $(O)/ktop.o $(UI_OBJS) $(CORE_LIB) $(O)/static/nodl.o $(O)/static/stubs.o
	$(call msg,LINK,$@ (static))
	$(Q)$(CC) -static-pie -Wl,--strip-debug $(LDFLAGS) $(STATIC_WRAP) -o $@ $^ $(STATIC_LIBS)

$(O)/static/nodl.o: scripts/static-nodl.c | $(O)/static/.
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(O)/static/stubs.c: scripts/static-stubs.sh Makefile | $(O)/static/.
	$(call msg,GEN,$@)
	$(Q)CC="$(CC)" scripts/static-stubs.sh '$(STATIC_STUB_RE)' $(STATIC_STUB_OK) $(STATIC_LIBS) > $@

$(O)/static/%.o: $(O)/static/%.c
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Wno-missing-prototypes -c $< -o $@

# The proof that a library needing gnutls links this way: tests/static/mhd_link.c
# serves one HTTP request from libmicrohttpd.a with the generated stubs.
$(O)/static/mhd-stubs.c: scripts/static-stubs.sh Makefile | $(O)/static/.
	$(call msg,GEN,$@)
	$(Q)CC="$(CC)" scripts/static-stubs.sh '$(STATIC_STUB_RE)' $(STATIC_STUB_OK) \
	  $(call static_libs,libmicrohttpd) > $@
$(O)/static/mhd_link: tests/static/mhd_link.c $(O)/static/mhd-stubs.o $(O)/static/nodl.o
	$(call msg,LINK,$@ (static))
	$(Q)$(CC) $(CFLAGS) -static-pie $(LDFLAGS) $(STATIC_WRAP) -o $@ $^ $(call static_libs,libmicrohttpd)
static-mhd-check: $(O)/static/mhd_link
	$(Q)file $< | grep -q 'static-pie linked' && $<

# The static binary in Debian 11 and 12 minimal chroots (tests/static/run.sh),
# made with debootstrap on first use and cached in /var/tmp/static-test; after
# that, make test runs the same checks (tests/integ/test_static.sh).
test-static: deps-test static static-mhd-check
	$(Q)STATIC_FETCH=1 KTOP_STATIC=$(abspath $(STATIC_BIN)) tests/static/run.sh

# ---- tests ---------------------------------------------------------------
# Each test stage appends "stage passed failed skipped" here; summary.sh adds them up.
export KTOP_RESULTS := $(abspath $(O))/test-results.txt

$(O)/tests/%: tests/unit/%.c $(CORE_LIB) | $(O)/tests/.
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(CORE_LIB) $(LDLIBS) -lcmocka

$(O)/workloads/%: tests/workloads/%.c | $(O)/workloads/.
	$(call msg,CC,$@)
	$(Q)$(CC) -O1 -g -fno-omit-frame-pointer -Wall -o $@ $< -lpthread

test-unit: $(UNIT_BINS)
	$(Q)tests/run-unit.sh $(UNIT_BINS)

test-integ: $(BIN) $(WORKLOADS)
	$(Q)KTOP=$(abspath $(BIN)) KTOP_STATIC=$(abspath $(STATIC_BIN)) WL=$(abspath $(O))/workloads \
	  tests/integ/run.sh

test-ui: $(BIN)
	$(Q)KTOP=$(abspath $(BIN)) tests/ui/run.sh

# Everything, root tests included; installs what is missing first.
test: deps-test
	$(Q)mkdir -p $(O) && rm -f $(KTOP_RESULTS) $(KTOP_RESULTS:.txt=-skips.txt)
	$(Q)$(MAKE) --no-print-directory all static
	$(Q)$(MAKE) --no-print-directory -k test-unit test-integ test-ui fuzz-smoke; \
	  rc=$$?; tests/summary.sh && exit $$rc

fuzz fuzz-smoke:
	$(Q)tests/fuzz/run.sh $(if $(filter fuzz,$@),long,smoke)

bench: deps-bench
	$(Q)$(MAKE) --no-print-directory all $(WORKLOADS) $(O)/bench/floor.bpf.o $(O)/bench/floor \
	  $(O)/bench/prom_accuracy $(O)/bench/render
	$(Q)KTOP=$(abspath $(BIN)) WL=$(O)/workloads BENCH_O=$(O) tests/bench/run.sh

$(O)/bench/floor.bpf.o: tests/bench/floor.bpf.c $(O)/vmlinux.h | $(O)/bench/.
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@
$(O)/bench/prom_accuracy: tests/bench/prom_accuracy.c $(CORE_LIB) | $(O)/bench/.
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(CORE_LIB) $(LDLIBS)
# the render bench: built from the same objects as ktop
$(O)/bench/render: tests/bench/render.c $(UI_OBJS) $(CORE_LIB) | $(O)/bench/.
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(UI_OBJS) $(CORE_LIB) $(LDLIBS)
$(O)/bench/floor: tests/bench/floor.c | $(O)/bench/.
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(LDLIBS)

# ASan + UBSan: ktop, the unit tests and the workloads built in build-asan, then
# the unit, integration and UI suites run against them (fuzz has its own
# sanitizer build). Reports go to files (log_path): tests that ignore ktop's
# exit status or stderr would miss them; any file there fails the run. Built
# with clang: gcc 12's combined ASan+UBSan runtime ignores log_path for UBSan.
# Its runtime is linked shared (found by rpath), as gcc does: a static one
# defines malloc in every binary, which test_mem_model checks is imported.
# Leaks at exit are reported (LSan); tests/asan.supp lists the third-party
# ones. mem_leaky is probed through uprobes on libc's malloc, which ASan
# replaces, so it and mem_loop are built plain, with $(CC) as in make test
# (ktop finds no file:line in a clang-built mem_leaky). A private tmux server
# (TMUX_TMPDIR) makes the dashboard tests' ktop inherit the options; a session
# of its own keeps it up, or a test's new-session can race the server's exit
# after the previous test killed the last session ("server exited unexpectedly").
ASAN_O      := build-asan
ASAN_CC     ?= clang
ASAN_FLAGS  := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
ASAN_RT      = $(dir $(shell $(ASAN_CC) -print-file-name=libclang_rt.asan-$(shell uname -m).so))
ASAN_LINK    = -shared-libasan -Wl,-rpath,$(ASAN_RT)
# unit tests link with CFLAGS: the link flags go there too, unused when compiling
ASAN_ENV     = CFLAGS="$(ASAN_FLAGS) $(ASAN_LINK) -Wno-unused-command-line-argument" \
	       LDFLAGS="-fsanitize=address,undefined $(ASAN_LINK)" CC=$(ASAN_CC)
ASAN_LOGS    = $(abspath $(ASAN_O))/san-logs
ASAN_PLAIN  := mem_leaky mem_loop
asan: deps-test
	$(Q)f="$(ASAN_CC) $(ASAN_FLAGS) $(ASAN_LINK)"; [ "$$(cat $(ASAN_O)/.flags 2>/dev/null)" = "$$f" ] || \
	  { rm -rf $(ASAN_O) && mkdir -p $(ASAN_O) && echo "$$f" > $(ASAN_O)/.flags; }	# make does not track flags
	$(Q)$(ASAN_ENV) $(MAKE) --no-print-directory -j2 O=$(ASAN_O) all \
	  $(patsubst tests/unit/%.c,$(ASAN_O)/tests/%,$(UNIT_SRCS))
	$(Q)$(MAKE) --no-print-directory O=$(ASAN_O) $(ASAN_PLAIN:%=$(ASAN_O)/workloads/%)
	$(Q)$(MAKE) --no-print-directory -j2 O=$(ASAN_O) CC="$(ASAN_CC) $(ASAN_FLAGS) $(ASAN_LINK)" \
	  $(patsubst %,$(ASAN_O)/workloads/%,$(filter-out $(ASAN_PLAIN),$(notdir $(WORKLOADS))))
	$(Q)cp $(ASAN_O)/ktop ktop-asan
	$(Q)rm -rf $(ASAN_LOGS) $(ASAN_O)/tmux $(ASAN_O)/test-results.txt $(ASAN_O)/test-results-skips.txt && mkdir -p $(ASAN_LOGS) $(ASAN_O)/tmux
	$(Q)export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:halt_on_error=1:log_path=$(ASAN_LOGS)/asan \
	  LSAN_OPTIONS=suppressions=$(abspath tests/asan.supp):print_suppressions=0 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$(ASAN_LOGS)/ubsan \
	  TMUX_TMPDIR=$(abspath $(ASAN_O))/tmux; \
	unset TMUX; tmux new-session -d -s asan-keepalive 'sleep 86400'; \
	$(ASAN_ENV) $(MAKE) --no-print-directory -k O=$(ASAN_O) test-unit test-integ test-ui; rc=$$?; \
	tmux kill-server; \
	n=$$(ls $(ASAN_LOGS) | wc -l); \
	for f in $(ASAN_LOGS)/*; do [ -f "$$f" ] && { echo "== sanitizer report $$f"; head -80 "$$f"; }; done; \
	echo "asan: $$n sanitizer report(s) in $(ASAN_LOGS)"; \
	[ $$n = 0 ] || { echo "asan 0 $$n 0" >> $(ASAN_O)/test-results.txt; rc=1; }; \
	KTOP_RESULTS=$(abspath $(ASAN_O))/test-results.txt tests/summary.sh && exit $$rc

# Soak: ktop (all tabs) under a mixed workload for SOAK_SECONDS; prints RSS,
# fds, refresh period and map occupancy at start and end (tests/soak/run.sh).
SOAK_SECONDS ?= 3600
soak: $(BIN) $(WORKLOADS)
	$(Q)KTOP=$(abspath $(BIN)) WL=$(abspath $(O))/workloads tests/soak/run.sh $(SOAK_SECONDS)

# The kernel matrix: Debian 12's and 11's stock kernels booted in QEMU with a
# ktop binary (default this tree's; KTOP=/path/to/ktop for another build).
# VMTEST_MODE=matrix (checks of every tab, table) | lockup (100 starts on 6.1)
# | run (VMTEST_ARGS='KERNEL CMD'). Minutes per kernel: not part of `make test`.
# See tests/vm/vmtest.sh and docs/compat.md.
VMTEST_MODE ?= matrix
vmtest: $(WORKLOADS) $(if $(KTOP),,$(BIN))
	$(Q)scripts/deps.sh vmtest
	$(Q)KTOP=$(abspath $(or $(KTOP),$(BIN))) WL=$(abspath $(O))/workloads \
	  $(if $(KTOP),,BPFOBJ=$(abspath $(O))/bpf) tests/vm/vmtest.sh $(VMTEST_MODE) $(VMTEST_ARGS)

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/ktop
	install -m 0644 docs/ktop.1 $(DESTDIR)$(PREFIX)/share/man/man1/ktop.1

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/ktop $(DESTDIR)$(PREFIX)/share/man/man1/ktop.1

clean:
	rm -rf $(O) build-asan ktop ktop-asan ktop-static

%/.:
	$(Q)mkdir -p $@

.DELETE_ON_ERROR:
.SECONDARY:
-include $(shell find $(O) -name '*.d' 2>/dev/null)
