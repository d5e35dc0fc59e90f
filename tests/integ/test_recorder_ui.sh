#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Flight recorder in the dashboard (tmux): a workload sleeps 1 ms for 8 s,
# 200 ms for 3 s, 1 ms again; a trigger on it fires in the spike and the
# status line gives the absolute path of the file it saved; after the
# spike, w writes the snapshot pair
# and the recorder's window (.ndjson). --replay of the window opens at its
# newest interval (REPLAY N/N), [ steps back until the nanosleep row shows
# the spike's 200 ms, ] steps forward again, and W (worst interval of the
# selected row) lands on a spike interval from the newest one.
# raw_tp: no
. tests/integ/lib.sh
need_root
need_cmd tmux
[ -x "$WL/sleep_phases" ] || skip "workload $WL/sleep_phases not built"
S=ktop-rec-ui-$$
SP=
cleanup() {
	tmux kill-session -t $S 2>/dev/null
	[ -n "$SP" ] && kill $SP 2>/dev/null && wait $SP 2>/dev/null
	rm -rf "$TMPD"
}
trap cleanup EXIT
KTOPA=$(readlink -f "$KTOP")
screen() { tmux capture-pane -p -t $S > "$TMPD/screen"; }
keys() { tmux send-keys -t $S "$@"; sleep 0.5; screen; }
has() { if grep -qE -- "$2" "$TMPD/screen"; then ok "$1"; else bad "$1: no /$2/ on screen"; sed 's/^/    | /' "$TMPD/screen"; fi; }
# the nanosleep row shows a 200 ms p99: 187.5 ms (the histogram's 6.25%) up to
# 299 ms (a wake-up on a busy machine comes late)
SPIKE="nanosleep .* (1[89][0-9]|2[0-9][0-9])ms +[0-9.]+(ms|s) *\$"
start() {	# start ARGS...: ktop in a fresh 120x30 tmux session
	tmux kill-session -t $S 2>/dev/null
	tmux new-session -d -s $S -x 120 -y 30 "env TERM=xterm LC_ALL=C TZ=UTC $KTOPA $*; sleep 30"
}

"$WL/sleep_phases" 1:8 200:3 1:30 > "$TMPD/sp.out" & SP=$!
for i in $(seq 1 100); do grep -q ready "$TMPD/sp.out" && break; sleep 0.05; done
start --panes syscalls -p $SP --snapshot-dir "$TMPD" --trigger "'syscalls[nanosleep].p99>50ms'" --after 1
for i in $(seq 1 200); do
	kp=$(pgrep -f "^$KTOPA --panes syscalls -p $SP" | head -1)
	[ -n "$kp" ] && wait_attached "$kp" && break
	sleep 0.05
done
[ -n "$kp" ] || { bad "the dashboard did not start"; finish; }
sleep 1
kill -USR1 $SP
# the trigger fires in the spike: the status line names the file it saved
saved=
for i in $(seq 1 100); do
	screen
	grep -qE "recorder: saved $TMPD/ktop-[0-9]{8}-[0-9]{6}-syscalls_nanosleep_.p99_gt_50ms.ndjson" \
		"$TMPD/screen" && saved=1
	grep -q "phase 3" "$TMPD/sp.out" && [ -n "$saved" ] && break
	sleep 0.3
done
if [ -n "$saved" ]; then ok "trigger: the status line gave the absolute path of the file saved"
else bad "trigger: no 'recorder: saved PATH' on the status line"; fi
check "trigger: that file exists, mode 0600" \
	test "$(stat -c %a "$TMPD"/ktop-*-syscalls_nanosleep_.p99_gt_50ms.ndjson 2>/dev/null)" = 600
for i in $(seq 1 300); do grep -q "phase 3" "$TMPD/sp.out" && break; sleep 0.1; done
sleep 2.5				# two intervals past the spike
screen
has "health line shows what the recorder keeps" "kept [0-9]+/[0-9.]+s [0-9.]+[KM]"
keys h
has "help shows what the recorder keeps and its bounds" "Recorder: keeps [0-9]+ intervals .* --keep 120s, --keep-mem 64"
keys Escape
keys w
has "w: status line names the window" "snapshot written: .*\.json \(and \.txt, \.ndjson"
W=$(ls "$TMPD"/ktop-*.ndjson 2>/dev/null | grep -E '/ktop-[0-9]{8}-[0-9]{6}(-[0-9]+)?\.ndjson$' | head -1)
[ -f "$W" ] || { bad "w wrote no .ndjson window"; finish; }
ok "w wrote $(basename "$W") ($(wc -l < "$W") intervals) next to $(ls "$TMPD"/ktop-*.json | wc -l) .json"
check "window file mode 0600" test "$(stat -c %a "$W")" = 600
N=$(wc -l < "$W")
tmux kill-session -t $S 2>/dev/null

start --replay "$W"
sleep 1.5
screen
has "replay opens at the newest interval" "REPLAY $N/$N"
found=
for i in $(seq 1 10); do
	keys '['
	if grep -qE -- "$SPIKE" "$TMPD/screen"; then found=$i; break; fi
done
if [ -n "$found" ]; then ok "[ stepped back $found interval(s) to the spike"
else bad "[ never showed the spike (200 ms nanosleep)"; sed 's/^/    | /' "$TMPD/screen"; fi
has "the header follows the steps" "REPLAY $((N - ${found:-0}))/$N"
keys ']'
has "] steps forward one interval" "REPLAY $((N - ${found:-0} + 1))/$N"
for i in $(seq 0 "${found:-0}"); do keys ']'; done	# to the newest again (clamped)
has "back at the newest" "REPLAY $N/$N"
keys Home				# the top row: nanosleep, by far the most time
keys W
has "W jumps to the worst interval of the row" "worst interval of nanosleep"
has "W lands on the spike" "$SPIKE"
tmux kill-session -t $S 2>/dev/null
finish
