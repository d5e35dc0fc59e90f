#!/bin/bash
# Memory tab, the held state: a process leaks pipes and eventfds until its
# fd limit (as real leaks end: limits, OOM pressure), then holds them. It is
# a suspect while it grows; once it stops growing it must stay flagged
# (held) in every interval until it frees them; after it closes them it is
# neither suspect nor held.
. tests/integ/lib.sh
need_root
need_cmd jq
# 2400 fds: ~800 pipe+eventfd pairs at 100/s, 8 s of growth
( ulimit -n 2400 && exec "$WL/mem_fdleak" 100000 100 ) > "$TMPD/wl.out" &
WP=$!
trap 'kill $WP $KTOP_PID 2>/dev/null; rm -rf "$TMPD"' EXIT
for i in $(seq 1 100); do grep -q ready "$TMPD/wl.out" && break; sleep 0.05; done
start_ktop --panes memory -p $WP --mem-mode kernel --leak-age 2 -d 0.5 ||
	{ bad "ktop did not start"; finish; }
kill -USR1 $WP
for i in $(seq 1 400); do grep -q done "$TMPD/wl.out" && break; sleep 0.05; done
check "workload stopped at its fd limit" grep -q "fd limit" "$TMPD/wl.out"
J=$TMPD/out.json
n_done=$(wc -l < "$J")
sleep 7					# holding: 14 intervals, the highs decay
n_hold=$(wc -l < "$J")
kill -USR1 $WP				# now it closes them
for i in $(seq 1 100); do grep -q closed "$TMPD/wl.out" && break; sleep 0.05; done
sleep 1.5
kill -TERM $KTOP_PID; wait $KTOP_PID
row() { jq -c ".memory.rows[]? | select(.pid == $WP) | {suspect, held, b: .outstanding_bytes}"; }
check "a suspect while it grew" grep -q '"suspect":true' <<<"$(head -n "$n_done" "$J" | row)"
hold=$(sed -n "$((n_done + 2)),${n_hold}p" "$J" | row)
echo "  while holding: $(tr '\n' ' ' <<<"$hold" | cut -c1-300)..."
check "flagged (suspect or held) in every interval while it holds" \
	jq -se 'length > 10 and all(.[]; .suspect or .held)' <<<"$hold"
check "held, not suspect, once the growth has aged out" \
	jq -se 'any(.[]; .held and (.suspect | not))' <<<"$hold"
last=$(tail -1 "$J" | row)
check "after it freed: neither suspect nor held" jq -e '(.suspect | not) and (.held | not)' <<<"${last:-"{}"}"
finish
