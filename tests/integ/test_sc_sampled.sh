#!/bin/bash
# Syscalls tab, sampled timing (issue 17): a hot getppid thread and a thread
# making K sleeps of L ms at the same time, watched by two ktops at once:
# one by default (sampled when a CPU is hot), one with --exact (the same
# calls at the same moment, so the machine's load cannot tell them apart).
# Both: exact counts. The sleeps (on a quiet CPU, all timed): p50 in the
# histogram bucket of the sleeps' own median, i.e. within the documented
# 6.25% (+1% for the clock reads around the call). The hot call's p50
# sampled: within 2x of --exact's.
# raw_tp: yes
# tid-hash: yes
. tests/integ/lib.sh
need_root
need_cmd jq
N=100000 K=15 L=30
WPID= SPID= EPID=
trap 'kill $WPID $SPID $EPID 2>/dev/null; rm -rf "$TMPD"' EXIT

mkfifo "$TMPD/go"
"$WL/sc_mixed" $N $K $L "$TMPD/go" "$TMPD/median" &
WPID=$!
# start_ktop writes $TMPD/out.json: renamed, ktop writes on into it
start_ktop -p $WPID -d 0.5 --panes syscalls || { bad "sampled: ktop did not start"; finish; }
SPID=$KTOP_PID
mv "$TMPD/out.json" "$TMPD/sampled.json"
start_ktop -p $WPID -d 0.5 --panes syscalls --exact || { bad "exact: ktop did not start"; finish; }
EPID=$KTOP_PID
mv "$TMPD/out.json" "$TMPD/exact.json"
echo x > "$TMPD/go"
for i in $(seq 1 400); do [ -s "$TMPD/median" ] && break; sleep 0.05; done
check "workload finished" test -s "$TMPD/median"
sleep 1.2				# two more intervals: everything reported
kill -TERM $SPID $EPID
wait $SPID; assert_eq "sampled: ktop exit status after SIGTERM" 0 $?
wait $EPID; assert_eq "exact: ktop exit status after SIGTERM" 0 $?
kill $WPID; wait $WPID 2>/dev/null

# sum FILE NAME FIELD: the field summed over the intervals' rows of syscall NAME
sum() { jq -s "[.[].syscalls.rows[] | select(.name == \"$2\") | .$3] | add // 0" "$1"; }
# p50 FILE NAME: median of syscall NAME over all intervals, from the histograms
# merged, as ktop computes it (the middle of the bucket holding the median)
p50() {
	jq -s --arg n "$2" '[.[].syscalls.rows[] | select(.name == $n) | .hist[]]
		| group_by(.[0]) | map([.[0][0], (map(.[1]) | add)]) | sort_by(.[0])
		| (map(.[1]) | add) as $tot | (($tot + 1) / 2 | floor) as $rank
		| reduce .[] as $b ({c: 0, v: null};
			if .v == null and .c + $b[1] >= $rank then .v = $b[0] else . end | .c += $b[1])
		| .v // 0 | if . >= 8 then . + (. / 16 | floor) else . end' "$1"
}

for mode in sampled exact; do
	J=$TMPD/$mode.json
	check "$mode: output is JSON Lines" jq -e . "$J"
	assert_eq "$mode: timing mode" "$mode" "$(jq -rs '.[0].syscalls.timing.mode' "$J")"
	assert_eq "$mode: getppid count" $N "$(sum "$J" getppid count)"
	assert_eq "$mode: getppid errors" 0 "$(sum "$J" getppid errors)"
	assert_eq "$mode: clock_nanosleep count" $K "$(sum "$J" clock_nanosleep count)"
	assert_eq "$mode: process getppid count" $N \
		"$(jq -s '[.[].syscalls.rows[] | select(.name == "getppid") | .processes[].count] | add // 0' "$J")"
	m=$(cat "$TMPD/median")
	assert_range "$mode: clock_nanosleep p50 (workload's median $m ns)" \
		$((m * 93 / 100)) $((m * 107 / 100)) "$(p50 "$J" clock_nanosleep)"
	check "$mode: timed <= count in every row" \
		jq -se 'all(.[].syscalls.rows[]; .timed <= .count)' "$J"
done
J=$TMPD/exact.json
check "exact: every call timed" jq -se 'all(.[].syscalls.rows[]; .timed == .count and (.sampled | not))' "$J"
J=$TMPD/sampled.json
t=$(sum "$J" getppid timed)
ok "sampled: $t of $N getppid timed"
assert_range "sampled: getppid calls timed" 1 $N "$t"
check "sampled: a sampled row says so" \
	jq -se 'all(.[].syscalls.rows[]; (.timed < .count) == (.sampled == true))' "$J"
e=$(p50 "$TMPD/exact.json" getppid) s=$(p50 "$J" getppid)
assert_range "sampled getppid p50 (--exact: $e ns)" $((e / 2)) $((e * 2)) "$s"
finish
