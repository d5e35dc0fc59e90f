#!/bin/bash
# Syscalls tab, exact: a child filtered with -p makes N getppid, K sleeps of
# L ms and M failing close(-1) after ktop attached; the JSON sums must equal
# them exactly and the sleep p50 must be within 12.5% of the sleep lengths
# the workload measured itself.
# raw_tp: yes
# tid-hash: yes
. tests/integ/lib.sh
need_root
need_cmd jq
N=20001 K=20 L=20 M=333
mkfifo "$TMPD/go"
"$WL/sc_known" $N $K $L $M "$TMPD/go" "$TMPD/done" &
WPID=$!
trap 'kill $WPID $KTOP_PID 2>/dev/null; rm -rf "$TMPD"' EXIT
# --exact: every call timed, so each interval's p50 is of all its sleeps.
# Default (sampled) timing can leave a row's calls untimed in an interval
# (p50 0, seen in fresh-ci on a CPU hot from the getppid burst); the
# sampled mode's counts and percentiles are tests/integ/test_sc_sampled.sh's.
start_ktop -p $WPID -d 0.5 --panes syscalls --exact || { bad "ktop did not start"; finish; }
echo x > "$TMPD/go"
for i in $(seq 1 200); do [ -e "$TMPD/done" ] && break; sleep 0.05; done
check "workload finished" test -e "$TMPD/done"
sleep 1.2				# two more intervals: everything reported
kill -TERM $KTOP_PID; wait $KTOP_PID; rc=$?
assert_eq "ktop exit status after SIGTERM" 0 $rc
J=$TMPD/out.json
check "output is JSON Lines" jq -e . "$J" >/dev/null
sum() { jq -s "[.[].syscalls.rows[] | select(.name == \"$1\") | .$2] | add // 0" "$J"; }
assert_eq "getppid count" $N "$(sum getppid count)"
assert_eq "getppid errors" 0 "$(sum getppid errors)"
assert_eq "clock_nanosleep count" $K "$(sum clock_nanosleep count)"
assert_eq "close count" $M "$(sum close count)"
assert_eq "close errors" $M "$(sum close errors)"
# p50 of the sleeps, in every interval that had at least 3 of them: within
# the histogram's error (12.5% here, for margin) of the lengths the workload
# itself measured (a sleep of L ms lasts L ms plus its wake-up delay, which
# on a busy machine is several ms), and those lengths near L
read -r smin smax < <(sort -n "$TMPD/done" | awk 'NR == 1 { a = $1 } { b = $1 } END { print a, b }')
echo "  the workload's own sleep lengths: ${smin} .. ${smax} ns"
assert_eq "sleeps measured by the workload" $K "$(grep -c . "$TMPD/done")"
assert_range "shortest sleep measured by the workload (ns)" $((L * 1000000)) $((L * 1000000 * 3)) "$smin"
for p in $(jq -r '.syscalls.rows[] | select(.name == "clock_nanosleep" and .count >= 3) | .p50_ns' "$J"); do
	assert_range "clock_nanosleep p50_ns" $((smin * 875 / 1000)) $((smax * 1125 / 1000)) "$p"
done
check "some interval had >= 3 sleeps" jq -se '[.[].syscalls.rows[] | select(.name == "clock_nanosleep" and .count >= 3)] | length > 0' "$J"
# percentiles ordered, per row
check "p50 <= p95 <= p99 <= max in every row" jq -se \
	'all(.[].syscalls.rows[]; .p50_ns <= .p95_ns and .p95_ns <= .p99_ns and .p99_ns <= .max_ns)' "$J"
# only the filtered process shows up
check "only the -p process in processes" jq -se "all(.[].syscalls.processes[]; .pid == $WPID)" "$J"
assert_eq "process getppid+close+sleep calls >= workload" 1 \
	"$(jq -s "[.[].syscalls.processes[].count] | add >= $((N + K + M))" "$J" | sed 's/true/1/;s/false/0/')"
check "attach flavour reported" jq -se 'all(.[]; .syscalls.attach == "tp_btf" or .syscalls.attach == "raw_tp")' "$J"
if [ "${KTOP_FORCE_RAW_TP:-}" = 1 ]; then
	check "raw_tp flavour used when forced" jq -se 'all(.[]; .syscalls.attach == "raw_tp")' "$J"
fi
if [ "${KTOP_FORCE_TID_HASH:-}" = 1 ]; then
	check "thread-id hash used when forced" jq -se 'all(.[]; .syscalls.note | test("thread-id hash"))' "$J"
	assert_eq "syscalls lost events (tid hash)" 0 "$(jq -s '[.[].syscalls.lost_events] | add' "$J")"
fi
finish
