#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build every libFuzzer harness tests/fuzz/fuzz_<name>.c with clang (ASan + UBSan) and run each for a bounded time.
#
# Usage: tests/fuzz/run.sh smoke|long [NAME...]
#   smoke  about 30 s in all (make test); long  FUZZ_SECONDS each, default 60 (make fuzz)
#   NAME   only these harnesses (fuzz_NAME.c)
# Environment: O (build dir, default build), CLANG (default clang), FUZZ_SECONDS
# (seconds per harness), FUZZ_SMOKE_TOTAL (smoke budget, default 30).
#
# Adding a harness is adding tests/fuzz/fuzz_<name>.c with LLVMFuzzerTestOneInput.
# The core sources it needs are found from its #include "core/X.h" lines
# (core/X.c, and what those include, transitively); a line
#   // fuzz-sources: core/a.c core/b.c
# adds more, a line
#   // fuzz-libs: -lelf
# links libraries, and a line
#   // fuzz-args: -max_len=65536
# passes options to libFuzzer. Seeds go in tests/fuzz/corpus/<name>/ (committed;
# crashing inputs are kept there as regression seeds); new inputs the fuzzer finds
# go to $O/fuzz/corpus/<name>/, crashing inputs to $O/fuzz/art-<name>-*.
#
# Prints PASS/FAIL per harness, "fuzz: N passed, N failed", appends
# "fuzz PASSED FAILED SKIPPED" to build/test-results.txt, and exits 1 when a
# harness failed to build or crashed. Without a usable clang libFuzzer it says
# SKIP and why, records the harnesses as skipped, and exits 0.
cd "$(dirname "$0")/../.." || exit 1
. tests/env.sh
mode=${1:-smoke}
shift
case "$mode" in
smoke|long) ;;
*) echo "usage: tests/fuzz/run.sh smoke|long [NAME...]" >&2; exit 2 ;;
esac
O=${O:-build}
CLANG=${CLANG:-clang}
W=$O/fuzz
mkdir -p build "$W/obj" "$W/corpus"

if [ $# -gt 0 ]; then
	names="$*"
else
	names=$(ls tests/fuzz/fuzz_*.c 2>/dev/null | sed 's|.*/fuzz_||; s|\.c$||')
fi
n=$(echo $names | wc -w)
if [ "$n" = 0 ]; then
	echo "fuzz: no harnesses in tests/fuzz/"
	exit 1
fi

skip_all() {
	echo "SKIP fuzz: $1"
	echo "fuzz: 0 passed, 0 failed, $n skipped"
	local r=${KTOP_RESULTS:-build/test-results.txt}
	echo "fuzz 0 0 $n" >> "$r"
	echo "fuzz: $n harnesses: $1" >> "${r%.txt}-skips.txt"
	exit 0
}

# ---- toolchain: clang with the libFuzzer runtime -----------------------------
probe() {
	echo 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }' |
		"$CLANG" -x c -fsanitize=fuzzer,address,undefined -o "$W/probe" - >"$W/probe.log" 2>&1
}
command -v "$CLANG" >/dev/null 2>&1 || skip_all "no '$CLANG' compiler (apt-get install clang)"
if ! probe; then
	ver=$("$CLANG" --version | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -1)
	pkg=libclang-rt-${ver:-14}-dev
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "fuzz: clang's libFuzzer runtime is missing; installing $pkg"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null 2>&1
	fi
	probe || skip_all "clang cannot link -fsanitize=fuzzer ($pkg missing?): $(tail -1 "$W/probe.log")"
fi

CFLAGS_F="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
	-std=gnu11 -D_GNU_SOURCE -Wall -Wextra -I. -Iinclude -I$O/skel"

# Compile $1 into $2 with extra flags $3 unless $2 is newer than everything it depends on.
compile() {
	local src=$1 obj=$2 san=$3 dep=${2%.o}.d
	if [ -f "$obj" ] && [ -f "$dep" ]; then
		local stale=0 f
		for f in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$dep"); do
			[ "$f" -nt "$obj" ] && { stale=1; break; }
		done
		[ $stale = 0 ] && return 0
	fi
	# shellcheck disable=SC2086
	"$CLANG" $CFLAGS_F $san -MMD -MF "$dep" -c "$src" -o "$obj"
}

