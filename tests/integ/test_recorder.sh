#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Flight recorder, headless (--record): three ktops run at once, each with
# one trigger and one workload it controls, then the files they saved are
# checked against what the workloads did.
#  1. syscalls[nanosleep].p99>100ms, filtered to a workload that sleeps 1 ms
#     for 20 s, 200 ms for 3 s, 1 ms for 12 s, 200 ms for 3 s (the nanosleep
#     system call itself). Exactly one file per spike (--cooldown 10s holds
#     during the 3 s spike, and has passed by the second); each holds >= 15 s
#     of 1 ms sleeps before the spike and the spike's 200 ms sleeps at p50
#     and p99: from 187.5 ms (the histogram's 6.25% below) to 300 ms (a
#     wake-up on a busy shared machine comes late); --record printed
#     exactly the files saved.
#  2. io[loopN].count>50/s on a loop device nothing else touches, idle, then
#     a burst of 1000 4 KiB O_DIRECT writes: one file, idle intervals before
#     the firing, and every one of the 1000 writes in it.
#  3. memory[mem_hoard].suspect with a process that hoards pipes: one file,
#     whose firing interval has the hoarder as a suspect and whose earlier
#     intervals show it before it was one.
# Also: bad trigger expressions exit 2 with the column of the error, and
# --keep-mem bounds the bytes kept (JSON "recorder" figures).
# raw_tp: no (the recorder reads snapshots; test_syscalls covers the fallback)
. tests/integ/lib.sh
need_root
need_cmd jq
need_cmd losetup
for w in sleep_phases io_direct mem_hoard; do
	[ -x "$WL/$w" ] || skip "workload $WL/$w not built"
done
PIDS=
LOOP=
cleanup() {
	# shellcheck disable=SC2086
	[ -n "$PIDS" ] && kill $PIDS 2>/dev/null && wait $PIDS 2>/dev/null
	[ -n "$LOOP" ] && losetup -d "$LOOP" 2>/dev/null
	rm -rf "$TMPD"
}
trap cleanup EXIT

# ---- 5. bad expressions: exit 2, the column of the error -----------------
bad_expr() {	# bad_expr EXPR COLUMN
	local out rc
	out=$("$KTOP" --record --trigger "$1" 2>&1); rc=$?
	assert_eq "'$1': exit status" 2 $rc
	if grep -q "column $2" <<<"$out"; then ok "'$1': message points at column $2"
	else bad "'$1': message does not point at column $2: $out"; fi
}
bad_expr 'io.p99>>50ms' 8
bad_expr 'syscalls[futex].p99>10' 23
bad_expr 'sys.p99>1ms' 1
bad_expr 'io[vda.p99>1ms' 15
bad_expr 'memory.outstanding>1MiB/s' 24
bad_expr 'locks.wait>100xs/s' 15

# ---- the byte bound ------------------------------------------------------
# (all tabs: lines of 20-40 KB compress to 2-5 KB, so 64 KiB holds a dozen or so)
"$KTOP" -b --json -n 30 -d 0.1 --keep-mem 64KiB > "$TMPD/bound.json" 2> "$TMPD/bound.err"
assert_eq "--keep-mem 64KiB run: exit status" 0 $?
check "--keep-mem 64KiB: 30 intervals, bytes kept never above 65536" \
	jq -se 'length == 30 and all(.[1:][]; .recorder.bytes <= 65536 and .recorder.kept >= 1)' "$TMPD/bound.json"
check "--keep-mem 64KiB: older intervals dropped (kept stops growing before 29)" \
	jq -se '[.[].recorder.kept] | max < 29' "$TMPD/bound.json"
echo "  kept/bytes: $(jq -sc '[.[].recorder | [.kept, .bytes]]' "$TMPD/bound.json")"

# ---- start the three recorders -------------------------------------------
D1=$TMPD/d1 D2=$TMPD/d2 D3=$TMPD/d3
mkdir -p "$D1" "$D2" "$D3"
truncate -s 64M "$TMPD/disk.img"
LOOP=$(losetup -f --show "$TMPD/disk.img" 2>"$TMPD/losetup.err") ||
	skip "cannot set up a loop device: $(cat "$TMPD/losetup.err")"
