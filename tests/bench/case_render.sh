#!/bin/bash
# Self-cost: time to build a 10,000-row snapshot and render it — the JSON
# writer, the text writer and the dashboard (list, sort, draw on a curses
# screen over /dev/null). Target: snapshot + render <= 20 ms.
. "$(dirname "$0")/lib.sh"
BIN=$BENCH_O/bench/render
mkdir -p "$BENCH_O/bench"
# built by make bench from the same objects as ktop (Makefile: $(O)/bench/render)
if [ ! -x "$BIN" ]; then
	warn "no render bench at $BIN: run it through make bench"
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
