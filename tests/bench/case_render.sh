#!/bin/bash
# Self-cost: time to build a 10,000-row snapshot and render it — the JSON
# writer, the text writer and the dashboard (list, sort, draw on a curses
# screen over /dev/null). Target: snapshot + render <= 20 ms.
. "$(dirname "$0")/lib.sh"
BIN=$BENCH_O/bench/render
mkdir -p "$BENCH_O/bench"
# built from the same objects as ktop (ui/*.o and the core library)
if ! gcc -O2 -g -I. -Iinclude -I"$BENCH_O/skel" -o "$BIN" tests/bench/render.c \
	"$BENCH_O"/ui/*.o "$BENCH_O/libktopcore.a" $(pkg-config --libs libbpf ncursesw) \
	-lelf -lz -ldw -lcap -lm 2> "$TMPD/cc.err"; then
	warn "cannot build the render bench: $(head -3 "$TMPD/cc.err")"
	result "10k-row snapshot + dashboard render (ms)" n/a "<= 20" n/a
	exit 1
fi
out=$("$BIN" 10000) || { warn "render bench failed"; exit 1; }
say "  $out"
ui=$(sed -n 's/.*snapshot+dashboard \([0-9.]*\) ms.*/\1/p' <<<"$out")
js=$(sed -n 's/.*json \([0-9.]*\) ms.*/\1/p' <<<"$out")
result "10k-row snapshot + dashboard render (ms)" "$ui" "<= 20" "$(meets "$ui" "<=" 20)"
result "10k-row JSON write (ms)" "$js" "<= 20" "$(meets "$js" "<=" 20)"
reproduce "$BIN 10000"