DEV=${LOOP#/dev/}
command -v udevadm >/dev/null && udevadm settle 2>/dev/null

"$WL/sleep_phases" 1:20 200:3 1:12 200:3 > "$TMPD/sp.out" & SP=$!
"$WL/mem_hoard" hoard 400 50 > "$TMPD/h.out" & H=$!
PIDS="$SP $H"
wait_for ready "$TMPD/sp.out" 5 && wait_for ready "$TMPD/h.out" 5 || { bad "workloads did not start"; finish; }

"$KTOP" --record --panes syscalls -p $SP --trigger 'syscalls[nanosleep].p99>100ms' \
	--after 4 --cooldown 10 --snapshot-dir "$D1" > "$TMPD/k1.out" 2> "$TMPD/k1.err" & K1=$!
"$KTOP" --record --panes io --trigger "io[$DEV].count>50/s" --after 5 --cooldown 60 \
	--snapshot-dir "$D2" > "$TMPD/k2.out" 2> "$TMPD/k2.err" & K2=$!
"$KTOP" --record --panes memory --mem-mode kernel -p $H --leak-age 2 -d 0.5 \
	--trigger 'memory[mem_hoard].suspect' --after 2 --snapshot-dir "$D3" \
	> "$TMPD/k3.out" 2> "$TMPD/k3.err" & K3=$!
PIDS="$PIDS $K1 $K2 $K3"
for k in $K1 $K2 $K3; do
	wait_attached $k || { bad "ktop $k did not attach"; cat "$TMPD"/k*.err; finish; }
done
sleep 1.5				# the baseline and a first interval
kill -USR1 $SP $H
T0=$(date +%s)

# I/O: 6 s idle, then the burst
sleep 6
"$WL/io_direct" "$LOOP" 1000 0 > /dev/null
assert_eq "io workload exit status" 0 $?

wait $SP; assert_eq "sleep workload exit status" 0 $?
sleep 5					# the second file's --after
kill -TERM $K1 $K2 $K3
for k in $K1 $K2 $K3; do wait $k; assert_eq "ktop $k exit status (SIGTERM)" 0 $?; done
kill $H; wait $H 2>/dev/null
PIDS=
echo "  ran $(($(date +%s) - T0)) s"
for i in 1 2 3; do sed "s/^/    ktop $i stderr: /" "$TMPD/k$i.err"; done

# ---- 1. syscalls: one file per spike -------------------------------------
mapfile -t F1 < <(ls "$D1"/ktop-*-syscalls_nanosleep_.p99_gt_100ms.ndjson 2>/dev/null)
assert_eq "syscalls: files saved (two spikes)" 2 "${#F1[@]}"
assert_eq "syscalls: --record printed the files saved" "$(printf '%s\n' "${F1[@]}")" "$(sort "$TMPD/k1.out")"
s2=$(awk '/^phase 2 start/ { print $4 }' "$TMPD/sp.out")
s4=$(awk '/^phase 4 start/ { print $4 }' "$TMPD/sp.out")
# per line of a file: seconds from the spike start to the interval's end,
# the row's p50 and p99 in ms, and whether it fired
rows() {	# rows FILE SPIKE_START_NS
	jq -r --argjson s "$2" '
		(.timestamp | sub("\\.[0-9]+Z$"; "Z") | fromdate) as $t
		| ((.timestamp | capture("\\.(?<ms>[0-9]+)Z$").ms | tonumber) / 1000) as $ms
		| [.syscalls.rows[] | select(.name == "nanosleep")][0] as $r
		| "\(($t + $ms) - $s / 1e9) \(($r.p50_ns // 0) / 1e6) \(($r.p99_ns // 0) / 1e6) \(.fired != null)"' "$1"
}
for k in 0 1; do
	f=${F1[$k]:-/nonexistent}
	s=$([ $k = 0 ] && echo "$s2" || echo "$s4")
	[ -f "$f" ] || continue
	rows "$f" "$s" > "$TMPD/rows$k"
	echo "  file $((k + 1)): $(wc -l < "$TMPD/rows$k") intervals: $(awk '{ printf "%.1f:%s/%s%s ", $1, $2, $3, $4 == "true" ? "*" : "" }' "$TMPD/rows$k")"
	check "file $((k + 1)): mode 0600" test "$(stat -c %a "$f")" = 600
	assert_eq "file $((k + 1)): one interval marked as the firing" 1 "$(grep -c ' true$' "$TMPD/rows$k")"
	# before the spike: intervals ending >= 15 s before it, all 1 ms sleeps
	assert_range "file $((k + 1)): earliest interval, s before the spike" -1000 -15 "$(head -1 "$TMPD/rows$k" | awk '{ print $1 }')"
	# (the 1 ms phase before the second spike is 12 s long; before the
	# first, the workload waited for its start: no nanosleep row)
	check "file $((k + 1)): the 10 s before the spike, p99 below the trigger's 100 ms" \
		awk '$1 < 0 && $1 > -11 && $3 >= 100 { exit 1 }' "$TMPD/rows$k"
	check "file $((k + 1)): 1 ms sleeps at p50 before the spike (0.9..1.3 ms)" \
		awk '$1 < -1 && $1 > -11 && ($2 < 0.9 || $2 > 1.3) { bad = 1 } END { exit bad }' "$TMPD/rows$k"
	# the spike: whole intervals inside it show 200 ms at p50 and p99
	assert_range "file $((k + 1)): intervals wholly inside the spike with p50 and p99 at 200 ms (187.5..300)" 1 3 \
		"$(awk '$1 > 1 && $1 <= 3.05 && $2 >= 187.5 && $2 <= 300 && $3 >= 187.5 && $3 <= 300' "$TMPD/rows$k" | wc -l)"
	check "file $((k + 1)): the spike's end is in the file" awk '$1 >= 3 { found = 1 } END { exit !found }' "$TMPD/rows$k"
	check "file $((k + 1)): it fired inside the spike" awk '$4 == "true" && $1 > 0 && $1 <= 3.5 { f = 1 } END { exit !f }' "$TMPD/rows$k"
done

# ---- 2. I/O: the burst, whole ---------------------------------------------
mapfile -t F2 < <(ls "$D2"/ktop-*.ndjson 2>/dev/null)
assert_eq "io: files saved" 1 "${#F2[@]}"
assert_eq "io: --record printed it" "${F2[0]:-}" "$(cat "$TMPD/k2.out")"
if [ -f "${F2[0]:-}" ]; then
	f=${F2[0]}
	w=$(jq -s --arg d "$DEV" '[.[].io.rows[]? | select(.disk == $d and .op == "write") | .count] | add // 0' "$f")
	assert_eq "io: writes to $DEV in the file (the whole burst)" 1000 "$w"
	assert_range "io: idle intervals before the firing" 3 100 \
		"$(jq -s 'to_entries | map(select(.value.fired != null)) | .[0].key // 0' "$f")"
	check "io: the firing interval has $DEV writes above 50/s" jq -se --arg d "$DEV" \
		'map(select(.fired != null))[0] | . as $l | [.io.rows[] | select(.disk == $d and .op == "write")][0]
		 | .count * 1e9 / $l.interval_ns > 50' "$f"
fi

# ---- 3. memory: the suspect ----------------------------------------------
mapfile -t F3 < <(ls "$D3"/ktop-*.ndjson 2>/dev/null)
assert_eq "memory: files saved" 1 "${#F3[@]}"
if [ -f "${F3[0]:-}" ]; then
	f=${F3[0]}
	check "memory: the hoarder is a suspect where it fired" jq -se --argjson p $H \
		'map(select(.fired != null))[0] | any(.memory.rows[]; .pid == $p and .suspect)' "$f"
	check "memory: and was not one in the first interval kept" jq -se --argjson p $H \
		'.[0] | all(.memory.rows[]; .pid != $p or (.suspect | not))' "$f"
	check "memory: the hoard grows through the window" jq -se --argjson p $H \
		'[.[] | [.memory.rows[] | select(.pid == $p)][0].outstanding_allocs // 0] | .[-1] > .[0]' "$f"
fi
finish