# core/*.c a source needs: core/X.c for each #include "core/X.h", transitively.
core_deps() {
	local todo="$*" seen="" f h c
	while [ -n "$todo" ]; do
		set -- $todo
		f=$1; shift; todo="$*"
		for h in $(sed -n 's|^#include "core/\([a-z0-9_]*\)\.h".*|\1|p' "$f"); do
			c=core/$h.c
			[ -f "$c" ] || continue
			case " $seen " in *" $c "*) continue ;; esac
			seen="$seen $c"
			todo="$todo $c"
		done
	done
	echo $seen
}

# ---- per-harness budget ------------------------------------------------------
if [ -n "$FUZZ_SECONDS" ]; then
	secs=$FUZZ_SECONDS
elif [ "$mode" = smoke ]; then
	secs=$(( ${FUZZ_SMOKE_TOTAL:-30} / n ))
	[ "$secs" -lt 3 ] && secs=3
else
	secs=60
fi
echo "fuzz: $n harnesses, $secs s each ($mode), clang $("$CLANG" --version | sed -n 's/.*version \([0-9.]*\).*/\1/p' | head -1)"

pass=0 fail=0
for name in $names; do
	h=tests/fuzz/fuzz_$name.c
	bin=$W/fuzz_$name
	log=$W/fuzz_$name.log
	if [ ! -f "$h" ]; then
		echo "FAIL $name: no $h"
		fail=$((fail + 1))
		continue
	fi
	extra=$(sed -n 's|^// fuzz-sources: *||p' "$h")
	srcs=$(echo $extra $(core_deps "$h" $extra) | tr ' ' '\n' | sort -u)
	objs="" ok=1
	: >"$log.build"
	for s in $srcs; do
		o=$W/obj/$(echo "$s" | tr / _).o
		compile "$s" "$o" "-fsanitize=fuzzer-no-link" >>"$log.build" 2>&1 || { ok=0; break; }
		objs="$objs $o"
	done
	if [ $ok = 1 ]; then
		compile "$h" "$W/obj/fuzz_$name.o" "-fsanitize=fuzzer-no-link" >>"$log.build" 2>&1 &&
			"$CLANG" -fsanitize=fuzzer,address,undefined -o "$bin" "$W/obj/fuzz_$name.o" $objs \
				$(sed -n 's|^// fuzz-libs: *||p' "$h") -lm \
				>>"$log.build" 2>&1 || ok=0
	fi
	if [ $ok = 0 ]; then
		echo "FAIL $name: does not build"
		sed 's/^/    /' "$log.build" | tail -20
		fail=$((fail + 1))
		continue
	fi
	grep -q -e ': warning:' "$log.build" && sed 's/^/    /' "$log.build" | grep -A3 ': warning:' | head -20

	work=$W/corpus/$name
	seeds=tests/fuzz/corpus/$name
	mkdir -p "$work"
	[ -d "$seeds" ] || seeds=""
	dict=tests/fuzz/$name.dict
	[ -f "$dict" ] && dict="-dict=$dict" || dict=""
	args=$(sed -n 's|^// fuzz-args: *||p' "$h")
	rm -f "$W/art-$name-"*
	# new inputs go to the first corpus dir ($work); the committed seeds are only read
	# shellcheck disable=SC2086
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
		"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$W/art-$name-" $dict $args "$work" $seeds >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	files=$(ls "$work" | wc -l)
	if [ $rc = 0 ]; then
		echo "PASS $name (${execs:-?} runs in $secs s, corpus $files)"
		pass=$((pass + 1))
	else
		art=$(ls "$W/art-$name-"* 2>/dev/null | head -1)
		echo "FAIL $name (exit $rc${art:+, input saved as $art})"
		grep -E -A12 'ERROR: |runtime error|violated|SUMMARY' "$log" | head -40 | sed 's/^/    /'
		[ -n "$art" ] && echo "    reproduce: $bin $art   keep as a regression seed: cp $art tests/fuzz/corpus/$name/"
		fail=$((fail + 1))
	fi
done

echo "fuzz: $pass passed, $fail failed"
echo "fuzz $pass $fail 0" >> "${KTOP_RESULTS:-build/test-results.txt}"
[ $fail = 0 ]
